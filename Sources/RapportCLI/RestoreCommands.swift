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

    /// The kinds that have `restore`.
    static let kinds: [RecordKind.Type] = [
        StakeholderKind.self, MeetingRecordKind.self, ActionKind.self, ConcernKind.self, NoteCommand.NoteKind.self, OpportunityKind.self,
        FlagKind.self, GoalKind.self, KPIKind.self, RoleKind.self, RiskKind.self,
    ]

    /// The command of each kind that has `restore`, by entity.
    static let commands: [String: String] = Dictionary(uniqueKeysWithValues: kinds.map { ($0.entity, $0.command) } + [("account", "rapport account")])

    /// The field each such kind is named by, by entity.
    static let nameFields: [String: String] = Dictionary(uniqueKeysWithValues: kinds.map { ($0.entity, $0.nameField) } + [("account", "name")])

    /// The way back that a notice of a removed record gives: its restore, or, restored already, the restore again
    /// that brings over what reached the removed one since. Nil for a record that is not removed or has no restore.
    /// Refuses text written in $EDITOR for a record removed meanwhile (a sync brought a colleague's removal):
    /// saved onto it, the text went where no one sees it, with "Updated" said. `Editor` keeps the file.
    static func refuseIfRemoved(_ replica: Replica, entity: String, row: String, noun: String) throws {
        guard let now = try replica.record(entity, id: row), now.deleted else { return }
        let by = try replica.latestOperation(on: FieldKey(entity: entity, row: row, field: Schema.deletedField))
            .map { " by \($0.author)\(Today.day(ms: $0.time.ms).map { " on \($0)" } ?? "")" } ?? ""
        let back = try advice(replica, entity: entity, row: row).map { ": \($0), then give your text again" } ?? ""
        throw ValidationError("\(noun) \(short(row)) was removed\(by) while you edited it, so nothing was saved\(back)")
    }

    static func advice(_ replica: Replica, entity: String, row: String) throws -> String? {
        guard let command = commands[entity], let record = try replica.record(entity, id: row), record.deleted else { return nil }
        switch try follow(replica, entity, from: record) {
        case .live(let restored, _):
            return "it was restored since, as \(short(restored.id)): `\(command) restore \(short(row))` brings what reached the removed one to it"
        case .toRestore:
            return "`\(command) restore \(short(row))` brings it back if it was removed by mistake"
        }
    }

    /// The restore of a removed account as advice: the account back, with `them` (the records left under it); or,
    /// restored already, them brought to the account it was restored as.
    static func accountBack(_ replica: Replica, _ id: String, with them: String? = nil) throws -> String {
        let command = "`rapport account restore \(short(id))`"
        if let removed = try replica.record("account", id: id), removed.deleted, case .live(let restored, _) = try follow(replica, "account", from: removed) {
            return "\(command) brings \(them ?? "what is left under it") to \(restored["name"].display) (\(short(restored.id))), the account it was restored as"
        }
        return "\(command) brings \(them.map { "the account back with \($0)" } ?? "it back")"
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
        _ replica: Replica, _ entity: String, query: String, nameField: String, noun: String, scope: Record?, listCommand: String
    ) throws -> [Match] {
        let typed = nameField == "date" ? meetingQuery(query) : query
        var removed = try replica.removedMatches(entity, typed, nameField: nameField)
        if let scope, entity != "account" {
            // The account it was at, the one in use that took its place, or, where its own is removed and not
            // restored, the account in use given to restore it at.
            var inUse: [String: String] = [:]
            removed = try removed.filter { record in
                guard let id = record["account"].textValue else { return false }
                if id == scope.id { return true }
                if inUse[id] == nil {
                    switch try accountInUse(replica, id) {
                    case .live(let account)?: inUse[id] = account.id
                    case .removed?: inUse[id] = scope.deleted ? "" : scope.id
                    case nil: inUse[id] = ""
                    }
                }
                return inUse[id] == scope.id
            }
        }
        // Each from the first removed record of its chain, so that the restore sees every edit made on any of them.
        var roots: [Record] = []
        for record in removed {
            var root = record
            var seen: Swift.Set = [root.id]
            while let before = try restoredFrom(replica, entity, root), seen.insert(before.id).inserted { root = before }
            if !roots.contains(where: { $0.id == root.id }) { roots.append(root) }
        }
        let found = try roots.map { Match(named: $0, found: try follow(replica, entity, from: $0)) }
        let pending = found.filter { if case .toRestore = $0.found { true } else { false } }
        if pending.count == 1 || (pending.isEmpty && !found.isEmpty) { return pending.isEmpty ? found : pending }
        let shown = Format.printable(query)
        if pending.isEmpty {
            if let live = try? replica.find(entity, typed, nameField: nameField, within: scope.map { ("account", .text($0.id)) }) {
                // The record a restore made, named by its new id or name: the removed one is what restores again.
                let from = try restoredFrom(replica, entity, live).map { "; it was restored from \(short($0.id)), and `\(commands[entity] ?? "rapport \(entity)") restore \(short($0.id))` brings what reached that one since" } ?? ""
                throw ValidationError("\(noun) \(live[nameField].display) (\(short(live.id))) is not removed: nothing to restore\(from); nothing was changed")
            }
            let id = query.count < 4 && !query.isEmpty && query.allSatisfy(\.isHexDigit) ? "; the start of an id takes 4 characters or more" : ""
            throw ValidationError("no removed \(noun)\(scope.map { " of \($0["name"].display)" } ?? "") matches '\(shown)'\(id); nothing was changed: " +
                                  "give \(namePhrase(nameField)) or the start of its id, as the removal or `rapport history` showed it (`\(listCommand)` shows those in use)")
        }
        let each = try pending.prefix(8).map { match -> String in
            // Named by the one removed last, as the removal showed it.
            guard case .toRestore(let record, _, _) = match.found else { return "" }
            let removal = try replica.removedMatch(entity, record.id)
            let at = try record["account"].textValue.flatMap { try replica.record("account", id: $0) }.map { ", \($0["name"].display)" } ?? ""
            return "\(short(record.id))\(at)\(removal?.removedBy.map { ", removed by \($0)" } ?? "")\(removal?.removedMs.map { " at \(Format.shortTime($0))" } ?? "")"
        }
        let accounts = Swift.Set(pending.compactMap { $0.named["account"].textValue }).count
        throw ValidationError("'\(shown)' names \(pending.count) removed \(ReplicaError.noun(entity, plural: true)) (\(each.joined(separator: "; "))\(pending.count > 8 ? "; ..." : "")): " +
                              "give the start of the id of the one to restore\(accounts > 1 && scope == nil && entity != "account" ? ", or --account ACCOUNT" : ""); nothing was changed")
    }

    /// How a record is named, for advice: "its whole name", "its date".
    static func namePhrase(_ field: String) -> String {
        ["date": "its date", "person": "the person's whole name", "text": "its whole text", "outcome": "its whole outcome"][field] ?? "its whole \(field)"
    }

    /// The removed record a restore made `record` from (a restored record's id is made of it), if any: looked for
    /// among the removed rows of the name the restore gave it, not every removed row.
    static func restoredFrom(_ replica: Replica, _ entity: String, _ record: Record) throws -> Record? {
        guard let nameField = nameFields[entity], let name = try replica.history(row: record.id).first(where: { $0.field == nameField })?.value.textValue else { return nil }
        return try replica.removedRecords(entity, mayEqualIgnoringCase: (nameField, name)).first { RowKeys.restored(from: $0.id) == record.id }
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
                if case .live(let restored, _) = try follow(replica, "account", from: account) {
                    account = restored
                } else if let id = account["merged_into"].textValue, let into = try replica.record("account", id: id) {
                    // Merged, then removed: its records went to the account it was merged into.
                    account = into
                } else {
                    return .removed(account)
                }
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
                var records = try replica.records(other.name, whereIn: (field.name, removed.map { .text($0) }))
                // A copy's `merged_into` only where it stands (not one brought back since, whose mark is left over).
                if field.name == "merged_into" {
                    records = try records.filter { try Sync.mergedInto(replica, $0, includeRemoved: true).map { removed.contains($0.id) } ?? false }
                }
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
                // One the restored KPI has for that day stands, unless this one was set later (a correction
                // that reached the removed KPI after the restore); one removed stays removed.
                if let own = try replica.record(entity, id: row) {
                    if own.deleted { continue }
                    // (One taken back, its value cleared, stays so likewise.)
                    if try !isLater(replica, entity, record.id, than: row, field: "value") { continue }
                }
                written.insert(row)
                for spec in Schema.spec(entity).fields where record[spec.name] != .null || spec.name == field {
                    let op = spec.name == field ? nil : try replica.latestOperation(on: FieldKey(entity: entity, row: record.id, field: spec.name))
                    try write(entity, row: row, spec.name, spec.name == field ? .text(id) : record[spec.name], copying: op, in: &tx)
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
            // Scores and overrides: each one's latest value, the restore's own clearing of it aside (a correction
            // made before the restore that reached it after), where it came later than the restored account's.
            for entity in ["score", "scorecard_override"] {
                let valueField = AccountCommand.Merge.Plan.valueField(entity)!
                for removedRow in try replica.records(entity, where: ("account", .text(account.id))) {
                    guard let key = AccountCommand.Merge.Plan.compositeKey(entity, removedRow, account: restored.id),
                          let value = try replica.history(row: removedRow.id).filter({ $0.field == valueField && $0.value != .null })
                            .max(by: { RapportSync.Operation.isOrdered($0, before: $1) }) else { continue }
                    if let own = try replica.record(entity, id: key), own.deleted { continue }
                    guard isLater(value, than: try replica.latestOperation(on: FieldKey(entity: entity, row: key, field: valueField))) else { continue }
                    try copyRow(removedRow, entity: entity, to: key, account: restored.id, value: (valueField, value), in: &tx, replica: replica)
                    brought[entity, default: 0] += 1
                }
            }
            // No longer left under the removed account.
            for (entity, row) in plan.composites { _ = try tx.set(entity, row: row, AccountCommand.Merge.Plan.valueField(entity)!, to: .null) }
        }
        for month in try replica.records("scorecard", whereIn: ("account", removed.map { .text($0) })) {
            guard let m = month["month"].textValue.flatMap(Month.init), month["recorded_on"] != .null else { continue }
            let row = RowKeys.scorecard(account: restored.id, month: m)
            if let own = try replica.record("scorecard", id: row) {
                if own.deleted { continue }
                if own["recorded_on"] != .null, try !isLater(replica, "scorecard", month.id, than: row, field: "recorded_on") { continue }
            }
            try copyRow(month, entity: "scorecard", to: row, account: restored.id, in: &tx, replica: replica)
            brought["scorecard", default: 0] += 1
        }
        return brought
    }

    /// Whether `row`'s value of a field was set after `other`'s (or `other` has none): strictly by time, since a
    /// copy holds the time of the value it copies, and only the replica ids would tell the two apart.
    static func isLater(_ replica: Replica, _ entity: String, _ row: String, than other: String, field: String) throws -> Bool {
        guard let mine = try replica.latestOperation(on: FieldKey(entity: entity, row: row, field: field)) else { return false }
        return try isLater(mine, than: replica.latestOperation(on: FieldKey(entity: entity, row: other, field: field)))
    }

    static func isLater(_ mine: RapportSync.Operation, than theirs: RapportSync.Operation?) -> Bool {
        theirs.map { $0.time < mine.time } ?? true
    }

    /// Writes a record of a kind whose id is made of its account's under the restored account, each value copied
    /// with the time of the operation that set it (`value` over the row's own, for one the restore cleared).
    static func copyRow(_ removed: Record, entity: String, to row: String, account: String, value: (field: String, op: RapportSync.Operation)? = nil,
                        in tx: inout LocalTransaction, replica: Replica) throws {
        for spec in Schema.spec(entity).fields {
            if spec.name == "account" { _ = try tx.set(entity, row: row, "account", to: .text(account)); continue }
            if let value, value.field == spec.name { _ = try tx.copy(entity, row: row, spec.name, from: value.op); continue }
            guard removed[spec.name] != .null else { continue }
            try write(entity, row: row, spec.name, removed[spec.name], copying: try replica.latestOperation(on: FieldKey(entity: entity, row: removed.id, field: spec.name)), in: &tx)
        }
    }

    /// The edits of a last-writer-wins field across a chain of rows (a removed record, its restored copies, the
    /// record restored last): each row's operations on the field, but for a restored row's copies, which are no
    /// edits: an operation of the value and the time of one an earlier row holds.
    static func edits(_ replica: Replica, _ entity: String, rows: [String], field: String) throws -> [RapportSync.Operation] {
        var edits: [RapportSync.Operation] = []
        var held: [RapportSync.Operation] = []
        for row in rows {
            let own = try replica.history(row: row).filter { $0.field == field }
            // A copy carries the value and the time of the operation it copies (`LocalTransaction.copy`).
            edits += own.filter { op in !held.contains { $0.value == op.value && $0.time == op.time } }
            held += own
        }
        return edits
    }

    /// What reached the removed record (or its restored copies removed in turn) after the restore, set on the
    /// restored one: a colleague's edit made before they heard of the restore. A value comes over where it is the
    /// latest edit of the field anywhere in the chain, copies not counting as edits (as last writer wins would have
    /// had it, had the record never been removed); a text the restorer had not seen comes over beside the restored
    /// text's versions, in review where the restored text was edited since. Returns the fields set, and those the
    /// restored record's later edit kept from a different value on the removed one.
    static func carryFields(
        _ replica: Replica, _ entity: String, removed: [String], to restored: Record, except: [String], in tx: inout LocalTransaction
    ) throws -> (set: [String], kept: [(field: String, kept: FieldValue, theirs: FieldValue)]) {
        var set: [String] = []
        var kept: [(field: String, kept: FieldValue, theirs: FieldValue)] = []
        for spec in Schema.spec(entity).fields where !except.contains(spec.name) {
            if spec.merge == .reviewedText {
                if try carryText(replica, entity, removed: removed, to: restored, field: spec.name, in: &tx) { set.append(spec.name) }
                continue
            }
            let all = try edits(replica, entity, rows: removed + [restored.id], field: spec.name)
            guard let latest = all.max(by: { RapportSync.Operation.isOrdered($0, before: $1) }) else { continue }
            if latest.row == restored.id {
                // The restored record's own edit stands; said when the removed one got another value meanwhile.
                // (Not a reference: the restore pointed it at the record in use itself.)
                if case .reference = spec.type { continue }
                let theirs = try edits(replica, entity, rows: removed, field: spec.name).max { RapportSync.Operation.isOrdered($0, before: $1) }
                if let theirs, theirs.value != latest.value, let copied = try replica.history(row: restored.id).first(where: { $0.field == spec.name }),
                   copied.value != theirs.value {
                    kept.append((spec.name, latest.value, theirs.value))
                }
                continue
            }
            if let winner = try replica.latestOperation(on: FieldKey(entity: entity, row: restored.id, field: spec.name)),
               !RapportSync.Operation.isOrdered(winner, before: latest) { continue }
            let value = try inUse(replica, spec, latest.value)
            if value != latest.value {
                // A reference to a record restored since: to the restored one, a change of its own.
                if value != restored[spec.name] { _ = try tx.set(entity, row: restored.id, spec.name, to: value) } else { continue }
            } else {
                // Stamped as the edit it carries: an edit of the restored record made after it still wins.
                _ = try tx.copy(entity, row: restored.id, spec.name, from: latest)
            }
            set.append(spec.name)
        }
        return (set, kept)
    }

    /// The versions of a text that stand on the removed rows (a version no later one replaced) and that the
    /// restored record has never held, written over the version the restore copied: where nobody edited the
    /// restored text since, one such version takes its place; beside edits made since, or with another such
    /// version, they meet in review. Whether it wrote any.
    static func carryText(_ replica: Replica, _ entity: String, removed: [String], to restored: Record, field: String, in tx: inout LocalTransaction) throws -> Bool {
        let own = try replica.history(row: restored.id).filter { $0.field == field }
        var texts: [FieldValue] = []
        for row in removed {
            let versions = try replica.history(row: row).filter { $0.field == field }
            let heads: [OperationID]
            switch ReviewedText(versions: versions).outcome {
            case .settled(_, let standing)?: heads = standing
            case .conflict(let conflict)?: heads = conflict.heads
            case nil: heads = []
            }
            for op in versions where heads.contains(op.id) && op.value != .null && !own.contains(where: { $0.value == op.value }) && !texts.contains(op.value) {
                texts.append(op.value)
            }
        }
        guard !texts.isEmpty else { return false }
        // What the restorer wrote: the version each one is written over, as if its author had edited it; over
        // nothing where the restore found the text empty (each a first version, none seeing another).
        let seen = own.first.map { TextSeen(version: $0.id, heads: [$0.id], value: $0.value) } ?? TextSeen(version: nil, heads: [], value: .null)
        for text in texts { _ = try tx.editText(entity, row: restored.id, field, to: text, seen: seen) }
        return true
    }

    /// The other versions of each text in review when the record was removed: written beside the version the
    /// restored record shows, so that the review is open again on it rather than settled by the removal.
    static func reviews(_ replica: Replica, source: Record) throws -> [(field: String, texts: [FieldValue])] {
        try replica.conflicts(all: true, row: source.id).filter { $0.status == "removed" }.compactMap { conflict in
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
    static func fieldName(_ field: String) -> String { ["due": "due date", "done_on": "done date"][field] ?? field.replacingOccurrences(of: "_", with: " ") }

    /// Whether a field's name is plural to a sentence ("its notes are", "its body is").
    static func plural(_ field: String) -> Bool { field.hasSuffix("s") }

    /// The lines a restore closes with: reviews opened again, and where the removed one's history stays.
    static func closing(_ reopened: [String], source: Record) -> [String] {
        reopened.map { field in
            "Its \(fieldName(field)) \(plural(field) ? "were" : "was") in review when it was removed: the review is open again on the restored one (`rapport conflicts`), " +
                "every version now under your name; who wrote each is in `rapport history \(short(source.id))`."
        } + ["The removal stands, for everyone; what the removed one held and who changed it is in `rapport history \(short(source.id))`. `rapport sync` shares the restore."]
    }

    /// A removed record's values as its restore takes them: each field's latest edit across the chain of removed
    /// copies (an edit that reached an earlier one late counts), with the operation that set it, to copy with its
    /// time (`LocalTransaction.copy`); a text as the last one showed it.
    static func values(_ replica: Replica, _ entity: String, source: Record, removed: [String]) throws -> [(field: String, value: FieldValue, op: RapportSync.Operation?)] {
        try Schema.spec(entity).fields.map { spec in
            guard spec.merge == .lastWriterWins else { return (spec.name, source[spec.name], nil) }
            let latest = try edits(replica, entity, rows: removed, field: spec.name).max { RapportSync.Operation.isOrdered($0, before: $1) }
            return (spec.name, latest?.value ?? source[spec.name], latest)
        }
    }

    /// Writes a restored value: as a copy stamped with the time of the edit it copies, where it is that edit's value
    /// (a reference pointed at the record in use now is a change of its own, made now).
    static func write(_ entity: String, row: String, _ field: String, _ value: FieldValue, copying op: RapportSync.Operation?, in tx: inout LocalTransaction) throws {
        if let op, op.value == value {
            _ = try tx.copy(entity, row: row, field, from: op)
        } else {
            _ = try tx.set(entity, row: row, field, to: value)
        }
    }

    /// A reference as the restored record keeps it: to the restore of a record removed and restored since (a KPI
    /// restored after its goal names the goal restored), else as it was.
    static func inUse(_ replica: Replica, _ spec: FieldSpec, _ value: FieldValue) throws -> FieldValue {
        guard case .reference(let entity) = spec.type, entity != "account", let id = value.textValue, let target = try replica.record(entity, id: id), target.deleted,
              case .live(let restored, _) = try follow(replica, entity, from: target) else { return value }
        return .text(restored.id)
    }

    /// The fields whose value on the restored record, set later, stood over another that reached the removed one.
    static func keptLines(_ kept: [(field: String, kept: FieldValue, theirs: FieldValue)], removed: [String]) -> [String] {
        kept.map { k in
            "Its \(fieldName(k.field)) stays \(k.kept.display.isEmpty ? "empty" : "'\(Format.oneLine(k.kept.display))'"), set on it after the removed one got " +
                "\(k.theirs.display.isEmpty ? "nothing" : "'\(Format.oneLine(k.theirs.display))'") (`rapport history \(short(removed.last!))` shows who set that)."
        }
    }

    /// What restoring a record restored already says: what it brought over, or that nothing changed.
    /// Named by the last removed record of its chain (the one restored as `restored`).
    static func again(_ removed: [String], label: String, as restored: Record, fields: [String], records: String) -> String {
        let what = (fields.map { "its \(fieldName($0))" } + (records.isEmpty ? [] : [records]))
        let named = "\(label) (\(short(removed.last!))) was restored already, as \(short(restored.id))"
        guard !what.isEmpty else { return "\(named): nothing was changed." }
        return "\(named): brought to it what reached the removed one since: \(Format.list(what, conjunction: "and"))."
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
        // No sync may land a colleague's restore, or records naming the removed one, between reading and writing.
        let lock = try SyncAlreadyRunning.take(self.replica.path, then: "restore it", holder: "\(Kind.command) restore")
        defer { if let lock { close(lock) } }
        let scope = try account.map { try Restoration.scopeAccount(replica, $0) }
        let matches = try Restoration.matches(
            replica, Kind.entity, query: target, nameField: Kind.nameField, noun: Kind.noun, scope: scope, listCommand: Kind.listCommand)
        let label = { (r: Record) in "The \(Kind.noun)\(r[Kind.nameField].display.isEmpty ? "" : " \(r[Kind.nameField].display)")" }
        for match in matches {
            switch match.found {
            case .live(let restored, let removed):
                let (fields, records) = try replica.change { tx in
                    (try Restoration.carryFields(replica, Kind.entity, removed: removed, to: restored, except: ["account"], in: &tx),
                     try Restoration.repoint(try Restoration.referrers(replica, to: Kind.entity, removed: removed), to: restored.id, in: &tx, replica: replica))
                }
                print(Restoration.again(removed, label: label(match.named), as: restored, fields: fields.set, records: records.isEmpty ? "" : Restoration.counted(records)))
                for line in Restoration.keptLines(fields.kept, removed: removed) { print(line) }
            case .toRestore(let source, let id, let removed):
                try restore(replica, source: source, id: id, removed: removed, scope: scope)
            }
        }
    }

    func restore(_ replica: Replica, source: Record, id: String, removed: [String], scope: Record?) throws {
        let accountID = source["account"].textValue ?? ""
        let account: Record
        switch try Restoration.accountInUse(replica, accountID) {
        case .live(let record)?:
            account = record
        case .removed where scope.map({ !$0.deleted }) ?? false:
            // Its account removed for good: restored at the account in use given.
            account = scope!
        case .removed(let end)?:
            let removal = try replica.removedMatch("account", end.id)
            let via = end.id == accountID ? "" : "was merged into \(end["name"].display) (\(short(end.id))), which "
            throw ValidationError("its account \(try Lookup.accountName(replica, accountID)) (\(short(accountID))) \(via)was removed\(removal?.removedBy.map { " by \($0)" } ?? "") too; " +
                                  "nothing was changed: `rapport account restore \(short(end.id))` brings that account back first, or --account ACCOUNT restores it at an account in use")
        case nil:
            throw ValidationError("its account (\(short(accountID))) is not on this replica: `rapport sync`, then restore it; nothing was changed")
        }
        let referrers = try Restoration.referrers(replica, to: Kind.entity, removed: removed)
        let values = try Restoration.values(replica, Kind.entity, source: source, removed: removed).map { field, value, op in
            (field, field == "account" ? .text(account.id) : try Restoration.inUse(replica, Schema.spec(Kind.entity).field(field)!, value), op)
        }
        // A text in review when it was removed: its other versions first, then the one it showed, none seeing
        // another, so that it is in review again and shows the same text meanwhile (the latest is shown).
        let reviews = try Restoration.reviews(replica, source: source).filter { source[$0.field] != .null }
        let blank = TextSeen(version: nil, heads: [], value: .null)
        let repointed = try replica.change { tx in
            for (field, texts) in reviews {
                for text in texts { _ = try tx.editText(Kind.entity, row: id, field, to: text, seen: blank) }
            }
            // (A clear is copied too: restored apart, a colleague's copy of the value cleared would stand.)
            for (field, value, op) in values where value != .null || op != nil {
                if reviews.contains(where: { $0.field == field }) {
                    _ = try tx.editText(Kind.entity, row: id, field, to: value, seen: blank)
                } else {
                    try Restoration.write(Kind.entity, row: id, field, value, copying: op, in: &tx)
                }
            }
            return try Restoration.repoint(referrers, to: id, in: &tx, replica: replica)
        }
        let inReview = try replica.conflicts(row: id).map(\.key.field)
        print("Restored \(Kind.noun)\(source[Kind.nameField].display.isEmpty ? "" : " \(source[Kind.nameField].display)") as \(short(id)), " +
              "a new record holding the values the removed one (\(short(source.id))) had.")
        if account.id != accountID {
            print("It is at \(account["name"].display) (\(short(account.id))), in place of its account \(try Lookup.accountName(replica, accountID)) (\(short(accountID))).")
        }
        if !repointed.isEmpty {
            let count = repointed.reduce(0) { $0 + $1.count }
            print("\(Restoration.counted(repointed)) that named the removed one \(count == 1 ? "names" : "name") this one now.")
        }
        for line in Restoration.closing(reviews.map(\.field).filter(inReview.contains), source: source) { print(line) }
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
                restore one account. Restored already, it gets what reached the removed one since.
                """)
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The removed account's whole name, or the start of its id (4 characters or more).") var account: String
        @Option(help: "A name for it, when an account in use has its name now.") var name: String?

        func run() throws {
            let replica = try replica.open()
            // No sync may land records on the removed account, or a colleague's restore, between reading and writing.
            let lock = try SyncAlreadyRunning.take(self.replica.path, then: "restore it", holder: "rapport account restore")
            defer { if let lock { close(lock) } }
            let matches = try Restoration.matches(replica, "account", query: account, nameField: "name", noun: "account", scope: nil, listCommand: "rapport account list")
            for match in matches {
                switch match.found {
                case .live(let restored, let removed):
                    // Records go where the restored account stands now (the one it was merged into since, say).
                    let target = try Restoration.accountInUse(replica, restored.id)?.record ?? restored
                    let (fields, brought) = try replica.change { tx in
                        let fields = try Restoration.carryFields(replica, "account", removed: removed, to: restored, except: ["name", "archived", "merged_into"], in: &tx)
                        var brought = try Restoration.carryRecords(replica, removed: removed, to: target, in: &tx)
                        let merged = try Restoration.repoint(try Restoration.referrers(replica, to: "account", removed: removed), to: restored.id, in: &tx, replica: replica)
                        for (entity, count) in merged { brought[entity, default: 0] += count }
                        return (fields, brought)
                    }
                    let records = Restoration.counted(replica.schema.entities.compactMap { e in brought[e.name].map { (entity: e.name, count: $0) } })
                    print(Restoration.again(removed, label: "The account \(match.named["name"].display)", as: restored, fields: fields.set, records: records))
                    for line in Restoration.keptLines(fields.kept, removed: removed) { print(line) }
                    if name != nil {
                        print("--name was not used: `rapport account set \(short(restored.id)) name=...` renames it.")
                    }
                case .toRestore(let source, let id, let removed):
                    try restore(replica, source: source, id: id, removed: removed)
                }
            }
        }

        func restore(_ replica: Replica, source: Record, id: String, removed: [String]) throws {
            let newName = try name.map(AccountName.typed) ?? source["name"].display
            if name == nil, let other = try replica.records("account", fields: ["name"]).first(where: { AccountName.key($0["name"].display) == AccountName.key(newName) }) {
                throw ValidationError("there is already an account called \(other["name"].display) (\(short(other.id))); nothing was changed: " +
                                      "restore it under a distinct name with --name, e.g. --name \(Shell.quote("\(newName) (old)"))")
            }
            try AccountCommand.check(name: newName, in: replica)
            var restored = source
            restored.id = id
            restored.deleted = false
            let referrers = try Restoration.referrers(replica, to: "account", removed: removed)
            let values = try Restoration.values(replica, "account", source: source, removed: removed).filter { !["archived", "merged_into"].contains($0.field) }
            let brought = try replica.change { tx in
                for (field, value, op) in values {
                    let value = field == "name" ? .text(newName) : value
                    if value != .null || op != nil { try Restoration.write("account", row: id, field, value, copying: op, in: &tx) }
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
