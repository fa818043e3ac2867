import GRDB
import RapportSQL
import RapportSync

/// Snapshots for new replicas, replica cursors and log compaction on the SQLite store (the reasoning is in
/// `Compaction.swift`).
extension SQLiteSyncStorage {
    /// The highest counter of each replica's operations that compaction deleted: below it, an id the log
    /// does not hold was stored once (a replica pushes its operations in counter order).
    static func registerCompactedCounters(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-compacted-counters") { db in
            try db.execute(sql: "CREATE TABLE compacted_counters (replica TEXT PRIMARY KEY, through INTEGER NOT NULL)")
        }
    }

    static func registerReplicaCursors(_ migrator: inout DatabaseMigrator) {
        // How far each replica has applied the log, as it last reported in a handshake: the lowest of these
        // bounds what compaction may delete.
        migrator.registerMigration("v2-replica-cursors") { db in
            try db.execute(sql: """
                ALTER TABLE replicas ADD COLUMN cursor INTEGER;
                ALTER TABLE replicas ADD COLUMN seen_ms INTEGER;
                """)
        }
    }

    /// An operation that a `fields` row of another operation beats: a superseded last-writer-wins value or
    /// tombstone. Reviewed-text fields have no `fields` row, so their versions never match. The order is
    /// compared (as in `foldWinners`), not only the id: an operation that `fields` does not hold yet because it
    /// came after the last fold is never taken for superseded, whatever the fold mark says.
    static let superseded = """
        EXISTS (SELECT 1 FROM fields f WHERE f.workspace = log.workspace AND f.entity = log.entity AND f.row = log.row
                AND f.field = log.field AND f.op <> log.id
                AND (f.ms, f.logical, f.replica, f.counter) > (log.ms, log.logical, log.replica, log.counter))
        """

    public func snapshot(workspace: String, after: Int64, through: Int64, limit: Int) async throws -> PullPage {
        // A moved file is not served (and the fold would write to it).
        try await pool.read { db in try Self.refuseIfMoved(db) }
        // Winners not yet folded would only make the snapshot larger (see `superseded`): fold first.
        try await foldWinners(workspace: workspace, through: through)
        return try await pool.read { db in
            let statement = try FastStatement(db, sql: """
                SELECT \(Self.entryColumns) FROM log WHERE workspace = ? AND kind = 'op' AND seq > ? AND seq <= ? AND NOT \(Self.superseded)
                ORDER BY seq LIMIT ?
                """)
            statement.bind(1, workspace); statement.bind(2, after); statement.bind(3, through); statement.bind(4, Int64(limit + 1))
            return try Self.page(statement: statement, after: after, limit: limit)
        }
    }

    @discardableResult
    public func recordHandshake(user: String, replica: String, cursor: Int64?, now: Int64) async throws -> Bool {
        try await pool.write { db in
            try Self.refuseIfMoved(db)
            if let owner = try String.fetchOne(db, sql: "SELECT user FROM replicas WHERE id = ?", arguments: [replica]) {
                guard owner == user else { throw SyncServerError.replicaOwnedByOther(replica: replica, owner: owner) }
                try db.execute(sql: "UPDATE replicas SET cursor = ?, seen_ms = ? WHERE id = ?", arguments: [cursor, now, replica])
                return true
            }
            try db.execute(
                sql: "INSERT INTO replicas (id, user, first_seen_ms, cursor, seen_ms) VALUES (?, ?, ?, ?, ?)",
                arguments: [replica, user, now, cursor, now])
            return false
        }
    }

    public func compact(workspace: String, keepAfterMs: Int64) async throws -> CompactionReport {
        let (head, lowest) = try await pool.read { db in (try Self.head(db, workspace), try Self.lowestCursor(db, workspace)) }
        let horizon = Compaction.horizon(head: head, lowest: lowest)
        // An operation is deleted only if `fields` holds a later one (see `superseded`): folding first lets
        // compaction delete what the pushes since the last fold superseded.
        try await foldWinners(workspace: workspace, through: head)
        var deletedOperations = 0
        var deletedConflictRecords = 0
        for slice in Compaction.slices(head: head, horizon: horizon) {
            let (ops, records) = try await pool.write { db in
                let deletable = """
                    FROM log WHERE workspace = ? AND kind = 'op' AND seq > ? AND seq <= ? AND ms < ? AND field <> ? AND \(Self.superseded)
                    """
                let arguments: StatementArguments = [workspace, slice.after, slice.through, keepAfterMs, Schema.deletedField]
                // How far each replica's deleted ids go, so that a push that brings one back is refused (see
                // `MergePlan.Before.compacted`).
                try db.execute(
                    sql: """
                        INSERT INTO compacted_counters (replica, through)
                        SELECT * FROM (SELECT replica, max(counter) \(deletable) GROUP BY replica) WHERE true
                        ON CONFLICT (replica) DO UPDATE SET through = max(through, excluded.through)
                        """,
                    arguments: arguments)
                try db.execute(sql: "DELETE \(deletable)", arguments: arguments)
                let ops = db.changesCount
                try db.execute(
                    sql: """
                        DELETE FROM log WHERE workspace = ? AND kind = 'conflict' AND seq > ? AND seq <= ?
                        AND NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.workspace = log.workspace AND c.id = log.id AND c.open = 1)
                        """,
                    arguments: [workspace, slice.after, slice.through])
                return (ops, db.changesCount)
            }
            deletedOperations += ops
            deletedConflictRecords += records
            checkpointer.request()
        }
        // The file keeps the freed pages and reuses them for new entries: shrinking it would take a VACUUM,
        // which rewrites the whole file while holding every other writer off.
        let (remaining, reusable) = try await pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM log WHERE workspace = ?", arguments: [workspace]) ?? 0,
             (try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0) * (try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0))
        }
        return CompactionReport(
            workspace: workspace, deletedOperations: deletedOperations, deletedConflictRecords: deletedConflictRecords,
            remainingEntries: remaining, head: head, horizon: horizon, heldBackBy: horizon < head ? lowest : nil, reusableBytes: reusable)
    }

    public func forgetReplica(id: String) async throws -> ReplicaCursor? {
        try await pool.write { db in
            let known = try Row.fetchOne(db, sql: "SELECT id, user, cursor, seen_ms FROM replicas WHERE id = ? AND coalesce(cursor, 0) < ?", arguments: [id, Compaction.forgotten])
                .map { ReplicaCursor(id: $0["id"], user: $0["user"], cursor: $0["cursor"], seenMs: $0["seen_ms"]) }
            try db.execute(sql: "UPDATE replicas SET cursor = ? WHERE id = ?", arguments: [Compaction.forgotten, id])
            return known
        }
    }

    /// The workspace's replica that has applied the least of the log (one that never said how far counts as
    /// nothing), the least recently seen first among equals.
    static func lowestCursor(_ db: Database, _ workspace: String) throws -> ReplicaCursor? {
        try Row.fetchOne(db, sql: """
            SELECT replicas.id, replicas.user, replicas.cursor, replicas.seen_ms FROM replicas JOIN users ON users.name = replicas.user
            WHERE users.workspace = ? ORDER BY coalesce(replicas.cursor, 0), coalesce(replicas.seen_ms, 0), replicas.id LIMIT 1
            """, arguments: [workspace]
        ).map { ReplicaCursor(id: $0["id"], user: $0["user"], cursor: $0["cursor"], seenMs: $0["seen_ms"]) }
    }
}
