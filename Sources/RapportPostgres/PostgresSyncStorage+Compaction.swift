import Logging
import PostgresNIO
import RapportServer
import RapportSync

/// Snapshots for new replicas, replica cursors and log compaction on PostgreSQL (the reasoning is in
/// RapportServer's `Compaction.swift`).
///
/// Neither takes the push lock. Everything a snapshot or a compaction looks at sits at or below a position
/// that was already committed when it started, and those entries never change; the one thing that moves is a
/// field's winner, and it only moves to an operation with a later position. So a concurrent push can make a
/// snapshot page leave out a winner that the following pull delivers, and can make an operation superseded
/// that this compaction then keeps; it cannot make either take a winner away.
extension PostgresSyncStorage {
    /// An operation that a `fields` row of another operation beats: a superseded last-writer-wins value or
    /// tombstone. Reviewed-text fields have no `fields` row, so their versions never match.
    static let superseded = """
        EXISTS (SELECT 1 FROM fields f WHERE f.workspace = log.workspace AND f.entity = log.entity AND f."row" = log."row"
                AND f.field = log.field AND f.op <> log.id)
        """

    public func snapshot(workspace: String, after: Int64, through: Int64, limit: Int) async throws -> PullPage {
        let logger = self.logger
        return try await transaction { db in
            var binds = PostgresBindings()
            binds.append(workspace)
            binds.append(after)
            binds.append(through)
            binds.append(Int64(limit + 1))
            let query = PostgresQuery(
                unsafeSQL: """
                    SELECT \(PostgresRows.operationColumns) FROM log
                    WHERE workspace = $1 AND kind = 'op' AND seq > $2 AND seq <= $3 AND NOT \(Self.superseded)
                    ORDER BY seq LIMIT $4
                    """,
                binds: binds)
            return try await PostgresRows.page(db, query, after: after, limit: limit, logger: logger)
        }
    }

    @discardableResult
    public func recordHandshake(user: String, replica: String, cursor: Int64?, now: Int64) async throws -> Bool {
        let logger = self.logger
        return try await transaction { db in
            // Two first handshakes of one replica at once: the second insert does nothing, and both then read
            // the one owner. The insert returns the row only when it added it.
            var added = false
            for _ in try await db.rows("""
                INSERT INTO replicas (id, "user", first_seen_ms, cursor, seen_ms) VALUES (\(replica), \(user), \(now), \(cursor), \(now))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger).decode(String.self) { added = true }
            for owner in try await db.rows("SELECT \"user\" FROM replicas WHERE id = \(replica)", logger: logger).decode(String.self) where owner != user {
                throw SyncServerError.replicaOwnedByOther(replica: replica, owner: owner)
            }
            try await db.query("UPDATE replicas SET cursor = \(cursor), seen_ms = \(now) WHERE id = \(replica)", logger: logger)
            return !added
        }
    }

    public func compact(workspace: String, keepAfterMs: Int64) async throws -> CompactionReport {
        let logger = self.logger
        let (head, lowest) = try await transaction { db in
            (try await Self.head(db, workspace: workspace, logger: logger), try await Self.lowestCursor(db, workspace: workspace, logger: logger))
        }
        let horizon = Compaction.horizon(head: head, lowest: lowest)
        var deletedOperations = 0
        var deletedConflictRecords = 0
        for slice in Compaction.slices(head: head, horizon: horizon) {
            let (ops, records) = try await transaction { db in
                var ops = 0
                var records = 0
                let deletedField = Schema.deletedField
                let opRows = try await db.rows(PostgresQuery(
                    unsafeSQL: """
                        WITH gone AS (
                            DELETE FROM log WHERE workspace = $1 AND kind = 'op' AND seq > $2 AND seq <= $3 AND ms < $4 AND field <> $5
                            AND \(Self.superseded) RETURNING replica, counter),
                        -- How far each replica's deleted ids go (see `MergePlan.Before.compacted`).
                        marked AS (
                            INSERT INTO compacted_counters (replica, through) SELECT replica, max(counter) FROM gone GROUP BY replica
                            ON CONFLICT (replica) DO UPDATE SET through = greatest(compacted_counters.through, excluded.through))
                        SELECT count(*) FROM gone
                        """,
                    binds: { var b = PostgresBindings(); b.append(workspace); b.append(slice.after); b.append(slice.through); b.append(keepAfterMs); b.append(deletedField); return b }()),
                    logger: logger)
                for count in try opRows.decode(Int64.self) { ops = Int(count) }
                let recordRows = try await db.rows("""
                    WITH gone AS (
                        DELETE FROM log WHERE workspace = \(workspace) AND kind = 'conflict' AND seq > \(slice.after) AND seq <= \(slice.through)
                        AND NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.workspace = log.workspace AND c.id = log.id AND c.open) RETURNING 1)
                    SELECT count(*) FROM gone
                    """, logger: logger)
                for count in try recordRows.decode(Int64.self) { records = Int(count) }
                return (ops, records)
            }
            deletedOperations += ops
            deletedConflictRecords += records
        }
        let remaining = try await transaction { db in
            var count: Int64 = 0
            for n in try await db.rows("SELECT count(*) FROM log WHERE workspace = \(workspace)", logger: logger).decode(Int64.self) { count = n }
            return Int(count)
        }
        // PostgreSQL's autovacuum makes the deleted rows' space reusable on its own.
        return CompactionReport(
            workspace: workspace, deletedOperations: deletedOperations, deletedConflictRecords: deletedConflictRecords,
            remainingEntries: remaining, head: head, horizon: horizon, heldBackBy: horizon < head ? lowest : nil, reusableBytes: nil)
    }

    public func forgetReplica(id: String) async throws -> ReplicaCursor? {
        let logger = self.logger
        return try await transaction { db in
            var known: ReplicaCursor?
            let forgotten = Compaction.forgotten
            let rows = try await db.rows("""
                UPDATE replicas SET cursor = \(forgotten) FROM (SELECT id, cursor AS before FROM replicas WHERE id = \(id) FOR UPDATE) AS old
                WHERE replicas.id = old.id AND coalesce(old.before, 0) < \(forgotten)
                RETURNING replicas.id, replicas."user", old.before, replicas.seen_ms
                """, logger: logger)
            for (id, user, cursor, seen) in try rows.decode((String, String, Int64?, Int64?).self) {
                known = ReplicaCursor(id: id, user: user, cursor: cursor, seenMs: seen)
            }
            return known
        }
    }

    /// The workspace's replica that has applied the least of the log (one that never said how far counts as
    /// nothing), the least recently seen first among equals.
    static func lowestCursor(_ db: PostgresConnection, workspace: String, logger: Logger) async throws -> ReplicaCursor? {
        let rows = try await db.rows("""
            SELECT replicas.id, replicas."user", replicas.cursor, replicas.seen_ms FROM replicas JOIN users ON users.name = replicas."user"
            WHERE users.workspace = \(workspace) ORDER BY coalesce(replicas.cursor, 0), coalesce(replicas.seen_ms, 0), replicas.id LIMIT 1
            """, logger: logger)
        var lowest: ReplicaCursor?
        for (id, user, cursor, seen) in try rows.decode((String, String, Int64?, Int64?).self) {
            lowest = ReplicaCursor(id: id, user: user, cursor: cursor, seenMs: seen)
        }
        return lowest
    }
}
