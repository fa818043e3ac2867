import Foundation
import GRDB
import RapportPostgres
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
        let inspector = try DatabaseQueue(path: path)
        let indexes = try await inspector.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'log' ORDER BY name")
        }
        try inspector.close()
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

    /// Found by QA: a file of a newer Rapport was "not a Rapport server database ... check the path given", where the
    /// path was right and the program old.
    @Test func aNewerFileIsSaidToNeedANewerRapport() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("server.sqlite")
        try await SQLiteSyncStorage(path: path).close()
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')") }
        try queue.close()
        let refusal = #expect(throws: StorageError.self) { try SQLiteSyncStorage(path: path) }
        let said = refusal.map { "\($0)" } ?? ""
        #expect(said.contains("was written by a newer Rapport than this one; it was left untouched: upgrade rapport to serve it") && !said.contains("check the path"), "\(said)")
    }

    /// Found by QA: a file this user could not write (or a folder where its write-ahead log goes) was "not a
    /// Rapport server database (attempt to write a readonly database) ... check the path given", naming no file.
    @Test func aFileThatCannotBeWrittenIsSaidSoWithTheFiles() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("server.sqlite")
        try await SQLiteSyncStorage(path: path).close()
        // (A folder, so that it holds for root too, whom no file's mode stops.)
        try FileManager.default.createDirectory(atPath: path + "-wal", withIntermediateDirectories: false)
        let refusal = #expect(throws: StorageError.self) { try SQLiteSyncStorage(path: path) }
        let said = refusal.map { "\($0)" } ?? ""
        #expect(said.hasPrefix("cannot open the server database \(path) (") && said.contains("\(path)-wal is a folder where SQLite keeps the server database's write-ahead log")
                && said.hasSuffix("it was left untouched: remove it") && !said.contains("not a Rapport server database"), "\(said)")
        // Nothing left behind: an -shm the refused look made locked the file's owner out, and a new file stayed (QA).
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
        let new = folder.file("new.sqlite")
        try FileManager.default.createDirectory(atPath: new + "-wal", withIntermediateDirectories: false)
        #expect(throws: StorageError.self) { try SQLiteSyncStorage(path: new) }
        #expect(!FileManager.default.fileExists(atPath: new) && !FileManager.default.fileExists(atPath: new + "-shm"))
    }

    /// Found by QA: an empty file (0 bytes) was served as a new database without the notice a missing path gets.
    @Test func anEmptyFileServedIsSaidToBeSetUpEmpty() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("server.sqlite")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let server = try ServerProcess(arguments: ["--db", path])
        server.stop()
        #expect(server.startLog.contains("the database file held nothing and was set up now, empty: if the team's server had one already"), "\(server.startLog)")
    }

    /// A file from before log identities takes one from its first user, so that a backup of it taken before
    /// the upgrade, upgraded when restored, has the same one: a random one would read as another server.
    @Test func aV7FileTakesItsIdentityFromItsFirstUser() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("server.sqlite")
        let storage = try SQLiteSyncStorage(path: path)
        try await storage.addToken(user: "bob", tokenHash: "h2", label: "", now: 2_000)
        try await storage.addToken(user: "alice", tokenHash: "h1", label: "", now: 1_000)
        try await storage.close()
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "DROP TABLE server_identity; DELETE FROM grdb_migrations WHERE identifier = 'v8-server-identity'")
        }
        try queue.close()
        try FileManager.default.copyItem(atPath: path, toPath: folder.file("backup.sqlite"))

        let expected = LogIdentity.of(server: LogIdentity.serverID(firstUser: "alice", createdMs: 1_000), workspace: defaultWorkspace)
        for file in ["server.sqlite", "backup.sqlite"] {
            let upgraded = try SQLiteSyncStorage(path: folder.file(file))
            #expect(try await upgraded.logState(workspace: defaultWorkspace, cursor: 0).identity == expected)
            try await upgraded.close()
        }
        // A new, empty database has a random one.
        let empty = try SQLiteSyncStorage(path: folder.file("new.sqlite"))
        #expect(try await empty.logState(workspace: defaultWorkspace, cursor: 0).identity != expected)
        try await empty.close()
    }
}

/// A PostgreSQL database that an older Rapport migrated opens in this one with its log intact.
@Suite(.enabled(if: PostgresTesting.available, "set RAPPORT_TEST_POSTGRES to run the PostgreSQL tests"))
struct PostgresStorageUpgradeTests {
    /// Migration 3 marks the reviewed-text operations already in the log, since only those are looked up as a
    /// field's versions: a text edit after the upgrade still meets the versions pushed before it.
    @Test func aVersion2DatabaseMarksItsReviewedTextOperations() async throws {
        let url = try await PostgresTesting.freshDatabase()
        let base = Operation(id: OperationID(replica: "rep1", counter: 1), author: "alice", entity: "note", row: "n1", field: "body", value: .text("v1"), time: Timestamp(ms: 10))
        let mine = Operation(id: OperationID(replica: "rep1", counter: 2), author: "alice", entity: "note", row: "n1", field: "body", value: .text("alice"), time: Timestamp(ms: 20), base: base.id)
        let title = Operation(id: OperationID(replica: "rep1", counter: 3), author: "alice", entity: "note", row: "n1", field: "title", value: .text("t"), time: Timestamp(ms: 20))
        let storage = try await PostgresSyncStorage(url: url, logger: quietLogger)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: [base, mine, title], now: 0)
        try await storage.close()
        // Back to the version 2 layout.
        try await PostgresTesting.execute([
            "DROP INDEX log_reviewed",
            "ALTER TABLE log DROP COLUMN reviewed",
            "CREATE INDEX log_field ON log(workspace, entity, \"row\", field) WHERE kind = 'op'",
            "DELETE FROM rapport_migrations WHERE version = 3",
        ], on: url)

        let reopened = try await PostgresSyncStorage(url: url, logger: quietLogger)
        let theirs = Operation(id: OperationID(replica: "rep2", counter: 1), author: "bob", entity: "note", row: "n1", field: "body", value: .text("bob"), time: Timestamp(ms: 21), base: base.id)
        _ = try await reopened.push(user: "bob", replica: "rep2", operations: [theirs], now: 0)
        let records = try await reopened.pull(after: 0, limit: 100).entries.compactMap { if case .conflict(_, let c) = $0 { c } else { nil } }
        #expect(records.map(\.open) == [true])
        #expect(records.first?.versions == [mine.id, theirs.id])
        try await reopened.close()
    }

    /// Migration 6 derives a database's identity from its first user in SQL exactly as the SQLite store does
    /// in Swift, so that a server upgraded on either store keeps one identity.
    @Test func aVersion5DatabaseTakesItsIdentityFromItsFirstUserAsSQLiteDoes() async throws {
        let url = try await PostgresTesting.freshDatabase()
        let storage = try await PostgresSyncStorage(url: url, logger: quietLogger)
        try await storage.addToken(user: "bob", tokenHash: "h2", label: "", now: 1_000)
        try await storage.addToken(user: "alice", tokenHash: "h1", label: "", now: 1_000)
        let random = try await storage.logState(workspace: defaultWorkspace, cursor: 0).identity
        try await storage.close()
        try await PostgresTesting.execute(["DROP TABLE server_identity", "DELETE FROM rapport_migrations WHERE version = 6"], on: url)

        let reopened = try await PostgresSyncStorage(url: url, logger: quietLogger)
        let identity = try await reopened.logState(workspace: defaultWorkspace, cursor: 0).identity
        #expect(identity == LogIdentity.of(server: LogIdentity.serverID(firstUser: "alice", createdMs: 1_000), workspace: defaultWorkspace))
        #expect(identity != random)
        try await reopened.close()
    }
}
