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
        let record = try FastStatement(db, sql: "INSERT INTO ops (\(OperationRows.columns), pushed) VALUES (\(Self.marks(15))) ON CONFLICT (id) DO NOTHING")
        // The new operations that land in a column, with their field's merge rule.
        var landing: [(op: Operation, merge: MergeKind)] = []
        landing.reserveCapacity(ops.count)
        var fresh = 0
        for op in ops {
            record.bind(operation: op)
            record.bind(15, pushed)
            try record.run()
            guard record.changes > 0 else { continue }
            fresh += 1
            // An operation for an entity or field this version does not know (a newer client's) is kept in the
            // log, and so synced onward, but has no column to land in.
            guard let spec = schema.entity(op.entity)?.field(op.field) else { continue }
            landing.append((op, spec.merge))
        }
        // Rows one after another, each written once. A pulled page comes sorted by row already (local edits
        // may not); the order of a row's operations does not matter to the merge rules.
        func before(_ a: Operation, _ b: Operation) -> Bool { (a.entity, a.row) < (b.entity, b.row) }
        if zip(landing, landing.dropFirst()).contains(where: { before($1.op, $0.op) }) {
            landing.sort { before($0.op, $1.op) }
        }
        var start = 0
        while start < landing.count {
            let first = landing[start].op
            var changes = RowChanges()
            var end = start
            while end < landing.count, landing[end].op.row == first.row, landing[end].op.entity == first.entity {
                changes.add(landing[end].op, merge: landing[end].merge)
                end += 1
            }
            try write(db, changes, entity: first.entity, row: first.row)
            start = end
        }
        return fresh
    }

    /// Writes one row's changes from a batch with one statement.
    ///
    /// A row the replica did not have is new with this batch, and so is everything held for it: the batch's
    /// latest value of each field wins and its text versions are all there are, so nothing is read back. For
    /// a row it had, each last-writer-wins field is checked once against its winner among everything now
    /// held, and each reviewed-text field is derived once from all its versions.
    func write(_ db: Database, _ changes: RowChanges, entity: String, row: String) throws {
        guard let table = schema.entity(entity)?.table.quotedDatabaseIdentifier else { return }
        let held = try FastStatement(db, sql: "SELECT 1 FROM \(table) WHERE id = ?")
        held.bind(1, row)
        let had = try held.step()
        held.reset()
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
            try updateRow(db, table: table, id: row, values: values)
        } else {
            try insertRow(db, table: table, id: row, values: values)
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

    func insertRow(_ db: Database, table: String, id: String, values: [(field: String, value: FieldValue)]) throws {
        let columns = (["id"] + values.map(\.field)).map(\.quotedDatabaseIdentifier).joined(separator: ", ")
        let insert = try FastStatement(db, sql: "INSERT INTO \(table) (\(columns)) VALUES (\(Self.marks(values.count + 1)))")
        insert.bind(1, id)
        for (i, value) in values.enumerated() { insert.bind(Int32(i + 2), value.value) }
        try insert.run()
    }

    func updateRow(_ db: Database, table: String, id: String, values: [(field: String, value: FieldValue)]) throws {
        guard !values.isEmpty else { return }
        let assignments = values.map { "\($0.field.quotedDatabaseIdentifier) = ?" }.joined(separator: ", ")
        let update = try FastStatement(db, sql: "UPDATE \(table) SET \(assignments) WHERE id = ?")
        for (i, value) in values.enumerated() { update.bind(Int32(i + 1), value.value) }
        update.bind(Int32(values.count + 1), id)
        try update.run()
    }

    /// The id of the operation that wins a last-writer-wins field among all the replica holds for it, read
    /// from the end of `ops_field`, which orders each field's operations as the rule does.
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

    /// A field's operations latest first; `ops_field` holds them in this order, so the first is one seek.
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
