import Foundation
import GRDB
import RapportSQL
import RapportSync

/// The mark `rapport admin migrate` leaves on a server database whose data it moved to PostgreSQL.
///
/// A server still running on the file after the move (not stopped first, or started again by a service
/// manager) would take pushes that the new database never sees: the changes would be acknowledged, leave the
/// replicas, and be lost. Once the file is marked, a push or a handshake there is refused, so the replicas keep
/// their changes until they point at the new server, and the file is not opened again as a server database.
extension SQLiteSyncStorage {
    /// Where the data went, and when.
    public struct Move: Sendable, Equatable {
        public var target: String
        public var atMs: Int64
    }

    static func registerMove(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-moved") { db in
            try db.execute(sql: "CREATE TABLE moved (target TEXT NOT NULL, at_ms INTEGER NOT NULL)")
        }
    }

    static func move(_ db: Database) throws -> Move? {
        guard try db.tableExists("moved") else { return nil }
        return try Row.fetchOne(db, sql: "SELECT target, at_ms FROM moved").map { Move(target: $0["target"], atMs: $0["at_ms"]) }
    }

    /// Refuses a request that would change or serve the data after it moved.
    static func refuseIfMoved(_ db: Database) throws {
        if let move = try move(db) { throw SyncServerError.moved(to: move.target) }
    }

    /// Marks the file moved to `target` and returns, per workspace, the log entries after `copied` (pushed
    /// while the copy ran), in the same transaction, so that nothing the server acknowledged is left behind.
    public func seal(movedTo target: String, now: Int64, copied: [String: Int64]) async throws -> [String: [LogEntry]] {
        let late = try await pool.write { db in
            try Self.refuseIfMoved(db)
            try db.execute(sql: "INSERT INTO moved (target, at_ms) VALUES (?, ?)", arguments: [target, now])
            var late: [String: [LogEntry]] = [:]
            for (workspace, after) in copied {
                let statement = try FastStatement(db, sql: "SELECT \(Self.entryColumns) FROM log WHERE workspace = ? AND seq > ? ORDER BY seq")
                statement.bind(1, workspace); statement.bind(2, after)
                late[workspace] = try Self.entries(statement: statement)
            }
            return late
        }
        // The mark goes into the file itself, not only its write-ahead log: a copy of `server.sqlite` alone (an
        // archive, a move, "stale" -wal files deleted) would otherwise serve the old data beside PostgreSQL. The
        // mark is committed either way; a checkpoint that cannot run now (another process reading) is not a
        // failed move, and the server's own checkpointer copies it in later.
        try? await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        return late
    }

    /// Takes the mark off again: the copy it was made for did not land.
    public func unseal() async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM moved") }
    }

    /// Takes the mark off a file that cannot be opened as a store while it holds it: a move cut off (the
    /// process killed) between marking the file and the copy's commit left the mark and an empty target. The
    /// caller has checked that the target holds nothing.
    public static func unseal(path: String) throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try queue.write { db in try db.execute(sql: "DELETE FROM moved") }
    }

    /// Puts a mark taken off by `unseal(path:)` back: the target turned out to hold the data after all (another
    /// move into it committed meanwhile).
    public static func mark(path: String, _ move: Move) throws {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        try queue.write { db in
            try db.execute(sql: "DELETE FROM moved")
            try db.execute(sql: "INSERT INTO moved (target, at_ms) VALUES (?, ?)", arguments: [move.target, move.atMs])
        }
    }
}
