import Logging
import PostgresNIO
import RapportServer
import RapportSync

/// Moves a server's data from the embedded SQLite store to PostgreSQL (`rapport admin migrate`).
///
/// Log positions are kept exactly, so every replica's cursor stays valid and no replica pulls anything twice
/// or misses anything after the move. The copy is one PostgreSQL transaction: it lands whole or not at all.
public enum ServerMove {
    public struct Report: Sendable, Equatable {
        public var users: Int
        public var tokens: Int
        public var entries: Int
        /// The last log position of each workspace, unchanged by the move.
        public var heads: [String: Int64]
    }

    public static func copy(from source: SQLiteSyncStorage, to target: PostgresSyncStorage, schema: Schema = .rapport, progress: @escaping @Sendable (Int64, Int64) -> Void = { _, _ in }) async throws -> Report {
        let directory = try await source.directory()
        let logger = target.logger
        // One transaction for the whole copy, however long it takes.
        return try await target.transaction(within: .seconds(7 * 24 * 3600)) { db in
            var existing = 0
            for try await count in try await db.query("SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM log)", logger: logger).decode(Int64.self) {
                existing = Int(count)
            }
            guard existing == 0 else {
                throw SyncServerError.badRequest("the PostgreSQL database already holds Rapport data; migrate into an empty database")
            }
            for user in directory.users {
                try await db.query("INSERT INTO users (name, workspace, created_ms) VALUES (\(user.name), \(user.workspace), \(user.createdMs))", logger: logger)
            }
            for t in directory.tokens {
                try await db.query("INSERT INTO tokens (hash, \"user\", label, created_ms, revoked_ms) VALUES (\(t.hash), \(t.user), \(t.label), \(t.createdMs), \(t.revokedMs))", logger: logger)
            }
            for r in directory.replicas {
                try await db.query("INSERT INTO replicas (id, \"user\", first_seen_ms) VALUES (\(r.id), \(r.user), \(r.firstSeenMs))", logger: logger)
            }
            var entries = 0
            var heads: [String: Int64] = [:]
            for workspace in Set(directory.users.map(\.workspace)).sorted() {
                try await PostgresSyncStorage.lockLog(db, workspace: workspace, logger: logger)
                let (count, head) = try await copyLog(of: workspace, from: source, into: db, schema: schema, logger: logger, progress: progress)
                entries += count
                heads[workspace] = head
                try await PostgresSyncStorage.setHead(db, workspace: workspace, head, logger: logger)
            }
            return Report(users: directory.users.count, tokens: directory.tokens.count, entries: entries, heads: heads)
        }
    }

    /// Copies one workspace's log with its positions, and rebuilds the derived tables as it streams past:
    /// the winner of each last-writer-wins field, and the latest record of each conflict.
    static func copyLog(
        of workspace: String, from source: SQLiteSyncStorage, into db: PostgresConnection, schema: Schema,
        logger: Logger, progress: @escaping @Sendable (Int64, Int64) -> Void
    ) async throws -> (entries: Int, head: Int64) {
        let total = try await source.head(workspace: workspace)
        var winners: [FieldKey: Operation] = [:]
        var conflicts: [String: ConflictRecord] = [:]
        var cursor: Int64 = 0
        var entries = 0
        while true {
            let page = try await source.pull(workspace: workspace, after: cursor, limit: 5_000)
            try await PostgresRows.insert(db, page.entries, workspace: workspace, schema: schema, logger: logger)
            for entry in page.entries {
                switch entry {
                case .operation(_, let op):
                    let merge = (try? schema.spec(for: op.key))?.merge ?? .lastWriterWins
                    if merge != .reviewedText, LastWriterWins.wins(op, over: winners[op.key]) { winners[op.key] = op }
                case .conflict(_, let record):
                    conflicts[record.id] = record
                }
            }
            entries += page.entries.count
            cursor = page.next
            progress(cursor, total)
            if !page.more { break }
        }
        try await PostgresSyncStorage.write(winners: Array(winners.values), conflicts: Array(conflicts.values), into: db, workspace: workspace, logger: logger)
        return (entries, cursor)
    }
}
