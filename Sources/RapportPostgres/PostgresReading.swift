import Logging
import NIOConcurrencyHelpers
import PostgresNIO

extension PostgresConnection {
    /// Every row a query returns, read as the rows arrive.
    ///
    /// Every read here goes through this, never `for try await` over a query. PostgresNIO 1.33.2 stops the
    /// process (a precondition in its RowStreamStateMachine) when the database ends a connection while a row
    /// stream waits for its reader, which back-pressure leaves it doing whenever the reader is the slower: a
    /// restart or an administrator's `pg_terminate_backend` during a large pull took `rapport serve --postgres`
    /// down. Read without back-pressure, an ended connection fails only its query. What is read is bounded by
    /// the query itself (a page of the log, a batch's keys, the directory).
    func rows(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line) async throws -> [PostgresRow] {
        let rows = NIOLockedValueBox<[PostgresRow]>([])
        try await each(query, logger: logger, file: file, line: line) { row in rows.withLockedValue { $0.append(row) } }
        return rows.withLockedValue { $0 }
    }

    /// Hands each row to `body` as it arrives, read as `rows` reads them, without holding them all: a page of the
    /// log keeps only the rows that fit its byte budget, not the 5,001 it asked for (long notes made that
    /// gigabytes). (`body` runs on the connection's event loop, one row at a time.)
    func each(_ query: PostgresQuery, logger: Logger, file: String = #fileID, line: Int = #line, _ body: @escaping @Sendable (PostgresRow) throws -> Void) async throws {
        _ = try await self.query(query, logger: logger, file: file, line: line, body).get()
    }
}

extension Array where Element == PostgresRow {
    func decode<Column: PostgresDecodable>(_ type: Column.Type) throws -> [Column] {
        try map { try $0.decode(type) }
    }

    func decode<each Column: PostgresDecodable>(_ type: (repeat each Column).Type) throws -> [(repeat each Column)] {
        try map { try $0.decode(type) }
    }
}
