import Foundation
import RapportPostgres
import RapportServer
import RapportSync
import RapportTestSupport
import Testing

/// The contract every `SyncStorage` keeps. Each backend runs the same tests.
@Suite struct StorageConformanceTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite
        case postgres
        var testDescription: String { rawValue }

        /// Every backend this machine can run; PostgreSQL is never left out in CI.
        static var available: [Backend] { PostgresTesting.available ? allCases : [.sqlite] }

        func make(_ folder: TemporaryFolder) async throws -> any SyncStorage {
            switch self {
            case .sqlite: try SQLiteSyncStorage(path: folder.file("server.sqlite"))
            case .postgres: try await PostgresSyncStorage(url: try await PostgresTesting.freshDatabase(), logger: quietLogger)
            }
        }
    }

    static func ops(replica: String, count: Int, from start: Int64 = 1, author: String = "alice", row: String = "row1") -> [Operation] {
        (0..<Int64(count)).map { i in
            Operation(id: OperationID(replica: replica, counter: start + i), author: author, entity: "account", row: row,
                      field: "revenue", value: .real(Double(start + i)), time: Timestamp(ms: 1_000 + start + i))
        }
    }

    /// A handshake's view of the log: its head, an identity that stays with the database and differs between
    /// databases and workspaces, and the entry at a cursor while the log holds it.
    @Test(arguments: Backend.available)
    func theLogStateNamesTheLogAndTheEntryAtACursor(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        let otherFolder = try TemporaryFolder()
        let other = try await backend.make(otherFolder)
        defer { Task { try? await storage.close(); try? await other.close() } }
        try await storage.addToken(user: "alice", tokenHash: "h1", label: "", now: 0)
        let empty = try await storage.logState(workspace: defaultWorkspace, cursor: 0)
        #expect(empty.head == 0 && empty.entryAtCursor == nil && empty.identity.count == 32)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: Self.ops(replica: "rep1", count: 3), now: 0)
        let state = try await storage.logState(workspace: defaultWorkspace, cursor: 2)
        #expect(state == LogState(head: 3, identity: empty.identity, entryAtCursor: "rep1:2"))
        #expect(try await storage.logState(workspace: defaultWorkspace, cursor: 0).entryAtCursor == nil)
        #expect(try await storage.logState(workspace: defaultWorkspace, cursor: 4).entryAtCursor == nil)
        #expect(try await storage.logState(workspace: "other", cursor: 0).identity != empty.identity)
        #expect(try await other.logState(workspace: defaultWorkspace, cursor: 0).identity != empty.identity)
        // The generation moves on (to a random value) once for a rewrite two handshakes show at once, and per workspace.
        #expect(state.generation == 0 && state.rewrittenBelow(cursor: 4, entry: nil) && state.rewrittenBelow(cursor: 2, entry: "rep1:9"))
        #expect(!state.rewrittenBelow(cursor: 2, entry: "rep1:2") && !state.rewrittenBelow(cursor: 3, entry: nil))
        let next = try await storage.markLogRewritten(workspace: defaultWorkspace, seen: 0)
        #expect(next != 0)
        #expect(try await storage.markLogRewritten(workspace: defaultWorkspace, seen: 0) == next)
        #expect(try await storage.logState(workspace: defaultWorkspace, cursor: 0).generation == next)
        #expect(try await storage.logState(workspace: "other", cursor: 0).generation == 0)
        if backend == .sqlite {
            let reopened = try SQLiteSyncStorage(path: folder.file("server.sqlite"))
            #expect(try await reopened.logState(workspace: defaultWorkspace, cursor: 2) == LogState(head: 3, identity: empty.identity, entryAtCursor: "rep1:2", generation: next))
            try await reopened.close()
        }
    }

    /// Removing a user: one who never synced goes with their tokens (the name is free again, in another
    /// workspace too); one who synced stays, their tokens revoked and laptops forgotten, so compaction goes on,
    /// and a new token brings them back.
    @Test(arguments: Backend.available)
    func aRemovedUserCannotSyncNorHoldCompactionBack(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        defer { Task { try? await storage.close() } }
        for (user, hash) in [("alice", "h1"), ("bob", "h2"), ("bob", "b0b003"), ("carol", "h4")] {
            try await storage.addToken(user: user, tokenHash: hash, label: "", now: 0)
        }
        _ = try await storage.revokeTokens(hashPrefix: "b0b003", now: 1)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: Self.ops(replica: "rep1", count: 3), now: 0)
        _ = try await storage.push(user: "bob", replica: "rep2", operations: Self.ops(replica: "rep2", count: 2, from: 10, author: "bob"), now: 0)
        try await storage.recordHandshake(user: "alice", replica: "rep1", cursor: 5, now: 10)
        try await storage.recordHandshake(user: "bob", replica: "rep2", cursor: 1, now: 7)
        #expect(try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max).heldBackBy?.id == "rep2")

        let bob = try #require(try await storage.removeUser(name: "bob", now: 20))
        #expect(bob == RemovedUser(name: "bob", workspace: defaultWorkspace, hadSynced: true, revokedTokens: 1,
                                   forgottenReplicas: [ReplicaCursor(id: "rep2", user: "bob", cursor: 1, seenMs: 7)]))
        #expect(try await storage.user(forTokenHash: "h2") == nil)
        #expect(try await storage.revokedMs(tokenHash: "h2") == 20)
        #expect(try await storage.revokedMs(tokenHash: "b0b003") == 1)
        let report = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max)
        #expect(report.heldBackBy == nil && report.deletedOperations > 0)
        #expect(try await storage.removeUser(name: "bob", now: 30)?.wasRemovedAlready == true)
        let directory = try await storage.directory()
        #expect(directory.users.map(\.name) == ["alice", "bob", "carol"] && directory.replicas.map(\.id) == ["rep1"])
        #expect(directory.forgottenReplicas.map(\.id) == ["rep2"] && directory.forgottenReplicas.first?.seenMs == 7)
        // Their name stays theirs in their team: their laptops hold this team's data.
        await #expect(throws: SyncServerError.userInOtherWorkspace(user: "bob", workspace: defaultWorkspace, synced: true)) {
            try await storage.addToken(user: "bob", workspace: "other", tokenHash: "h5", label: "", now: 40)
        }
        // A new token brings them back; their laptop's next handshake counts it again.
        try await storage.addToken(user: "bob", tokenHash: "h6", label: "", now: 40)
        #expect(try await storage.user(forTokenHash: "h6") == ServerUser(name: "bob", workspace: defaultWorkspace))
        try await storage.recordHandshake(user: "bob", replica: "rep2", cursor: 5, now: 50)
        #expect(try await storage.directory().replicas.map(\.id) == ["rep1", "rep2"])

        // Carol never synced: gone, tokens and all, and her name may be given in another team.
        #expect(try await storage.removeUser(name: "carol", now: 60)
                == RemovedUser(name: "carol", workspace: defaultWorkspace, hadSynced: false, revokedTokens: 1, deletedTokens: 1, forgottenReplicas: []))
        #expect(try await storage.user(forTokenHash: "h4") == nil)
        #expect(try await storage.revokedMs(tokenHash: "h4") == nil)
        #expect(try await !storage.directory().users.contains { $0.name == "carol" })
        try await storage.addToken(user: "carol", workspace: "other", tokenHash: "h7", label: "", now: 70)
        #expect(try await storage.user(forTokenHash: "h7") == ServerUser(name: "carol", workspace: "other"))
        #expect(try await storage.removeUser(name: "nobody", now: 80) == nil)
    }

    /// A replica first seen in a push marked resent (its user's other laptop sending its operations again after a
    /// restore) holds compaction back only once it syncs itself: registered as one forgotten.
    @Test(arguments: Backend.available)
    func aReplicaFirstSeenInAResentPushHoldsNothingBack(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        defer { Task { try? await storage.close() } }
        try await storage.addToken(user: "alice", tokenHash: "h1", label: "", now: 0)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: Self.ops(replica: "rep1", count: 3), now: 0)
        _ = try await storage.push(workspace: defaultWorkspace, user: "alice", replica: "old", operations: Self.ops(replica: "old", count: 2), now: 20, resent: true)
        try await storage.recordHandshake(user: "alice", replica: "rep1", cursor: 5, now: 25)
        #expect(try await storage.directory().forgottenReplicas.map(\.id) == ["old"])
        #expect(try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max).heldBackBy == nil)
        // Once it syncs itself, it counts.
        try await storage.recordHandshake(user: "alice", replica: "old", cursor: 1, now: 30)
        #expect(try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max).heldBackBy?.id == "old")
    }

    /// A forgotten replica no longer bounds compaction; one that syncs again is registered anew.
    @Test(arguments: Backend.available)
    func aForgottenReplicaNoLongerBoundsCompaction(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        defer { Task { try? await storage.close() } }
        try await storage.addToken(user: "alice", tokenHash: "h1", label: "", now: 0)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: Self.ops(replica: "rep1", count: 3), now: 0)
        try await storage.recordHandshake(user: "alice", replica: "rep1", cursor: 3, now: 10)
        try await storage.recordHandshake(user: "alice", replica: "lost", cursor: 1, now: 5)
        // Held back at position 1: only the first overwritten value goes.
        let held = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max)
        #expect(held.heldBackBy?.id == "lost" && held.deletedOperations == 1)
        #expect(try await storage.forgetReplica(id: "lost") == ReplicaCursor(id: "lost", user: "alice", cursor: 1, seenMs: 5))
        #expect(try await storage.forgetReplica(id: "lost") == nil)
        #expect(try await storage.directory().replicas.map(\.0) == ["rep1"])
        let report = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max)
        #expect(report.heldBackBy == nil)
        // Then the second (the head's entry always stays).
        #expect(report.deletedOperations == 1)
        // Forgotten, it is still alice's: nobody else can take its id over.
        try await storage.addToken(user: "bob", tokenHash: "h2", label: "", now: 0)
        await #expect(throws: SyncServerError.replicaOwnedByOther(replica: "lost", owner: "alice")) {
            try await storage.recordHandshake(user: "bob", replica: "lost", cursor: 0, now: 20)
        }
        try await storage.recordHandshake(user: "alice", replica: "lost", cursor: 1, now: 20)
        #expect(try await storage.directory().replicas.contains { $0.0 == "lost" })
        #expect(try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max).heldBackBy?.id == "lost")
    }

    /// A replica file restored from a backup pushes again operations the server stored and then compacted:
    /// they used to be stored a second time (an overwritten value back in the log, or under a restamped
    /// stamp, one id with two contents). Compaction records how far each replica's deleted ids go, and the
    /// server refuses such an id as reused; an id never pushed, above it, is still new.
    @Test(arguments: Backend.available)
    func aCompactedIDPushedAgainIsRefusedAsReused(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        defer { Task { try? await storage.close() } }
        try await storage.addToken(user: "alice", tokenHash: "h1", label: "", now: 0)
        let mine = Self.ops(replica: "rep1", count: 3)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: Array(mine.prefix(2)), now: 0)
        let later = [
            Operation(id: OperationID(replica: "rep2", counter: 1), author: "alice", entity: "account", row: "row1", field: "revenue", value: .real(9), time: Timestamp(ms: 5_000)),
            Operation(id: OperationID(replica: "rep2", counter: 2), author: "alice", entity: "account", row: "row1", field: "name", value: .text("Acme"), time: Timestamp(ms: 5_001)),
        ]
        _ = try await storage.push(user: "alice", replica: "rep2", operations: later, now: 0)
        for replica in ["rep1", "rep2"] { try await storage.recordHandshake(user: "alice", replica: replica, cursor: 4, now: 10) }
        #expect(try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max).deletedOperations == 2)
        #expect(try await storage.directory().compactedCounters == ["rep1": 2])
        // What a handshake tells a replica was stored of its operations: compacted ones count.
        #expect(try await storage.storedThrough(workspace: defaultWorkspace, replica: "rep1") == 2)
        #expect(try await storage.storedThrough(workspace: defaultWorkspace, replica: "rep2") == 2)
        #expect(try await storage.storedThrough(workspace: defaultWorkspace, replica: "rep9") == 0)
        for again in mine.prefix(2) {
            await #expect(throws: SyncServerError.operationIDReused(again.id.description)) {
                _ = try await storage.push(user: "alice", replica: "rep1", operations: [again], now: 20)
            }
        }
        #expect(try await storage.push(user: "alice", replica: "rep1", operations: [mine[2]], now: 20).accepted == 1)
        #expect(try await storage.storedThrough(workspace: defaultWorkspace, replica: "rep1") == 3)
    }

    /// A page of long notes used to hold as many as asked for, all in the server's memory at once: it now
    /// ends at about `PullPage.maxBytes`, and the pages that follow bring the rest.
    @Test(arguments: Backend.available)
    func pagesEndAtTheirByteBudget(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        defer { Task { try? await storage.close() } }
        let text = String(repeating: "m", count: 1 << 20)
        let notes = (1...6).map { i in
            Operation(id: OperationID(replica: "rep1", counter: Int64(i)), author: "alice", entity: "note", row: "n\(i)",
                      field: "body", value: .text(text), time: Timestamp(ms: 1_000 + Int64(i)))
        }
        _ = try await storage.push(user: "alice", replica: "rep1", operations: notes, now: 2_000)
        for read in [
            { (after: Int64) in try await storage.pull(workspace: defaultWorkspace, after: after, limit: 1_000) },
            { (after: Int64) in try await storage.snapshot(workspace: defaultWorkspace, after: after, through: 6, limit: 1_000) },
        ] {
            var sizes: [Int] = []
            var after: Int64 = 0
            while true {
                let page = try await read(after)
                sizes.append(page.entries.count)
                after = page.next
                if !page.more { break }
            }
            #expect(sizes == [4, 2])
            #expect(after == 6)
        }
    }

    @Test(arguments: Backend.available)
    func pushedOperationsComeBackInOrderWithGaplessPositions(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        let batch = Self.ops(replica: "rep1", count: 25)
        let outcome = try await storage.push(user: "alice", replica: "rep1", operations: batch, now: 0)
        #expect(outcome == PushOutcome(accepted: 25, duplicates: 0, head: 25))
        var seen: [LogEntry] = []
        var cursor: Int64 = 0
        while true {
            let page = try await storage.pull(after: cursor, limit: 7)
            seen += page.entries
            cursor = page.next
            if !page.more { break }
        }
        #expect(seen.map(\.seq) == Array(1...25))
        #expect(seen.compactMap { if case .operation(_, let op) = $0 { op } else { nil } } == batch)
    }

    @Test(arguments: Backend.available)
    func repeatedPushIsAcknowledgedAndChangesNothing(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        let batch = Self.ops(replica: "rep1", count: 5)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: batch, now: 0)
        let again = try await storage.push(user: "alice", replica: "rep1", operations: batch + Self.ops(replica: "rep1", count: 1, from: 6), now: 0)
        #expect(again == PushOutcome(accepted: 1, duplicates: 5, head: 6))
    }

    /// Every kind of value, and an operation's optional parts present and absent, come back from the log as
    /// they were pushed (PostgreSQL stores them through arrays that cannot hold NULL).
    @Test(arguments: Backend.available)
    func everyKindOfValueComesBackAsPushed(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        let values: [FieldValue] = [.null, .int(0), .int(-7), .real(1.5), .real(0), .text(""), .text("x, y"), .bool(false), .bool(true)]
        var ops = values.enumerated().map { i, value in
            Operation(id: OperationID(replica: "rep1", counter: Int64(i + 1)), author: "alice", entity: "account", row: "a\(i)",
                      field: "revenue", value: value, time: Timestamp(ms: 100 + Int64(i), logical: i))
        }
        let first = Operation(id: OperationID(replica: "rep1", counter: 20), author: "alice", entity: "note", row: "n1", field: "body",
                              value: .text("v1"), time: Timestamp(ms: 200))
        let resolution = Operation(id: OperationID(replica: "rep1", counter: 21), author: "alice", entity: "note", row: "n1", field: "body",
                                   value: .text("v2"), time: Timestamp(ms: 201), base: first.id, supersedes: [ops[0].id, ops[1].id], resolution: true)
        ops += [first, resolution]
        _ = try await storage.push(user: "alice", replica: "rep1", operations: ops, now: 0)
        let pulled = try await storage.pull(after: 0, limit: 100).entries.compactMap { if case .operation(_, let op) = $0 { op } else { nil } }
        #expect(pulled == ops)
    }

    /// A store may skip looking up counters above a replica's highest stored one; below it, a counter that
    /// was never pushed is still new, one that was is still a duplicate, and one reused is still refused.
    @Test(arguments: Backend.available)
    func countersBelowTheHighestStoredAreStillNewDuplicateOrRefused(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: Self.ops(replica: "rep1", count: 3, from: 5), now: 0)
        let batch = Self.ops(replica: "rep1", count: 4, from: 1) + Self.ops(replica: "rep1", count: 1, from: 6) + Self.ops(replica: "rep1", count: 2, from: 8)
        let outcome = try await storage.push(user: "alice", replica: "rep1", operations: batch, now: 0)
        #expect(outcome == PushOutcome(accepted: 6, duplicates: 1, head: 9))
        var forged = Self.ops(replica: "rep1", count: 1, from: 2)[0]
        forged.value = .real(-2)
        await #expect(throws: SyncServerError.operationIDReused("rep1:2")) {
            try await storage.push(user: "alice", replica: "rep1", operations: Self.ops(replica: "rep1", count: 1, from: 10) + [forged], now: 0)
        }
        #expect(try await storage.head() == 9)
        let counters = try await storage.pull(after: 0, limit: 100).entries.compactMap { entry -> Int64? in
            if case .operation(_, let op) = entry { return op.id.counter }
            return nil
        }
        #expect(counters == [5, 6, 7, 1, 2, 3, 4, 8, 9])
    }

    @Test(arguments: Backend.available)
    func reusedIDWithOtherContentIsRefusedAndBatchIsAtomic(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: Self.ops(replica: "rep1", count: 2), now: 0)
        var forged = Self.ops(replica: "rep1", count: 1, from: 2)[0]
        forged.value = .real(999)
        let batch = Self.ops(replica: "rep1", count: 3, from: 3) + [forged]
        await #expect(throws: SyncServerError.operationIDReused("rep1:2")) {
            try await storage.push(user: "alice", replica: "rep1", operations: batch, now: 0)
        }
        #expect(try await storage.head() == 2)
        // Within one batch too.
        let first = Self.ops(replica: "rep1", count: 1, from: 10)[0]
        var twin = first
        twin.value = .real(1234)
        await #expect(throws: SyncServerError.operationIDReused("rep1:10")) {
            try await storage.push(user: "alice", replica: "rep1", operations: [first, twin], now: 0)
        }
        #expect(try await storage.head() == 2)
    }

    @Test(arguments: Backend.available)
    func replicaBelongsToTheUserWhoFirstPushedFromIt(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: Self.ops(replica: "rep1", count: 1), now: 0)
        await #expect(throws: SyncServerError.replicaOwnedByOther(replica: "rep1", owner: "alice")) {
            try await storage.push(user: "mallory", replica: "rep1", operations: Self.ops(replica: "rep1", count: 1, from: 2, author: "mallory"), now: 0)
        }
    }

    @Test(arguments: Backend.available)
    func concurrentPushesKeepTheLogGapless(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for r in 0..<8 {
                group.addTask {
                    for b in 0..<5 {
                        _ = try await storage.push(user: "u\(r)", replica: "rep\(r)x", operations: Self.ops(replica: "rep\(r)x", count: 10, from: Int64(b * 10 + 1), author: "u\(r)", row: "row\(r)"), now: 0)
                    }
                }
            }
            try await group.waitForAll()
        }
        let page = try await storage.pull(after: 0, limit: 1_000)
        #expect(page.entries.map(\.seq) == Array(1...400))
        #expect(Set(page.entries.compactMap { if case .operation(_, let op) = $0 { op.id } else { nil } }).count == 400)
    }

    @Test(arguments: Backend.available)
    func concurrentTextEditsProduceOneOpenConflictRecordAndItsClosing(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        let base = Operation(id: OperationID(replica: "rep1", counter: 1), author: "alice", entity: "note", row: "n1", field: "body", value: .text("v1"), time: Timestamp(ms: 10))
        let mine = Operation(id: OperationID(replica: "rep1", counter: 2), author: "alice", entity: "note", row: "n1", field: "body", value: .text("alice"), time: Timestamp(ms: 20), base: base.id)
        let theirs = Operation(id: OperationID(replica: "rep2", counter: 1), author: "bob", entity: "note", row: "n1", field: "body", value: .text("bob"), time: Timestamp(ms: 21), base: base.id)
        let fix = Operation(id: OperationID(replica: "rep2", counter: 2), author: "bob", entity: "note", row: "n1", field: "body", value: .text("both"), time: Timestamp(ms: 30), base: theirs.id, supersedes: [mine.id], resolution: true)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: [base, mine], now: 0)
        _ = try await storage.push(user: "bob", replica: "rep2", operations: [theirs, fix], now: 0)
        let records = try await storage.pull(after: 0, limit: 100).entries.compactMap { if case .conflict(_, let c) = $0 { c } else { nil } }
        #expect(records.map(\.open) == [true, false])
        #expect(records.first?.versions == [mine.id, theirs.id])
        #expect(records.first?.base == base.id)
    }

    /// A store plans a whole batch at once; the log it writes must be the one that pushing the operations one
    /// at a time writes, conflict records included, whatever the batch holds.
    @Test(arguments: Backend.available)
    func aWholeBatchLogsWhatSeparatePushesLog(backend: Backend) async throws {
        var rng = SplitMix(state: 42)
        var history: [Operation] = []
        var versions: [FieldKey: [OperationID]] = [:]
        for i in 1...300 {
            let replica = ["rep1", "rep2", "rep3"][Int(rng.next() % 3)]
            let id = OperationID(replica: replica, counter: Int64(i))
            let time = Timestamp(ms: 1_000 + Int64(rng.next() % 500))
            if rng.next() % 2 == 0 {
                history.append(Operation(id: id, author: "alice", entity: "account", row: "a\(rng.next() % 4)", field: "revenue",
                                         value: .real(Double(i)), time: time))
            } else {
                let key = FieldKey(entity: "note", row: "n\(rng.next() % 3)", field: "body")
                let known = versions[key, default: []]
                // Often based on an older version than the latest: concurrent edits, conflicts and resolutions.
                let base = known.isEmpty ? nil : known[Int(rng.next() % UInt64(known.count))]
                let resolves = rng.next() % 4 == 0 && known.count > 1
                history.append(Operation(id: id, author: "alice", entity: "note", row: key.row, field: "body", value: .text("v\(i % 7)"),
                                         time: time, base: base, supersedes: resolves ? known.filter { $0 != base } : [], resolution: resolves))
                versions[key, default: []].append(id)
            }
        }
        history.append(history[10])
        let folders = (try TemporaryFolder(), try TemporaryFolder())
        let whole = try await backend.make(folders.0)
        let single = try await backend.make(folders.1)
        let outcome = try await whole.push(user: "alice", replica: "rep1", operations: history, now: 0)
        for op in history { _ = try await single.push(user: "alice", replica: "rep1", operations: [op], now: 0) }
        #expect(outcome.accepted == 300 && outcome.duplicates == 1)
        let a = try await whole.pull(after: 0, limit: 5_000)
        let b = try await single.pull(after: 0, limit: 5_000)
        #expect(a == b)
        #expect(a.entries.contains { if case .conflict = $0 { true } else { false } })
        let again = try await whole.push(user: "alice", replica: "rep1", operations: history, now: 0)
        #expect(again.accepted == 0 && again.head == outcome.head)
        try await whole.close()
        try await single.close()
    }

    @Test(arguments: Backend.available)
    func tokensResolveToUsersUntilRevoked(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        let token = Tokens.generate()
        try await storage.addToken(user: "alice", tokenHash: Tokens.hash(token), label: "laptop", now: 1)
        #expect(try await storage.user(forTokenHash: Tokens.hash(token)) == ServerUser(name: "alice", workspace: "default"))
        #expect(try await storage.user(forTokenHash: Tokens.hash("rpt_guess")) == nil)
        let listed = try await storage.tokens()
        #expect(listed.count == 1)
        // Wildcards are not patterns (`______` once revoked every token on SQLite), and too short is refused.
        for typo in ["______", "%%%%%%", "abc"] {
            await #expect(throws: StorageError.self) { try await storage.revokeTokens(hashPrefix: typo, now: 2) }
        }
        #expect(try await storage.user(forTokenHash: Tokens.hash(token)) != nil)
        #expect(try await storage.revokedMs(tokenHash: Tokens.hash(token)) == nil)
        #expect(try await storage.revokeTokens(hashPrefix: listed[0].hashPrefix.uppercased(), now: 2) == 1)
        #expect(try await storage.user(forTokenHash: Tokens.hash(token)) == nil)
        #expect(try await storage.revokedMs(tokenHash: Tokens.hash(token)) == 2)
        #expect(try await storage.revokedMs(tokenHash: "unknown") == nil)
    }
}

extension StorageConformanceTests {
    @Test(arguments: Backend.available)
    func workspacesHaveSeparateLogsAndUsers(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        try await storage.addToken(user: "alice", workspace: "north", tokenHash: "a1a1a1a1", label: "", now: 1)
        try await storage.addToken(user: "bob", workspace: "south", tokenHash: "h2", label: "", now: 1)
        #expect(try await storage.user(forTokenHash: "h2") == ServerUser(name: "bob", workspace: "south"))
        await #expect(throws: SyncServerError.userInOtherWorkspace(user: "alice", workspace: "north")) {
            try await storage.addToken(user: "alice", workspace: "south", tokenHash: "h3", label: "", now: 1)
        }
        // Added to a workspace by a slip: once their tokens are revoked, a user who never synced moves.
        try await storage.addToken(user: "carol", workspace: "nrth", tokenHash: "c4c4c4c4", label: "", now: 1)
        await #expect(throws: SyncServerError.userInOtherWorkspace(user: "carol", workspace: "nrth")) {
            try await storage.addToken(user: "carol", workspace: "north", tokenHash: "c5c5c5c5", label: "", now: 3)
        }
        #expect(try await storage.revokeTokens(hashPrefix: "c4c4c4", now: 2) == 1)
        try await storage.addToken(user: "carol", workspace: "north", tokenHash: "c5c5c5c5", label: "", now: 3)
        #expect(try await storage.user(forTokenHash: "c5c5c5c5") == ServerUser(name: "carol", workspace: "north"))
        _ = try await storage.push(workspace: "north", user: "alice", replica: "rep1", operations: Self.ops(replica: "rep1", count: 3), now: 0)
        // One who has synced stays, tokens or none.
        #expect(try await storage.revokeTokens(hashPrefix: "a1a1a1", now: 2) == 1)
        await #expect(throws: SyncServerError.userInOtherWorkspace(user: "alice", workspace: "north", synced: true)) {
            try await storage.addToken(user: "alice", workspace: "south", tokenHash: "h6", label: "", now: 1)
        }
        _ = try await storage.push(workspace: "south", user: "bob", replica: "rep2", operations: Self.ops(replica: "rep2", count: 2, author: "bob"), now: 0)
        let north = try await storage.pull(workspace: "north", after: 0, limit: 100)
        let south = try await storage.pull(workspace: "south", after: 0, limit: 100)
        #expect(north.entries.map(\.seq) == [1, 2, 3])
        #expect(south.entries.map(\.seq) == [1, 2])
        #expect(south.entries.allSatisfy { if case .operation(_, let op) = $0 { op.author == "bob" } else { false } })
        #expect(try await storage.head(workspace: "default") == 0)
    }
}

extension StorageConformanceTests {
    /// Whatever order the pushes arrive in, the snapshot (built from the winners a store keeps) must hold, for
    /// each field, the operation last in `Operation.isOrdered` order. Times collide on purpose, so ties fall to
    /// the logical counter, then to replica ids ("r10" sorts before "r9"), then to counters.
    @Test(arguments: Backend.available)
    func eachFieldKeepsTheLastWriteInTimestampOrderWhateverThePushOrder(backend: Backend) async throws {
        var rng = SplitMix(state: 7)
        let replicas = ["r9", "r10", "r1a"]
        var counters = [String: Int64]()
        var pending = [String: [Operation]]()
        for _ in 0..<400 {
            let replica = replicas[Int(rng.next() % 3)]
            counters[replica, default: 0] += 1
            let field = ["name", "revenue", "industry"][Int(rng.next() % 3)]
            let value: FieldValue = field == "revenue" ? .real(Double(rng.next() % 100)) : .text("v\(rng.next() % 100)")
            pending[replica, default: []].append(Operation(
                id: OperationID(replica: replica, counter: counters[replica]!), author: "alice", entity: "account",
                row: "a\(rng.next() % 5)", field: field, value: value,
                time: Timestamp(ms: 1_000 + Int64(rng.next() % 4), logical: Int(rng.next() % 2))))
        }
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        // Each replica pushes its own operations in order, in batches of 1-20, the replicas taking turns at random.
        while let replica = pending.keys.sorted().filter({ !pending[$0]!.isEmpty }).randomElement(using: &rng) {
            let count = min(pending[replica]!.count, 1 + Int(rng.next() % 20))
            _ = try await storage.push(user: "alice", replica: replica, operations: Array(pending[replica]!.prefix(count)), now: 0)
            pending[replica]!.removeFirst(count)
        }
        let head = try await storage.head()
        let all = Self.operations(try await Self.everything(storage))
        var expected: [FieldKey: Operation] = [:]
        for op in all where LastWriterWins.wins(op, over: expected[op.key]) { expected[op.key] = op }
        let snapshot = Self.operations(try await Self.everything(storage, snapshotThrough: head))
        #expect(Dictionary(uniqueKeysWithValues: snapshot.map { ($0.key, $0) }) == expected)
        try await storage.close()
    }
}
