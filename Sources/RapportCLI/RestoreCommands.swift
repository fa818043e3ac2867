import ArgumentParser
import Foundation
import RapportKAM
import RapportReplica
import RapportSync

/// Bringing back what was removed by mistake. A removal stands for good (its tombstone wins over every edit, on
/// every replica, whenever they sync), so a record comes back as a new one holding the removed one's values, under
/// an id made of the removed one's (`RowKeys.restored`): two people who restore it apart restore one record, and
/// what pointed at the removed one points at it again.
enum Restoration {
    /// Where a removed record stands: restored already (the live record), or to be restored from the last of its
    /// restored copies removed in turn (`source`), under `id`; `removed` is that chain of removed ids, first the one named.
    enum Found {
        case live(Record)
        case toRestore(source: Record, id: String, removed: [String])
    }

    static func follow(_ replica: Replica, _ entity: String, from removed: Record) throws -> Found {
        var source = removed
        var chain = [removed.id]
        // (Bounded by what the replica holds: each step reads a row made by a restore.)
        while true {
            let next = RowKeys.restored(from: source.id)
            guard let record = try replica.record(entity, id: next) else { return .toRestore(source: source, id: next, removed: chain) }
            guard record.deleted else { return .live(record) }
            source = record
            chain.append(record.id)
        }
    }

    /// The removed record `query` names: its whole name or the start of its id, within an account when given.
    /// A record restored and removed again is one record: its chain's first removed row stands for it.
    static func removed(
        _ replica: Replica, _ entity: String, query: String, nameField: String, noun: String, account: String?, listCommand: String
    ) throws -> Record {
        let scope = try account.map { try scopeAccount(replica, $0) }
        let typed = nameField == "date" ? meetingQuery(query) : query
        let matches = try replica.removedMatches(entity, typed, nameField: nameField, within: scope.map { ("account", .text($0.id)) })
        let restoredCopies = Swift.Set(matches.map { RowKeys.restored(from: $0.id) })
        let candidates = matches.filter { !restoredCopies.contains($0.id) }
        if candidates.count == 1 { return candidates[0] }
        if candidates.isEmpty {
            if let live = try? replica.find(entity, typed, nameField: nameField, within: scope.map { ("account", .text($0.id)) }) {
                throw ValidationError("\(noun) \(live[nameField].display) (\(short(live.id))) is not removed: nothing to restore; nothing was changed")
            }
            throw ValidationError("no removed \(noun)\(scope.map { " of \($0["name"].display)" } ?? "") matches '\(query)'; nothing was changed: " +
                                  "give its whole \(nameField) or the start of its id, as the removal or `rapport history` showed it (`\(listCommand)` shows those in use)")
        }
        let each = try candidates.prefix(8).map { record -> String in
            let removal = try replica.removedMatch(entity, record.id)
            let at = try record["account"].textValue.flatMap { try replica.record("account", id: $0) }.map { ", \($0["name"].display)" } ?? ""
            return "\(short(record.id))\(at)\(removal?.removedBy.map { ", removed by \($0)" } ?? "")\(removal?.removedMs.flatMap(Today.day(ms:)).map { " on \($0)" } ?? "")"
        }
        let accounts = Swift.Set(candidates.compactMap { $0["account"].textValue }).count
        throw ValidationError("'\(query)' names \(candidates.count) removed \(ReplicaError.noun(entity, plural: true)) (\(each.joined(separator: "; "))\(candidates.count > 8 ? "; ..." : "")): " +
                              "give the start of the id of the one to restore\(accounts > 1 && scope == nil && entity != "account" ? ", or --account ACCOUNT" : ""); nothing was changed")
    }

    /// The account `--account` names: one in use, or a removed one (its records can be removed with it).
    static func scopeAccount(_ replica: Replica, _ query: String) throws -> Record {
        do {
            return try Lookup.account(replica, query)
        } catch {
            guard let removed = try AccountCommand.Merge.removedAccount(replica, query) else { throw error }
            return removed
        }
    }

    /// The account in use a restored record goes to: its own; the one it was merged into; or, removed, its restore.
    /// Nil when it is removed and not restored.
    static func accountInUse(_ replica: Replica, _ id: String) throws -> Record? {
        guard var account = try replica.record("account", id: id) else { return nil }
        if account.deleted {
            guard case .live(let restored) = try follow(replica, "account", from: account) else { return nil }
            account = restored
        }
        if let into = try Sync.mergedInto(replica, account, followingMerges: true), into["archived"] != .bool(true) { return into }
        return account
    }

    /// A reference as the restored record keeps it: to the restore of a record removed and restored since (a KPI
    /// restored after its goal names the goal restored), else as it was.
    static func inUse(_ replica: Replica, _ spec: FieldSpec, _ value: FieldValue) throws -> FieldValue {
        guard case .reference(let entity) = spec.type, let id = value.textValue, let target = try replica.record(entity, id: id), target.deleted,
              case .live(let restored) = try follow(replica, entity, from: target) else { return value }
        return .text(restored.id)
    }

    /// Records of other kinds that name any of `removed` by a reference to `entity`, live ones only (what was
    /// removed with it stays removed): an action agreed at a removed meeting, a KPI measuring a removed goal.
    static func referrers(_ replica: Replica, to entity: String, removed: [String]) throws -> [(entity: String, field: String, record: Record)] {
        var found: [(String, String, Record)] = []
        for other in replica.schema.entities {
            for field in other.fields {
                // (An account's own records come back with it through the merge plan: see `AccountCommand.Restore`.)
                guard case .reference(let target) = field.type, target == entity, entity != "account" || field.name != "account" else { continue }
                for record in try replica.records(other.name, whereIn: (field.name, removed.map { .text($0) })) {
                    found.append((other.name, field.name, record))
                }
            }
        }
        return found
    }

    /// Points what named the removed record at the restored one. A KPI reading's id is made of its KPI's, so it
    /// is written anew under the restored KPI (where it has none for that day) rather than moved. Returns the
    /// count by kind, in the schema's order.
    static func repoint(_ referrers: [(entity: String, field: String, record: Record)], to id: String, in tx: inout LocalTransaction, replica: Replica) throws -> [(entity: String, count: Int)] {
        var counts: [(entity: String, count: Int)] = []
        for (entity, field, record) in referrers {
            if entity == "kpi_reading" {
                guard let day = record["date"].day else { continue }
                let row = RowKeys.reading(kpi: id, date: day)
                if let own = try replica.record(entity, id: row), !own.deleted, own["value"] != .null { continue }
                for spec in Schema.spec(entity).fields where record[spec.name] != .null || spec.name == field {
                    _ = try tx.set(entity, row: row, spec.name, to: spec.name == field ? .text(id) : record[spec.name])
                }
            } else {
                _ = try tx.set(entity, row: record.id, field, to: .text(id))
            }
            if let last = counts.indices.last, counts[last].entity == entity { counts[last].count += 1 } else { counts.append((entity, 1)) }
        }
        return counts
    }

    /// "2 actions and 1 KPI": counts by kind, as `repoint` returns them.
    static func counted(_ counts: [(entity: String, count: Int)]) -> String {
        Format.list(counts.map { "\($0.count) \(ReplicaError.noun($0.entity, plural: $0.count != 1))" }, conjunction: "and")
    }

    /// What the restore says of reviews its text was in when it was removed: the text shown then is what came back.
    static func reviewLines(_ replica: Replica, removed: [String]) throws -> [String] {
        let chain = Swift.Set(removed)
        return try replica.conflicts(all: true).filter { chain.contains($0.key.row) && $0.status == "removed" }.map { conflict in
            "Its \(conflict.key.field.replacingOccurrences(of: "_", with: " ")) were in review when it was removed (conflict \(conflict.id)): it has the version shown then; " +
                "every version is in `rapport history \(short(conflict.key.row))`."
        }
    }

    /// The line that closes every restore.
    static func shared(removed: [String]) -> String {
        "The removal stands, for everyone; what the removed one held and who changed it is in `rapport history \(short(removed[0]))`. `rapport sync` shares the restore."
    }
}

/// `… restore ROW`: a removed record back, as a new one holding its values.
struct RestoreRecord<Kind: RecordKind>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "restore",
            abstract: "Bring back \(Format.article(Kind.noun)) \(Kind.noun) removed by mistake, with its values (for everyone, once synced).",
            discussion: """
                A removal stands for good, so the \(Kind.noun) comes back as a new record holding the values it had when it was removed, \
                at its account (or the account that was merged into); records that named the removed one name it again. Two people who \
                restore the same one apart restore one record.
                """)
    }

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The removed \(Kind.noun)'s whole \(Kind.nameField), or the start of its id (4 characters or more).") var target: String
    @Option(help: "The account, when the \(Kind.nameField) alone names removed \(ReplicaError.noun(Kind.entity, plural: true)) of several.") var account: String?

    func run() throws {
        let replica = try replica.open()
        let named = try Restoration.removed(
            replica, Kind.entity, query: target, nameField: Kind.nameField, noun: Kind.noun, account: account, listCommand: Kind.listCommand)
        let name = { (r: Record) in "\(Kind.noun) \(r[Kind.nameField].display.isEmpty ? "" : "\(r[Kind.nameField].display) ")" }
        guard case .toRestore(let source, let id, let removed) = try Restoration.follow(replica, Kind.entity, from: named) else {
            if case .live(let record) = try Restoration.follow(replica, Kind.entity, from: named) {
                print("The \(name(named))(\(short(named.id))) was restored already, as \(short(record.id)): nothing was changed.")
            }
            return
        }
        let accountID = source["account"].textValue ?? ""
        guard let account = try Restoration.accountInUse(replica, accountID) else {
            let removal = try replica.removedMatch("account", accountID)
            throw ValidationError("its account \(try Lookup.accountName(replica, accountID)) (\(short(accountID))) was removed\(removal?.removedBy.map { " by \($0)" } ?? "") too; " +
                                  "nothing was changed: `rapport account restore \(short(accountID))` brings the account back first")
        }
        let referrers = try Restoration.referrers(replica, to: Kind.entity, removed: removed)
        var values: [(String, FieldValue)] = []
        for spec in Schema.spec(Kind.entity).fields {
            values.append((spec.name, spec.name == "account" ? .text(account.id) : try Restoration.inUse(replica, spec, source[spec.name])))
        }
        let repointed = try replica.change { tx in
            for (field, value) in values where value != .null { _ = try tx.set(Kind.entity, row: id, field, to: value) }
            return try Restoration.repoint(referrers, to: id, in: &tx, replica: replica)
        }
        let went = try replica.record("account", id: accountID)?.deleted == true ? "restored" : "merged into another"
        let moved = account.id == accountID ? "" : ", at \(account["name"].display) (\(short(account.id))): its account \(try Lookup.accountName(replica, accountID)) (\(short(accountID))) was \(went)"
        print("Restored \(name(source))as \(short(id))\(moved): a new record holding the values the removed one (\(short(named.id))) had.")
        if !repointed.isEmpty {
            let count = repointed.reduce(0) { $0 + $1.count }
            print("\(Restoration.counted(repointed)) that named the removed one \(count == 1 ? "names" : "name") this one again.")
        }
        for line in try Restoration.reviewLines(replica, removed: removed) { print(line) }
        print(Restoration.shared(removed: removed))
        if account["archived"] == .bool(true) {
            warn("note: its account \(account["name"].display) (\(short(account.id))) is archived, so the \(Kind.noun) is off the lists with it " +
                 "(`rapport account set \(short(account.id)) archived=false` brings the account back)")
        }
    }
}

extension AccountCommand {
    /// `rapport account restore ACCOUNT`: an account removed by mistake, back with what was left under it since.
    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Bring back an account removed by mistake, with its values (for everyone, once synced).",
            discussion: """
                A removal stands for good, so the account comes back as a new one holding the values it had, and records a \
                colleague added to it while it was being removed come with it. Two people who restore the same one apart \
                restore one account.
                """)
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The removed account's whole name, or the start of its id (4 characters or more).") var account: String
        @Option(help: "A name for it, when an account in use has its name now.") var name: String?

        func run() throws {
            let replica = try replica.open()
            let named = try Restoration.removed(replica, "account", query: account, nameField: "name", noun: "account", account: nil, listCommand: "rapport account list")
            guard case .toRestore(let source, let id, let removed) = try Restoration.follow(replica, "account", from: named) else {
                if case .live(let record) = try Restoration.follow(replica, "account", from: named) {
                    print("\(named["name"].display) (\(short(named.id))) was restored already, as \(record["name"].display) (\(short(record.id))): nothing was changed.")
                }
                return
            }
            let newName = name.map(AccountName.normalized) ?? source["name"].display
            do {
                try AccountCommand.check(name: newName, in: replica)
            } catch let error as ValidationError where name == nil {
                throw ValidationError("\(error.message.replacingOccurrences(of: "nothing was saved: give this one a distinct name", with: "nothing was changed: restore it under a distinct name with --name"))")
            }
            // No sync may land records on the removed account between reading what it holds and bringing them over.
            let lock = try SyncAlreadyRunning.take(self.replica.path, then: "restore it again")
            defer { if let lock { close(lock) } }
            var restored = source
            restored.id = id
            restored.deleted = false
            // What colleagues added to it (or to its restored copies removed in turn) while it was removed; its
            // recorded months were its own, so they come too.
            let plans = try removed.compactMap { try replica.record("account", id: $0) }.map { try Merge.Plan(replica, copy: $0, kept: restored) }
            let months = try replica.records("scorecard", whereIn: ("account", removed.map { .text($0) }))
            let referrers = try Restoration.referrers(replica, to: "account", removed: removed)
            var brought: [String: Int] = [:]
            try replica.change { tx in
                for spec in AccountCommand.entity.fields where !["archived", "merged_into"].contains(spec.name) {
                    let value = spec.name == "name" ? .text(newName) : source[spec.name]
                    if value != .null { _ = try tx.set("account", row: id, spec.name, to: value) }
                }
                for plan in plans {
                    for (entity, row) in plan.moves {
                        _ = try tx.set(entity, row: row, "account", to: .text(id))
                        brought[entity, default: 0] += 1
                    }
                    for (entity, row, values) in plan.copies {
                        for (field, value) in values { _ = try tx.set(entity, row: row, field, to: value) }
                        brought[entity, default: 0] += 1
                    }
                    // No longer left under the removed account.
                    for (entity, row) in plan.composites { _ = try tx.set(entity, row: row, Merge.Plan.valueField(entity)!, to: .null) }
                }
                for month in months {
                    guard let m = month["month"].textValue.flatMap(Month.init) else { continue }
                    let row = RowKeys.scorecard(account: id, month: m)
                    if let own = try replica.record("scorecard", id: row), !own.deleted, own["recorded_on"] != .null { continue }
                    for spec in Schema.spec("scorecard").fields where month[spec.name] != .null {
                        _ = try tx.set("scorecard", row: row, spec.name, to: spec.name == "account" ? .text(id) : month[spec.name])
                    }
                    brought["scorecard", default: 0] += 1
                }
                _ = try Restoration.repoint(referrers, to: id, in: &tx, replica: replica)
            }
            let renamed = newName == source["name"].display ? "" : " (was \(source["name"].display))"
            print("Restored account \(newName)\(renamed) as \(short(id)): a new account holding the values the removed one (\(short(named.id))) had.")
            let kinds = replica.schema.entities.compactMap { e in brought[e.name].map { (entity: e.name, count: $0) } }
            if !kinds.isEmpty {
                let count = kinds.reduce(0) { $0 + $1.count }
                print("\(Restoration.counted(kinds)) left under it since it was removed \(count == 1 ? "is" : "are") at it again.")
            }
            if !referrers.isEmpty {
                print("\(referrers.count) account\(referrers.count == 1 ? "" : "s") merged into it name\(referrers.count == 1 ? "s" : "") this one as the account \(referrers.count == 1 ? "it was" : "they were") merged into.")
            }
            print(Restoration.shared(removed: removed))
        }
    }
}
