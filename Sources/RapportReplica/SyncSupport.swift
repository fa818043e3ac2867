import GRDB
import RapportSQL
import RapportSync

/// What the sync client needs from the replica: pending operations out, pulled pages in, cursors advanced in
/// the same transaction as the data they cover.
extension Replica {
    /// The oldest operations not yet acknowledged by the server, in the order they were made.
    public func pendingOperations(limit: Int) throws -> [Operation] {
        try read { db in
            try OperationRows.fetchAll(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE pushed = 0 ORDER BY replica, counter LIMIT ?", arguments: [limit])
        }
    }

    /// Starts watching what a sync's pulls do to this replica's unsynced edits (not removals): the latest
    /// value of each last-writer-wins field, and each record edited. Last writer wins, and a removal stands
    /// whatever edits came with it, both without a word until `finishWatch` says so. A watch left by a sync
    /// cut off (after its push, the edits are no longer unsynced) is kept and added to.
    ///
    /// Returns the log's row after which the sync's pulls store what they bring (the end of the log now, or
    /// where a sync cut off began); `finishWatch` reads it from the replica row, where it is kept.
    @discardableResult
    public func beginWatch() throws -> Int64 {
        try write { db in
            let end = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM ops") ?? 0
            // Where the pulls begin is kept even with nothing unsynced, for the user's synced values they may
            // replace: a sync cut off after some pages tells of those at the next. One left by a sync cut off
            // stays as it is (its pulls count too).
            let start = try Int64.fetchOne(db, sql: "SELECT watch_after_row FROM replica") ?? {
                try db.execute(sql: "UPDATE replica SET watch_after_row = ?", arguments: [end])
                return end
            }()
            // The user's own removals, for the edits by others the pulls bring to what they removed (`removedUnseen`).
            let removal = try FastStatement(db, sql: "INSERT OR REPLACE INTO sync_watch (entity, row, field, replica, counter) VALUES (?, ?, ?, ?, ?)")
            for op in try OperationRows.fetchAll(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE pushed = 0 AND field = ?", arguments: [Schema.deletedField]) {
                removal.bind(1, op.entity); removal.bind(2, op.row); removal.bind(3, Schema.deletedField); removal.bind(4, op.id.replica); removal.bind(5, op.id.counter)
                try removal.run()
            }
            let pending = try OperationRows.fetchAll(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE pushed = 0 AND field <> ? ORDER BY replica, counter", arguments: [Schema.deletedField])
            guard !pending.isEmpty else { return start }
            let record = try FastStatement(db, sql: "INSERT OR IGNORE INTO sync_watch (entity, row, field) VALUES (?, ?, '')")
            // A replica's own operations are made in the order of their counters, so the last one of a field is
            // its latest value, later than any watched before. (A restore's copies carry older stamps, but on a
            // new row, which no one had seen to overwrite.)
            let value = try FastStatement(db, sql: "INSERT OR REPLACE INTO sync_watch (entity, row, field, replica, counter) VALUES (?, ?, ?, ?, ?)")
            for op in pending {
                record.bind(1, op.entity); record.bind(2, op.row)
                try record.run()
                guard (try? schema.spec(for: op.key))?.merge == .lastWriterWins else { continue }
                value.bind(1, op.entity); value.bind(2, op.row); value.bind(3, op.field); value.bind(4, op.id.replica); value.bind(5, op.id.counter)
                try value.run()
            }
            return start
        }
    }

    /// Ends the watch `beginWatch` started, once a sync has pulled everything: what other people's operations
    /// stored since did to the watched edits (the values they replaced, the records they removed), and to the
    /// user's values that stood when the sync began. `end: false` leaves it for `endWatch`, once what it found has
    /// been told: a command stopped while it works that out (Ctrl-C) tells it at the next sync.
    public func finishWatch(user: String, end: Bool = true) throws -> WatchReport {
        let (after, watched) = try read { db -> (Int64?, [Row]) in
            (try Int64.fetchOne(db, sql: "SELECT watch_after_row FROM replica"), try Row.fetchAll(db, sql: "SELECT * FROM sync_watch"))
        }
        var met = WatchReport()
        var watchedValues = Set<FieldKey>()
        var watchedRecords = Set<PendingEdits.RecordKey>()
        if let after, !watched.isEmpty {
            // In one read, each lookup a prepared statement bound anew: read one by one, each with its own
            // statement, a first push of 64,000 changes sat silent for seconds after its progress said "0s left".
            let edits = try read { db -> PendingEdits in
                var edits = PendingEdits()
                let byID = try FastStatement(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE entity = ? AND row = ? AND field = ? AND replica = ? AND counter = ?")
                let latestBy = try FastStatement(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE entity = ? AND row = ? AND field = ? AND author = ? ORDER BY \(Self.latestFirst) LIMIT 1")
                for row in watched {
                    let record = PendingEdits.RecordKey(entity: row["entity"], row: row["row"])
                    guard let field: String = row["field"], !field.isEmpty else { edits.records.insert(record); continue }
                    if field == Schema.deletedField {
                        // Where the removal stands in the log: what came after it was not here when it was made (a
                        // sync cut off may have brought a colleague's note before the user removed it). Under a new
                        // id (the replica moved), the user's latest removal of the record.
                        let removedAt = try Int64.fetchOne(db, sql: "SELECT rowid FROM ops WHERE entity = ? AND row = ? AND field = ? AND replica = ? AND counter = ?",
                                                           arguments: [record.entity, record.row, field, row["replica"] as String?, row["counter"] as Int64?])
                            ?? Int64.fetchOne(db, sql: "SELECT max(rowid) FROM ops WHERE entity = ? AND row = ? AND field = ? AND author = ?",
                                              arguments: [record.entity, record.row, field, user])
                        if let removedAt { edits.removals[record] = removedAt }
                        continue
                    }
                    let key = FieldKey(entity: record.entity, row: record.row, field: field)
                    // Under another id when this replica moved to a new one in the sync (a copy of its file synced
                    // first): then the user's latest value of the field is the one moved.
                    byID.bind(1, key.entity); byID.bind(2, key.row); byID.bind(3, key.field)
                    byID.bind(4, row["replica"] as String?); byID.bind(5, row["counter"] as Int64?)
                    var op = try byID.operations().first
                    if op == nil {
                        latestBy.bind(1, key.entity); latestBy.bind(2, key.row); latestBy.bind(3, key.field); latestBy.bind(4, user)
                        op = try latestBy.operations().first
                    }
                    if let op { edits.values[key] = op }
                }
                return edits
            }
            met = try editsMet(edits, after: after, user: user)
            watchedValues = Set(edits.values.keys)
            watchedRecords = edits.records
        }
        // A cut-off sync's watch began before its pulls: what they brought counts too.
        if let after {
            met.start = after
            met.overwritten += try syncedValuesReplaced(after: after, user: user, skipping: watchedValues)
            met.removedAfterSyncedEdit = try syncedEditsRemoved(after: after, user: user, skipping: watchedRecords)
        }
        if end, after != nil || !watched.isEmpty { try endWatch() }
        return met
    }

    /// Ends a watch `finishWatch(user:end: false)` left: the next sync's watch begins where its pulls do.
    public func endWatch() throws {
        try write { db in
            try db.execute(sql: "DELETE FROM sync_watch")
            try db.execute(sql: "UPDATE replica SET watch_after_row = NULL")
        }
    }

    /// A user's latest value of a field, by the last-writer-wins order.
    func latest(on key: FieldKey, by author: String) throws -> Operation? {
        try read { db in
            try OperationRows.fetchAll(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE entity = ? AND row = ? AND field = ? AND author = ? ORDER BY \(Self.latestFirst) LIMIT 1",
                                       arguments: [key.entity, key.row, key.field, author]).first
        }
    }

    /// What other people's operations stored after `row` (a sync's pulls; the log is appended, so they have
    /// higher rows) did to `edits`: the values they replaced, and the records they removed.
    func editsMet(_ edits: PendingEdits, after row: Int64, user: String) throws -> WatchReport {
        guard !edits.isEmpty else { return WatchReport() }
        var touched = Set<FieldKey>()
        var removals: [PendingEdits.RecordKey: String] = [:]
        var archivals = Set<PendingEdits.RecordKey>()
        // Accounts another person archived (or merged into another) in the pulls: the records the user added or
        // edited under one meanwhile left the lists with it, and only the account's own edits were told.
        var archivedAccounts = Set<String>()
        // Every record another person removed, for the watched records that refer to one (a reading recorded
        // under a KPI that a colleague removed meanwhile).
        var removedAny: [PendingEdits.RecordKey: String] = [:]
        // Who edited, in the pulls, a record the user removed: this replica did not hold those edits when the
        // user removed it.
        var editedUnseen: [PendingEdits.RecordKey: Set<String>] = [:]
        try read { db in
            let statement = try FastStatement(db, sql: "SELECT entity, row, field, author, rowid FROM ops WHERE rowid > ? AND author <> ?")
            defer { statement.reset() }
            statement.bind(1, row); statement.bind(2, user)
            while try statement.step() {
                let key = FieldKey(entity: statement.text(0) ?? "", row: statement.text(1) ?? "", field: statement.text(2) ?? "")
                if key.field == Schema.deletedField {
                    let record = PendingEdits.RecordKey(entity: key.entity, row: key.row)
                    if edits.records.contains(record), removals[record] == nil { removals[record] = statement.text(3) ?? "" }
                    if removedAny[record] == nil { removedAny[record] = statement.text(3) ?? "" }
                } else {
                    if edits.values[key] != nil { touched.insert(key) }
                    let record = PendingEdits.RecordKey(entity: key.entity, row: key.row)
                    if key.field == "archived", edits.records.contains(record) { archivals.insert(record) }
                    if key.field == "archived", key.entity == "account" { archivedAccounts.insert(key.row) }
                    // (Not a merge's moves: records taken to another account, a copy archived into one.)
                    if let removedAt = edits.removals[record], statement.int(4) > removedAt, !["account", "archived", "merged_into"].contains(key.field) {
                        editedUnseen[record, default: []].insert(statement.text(3) ?? "")
                    }
                }
            }
        }
        let mine = touched.compactMap { edits.values[$0] }
        let overwritten = try self.overwritten(mine, user: user)
        let removed = try removals.compactMap { record, by -> RemovedAfterEdit? in
            guard try self.record(record.entity, id: record.row)?.deleted == true else { return nil }
            return RemovedAfterEdit(entity: record.entity, row: record.row, removedBy: by)
        }
        // An archived account leaves every list as a removed record does, and the edits made to it meanwhile
        // with it: said as a removal is, naming who archived it (the field's winner, another person's).
        let archived = try archivals.compactMap { record -> RemovedAfterEdit? in
            guard let by = try archivedBy(record, user: user) else { return nil }
            return RemovedAfterEdit(entity: record.entity, row: record.row, removedBy: by)
        }
        let under = removedAny.isEmpty ? [] : try removedUnder(edits.records, removals: removedAny)
        var report = WatchReport(overwritten: overwritten, removed: removed.sorted { ($0.entity, $0.row) < ($1.entity, $1.row) }, removedUnder: under)
        report.archived = archived.sorted { ($0.entity, $0.row) < ($1.entity, $1.row) }
        var archivedUnder: [RemovedUnderEdit] = []
        for key in edits.records where key.entity != "account" && !archivedAccounts.isEmpty {
            guard let record = try record(key.entity, id: key.row), !record.deleted, let account = record["account"].textValue,
                  archivedAccounts.contains(account), let by = try archivedBy(PendingEdits.RecordKey(entity: "account", row: account), user: user) else { continue }
            archivedUnder.append(RemovedUnderEdit(entity: key.entity, row: key.row, parentEntity: "account", parentRow: account, removedBy: by))
        }
        report.archivedUnder = archivedUnder.sorted { ($0.parentRow, $0.entity, $0.row) < ($1.parentRow, $1.entity, $1.row) }
        report.replacedUnseen = try replacedUnseen(mine, after: row, user: user)
        report.removedUnseen = try editedUnseen.compactMap { record, authors -> UnseenEdits? in
            // One that its editor removed too lost nothing of theirs.
            guard removedAny[record] == nil, try self.record(record.entity, id: record.row)?.deleted == true else { return nil }
            return UnseenEdits(entity: record.entity, row: record.row, editedBy: authors.sorted())
        }.sorted { ($0.entity, $0.row) < ($1.entity, $1.row) }
        return report
    }

    /// Who archived the record, when it stands archived by another person than `user` (the field's winner).
    func archivedBy(_ record: PendingEdits.RecordKey, user: String) throws -> String? {
        let key = FieldKey(entity: record.entity, row: record.row, field: "archived")
        guard let held = try self.record(record.entity, id: record.row), !held.deleted,
              let by = try read({ db in try self.winner(db, key) }), let winner = try operation(by, on: key),
              winner.value == .bool(true), winner.author != user else { return nil }
        return winner.author
    }

    /// Of `mine` (values set before the sync), those that stand over another person's value that arrived in the
    /// sync's pulls after the user's was made: older than the user's, it was set first, but this replica did not
    /// hold it when the user set theirs. The user replaced it unawares. Its author hears of it only if theirs
    /// was made before the user's reached the server (`syncedValuesReplaced`), so the user is told, to tell them.
    func replacedUnseen(_ mine: [Operation], after row: Int64, user: String) throws -> [OverwrittenValue] {
        guard !mine.isEmpty else { return [] }
        let found = try read { db in
            let winner = try FastStatement(db, sql: Self.winnerQuery(columns: OperationRows.columns))
            // Where the user's value stands in the log: what lies before it was on this replica when it was made.
            // (By its field first, for the key's index: the pending index no longer holds it once pushed.)
            let made = try FastStatement(db, sql: "SELECT rowid FROM ops WHERE entity = ? AND row = ? AND field = ? AND replica = ? AND counter = ?")
            let theirs = try FastStatement(db, sql: """
                SELECT \(OperationRows.columns) FROM ops WHERE entity = ? AND row = ? AND field = ? AND rowid > ? AND author <> ?
                ORDER BY \(Self.latestFirst) LIMIT 1
                """)
            // What the replica held of the field when the user set theirs: the value they saw and replaced.
            let held = try FastStatement(db, sql: """
                SELECT \(OperationRows.columns) FROM ops WHERE entity = ? AND row = ? AND field = ? AND rowid < ?
                ORDER BY \(Self.latestFirst) LIMIT 1
                """)
            return try mine.compactMap { op -> OverwrittenValue? in
                winner.bind(1, op.entity); winner.bind(2, op.row); winner.bind(3, op.field)
                guard try winner.operations().first?.id == op.id else { return nil }
                made.bind(1, op.entity); made.bind(2, op.row); made.bind(3, op.field); made.bind(4, op.id.replica); made.bind(5, op.id.counter)
                let at = try made.step() ? made.int(0) : row
                made.reset()
                // Pulled after the user's value was made, by the sync (or one cut off before it).
                theirs.bind(1, op.entity); theirs.bind(2, op.row); theirs.bind(3, op.field); theirs.bind(4, max(at, row)); theirs.bind(5, user)
                guard let replaced = try theirs.operations().first, replaced.value != op.value else { return nil }
                held.bind(1, op.entity); held.bind(2, op.row); held.bind(3, op.field); held.bind(4, at)
                let seen = try held.operations().first
                // One older than what the user saw never stood; the value the user saw, set again, was seen.
                guard LastWriterWins.wins(replaced, over: seen), replaced.value != seen?.value else { return nil }
                return OverwrittenValue(mine: op, theirs: replaced)
            }
        }
        // A removal is told apart (`RemovedAfterEdit`).
        return try found.filter { try record($0.mine.entity, id: $0.mine.row)?.deleted == false }
    }

    /// What this replica held of an operation's field when the operation was stored here (made here, or pulled):
    /// the latest of those stored before it. Nil when it held none, or the operation is not here.
    public func heldBefore(_ op: Operation) throws -> Operation? {
        try read { db in
            guard let at = try Int64.fetchOne(db, sql: "SELECT rowid FROM ops WHERE entity = ? AND row = ? AND field = ? AND replica = ? AND counter = ?",
                                              arguments: [op.entity, op.row, op.field, op.id.replica, op.id.counter]) else { return nil }
            return try OperationRows.fetchAll(db, sql: """
                SELECT \(OperationRows.columns) FROM ops WHERE entity = ? AND row = ? AND field = ? AND rowid < ?
                ORDER BY \(Self.latestFirst) LIMIT 1
                """, arguments: [op.entity, op.row, op.field, at]).first
        }
    }

    /// The user's values synced before the log's row `row` (the sync's start) that another person's pulled
    /// operation replaced: set on a laptop offline earlier, it reaches the team after the user's own value went
    /// out, and wins for being later. The user's value stood when the sync began; another person's value that
    /// had replaced it before was told then.
    func syncedValuesReplaced(after row: Int64, user: String, skipping watched: Set<FieldKey>) throws -> [OverwrittenValue] {
        try read { db in
            // A new replica's first sync pulls everything, and nothing of it was the user's before.
            guard row > 0 else { return [] }
            // The fields the pulls set that the user had set before: the pulled rows by their row numbers, and for
            // each the user's by the key's index. (DISTINCT made SQLite read the whole log in key order instead.)
            let touched = try FastStatement(db, sql: """
                SELECT p.entity, p.row, p.field FROM ops p
                WHERE p.rowid > ?1 AND p.author <> ?2 AND p.field <> ?3
                  AND EXISTS (SELECT 1 FROM ops m WHERE m.entity = p.entity AND m.row = p.row AND m.field = p.field AND m.author = ?2
                              AND m.pushed > 1 AND m.rowid <= ?1)
                """)
            touched.bind(1, row); touched.bind(2, user); touched.bind(3, Schema.deletedField)
            var keys: [FieldKey] = []
            var seen = Set<FieldKey>()
            while try touched.step() {
                let key = FieldKey(entity: touched.text(0) ?? "", row: touched.text(1) ?? "", field: touched.text(2) ?? "")
                guard seen.insert(key).inserted else { continue }
                if !watched.contains(key), (try? schema.spec(for: key))?.merge == .lastWriterWins { keys.append(key) }
            }
            touched.reset()
            guard !keys.isEmpty else { return [] }
            let before = try FastStatement(db, sql: "SELECT \(OperationRows.columns), pushed FROM ops WHERE entity = ? AND row = ? AND field = ? AND rowid <= ? ORDER BY \(Self.latestFirst) LIMIT 1")
            let now = try FastStatement(db, sql: Self.winnerQuery(columns: OperationRows.columns))
            let removed = try FastStatement(db, sql: "SELECT 1 FROM ops WHERE entity = ? AND row = ? AND field = ? LIMIT 1")
            var found: [OverwrittenValue] = []
            for key in keys {
                before.bind(1, key.entity); before.bind(2, key.row); before.bind(3, key.field); before.bind(4, row)
                guard try before.step() else { before.reset(); continue }
                let mine = before.operation(), pushedAt = before.int(OperationRows.count)
                before.reset()
                now.bind(1, key.entity); now.bind(2, key.row); now.bind(3, key.field)
                // Made before the user's value reached the server, the colleague's could not have seen it: a
                // later value set in ignorance of it. One made after may have replaced it knowingly (the next
                // stage of a deal), which is the team's ordinary work and not told. Laptops' clocks differ by a
                // little: a value set within that of the push is taken as set knowingly.
                guard mine.author == user, pushedAt > 1, let winner = try now.operations().first, winner.author != user,
                      winner.value != mine.value, winner.time.ms < pushedAt - Self.clockMargin else { continue }
                // A removal is told apart (`RemovedAfterEdit`), or not at all for a record not edited since.
                removed.bind(1, key.entity); removed.bind(2, key.row); removed.bind(3, Schema.deletedField)
                defer { removed.reset() }
                if try removed.step() { continue }
                found.append(OverwrittenValue(mine: mine, theirs: winner))
            }
            return found
        }
    }

    /// The records the user had edited, and synced, before the log's row `row` (the sync's start) that another
    /// person's pulled removal took away, made before the user's last edit of the record reached the server:
    /// the remover had not seen it, and a removal stands over every edit. As for values
    /// (`syncedValuesReplaced`), a removal made within the clocks' margin of the push is taken as made knowingly.
    /// Records edited since the last sync are told apart (`RemovedAfterEdit`).
    func syncedEditsRemoved(after row: Int64, user: String, skipping watched: Set<PendingEdits.RecordKey>) throws -> [RemovedAfterEdit] {
        try read { db in
            guard row > 0 else { return [] }
            let removals = try FastStatement(db, sql: "SELECT entity, row, author, ms FROM ops WHERE rowid > ? AND author <> ? AND field = ?")
            removals.bind(1, row); removals.bind(2, user); removals.bind(3, Schema.deletedField)
            var found: [PendingEdits.RecordKey: (by: String, ms: Int64)] = [:]
            while try removals.step() {
                let record = PendingEdits.RecordKey(entity: removals.text(0) ?? "", row: removals.text(1) ?? "")
                let ms = removals.int(3)
                if watched.contains(record) || (found[record].map { $0.ms <= ms } ?? false) { continue }
                found[record] = (removals.text(2) ?? "", ms)
            }
            removals.reset()
            guard !found.isEmpty else { return [] }
            // When the user's last edit of the record reached the server (their own operations, pushed from here).
            let pushed = try FastStatement(db, sql: """
                SELECT max(pushed) FROM ops WHERE entity = ? AND row = ? AND author = ? AND field <> ? AND pushed > 1 AND rowid <= ?
                """)
            // (Not one the user removed too, nor one removed before the sync began: told then.)
            let ownRemoval = try FastStatement(db, sql: "SELECT 1 FROM ops WHERE entity = ? AND row = ? AND field = ? AND (author = ? OR rowid <= ?) LIMIT 1")
            var told: [RemovedAfterEdit] = []
            for (record, removal) in found {
                ownRemoval.bind(1, record.entity); ownRemoval.bind(2, record.row); ownRemoval.bind(3, Schema.deletedField); ownRemoval.bind(4, user); ownRemoval.bind(5, row)
                let removedToo = try ownRemoval.step()
                ownRemoval.reset()
                if removedToo { continue }
                pushed.bind(1, record.entity); pushed.bind(2, record.row); pushed.bind(3, user); pushed.bind(4, Schema.deletedField); pushed.bind(5, row)
                let at = try pushed.step() ? pushed.int(0) : 0
                pushed.reset()
                guard at > 1, removal.ms < at - Self.clockMargin else { continue }
                told.append(RemovedAfterEdit(entity: record.entity, row: record.row, removedBy: removal.by))
            }
            return told.sorted { ($0.entity, $0.row) < ($1.entity, $1.row) }
        }
    }

    /// The rows of `entity` whose `field` another person's operation stored after the log's row `row` set (a
    /// sync's pulls, when `row` is what `beginWatch` returned).
    public func rowsSet(_ entity: String, field: String, after row: Int64, notBy user: String) throws -> [String] {
        try read { db in
            // NOT INDEXED: by the rowid range, the pulls alone (the key's index read every operation of the entity).
            try String.fetchAll(db, sql: "SELECT DISTINCT row FROM ops NOT INDEXED WHERE rowid > ? AND entity = ? AND field = ? AND author <> ?", arguments: [row, entity, field, user])
        }
    }

    /// The rows of `entity` whose `field` another replica's operation stored after the log's row `row` set:
    /// another person's, or the same person's on their other computer.
    public func rowsSet(_ entity: String, field: String, after row: Int64, notFrom replica: String) throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT row FROM ops NOT INDEXED WHERE rowid > ? AND entity = ? AND field = ? AND replica <> ?", arguments: [row, entity, field, replica])
        }
    }

    /// Whether the log has entries after row `row`: a sync's pulls brought some (this one's, or one's cut off
    /// before it could tell of them), and there is something to look through.
    public func logGrew(after row: Int64) throws -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ops WHERE rowid > ?)", arguments: [row]) ?? false }
    }

    /// A field's value as it stood at the log's row `row` (before a sync's pulls, when `row` is where they
    /// begin): the latest, by the last-writer-wins order, of the operations stored up to it.
    public func value(of key: FieldKey, atRow row: Int64) throws -> FieldValue? {
        try read { db in
            try OperationRows.fetchAll(db, sql: Self.valueAtRowQuery(columns: OperationRows.columns), arguments: [key.entity, key.row, key.field, row]).first?.value
        }
    }

    /// A field's winning operation among those stored up to a row (entity, row, field, log row).
    static func valueAtRowQuery(columns: String) -> String {
        "SELECT \(columns) FROM ops WHERE entity = ? AND row = ? AND field = ? AND rowid <= ? ORDER BY \(latestFirst) LIMIT 1"
    }

    /// A record another replica's operation moved from one account to another.
    public struct MovedRecord: Sendable {
        public var entity: String
        public var row: String
        public var from: String
        public var to: String
        /// Who set the account it has now.
        public var by: String
    }

    /// The records that other replicas' operations stored after the log's row `row` moved between accounts:
    /// their `account` field named `from` at `row` and names another now. `account merge` moves a copy's
    /// records so (an account only archived moved none), and a colleague may move one by hand.
    public func recordsMoved(after row: Int64, notFrom replica: String) throws -> [MovedRecord] {
        // The account each record touched had before the pulls, in one read: a record made in the pulls had none
        // (most of a month's pulls), and is one index lookup.
        let touched = try read { db -> [(key: FieldKey, before: String)] in
            let before = try db.cachedStatement(sql: Self.valueAtRowQuery(columns: "value"))
            return try Self.accountsSet(db, after: row, notFrom: replica).compactMap { found in
                let key = FieldKey(entity: found.entity, row: found.row, field: "account")
                // An entity of a newer client's is kept in the log, with no table to read it from.
                guard schema.entity(key.entity) != nil else { return nil }
                return try String.fetchOne(before, arguments: [key.entity, key.row, key.field, row]).map { (key, $0) }
            }
        }
        var moved: [MovedRecord] = []
        for (key, before) in touched {
            guard let record = try record(key.entity, id: key.row), !record.deleted,
                  let now = record["account"].textValue, now != before,
                  let by = try read({ db in try String.fetchOne(db, sql: Self.winnerQuery(columns: "author"), arguments: [key.entity, key.row, key.field]) })
            else { continue }
            moved.append(MovedRecord(entity: key.entity, row: key.row, from: before, to: now, by: by))
        }
        return moved.sorted { ($0.from, $0.entity, $0.row) < ($1.from, $1.entity, $1.row) }
    }

    /// The records whose account other replicas' operations set after the log's row `row`.
    static func accountsSet(_ db: Database, after row: Int64, notFrom replica: String) throws -> [(entity: String, row: String)] {
        // NOT INDEXED: by the rowid range, the pulls alone (DISTINCT chose the id index, and read the whole log).
        try Row.fetchAll(db, sql: "SELECT DISTINCT entity, row FROM ops NOT INDEXED WHERE rowid > ? AND field = 'account' AND replica <> ?", arguments: [row, replica])
            .map { (entity: $0["entity"], row: $0["row"]) }
    }

    /// The records other replicas' operations after the log's row `row` put under an account that `user` removed,
    /// or archived (merged into another, which archives it) and is still archived by them: added or moved there
    /// while the removal or merge was on its way (A merged into B as B went into C left A's records on the archived
    /// B), they are in no list, and the one who removed or archived it heard nothing (the owner is told otherwise,
    /// and whoever made them when the removal reaches them). `to` is the account. The pulls are read once for both.
    public func recordsUnderAccountsLeft(after row: Int64, notFrom replica: String, by user: String) throws -> (removed: [MovedRecord], archived: [MovedRecord]) {
        // Most people never removed or archived an account: one pass over the accounts, and the pulls are not read.
        let (removed, archived) = try read { db in
            let removed = try Set(String.fetchAll(db, sql: """
                SELECT id FROM accounts WHERE deleted <> 0
                AND EXISTS (SELECT 1 FROM ops WHERE entity = 'account' AND ops.row = accounts.id AND field = ? AND author = ?)
                """, arguments: [Schema.deletedField, user]))
            // The archival that stands is theirs: not one they made and a colleague undid and made again.
            let winner = try db.cachedStatement(sql: Self.winnerQuery(columns: "author"))
            let archived = try Set(String.fetchAll(db, sql: """
                SELECT id FROM accounts WHERE deleted = 0 AND archived = 1
                AND EXISTS (SELECT 1 FROM ops WHERE entity = 'account' AND ops.row = accounts.id AND field = 'archived' AND author = ?)
                """, arguments: [user]).filter { try String.fetchOne(winner, arguments: ["account", $0, "archived"]) == user })
            return (removed, archived)
        }
        guard !removed.isEmpty || !archived.isEmpty else { return ([], []) }
        let touched = try read { db in try Self.accountsSet(db, after: row, notFrom: replica) }
        var found: (removed: [MovedRecord], archived: [MovedRecord]) = ([], [])
        for (entity, id) in touched where schema.entity(entity)?.field("account") != nil {
            guard let record = try record(entity, id: id), !record.deleted, let account = record["account"].textValue,
                  removed.contains(account) || archived.contains(account),
                  let by = try read({ db in try String.fetchOne(db, sql: Self.winnerQuery(columns: "author"), arguments: [entity, id, "account"]) }) else { continue }
            let moved = MovedRecord(entity: entity, row: id, from: "", to: account, by: by)
            if removed.contains(account) { found.removed.append(moved) } else { found.archived.append(moved) }
        }
        let order = { (a: MovedRecord, b: MovedRecord) in (a.to, a.entity, a.row) < (b.to, b.entity, b.row) }
        return (found.removed.sorted(by: order), found.archived.sorted(by: order))
    }

    /// Of the watched `records` still here, those that refer to a record another person removed (`removals`):
    /// the removal leaves them in place, naming what is gone, so they no longer show where they were made.
    func removedUnder(_ records: Set<PendingEdits.RecordKey>, removals: [PendingEdits.RecordKey: String]) throws -> [RemovedUnderEdit] {
        var found: [RemovedUnderEdit] = []
        for key in records {
            guard let entity = schema.entity(key.entity), let record = try record(key.entity, id: key.row), !record.deleted else { continue }
            for field in entity.fields {
                guard case .reference(let target) = field.type, let id = record[field.name].textValue else { continue }
                let parent = PendingEdits.RecordKey(entity: target, row: id)
                guard let by = removals[parent], try self.record(target, id: id)?.deleted == true else { continue }
                found.append(RemovedUnderEdit(entity: key.entity, row: key.row, parentEntity: target, parentRow: id, removedBy: by))
            }
        }
        return found.sorted { ($0.parentEntity, $0.parentRow, $0.entity, $0.row) < ($1.parentEntity, $1.parentRow, $1.entity, $1.row) }
    }

    /// Of `mine`, the values that another person's operation beats now, each with the one that stands. The
    /// same person's other replica (their desktop, or this file under a new id) is not another person, and
    /// the same value set by two people replaced nothing.
    func overwritten(_ mine: [Operation], user: String) throws -> [OverwrittenValue] {
        let beaten = try read { db in
            let statement = try FastStatement(db, sql: Self.winnerQuery(columns: OperationRows.columns))
            return try mine.compactMap { op -> OverwrittenValue? in
                statement.bind(1, op.entity); statement.bind(2, op.row); statement.bind(3, op.field)
                guard let winner = try statement.operations().first, winner.id != op.id, winner.author != user, winner.value != op.value else { return nil }
                return OverwrittenValue(mine: op, theirs: winner)
            }
        }
        // A removal is told apart (`RemovedAfterEdit`).
        return try beaten.filter { try record($0.mine.entity, id: $0.mine.row)?.deleted == false }
    }

    public func pendingCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ops WHERE pushed = 0") ?? 0 }
    }

    /// Marks operations as stored by the server: `timed`, now (the server has just acknowledged them), or at a
    /// time not known (a batch it had before, resent after its restore).
    public func markPushed(_ ids: [OperationID], timed: Bool) throws {
        let time = timed ? max(2, env.now()) : 1
        try write { db in
            let mark = try db.cachedStatement(sql: Self.markPushed)
            for id in ids { try mark.execute(arguments: [id.replica, id.counter, time]) }
        }
    }

    /// Marks sent those of `ops` made under this replica's id that it holds unsynced as they are, and takes in
    /// place of its own those that differ only in their stamp (re-stamped on one side, as `apply` takes them);
    /// the rest are left alone (none is applied). `reached`: the highest counter of this replica's id met so far,
    /// moved on by these. Returns how many it marked, and whether an unsynced operation lies past `reached`
    /// (the other copy pushed in counter order: none past it, the log has nothing more to say).
    public func markPendingHeld(_ ops: [Operation], reached: inout Int64) throws -> (marked: Int, more: Bool) {
        let seen = reached
        let (marked, highest, more) = try write { db -> (Int, Int64, Bool) in
            let mine = try Self.identity(db).id
            let pending = try FastStatement(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE pushed = 0 AND replica = ? AND counter = ?")
            let mark = try db.cachedStatement(sql: Self.markPushed)
            var marked = 0, highest = seen
            var restamped: [Operation] = []
            for op in ops where op.id.replica == mine {
                highest = max(highest, op.id.counter)
                pending.bind(1, op.id.replica); pending.bind(2, op.id.counter)
                guard var held = try pending.operations().first else { continue }
                if held == op {
                    // When the server took it is not known here: 1, as for one a pull brings back.
                    try mark.execute(arguments: [op.id.replica, op.id.counter, 1])
                    marked += 1
                } else {
                    held.time = op.time
                    if held == op { restamped.append(op) }
                }
            }
            if !restamped.isEmpty { _ = try apply(db, restamped, pushed: true) }
            let more = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ops WHERE pushed = 0 AND replica = ? AND counter > ?)", arguments: [mine, highest]) ?? false
            return (marked + restamped.count, highest, more)
        }
        reached = highest
        return (marked, more)
    }

    /// Applies a page of pulled operations and moves the cursor to `cursor`, all in one transaction: a sync
    /// interrupted at any point resumes from the last page that fully landed. Returns how many were new.
    ///
    /// The commit does not wait for the disk: a page dirties index pages all over the file, and waiting for
    /// each page's write-ahead log to reach the disk is a large part of a long sync. A power cut can then
    /// lose the last pages applied, never part of one (SQLite recovers its log only up to the first incomplete
    /// transaction), and the cursor goes back with them, so the next sync pulls them again. The sync's last
    /// write (`recordSync`) waits for the disk, which makes every page before it durable too.
    ///
    /// A large batch is applied in slices of `progressSlice` operations within that one transaction, and
    /// `progress` hears how many have been applied after each slice but the last, so that a sync can show
    /// its progress while a group of a hundred thousand lands. The result is the same for any split, since
    /// each slice is merged with everything the ones before it wrote.
    ///
    /// `cursorEntry` is the id of the log entry at `cursor` when the page held it, which the next handshake
    /// checks the server still has there; it is kept only if the cursor moves.
    @discardableResult
    public func applyPulled(_ ops: [Operation], cursor: Int64, cursorEntry: String? = nil, progress: ((Int) -> Void)? = nil) throws -> Int {
        // In the order of the log's key and the rows they land in, so that each page is visited once rather
        // than at random. The merge rules do not depend on the order, nor does anything read later.
        // The positions are sorted rather than the operations themselves: an operation is a large value, and
        // moving a hundred thousand of them about took more time than comparing their keys.
        let order = ops.indices.sorted { (ops[$0].entity, ops[$0].row, ops[$0].field) < (ops[$1].entity, ops[$1].row, ops[$1].field) }
        let ordered = order.map { ops[$0] }
        return try writeWithoutWaitingForDisk { db in
            var fresh = 0
            for start in stride(from: 0, to: ordered.count, by: Self.progressSlice) {
                let end = min(start + Self.progressSlice, ordered.count)
                fresh += try apply(db, ordered[start..<end], pushed: true)
                if end < ordered.count { progress?(end) }
            }
            if let latest = ops.map(\.time).max() { try receive(db, latest) }
            // Our own operations come back in the pull when an earlier push's response was lost: the
            // server has them, so they are no longer pending.
            let mine = try Self.identity(db).id
            let mark = try db.cachedStatement(sql: Self.markPushed)
            // When the server took them is not known here (the lost response's time): 1.
            for op in ops where op.id.replica == mine { try mark.execute(arguments: [op.id.replica, op.id.counter, 1]) }
            // SET reads the row as it was, so the entry changes only with a cursor that moves.
            try db.execute(
                sql: "UPDATE replica SET cursor_entry = CASE WHEN ?1 > cursor THEN ?2 ELSE cursor_entry END, cursor = max(cursor, ?1)",
                arguments: [cursor, cursorEntry])
            // An operation under this replica's id that it has not made yet: another copy of its file (the
            // laptop this one was restored from, or a copy) made it. The next change made here would take
            // the id of one the replica now holds, so the replica moves to a new id before it makes any.
            let made = try Int64.fetchOne(db, sql: "SELECT counter FROM replica") ?? 0
            if ops.contains(where: { $0.id.replica == mine && $0.id.counter > made }) { _ = try moveToNewID(db) }
            return fresh
        }
    }

    /// This replica's resolutions that met, in `pulled`, another person's resolution of the same conflict with
    /// other text, made at the same time. The merge rule lets the latest one stand without a new conflict (see
    /// `ReviewedText`), so the people are told here instead: the one out-voted, and the one who out-voted
    /// another's work without seeing it. Among three or more, only the one that stands is named: told of each
    /// rival by pairs, one person heard both "yours stands" and "theirs stands" in one sync.
    public func concurrentResolutions(pulled: [Operation]) throws -> [ConcurrentResolution] {
        let resolutions = pulled.filter(\.resolution)
        guard !resolutions.isEmpty else { return [] }
        return try read { db in
            let mine = try Self.identity(db).id
            var found: [ConcurrentResolution] = []
            for key in Set(resolutions.map(\.key)) {
                let text = try reviewedText(db, key)
                // A field in conflict again (an edit made on one laptop without seeing the other) shows its versions
                // in the review queue: nothing to add where a version there is this resolution or was made on it
                // (its text is before the person). Where none is (it lost to a concurrent resolution, which an edit
                // made on that one then met), the queue does not show it: told as the settled case is.
                var shown: [OperationID]? = nil
                if case .conflict(let open)? = text.outcome { shown = open.versions }
                let pulledIDs = Set(resolutions.filter { $0.key == key }.map(\.id))
                for own in text.versions.values where own.id.replica == mine && own.resolution {
                    if let shown, shown.contains(where: { $0 == own.id || Self.descends($0, from: own.id, in: text) }) { continue }
                    let parents = Set(own.parents)
                    let rivals = text.versions.values.filter { $0.id.replica != mine && $0.resolution && Set($0.parents) == parents }
                    guard let standing = (rivals + [own]).max(by: { Operation.isOrdered($0, before: $1) }) else { continue }
                    if standing.value == own.value {
                        for rival in rivals where pulledIDs.contains(rival.id) && rival.value != own.value {
                            found.append(ConcurrentResolution(mine: own, theirs: rival, mineStands: true))
                        }
                    } else if pulledIDs.contains(standing.id) {
                        found.append(ConcurrentResolution(mine: own, theirs: standing, mineStands: false))
                    }
                }
            }
            return found.sorted { $0.theirs.id < $1.theirs.id }
        }
    }

    /// This replica's note edits, and resolutions, that another person's resolution, in `pulled`, replaced with
    /// other text. The review queue shows a conflict only where it is open: one resolved before this replica
    /// synced (bob saw both versions and kept his) opened and closed in the same pull, and alice was never told
    /// that her text was set aside. It is still in the field's history. A field in conflict again is told too,
    /// unless a version of this person's in that conflict holds the text (it, or one made on it and not on the
    /// resolution: the queue shows it): an edit made without seeing bob's resolution put his and that edit in
    /// review, neither of them alice's, and she heard nothing then or when it was resolved. Not reported: a
    /// resolution that met one of this replica's own (`concurrentResolutions` tells that), nor one that lost to a
    /// concurrent resolution the same review closed.
    public func setAside(pulled: [Operation]) throws -> [SetAsideEdit] {
        let resolutions = pulled.filter(\.resolution)
        guard !resolutions.isEmpty else { return [] }
        return try read { db in
            let identity = try Self.identity(db)
            var found: [SetAsideEdit] = []
            for theirs in resolutions where theirs.author != identity.user {
                let text = try reviewedText(db, theirs.key)
                // In review again: this person's versions there (on any of their laptops, as `conflicts show` counts
                // versions yours), which show what they hold.
                var reviewedMine: [OperationID] = []
                if case .conflict(let open)? = text.outcome { reviewedMine = open.versions.filter { text.versions[$0]?.author == identity.user } }
                let parents = Set(theirs.parents)
                let rivals = text.versions.values.filter { $0.resolution && Set($0.parents) == parents }
                if rivals.contains(where: { $0.id.replica == identity.id }) { continue }
                // Only by the resolution that stands (the latest of those made at the same time): another one
                // that also set the edit aside, or one that kept it but lost, would tell the author wrongly, or twice.
                guard rivals.max(by: { Operation.isOrdered($0, before: $1) })?.id == theirs.id else { continue }
                for parent in theirs.parents where parent.replica == identity.id {
                    guard let own = text.versions[parent], own.value != theirs.value else { continue }
                    // A resolution of this replica's only where the review `theirs` closed showed it: one that lost to
                    // a concurrent resolution that review also closed (told by `concurrentResolutions`) was a head it
                    // superseded, but never one of its versions. (One whose rival an edit was made on stood alone in
                    // that review, and is told.)
                    if own.resolution, theirs.parents.contains(where: { id in
                        guard let rival = text.versions[id] else { return false }
                        return rival.resolution && Set(rival.parents) == Set(own.parents) && Operation.isOrdered(own, before: rival) && rival.value != own.value
                    }) { continue }
                    // The queue shows it: it, or an edit made on it, is in the review open again. (An edit on another
                    // laptop of theirs made without it does not hold it, nor one made on the resolution that set it aside.)
                    if reviewedMine.contains(where: { $0 == own.id || ($0 != theirs.id && Self.descends($0, from: own.id, in: text) && !Self.descends($0, from: theirs.id, in: text)) }) { continue }
                    found.append(SetAsideEdit(mine: own, resolution: theirs))
                }
            }
            return found.sorted { $0.resolution.id < $1.resolution.id }
        }
    }

    /// Whether version `id` of a text was made on `ancestor`, directly or through versions between.
    static func descends(_ id: OperationID, from ancestor: OperationID, in text: ReviewedText) -> Bool {
        var seen: Set<OperationID> = [], next = text.versions[id]?.parents ?? []
        while let parent = next.popLast() {
            if parent == ancestor { return true }
            guard seen.insert(parent).inserted else { continue }
            next += text.versions[parent]?.parents ?? []
        }
        return false
    }

    /// Found through `ops_pending`: only pending operations are indexed by (replica, counter), that is by id.
    /// `pushed` is 0 for an operation still to send, else when the server acknowledged it (Unix ms), or 1 where
    /// that is not known (an operation pulled, one the server had and took again after its restore, or one
    /// pushed before the time was kept): `syncedValuesReplaced` tells a colleague's value made before it.
    static let markPushed = "UPDATE ops SET pushed = ?3 WHERE pushed = 0 AND replica = ?1 AND counter = ?2"

    /// How far apart two laptops' clocks may be, for `syncedValuesReplaced` (ms).
    /// A colleague whose clock is behind by more, editing a value right after pulling it, is told as if they had
    /// not seen it: "set it after you", which is true all the same.
    static let clockMargin: Int64 = 2_000

    /// How many pulled operations `applyPulled` applies between two reports of its progress.
    public static let progressSlice = 10_000

    /// The highest counter among this replica's own operations that the server acknowledged (0 for none): what
    /// `resendAfterServerRestore` is about to send again goes up to it, and what the handshake tells the server
    /// it should hold. A replica pushes in counter order, so it is the one below its lowest pending operation,
    /// or else the last one it made: read through `ops_pending` and the replica row, since a search of the log
    /// for its pushed operations read all of it (every sync of a large replica paid for it).
    public func acknowledgedThrough() throws -> Int64 {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT coalesce((SELECT min(counter) FROM ops WHERE pushed = 0 AND replica = ?) - 1, counter) FROM replica",
                               arguments: [try Self.identity(db).id]) ?? 0
        }
    }

    /// After the server lost part of its log (restored from an older backup): marks every operation this
    /// replica made as not yet pushed, so that the next push sends them all again (the server stores those it
    /// lost and counts the rest as duplicates), and moves the cursor back to the start, so that the next sync
    /// starts from the server's snapshot again. Not to the server's head: the positions the server handed out
    /// again since the restore may be below it, and which of its positions still hold what this replica
    /// applied is unknown here. Applying the snapshot adds only what the replica lacks. Returns how many
    /// operations will be sent again.
    ///
    /// Every other operation of its user's that it holds goes again too, each under its own replica's id: those
    /// made under an id this file used before (a copy restored from a backup moved to a new one, and no laptop
    /// syncs under the old id to send them) and those of the user's other laptops. The server stores each id
    /// once, so a laptop sending what another sends too costs only the bytes.
    public func resendAfterServerRestore() throws -> Int {
        try write { db in
            let identity = try Self.identity(db)
            try db.execute(sql: "UPDATE ops SET pushed = 0 WHERE (replica = ? OR author = ?) AND pushed <> 0", arguments: [identity.id, identity.user])
            let resent = db.changesCount
            try db.execute(sql: "UPDATE replica SET cursor = 0, cursor_entry = NULL")
            return resent
        }
    }

    /// Gives this replica a new id and moves its unpushed operations to it, numbered from 1, for when the
    /// server holds other operations under their ids: the replica's file was copied, or restored from a backup,
    /// and another copy of it synced first. Their ids can never be stored, but nobody has seen them, so new ones
    /// break nothing; the other copy keeps the old id. Links between them (a note edit's base) follow, each
    /// field they touch is merged again (last-writer-wins ties are broken by replica id), and the conflicts
    /// they stand in are opened again under the ids their versions now have. Returns the old and the new id
    /// and how many operations moved.
    public func moveToNewID() throws -> (from: String, to: String, moved: Int) {
        try write { db in try moveToNewID(db) }
    }

    func moveToNewID(_ db: Database) throws -> (from: String, to: String, moved: Int) {
        let old = try Self.identity(db).id
        let pending = try OperationRows.fetchAll(
            db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE pushed = 0 AND replica = ? ORDER BY counter", arguments: [old])
        let new = env.newReplicaID()
        var renamed: [OperationID: OperationID] = [:]
        for (i, op) in pending.enumerated() { renamed[op.id] = OperationID(replica: new, counter: Int64(i + 1)) }
        try db.execute(sql: "DELETE FROM ops WHERE pushed = 0 AND replica = ?", arguments: [old])
        let insert = try FastStatement(db, sql: "INSERT INTO ops (\(OperationRows.columns), pushed) VALUES (\(Self.marks(15)))")
        for var op in pending {
            op.id = renamed[op.id]!
            op.base = op.base.map { renamed[$0] ?? $0 }
            op.supersedes = op.supersedes.map { renamed[$0] ?? $0 }
            insert.bind(operation: op)
            insert.bind(15, false)
            try insert.run()
        }
        // A conflict record names its versions, and its id is made from them: those with a moved version,
        // open or closed, are dropped, and merging the field again opens the ones that still stand.
        let moved = Set(renamed.keys.map(\.description))
        var keys = Set(pending.map(\.key))
        for row in try Row.fetchAll(db, sql: "SELECT id, entity, row, field, versions, heads, base, closed_by FROM conflicts") {
            let base: String? = row["base"], closedBy: String? = row["closed_by"]
            let named = (OperationRows.split(row["versions"]) + OperationRows.split(row["heads"])).map(\.description) + [base, closedBy].compactMap { $0 }
            if named.contains(where: moved.contains) {
                try db.execute(sql: "DELETE FROM conflicts WHERE id = ?", arguments: [row["id"] as String])
                keys.insert(FieldKey(entity: row["entity"], row: row["row"], field: row["field"]))
            }
        }
        try db.execute(sql: "UPDATE replica SET id = ?, counter = ?", arguments: [new, pending.count])
        for key in keys { try rederive(db, key) }
        return (old, new, pending.count)
    }

    public func recordSync(at ms: Int64) throws {
        try write { db in
            try db.execute(sql: "UPDATE replica SET last_sync_ms = ?, sync_failure_ms = NULL, sync_failure_code = NULL, sync_failure = NULL", arguments: [ms])
        }
    }

    /// Remembers why a sync failed, until one goes through (`recordSync`).
    public func recordSyncFailure(_ failure: SyncFailure) throws {
        try write { db in
            try db.execute(sql: "UPDATE replica SET sync_failure_ms = ?, sync_failure_code = ?, sync_failure = ?",
                           arguments: [failure.ms, failure.code, failure.message])
        }
    }

    /// Gives the unpushed operations stamped after `floor` new timestamps, in their original order, starting
    /// after `floor`; those that shared one (fields written together) share their new one.
    ///
    /// Used when the server refuses operations stamped too far ahead of its clock (a laptop clock running
    /// fast). Nobody else has seen these operations, so moving them back breaks no causal order as long as
    /// they stay after everything the replica had seen; each field they touch is merged again from all its
    /// operations. A replica's stamps rise with its counters (or stay, for fields written together), so those
    /// after `floor` are the last ones, and moving only them keeps the order. (A restore's copy carries the stamp
    /// of the value it copies, older than its counter says; one of a colleague's value stamped past `floor` would be moved too, and then order as
    /// an edit of now: the copy's ordering is lost, nothing else.) The others keep their stamps: among them may be operations the server
    /// already stored once and is sent again (`resendAfterServerRestore`), which colleagues may hold and may
    /// have overwritten since; re-stamped, one would give one id two contents and win over the newer edit.
    public func restampPending(after floor: Timestamp) throws -> Int {
        try write { db in
            // Never stamp before an operation the replica holds from the server, its own or a colleague's: the
            // pending edits may have been made after seeing it, and moved before it they would lose to the
            // value they overwrote (or a text edit would precede its own base). A colleague's clock may run
            // ahead of the server's by up to the server's bound, so `floor` alone is not enough. (Another replica's
            // operation counts though marked to send again after a restore: it came from the server all the same.)
            let own = try Self.identity(db).id
            let pushedTop = try Row.fetchOne(db, sql: "SELECT ms, logical FROM ops WHERE pushed <> 0 OR replica <> ? ORDER BY ms DESC, logical DESC LIMIT 1", arguments: [own])
                .map { Timestamp(ms: $0["ms"], logical: $0["logical"]) } ?? .zero
            var clock = HybridLogicalClock(last: max(floor, pushedTop))
            // Only this replica's own: another's sent again after a restore (`resendAfterServerRestore`) is held by
            // others as it is.
            let pending = try OperationRows.fetchAll(
                db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE pushed = 0 AND replica = ? AND (ms, logical) > (?, ?) ORDER BY replica, counter",
                arguments: [own, floor.ms, floor.logical])
            var keys: Set<FieldKey> = []
            // Operations stamped alike stay alike: fields written together (`setTogether`) share one stamp.
            var restamped: [Timestamp: Timestamp] = [:]
            for op in pending {
                let time = restamped[op.time] ?? clock.tick(physical: floor.ms)
                restamped[op.time] = time
                try db.execute(
                    sql: "UPDATE ops SET ms = ?, logical = ? WHERE pushed = 0 AND replica = ? AND counter = ?",
                    arguments: [time.ms, time.logical, op.id.replica, op.id.counter])
                keys.insert(op.key)
            }
            try db.execute(sql: "UPDATE replica SET clock_ms = ?, clock_logical = ?", arguments: [clock.last.ms, clock.last.logical])
            for key in keys { try rederive(db, key) }
            return pending.count
        }
    }

    /// Merges one field again from every operation the replica holds for it.
    func rederive(_ db: Database, _ key: FieldKey) throws {
        guard let entity = schema.entity(key.entity), let spec = entity.field(key.field) else { return }
        let value: FieldValue
        switch spec.merge {
        case .reviewedText:
            value = try deriveText(db, key: key, text: try reviewedText(db, key), mayHaveOpenConflicts: true)
        case .tombstone:
            return
        case .lastWriterWins:
            let winner = try FastStatement(db, sql: Self.winnerQuery(columns: OperationRows.columns))
            winner.bind(1, key.entity); winner.bind(2, key.row); winner.bind(3, key.field)
            guard let op = try winner.operations().first else { return }
            value = op.value
        }
        try updateRow(db, table: entity.table.quotedDatabaseIdentifier, id: key.row, values: [(key.field, value)])
    }
}

/// An edit of this replica's that another person's resolution of the conflict it was in replaced with other text.
public struct SetAsideEdit: Sendable, Equatable, Codable {
    public var mine: Operation
    public var resolution: Operation

    public init(mine: Operation, resolution: Operation) {
        self.mine = mine
        self.resolution = resolution
    }
}

/// What a sync watches its pulls for (`Replica.beginWatch`).
struct PendingEdits: Sendable {
    struct RecordKey: Hashable, Sendable {
        var entity: String
        var row: String
    }

    var values: [FieldKey: Operation] = [:]
    var records: Set<RecordKey> = []
    /// Records the user removed, with where each removal stands in the log.
    var removals: [RecordKey: Int64] = [:]
    var isEmpty: Bool { records.isEmpty && removals.isEmpty }
}

/// A value this replica's user set that another person's later value replaced in a sync.
public struct OverwrittenValue: Sendable, Equatable, Codable {
    public var mine: Operation
    public var theirs: Operation
}

/// A record this replica's user had edited, unsynced, that another person's removal reached in a sync.
public struct RemovedAfterEdit: Sendable, Equatable, Codable {
    public var entity: String
    public var row: String
    public var removedBy: String
}

/// A record this replica's user removed, unsynced, that other people had edited: the sync brought their
/// edits, which this replica had not held when the user removed it. The removal stands over them.
public struct UnseenEdits: Sendable, Equatable, Codable {
    public var entity: String
    public var row: String
    public var editedBy: [String]
}

/// A record this replica's user had made or edited, unsynced, that refers to one another person removed in a
/// sync: a reading under a removed KPI, an action agreed at a removed meeting.
public struct RemovedUnderEdit: Sendable, Equatable, Codable {
    public var entity: String
    public var row: String
    public var parentEntity: String
    public var parentRow: String
    public var removedBy: String
}

/// What a sync's pulls did to the edits a watch followed.
public struct WatchReport: Sendable, Equatable {
    /// The log's row after which the sync's pulls stored what they brought.
    public var start: Int64 = 0
    public var overwritten: [OverwrittenValue] = []
    public var removed: [RemovedAfterEdit] = []
    public var removedUnder: [RemovedUnderEdit] = []
    /// Records the user edited, unsynced, that another person archived (`removedBy`: who archived it).
    public var archived: [RemovedAfterEdit] = []
    /// Records the user made or edited, unsynced, under an account another person archived (or merged into
    /// another) meanwhile: they left the lists with it.
    public var archivedUnder: [RemovedUnderEdit] = []
    /// Values the user set, unsynced, that stand over another person's value this replica had not seen
    /// (`mine` stands, `theirs` is the value replaced).
    public var replacedUnseen: [OverwrittenValue] = []
    /// Records the user edited and synced before, that another person removed before the edit reached them.
    public var removedAfterSyncedEdit: [RemovedAfterEdit] = []
    /// Records the user removed, unsynced, that other people had edited without this replica holding it.
    public var removedUnseen: [UnseenEdits] = []
}

/// Two resolutions of one conflict made at the same time with other texts: this replica's, and another
/// person's that a sync brought in. The later one stands; the other stays in the field's history.
public struct ConcurrentResolution: Sendable, Equatable, Codable {
    public var mine: Operation
    public var theirs: Operation
    public var mineStands: Bool

    public init(mine: Operation, theirs: Operation, mineStands: Bool) {
        self.mine = mine
        self.theirs = theirs
        self.mineStands = mineStands
    }
}
