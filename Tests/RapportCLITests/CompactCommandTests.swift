import Foundation
import RapportTestSupport
import Testing

/// `rapport compact` and `rapport admin compact`, through the real binary, a real server and real files.
@Suite(.serialized) struct CompactCommandTests {
    let dir: TemporaryFolder
    let db: String
    let admin = RapportBinary()
    let server: ServerProcess
    let alice: RapportBinary
    let bob: RapportBinary

    /// Alice overwrote Acme's industry three times and edited a note; both managers synced.
    init() throws {
        dir = try TemporaryFolder()
        db = dir.file("server.sqlite")
        let aliceToken = try admin.addUser("alice", db: db)
        let bobToken = try admin.addUser("bob", db: db)
        server = try ServerProcess(arguments: ["--db", db])
        alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        bob = RapportBinary(environment: ["RAPPORT_DB": dir.file("bob.sqlite")])
        #expect(try alice.run(["init", "--user", "alice", "--server", server.url, "--token", aliceToken]).status == 0)
        #expect(try bob.run(["init", "--user", "bob", "--server", server.url, "--token", bobToken]).status == 0)
        #expect(try alice.run(["account", "add", "Acme", "--industry", "Retail"]).status == 0)
        for industry in ["Energy", "Pharma", "Media"] { #expect(try alice.run(["account", "set", "Acme", "industry=\(industry)"]).status == 0) }
        #expect(try alice.run(["note", "add", "Acme", "--title", "Plan", "--text", "v1"]).status == 0)
        #expect(try alice.run(["note", "edit", "Plan", "--text", "v2"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
    }

    func operations(_ replica: RapportBinary) throws -> Int {
        (try replica.json(["status"]) as? [String: Any])?["operations"] as? Int ?? -1
    }

    @Test func aNewReplicaStartsFromTheSnapshotAndSaysSo() throws {
        defer { server.stop() }
        let report = try #require(try bob.json(["sync"]) as? [String: Any])
        // Acme's name, tier, owner and current industry, the note's four other fields and both versions of its
        // body: the three overwritten industries stay behind.
        #expect(report["bootstrapped"] as? Int == 10)
        #expect(try operations(bob) == 10)
        #expect(try operations(alice) == 13)
        let acme = try #require(try bob.json(["account", "show", "Acme"]) as? [String: Any])
        #expect(acme["industry"] as? String == "Media")
        let again = try #require(try bob.json(["sync"]) as? [String: Any])
        #expect(again["bootstrapped"] as? Int == 0)
    }

    @Test func compactDropsOverwrittenValuesAndChangesNothingShown() throws {
        defer { server.stop() }
        let shown = try alice.run(["account", "show", "Acme", "--json"]).stdout
        let note = try alice.run(["note", "show", "Plan", "--json"]).stdout
        let kept = try #require(try alice.json(["compact"]) as? [String: Any])
        #expect(kept["deleted"] as? Int == 0, "values younger than 30 days stay")

        Thread.sleep(forTimeInterval: 0.01)
        let result = try alice.run(["compact", "--keep-days", "0"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Dropped 3 overwritten values older than 0 days; the log holds 10 operations."))
        #expect(try alice.run(["account", "show", "Acme", "--json"]).stdout == shown)
        #expect(try alice.run(["note", "show", "Plan", "--json"]).stdout == note)
        let history = try #require(try alice.json(["history", "Acme"]) as? [[String: Any]])
        #expect(history.filter { $0["field"] as? String == "industry" }.map { $0["value"] as? String } == ["Media"])
        let noteHistory = try #require(try alice.json(["history", "Plan"]) as? [[String: Any]])
        #expect(noteHistory.filter { $0["field"] as? String == "body" }.map { $0["value"] as? String } == ["v1", "v2"])

        let shrunk = try #require(try alice.json(["compact", "--shrink"]) as? [String: Any])
        let before = try #require(shrunk["file_bytes_before"] as? Int)
        let after = try #require(shrunk["file_bytes"] as? Int)
        #expect(after <= before && after > 0)
        #expect(shrunk["free_bytes"] as? Int == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: dir.file("alice.sqlite"))[.size] as? Int == after)
        let text = try alice.run(["compact", "--shrink"])
        #expect(text.status == 0 && text.stdout.contains("Shrank the file from"), "\(text.stdout)\(text.stderr)")
        #expect(try alice.run(["account", "show", "Acme", "--json"]).stdout == shown)
        #expect(try alice.run(["note", "show", "Plan", "--json"]).stdout == note)
        #expect(try alice.run(["sync"]).status == 0)
    }

    @Test(arguments: [["--keep-days=-1"], ["--keep-days", "-1"], ["--keep-days", "soon"]])
    func badKeepDaysIsRefusedAndNothingIsDeleted(arguments: [String]) throws {
        defer { server.stop() }
        let before = try operations(alice)
        let result = try alice.run(["compact"] + arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--keep-days"), "stderr was: \(result.stderr)")
        #expect(try operations(alice) == before)
        let serverResult = try admin.run(["admin", "compact", "--db", db] + arguments)
        #expect(serverResult.status != 0)
        #expect(serverResult.stderr.contains("--keep-days"), "stderr was: \(serverResult.stderr)")
    }

    /// A laptop that will not sync again held compaction back for ever; forgetting it lets compaction go on,
    /// and if it does come back it catches up all the same.
    @Test func aForgottenReplicaNoLongerHoldsCompactionBackAndCatchesUpIfItReturns() throws {
        defer { server.stop() }
        #expect(try bob.run(["sync"]).status == 0)
        for industry in ["Travel", "Food"] {
            #expect(try alice.run(["account", "set", "Acme", "industry=\(industry)"]).status == 0)
            #expect(try alice.run(["sync"]).status == 0)
        }
        #expect(try alice.run(["sync"]).status == 0)
        let bobReplica = try #require((try bob.json(["status"]) as? [String: Any])?["replica"] as? String)
        let held = try admin.run(["admin", "compact", "--db", db, "--keep-days", "0"])
        #expect(held.stdout.contains("replica \(bobReplica) (bob"), "\(held.stdout)")
        #expect(held.stdout.contains("`rapport admin forget-replica \(bobReplica) --db \(db)`"), "\(held.stdout)")

        let forgot = try admin.run(["admin", "forget-replica", bobReplica, "--db", db, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(forgot.stdout.utf8)) as? [String: Any]
        #expect(forgot.status == 0 && json?["replica"] as? String == bobReplica && json?["user"] as? String == "bob" && json?["last_seen"] is String,
                "\(forgot.stdout)\(forgot.stderr)")
        let twice = try admin.run(["admin", "forget-replica", bobReplica, "--db", db])
        #expect(twice.status == 64 && twice.stderr.contains("(an unknown id, or one forgotten already)"), "\(twice.stderr)")
        let compacted = try #require(try admin.json(["admin", "compact", "--db", db, "--keep-days", "0"]) as? [[String: Any]])
        #expect((compacted.first?["deleted_operations"] as? Int ?? 0) > 0)
        #expect(compacted.first?["held_back_by"] is NSNull)

        #expect(try bob.run(["sync"]).status == 0)
        #expect((try bob.json(["account", "show", "Acme"]) as? [String: Any])?["industry"] as? String == "Food")
        let unknown = try admin.run(["admin", "forget-replica", "nosuchreplica", "--db", db])
        #expect(unknown.status == 64 && unknown.stderr.contains("no replica 'nosuchreplica'"), "\(unknown.stderr)")
    }

    /// (A replica behind holds it back: `aForgottenReplicaNoLongerHoldsCompactionBackAndCatchesUpIfItReturns`.)
    @Test func adminCompactDeletesWhatEveryReplicaHasAndThenNothingMore() throws {
        defer { server.stop() }
        // Alice's sync told the server at its end how far she got, and bob's replica has not said hello yet:
        // the three overwritten values go at once.
        let first = try #require(try admin.json(["admin", "compact", "--db", db, "--keep-days", "0"]) as? [[String: Any]])
        #expect(first.count == 1)
        #expect(first[0]["workspace"] as? String == "default")
        #expect(first[0]["deleted_operations"] as? Int == 3)
        #expect(first[0]["held_back_by"] is NSNull)

        // Both sync twice: the server learns that both have everything, and nothing is left to delete.
        for replica in [alice, bob, alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        let text = try admin.run(["admin", "compact", "--db", db, "--keep-days", "0"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("default: deleted 0 overwritten values and 0 closed-conflict records"), "\(text.stdout)")
        #expect(!text.stdout.contains("Only positions up to"))
        let again = try #require(try admin.json(["admin", "compact", "--db", db, "--keep-days", "0", "--workspace", "default"]) as? [[String: Any]])
        #expect(again[0]["deleted_operations"] as? Int == 0)
        #expect(again[0]["held_back_by"] is NSNull)

        // The log stays consistent for everyone: a change syncs on as before.
        #expect(try bob.run(["account", "set", "Acme", "tier=key"]).status == 0)
        for replica in [bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let acme = try #require(try alice.json(["account", "show", "Acme"]) as? [String: Any])
        #expect(acme["tier"] as? String == "key")

        let unknown = try admin.run(["admin", "compact", "--db", db, "--workspace", "nowhere"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("no workspace 'nowhere'"), "\(unknown.stderr)")
        // A wrong value for an admin command exits 64 like any other.
        let short = try admin.run(["admin", "revoke", "ab", "--db", db])
        #expect(short.status == 64 && short.stderr.contains("give at least 6 hex characters"), "\(short.stderr)")
    }
}
