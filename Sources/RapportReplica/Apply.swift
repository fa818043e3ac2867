import GRDB
import RapportSQL
import RapportSync

/// Applying an operation to the replica's tables with the pure merge rules; local edits and pulled
/// operations take the same path.
extension Replica {
    /// Records and applies one operation. Returns false, changing nothing, when the replica already has it.
    @discardableResult
    func apply(_ db: Database, _ op: Operation, pushed: Bool) throws -> Bool {
        try apply(db, [op], pushed: pushed) == 1
    }

    /// Records and applies operations; returns how many were new (the others it already had).
    ///
    /// A pulled page touches each field and row many times over, so the work is grouped by row: each
    /// operation is recorded, then each touched row is written with one statement.
    func apply(_ db: Database, _ ops: some Collection<Operation>, pushed: Bool) throws -> Int {
        let record = try FastStatement(db, sql: "INSERT INTO ops (\(OperationRows.columns), pushed) VALUES (\(Self.marks(15))) ON CONFLICT DO NOTHING")
        // The new operations that land in a column, with their field's merge rule.
        var landing: [(op: Operation, merge: MergeKind)] = []
        landing.reserveCapacity(ops.count)
        var fresh = 0
        // A pulled operation under the id of one of the replica's own pending ones is the server's copy of it:
        // the same one when an earlier push's response was lost. Under another stamp, it was re-stamped on one
        // side (`restampPending`), here or in the file this one was restored from a backup of, and the
        // server's copy is the one the team holds, so the replica takes it in place of its own, and merges the
        // field again. One that differs in more than its stamp is not this replica's: another copy of its file
        // (copied to a second laptop, or the one restored from a backup) made it under the same id. Keeping
        // either would lose one for good, so the page is refused, for `moveToNewID`.
        var own: (id: String, pending: FastStatement)?
        if pushed {
            own = (try Self.identity(db).id, try FastStatement(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE pushed = 0 AND replica = ? AND counter = ?"))
        }
        var replaced: [FieldKey] = []
        var authors = Set<String>()
        for op in ops {
            if let own, op.id.replica == own.id {
                own.pending.bind(1, op.id.replica); own.pending.bind(2, op.id.counter)
                if let held = try own.pending.operations().first {
                    if held == op { continue }
                    var restamped = held
                    restamped.time = op.time
                    guard restamped == op else { throw ReplicaError.operationIDTaken(op.id.description) }
                    try db.execute(sql: "DELETE FROM ops WHERE pushed = 0 AND replica = ? AND counter = ?", arguments: [held.id.replica, held.id.counter])
                    replaced.append(op.key)
                }
            }
            record.bind(operation: op)
            record.bind(15, pushed)
            try record.run()
            guard record.changes > 0 else { continue }
            fresh += 1
            authors.insert(op.author)
            // An operation for an entity or field this version does not know (a newer client's) is kept in the
            // log, and so synced onward, but has no column to land in.
            guard let spec = schema.entity(op.entity)?.field(op.field) else { continue }
            landing.append((op, spec.merge))
        }
        if !authors.isEmpty {
            let author = try db.cachedStatement(sql: "INSERT OR IGNORE INTO authors (name) VALUES (?)")
            for name in authors { try author.execute(arguments: [name]) }
        }
        if fresh - replaced.count > 0 {
            try db.cachedStatement(sql: "UPDATE replica SET operations = operations + ?").execute(arguments: [fresh - replaced.count])
        }
        // Rows one after another, each written once. A pulled page comes sorted by row already (local edits
        // may not); the order of a row's operations does not matter to the merge rules.
        func before(_ a: Operation, _ b: Operation) -> Bool { (a.entity, a.row) < (b.entity, b.row) }
        if zip(landing, landing.dropFirst()).contains(where: { before($1.op, $0.op) }) {
            landing.sort { before($0.op, $1.op) }
        }
        let rows = RowStatements(db)
        var start = 0
        while start < landing.count {
            let first = landing[start].op
            var changes = RowChanges()
            var end = start
            while end < landing.count, landing[end].op.row == first.row, landing[end].op.entity == first.entity {
                changes.add(landing[end].op, merge: landing[end].merge)
                end += 1
            }
            try writeRow(db, rows, changes, entity: first.entity, row: first.row)
            start = end
        }
        // The stamp of an operation the row may show has changed: the field's winner may be another one now.
        for key in Set(replaced) { try rederive(db, key) }
        return fresh - replaced.count
    }

    /// Lands the operations the log already holds for the tables and columns just added: ones pulled while
    /// this replica's version did not know their entity or field (a newer client's), which the log kept and
    /// synced onward (see `apply`). Without this, a teammate's values of a new field would show only once
    /// changed again, and the rows of a new entity not at all.
    func landHeld(_ db: Database, _ added: [(entity: EntitySpec, fields: [String]?)]) throws {
        let rows = RowStatements(db)
        for (entity, fields) in added {
            // A new table takes every operation of its entity, its deletions among them; a new column only its field's.
            let only = fields.map { " AND field IN (\(Self.marks($0.count)))" } ?? ""
            let held = try FastStatement(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE entity = ?\(only) ORDER BY row")
            held.bind(1, entity.name)
            for (i, field) in (fields ?? []).enumerated() { held.bind(Int32(i + 2), field) }
            defer { held.reset() }
            var row: String?
            var changes = RowChanges()
            while try held.step() {
                let op = held.operation()
                guard let spec = entity.field(op.field) else { continue }
                if op.row != row {
                    if let row { try writeRow(db, rows, changes, entity: entity.name, row: row) }
                    row = op.row
                    changes = RowChanges()
                }
                changes.add(op, merge: spec.merge)
            }
            if let row { try writeRow(db, rows, changes, entity: entity.name, row: row) }
        }
    }

    /// Writes one row's changes from a batch with one statement.
    ///
    /// A row the replica did not have is new with this batch, and so is everything held for it: the batch's
    /// latest value of each field wins and its text versions are all there are, so nothing is read back. For
    /// a row it had, each last-writer-wins field is checked once against its winner among everything now
    /// held, and each reviewed-text field is derived once from all its versions.
    func writeRow(_ db: Database, _ rows: RowStatements, _ changes: RowChanges, entity: String, row: String) throws {
        guard let spec = schema.entity(entity) else { return }
        let had = try rows.holds(spec, row: row)
        var values: [(field: String, value: FieldValue)] = []
        for (field, op) in changes.latest {
            // The batch's latest operation on a field changes it only if it is also the latest of all the
            // replica holds for it: the same question as comparing it with the previous winner.
            if try !had || winner(db, FieldKey(entity: entity, row: row, field: field)) == op.id {
                values.append((field, op.value))
            }
        }
        for (field, versions) in changes.texts {
            let key = FieldKey(entity: entity, row: row, field: field)
            let text = had ? try reviewedText(db, key) : ReviewedText(versions: versions)
            values.append((field, try deriveText(db, key: key, text: text, mayHaveOpenConflicts: had)))
        }
        if changes.deleted { values.append((ReplicaSchema.deletedColumn, .int(1))) }
        values.sort { $0.field < $1.field }
        if had {
            try updateRow(db, table: spec.table.quotedDatabaseIdentifier, id: row, values: values)
        } else {
            try rows.insert(spec, id: row, values: values)
        }
    }

    /// The statements that look up and insert a batch's rows, prepared once per table for the whole batch: a
    /// pulled page writes thousands of rows, and building each row's SQL and finding its cached statement
    /// took as long as SQLite's insert.
    final class RowStatements {
        let db: Database
        private var held: [String: FastStatement] = [:]
        private var inserts: [String: FastStatement] = [:]

        init(_ db: Database) { self.db = db }

        func holds(_ entity: EntitySpec, row: String) throws -> Bool {
            let statement = try held[entity.name] ?? FastStatement(db, sql: "SELECT 1 FROM \(entity.table.quotedDatabaseIdentifier) WHERE id = ?")
            held[entity.name] = statement
            defer { statement.reset() }
            statement.bind(1, row)
            return try statement.step()
        }

        /// Inserts a new row with every column: the fields a batch did not set are null, as they would be by
        /// default, and the row is not deleted unless `values` says so.
        func insert(_ entity: EntitySpec, id: String, values: [(field: String, value: FieldValue)]) throws {
            let statement = try inserts[entity.name] ?? {
                let columns = (["id"] + entity.fields.map(\.name) + [ReplicaSchema.deletedColumn]).map(\.quotedDatabaseIdentifier)
                return try FastStatement(db, sql: """
                    INSERT INTO \(entity.table.quotedDatabaseIdentifier) (\(columns.joined(separator: ", "))) VALUES (\(Replica.marks(columns.count)))
                    """)
            }()
            inserts[entity.name] = statement
            statement.bind(1, id)
            for (i, field) in entity.fields.enumerated() {
                statement.bind(Int32(i + 2), values.first { $0.field == field.name }?.value ?? .null)
            }
            statement.bind(Int32(entity.fields.count + 2), values.first { $0.field == ReplicaSchema.deletedColumn }?.value ?? .int(0))
            try statement.run()
        }
    }

    /// What one batch does to one row: the latest operation on each last-writer-wins field, the versions of
    /// each reviewed-text field, and whether the row was deleted. A row has a handful of fields, so a short
    /// list searched from its end (where a sorted page's previous operation left its field) beats a
    /// dictionary per row.
    struct RowChanges {
        var latest: [(field: String, op: Operation)] = []
        var texts: [(field: String, versions: [Operation])] = []
        var deleted = false

        mutating func add(_ op: Operation, merge: MergeKind) {
            switch merge {
            case .lastWriterWins:
                if let i = latest.lastIndex(where: { $0.field == op.field }) {
                    if LastWriterWins.wins(op, over: latest[i].op) { latest[i].op = op }
                } else {
                    latest.append((op.field, op))
                }
            case .reviewedText:
                if let i = texts.lastIndex(where: { $0.field == op.field }) {
                    texts[i].versions.append(op)
                } else {
                    texts.append((op.field, [op]))
                }
            case .tombstone: deleted = true
            }
        }
    }

    static func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    func updateRow(_ db: Database, table: String, id: String, values: [(field: String, value: FieldValue)]) throws {
        guard !values.isEmpty else { return }
        let assignments = values.map { "\($0.field.quotedDatabaseIdentifier) = ?" }.joined(separator: ", ")
        let update = try FastStatement(db, sql: "UPDATE \(table) SET \(assignments) WHERE id = ?")
        for (i, value) in values.enumerated() { update.bind(Int32(i + 1), value.value) }
        update.bind(Int32(values.count + 1), id)
        try update.run()
    }

    /// The id of the operation that wins a last-writer-wins field among all the replica holds for it, read
    /// from the end of the field's range of the log, whose key orders a field's operations as the rule does.
    func winner(_ db: Database, _ key: FieldKey) throws -> OperationID? {
        let statement = try FastStatement(db, sql: Self.winnerQuery(columns: "replica, counter"))
        defer { statement.reset() }
        statement.bind(1, key.entity); statement.bind(2, key.row); statement.bind(3, key.field)
        guard try statement.step() else { return nil }
        return OperationID(replica: statement.text(0) ?? "", counter: statement.int(1))
    }

    /// A field's latest operation by the last-writer-wins order (`Operation.isOrdered`: time, then replica,
    /// then counter; replica ids are lowercase ASCII, so SQLite's byte order is Swift's).
    static func winnerQuery(columns: String) -> String {
        "SELECT \(columns) FROM ops WHERE entity = ? AND row = ? AND field = ? ORDER BY \(latestFirst) LIMIT 1"
    }

    /// A field's operations latest first; the log's key holds them in this order, so the first is one seek.
    static let latestFirst = "ms DESC, logical DESC, replica DESC, counter DESC"

    func reviewedText(_ db: Database, _ key: FieldKey) throws -> ReviewedText {
        let statement = try FastStatement(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE entity = ? AND row = ? AND field = ?")
        statement.bind(1, key.entity); statement.bind(2, key.row); statement.bind(3, key.field)
        return ReviewedText(versions: try statement.operations())
    }

    /// Opens and closes a reviewed-text field's conflicts for the versions `text` holds, and returns the text
    /// it shows. A field that had no versions before cannot have a conflict to close.
    func deriveText(_ db: Database, key: FieldKey, text: ReviewedText, mayHaveOpenConflicts: Bool) throws -> FieldValue {
        // Computed once: the outcome walks every version, and a pulled page derives thousands of fields.
        let outcome = text.outcome
        var open: [(id: String, versions: [OperationID])] = []
        if mayHaveOpenConflicts {
            let openStatement = try FastStatement(db, sql: "SELECT id, versions FROM conflicts WHERE entity = ? AND row = ? AND field = ? AND status = 'open'")
            openStatement.bind(1, key.entity); openStatement.bind(2, key.row); openStatement.bind(3, key.field)
            while try openStatement.step() { open.append((openStatement.text(0) ?? "", OperationRows.split(openStatement.text(1)))) }
            openStatement.reset()
        }
        for (id, closing) in open.isEmpty ? [:] : ConflictLifecycle.closings(open: open, text: text, outcome: outcome) {
            switch closing {
            case .resolved(let by):
                try db.execute(sql: "UPDATE conflicts SET status = 'resolved', closed_by = ? WHERE id = ?", arguments: [by.description, id])
            case .widened(let into):
                try db.execute(sql: "UPDATE conflicts SET status = 'widened', closed_by = ? WHERE id = ?", arguments: [into, id])
            }
        }
        if case .conflict(let conflict) = outcome {
            try db.execute(
                sql: """
                    INSERT INTO conflicts (id, entity, row, field, versions, base, heads, status, opened_ms) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)
                    ON CONFLICT (id) DO UPDATE SET status = 'open', closed_by = NULL, base = excluded.base, heads = excluded.heads
                    """,
                arguments: [
                    conflict.id, key.entity, key.row, key.field,
                    OperationRows.joined(conflict.versions), conflict.base?.description,
                    OperationRows.joined(conflict.heads), env.now(),
                ])
        }
        return text.displayed(outcome)?.value ?? .null
    }
}
