import Foundation
import RapportClient
import RapportReplica
import RapportServer
import RapportSync
import Testing

/// Everything a replica shows, in every entity table, and its open conflicts.
struct ReplicaTables: Equatable {
    var tables: [String: [Record]] = [:]
    var openConflicts: [String] = []

    init(_ replica: Replica) throws {
        for entity in Schema.rapport.entities { tables[entity.name] = try replica.records(entity.name, includeDeleted: true) }
        openConflicts = try replica.conflicts().map { "\($0.id) \($0.versions) base \($0.base?.description ?? "-") heads \($0.heads)" }.sorted()
    }
}

/// A new replica starts from the server's snapshot; server and replicas compact their logs; nobody's data
/// changes and everybody converges. Real server on loopback, real replica files.
@Suite(.serialized) struct BootstrapAndCompactionTests {
    /// A team whose first replica synced when the log was empty, so it pulled (replayed) every operation,
    /// after rounds of edits that overwrite the same few fields again and again.
    static func busyTeam(seed: UInt64, rounds: Int = 5) async throws -> (ConvergenceTests.Team, SplitMix) {
        var rng = SplitMix(state: seed)
        var team = try await ConvergenceTests.team(size: 3)
        try await ConvergenceTests.seedAccounts(&team)
        try await edit(&team, rounds: rounds, rng: &rng)
        try await ConvergenceTests.converge(team)
        return (team, rng)
    }

    static func edit(_ team: inout ConvergenceTests.Team, rounds: Int, only: [Replica]? = nil, rng: inout SplitMix) async throws {
        for _ in 0..<rounds {
            for replica in only ?? team.replicas {
                for _ in 0..<Int.random(in: 4...10, using: &rng) { try ConvergenceTests.randomEdit(replica, accounts: team.accounts, rng: &rng) }
                _ = try await SyncClient(replica: replica).sync()
            }
        }
    }

    static func serverOperations(_ storage: any SyncStorage) async throws -> Int {
        try await storage.wholeLog().filter { if case .operation = $0 { true } else { false } }.count
    }

    @Test func aNewReplicaFromTheSnapshotShowsWhatAReplicaThatReplayedTheLogShows() async throws {
        let (team, _) = try await Self.busyTeam(seed: 71)
        let replayer = team.replicas[0]
        let logged = try await Self.serverOperations(team.server.storage)
        #expect(try replayer.status().operations == logged, "the first replica should hold every operation")

        let fresh = try team.server.replica("user1")
        var client = try SyncClient(replica: fresh)
        client.snapshotPageSize = 7
        // Several pages to a transaction, and still several transactions.
        client.snapshotOperationsPerTransaction = 20
        let phases = Phases()
        let report = try await client.sync { phases.add($0) }

        #expect(try ReplicaTables(fresh) == ReplicaTables(replayer))
        #expect(report.bootstrapped > 0 && report.bootstrapped < logged, "\(report.bootstrapped) of \(logged)")
        #expect(try fresh.status().operations < logged)
        #expect(report.cursor == (try await team.server.storage.head()))
        let bootstrap = phases.all.filter { $0.phase == .bootstrap }
        #expect(bootstrap.count > 1)
        #expect(bootstrap.map(\.done) == bootstrap.map(\.done).sorted())
        #expect(bootstrap.last.map { $0.done == $0.total } == true)
        try await team.server.server.stop()
    }

    @Test func aBootstrapCutOffMidwayStartsOverAndConverges() async throws {
        var (team, rng) = try await Self.busyTeam(seed: 72, rounds: 3)
        let fresh = try team.server.replica("user2")
        // The first page landed, then the laptop went away; the cursor stayed at 0.
        let head = try await team.server.storage.head()
        let first = try await team.server.storage.snapshot(workspace: defaultWorkspace, after: 0, through: head, limit: 20)
        try fresh.applyPulled(first.entries.compactMap { if case .operation(_, let op) = $0 { op } else { nil } }, cursor: 0)
        #expect(try fresh.identity().cursor == 0)

        // Meanwhile the team overwrote more, some of it what the first page held.
        try await Self.edit(&team, rounds: 2, rng: &rng)
        let report = try await SyncClient(replica: fresh).sync()
        #expect(report.bootstrapped > 0)
        for replica in team.replicas { _ = try await SyncClient(replica: replica).sync() }
        let expected = try ReplicaTables(team.replicas[0])
        #expect(try ReplicaTables(fresh) == expected)

        // And it goes on syncing like any replica.
        try await Self.edit(&team, rounds: 1, only: [fresh], rng: &rng)
        try await ConvergenceTests.converge(ConvergenceTests.Team(server: team.server, replicas: team.replicas + [fresh], accounts: team.accounts))
        try await team.server.server.stop()
    }

    @Test func compactionChangesNoReplicaAndEveryReplicaConvergesAfterIt() async throws {
        var (team, rng) = try await Self.busyTeam(seed: 73, rounds: 3)
        let storage = team.server.storage
        let offline = team.replicas[2]
        let online = Array(team.replicas.prefix(2))
        // The third laptop goes offline; the others go on overwriting, and sync twice so that the server
        // knows how far they got.
        try await Self.edit(&team, rounds: 3, only: online, rng: &rng)
        for replica in online { _ = try await SyncClient(replica: replica).sync() }
        let before = try team.replicas.map(ReplicaTables.init)
        let offlineCursor = try offline.identity().cursor

        // The offline replica holds the horizon back: nothing it has not pulled goes.
        try await Task.sleep(nanoseconds: 5_000_000)
        let held = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: nowMs())
        #expect(held.heldBackBy?.id == (try offline.identity().id))
        #expect(held.horizon <= offlineCursor)
        #expect(held.deletedOperations > 0)

        // The replicas compact their own logs.
        for replica in online {
            let result = try replica.compact(keepDays: 0)
            #expect(result.deleted > 0)
            #expect(result.remaining == (try replica.status().operations))
        }
        for replica in online { _ = try await SyncClient(replica: replica).sync() }
        #expect(try team.replicas.map(ReplicaTables.init) == before)

        // Then the server stops waiting for the offline replica (as if its owner had said it was gone), and
        // compaction deletes values it never received.
        let logBefore = try await storage.wholeLog()
        try await storage.recordHandshake(user: "user2", replica: try offline.identity().id, cursor: try await storage.head(), now: nowMs())
        let forced = try await storage.compact(workspace: defaultWorkspace, keepAfterMs: nowMs())
        #expect(forced.deletedOperations > 0)
        let kept = Set(try await storage.wholeLog().map(\.seq))
        #expect(logBefore.contains { $0.seq > offlineCursor && !kept.contains($0.seq) }, "nothing the offline replica lacks was compacted")

        // The offline replica comes back and a brand-new one starts from the compacted log: both show what
        // the others showed all along.
        _ = try await SyncClient(replica: offline).sync()
        let newcomer = try team.server.replica("user0")
        _ = try await SyncClient(replica: newcomer).sync()
        // Each told the server at the end of its sync how far it got: neither holds compaction back (a new
        // laptop used to, at 0, until its second sync).
        #expect(try await storage.compact(workspace: defaultWorkspace, keepAfterMs: 0).heldBackBy.map(\.id).map { [try offline.identity().id, try newcomer.identity().id].contains($0) } != true)
        let expected = try ReplicaTables(online[0])
        #expect(expected == before[0])
        #expect(try ReplicaTables(offline) == expected)
        #expect(try ReplicaTables(newcomer) == expected)

        // And everyone goes on editing and converges.
        try await Self.edit(&team, rounds: 2, rng: &rng)
        try await ConvergenceTests.converge(ConvergenceTests.Team(server: team.server, replicas: team.replicas + [newcomer], accounts: team.accounts))
        for replica in team.replicas { #expect(try ReplicaTables(replica) == ReplicaTables(newcomer)) }
        try await team.server.server.stop()
    }

    @Test func replicaCompactionKeepsPendingChangesNoteVersionsAndRecentValues() async throws {
        let t = try await TestServer.start(users: ["alice"])
        let replica = try t.replica("alice")
        let account = try replica.change { tx in
            try tx.create("account", values: [("name", .text("Acme")), ("margin", .real(1)), ("industry", .text("A"))])
        }
        let note = try replica.change { tx in try tx.create("note", values: [("account", .text(account)), ("title", .text("Plan")), ("body", .text("v1"))]) }
        for industry in ["B", "C", "D"] { try replica.change { tx in _ = try tx.set("account", row: account, "industry", to: .text(industry)) } }
        try replica.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("v2")) }
        _ = try await SyncClient(replica: replica).sync()
        // Not yet synced: a new margin (so the synced one is overwritten, but by a value the server has not
        // stored) and the note's deletion.
        try replica.change { tx in _ = try tx.set("account", row: account, "margin", to: .real(2)) }
        try replica.change { tx in try tx.delete("note", row: note) }
        try await Task.sleep(nanoseconds: 5_000_000)
        let before = try ReplicaTables(replica)
        let operations = try replica.status().operations

        #expect(try replica.compact(keepDays: 30).deleted == 0)
        #expect(throws: ReplicaError.badArgument("--keep-days must be 0 or more (it is -1); nothing was deleted")) { try replica.compact(keepDays: -1) }
        let result = try replica.compact(keepDays: 0)

        // Industries A-C go; D (the synced winner) stays. Margin 1 stays while 2, which beat it, is pending.
        #expect(result.deleted == 3)
        #expect(result.remaining == operations - 3)
        #expect(try ReplicaTables(replica) == before)
        #expect(try replica.pendingCount() == 2)
        let history = try replica.history(row: account)
        #expect(history.filter { $0.field == "industry" }.map(\.value) == [.text("D")])
        #expect(history.filter { $0.field == "margin" }.map(\.value) == [.real(1), .real(2)])
        #expect(try replica.history(row: note).filter { $0.field == "body" }.map(\.value) == [.text("v1"), .text("v2")])
        _ = try await SyncClient(replica: replica).sync()
        #expect(try replica.record("account", id: account)?["margin"] == .real(2))
        #expect(try replica.compact(keepDays: 0).deleted == 1)
        try await t.server.stop()
    }
}

extension RestampTests {
    /// A replica drops an overwritten value only once the value that beat it is acknowledged (margin: a field
    /// whose overwritten values compaction drops, unlike revenue's, which past views read). Here the
    /// winner is an edit made on a laptop a day fast and not yet pushed; the value it beat was stamped by a
    /// colleague a few minutes fast. Had compaction dropped that value, the re-stamping that the push
    /// triggers would no longer see it, would stamp the edit before it, and the laptop would show its edit
    /// while everyone else showed the colleague's value.
    @Test func replicaCompactionKeepsWhatARestampedEditMustStayAfter() async throws {
        let t = try await TestServer.start(users: ["anna", "ben"])
        let anna = try t.replica("anna", env: Self.env(aheadBy: 4 * 60 * 1000))
        let ben = try t.replica("ben", env: Self.env(aheadBy: Self.day))
        let account = try anna.change { tx in try tx.create("account", values: [("name", .text("Acme"))]) }
        _ = try await SyncClient(replica: anna).sync()
        _ = try await SyncClient(replica: ben).sync()

        try ben.change { tx in _ = try tx.set("account", row: account, "margin", to: .real(2)) }
        try await Task.sleep(nanoseconds: 5_000_000)
        try anna.change { tx in _ = try tx.set("account", row: account, "margin", to: .real(3)) }
        _ = try await SyncClient(replica: anna).sync()
        // Ben's laptop receives anna's value without pushing its own (a sync cut off after its pull).
        let page = try await t.storage.pull(after: try ben.identity().cursor, limit: 100)
        try ben.applyPulled(page.entries.compactMap { if case .operation(_, let op) = $0 { op } else { nil } }, cursor: page.next)

        #expect(try ben.compact(keepDays: 0).deleted == 0)
        let report = try await SyncClient(replica: ben).sync()
        _ = try await SyncClient(replica: anna).sync()
        #expect(report.restamped == 1)
        #expect(try ben.record("account", id: account)?["margin"] == .real(2))
        #expect(try anna.record("account", id: account)?["margin"] == .real(2))
        try await t.server.stop()
    }
}

/// Collects progress reports from the sync's callback.
final class Phases: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [SyncProgress] = []

    func add(_ progress: SyncProgress) { lock.withLock { seen.append(progress) } }
    var all: [SyncProgress] { lock.withLock { seen } }
}

extension HTTPRefusalTests {
    @Test func snapshotsAndCursorsOutsideTheLogAreRefused() async throws {
        let t = try await TestServer.start(users: ["alice", "bob"])
        let alice = try t.replica("alice")
        try alice.change { tx in _ = try tx.create("account", values: [("name", .text("Acme")), ("tier", .text("key"))]) }
        _ = try await SyncClient(replica: alice).sync()
        let head = try await t.storage.head()
        let token = t.tokens["alice"]

        let ok = try await t.request(.GET, "/v1/snapshot?through=\(head)&limit=1", token: token)
        #expect(ok.status == 200)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(ok.body.utf8)) as? [String: Any])
        #expect(page["more"] as? Bool == true)
        #expect((page["entries"] as? [Any])?.count == 1)
        for (query, advice) in [
            ("through=\(head + 1)", "past the log's head"),
            ("after=2&through=1", "must not be below after"),
            ("after=-1&through=1", "after must be 0 or more"),
            ("through=1&limit=0", "limit must be 1 or more"),
            ("after=0", "a parameter missing"),
        ] {
            let refused = try await t.request(.GET, "/v1/snapshot?\(query)", token: token)
            #expect(refused.status == 400, "\(query)")
            #expect(refused.body.contains(advice), "\(query): \(refused.body)")
        }
        #expect(try await t.request(.GET, "/v1/snapshot?through=1").status == 401)

        let negative = try await t.request(.POST, "/v1/handshake", token: token, body: #"{"protocolVersion":1,"replica":"alicerep","cursor":-1}"#)
        #expect(negative.status == 400)
        #expect(negative.body.contains("cursor must be 0 or more"))
        // Bob may not say hello as alice's replica, even before pushing anything.
        let stolen = try await t.request(.POST, "/v1/handshake", token: t.tokens["bob"], body: #"{"protocolVersion":1,"replica":"\#(try alice.identity().id)"}"#)
        #expect(stolen.status == 403)
        #expect(stolen.body.contains("replica_owned_by_other"))
        try await t.server.stop()
    }
}
