import Foundation
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

    /// Copies everything, then marks the source moved (`SQLiteSyncStorage.seal`) and copies what was pushed
    /// to it while the copy ran: a server still running on the source is refused from then on, so no change it
    /// acknowledges is left behind. If the copy does not land, the mark comes off again.
    public static func copy(
        from source: SQLiteSyncStorage, to target: PostgresSyncStorage, schema: Schema = .rapport, now: Int64 = Int64(Date().timeIntervalSince1970 * 1000),
        progress: @escaping @Sendable (Int64, Int64) -> Void = { _, _ in }
    ) async throws -> Report {
        let directory = try await source.directory()
        let serverID = try await source.serverID()
        let workspaces = Set(directory.users.map(\.workspace)).sorted()
        var sourceHeads: [String: Int64] = [:]
        for workspace in workspaces { sourceHeads[workspace] = try await source.head(workspace: workspace) }
        guard !directory.users.isEmpty || sourceHeads.values.contains(where: { $0 > 0 }) else {
            throw SyncServerError.badRequest("\(source.path) holds no users and no changes, so there is nothing to move: check --from")
        }
        let logger = target.logger
        let sealed = Sealed()
        do {
            // One transaction for the whole copy, however long it takes.
            return try await target.transaction(within: .seconds(7 * 24 * 3600)) { db in
                var existing = 0
                for count in try await db.rows("SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM log)", logger: logger).decode(Int64.self) {
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
                    // With its cursor and last hello: the new store's compaction starts where the old one's stood.
                    try await db.query("INSERT INTO replicas (id, \"user\", first_seen_ms, cursor, seen_ms) VALUES (\(r.id), \(r.user), \(r.firstSeenMs), \(r.cursor), \(r.seenMs))", logger: logger)
                }
                for r in directory.forgottenReplicas {
                    // Forgotten still: bound to their users (no one else takes their ids) and holding nothing back.
                    try await db.query("INSERT INTO replicas (id, \"user\", first_seen_ms, cursor, seen_ms) VALUES (\(r.id), \(r.user), \(r.firstSeenMs), \(Compaction.forgotten), \(r.seenMs))", logger: logger)
                }
                for (replica, through) in directory.compactedCounters {
                    try await db.query("INSERT INTO compacted_counters (replica, through) VALUES (\(replica), \(through))", logger: logger)
                }
                // The same logs on another store: the replicas must find the identity they remember.
                try await db.query("UPDATE server_identity SET id = \(serverID)", logger: logger)
                var copies: [String: LogCopy] = [:]
                for workspace in workspaces {
                    try await PostgresSyncStorage.lockLog(db, workspace: workspace, logger: logger)
                    copies[workspace] = try await copyLog(of: workspace, from: source, into: db, schema: schema, logger: logger, progress: progress)
                }
                let late = try await source.seal(movedTo: target.url.description, now: now, copied: copies.mapValues(\.head))
                sealed.value = true
                // Read once the source takes no more handshakes: one during the copy may have moved a generation.
                for (workspace, generation) in try await source.logGenerations() {
                    try await db.query("INSERT INTO log_generations (workspace, generation) VALUES (\(workspace), \(generation))", logger: logger)
                }
                var entries = 0
                var heads: [String: Int64] = [:]
                for workspace in workspaces {
                    var copy = copies[workspace]!
                    let more = late[workspace] ?? []
                    try await PostgresRows.insert(db, more, workspace: workspace, schema: schema, logger: logger)
                    copy.take(more, schema: schema)
                    try await PostgresSyncStorage.write(
                        winners: Array(copy.winners.values), conflicts: Array(copy.conflicts.values), into: db, workspace: workspace, logger: logger)
                    try await PostgresSyncStorage.setHead(db, workspace: workspace, copy.head, logger: logger)
                    entries += copy.entries
                    heads[workspace] = copy.head
                }
                return Report(users: directory.users.count, tokens: directory.tokens.count, entries: entries, heads: heads)
            }
        } catch {
            if sealed.value { try await source.unseal() }
            throw error
        }
    }

    /// Whether the source was marked moved, as the transaction's closure runs apart from the code that undoes it.
    final class Sealed: @unchecked Sendable {
        var value = false
    }

    /// What a workspace's copy has seen: the winner of each last-writer-wins field and the latest record of
    /// each conflict, rebuilt as the log streams past, and how far it went.
    struct LogCopy {
        var winners: [FieldKey: RapportSync.Operation] = [:]
        var conflicts: [String: ConflictRecord] = [:]
        var entries = 0
        var head: Int64 = 0

        mutating func take(_ page: [LogEntry], schema: Schema) {
            for entry in page {
                switch entry {
                case .operation(let seq, let op):
                    let merge = (try? schema.spec(for: op.key))?.merge ?? .lastWriterWins
                    if merge != .reviewedText, LastWriterWins.wins(op, over: winners[op.key]) { winners[op.key] = op }
                    head = seq
                case .conflict(let seq, let record):
                    conflicts[record.id] = record
                    head = seq
                }
            }
            entries += page.count
        }
    }

    /// Copies one workspace's log with its positions, rebuilding its winners and conflicts as it streams past.
    static func copyLog(
        of workspace: String, from source: SQLiteSyncStorage, into db: PostgresConnection, schema: Schema,
        logger: Logger, progress: @escaping @Sendable (Int64, Int64) -> Void
    ) async throws -> LogCopy {
        let total = try await source.head(workspace: workspace)
        var copy = LogCopy()
        while true {
            let page = try await source.pull(workspace: workspace, after: copy.head, limit: 5_000)
            try await PostgresRows.insert(db, page.entries, workspace: workspace, schema: schema, logger: logger)
            copy.take(page.entries, schema: schema)
            copy.head = page.next
            progress(copy.head, total)
            if !page.more { break }
        }
        return copy
    }
}
