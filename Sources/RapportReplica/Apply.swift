import GRDB
import RapportSQL
import RapportSync

/// Applying an operation to the replica's tables with the pure merge rules; local edits and pulled
/// operations take the same path.
extension Replica {
    /// Records and applies one operation. Returns false, changing nothing, when the replica already has it.
    @discardableResult
    func apply(_ db: Database, _ op: Operation, pushed: Bool) throws -> Bool {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM ops WHERE id = ?", arguments: [op.id.description]) == true { return false }
        try OperationRows.insert(db, op, into: "ops", extra: [("pushed", pushed)])
        // An operation for an entity or field this version does not know (a newer client's) is kept in the
        // log, and so synced onward, but has no column to land in.
        guard let entity = schema.entity(op.entity), let spec = entity.field(op.field) else { return true }
        let table = entity.table.quotedDatabaseIdentifier
        try db.execute(sql: "INSERT INTO \(table) (id) VALUES (?) ON CONFLICT DO NOTHING", arguments: [op.row])
        switch spec.merge {
        case .lastWriterWins:
            let current = try currentWinner(db, op.key)
            if LastWriterWins.wins(op, over: current) {
                try setColumn(db, table: table, field: op.field, row: op.row, value: op.value)
                try db.execute(
                    sql: """
                        INSERT INTO field_versions (entity, row, field, op, ms, logical, replica, counter) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (entity, row, field) DO UPDATE SET op = excluded.op, ms = excluded.ms,
                            logical = excluded.logical, replica = excluded.replica, counter = excluded.counter
                        """,
                    arguments: [op.entity, op.row, op.field, op.id.description, op.time.ms, op.time.logical, op.id.replica, op.id.counter])
            }
        case .reviewedText:
            try rederiveText(db, key: op.key, table: table)
        case .tombstone:
            try db.execute(sql: "UPDATE \(table) SET deleted = 1 WHERE id = ?", arguments: [op.row])
        }
        return true
    }

    func currentWinner(_ db: Database, _ key: FieldKey) throws -> Operation? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT op, ms, logical, replica, counter FROM field_versions WHERE entity = ? AND row = ? AND field = ?",
            arguments: [key.entity, key.row, key.field])
        else { return nil }
        // Only the order matters to the rule, so the winner's value need not be read back.
        return Operation(
            id: OperationID(replica: row["replica"], counter: row["counter"]), author: "", entity: key.entity,
            row: key.row, field: key.field, value: .null, time: Timestamp(ms: row["ms"], logical: row["logical"]))
    }

    func setColumn(_ db: Database, table: String, field: String, row: String, value: FieldValue) throws {
        let (_, stored) = OperationRows.storage(of: value)
        try db.execute(sql: "UPDATE \(table) SET \(field.quotedDatabaseIdentifier) = ? WHERE id = ?", arguments: [stored, row])
    }

    func reviewedText(_ db: Database, _ key: FieldKey) throws -> ReviewedText {
        ReviewedText(versions: try OperationRows.fetchAll(
            db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE entity = ? AND row = ? AND field = ?",
            arguments: [key.entity, key.row, key.field]))
    }

    /// Recomputes a reviewed-text field from all its versions: the text it shows and its conflicts.
    func rederiveText(_ db: Database, key: FieldKey, table: String) throws {
        let text = try reviewedText(db, key)
        let outcome = text.outcome
        try setColumn(db, table: table, field: key.field, row: key.row, value: text.displayed?.value ?? .null)

        let open = try Row.fetchAll(
            db, sql: "SELECT id, versions FROM conflicts WHERE entity = ? AND row = ? AND field = ? AND status = 'open'",
            arguments: [key.entity, key.row, key.field]
        ).map { row -> (id: String, versions: [OperationID]) in (row["id"], OperationRows.split(row["versions"])) }
        for (id, closing) in ConflictLifecycle.closings(open: open, text: text) {
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
