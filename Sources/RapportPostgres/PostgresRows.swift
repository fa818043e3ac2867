import Logging
import PostgresNIO
import RapportServer
import RapportSync

/// Operations and log entries as PostgreSQL rows: a typed column per value kind, since PostgreSQL columns
/// have one type each.
enum PostgresRows {
    static let operationColumns = """
        seq, kind, id, replica, counter, author, entity, "row", field, value_type, value_int, value_real, value_text, value_bool, \
        ms, logical, base, supersedes, resolution, versions, open
        """

    static func insert(_ db: PostgresConnection, _ op: Operation, workspace: String, seq: Int64, logger: Logger) async throws {
        var int: Int64?
        var real: Double?
        var text: String?
        var bool: Bool?
        switch op.value {
        case .null: break
        case .int(let v): int = v
        case .real(let v): real = v
        case .text(let v): text = v
        case .bool(let v): bool = v
        }
        let supersedes = op.supersedes.isEmpty ? nil : op.supersedes.map(\.description).joined(separator: ",")
        try await db.query("""
            INSERT INTO log (workspace, seq, kind, id, replica, counter, author, entity, "row", field, value_type, value_int, value_real, value_text, value_bool,
                             ms, logical, base, supersedes, resolution)
            VALUES (\(workspace), \(seq), 'op', \(op.id.description), \(op.id.replica), \(op.id.counter), \(op.author), \(op.entity), \(op.row), \(op.field),
                    \(op.value.typeName), \(int), \(real), \(text), \(bool), \(op.time.ms), \(op.time.logical), \(op.base?.description),
                    \(supersedes), \(op.resolution))
            """, logger: logger)
    }

    static func operations(_ db: PostgresConnection, where condition: String, _ binds: [String], logger: Logger) async throws -> [Operation] {
        var bindings = PostgresBindings()
        for bind in binds { bindings.append(bind) }
        let rows = try await db.query(PostgresQuery(unsafeSQL: "SELECT \(operationColumns) FROM log WHERE \(condition)", binds: bindings), logger: logger)
        var out: [Operation] = []
        for try await row in rows {
            if case .operation(_, let op) = try entry(row.makeRandomAccess()) { out.append(op) }
        }
        return out
    }

    static func entries(_ db: PostgresConnection, workspace: String, after: Int64, limit: Int, logger: Logger) async throws -> [LogEntry] {
        let rows = try await db.query(PostgresQuery(
            unsafeSQL: "SELECT \(operationColumns) FROM log WHERE workspace = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            binds: { var b = PostgresBindings(); b.append(workspace); b.append(after); b.append(Int64(limit)); return b }()), logger: logger)
        var out: [LogEntry] = []
        for try await row in rows { out.append(try entry(row.makeRandomAccess())) }
        return out
    }

    static func entry(_ row: PostgresRandomAccessRow) throws -> LogEntry {
        let seq = try row["seq"].decode(Int64.self)
        let kind = try row["kind"].decode(String.self)
        let entity = try row["entity"].decode(String.self)
        let rowID = try row["row"].decode(String.self)
        let field = try row["field"].decode(String.self)
        let base = try row["base"].decode(String?.self)
        if kind == "conflict" {
            return .conflict(seq: seq, ConflictRecord(
                id: try row["id"].decode(String.self), key: FieldKey(entity: entity, row: rowID, field: field),
                versions: split(try row["versions"].decode(String?.self) ?? ""), base: base.flatMap { OperationID($0) },
                open: try row["open"].decode(Bool?.self) ?? false))
        }
        let value: FieldValue = switch try row["value_type"].decode(String?.self) {
        case "int": try row["value_int"].decode(Int64?.self).map(FieldValue.int) ?? .null
        case "real": try row["value_real"].decode(Double?.self).map(FieldValue.real) ?? .null
        case "text": try row["value_text"].decode(String?.self).map(FieldValue.text) ?? .null
        case "bool": try row["value_bool"].decode(Bool?.self).map(FieldValue.bool) ?? .null
        default: .null
        }
        let op = Operation(
            id: OperationID(replica: try row["replica"].decode(String.self), counter: try row["counter"].decode(Int64.self)),
            author: try row["author"].decode(String.self), entity: entity, row: rowID, field: field, value: value,
            time: Timestamp(ms: try row["ms"].decode(Int64.self), logical: try row["logical"].decode(Int.self)),
            base: base.flatMap { OperationID($0) },
            supersedes: split(try row["supersedes"].decode(String?.self) ?? ""),
            resolution: try row["resolution"].decode(Bool?.self) ?? false)
        return .operation(seq: seq, op)
    }

    static func split(_ text: String) -> [OperationID] {
        text.split(separator: ",").compactMap { OperationID($0) }
    }
}
