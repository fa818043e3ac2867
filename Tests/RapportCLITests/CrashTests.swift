import Foundation
import RapportReplica
import RapportSync
import Testing

/// `rapport sync` and `rapport serve` killed with SIGKILL at random moments during a large sync, then
/// restarted: nothing acknowledged is lost and nothing is applied twice.
@Suite(.serialized) struct CrashTests {
    @Test(arguments: [7, 8])
    func killingSyncAndServerMidSyncLosesNothingAndDuplicatesNothing(seed: UInt64) throws {
        var rng = SplitMix(state: seed)
        let dir = try TemporaryFolder()
        let db = dir.file("server.sqlite")
        let admin = RapportBinary()
        let aliceToken = try admin.addUser("alice", db: db)
        let bobToken = try admin.addUser("bob", db: db)
        var server = try ServerProcess(arguments: ["--db", db])
        defer { server.stop() }

        // Alice has a month of offline work: 2,000 accounts and their operations.
        let alicePath = dir.file("alice.sqlite")
        let alice = try Replica.create(at: alicePath, user: "alice", server: server.url, token: aliceToken)
        try alice.change { tx in
            for i in 0..<2_000 { _ = try tx.create("account", values: [("name", .text("Account \(i)")), ("revenue", .real(Double(i)))]) }
        }
        let total = try alice.status().operations
        try alice.close()

        var kills = 0
        var finished = false
        for _ in 0..<40 where !finished {
            if Int.random(in: 0..<4, using: &rng) == 0 {
                // The server dies mid-sync too, and comes back on the same database.
                kill(server.process.processIdentifier, SIGKILL)
                server.process.waitUntilExit()
                server = try ServerProcess(arguments: ["--db", db])
                let replica = try Replica.open(at: alicePath)
                try replica.configure(server: server.url, token: nil)
                try replica.close()
            }
            let sync = Process()
            sync.executableURL = RapportExecutable.url
            sync.arguments = ["sync", "--db", alicePath]
            sync.standardOutput = FileHandle.nullDevice
            sync.standardError = FileHandle.nullDevice
            try sync.run()
            Thread.sleep(forTimeInterval: Double(Int.random(in: 20...400, using: &rng)) / 1000)
            if sync.isRunning {
                kill(sync.processIdentifier, SIGKILL)
                kills += 1
            }
            sync.waitUntilExit()
            finished = sync.terminationReason == .exit && sync.terminationStatus == 0
        }
        // However many kills it took, a last sync completes.
        let last = try RapportBinary().run(["sync", "--db", alicePath])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(kills > 0, "no sync was killed; the test proved nothing")

        let aliceAfter = try Replica.open(at: alicePath)
        #expect(try aliceAfter.pendingCount() == 0)
        #expect(try aliceAfter.status().operations == total, "alice's replica gained or lost operations")

        // A second manager pulls everything: each operation exactly once.
        let bobPath = dir.file("bob.sqlite")
        #expect(try RapportBinary().run(["init", "--user", "bob", "--server", server.url, "--token", bobToken, "--db", bobPath]).status == 0)
        #expect(try RapportBinary().run(["sync", "--db", bobPath]).status == 0)
        let bob = try Replica.open(at: bobPath)
        #expect(try bob.status().operations == total)
        #expect(try bob.records("account") == aliceAfter.records("account"))
        #expect(try bob.records("account").count == 2_000)
    }
}
