import GRDB
import RapportSync

/// Operations as SQLite rows, shared by the replica's `ops` table and the server's log: the same columns,
/// the same value encoding (a `value_type` word beside a dynamically typed `value`).
public enum OperationRows {
    public static let columns = "id, replica, counter, author, entity, row, field, value_type, value, ms, logical, base, supersedes, resolution"
    /// How many `columns` there are: a statement's own columns after them start at this index.
    public static let count: Int32 = 14

    /// Inserts an operation into `table`, with extra columns (name and value) after the standard ones.
    public static func insert(_ db: Database, _ op: Operation, into table: String, extra: [(String, DatabaseValueConvertible?)] = []) throws {
        let names = columns + extra.map { ", " + $0.0 }.joined()
        let marks = Array(repeating: "?", count: 14 + extra.count).joined(separator: ", ")
        var arguments = StatementArguments(arguments(of: op))
        _ = arguments.append(contentsOf: StatementArguments(extra.map(\.1)))
        try db.execute(sql: "INSERT INTO \(table) (\(names)) VALUES (\(marks))", arguments: arguments)
    }

    /// A prepared insert into `table` of the standard columns and then `extra` ones, reused for the life of the
    /// connection: a batch runs it thousands of times.
    public static func cachedInsert(_ db: Database, into table: String, extra: [String] = [], onConflict: String = "") throws -> Statement {
        let names = ([columns] + extra).joined(separator: ", ")
        let marks = Array(repeating: "?", count: 14 + extra.count).joined(separator: ", ")
        return try db.cachedStatement(sql: "INSERT INTO \(table) (\(names)) VALUES (\(marks)) \(onConflict)")
    }

    /// The values of the standard columns, in the order of `columns`.
    public static func arguments(of op: Operation) -> [DatabaseValueConvertible?] {
        let (type, value) = storage(of: op.value)
        return [
            op.id.description, op.id.replica, op.id.counter, op.author, op.entity, op.row, op.field,
            type, value, op.time.ms, op.time.logical, op.base?.description, joined(op.supersedes), op.resolution,
        ]
    }

    public static func joined(_ ids: [OperationID]) -> String? {
        ids.isEmpty ? nil : ids.map(\.description).joined(separator: ",")
    }

    public static func split(_ text: String?) -> [OperationID] {
        text.map { $0.split(separator: ",").compactMap { OperationID($0) } } ?? []
    }

    public static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Operation] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map(decode)
    }

    /// An operation from a row whose first columns are `columns`, in that order. Read by position: looking
    /// columns up by name costs more than the rest of the decoding.
    public static func decode(_ row: Row) -> Operation {
        let base: String? = row[11]
        let supersedes: String? = row[12]
        return Operation(
            id: OperationID(replica: row[1], counter: row[2]), author: row[3], entity: row[4], row: row[5], field: row[6],
            value: value(type: row[7], dbValue: row[8]),
            time: Timestamp(ms: row[9], logical: row[10]),
            base: base.flatMap { OperationID($0) },
            supersedes: split(supersedes),
            resolution: row[13] ?? false)
    }

    public static func storage(of value: FieldValue) -> (String, DatabaseValueConvertible?) {
        switch value {
        case .null: ("null", nil)
        case .int(let v): ("int", v)
        case .real(let v): ("real", v)
        case .text(let v): ("text", v)
        case .bool(let v): ("bool", v)
        }
    }

    public static func value(type: String, dbValue: DatabaseValue) -> FieldValue {
        switch (type, dbValue.storage) {
        case ("int", .int64(let v)): .int(v)
        case ("real", .double(let v)): .real(v)
        case ("real", .int64(let v)): .real(Double(v))
        case ("text", .string(let v)): .text(v)
        case ("bool", .int64(let v)): .bool(v != 0)
        default: .null
        }
    }
}
