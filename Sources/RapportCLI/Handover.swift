import ArgumentParser
import RapportKAM
import RapportReplica
import RapportSync

extension AccountCommand {
    /// `rapport account handover`: a manager's accounts and open actions to a colleague who covers for them (a
    /// holiday, a leave), and back. It was one `account set` per account and one `action set` per action, and a
    /// hand-back by owner would also have handed over the colleague's own accounts: the hand-back command it
    /// prints names exactly what was handed over.
    struct Handover: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "handover",
            abstract: "Hand a manager's accounts and open actions to a colleague, and back.",
            discussion: """
                Without --account or --action: every live account FROM owns, and FROM's open actions on any account. \
                With them: those accounts (FROM's open actions on them go too, unless --named-only) and those actions. \
                Done actions keep their owner (they are history), and archived accounts stay as they are: named, they \
                are left, and said. It prints the command that hands exactly these back, each named.
                """)
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Who hands over: their user name.") var from: String
        @Option(help: "Who takes over: their user name.") var to: String
        @Option(help: "Only this account (its name or the start of its id); repeat for more.") var account: [String] = []
        @Option(help: "Only this action (the start of its id or its text); repeat for more.") var action: [String] = []
        @Flag(name: .customLong("named-only"), help: "Only the accounts and actions named, not FROM's other open actions on those accounts (the printed hand-back uses it).")
        var namedOnly = false
        @Flag(help: "Show what would be handed over; change nothing.") var dryRun = false

        func validate() throws {
            for (option, value) in [("--from", from), ("--to", to)] where value.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("\(option) needs a user name, e.g. \(option) alice")
            }
            if sameIgnoringCase(from.trimmingCharacters(in: .whitespaces), to.trimmingCharacters(in: .whitespaces)) {
                throw ValidationError("--from and --to name one person ('\(from)'): give the colleague who takes over as --to")
            }
            if namedOnly, account.isEmpty, action.isEmpty { throw ValidationError("--named-only needs --account or --action: the accounts and actions to hand over") }
        }

        func run() throws {
            let from = from.trimmingCharacters(in: .whitespaces)
            let replica = try replica.open()
            // Checked before anything is chosen: a mistyped --from would hand over nothing, and say only that.
            if let unknown = try noOwnerNotice(from, replica: replica) { throw ValidationError("\(unknown); nothing was changed") }
            let spelled = try ownersSpelledAsSynced([("owner", .text(to.trimmingCharacters(in: .whitespaces)))], replica: replica, dryRun: dryRun)
            let to = spelled.values[0].1.display
            let owned = { (r: Record) in sameIgnoringCase(r["owner"].display, from) }
            // An action owned by a person of the customer's whose name is FROM's in other capitals ("Alice", a
            // buyer, beside the teammate alice) is theirs, not FROM's: owners typed as a teammate are stored as
            // that teammate syncs.
            let teammates = try replica.authors().union([try replica.identity().user])
            var people: [String: Swift.Set<String>] = [:]
            func customers(_ action: Record) throws -> Bool {
                let name = action["owner"].display, account = action["account"].display
                guard !teammates.contains(name) else { return false }
                if people[account] == nil {
                    people[account] = Swift.Set(try replica.records("stakeholder", where: ("account", .text(account)), fields: ["name"]).map { AccountName.key($0["name"].display) })
                }
                return people[account]!.contains(AccountName.key(name))
            }
            let everything = account.isEmpty && action.isEmpty

            var accounts: [Record] = [], actions: [Record] = []
            // Named records no longer FROM's to give (done, archived, someone else's since) are left, and said:
            // a hand-back failed outright once the deputy had done one of the actions it names.
            var skipped: [(record: Record, kind: String, why: String)] = []
            if everything {
                accounts = try replica.records("account", mayEqualIgnoringCase: ("owner", from)).filter { $0["archived"] != .bool(true) && owned($0) }
            }
            // A whole id (as the printed hand-back gives them) is that record, removed or not: a removed one is
            // left like a done one, where the lookup refused the whole hand-back.
            func named(_ entity: String, _ query: String, find: () throws -> Record) throws -> Record {
                if query.count == 36, let record = try replica.record(entity, id: query.lowercased()) { return record }
                return try find()
            }
            var otherOwners: [String] = []
            for query in account {
                let record = try named("account", query) { try Lookup.account(replica, query) }
                guard !accounts.contains(where: { $0.id == record.id }), !skipped.contains(where: { $0.record.id == record.id }) else { continue }
                if record.deleted { skipped.append((record, "account", "was removed")) }
                else if record["archived"] == .bool(true) { skipped.append((record, "account", "is archived")) }
                else if !owned(record) {
                    skipped.append((record, "account", "is \(record["owner"].display)'s"))
                    // FROM's open actions on it go still, as on the accounts FROM owns.
                    otherOwners.append(record.id)
                } else { accounts.append(record) }
            }
            for query in action {
                // Not `ActionKind.find`: its advice for a text several accounts' actions share is --account, which here
                // hands that account over too. Of several, FROM's one open action is meant (the others could not go).
                let record = try named("action", query) {
                    try Lookup.find(replica, "action", query, nameField: ActionKind.nameField, listCommand: ActionKind.listCommand,
                                    preferring: { try owned($0) && $0["done"] != .bool(true) && !customers($0) })
                }
                guard !actions.contains(where: { $0.id == record.id }), !skipped.contains(where: { $0.record.id == record.id }) else { continue }
                let home = try replica.record("account", id: record["account"].display)
                let theirs = try !owned(record) || customers(record)
                if record.deleted { skipped.append((record, "action", "was removed")) }
                else if record["done"] == .bool(true) { skipped.append((record, "action", "is done (done actions keep their owner)")) }
                else if theirs { skipped.append((record, "action", "is \(record["owner"].display)'s")) }
                else if home == nil || home!.deleted || home!["archived"] == .bool(true) { skipped.append((record, "action", "is on an archived or removed account")) }
                else { actions.append(record) }
            }
            // FROM's open actions: on the accounts named (or handed over), or, handing over everything, on any live account.
            let scope = Swift.Set(accounts.map(\.id) + otherOwners)
            var accountOf: [String: Record?] = Dictionary(uniqueKeysWithValues: accounts.map { ($0.id, $0) })
            if !namedOnly {
                for record in try replica.records("action", mayEqualIgnoringCase: ("owner", from)) where owned(record) && record["done"] != .bool(true) {
                    if try customers(record) { continue }
                    let accountID = record["account"].display
                    guard !actions.contains(where: { $0.id == record.id }), everything || scope.contains(accountID) else { continue }
                    if accountOf[accountID] == nil { accountOf[accountID] = try replica.record("account", id: accountID) }
                    guard let owner = accountOf[accountID] ?? nil, !owner.deleted, owner["archived"] != .bool(true) else { continue }
                    actions.append(record)
                }
            }
            for record in actions where accountOf[record["account"].display] == nil {
                accountOf[record["account"].display] = try replica.record("account", id: record["account"].display)
            }
            accounts.sort { Replica.sortKey($0["name"].display) < Replica.sortKey($1["name"].display) }
            let name = { (r: Record) in (accountOf[r["account"].display] ?? nil)?["name"].display ?? "?" }
            actions.sort { (Replica.sortKey(name($0)), $0["due"].display, $0["text"].display) < (Replica.sortKey(name($1)), $1["due"].display, $1["text"].display) }

            if !dryRun, !(accounts.isEmpty && actions.isEmpty) {
                try replica.change { tx in
                    for record in accounts { _ = try tx.set("account", row: record.id, "owner", to: .text(to)) }
                    for record in actions { _ = try tx.set("action", row: record.id, "owner", to: .text(to)) }
                }
            }
            // Exactly these, back, each named: by owner, or by account with the actions on it, it would hand over
            // TO's own too. Back to the owner as they were written ("bob" for --from Bob).
            let owner = (accounts + actions).first?["owner"].display ?? from
            // By whole ids: a prefix of 8 could also be the start of an account's name ("1134d4d5 Holdings").
            let back = accounts.isEmpty && actions.isEmpty ? nil : "rapport account handover --from \(Shell.quote(to)) --to \(Shell.quote(owner)) --named-only" +
                accounts.map { " --account \($0.id)" }.joined() + actions.map { " --action \($0.id)" }.joined()
            for s in skipped {
                warn("note: left \(s.kind == "account" ? s.record["name"].display : "the action '\(s.record["text"].display)'") (\(short(s.record.id))): it \(s.why)")
            }
            if let note = spelled.note { warn("note: \(note)") }
            // Handed over, the correction hands back what went to the wrong name; in a dry run, nothing went: the
            // command itself to the right name (the hand-back, from a name that holds nothing, would move nothing).
            let rerun = "rapport account handover --from \(Shell.quote(from)) --to USER " + (namedOnly ? "--named-only " : "") +
                account.map { "--account \(Shell.quote($0)) " }.joined() + action.map { "--action \(Shell.quote($0)) " }.joined() + "--dry-run"
            if let back, let notice = try unknownOwnerNotice(.text(to), replica: replica, command: "",
                                                              correction: dryRun ? rerun : back.replacingOccurrences(of: " --to \(Shell.quote(owner)) ", with: " --to USER ")) {
                warn("note: \(notice)")
            }
            if output.json {
                return try JSON.object([
                    "from": .string(owner), "to": .string(to), "dry_run": .bool(dryRun),
                    "accounts": .array(accounts.map { .object(["id": .string($0.id), "name": .string($0["name"].display)]) }),
                    "actions": .array(actions.map { r in
                        .object(["id": .string(r.id), "text": .string(r["text"].display), "account_id": .string(r["account"].display),
                                 "account_name": .string(name(r)), "due": r["due"].day.map { .string($0.description) } ?? .null])
                    }),
                    "skipped": .array(skipped.map { s in
                        .object(["kind": .string(s.kind), "id": .string(s.record.id), "why": .string(s.why),
                                 (s.kind == "account" ? "name" : "text"): .string(s.record[s.kind == "account" ? "name" : "text"].display)])
                    }),
                    "hand_back": back.map(JSON.string) ?? .null,
                ]).print()
            }
            guard let back else {
                return print("Nothing to hand over: \(from) owns no live account and no open action\(everything ? "" : " among those given") here.")
            }
            let counts = [accounts.isEmpty ? nil : "\(accounts.count) account\(accounts.count == 1 ? "" : "s")",
                          actions.isEmpty ? nil : "\(actions.count) open action\(actions.count == 1 ? "" : "s")"].compactMap { $0 }.joined(separator: " and ")
            print("\(dryRun ? "Would hand" : "Handed") \(counts) from \(owner) to \(to)\(dryRun ? " (nothing was changed)" : ""):")
            for r in accounts { print("  account  \(r["name"].display) (\(short(r.id)))") }
            for r in actions { print("  action   \(r["text"].display) (\(short(r.id)), \(name(r))\(r["due"].day.map { ", due \($0)" } ?? ""))") }
            if !dryRun { print("Hand them back with `\(back)`.") }
        }
    }
}
