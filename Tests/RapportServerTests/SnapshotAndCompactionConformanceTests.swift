import Foundation
import RapportServer
import RapportSync
import Testing

/// The snapshot, replica cursors and compaction, on every backend.
extension StorageConformanceTests {
    static func op(
        _ replica: String, _ counter: Int64, _ author: String, _ entity: String, _ row: String, _ field: String, _ value: FieldValue, ms: Int64,
        base: Operation? = nil, supersedes: [Operation] = [], resolution: Bool = false
    ) -> Operation {
        Operation(id: OperationID(replica: replica, counter: counter), author: author, entity: entity, row: row, field: field, value: value,
                  time: Timestamp(ms: ms), base: base?.id, supersedes: supersedes.map(\.id), resolution: resolution)
    }

    /// A small team history with something of every kind: overwritten account fields (one overwrite arriving
    /// late and losing), a row deleted by both people, a note conflict and its resolution, and a note conflict
    /// still open. Pushed in five batches.
    static func history() -> [(user: String, replica: String, ops: [Operation])] {
        let a1 = op("rep1", 1, "alice", "account", "acme", "name", .text("Acme"), ms: 100)
        let a2 = op("rep1", 2, "alice", "account", "acme", "revenue", .real(1), ms: 110)
        let a3 = op("rep1", 3, "alice", "account", "acme", "revenue", .real(2), ms: 120)
        let b1 = op("rep2", 1, "bob", "account", "acme", "revenue", .real(3), ms: 130)
        let a4 = op("rep1", 4, "alice", "account", "acme", "revenue", .real(4), ms: 125)
        let a5 = op("rep1", 5, "alice", "account", "gone", "name", .text("Gone"), ms: 140)
        let a6 = op("rep1", 6, "alice", "account", "gone", Schema.deletedField, .bool(true), ms: 150)
        let a7 = op("rep1", 7, "alice", "note", "n1", "body", .text("v1"), ms: 200)
        let a8 = op("rep1", 8, "alice", "note", "n1", "body", .text("alice's"), ms: 210, base: a7)
        let b2 = op("rep2", 2, "bob", "account", "gone", Schema.deletedField, .bool(true), ms: 160)
        let b3 = op("rep2", 3, "bob", "note", "n1", "body", .text("bob's"), ms: 211, base: a7)
        let b4 = op("rep2", 4, "bob", "note", "n1", "body", .text("both"), ms: 220, base: b3, supersedes: [a8], resolution: true)
        let a9 = op("rep1", 9, "alice", "note", "n2", "body", .text("draft"), ms: 300)
        let b5 = op("rep2", 5, "bob", "note", "n2", "body", .text("bob's draft"), ms: 310, base: a9)
        let a10 = op("rep1", 10, "alice", "note", "n2", "body", .text("alice's draft"), ms: 311, base: a9)
        return [
            ("alice", "rep1", [a1, a2, a3]),
            ("bob", "rep2", [b1]),
            ("alice", "rep1", [a4, a5, a6, a7, a8, a9]),
            ("bob", "rep2", [b2, b3, b4, b5]),
            ("alice", "rep1", [a10]),
        ]
    }

    /// A storage holding `history()`, with alice and bob as users of the default workspace.
    static func storageWithHistory(_ backend: Backend, _ folder: TemporaryFolder) async throws -> any SyncStorage {
        let storage = try await backend.make(folder)
        try await storage.addToken(user: "alice", tokenHash: "ha", label: "", now: 1)
        try await storage.addToken(user: "bob", tokenHash: "hb", label: "", now: 1)
        for (user, replica, ops) in history() { _ = try await storage.push(user: user, replica: replica, operations: ops, now: 0) }
        return storage
    }

    static func everything(_ storage: any SyncStorage, limit: Int = 1_000, snapshotThrough through: Int64? = nil) async throws -> [LogEntry] {
        var entries: [LogEntry] = []
        var after: Int64 = 0
        while true {
            let page: PullPage
            if let through {
                page = try await storage.snapshot(workspace: defaultWorkspace, after: after, through: through, limit: limit)
            } else {
                page = try await storage.pull(after: after, limit: limit)
            }
            entries += page.entries
            #expect(page.next >= after)
            after = page.next
            if !page.more { return entries }
        }
    }

    static func operations(_ entries: [LogEntry]) -> [Operation] {
        entries.compactMap { if case .operation(_, let op) = $0 { op } else { nil } }
    }

    static func merged(_ ops: [Operation]) -> MergeState {
        var state = MergeState()
        for op in ops { state.apply(op, schema: .rapport) }
        return state
    }

    /// What a replica shows: values, deleted rows and open conflicts (not which operations it holds).
    static func shown(_ state: MergeState) -> [String] {
        state.values.map { "\($0.key.entity)/\($0.key.row)/\($0.key.field)=\($0.value)" }.sorted()
            + state.deleted.keys.map { "deleted \($0.entity)/\($0.row)" }.sorted()
            + state.conflicts.keys.sorted()
    }

    @Test(arguments: Backend.available)
    func snapshotHoldsEachFieldsWinnerAndEveryNoteVersionButNoConflictRecords(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await Self.storageWithHistory(backend, folder)
        let head = try await storage.head()
        let log = try await Self.everything(storage)
        let snapshot = try await Self.everything(storage, snapshotThrough: head)

        #expect(snapshot.allSatisfy { if case .operation = $0 { true } else { false } })
        let left = Set(Self.operations(log).map(\.id.description)).subtracting(Self.operations(snapshot).map(\.id.description))
        // rep1:2, :3 and :4 are overwritten revenues (:4 arrived late and lost), rep1:6 a second tombstone.
        #expect(left == ["rep1:2", "rep1:3", "rep1:4", "rep1:6"])
        #expect(Self.shown(Self.merged(Self.operations(snapshot))) == Self.shown(Self.merged(Self.operations(log))))
        // In log order, each with its own position.
        let positions = Dictionary(uniqueKeysWithValues: log.compactMap { entry -> (String, Int64)? in
            if case .operation(let seq, let op) = entry { (op.id.description, seq) } else { nil }
        })
        #expect(snapshot.map(\.seq) == snapshot.map(\.seq).sorted())
        #expect(snapshot.allSatisfy { entry in Self.operations([entry]).first.map { positions[$0.id.description] == entry.seq } ?? false })
    }

    @Test(arguments: Backend.available)
    func snapshotPagesStopAtThrough(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await Self.storageWithHistory(backend, folder)
        let whole = try await Self.everything(storage, snapshotThrough: try await storage.head())
        let through: Int64 = 10
        let paged = try await Self.everything(storage, limit: 2, snapshotThrough: through)
        #expect(!paged.isEmpty)
        #expect(paged == whole.filter { $0.seq <= through })
        let empty = try await storage.snapshot(workspace: defaultWorkspace, after: through, through: through, limit: 5)
        #expect(empty == PullPage(entries: [], next: through, more: false))
        #expect(try await storage.snapshot(workspace: "other", after: 0, through: through, limit: 5).entries.isEmpty)
    }

    @Test(arguments: Backend.available)
    func aSnapshotReadWhileOthersPushAndThenTheTailGiveTheWholeLogsState(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await Self.storageWithHistory(backend, folder)
        let through = try await storage.head()
        let first = try await storage.snapshot(workspace: defaultWorkspace, after: 0, through: through, limit: 3)
        #expect(first.more)
        var received = Self.operations(first.entries)

        // Between pages: new values for fields whose winners came in the first page, a tombstone that beats
        // one the later pages held, and a new note version.
        let later = [
            Self.op("rep2", 6, "bob", "account", "acme", "name", .text("Acme Corp"), ms: 400),
            Self.op("rep2", 7, "bob", "account", "acme", "revenue", .real(9), ms: 401),
            Self.op("rep2", 8, "bob", "account", "gone", "name", .text("Gone Ltd"), ms: 402),
            Self.op("rep2", 9, "bob", "note", "n1", "body", .text("final"), ms: 403, base: Self.history()[3].ops[2]),
            Self.op("rep2", 10, "bob", "account", "gone", Schema.deletedField, .bool(true), ms: 404),
        ]
        _ = try await storage.push(user: "bob", replica: "rep2", operations: later, now: 0)

        var after = first.next
        while true {
            let page = try await storage.snapshot(workspace: defaultWorkspace, after: after, through: through, limit: 3)
            received += Self.operations(page.entries)
            after = page.next
            if !page.more { break }
        }
        var tail: [LogEntry] = []
        after = through
        while true {
            let page = try await storage.pull(after: after, limit: 2)
            tail += page.entries
            after = page.next
            if !page.more { break }
        }
        let all = Self.operations(try await Self.everything(storage))
        #expect(Self.shown(Self.merged(received + Self.operations(tail))) == Self.shown(Self.merged(all)))
    }

    @Test(arguments: Backend.available)
    func aHandshakeRegistersTheReplicaForItsUserOnly(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        try await storage.addToken(user: "alice", tokenHash: "ha", label: "", now: 1)
        try await storage.recordHandshake(user: "alice", replica: "rep1", cursor: 0, now: 5)
        #expect(try await storage.directory().replicas.map(\.id) == ["rep1"])
        await #expect(throws: SyncServerError.replicaOwnedByOther(replica: "rep1", owner: "alice")) {
            try await storage.recordHandshake(user: "mallory", replica: "rep1", cursor: 0, now: 6)
        }
        await #expect(throws: SyncServerError.replicaOwnedByOther(replica: "rep1", owner: "alice")) {
            try await storage.push(user: "mallory", replica: "rep1", operations: Self.ops(replica: "rep1", count: 1, author: "mallory"), now: 0)
        }
        // A replica that first pushed, then says hello, is the same replica.
        _ = try await storage.push(user: "alice", replica: "rep3", operations: Self.ops(replica: "rep3", count: 1), now: 7)
        try await storage.recordHandshake(user: "alice", replica: "rep3", cursor: 1, now: 8)
        #expect(try await storage.directory().replicas.map(\.user) == ["alice", "alice"])
    }

    @Test(arguments: Backend.available)
    func compactionDeletesOnlyOverwrittenValuesAndClosedConflictRecords(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await Self.storageWithHistory(backend, folder)
        // Another team's log on the same server, overwritten just as much, must not be touched.
        try await storage.addToken(user: "carol", workspace: "north", tokenHash: "hc", label: "", now: 1)
        _ = try await storage.push(workspace: "north", user: "carol", replica: "rep9", operations: Self.ops(replica: "rep9", count: 5, author: "carol"), now: 0)
        let head = try await storage.head()
        for (user, replica) in [("alice", "rep1"), ("bob", "rep2")] {
            try await storage.recordHandshake(user: user, replica: replica, cursor: head, now: 10)
        }
        let before = try await Self.everything(storage)
        let snapshotBefore = try await Self.everything(storage, snapshotThrough: head)

        let report = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max)

        #expect(report.deletedOperations == 3)
        #expect(report.deletedConflictRecords == 2)
        #expect(report.head == head)
        #expect(report.horizon == head)
        #expect(report.heldBackBy == nil)
        #expect(report.remainingEntries == before.count - 5)
        let after = try await Self.everything(storage)
        #expect(Set(Self.operations(before).map(\.id.description)).subtracting(Self.operations(after).map(\.id.description)) == ["rep1:2", "rep1:3", "rep1:4"])
        #expect(Self.shown(Self.merged(Self.operations(after))) == Self.shown(Self.merged(Self.operations(before))))
        #expect(try await Self.everything(storage, snapshotThrough: head) == snapshotBefore)
        let openRecords = after.compactMap { if case .conflict(_, let record) = $0 { record } else { nil } }
        #expect(openRecords.count == 1 && openRecords.allSatisfy(\.open))
        #expect(try await storage.pull(workspace: "north", after: 0, limit: 100).entries.count == 5)

        // Positions go on from the same head. A new revenue overwrites bob's (rep2:1 at position 4), which goes
        // at the next compaction, and nothing else does.
        let outcome = try await storage.push(user: "alice", replica: "rep1", operations: [Self.op("rep1", 11, "alice", "account", "acme", "revenue", .real(5), ms: 500)], now: 0)
        #expect(outcome.head == head + 1)
        let again = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max)
        #expect(again.deletedOperations == 1 && again.deletedConflictRecords == 0)
        #expect(!Self.operations(try await Self.everything(storage)).contains { $0.id.description == "rep2:1" })
    }

    @Test(arguments: Backend.available)
    func theLowestReplicaCursorHoldsCompactionBack(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await Self.storageWithHistory(backend, folder)
        let head = try await storage.head()
        try await storage.recordHandshake(user: "alice", replica: "rep1", cursor: head, now: 10)

        // Bob's replica pushed but never said how far it has pulled: it counts as having seen nothing.
        let blocked = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max)
        #expect(blocked.horizon == 0)
        #expect(blocked.deletedOperations == 0 && blocked.deletedConflictRecords == 0)
        #expect(blocked.heldBackBy == ReplicaCursor(id: "rep2", user: "bob", cursor: nil, seenMs: nil))

        // Bob has applied up to position 3: rep1:2 (at 2) goes, rep1:3 (at 3) goes, rep1:4 (further on) stays.
        try await storage.recordHandshake(user: "bob", replica: "rep2", cursor: 3, now: 20)
        let partial = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max)
        #expect(partial.horizon == 3)
        #expect(partial.deletedOperations == 2)
        #expect(partial.heldBackBy == ReplicaCursor(id: "rep2", user: "bob", cursor: 3, seenMs: 20))
        let held = Set(Self.operations(try await Self.everything(storage)).map(\.id.description))
        #expect(held.contains("rep1:4") && !held.contains("rep1:2") && !held.contains("rep1:3"))
    }

    @Test(arguments: Backend.available)
    func compactionKeepsRecentOverwrittenValuesAndTheHeadEntry(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await Self.storageWithHistory(backend, folder)
        // The last entry is an overwritten value: an edit stamped before the revenue that already won.
        _ = try await storage.push(user: "alice", replica: "rep1", operations: [Self.op("rep1", 11, "alice", "account", "acme", "revenue", .real(0), ms: 50)], now: 0)
        let head = try await storage.head()
        for (user, replica) in [("alice", "rep1"), ("bob", "rep2")] {
            try await storage.recordHandshake(user: user, replica: replica, cursor: head, now: 10)
        }
        // Values stamped from 115 on are recent: only rep1:2 (110) is old enough.
        let recent = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: 115)
        #expect(recent.deletedOperations == 1)
        let all = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max)
        #expect(all.deletedOperations == 2)
        let log = try await Self.everything(storage)
        #expect(log.last?.seq == head)
        #expect(try await storage.head() == head)
        let next = try await storage.push(user: "bob", replica: "rep2", operations: [Self.op("rep2", 6, "bob", "account", "acme", "tier", .text("key"), ms: 600)], now: 0)
        #expect(next.head == head + 1)
    }

    /// The horizon's other promise: an operation whose push response was lost is still there when the
    /// replica retries, so the retry is acknowledged as a duplicate instead of storing it a second time.
    @Test(arguments: Backend.available)
    func aPushWhoseResponseWasLostIsStillADuplicateAfterCompaction(backend: Backend) async throws {
        let folder = try TemporaryFolder()
        let storage = try await backend.make(folder)
        try await storage.addToken(user: "alice", tokenHash: "ha", label: "", now: 1)
        try await storage.addToken(user: "bob", tokenHash: "hb", label: "", now: 1)
        let lost = Self.op("rep1", 1, "alice", "account", "acme", "revenue", .real(1), ms: 100)
        try await storage.recordHandshake(user: "alice", replica: "rep1", cursor: 0, now: 10)
        _ = try await storage.push(user: "alice", replica: "rep1", operations: [lost], now: 10)
        try await storage.recordHandshake(user: "bob", replica: "rep2", cursor: 0, now: 20)
        _ = try await storage.push(user: "bob", replica: "rep2", operations: [Self.op("rep2", 1, "bob", "account", "acme", "revenue", .real(2), ms: 200)], now: 20)
        try await storage.recordHandshake(user: "bob", replica: "rep2", cursor: 2, now: 30)

        let report = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max)
        #expect(report.deletedOperations == 0)
        #expect(report.heldBackBy?.id == "rep1")
        #expect(try await storage.push(user: "alice", replica: "rep1", operations: [lost], now: 40) == PushOutcome(accepted: 0, duplicates: 1, head: 2))

        // Once alice's replica says it has pulled past it, the overwritten value goes.
        try await storage.recordHandshake(user: "alice", replica: "rep1", cursor: 2, now: 50)
        #expect(try await storage.compact(workspace: defaultWorkspace, keepAfterMs: .max).deletedOperations == 1)
    }
}
