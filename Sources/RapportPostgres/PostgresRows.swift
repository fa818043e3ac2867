import Logging
import NIOConcurrencyHelpers
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

    /// Appends log entries (operations and conflict records) with their positions.
    ///
    /// Operations go in as one array per column, unnested by the server: a multi-row VALUES statement of the
    /// same rows took PostgreSQL two and a half times as long to parse and plan as to store them. Arrays of
    /// PostgresNIO cannot hold NULL, so a value's column is chosen from its type and an absent id is sent as
    /// an empty string (no id is empty). Conflict records are few and go in as VALUES rows.
    static func insert(_ db: PostgresConnection, _ entries: [LogEntry], workspace: String, schema: Schema, logger: Logger) async throws {
        var columns = OperationColumns()
        var records: [(Int64, ConflictRecord)] = []
        for entry in entries {
            switch entry {
            case .operation(let seq, let op): columns.append(seq: seq, op, reviewed: (try? schema.spec(for: op.key))?.merge == .reviewedText)
            case .conflict(let seq, let record): records.append((seq, record))
            }
        }
        // A server move inserts whole pages; 50,000 rows to a statement keeps each message far below PostgreSQL's
        // limit of a gigabyte.
        for chunk in columns.chunks(of: 50_000) where !chunk.seq.isEmpty {
            var binds = PostgresBindings(capacity: 20)
            binds.append(workspace)
            chunk.bind(into: &binds)
            try await db.query(PostgresQuery(unsafeSQL: """
                INSERT INTO log (workspace, seq, kind, id, replica, counter, author, entity, "row", field, value_type, value_int, value_real,
                                 value_text, value_bool, ms, logical, base, supersedes, resolution, reviewed)
                SELECT $1, seq, 'op', id, replica, counter, author, entity, "row", field, t,
                       CASE WHEN t = 'int' THEN i END, CASE WHEN t = 'real' THEN r END, CASE WHEN t = 'text' THEN x END, CASE WHEN t = 'bool' THEN b END,
                       ms, logical, NULLIF(base, ''), NULLIF(supersedes, ''), resolution, NULLIF(reviewed, false)
                FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                            $11::bigint[], $12::float8[], $13::text[], $14::bool[], $15::bigint[], $16::bigint[], $17::text[], $18::text[],
                            $19::bool[], $20::bool[])
                    AS u(seq, id, replica, counter, author, entity, "row", field, t, i, r, x, b, ms, logical, base, supersedes, resolution, reviewed)
                """, binds: binds), logger: logger)
        }
        try await insertRows(
            db, into: "log (workspace, seq, kind, id, entity, \"row\", field, base, versions, open)", columns: 10, records, logger: logger
        ) { bindings, item in
            let (seq, record) = item
            bindings.append(workspace); bindings.append(seq); bindings.append("conflict"); bindings.append(record.id)
            bindings.append(record.key.entity); bindings.append(record.key.row); bindings.append(record.key.field)
            bindings.append(record.base?.description); bindings.append(record.versions.map(\.description).joined(separator: ","))
            bindings.append(record.open)
        }
    }

    /// Operations as one array per log column, in the order of the unnest in `insert`.
    struct OperationColumns {
        var seq: [Int64] = [], id: [String] = [], replica: [String] = [], counter: [Int64] = [], author: [String] = []
        var entity: [String] = [], row: [String] = [], field: [String] = [], type: [String] = []
        var int: [Int64] = [], real: [Double] = [], text: [String] = [], bool: [Bool] = []
        var ms: [Int64] = [], logical: [Int64] = [], base: [String] = [], supersedes: [String] = []
        var resolution: [Bool] = [], reviewed: [Bool] = []

        mutating func append(seq: Int64, _ op: Operation, reviewed isReviewed: Bool) {
            self.seq.append(seq); id.append(op.id.description); replica.append(op.id.replica); counter.append(op.id.counter)
            author.append(op.author); entity.append(op.entity); row.append(op.row); field.append(op.field)
            type.append(op.value.typeName)
            var (i, r, x, b): (Int64, Double, String, Bool) = (0, 0, "", false)
            switch op.value {
            case .null: break
            case .int(let v): i = v
            case .real(let v): r = v
            case .text(let v): x = v
            case .bool(let v): b = v
            }
            int.append(i); real.append(r); text.append(x); bool.append(b)
            ms.append(op.time.ms); logical.append(Int64(op.time.logical)); base.append(op.base?.description ?? "")
            supersedes.append(op.supersedes.map(\.description).joined(separator: ",")); resolution.append(op.resolution)
            reviewed.append(isReviewed)
        }

        func chunks(of size: Int) -> [OperationColumns] {
            if seq.count <= size { return [self] }
            return stride(from: 0, to: seq.count, by: size).map { start in
                let range = start..<min(start + size, seq.count)
                return OperationColumns(
                    seq: Array(seq[range]), id: Array(id[range]), replica: Array(replica[range]), counter: Array(counter[range]),
                    author: Array(author[range]), entity: Array(entity[range]), row: Array(row[range]), field: Array(field[range]),
                    type: Array(type[range]), int: Array(int[range]), real: Array(real[range]), text: Array(text[range]),
                    bool: Array(bool[range]), ms: Array(ms[range]), logical: Array(logical[range]), base: Array(base[range]),
                    supersedes: Array(supersedes[range]), resolution: Array(resolution[range]), reviewed: Array(reviewed[range]))
            }
        }

        func bind(into binds: inout PostgresBindings) {
            binds.append(seq); binds.append(id); binds.append(replica); binds.append(counter); binds.append(author)
            binds.append(entity); binds.append(row); binds.append(field); binds.append(type); binds.append(int)
            binds.append(real); binds.append(text); binds.append(bool); binds.append(ms); binds.append(logical)
            binds.append(base); binds.append(supersedes); binds.append(resolution); binds.append(reviewed)
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
        let rows = try await db.rows(PostgresQuery(unsafeSQL: "SELECT \(operationColumns) FROM log WHERE \(condition)", binds: bindings), logger: logger)
        var out: [Operation] = []
        for row in rows {
            if case .operation(_, let op) = try entry(row.makeRandomAccess()) { out.append(op) }
        }
        return out
    }

    /// The page that a query's rows (read with a limit of `limit + 1`) make. Rows past a full page are read to
    /// the end, as the transaction needs its query finished, and dropped as they come.
    static func page(_ db: PostgresConnection, _ query: PostgresQuery, after: Int64, limit: Int, logger: Logger) async throws -> PullPage {
        let collector = NIOLockedValueBox(PullPage.Collector(after: after, limit: limit))
        try await db.each(query, logger: logger) { row in
            guard !collector.withLockedValue(\.full) else { return }
            let entry = try entry(row.makeRandomAccess())
            collector.withLockedValue { _ = $0.add(entry) }
        }
        return collector.withLockedValue(\.page)
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
