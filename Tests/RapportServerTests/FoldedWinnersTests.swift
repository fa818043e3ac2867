import GRDB
@testable import RapportServer
import RapportSync
import RapportTestSupport
import Testing

/// The SQLite store folds last-writer-wins winners into `fields` in bulk, with the rule written as SQL; what a
/// snapshot leaves out must be exactly what `LastWriterWins` says lost, however the folds fall.
@Suite struct FoldedWinnersTests {
    /// Four replicas edit a few fields with timestamps that often tie (so replica id and counter decide),
    /// pushing interleaved batches in an order unrelated to the timestamps, with retries. Folds happen inside
    /// pushes every `foldEvery` positions, or only when the snapshot asks.
    @Test(arguments: [1, 7, 50, 1_000_000] as [Int64])
    func aSnapshotKeepsExactlyTheRulesWinners(foldEvery: Int64) async throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteSyncStorage(path: folder.file("server.sqlite"), schema: .rapport, foldEvery: foldEvery)
        var random = SplitMix(state: 0x5241_5053 &+ UInt64(foldEvery))
        let replicas = ["repa", "repb", "repc", "repd"]
        var counters = [Int64](repeating: 0, count: replicas.count)
        var all: [Operation] = []
        for _ in 0..<60 {
            let r = Int(random.next() % 4)
            let batch = (0..<(1 + random.next() % 12)).map { _ -> Operation in
                counters[r] += 1
                let field = random.next() % 5 == 0 ? Schema.deletedField : "revenue"
                return Operation(
                    id: OperationID(replica: replicas[r], counter: counters[r]), author: "user\(r)", entity: "account",
                    row: "row\(random.next() % 6)", field: field,
                    value: field == Schema.deletedField ? .bool(random.next() % 2 == 0) : .real(Double(random.next() % 1000)),
                    time: Timestamp(ms: 1_000 + Int64(random.next() % 4), logical: Int(random.next() % 2)))
            }
            _ = try await storage.push(user: "user\(r)", replica: replicas[r], operations: batch, now: 0)
            if random.next() % 5 == 0 {
                // A retry whose response was lost: nothing new, nothing folded twice into a wrong winner.
                _ = try await storage.push(user: "user\(r)", replica: replicas[r], operations: batch, now: 0)
            }
            all += batch
        }
        var expected: [FieldKey: Operation] = [:]
        for op in all where LastWriterWins.wins(op, over: expected[op.key]) { expected[op.key] = op }

        let head = try await storage.head()
        let page = try await storage.snapshot(workspace: defaultWorkspace, after: 0, through: head, limit: 10_000)
        let kept = page.entries.compactMap { entry -> Operation? in
            if case .operation(_, let op) = entry { op } else { nil }
        }
        #expect(Set(kept.map(\.id)) == Set(expected.values.map(\.id)))
        try await storage.close()
    }

    /// A fold that fails after a push (a trigger refuses writes to `fields` here, as a full disk would) leaves the
    /// push stored and acknowledged, says so in the server's log, and the next push folds what it left.
    @Test func aFoldThatFailsIsLoggedAndTheNextPushFoldsAgain() async throws {
        let folder = try TemporaryFolder()
        let records = RecordedLog()
        let storage = try SQLiteSyncStorage(path: folder.file("server.sqlite"), schema: .rapport, foldEvery: 1, logger: records.logger)
        try await storage.pool.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.fields BEGIN SELECT RAISE(ABORT, 'disk is full'); END")
        }
        let ops = StorageConformanceTests.ops(replica: "rep1", count: 3)
        let outcome = try await storage.push(user: "alice", replica: "rep1", operations: [ops[0], ops[1]], now: 0)
        #expect(outcome.accepted == 2)
        #expect(records.messages.count == 1)
        #expect(records.messages.first?.hasPrefix("warning: folding last-writer-wins winners after a push failed") == true)
        #expect(try await storage.pool.read { db in try SQLiteSyncStorage.folded(db, defaultWorkspace) } == 0)

        try await storage.pool.writeWithoutTransaction { db in try db.execute(sql: "DROP TRIGGER temp.refuse") }
        _ = try await storage.push(user: "alice", replica: "rep1", operations: [ops[2]], now: 0)
        let (mark, winner) = try await storage.pool.read { db in
            (try SQLiteSyncStorage.folded(db, defaultWorkspace), try String.fetchOne(db, sql: "SELECT op FROM fields"))
        }
        #expect(mark == 3)
        #expect(winner == "rep1:3")
        #expect(records.messages.count == 1)
        try await storage.close()
    }

    /// With `fields` behind the log (pushes since the last fold), the `superseded` test must keep the newer,
    /// unfolded operation, not take it for one that the folded winner beats.
    @Test func aLaggingWinnersTableKeepsEveryOperation() async throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteSyncStorage(path: folder.file("server.sqlite"), schema: .rapport, foldEvery: 1_000_000)
        let ops = StorageConformanceTests.ops(replica: "rep1", count: 3)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: [ops[0]], now: 0)
        try await storage.foldWinners()
        _ = try await storage.push(user: "alice", replica: "rep1", operations: [ops[1], ops[2]], now: 0)
        let kept = try await storage.pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM log WHERE kind = 'op' AND NOT \(SQLiteSyncStorage.superseded) ORDER BY seq")
        }
        #expect(kept == ["rep1:1", "rep1:2", "rep1:3"])
        try await storage.foldWinners()
        let afterFold = try await storage.pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM log WHERE kind = 'op' AND NOT \(SQLiteSyncStorage.superseded) ORDER BY seq")
        }
        #expect(afterFold == ["rep1:3"])
        try await storage.close()
    }

    /// Each workspace has a fold mark of its own: folding one team's log leaves another's where it was.
    @Test func foldMarksArePerWorkspace() async throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteSyncStorage(path: folder.file("server.sqlite"), schema: .rapport, foldEvery: 4)
        try await storage.addToken(user: "carol", workspace: "north", tokenHash: "hc", label: "", now: 1)
        _ = try await storage.push(workspace: "north", user: "carol", replica: "rep9", operations: StorageConformanceTests.ops(replica: "rep9", count: 3, author: "carol"), now: 0)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: StorageConformanceTests.ops(replica: "rep1", count: 5), now: 0)
        func mark(_ workspace: String) async throws -> Int64 { try await storage.pool.read { db in try SQLiteSyncStorage.folded(db, workspace) } }
        #expect(try await mark(defaultWorkspace) == 5, "five positions past the mark: the push folded")
        #expect(try await mark("north") == 0, "three: not yet")
        let north = try await storage.snapshot(workspace: "north", after: 0, through: 3, limit: 10)
        #expect(north.entries.map(\.seq) == [3])
        #expect(try await mark("north") == 3)
        try await storage.close()
    }

    /// A file from before folding (v4) had `fields` kept up to date by every push: it opens with everything
    /// folded, and later pushes fold on top.
    @Test func aV4FileStartsFoldedAndKeepsFolding() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("server.sqlite")
        let storage = try SQLiteSyncStorage(path: path)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: StorageConformanceTests.ops(replica: "rep1", count: 5), now: 0)
        try await storage.foldWinners()
        try await storage.close()
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "DROP TABLE folded; DELETE FROM grdb_migrations WHERE identifier = 'v5-folded-winners'")
        }
        try queue.close()

        let reopened = try SQLiteSyncStorage(path: path)
        #expect(try await reopened.pool.read { db in try SQLiteSyncStorage.folded(db, defaultWorkspace) } == 5)
        _ = try await reopened.push(user: "alice", replica: "rep1", operations: StorageConformanceTests.ops(replica: "rep1", count: 2, from: 6), now: 0)
        let page = try await reopened.snapshot(workspace: defaultWorkspace, after: 0, through: 7, limit: 100)
        #expect(page.entries.map(\.seq) == [7], "only the latest revenue is live")
        try await reopened.close()
    }
}
