import ArgumentParser
import Foundation
import Logging
import RapportClient
import RapportReplica
import RapportServer
import RapportSync

/// A self-contained walkthrough of offline work, sync and conflict review, on a real server and real
/// replica files in a temporary folder. Every claim it prints is checked; a failed check exits non-zero.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Walk through offline edits, sync and conflict review with two managers.")

    @Flag(help: "Keep the temporary folder (the replicas and the server database) for a look with sqlite3.") var keep = false

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-demo-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        print("Working in \(folder)\(keep ? "" : " (removed at the end)").")
        defer { if !keep { try? FileManager.default.removeItem(atPath: folder) } }
        // Ctrl-C ended the process before the removal above and left the folder, the demo's tokens in it. The
        // interrupt is taken here instead: the folder goes (SQLite's open files with it, which Linux allows).
        let stops = StopSignals { [keep] in
            // The server still runs and may add a file as the folder is emptied (the race `run` avoids by
            // stopping it first): tried again, and what happened is said as it is.
            var gone = keep
            for _ in 0..<5 where !gone {
                try? FileManager.default.removeItem(atPath: folder)
                gone = !FileManager.default.fileExists(atPath: folder)
                if !gone { usleep(50_000) }
            }
            let said = keep ? "the files are kept in \(folder)" : gone ? "removed \(folder)" : "\(folder) could not be removed (it holds the demo's tokens): remove it"
            FileHandle.standardError.write(Data("\nInterrupted: \(said).\n".utf8))
            Foundation.exit(130)
        }
        defer { stops.restore() }
        var checks = Checks()
        let running = Running()
        do {
            try await walkthrough(folder: folder, checks: &checks, running: running)
        } catch {
            checks.fail("the walkthrough stopped: \(error)")
        }
        // Stopped and closed before the folder is removed: SQLite removing the server's WAL as it closed, while
        // the folder was being emptied, made the removal give up and leave the replicas (and their tokens) behind.
        try? await running.server?.stop()
        try? await running.storage?.close()
        print("")
        if checks.failures.isEmpty {
            print("All \(checks.passed) checks held.\(keep ? " Files kept in \(folder)." : "")")
        } else {
            print("\(checks.failures.count) of \(checks.passed + checks.failures.count) checks failed:")
            for failure in checks.failures { print("  - \(failure)") }
            throw ExitCode.failure
        }
    }

    /// What the walkthrough started, for `run` to stop whether it finished or not.
    final class Running {
        var server: RunningServer?
        var storage: SQLiteSyncStorage?
    }

    func walkthrough(folder: String, checks: inout Checks, running: Running) async throws {
        var logger = Logger(label: "rapport.demo")
        logger.logLevel = .critical
        let now = { Int64(Date().timeIntervalSince1970 * 1000) }

        step("A team server starts on the embedded SQLite database.")
        let storage = try SQLiteSyncStorage(path: folder + "/server.sqlite")
        running.storage = storage
        let aliceToken = Tokens.generate()
        let bobToken = Tokens.generate()
        try await storage.addToken(user: "alice", tokenHash: Tokens.hash(aliceToken), label: "demo", now: now())
        try await storage.addToken(user: "bob", tokenHash: Tokens.hash(bobToken), label: "demo", now: now())
        let server = try await SyncServer.start(storage: storage, configuration: .init(host: "127.0.0.1", port: 0), logger: logger)
        running.server = server
        say("listening on \(server.url); users alice and bob have tokens")

        step("Alice and Bob each get a replica of their own.")
        let alice = try Replica.create(at: folder + "/alice.sqlite", user: "alice", server: server.url, token: aliceToken)
        let bob = try Replica.create(at: folder + "/bob.sqlite", user: "bob", server: server.url, token: bobToken)

        step("Alice adds the account Northwind Traders and a meeting note, then syncs.")
        let (account, note) = try alice.change { tx in
            let account = try tx.create("account", values: [
                ("name", .text("Northwind Traders")), ("industry", .text("Wholesale")), ("owner", .text("alice")),
                ("tier", .text("standard")), ("revenue", .real(1_200_000)), ("margin", .real(31)),
            ])
            let note = try tx.create("note", values: [
                ("account", .text(account)), ("title", .text("Quarterly review")), ("kind", .text("meeting")),
                ("created_at", .text(NoteCommand.nowStamp())),
                ("body", .text("Attendees: Dana (COO), Alice\nConversion up 4% this quarter.\nNext: agree the Q1 targets.")),
            ])
            return (account, note)
        }
        try await sync(alice, "Alice")
        try await sync(bob, "Bob")
        checks.expect(try bob.record("account", id: account)?["name"] == .text("Northwind Traders"), "Bob's replica has Alice's account after his first sync")

        step("Both go offline and edit the same account and the same note.")
        try alice.change { tx in
            _ = try tx.set("account", row: account, "revenue", to: .real(1_500_000))
            _ = try tx.editText("note", row: note, "body", to: .text(
                "Attendees: Dana (COO), Alice\nConversion up 4% this quarter.\nNext: agree the Q1 targets by 15 December."))
        }
        say("Alice: revenue 1.2m -> 1.5m; adds a deadline to the note's last line")
        try bob.change { tx in
            _ = try tx.set("account", row: account, "tier", to: .text("key"))
            _ = try tx.editText("note", row: note, "body", to: .text(
                "Attendees: Dana (COO), Alice, Bob\nConversion up 4% this quarter.\nNext: agree the Q1 targets.\nRisk: their CFO wants a price review."))
        }
        say("Bob:   tier standard -> key; adds himself and a risk to the note")
        say("offline, each replica records its own operations: Alice \(try alice.pendingCount()) pending, Bob \(try bob.pendingCount()) pending")

        step("Back online, both sync (Alice, Bob, then Alice again to receive Bob's changes).")
        try await sync(alice, "Alice")
        try await sync(bob, "Bob")
        try await sync(alice, "Alice")

        step("Different fields of one account: both changes stand (last writer wins per field).")
        for (name, replica) in [("Alice", alice), ("Bob", bob)] {
            let record = try replica.record("account", id: account)
            say("\(name) sees: revenue \(record?["revenue"].display ?? "?"), tier \(record?["tier"].display ?? "?")")
            checks.expect(record?["revenue"] == .real(1_500_000), "\(name)'s replica keeps Alice's revenue")
            checks.expect(record?["tier"] == .text("key"), "\(name)'s replica keeps Bob's tier")
        }

        step("The same note, edited by both: neither text is dropped; it waits for review.")
        let conflicts = try bob.conflicts()
        checks.expect(conflicts.count == 1, "Bob's replica has one open conflict")
        checks.expect(try alice.conflicts().map(\.id) == conflicts.map(\.id), "Alice's replica has the same conflict")
        guard let conflict = conflicts.first else { return }
        say("`rapport conflicts` lists \(conflict.id) on note \"Quarterly review\"; `rapport conflicts show \(conflict.id)` shows each version against their common base:")
        let base = try conflict.base.flatMap { try bob.operation($0, on: conflict.key) }?.value.display ?? ""
        for id in conflict.versions {
            guard let version = try bob.operation(id, on: conflict.key) else { continue }
            say("  \(version.author)'s version against the base:")
            for line in LineDiff.lines(from: base, to: version.value.display) { say("    \(line)") }
        }

        step("Bob resolves it with a text that keeps both people's words, then both sync.")
        let merged = "Attendees: Dana (COO), Alice, Bob\nConversion up 4% this quarter.\nNext: agree the Q1 targets by 15 December.\nRisk: their CFO wants a price review."
        try bob.change { tx in _ = try tx.resolve(conflict: conflict.id, with: .text(merged)) }
        try await sync(bob, "Bob")
        try await sync(alice, "Alice")
        checks.expect(try alice.conflicts().isEmpty && bob.conflicts().isEmpty, "the conflict is closed on both replicas")
        checks.expect(try alice.record("note", id: note)?["body"] == .text(merged), "Alice's replica has the resolved note")

        step("Both replicas now hold the same accounts and notes.")
        for entity in ["account", "note"] {
            let same = try alice.records(entity) == bob.records(entity)
            checks.expect(same, "\(entity) tables are identical")
            say("\(entity)s: \(same ? "identical" : "DIFFERENT")")
        }
        let history = try alice.history(row: account)
        say("and the account's history keeps who changed what: \(history.count) operations, e.g. \(history.last.map { "\($0.author) set \($0.field) to \($0.value.display)" } ?? "")")

        try alice.close()
        try bob.close()
    }

    func sync(_ replica: Replica, _ name: String) async throws {
        let report = try await SyncClient(replica: replica).sync()
        say("\(name) syncs: sent \(report.pushed), received \(report.applied)\(report.openConflicts > 0 ? ", \(report.openConflicts) conflict(s) to review" : "")")
    }

    func step(_ text: String) { print("\n== \(text)") }
    func say(_ text: String) { print("   \(text)") }

    struct Checks {
        var passed = 0
        var failures: [String] = []

        mutating func expect(_ condition: @autoclosure () throws -> Bool, _ claim: String) {
            if (try? condition()) == true {
                passed += 1
                print("   ✓ \(claim)")
            } else {
                failures.append(claim)
                print("   ✗ \(claim)")
            }
        }

        mutating func fail(_ claim: String) {
            failures.append(claim)
            print("   ✗ \(claim)")
        }
    }
}
