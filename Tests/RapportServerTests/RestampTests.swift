import Foundation
import RapportClient
import RapportReplica
import RapportServer
import RapportSync
import Testing

/// Re-stamping unpushed operations when the server refuses them as stamped too far ahead of its clock.
/// Both cases were found by the deterministic simulation (`RapportSimulationTests`).
@Suite(.serialized) struct RestampTests {
    static let day: Int64 = 24 * 3600 * 1000

    static func env(aheadBy ms: Int64) -> ReplicaEnvironment {
        var env = ReplicaEnvironment.live
        env.now = { nowMs() + ms }
        return env
    }

    /// A push whose response was lost leaves operations the server stored marked pending on the replica.
    /// Re-stamping them would reuse their ids for different content, and the replica could never sync again.
    @Test func aLostPushResponseFollowedByAClockAheadRefusalReusesNoOperationID() async throws {
        let t = try await TestServer.start(users: ["anna"])
        let replica = try t.replica("anna")
        let account = try replica.change { tx in try tx.create("account", values: [("name", .text("Acme"))]) }
        // The server stores the push; the replica never hears back.
        let sent = try replica.pendingOperations(limit: 10)
        _ = try await t.storage.push(user: "anna", replica: try replica.identity().id, operations: sent, now: nowMs())
        let path = replica.path
        try replica.close()

        // Its clock then runs a day ahead, and it changes something else before syncing.
        let fast = try Replica.open(at: path, env: Self.env(aheadBy: Self.day))
        try fast.change { tx in _ = try tx.set("account", row: account, "revenue", to: .real(2)) }
        let report = try await SyncClient(replica: fast).sync()

        #expect(report.restamped == 1)
        #expect(try fast.pendingCount() == 0)
        for op in sent { #expect(try fast.operation(op.id, on: op.key) == op, "the operation the server stored is left as it was") }
        #expect(try fast.record("account", id: account)?["revenue"] == .real(2))
        try await t.server.stop()
    }

    /// A re-stamped edit must stay after what its maker had seen when making it. Otherwise the value it
    /// overwrote, stamped by a colleague whose clock runs a few minutes fast (within the server's bound),
    /// wins over it, and a re-stamped text edit orders before its own base.
    @Test func aReStampedEditStaysLaterThanTheValueItOverwrote() async throws {
        let t = try await TestServer.start(users: ["anna", "ben"])
        let anna = try t.replica("anna", env: Self.env(aheadBy: 4 * 60 * 1000))
        let ben = try t.replica("ben", env: Self.env(aheadBy: Self.day))
        let account = try anna.change { tx in try tx.create("account", values: [("name", .text("Acme")), ("revenue", .real(1))]) }
        _ = try await SyncClient(replica: anna).sync()
        _ = try await SyncClient(replica: ben).sync()

        // Ben sees revenue 1 and changes it to 2; his clock is a day fast, so his edit is re-stamped.
        try ben.change { tx in _ = try tx.set("account", row: account, "revenue", to: .real(2)) }
        let report = try await SyncClient(replica: ben).sync()
        _ = try await SyncClient(replica: anna).sync()

        #expect(report.restamped == 1)
        #expect(try ben.record("account", id: account)?["revenue"] == .real(2))
        #expect(try anna.record("account", id: account)?["revenue"] == .real(2))
        try await t.server.stop()
    }

    /// A resolution re-stamped because its clock ran ahead meets a colleague's resolution of the same conflict in
    /// the pull before the re-stamp: the sync still says so, and says whose stands after the re-stamp.
    @Test func aConcurrentResolutionPulledBeforeARestampIsStillReported() async throws {
        let t = try await TestServer.start(users: ["anna", "ben"])
        let anna = try t.replica("anna")
        let ben = try t.replica("ben", env: Self.env(aheadBy: Self.day))
        let note = try anna.change { tx in try tx.create("note", values: [("title", .text("Plan")), ("body", .text("base"))]) }
        _ = try await SyncClient(replica: anna).sync()
        _ = try await SyncClient(replica: ben).sync()
        try anna.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("anna words")) }
        try ben.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("ben words")) }
        for replica in [anna, ben, anna] { _ = try await SyncClient(replica: replica).sync() }
        let conflict = try #require(try anna.conflicts().first).id
        try anna.change { tx in _ = try tx.resolve(conflict: conflict, with: .text("anna merged")) }
        try ben.change { tx in _ = try tx.resolve(conflict: conflict, with: .text("ben merged")) }
        _ = try await SyncClient(replica: anna).sync()

        let report = try await SyncClient(replica: ben).sync()
        #expect(report.restamped == 1)
        #expect(report.concurrentResolutions.map { "\($0.theirs.author) \($0.mineStands)" } == ["anna true"])
        #expect(try ben.record("note", id: note)?["body"] == .text("ben merged"))
        try await t.server.stop()
    }

    /// A backup put back on a laptop whose clock runs fast, where the lost laptop had synced the backup's changes
    /// and more: the clock refusal comes first, and the pull before re-stamping stopped at the lost laptop's own
    /// work, rolling back the same ones with it, so every unsynced change moved and was listed twice (review).
    @Test func aFastBackupPutBackMovesOnlyWhatTheServerDoesNotHold() async throws {
        let t = try await TestServer.start(users: ["anna"])
        let lost = try t.replica("anna")
        let account = try lost.change { tx in try tx.create("account", values: [("name", .text("Acme"))]) }
        _ = try await SyncClient(replica: lost).sync()
        try lost.change { tx in _ = try tx.set("account", row: account, "revenue", to: .real(1)) }
        let backup = t.folder.file("backup.sqlite")
        let laptop = try t.copyReplicaFile(lost, to: backup)
        try laptop.change { tx in _ = try tx.set("account", row: account, "margin", to: .real(10)) }
        _ = try await SyncClient(replica: laptop).sync()

        let restored = try Replica.open(at: backup, env: Self.env(aheadBy: Self.day))
        try restored.change { tx in _ = try tx.set("account", row: account, "tier", to: .text("key")) }
        let report = try await SyncClient(replica: restored).sync()
        #expect(report.newReplicaID != nil && report.storedBefore == 1 && report.renumbered == 1 && report.pushed == 1, "\(report)")
        _ = try await SyncClient(replica: laptop).sync()
        let values = try laptop.history(row: account).map { "\($0.field)=\($0.value)" }
        #expect(values.count == Set(values).count, "\(values)")
        #expect(try ReplicaSnapshot(laptop) == ReplicaSnapshot(restored))
        try await t.server.stop()
    }

    /// A laptop with a fast clock re-stamped a change and synced it, then its backup (holding the change under its
    /// first stamp) was put back: the server's copy differs only in its stamp, and is taken as this replica's, as a
    /// pull takes it, not moved and listed twice (review).
    @Test func aBackupOfAChangeReStampedSinceTakesTheServersCopy() async throws {
        // A clock a second fast, on a server that takes a tenth: by the time the backup is put back, its stamp is
        // no longer ahead, and the push is refused for the id alone.
        let t = try await TestServer.start(users: ["anna"]) { $0.limits.maxClockAheadMs = 100 }
        let setUp = try t.replica("anna")
        let account = try setUp.change { tx in try tx.create("account", values: [("name", .text("Acme"))]) }
        _ = try await SyncClient(replica: setUp).sync()
        try setUp.close()
        let fast = try Replica.open(at: setUp.path, env: Self.env(aheadBy: 1_000))
        try fast.change { tx in _ = try tx.set("account", row: account, "revenue", to: .real(1)) }
        let backup = t.folder.file("backup.sqlite")
        let laptop = try t.copyReplicaFile(fast, to: backup)
        try laptop.close()
        let relaunched = try Replica.open(at: setUp.path)
        #expect(try await SyncClient(replica: relaunched).sync().restamped == 1)
        try await Task.sleep(for: .milliseconds(1_200))

        let restored = try Replica.open(at: backup)
        try restored.change { tx in _ = try tx.set("account", row: account, "tier", to: .text("key")) }
        let report = try await SyncClient(replica: restored).sync()
        #expect(report.storedBefore == 1 && report.renumbered == 1 && report.pushed == 1, "\(report)")
        _ = try await SyncClient(replica: relaunched).sync()
        let values = try relaunched.history(row: account).map { "\($0.field)=\($0.value)" }
        #expect(values.count == Set(values).count, "\(values)")
        #expect(try ReplicaSnapshot(relaunched) == ReplicaSnapshot(restored))
        try await t.server.stop()
    }

    /// A copy of a replica file whose clock runs fast: the clock refusal comes first, and the pull before
    /// re-stamping brought the other copy's operations under this one's pending ids, which the replica took
    /// for its own re-stamped ones and dropped for good. It now moves to a new id and keeps them.
    @Test func aCopiedReplicaWithAFastClockKeepsTheOtherCopysChanges() async throws {
        let t = try await TestServer.start(users: ["anna"])
        let original = try t.replica("anna")
        let account = try original.change { tx in try tx.create("account", values: [("name", .text("Acme"))]) }
        _ = try await SyncClient(replica: original).sync()
        let copyPath = t.folder.file("copy.sqlite")
        let first = try t.copyReplicaFile(original, to: copyPath)
        let copy = try Replica.open(at: copyPath, env: Self.env(aheadBy: Self.day))
        try first.change { tx in _ = try tx.set("account", row: account, "revenue", to: .real(1)) }
        try copy.change { tx in _ = try tx.set("account", row: account, "tier", to: .text("key")) }
        _ = try await SyncClient(replica: first).sync()

        let report = try await SyncClient(replica: copy).sync()
        #expect(report.newReplicaID != nil && report.restamped == 1 && report.pushed == 1)
        _ = try await SyncClient(replica: first).sync()
        for replica in [first, copy] {
            let acme = try #require(try replica.record("account", id: account))
            #expect(acme["revenue"] == .real(1) && acme["tier"] == .text("key"))
        }
        try await t.server.stop()
    }
}
