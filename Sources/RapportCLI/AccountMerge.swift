import ArgumentParser
import Foundation
import RapportKAM
import RapportReplica
import RapportReport
import RapportSync

extension AccountCommand {
    /// `rapport account merge COPY --into KEPT`: one customer added as two accounts (on two laptops before they
    /// synced, or by two importers) becomes one. The sync's advice was to "add what the other holds" to the one
    /// kept, by hand, record by record; notes could not be moved at all.
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Move every record of an account to another (the same customer added twice), fill its empty fields, and archive the copy.",
            discussion: """
                Stakeholders, notes, meetings, actions, KPIs, goals, opportunities, flags, concerns and plan roles and \
                risks move to the account kept. Scores and overrides are copied where the account kept has none for \
                that criterion or month; its own stand. Recorded months stay with the copy (their figures are the \
                copy's alone): record them again for the account kept. Its empty fields take the copy's values; where \
                both have one, its own stands (the command says which), but for a key tier: key in either is key. The copy is archived. `rapport sync` shares \
                it all; what a colleague adds to the copy before they sync is told to them at their sync, and merging \
                the copy again brings it over.
                """)
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The account to merge away: its whole name or the start of its id (4 characters or more).") var account: String
        @Option(help: "The account that keeps everything: its whole name or the start of its id.") var into: String
        // A merge is undone by hand only (each record moved back): seen first, as `account handover` can be.
        @Flag(help: "Show what the merge would do; change nothing.") var dryRun = false

        func run() throws {
            let replica = try replica.open()
            let copy = try Self.account(replica, account, option: nil)
            let kept = try Self.account(replica, into, option: "--into")
            guard copy.id != kept.id else {
                throw ValidationError("\(copy["name"].display) (\(copy.id.prefix(8))) is the account given twice: give the copy, and with --into the account to keep")
            }
            // Merged into an archived account, everything would leave the lists with both.
            guard kept["archived"] != .bool(true) else {
                if let now = try Sync.mergedInto(replica, kept, followingMerges: true), now.id == copy.id {
                    throw ValidationError("\(kept["name"].display) (\(kept.id.prefix(8))) was merged into \(copy["name"].display) (\(copy.id.prefix(8))) already: " +
                                          "its records are there; nothing was changed")
                }
                if let now = try Sync.mergedInto(replica, kept, followingMerges: true, includeRemoved: true), now.deleted {
                    throw ValidationError("\(kept["name"].display) (\(kept.id.prefix(8))) was merged into \(now["name"].display) (\(now.id.prefix(8))), which was removed since: " +
                                          "merge into an account in use, or bring \(kept["name"].display) back first (`rapport account set \(kept.id.prefix(8)) archived=false`); nothing was changed")
                }
                if let now = try Sync.mergedInto(replica, kept, followingMerges: true), now["archived"] != .bool(true) {
                    throw ValidationError("\(kept["name"].display) (\(kept.id.prefix(8))) was merged into \(now["name"].display) (\(now.id.prefix(8))): merge into that one " +
                                          "(`rapport account merge \(copy.id.prefix(8)) --into \(now.id.prefix(8))`); nothing was changed")
                }
                throw ValidationError("\(kept["name"].display) (\(kept.id.prefix(8))) is archived: merge into an account in use " +
                                      "(`rapport account set \(kept.id.prefix(8)) archived=false` brings it back first); nothing was changed")
            }
            // No sync may land records on the copy between reading what it holds and archiving it.
            // (Not for a look at what it would do, which writes nothing.)
            let lock = dryRun ? nil : try SyncAlreadyRunning.take(self.replica.path, then: "merge again", holder: "rapport account merge")
            defer { if let lock { close(lock) } }
            let plan = try Plan(replica, copy: copy, kept: kept)
            if copy.deleted, plan.moves.isEmpty, plan.composites.isEmpty {
                return print("\(copy["name"].display) (\(copy.id.prefix(8))) is removed and holds no records: nothing to bring; nothing was changed.")
            }
            // Merged again (as a sync advises when a colleague added to the copy meanwhile), with nothing new on it.
            if plan.moves.isEmpty, plan.copies.isEmpty, plan.filled.isEmpty, try Sync.mergedInto(replica, copy)?.id == kept.id {
                return print("\(copy["name"].display) (\(copy.id.prefix(8))) was merged into \(kept["name"].display) (\(kept.id.prefix(8))) already, and nothing " +
                             "was added to it since: nothing was changed.")
            }
            if dryRun {
                for line in plan.summary(copy: copy, kept: kept, alreadyArchived: copy["archived"] == .bool(true), dryRun: true) { print(line) }
                for notice in try Self.namesakes(replica, account: kept, moved: Swift.Set(plan.moves.map(\.row)), comingFrom: copy) { warn("note: \(notice)") }
                return print("Nothing was changed: without --dry-run, `rapport account merge \(copy.id.prefix(8)) --into \(kept.id.prefix(8))` merges them.")
            }
            try replica.change { tx in
                for (entity, row) in plan.moves { _ = try tx.set(entity, row: row, "account", to: .text(kept.id)) }
                for (entity, row, values) in plan.copies {
                    for (field, value) in values { _ = try tx.set(entity, row: row, field, to: value) }
                }
                for (field, value) in plan.filled { _ = try tx.set("account", row: kept.id, field, to: value) }
                // A removed copy stays removed: its records were all there was to bring. Its scores and overrides,
                // brought (or the kept account's own standing), are not left under it any more.
                if copy.deleted {
                    for (entity, row) in plan.composites { _ = try tx.set(entity, row: row, Plan.valueField(entity)!, to: .null) }
                } else {
                    _ = try tx.set("account", row: copy.id, "archived", to: .bool(true))
                    _ = try tx.set("account", row: copy.id, "merged_into", to: .text(kept.id))
                }
            }
            for line in plan.summary(copy: copy, kept: kept, alreadyArchived: copy["archived"] == .bool(true)) { print(line) }
            for notice in try Self.namesakes(replica, account: kept, moved: Swift.Set(plan.moves.map(\.row))) { warn("note: \(notice)") }
        }

        static func account(_ replica: Replica, _ query: String, option: String?) throws -> Record {
            let record: Record
            do {
                record = try replica.find("account", query)
            } catch ReplicaError.notFound where option == nil {
                // Records can be left under a removed account (added, or moved by a merge, while it was removed
                // elsewhere): merging it is how they get back to one in use.
                guard let removed = try removedAccount(replica, query) else {
                    throw ValidationError("no account matches '\(query)':\(try Lookup.suggestion(replica, "account", query)) `rapport account list` shows what there is")
                }
                return removed
            }
            try Lookup.requireWholeName(record, query: query, noun: "the account", command: option == nil ? "merge it" : "keep it")
            return record
        }

        /// The one removed account of this whole name or id (or id start of 4 characters or more), if only one.
        static func removedAccount(_ replica: Replica, _ query: String) throws -> Record? {
            let removed = try replica.removedMatches("account", query)
            if removed.count > 1 {
                // Removed twice under one name (added again, removed again): the one meant holds the records.
                let each = try removed.map { account in
                    let held = try replica.recordCount(at: account.id)
                    return "\(account.id.prefix(8)), \(held) record\(held == 1 ? "" : "s")"
                }
                throw ValidationError("'\(query)' names \(removed.count) removed accounts (\(each.joined(separator: "; "))): " +
                                      "give the id of the one to merge; nothing was changed")
            }
            return removed.first
        }

        /// What merging does, read before anything is written.
        struct Plan {
            /// Records that belong to the copy by their `account` field: they change it.
            var moves: [(entity: String, row: String)] = []
            /// Records whose id is made of the account's (a score, an override): written anew
            /// under the kept account's id where it has none.
            var copies: [(entity: String, row: String, values: [(String, FieldValue)])] = []
            /// Composite records the kept account already had: its own stand.
            var keptOwn: [String: Int] = [:]
            /// The copy's scores and overrides that hold a value, copied or standing beside the kept account's own:
            /// a removed copy's are cleared once merged, so that they no longer count as left under it.
            var composites: [(entity: String, row: String)] = []
            /// The copy's recorded months: their figures were computed from the copy's records alone.
            var recordedMonths: [String] = []
            /// Of them, those the kept account has recorded too: recording one again replaces its figures.
            var keptRecorded: Swift.Set<String> = []
            var filled: [(String, FieldValue)] = []
            /// Fields both accounts set, to different values: the kept account's stands.
            var differing: [(field: String, kept: FieldValue, copy: FieldValue)] = []

            init(_ replica: Replica, copy: Record, kept: Record) throws {
                for entity in replica.schema.entities where entity.name != "account" {
                    guard case .reference("account")? = entity.field("account")?.type else { continue }
                    for row in try replica.records(entity.name, where: ("account", .text(copy.id))) {
                        if entity.name == "scorecard" {
                            recordedMonths.append(row["month"].display)
                            continue
                        }
                        guard let key = Self.compositeKey(entity.name, row, account: kept.id) else {
                            moves.append((entity.name, row.id))
                            continue
                        }
                        // The copy's cleared score or override is nothing to bring.
                        guard Self.holdsValue(entity.name, row) else { continue }
                        composites.append((entity.name, row.id))
                        if let own = try replica.record(entity.name, id: key), Self.holdsValue(entity.name, own) {
                            keptOwn[entity.name, default: 0] += 1
                            continue
                        }
                        let values = entity.fields.compactMap { field -> (String, FieldValue)? in
                            let value = field.name == "account" ? .text(kept.id) : row[field.name]
                            return value == .null ? nil : (field.name, value)
                        }
                        copies.append((entity.name, key, values))
                    }
                }
                if !recordedMonths.isEmpty {
                    let ids = recordedMonths.compactMap(Month.init).map { FieldValue.text(RowKeys.scorecard(account: kept.id, month: $0)) }
                    keptRecorded = Swift.Set(try replica.records("scorecard", whereIn: ("id", ids), fields: ["month"]).map { $0["month"].display })
                }
                // (Not from a removed copy: someone removed it, fields and all, on purpose.)
                for field in AccountCommand.entity.fields where !copy.deleted && !["name", "archived", "merged_into"].contains(field.name) {
                    let mine = kept[field.name], theirs = copy[field.name]
                    if theirs == .null || mine == theirs { continue }
                    // Key in either is key: the customer was chosen as a key account, and its meeting rhythm goes on.
                    let keyTier = field.name == "tier" && theirs == .text("key")
                    if mine == .null || keyTier { filled.append((field.name, theirs)) } else { differing.append((field.name, mine, theirs)) }
                }
            }

            /// The kinds a merge brings to the kept account: all but recorded months (kept with the copy).
            static func brings(_ entity: String) -> Bool { entity != "scorecard" }

            /// The field a score's or an override's value is in.
            static func valueField(_ entity: String) -> String? {
                ["score": "value", "scorecard_override": "score"][entity]
            }

            /// The id the record has under the kept account, for the kinds whose id is made of their account's.
            static func compositeKey(_ entity: String, _ row: Record, account: String) -> String? {
                switch entity {
                case "score":
                    return row["criterion"].textValue.map { RowKeys.score(account: account, criterion: $0) }
                case "scorecard_override":
                    guard let month = row["month"].textValue.flatMap(Month.init), let area = row["area"].textValue.flatMap(HealthArea.init(rawValue:)) else { return nil }
                    return RowKeys.override(account: account, month: month, area: area)
                default:
                    return nil
                }
            }

            /// A cleared score or override is none: the copy's may take its place.
            static func holdsValue(_ entity: String, _ row: Record) -> Bool {
                switch entity {
                case "score": row["value"] != .null
                case "scorecard_override": row["score"] != .null
                default: true
                }
            }

            /// What the merge did, or with `dryRun` would do.
            func summary(copy: Record, kept: Record, alreadyArchived: Bool, dryRun: Bool = false) -> [String] {
                let name = { (r: Record) in "\(r["name"].display) (\(r.id.prefix(8)))" }
                var counts: [String: Int] = [:]
                for (entity, _) in moves { counts[entity, default: 0] += 1 }
                for (entity, _, _) in copies { counts[entity, default: 0] += 1 }
                let what = counts.sorted { $0.key < $1.key }.map { "\($0.value) \(ReplicaError.noun($0.key, plural: $0.value != 1))" }
                let (merged, brought, keeps) = dryRun ? ("Would merge", "would bring over ", "Would keep") : ("Merged", "brought over ", "Kept")
                var lines = ["\(merged) \(name(copy)) into \(name(kept)): " + (what.isEmpty ? (dryRun ? "it holds no records" : "it held no records") : brought + what.joined(separator: ", ")) + "."]
                if !keptOwn.isEmpty {
                    let own = keptOwn.sorted { $0.key < $1.key }.map { "\($0.value) \(ReplicaError.noun($0.key, plural: $0.value != 1))" }
                    lines.append("\(keeps) \(kept["name"].display)'s own \(own.joined(separator: ", ")) where both had one (the copy's stay on it\(copy.deleted ? "" : ", archived")).")
                }
                if !recordedMonths.isEmpty {
                    let months = recordedMonths.sorted()
                    lines.append("The copy's recorded month\(months.count == 1 ? "" : "s") (\(months.joined(separator: ", "))) stay\(months.count == 1 ? "s" : "") with it: " +
                                 "their figures are the copy's alone; `rapport scorecard record \(kept.id.prefix(8)) --month \(months.last!)` records \(kept["name"].display)'s from the merged records" +
                                 (keptRecorded.contains(months.last!) ? " (again: it replaces the figures recorded for \(kept["name"].display) alone)." : "."))
                }
                // A margin with its percent sign, as `account show` prints it.
                func shown(_ field: String, _ value: FieldValue) -> String {
                    guard field == "margin", let margin = value.double else { return Sync.shown(value) }
                    return "'\(Figures.amount(margin, unit: "%"))'"
                }
                if !filled.isEmpty { lines.append("\(dryRun ? "Would take" : "Taken") from the copy: \(filled.map { "\($0.0) \(shown($0.0, $0.1))" }.joined(separator: ", ")).") }
                for (field, mine, theirs) in differing {
                    lines.append("\(keeps) \(kept["name"].display)'s \(field) \(shown(field, mine)); the copy had \(shown(field, theirs)) " +
                                 "(`rapport account set \(kept.id.prefix(8)) \(field)=...` changes it).")
                }
                if dryRun { return lines + [copy.deleted ? "\(name(copy)) would stay removed." : alreadyArchived ? "\(name(copy)) is archived already." : "\(name(copy)) would be archived."] }
                lines.append(copy.deleted ? "\(name(copy)) stays removed. `rapport sync` shares the merge."
                    : alreadyArchived ? "\(name(copy)) was archived already. `rapport sync` shares the merge." : "Archived \(name(copy)). `rapport sync` shares the merge.")
                return lines
            }
        }

        /// Records of one kind now on the kept account under one name (the same stakeholder added on both), one
        /// of them brought over by this merge: commands given the name ask which. Notes, risks and meetings too,
        /// which a sync does not tell of (a person writes two notes of one title on purpose), but a merge makes.
        /// `comingFrom`: the copy, for a dry run, whose records `moved` are still there (the kept account "would
        /// have" them).
        static func namesakes(_ replica: Replica, account: Record, moved: Swift.Set<String>, comingFrom copy: Record? = nil) throws -> [String] {
            let kinds: [RecordKind.Type] = Sync.kindsNamedPerAccount + [NoteCommand.NoteKind.self, RiskKind.self, MeetingRecordKind.self]
            return try kinds.compactMap { kind in
                let coming = try copy.map { try replica.rows(kind.entity, of: $0).filter { moved.contains($0.id) } } ?? []
                let rows = try (replica.rows(kind.entity, of: account) + coming).filter { !Sync.isSettled($0, kind: kind) }
                let groups = Dictionary(grouping: rows) { AccountName.key($0[kind.nameField].display) }.values
                    .filter { $0.count > 1 && $0.contains { moved.contains($0.id) } }
                guard let group = groups.first else { return nil }
                let ids = group.map { String($0.id.prefix(8)) }
                let named = kind.nameField == "date" ? "on" : "called"
                return "\(account["name"].display) \(copy == nil ? "now has" : "would have") \(group.count) \(ReplicaError.noun(kind.entity, plural: true)) \(named) \(group[0][kind.nameField].display) " +
                    "(\(ids.joined(separator: ", ")))\(groups.count > 1 ? " and \(groups.count - 1) more such name\(groups.count == 2 ? "" : "s")" : ""): " +
                    "commands given it ask which (give an id); if they are one, keep one and `\(kind.command) remove ID` the other"
            }
        }
    }
}
