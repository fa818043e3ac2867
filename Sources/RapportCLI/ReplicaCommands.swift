import ArgumentParser
import Foundation
import struct GRDB.DatabaseError
import RapportClient
import RapportKAM
import RapportReplica
import RapportReport
import RapportSync

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create your replica.")
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "Your user name, as the server's admin registered it.") var user: String
    @Option(help: "The team's sync server, e.g. http://127.0.0.1:8080.") var server: String?
    @Option(help: "Your bearer token from the server's admin.") var token: String?
    @Option(name: .customLong("ca-cert"), help: ArgumentHelp(
        "Trust this PEM certificate (the server's self-signed one, or your team's certificate authority) for the server, as `rapport config --ca-cert` does.",
        valueName: "file"))
    var caCert: String?

    func run() throws {
        // Checked here rather than in `validate`, whose errors ArgumentParser follows with the whole usage.
        if let server { try Self.check(server: server) }
        if let token { _ = try Self.checked(token: token) }
        // Read before the replica is made: a wrong file leaves nothing behind.
        let trust = try caCert.map { path in
            do { return try ServerTrust.load(path: path) } catch { throw ValidationError("\(error)") }
        }
        let server = server?.trimmingCharacters(in: .whitespacesAndNewlines)
        // `init` run again to mend a mistyped address or token: the replica there is said to be one, with the
        // command that changes them ("a replica, or something else" left it to guess).
        if OutputFile.kind(of: replica.path) == .file, let there = try? Replica.open(at: replica.path), let identity = try? there.identity() {
            try? there.close()
            throw ValidationError("\(replica.path) is already the replica of \(identity.user) (\(identity.id)), and stays so: to change its server or token, " +
                                  "`rapport config --server URL --token TOKEN`; for another replica, pass --db with another path")
        }
        let created = try Replica.create(at: replica.path, user: user, server: server, token: try token.map(Self.checked(token:)))
        if let token { Self.warnIfUnlikeAToken(token) }
        if let server { Self.warnIfAPIPath(server) }
        if let trust {
            try created.setCACertificate(trust.pem)
            Config.noteTrust(trust, server: server)
        }
        let identity = try created.identity()
        print("Created replica \(identity.id) for \(identity.user) at \(replica.path).")
        switch (server, token) {
        case (nil, nil): print("To sync with your team: `rapport config --server URL --token TOKEN`.")
        case (nil, _): print("To sync with your team: `rapport config --server URL`.")
        case (_, nil): print("To sync with your team: `rapport config --token TOKEN` (your token from the server's admin).")
        default: break
        }
    }
}

extension ParsableCommand {
    /// A token as pasted, without the spaces or line break a copy brings along; refused when empty or with
    /// spaces inside (two tokens, or a token and more), which the server would only answer with 401 at the next sync.
    static func checked(token: String) throws -> String {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw ValidationError("--token cannot be empty: give the token your server's admin created for you (`rapport admin add-user NAME`); nothing was changed")
        }
        // Tokens are printable ASCII (`rpt_` and hex): anything else inside came with a copy.
        guard trimmed.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
            throw ValidationError("--token holds spaces, line breaks or invisible characters, which no token has: give the one token your server's admin created for you; nothing was changed")
        }
        return trimmed
    }

    /// Said, not refused (a server behind a proxy under a path is a real setup): a URL ending in the API's own
    /// `/v1` sends every request to `/v1/v1/...`, which the first sync then finds.
    static func warnIfAPIPath(_ server: String) {
        let given = server.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let url = URL(string: given), !url.path.isEmpty, url.path != "/" else { return }
        guard url.path.split(separator: "/").last == "v1" else {
            // Another path is right for a server behind a proxy under it; `rapport serve` itself answers at its root,
            // and the first sync met a 404 days later.
            var components = URLComponents(string: given)
            components?.path = ""
            let root = components?.string ?? given
            return warn("note: requests go to \(given.hasSuffix("/") ? String(given.dropLast()) : given)/v1/…: right for a server behind a proxy under \(url.path); `rapport serve` itself answers at its root (`rapport config --server \(root)`)")
        }
        let base = given.replacing(/\/v1\/?$/, with: "")
        warn("note: Rapport adds /v1 to the server's address itself: if \(base) is the server, give that (`rapport config --server \(base)`)")
    }

    /// Said, not refused (a later server may issue others): a token `rapport admin add-user` makes is `rpt_` and 64
    /// hex digits, and one cut short or pasted with its neighbour passes the checks above only to fail at the sync.
    static func warnIfUnlikeAToken(_ token: String) {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        let hex = trimmed.dropFirst(4)
        guard !(trimmed.hasPrefix("rpt_") && hex.count == 64 && hex.allSatisfy(\.isHexDigit)) else { return }
        let check = trimmed.count > 68 ? "check that you pasted it alone (no space, line or other text with it)" : trimmed.count < 68 ? "check that you pasted all of it" : "check that it is the token `add-user` printed"
        warn("note: a token from `rapport admin add-user` is rpt_ and 64 hex digits; this one (\(trimmed.count) characters) is not: \(check)")
    }

    /// Checked when the URL is given, not at the first sync: a mistyped URL should not wait days to be found.
    /// A server address as given to `init` or `config` (spaces a copy brings around it aside), or why it is none:
    /// said with what to type, not "fix it with `rapport config --server URL`", the command just run.
    static func check(server: String) throws {
        let given = server.trimmingCharacters(in: .whitespacesAndNewlines)
        do { _ = try SyncClient.serverURL(given) } catch {
            guard case .badServerURL(_, let reason) = error else { throw ValidationError("\(error)") }
            // "127.0.0.1:8080", "team.example.com": the address, without its scheme. Both are named: a server
            // reached by name is most often HTTPS, and http:// would send the token in clear there.
            let meant = reason == nil && !given.contains("://") && (try? SyncClient.serverURL("http://" + given)) != nil
                ? " (no http:// or https:// before it: did you mean https://\(given), or http://\(given) for a server without TLS?)" : reason.map { " (\($0))" } ?? ""
            // At `init` nothing exists yet for `config` to fix: the advice is to give the command a right URL.
            let after = Self.self == Init.self
                ? "no replica was created: run `rapport init` again with the right --server (or without it, and `rapport config --server URL` later)"
                : "nothing was changed: give the address your admin gave you"
            throw ValidationError("'\(given)' is not a server URL such as http://127.0.0.1:8080\(meant); \(after)")
        }
    }
}

struct Config: ParsableCommand {
    /// What a certificate set to trust will not do: one expired vouches for nothing; a plain-HTTP server asks for
    /// none (kept, but the setting read as if it protected).
    static func noteTrust(_ trust: ServerTrust, server: String?) {
        for certificate in trust.certificates where certificate.expired {
            warn("note: this certificate (CN=\(certificate.commonName ?? "(none)")) expired on \(certificate.expiresDay): nothing it vouches for is trusted; ask your admin for the renewed one")
        }
        if let url = server, url.lowercased().hasPrefix("http://") {
            warn("note: the server (\(url)) is plain HTTP, so this certificate is not used; it is kept for when the server's address is https://")
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Set the server, token and server certificate this replica syncs with (or correct its user); without options, show them.")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Correct the user name given to `init`, until this replica's first sync.") var user: String?
    @Option(help: "The team's sync server URL.") var server: String?
    @Option(help: "Your bearer token.") var token: String?
    @Option(name: .customLong("ca-cert"), help: ArgumentHelp(
        "Trust this PEM certificate (the server's self-signed one, or your team's certificate authority) for the server, instead of the system's certificate authorities.",
        valueName: "file"))
    var caCert: String?
    @Flag(name: .customLong("system-ca"), help: "Trust the system's certificate authorities for the server again.")
    var systemCA = false

    func validate() throws {
        if caCert != nil, systemCA { throw ValidationError("give --ca-cert FILE or --system-ca, not both") }
    }

    func run() throws {
        // (As `init` checks them: in `run`, without the usage after the error.)
        if let server { try Self.check(server: server) }
        if let token { _ = try Self.checked(token: token) }
        let server = server?.trimmingCharacters(in: .whitespacesAndNewlines)
        let replica = try replica.open()
        // Read and check the certificate before changing anything, so a wrong file leaves the settings as they were.
        // A file given on the command line that is missing or holds no certificate is a wrong value (exit 64).
        let trust = try caCert.map { path in
            do { return try ServerTrust.load(path: path) } catch { throw ValidationError("\(error)") }
        }
        let before = try replica.identity().user
        if let user { try replica.rename(user: user) }
        // The changes are renamed, not the owners typed or taken by default ("owner": the name before stayed on
        // the accounts, which then left the new name's `due`): said, with the command.
        if let user = user?.trimmingCharacters(in: .whitespaces), user != before {
            // (In any case: "Alcie" corrected to "alcie", then to "alice", left the accounts of "Alcie".)
            func was(_ owner: FieldValue) -> Bool { owner.textValue.map { $0.lowercased() == before.lowercased() && $0 != user } ?? false }
            let accounts = try replica.activeAccounts(fields: ["name", "owner"]).filter { was($0["owner"]) }
            let actions = try replica.records("action").filter { was($0["owner"]) && $0["done"] != .bool(true) }.count
            if !accounts.isEmpty || actions > 0 {
                let what = [accounts.isEmpty ? nil : "\(accounts.count) account\(accounts.count == 1 ? "" : "s")", actions == 0 ? nil : "\(actions) open action\(actions == 1 ? "" : "s")"]
                    .compactMap { $0 }.joined(separator: " and ")
                let example = accounts.first.map { "`rapport account set \(Shell.quote($0["name"].display)) owner=\(Shell.quote(user))`" } ?? "`rapport action set ID owner=\(Shell.quote(user))`"
                warn("note: \(what) \(accounts.count + actions == 1 ? "is" : "are") still owned by \(before), the name before (owners are kept as given): \(example) changes one; `rapport due` lists \(user)'s")
            }
        }
        try replica.configure(server: server, token: try token.map(Self.checked(token:)))
        if let token { Self.warnIfUnlikeAToken(token) }
        if let server { Init.warnIfAPIPath(server) }
        if let trust { try replica.setCACertificate(trust.pem) }
        if systemCA { try replica.setCACertificate(nil) }

        let identity = try replica.identity()
        if let trust { Self.noteTrust(trust, server: identity.server) }
        let certificates = try identity.caCertificate.map { try ServerTrust(pem: $0).certificates }
        if output.json {
            return try JSON.object([
                "user": .string(identity.user),
                "server": identity.server.map(JSON.string) ?? .null,
                "token": .bool(identity.token != nil),
                "ca_cert": certificates.map { list in
                    .array(list.map { c in
                        .object(["common_name": c.commonName.map(JSON.string) ?? .null, "expires": .string(Format.time(Int64(c.expires.timeIntervalSince1970 * 1000))), "sha256": .string(c.sha256)])
                    })
                } ?? .null,
            ]).print()
        }
        print("user:    \(identity.user)")
        print("server:  \(identity.server ?? "(none)")")
        print("token:   \(identity.token == nil ? "(none)" : "set")")
        if let certificates {
            for (i, c) in certificates.enumerated() { print("\(i == 0 ? "ca-cert:" : "        ") \(c.summary)") }
            print(identity.server?.lowercased().hasPrefix("http://") == true
                ? "         (kept, not used: the server's address is plain http://; `--system-ca` removes it)"
                : "         (trusted for the server instead of the system's certificate authorities; `--system-ca` undoes it)")
        } else if identity.server?.lowercased().hasPrefix("https://") == true {
            print("ca-cert: (none: the server's certificate must come from an authority the system trusts)")
        } else {
            print("ca-cert: (none)")
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the user, the replica, unsynced changes and open conflicts.")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let status = try replica.open().status()
        let id = status.identity
        let holder = SyncAlreadyRunning.holder(replica.path)
        // (Kept for scripts as it was: whether the lock a sync takes is held, by whichever command.)
        let running = holder != nil
        if output.json {
            return try JSON.object([
                "user": .string(id.user), "replica": .string(id.id), "path": .string(replica.path),
                "server": id.server.map(JSON.string) ?? .null,
                "token_set": .bool(!(id.token ?? "").isEmpty), "sync_running": .bool(running), "running": holder.map(JSON.string) ?? .null,
                "pending_operations": .int(Int64(status.pendingOperations)),
                "open_conflicts": .int(Int64(status.openConflicts)),
                "operations": .int(Int64(status.operations)),
                "cursor": .int(id.cursor),
                "last_sync": id.lastSyncMs.map { .string(Format.time($0)) } ?? .null,
                "sync_failure": id.syncFailure.map { f in
                    .object(["at": .string(Format.time(f.ms)), "code": .string(f.code), "message": .string(f.message)])
                } ?? .null,
            ]).print()
        }
        print("user:        \(id.user)")
        print("replica:     \(id.id) (\(replica.path))")
        print("server:      \(id.server ?? "(none: `rapport config --server URL\((id.token ?? "").isEmpty ? " --token TOKEN" : "")`)")")
        if id.server != nil, (id.token ?? "").isEmpty { print("token:       (none: `rapport config --token TOKEN`; your admin creates one)") }
        if let holder { print("sync:        \(holder == "rapport sync" ? "running now (a `rapport sync` on this replica)" : "`\(holder)` is running on this replica (a sync is refused until it finishes)")") }
        // A first sync that failed after its push: "never" read as if the changes had not left the laptop.
        let sentAll = id.syncFailure != nil && status.pendingOperations == 0 && status.operations > 0
        print("last sync:   \(id.lastSyncMs.map(Format.shortTime) ?? (sentAll ? "never completed (nothing waits to be sent: `rapport sync` finishes it)" : "never"))")
        if let failure = id.syncFailure { print("sync failed: \(Format.shortTime(failure.ms)): \(failure.message)") }
        print("unsynced:    \(status.pendingOperations) change\(status.pendingOperations == 1 ? "" : "s")")
        print("conflicts:   \(status.openConflicts) open\(status.openConflicts > 0 ? " (`rapport conflicts`)" : "")")
    }
}

struct History: ParsableCommand {
    /// The operations that changed something: a value restated as it stood (the day a flag closed, recorded with
    /// its status so that the two merge as one, `LocalTransaction.setTogether`; a title with a resolution), or a
    /// field never set cleared, is no change to list.
    static func changes(_ ops: [Operation], schema: Schema) -> [Operation] {
        var standing: [FieldKey: FieldValue] = [:]
        return ops.filter { op in
            defer { standing[op.key] = op.value }
            guard schema.entity(op.entity)?.field(op.field)?.merge == .lastWriterWins else { return true }
            return op.value != (standing[op.key] ?? .null)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Who changed which field of an account, a note or any other record to what, and when.",
        discussion: """
            A removed record keeps its history, so what it held (a stakeholder's notes, a meeting's) can be read \
            back: a removal wins over edits made at the same time, offline, by someone who had not seen it. \
            A value set again as it stood (a flag's close day written with its status, so that the two merge as \
            one) is no change, and is not listed, in `--json` either.
            """)
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: ArgumentHelp(
        "An account (name or id prefix), a note (id prefix or title), or any other record, removed ones too (id prefix, name or title).",
        discussion: "A score is ACCOUNT/CRITERION, a KPI reading KPI/YYYY-MM-DD, a recorded scorecard ACCOUNT/YYYY-MM and a hand override ACCOUNT/YYYY-MM/AREA, each part a name or an id prefix: `rapport history \"Northwind/growth potential\"`."))
    var target: String
    @Option(help: "The account the record is under (name or id prefix, a removed one too): for a stakeholder's or note's name that several accounts have.")
    var account: String?
    @Flag(help: "Print in full, below the table, each value the table cuts to its first line (a note's versions).")
    var full = false

    func run() throws {
        let replica = try replica.open()
        let record: Record
        var liveAccount = false
        if let account {
            record = try Self.anyRecord(replica, target, under: try Self.accountID(replica, account))
        } else {
            do {
                record = try replica.find("account", target)
                liveAccount = true
            } catch ReplicaError.notFound(_, _, let removed) {
                // A removed account named whole (or by id) is not passed over for a note whose title starts so:
                // among every kind, removed ones too, a whole name beats a prefix.
                record = try (removed == nil ? Self.note(replica, target) : nil) ?? Self.anyRecord(replica, target)
            }
        }
        // Removed accounts of the name too: where to read them (the live one is shown, as commands take it).
        if liveAccount, !output.json {
            let removed = try replica.removedMatches("account", target)
            if !removed.isEmpty {
                warn("note: removed, of that name too: \(removed.prefix(5).map { "account \($0.id.prefix(8))" }.joined(separator: ", ")) (`rapport history ID` shows \(removed.count == 1 ? "it" : "each"))")
            }
        }
        let ops = try Self.changes(replica.history(row: record.id), schema: replica.schema)
        if output.json { return try JSON.array(ops.map(JSON.init)).print() }
        // Found by the start of its name: which record this is ("Globex" found the opportunity "Globex renewal").
        let label = ["name", "title", "outcome", "text", "date"].lazy.compactMap { record[$0].textValue }.first { !$0.isEmpty } ?? ""
        let typed = target.trimmingCharacters(in: .whitespaces)
        if let entity = ops.first?.entity, !typed.contains("/"), !record.id.hasPrefix(typed.lowercased()), label.caseInsensitiveCompare(typed) != .orderedSame {
            print("\(ReplicaError.noun(entity)) \(short(record.id))\(label.isEmpty ? "" : " \"\(Format.oneLine(label, max: 60))\""):")
        }
        if record.deleted { print("(removed; what it held is below)") }
        print(Format.table(["WHEN", "WHO", "FIELD", "VALUE"], try Self.lines(ops, replica: replica, current: record)))
        // A restore is a new record: each history names the other, where the rest of the story is.
        if let entity = ops.first?.entity, Restoration.commands[entity] != nil {
            if let before = try Restoration.restoredFrom(replica, entity, record) {
                print("\nRestored from \(short(before.id)), removed: `rapport history \(short(before.id))` shows what came before.")
            }
            if record.deleted, case .live(let restored, let removed) = try Restoration.follow(replica, entity, from: record) {
                // Through its restored copies removed in turn.
                let via = removed.dropFirst().map { "\(short($0)) (removed since), then " }.joined()
                print("\nRestored since as \(via)\(short(restored.id)): `rapport history \(short(restored.id))` shows it from then on.")
            }
        }
        guard ops.contains(where: { Format.isCut($0.value.display) }) else { return }
        guard full else {
            let again = (["rapport", "history", Shell.quote(target)] + (account.map { ["--account", Shell.quote($0)] } ?? []) + ["--full"]).joined(separator: " ")
            return print("\n(… marks a value cut to its first line: `\(again)` shows each in full.)")
        }
        // A note's versions often share their first line: each in full, numbered as the table numbers it.
        let entity = ops.first.flatMap { replica.schema.entity($0.entity) }
        var versions: [String: Int] = [:]
        for op in ops {
            let reviewed = entity?.field(op.field)?.merge == .reviewedText
            if reviewed { versions[op.field, default: 0] += 1 }
            guard Format.isCut(op.value.display) else { continue }
            print("\n=== \(op.field)\(reviewed ? " #\(versions[op.field]!)" : ""): \(op.author), \(Format.shortTime(op.time.ms)) ===")
            print(op.value.display)
        }
    }

    /// One line per value, the time and the person only where they change: a change of several fields (an
    /// account added with its tier and owner) reads as one block rather than a column of repeats. A reference
    /// shows the name of what it points to beside the id's start, as the other commands name records.
    ///
    /// A note's versions often share their first line, so each version of a reviewed text is numbered, and
    /// marked where it resolved a conflict and where it is the text shown now: the sync's "yours is kept:
    /// `rapport history ...`" sends people here to find one.
    static func lines(_ ops: [RapportSync.Operation], replica: Replica, current: Record? = nil) throws -> [[String]] {
        var previous: (when: String, who: String)?
        var labels: [String: String] = [:]
        // One row's operations: one entity.
        let entity = ops.first.flatMap { replica.schema.entity($0.entity) }
        var versions: [String: Int] = [:]
        let shown = Dictionary(ops.enumerated().compactMap { index, op -> (String, Int)? in
            guard entity?.field(op.field)?.merge == .reviewedText, let current, current[op.field] == op.value else { return nil }
            return (op.field, index)
        }, uniquingKeysWith: { _, later in later })
        return try ops.enumerated().map { index, op in
            let when = Format.shortTime(op.time.ms)
            let same = previous.map { $0.when == when && $0.who == op.author } ?? false
            previous = (when, op.author)
            var value = op.field == Schema.deletedField ? "(removed)" : Format.oneLine(op.value.display)
            // Whole amounts grouped, as the tables and sync notices show them ("1,200,000", not "1200000"); money
            // from a thousand, as `account show` gives a revenue ("1,000" there was "1000" here).
            let grouping: Double = replica.schema.entity(op.entity)?.field(op.field)?.isAmount == true ? 1_000 : 10_000
            switch op.value {
            case .real(let number) where number == number.rounded(): value = Figures.amount(number, unit: "", groupingFrom: grouping)
            case .int(let number): value = Figures.amount(Double(number), unit: "")
            // A value cleared (`field=`, a KPI reading taken back) read as a blank line.
            case .null where op.field != Schema.deletedField: value = op.entity == "kpi_reading" && op.field == "value" ? "(reading taken back)" : "(cleared)"
            default: break
            }
            if case .reference(let target)? = replica.schema.entity(op.entity)?.field(op.field)?.type, case .text(let id) = op.value {
                let label = try labels[id] ?? ExportCommand.label(try replica.record(target, id: id), entity: target)
                labels[id] = label
                value = label.isEmpty ? id : "\(Format.oneLine(label)) (\(id.prefix(8)))"
            }
            if entity?.field(op.field)?.merge == .reviewedText {
                versions[op.field, default: 0] += 1
                let marks = [op.resolution ? "resolution" : nil, shown[op.field] == index ? "shown now" : nil].compactMap { $0 }
                value = "#\(versions[op.field]!) " + value + (marks.isEmpty ? "" : " [\(marks.joined(separator: ", "))]")
            }
            return [same ? "" : when, same ? "" : op.author, op.field == Schema.deletedField ? "-" : op.field, value]
        }
    }

    /// The id of the account `--account` names: a live one as every command finds it, else a removed one, whose
    /// records' history stays readable.
    /// A removed account with the whole name typed is taken over a live one found by the start of its name.
    static func accountID(_ replica: Replica, _ query: String) throws -> String {
        let typed = query.trimmingCharacters(in: .whitespaces)
        func one(_ removed: RemovedMatch) throws -> String {
            guard removed.others.isEmpty else {
                throw ValidationError("--account '\(typed)' names \(removed.others.count + 1) removed accounts (\(([removed.id] + removed.others).prefix(5).map { short($0) }.joined(separator: ", "))): give the start of an id")
            }
            return removed.id
        }
        do {
            let live = try replica.find("account", query)
            if live["name"].display.caseInsensitiveCompare(typed) != .orderedSame, !live.id.hasPrefix(typed.lowercased()),
               let removed = try replica.removedMatch("account", typed), removed.name.caseInsensitiveCompare(typed) == .orderedSame {
                return try one(removed)
            }
            return live.id
        } catch ReplicaError.notFound(_, _, let removed?) {
            return try one(removed)
        }
    }

    /// The live note of this title or id, if one (several say so).
    static func note(_ replica: Replica, _ query: String) throws -> Record? {
        do { return try replica.find("note", query, nameField: "title") } catch ReplicaError.notFound { return nil } catch let error as ReplicaError {
            // Notes of one title at several accounts: `history` takes --account, as the note commands do.
            guard case .ambiguous(_, _, _, _, let accounts, _) = error, accounts > 1 else { throw error }
            throw ValidationError("\(error), or --account ACCOUNT for the one at that account")
        }
    }

    /// A record of any kind, live or removed, by its id, a prefix of it (four characters or more), or the field
    /// it is known by (a name, a title, a goal's outcome, an action's text). A whole id or label beats a prefix:
    /// the criterion "revenue" is not ambiguous beside "revenue potential".
    ///
    /// With `account`, only the records under that account (its stakeholders, notes, meetings and the rest).
    static func anyRecord(_ replica: Replica, _ query: String, under account: String? = nil) throws -> Record {
        let query = query.trimmingCharacters(in: .whitespaces)
        var matches: [(kind: String, record: Record, label: String, exact: Bool)] = []
        // Live records whose name starts so, as the commands of each kind find them ("Nordics" for the
        // opportunity "Nordics expansion"): taken only where nothing matches whole or by id.
        var started: [(kind: String, record: Record, label: String, exact: Bool)] = []
        // Accents aside, as the other commands find a name ("jose nunez" is José Núñez there): folded only
        // for names with other letters than ASCII.
        let folded = Replica.sortKey(query), queryPlain = query.utf8.allSatisfy { $0 < 0x80 }
        for entity in replica.schema.entities where account == nil || entity.field("account") != nil {
            let label = ["name", "title", "outcome", "text"].first { entity.field($0) != nil }
            let fields = (label.map { [$0] } ?? []) + (account == nil ? [] : ["account"])
            for record in try replica.records(entity.name, includeDeleted: true, fields: fields) where account == nil || record["account"].textValue == account {
                let name = label.map { record[$0].display } ?? ""
                // (Folded only when the cheap comparisons did not decide, and either side has other letters.)
                lazy var plain: String? = queryPlain && name.utf8.allSatisfy { $0 < 0x80 } ? nil : Replica.sortKey(name)
                let exact = record.id == query || (!name.isEmpty && (name.caseInsensitiveCompare(query) == .orderedSame || plain == folded))
                if exact || (query.count >= 4 && record.id.hasPrefix(query.lowercased())) {
                    matches.append((entity.name, record, name, exact))
                } else if !query.isEmpty, name.lowercased().hasPrefix(query.lowercased()) || plain?.hasPrefix(folded) == true {
                    started.append((entity.name, record, name, false))
                }
            }
        }
        // Removed records by the start of their name only where no live one starts so.
        if started.contains(where: { !$0.record.deleted }) { started.removeAll { $0.record.deleted } }
        if matches.isEmpty, !query.contains("/") { matches = started }
        // A whole id beats a whole name (the criterion "revenue" beside a KPI named revenue), which beats a prefix.
        if matches.contains(where: { $0.record.id == query }) { matches.removeAll { $0.record.id != query } }
        if matches.contains(where: \.exact) { matches.removeAll { !$0.exact } }
        // A live record and a removed one of a name: the live one, as every other command takes the name; the
        // removed ones are pointed to.
        if matches.contains(where: { $0.exact && !$0.record.deleted }), matches.contains(where: \.record.deleted) {
            let removed = matches.filter(\.record.deleted)
            warn("note: removed, of that name too: \(removed.prefix(5).map { "\(ReplicaError.noun($0.kind)) \($0.record.id.prefix(8))" }.joined(separator: ", ")) " +
                 "(`rapport history ID` shows \(removed.count == 1 ? "it" : "each"))")
            matches.removeAll { $0.record.deleted }
        }
        // A KPI's id prefix is also the start of each of its readings' ids (KPI/DATE): it means the KPI.
        if !query.contains("/"), matches.contains(where: { !$0.record.id.contains("/") }) { matches.removeAll { $0.record.id.contains("/") } }
        if matches.isEmpty, query.contains("/"), let record = try composite(replica, query) { return record }
        if matches.isEmpty, account == nil, query.contains("/"), let miss = try compositeMiss(replica, query) { throw ValidationError(miss) }
        if matches.count == 1 { return matches[0].record }
        if matches.isEmpty {
            if let account {
                throw ValidationError("no record under \(try Lookup.accountName(replica, account)) matches '\(query)': give a name, a title or an id prefix, or leave out --account")
            }
            // (The names most looked up: accounts' and notes' titles.)
            let accounts = try Lookup.suggestion(replica, "account", query)
            let meant = try accounts.isEmpty ? Lookup.suggestion(replica, "note", query, nameField: "title") : accounts
            throw ValidationError("no account, note or other record matches '\(query)':\(meant) give a name, a title or an id prefix")
        }
        // Records of one name at several accounts: --account picks one.
        let accountOf: [String?] = try matches.map { try replica.record($0.kind, id: $0.record.id)?["account"].textValue }
        let accounts = Swift.Set(accountOf)
        let byAccount = account == nil && accounts.count > 1 && !accounts.contains(nil) ? ", or the account with --account" : ""
        // Each with its account where they are at several, as the other commands' ambiguities name them.
        var named: [String] = []
        for (match, at) in zip(matches, accountOf).prefix(5) {
            let place = accounts.count > 1 ? try at.map { ", at \(try Lookup.accountName(replica, $0))" } ?? "" : ""
            named.append("\(match.kind) \(match.record.id.prefix(8)) \(match.label)\(match.record.deleted ? ", removed" : "")\(place)")
        }
        throw ValidationError("'\(query)' matches \(matches.count) records (\(named.joined(separator: "; "))\(matches.count > 5 ? "; and \(matches.count - 5) more" : "")): give \(matches.contains(where: \.exact) ? "" : "more of the name or ")more of the id\(byAccount)")
    }

    /// The KPI whose reading on `date` is asked for: a live KPI as every command finds one, if it has a reading
    /// that day; else the one removed KPI of that name or id prefix that has, whose readings stay in the log for
    /// `history` (`history KPI/DATE` found none once the KPI was removed, nor once a new KPI took the name). A
    /// name several live KPIs share stays a question (nil), not an answer from the removed ones.
    static func liveOrRemovedKPI(_ replica: Replica, _ query: String, readingOn date: Day) throws -> Record? {
        func read(_ kpi: Record) throws -> Bool { try replica.record("kpi_reading", id: RowKeys.reading(kpi: kpi.id, date: date)) != nil }
        var live: Record?
        do {
            live = try replica.find("kpi", query)
        } catch ReplicaError.notFound {
        } catch let error as ReplicaError where error.isAmbiguous {
            // Two KPIs of the name (at two accounts): the one read that day, or which, with its account, rather than
            // "no record matches".
            let key = AccountName.key(query)
            let named = try replica.records("kpi", fields: ["name", "account"]).filter { AccountName.key($0["name"].display) == key }
            let readThatDay = try named.filter(read)
            if readThatDay.count == 1 { return readThatDay[0] }
            guard named.count > 1 else { throw ValidationError("\(error): a reading is KPI/DATE, with the KPI's id start for the KPI part") }
            let listed = try (readThatDay.isEmpty ? named : readThatDay).map { "\($0.id.prefix(8)) of \(try Lookup.accountName(replica, $0["account"].display))" }
            throw ValidationError("'\(query)' names \(listed.count) KPIs\(readThatDay.isEmpty ? "" : " read on \(date)") (\(listed.joined(separator: "; "))): " +
                                  "a reading is KPI/DATE, with the KPI's id start for the KPI part (`rapport history \(listed[0].prefix(8))/\(date)`)")
        } catch { return nil }
        if let live, try read(live) { return live }
        let key = AccountName.key(query)
        var matches: [Record] = []
        for kpi in try replica.records("kpi", includeDeleted: true, fields: ["name", "account"])
        where kpi.deleted && (AccountName.key(kpi["name"].display) == key || (query.count >= 4 && kpi.id.hasPrefix(query.lowercased()))) {
            if try read(kpi) { matches.append(kpi) }
        }
        // Several removed KPIs of the name read that day: which, rather than "no record matches".
        if matches.count > 1 {
            let named = try matches.map { kpi in
                let account = try kpi["account"].textValue.flatMap { try replica.record("account", id: $0) }?["name"].display
                return "\(kpi.id.prefix(8)) \(kpi["name"].display), removed\(account.map { ", of \($0)" } ?? "")"
            }
            throw ReplicaError.ambiguous(kind: "kpi", query: query, matches: named, sameName: true)
        }
        return matches.first ?? live
    }

    /// A record whose id is made of others' (`RowKeys`): a score from ACCOUNT/CRITERION, a reading from
    /// KPI/DATE, a recorded scorecard from ACCOUNT/MONTH, an override from ACCOUNT/MONTH/AREA, each part a name
    /// or an id prefix as people type them.
    static func composite(_ replica: Replica, _ query: String) throws -> Record? {
        let raw = query.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let parts = raw.map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count >= 2 else { return nil }
        // An account's name may hold a slash ("A/B Testing Co/growth potential", "AT&T / Mobility/..."): each
        // split is tried, the account's part shortest first (as typed, spaces around its slashes and all), and
        // what the longest split that met several accounts met is said only when no split finds the record.
        var ambiguity: Error?
        for split in 1..<parts.count {
            let account = raw[..<split].joined(separator: "/").trimmingCharacters(in: .whitespaces)
            let (record, several) = try composite(replica, account: account, then: Array(parts[split...]),
                                                  rest: raw[split...].joined(separator: "/").trimmingCharacters(in: .whitespaces))
            if let record { return record }
            if let several { ambiguity = several }
        }
        if let ambiguity { throw ambiguity }
        return nil
    }

    /// What a name of the form ACCOUNT/... that found nothing lacks, where its first part names an account:
    /// "Acme/nope" said that no account, note or other record matched, as if the account were unknown.
    /// Only an account named whole (or by its id) is taken for the first part: "EU/US pricng" is a note's title
    /// mistyped beside an account "EU Foods", and "conv/2026-12-01" a KPI's reading.
    static func compositeMiss(_ replica: Replica, _ query: String) throws -> String? {
        let raw = query.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let parts = raw.map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count >= 2, Day(parts[parts.count - 1]) == nil || parts.count > 2 else { return nil }
        for split in 1..<parts.count {
            // As `composite` reads it: the account's part as typed, spaces around its slashes and all.
            let named = raw[..<split].joined(separator: "/").trimmingCharacters(in: .whitespaces)
            guard let account = try? replica.find("account", named),
                  AccountName.key(account["name"].display) == AccountName.key(named) || (named.count >= 4 && account.id.hasPrefix(named.lowercased())) else { continue }
            let rest = raw[split...].joined(separator: "/").trimmingCharacters(in: .whitespaces), name = account["name"].display
            if Month(parts[split]) == nil, parts[split].wholeMatch(of: /[0-9]{4}-[0-9]{1,2}/) != nil {
                return "'\(parts[split])' is not a month: give \(name)/YYYY-MM, the month from 01 to 12"
            }
            if let month = Month(parts[split]) {
                if parts.count > split + 1, HealthArea(rawValue: parts[split + 1].lowercased()) == nil {
                    return "'\(parts[split + 1])' is not an area: give \(name)/\(month)/AREA with relationship, performance, delivery or growth"
                }
                return "\(name) has \(parts.count > split + 1 ? "no override of its \(parts[split + 1].lowercased()) health" : "no scorecard recorded") for \(month): " +
                    "`rapport scorecard \(Shell.quote(name)) --month \(month)` shows the month's figures"
            }
            if let criterion = try? CriteriaCommand.find(replica, rest) {
                return "\(name) is not scored on \(criterion["name"].display) yet: `rapport score \(Shell.quote(name)) \(Shell.quote(criterion["name"].display + "=N"))` scores it (1-10)"
            }
            let names = try CriteriaCommand.active(replica).map { $0["name"].display }
            let guess = Format.didYouMean(Spelling.suggestions(for: rest, among: names)).map { " (\($0))" } ?? ""
            return "\(name) has no score on a criterion '\(rest)'\(guess): after the account give a criterion " +
                "(\(names.isEmpty ? "none yet" : names.joined(separator: ", "))), a month (YYYY-MM) or a month and area (YYYY-MM/relationship)"
        }
        return nil
    }

    /// `rest`: what follows the account's part as typed, spaces around its slashes and all (a criterion's name).
    private static func composite(_ replica: Replica, account named: String, then parts: [String], rest: String) throws -> (Record?, Error?) {
        var candidates: [(entity: String, id: String)] = []
        // An account that matches none is no account; one that matches several says so, unless the first part
        // names a KPI whose reading it is (`KPI/DATE`).
        var account: Record?
        var ambiguity: Error?
        var removedAccounts: [Record] = []
        do {
            account = try replica.find("account", named)
        } catch ReplicaError.notFound(_, _, let removed) {
            // A removed account's scores, months and overrides stay in the log for `history`.
            if removed != nil { removedAccounts = try replica.removedMatches("account", named) }
        } catch let error as ReplicaError where error.isAmbiguous { ambiguity = error }
        // A live account of the name first; then removed ones, whose scores, months and overrides stay in the log.
        if account != nil { removedAccounts = try replica.removedMatches("account", named) }
        for account in (account.map { [$0] } ?? []) + removedAccounts {
            // A score is keyed by its criterion's id, which a rename does not change: found as `score` finds it.
            // (Its name may hold a slash too: "P/L impact".)
            if let criterion = (try? CriteriaCommand.find(replica, rest))?.id ?? RowKeys.criterion(name: rest) {
                // (A removed criterion's score is found by the key of its name.)
                candidates.append(("score", RowKeys.score(account: account.id, criterion: criterion)))
            }
            if let month = Month(parts[0]) {
                if parts.count == 1 { candidates.append(("scorecard", RowKeys.scorecard(account: account.id, month: month))) }
                if parts.count == 2, let area = HealthArea(rawValue: parts[1].lowercased()) {
                    candidates.append(("scorecard_override", RowKeys.override(account: account.id, month: month, area: area)))
                }
            }
        }
        if parts.count == 1, let date = Day(parts[0]), let kpi = try liveOrRemovedKPI(replica, named, readingOn: date) {
            candidates.append(("kpi_reading", RowKeys.reading(kpi: kpi.id, date: date)))
        }
        for candidate in candidates {
            if let record = try replica.record(candidate.entity, id: candidate.id) { return (record, nil) }
        }
        return (nil, ambiguity)
    }
}

/// The sync lock's file cannot be opened, where the replica can be written.
struct LockUnavailable: Error, CustomStringConvertible {
    enum Why { case folder, permissions, folderShut }
    let path: String
    let why: Why

    var description: String {
        let (what, remedy) = switch why {
        case .folder: ("is a folder", "remove the folder (Rapport makes the file again)")
        case .permissions: ("cannot be opened (its permissions)", "remove the file or give it back to you (Rapport makes it again)")
        case .folderShut: ("cannot be made: its folder is not writable", "make the folder writable for you, or move the replica's files into one that is")
        }
        return "\(path), the file whose lock keeps two syncs of this replica apart, \(what); nothing was done: \(remedy), then run the command again"
    }
}

/// One `rapport sync` at a time on a replica: two at once (a scheduled one and one by hand) both pushed, pulled and
/// applied the same pages, and both reported the same overwritten values.
struct SyncAlreadyRunning: Error, CustomStringConvertible {
    let path: String
    /// What to do once it has finished.
    var then = "sync again if you changed more since"
    /// The command holding the lock, as it wrote itself into the lock file (a merge or a restore takes it too).
    var holder = "rapport sync"

    var description: String {
        "another `\(holder)` is running on \(path); nothing was done: let it finish\(holder == "rapport sync" ? " (its report says what it brought)" : ""), then \(then)"
    }

    /// The file beside the replica whose lock a running sync holds.
    static func lockPath(_ replica: String) -> String { replica + ".sync-lock" }

    /// Takes the replica's sync lock, or throws when another process holds it or its file is there but cannot be
    /// opened; nil when there is no replica (opening it says so) or no lock file can be made beside it (SQLite
    /// cannot write there either). A file
    /// of its own, not the replica: on macOS and over NFS a lock on the replica itself meets SQLite's locks on
    /// it. The lock goes when the descriptor is closed or the process ends, however it ends.
    /// `holder` is written into the file, for the message another process gets meanwhile.
    static func take(_ replica: String, then: String? = nil, holder: String = "rapport sync") throws -> Int32? {
        guard FileManager.default.fileExists(atPath: replica) else { return nil }
        let descriptor = open(lockPath(replica), O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        // Where SQLite can write but the lock file cannot be opened (a folder, or a file of another user's, in its
        // place), two syncs ran at once without a word. (None there and none to be made: the folder is SQLite's
        // trouble too, and opening the replica says so.)
        if descriptor < 0 {
            let failure = errno
            if failure == EISDIR { throw LockUnavailable(path: lockPath(replica), why: .folder) }
            if failure == EACCES || failure == EPERM {
                if FileManager.default.fileExists(atPath: lockPath(replica)) { throw LockUnavailable(path: lockPath(replica), why: .permissions) }
                // A folder that takes no new file, where the replica and its log files (made before) can still be
                // written: SQLite works there, so the lock must too.
                if access(replica, W_OK) == 0 { throw LockUnavailable(path: lockPath(replica), why: .folderShut) }
            }
            return nil
        }
        // A lock held for an instant (`status` looking whether a sync runs, `isHeld`) is waited for, up to a fifth of a second.
        var locked = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        var attempts = 0
        while !locked, errno == EWOULDBLOCK, attempts < 10 {
            attempts += 1
            usleep(20_000)
            locked = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        }
        if !locked {
            let held = errno == EWOULDBLOCK
            let named = held ? writtenHolder(descriptor) : ""
            close(descriptor)
            if held { throw SyncAlreadyRunning(path: replica, then: then ?? SyncAlreadyRunning(path: replica).then, holder: named) }
            return nil
        }
        let line = Array((holder + "\n").utf8)
        if ftruncate(descriptor, 0) == 0 { _ = pwrite(descriptor, line, line.count, 0) }
        return descriptor
    }

    /// Whether a sync holds the replica's lock now. A look, not a take: no lock file is made where none is, and
    /// a shared lock held for an instant leaves a sync starting then to wait (`take` waits out such an instant).
    static func isHeld(_ replica: String) -> Bool { holder(replica) != nil }

    /// The command holding the replica's lock now, as it wrote itself into the lock file ("rapport sync", or a
    /// merge or a restore, which take it too); nil when none holds it.
    static func holder(_ replica: String) -> String? {
        let descriptor = open(lockPath(replica), O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) != 0, errno == EWOULDBLOCK else { return nil }
        return writtenHolder(descriptor)
    }

    /// The command a held lock file names, as its holder wrote itself into it. (Empty while the holder has yet to
    /// write itself, or from a version that did not: a sync.)
    static func writtenHolder(_ descriptor: Int32) -> String {
        var bytes = [UInt8](repeating: 0, count: 80)
        let count = pread(descriptor, &bytes, bytes.count, 0)
        let written = String(decoding: bytes.prefix(max(count, 0)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return written.hasPrefix("rapport ") && !written.contains(where: \.isNewline) ? written : "rapport sync"
    }
}

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sync", abstract: "Push your changes to the team's server and pull everyone else's.")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .customLong("after-restore"), help: ArgumentHelp(
        "The server was restored from an older backup: send this replica's changes again and start again from the server's snapshot.",
        discussion: "When `rapport sync` says the server's log ends before this replica's or holds another entry where it stopped, when it says the server holds another log and your team's server was set up anew, or when your admin says the server was restored."))
    var afterRestore = false

    func run() async throws {
        do {
            try await sync()
        } catch let error where output.json {
            // A script reading stdout learns why as well as the exit status; the message still goes to stderr.
            var failure: [String: JSON] = ["code": .string("failed"), "message": .string("\(error)")]
            if let error = error as? SyncError {
                failure["code"] = .string(error.code)
                if let pending = error.pending { failure["pending"] = .int(Int64(pending)) }
                if case .refused(let status, let code, _, _) = error {
                    failure["status"] = .int(Int64(status))
                    failure["server_code"] = .string(code)
                    // A server that is busy or cannot reach its database (503) is worth trying again; a revoked
                    // token (401) is not: scripts told them apart only by server_code.
                    failure["retryable"] = .bool(error.retryable ?? false)
                }
            } else if let error = error as? ValidationError {
                failure["code"] = .string("invalid")
                failure["message"] = .string(error.message)
            } else if let error = error as? ReplicaError, error.isDamaged || error.isUnwritable {
                failure["code"] = .string("storage")
            } else if error is LockUnavailable {
                failure["code"] = .string("storage")
            } else if let error = error as? ReplicaError, error.isBadInput {
                failure["code"] = .string("invalid")
            } else if error is SyncAlreadyRunning || (error as? ReplicaError)?.isBusy == true || (error as? DatabaseError)?.resultCode == .SQLITE_BUSY {
                // As every other command says it (`Rapport.fail`).
                failure["code"] = .string("busy")
            } else if let error = error as? DatabaseError, let message = Rapport.storageFailure(error) {
                // The words the text output gives (a full disk, a damaged file), and what is still to send.
                failure["code"] = .string("storage")
                failure["message"] = .string(message)
                if let pending = try? self.replica.open().pendingCount() { failure["pending"] = .int(Int64(pending)) }
            }
            // What is still to send, whatever the failure, as the README promises.
            if failure["pending"] == nil, let pending = try? self.replica.open().pendingCount() { failure["pending"] = .int(Int64(pending)) }
            try JSON.object(["error": .object(failure)]).print()
            throw error
        }
    }

    func sync() async throws {
        // Before the replica opens: opening may upgrade its format, which a running sync must not meet.
        let lockFile = SyncAlreadyRunning.lockPath(self.replica.path)
        let made = !FileManager.default.fileExists(atPath: lockFile)
        let lock = try SyncAlreadyRunning.take(self.replica.path)
        defer { if let lock { close(lock) } }
        let replica: Replica
        do { replica = try self.replica.open() } catch let error as ReplicaError {
            // A file that is no replica (a server's database, a text file given by mistake) is left as it was found:
            // without a lock file beside it. (Only then: another process may be waiting on the lock of a replica
            // that was busy, which a lock file made anew would let a third one take beside it.)
            if case .notAReplica = error, made, lock != nil { unlink(lockFile) }
            throw error
        }
        // The reviews holding a version of yours: one a colleague's removal of its record ends was closed without a
        // word (the conflict gone from the list, the text only in the history).
        let isMine = Conflicts.Detail.isMine(try replica.identity())
        let reviewsOfYours = try replica.conflicts().filter { info in
            (try? Conflicts.Detail(info, replica: replica))?.versions.contains(where: isMine) == true
        }.map(\.id)
        // And one that opens and ends within this sync (a colleague's version and their removal pulled together):
        // its author heard nothing (QA). Known by being new here.
        let reviewsBefore = Swift.Set(try replica.conflicts(all: true).map(\.id))
        // The accounts this user owned before the sync (owners match in any case, as `due` and `portfolio` match
        // them): one a colleague set back to them, or respelt, is no news.
        let me = try replica.identity().user.lowercased()
        let mineBefore = try replica.records("account", includeDeleted: true, fields: ["owner"]).filter { $0["owner"].display.lowercased() == me }
        // An account of theirs, by the id a restore of it takes (`RowKeys.restored`): a colleague who restores it gave
        // it back, and "made an account yours" said otherwise (QA). Live ones too: removed and restored by a colleague
        // between two syncs of this laptop, it was live here until this one.
        let restoresOfMine = Dictionary(mineBefore.map { (RowKeys.restored(from: $0.id), $0.id) }) { first, _ in first }
        let progress = ProgressLine(enabled: !output.json)
        // Ctrl-C (or a closed terminal) ended a long sync without a word, the progress line cut off: said, with
        // what stands. (Each page lands whole or not at all, so nothing more needs doing before the exit.)
        let json = output.json
        let stops = StopSignals {
            let message = "the sync was interrupted; what it received is kept (nothing is half-written), and the changes not sent yet stay on this laptop: `rapport sync` goes on from there"
            FileHandle.standardError.write(Data("\nInterrupted: \(message).\n".utf8))
            if json { try? JSON.object(["error": .object(["code": .string("interrupted"), "message": .string(message)])]).print() }
            Foundation.exit(130)
        }
        defer { stops.restore() }
        let report = try await SyncClient.withStoredSettings(replica: replica) { client in
            defer { progress.finish() }
            return try await client.sync(afterRestore: afterRestore, keepWatch: true) { progress.update($0) }
        }
        // The watch of what the pulls did ends once this command has told it, or failed to (an error working the
        // notices out would otherwise leave it open for good, growing, and fail every sync the same way); a Ctrl-C
        // before then leaves it (exit skips this), and the next sync tells it: QA lost an owner change of 3,000
        // accounts to a Ctrl-C in the second the notices take.
        defer { try? replica.endWatch() }
        // Where the log's entries the pulls brought begin, for the notices of what they did; none when the sync
        // began from the server's snapshot (a new replica's first sync, or one after a restore), which brings the
        // whole team's records, their namesakes and archives made long ago among them. Also when this sync brought
        // nothing: after a sync cut off once its last page had landed, the watch begins where that one's did
        // (`finishWatch`), and what it brought is told now.
        let here = try replica.identity()
        // (Not at a first sync: the snapshot builds every old review of a record removed since, as new.)
        let openedAndEnded = report.bootstrapped > 0 ? [] : try replica.conflicts(all: true).filter { info in
            !reviewsBefore.contains(info.id) && info.status == "removed" && (try? Conflicts.Detail(info, replica: replica))?.versions.contains(where: isMine) == true
        }.map(\.id)
        // (Each once: a review held open, widened into a new one then removed, is both.)
        var toldEnded = Swift.Set<String>()
        let endedByRemoval = try (reviewsOfYours + openedAndEnded).compactMap { id -> (info: ConflictInfo, label: String, by: String)? in
            // Widened in the same sync by a colleague's concurrent edit, then removed: the review that ended is the
            // one it became (the one held open ended without a word).
            var info = try? replica.conflict(id)
            var steps = 0
            while let widened = info, widened.status == "widened", let into = widened.closedBy, steps < 32 { info = try? replica.conflict(into); steps += 1 }
            guard let info, info.status == "removed", toldEnded.insert(info.id).inserted,
                  let removal = try replica.latestOperation(on: FieldKey(entity: info.key.entity, row: info.key.row, field: Schema.deletedField)),
                  removal.author != here.user else { return nil }
            return (info, try Conflicts.Detail.label(info.key, replica: replica), removal.author)
        }
        let pulledAfter: Int64? = try report.bootstrapped == 0 && report.logStart > 0 && replica.logGrew(after: report.logStart) ? report.logStart : nil
        // Two people may add the same customer offline; once both sync, every command that takes the name says it
        // matches two accounts. Said here, where it appears, with what to do.
        // (Every sync's JSON gives them all, until one is archived or renamed, as the text's count line says.)
        let twins = try Self.accountsSharingAName(replica)
        // Told in full by the sync that brings one of a group's names (or an account of one back from the archive);
        // those told before, in a line at a sync that brought anything (every pair again at every sync flooded a
        // team with many).
        let namedNow = try pulledAfter.map { after in
            Swift.Set(try replica.rowsSet("account", field: "name", after: after, notFrom: here.id) + replica.rowsSet("account", field: "archived", after: after, notFrom: here.id))
        }
        let twinsBrought = report.applied == 0 ? [] : namedNow.map { named in twins.filter { $0.contains { named.contains($0.id) } } } ?? twins
        // Accounts a colleague made this user's (`account handover`, `set owner=`): the one receiving them heard
        // nothing until they showed in `due` (QA). Not at a first sync, which brings every account.
        // Whose each was is read in the log where the pulls begin: a sync cut off after some pages landed them before
        // this one began, and what they brought is told now.
        func field(_ entity: String, _ row: String, _ name: String, before after: Int64) throws -> FieldValue? {
            try replica.value(of: FieldKey(entity: entity, row: row, field: name), atRow: after)
        }
        func wasMine(_ entity: String, _ row: String, before after: Int64) throws -> Bool {
            try field(entity, row, "owner", before: after)?.display.lowercased() == me
        }
        let nowYours = try pulledAfter.map { after in
            try replica.rowsSet("account", field: "owner", after: after, notBy: here.user).compactMap { id -> (account: Record, by: String, restoredFrom: String?, removal: Operation?)? in
                guard try !wasMine("account", id, before: after), let account = try replica.record("account", id: id), !account.deleted, account["archived"] != .bool(true),
                      account["owner"].display.lowercased() == me,
                      let set = try replica.latestOperation(on: FieldKey(entity: "account", row: id, field: "owner")), set.author != here.user else { return nil }
                // Restored: who removed it, and when (the restore is a record of its own, whose history starts anew).
                let removal = try restoresOfMine[id].flatMap { try replica.latestOperation(on: FieldKey(entity: "account", row: $0, field: Schema.deletedField)) }
                return (account, set.author, restoresOfMine[id], removal)
            }.sorted { $0.account["name"].display.lowercased() < $1.account["name"].display.lowercased() }
        } ?? []
        // And those a colleague made someone else's: the one losing them heard nothing, and they left their `due` and
        // portfolio (QA; an import's "Carol Jones" for carol, no user, took one off everyone's list).
        let noLongerYours: [(account: Record, by: String)] = try pulledAfter.map { after in
            // (Not one archived too: the archive's notice tells it.)
            return try replica.rowsSet("account", field: "owner", after: after, notBy: here.user).compactMap { id -> (account: Record, by: String)? in
                // (Or a restore of one of yours, given to someone else: its removal is not told, the account being back.)
                guard try wasMine("account", id, before: after) || restoresOfMine[id] != nil, let account = try replica.record("account", id: id), !account.deleted,
                      account["archived"] != .bool(true),
                      account["owner"].display.lowercased() != me,
                      let set = try replica.latestOperation(on: FieldKey(entity: "account", row: id, field: "owner")), set.author != here.user else { return nil }
                return (account, set.author)
            }.sorted { $0.account["name"].display.lowercased() < $1.account["name"].display.lowercased() }
        } ?? []
        // Next actions too (a handover moves the open ones), made this user's or someone else's: one on a third person's
        // account came without a word (QA). Open ones on accounts in use: an archived account's are in no list.
        var actionsNowYours: [(action: Record, account: Record, by: String)] = [], actionsNoLongerYours: [(action: Record, account: Record, by: String)] = []
        if let after = pulledAfter {
            for id in try replica.rowsSet("action", field: "owner", after: after, notBy: here.user) {
                guard let action = try replica.record("action", id: id), !action.deleted, action["done"] != .bool(true),
                      let account = try replica.record("account", id: action["account"].display), !account.deleted, account["archived"] != .bool(true),
                      let set = try replica.latestOperation(on: FieldKey(entity: "action", row: id, field: "owner")), set.author != here.user else { continue }
                // (Open then too: one done, reopened and given, is news; one done is no longer anyone's to do.)
                let mine = action["owner"].display.lowercased() == me
                let before = try wasMine("action", id, before: after) && field("action", id, "done", before: after) != .bool(true)
                if mine, !before { actionsNowYours.append((action, account, set.author)) }
                if !mine, before { actionsNoLongerYours.append((action, account, set.author)) }
            }
            // Not those of an account the same colleague made yours or someone else's: told with it.
            let toldAccounts = Swift.Set(nowYours.map { "\($0.by)/\($0.account.id)" } + noLongerYours.map { "\($0.by)/\($0.account.id)" })
            actionsNowYours.removeAll { toldAccounts.contains("\($0.by)/\($0.account.id)") }
            actionsNoLongerYours.removeAll { toldAccounts.contains("\($0.by)/\($0.account.id)") }
            // By due day, those without one last.
            let order = { (a: (action: Record, account: Record, by: String), b: (action: Record, account: Record, by: String)) in
                (a.action["due"].textValue ?? "~", a.action["text"].display) < (b.action["due"].textValue ?? "~", b.action["text"].display)
            }
            actionsNowYours.sort(by: order)
            actionsNoLongerYours.sort(by: order)
        }
        let twinsToldBefore = report.applied == 0 ? 0 : twins.count - twinsBrought.count
        // Names this sync brought that differ from another account's only in punctuation, spacing or accents
        // ("Fabrikam, Inc." beside "Fabrikam Inc"): said once, as `account add` and `import` say it, not at every
        // sync (two companies may be so named).
        let similar = try pulledAfter.map { try Self.similarNamesBrought(replica, after: $0, notFrom: here.id) } ?? []
        // What colleagues' archives, merges and moves did: a notice that cannot be worked out is left out with a
        // warning, and the sync, which succeeded, still says so.
        var moves: [Replica.MovedRecord] = [], archivals: [String: ArchivedByOther] = [:]
        do {
            moves = try pulledAfter.map { try replica.recordsMoved(after: $0, notFrom: here.id) } ?? []
            archivals = try pulledAfter.map { try Self.archivedByOthers(replica, after: $0, moves: moves) } ?? [:]
        } catch {
            warn("Synced, but working out what colleagues' archives and merges did failed (\(error)).")
        }
        // Told at the sync that brings an archival of theirs, not at every sync after.
        let crossed = archivals.isEmpty ? [] : try Self.crossedMerges(replica).filter { group in group.contains { archivals[$0.account.id] != nil } }
        // (Not one the notices below already name: edited, with records added under it, or merged crosswise.)
        let told = Swift.Set(report.archivedAfterEdit.map(\.row) + report.archivedUnder.map(\.parentRow) + crossed.flatMap { $0.map(\.account.id) })
        // Yours before the pulls too: handed over and archived in one change ("owner=bob archived=true"), it was yours.
        func wasYours(_ account: Record) throws -> Bool {
            // (In any case, as `due` matches owners: "Bob" from a spreadsheet is bob's.) Before the pulls: one a colleague
            // made yours and archived in one change was never yours to lose (QA).
            guard let after = pulledAfter else { return account["owner"].display.lowercased() == me }
            return try replica.value(of: FieldKey(entity: "account", row: account.id, field: "owner"), atRow: after)?.display.lowercased() == me
        }
        let yoursArchived = try archivals.values.filter { try !told.contains($0.account.id) && wasYours($0.account) }.sorted { $0.account.id < $1.account.id }
        // A colleague's account archived where open actions are yours: they left your `due` without a word (a
        // deputy's, or a specialist's on a colleague's account). Merged, they went with its records.
        let actionsArchived = try archivals.values.filter { try $0.into == nil && !told.contains($0.account.id) && !wasYours($0.account) }
            .sorted { $0.account.id < $1.account.id }
            .compactMap { a -> (archived: ArchivedByOther, actions: [Record])? in
                let mine = try replica.records("action", where: ("account", .text(a.account.id)))
                    .filter { sameIgnoringCase($0["owner"].display, here.user) && $0["done"] != .bool(true) }
                return mine.isEmpty ? nil : (a, mine)
            }
        // Records a colleague moved out of an account of yours that is still in use (merged and then brought back,
        // or moved by hand): gone from it without a word. (One a merge emptied and archived is told above.)
        let movedFromYours = try Dictionary(grouping: moves.filter { $0.by != here.user && archivals[$0.from] == nil }) { "\($0.from) \($0.to) \($0.by)" }
            .values.sorted { ($0[0].from, $0[0].to, $0[0].by) < ($1[0].from, $1[0].to, $1[0].by) }
            .compactMap { group -> (from: Record, to: Record, by: String, records: [Replica.MovedRecord])? in
                guard let from = try replica.record("account", id: group[0].from), try wasYours(from),
                      let to = try replica.record("account", id: group[0].to) else { return nil }
                return (from, to, group[0].by, group)
            }
        // Accounts of yours a colleague removed (`account remove`): gone from every list without a word. (Not one you
        // had edited since, or whose edit had gone out unseen: `edited_removed` and `removed_after_synced_edit` tell of it.)
        var yoursRemoved: [(account: Record, by: String, held: Int)] = []
        // A removal restored since (by the colleague, in the same sync) is told as the restore, or not at all when the
        // restore went to someone else: the account is back.
        func restored(_ id: String) throws -> Bool { try replica.record("account", id: RowKeys.restored(from: id)).map { !$0.deleted } ?? false }
        do {
            let edited = Swift.Set((report.removedAfterEdit + report.removedAfterSyncedEdit).filter { $0.entity == "account" }.map(\.row))
            yoursRemoved = try pulledAfter.map { after in
                try replica.rowsSet("account", field: Schema.deletedField, after: after, notBy: here.user).sorted().compactMap { id in
                    // (Not one restored since and told as restored: removed and restored by a colleague between two syncs.)
                    guard !edited.contains(id), try !restored(id), let account = try replica.record("account", id: id), account.deleted, try wasYours(account),
                          try replica.value(of: FieldKey(entity: "account", row: id, field: Schema.deletedField), atRow: after) == nil,
                          let removal = try replica.history(row: id).first(where: { $0.field == Schema.deletedField && $0.author != here.user }) else { return nil }
                    return (account, removal.author, try replica.recordCount(at: id))
                }
            } ?? []
        } catch {
            warn("Synced, but working out which of your accounts colleagues removed failed (\(error)).")
        }
        // Records colleagues put under an account you removed while the removal was on its way (it was empty when you
        // removed it): in no list now, and only you know it was removed on purpose.
        var underYourRemovals: [(account: Record, records: [Replica.MovedRecord])] = []
        var leftUnder: (removed: [Replica.MovedRecord], archived: [Replica.MovedRecord]) = ([], [])
        do {
            leftUnder = try pulledAfter.map { try replica.recordsUnderAccountsLeft(after: $0, notFrom: here.id, by: here.user) } ?? ([], [])
            // (What `account merge` would bring from it: not a recorded month, which stays with its account, nor a cleared score.)
            let left = try leftUnder.removed.filter { r in
                try r.entity != "scorecard" && replica.record(r.entity, id: r.row).map { AccountCommand.Merge.Plan.holdsValue(r.entity, $0) } == true
            }
            underYourRemovals = try Dictionary(grouping: left, by: \.to).sorted { $0.key < $1.key }.compactMap { id, records in
                try replica.record("account", id: id).map { ($0, records) }
            }
        } catch {
            warn("Synced, but looking for records left under accounts you removed failed (\(error)).")
        }
        // The same under an account you archived or merged on: a colleague who merged a third account into it while
        // your merge was on its way (A into B as you merged B into C) left A's records on the archived B.
        var underYourArchivals: [(account: Record, records: [Replica.MovedRecord])] = []
        do {
            let allArchived = Swift.Set(crossed.flatMap { $0.map(\.account.id) })
            let left = try leftUnder.archived.filter { r in
                try !allArchived.contains(r.to) && r.entity != "scorecard"
                    && replica.record(r.entity, id: r.row).map { AccountCommand.Merge.Plan.holdsValue(r.entity, $0) } == true
            }
            underYourArchivals = try Dictionary(grouping: left, by: \.to).sorted { $0.key < $1.key }.compactMap { id, records in
                try replica.record("account", id: id).map { ($0, records) }
            }
        } catch {
            warn("Synced, but looking for records left under accounts you archived failed (\(error)).")
        }
        let concerns = try pulledAfter.map { try Self.concernsOutOfOrder(replica, after: $0) } ?? []
        // A note, after a sync that succeeded: one that cannot be worked out is left out with a warning, and the
        // sync's own report still prints.
        var namesakes: [Namesakes] = []
        do {
            namesakes = try pulledAfter.map { try Self.namesakes(replica, after: $0) } ?? []
        } catch {
            warn("Synced, but looking for stakeholders added twice failed (\(error)).")
        }
        // Edits that were still to send when a colleague's removal of their record came in: gone from every
        // list, and without a word they looked lost.
        let removed = try report.removedAfterEdit.map { r in
            (entity: r.entity, row: r.row, label: try Conflicts.Detail.recordLabel(entity: r.entity, row: r.row, replica: replica), by: r.removedBy)
        }
        // Edits already synced that a colleague's removal, made before they reached the team, took away; and the
        // user's own removals of records colleagues had edited unseen.
        let removedSynced = try report.removedAfterSyncedEdit.map { r in
            (entity: r.entity, row: r.row, label: try Conflicts.Detail.recordLabel(entity: r.entity, row: r.row, replica: replica), by: r.removedBy)
        }
        let removedUnseen = try report.removedUnseen.map { r in
            (entity: r.entity, row: r.row, label: try Conflicts.Detail.recordLabel(entity: r.entity, row: r.row, replica: replica), by: r.editedBy)
        }
        // (Not a copy merged into an account removed meanwhile: what it held is told with the records it moved.)
        let under = try report.removedUnderEdit.filter { $0.entity != "account" }.map { r in
            (entity: r.entity, row: r.row, label: try Conflicts.Detail.recordLabel(entity: r.entity, row: r.row, replica: replica),
             parentEntity: r.parentEntity, parentRow: r.parentRow,
             parent: try Conflicts.Detail.recordLabel(entity: r.parentEntity, row: r.parentRow, replica: replica), by: r.removedBy)
        }
        let archivedUnder = try Dictionary(grouping: report.archivedUnder, by: \.parentRow).sorted { $0.key < $1.key }.map { account, records in
            (account: account, label: try Conflicts.Detail.recordLabel(entity: "account", row: account, replica: replica), by: records[0].removedBy,
             records: try records.map { (entity: $0.entity, row: $0.row, label: try Conflicts.Detail.recordLabel(entity: $0.entity, row: $0.row, replica: replica)) })
        }
        // Values of yours that a colleague's later value replaced (last writer wins): sorted by record and
        // field, so that a month offline reads as a list.
        let overwritten = try report.overwritten.map { pair in
            (pair, try Conflicts.Detail.label(pair.mine.key, replica: replica))
        }.sorted { $0.1.localizedStandardCompare($1.1) == .orderedAscending }
        let replacedUnseen = try report.replacedUnseen.map { pair in
            (pair, try Conflicts.Detail.label(pair.mine.key, replica: replica))
        }.sorted { $0.1.localizedStandardCompare($1.1) == .orderedAscending }
        let archived = try report.archivedAfterEdit.map { r in
            (row: r.row, label: try Conflicts.Detail.recordLabel(entity: r.entity, row: r.row, replica: replica), by: r.removedBy)
        }
        // An account as people name one: "account Acme (1a2b3c4d)", not the record label "Acme / account 1a2b3c4d".
        func accountLabel(_ row: String) throws -> String { "account \(try Lookup.accountName(replica, row)) (\(short(row)))" }
        // Overwritten values older than the default keep-days leave the local log, at most once a day: after the
        // notices, which read the values it removes (where a merged account's records were before). The sync
        // itself succeeded, so a failure here only warns.
        do {
            _ = try replica.compactIfDue(keepDays: Compact.defaultKeepDays)
        } catch {
            warn("Synced, but tidying the local log failed (\(error)); run `rapport compact` to try again.")
        }
        // Whether anyone syncs as an owner a colleague gave something to (one who made a change here; a display name
        // from a spreadsheet is on nobody's `due`), for the text and the JSON alike.
        let people = try replica.authors().union([here.user])
        func syncsAs(_ owner: String) -> Bool { people.contains { $0.lowercased() == owner.lowercased() } }
        if output.json {
            // (Built apart: in the document below they left it too long for the type checker.)
            let nowYoursJSON = JSON.array(nowYours.map {
                .object(["id": .string($0.account.id), "name": .string($0.account["name"].display), "by": .string($0.by), "restored": .bool($0.restoredFrom != nil)])
            })
            let known = { (owner: String) in JSON.bool(syncsAs(owner)) }
            func actionsJSON(_ actions: [(action: Record, account: Record, by: String)]) -> JSON {
                .array(actions.map { a in
                    .object(["id": .string(a.action.id), "text": JSON(a.action["text"]), "due": JSON(a.action["due"]), "account": .string(a.account.id),
                             "account_name": JSON(a.account["name"]), "by": .string(a.by), "owner": JSON(a.action["owner"]), "owner_syncs": known(a.action["owner"].display)])
                })
            }
            let noLongerYoursJSON = JSON.array(noLongerYours.map {
                .object(["id": .string($0.account.id), "name": .string($0.account["name"].display), "by": .string($0.by), "owner": JSON($0.account["owner"]),
                         "owner_syncs": known($0.account["owner"].display)])
            })
            return try JSON.object([
                "accounts_sharing_a_name": .array(twins.map { group in .array(group.map { .string($0.id) }) }),
                "accounts_now_yours": nowYoursJSON,
                "accounts_no_longer_yours": noLongerYoursJSON,
                "actions_now_yours": actionsJSON(actionsNowYours),
                "actions_no_longer_yours": actionsJSON(actionsNoLongerYours),
                "accounts_with_similar_names": .array(similar.map { .object(["keep": .string($0.keep.id), "merge": .array($0.merge.map { .string($0.id) })]) }),
                // The same advice as the text's, for a script: the account to keep and the ones to merge into it.
                "account_merges": .array(try twins.map { group in
                    let ranked = try Self.keepFirst(group, replica)
                    return .object(["name": .string(ranked[0].account["name"].display), "keep": .string(ranked[0].account.id),
                                    "merge": .array(ranked.dropFirst().map { .string($0.account.id) })])
                }),
                "stakeholders_sharing_a_name": .array(namesakes.filter { $0.kind == StakeholderKind.self }.map { group in .array(group.records.map { .string($0.id) }) }),
                "records_sharing_a_name": .array(namesakes.map { group in
                    .object(["entity": .string(group.kind.entity), "name": .string(group.records[0][group.kind.nameField].display),
                             "account": .string(group.records[0]["account"].display), "ids": .array(group.records.map { .string($0.id) })])
                }),
                "overwritten": .array(overwritten.map { pair, label in
                    .object(["label": .string(label), "entity": .string(pair.mine.entity), "row": .string(pair.mine.row), "field": .string(pair.mine.field),
                             "mine": JSON(pair.mine.value), "theirs": JSON(pair.theirs.value), "theirs_author": .string(pair.theirs.author)])
                }),
                "replaced_unseen": .array(replacedUnseen.map { pair, label in
                    .object(["label": .string(label), "entity": .string(pair.mine.entity), "row": .string(pair.mine.row), "field": .string(pair.mine.field),
                             "mine": JSON(pair.mine.value), "theirs": JSON(pair.theirs.value), "theirs_author": .string(pair.theirs.author)])
                }),
                "accounts_all_archived": .array(crossed.map { group in
                    .array(group.map { .object(["id": .string($0.account.id), "archived_by": .string($0.by)]) })
                }),
                "archived_under": .array(archivedUnder.flatMap { group in
                    group.records.map { r in
                        .object(["entity": .string(r.entity), "row": .string(r.row), "label": .string(r.label),
                                 "account": .string(group.account), "account_label": .string(group.label), "archived_by": .string(group.by),
                                 "merged_into": archivals[group.account]?.into.map { .string($0.id) } ?? .null,
                                 "merged_into_removed": .bool(archivals[group.account]?.into?.deleted == true)])
                    }
                }),
                "your_actions_archived": .array(actionsArchived.map { a in
                    .object(["id": .string(a.archived.account.id), "name": .string(a.archived.account["name"].display), "archived_by": .string(a.archived.by),
                             "actions": .array(a.actions.map { .object(["id": .string($0.id), "text": .string($0["text"].display)]) })])
                }),
                "your_accounts_archived": .array(yoursArchived.map { a in
                    .object(["id": .string(a.account.id), "name": .string(a.account["name"].display), "archived_by": .string(a.by),
                             "merged_into": a.into.map { .string($0.id) } ?? .null,
                             // Merged into an account removed meanwhile: its records are in no list.
                             "merged_into_removed": .bool(a.into?.deleted == true)])
                }),
                "your_accounts_removed": .array(yoursRemoved.map { r in
                    .object(["id": .string(r.account.id), "name": .string(r.account["name"].display), "removed_by": .string(r.by), "records_left": .int(Int64(r.held))])
                }),
                "left_under_your_removals": .array(try underYourRemovals.map { u in
                    .object(["account": .string(u.account.id), "name": .string(u.account["name"].display),
                             "records": .array(try u.records.map { r in
                                 .object(["entity": .string(r.entity), "row": .string(r.row), "by": .string(r.by),
                                          "label": .string(try Conflicts.Detail.recordLabel(entity: r.entity, row: r.row, replica: replica))])
                             })])
                }),
                "left_under_your_archivals": .array(try underYourArchivals.map { u in
                    .object(["account": .string(u.account.id), "name": .string(u.account["name"].display),
                             "merged_into": try Self.mergedInto(replica, u.account).map { .string($0.id) } ?? .null,
                             "records": .array(try u.records.map { r in
                                 .object(["entity": .string(r.entity), "row": .string(r.row), "by": .string(r.by),
                                          "label": .string(try Conflicts.Detail.recordLabel(entity: r.entity, row: r.row, replica: replica))])
                             })])
                }),
                "moved_from_your_accounts": .array(movedFromYours.map { m in
                    .object(["account": .string(m.from.id), "to": .string(m.to.id), "moved_by": .string(m.by),
                             "records": .array(m.records.map { .object(["entity": .string($0.entity), "row": .string($0.row)]) })])
                }),
                "concerns_out_of_order": .array(concerns.map { c in
                    .object(["id": .string(c.concern.id), "title": .string(c.concern["title"].display), "account": .string(c.concern["account"].display),
                             "step": .string(c.odd.step.rawValue), "day": .string(c.odd.day.description),
                             "after": .string(c.odd.after.rawValue), "after_day": .string(c.odd.afterDay.description)])
                }),
                "archived_after_edit": .array(report.archivedAfterEdit.map { r in
                    .object(["entity": .string(r.entity), "row": .string(r.row),
                             "label": .string(archived.first { $0.row == r.row }?.label ?? ""), "archived_by": .string(r.removedBy),
                             "merged_into": archivals[r.row]?.into.map { .string($0.id) } ?? .null,
                             "merged_into_removed": .bool(archivals[r.row]?.into?.deleted == true)])
                }),
                "edited_removed": .array(removed.map { r in
                    .object(["entity": .string(r.entity), "row": .string(r.row), "label": .string(r.label), "removed_by": .string(r.by)])
                }),
                "removed_after_synced_edit": .array(removedSynced.map { r in
                    .object(["entity": .string(r.entity), "row": .string(r.row), "label": .string(r.label), "removed_by": .string(r.by)])
                }),
                "removed_unseen_edits": .array(removedUnseen.map { r in
                    .object(["entity": .string(r.entity), "row": .string(r.row), "label": .string(r.label), "edited_by": .array(r.by.map(JSON.string))])
                }),
                "removed_under": .array(under.map { r in
                    .object(["label": .string(r.label), "entity": .string(r.entity), "row": .string(r.row),
                             "parent_entity": .string(r.parentEntity), "parent_row": .string(r.parentRow),
                             "parent_label": .string(r.parent), "removed_by": .string(r.by)])
                }),
                "reviews_ended_by_removal": .array(endedByRemoval.map { e in
                    .object(["conflict": .string(e.info.id), "label": .string(e.label), "entity": .string(e.info.key.entity),
                             "row": .string(e.info.key.row), "removed_by": .string(e.by)])
                }),
                "concurrent_resolutions": .array(try report.concurrentResolutions.map { pair in
                    .object(["label": .string(try Conflicts.Detail.label(pair.theirs.key, replica: replica)),
                             "mine": .string(pair.mine.id.description), "theirs": .string(pair.theirs.id.description),
                             "theirs_author": .string(pair.theirs.author), "mine_stands": .bool(pair.mineStands)])
                }),
                "set_aside": .array(try report.setAside.map { edit in
                    .object(["label": .string(try Conflicts.Detail.label(edit.mine.key, replica: replica)),
                             "mine": .string(edit.mine.id.description), "mine_is_resolution": .bool(edit.mine.resolution), "resolution": .string(edit.resolution.id.description),
                             "resolved_by": .string(edit.resolution.author), "yours_in_it": .string(Self.yours(in: edit, base: try Self.base(of: edit, replica)).rawValue),
                             "in_review": try Self.openReview(of: edit, replica).map(JSON.string) ?? .null])
                }),
                "pushed": .int(Int64(report.pushed)), "duplicates": .int(Int64(report.duplicates)), "stored_before": .int(Int64(report.storedBefore)),
                "pulled": .int(Int64(report.pulled)), "bootstrapped": .int(Int64(report.bootstrapped)),
                "applied": .int(Int64(report.applied)),
                "restamped": .int(Int64(report.restamped)), "open_conflicts": .int(Int64(report.openConflicts)),
                "cursor": .int(report.cursor), "resent": .int(Int64(report.resent)), "resent_stored": .int(Int64(report.resentStored)),
                "new_replica_id": report.newReplicaID.map(JSON.string) ?? .null, "renumbered": .int(Int64(report.renumbered)),
            ]).print()
        }
        // A batch an earlier push had stored, its answer lost, was sent all the same: "sent 38674" of 39674 read
        // as a thousand changes lost.
        let sent = report.pushed + report.storedBefore
        var line = "Synced: sent \(sent) change\(sent == 1 ? "" : "s")" +
            // (A restored backup's or a copy's changes reached it from the other copy of the file, no answer lost.)
            (report.storedBefore == 0 ? "" : report.newReplicaID != nil ? " (\(report.storedBefore) of them had reached the server already, from the other copy of this file)"
                : " (\(report.storedBefore) of them had reached the server before, its answer lost on the way)") +
            ", received \(report.applied)"
        // A bootstrap resumed after an interruption finds most of the snapshot already here: say so, rather than
        // "received 0 (... a snapshot of 48000 operations)".
        let held = report.bootstrappedHeld
        line += report.bootstrapped > 0
            ? " (the team's current data from a snapshot of \(report.bootstrapped) operations\(held > 0 ? ", \(held) of them already here" : ""))."
            : "."
        // The stamps are mended; the days the commands filled in as "today" by that clock are values, and stay (found
        // by QA: a note written "2027-01-06" on every laptop, left out of this month's review).
        if report.restamped > 0 {
            line += " Your clock ran ahead of the server's: \(report.restamped) unsynced change(s) were re-stamped to the server's time. Set this " +
                "laptop's clock right; days the commands took for today meanwhile (a note's, a meeting's, a deal's, a flag's, an action's done day) " +
                "stay as given: `set` corrects them (a note's day: add it again with --date, then remove the first)."
        }
        print(line)
        if report.resent > 0 {
            // Counted apart from the changes never sent before ("stored 12" of 9 offered), and without saying
            // the server had been restored: --after-restore on a server that was not offers them all the same.
            let lost = report.resentStored == 0 ? "the server had lost none of them" : "the server had lost \(report.resentStored) of them and has \(report.resentStored == 1 ? "it" : "them") again"
            // (Yours made here, and those made under an id this file used before or on your other laptops.)
            print("This replica offered the \(report.resent) synced change\(report.resent == 1 ? "" : "s") of yours it holds to the server again: \(lost).")
        }
        if let id = report.newReplicaID {
            let moved = report.renumbered == 0 ? "" : ", and its \(report.renumbered) unsynced change\(report.renumbered == 1 ? "" : "s") went under that id"
            print("Another copy of this replica's file (a copy on another computer, or the file before a backup was restored) had synced first: " +
                  "this replica now syncs as \(id)\(moved). Nothing was lost. Work on one copy only from now on.")
        }
        if report.openConflicts > 0 { print("\(report.openConflicts) \(report.openConflicts == 1 ? "conflict waits" : "conflicts wait") for review: `rapport conflicts`.") }
        for (by, restored) in Dictionary(grouping: nowYours.filter { $0.restoredFrom != nil }, by: \.by).sorted(by: { $0.key < $1.key }) {
            let names = Self.firstTen(restored.map { r in
                r.account["name"].display + (r.removal.map { " (removed by \($0.author == here.user ? "you" : $0.author) on \(Format.shortTime($0.time.ms)))" } ?? "")
            })
            print("\(by) restored \(restored.count == 1 ? "an account" : "\(restored.count) accounts") of yours: \(Format.list(names, conjunction: "and")); " +
                  "\(restored.count == 1 ? "it is" : "they are") back in your lists and `rapport due`.")
        }
        for (by, accounts) in Dictionary(grouping: nowYours.filter { $0.restoredFrom == nil }, by: \.by).sorted(by: { $0.key < $1.key }) {
            let names = Self.firstTen(accounts.map { $0.account["name"].display })
            print("\(by) made \(accounts.count == 1 ? "an account" : "\(accounts.count) accounts") yours: \(Format.list(names, conjunction: "and")) " +
                  "(`rapport due` lists what is due on \(accounts.count == 1 ? "it" : "them"), `rapport portfolio --owner \(Shell.quote(here.user))` how \(accounts.count == 1 ? "it stands" : "they stand")).")
        }
        func actionLine(_ a: (action: Record, account: Record, by: String)) -> String {
            "'\(a.action["text"].display)' (\(a.account["name"].display)\(a.action["due"].day.map { ", due \($0)" } ?? ""))"
        }
        for (by, actions) in Dictionary(grouping: actionsNowYours, by: \.by).sorted(by: { $0.key < $1.key }) {
            let names = Self.firstTen(actions.map(actionLine))
            print("\(by) made \(actions.count == 1 ? "a next action" : "\(actions.count) next actions") yours: \(Format.list(names, conjunction: "and")) (`rapport due` lists \(actions.count == 1 ? "it" : "them") once due).")
        }
        // Given to someone else: to whom, and said so when no one syncs as that name.
        func recipient(_ owner: String) -> String {
            owner.isEmpty ? "no one" : syncsAs(owner) ? owner : "'\(owner)', whom no one here syncs as"
        }
        // Taken by the colleague themself, said so ("gave ... to bob", of bob's own doing, read oddly); given to someone
        // else, to whom.
        func lost(_ items: [(name: String, owner: String, by: String)], one: String, many: String, leaves: String, history: String) {
            for (by, group) in Dictionary(grouping: items, by: \.by).sorted(by: { $0.key < $1.key }) {
                let took = group.filter { $0.owner.lowercased() == by.lowercased() }, gave = group.filter { $0.owner.lowercased() != by.lowercased() }
                if !took.isEmpty {
                    print("\(by) took \(took.count == 1 ? one : "\(took.count) \(many)") of yours: \(Format.list(Self.firstTen(took.map(\.name)), conjunction: "and")); " +
                          "\(took.count == 1 ? "it leaves" : "they leave") \(leaves).")
                }
                if !gave.isEmpty {
                    // By whom they went to: "Acme and Globex to dana" (each named with its recipient repeated the clause).
                    let byOwner = Dictionary(grouping: gave) { $0.owner.lowercased() }.sorted { $0.key < $1.key }
                    var names = byOwner.prefix(10).map { _, items in "\(Format.list(Self.firstTen(items.map(\.name)), conjunction: "and")) to \(recipient(items[0].owner))" }
                    // Ten people named, as ten of anything are: the rest counted.
                    if byOwner.count > 10 {
                        names.append("and \(byOwner.dropFirst(10).map(\.value.count).reduce(0, +)) more to \(byOwner.count - 10) others")
                    }
                    print("\(by) gave \(gave.count == 1 ? one : "\(gave.count) \(many)") of yours to someone else: \(names.joined(separator: "; ")); " +
                          "\(gave.count == 1 ? "it leaves" : "they leave") \(leaves) (`rapport history \(history)` shows the change).")
                }
            }
        }
        lost(noLongerYours.map { ($0.account["name"].display, $0.account["owner"].display, $0.by) }, one: "an account", many: "accounts",
             leaves: "your `rapport due` and portfolio", history: "NAME")
        // (An action by its id: `history` finds records by name or title, not by an action's text.)
        lost(actionsNoLongerYours.map { ("\(actionLine($0)) [\(short($0.action.id))]", $0.action["owner"].display, $0.by) }, one: "a next action", many: "next actions",
             leaves: "your `rapport due`", history: "ID")
        // Ten of each told in full, the rest counted: a colleague's bulk resolution printed 300 paragraphs (QA).
        for e in endedByRemoval.sorted(by: { $0.label.lowercased() < $1.label.lowercased() }).prefix(10) {
            let back = try Restoration.advice(replica, entity: e.info.key.entity, row: e.info.key.row).map { "; \($0)" } ?? ""
            print("The review of \(e.label) (conflict \(e.info.id)), which held your version, ended: \(e.by) removed the \(e.info.key.entity.replacingOccurrences(of: "_", with: " ")). " +
                  "Your text is kept: `rapport history \(Self.historyHandle(e.info.key.row))`\(back).")
        }
        if endedByRemoval.count > 10 {
            print("... and \(endedByRemoval.count - 10) more reviews that held your version ended with a colleague's removal: each text is kept, `rapport history NAME` shows it.")
        }
        for pair in report.concurrentResolutions {
            let label = try Conflicts.Detail.label(pair.theirs.key, replica: replica)
            // Of a record removed since, which text of the two stands is moot: the removal stands ("your text stands",
            // then "the removal stands", read as a contradiction; QA).
            if try replica.record(pair.theirs.entity, id: pair.theirs.row)?.deleted ?? false {
                let by = try replica.latestOperation(on: FieldKey(entity: pair.theirs.entity, row: pair.theirs.row, field: Schema.deletedField))?.author
                print("\(pair.theirs.author) resolved \(label) at the same time as you, with other text; \(by.map { $0 == here.user ? "you" : $0 } ?? "someone") removed it since, " +
                      "which stands whatever text it held: both are kept (`rapport history \(Self.historyHandle(pair.theirs.row))`).")
                continue
            }
            let record = "rapport history \(Self.historyHandle(pair.theirs.row))"
            // Both of one person's laptops resolving it: "bob resolved ... at the same time as you" read as another bob.
            if pair.theirs.author == here.user {
                let other = "You resolved \(label) on your other laptop (\(pair.theirs.id.replica.prefix(8))) at the same time as here, with other text"
                print(pair.mineStands
                    ? "\(other); the text resolved here stands. The other laptop's is kept: `\(record)`."
                    : "\(other), and later there: that text stands. The one resolved here is kept: `\(record)` shows it, to bring back what it held.")
                continue
            }
            print(pair.mineStands
                ? "\(pair.theirs.author) resolved \(label) at the same time as you, with other text; your text stands. Theirs is kept: `\(record)`."
                : "\(pair.theirs.author) resolved \(label) at the same time as you, with other text, and later: theirs stands. Yours is kept: `\(record)` shows it, to bring back what it held.")
        }
        for (edit, label) in try report.setAside.map({ ($0, try Conflicts.Detail.label($0.mine.key, replica: replica)) })
            .sorted(by: { $0.1.lowercased() < $1.1.lowercased() }).prefix(10) {
            // A resolution of this replica's that a later review replaced (an edit made without seeing it opened one).
            let yours = edit.mine.resolution ? "your resolution" : "your edit"
            switch Self.yours(in: edit, base: try Self.base(of: edit, replica)) {
            case .everyLine:
                print("\(edit.resolution.author) resolved the review of \(label), which held \(yours), with a text that holds every line of yours " +
                      "(lines you took out may be back: `rapport history \(Self.historyHandle(edit.mine.row))` shows both).")
            case .withinLongerLines:
                print("\(edit.resolution.author) resolved the review of \(label), which held \(yours), with a text in which each line of yours " +
                      "stands within a longer one: check that it still says what you meant (`rapport history \(Self.historyHandle(edit.mine.row))` shows both).")
            case .someLines:
                print("\(edit.resolution.author) resolved the review of \(label), which held \(yours), with a text that holds some of your lines, not all: " +
                      "check what it left out (`rapport history \(Self.historyHandle(edit.mine.row))` shows both).")
            case .none:
                print("\(edit.resolution.author) resolved the review of \(label), which held \(yours), and kept other text: " +
                      "yours is in its history (`rapport history \(Self.historyHandle(edit.mine.row))`), to bring back what it held.")
            }
            // In review again (an edit made without seeing the resolution): the text is brought back by resolving it,
            // an edit of the field being refused meanwhile.
            if let open = try Self.openReview(of: edit, replica) {
                print("  That text is in review again, with an edit made without seeing the resolution: `rapport conflicts show \(open)`; bring back what yours held when resolving it.")
            }
        }
        if report.setAside.count > 10 {
            print("... and \(report.setAside.count - 10) more reviews that held yours were resolved by a colleague: `rapport conflicts --all` lists the reviews, " +
                  "and `rapport history NAME` shows both texts of each.")
        }
        for (pair, label) in overwritten.prefix(10) {
            print("\(try Self.theirSetting(pair, label, had: false, replica)) after \(try Self.yourSetting(pair.mine, replica)): the later stands.")
        }
        if overwritten.count > 10 {
            print("... and \(overwritten.count - 10) more of your values that a colleague set later, on \(Self.records(overwritten.dropFirst(10))): " +
                  "`rapport history NAME` shows who set what on each.")
        }
        for (pair, label) in replacedUnseen.prefix(10) {
            print("\(try Self.theirSetting(pair, label, had: true, replica)) before \(try Self.yourSetting(pair.mine, replica)), " +
                  "and this replica had not seen it: yours stands. Tell \(pair.theirs.author) if theirs should (`rapport history \(Self.historyHandle(pair.mine.row))`).")
        }
        if replacedUnseen.count > 10 {
            // Told once: the list is gone by the next `sync --json`, the history is not.
            print("... and \(replacedUnseen.count - 10) more values of yours that replaced a colleague's you had not seen, on \(Self.records(replacedUnseen.dropFirst(10))): " +
                  "`rapport history NAME` shows who set what on each.")
        }
        for r in archived {
            print("\(r.by) archived \(try accountLabel(r.row)), which you had edited since your last sync: it is off the lists with your edits " +
                  "(`rapport account list --archived`); \(try Self.archivedAdvice(replica, account: r.row, mergedInto: archivals[r.row]?.into)).")
        }
        for a in yoursArchived {
            let name = "your account \(a.account["name"].display) (\(short(a.account.id)))"
            if let into = a.into, into.deleted {
                print("\(a.by) merged \(name) into \(into["name"].display) (\(short(into.id))), which was removed meanwhile: \(Self.removedTargetAdvice(copy: a.account.id, kept: into)).")
            } else if let into = a.into, into["archived"] == .bool(true) {
                // Merged crosswise under two names ("Hooli" into "Hooli Inc", and back): both are archived, and so is
                // everything of the customer. The crosswise notice reads names, and these differ.
                print("\(a.by) merged \(name) into \(into["name"].display) (\(short(into.id))), which is archived too: \(Self.crosswiseAdvice(copy: a.account.id, kept: into)).")
            } else if let into = a.into {
                let owner = into["owner"].textValue.map { $0 == here.user ? ", yours" : ", owner \($0)" } ?? ""
                // Records that reached it after the merge (a colleague's merge into it, on its way meanwhile) stay on it:
                // what a merge again would bring (not its scores and overrides, copied by the merge and left on it).
                let again = try AccountCommand.Merge.Plan(replica, copy: a.account, kept: into)
                let late = again.moves.count + again.copies.count
                print("\(a.by) merged \(name) into \(into["name"].display) (\(short(into.id))\(owner)): " +
                      (late == 0 ? "its records are there now, and it is archived (`rapport history \(short(a.account.id))` shows it)."
                        : "it is archived, and its records are there now but for \(late) that reached it after the merge and \(late == 1 ? "is" : "are") off the lists with it: " +
                          "`rapport account merge \(short(a.account.id)) --into \(short(into.id))` brings \(late == 1 ? "it" : "them") there."))
            } else {
                // (A copy merged with no records moved nothing that says where: the advice names the account of its name.)
                let records = try replica.recordCount(at: a.account.id) == 0 ? "it held no records" : "it is off the lists with its records (`rapport account list --archived`)"
                print("\(a.by) archived \(name): \(records); \(try Self.archivedAdvice(replica, account: a.account.id)).")
            }
        }
        for a in actionsArchived {
            let n = a.actions.count, account = a.archived.account
            print("\(a.archived.by) archived \(account["name"].display) (\(short(account.id))), where \(n) open action\(n == 1 ? " is" : "s are") yours " +
                  "(\(a.actions.map { short($0.id) }.joined(separator: ", "))): off `due` with it; `rapport account set \(short(account.id)) archived=false` brings " +
                  "it back, or ask \(a.archived.by) whether \(n == 1 ? "it is" : "they are") still wanted.")
        }
        for r in yoursRemoved {
            let name = "your account \(r.account["name"].display) (\(short(r.account.id)))"
            print(r.held == 0
                ? "\(r.by) removed \(name): it held no records (`rapport history \(short(r.account.id))` shows what it was; \(try Restoration.accountBack(replica, r.account.id)))."
                : "\(r.by) removed \(name): its \(r.held) record\(r.held == 1 ? " is" : "s are") left under it, in no list; " +
                  "`rapport account merge \(short(r.account.id)) --into ACCOUNT` moves \(r.held == 1 ? "it" : "them") to an account in use, " +
                  "or \(try Restoration.accountBack(replica, r.account.id, with: r.held == 1 ? "it" : "them")).")
        }
        for u in underYourRemovals {
            let n = u.records.count, by = Swift.Set(u.records.map(\.by)).sorted().joined(separator: ", ")
            print("\(n) record\(n == 1 ? "" : "s") that \(by) added or moved to \(u.account["name"].display) (\(short(u.account.id))), an account you removed, " +
                  "\(n == 1 ? "is" : "are") left under it, in no list (\(try u.records.prefix(3).map { try Conflicts.Detail.recordLabel(entity: $0.entity, row: $0.row, replica: replica) }.joined(separator: "; "))" +
                  "\(n > 3 ? "; and \(n - 3) more" : "")): `rapport account merge \(short(u.account.id)) --into ACCOUNT` moves \(n == 1 ? "it" : "them") to an account in use, " +
                  "or \(try Restoration.accountBack(replica, u.account.id, with: n == 1 ? "it" : "them")).")
        }
        for u in underYourArchivals {
            let n = u.records.count, by = Swift.Set(u.records.map(\.by)).sorted().joined(separator: ", ")
            let kept = try Self.mergedInto(replica, u.account)
            let what = kept.map { "an account you merged into \($0["name"].display) (\(short($0.id)))" } ?? "an account you archived"
            // Into one in use: the merge again takes them on. (Into one archived or removed since: the advice for it.)
            let advice = try kept.flatMap { $0.deleted || $0["archived"] == .bool(true) ? nil : $0 }
                .map { "`rapport account merge \(short(u.account.id)) --into \(short($0.id))` brings \(n == 1 ? "it" : "them") there" }
                ?? Self.archivedAdvice(replica, account: u.account.id)
            print("\(n) record\(n == 1 ? "" : "s") that \(by) added or moved to \(u.account["name"].display) (\(short(u.account.id))), \(what), " +
                  "\(n == 1 ? "is" : "are") off the lists with it (\(try u.records.prefix(3).map { try Conflicts.Detail.recordLabel(entity: $0.entity, row: $0.row, replica: replica) }.joined(separator: "; "))" +
                  "\(n > 3 ? "; and \(n - 3) more" : "")): \(advice).")
        }
        for m in movedFromYours {
            let n = m.records.count
            print("\(m.by) moved \(n) record\(n == 1 ? "" : "s") of your account \(m.from["name"].display) (\(short(m.from.id))) to \(m.to["name"].display) " +
                  "(\(short(m.to.id))\(m.to["archived"] == .bool(true) ? ", archived" : "")): \(n == 1 ? "it is" : "they are") there now " +
                  "(\(try m.records.prefix(3).map { try Conflicts.Detail.recordLabel(entity: $0.entity, row: $0.row, replica: replica) }.joined(separator: "; "))\(n > 3 ? "; and \(n - 3) more" : "")).")
        }
        for c in concerns {
            let title = c.concern["title"].display
            print("The concern \(title) (\(try Lookup.accountName(replica, c.concern["account"].display))) has its \(c.odd.step.rawValue) step (\(c.odd.day)) dated " +
                  "before its \(c.odd.after.rawValue) step (\(c.odd.afterDay)), recorded apart: it stays \(c.odd.after.state) until the \(c.odd.step.rawValue) step is " +
                  "recorded again (`rapport concern step \(short(c.concern.id)) \(c.odd.step.rawValue)`).")
        }
        for group in archivedUnder {
            let shown = group.records.prefix(3).map(\.label).joined(separator: "; ") + (group.records.count > 3 ? "; and \(group.records.count - 3) more" : "")
            print("\(group.by) archived \(try accountLabel(group.account)); \(group.records.count) record\(group.records.count == 1 ? "" : "s") you made or edited under it since " +
                  "your last sync left the lists with it (\(shown)): \(try Self.archivedAdvice(replica, account: group.account, mergedInto: archivals[group.account]?.into)).")
        }
        // Not a record whose ended review was told above (said twice), ten told and the rest counted (QA: twelve lines
        // for twelve notes).
        let reviewEnded = Swift.Set(endedByRemoval.map(\.info.key.row))
        let removedTold = removed.filter { !reviewEnded.contains($0.row) }.sorted { $0.label.lowercased() < $1.label.lowercased() }
        for r in removedTold.prefix(10) {
            print("\(r.by) removed \(r.label), which you had edited since your last sync: the removal stands for everyone; " +
                  "your versions are in `rapport history \(Self.historyHandle(r.row))`\(try Restoration.advice(replica, entity: r.entity, row: r.row).map { "; \($0)" } ?? "").")
        }
        if removedTold.count > 10 {
            print("... and \(removedTold.count - 10) more records you had edited since your last sync that a colleague removed: your versions of each are in `rapport history NAME`.")
        }
        for r in removedSynced {
            print("\(r.by) removed \(r.label) before your last edit of it reached the team: the removal stands for everyone; " +
                  "your versions are in `rapport history \(Self.historyHandle(r.row))`\(try Restoration.advice(replica, entity: r.entity, row: r.row).map { "; \($0)" } ?? "").")
        }
        for r in removedUnseen {
            let who = Format.list(r.by, conjunction: "and")
            print("\(who) had edited \(r.label), which you removed, and this replica had not seen it: your removal stands for everyone; " +
                  "what \(r.by.count == 1 ? who : "they") changed is in `rapport history \(Self.historyHandle(r.row))`. Tell \(who) if it should be back" +
                  "\(try Restoration.advice(replica, entity: r.entity, row: r.row).map { "; \($0)" } ?? "").")
        }
        for r in under.prefix(10) {
            // Under a removed account, a record is in no list: a merge of the removed account takes it to one in use.
            let back = try Restoration.advice(replica, entity: r.parentEntity, row: r.parentRow)
            let again = r.parentEntity == "account"
                ? (r.entity == "scorecard" ? "a recorded month stays with its account (a merge leaves it too)"
                    : "`rapport account merge \(short(r.parentRow)) --into ACCOUNT` moves what is left under it to an account in use; or \(try Restoration.accountBack(replica, r.parentRow, with: "it"))")
                : "\(back.map { "\($0) (and this with it); or " } ?? "")record it again under another \(ReplicaError.noun(r.parentEntity)) if it still counts"
            print("\(r.by) removed \(r.parentEntity == "account" ? try accountLabel(r.parentRow) : r.parent); \(r.label), which you made or edited since your last sync, refers to it: " +
                  "it stays and still names it (`rapport history \(Self.historyHandle(r.row))` shows it); \(again).")
        }
        if under.count > 10 {
            print("... and \(under.count - 10) more of your records that refer to one a colleague removed: `rapport history NAME` of each shows what it holds " +
                  "(`rapport sync --json` lists them all, at the sync that tells).")
        }
        for group in namesakes {
            let account = try replica.record("account", id: group.records[0]["account"].display)?["name"].display ?? "?"
            let ids = group.records.map { String($0.id.prefix(8)) }
            let (kind, field) = (group.kind, group.kind.nameField)
            let one = kind == StakeholderKind.self ? "one person" : "one"
            // The one to keep is the one most records refer to (a KPI's readings): the advice named the higher id,
            // which was as often the KPI with the readings as the empty copy.
            let referred = try group.records.map { try replica.references(to: kind.entity, id: $0.id) }
            let keep = referred.indices.max { (referred[$0], $1) < (referred[$1], $0) }!
            let others = ids.indices.filter { $0 != keep }.map { ids[$0] }
            let removal = others.map { "`\(group.kind.command) remove \($0)`" }.joined(separator: ", ")
            let advice = referred[keep] > 0
                ? "keep \(ids[keep]), which \(referred[keep]) record\(referred[keep] == 1 ? " refers" : "s refer") to, and remove \(others.count == 1 ? "the other" : "the others") (\(removal), \(others.count == 1 ? "its" : "their") history stays)"
                : "keep one and remove \(others.count == 1 ? "the other" : "the others") (\(removal), \(others.count == 1 ? "its" : "their") history stays)"
            // Counted twice meanwhile: the pipeline adds both deals, the stakeholder map both people.
            let counted = kind == OpportunityKind.self ? " The pipeline counts \(others.count == 1 ? "both" : "all") until then." : ""
            print("\(group.records.count) \(ReplicaError.noun(kind.entity, plural: true)) of \(account) are called \(group.records[0][field].display) (\(ids.joined(separator: ", "))): " +
                  "if they are \(one), \(advice); " +
                  "if not, tell them apart (`\(group.kind.command) set \(others[0]) \(field)=...`). Until then their name asks which.\(counted)")
        }
        for group in crossed {
            let first = group[0].account, others = group.dropFirst().map(\.account)
            print("\(group.count) accounts are called \(first["name"].display) and all are archived, by " +
                  "\(group.map { "\($0.by) (\($0.account.id.prefix(8)))" }.joined(separator: ", ")): each merged into the other? Nothing of the name " +
                  "is in the lists. `rapport account set \(first.id.prefix(8)) archived=false`, then " +
                  "\(others.map { "`rapport account merge \($0.id.prefix(8)) --into \(first.id.prefix(8))`" }.joined(separator: ", ")) makes them one.")
        }
        // Told in full up to ten, then counted: the same file of 8,000 accounts imported on two laptops printed a
        // paragraph for each name (3 MB).
        let inFull = 10
        for group in similar.prefix(inFull) {
            let names = ([group.keep] + group.merge).map { "\($0["name"].display) (\($0.id.prefix(8)))" }
            let merges = group.merge.map { "`rapport account merge \($0.id.prefix(8)) --into \(group.keep.id.prefix(8))`" }
            print("Accounts \(Format.list(Self.firstTen(names), conjunction: "and")) differ only in punctuation, spacing or accents: if they are one customer, " +
                  "\(Format.list(Self.firstTen(merges), conjunction: "then")) make\(merges.count == 1 ? "s" : "") them one.")
        }
        if similar.count > inFull {
            // (Said by this sync only, as the groups above: `sync --json` lists them at the sync that brings them.)
            print("... and \(similar.count - inFull) more groups of names that differ only in punctuation, spacing or accents: `rapport account list` " +
                  "shows them side by side, and `rapport account merge COPY --into KEPT` makes two one.")
        }
        if twinsToldBefore > 0 {
            let left = twinsToldBefore
            print("\(left) \(twinsBrought.isEmpty ? "" : "other ")name\(left == 1 ? " is" : "s are") still shared by accounts added apart, as said before: " +
                  "`rapport sync --json` gives them (account_merges: which to keep and which to merge into it).")
        }
        if twinsBrought.count > inFull {
            print("\(twinsBrought.count) names are shared by accounts added apart before they synced (the same customers added, or imported, on two " +
                  "laptops?); the first \(inFull) follow, and `rapport sync --json` gives them all (account_merges: which to keep and which to merge into it).")
        }
        for group in twinsBrought.prefix(inFull) {
            let ids = Self.firstTen(group.map { String($0.id.prefix(8)) })
            let ranked = try Self.keepFirst(group, replica)
            let keep = ranked[0], others = ranked.dropFirst()
            func held(_ n: Int) -> String { n == 0 ? "no records" : "\(n) record\(n == 1 ? "" : "s")" }
            let merge = Self.firstTen(others.map { "`rapport account merge \($0.account.id.prefix(8)) --into \(keep.account.id.prefix(8))`" }).joined(separator: ", ")
            // Holding as much, the older is kept; said so, not as if it held more.
            let why = others.allSatisfy { $0.records == keep.records }
                ? "the older (each holds \(held(keep.records)))"
                : "which holds \(held(keep.records)) (\(Self.firstTen(others.map { "\($0.account.id.prefix(8)) \(held($0.records))" }).joined(separator: ", ")))"
            print("\(group.count) accounts are called \(group[0]["name"].display) (\(ids.joined(separator: ", "))), added apart before they synced: " +
                  "if they are different customers, rename one (`rapport account set \(others.first!.account.id.prefix(8)) name=...`); if the same, " +
                  "keep \(keep.account.id.prefix(8)), \(why), " +
                  "and merge the other\(others.count == 1 ? "" : "s") into it (\(merge)): \(others.count == 1 ? "its" : "their") records move to it, " +
                  "\(others.count == 1 ? "it is" : "they are") archived, and the name then means the one kept.")
        }
    }

    /// At most ten of a list said in a line, the rest counted: a thousand accounts of one name made a line of a megabyte.
    static func firstTen(_ items: [String]) -> [String] {
        items.count <= 10 ? items : Array(items.prefix(10)) + ["\(items.count - 10) more"]
    }

    /// Accounts of one name, the one to keep first: the one the team recorded most at (then the oldest). The
    /// advice named the higher id, which was the team's account with its notes and meetings as often as the
    /// empty copy.
    static func keepFirst(_ group: [Record], _ replica: Replica) throws -> [(account: Record, records: Int)] {
        try group.map { a in (a, try replica.recordCount(at: a.id), try replica.history(row: a.id).first?.time.ms ?? .max) }
            .sorted { ($1.1, $0.2, $0.0.id) < ($0.1, $1.2, $1.0.id) }
            .map { ($0.0, $0.1) }
    }

    /// How to get back what went with an account another person archived: an account merged into another
    /// (`account merge`) is archived too, and brought back it would be the duplicate again.
    static func archivedAdvice(_ replica: Replica, account row: String, mergedInto: Record? = nil) throws -> String {
        let mergedInto = try mergedInto ?? replica.record("account", id: row).flatMap { try Self.mergedInto(replica, $0, includeRemoved: true) }
        // Into one archived itself (two people who merged crosswise, under two names): nothing of either is in the
        // lists, and a merge into it is refused until it is brought back.
        if let kept = mergedInto, kept.deleted {
            return "it was merged into \(kept["name"].display) (\(short(kept.id))), removed since: \(removedTargetAdvice(copy: row, kept: kept))"
        }
        if let kept = mergedInto, kept["archived"] == .bool(true) {
            return "it was merged into \(kept["name"].display) (\(short(kept.id))), which is archived too: \(crosswiseAdvice(copy: row, kept: kept))"
        }
        if let kept = mergedInto {
            return "it was merged into \(kept["name"].display) (\(short(kept.id))), where its records are: `rapport account merge \(short(row)) --into \(short(kept.id))` " +
                "brings what is on it there"
        }
        let name = try replica.record("account", id: row)?["name"].display ?? ""
        let namesakes = try replica.activeAccounts(fields: ["name"]).filter { $0.id != row && AccountName.key($0["name"].display) == AccountName.key(name) }
        if namesakes.count == 1, let kept = namesakes.first {
            return "if it was merged into \(kept["name"].display) (\(short(kept.id))), `rapport account merge \(short(row)) --into \(short(kept.id))` " +
                "brings what is on it there; if not, `rapport account set \(short(row)) archived=false` brings it back"
        }
        return "`rapport account set \(short(row)) archived=false` brings it back; if it was merged into another account, " +
            "`rapport account merge \(short(row)) --into ACCOUNT` brings what is on it there"
    }

    /// The account an archived one was merged into, as its merge recorded; nil for one archived by hand, brought
    /// back, or merged by a version from before the field.
    /// `followingMerges`: where the records are now, when that account was merged on in turn (A into B, B into C: C).
    /// `includeRemoved`: also one removed since (its records are left under it).
    static func mergedInto(_ replica: Replica, _ account: Record, followingMerges: Bool = false, includeRemoved: Bool = false) throws -> Record? {
        guard account["archived"] == .bool(true), let id = account["merged_into"].textValue, id != account.id,
              var into = try replica.record("account", id: id), includeRemoved || !into.deleted else { return nil }
        // Only as set with the archival that stands (or after it): a copy brought back by a version without the
        // field keeps it, and archived by hand later, it was not merged again.
        func latest(_ field: String) throws -> RapportSync.Operation? { try replica.latestOperation(on: FieldKey(entity: "account", row: account.id, field: field)) }
        if let archival = try latest("archived"), let mark = try latest("merged_into"), RapportSync.Operation.isOrdered(mark, before: archival) { return nil }
        guard followingMerges, !into.deleted else { return into }
        // (Bounded: merges made crosswise offline point at each other.)
        var seen: Swift.Set = [account.id]
        while seen.insert(into.id).inserted, let next = try mergedInto(replica, into, includeRemoved: includeRemoved) { into = next }
        return into
    }

    /// The way back for the records a merge moved to an account someone removed at the same time (a removal
    /// stands over any edit): they are left under it, in no list.
    static func removedTargetAdvice(copy row: String, kept: Record) -> String {
        "its records are left under the removed account, in no list; `rapport account set \(short(row)) archived=false`, then " +
            "`rapport account merge \(short(kept.id)) --into \(short(row))` brings them back"
    }

    /// The way back from two merges made crosswise (each account into the other): both archived.
    static func crosswiseAdvice(copy row: String, kept: Record) -> String {
        "nothing of either is in the lists; `rapport account set \(short(kept.id)) archived=false` brings it back with the records, then " +
            "`rapport account merge \(short(row)) --into \(short(kept.id))` brings over what is on this one"
    }

    /// How much of your edit a colleague's resolution of its review took in.
    enum Taken: String {
        /// Every line of yours, as written: not your text set aside ("kept other text" read as a loss).
        case everyLine = "every_line"
        /// Each line's words within a longer line: neither kept nor set aside, since what was written around
        /// them may change what they say ("Renewal in March" inside "Renewal in March cancelled").
        case withinLongerLines = "within_longer_lines"
        /// Some of your lines as written, or some of what you added to a line within a longer one, not all: "kept
        /// other text" read as if none were.
        case someLines = "some_lines"
        case none
    }

    /// `base`: the text the edit was made on. Lines of it the edit kept are not the editor's: a colleague who
    /// edited one of them ("Beta." to "Beta (alice).") did not change a line of yours.
    static func yours(in edit: SetAsideEdit, base: String? = nil) -> Taken {
        // Lines as their words: "Renewal in March." is the line "renewal in March", not one within a longer one.
        let lines = { (text: String?) in (text ?? "").split(separator: "\n").map(Self.words).filter { !$0.isEmpty } }
        let theirs = lines(edit.resolution.value.textValue), baseLines = lines(base), kept = Swift.Set(baseLines)
        let all = lines(edit.mine.value.textValue)
        // (An edit that only took lines out wrote none: its lines are all it holds.)
        let mine = all.filter { !kept.contains($0) }.isEmpty ? all : all.filter { !kept.contains($0) }
        // (Not an edit that emptied the text: every text holds all of none.)
        if !mine.isEmpty, Swift.Set(mine).isSubset(of: Swift.Set(theirs)) { return .everyLine }
        if linesWithin(mine, theirs) { return .withinLongerLines }
        // A line of the base that both added to ("Pricing review. Ann: 2-year term." and "Pricing review. Carol: 3%
        // uplift.") is merged into one holding both additions: what this edit added is in it (QA: "kept other text"
        // sent its author to paste it in again).
        // (Of words put in place of others, only where theirs do not keep the words replaced: "Renewal: April" for
        // "Renewal: March" is not in "Renewal: March (April at latest)".)
        // In the line of theirs that came from the same line: the one holding what the edit kept of it around what it
        // added ("July" in "Budget owner: Ms July" is not the July of "Renewal: July"; QA).
        let added = mine.map { line in linesWithin([line], theirs) ? Added(part: line) : Self.added(line, from: baseLines) }
        func inTheirs(_ a: Added) -> Bool {
            !a.part.isEmpty && theirs.contains { line in
                func has(_ run: [String]) -> Bool { !run.isEmpty && linesWithin([run], [line]) }
                let (before, after) = (Array(a.before.suffix(1)), Array(a.after.prefix(1)))
                // Added at an end of the line (not in place of anything): with what it kept of the line, another's
                // addition may sit between. Otherwise beside a word it kept, in place of the words it replaced.
                if a.replaced.isEmpty, a.after.isEmpty || a.before.isEmpty {
                    return has(a.part) && (a.before.isEmpty || has(a.before)) && (a.after.isEmpty || has(a.after))
                }
                let mine = (!before.isEmpty && has(before + a.part)) || (!after.isEmpty && has(a.part + after)) || (before.isEmpty && after.isEmpty && has(a.part))
                let base = !a.replaced.isEmpty && ((!before.isEmpty && has(before + a.replaced)) || (!after.isEmpty && has(a.replaced + after)))
                return mine && !base
            }
        }
        if !added.isEmpty, added.allSatisfy(inTheirs) { return .withinLongerLines }
        // Some of what it added, in a line of theirs (the rest dropped): not "kept other text" either.
        return mine.contains(where: Swift.Set(theirs).contains) || added.contains(where: inTheirs) ? .someLines : .none
    }

    /// What an edit added to a line, as words (`added(_:from:)`).
    struct Added {
        var part: [String]
        /// The words of the base line it took the place of.
        var replaced: [String] = []
        /// What it kept of the line before and after it.
        var before: [String] = []
        var after: [String] = []
    }

    /// What an edit added to a line of the text it was made on, as words: those between what it kept of the line's
    /// start and of its end ("Pricing review. Ann: 2-year term." on "Pricing review.": "Ann: 2-year term."), of the
    /// base line it kept most of, with the words of that line they took the place of and those kept around them;
    /// the whole line when it kept nothing of any.
    static func added(_ line: [String], from base: [[String]]) -> Added {
        var best = (kept: 0, added: Added(part: line))
        for b in base {
            var start = 0
            while start < min(line.count, b.count), line[start] == b[start] { start += 1 }
            var end = 0
            while end < min(line.count, b.count) - start, line[line.count - 1 - end] == b[b.count - 1 - end] { end += 1 }
            if start + end > best.kept {
                best = (start + end, Added(part: Array(line[start..<(line.count - end)]), replaced: Array(b[start..<(b.count - end)]),
                                           before: Array(line[..<start]), after: Array(line[(line.count - end)...])))
            }
        }
        return best.added
    }

    /// The text `edit`'s version was made on, if this replica holds it.
    static func base(of edit: SetAsideEdit, _ replica: Replica) throws -> String? {
        try edit.mine.base.flatMap { try replica.operation($0, on: edit.mine.key) }?.value.textValue
    }

    /// A line's words, in any case; punctuation at a word's ends does not part it from the same word ("March,").
    static func words(_ line: Substring) -> [String] {
        line.split(whereSeparator: \.isWhitespace).map { $0.lowercased().trimmingCharacters(in: .punctuationCharacters) }.filter { !$0.isEmpty }
    }

    /// Whether every non-empty line of `mine` appears, as a run of whole words (in any case), within some line
    /// of `other`.
    static func wordsWithin(_ mine: String, _ other: String) -> Bool {
        linesWithin(mine.split(separator: "\n").map(Self.words).filter { !$0.isEmpty }, other.split(separator: "\n").map(Self.words))
    }

    /// The same of lines as their words.
    static func linesWithin(_ lines: [[String]], _ theirs: [[String]]) -> Bool {
        !lines.isEmpty && lines.allSatisfy { line in
            theirs.contains { candidate in
                candidate.count >= line.count && (0...(candidate.count - line.count)).contains { Array(candidate[$0..<($0 + line.count)]) == line }
            }
        }
    }

    /// What `rapport history` finds a row by: the start of its id, or the whole of a fixed one ("KPI-ID/DAY" for
    /// a reading), whose start is its KPI's id and found the KPI instead.
    /// (Its first part, an account's or KPI's UUID, by its start as everywhere else: each part is found so.)
    static func historyHandle(_ row: String) -> String {
        guard let slash = row.firstIndex(of: "/") else { return String(row.prefix(8)) }
        let first = row[..<slash]
        let shortened = first.count == 36 && first.allSatisfy({ $0.isHexDigit || $0 == "-" }) ? first.prefix(8) + row[slash...] : Substring(row)
        return Shell.quote(String(shortened))
    }

    /// A value as a sync notice names it; whole amounts grouped as the tables show them ('3,000,000', not
    /// '3000000'). Others as they are: rounded to cents, 0.123 and 0.124 read as one value replacing itself.
    static func shown(_ value: FieldValue) -> String {
        switch value {
        case .null: "nothing"
        case .real(let number) where number == number.rounded(): "'\(Figures.amount(number, unit: ""))'"
        case .int(let number): "'\(Figures.amount(Double(number), unit: ""))'"
        default: "'\(Format.oneLine(value.display, max: 40))'"
        }
    }

    /// The records of values left out of a notice's list, named: "... and 2 more" said nothing of which, and the
    /// notices are told once. (Labels are "RECORD / field"; the record is all before the last " / ".)
    static func records(_ values: some Collection<(OverwrittenValue, String)>) -> String {
        var names: [String] = []
        for (pair, label) in values {
            let name = label.range(of: " / ", options: .backwards).map { String(label[..<$0.lowerBound]) } ?? pair.mine.row
            if !names.contains(name) { names.append(name) }
        }
        let shown = names.prefix(5).joined(separator: "; ") + (names.count > 5 ? "; and \(names.count - 5) more" : "")
        return "\(names.count) record\(names.count == 1 ? "" : "s") (\(shown))"
    }

    /// "you set it to 'closed'", or, for a value your change of another field restated as it stood (fields written
    /// together, `setTogether`), "your change of closed_on set it again, as it stood here, to 'closed'": you had
    /// not set the status, and were told you had (QA). Restated: equal to what this replica held when it was made.
    static func yourSetting(_ mine: RapportSync.Operation, _ replica: Replica) throws -> String {
        guard let partner = try partner(of: mine, replica), try (replica.heldBefore(mine)?.value ?? .null) == mine.value else {
            return "you \(try setting("it", to: mine, replica))"
        }
        return "your change of \(partner.field) \(mine.value == .null ? "left it cleared" : "set it again, as it stood here, to \(try shown(mine, replica))")"
    }

    /// "bob set closed_on to 'D'", or, for a value bob's change of another field restated as it stood (the value
    /// this replica held when yours was made), "bob's change of stage set closed_on again, as it stood, to 'D'".
    static func theirSetting(_ pair: OverwrittenValue, _ label: String, had: Bool, _ replica: Replica) throws -> String {
        let theirs = pair.theirs
        guard let partner = try partner(of: theirs, replica), try (replica.heldBefore(pair.mine)?.value ?? .null) == theirs.value else {
            return "\(theirs.author) \(had ? "had " : "")\(try setting(label, to: theirs, replica))"
        }
        return "\(theirs.author)'s change of \(partner.field) \(had ? "had " : "")\(theirs.value == .null ? "left \(label) cleared" : "set \(label) again, as it stood, to \(try shown(theirs, replica))")"
    }

    /// Another field's operation of the same change (one stamp, one replica, one row): fields written together.
    static func partner(of op: RapportSync.Operation, _ replica: Replica) throws -> RapportSync.Operation? {
        try replica.history(row: op.row).first { $0.id.replica == op.id.replica && $0.time == op.time && $0.field != op.field }
    }

    /// What an operation did to a field, as a sync notice tells it: a value emptied (a score or an override
    /// taken back) is cleared, not "set to nothing".
    static func setting(_ field: String, to op: RapportSync.Operation, _ replica: Replica) throws -> String {
        if op.value == .null { return "cleared \(field)" }
        return "set \(field) to \(try shown(op, replica))"
    }

    /// An operation's value as a sync notice names it: a reference by the record it names (an account's id, as
    /// two people who merged one copy into different accounts were told, said nothing).
    static func shown(_ op: RapportSync.Operation, _ replica: Replica) throws -> String {
        // An account's margin as `account show` gives it (34%), not a bare 34.
        if op.entity == "account", op.field == "margin", op.value.double != nil { return "'\(AccountCommand.shown(op.field, op.value))'" }
        guard case .reference(let target)? = try? replica.schema.spec(for: op.key).type, let id = op.value.textValue else { return shown(op.value) }
        guard let record = try replica.record(target, id: id) else { return "'\(short(id))'" }
        let removed = record.deleted ? " (removed)" : ""
        if target == "account" { return "\(record["name"].display) (\(short(id)))\(removed)" }
        return try Conflicts.Detail.recordLabel(entity: target, row: id, replica: replica) + removed
    }

    /// Records of one kind and account that share a name.
    struct Namesakes {
        var kind: RecordKind.Type
        var records: [Record]
    }

    /// The kinds of an account's records that two people may add offline under one name (the same KPI, the same
    /// deal).
    static let kindsNamedPerAccount: [RecordKind.Type] = [StakeholderKind.self, KPIKind.self, GoalKind.self, OpportunityKind.self, ConcernKind.self, FlagKind.self]

    /// A record whose matter is settled (a flag closed, a goal reached or missed, a deal won or lost, a concern's
    /// loop closed): a new one of its name is the next of its kind, not a second copy, and removing the old one
    /// as the notice advised would have lost its history for everyone.
    static func isSettled(_ record: Record, kind: RecordKind.Type) -> Bool {
        switch kind.entity {
        case FlagKind.entity: record["status"].textValue == "closed"
        case GoalKind.entity: record["status"].textValue.map { $0 != "open" } ?? false
        case OpportunityKind.entity: record["stage"].textValue.flatMap(Stage.init(rawValue:)).map { !$0.isOpen } ?? false
        case ConcernKind.entity: !AccountData.concern(record).isOpen(asOf: Today.local)
        default: false
        }
    }

    /// Records of one account and kind that share a name, one of them named by another person's operation that
    /// the sync's pulls stored after the log's row `row`: both added offline, the same person or deal twice.
    static func namesakes(_ replica: Replica, after row: Int64) throws -> [Namesakes] {
        // A replica's first sync brings the whole team's records, with the namesakes it holds on purpose.
        guard row > 0 else { return [] }
        // Named on another replica: a colleague's, or the user's own other computer (one person who added Dana on
        // the laptop and on the desktop, offline, has two Danas too).
        let here = try replica.identity().id
        var found: [Namesakes] = []
        for kind in kindsNamedPerAccount {
            // Named, or brought to an account (a colleague's merge makes namesakes there, of which only they heard).
            let named = Swift.Set(try replica.rowsSet(kind.entity, field: kind.nameField, after: row, notFrom: here)
                                  + replica.rowsSet(kind.entity, field: "account", after: row, notFrom: here))
            guard !named.isEmpty else { continue }
            // Every record's name and account at once: a month's pulls may name thousands, too many to list
            // in one query.
            // (All fields of the kinds a record of which can be settled: few, beside stakeholders and KPIs.)
            let settles = [FlagKind.entity, GoalKind.entity, OpportunityKind.entity, ConcernKind.entity].contains(kind.entity)
            let everyone = try replica.records(kind.entity, fields: settles ? nil : [kind.nameField, "account"]).filter { !isSettled($0, kind: kind) }
            let key = { (r: Record) in "\(r["account"].display)/\(AccountName.key(r[kind.nameField].display))" }
            let wanted = Swift.Set(everyone.filter { named.contains($0.id) && !$0[kind.nameField].display.isEmpty }.map(key))
            found += Dictionary(grouping: everyone.filter { wanted.contains(key($0)) }, by: key)
                .values.filter { $0.count > 1 }.map { $0.sorted { $0.id < $1.id } }.sorted { $0[0].id < $1[0].id }
                .map { Namesakes(kind: kind, records: $0) }
        }
        return found
    }

    /// The open conflict on the field of an edit set aside, if it is in review again.
    static func openReview(of edit: SetAsideEdit, _ replica: Replica) throws -> String? {
        try replica.conflicts().first { $0.key == edit.mine.key }?.id
    }

    /// Accounts named by another replica in the pulls after the log's row `row` whose names differ from other
    /// accounts' in use only in punctuation, spacing or accents, by group ("Fabrikam, Inc.", "Fabrikam Inc",
    /// "fabrikam-inc"), each with the one to keep first (`keepFirst`, ranked over the whole group: ranked by pairs,
    /// the advice merged one into an account it also merged away). Accounts sharing a name (in case and spaces
    /// alone, `accountsSharingAName`) stand as the one kept of them.
    static func similarNamesBrought(_ replica: Replica, after row: Int64, notFrom replicaID: String) throws -> [(keep: Record, merge: [Record])] {
        let named = Swift.Set(try replica.rowsSet("account", field: "name", after: row, notFrom: replicaID))
        guard !named.isEmpty else { return [] }
        let active = try replica.activeAccounts(fields: ["name"])
        var groups: [(keep: Record, merge: [Record])] = []
        for (loose, group) in Dictionary(grouping: active, by: { AccountName.looseKey($0["name"].display) }) where !loose.isEmpty && group.count > 1 {
            guard group.contains(where: { named.contains($0.id) }) else { continue }
            // Accounts of one name among them stand as the one `account_merges` keeps of them, so that the two
            // pieces of advice agree.
            let byName = Dictionary(grouping: group, by: { AccountName.key($0["name"].display) })
            guard byName.count > 1 else { continue }
            let standing = try byName.values.map { try keepFirst($0, replica)[0].account }
            let ranked = try keepFirst(standing, replica)
            groups.append((ranked[0].account, ranked.dropFirst().map(\.account)))
        }
        return groups.sorted { $0.keep["name"].display < $1.keep["name"].display }
    }

    /// Accounts not archived whose names differ only in case or spaces, in groups, each by id.
    static func accountsSharingAName(_ replica: Replica) throws -> [[Record]] {
        let accounts = try replica.activeAccounts(fields: ["name"])
        return Dictionary(grouping: accounts) { AccountName.key($0["name"].display) }
            .values.filter { $0.count > 1 }.map { $0.sorted { $0.id < $1.id } }.sorted { $0[0]["name"].display < $1[0]["name"].display }
    }

    /// An account that another person archived in the sync's pulls, with the account its records went to when
    /// it was merged into one.
    struct ArchivedByOther {
        var account: Record
        var by: String
        var into: Record?
    }

    /// The accounts another person archived or merged away in the sync's pulls (after the log's row `row`),
    /// that stand archived by them, each with the account its records went to when it was merged. Its owner is
    /// told (the owner of a copy merged into a colleague's account heard nothing, and found it gone from the
    /// lists), and the notices of records left under it name where to bring them.
    static func archivedByOthers(_ replica: Replica, after row: Int64, moves: [Replica.MovedRecord]) throws -> [String: ArchivedByOther] {
        let user = try replica.identity().user
        var found: [String: ArchivedByOther] = [:]
        for id in try replica.rowsSet("account", field: "archived", after: row, notBy: user) {
            // (Not one archived already before the pulls: a second merge of a copy, as the twins notice advises
            // everyone, moves nothing and is no news.)
            guard let account = try replica.record("account", id: id), !account.deleted, account["archived"] == .bool(true),
                  try replica.value(of: FieldKey(entity: "account", row: id, field: "archived"), atRow: row) != .bool(true),
                  let archival = try replica.latestOperation(on: FieldKey(entity: "account", row: id, field: "archived")),
                  archival.author != user else { continue }
            // Named by the merge itself; a merge made by a version from before `merged_into` by where its records went.
            let moved = Dictionary(grouping: moves.filter { $0.from == id && $0.by == archival.author }, by: \.to).mapValues(\.count)
            let into = try Self.mergedInto(replica, account, includeRemoved: true)
                ?? moved.max { ($0.value, $1.key) < ($1.value, $0.key) }.flatMap { try replica.record("account", id: $0.key) }
            found[id] = ArchivedByOther(account: account, by: archival.author, into: into)
        }
        return found
    }

    /// Concerns whose steps another replica dated in the sync's pulls (after the log's row `row`) and which now
    /// have a step dated before the one ahead of it: a commitment recorded on one laptop after the loop was
    /// closed on another reopened the concern, and the sync said nothing (only `concern show` did).
    static func concernsOutOfOrder(_ replica: Replica, after row: Int64) throws -> [(concern: Record, odd: (step: ConcernStep, day: Day, after: ConcernStep, afterDay: Day))] {
        guard row > 0 else { return [] }
        let here = try replica.identity().id
        var dated = Swift.Set<String>()
        for step in ConcernStep.allCases { dated.formUnion(try replica.rowsSet("concern", field: ConcernFields.date(step), after: row, notFrom: here)) }
        return try dated.sorted().compactMap { id in
            guard let concern = try replica.record("concern", id: id), !concern.deleted, let odd = AccountData.concern(concern).outOfOrder else { return nil }
            return (concern, odd)
        }
    }

    /// Accounts of one name that are all archived, by different people: two people who each merged one into the
    /// other (`account merge`) offline left nothing of the name in the lists, and the first to sync heard
    /// nothing. Each with who archived it.
    static func crossedMerges(_ replica: Replica) throws -> [[(account: Record, by: String)]] {
        let accounts = try replica.records("account", fields: ["name", "archived"])
        let groups = Dictionary(grouping: accounts) { AccountName.key($0["name"].display) }.values
            .filter { $0.count > 1 && $0.allSatisfy { $0["archived"] == .bool(true) } }
        var found: [[(account: Record, by: String)]] = []
        for group in groups {
            var archivers: [(account: Record, by: String)] = []
            for account in group.sorted(by: { $0.id < $1.id }) {
                let latest = try replica.latestOperation(on: FieldKey(entity: "account", row: account.id, field: "archived"))
                archivers.append((account, latest?.author ?? ""))
            }
            if Swift.Set(archivers.map(\.by)).count > 1 { found.append(archivers) }
        }
        return found.sorted { $0[0].account["name"].display < $1[0].account["name"].display }
    }
}

/// A one-line progress display on a terminal (a long sync, a large import); silent when output is piped.
final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    let lock = NSLock()
    var shown = false
    /// The rate and time left are the current phase's: a pull after a long bootstrap has its own pace.
    var phase: String?
    var start = Date()
    /// Work done when the phase's first report came: the phase's clock starts then, so only what came after
    /// counts towards its rate.
    var base = 0

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    // A snapshot is read through the team's log positions, of which it sends only the values that stand: counted
    // as changes, "159669/159669" was followed by "received 140000".
    // So is a pull, which counts this replica's own changes coming back ("pull: 2400/2400" read beside "received 1200").
    func update(_ p: SyncProgress) { update(p.phase == .bootstrap ? "snapshot, log position" : p.phase == .pull ? "pull, log position" : p.phase.rawValue, done: p.done, total: p.total) }

    func update(_ label: String, done: Int, total: Int) {
        guard enabled, total > 200 else { return }
        lock.withLock {
            if label != phase {
                phase = label
                start = Date()
                base = done
            }
            let elapsed = Date().timeIntervalSince(start)
            let rate = elapsed > 0.2 ? Double(done - base) / elapsed : 0
            let pace = rate > 0 ? "\(Int(rate))/s  \(Int((Double(total - done) / rate).rounded()))s left" : "…"
            // Erased to the line's end first: a shorter line (a pull after a push) left the longer one's tail.
            let text = "\r\u{1B}[K\(label): \(done)/\(total)  \(pace)"
            FileHandle.standardError.write(Data(text.utf8))
            shown = true
        }
    }

    /// Ends the line, once: before the command's own output, and again (doing nothing) on the way out.
    func finish() {
        lock.withLock {
            if shown { FileHandle.standardError.write(Data("\n".utf8)) }
            shown = false
        }
    }
}

struct Compact: ParsableCommand {
    static let defaultKeepDays = 30
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Drop overwritten field values older than --keep-days from this replica's log.",
        discussion: """
            Keeps every note version, every deletion, the current value of every field, changes not yet synced, \
            overwritten values for --keep-days, and all overwritten values of the fields views of a past day read \
            (account owner, tier and revenue, deal stages, values and close days, flag statuses, stakeholders' roles, sentiment \
            and last contact); \
            nothing you see changes, only what `rapport history` lists for older overwritten values. Only values \
            already synced are dropped. `rapport sync` does this once a day with the default.

            The file keeps the space it frees for new operations; --shrink gives it back to the disk (it \
            rewrites the file once, needing free disk for about twice its size while it runs: a temporary copy, \
            and the new file passing through the write-ahead log).
            """)
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    // Unconditional, so that `--keep-days -1` is refused for its value rather than taken for a flag.
    @Option(name: .customLong("keep-days"), parsing: .unconditional, help: "Keep overwritten values this many days.") var keepDays = defaultKeepDays
    @Flag(help: "Then give the file's free space back to the disk.") var shrink = false

    func validate() throws {
        guard keepDays >= 0 else { throw ValidationError("--keep-days must be 0 or more (it is \(keepDays)); nothing was deleted") }
    }

    func run() throws {
        let opened = try replica.open()
        let result = try opened.compact(keepDays: keepDays)
        let shrunk = shrink ? try opened.shrink() : nil
        if output.json {
            var object: [String: JSON] = [
                "deleted": .int(Int64(result.deleted)), "remaining": .int(Int64(result.remaining)),
                "free_bytes": .int(shrunk == nil ? result.freeBytes : 0),
            ]
            if let shrunk { object["file_bytes_before"] = .int(shrunk.bytesBefore); object["file_bytes"] = .int(shrunk.bytesAfter) }
            return try JSON.object(object).print()
        }
        print("Dropped \(result.deleted) overwritten value\(result.deleted == 1 ? "" : "s") older than \(keepDays) day\(keepDays == 1 ? "" : "s"); the log holds \(result.remaining) operation\(result.remaining == 1 ? "" : "s").")
        if let shrunk {
            if shrunk.bytesAfter > shrunk.dataBytes {
                print("Rewrote the file without its free space; it stays \(Self.mebibytes(shrunk.bytesAfter)) until the other program reading it lets go, then takes \(Self.mebibytes(shrunk.dataBytes)).")
            } else {
                print("Shrank the file from \(Self.mebibytes(shrunk.bytesBefore)) to \(Self.mebibytes(shrunk.bytesAfter)).")
            }
        } else if result.freeBytes >= 1 << 20 {
            print("The file keeps \(Self.mebibytes(result.freeBytes)) free for new operations; `rapport compact --shrink` gives it back to the disk.")
        }
    }

    static func mebibytes(_ bytes: Int64) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }
}
