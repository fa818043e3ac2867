import Foundation
import GRDB
import RapportSync

/// What a compaction of the replica's log did.
public struct ReplicaCompaction: Sendable, Equatable {
    /// Superseded values dropped from the log.
    public var deleted: Int
    /// Operations the log still holds.
    public var remaining: Int
    /// Space inside the file that no page uses (what compaction and format upgrades freed): new operations
    /// reuse it, and `shrink` gives it back to the disk.
    public var freeBytes: Int64 = 0

    public init(deleted: Int, remaining: Int, freeBytes: Int64 = 0) {
        self.deleted = deleted
        self.remaining = remaining
        self.freeBytes = freeBytes
    }
}

/// What giving a replica file's free space back to the disk did.
public struct ReplicaShrink: Sendable, Equatable {
    /// The file's size before (counting what its write-ahead log still holds for it) and on disk after.
    public var bytesBefore: Int64
    public var bytesAfter: Int64
    /// What the data takes: the size the file reaches once every page of the rewrite is copied back into it,
    /// which another process reading the file can delay until it lets go.
    public var dataBytes: Int64
}

/// Keeping the replica's operation log bounded.
///
/// The log keeps every note version (reviewed text needs all of them to find conflicts and show history),
/// every tombstone, the operation behind each field's current value, and the values a field held before it
/// for `keepDays`, and all of them for the few fields whose past values views of a past day read (account
/// owner, tier and revenue, deal stages and values, flag and goal statuses, stakeholders' roles, sentiment
/// and contacts: `FieldSpec.keepsHistory`). Older
/// overwritten values go: they lost to the current value and can never win again, since a field's winner only
/// ever moves to a later operation, so no entity table, conflict or note version changes.
///
/// Two further limits keep every other use of the log as it was. Pending operations stay, since the server
/// has not stored them. And a field's old values go only once its current value is acknowledged by the
/// server: re-stamping (see `restampPending`) never stamps a pending edit before the newest operation the
/// replica holds from the server, and a pushed winner is at least as new as every value it beat, so that
/// bound stays where it was.
extension Replica {
    public static let dayMs: Int64 = 24 * 3600 * 1000

    /// Drops the overwritten values of last-writer-wins fields stamped more than `keepDays` days ago.
    public func compact(keepDays: Int) throws -> ReplicaCompaction {
        guard keepDays >= 0 else {
            throw ReplicaError.badArgument("--keep-days must be 0 or more (it is \(keepDays)); nothing was deleted")
        }
        let now = env.now()
        // Past a few centuries every value is kept anyway; the bound only keeps the arithmetic in range.
        let keepAfter = now - Int64(min(keepDays, 100_000)) * Self.dayMs
        // Only known last-writer-wins fields lose values: a field a newer version adds may merge otherwise.
        // Those whose past values views of a past day read keep them (`FieldSpec.keepsHistory`).
        let fields = schema.entities.flatMap { entity in
            entity.fields.filter { $0.merge == .lastWriterWins && !$0.keepsHistory }.map { [entity.name, $0.name] }
        }
        let winner = { (columns: String) in
            "(SELECT \(columns) FROM ops w WHERE w.entity = ops.entity AND w.row = ops.row AND w.field = ops.field ORDER BY \(Self.latestFirst) LIMIT 1)"
        }
        return try write { db in
            try db.execute(
                sql: """
                    DELETE FROM ops WHERE pushed <> 0 AND ms < ?
                    AND (entity, field) IN (VALUES \(fields.map { _ in "(?, ?)" }.joined(separator: ", ")))
                    AND (ms, logical, replica, counter) <> \(winner("w.ms, w.logical, w.replica, w.counter")) AND \(winner("w.pushed")) <> 0
                    """,
                arguments: [keepAfter] + StatementArguments(fields.flatMap { $0 }))
            let deleted = db.changesCount
            try db.execute(sql: "UPDATE replica SET compacted_ms = ?, operations = operations - ?", arguments: [now, deleted])
            return ReplicaCompaction(deleted: deleted, remaining: try Self.operationCount(db), freeBytes: try Self.freeBytes(db))
        }
    }

    static func freeBytes(_ db: Database) throws -> Int64 {
        try (Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0) * (Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
    }

    /// Rewrites the file without its free pages (SQLite's VACUUM), so that it takes no more disk than its data.
    ///
    /// Compaction and format upgrades leave the pages they free inside the file for new operations to reuse;
    /// an upgrade that rewrites the log leaves about the log's size. The rewrite is one transaction: it needs
    /// free disk for a copy of the file while it runs, and if it fails (a full disk, another process writing)
    /// the file is as it was.
    public func shrink() throws -> ReplicaShrink {
        let size = { (db: Database) throws -> Int64 in
            try (Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0) * (Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
        }
        let onDisk = { Int64((try? FileManager.default.attributesOfItem(atPath: self.path)[.size] as? Int) ?? 0) }
        let before = max(onDisk(), try read(size))
        do {
            try pool.vacuum()
        } catch let error as DatabaseError {
            throw ReplicaError.cannotShrink(path: path, reason: error.message ?? "\(error)")
        }
        // VACUUM writes the new file through the WAL; the file shrinks once a checkpoint has copied all of it
        // back. Passive, so that a reader in another process (which a truncating checkpoint would wait 30 s
        // for) delays nothing: the WAL file itself goes when the last connection to the file closes.
        _ = try? pool.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        // VACUUM may renumber the log's rows (it has no INTEGER PRIMARY KEY), so a watch left by a sync cut off
        // would count other rows as pulled: it starts again from the end, and tells nothing rather than wrongly.
        try write { db in try db.execute(sql: "UPDATE replica SET watch_after_row = (SELECT coalesce(max(rowid), 0) FROM ops) WHERE watch_after_row IS NOT NULL") }
        return ReplicaShrink(bytesBefore: before, bytesAfter: onDisk(), dataBytes: try read(size))
    }

    /// Compacts when the last compaction is more than a day old (a full pass over the log takes a moment on
    /// a large replica, too long to repeat at every sync); nil when it was not due.
    public func compactIfDue(keepDays: Int) throws -> ReplicaCompaction? {
        let last = try read { db in try Int64.fetchOne(db, sql: "SELECT compacted_ms FROM replica") }
        if let last, env.now() - last < Self.dayMs { return nil }
        return try compact(keepDays: keepDays)
    }
}
