import ArgumentParser
import Foundation
import RapportKAM
import RapportReplica
import RapportSync

/// Bringing back what was removed by mistake. A removal stands for good (its tombstone wins over every edit, on
/// every replica, whenever they sync), so a record comes back as a new one holding the removed one's values, under
/// an id made of the removed one's (`RowKeys.restored`): two people who restore it apart restore one record, and
/// what pointed at the removed one points at it again. Restoring it again brings over what reached the removed
/// one since (a colleague's edit made before they heard of the restore, a record they added to it).
enum Restoration {
    /// Where a removed record stands: restored already (the live record), or to be restored from the last of its
    /// restored copies removed in turn (`source`) under `id`. `removed` is that chain of removed ids, the one
    /// named first.
    enum Found {
        case live(Record, removed: [String])
        case toRestore(source: Record, id: String, removed: [String])
    }

    static func follow(_ replica: Replica, _ entity: String, from removed: Record) throws -> Found {
        var source = removed
        var chain = [removed.id]
        // (Bounded by what the replica holds: each step reads a row a restore made.)
        while true {
            let next = RowKeys.restored(from: source.id)
            guard let record = try replica.record(entity, id: next) else { return .toRestore(source: source, id: next, removed: chain) }
            guard record.deleted else { return .live(record, removed: chain) }
            source = record
            chain.append(record.id)
        }
    }

    /// The command of each kind that has `restore`, by entity.
    static let commands: [String: String] = Dictionary(uniqueKeysWithValues: ([
        StakeholderKind.self, MeetingRecordKind.self, ActionKind.self, ConcernKind.self, NoteCommand.NoteKind.self, OpportunityKind.self,
        FlagKind.self, GoalKind.self, KPIKind.self, RoleKind.self, RiskKind.self,
    ] as [RecordKind.Type]).map { ($0.entity, $0.command) } + [("account", "rapport account")])

    /// The way back that a notice of a removed record gives: its restore, or, restored already, the restore again
    /// that brings over what reached the removed one since. Nil for a record that is not removed or has no restore.
    static func advice(_ replica: Replica, entity: String, row: String) throws -> String? {
        guard let command = commands[entity], let record = try replica.record(entity, id: row), record.deleted else { return nil }
        switch try follow(replica, entity, from: record) {
        case .live(let restored, _):
            return "it was restored since, as \(short(restored.id)): `\(command) restore \(short(row))` brings what reached the removed one to it"
        case .toRestore:
            return "`\(command) restore \(short(row))` brings it back if it should stay"
        }
    }

    /// A removed record a restore names, and where it stands.
    struct Match {
        var named: Record
        var found: Found
    }

    /// The removed records `query` names (its whole name or the start of its id, within an account when given, by
    /// the account it was at or the one in use that took its place): the one to restore, or every one named that
    /// was restored already (restored again, each gets what reached it since). A record restored and removed
    /// again is one record, named by its last removed copy.
    static func matches(
        _ replica: Replica, _ entity: String, query: String, nameField: String, noun: String, account: String?, listCommand: String
    ) throws -> [Match] {
        let scope = try account.map { try scopeAccount(replica, $0) }
        let typed = nameField == "date" ? meetingQuery(query) : query
        var removed = try replica.removedMatches(entity, typed, nameField: nameField)
        if let scope, entity != "account" {
            var inUse: [String: String] = [:]
            removed = try removed.filter { record in
                guard let id = record["account"].textValue else { return false }
                if id == scope.id { return true }
                if inUse[id] == nil { inUse[id] = try accountInUse(replica, id)?.record?.id ?? "" }
                return inUse[id] == scope.id
            }
        }
        let ids = Swift.Set(removed.map(\.id))
        let found = try removed.filter { !ids.contains(RowKeys.restored(from: $0.id)) }.map { Match(named: $0, found: try follow(replica, entity, from: $0)) }
        let pending = found.filter { if case .toRestore = $0.found { true } else { false } }
        if pending.count == 1 || (pending.isEmpty && !found.isEmpty) { return pending.isEmpty ? found : pending }
        let shown = Format.printable(query)
        if pending.isEmpty {
            if let live = try? replica.find(entity, typed, nameField: nameField, within: scope.map { ("account", .text($0.id)) }) {
                throw ValidationError("\(noun) \(live[nameField].display) (\(short(live.id))) is not removed: nothing to restore; nothing was changed")
            }
            let id = query.count < 4 && !query.isEmpty && query.allSatisfy(\.isHexDigit) ? "; the start of an id takes 4 characters or more" : ""
            throw ValidationError("no removed \(noun)\(scope.map { " of \($0["name"].display)" } ?? "") matches '\(shown)'\(id); nothing was changed: " +
                                  "give its whole \(nameField) or the start of its id, as the removal or `rapport history` showed it (`\(listCommand)` shows those in use)")
        }
        let each = try pending.prefix(8).map { match -> String in
            let record = match.named
            let removal = try replica.removedMatch(entity, record.id)
            let at = try record["account"].textValue.flatMap { try replica.record("account", id: $0) }.map { ", \($0["name"].display)" } ?? ""
            return "\(short(record.id))\(at)\(removal?.removedBy.map { ", removed by \($0)" } ?? "")\(removal?.removedMs.map { " at \(Format.shortTime($0))" } ?? "")"
        }
        let accounts = Swift.Set(pending.compactMap { $0.named["account"].textValue }).count
        throw ValidationError("'\(shown)' names \(pending.count) removed \(ReplicaError.noun(entity, plural: true)) (\(each.joined(separator: "; "))\(pending.count > 8 ? "; ..." : "")): " +
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

    /// The account that stands for a record's account now: itself; the one it was merged into; its restore, if it
    /// was removed; or, at the end of that chain, a removed account not restored (`removed`).
    enum AccountInUse {
        case live(Record)
        case removed(Record)

        var record: Record? { if case .live(let record) = self { record } else { nil } }
    }

    static func accountInUse(_ replica: Replica, _ id: String) throws -> AccountInUse? {
        guard var account = try replica.record("account", id: id) else { return nil }
        // (Bounded: merges made crosswise offline point at each other.)
        var seen: Swift.Set<String> = []
        while seen.insert(account.id).inserted {
            if account.deleted {
                guard case .live(let restored, _) = try follow(replica, "account", from: account) else { return .removed(account) }
                account = restored
            } else if let into = try Sync.mergedInto(replica, account, includeRemoved: true) {
                account = into
            } else {
                break
            }
        }
        return .live(account)
    }

    /// Records of other kinds that name any of `removed` by a reference to `entity`, live ones only (what was
    /// removed with it stays removed): an action agreed at a removed meeting, a KPI measuring a removed goal.
    /// The later removed copies' first, so that of two readings of one day, the later KPI's is kept.
    static func referrers(_ replica: Replica, to entity: String, removed: [String]) throws -> [(entity: String, field: String, record: Record)] {
        var found: [(String, String, Record)] = []
        for other in replica.schema.entities {
            for field in other.fields {
                // (An account's own records come back with it through the merge plan: see `carryRecords`.)
                guard case .reference(let target) = field.type, target == entity, entity != "account" || field.name != "account" else { continue }
                let records = try replica.records(other.name, whereIn: (field.name, removed.map { .text($0) }))
                let order = Dictionary(uniqueKeysWithValues: removed.enumerated().map { ($1, $0) })
                for record in records.sorted(by: { order[$0[field.name].display] ?? 0 > order[$1[field.name].display] ?? 0 }) {
                    found.append((other.name, field.name, record))
                }
            }
        }
        return found
    }

    /// Points what named the removed record at the restored one. A KPI reading's id is made of its KPI's, so it
    /// is written anew under the restored KPI (where it has none for that day yet) rather than moved. Returns the
    /// count by kind, in the order met.
    static func repoint(_ referrers: [(entity: String, field: String, record: Record)], to id: String, in tx: inout LocalTransaction, replica: Replica) throws -> [(entity: String, count: Int)] {
        var counts: [(entity: String, count: Int)] = []
        var written: Swift.Set<String> = []
        for (entity, field, record) in referrers {
            if entity == "kpi_reading" {
                guard let day = record["date"].day, record["value"] != .null else { continue }
                let row = RowKeys.reading(kpi: id, date: day)
                if written.contains(row) { continue }
                if let own = try replica.record(entity, id: row), !own.deleted, own["value"] != .null { continue }
                written.insert(row)
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

    /// What a restored account brings from its removed chain: records colleagues added to it while it was being
    /// removed (moved, or written anew for the kinds whose id is made of the account's), and its recorded months,
    /// which were its own. Counts by entity.
    static func carryRecords(_ replica: Replica, removed: [String], to restored: Record, in tx: inout LocalTransaction) throws -> [String: Int] {
        var brought: [String: Int] = [:]
        for account in try removed.compactMap({ try replica.record("account", id: $0) }) {
            let plan = try AccountCommand.Merge.Plan(replica, copy: account, kept: restored)
            for (entity, row) in plan.moves {
                _ = try tx.set(entity, row: row, "account", to: .text(restored.id))
                brought[entity, default: 0] += 1
            }
            for (entity, row, values) in plan.copies {
                for (field, value) in values { _ = try tx.set(entity, row: row, field, to: value) }
                brought[entity, default: 0] += 1
            }
            // No longer left under the removed account.
            for (entity, row) in plan.composites { _ = try tx.set(entity, row: row, AccountCommand.Merge.Plan.valueField(entity)!, to: .null) }
        }
        for month in try replica.records("scorecard", whereIn: ("account", removed.map { .text($0) })) {
            guard let m = month["month"].textValue.flatMap(Month.init), month["recorded_on"] != .null else { continue }
            let row = RowKeys.scorecard(account: restored.id, month: m)
            if let own = try replica.record("scorecard", id: row), !own.deleted, own["recorded_on"] != .null { continue }
            for spec in Schema.spec("scorecard").fields where month[spec.name] != .null {
                _ = try tx.set("scorecard", row: row, spec.name, to: spec.name == "account" ? .text(restored.id) : month[spec.name])
            }
            brought["scorecard", default: 0] += 1
        }
        return brought
    }

    /// The fields a colleague set on the removed record after it was restored (before they heard of the restore):
    /// set on the restored one where that came later than its own value, as last writer wins would have had it.
    /// Texts in review on the restored record are left to the review. Returns the fields set.
    static func carryFields(_ replica: Replica, _ entity: String, removed: [String], to restored: Record, except: [String], in tx: inout LocalTransaction) throws -> [String] {
        var set: [String] = []
        for spec in Schema.spec(entity).fields where !except.contains(spec.name) {
            let later = try removed.compactMap { try replica.latestOperation(on: FieldKey(entity: entity, row: $0, field: spec.name)) }
                .max { RapportSync.Operation.isOrdered($0, before: $1) }
            guard let later, later.value != restored[spec.name] else { continue }
            if let own = try replica.latestOperation(on: FieldKey(entity: entity, row: restored.id, field: spec.name)),
               !RapportSync.Operation.isOrdered(own, before: later) { continue }
            if spec.merge == .reviewedText {
                guard (try? replica.textSeen(entity, row: restored.id, spec.name)) != nil else { continue }
                _ = try tx.editText(entity, row: restored.id, spec.name, to: later.value)
            } else {
                _ = try tx.set(entity, row: restored.id, spec.name, to: later.value)
            }
            set.append(spec.name)
        }
        return set
    }

    /// The other versions of each text in review when the record was removed: written beside the version the
    /// restored record shows, so that the review is open again on it rather than settled by the removal.
    static func reviews(_ replica: Replica, source: Record) throws -> [(field: String, texts: [FieldValue])] {
        try replica.conflicts(all: true).filter { $0.key.row == source.id && $0.status == "removed" }.compactMap { conflict in
            var texts: [FieldValue] = []
            for head in conflict.heads {
                guard let value = try replica.operation(head, on: conflict.key)?.value, value != source[conflict.key.field], !texts.contains(value) else { continue }
                texts.append(value)
            }
            return texts.isEmpty ? nil : (conflict.key.field, texts)
        }
    }

    /// "2 actions and 1 KPI": counts by kind.
    static func counted(_ counts: [(entity: String, count: Int)]) -> String {
        Format.list(counts.map { "\($0.count) \(ReplicaError.noun($0.entity, plural: $0.count != 1))" }, conjunction: "and")
    }

    /// A field as a sentence names it: "the acknowledge text", "the notes".
    static func fieldName(_ field: String) -> String { field.replacingOccurrences(of: "_", with: " ") }

    /// Whether a field's name is plural to a sentence ("its notes are", "its body is").
    static func plural(_ field: String) -> Bool { field.hasSuffix("s") }

    /// The lines a restore closes with: reviews opened again, and where the removed one's history stays.
    static func closing(_ reopened: [String], source: Record) -> [String] {
        reopened.map { field in
            "Its \(fieldName(field)) \(plural(field) ? "were" : "was") in review when it was removed: the review is open again on the restored one (`rapport conflicts`), " +
                "every version now under your name; who wrote each is in `rapport history \(short(source.id))`."
        } + ["The removal stands, for everyone; what the removed one held and who changed it is in `rapport history \(short(source.id))`. `rapport sync` shares the restore."]
    }

    /// What restoring a record restored already says: what it brought over, or that nothing changed.
    static func again(_ named: Record, label: String, as restored: Record, fields: [String], records: String) -> String {
        let what = (fields.map { "its \(fieldName($0))" } + (records.isEmpty ? [] : [records]))
        guard !what.isEmpty else { return "\(label) (\(short(named.id))) was restored already, as \(short(restored.id)): nothing was changed." }
        return "\(label) (\(short(named.id))) was restored already, as \(short(restored.id)): brought to it what reached the removed one since: \(Format.list(what, conjunction: "and"))."
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
                at its account (or the account that took its place); records that named the removed one name it again. Two people who \
                restore the same one apart restore one record. Restored already, it gets what reached the removed one since.
                """)
    }

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The removed \(Kind.noun)'s whole \(Kind.nameField), or the start of its id (4 characters or more).") var target: String
    @Option(help: "The account, when the \(Kind.nameField) alone names removed \(ReplicaError.noun(Kind.entity, plural: true)) of several.") var account: String?

    func run() throws {
        let replica = try replica.open()
        let matches = try Restoration.matches(
            replica, Kind.entity, query: target, nameField: Kind.nameField, noun: Kind.noun, account: account, listCommand: Kind.listCommand)
        let label = { (r: Record) in "The \(Kind.noun)\(r[Kind.nameField].display.isEmpty ? "" : " \(r[Kind.nameField].display)")" }
        for match in matches {
            switch match.found {
            case .live(let restored, let removed):
                let (fields, records) = try replica.change { tx in
                    (try Restoration.carryFields(replica, Kind.entity, removed: removed, to: restored, except: ["account"], in: &tx),
                     try Restoration.repoint(try Restoration.referrers(replica, to: Kind.entity, removed: removed), to: restored.id, in: &tx, replica: replica))
                }
                print(Restoration.again(match.named, label: label(match.named), as: restored, fields: fields, records: records.isEmpty ? "" : Restoration.counted(records)))
            case .toRestore(let source, let id, let removed):
                try restore(replica, source: source, id: id, removed: removed)
            }
        }
    }

    func restore(_ replica: Replica, source: Record, id: String, removed: [String]) throws {
        let accountID = source["account"].textValue ?? ""
        let account: Record
        switch try Restoration.accountInUse(replica, accountID) {
        case .live(let record)?:
            account = record
        case .removed(let end)?:
            let removal = try replica.removedMatch("account", end.id)
            let via = end.id == accountID ? "" : "was merged into \(end["name"].display) (\(short(end.id))), which "
            throw ValidationError("its account \(try Lookup.accountName(replica, accountID)) (\(short(accountID))) \(via)was removed\(removal?.removedBy.map { " by \($0)" } ?? "") too; " +
                                  "nothing was changed: `rapport account restore \(short(end.id))` brings that account back first")
        case nil:
            throw ValidationError("its account (\(short(accountID))) is not on this replica: `rapport sync`, then restore it; nothing was changed")
        }
        let referrers = try Restoration.referrers(replica, to: Kind.entity, removed: removed)
        var values: [(String, FieldValue)] = []
        for spec in Schema.spec(Kind.entity).fields {
            values.append((spec.name, spec.name == "account" ? .text(account.id) : try Self.inUse(replica, spec, source[spec.name])))
        }
        let reviews = try Restoration.reviews(replica, source: source)
        let blank = try reviews.isEmpty ? nil : replica.textSeen(Kind.entity, row: id, reviews[0].field)
        let repointed = try replica.change { tx in
            for (field, value) in values where value != .null { _ = try tx.set(Kind.entity, row: id, field, to: value) }
            // Beside the version shown, as versions none of the others saw: in review again.
            for (field, texts) in reviews {
                for text in texts { _ = try tx.editText(Kind.entity, row: id, field, to: text, seen: blank) }
            }
            return try Restoration.repoint(referrers, to: id, in: &tx, replica: replica)
        }
        print("Restored \(Kind.noun)\(source[Kind.nameField].display.isEmpty ? "" : " \(source[Kind.nameField].display)") as \(short(id)), " +
              "a new record holding the values the removed one (\(short(source.id))) had.")
        if account.id != accountID {
            let went = try replica.record("account", id: accountID)?.deleted == true ? "was removed and restored as it" : "was merged into it"
            print("It is at \(account["name"].display) (\(short(account.id))): its account \(try Lookup.accountName(replica, accountID)) (\(short(accountID))) \(went).")
        }
        if !repointed.isEmpty {
            let count = repointed.reduce(0) { $0 + $1.count }
            print("\(Restoration.counted(repointed)) that named the removed one \(count == 1 ? "names" : "name") this one now.")
        }
        for line in Restoration.closing(reviews.map(\.field), source: source) { print(line) }
        if account["archived"] == .bool(true) {
            warn("note: its account \(account["name"].display) (\(short(account.id))) is archived, so the \(Kind.noun) is off the lists with it " +
                 "(`rapport account set \(short(account.id)) archived=false` brings the account back)")
        }
    }

    /// A reference as the restored record keeps it: to the restore of a record removed and restored since (a KPI
    /// restored after its goal names the goal restored), else as it was.
    static func inUse(_ replica: Replica, _ spec: FieldSpec, _ value: FieldValue) throws -> FieldValue {
        guard case .reference(let entity) = spec.type, entity != "account", let id = value.textValue, let target = try replica.record(entity, id: id), target.deleted,
              case .live(let restored, _) = try Restoration.follow(replica, entity, from: target) else { return value }
        return .text(restored.id)
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
                restore one account. Restored already, it gets what reached the removed one since.
                """)
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The removed account's whole name, or the start of its id (4 characters or more).") var account: String
        @Option(help: "A name for it, when an account in use has its name now.") var name: String?

        func run() throws {
            let replica = try replica.open()
            let matches = try Restoration.matches(replica, "account", query: account, nameField: "name", noun: "account", account: nil, listCommand: "rapport account list")
            // No sync may land records on the removed account between reading what it holds and bringing them over.
            let lock = try SyncAlreadyRunning.take(self.replica.path, then: "restore it again")
            defer { if let lock { close(lock) } }
            for match in matches {
                switch match.found {
                case .live(let restored, let removed):
                    let (fields, brought) = try replica.change { tx in
                        let fields = try Restoration.carryFields(replica, "account", removed: removed, to: restored, except: ["name", "archived", "merged_into"], in: &tx)
                        var brought = try Restoration.carryRecords(replica, removed: removed, to: restored, in: &tx)
                        let merged = try Restoration.repoint(try Restoration.referrers(replica, to: "account", removed: removed), to: restored.id, in: &tx, replica: replica)
                        for (entity, count) in merged { brought[entity, default: 0] += count }
                        return (fields, brought)
                    }
                    let records = Restoration.counted(replica.schema.entities.compactMap { e in brought[e.name].map { (entity: e.name, count: $0) } })
                    print(Restoration.again(match.named, label: match.named["name"].display, as: restored, fields: fields, records: records))
                    if name != nil {
                        print("--name was not used: `rapport account set \(short(restored.id)) name=...` renames it.")
                    }
                case .toRestore(let source, let id, let removed):
                    try restore(replica, source: source, id: id, removed: removed)
                }
            }
        }

        func restore(_ replica: Replica, source: Record, id: String, removed: [String]) throws {
            let newName = name.map(AccountName.normalized) ?? source["name"].display
            do {
                try AccountCommand.check(name: newName, in: replica)
            } catch let error as ValidationError where name == nil {
                throw ValidationError("\(error.message.replacingOccurrences(of: "nothing was saved: give this one a distinct name", with: "nothing was changed: restore it under a distinct name with --name"))")
            }
            var restored = source
            restored.id = id
            restored.deleted = false
            let referrers = try Restoration.referrers(replica, to: "account", removed: removed)
            let brought = try replica.change { tx in
                for spec in AccountCommand.entity.fields where !["archived", "merged_into"].contains(spec.name) {
                    let value = spec.name == "name" ? .text(newName) : source[spec.name]
                    if value != .null { _ = try tx.set("account", row: id, spec.name, to: value) }
                }
                let brought = try Restoration.carryRecords(replica, removed: removed, to: restored, in: &tx)
                _ = try Restoration.repoint(referrers, to: id, in: &tx, replica: replica)
                return brought
            }
            let renamed = newName == source["name"].display ? "" : " (was \(source["name"].display))"
            print("Restored account \(newName)\(renamed) as \(short(id)), a new account holding the values the removed one (\(short(source.id))) had.")
            let kinds = replica.schema.entities.compactMap { e in brought[e.name].map { (entity: e.name, count: $0) } }
            if !kinds.isEmpty {
                let count = kinds.reduce(0) { $0 + $1.count }
                print("\(Restoration.counted(kinds)) left under it since it was removed \(count == 1 ? "is" : "are") at it again.")
            }
            if !referrers.isEmpty {
                print("\(referrers.count) account\(referrers.count == 1 ? "" : "s") merged into it name\(referrers.count == 1 ? "s" : "") this one as the account \(referrers.count == 1 ? "it was" : "they were") merged into.")
            }
            for line in Restoration.closing([], source: source) { print(line) }
        }
    }
}
