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

    /// Appends log entries (operations and conflict records) with their positions, a few thousand rows to a
    /// statement.
    static func insert(_ db: PostgresConnection, _ entries: [LogEntry], workspace: String, logger: Logger) async throws {
        try await insertRows(
            db, into: """
                log (workspace, seq, kind, id, replica, counter, author, entity, "row", field, value_type, value_int, value_real, value_text, value_bool,
                     ms, logical, base, supersedes, resolution, versions, open)
                """, columns: 22, entries, logger: logger
        ) { bindings, entry in
            bindings.append(workspace)
            bindings.append(entry.seq)
            switch entry {
            case .operation(_, let op):
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
                bindings.append("op"); bindings.append(op.id.description); bindings.append(op.id.replica); bindings.append(op.id.counter)
                bindings.append(op.author); bindings.append(op.entity); bindings.append(op.row); bindings.append(op.field)
                bindings.append(op.value.typeName); bindings.append(int); bindings.append(real); bindings.append(text); bindings.append(bool)
                bindings.append(op.time.ms); bindings.append(op.time.logical); bindings.append(op.base?.description)
                bindings.append(op.supersedes.isEmpty ? nil : op.supersedes.map(\.description).joined(separator: ","))
                bindings.append(op.resolution); bindings.appendNull(); bindings.appendNull()
            case .conflict(_, let record):
                bindings.append("conflict"); bindings.append(record.id)
                for _ in 0..<3 { bindings.appendNull() }
                bindings.append(record.key.entity); bindings.append(record.key.row); bindings.append(record.key.field)
                for _ in 0..<7 { bindings.appendNull() }
                bindings.append(record.base?.description); bindings.appendNull(); bindings.appendNull()
                bindings.append(record.versions.map(\.description).joined(separator: ",")); bindings.append(record.open)
            }
        }
    }

    /// Inserts rows with multi-row VALUES statements, as many rows to a statement as PostgreSQL's limit of
    /// 65,535 parameters allows with room to spare.
    static func insertRows<Item>(
        _ db: PostgresConnection, into target: String, columns: Int, _ items: [Item], suffix: String = "", logger: Logger,
        bind: (inout PostgresBindings, Item) -> Void
    ) async throws {
        let perStatement = max(1, 30_000 / columns)
        var start = 0
        while start < items.count {
            let chunk = items[start..<min(start + perStatement, items.count)]
            var bindings = PostgresBindings(capacity: chunk.count * columns)
            var values: [String] = []
            values.reserveCapacity(chunk.count)
            for (i, item) in chunk.enumerated() {
                bind(&bindings, item)
                values.append("(" + (1...columns).map { "$\(i * columns + $0)" }.joined(separator: ", ") + ")")
            }
            try await db.query(PostgresQuery(unsafeSQL: "INSERT INTO \(target) VALUES \(values.joined(separator: ", ")) \(suffix)", binds: bindings), logger: logger)
            start += chunk.count
        }
    }

    static func operations(_ db: PostgresConnection, where condition: String, binds: (inout PostgresBindings) -> Void, logger: Logger) async throws -> [Operation] {
        var bindings = PostgresBindings()
        binds(&bindings)
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
