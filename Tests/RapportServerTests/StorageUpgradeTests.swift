import GRDB
import RapportServer
import RapportSync
import Testing

/// A server file that an older Rapport wrote opens in this one with its log intact.
@Suite struct SQLiteStorageUpgradeTests {
    /// v4 indexes operations by replica and counter instead of by id text; after the upgrade a repeated push
    /// is still recognised and a reused id still refused.
    @Test func aV3FileGainsTheReplicaCounterIndexAndKeepsRecognisingItsOperations() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("server.sqlite")
        let batch = StorageConformanceTests.ops(replica: "rep1", count: 5)
        let storage = try SQLiteSyncStorage(path: path)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: batch, now: 0)
        try await storage.close()
        // Back to the v3 layout, as an older Rapport left the file.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: """
                DROP INDEX log_replica_counter;
                CREATE UNIQUE INDEX log_op ON log(workspace, id) WHERE kind = 'op';
                DELETE FROM grdb_migrations WHERE identifier = 'v4-replica-counter-index';
                """)
        }
        try queue.close()

        let reopened = try SQLiteSyncStorage(path: path)
        let indexes = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'log' ORDER BY name")
        }
        #expect(indexes.contains("log_replica_counter") && !indexes.contains("log_op"))
        let again = try await reopened.push(user: "alice", replica: "rep1", operations: batch + StorageConformanceTests.ops(replica: "rep1", count: 1, from: 6), now: 0)
        #expect(again == PushOutcome(accepted: 1, duplicates: 5, head: 6))
        var forged = batch[2]
        forged.value = .real(-1)
        await #expect(throws: SyncServerError.operationIDReused("rep1:3")) {
            try await reopened.push(user: "alice", replica: "rep1", operations: [forged], now: 0)
        }
        try await reopened.close()
    }
}
