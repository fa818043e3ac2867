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
    /// A pulled page touches each field and row many times over, so the work is grouped: each operation is
    /// recorded, then each row is created once, each last-writer-wins field compared once with the batch's
    /// latest operation on it, each changed row updated with one statement, and each reviewed-text field
    /// derived once from all its versions.
    func apply(_ db: Database, _ ops: [Operation], pushed: Bool) throws -> Int {
        let record = try FastStatement(db, sql: "INSERT INTO ops (\(OperationRows.columns), pushed) VALUES (\(Self.marks(15))) ON CONFLICT (id) DO NOTHING")
        var rows: [String: Set<String>] = [:]
        var latest: [FieldKey: Operation] = [:]
        var texts: Set<FieldKey> = []
        var deleted: [String: Set<String>] = [:]
        var fresh = 0
        for op in ops {
            record.bind(operation: op)
            record.bind(15, pushed)
            try record.run()
            guard record.changes > 0 else { continue }
            fresh += 1
            // An operation for an entity or field this version does not know (a newer client's) is kept in the
            // log, and so synced onward, but has no column to land in.
            guard let entity = schema.entity(op.entity), let spec = entity.field(op.field) else { continue }
            rows[entity.table, default: []].insert(op.row)
            switch spec.merge {
            case .lastWriterWins:
                if LastWriterWins.wins(op, over: latest[op.key]) { latest[op.key] = op }
            case .reviewedText:
                texts.insert(op.key)
            case .tombstone:
                deleted[entity.table, default: []].insert(op.row)
            }
        }
        for (table, ids) in rows {
            let create = try FastStatement(db, sql: "INSERT INTO \(table.quotedDatabaseIdentifier) (id) VALUES (?) ON CONFLICT DO NOTHING")
            for id in ids {
                create.bind(1, id)
                try create.run()
            }
        }
        let version = try FastStatement(db, sql: """
            INSERT INTO field_versions (entity, row, field, op, ms, logical, replica, counter) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (entity, row, field) DO UPDATE SET op = excluded.op, ms = excluded.ms,
                logical = excluded.logical, replica = excluded.replica, counter = excluded.counter
            """)
        var columns: [RowKey: [(field: String, value: FieldValue)]] = [:]
        for (key, op) in latest where LastWriterWins.wins(op, over: try currentWinner(db, key)) {
            columns[RowKey(entity: key.entity, row: key.row), default: []].append((key.field, op.value))
            version.bind(1, key.entity); version.bind(2, key.row); version.bind(3, key.field); version.bind(4, op.id.description)
            version.bind(5, op.time.ms); version.bind(6, op.time.logical); version.bind(7, op.id.replica); version.bind(8, op.id.counter)
            try version.run()
        }
        for (row, values) in columns {
            guard let table = schema.entity(row.entity)?.table else { continue }
            let sorted = values.sorted { $0.field < $1.field }
            let assignments = sorted.map { "\($0.field.quotedDatabaseIdentifier) = ?" }.joined(separator: ", ")
            let update = try FastStatement(db, sql: "UPDATE \(table.quotedDatabaseIdentifier) SET \(assignments) WHERE id = ?")
            for (i, value) in sorted.enumerated() { update.bind(Int32(i + 1), value.value) }
            update.bind(Int32(sorted.count + 1), row.row)
            try update.run()
        }
        for key in texts {
            guard let table = schema.entity(key.entity)?.table else { continue }
            try rederiveText(db, key: key, table: table.quotedDatabaseIdentifier)
        }
        for (table, ids) in deleted {
            let delete = try FastStatement(db, sql: "UPDATE \(table.quotedDatabaseIdentifier) SET deleted = 1 WHERE id = ?")
            for id in ids {
                delete.bind(1, id)
                try delete.run()
            }
        }
        return fresh
    }

    static func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    func currentWinner(_ db: Database, _ key: FieldKey) throws -> Operation? {
        let statement = try FastStatement(db, sql: "SELECT ms, logical, replica, counter FROM field_versions WHERE entity = ? AND row = ? AND field = ?")
        defer { statement.reset() }
        statement.bind(1, key.entity); statement.bind(2, key.row); statement.bind(3, key.field)
        guard try statement.step() else { return nil }
        // Only the order matters to the rule, so the winner's value need not be read back.
        return Operation(
            id: OperationID(replica: statement.text(2) ?? "", counter: statement.int(3)), author: "", entity: key.entity,
            row: key.row, field: key.field, value: .null, time: Timestamp(ms: statement.int(0), logical: Int(statement.int(1))))
    }

    func setColumn(_ db: Database, table: String, field: String, row: String, value: FieldValue) throws {
        let update = try FastStatement(db, sql: "UPDATE \(table) SET \(field.quotedDatabaseIdentifier) = ? WHERE id = ?")
        update.bind(1, value)
        update.bind(2, row)
        try update.run()
    }

    func reviewedText(_ db: Database, _ key: FieldKey) throws -> ReviewedText {
        let statement = try FastStatement(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE entity = ? AND row = ? AND field = ?")
        statement.bind(1, key.entity); statement.bind(2, key.row); statement.bind(3, key.field)
        return ReviewedText(versions: try statement.operations())
    }

    /// Recomputes a reviewed-text field from all its versions: the text it shows and its conflicts.
    func rederiveText(_ db: Database, key: FieldKey, table: String) throws {
        let text = try reviewedText(db, key)
        // Computed once: the outcome walks every version, and a pulled page rederives thousands of fields.
        let outcome = text.outcome
        try setColumn(db, table: table, field: key.field, row: key.row, value: text.displayed(outcome)?.value ?? .null)

        let openStatement = try FastStatement(db, sql: "SELECT id, versions FROM conflicts WHERE entity = ? AND row = ? AND field = ? AND status = 'open'")
        openStatement.bind(1, key.entity); openStatement.bind(2, key.row); openStatement.bind(3, key.field)
        var open: [(id: String, versions: [OperationID])] = []
        while try openStatement.step() { open.append((openStatement.text(0) ?? "", OperationRows.split(openStatement.text(1)))) }
        openStatement.reset()
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
    }
}
