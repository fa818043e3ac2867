import Foundation
import RapportClient
import RapportReplica
import Testing

/// A sync stopped (Ctrl-C) once its pulls had landed, while it worked out what they did: QA lost the notice of an
/// owner change of 3,000 accounts for good, the watch of what the pulls did having ended with them.
@Suite struct StoppedSyncNoticeTests {
    @Test func whatAStoppedSyncBroughtIsToldAtTheNext() async throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        func ok(_ replica: RapportBinary, _ arguments: [String]) async throws -> String {
            let result = try await replica.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result.stdout
        }
        _ = try await ok(alice, ["account", "add", "Acme", "--owner", "alice"])
        for replica in [alice, bob] { _ = try await ok(replica, ["sync"]) }
        _ = try await ok(bob, ["account", "set", "Acme", "owner=bob"])
        _ = try await ok(bob, ["sync"])
        // Alice's sync as `rapport sync` runs it, stopped before it told anything.
        let replica = try Replica.open(at: try #require(alice.environment["RAPPORT_DB"]))
        let report = try await SyncClient.withStoredSettings(replica: replica) { try await $0.sync(keepWatch: true) }
        #expect(report.applied > 0)
        let told = try await ok(alice, ["sync"])
        #expect(told.contains("bob took an account of yours: Acme; it leaves your `rapport due` and portfolio."), "\(told)")
        // Told once.
        let again = try await ok(alice, ["sync"])
        #expect(!again.contains("took"), "\(again)")
    }
}
