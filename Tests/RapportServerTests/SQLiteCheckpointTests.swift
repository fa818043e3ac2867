import Foundation
import GRDB
@testable import RapportServer
import RapportSync
import Testing

/// The SQLite store copies its write-ahead log into the database file after each push, off the push's path.
@Suite struct SQLiteCheckpointTests {
    func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }

    /// An acknowledged push survives a power cut: GRDB sets the writer to NORMAL when it sets up WAL mode, and
    /// the store sets FULL back.
    @Test func theWriterWaitsForTheDisk() async throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteSyncStorage(path: folder.file("server.sqlite"))
        #expect(try await storage.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        try await storage.close()
    }

    /// The two lookups a push makes per operation go through the replica-counter index, not a scan of the log.
    @Test func aPushLooksOperationsUpThroughTheReplicaCounterIndex() async throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteSyncStorage(path: folder.file("server.sqlite"))
        let plans = try await storage.pool.read { db in
            try [
                "SELECT max(counter) FROM log WHERE kind = 'op' AND workspace = 'w' AND replica = 'r'",
                "SELECT * FROM log WHERE kind = 'op' AND workspace = 'w' AND replica = 'r' AND counter = 1",
            ].map { sql in try String.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, adapter: SuffixRowAdapter(fromIndex: 3)).joined(separator: "; ") }
        }
        for plan in plans { #expect(plan.contains("log_replica_counter"), "\(plan)") }
        try await storage.close()
    }

    /// A checkpoint asked for after the store closed opens no connection: it would recreate a file that
    /// was removed since, or use a connection already closed.
    @Test func aRequestAfterCloseDoesNothing() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("server.sqlite")
        let storage = try SQLiteSyncStorage(path: path)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: StorageConformanceTests.ops(replica: "rep1", count: 10), now: 0)
        try await storage.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        storage.checkpointer.request()
        storage.checkpointer.waitUntilIdle()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aPushReachesTheDatabaseFileWithoutWaitingForTheWritersThreshold() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("server.sqlite")
        let storage = try SQLiteSyncStorage(path: path)
        storage.checkpointer.waitUntilIdle()
        let before = try size(path)
        // About 100 pages: far below the writer's own threshold of 16,384.
        _ = try await storage.push(user: "alice", replica: "rep1", operations: StorageConformanceTests.ops(replica: "rep1", count: 2_000), now: 0)
        storage.checkpointer.waitUntilIdle()
        #expect(try size(path) > before + 100_000)
        // Later pushes and readers carry on as before.
        _ = try await storage.push(user: "alice", replica: "rep1", operations: StorageConformanceTests.ops(replica: "rep1", count: 10, from: 2_001), now: 0)
        #expect(try await storage.head() == 2_010)
        try await storage.close()
        let reopened = try SQLiteSyncStorage(path: path)
        #expect(try await reopened.pull(after: 2_000, limit: 100).entries.count == 10)
        try await reopened.close()
    }
}
