import AsyncHTTPClient
import Foundation
import HTTPTypes
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime
@testable import RapportClient
import RapportReplica
import RapportServer
import RapportSync
import Testing

/// Real server on loopback, real replica files: offline edits everywhere, syncs in random orders (and cut
/// off at random moments), then every replica must hold identical tables and identical open conflicts.
@Suite(.serialized) struct ConvergenceTests {
    struct Team {
        let server: TestServer
        let replicas: [Replica]
        var accounts: [String] = []
    }

    static func team(size: Int) async throws -> Team {
        let users = (0..<size).map { "user\($0)" }
        let server = try await TestServer.start(users: users)
        return Team(server: server, replicas: try users.map { try server.replica($0) })
    }

    /// One random offline edit, as a person would make it through the command line.
    static func randomEdit(_ replica: Replica, accounts: [String], rng: inout SplitMix) throws {
        let account = accounts.randomElement(using: &rng)!
        let notes = try replica.records("note", where: ("account", .text(account)))
        switch Int.random(in: 0..<10, using: &rng) {
        case 0..<3:
            try replica.change { tx in _ = try tx.set("account", row: account, "revenue", to: .real(Double(Int.random(in: 1...100, using: &rng)) * 1000)) }
        case 3:
            try replica.change { tx in _ = try tx.set("account", row: account, "tier", to: .text(Bool.random(using: &rng) ? "key" : "standard")) }
        case 4:
            try replica.change { tx in _ = try tx.set("account", row: account, "industry", to: .text(["Retail", "Energy", "Pharma"].randomElement(using: &rng)!)) }
        case 5:
            let text = "note \(Int.random(in: 0...999, using: &rng))"
            try replica.change { tx in _ = try tx.create("note", values: [("account", .text(account)), ("title", .text(text)), ("body", .text(text))]) }
        case 6 where !notes.isEmpty && Int.random(in: 0..<4, using: &rng) == 0:
            let note = notes.randomElement(using: &rng)!
            try replica.change { tx in try tx.delete("note", row: note.id) }
        default:
            guard let note = notes.randomElement(using: &rng) else { return }
            let text = note["body"].display + "\nline \(Int.random(in: 0...999, using: &rng))"
            do {
                try replica.change { tx in _ = try tx.editText("note", row: note.id, "body", to: .text(text)) }
            } catch ReplicaError.inConflict(let conflict, _) {
                try replica.change { tx in _ = try tx.resolve(conflict: conflict, with: .text("resolved " + text)) }
            }
        }
    }

    static func seedAccounts(_ team: inout Team) async throws {
        let first = team.replicas[0]
        team.accounts = try first.change { tx in
            try (0..<3).map { i in try tx.create("account", values: [("name", .text("Account \(i)"))]) }
        }
        for replica in team.replicas { _ = try await SyncClient(replica: replica).sync() }
    }

    static func converge(_ team: Team) async throws {
        // Everyone pushes, then everyone pulls what the others pushed.
        for _ in 0..<2 { for replica in team.replicas { _ = try await SyncClient(replica: replica).sync() } }
        let snapshots = try team.replicas.map(ReplicaSnapshot.init)
        for (index, snapshot) in snapshots.enumerated().dropFirst() {
            #expect(snapshot.accounts == snapshots[0].accounts, "replica \(index) accounts")
            #expect(snapshot.notes == snapshots[0].notes, "replica \(index) notes")
            #expect(snapshot.conflicts == snapshots[0].conflicts, "replica \(index) conflicts")
        }
        for replica in team.replicas { #expect(try replica.pendingCount() == 0) }
    }

    @Test(arguments: [1, 2, 3, 4])
    func replicasConvergeAfterRandomOfflineEditsAndSyncOrders(seed: UInt64) async throws {
        var rng = SplitMix(state: seed)
        var team = try await Self.team(size: 3 + Int(seed % 2))
        try await Self.seedAccounts(&team)
        for _ in 0..<6 {
            for replica in team.replicas {
                for _ in 0..<Int.random(in: 0...6, using: &rng) { try Self.randomEdit(replica, accounts: team.accounts, rng: &rng) }
            }
            for replica in team.replicas.shuffled(using: &rng) where Bool.random(using: &rng) {
                _ = try await SyncClient(replica: replica).sync()
            }
        }
        try await Self.converge(team)
        try await team.server.server.stop()
    }

    @Test(arguments: [11, 12, 13])
    func replicasConvergeWhenSyncsAreCutOffAtRandomMoments(seed: UInt64) async throws {
        var rng = SplitMix(state: seed)
        var team = try await Self.team(size: 3)
        try await Self.seedAccounts(&team)
        var interrupted = 0
        for _ in 0..<8 {
            for replica in team.replicas {
                for _ in 0..<Int.random(in: 0...15, using: &rng) { try Self.randomEdit(replica, accounts: team.accounts, rng: &rng) }
            }
            for replica in team.replicas.shuffled(using: &rng) {
                var client = try SyncClient(replica: replica)
                client.batchSize = 2
                client.pageSize = 3
                let task = Task { [client] in try await client.sync() }
                let delay = Int.random(in: 0...8_000, using: &rng)
                try await Task.sleep(nanoseconds: UInt64(delay) * 1000)
                task.cancel()
                if (try? await task.value) == nil { interrupted += 1 }
            }
        }
        try await Self.converge(team)
        #expect(interrupted > 0, "no sync was actually cut off; the test proved nothing")
        try await team.server.server.stop()
    }

    @Test func aLaptopClockFarAheadNeitherWinsLaterEditsNorGetsStuck() async throws {
        let t = try await TestServer.start(users: ["fast", "slow"])
        let day: Int64 = 24 * 3600 * 1000
        var fastEnv = ReplicaEnvironment.live
        fastEnv.now = { nowMs() + day }
        let fast = try t.replica("fast", env: fastEnv)
        let slow = try t.replica("slow")
        let account = try slow.change { tx in try tx.create("account", values: [("name", .text("Acme"))]) }
        _ = try await SyncClient(replica: slow).sync()
        _ = try await SyncClient(replica: fast).sync()

        try fast.change { tx in _ = try tx.set("account", row: account, "revenue", to: .real(1)) }
        try fast.change { tx in _ = try tx.set("account", row: account, "revenue", to: .real(2)) }
        let report = try await SyncClient(replica: fast).sync()
        #expect(report.restamped == 2)
        #expect(report.pushed == 2)
        #expect(try fast.pendingCount() == 0)

        try await Task.sleep(nanoseconds: 5_000_000)
        try slow.change { tx in _ = try tx.set("account", row: account, "revenue", to: .real(3)) }
        _ = try await SyncClient(replica: slow).sync()
        _ = try await SyncClient(replica: fast).sync()
        // The re-stamped edits kept their order (2 after 1), and the later real edit (3) wins everywhere.
        #expect(try slow.record("account", id: account)?["revenue"] == .real(3))
        #expect(try fast.record("account", id: account)?["revenue"] == .real(3))
        try await t.server.stop()
    }

    @Test func unreachableServerKeepsChangesAndSaysSo() async throws {
        let folder = try TemporaryFolder()
        let replica = try Replica.create(at: folder.file("r.sqlite"), user: "alice", server: "http://127.0.0.1:9", token: "rpt_x")
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Acme"))]) }
        await #expect {
            try await SyncClient(replica: replica).sync()
        } throws: { error in
            guard case SyncError.unreachable(_, let pending, _) = error else { return false }
            return pending == 1 && "\(error)".contains("1 change kept locally")
        }
        #expect(try replica.pendingCount() == 1)
    }

    struct Failure: Error, CustomStringConvertible { let text: String; var description: String { text } }

    /// A connection refused at the handshake (no network, the server down) fails at once: the HTTP client's
    /// own retries sat out the whole deadline, a minute and a half, silent.
    @Test func aRefusedHandshakeFailsAtOnce() async throws {
        let folder = try TemporaryFolder()
        let replica = try Replica.create(at: folder.file("r.sqlite"), user: "alice", server: "http://127.0.0.1:9", token: "rpt_x")
        let started = ContinuousClock.now
        await #expect(throws: SyncError.unreachable(url: "http://127.0.0.1:9", pending: 0, reason: "connection refused")) {
            try await SyncClient(replica: replica).sync()
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        // Nothing listens there: the wrong port is as likely as a server down, and said so.
        let said = SyncError.unreachable(url: "http://127.0.0.1:9", pending: 0, reason: "connection refused").description
        #expect(said.contains("no server listens there") && said.contains("check the URL's host and port (`rapport config`)"), "\(said)")
        // No route or no answer is the network's (off the VPN), not a server down: said so.
        for error in ["connect(descriptor:addr:size:): Network is unreachable (errno: 101)", "connection reset (error set): No route to host) (errno: 113)", "connectTimeout"] {
            #expect(SyncClient.reason(Failure(text: error), url: "http://sync.example.com:8080") == SyncClient.noRoute)
        }
    }

    /// A server restarted mid-sync (the handshake went through, the next request is refused) is waited for a
    /// few seconds: the request is tried again once it listens again, and the sync goes on.
    @Test func aServerRestartedMidSyncIsWaitedFor() async throws {
        let t = try await TestServer.start(users: ["alice"])
        let replica = try t.replica("alice")
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Acme"))]) }
        let client = try SyncClient(replica: replica)
        try await t.server.stop()
        let restart = Task {
            try await Task.sleep(for: .milliseconds(700))
            return try await SyncServer.start(storage: t.storage, configuration: .init(host: "127.0.0.1", port: t.server.port), logger: quietLogger)
        }
        var tries = 0
        let output = try await client.retrying({
            tries += 1
            return try await client.call { try await client.client.pull(query: .init(after: 0, limit: 10)) }
        }, unavailable: { _ in false })
        let restarted = try await restart.value
        defer { Task { try? await restarted.stop() } }
        guard case .ok = output else { Issue.record("pull after the restart: \(output)"); return }
        #expect(tries > 1)
        let report = try await client.sync()
        #expect(report.pushed == 1)
        #expect(try replica.pendingCount() == 0)
        try await restarted.stop()
    }

    /// A proxy in front of a server that is down answers 502 with a page of its own: tried again as a restart
    /// is, then said to be the proxy's answer (the server behind it down or restarting), under `unreachable`,
    /// which scripts retry, not as an unexpected response from something that is not a Rapport server.
    @Test func aProxysBadGatewayIsWaitedForAndSaidSo() async throws {
        let proxy = try FixedAnswer("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 20\r\nConnection: close\r\n\r\n<h1>Bad Gateway</h1>")
        let folder = try TemporaryFolder()
        let replica = try Replica.create(at: folder.file("r.sqlite"), user: "alice", server: proxy.url, token: "rpt_x")
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Acme"))]) }
        var client = try SyncClient(replica: replica)
        client.retries = 2
        await #expect {
            try await client.sync()
        } throws: { error in
            guard case SyncError.unreachable(_, 1, let reason) = error else { return false }
            return reason.contains("proxy in front of it answered 502 Bad Gateway") && "\(error)".contains("1 change kept locally")
        }
        #expect(proxy.answered == 3)
    }

    /// Found by QA: a program that speaks no HTTP on the server's port (an SSH server, say) was "server unreachable
    /// (invalid constant string)", the HTTP parser's words: something answered, and not in HTTP.
    @Test func aPortThatSpeaksNoHTTPIsSaidSo() async throws {
        let other = try FixedAnswer("SSH-2.0-OpenSSH_9.2\r\n")
        let folder = try TemporaryFolder()
        let replica = try Replica.create(at: folder.file("r.sqlite"), user: "alice", server: other.url, token: "rpt_x")
        await #expect {
            try await SyncClient(replica: replica).sync()
        } throws: { error in
            guard case SyncError.unexpectedResponse(let reason) = error else { return false }
            return reason.contains("the program listening there does not answer in HTTP: another kind of server on that port?")
        }
    }

    /// A request tried again after its connection dropped may reach another server behind the same address (a
    /// failover to a standby that lags, or one set up anew): the sync checks the log again before it ends,
    /// rather than saying it went through with a pull that brought nothing.
    @Test func aSyncThatReconnectedChecksTheServersLogAgain() async throws {
        let first = try await TestServer.start(users: ["alice"])
        let second = try await TestServer.start(users: ["alice"])
        let replica = try first.replica("alice")
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Acme"))]) }
        _ = try await SyncClient(replica: replica).sync()
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Beta"))]) }
        let failover = FailingOver(to: try #require(URL(string: second.server.url)), token: try #require(second.tokens["alice"]), at: "push")
        let client = try SyncClient(replica: replica, serverURL: first.server.url, token: try #require(first.tokens["alice"]), transport: failover)
        await #expect(throws: SyncError.otherLog(url: first.server.url, pending: 0)) { try await client.sync() }
    }

    /// Sends requests to the server of the URL given until `operation`'s first request, which fails as a
    /// dropped connection does; from then on, to another server (with its token).
    final class FailingOver: ClientTransport, @unchecked Sendable {
        let inner = AsyncHTTPClientTransport(configuration: .init())
        let other: URL, token: String, operation: String
        private let lock = NSLock()
        private var switched = false

        init(to other: URL, token: String, at operation: String) { (self.other, self.token, self.operation) = (other, token, operation) }

        func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
            let (switching, onOther) = lock.withLock { () -> (Bool, Bool) in
                let switching = !switched && operationID == operation
                if switching { switched = true }
                return (switching, switched && !switching)
            }
            if switching { throw HTTPClientError.remoteConnectionClosed }
            guard onOther else { return try await inner.send(request, body: body, baseURL: baseURL, operationID: operationID) }
            var request = request
            request.headerFields[.authorization] = "Bearer \(token)"
            return try await inner.send(request, body: body, baseURL: other, operationID: operationID)
        }
    }

    /// An answer cut partway (a proxy whose server died while sending a page) is retried as a dropped
    /// connection is, after the handshake, and said in plain words; the handshake fails at once.
    @Test func anAnswerCutPartwayIsRetriedAndSaidSo() async throws {
        let proxy = try FixedAnswer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"entries\": [")
        let folder = try TemporaryFolder()
        let replica = try Replica.create(at: folder.file("r.sqlite"), user: "alice", server: proxy.url, token: "rpt_x")
        var client = try SyncClient(replica: replica)
        client.retries = 2
        await #expect(throws: SyncError.unreachable(url: proxy.url, pending: 0, reason: SyncClient.cutMidAnswer)) { try await client.sync() }
        #expect(proxy.answered == 1)
        await #expect(throws: SyncError.unreachable(url: proxy.url, pending: 0, reason: SyncClient.cutMidAnswer)) {
            try await client.retrying({ try await client.call { try await client.client.pull(query: .init(after: 0, limit: 10)) } }, unavailable: { _ in false })
        }
        #expect(proxy.answered == 4)
    }

    /// A push stored whose answer was lost is sent again and acknowledged as already stored: counted as sent
    /// ("sent 0 changes" after "1 change kept locally" read as a change gone).
    @Test func aPushStoredBeforeItsAnswerWasLostCountsAsSent() async throws {
        let t = try await TestServer.start(users: ["alice"])
        let replica = try t.replica("alice")
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Acme"))]) }
        // The file as it was before the sync: its change unsynced, as after a push whose answer never came.
        let before = try t.copyReplicaFile(replica, to: t.folder.file("before.sqlite"))
        _ = try await SyncClient(replica: before).sync()
        let again = try await SyncClient(replica: try Replica.open(at: t.folder.file("before.sqlite"))).sync()
        #expect(again.pushed == 0 && again.storedBefore == 1 && again.duplicates == 1, "\(again)")
    }

    /// Something on the port takes the connection and never answers (a stuck server, another program): said
    /// so, rather than "unreachable (timed out)" after a long wait.
    @Test func aServerThatNeverAnswersIsToldApartFromOneUnreachable() async throws {
        // Listening without ever accepting: the system completes the connection, and nothing answers.
        let (fd, port) = try FixedAnswer.listening()
        defer { close(fd) }
        let folder = try TemporaryFolder()
        let url = "http://127.0.0.1:\(port)"
        let replica = try Replica.create(at: folder.file("r.sqlite"), user: "alice", server: url, token: "rpt_x")
        await #expect {
            try await SyncClient(replica: replica, serverURL: url, token: "rpt_x", timeout: 1, connectTimeout: 0.5).sync()
        } throws: { error in
            guard case SyncError.unreachable(_, _, SyncError.noAnswer) = error else { return false }
            return "\(error)".contains("took the connection but gave no answer for minutes") && !"\(error)".contains("unreachable")
        }
    }

    /// A replica file copied to a second laptop (or restored from a backup) while the first copy went on:
    /// both stamp new operations with the same ids, and the second to sync was refused (409
    /// operation_id_reused) at every sync after. It now moves its unsynced operations to a new id, and every
    /// replica converges with both copies' work, the concurrent note edits in review.
    @Test func aCopiedReplicaFileSyncsUnderANewIDWithNothingLost() async throws {
        let t = try await TestServer.start(users: ["alice", "bob"])
        let first = try t.replica("alice")
        let (acme, note) = try first.change { tx in
            let acme = try tx.create("account", values: [("name", .text("Acme"))])
            return (acme, try tx.create("note", values: [("account", .text(acme)), ("body", .text("v1"))]))
        }
        _ = try await SyncClient(replica: first).sync()
        let copyPath = t.folder.file("alice-copy.sqlite")
        let original = try t.copyReplicaFile(first, to: copyPath)
        let copy = try Replica.open(at: copyPath)

        try original.change { tx in
            try tx.editText("note", row: note, "body", to: .text("original's v2"))
            _ = try tx.set("account", row: acme, "revenue", to: .real(1))
        }
        try copy.change { tx in
            try tx.editText("note", row: note, "body", to: .text("copy's v2"))
            _ = try tx.create("account", values: [("name", .text("Contoso"))])
        }
        // An edit based on the copy's own unsynced one: its base moves with it.
        try copy.change { tx in try tx.editText("note", row: note, "body", to: .text("copy's v3")) }
        let oldID = try copy.identity().id

        _ = try await SyncClient(replica: original).sync()
        let moved = try await SyncClient(replica: copy).sync()
        #expect(moved.newReplicaID != nil && moved.newReplicaID != oldID)
        #expect(moved.renumbered == 3 && moved.pushed == 3)
        #expect(try copy.identity().id == moved.newReplicaID)
        #expect(try copy.pendingCount() == 0)
        let v3 = try #require(try copy.history(row: note).first { $0.value == .text("copy's v3") })
        #expect(v3.id.replica == moved.newReplicaID && v3.base?.replica == moved.newReplicaID)

        let bob = try t.replica("bob")
        for replica in [bob, original, copy, bob] { _ = try await SyncClient(replica: replica).sync() }
        let expected = try ReplicaSnapshot(bob)
        #expect(try ReplicaSnapshot(original) == expected)
        #expect(try ReplicaSnapshot(copy) == expected)
        #expect(expected.accounts.count == 2 && expected.conflicts.count == 1)
        #expect(try bob.record("account", id: acme)?["revenue"] == .real(1))
        // The copy goes on under its new id; the original under the old one.
        try copy.change { tx in _ = try tx.set("account", row: acme, "tier", to: .text("key")) }
        try original.change { tx in _ = try tx.set("account", row: acme, "industry", to: .text("Retail")) }
        for replica in [copy, original, copy] {
            let report = try await SyncClient(replica: replica).sync()
            #expect(report.newReplicaID == nil)
        }
        #expect(try ReplicaSnapshot(copy) == ReplicaSnapshot(original))
        try await t.server.stop()
    }

    /// A laptop's backup taken before its first sync, put back after that sync and a compaction that deleted one
    /// of the backup's changes (overwritten): the server cannot know the deleted one's content, so it refuses the
    /// push as reusing its id, and the replica moved **all** its unsynced changes to a new id, the ones the server
    /// held identically too, which every replica's history then listed twice (QA). It pulls first: what the
    /// server holds as made here is marked sent, and only the rest moves.
    @Test func aBackupPutBackAfterACompactionMovesOnlyWhatTheServerDoesNotHold() async throws {
        let t = try await TestServer.start(users: ["alice", "bob"])
        let lost = try t.replica("alice")
        let acme = try lost.change { tx in try tx.create("account", values: [("name", .text("Acme")), ("revenue", .real(1))]) }
        try lost.change { tx in _ = try tx.set("account", row: acme, "revenue", to: .real(2)) }
        try lost.change { tx in _ = try tx.set("account", row: acme, "industry", to: .text("Retail")) }
        let backup = t.folder.file("backup.sqlite")
        let laptop = try t.copyReplicaFile(lost, to: backup)
        _ = try await SyncClient(replica: laptop).sync()
        let bob = try t.replica("bob")
        _ = try await SyncClient(replica: bob).sync()
        try await Task.sleep(for: .milliseconds(5))
        #expect(try await t.storage.compact(workspace: defaultWorkspace, keepAfterMs: nowMs()).deletedOperations == 1)

        let restored = try Replica.open(at: backup)
        try restored.change { tx in _ = try tx.set("account", row: acme, "tier", to: .text("key")) }
        let report = try await SyncClient(replica: restored).sync()
        // The overwritten revenue (its content unknown to the server now) and the change made since move; the
        // name, the revenue that stands and the industry were the server's already.
        #expect(report.newReplicaID != nil && report.renumbered == 2 && report.pushed == 2 && report.storedBefore == 3, "\(report)")
        #expect(try restored.pendingCount() == 0)
        for replica in [bob, restored, bob] { _ = try await SyncClient(replica: replica).sync() }
        #expect(try ReplicaSnapshot(bob) == ReplicaSnapshot(restored))
        #expect(try bob.record("account", id: acme)?["revenue"] == .real(2) && bob.record("account", id: acme)?["tier"] == .text("key"))
        // Each change once in the history the team reads.
        let values = try bob.history(row: acme).map { "\($0.field)=\($0.value)" }
        #expect(values.count == Set(values).count, "\(values)")
        try await t.server.stop()
    }

    /// A backup put back where the lost laptop had synced the backup's unsynced changes and more after it, and the
    /// restored one made others: the pull that looked for what the server held stopped at the first operation
    /// under the replica's id with other content, rolling back the same ones that came with it, and every
    /// unsynced change moved: each replica's history listed the backup's changes twice, and a note edit built on
    /// one came back as a conflict to review (QA). Only the changes made since the restore move.
    @Test func aBackupPutBackAfterTheLostLaptopSyncedMoreMovesOnlyItsNewChanges() async throws {
        let t = try await TestServer.start(users: ["alice", "bob"])
        let lost = try t.replica("alice")
        let (acme, note) = try lost.change { tx in
            let acme = try tx.create("account", values: [("name", .text("Acme"))])
            return (acme, try tx.create("note", values: [("account", .text(acme)), ("body", .text("v1"))]))
        }
        _ = try await SyncClient(replica: lost).sync()
        try lost.change { tx in
            _ = try tx.set("account", row: acme, "revenue", to: .real(2))
            try tx.editText("note", row: note, "body", to: .text("alice's v2"))
        }
        let backup = t.folder.file("backup.sqlite")
        let laptop = try t.copyReplicaFile(lost, to: backup)
        try laptop.change { tx in _ = try tx.set("account", row: acme, "margin", to: .real(10)) }
        _ = try await SyncClient(replica: laptop).sync()
        let bob = try t.replica("bob")
        _ = try await SyncClient(replica: bob).sync()
        try bob.change { tx in try tx.editText("note", row: note, "body", to: .text("bob's v3 on alice's v2")) }
        _ = try await SyncClient(replica: bob).sync()

        let restored = try Replica.open(at: backup)
        try restored.change { tx in _ = try tx.set("account", row: acme, "industry", to: .text("Retail")) }
        let report = try await SyncClient(replica: restored).sync()
        #expect(report.newReplicaID != nil && report.renumbered == 1 && report.pushed == 1 && report.storedBefore == 2, "\(report)")
        for replica in [bob, restored, bob] { _ = try await SyncClient(replica: replica).sync() }
        #expect(try ReplicaSnapshot(bob) == ReplicaSnapshot(restored))
        #expect(try bob.conflicts().isEmpty && restored.conflicts().isEmpty)
        #expect(try restored.record("note", id: note)?["body"] == .text("bob's v3 on alice's v2"))
        let values = try bob.history(row: acme).map { "\($0.field)=\($0.value)" } + bob.history(row: note).map { "\($0.field)=\($0.value)" }
        #expect(values.count == Set(values).count, "\(values)")
        try await t.server.stop()
    }

    /// A laptop restored from a backup that pulls what the lost laptop synced after the backup, under its own
    /// replica id: its next change would have taken the id of one it now holds (found by the simulation: a
    /// conflict it then showed could not be resolved). It moves to a new id as soon as it sees them.
    @Test func aRestoredReplicaMovesToANewIDWhenItPullsWhatItsLostLaptopSynced() async throws {
        let t = try await TestServer.start(users: ["alice"])
        let lost = try t.replica("alice")
        let acme = try lost.change { tx in try tx.create("account", values: [("name", .text("Acme"))]) }
        _ = try await SyncClient(replica: lost).sync()
        let backup = t.folder.file("backup.sqlite")
        let before = try t.copyReplicaFile(lost, to: backup)
        try before.change { tx in _ = try tx.set("account", row: acme, "revenue", to: .real(1)) }
        _ = try await SyncClient(replica: before).sync()

        let restored = try Replica.open(at: backup)
        let oldID = try restored.identity().id
        let report = try await SyncClient(replica: restored).sync()
        #expect(report.newReplicaID != nil && report.newReplicaID != oldID && report.renumbered == 0)
        #expect(try restored.record("account", id: acme)?["revenue"] == .real(1))
        let edit = try #require(try restored.change { tx in try tx.set("account", row: acme, "revenue", to: .real(2)) })
        #expect(edit.id.replica == report.newReplicaID)
        let next = try await SyncClient(replica: restored).sync()
        #expect(next.pushed == 1 && next.newReplicaID == nil)
        try await t.server.stop()
    }

    /// Two people resolve one conflict at the same time with other texts: the later stands without a new
    /// conflict (the merge rule), and the sync tells each of them, so that neither text is dropped unseen.
    @Test func concurrentResolutionsOfOneConflictAreReportedToBoth() async throws {
        let t = try await TestServer.start(users: ["alice", "bob"])
        let alice = try t.replica("alice"), bob = try t.replica("bob")
        let note = try alice.change { tx in try tx.create("note", values: [("title", .text("Plan")), ("body", .text("base"))]) }
        _ = try await SyncClient(replica: alice).sync()
        _ = try await SyncClient(replica: bob).sync()
        try alice.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("alice words")) }
        try bob.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("bob words")) }
        for replica in [alice, bob, alice] { _ = try await SyncClient(replica: replica).sync() }
        let conflict = try #require(try alice.conflicts().first).id
        try alice.change { tx in _ = try tx.resolve(conflict: conflict, with: .text("merged")) }
        try await Task.sleep(for: .milliseconds(5))
        let bobConflict = try #require(try bob.conflicts().first).id
        try bob.change { tx in _ = try tx.resolve(conflict: bobConflict, with: .text("bob words")) }

        let aliceFirst = try await SyncClient(replica: alice).sync()
        #expect(aliceFirst.concurrentResolutions.isEmpty)
        let bobSync = try await SyncClient(replica: bob).sync()
        #expect(bobSync.concurrentResolutions.map { "\($0.theirs.author) \($0.mineStands)" } == ["alice true"])
        let aliceAgain = try await SyncClient(replica: alice).sync()
        #expect(aliceAgain.concurrentResolutions.map { "\($0.theirs.author) \($0.mineStands) \($0.mine.value.display)" } == ["bob false merged"])
        // Told once: as a resolution that met hers, not also as an edit of hers set aside.
        #expect(aliceAgain.setAside.isEmpty)
        #expect(try alice.record("note", id: note)?["body"] == .text("bob words") && (try alice.conflicts().isEmpty))
        // Said once: the next sync brings nothing new.
        #expect(try await SyncClient(replica: alice).sync().concurrentResolutions.isEmpty)
        try await t.server.stop()
    }

    /// Three people resolve one conflict with three texts: each is told once, and only of the resolution that
    /// stands (carol's, the latest); bob used to hear "yours stands" of alice's and later "theirs stands".
    @Test func amongThreeResolutionsOnlyTheOneThatStandsIsNamed() async throws {
        let t = try await TestServer.start(users: ["alice", "bob", "carol"])
        let alice = try t.replica("alice"), bob = try t.replica("bob"), carol = try t.replica("carol")
        let note = try alice.change { tx in try tx.create("note", values: [("title", .text("Plan")), ("body", .text("base"))]) }
        for replica in [alice, bob, carol] { _ = try await SyncClient(replica: replica).sync() }
        for (replica, words) in [(alice, "alice"), (bob, "bob")] {
            try replica.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("\(words) words")) }
        }
        for replica in [alice, bob, alice, carol] { _ = try await SyncClient(replica: replica).sync() }
        for (replica, words) in [(alice, "alice"), (bob, "bob"), (carol, "carol")] {
            let conflict = try #require(try replica.conflicts().first).id
            try replica.change { tx in _ = try tx.resolve(conflict: conflict, with: .text("\(words) resolved")) }
            try await Task.sleep(for: .milliseconds(5))
        }
        func told(_ replica: Replica) async throws -> [String] {
            try await SyncClient(replica: replica).sync().concurrentResolutions.map { "\($0.theirs.author) \($0.mineStands)" }
        }
        #expect(try await told(alice) == [])
        #expect(try await told(bob) == ["alice true"])
        #expect(Set(try await told(carol)) == ["alice true", "bob true"])
        #expect(try await told(alice) == ["carol false"])
        #expect(try await told(bob) == ["carol false"])
        for replica in [alice, bob, carol] {
            #expect(try replica.record("note", id: note)?["body"] == .text("carol resolved") && (try replica.conflicts().isEmpty))
        }
        try await t.server.stop()
    }

    /// Bob sees alice's edit and his in conflict and keeps his before alice syncs again: on her laptop the
    /// conflict opens and closes in one pull. Her sync says her text was set aside and where it is; said once,
    /// and not to bob, nor where the resolution kept her text.
    @Test func anEditSetAsideByAnotherPersonsResolutionIsReportedToItsAuthor() async throws {
        let t = try await TestServer.start(users: ["alice", "bob"])
        let alice = try t.replica("alice"), bob = try t.replica("bob")
        let notes = try alice.change { tx in
            [try tx.create("note", values: [("title", .text("Churn")), ("body", .text("base"))]),
             try tx.create("note", values: [("title", .text("Kept")), ("body", .text("base"))])]
        }
        _ = try await SyncClient(replica: alice).sync()
        _ = try await SyncClient(replica: bob).sync()
        try alice.change { tx in for note in notes { _ = try tx.editText("note", row: note, "body", to: .text("alice: call them Monday")) } }
        try bob.change { tx in for note in notes { _ = try tx.editText("note", row: note, "body", to: .text("bob: typo fixed")) } }
        _ = try await SyncClient(replica: alice).sync()
        _ = try await SyncClient(replica: bob).sync()
        #expect(try alice.conflicts().isEmpty && bob.conflicts().count == 2)
        for conflict in try bob.conflicts() {
            let keep: FieldValue = conflict.key.row == notes[0] ? .text("bob: typo fixed") : .text("alice: call them Monday")
            try bob.change { tx in _ = try tx.resolve(conflict: conflict.id, with: keep) }
        }
        #expect(try await SyncClient(replica: bob).sync().setAside.isEmpty)

        let report = try await SyncClient(replica: alice).sync()
        #expect(report.setAside.map { "\($0.resolution.author) \($0.mine.row) \($0.mine.value.display)" } == ["bob \(notes[0]) alice: call them Monday"])
        #expect(try alice.record("note", id: notes[0])?["body"] == .text("bob: typo fixed") && (try alice.conflicts().isEmpty))
        #expect(try await SyncClient(replica: alice).sync().setAside.isEmpty)
        try await t.server.stop()
    }

    /// Dave edits offline while bob resolves alice's and his conflict: dave's edit and bob's resolution go to
    /// review, neither alice's, and dave keeps his. Alice is told that bob's resolution set her text aside (the
    /// queue shows bob's and dave's versions, not hers), once; bob that dave's replaced his resolution.
    @Test func anEditSetAsideIsReportedWhenALaterEditReopensTheReview() async throws {
        let t = try await TestServer.start(users: ["alice", "bob", "dave"])
        let alice = try t.replica("alice"), bob = try t.replica("bob"), dave = try t.replica("dave")
        let note = try alice.change { tx in try tx.create("note", values: [("title", .text("Plan")), ("body", .text("base line"))]) }
        for replica in [alice, bob, dave] { _ = try await SyncClient(replica: replica).sync() }
        for (replica, text) in [(alice, "alice line"), (bob, "bob line"), (dave, "dave line")] {
            try replica.change { tx in _ = try tx.editText("note", row: note, "body", to: .text(text)) }
        }
        _ = try await SyncClient(replica: alice).sync()
        _ = try await SyncClient(replica: bob).sync()
        let first = try #require(try bob.conflicts().first).id
        try bob.change { tx in _ = try tx.resolve(conflict: first, with: .text("bob merged")) }
        _ = try await SyncClient(replica: bob).sync()
        _ = try await SyncClient(replica: dave).sync()
        func told(_ report: SyncReport) -> [String] { report.setAside.map { "\($0.resolution.author) \($0.mine.value.display)" } }
        let reopened = try await SyncClient(replica: alice).sync()
        let open = try alice.conflicts().count
        #expect(told(reopened) == ["bob alice line"] && open == 1, "\(reopened.setAside)")
        let second = try #require(try dave.conflicts().first).id
        try dave.change { tx in _ = try tx.resolve(conflict: second, with: .text("dave line")) }
        _ = try await SyncClient(replica: dave).sync()
        #expect(told(try await SyncClient(replica: alice).sync()) == [])
        #expect(told(try await SyncClient(replica: bob).sync()) == ["dave bob merged"])
        for replica in [alice, bob, dave] {
            let settled = try replica.conflicts().isEmpty
            #expect(try replica.record("note", id: note)?["body"] == .text("dave line") && settled)
        }
        try await t.server.stop()
    }

    /// Alice's edit on her first laptop is set aside by bob's resolution; her second laptop, not synced since, edits
    /// the note too and opens the review again. Her first laptop is told: the version of hers in review does not
    /// hold that edit.
    @Test func anEditSetAsideIsToldThoughAnotherLaptopOfTheSamePersonReopenedTheReview() async throws {
        let t = try await TestServer.start(users: ["alice", "bob"])
        let first = try t.replica("alice"), second = try t.replica("alice"), bob = try t.replica("bob")
        let note = try first.change { tx in try tx.create("note", values: [("title", .text("Plan")), ("body", .text("base"))]) }
        for replica in [first, second, bob] { _ = try await SyncClient(replica: replica).sync() }
        try first.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("first laptop")) }
        try bob.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("bob words")) }
        try second.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("second laptop")) }
        _ = try await SyncClient(replica: first).sync()
        _ = try await SyncClient(replica: bob).sync()
        let conflict = try #require(try bob.conflicts().first).id
        try bob.change { tx in _ = try tx.resolve(conflict: conflict, with: .text("bob words")) }
        _ = try await SyncClient(replica: bob).sync()
        _ = try await SyncClient(replica: second).sync()
        let report = try await SyncClient(replica: first).sync()
        #expect(report.setAside.map { "\($0.resolution.author) \($0.mine.value.display)" } == ["bob first laptop"], "\(report.setAside)")
        try await t.server.stop()
    }

    /// As above, but her second laptop's edit was made on bob's resolution (it had pulled it): that edit holds bob's
    /// text, not hers, so her first laptop is still told.
    @Test func anEditMadeOnTheResolutionThatSetTextAsideDoesNotHoldIt() async throws {
        let t = try await TestServer.start(users: ["alice", "bob", "carol"])
        let first = try t.replica("alice"), second = try t.replica("alice"), bob = try t.replica("bob"), carol = try t.replica("carol")
        let note = try first.change { tx in try tx.create("note", values: [("title", .text("Plan")), ("body", .text("base"))]) }
        for replica in [first, second, bob, carol] { _ = try await SyncClient(replica: replica).sync() }
        try first.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("first laptop")) }
        try bob.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("bob words")) }
        try carol.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("carol words")) }
        _ = try await SyncClient(replica: first).sync()
        _ = try await SyncClient(replica: bob).sync()
        let conflict = try #require(try bob.conflicts().first).id
        try bob.change { tx in _ = try tx.resolve(conflict: conflict, with: .text("bob resolved")) }
        _ = try await SyncClient(replica: bob).sync()
        _ = try await SyncClient(replica: second).sync()
        try second.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("bob resolved, and more")) }
        _ = try await SyncClient(replica: second).sync()
        _ = try await SyncClient(replica: carol).sync()
        let report = try await SyncClient(replica: first).sync()
        #expect(report.setAside.map { "\($0.resolution.author) \($0.mine.value.display)" } == ["bob first laptop"], "\(report.setAside)")
        try await t.server.stop()
    }

    /// Alice's and bob's resolutions of one conflict meet, bob's the later; carol's edit, made without seeing
    /// either, reopens the review of bob's, which dave resolves. Alice hears that bob's resolution stands over hers,
    /// not that dave's review "held" hers (it showed bob's and carol's).
    @Test func aResolutionThatLostIsNotReportedSetAsideByALaterReview() async throws {
        let t = try await TestServer.start(users: ["alice", "bob", "carol", "dave"])
        let alice = try t.replica("alice"), bob = try t.replica("bob"), carol = try t.replica("carol"), dave = try t.replica("dave")
        let note = try alice.change { tx in try tx.create("note", values: [("title", .text("Plan")), ("body", .text("base"))]) }
        for replica in [alice, bob, carol, dave] { _ = try await SyncClient(replica: replica).sync() }
        try alice.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("alice words")) }
        try bob.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("bob words")) }
        for replica in [alice, bob, alice] { _ = try await SyncClient(replica: replica).sync() }
        for (replica, text) in [(alice, "alice resolved"), (bob, "bob resolved")] {
            let conflict = try #require(try replica.conflicts().first).id
            try replica.change { tx in _ = try tx.resolve(conflict: conflict, with: .text(text)) }
            try await Task.sleep(for: .milliseconds(5))
        }
        try carol.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("carol words")) }
        for replica in [alice, bob, carol, dave] { _ = try await SyncClient(replica: replica).sync() }
        let review = try #require(try dave.conflicts().first).id
        try dave.change { tx in _ = try tx.resolve(conflict: review, with: .text("dave resolved")) }
        _ = try await SyncClient(replica: dave).sync()
        let report = try await SyncClient(replica: alice).sync()
        #expect(report.setAside.isEmpty, "\(report.setAside)")
        #expect(report.concurrentResolutions.map { "\($0.theirs.author) \($0.mineStands)" } == ["bob false"], "\(report.concurrentResolutions)")
        #expect(try alice.record("note", id: note)?["body"] == .text("dave resolved"))
        try await t.server.stop()
    }

    /// Bob and carol resolve the conflict that held alice's edit at the same time: bob's sets it aside, carol's,
    /// the later, keeps it. Alice is told nothing: her text is the one shown.
    @Test func anEditKeptByTheResolutionThatStandsIsNotReportedAsSetAside() async throws {
        let t = try await TestServer.start(users: ["alice", "bob", "carol"])
        let alice = try t.replica("alice"), bob = try t.replica("bob"), carol = try t.replica("carol")
        let note = try alice.change { tx in try tx.create("note", values: [("title", .text("Plan")), ("body", .text("base"))]) }
        for replica in [alice, bob, carol] { _ = try await SyncClient(replica: replica).sync() }
        try alice.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("alice words")) }
        try bob.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("bob words")) }
        for replica in [alice, bob, carol] { _ = try await SyncClient(replica: replica).sync() }
        for (replica, keep) in [(bob, "bob words"), (carol, "alice words")] {
            let conflict = try #require(try replica.conflicts().first).id
            try replica.change { tx in _ = try tx.resolve(conflict: conflict, with: .text(keep)) }
            try await Task.sleep(for: .milliseconds(5))
        }
        for replica in [bob, carol] { _ = try await SyncClient(replica: replica).sync() }
        let report = try await SyncClient(replica: alice).sync()
        #expect(report.setAside.isEmpty, "\(report.setAside)")
        #expect(try alice.record("note", id: note)?["body"] == .text("alice words"))
        try await t.server.stop()
    }

    /// `sync --after-restore` on a server whose log was compacted (a nightly compaction before the backup):
    /// the compacted ids were refused as reused, the replica moved to a new id and sent everything again,
    /// and the old id held compaction back for good. Sent marked `resent`, they count as duplicates.
    @Test func afterRestoreOnACompactedServerStoresNothingTwice() async throws {
        let t = try await TestServer.start(users: ["alice"])
        let alice = try t.replica("alice")
        let acme = try alice.change { tx in try tx.create("account", values: [("name", .text("Acme")), ("revenue", .real(1))]) }
        _ = try await SyncClient(replica: alice).sync()
        try alice.change { tx in _ = try tx.set("account", row: acme, "revenue", to: .real(2)) }
        for _ in 0..<2 { _ = try await SyncClient(replica: alice).sync() }
        try await Task.sleep(for: .milliseconds(5))
        #expect(try await t.storage.compact(workspace: defaultWorkspace, keepAfterMs: nowMs()).deletedOperations == 1)
        let head = try await t.storage.head()

        let report = try await SyncClient(replica: alice).sync(afterRestore: true)
        #expect(report.newReplicaID == nil && report.resent == 3 && report.pushed == 0 && report.duplicates == 3, "\(report)")
        #expect(try await t.storage.head() == head)
        #expect(try await t.storage.compact(workspace: defaultWorkspace, keepAfterMs: nowMs()).heldBackBy == nil)
        #expect(try alice.record("account", id: acme)?["revenue"] == .real(2))
        // A change made afterwards syncs as usual.
        try alice.change { tx in _ = try tx.set("account", row: acme, "revenue", to: .real(3)) }
        #expect(try await SyncClient(replica: alice).sync().pushed == 1)
        try await t.server.stop()
    }

    /// A sync cut off between its push and its pull, then the server restored from a backup taken before that
    /// push: the replica's cursor is below the backup's end, so the head, the entry at its cursor and the
    /// generation all checked out, and the acknowledged changes were lost for good. The handshake shows how far
    /// the log holds the replica's operations (`replicaStored`) against how far they were acknowledged: the
    /// replica stops, and the generation moves on, so that a colleague who had pulled those changes is stopped
    /// too (had the replica sent them again, they could have landed where they were, hiding the restore).
    @Test func aPushAcknowledgedThenLostToARestoreShowsTheRestore() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("server.sqlite")
        var storage = try SQLiteSyncStorage(path: path)
        var tokens: [String: String] = [:]
        for user in ["alice", "bob", "dave"] {
            tokens[user] = Tokens.generate()
            try await storage.addToken(user: user, tokenHash: Tokens.hash(tokens[user]!), label: "", now: nowMs())
        }
        var server = try await SyncServer.start(storage: storage, configuration: .init(host: "127.0.0.1", port: 0), logger: quietLogger)
        let team = try ["alice", "bob", "dave"].map { user in
            try Replica.create(at: folder.file("\(user).sqlite"), user: user, server: server.url, token: tokens[user])
        }
        let (alice, bob, dave) = (team[0], team[1], team[2])
        /// The server stopped and started again on its file, after `restoring` (a backup put back) if given.
        func restart(restoring backup: String? = nil) async throws {
            try await server.stop()
            try await storage.close()
            if let backup { try ServerProcess.restore(backup, over: path) }
            storage = try SQLiteSyncStorage(path: path)
            server = try await SyncServer.start(storage: storage, configuration: .init(host: "127.0.0.1", port: 0), logger: quietLogger)
            for replica in team { try replica.configure(server: server.url, token: nil) }
        }

        let acme = try alice.change { tx in try tx.create("account", values: [("name", .text("Acme")), ("revenue", .real(1))]) }
        for replica in team { _ = try await SyncClient(replica: replica).sync() }
        // Last night's backup.
        try await restart()
        try FileManager.default.copyItem(atPath: path, toPath: folder.file("backup.sqlite"))
        // Alice's next sync pushes, and is cut off before it pulls; bob pulls what she pushed.
        try alice.change { tx in
            _ = try tx.set("account", row: acme, "revenue", to: .real(2))
            _ = try tx.create("note", values: [("title", .text("Renewal")), ("body", .text("Signed for 3 years"))])
        }
        var report = SyncReport(), resolutions: [Operation] = []
        try await SyncClient(replica: alice).push(maxBatch: 1000, head: 0, report: &report, resolutions: &resolutions, progress: nil)
        #expect(report.pushed == 3)
        #expect(try alice.pendingCount() == 0)
        _ = try await SyncClient(replica: bob).sync()
        // The disk fails; the backup comes back, and dave pushes first.
        try await restart(restoring: folder.file("backup.sqlite"))
        try dave.change { tx in _ = try tx.set("account", row: acme, "industry", to: .text("Retail")) }
        _ = try await SyncClient(replica: dave).sync()

        // Alice shows the rewrite; bob, past the head, would have anyway; dave, whose position checks out, is
        // stopped by the generation her handshake moved on.
        for (replica, code) in [(alice, "log_rewritten"), (bob, "server_behind"), (dave, "log_rewritten")] {
            let user = try replica.identity().user
            do {
                _ = try await SyncClient(replica: replica).sync()
                Issue.record("\(user) synced on")
            } catch let error as SyncError {
                #expect(error.code == code, "\(user): \(error)")
            }
        }
        for replica in team { _ = try await SyncClient(replica: replica).sync(afterRestore: true) }
        for replica in team { _ = try await SyncClient(replica: replica).sync() }
        for replica in team {
            let account = try #require(try replica.record("account", id: acme))
            #expect(account["revenue"] == .real(2) && account["industry"] == .text("Retail"))
            #expect(try replica.records("note").map { $0["body"] } == [.text("Signed for 3 years")])
        }
        // Without a restore, nothing stops: pending changes and a cut-off sync are no sign of one.
        try alice.change { tx in _ = try tx.set("account", row: acme, "revenue", to: .real(3)) }
        report = SyncReport()
        try await SyncClient(replica: alice).push(maxBatch: 1000, head: 0, report: &report, resolutions: &resolutions, progress: nil)
        try alice.change { tx in _ = try tx.set("account", row: acme, "revenue", to: .real(4)) }
        for replica in team { _ = try await SyncClient(replica: replica).sync() }
        #expect(try bob.record("account", id: acme)?["revenue"] == .real(4))
        try await server.stop()
    }

    /// A handshake that moves the log's generation on stops every replica of the workspace until it recovers:
    /// the server's log says who showed the rewrite (a restore, or a replica sending a made-up cursor), once.
    @Test func aGenerationMovedOnIsLoggedWithWhoShowedIt() async throws {
        let folder = try TemporaryFolder()
        let log = RecordedLog()
        let storage = try SQLiteSyncStorage(path: folder.file("server.sqlite"))
        let token = Tokens.generate()
        try await storage.addToken(user: "alice", tokenHash: Tokens.hash(token), label: "", now: nowMs())
        let server = try await SyncServer.start(storage: storage, configuration: .init(host: "127.0.0.1", port: 0), logger: log.logger)
        let t = TestServer(folder: folder, storage: storage, server: server, tokens: ["alice": token])
        let alice = try t.replica("alice")
        try alice.change { tx in _ = try tx.create("account", values: [("name", .text("Acme"))]) }
        _ = try await SyncClient(replica: alice).sync()
        #expect(log.messages.isEmpty, "\(log.messages)")
        let identity = try await storage.logState(workspace: defaultWorkspace, cursor: 0).identity
        let pastTheHead = #"{"protocolVersion": 1, "replica": "made0up", "cursor": 99, "user": "alice", "log": "\#(identity)", "generation": 0}"#
        for _ in 0..<2 { #expect(try await t.request(.POST, "/v1/handshake", token: token, body: pastTheHead).status == 200) }
        #expect(log.messages.count == 1 && log.messages.first.map { $0.contains("generation moved on") && $0.contains("made0up") && $0.contains("alice") } == true,
                "\(log.messages)")
        await #expect(throws: SyncError.self) { try await SyncClient(replica: alice).sync() }
        try await server.stop()
    }

    /// A new replica's bootstrap ends at the handshake's head, whose entry its snapshot does not hold when it is
    /// a conflict record: the last handshake names it, so that the next sync can check it.
    @Test func aBootstrappedReplicaLearnsTheEntryAtItsCursor() async throws {
        let t = try await TestServer.start(users: ["alice", "bob", "carol"])
        let alice = try t.replica("alice"), bob = try t.replica("bob"), carol = try t.replica("carol")
        let note = try alice.change { tx in try tx.create("note", values: [("title", .text("Plan")), ("body", .text("base"))]) }
        for replica in [alice, bob] { _ = try await SyncClient(replica: replica).sync() }
        try alice.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("alice words")) }
        try bob.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("bob words")) }
        for replica in [alice, bob] { _ = try await SyncClient(replica: replica).sync() }
        let head = try await t.storage.head()
        guard case .conflict(_, let record)? = try await t.storage.wholeLog().last else { Issue.record("the head is not a conflict record"); return }

        let report = try await SyncClient(replica: carol).sync()
        #expect(report.bootstrapped > 0 && report.cursor == head)
        #expect(try carol.identity().cursorEntry == record.id)
        #expect(try carol.identity().serverLog == (try await t.storage.logState(workspace: defaultWorkspace, cursor: 0).identity))
        #expect(try alice.identity().cursorEntry != nil)
        try await t.server.stop()
    }

    @Test func aTokenForAnotherUserIsRefusedBeforeAnythingIsSent() async throws {
        let t = try await TestServer.start(users: ["alice", "bob"])
        let replica = try Replica.create(at: t.folder.file("x.sqlite"), user: "alice", server: t.server.url, token: t.tokens["bob"])
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Acme"))]) }
        await #expect(throws: SyncError.wrongUser(token: "bob", replica: "alice")) { try await SyncClient(replica: replica).sync() }
        #expect(try await t.storage.head() == 0)
        // Nor is the replica registered: one that never comes back would hold compaction back until an admin
        // forgot it.
        #expect(try await t.storage.directory().replicas.isEmpty)
        // Once it has synced as alice, `config --user` cannot rename it: the message no longer offers it.
        try replica.configure(server: nil, token: t.tokens["alice"])
        _ = try await SyncClient(replica: replica).sync()
        try replica.configure(server: nil, token: t.tokens["bob"])
        await #expect(throws: SyncError.wrongUser(token: "bob", replica: "alice", synced: true)) { try await SyncClient(replica: replica).sync() }
        #expect(!SyncError.wrongUser(token: "bob", replica: "alice", synced: true).description.contains("config --user"))
        try await t.server.stop()
    }
}
