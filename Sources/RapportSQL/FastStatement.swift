import GRDB
import GRDBSQLite
import RapportSync

/// A prepared statement driven through SQLite's C interface, for the paths that run once per operation
/// (merging a push, applying a pulled page).
///
/// GRDB's `Row` builds a table of column names for every query it starts, and `StatementArguments` boxes
/// every value: on these paths that costs several times the work SQLite itself does. Everything else keeps
/// using GRDB; this only borrows GRDB's cached statement and binds, steps and reads it directly.
public struct FastStatement {
    let statement: Statement
    var handle: OpaquePointer { statement.sqliteStatement }
    let db: Database
    let texts = BoundTexts()

    public init(_ db: Database, sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
        // GRDB leaves a statement it ran un-reset (it resets before the next run), and SQLite refuses bindings
        // on a statement in that state: start from a clean one. Clearing also drops any text an earlier
        // FastStatement bound in place, whose bytes went away with it.
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
    }

    // MARK: Binding (1-based, as SQLite counts parameters)

    public func bind(_ index: Int32, _ value: String?) {
        guard let value else { return check(sqlite3_bind_null(handle, index)) }
        var text = value
        text.withUTF8 { bytes in
            let (start, count) = texts.keep(bytes)
            check(sqlite3_bind_text(handle, index, start, count, nil))
        }
    }

    /// Binds an operation id as its text, `<replica>:<counter>`, written straight into the bound bytes rather
    /// than through a String made for each operation (the counter's digits fit in a String's inline storage).
    public func bind(_ index: Int32, _ id: OperationID) {
        var replica = id.replica
        var counter = String(id.counter)
        let text = replica.withUTF8 { r in
            counter.withUTF8 { c in
                texts.keep(count: r.count + 1 + c.count) { out in
                    if !r.isEmpty { out.copyMemory(from: r.baseAddress!, byteCount: r.count) }
                    out.storeBytes(of: UInt8(ascii: ":"), toByteOffset: r.count, as: UInt8.self)
                    (out + r.count + 1).copyMemory(from: c.baseAddress!, byteCount: c.count)
                }
            }
        }
        check(sqlite3_bind_text(handle, index, text.0, text.1, nil))
    }

    public func bind(_ index: Int32, _ value: Int64?) {
        guard let value else { return check(sqlite3_bind_null(handle, index)) }
        check(sqlite3_bind_int64(handle, index, value))
    }

    public func bind(_ index: Int32, _ value: Int) { check(sqlite3_bind_int64(handle, index, Int64(value))) }

    public func bind(_ index: Int32, _ value: Bool) { check(sqlite3_bind_int64(handle, index, value ? 1 : 0)) }

    public func bind(_ index: Int32, _ value: FieldValue) {
        switch value {
        case .null: check(sqlite3_bind_null(handle, index))
        case .int(let v): check(sqlite3_bind_int64(handle, index, v))
        case .real(let v): check(sqlite3_bind_double(handle, index, v))
        case .text(let v): bind(index, v)
        case .bool(let v): bind(index, v)
        }
    }

    /// Binds an operation's standard columns (`OperationRows.columns`) from parameter `first` on.
    public func bind(operation op: Operation, from first: Int32 = 1) {
        bind(first, op.id)
        bind(first + 1, op.id.replica)
        bind(first + 2, op.id.counter)
        bind(first + 3, op.author)
        bind(first + 4, op.entity)
        bind(first + 5, op.row)
        bind(first + 6, op.field)
        bind(first + 7, op.value.typeName)
        bind(first + 8, op.value)
        bind(first + 9, op.time.ms)
        bind(first + 10, op.time.logical)
        bind(first + 11, op.base?.description)
        bind(first + 12, OperationRows.joined(op.supersedes))
        bind(first + 13, op.resolution)
    }

    /// Binding fails only on a misused statement (a bad index, or one not reset): a bug, never bad input, and
    /// carrying on would write the previous values.
    func check(_ code: Int32) {
        precondition(code == SQLITE_OK, "SQLite refused a binding (\(code)) for \(statement.sql)")
    }

    // MARK: Stepping

    /// Steps once: true when a row is ready to read, false when the statement is done.
    public func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    /// Runs to completion and makes the statement ready for new bindings.
    public func run() throws {
        defer { reset() }
        while try step() {}
    }

    /// How many rows the last `run` changed.
    public var changes: Int { Int(sqlite3_changes(db.sqliteConnection)) }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        texts.clear()
    }

    /// Makes the statement ready to run again with the same bindings (change only those that differ).
    public func rewind() {
        sqlite3_reset(handle)
    }

    // MARK: Reading the current row (0-based)

    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    public func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }

    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The value a field of `type` holds in an entity table column (booleans and reals may be stored as
    /// integers; a blob, which Rapport never writes, reads as null).
    public func value(_ column: Int32, as type: ValueType) -> FieldValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            let v = int(column)
            switch type {
            case .bool: return .bool(v != 0)
            case .real: return .real(Double(v))
            default: return .int(v)
            }
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT: return .text(text(column) ?? "")
        default: return .null
        }
    }

    /// An operation from the standard columns, starting at `first`.
    public func operation(from first: Int32 = 0) -> Operation {
        let value: FieldValue
        switch (text(first + 7) ?? "", sqlite3_column_type(handle, first + 8)) {
        case ("int", SQLITE_INTEGER): value = .int(int(first + 8))
        case ("real", SQLITE_FLOAT): value = .real(sqlite3_column_double(handle, first + 8))
        case ("real", SQLITE_INTEGER): value = .real(Double(int(first + 8)))
        case ("text", SQLITE_TEXT): value = .text(text(first + 8) ?? "")
        case ("bool", SQLITE_INTEGER): value = .bool(int(first + 8) != 0)
        default: value = .null
        }
        return Operation(
            id: OperationID(replica: text(first + 1) ?? "", counter: int(first + 2)), author: text(first + 3) ?? "",
            entity: text(first + 4) ?? "", row: text(first + 5) ?? "", field: text(first + 6) ?? "",
            value: value, time: Timestamp(ms: int(first + 9), logical: Int(int(first + 10))),
            base: text(first + 11).flatMap { OperationID($0) },
            supersedes: OperationRows.split(text(first + 12)),
            resolution: int(first + 13) != 0)
    }

    /// Every row's operation, read from the standard columns; resets afterwards.
    public func operations() throws -> [Operation] {
        defer { reset() }
        var out: [Operation] = []
        while try step() { out.append(operation()) }
        return out
    }

}

/// The bytes of the texts bound to one statement, kept until the statement is reset.
///
/// SQLite then reads each text where it is (a static binding) instead of copying it into an allocation of its
/// own and freeing that at the next binding: on a pulled page, a malloc and a free under SQLite's memory
/// statistics lock for every text of every operation. The bytes are copied into chunks that are reused after
/// each reset; a chunk is never moved while bindings point into it, a full one is followed by a new one.
final class BoundTexts {
    private var chunks: [UnsafeMutableRawBufferPointer] = []
    private var chunk = 0
    private var used = 0

    /// A copy of `bytes` that stays put until `clear`, as SQLite's binding wants it.
    func keep(_ bytes: UnsafeBufferPointer<UInt8>) -> (UnsafePointer<CChar>, Int32) {
        keep(count: bytes.count) { start in
            if !bytes.isEmpty { start.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        }
    }

    /// `count` bytes that `write` fills and that stay put until `clear`.
    func keep(count: Int, _ write: (UnsafeMutableRawPointer) -> Void) -> (UnsafePointer<CChar>, Int32) {
        if chunks.isEmpty || used + count > chunks[chunk].count {
            if chunk + 1 < chunks.count, count <= chunks[chunk + 1].count {
                chunk += 1
            } else {
                chunks.append(.allocate(byteCount: max(4_096, count), alignment: 1))
                chunk = chunks.count - 1
            }
            used = 0
        }
        // An empty text still needs a non-null pointer, or SQLite would bind null.
        let start = chunks[chunk].baseAddress! + used
        write(start)
        used += count
        return (UnsafePointer(start.assumingMemoryBound(to: CChar.self)), Int32(count))
    }

    func clear() {
        chunk = 0
        used = 0
    }

    deinit {
        for chunk in chunks { chunk.deallocate() }
    }
}
