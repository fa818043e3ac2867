import Foundation
import GRDB
import Glibc
import RapportTestSupport
import Testing

/// Two managers and a `rapport serve` process: sync and conflict review through the real binary.
@Suite(.serialized) struct TeamCommandTests {
    /// A conflict resolved by a sync (or on another terminal) while its merge is being written in $EDITOR: the
    /// merge typed is kept, with how the conflict ended; it was lost with "no open conflict".
    @Test func aMergeWrittenWhileTheConflictWasResolvedIsKept() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let dir = team.dir
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["note", "add", "Acme", "--title", "Plan", "--text", "Goal: grow 10%"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["note", "edit", "Plan", "--text", "Goal: grow 11%"]).status == 0)
        #expect(try bob.run(["note", "edit", "Plan", "--text", "Goal: grow 12%"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let id = try #require((try alice.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        #expect(try bob.run(["conflicts", "resolve", id, "--keep", "mine"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        // Alice merges in her editor; meanwhile a sync brings bob's resolution.
        let script = dir.file("sync-then-merge.sh")
        try Data("#!/bin/sh\n'\(RapportBinary.url.path)' sync >/dev/null\nprintf 'Goal: grow 11.5%%' > \"$1\"\n".utf8).write(to: URL(fileURLWithPath: script))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        var merging = alice
        merging.environment["EDITOR"] = script
        let refused = try merging.run(["conflicts", "resolve", id])
        #expect(refused.status == 64 && refused.stderr.contains("while you merged, conflict \(id) is already resolved by bob on "), "\(refused.stdout)\(refused.stderr)")
        // Given back to the command that writes the text now (it said "give it back with --file", to `resolve`, which
        // refused it as resolved; QA).
        let kept = try #require(refused.stderr.firstMatch(of: /kept in (\S+): give it there with `rapport note edit [0-9a-f]{8} --file (\S+)`/), "\(refused.stderr)")
        #expect(kept.1 == kept.2 && !refused.stderr.contains("give it back"), "\(refused.stderr)")
        let file = String(kept.1)
        #expect(try alice.run(["note", "edit", "Plan", "--file", file]).status == 0)
        try? FileManager.default.removeItem(atPath: file)
        #expect((try alice.json(["note", "show", "Plan"]) as? [String: Any])?["body"] as? String == "Goal: grow 11.5%")
        // An id this replica holds no conflict of may be one a colleague resolved before it saw it open (QA).
        let unknown = try alice.run(["conflicts", "show", "ffff0000"])
        #expect(unknown.status == 64 && unknown.stderr.contains("no conflict 'ffff0000' on this replica") && unknown.stderr.contains("`rapport history NAME` shows every version"), "\(unknown.stderr)")
    }

    @Test func twoManagersSyncAndResolveANoteConflict() throws {
        let dir = try TemporaryFolder()
        let admin = RapportBinary()
        let db = dir.file("server.sqlite")
        let aliceToken = try admin.addUser("alice", db: db)
        let bobToken = try admin.addUser("bob", db: db)
        #expect(aliceToken.hasPrefix("rpt_") && aliceToken.count == 68)
        let server = try ServerProcess(arguments: ["--db", db])
        defer { server.stop() }

        let alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        let bob = RapportBinary(environment: ["RAPPORT_DB": dir.file("bob.sqlite")])
        #expect(try alice.run(["init", "--user", "alice", "--server", server.url, "--token", aliceToken]).status == 0)
        #expect(try bob.run(["init", "--user", "bob", "--server", server.url, "--token", bobToken]).status == 0)

        #expect(try alice.run(["account", "add", "Acme", "--revenue", "100k"]).status == 0)
        #expect(try alice.run(["note", "add", "Acme", "--title", "Plan", "--text", "Goal: grow 10%"]).status == 0)
        #expect(try alice.run(["stakeholder", "add", "Acme", "Jane Doe", "--title", "CFO"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let bobSync = try bob.run(["sync"])
        #expect(bobSync.status == 0, "\(bobSync.stderr)")

        #expect(try alice.run(["account", "set", "Acme", "revenue=150k"]).status == 0)
        #expect(try alice.run(["note", "edit", "Plan", "--text", "Goal: grow 10% in Q1"]).status == 0)
        #expect(try bob.run(["account", "set", "Acme", "tier=key"]).status == 0)
        #expect(try bob.run(["note", "edit", "Plan", "--text", "Goal: grow 12%"]).status == 0)
        #expect(try alice.run(["stakeholder", "notes", "Jane", "--text", "Signs off budgets"]).status == 0)
        #expect(try bob.run(["stakeholder", "notes", "Jane", "--text", "Prefers email"]).status == 0)
        // The same new customer added by both, offline: the sync that brings the second says so, and what to do.
        #expect(try alice.run(["account", "add", "Globex"]).status == 0)
        #expect(try alice.run(["meeting", "add", "Globex", "--kind", "adhoc", "--date", "2026-05-02"]).status == 0)
        #expect(try bob.run(["account", "add", "globex "]).status == 0)
        var said: [String] = []
        for replica in [alice, bob, alice] {
            let synced = try replica.run(["sync"])
            #expect(synced.status == 0)
            said.append(synced.stdout)
        }
        #expect(said[1].contains("2 accounts are called") && said[1].contains("rapport account merge"), "\(said[1])")
        // The same customer: once the spare is archived, the name means the one kept.
        #expect(try bob.run(["account", "show", "Globex"]).stderr.contains("matches"))
        let globex = try #require(try bob.json(["account", "list"]) as? [[String: Any]]).filter { ($0["name"] as? String)?.lowercased().hasPrefix("globex") == true }
        let spare = try #require(globex.first { $0["name"] as? String != "Globex" }?["id"] as? String)
        let keptGlobex = try #require(globex.first { $0["name"] as? String == "Globex" }?["id"] as? String)
        // The advice keeps the one with the meeting, whichever id is higher (it named the higher one to archive).
        #expect(said[1].contains("keep \(keptGlobex.prefix(8)), which holds 1 record (\(spare.prefix(8)) no records)"), "\(said[1])")
        #expect(said[1].contains("merge the other into it (`rapport account merge \(spare.prefix(8)) --into \(keptGlobex.prefix(8))`)"), "\(said[1])")
        // `sync --json` gives the same advice to a script (at every sync, until one is archived or renamed).
        // Said in full once, by the sync that brings it; after, in a line (every pair at every sync flooded a team).
        #expect(try alice.run(["account", "set", "Acme", "industry=Retail"]).status == 0 && alice.run(["sync"]).status == 0)
        let later = try bob.run(["sync"]).stdout
        #expect(later.contains("1 name is still shared by accounts added apart, as said before") && !later.contains("2 accounts are called"), "\(later)")
        #expect(try alice.run(["account", "set", "Acme", "industry=Food"]).status == 0 && alice.run(["sync"]).status == 0)
        let advice = try #require((try bob.json(["sync"]) as? [String: Any])?["account_merges"] as? [[String: Any]])
        #expect(advice.first?["keep"] as? String == keptGlobex && advice.first?["merge"] as? [String] == [spare], "\(advice)")
        // Names that differ only in punctuation: said once, by the sync that brings the other, as `account add` says it.
        #expect(try alice.run(["account", "add", "Initech, Inc."]).status == 0 && bob.run(["account", "add", "Initech Inc"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let similar = try bob.run(["sync"])
        #expect(similar.stdout.contains(") differ only in punctuation, spacing or accents: if they are one customer, `rapport account merge "), "\(similar.stdout)")
        #expect(try alice.run(["account", "set", "Acme", "industry=Food"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try !bob.run(["sync"]).stdout.contains("differ only in punctuation"))
        // Many at once (one file imported on two laptops): ten told in full, the rest counted (found by QA: 8,004
        // paragraphs, 3 MB).
        let twinsFile = dir.file("twins.csv")
        try ("name\n" + (1...12).map { "Twin \($0)" }.joined(separator: "\n") + "\n").write(toFile: twinsFile, atomically: true, encoding: .utf8)
        #expect(try alice.run(["import", "accounts", twinsFile]).status == 0 && bob.run(["import", "accounts", twinsFile]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let many = try bob.run(["sync"]).stdout
        #expect(many.contains("12 names are shared by accounts added apart before they synced") && many.components(separatedBy: " accounts are called Twin ").count == 11, "\(many)")
        // Likewise names that differ only in punctuation: ten groups told, the rest counted.
        let commas = dir.file("commas.csv"), plain = dir.file("plain.csv")
        try ("name\n" + (1...12).map { "\"Sim \($0), Inc.\"" }.joined(separator: "\n") + "\n").write(toFile: commas, atomically: true, encoding: .utf8)
        try ("name\n" + (1...12).map { "Sim \($0) Inc" }.joined(separator: "\n") + "\n").write(toFile: plain, atomically: true, encoding: .utf8)
        #expect(try alice.run(["import", "accounts", commas]).status == 0 && bob.run(["import", "accounts", plain]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let punctuated = try bob.run(["sync"]).stdout
        #expect(punctuated.components(separatedBy: "differ only in punctuation, spacing or accents: if they are one customer").count == 11
                && punctuated.contains("... and 2 more groups of names that differ only in punctuation"), "\(punctuated)")
        // Three of a group: one line, one account to keep (by pairs, one was merged into an account merged away).
        #expect(try alice.run(["account", "add", "Umbrella Corp."]).status == 0 && alice.run(["account", "add", "umbrella-corp"]).status == 0)
        #expect(try bob.run(["account", "add", "Umbrella Corp"]).status == 0 && alice.run(["sync"]).status == 0)
        let three = try bob.run(["sync"]).stdout.split(separator: "\n").filter { $0.contains("differ only in punctuation") }
        #expect(three.count == 1 && three[0].components(separatedBy: "rapport account merge").count == 3 && three[0].contains(" and "), "\(three)")
        // As the advice says: what bob recorded at his copy moves to the one kept, for everyone, and the copy is archived.
        #expect(try bob.run(["stakeholder", "add", String(spare.prefix(8)), "Ana Lima", "--role", "user"]).status == 0)
        #expect(try bob.run(["account", "set", String(spare.prefix(8)), "industry=Freight"]).status == 0)
        let merged = try bob.run(["account", "merge", String(spare.prefix(8)), "--into", String(keptGlobex.prefix(8))])
        #expect(merged.status == 0 && merged.stdout.contains("brought over 1 stakeholder.") && merged.stdout.contains("Taken from the copy: industry 'Freight'."), "\(merged.stdout)")
        #expect((try bob.json(["account", "show", "Globex"]) as? [String: Any])?["name"] as? String == "Globex")
        // Meanwhile alice, not yet synced, recorded a meeting at the copy: her sync says where it went, and how
        // to bring it over; merging the copy again does.
        #expect(try alice.run(["meeting", "add", String(spare.prefix(8)), "--kind", "adhoc", "--date", "2026-05-04"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        let told = try alice.run(["sync"])
        #expect(told.stdout.contains("bob archived ") && told.stdout.contains("1 record you made or edited under it since your last sync left the lists with it")
                && told.stdout.contains("`rapport account merge \(spare.prefix(8)) --into \(keptGlobex.prefix(8))` brings what is on it there"), "\(told.stdout)")
        let remerged = try alice.run(["account", "merge", String(spare.prefix(8)), "--into", "Globex"])
        #expect(remerged.stdout.contains("brought over 1 meeting.") && remerged.stdout.contains("was archived already"), "\(remerged.stdout)")
        #expect((try alice.json(["meeting", "list", "Globex"]) as? [[String: Any]])?.map { $0["date"] as? String }.contains("2026-05-04") == true)
        #expect((try alice.json(["stakeholders", "Globex"]) as? [String: Any]).flatMap { $0["stakeholders"] as? [[String: Any]] }?.map { $0["name"] as? String } == ["Ana Lima"])
        #expect((try alice.json(["account", "list", "--archived"]) as? [[String: Any]])?.contains { $0["id"] as? String == spare } == true)
        // And the start of the name, as for any other account.
        #expect((try bob.json(["account", "show", "glob"]) as? [String: Any])?["id"] as? String == keptGlobex)
        // An import by that name does the same (it was refused as matching two accounts).
        let csv = dir.file("globex.csv")
        try Data("Name,Industry\nGlobex,Logistics\n".utf8).write(to: URL(fileURLWithPath: csv))
        let imported = try bob.run(["import", "accounts", csv])
        #expect(imported.status == 0 && imported.stdout.contains("0 new, 1 updated"), "\(imported.stderr)")
        #expect((try bob.json(["account", "show", "Globex"]) as? [String: Any])?["industry"] as? String == "Logistics")

        for replica in [alice, bob] {
            let account = try #require(try replica.json(["account", "show", "Acme"]) as? [String: Any])
            #expect(account["revenue"] as? Double == 150_000)
            #expect(account["tier"] as? String == "key")
        }
        let both = try #require(try bob.json(["conflicts"]) as? [[String: Any]])
        // Each names its account and record, a stakeholder by name rather than job title.
        #expect(Set(both.compactMap { ($0["label"] as? String)?.replacingOccurrences(of: #" [0-9a-f]{8} "#, with: " ", options: .regularExpression) })
            == ["Acme / note \"Plan\" / body", "Acme / stakeholder \"Jane Doe\" / notes"], "\(both)")
        // And for a script, the account by id and name, and when it was opened.
        let acme = try #require((try bob.json(["account", "show", "Acme"]) as? [String: Any])?["id"] as? String)
        #expect(both.allSatisfy { $0["account_id"] as? String == acme && $0["account_name"] as? String == "Acme" && ($0["opened_at"] as? String)?.hasSuffix("Z") == true && $0["resolved_by"] is NSNull }, "\(both)")
        let stakeholderConflict = try #require(both.first { $0["entity"] as? String == "stakeholder" }?["id"] as? String)
        #expect(try bob.run(["conflicts", "resolve", stakeholderConflict, "--keep", "mine"]).status == 0)
        let conflicts = try #require(try bob.json(["conflicts"]) as? [[String: Any]])
        #expect(conflicts.count == 1)
        // Closed, with who resolved it and when.
        let closed = try #require((try bob.json(["conflicts", "list", "--all"]) as? [[String: Any]])?.first { $0["id"] as? String == stakeholderConflict })
        #expect(closed["status"] as? String == "resolved" && closed["resolved_by"] as? String == "bob" && closed["resolved_at"] is String, "\(closed)")
        // And what it was resolved with (shown by nothing but `history`; QA).
        #expect(closed["resolution_text"] as? String == "Prefers email" && (closed["resolution"] as? String)?.contains(":") == true, "\(closed)")
        let resolvedShown = try bob.run(["conflicts", "show", stakeholderConflict]).stdout
        #expect(resolvedShown.contains("=== resolution: bob, ") && resolvedShown.contains("— it keeps version 1's text ===\nPrefers email"), "\(resolvedShown)")
        let id = try #require(conflicts.first?["id"] as? String)
        let show = try bob.run(["conflicts", "show", id])
        #expect(show.stdout.contains("+ Goal: grow 12%"))
        #expect(show.stdout.contains("+ Goal: grow 10% in Q1"))
        #expect(show.stdout.contains("- Goal: grow 10%"))
        #expect(show.stdout.contains("--keep mine|theirs`"), "\(show.stdout)")
        // Bob's own version first, marked as his (the one `--keep mine` keeps).
        #expect(show.stdout.contains("=== version 1 (yours): bob, ") && show.stdout.contains("=== version 2: alice, "), "\(show.stdout)")
        // So in JSON, each version with whether it is yours, in the order of their numbers; and the list.
        let versions = try #require((try bob.json(["conflicts", "show", id]) as? [String: Any])?["versions"] as? [[String: Any]])
        #expect(versions.map { "\($0["author"] as? String ?? "") \($0["yours"] as? Bool ?? false)" } == ["bob true", "alice false"], "\(versions)")
        #expect((try alice.json(["conflicts", "show", id]) as? [String: Any]).flatMap { ($0["versions"] as? [[String: Any]])?.map { $0["author"] as? String } } == ["alice", "bob"])
        #expect(try bob.run(["conflicts"]).stdout.firstMatch(of: /bob [^\n]* vs alice/) != nil)
        #expect(try alice.run(["conflicts"]).stdout.firstMatch(of: /alice [^\n]* vs bob/) != nil)
        #expect((try alice.json(["conflicts"]) as? [[String: Any]])?.first.flatMap { ($0["versions"] as? [[String: Any]])?.filter { $0["yours"] as? Bool == true }.map { $0["author"] as? String } } == ["alice"])

        // An editor that leaves the markers in is refused, and nothing is saved. Saved as it was given, there is
        // nothing to keep (a file was left per try).
        var careless = bob
        careless.environment["EDITOR"] = try dir.editor(writing: "", append: true)
        let untouched = try careless.run(["conflicts", "resolve", id])
        #expect(untouched.status != 0 && untouched.stderr.contains("conflict markers") && !untouched.stderr.contains("Your text is kept"), "\(untouched.stderr)")
        careless.environment["EDITOR"] = try dir.editor(writing: "\nA line of mine", append: true)
        let refused = try careless.run(["conflicts", "resolve", id])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("conflict markers"))
        // The merge done in the editor is kept for another try, not deleted with the refusal.
        let kept = try #require(refused.stderr.components(separatedBy: "Your text is kept in ").last?.components(separatedBy: ":").first)
        #expect(try String(contentsOfFile: kept, encoding: .utf8).contains("Goal: grow 12%"))
        try? FileManager.default.removeItem(atPath: kept)
        // An empty merged text (an unset shell variable) would replace both versions with nothing.
        for blank in ["", " \n"] {
            let empty = try bob.run(["conflicts", "resolve", id, "--text", blank])
            #expect(empty.status == 64 && empty.stderr.contains("the resolution is empty; nothing was saved"), "\(empty.stderr)")
        }
        #expect((try bob.json(["conflicts"]) as? [Any])?.count == 1)
        // `note list --json` names the open conflict, as the text list marks the note "in review".
        let listed = try #require(try bob.json(["note", "list", "Acme"]) as? [[String: Any]])
        #expect(listed.first { $0["title"] as? String == "Plan" }?["open_conflict"] as? String == id, "\(listed)")
        #expect(listed.allSatisfy { $0["account_name"] as? String == "Acme" })
        #expect((try bob.json(["note", "show", "Plan"]) as? [String: Any])?["account_name"] as? String == "Acme")
        let shown = try #require((try bob.json(["account", "show", "Acme"]) as? [String: Any])?["notes"] as? [[String: Any]])
        #expect(shown.first { $0["title"] as? String == "Plan" }?["open_conflict"] as? String == id, "\(shown)")

        // Archiving the account does not archive its review: said.
        let archiving = try bob.run(["account", "archive", "Acme"])
        #expect(archiving.stdout.contains("Its review stays open in `rapport conflicts` (\(id)): a colleague's version waits there"), "\(archiving.stdout)")
        #expect(try bob.run(["account", "set", "Acme", "archived=false"]).status == 0)
        #expect(try bob.run(["account", "set", "Acme", "archived=true"]).stdout.contains("Its review stays open in `rapport conflicts` (\(id))"))
        #expect(try bob.run(["account", "set", "Acme", "archived=false"]).status == 0)
        // Two versions to keep is no resolution (the last one given was taken).
        let twice = try bob.run(["conflicts", "resolve", id, "--keep", "mine", "--keep", "theirs"])
        #expect(twice.status == 64 && twice.stderr.contains("--keep is given 2 times (mine, theirs): a resolution keeps one version"), "\(twice.stderr)")
        // Its usage, written by hand not to show --keep as a list, names every option the help lists.
        let help = try bob.run(["conflicts", "resolve", "--help"]).stdout
        let usage = try #require(help.split(separator: "\n").first { $0.hasPrefix("USAGE: ") })
        #expect(usage.contains(" <id> [--keep <version>] ") && !usage.contains("..."), "\(usage)")
        let options = help.split(separator: "\n").compactMap { $0.wholeMatch(of: /\ \ (--[a-z-]+)\ .*/)?.1 }.filter { $0 != "--version" && $0 != "--help" }
        #expect(options.count >= 5 && options.allSatisfy { usage.contains("[\($0)") }, "\(options) \(usage)")
        let slip = try bob.run(["conflicts", "resolve", id, "--keep", "thiers"])
        #expect(slip.status != 0 && slip.stderr.contains("did you mean 'theirs'? 'thiers' wrote none of these versions"), "\(slip.stderr)")
        // Said whose version was kept: one picked by mistake is seen at once.
        let resolved = try bob.run(["conflicts", "resolve", id, "--keep", "theirs"])
        #expect(resolved.status == 0 && resolved.stdout.hasPrefix("Resolved \(id): kept alice's version of "), "\(resolved.stdout)")
        for replica in [bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        for replica in [alice, bob] {
            #expect((try replica.json(["conflicts"]) as? [Any])?.isEmpty == true)
            let note = try #require(try replica.json(["note", "show", "Plan"]) as? [String: Any])
            #expect(note["body"] as? String == "Goal: grow 10% in Q1")
        }
        // Its history numbers the versions of the text, which share their first line, and marks the resolution.
        let history = try alice.run(["history", "Plan"]).stdout
        #expect(history.contains("#1 Goal: grow 10%") && history.contains("#3 Goal: grow 12%") && history.contains("[resolution, shown now]"), "\(history)")
        // A conflict already resolved says by whom and where its texts are, instead of a dead end.
        let again = try bob.run(["conflicts", "resolve", id, "--keep", "mine"])
        #expect(again.status != 0 && again.stderr.contains("is already resolved by bob on ") && again.stderr.contains("`rapport history "), "\(again.stderr)")
        #expect(again.stderr.contains("; to change the text now, `rapport note edit "), "\(again.stderr)")
        #expect(try alice.run(["conflicts", "show", id]).stdout.contains("is already resolved by bob on "))

        // Bob's new version comes in through a sync while alice writes hers in $EDITOR: hers is saved, and she
        // is told the two wait for review (it said only "Updated note").
        #expect(try bob.run(["note", "edit", "Plan", "--text", "Goal: grow 15%"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        let script = dir.file("sync-then-write.sh")
        try Data("#!/bin/sh\n'\(RapportBinary.url.path)' sync >/dev/null\nprintf 'Goal: grow 11%%' > \"$1\"\n".utf8).write(to: URL(fileURLWithPath: script))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        var writing = alice
        writing.environment["EDITOR"] = script
        let edited = try writing.run(["note", "edit", "Plan"])
        #expect(edited.status == 0 && edited.stdout.contains("both wait for review (`rapport conflicts show "), "\(edited.stdout) \(edited.stderr)")

        // Removing the note ends its review, for everyone (it stayed open on every replica): resolving is refused.
        let review = try #require((try alice.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect((try bob.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String == review)
        let removed = try alice.run(["note", "remove", "Plan"])
        #expect(removed.status == 0 && removed.stdout.contains("The review of its body (conflict \(review)) ends with it"), "\(removed.stdout) \(removed.stderr)")
        #expect(try alice.run(["sync"]).status == 0)
        // Bob's version was in that review: his sync says how it ended, and where his text is (it said nothing).
        let ended = try bob.run(["sync"])
        #expect(ended.status == 0 && ended.stdout.contains("(conflict \(review)), which held your version, ended: alice removed the note. Your text is kept: `rapport history ")
                && ended.stdout.contains("`rapport note restore "), "\(ended.stdout)")
        #expect(try alice.run(["sync"]).status == 0)
        for replica in [alice, bob] {
            #expect((try replica.json(["conflicts"]) as? [Any])?.isEmpty == true)
            #expect((try replica.json(["status"]) as? [String: Any])?["open_conflicts"] as? Int == 0)
            let late = try replica.run(["conflicts", "resolve", review, "--keep", "mine"])
            #expect(late.status == 64 && late.stderr.contains("was removed, so its review is over"), "\(late.stderr)")
        }

        // Bob edits Jane while alice removes her: his sync says his edit went with her, and where it is.
        #expect(try bob.run(["stakeholder", "set", "Jane", "title=CEO"]).status == 0)
        #expect(try alice.run(["stakeholder", "remove", "Jane Doe"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let gone = try bob.run(["sync"])
        #expect(gone.status == 0 && gone.stdout.contains("alice removed Acme / stakeholder ") && gone.stdout.contains(" \"Jane Doe\", which you had edited since your last sync: the removal stands for everyone; your versions are in `rapport history "), "\(gone.stdout)")
        #expect(!(try bob.run(["sync"]).stdout.contains("removed")))
        #expect(try bob.run(["stakeholder", "set", "Jane", "title=CFO"]).stderr.contains("no stakeholder"))
        // Bob records a KPI reading offline while alice removes the KPI: his reading stays, naming it, and he is told.
        #expect(try alice.run(["plan", "kpi", "add", "Acme", "GMV"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try bob.run(["plan", "reading", "GMV", "12", "--date", "2026-05-12"]).status == 0)
        #expect(try alice.run(["plan", "kpi", "remove", "GMV"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let orphaned = try bob.run(["sync"])
        #expect(orphaned.status == 0 && orphaned.stdout.contains("alice removed Acme / KPI ") && orphaned.stdout.contains("\"GMV\"; Acme / KPI reading ")
            && orphaned.stdout.contains(", which you made or edited since your last sync, refers to it: it stays and still names it"), "\(orphaned.stdout)")
        // The history the notice names, run as written (the KPI's id by its start).
        let handle = try #require(orphaned.stdout.firstMatch(of: /`rapport history ([0-9a-f]{8}\/[0-9-]{10})` shows it/)?.1, "\(orphaned.stdout)")
        #expect(try bob.run(["history", String(handle)]).status == 0)
        #expect(!(try bob.run(["sync"]).stdout.contains("removed")))

        // Alice sets a field offline, bob sets it later and syncs first: alice's sync says whose value stands.
        #expect(try alice.run(["account", "set", "Acme", "revenue=160k", "industry=Retail", "margin=34"]).status == 0)
        #expect(try bob.run(["account", "set", "Acme", "revenue=175k", "margin=35"]).status == 0)
        #expect(try bob.run(["sync"]).stdout.contains("after you set it") == false)
        let replaced = try alice.run(["sync"])
        #expect(replaced.stdout.contains("bob set Acme / account ") && replaced.stdout.contains("/ revenue to '175,000' after you set it to '160,000': the later stands."), "\(replaced.stdout)")
        // A margin as `account show` gives it.
        #expect(replaced.stdout.contains("/ margin to '35%' after you set it to '34%'"), "\(replaced.stdout)")
        #expect(!replaced.stdout.contains("industry"), "\(replaced.stdout)")
        #expect(!(try alice.run(["sync"]).stdout.contains("after you set it")))
        // A value emptied later is told as cleared, not as "set to nothing".
        #expect(try alice.run(["account", "set", "Acme", "industry=Textiles"]).status == 0)
        #expect(try bob.run(["account", "set", "Acme", "industry="]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        let cleared = try alice.run(["sync"])
        #expect(cleared.stdout.contains("bob cleared Acme / account ") && cleared.stdout.contains("/ industry after you set it to 'Textiles': the later stands."), "\(cleared.stdout)")
        // Bob's value goes out first; alice's later one, set offline meanwhile, replaces it when she syncs. Bob had
        // nothing left to send at his next sync, and was not told.
        #expect(try bob.run(["account", "set", "Acme", "industry=Machinery"]).status == 0)
        #expect(try alice.run(["account", "set", "Acme", "industry=Industrial"]).status == 0)
        Thread.sleep(forTimeInterval: 2.5)  // beyond the margin allowed for laptops' clocks
        #expect(try bob.run(["sync"]).status == 0)
        // Alice replaced bob's value without having seen it: her sync says so, for her to tell him.
        let unseen = try alice.run(["sync"])
        #expect(!unseen.stdout.contains("after you set it") && unseen.stdout.contains("bob had set Acme / account ")
            && unseen.stdout.contains("/ industry to 'Machinery' before you set it to 'Industrial', and this replica had not seen it: yours stands."), "\(unseen.stdout)")
        let synced = try bob.run(["sync"])
        #expect(synced.stdout.contains("alice set Acme / account ") && synced.stdout.contains("/ industry to 'Industrial' after you set it to 'Machinery': the later stands."), "\(synced.stdout)")
        #expect(!(try bob.run(["sync"]).stdout.contains("after you set it")))
        // A value set after bob's had reached the team replaced it knowingly (the next stage of a deal): not told.
        #expect(try bob.run(["account", "set", "Acme", "industry=Mining"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "set", "Acme", "industry=Energy"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let followed = try bob.run(["sync"])
        #expect(followed.status == 0 && !followed.stdout.contains("after you set it"), "\(followed.stdout)")
        // Bob had pulled alice's Energy before setting his own: he replaced it knowingly, and is not told.
        #expect(try bob.run(["account", "set", "Acme", "industry=Utilities"]).status == 0)
        #expect(!(try bob.run(["sync"]).stdout.contains("had not seen it")))
        // Alice archives an account that bob edits offline: his sync says so, and how to bring it back.
        #expect(try alice.run(["account", "add", "Beta"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try bob.run(["account", "set", "Beta", "industry=Retail"]).status == 0)
        #expect(try alice.run(["account", "archive", "Beta"]).status == 0 && alice.run(["sync"]).status == 0)
        let archived = try bob.run(["sync"])
        #expect(archived.stdout.contains("alice archived ") && archived.stdout.contains("Beta")
            && archived.stdout.contains("which you had edited since your last sync: it is off the lists with your edits"), "\(archived.stdout)")
        // A record both made under the same id (a score merges, it is not added twice), and the same value set
        // by both, which replaced nothing.
        #expect(try alice.run(["criteria", "add", "fit", "--weight", "50"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["score", "Acme", "fit=6"]).status == 0)
        #expect(try alice.run(["account", "set", "Acme", "margin=20"]).status == 0)
        #expect(try bob.run(["score", "Acme", "fit=8"]).status == 0)
        #expect(try bob.run(["account", "set", "Acme", "margin=20"]).status == 0)
        #expect(try alice.run(["criteria", "set", "fit", "weight=30"]).status == 0)
        #expect(try bob.run(["criteria", "set", "fit", "weight=40"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        let scored = try alice.run(["sync", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as? [String: Any])
        let overwritten = try #require(report["overwritten"] as? [[String: Any]])
        #expect(overwritten.map { $0["field"] as? String } == ["value", "weight"] && overwritten.first?["theirs_author"] as? String == "bob", "\(scored.stdout)")
        // A score is named by its criterion; a criterion is the whole team's: no account before it.
        #expect((overwritten.first?["label"] as? String)?.contains("/ score ") == true && (overwritten.first?["label"] as? String)?.contains("\"fit\" / value") == true, "\(scored.stdout)")
        #expect((overwritten.last?["label"] as? String)?.hasPrefix("criterion ") == true, "\(scored.stdout)")
        #expect(overwritten.first?["mine"] as? Int == 6 && overwritten.first?["theirs"] as? Int == 8 && (report["edited_removed"] as? [Any])?.isEmpty == true, "\(scored.stdout)")
        #expect((report["replaced_unseen"] as? [Any])?.isEmpty == true && (report["archived_after_edit"] as? [Any])?.isEmpty == true, "\(scored.stdout)")
    }

    /// `conflicts show` offered `--keep mine|theirs` to someone with no version in the conflict, whom
    /// `resolve` then refused: a third person keeps a version by its id.
    /// A note's title taken from its first line follows the text a resolution keeps: each edit retitled it, the
    /// later title stood by last writer wins, and the text kept then had another first line.
    @Test func aResolutionRetitlesANoteTitledByItsFirstLine() throws {
        let dir = try TemporaryFolder()
        let admin = RapportBinary()
        let db = dir.file("server.sqlite")
        let tokens = [try admin.addUser("alice", db: db), try admin.addUser("bob", db: db)]
        let server = try ServerProcess(arguments: ["--db", db])
        defer { server.stop() }
        let alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        let bob = RapportBinary(environment: ["RAPPORT_DB": dir.file("bob.sqlite")])
        #expect(try alice.run(["init", "--user", "alice", "--server", server.url, "--token", tokens[0]]).status == 0)
        #expect(try bob.run(["init", "--user", "bob", "--server", server.url, "--token", tokens[1]]).status == 0)
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["note", "add", "Acme", "--text", "Renewal risk\nFirst draft"]).status == 0)
        let id = try #require((try alice.json(["note", "list", "Acme"]) as? [[String: Any]])?.first?["id"] as? String)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["note", "edit", String(id.prefix(8)), "--text", "Alice: renewal safe\nSigned"]).status == 0)
        #expect(try bob.run(["note", "edit", String(id.prefix(8)), "--text", "Bob: renewal at risk\nNo budget"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let conflict = try #require((try alice.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        let resolved = try alice.run(["conflicts", "resolve", conflict, "--keep", "mine"])
        #expect(resolved.stdout.contains("; the note is titled 'Alice: renewal safe' after its first line."), "\(resolved.stdout)")
        for replica in [alice, bob] {
            #expect(try replica.run(["sync"]).status == 0)
            let note = try #require(try replica.json(["note", "show", String(id.prefix(8))]) as? [String: Any])
            #expect(note["title"] as? String == "Alice: renewal safe" && (note["body"] as? String)?.hasPrefix("Alice: renewal safe") == true, "\(note)")
        }
        // Both resolving at once, each keeping their own: the title is that of the text that stands, on both.
        #expect(try alice.run(["note", "edit", String(id.prefix(8)), "--text", "Alice again\nA"]).status == 0)
        #expect(try bob.run(["note", "edit", String(id.prefix(8)), "--text", "Bob again\nB"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        for replica in [alice, bob] {
            let open = try #require((try replica.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
            #expect(try replica.run(["conflicts", "resolve", open, "--keep", "mine"]).status == 0)
        }
        for replica in [alice, bob, alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        for replica in [alice, bob] {
            let note = try #require(try replica.json(["note", "show", String(id.prefix(8))]) as? [String: Any])
            let body = try #require(note["body"] as? String)
            #expect(note["title"] as? String == String(body.split(separator: "\n")[0]), "\(note)")
        }
    }

    @Test func aThirdPersonIsOfferedAVersionIDToKeep() throws {
        var team = try ServedTeam(users: ["alice", "bob", "carol"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob"), carol = try team.join("carol")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["note", "add", "Acme", "--title", "Plan", "--text", "base"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["note", "edit", "Plan", "--text", "alice's"]).status == 0)
        #expect(try bob.run(["note", "edit", "Plan", "--text", "bob's"]).status == 0)
        for replica in [alice, bob, carol] { #expect(try replica.run(["sync"]).status == 0) }
        let id = try #require((try carol.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        let shown = try carol.run(["conflicts", "show", id])
        #expect(shown.stdout.contains("`rapport conflicts resolve \(id) --keep 1|2`") && !shown.stdout.contains("mine|theirs"), "\(shown.stdout)")
        // Kept by the number shown, which the JSON gives each version too.
        let second = try #require(shown.stdout.firstMatch(of: /=== version 2: (\w+),/)?.1, "\(shown.stdout)")
        let versions = try #require((try carol.json(["conflicts", "show", id]) as? [String: Any])?["versions"] as? [[String: Any]])
        #expect(versions.first { $0["number"] as? Int == 2 }?["author"] as? String == String(second), "\(versions)")
        let resolved = try #require(try carol.json(["conflicts", "resolve", id, "--keep", "2"]) as? [String: Any])
        #expect(resolved["kept"] as? String == versions.first { $0["number"] as? Int == 2 }?["id"] as? String && resolved["text"] as? String == "\(second)'s", "\(resolved)")
        #expect(resolved["kept_author"] as? String == String(second), "\(resolved)")
        #expect(try carol.run(["note", "show", "Plan"]).stdout.contains("\(second)'s"))
    }

    /// Two people who each merged the other's copy of a customer into their own, offline, archived both: nothing
    /// of the name was left in the lists, and the first to sync heard nothing. Both are told, with the way back.
    @Test func mergesEachWayAreToldWithTheWayBack() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Zeta"]).status == 0)
        #expect(try bob.run(["account", "add", "zeta"]).status == 0)
        #expect(try bob.run(["note", "add", "zeta", "--title", "Bob's", "--text", "x"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let ids = try #require(try alice.json(["account", "list"]) as? [[String: Any]]).compactMap { $0["id"] as? String }
        let alices = try #require(try alice.json(["account", "list"]) as? [[String: Any]]).first { $0["name"] as? String == "Zeta" }?["id"] as? String
        let mine = try #require(alices), bobs = try #require(ids.first { $0 != mine })
        #expect(try alice.run(["account", "merge", String(bobs.prefix(8)), "--into", String(mine.prefix(8))]).status == 0)
        #expect(try bob.run(["account", "merge", String(mine.prefix(8)), "--into", String(bobs.prefix(8))]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let told = try bob.run(["sync"])
        // (Named as the first by id is: "Zeta" or "zeta", whichever id came lower.)
        #expect(told.stdout.lowercased().contains("2 accounts are called zeta and all are archived, by ") && told.stdout.contains("each merged into the other?"), "\(told.stdout)")
        // alice, whose sync went first, hears it at her next (in JSON here).
        let json = try #require(try alice.json(["sync"]) as? [String: Any])
        let archivers = try #require((json["accounts_all_archived"] as? [[[String: Any]]])?.first)
        #expect(Set(archivers.compactMap { $0["archived_by"] as? String }) == ["alice", "bob"], "\(json)")
        let first = String(min(mine, bobs).prefix(8)), other = String(max(mine, bobs).prefix(8))
        #expect(try bob.run(["account", "set", first, "archived=false"]).status == 0)
        #expect(try bob.run(["account", "merge", other, "--into", first]).status == 0)
        #expect(try bob.run(["sync"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect((try alice.json(["account", "list"]) as? [[String: Any]])?.map { $0["id"] as? String } == [min(mine, bobs)])
        #expect((try alice.json(["note", "list", "Zeta"]) as? [[String: Any]])?.map { $0["title"] as? String } == ["Bob's"])
    }

    /// Two users whose names differ only in capitals: an owner typed in a third spelling is neither's to guess,
    /// so it is stored as typed and said (it was stored without a word, on no one's `due` list).
    @Test func anOwnerTwoUsersNamesShareInCapitalsIsSaid() throws {
        var team = try ServedTeam(users: ["Eve", "evf", "alice"])
        defer { team.server.stop() }
        // A server from before `admin add-user` refused such a pair: evf renamed eve in its file.
        try DatabaseQueue(path: team.db).write { db in
            try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            try db.execute(sql: "UPDATE users SET name = 'eve' WHERE name = 'evf'")
            try db.execute(sql: "UPDATE tokens SET user = 'eve' WHERE user = 'evf'")
        }
        for user in ["Eve", "eve"] {
            let replica = try team.join(user, token: user == "eve" ? "evf" : nil)
            #expect(try replica.run(["account", "add", "\(user)'s account"]).status == 0)
            #expect(try replica.run(["sync"]).status == 0)
        }
        let alice = try team.join("alice")
        #expect(try alice.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        let set = try alice.run(["account", "set", "Acme", "owner=EVE"])
        #expect(set.status == 0 && set.stderr.contains("note: owner 'EVE' is stored as typed: 'Eve' and 'eve' both sync here"), "\(set.stderr)")
        let file = team.dir.file("crm.csv")
        try Data("Company Name,Account Owner\nInitech,EVE\nHooli,ALICE\n".utf8).write(to: URL(fileURLWithPath: file))
        let imported = try alice.run(["import", "accounts", file])
        #expect(imported.status == 0 && imported.stderr.contains("note: owner 'EVE' is stored as typed: 'Eve' and 'eve' both sync here")
                && imported.stderr.contains("note: an owner given in other capitals is stored as the user name they sync as: 'ALICE' as 'alice' (1 row)"), "\(imported.stderr)")
        // Either of the pair gets a further token (the refusal is of a new name only).
        #expect(try team.admin.run(["admin", "add-user", "eve", "--db", team.db]).status == 0)
        // In another team a name is another person's, whose lists alice never shares; moved beside her, refused.
        #expect(try team.admin.run(["admin", "add-user", "ALICE", "--db", team.db, "--workspace", "other"]).status == 0)
        let moving = try team.admin.run(["admin", "add-user", "ALICE", "--db", team.db])
        #expect(moving.status == 64 && moving.stderr.contains("'ALICE' differs from the user 'alice' only in capitals"), "\(moving.stderr)")
    }

    /// The owner of an account a colleague merged into another, or archived, heard nothing and found it gone from
    /// the lists: the sync says who did it and where its records went.
    @Test func theOwnerOfAnAccountMergedAwayIsTold() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["note", "add", "Acme", "--title", "Visit", "--text", "x"]).status == 0)
        #expect(try alice.run(["stakeholder", "add", "Acme", "Pat Kim"]).status == 0)
        #expect(try alice.run(["account", "add", "Initech"]).status == 0)
        #expect(try alice.run(["account", "add", "Takeover"]).status == 0)
        #expect(try alice.run(["account", "add", "Globex"]).status == 0 && bob.run(["account", "add", "Globex Corp"]).status == 0)
        #expect(try bob.run(["account", "add", "acme"]).status == 0 && bob.run(["stakeholder", "add", "acme", "Pat Kim"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let accounts = try #require(try bob.json(["account", "list"]) as? [[String: Any]])
        let alices = try #require(accounts.first { $0["name"] as? String == "Acme" }?["id"] as? String)
        let bobs = try #require(accounts.first { $0["name"] as? String == "acme" }?["id"] as? String)
        #expect(try bob.run(["account", "merge", String(alices.prefix(8)), "--into", String(bobs.prefix(8))]).status == 0)
        #expect(try bob.run(["account", "set", "Initech", "archived=true"]).status == 0)
        // A copy that held nothing, under another name: the merge itself says where it went.
        #expect(try bob.run(["account", "merge", "Globex", "--into", "Globex Corp"]).status == 0)
        // Handed over and archived in one change: it was hers.
        #expect(try bob.run(["account", "set", "Takeover", "owner=bob", "archived=true"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        let told = try alice.run(["sync"])
        #expect(told.stdout.contains("bob merged your account Acme (\(alices.prefix(8))) into acme (\(bobs.prefix(8)), owner bob): its records are there now"), "\(told.stdout)")
        #expect(told.stdout.contains("bob archived your account Initech (") && told.stdout.contains("archived=false` brings it back"), "\(told.stdout)")
        #expect(told.stdout.contains("bob archived your account Takeover (") && told.stdout.contains("): it held no records; "), "\(told.stdout)")
        #expect(told.stdout.contains("bob merged your account Globex (") && told.stdout.contains(") into Globex Corp ("), "\(told.stdout)")
        // The merge made two Pat Kims at bob's account: bob heard it as he merged, alice hears it at her sync.
        #expect(told.stdout.contains("2 stakeholders of acme are called Pat Kim"), "\(told.stdout)")
        // Told once, and not to the one who did it, nor at the first sync of another computer of hers, which
        // brings the team's archives of long ago (with a change of its own to send, as much as without).
        #expect(try !alice.run(["sync"]).stdout.contains("your account"))
        let laptop = try team.join("alice", file: "laptop")
        #expect(try laptop.run(["account", "add", "Laptop Co"]).status == 0)
        let first = try laptop.run(["sync"])
        #expect(first.status == 0 && !first.stdout.contains("your account"), "\(first.stdout)")
        // Whose edits met the merge hears where the records went, once.
        #expect(try alice.run(["account", "add", "Umbrella"]).status == 0 && bob.run(["account", "add", "umbrella"]).status == 0)
        #expect(try alice.run(["note", "add", "Umbrella", "--text", "Met the buyer"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let umbrella = try #require(try alice.json(["account", "list"]) as? [[String: Any]]).first { $0["name"] as? String == "Umbrella" }?["id"] as? String ?? ""
        let bobsUmbrella = try #require(try bob.json(["account", "list"]) as? [[String: Any]]).first { $0["name"] as? String == "umbrella" }?["id"] as? String ?? "-"
        #expect(try bob.run(["account", "merge", String(umbrella.prefix(8)), "--into", String(bobsUmbrella.prefix(8))]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "set", String(umbrella.prefix(8)), "industry=Pharma"]).status == 0)
        let edited = try alice.run(["sync"])
        #expect(edited.stdout.components(separatedBy: "Umbrella").count == 2 && edited.stdout.contains("bob archived account Umbrella (\(umbrella.prefix(8))), which you had edited")
                && edited.stdout.contains("it was merged into umbrella (\(bobsUmbrella.prefix(8))), where its records are"), "\(edited.stdout)")
        // So in JSON, for a script: a note added under the copy meanwhile names the account it was merged into.
        let wayne = try #require(try alice.run(["account", "add", "Wayne"]).stdout.firstMatch(of: /[0-9a-f]{8}/).map { String($0.0) })
        #expect(try alice.run(["note", "add", wayne, "--text", "Kickoff"]).status == 0 && bob.run(["account", "add", "wayne"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let bobsWayne = try #require(try bob.json(["account", "list"]) as? [[String: Any]]).first { $0["name"] as? String == "wayne" }?["id"] as? String ?? "-"
        #expect(try bob.run(["account", "merge", wayne, "--into", String(bobsWayne.prefix(8))]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["note", "add", wayne, "--text", "Second visit"]).status == 0)
        let under = try #require((try alice.json(["sync"]) as? [String: Any])?["archived_under"] as? [[String: Any]])
        #expect(under.count == 1 && under[0]["merged_into"] as? String == bobsWayne, "\(under)")
        // Merged and brought back: its records stay where the merge took them, and its owner hears where.
        #expect(try alice.run(["account", "add", "Unarch Co"]).status == 0 && alice.run(["note", "add", "Unarch Co", "--title", "Kickoff", "--text", "x"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try bob.run(["account", "add", "Other Kept"]).status == 0)
        #expect(try bob.run(["account", "merge", "Unarch Co", "--into", "Other Kept"]).status == 0)
        #expect(try bob.run(["account", "set", "Unarch Co", "archived=false"]).status == 0 && bob.run(["sync"]).status == 0)
        let back = try alice.run(["sync"])
        #expect(back.stdout.contains("bob moved 1 record of your account Unarch Co (") && back.stdout.contains("to Other Kept (")
                && back.stdout.contains("it is there now (Other Kept / note ") && back.stdout.contains("\"Kickoff\")"), "\(back.stdout)")
        #expect(!back.stdout.contains("archived your account Unarch"), "\(back.stdout)")
        // In JSON, the account its records went to.
        #expect(try bob.run(["account", "add", "Hooli"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "set", "Hooli", "archived=true"]).status == 0 && alice.run(["sync"]).status == 0)
        let json = try #require(try bob.json(["sync"]) as? [String: Any])
        let archived = try #require(json["your_accounts_archived"] as? [[String: Any]])
        #expect(archived.count == 1 && archived[0]["name"] as? String == "Hooli" && archived[0]["archived_by"] as? String == "alice"
                && archived[0]["merged_into"] is NSNull, "\(json)")
        // An account of a colleague's archived where open actions are yours: they left your `due`, and you hear it.
        let initech = try alice.run(["account", "add", "Vandelay"])
        #expect(initech.status == 0, "\(initech.stderr)")
        #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try bob.run(["action", "add", "Vandelay", "Send samples", "--due", "+3"]).status == 0)
        #expect(try bob.run(["action", "add", "Vandelay", "Sent already"]).status == 0 && bob.run(["action", "done", "Sent already"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "archive", "Vandelay"]).status == 0 && alice.run(["sync"]).status == 0)
        let heard = try bob.run(["sync"]).stdout
        #expect(heard.contains("alice archived Vandelay (") && heard.contains("where 1 open action is yours (") && heard.contains("): off `due` with it; `rapport account set "), "\(heard)")
        #expect(!(try bob.run(["sync"]).stdout.contains("Vandelay")))
        #expect(try alice.run(["account", "set", "Vandelay", "archived=false"]).status == 0 && alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "archive", "Vandelay"]).status == 0 && alice.run(["sync"]).status == 0)
        let again = try #require((try bob.json(["sync"]) as? [String: Any])?["your_actions_archived"] as? [[String: Any]])
        #expect(again.count == 1 && again[0]["name"] as? String == "Vandelay" && (again[0]["actions"] as? [[String: Any]])?.first?["text"] as? String == "Send samples", "\(again)")
    }

    /// An account removed while a colleague added to it comes back with what was added; a meeting two people
    /// restore apart, offline, comes back once, and the action that named it names the one restored.
    @Test func aRestoreBringsBackWhatWasLeftAndTwoRestoresAreOne() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Ko", "--industry", "Retail"]).status == 0 && alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try bob.run(["note", "add", "Ko", "--title", "Bob's", "--text", "x"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "remove", "Ko"]).status == 0)
        let left = try alice.run(["sync"])
        #expect(left.stdout.contains("or `rapport account restore "), "\(left.stdout)")
        let restored = try alice.run(["account", "restore", "Ko"])
        #expect(restored.status == 0 && restored.stdout.contains("1 note left under it since it was removed is at it again."), "\(restored.stdout)\(restored.stderr)")
        #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        for replica in [alice, bob] {
            #expect((try replica.json(["note", "list", "Ko"]) as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["Bob's"])
            #expect((try replica.json(["account", "show", "Ko"]) as? [String: Any])?["industry"] as? String == "Retail")
        }

        #expect(try alice.run(["meeting", "add", "Ko", "--kind", "weekly", "--date", "2026-11-30", "--text", "Agreed prices"]).status == 0)
        #expect(try alice.run(["action", "add", "Ko", "Chase PO", "--meeting", "2026-11-30"]).status == 0)
        #expect(try alice.run(["meeting", "remove", "2026-11-30"]).status == 0 && alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["meeting", "restore", "2026-11-30"]).status == 0)
        #expect(try bob.run(["meeting", "restore", "2026-11-30"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        for replica in [alice, bob] {
            let meetings = try #require(try replica.json(["meeting", "list", "Ko"]) as? [[String: Any]])
            #expect(meetings.count == 1 && meetings.first?["notes"] as? String == "Agreed prices", "\(meetings)")
            #expect((try replica.json(["action", "list"]) as? [[String: Any]])?.first?["meeting"] as? String == meetings.first?["id"] as? String)
            #expect((try replica.json(["conflicts", "list"]) as? [Any])?.isEmpty == true)
        }

        // A colleague who edits the removed record, or adds a reading to a removed KPI, after the restore but before
        // hearing of it is told of the restore, and restoring again brings their change to the restored record.
        #expect(try alice.run(["action", "add", "Ko", "Call Bill"]).status == 0)
        #expect(try alice.run(["plan", "kpi", "add", "Ko", "Churn"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        // (Bob's first edit comes before the removal and restore, his second after: both are his, unseen by alice.)
        #expect(try bob.run(["action", "set", "Call Bill", "owner=bob"]).status == 0)
        for (kind, name) in [(["action"], "Call Bill"), (["plan", "kpi"], "Churn")] {
            #expect(try alice.run(kind + ["remove", name]).status == 0)
            #expect(try alice.run(kind + ["restore", name]).status == 0)
        }
        #expect(try alice.run(["sync"]).status == 0)
        let oldAction = try #require((try bob.json(["action", "list"]) as? [[String: Any]])?.first { $0["text"] as? String == "Call Bill" }?["id"] as? String)
        #expect(try bob.run(["action", "set", "Call Bill", "due=2026-12-20"]).status == 0)
        #expect(try bob.run(["plan", "reading", "Churn", "7", "--date", "2026-12-01"]).status == 0)
        let told = try bob.run(["sync"])
        #expect(told.stdout.contains("it was restored since, as ") && told.stdout.contains("`rapport action restore \(oldAction.prefix(8))` brings what reached the removed one to it"), "\(told.stdout)")
        #expect(told.stdout.contains("`rapport plan kpi restore ") && told.stdout.contains("(and this with it)"), "\(told.stdout)")
        let carried = try bob.run(["action", "restore", String(oldAction.prefix(8))])
        #expect(carried.stdout.contains("was restored already, as ") && carried.stdout.contains("brought to it what reached the removed one since: its owner and its due date."), "\(carried.stdout)")
        #expect(try bob.run(["plan", "kpi", "restore", "Churn"]).stdout.contains("1 KPI reading"))
        for replica in [bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        for replica in [alice, bob] {
            let action = (try replica.json(["action", "list", "--all"]) as? [[String: Any]])?.first { $0["text"] as? String == "Call Bill" }
            #expect(action?["due"] as? String == "2026-12-20" && action?["owner"] as? String == "bob", "\(String(describing: action))")
            let kpi = (try replica.json(["plan", "show", "Ko"]) as? [String: Any]).flatMap { $0["kpis"] as? [[String: Any]] }?.first
            #expect(kpi?["value"] as? Double == 7, "\(String(describing: kpi))")
        }

        // A text in review when removed: the review is open again on the restored record, for both.
        #expect(try alice.run(["meeting", "add", "Ko", "--kind", "monthly", "--date", "2026-12-01", "--text", "draft"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["meeting", "notes", "2026-12-01", "--text", "alice's minutes"]).status == 0)
        #expect(try bob.run(["meeting", "notes", "2026-12-01", "--text", "bob's minutes"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let shown = (try alice.json(["meeting", "list", "Ko"]) as? [[String: Any]])?.first { $0["date"] as? String == "2026-12-01" }?["notes"] as? String
        #expect(try alice.run(["meeting", "remove", "2026-12-01"]).status == 0)
        let reopened = try alice.run(["meeting", "restore", "2026-12-01"])
        #expect(reopened.stdout.contains("Its notes were in review when it was removed: the review is open again on the restored one"), "\(reopened.stdout)")
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        for replica in [alice, bob] {
            let open = try #require(try replica.json(["conflicts", "list"]) as? [[String: Any]])
            #expect(open.count == 1, "\(open)")
            // Showing what it showed when it was removed, while the review waits.
            let meeting = (try replica.json(["meeting", "list", "Ko"]) as? [[String: Any]])?.first { $0["date"] as? String == "2026-12-01" }
            #expect(shown != nil && meeting?["notes"] as? String == shown, "\(String(describing: meeting)) \(String(describing: shown))")
        }

        // A colleague's text written on the removed record, unaware of the restore, while the restored one's text
        // was edited: restoring again puts the two in review rather than one over the other.
        #expect(try alice.run(["meeting", "add", "Ko", "--kind", "adhoc", "--date", "2026-12-02", "--text", "agenda"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        let oldMeeting = try #require((try bob.json(["meeting", "list", "Ko"]) as? [[String: Any]])?.first { $0["date"] as? String == "2026-12-02" }?["id"] as? String)
        #expect(try alice.run(["meeting", "remove", "2026-12-02"]).status == 0 && alice.run(["meeting", "restore", "2026-12-02"]).status == 0)
        #expect(try alice.run(["meeting", "notes", "2026-12-02", "--text", "alice's agenda"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try bob.run(["meeting", "notes", String(oldMeeting.prefix(8)), "--text", "bob's agenda"]).status == 0 && bob.run(["sync"]).status == 0)
        let review = try bob.run(["meeting", "restore", String(oldMeeting.prefix(8))])
        #expect(review.stdout.contains("brought to it what reached the removed one since: its notes."), "\(review.stdout)")
        for replica in [bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        #expect((try alice.json(["conflicts", "list"]) as? [[String: Any]])?.count == 2)

        // A value set on the restored record after the restore stands over an older one on the removed record, and
        // restoring again says so.
        #expect(try alice.run(["action", "add", "Ko", "Send quote", "--due", "2026-12-20"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try bob.run(["action", "set", "Send quote", "due=2026-12-24"]).status == 0)
        #expect(try alice.run(["action", "remove", "Send quote"]).status == 0 && alice.run(["action", "restore", "Send quote"]).status == 0)
        #expect(try alice.run(["action", "set", "Send quote", "due=2026-12-31"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let stays = try bob.run(["action", "restore", "Send quote"])
        #expect(stays.stdout.contains("nothing was changed") && stays.stdout.contains("Its due date stays '2026-12-31', set on it after the removed one got '2026-12-24'"), "\(stays.stdout)")
        // An edit that reached the removed record unseen by a restore whose copy was removed in turn comes back with
        // the next restore (the copy's value is no edit).
        #expect(try alice.run(["flag", "add", "Ko", "Price war", "--kind", "competitor"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["flag", "remove", "Price war"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try bob.run(["flag", "set", "Price war", "status=watching"]).status == 0)
        #expect(try alice.run(["flag", "restore", "Price war"]).status == 0 && alice.run(["flag", "remove", "Price war"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try bob.run(["flag", "restore", "Price war"]).status == 0)
        #expect((try bob.json(["flag", "list", "--all"]) as? [[String: Any]])?.first { $0["title"] as? String == "Price war" }?["status"] as? String == "watching")

        // Two people restoring apart: the later restore's copy does not undo an edit made on the first one's (a copy
        // is ordered as the value it copies).
        #expect(try alice.run(["stakeholder", "add", "Ko", "Pia", "--title", "P0"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["stakeholder", "remove", "Pia"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["stakeholder", "restore", "Pia"]).status == 0 && alice.run(["stakeholder", "set", "Pia", "title=Director"]).status == 0)
        #expect(try bob.run(["stakeholder", "restore", "Pia"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        for replica in [alice, bob] {
            let pia = (try replica.json(["stakeholders", "Ko"]) as? [String: Any]).flatMap { $0["stakeholders"] as? [[String: Any]] }?.first { $0["name"] as? String == "Pia" }
            #expect(pia?["title"] as? String == "Director", "\(String(describing: pia))")
        }
        // Notes written on the removed record where it had none, and a reading corrected before the removal: a
        // restore again brings both.
        #expect(try alice.run(["stakeholder", "add", "Ko", "Uma"]).status == 0)
        #expect(try alice.run(["plan", "kpi", "add", "Ko", "Conversion"]).status == 0)
        #expect(try alice.run(["plan", "reading", "Conversion", "5", "--date", "2026-11-08"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try bob.run(["stakeholder", "notes", "Uma", "--text", "first notes by bob"]).status == 0)
        #expect(try bob.run(["plan", "reading", "Conversion", "6", "--date", "2026-11-08"]).status == 0)
        for (kind, name) in [(["stakeholder"], "Uma"), (["plan", "kpi"], "Conversion")] {
            #expect(try alice.run(kind + ["remove", name]).status == 0 && alice.run(kind + ["restore", name]).status == 0)
        }
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try bob.run(["stakeholder", "restore", "Uma"]).stdout.contains("its notes"))
        #expect(try bob.run(["plan", "kpi", "restore", "Conversion"]).stdout.contains("1 KPI reading"))
        for replica in [bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        for replica in [alice, bob] {
            let uma = (try replica.json(["stakeholders", "Ko"]) as? [String: Any]).flatMap { $0["stakeholders"] as? [[String: Any]] }?.first { $0["name"] as? String == "Uma" }
            #expect(uma?["notes"] as? String == "first notes by bob", "\(String(describing: uma))")
            let kpi = (try replica.json(["plan", "show", "Ko"]) as? [String: Any]).flatMap { $0["kpis"] as? [[String: Any]] }?.first { $0["name"] as? String == "Conversion" }
            #expect(kpi?["value"] as? Double == 6, "\(String(describing: kpi))")
        }
    }

    /// A note removed by one person while another's edit of it was on its way: the edit had gone out before the
    /// removal reached its author, so neither heard of the other (the removal stands over every edit). Both are
    /// told now; a removal made after the edit had reached its remover is not news.
    @Test func aRemovalOfARecordEditedUnseenIsToldToBoth() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["note", "add", "Acme", "--title", "Pricing", "--text", "Base price 10"]).status == 0)
        #expect(try alice.run(["note", "add", "Acme", "--title", "Agenda", "--text", "intro"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try bob.run(["note", "edit", "Pricing", "--text", "Base price 12 (agreed with the CFO)"]).status == 0)
        #expect(try alice.run(["note", "remove", "Pricing"]).status == 0)
        Thread.sleep(forTimeInterval: 2.5)  // beyond the margin allowed for laptops' clocks
        #expect(try bob.run(["sync"]).status == 0)
        let remover = try #require(try alice.json(["sync", "--json"]) as? [String: Any])
        let unseen = try #require(remover["removed_unseen_edits"] as? [[String: Any]])
        #expect(unseen.count == 1 && unseen.first?["edited_by"] as? [String] == ["bob"] && unseen.first?["entity"] as? String == "note", "\(remover)")
        let editor = try bob.run(["sync"])
        #expect(editor.stdout.contains("alice removed Acme / note ") && editor.stdout.contains("\"Pricing\" before your last edit of it reached the team: the removal stands for everyone; your versions are in `rapport history "), "\(editor.stdout)")
        let handle = try #require(editor.stdout.firstMatch(of: /`rapport history ([0-9a-f]{8})`/)?.1, "\(editor.stdout)")
        #expect(try bob.run(["history", String(handle)]).stdout.contains("agreed with the CFO"))
        #expect(!(try bob.run(["sync"]).stdout.contains("removed")))
        #expect(!(try alice.run(["sync"]).stdout.contains("removed")))
        // Seen before it was removed: not told.
        #expect(try bob.run(["note", "edit", "Agenda", "--text", "intro, pricing"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0 && alice.run(["sync"]).status == 0)
        Thread.sleep(forTimeInterval: 2.5)
        #expect(try alice.run(["note", "remove", "Agenda"]).status == 0)
        #expect(!(try alice.run(["sync"]).stdout.contains("had edited")))
        #expect(!(try bob.run(["sync"]).stdout.contains("removed")))
    }

    /// More overwritten values than the notice lists one by one: the rest are named by record (the notices are
    /// told once), and the list runs in the order people count (Bulk 2 before Bulk 10).
    @Test func overwrittenValuesBeyondTheListAreNamed() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        let file = team.dir.file("bulk.csv")
        func write(_ industry: String) throws {
            try ("Name,Industry\n" + (1...12).map { "Bulk \($0),\(industry)\($0)\n" }.joined()).write(toFile: file, atomically: true, encoding: .utf8)
        }
        try write("")
        #expect(try alice.run(["import", "accounts", file]).status == 0 && alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        try write("A")
        #expect(try alice.run(["import", "accounts", file]).status == 0)
        try write("B")
        #expect(try bob.run(["import", "accounts", file]).status == 0 && bob.run(["sync"]).status == 0)
        let told = try alice.run(["sync"]).stdout
        let lines = told.split(separator: "\n").filter { $0.hasPrefix("bob set Bulk ") }.map { String($0.prefix(while: { $0 != "/" })) }
        #expect(lines == (1...10).map { "bob set Bulk \($0) " }, "\(told)")
        #expect(told.contains("... and 2 more of your values that a colleague set later, on 2 records (Bulk 11 / account ") && told.contains("; Bulk 12 / account "), "\(told)")
    }

    /// An empty account removed while a colleague, offline, added a note to it: the note stays, naming the removed
    /// account, and its author is told at their sync.
    @Test func aNoteAddedToAnAccountRemovedMeanwhileIsTold() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Empty Co"]).status == 0 && alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "remove", "Empty Co"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try bob.run(["note", "add", "Empty Co", "--text", "Call back"]).status == 0)
        let told = try bob.run(["sync"])
        #expect(told.stdout.contains("alice removed account Empty Co (") && told.stdout.contains("refers to it: it stays"), "\(told.stdout)")
        #expect((try bob.json(["account", "list", "--archived"]) as? [[String: Any]])?.isEmpty == true)
        // The way back it names: the removed account merged into one in use.
        let advice = try #require(told.stdout.firstMatch(of: /`rapport account merge ([0-9a-f]{8}) --into ACCOUNT`/)?.1)
        #expect(try bob.run(["account", "add", "Full Co"]).status == 0)
        let merged = try bob.run(["account", "merge", String(advice), "--into", "Full Co"])
        #expect(merged.status == 0 && merged.stdout.contains("brought over 1 note") && merged.stdout.contains("Empty Co (\(advice)) stays removed."), "\(merged.stdout)\(merged.stderr)")
        #expect((try bob.json(["note", "list", "Full Co"]) as? [[String: Any]])?.map { $0["title"] as? String } == ["Call back"])

        // A merge into an account removed at the same time: the records moved to it are left there, and its owner
        // hears so, with the way back.
        #expect(try alice.run(["account", "add", "Kay"]).status == 0 && alice.run(["account", "add", "Cee"]).status == 0)
        #expect(try alice.run(["note", "add", "Cee", "--title", "Cee's", "--text", "x"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["account", "remove", "Kay"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try bob.run(["account", "merge", "Cee", "--into", "Kay"]).status == 0 && bob.run(["sync"]).status == 0)
        let owner = try alice.run(["sync"])
        #expect(owner.stdout.contains("bob merged your account Cee (") && owner.stdout.contains("which was removed meanwhile: its records are left under the removed account"), "\(owner.stdout)")
        let way = try #require(owner.stdout.firstMatch(of: /`rapport account set ([0-9a-f]{8}) archived=false`, then `rapport account merge ([0-9a-f]{8}) --into [0-9a-f]{8}`/))
        #expect(try alice.run(["account", "set", String(way.1), "archived=false"]).status == 0)
        #expect(try alice.run(["account", "merge", String(way.2), "--into", String(way.1)]).status == 0)
        #expect((try alice.json(["note", "list", "Cee"]) as? [[String: Any]])?.map { $0["title"] as? String } == ["Cee's"])

        // The owner of an account a colleague removed hears it (and not again).
        #expect(try bob.run(["account", "add", "Bob Owned"]).status == 0 && bob.run(["sync"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "remove", "Bob Owned"]).status == 0 && alice.run(["sync"]).status == 0)
        let gone = try #require(try bob.json(["sync"]) as? [String: Any])
        let removed = try #require(gone["your_accounts_removed"] as? [[String: Any]])
        #expect(removed.count == 1 && removed[0]["name"] as? String == "Bob Owned" && removed[0]["removed_by"] as? String == "alice"
                && removed[0]["records_left"] as? Int == 0, "\(gone)")
        #expect(try bob.run(["account", "add", "Bob Two"]).status == 0 && bob.run(["sync"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "remove", "Bob Two"]).status == 0 && alice.run(["sync"]).status == 0)
        let text = try bob.run(["sync"]).stdout
        #expect(text.contains("alice removed your account Bob Two (") && text.contains("): it held no records"), "\(text)")
        #expect(try !bob.run(["sync"]).stdout.contains("removed your account"))

        // Removed by its owner while a colleague's note was on its way: the one who removed it hears, in the same sync.
        #expect(try alice.run(["account", "add", "Ko"]).status == 0 && alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try bob.run(["note", "add", "Ko", "--title", "Bob's", "--text", "x"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "remove", "Ko"]).status == 0)
        let left = try alice.run(["sync"])
        #expect(left.stdout.contains("1 record that bob added or moved to Ko (") && left.stdout.contains("), an account you removed, is left under it, in no list"), "\(left.stdout)")
        let ko = try #require(left.stdout.firstMatch(of: /`rapport account merge ([0-9a-f]{8}) --into ACCOUNT`/)?.1)
        #expect(try alice.run(["account", "merge", String(ko), "--into", "Cee"]).status == 0)
        #expect((try alice.json(["note", "list", "Cee"]) as? [[String: Any]])?.compactMap { $0["title"] as? String }.sorted() == ["Bob's", "Cee's"])
        #expect(try !alice.run(["sync"]).stdout.contains("an account you removed"))
        // A recorded month left so is not one (it stays with its account; a merge leaves it).
        #expect(try alice.run(["account", "add", "Mo"]).status == 0 && alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try bob.run(["scorecard", "record", "Mo", "--month", "2026-01"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "remove", "Mo"]).status == 0)
        let month = try alice.run(["sync"]).stdout
        #expect(!month.contains("an account you removed"), "\(month)")
    }

    /// Merged crosswise under two names: both archived, and the owner told so with the way back (the crosswise
    /// notice reads names, and these differ; the owner notice said "its records are there now").
    @Test func mergesEachWayUnderTwoNamesAreTold() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Hooli"]).status == 0 && bob.run(["account", "add", "Hooli Inc"]).status == 0)
        #expect(try alice.run(["stakeholder", "add", "Hooli", "Gavin"]).status == 0 && bob.run(["stakeholder", "add", "Hooli Inc", "Jared"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["account", "merge", "Hooli Inc", "--into", "Hooli"]).status == 0)
        #expect(try bob.run(["account", "merge", "Hooli", "--into", "Hooli Inc"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let told = try bob.run(["sync"])
        #expect(told.stdout.contains("which is archived too: nothing of either is in the lists;"), "\(told.stdout)")
        // Alice, who synced first, hears it at her next sync.
        let back = try alice.run(["sync"])
        #expect(back.stdout.contains("which is archived too: nothing of either is in the lists;"), "\(back.stdout)")
    }

    /// Merged in a chain at once (alice A into B, bob B into C): A's records are on the archived B. Bob is told the
    /// merge that takes them on to C, not to bring B back (which undid his own merge), and alice hears where they went.
    @Test func mergesInAChainAtOnceAreToldTheWayOn() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        for name in ["Aco", "Bco", "Cco"] { #expect(try alice.run(["account", "add", name]).status == 0) }
        // Scores stay on a copy merged (copied to the account kept): not records left behind.
        #expect(try alice.run(["criteria", "add", "fit", "--weight", "100"]).status == 0 && alice.run(["score", "Bco", "fit=7"]).status == 0)
        #expect(try alice.run(["stakeholder", "add", "Aco", "Gavin"]).status == 0 && alice.run(["stakeholder", "add", "Bco", "Jared"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["account", "merge", "Aco", "--into", "Bco"]).status == 0)
        #expect(try bob.run(["account", "merge", "Bco", "--into", "Cco"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let merger = try bob.run(["sync"]).stdout
        #expect(merger.contains("1 record that alice added or moved to Bco (") && merger.contains("an account you merged into Cco (")
                && merger.contains("is off the lists with it (Bco / stakeholder") && merger.contains("\"Gavin\")"), "\(merger)")
        let advice = try #require(merger.firstMatch(of: /`rapport account merge ([0-9a-f]{8}) --into ([0-9a-f]{8})` brings it there/))
        // The owner of B, who synced first, hears that the merge left one on it, and the same way on.
        let owner = try alice.run(["sync"]).stdout
        #expect(owner.contains("bob merged your account Bco (") && owner.contains("but for 1 that reached it after the merge and is off the lists with it: " +
                "`rapport account merge \(advice.1) --into \(advice.2)`"), "\(owner)")
        #expect(try bob.run(["account", "merge", String(advice.1), "--into", String(advice.2)]).status == 0)
        #expect((try bob.json(["stakeholders", "Cco"]) as? [String: Any]).map { "\($0)" }?.contains("Gavin") == true)
        #expect(try bob.run(["sync"]).status == 0)
        #expect(try !alice.run(["sync"]).stdout.contains("off the lists"))

        // The other way round (the one who merged on syncs first): the owner of the moved records is told as before.
        for name in ["Dco", "Eco", "Fco"] { #expect(try alice.run(["account", "add", name]).status == 0) }
        #expect(try alice.run(["stakeholder", "add", "Dco", "Dinesh"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["account", "merge", "Dco", "--into", "Eco"]).status == 0)
        #expect(try bob.run(["account", "merge", "Eco", "--into", "Fco"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        let mover = try alice.run(["sync"]).stdout
        #expect(mover.contains("`rapport account merge ") && mover.contains("--into ") && mover.contains("brings what is on it there"), "\(mover)")
        let told = try bob.run(["sync"]).stdout
        #expect(told.contains("1 record that alice added or moved to Eco (") && told.contains("an account you merged into Fco ("), "\(told)")
    }

    /// A laptop set up from the server's snapshot holds only the tier that stands: an account made key after it was
    /// added read there as key from the start, and `due` dated its rhythm back to its first meeting (overdue for
    /// weeks there, due today on the team's laptops).
    @Test func aLaptopSetUpLateSeesTodaysDueAsTheTeamDoes() throws {
        var team = try ServedTeam(users: ["alice", "bob", "carol"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Umbrella Corp", "--owner", "bob"]).status == 0 && alice.run(["sync"]).status == 0)
        let weeksAgo = Calendar.current.date(byAdding: .day, value: -35, to: Date())!
        let c = Calendar.current.dateComponents([.year, .month, .day], from: weeksAgo)
        let day = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
        #expect(try bob.run(["sync"]).status == 0 && bob.run(["account", "set", "Umbrella", "tier=key"]).status == 0)
        #expect(try bob.run(["meeting", "add", "Umbrella", "--kind", "monthly", "--date", day]).status == 0 && bob.run(["sync"]).status == 0)
        let carol = try team.join("carol")
        #expect(try carol.run(["sync"]).stdout.contains("snapshot"))
        func due(_ replica: RapportBinary) throws -> String {
            try replica.run(["due", "--all"]).stdout
        }
        let theirs = try due(bob)
        #expect(theirs.contains("due today") && !theirs.contains("overdue"), "\(theirs)")
        #expect(try due(carol) == theirs)
    }

    /// Three first versions of a meeting's notes: no base to show changes against, and a hint that names the
    /// third version's way to be kept (`--keep mine|theirs` named two of three).
    @Test func threeFirstVersionsAreShownAsTextsAndKeptByID() throws {
        var team = try ServedTeam(users: ["alice", "bob", "carol"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob"), carol = try team.join("carol")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["meeting", "add", "Acme", "--kind", "weekly", "--date", "2026-05-18"]).status == 0)
        for replica in [alice, bob, carol] { #expect(try replica.run(["sync"]).status == 0) }
        for (replica, text) in [(alice, "alice's"), (bob, "bob's"), (carol, "carol's")] {
            #expect(try replica.run(["meeting", "notes", "2026-05-18", "--text", text]).status == 0)
        }
        for replica in [alice, bob, carol, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let id = try #require((try alice.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        let shown = try alice.run(["conflicts", "show", id])
        #expect(shown.stdout.contains("=== no common base") && shown.stdout.contains("— its text ===\nbob's\n") && !shown.stdout.contains("against the base")
                && !shown.stdout.contains("+ "), "\(shown.stdout)")
        #expect(shown.stdout.contains("`rapport conflicts resolve \(id) --keep mine|2|3`"), "\(shown.stdout)")
    }

    /// Two people who each added to the same line, merged into one line holding both additions: what you added is in
    /// the resolution (QA: "kept other text" sent its author to paste it in again).
    @Test func aResolutionHoldingWhatYouAddedToALineSaysSo() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        let base = "Renewal due end of December. Pricing review."
        #expect(try alice.run(["account", "add", "Acme"]).status == 0 && alice.run(["note", "add", "Acme", "--title", "Renewal prep", "--text", base]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["note", "edit", "Renewal prep", "--text", base + " Ann: procurement wants a 2-year term."]).status == 0)
        #expect(try bob.run(["note", "edit", "Renewal prep", "--text", base + " Bob: offered 3% uplift."]).status == 0)
        #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        let id = try #require((try bob.json(["conflicts", "list"]) as? [[String: Any]])?.first?["id"] as? String)
        #expect(try bob.run(["conflicts", "resolve", id, "--text", base + " Bob: offered 3% uplift. Ann: procurement wants a 2-year term."]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        let told = try alice.run(["sync"]).stdout
        #expect(told.contains("each line of yours stands within a longer one") && !told.contains("kept other text"), "\(told)")
        /// What alice's sync says of her edit of a note (`hers` on `base`) that bob, who wrote `his`, resolved with
        /// `resolution` (his own text when nil).
        func yoursInIt(_ title: String, base: String, hers: String, his: String, resolution: String?) throws -> String? {
            #expect(try alice.run(["note", "add", "Acme", "--title", title, "--text", base]).status == 0)
            for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
            #expect(try alice.run(["note", "edit", title, "--text", hers]).status == 0 && bob.run(["note", "edit", title, "--text", his]).status == 0)
            #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
            let id = try #require((try bob.json(["conflicts", "list"]) as? [[String: Any]])?.first?["id"] as? String)
            #expect(try bob.run(["conflicts", "resolve", id] + (resolution.map { ["--text", $0] } ?? ["--keep", "mine"])).status == 0 && bob.run(["sync"]).status == 0)
            let told = try #require(try alice.json(["sync"]) as? [String: Any])
            return (told["set_aside"] as? [[String: Any]])?.first?["yours_in_it"] as? String
        }
        // Two lines added to, one addition kept within a longer line and the other dropped: some of hers, not none.
        #expect(try yoursInIt("Plan A", base: "Agenda: pricing\nClose line", hers: "Agenda: pricing plus ann1\nClose line plus ann2",
                              his: "Agenda: pricing plus bob1\nClose line", resolution: "Agenda: pricing plus ann1 plus bob1\nClose line") == "some_lines")
        // A word put in place of another, where the resolution keeps the word replaced: hers was not taken (review).
        #expect(try yoursInIt("Dates", base: "Renewal: March", hers: "Renewal: April", his: "Renewal: May", resolution: "Renewal: March (April at latest)") == "none")
        // Her word on another line of theirs, of another line: not hers (QA: "Ms July" held the July of "Renewal: July").
        #expect(try yoursInIt("Terms", base: "Renewal: March (June at latest)\nNext QBR: June", hers: "Renewal: July\nNext QBR: June",
                              his: "Renewal: March\nNext QBR: June\nBudget owner: Ms July", resolution: nil) == "none")
        // Her word in its place, beside a word of the line she kept, the rest of the line changed by another: hers.
        #expect(try yoursInIt("Owner", base: "Renewal: March. Owner: Ann", hers: "Renewal: April. Owner: Ann", his: "Renewal: March. Owner: Bob",
                              resolution: "Renewal: April. Owner: Bob") == "within_longer_lines")
    }

    /// A colleague who resolved the review of your edit with a merge that keeps your lines did not set your text
    /// aside: "kept other text" read as a loss. A resolution without your lines still says where yours is; one
    /// with your lines inside longer ones asks you to read it.
    @Test func aResolutionThatKeepsYourLinesSaysSo() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        for title in ["Churn", "Roadmap", "Pricing"] { #expect(try alice.run(["note", "add", "Acme", "--title", title, "--text", "base"]).status == 0) }
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        for title in ["Churn", "Roadmap", "Pricing"] {
            #expect(try alice.run(["note", "edit", title, "--text", "Q2: UK + IE"]).status == 0)
            #expect(try bob.run(["note", "edit", title, "--text", "Q2: DACH"]).status == 0)
        }
        #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        let open = try #require(try bob.json(["conflicts", "list"]) as? [[String: Any]])
        for conflict in open {
            let id = try #require(conflict["id"] as? String)
            let label = conflict["label"] as? String ?? ""
            let text = label.contains("Churn") ? "Q2: DACH\nQ2: UK + IE" : label.contains("Pricing") ? "DACH first; q2: UK + IE after legal" : "Q2: DACH only"
            #expect(try bob.run(["conflicts", "resolve", id, "--text", text]).status == 0)
        }
        #expect(try bob.run(["sync"]).status == 0)
        let told = try alice.run(["sync"])
        #expect(told.stdout.contains("with a text that holds every line of yours (lines you took out may be back") && told.stdout.contains("Churn"), "\(told.stdout)")
        #expect(told.stdout.contains("and kept other text: yours is in its history") && told.stdout.contains("Roadmap"), "\(told.stdout)")
        // Within a longer line: not reassured, not told as lost.
        #expect(told.stdout.contains("with a text in which each line of yours stands within a longer one: check that it still says what you meant"), "\(told.stdout)")
        #expect(told.stdout.components(separatedBy: "kept other text").count == 2, "\(told.stdout)")
        // Many at once: ten told, the rest counted (a bulk resolution printed 300 paragraphs; QA).
        for n in 1...12 { #expect(try alice.run(["note", "add", "Acme", "--title", "Topic \(n)", "--text", "base"]).status == 0) }
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        for n in 1...12 {
            #expect(try alice.run(["note", "edit", "Topic \(n)", "--text", "alice's"]).status == 0 && bob.run(["note", "edit", "Topic \(n)", "--text", "bob's"]).status == 0)
        }
        #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        for conflict in try #require(try bob.json(["conflicts", "list"]) as? [[String: Any]]) {
            #expect(try bob.run(["conflicts", "resolve", try #require(conflict["id"] as? String), "--keep", "mine"]).status == 0)
        }
        #expect(try bob.run(["sync"]).status == 0)
        let many = try alice.run(["sync"]).stdout
        #expect(many.components(separatedBy: "bob resolved the review of").count == 11 && many.contains("... and 2 more reviews that held yours were resolved by a colleague"), "\(many)")
    }

    /// A colleague's bulk removal: ten reviews that held your version, and ten records you had edited, are told in
    /// full, and the rest counted (each was a paragraph).
    @Test func manyRemovalsAreToldTenInFullAndTheRestCounted() throws {
        var team = try ServedTeam(users: ["alice", "bob", "carol"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob"), carol = try team.join("carol")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        for n in 1...12 { #expect(try alice.run(["note", "add", "Acme", "--title", "Topic \(n)", "--text", "base"]).status == 0) }
        for n in 1...12 { #expect(try alice.run(["note", "add", "Acme", "--title", "Memo \(n)", "--text", "base"]).status == 0) }
        for replica in [alice, bob, carol] { #expect(try replica.run(["sync"]).status == 0) }
        // Twelve reviews held open on alice's laptop; twelve notes she edits offline meanwhile.
        for n in 1...12 {
            #expect(try alice.run(["note", "edit", "Topic \(n)", "--text", "alice's"]).status == 0 && carol.run(["note", "edit", "Topic \(n)", "--text", "carol's"]).status == 0)
        }
        for replica in [alice, carol, alice] { #expect(try replica.run(["sync"]).status == 0) }
        #expect((try alice.json(["conflicts"]) as? [Any])?.count == 12)
        for n in 1...12 { #expect(try alice.run(["note", "edit", "Memo \(n)", "--text", "alice's memo"]).status == 0) }
        #expect(try bob.run(["sync"]).status == 0)
        for n in 1...12 { #expect(try bob.run(["note", "remove", "Topic \(n)"]).status == 0 && bob.run(["note", "remove", "Memo \(n)"]).status == 0) }
        #expect(try bob.run(["sync"]).status == 0)
        let told = try alice.run(["sync"]).stdout
        #expect(told.components(separatedBy: "which held your version, ended: bob removed the note").count == 11
                && told.contains("... and 2 more reviews that held your version ended with a colleague's removal: each text is kept"), "\(told)")
        #expect(told.contains("... and 2 more records you had edited since your last sync that a colleague removed: your versions of each are in `rapport history NAME`."), "\(told)")
    }

    /// Bob resolves alice's and his conflict while carol, offline, edits the note: the review opens again between
    /// bob's text and carol's. Alice hears that her text was set aside, and that it is in review again (editing the
    /// note, as "bring back what it held" read, is refused until it is resolved).
    @Test func anEditSetAsideInAReviewOpenedAgainPointsToIt() throws {
        var team = try ServedTeam(users: ["alice", "bob", "carol"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob"), carol = try team.join("carol")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["note", "add", "Acme", "--title", "Plan", "--text", "base"]).status == 0)
        for replica in [alice, bob, carol] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["note", "edit", "Plan", "--text", "alice words"]).status == 0)
        #expect(try bob.run(["note", "edit", "Plan", "--text", "bob words"]).status == 0)
        #expect(try carol.run(["note", "edit", "Plan", "--text", "carol words"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        let id = try #require((try bob.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        #expect(try bob.run(["conflicts", "resolve", id, "--keep", "mine"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try carol.run(["sync"]).status == 0)
        let told = try alice.run(["sync"])
        #expect(told.stdout.contains("bob resolved the review of ") && told.stdout.contains("That text is in review again, with an edit made without seeing the resolution: `rapport conflicts show "), "\(told.stdout)")
        let open = try #require((try alice.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        #expect(told.stdout.contains("conflicts show \(open)`"), "\(told.stdout)")
    }

    /// Lines of the base that an edit kept are not the editor's: a resolution that holds every line bob wrote, with
    /// a base line alice edited, was "each line of yours within a longer one: check".
    @Test func aBaseLineAColleagueEditedIsNotYours() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["note", "add", "Acme", "--title", "Plan", "--text", "Alpha.\nBeta.\nGamma."]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["note", "edit", "Plan", "--text", "Alpha.\nBeta (alice).\nGamma."]).status == 0)
        #expect(try bob.run(["note", "edit", "Plan", "--text", "Alpha 2.\nBeta.\nGamma.\nDelta."]).status == 0)
        for replica in [bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let id = try #require((try alice.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        #expect(try alice.run(["conflicts", "resolve", id, "--text", "Alpha 2.\nBeta (alice).\nGamma.\nDelta."]).status == 0 && alice.run(["sync"]).status == 0)
        let told = try #require(try bob.json(["sync"]) as? [String: Any])
        #expect((told["set_aside"] as? [[String: Any]])?.first?["yours_in_it"] as? String == "every_line", "\(told)")
        // Some of the lines written, not all: said so, not "kept other text".
        #expect(try alice.run(["note", "edit", "Plan", "--text", "Alpha 3.\nBeta (alice).\nGamma.\nDelta."]).status == 0)
        #expect(try bob.run(["note", "edit", "Plan", "--text", "Alpha two.\nBeta (alice).\nGamma.\nDelta.\nEpsilon."]).status == 0)
        for replica in [bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let again = try #require((try alice.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        #expect(try alice.run(["conflicts", "resolve", again, "--text", "Alpha 3.\nBeta (alice).\nGamma.\nDelta.\nEpsilon."]).status == 0 && alice.run(["sync"]).status == 0)
        let partly = try bob.run(["sync"]).stdout
        #expect(partly.contains("with a text that holds some of your lines, not all: check what it left out"), "\(partly)")
    }

    /// Resolved on two laptops at once, a conflict is "already resolved" by the one whose resolution stands, on
    /// both laptops: each named its own resolver.
    @Test func aConflictResolvedTwiceAtOnceNamesTheResolutionThatStands() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["note", "add", "Acme", "--title", "Plan", "--text", "base"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["note", "edit", "Plan", "--text", "A"]).status == 0)
        #expect(try bob.run(["note", "edit", "Plan", "--text", "B"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let id = try #require((try alice.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        #expect(try alice.run(["conflicts", "resolve", id, "--text", "A and B"]).status == 0)
        Thread.sleep(forTimeInterval: 0.05)
        #expect(try bob.run(["conflicts", "resolve", id, "--text", "B and A"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        for replica in [alice, bob] {
            let shown = try replica.run(["conflicts", "show", id])
            #expect(shown.stdout.contains("is already resolved by bob on "), "\(shown.stdout)\(shown.stderr)")
            #expect((try replica.json(["note", "show", "Plan"]) as? [String: Any])?["body"] as? String == "B and A")
            // The list of closed ones too (each laptop named its own resolver there).
            let closed = try #require((try replica.json(["conflicts", "--all"]) as? [[String: Any]])?.first { $0["id"] as? String == id })
            #expect(closed["resolved_by"] as? String == "bob", "\(closed)")
        }
        let refused = try alice.run(["conflicts", "resolve", id, "--keep", "mine"])
        #expect(refused.status == 64 && refused.stderr.contains("Error: conflict \(id) is already resolved by bob on "), "\(refused.stderr)")
        // The note removed since: the way back first, not an edit that would fail.
        #expect(try alice.run(["note", "remove", "Plan"]).status == 0)
        let gone = try alice.run(["conflicts", "resolve", id, "--keep", "mine"])
        #expect(gone.status == 64 && gone.stderr.contains("; it was removed since: `rapport note restore ") && !gone.stderr.contains("note edit"), "\(gone.stderr)")
    }

    /// Texts with versions waiting for review are marked wherever they are read, not only in `note list`: the
    /// stakeholder map and the account report showed one version as if settled.
    @Test func textsInReviewAreMarkedOnTheMapAndInTheReport() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Northwind"]).status == 0)
        #expect(try alice.run(["stakeholder", "add", "Northwind", "Dana Smith"]).status == 0)
        #expect(try alice.run(["plan", "kpi", "add", "Northwind", "conversion"]).status == 0)
        #expect(try alice.run(["meeting", "add", "Northwind", "--kind", "weekly", "--date", "2026-11-02"]).status == 0)
        #expect(try alice.run(["concern", "open", "Northwind", "Late deliveries", "--text", "Two late"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["stakeholder", "notes", "Dana", "--text", "Prefers email"]).status == 0)
        #expect(try bob.run(["stakeholder", "notes", "Dana", "--text", "Prefers phone"]).status == 0)
        #expect(try alice.run(["plan", "kpi", "notes", "conversion", "--text", "Images helped"]).status == 0)
        #expect(try bob.run(["plan", "kpi", "notes", "conversion", "--text", "Prices helped"]).status == 0)
        #expect(try alice.run(["meeting", "notes", "2026-11-02", "--text", "Agreed a pilot"]).status == 0)
        #expect(try bob.run(["meeting", "notes", "2026-11-02", "--text", "Agreed nothing"]).status == 0)
        #expect(try alice.run(["concern", "step", "Late deliveries", "clarify", "--text", "The forwarder"]).status == 0)
        #expect(try bob.run(["concern", "step", "Late deliveries", "clarify", "--text", "Our warehouse"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        // The meeting list marks notes in review (its JSON names the conflict); a concern names its conflict.
        #expect(try alice.run(["meeting", "list"]).stdout.contains("(in review) Agreed "))
        #expect(((try alice.json(["meeting", "list"]) as? [[String: Any]])?.first?["open_conflict"] as? String)?.isEmpty == false)
        let concern = try alice.run(["concern", "show", "Late deliveries"])
        #expect(concern.stdout.contains("! concurrent edits wait for review: `rapport conflicts show "), "\(concern.stdout)")
        #expect(((try alice.json(["concern", "show", "Late deliveries"]) as? [String: Any])?["open_conflict"] as? String)?.isEmpty == false)
        let map = try alice.run(["stakeholders", "Northwind"])
        #expect(map.stdout.contains("(in review: `rapport conflicts show "), "\(map.stdout)")
        let people = try #require((try alice.json(["stakeholders", "Northwind"]) as? [String: Any])?["stakeholders"] as? [[String: Any]])
        #expect(people.first?["open_conflict"] is String, "\(people)")
        let report = try alice.run(["report", "Northwind"])
        #expect(report.stdout.contains("(in review: concurrent versions wait in rapport conflicts; this is the latest) "), "\(report.stdout)")

        // Both add the same person offline: the sync that brings the second says so, once, to each.
        #expect(try alice.run(["stakeholder", "add", "Northwind", "Tom Lee"]).status == 0)
        #expect(try bob.run(["stakeholder", "add", "Northwind", "tom  lee"]).status == 0)
        #expect(try alice.run(["sync"]).stdout.contains("stakeholders of") == false)
        let told = try bob.run(["sync"])
        #expect(told.stdout.contains("2 stakeholders of Northwind are called ") && told.stdout.contains("if they are one person, keep one and remove the other"), "\(told.stdout)")
        let json = try #require(try alice.json(["sync", "--json"]) as? [String: Any])
        #expect((json["stakeholders_sharing_a_name"] as? [[String]])?.first?.count == 2, "\(json)")
        #expect(!(try bob.run(["sync"]).stdout.contains("stakeholders of")))
        // So for a KPI and a deal both add offline: a KPI's readings asked which, the pipeline counted the deal twice.
        #expect(try alice.run(["plan", "kpi", "add", "Northwind", "NPS"]).status == 0 && bob.run(["plan", "kpi", "add", "Northwind", "nps"]).status == 0)
        #expect(try bob.run(["plan", "reading", "nps", "40"]).status == 0)
        #expect(try alice.run(["opportunity", "add", "Northwind", "Bundle deal", "--value", "20k"]).status == 0)
        #expect(try bob.run(["opportunity", "add", "Northwind", "Bundle deal", "--value", "25k"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let doubled = try bob.run(["sync"])
        // The one to keep is the one with the reading, whichever id is higher.
        let bobs = try #require((try bob.json(["plan", "show", "Northwind"]) as? [String: Any])?["kpis"] as? [[String: Any]])
            .first { ($0["readings"] as? [Any])?.isEmpty == false }?["id"] as? String
        #expect(doubled.stdout.contains("2 KPIs of Northwind are called ") && doubled.stdout.contains("keep \(bobs?.prefix(8) ?? "-"), which 1 record refers to, and remove the other (`rapport plan kpi remove "), "\(doubled.stdout)")
        #expect(doubled.stdout.contains("2 opportunities of Northwind are called Bundle deal") && doubled.stdout.contains("The pipeline counts both until then."), "\(doubled.stdout)")
        let records = try #require((try alice.json(["sync", "--json"]) as? [String: Any])?["records_sharing_a_name"] as? [[String: Any]])
        #expect(Swift.Set(records.compactMap { $0["entity"] as? String }) == ["kpi", "opportunity"] && records.allSatisfy { ($0["ids"] as? [String])?.count == 2 }, "\(records)")
        // A flag raised again after one of its name was closed is the next of its kind, not a copy: not told.
        #expect(try alice.run(["flag", "add", "Northwind", "Stockout", "--kind", "stockout"]).status == 0)
        #expect(try alice.run(["flag", "set", "Stockout", "status=closed"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try bob.run(["flag", "add", "Northwind", "Stockout", "--kind", "stockout"]).status == 0 && bob.run(["sync"]).status == 0)
        let again = try alice.run(["sync"])
        #expect(again.status == 0 && !again.stdout.contains("risk flags of Northwind"), "\(again.stdout)")
    }

    /// A value that names another record (an action's meeting) is told by what it names, not by its id.
    @Test func aReferenceOverwrittenIsToldByWhatItNames() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["meeting", "add", "Acme", "--kind", "weekly", "--date", "2026-05-18"]).status == 0)
        #expect(try alice.run(["meeting", "add", "Acme", "--kind", "weekly", "--date", "2026-05-25"]).status == 0)
        #expect(try alice.run(["action", "add", "Acme", "Send forecast"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["action", "set", "Send forecast", "meeting=2026-05-18"]).status == 0)
        #expect(try bob.run(["action", "set", "Send forecast", "meeting=2026-05-25"]).status == 0)
        #expect(try bob.run(["meeting", "remove", "2026-05-18"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        let told = try alice.run(["sync"])
        #expect(told.stdout.contains("bob set ") && told.stdout.contains("to Acme / meeting ") && told.stdout.contains("\"2026-05-25\" after you set it to Acme / meeting ")
                && told.stdout.contains("\"2026-05-18\" (removed): the later stands"), "\(told.stdout)")
    }

    /// A commitment recorded on one laptop, dated after the close recorded on another, reopens the concern (the
    /// close no longer stands): both hear of it at their sync, with the step to record again.
    @Test func aConcernReopenedByAStepRecordedApartIsTold() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["concern", "open", "Acme", "Late deliveries", "--text", "Three late.", "--date", "2026-05-10"]).status == 0)
        #expect(try alice.run(["concern", "step", "Late", "clarify", "--text", "Orders 1123, 1130.", "--date", "2026-05-11"]).status == 0)
        #expect(try alice.run(["concern", "step", "Late", "commit", "--text", "Daily pickup.", "--date", "2026-05-12"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["concern", "step", "Late", "close", "--text", "On time since.", "--date", "2026-05-20"]).status == 0)
        #expect(try bob.run(["concern", "step", "Late", "commit", "--text", "Daily pickup and a spare van.", "--date", "2026-05-25"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let told = try bob.run(["sync"])
        #expect(told.stdout.contains("The concern Late deliveries (Acme) has its close step (2026-05-20) dated before its commit step (2026-05-25), recorded apart: " +
                                     "it stays committed until the close step is recorded again (`rapport concern step ") && told.stdout.contains(" close`)."), "\(told.stdout)")
        let json = try #require(try alice.json(["sync"]) as? [String: Any])
        let odd = try #require((json["concerns_out_of_order"] as? [[String: Any]])?.first)
        #expect(odd["step"] as? String == "close" && odd["after"] as? String == "commit" && odd["after_day"] as? String == "2026-05-25", "\(json)")
        // Recorded again, the close stands and nothing more is said.
        #expect(try alice.run(["concern", "step", "Late", "close", "--text", "On time for a week.", "--date", "2026-05-26"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try !bob.run(["sync"]).stdout.contains("The concern"))
    }

    /// One person who adds the same stakeholder on the laptop and on the desktop, offline, has two of them as two
    /// people would: the sync that brings the second says so (it looked at other people's records only).
    @Test func namesakesFromTheSameUsersOtherComputerAreTold() throws {
        var team = try ServedTeam(users: ["alice"])
        defer { team.server.stop() }
        let laptop = try team.join("alice"), desktop = try team.join("alice", file: "desktop")
        #expect(try laptop.run(["account", "add", "Acme"]).status == 0 && laptop.run(["sync"]).status == 0 && desktop.run(["sync"]).status == 0)
        #expect(try laptop.run(["stakeholder", "add", "Acme", "Dana Smith"]).status == 0)
        #expect(try desktop.run(["stakeholder", "add", "Acme", "dana smith"]).status == 0)
        #expect(try laptop.run(["sync"]).status == 0)
        let told = try desktop.run(["sync"])
        #expect(told.stdout.contains("2 stakeholders of Acme are called "), "\(told.stdout)")
    }

    /// One person's note edited on two computers: the list names each version's laptop (it read "alice ... vs
    /// alice ...", which tells nothing of which to keep).
    @Test func aConflictOfOnePersonsTwoComputersNamesEachLaptop() throws {
        var team = try ServedTeam(users: ["alice"])
        defer { team.server.stop() }
        let laptop = try team.join("alice"), desktop = try team.join("alice", file: "desktop")
        #expect(try laptop.run(["account", "add", "Acme"]).status == 0 && laptop.run(["note", "add", "Acme", "--title", "Plan", "--text", "v1"]).status == 0)
        #expect(try laptop.run(["sync"]).status == 0 && desktop.run(["sync"]).status == 0)
        #expect(try laptop.run(["note", "edit", "Plan", "--text", "from the laptop"]).status == 0)
        #expect(try desktop.run(["note", "edit", "Plan", "--text", "from the desktop"]).status == 0)
        for replica in [laptop, desktop, laptop] { #expect(try replica.run(["sync"]).status == 0) }
        let ids = try [laptop, desktop].map { try #require((try $0.json(["status"]) as? [String: Any])?["replica"] as? String) }
        let listed = try laptop.run(["conflicts"]).stdout
        #expect(listed.contains("alice (laptop \(ids[0].prefix(8))) ") && listed.contains(" vs alice (laptop \(ids[1].prefix(8))) "), "\(listed)")
        // Both laptops resolve it at once: each says the other laptop did, not that "alice" did as someone else.
        let id = try #require((try laptop.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        let shown = try laptop.run(["conflicts", "show", id]).stdout
        #expect(shown.contains("(yours, this laptop): alice") && shown.contains("(yours, laptop \(ids[1].prefix(8))): alice"), "\(shown)")
        #expect(try desktop.run(["sync"]).status == 0)
        #expect(try laptop.run(["conflicts", "resolve", id, "--text", "laptop's"]).status == 0 && desktop.run(["conflicts", "resolve", id, "--text", "desktop's"]).status == 0)
        #expect(try laptop.run(["sync"]).status == 0)
        let met = try desktop.run(["sync"])
        #expect(met.status == 0 && met.stdout.contains("You resolved ") && met.stdout.contains(" on your other laptop (\(ids[0].prefix(8))) at the same time as here, with other text")
                && !met.stdout.contains("alice resolved"), "\(met.stdout)")
    }

    /// Two resolutions of one review met, and one resolver removed the note: "your text stands" was told beside
    /// "the removal stands" (QA). The meeting is told with the removal that stands over both.
    @Test func aResolutionMetByAResolutionAndARemovalIsToldTheRemoval() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0 && alice.run(["note", "add", "Acme", "--title", "Memo", "--text", "m"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["note", "edit", "Memo", "--text", "m alice"]).status == 0 && bob.run(["note", "edit", "Memo", "--text", "m bob"]).status == 0)
        for replica in [alice, bob, alice] { #expect(try replica.run(["sync"]).status == 0) }
        let id = try #require((try alice.json(["conflicts"]) as? [[String: Any]])?.first?["id"] as? String)
        #expect(try alice.run(["conflicts", "resolve", id, "--text", "alice's merge"]).status == 0 && alice.run(["note", "remove", "Memo"]).status == 0)
        #expect(try bob.run(["conflicts", "resolve", id, "--text", "bob's merge"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let told = try bob.run(["sync"])
        #expect(told.status == 0 && told.stdout.contains("alice resolved ") && told.stdout.contains("at the same time as you, with other text; alice removed it since, which stands whatever text it held: both are kept (`rapport history ")
                && !told.stdout.contains("stands. ") && !told.stdout.contains("your text stands"), "\(told.stdout)")
    }

    /// Accounts handed over heard nothing on the receiving side until they showed in `due` (QA): the sync that
    /// brings them says who made which accounts yours; a first sync, which brings every account, does not.
    @Test func accountsHandedOverAreToldToTheirNewOwner() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        for name in ["Acme", "Beta"] { #expect(try alice.run(["account", "add", name, "--owner", "alice"]).status == 0) }
        #expect(try alice.run(["account", "add", "Gamma", "--owner", "carol"]).status == 0)
        #expect(try alice.run(["action", "add", "Gamma", "Send the deck", "--owner", "alice", "--due", "2026-01-20"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["account", "handover", "--from", "alice", "--to", "bob"]).status == 0 && alice.run(["sync"]).status == 0)
        let told = try bob.run(["sync"])
        #expect(told.status == 0 && told.stdout.contains("alice made 2 accounts yours: Acme and Beta (`rapport due` lists what is due on them"), "\(told.stdout)")
        // An action on a third person's account too (it came without a word; QA).
        #expect(told.stdout.contains("alice made a next action yours: 'Send the deck' (Gamma, due 2026-01-20) (`rapport due` lists it once due)."), "\(told.stdout)")
        #expect(try alice.run(["account", "set", "Acme", "industry=Retail"]).status == 0 && alice.run(["sync"]).status == 0)
        #expect(try !bob.run(["sync"]).stdout.contains("yours:"))
        let json = try #require(try bob.json(["sync"]) as? [String: Any])
        #expect((json["accounts_now_yours"] as? [Any])?.isEmpty == true, "\(json)")
        // One of theirs removed and restored by a colleague was not made theirs: it came back (it said "made an
        // account yours").
        #expect(try bob.run(["account", "remove", "Beta"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0 && alice.run(["account", "restore", "Beta"]).status == 0 && alice.run(["sync"]).status == 0)
        let back = try bob.run(["sync"])
        #expect(back.stdout.contains("alice restored an account of yours: Beta (removed by you on ") && back.stdout.contains("it is back in your lists and `rapport due`.")
                && !back.stdout.contains("made an account yours"), "\(back.stdout)")
        // Removed and restored by a colleague between two syncs of bob's: restored too, not made his.
        #expect(try alice.run(["account", "remove", "Beta"]).status == 0 && alice.run(["account", "restore", "Beta"]).status == 0 && alice.run(["sync"]).status == 0)
        let again = try #require(try bob.json(["sync"]) as? [String: Any])
        #expect((again["accounts_now_yours"] as? [[String: Any]])?.map { $0["restored"] as? Bool } == [true], "\(again)")
        // (Told as restored alone, not as removed too.)
        #expect((again["your_accounts_removed"] as? [Any])?.isEmpty == true, "\(again)")
        // An action taken back is told to the one losing it, whatever the case of the owner typed.
        #expect(try alice.run(["action", "set", "Send the deck", "owner=Alice"]).status == 0 && alice.run(["sync"]).status == 0)
        let taken = try bob.run(["sync"])
        #expect(taken.stdout.contains("alice took a next action of yours: 'Send the deck' (Gamma, due 2026-01-20) [") && taken.stdout.contains("]; it leaves your `rapport due`."), "\(taken.stdout)")
        // One of his made someone else's is told to him too: it left his `due` without a word (QA), and an owner no
        // one syncs as (a name from a spreadsheet) is said so.
        #expect(try alice.run(["account", "set", "Acme", "owner=Carol Jones"]).status == 0 && alice.run(["sync"]).status == 0)
        let gone = try bob.run(["sync"])
        #expect(gone.stdout.contains("alice gave an account of yours to someone else: Acme to 'Carol Jones', whom no one here syncs as; it leaves your `rapport due` and portfolio"), "\(gone.stdout)")
        #expect(try !alice.run(["sync"]).stdout.contains("gave"))
        // Made his and archived in one change: never his to lose, so no "archived your account" (QA).
        #expect(try alice.run(["account", "add", "Hooli", "--owner", "alice"]).status == 0 && alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "set", "Hooli", "owner=bob", "archived=true"]).status == 0 && alice.run(["sync"]).status == 0)
        let archived = try bob.run(["sync"])
        #expect(!archived.stdout.contains("Hooli"), "\(archived.stdout)")
    }

    /// A status and the day it closed merge as one: a flag closed on one laptop and set watching on another,
    /// unaware, stood watching with the close day (QA); a deal reopened while its close day was corrected stood
    /// open with a close day; an action reopened while its day done was corrected, undone with a day done.
    @Test func aStatusAndItsCloseDayMergeAsOne() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["flag", "add", "Acme", "Review dip", "--kind", "reviews"]).status == 0)
        #expect(try alice.run(["opportunity", "add", "Acme", "Bundle", "--stage", "won", "--date", "-20", "--closed-on", "-10", "--value", "5k"]).status == 0)
        #expect(try alice.run(["action", "add", "Acme", "Send deck"]).status == 0 && alice.run(["action", "done", "Send deck", "--date", "-5"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["flag", "set", "Review dip", "status=closed"]).status == 0)
        #expect(try alice.run(["opportunity", "set", "Bundle", "stage=proposal"]).status == 0)
        #expect(try alice.run(["action", "set", "Send deck", "done=false"]).status == 0)
        // Bob, later, unaware of all three.
        #expect(try bob.run(["flag", "set", "Review dip", "status=watching"]).status == 0)
        #expect(try bob.run(["opportunity", "set", "Bundle", "closed_on=-8"]).status == 0)
        #expect(try bob.run(["action", "done", "Send deck", "--date", "-4"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let told = try bob.run(["sync"])
        // What his change of another field set again is told as that, not as set by him.
        #expect(told.stdout.contains("\"Bundle\" / stage to 'proposal' before your change of closed_on set it again, as it stood here, to 'won', and")
                && told.stdout.contains("\"Review dip\" / status to 'closed' before you set it to 'watching', and")
                && told.stdout.contains("\"Review dip\" / closed_on to '") && told.stdout.contains("before your change of status left it cleared, and"), "\(told.stdout)")
        #expect(try alice.run(["sync"]).status == 0)
        for replica in [alice, bob] {
            let flag = try #require(try replica.json(["flag", "show", "Review dip"]) as? [String: Any])
            #expect(flag["status"] as? String == "watching" && flag["closed_on"] is NSNull, "\(flag)")
            let deal = try #require(try replica.json(["opportunity", "show", "Bundle"]) as? [String: Any])
            #expect(deal["stage"] as? String == "won" && deal["closed_on"] as? String != nil, "\(deal)")
            let action = try #require((try replica.json(["action", "list", "--all"]) as? [[String: Any]])?.first)
            #expect(action["done"] as? Bool == true && action["done_on"] as? String != nil, "\(action)")
        }
        // A deal made lost after a colleague reopened it, unaware, is lost with its close day (not lost on no day).
        #expect(try alice.run(["opportunity", "add", "Acme", "Pilot", "--stage", "won", "--date", "-20", "--closed-on", "-10"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try bob.run(["opportunity", "set", "Pilot", "stage=proposal"]).status == 0)
        #expect(try alice.run(["opportunity", "set", "Pilot", "stage=lost"]).status == 0)
        for replica in [bob, alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        for replica in [alice, bob] {
            let deal = try #require(try replica.json(["opportunity", "show", "Pilot"]) as? [String: Any])
            #expect(deal["stage"] as? String == "lost" && deal["closed_on"] as? String != nil, "\(deal)")
        }
        // A colleague's value set again with their change of another field is told as that too.
        #expect(try alice.run(["opportunity", "add", "Acme", "Venue", "--stage", "won", "--date", "-20", "--closed-on", "-10"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["opportunity", "set", "Venue", "closed_on=-12"]).status == 0)
        #expect(try bob.run(["opportunity", "set", "Venue", "stage=lost"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        let restated = try alice.run(["sync"]).stdout
        #expect(restated.contains("bob's change of stage set Acme / opportunity ") && restated.contains("\"Venue\" / closed_on again, as it stood, to '")
                && restated.contains("' after you set it to '"), "\(restated)")
        // What was restated is no change in the history: a flag never closed, set watching, has no close day there.
        #expect(try alice.run(["flag", "add", "Acme", "Quiet", "--kind", "other"]).status == 0 && alice.run(["flag", "set", "Quiet", "status=watching"]).status == 0)
        let history = try alice.run(["history", "Quiet"]).stdout
        #expect(history.contains("watching") && !history.contains("closed_on"), "\(history)")
    }

    /// An owner stored in another case than the user's (typed before that user made any change, so not respelt
    /// as synced) is still that user: handing to and taking from them is told.
    @Test func anOwnerStoredInAnotherCaseIsToldAsYours() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme", "--owner", "alice"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        let typed = try alice.run(["action", "add", "Acme", "Send the deck", "--owner", "BOB", "--due", "2026-01-20"])
        #expect(typed.status == 0 && typed.stderr.contains("no one"), "\(typed.stderr)")
        #expect(try (alice.json(["action", "list"]) as? [[String: Any]])?.first?["owner"] as? String == "BOB")
        #expect(try alice.run(["sync"]).status == 0)
        let given = try bob.run(["sync"])
        #expect(given.stdout.contains("alice made a next action yours: 'Send the deck' (Acme, due 2026-01-20)"), "\(given.stdout)")
        #expect(try alice.run(["action", "set", "Send the deck", "owner=alice"]).status == 0 && alice.run(["sync"]).status == 0)
        let taken = try bob.run(["sync"])
        #expect(taken.stdout.contains("alice took a next action of yours: 'Send the deck' (Acme, due 2026-01-20) ["), "\(taken.stdout)")
    }

    /// A review held open here, widened by a colleague's concurrent edit and ended by another's removal within one
    /// sync, is told as ended (it was told only when the review was not widened first).
    @Test func aReviewWidenedThenRemovedIsToldAsEnded() throws {
        var team = try ServedTeam(users: ["alice", "bob", "carol", "dave"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob"), carol = try team.join("carol"), dave = try team.join("dave")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0 && alice.run(["note", "add", "Acme", "--title", "Rem", "--text", "r1\nr2"]).status == 0)
        for replica in [alice, bob, carol, dave] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["note", "edit", "Rem", "--text", "r1 A\nr2"]).status == 0 && carol.run(["note", "edit", "Rem", "--text", "r1\nr2 C"]).status == 0)
        for replica in [alice, carol, alice] { #expect(try replica.run(["sync"]).status == 0) }
        #expect((try alice.json(["conflicts"]) as? [Any])?.count == 1)
        #expect(try bob.run(["note", "remove", "Rem"]).status == 0 && dave.run(["note", "edit", "Rem", "--text", "r1\nr2\nr3 D"]).status == 0)
        for replica in [bob, dave] { #expect(try replica.run(["sync"]).status == 0) }
        let ended = try #require(try alice.json(["sync"]) as? [String: Any])
        #expect((ended["reviews_ended_by_removal"] as? [Any])?.count == 1, "\(ended)")
        let told = try carol.run(["sync"])
        #expect(told.status == 0 && told.stdout.contains("which held your version, ended: bob removed the note"), "\(told.stdout)")

        // One that opens and ends within one sync (the colleague's version and the removal pulled together): its
        // author was told nothing (QA).
        #expect(try alice.run(["note", "add", "Acme", "--title", "Brief", "--text", "b1"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        #expect(try alice.run(["note", "edit", "Brief", "--text", "b1 alice"]).status == 0 && bob.run(["note", "edit", "Brief", "--text", "b1 bob"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0 && bob.run(["sync"]).status == 0)
        #expect(try bob.run(["conflicts", "list", "--json"]).stdout.contains("Brief") && bob.run(["note", "remove", "Brief"]).status == 0 && bob.run(["sync"]).status == 0)
        let quick = try alice.run(["sync"])
        #expect(quick.status == 0 && quick.stdout.contains("which held your version, ended: bob removed the note") && quick.stdout.contains("Brief"), "\(quick.stdout)")
        // Not at a new laptop's first sync, whose snapshot builds every old review of a record removed since (review).
        let fresh = try team.join("alice", file: "alice-new")
        let first = try fresh.run(["sync"])
        #expect(first.status == 0 && !first.stdout.contains("ended"), "\(first.stdout)")
    }

    /// A server restored from an older backup had lost entries the replicas applied: they used to sync on with
    /// "received 0", skip the team's next pushes for good and never send their lost changes again.
    @Test func aServerRestoredFromABackupIsNoticedAndHealedWithAfterRestore() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Northwind"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        try team.backUp()

        #expect(try alice.run(["account", "add", "Contoso"]).status == 0)
        #expect(try alice.run(["note", "add", "Northwind", "--title", "Deal", "--text", "Signed for 3 years"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        // The disk fails; last night's backup comes back, and the team goes on.
        try team.restoreBackup()
        #expect(try bob.run(["account", "add", "Fabrikam"]).status == 0)

        for replica in [alice, bob] {
            let refused = try replica.run(["sync"])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("the server was restored from an older backup"), "\(refused.stderr)")
            #expect(refused.stderr.contains("`rapport sync --after-restore`"))
        }
        // Bob's new account is kept for the sync that goes through.
        #expect(((try bob.json(["status"]) as? [String: Any])?["pending_operations"] as? Int ?? 0) > 0)
        let healed = try alice.run(["sync", "--after-restore"])
        #expect(healed.status == 0 && healed.stdout.contains("synced changes of yours it holds to the server again: the server had lost "), "\(healed.stdout)\(healed.stderr)")
        // What was not lost is counted apart from what was: Northwind's changes came through the backup.
        let report = try #require(try JSONSerialization.jsonObject(with: Data(try alice.run(["sync", "--json", "--after-restore"]).stdout.utf8)) as? [String: Any])
        #expect(report["resent_stored"] as? Int == 0 && (report["resent"] as? Int ?? 0) > 0, "\(report)")
        #expect(try bob.run(["sync", "--after-restore"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        for replica in [alice, bob] {
            let names = try #require(try replica.json(["account", "list"]) as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(names == ["Contoso", "Fabrikam", "Northwind"])
            let note = try #require(try replica.json(["note", "show", "Deal"]) as? [String: Any])
            #expect(note["body"] as? String == "Signed for 3 years")
        }
        // A new laptop gets everything from the healed server.
        let carol = try team.join("alice", file: "carol")
        #expect(try carol.run(["sync"]).status == 0)
        #expect(try #require(try carol.json(["account", "list"]) as? [Any]).count == 3)
        // A server URL with a path reaches the server but not its API: the answer says what the URL should be.
        #expect(try carol.run(["config", "--server", team.server.url + "/v1"]).status == 0)
        let pathed = try carol.run(["sync"])
        #expect(pathed.status != 0 && pathed.stderr.contains("scheme, host and port only"), "\(pathed.stderr)")
    }

    /// A restored server that took new pushes since: its head is past the replicas' cursors again, and they
    /// used to sync on, skipping for good the team's changes at the positions they believed they had. The entry
    /// at the cursor gives it away.
    @Test func aRestoredServerThatTookPushesSinceIsNoticedByTheEntryAtTheCursor() throws {
        var team = try ServedTeam(users: ["alice", "carol"])
        defer { team.server.stop() }
        let alice = try team.join("alice")
        #expect(try alice.run(["account", "add", "Northwind"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        try team.backUp()
        #expect(try alice.run(["account", "add", "Contoso"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        try team.restoreBackup()
        // Carol starts on the restored server and pushes more than alice's last sync did.
        let carol = try team.join("carol")
        for name in ["Fabrikam", "Litware", "Tailspin", "Adatum"] { #expect(try carol.run(["account", "add", name]).status == 0) }
        #expect(try carol.run(["sync"]).status == 0)

        let refused = try alice.run(["sync", "--json"])
        #expect(refused.status == 1)
        let failure = try #require((try JSONSerialization.jsonObject(with: Data(refused.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any])
        #expect(failure["code"] as? String == "log_rewritten", "\(refused.stdout)")
        #expect((failure["message"] as? String ?? "").contains("restored from an older backup (its admin may have marked it so)"))
        #expect(try alice.run(["sync", "--after-restore"]).status == 0)
        // Alice's handshake showed the log rewritten: carol, who synced since the restore but before it was
        // noticed, cannot be told apart from a replica that synced before it, and is asked to recover too.
        let carolTold = try carol.run(["sync"])
        #expect(carolTold.status == 1 && carolTold.stderr.contains("`rapport sync --after-restore`"), "\(carolTold.stderr)")
        #expect(try carol.run(["sync", "--after-restore"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        for replica in [alice, carol] {
            let names = try #require(try replica.json(["account", "list"]) as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(names == ["Adatum", "Contoso", "Fabrikam", "Litware", "Northwind", "Tailspin"])
        }
    }

    /// After a restore, a replica that had synced past the backup re-sent its change, which landed at the very
    /// position it had before: a colleague whose cursor was that position found the same entry there and synced
    /// on, missing for good what was pushed below it. The first replica's handshake, past the head, moved the
    /// log's generation on, and every replica of the earlier one is told.
    @Test func aRestoreShownByOneReplicaReachesEveryReplicaThatSyncedBefore() throws {
        var served = try ServedTeam(users: ["u1", "u2", "u3", "u4"])
        defer { served.server.stop() }
        var team: [RapportBinary] = []
        for user in served.users { team.append(try served.join(user)) }
        let (u1, u2, u3, u4) = (team[0], team[1], team[2], team[3])
        #expect(try u1.run(["account", "add", "Acme"]).status == 0)
        for replica in team { #expect(try replica.run(["sync"]).status == 0) }
        try served.backUp()
        #expect(try u1.run(["account", "set", "Acme", "industry=Retail"]).status == 0)
        #expect(try u1.run(["sync"]).status == 0)
        #expect(try u2.run(["account", "set", "Acme", "margin=30"]).status == 0)
        #expect(try u2.run(["sync"]).status == 0)
        #expect(try u3.run(["sync"]).status == 0)
        try served.restoreBackup()
        #expect(try u4.run(["account", "set", "Acme", "revenue=9k"]).status == 0)
        #expect(try u4.run(["sync"]).status == 0)
        // u2, told by the admin, recovers at once; its handshake, past the head, moves the generation on, and
        // the others' discoveries after it move it no further (u2 would be stopped again).
        #expect(try u2.run(["sync", "--after-restore"]).status == 0)
        #expect(try u2.run(["sync"]).status == 0)

        for replica in [u3, u1, u4] {
            let told = try replica.run(["sync", "--json"])
            let failure = (try? JSONSerialization.jsonObject(with: Data(told.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any]
            #expect(told.status == 1 && failure?["code"] as? String == "log_rewritten", "\(told.stdout)\(told.stderr)")
            #expect(try replica.run(["sync", "--after-restore"]).status == 0)
        }
        #expect(try u2.run(["sync"]).status == 0)
        for replica in team {
            let acme = try #require(try replica.json(["account", "show", "Acme"]) as? [String: Any])
            #expect(acme["revenue"] as? Double == 9_000 && acme["margin"] as? Double == 30 && acme["industry"] as? String == "Retail", "\(acme)")
            #expect(try replica.run(["sync"]).status == 0)
        }
    }

    /// A replica whose first sync came after the backup, restored without `admin restored`: a compaction since
    /// emptied the position it holds, so neither its cursor nor its entry showed anything, and it synced on for
    /// good without the team's changes (QA). The server never registered it: that is the sign.
    @Test func aReplicaTheBackupDidNotKnowIsStoppedAfterACompactionEmptiedItsPosition() throws {
        var team = try ServedTeam(users: ["alice", "bob"])
        defer { team.server.stop() }
        let alice = try team.join("alice")
        #expect(try alice.run(["account", "add", "Northwind"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        try team.backUp()
        let bob = try team.join("bob")
        #expect(try bob.run(["account", "add", "Contoso"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        try team.restoreBackup()
        for revenue in 1...8 { #expect(try alice.run(["account", "set", "Northwind", "revenue=\(revenue)k"]).status == 0) }
        #expect(try alice.run(["sync"]).status == 0)
        #expect(try team.admin.run(["admin", "compact", "--db", team.db, "--keep-days", "0"]).status == 0)

        let told = try bob.run(["sync", "--json"])
        let failure = (try? JSONSerialization.jsonObject(with: Data(told.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any]
        #expect(told.status == 1 && failure?["code"] as? String == "log_rewritten", "\(told.stdout)\(told.stderr)")
        #expect(try bob.run(["sync", "--after-restore"]).status == 0)
        let toldAlice = try alice.run(["sync"])
        #expect(toldAlice.status == 1, "\(toldAlice.stdout)")
        #expect(try alice.run(["sync", "--after-restore"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)
        for replica in [alice, bob] {
            let names = try #require(try replica.json(["account", "list"]) as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(names == ["Contoso", "Northwind"])
            #expect((try replica.json(["account", "show", "Northwind"]) as? [String: Any])?["revenue"] as? Double == 8_000)
        }
    }

    /// `admin restored` stops every replica that synced before, even one whose own position shows nothing.
    @Test func anAdminMarksTheServerRestored() throws {
        var team = try ServedTeam(users: ["alice"])
        defer { team.server.stop() }
        let alice = try team.join("alice")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let (admin, db) = (team.admin, team.db)
        // A backup taken then, restored after alice synced more: her replica is ahead of the server.
        let backup = db + ".backup"
        try team.restart { try FileManager.default.copyItem(atPath: db, toPath: backup) }
        #expect(try alice.run(["account", "add", "Beta"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        try team.restart {
            for file in [db, db + "-wal", db + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
            try FileManager.default.copyItem(atPath: backup, toPath: db)
            let marked = try admin.run(["admin", "restored", "--db", db])
            #expect(marked.status == 0 && marked.stdout.contains("default: marked restored at position"), "\(marked.stdout)\(marked.stderr)")
            #expect(try admin.run(["admin", "restored", "--db", db, "--workspace", "nowhere"]).status == 64)
            // For a script: each workspace marked, with its position.
            let json = try #require(try admin.json(["admin", "restored", "--db", db, "--workspace", "default", "--json"]) as? [[String: Any]])
            #expect(json.count == 1 && json[0]["workspace"] as? String == "default" && (json[0]["head"] as? Int ?? 0) > 0, "\(json)")
        }
        let told = try alice.run(["sync"])
        #expect(told.status == 1 && told.stderr.contains("`rapport sync --after-restore`"), "\(told.stderr)")
        // Marked so, the server is not suspected of being another one.
        #expect(told.stderr.contains("the server was restored from an older backup (its log's generation changed since this replica last synced)") && !told.stderr.contains("another server"), "\(told.stderr)")
        #expect(try alice.run(["sync", "--after-restore"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
    }

    /// A laptop's backup taken before its changes were synced, put back: they reached the server from the other
    /// copy of the file, which the sync says (it said "its answer lost on the way", which was not so).
    @Test func aBackupsChangesSyncedFromTheOtherCopyAreSaidSo() throws {
        var team = try ServedTeam(users: ["alice"])
        defer { team.server.stop() }
        let alice = try team.join("alice")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        let file = team.dir.file("alice.sqlite"), laptopBackup = team.dir.file("alice-backup.sqlite")
        try DatabaseQueue(path: file).backup(to: DatabaseQueue(path: laptopBackup))
        #expect(try alice.run(["sync"]).status == 0)
        #expect(try alice.run(["account", "set", "Acme", "margin=43"]).status == 0 && alice.run(["sync"]).status == 0)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        try FileManager.default.copyItem(atPath: laptopBackup, toPath: file)
        let moved = try alice.run(["sync"])
        #expect(moved.status == 0 && moved.stdout.contains("had reached the server already, from the other copy of this file")
                && !moved.stdout.contains("answer lost") && moved.stdout.contains("this replica now syncs as "), "\(moved.stdout)\(moved.stderr)")
        #expect((try alice.json(["account", "show", "Acme"]) as? [String: Any])?["margin"] as? Double == 43)
    }

    /// A laptop restored from its own backup moves to a new id. After the server's restore, the changes it made
    /// under the old id, and its user's it pulled, are sent again by it: no laptop syncs under that id any more,
    /// and a laptop set up afterwards missed them while the others kept them.
    @Test func afterRestoreSendsAgainTheUsersChangesUnderAnIdTheLaptopLeft() throws {
        var team = try ServedTeam(users: ["alice", "bob", "carol"])
        defer { team.server.stop() }
        let alice = try team.join("alice"), bob = try team.join("bob")
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        try team.backUp()
        #expect(try alice.run(["account", "add", "X1 Corp"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let file = team.dir.file("alice.sqlite"), laptopBackup = team.dir.file("alice-backup.sqlite")
        try DatabaseQueue(path: file).backup(to: DatabaseQueue(path: laptopBackup))
        #expect(try alice.run(["account", "add", "X2 Corp"]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync"]).status == 0) }
        // The laptop's own backup put back: it moves to a new id at its next sync.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        try FileManager.default.copyItem(atPath: laptopBackup, toPath: file)
        #expect(try alice.run(["account", "add", "X3 Corp"]).status == 0)
        let moved = try alice.run(["sync"])
        #expect(moved.status == 0 && moved.stdout.contains("this replica now syncs as "), "\(moved.stdout)\(moved.stderr)")
        try team.restoreBackup()
        #expect(try team.admin.run(["admin", "restored", "--db", team.db]).status == 0)
        for replica in [alice, bob] { #expect(try replica.run(["sync", "--after-restore"]).status == 0) }
        let carol = try team.join("carol")
        #expect(try carol.run(["sync"]).status == 0)
        for replica in [alice, bob, carol] {
            let names = try #require(try replica.json(["account", "list"]) as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(names == ["Acme", "X1 Corp", "X2 Corp", "X3 Corp"], "\(names)")
        }
    }

    /// After a restore, a laptop whose unsynced changes moved to a new id (another laptop of the same person sent
    /// its old id's again first) counts them as sent, not as changes the server had lost.
    @Test func afterRestoreCountsChangesMovedToANewIDAsSent() throws {
        var team = try ServedTeam(users: ["fay"])
        defer { team.server.stop() }
        let first = try team.join("fay", file: "f1"), second = try team.join("fay", file: "f2")
        try team.backUp()
        #expect(try first.run(["account", "add", "Acme"]).status == 0)
        #expect(try first.run(["sync"]).status == 0)
        let file = team.dir.file("f1.sqlite"), laptopBackup = team.dir.file("f1-backup.sqlite")
        try DatabaseQueue(path: file).backup(to: DatabaseQueue(path: laptopBackup))
        #expect(try first.run(["account", "add", "Fafter"]).status == 0)
        for replica in [first, second] { #expect(try replica.run(["sync"]).status == 0) }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        try FileManager.default.copyItem(atPath: laptopBackup, toPath: file)
        #expect(try first.run(["account", "add", "Foffline"]).status == 0)
        try team.restoreBackup()
        #expect(try team.admin.run(["admin", "restored", "--db", team.db]).status == 0)
        #expect(try second.run(["sync", "--after-restore"]).status == 0)
        let report = try #require(try first.json(["sync", "--after-restore"]) as? [String: Any])
        #expect(report["new_replica_id"] is String && report["resent_stored"] as? Int == 0 && (report["pushed"] as? Int ?? 0) > 0, "\(report)")
        for replica in [first, second] { #expect(try replica.run(["sync"]).status == 0) }
        for replica in [first, second] {
            let names = try #require(try replica.json(["account", "list"]) as? [[String: Any]]).compactMap { $0["name"] as? String }
            #expect(names == ["Acme", "Fafter", "Foffline"], "\(names)")
        }
    }

    /// A replica pointed at another team's server (a wrong URL) pulled that log from its own cursor on, half
    /// of it, and pushed its changes into it. It stops at the log's identity, and syncs on once pointed back.
    @Test func aReplicaPointedAtAnotherTeamsServerStopsBeforeSendingAnything() throws {
        let dir = try TemporaryFolder()
        let admin = RapportBinary()
        let ours = dir.file("ours.sqlite"), theirs = dir.file("theirs.sqlite")
        let ourToken = try admin.addUser("alice", db: ours)
        let theirToken = try admin.addUser("alice", db: theirs)
        let ourServer = try ServerProcess(arguments: ["--db", ours])
        defer { ourServer.stop() }
        let theirServer = try ServerProcess(arguments: ["--db", theirs])
        defer { theirServer.stop() }
        let alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        #expect(try alice.run(["init", "--user", "alice", "--server", ourServer.url, "--token", ourToken]).status == 0)
        #expect(try alice.run(["account", "add", "Northwind"]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        let other = RapportBinary(environment: ["RAPPORT_DB": dir.file("other.sqlite")])
        #expect(try other.run(["init", "--user", "alice", "--server", theirServer.url, "--token", theirToken]).status == 0)
        for name in ["Fabrikam", "Litware", "Tailspin"] { #expect(try other.run(["account", "add", name]).status == 0) }
        #expect(try other.run(["sync"]).status == 0)

        #expect(try alice.run(["account", "add", "Contoso"]).status == 0)
        #expect(try alice.run(["config", "--server", theirServer.url, "--token", theirToken]).status == 0)
        let refused = try alice.run(["sync"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("holds another team log than the one this replica synced with"), "\(refused.stderr)")
        #expect(refused.stderr.contains("`rapport config --server URL`"))
        let json = try alice.run(["sync", "--json"])
        let failure = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any])
        #expect(failure["code"] as? String == "other_log" && failure["pending"] as? Int ?? 0 > 0, "\(json.stdout)")
        #expect(try other.run(["sync"]).status == 0)
        #expect(try #require(try other.json(["account", "list"]) as? [Any]).count == 3)
        // Nor did their server register alice's replica, which would hold their compaction back.
        let compacted = try #require(try admin.json(["admin", "compact", "--db", theirs, "--keep-days", "0"]) as? [[String: Any]])
        #expect(compacted.first?["held_back_by"] is NSNull, "\(compacted)")
        let names = try #require(try alice.json(["account", "list"]) as? [[String: Any]]).compactMap { $0["name"] as? String }
        #expect(names == ["Contoso", "Northwind"])

        #expect(try alice.run(["config", "--server", ourServer.url, "--token", ourToken]).status == 0)
        let synced = try alice.run(["sync"])
        #expect(synced.status == 0, "\(synced.stderr)")
    }

    @Test func unreachableServerKeepsChanges() throws {
        let dir = try TemporaryFolder()
        let alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        #expect(try alice.run(["init", "--user", "alice", "--server", "http://127.0.0.1:9", "--token", "rpt_x"]).status == 0)
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        let sync = try alice.run(["sync"])
        #expect(sync.status != 0)
        #expect(sync.stderr.contains("server unreachable at http://127.0.0.1:9"))
        #expect(sync.stderr.contains("3 changes kept locally"))
        // A script gets the reason on stdout as well as the exit status.
        let json = try alice.run(["sync", "--json"])
        #expect(json.status != 0)
        let failure = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any])
        #expect(failure["code"] as? String == "unreachable")
        #expect(failure["pending"] as? Int == 3)
        #expect((failure["message"] as? String)?.contains("server unreachable") == true)
        // `status` shows that the replica cannot sync, until a sync goes through.
        let status = try #require(try alice.json(["status"]) as? [String: Any])
        let shown = try #require(status["sync_failure"] as? [String: Any])
        #expect(shown["code"] as? String == "unreachable" && (shown["message"] as? String)?.contains("server unreachable at http://127.0.0.1:9") == true)
        #expect(try alice.run(["status"]).stdout.contains("sync failed: "))
        // Without that moment's count, which the status's own would contradict once another change is made.
        #expect(try alice.run(["account", "add", "Beta"]).status == 0)
        let later = try alice.run(["status"]).stdout
        #expect(later.contains("any local changes are kept") && !later.contains("3 changes kept locally") && later.contains("unsynced:    6 changes"), "\(later)")

        let admin = RapportBinary()
        let token = try admin.addUser("alice", db: dir.file("server.sqlite"))
        let server = try ServerProcess(arguments: ["--db", dir.file("server.sqlite")])
        defer { server.stop() }
        #expect(try alice.run(["config", "--server", server.url, "--token", token]).status == 0)
        #expect(try alice.run(["sync"]).status == 0)
        #expect(try #require(try alice.json(["status"]) as? [String: Any])["sync_failure"] is NSNull)
        #expect(!(try alice.run(["status"]).stdout.contains("sync failed")))
        // A first sync that failed once its changes were sent (as one cut off while pulling): not just "never".
        server.stop()
        try DatabaseQueue(path: dir.file("alice.sqlite")).write { try $0.execute(sql: "UPDATE replica SET last_sync_ms = NULL") }
        #expect(try alice.run(["sync"]).status != 0)
        let cut = try alice.run(["status"]).stdout
        #expect(cut.contains("last sync:   never completed (nothing waits to be sent: `rapport sync` finishes it)") && cut.contains("unsynced:    0 changes"), "\(cut)")
    }

    /// A web page where the server should be (a captive portal's login) answered: it is named as such, with the
    /// code `unexpected_response`, not "unreachable", which sent people to wait for a server that was there.
    @Test func aLoginPageWhereTheServerShouldBeIsNamed() throws {
        let page = try HTMLPage()
        let dir = try TemporaryFolder()
        let alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        #expect(try alice.run(["init", "--user", "alice", "--server", "http://127.0.0.1:\(page.port)", "--token", "rpt_x"]).status == 0)
        let json = try alice.run(["sync", "--json"])
        let failure = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any])
        #expect(json.status != 0 && failure["code"] as? String == "unexpected_response", "\(json.stdout)")
        #expect(failure["pending"] as? Int == 0, "\(json.stdout)")  // every failure says what is still to send
        #expect((failure["message"] as? String)?.contains("it answered with text/html") == true, "\(json.stdout)")
    }

    @Test func revokedTokenIsRefused() throws {
        let dir = try TemporaryFolder()
        let db = dir.file("server.sqlite")
        let admin = RapportBinary()
        // The first user makes a new server database: said, as a mistyped --db would make one too.
        let first = try admin.run(["admin", "add-user", "alice", "--db", db])
        #expect(first.stderr.contains("note: this is the first user of a new server database (\(db)): `rapport serve --db "), "\(first.stderr)")
        let token = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tokens = try #require(try admin.json(["admin", "tokens", "--db", db]) as? [[String: Any]])
        #expect(try admin.run(["admin", "revoke", tokens[0]["id"] as! String, "--db", db]).status == 0)
        let again = try admin.run(["admin", "revoke", tokens[0]["id"] as! String, "--db", db])
        #expect(again.status == 64 && again.stderr.contains("of alice was revoked already, on ") && again.stderr.contains("nothing was changed"), "\(again.stderr)")
        // Redirected, the token did not go "above".
        let added = try admin.run(["admin", "add-user", "bob", "--db", db])
        // The token itself, as pasted from a message it leaked in, revokes it.
        let bobs = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let byToken = try admin.run(["admin", "revoke", bobs, "--db", db])
        #expect(byToken.status == 0 && byToken.stdout.contains("Revoked 1 token: ") && byToken.stdout.contains(" of bob"), "\(byToken.stdout)\(byToken.stderr)")
        #expect(try admin.run(["admin", "revoke", "rpt_" + String(repeating: "0", count: 64), "--db", db]).stderr.contains("that token is none of this server's"))
        #expect(try admin.run(["admin", "add-user", "bob", "--db", db]).status == 0)
        #expect(added.stderr.contains("Token for bob written to standard output") && !added.stderr.contains("workspace") && !added.stderr.contains("first user"), "\(added.stderr)")
        let long = try admin.run(["admin", "add-user", "dave", "--db", db, "--label", String(repeating: "x", count: 81)])
        #expect(long.status == 64 && long.stderr.contains("--label is 81 characters: keep it to 80"), "\(long.stderr)")
        // A workspace named for the first time is a team of its own: said, in case it was mistyped.
        let apart = try admin.run(["admin", "add-user", "carol", "--db", db, "--workspace", "defualt"])
        #expect(apart.status == 0 && apart.stderr.contains("note: workspace 'defualt' is new: carol sees only its data, not that of 'default'"), "\(apart.stderr)")
        // The slip is mended: refused while carol holds a token there, moved once it is revoked (carol never synced).
        let stuck = try admin.run(["admin", "add-user", "carol", "--db", db])
        #expect(stuck.status == 64 && stuck.stderr.contains("`rapport admin remove-user carol` and add carol again (or revoke carol's tokens and add carol again"), "\(stuck.stderr)")
        let carols = try #require(try admin.json(["admin", "tokens", "--db", db]) as? [[String: Any]]).filter { $0["user"] as? String == "carol" }
        let revoked = try admin.run(["admin", "revoke", carols[0]["id"] as! String, "--db", db])
        #expect(revoked.status == 0 && revoked.stdout == "Revoked 1 token: \(carols[0]["id"] as! String) of carol.\n", "\(revoked.stdout)")
        let moved = try admin.run(["admin", "add-user", "carol", "--db", db])
        #expect(moved.status == 0 && moved.stderr.contains("note: carol moved from workspace 'defualt' to 'default'"), "\(moved.stderr)")
        // A new user one slip from one there is said to be new.
        let slip = try admin.run(["admin", "add-user", "alcie", "--db", db])
        #expect(slip.status == 0 && slip.stderr.contains("note: alcie is a new user, apart from 'alice'"), "\(slip.stderr)")
        #expect(try !admin.run(["admin", "add-user", "dave", "--db", db]).stderr.contains("new user"))
        // One differing only in capitals would share alice's lists: refused, with the way to a further token of hers.
        let capitals = try admin.run(["admin", "add-user", "ALICE", "--db", db, "--json"])
        #expect(capitals.status == 64 && capitals.stderr.contains("'ALICE' differs from the user 'alice' only in capitals")
                && capitals.stderr.contains("`rapport admin add-user alice` for a further token of theirs; nothing was added"), "\(capitals.stderr)")

        #expect(try #require(try admin.json(["admin", "users", "--db", db]) as? [[String: Any]]).allSatisfy { $0["name"] as? String != "ALICE" })
        let server = try ServerProcess(arguments: ["--db", db])
        defer { server.stop() }
        let alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        #expect(try alice.run(["init", "--user", "alice", "--server", server.url, "--token", token]).status == 0)
        let sync = try alice.run(["sync"])
        #expect(sync.status != 0)
        #expect(sync.stderr.contains("unauthorized") && sync.stderr.contains("this token was revoked on 20"), "\(sync.stderr)")
        // A revoked token is not worth retrying; a script can tell without reading the server's code.
        let json = try alice.run(["sync", "--json"])
        let failure = try #require((try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any])
        #expect(failure["code"] as? String == "refused" && failure["status"] as? Int == 401 && failure["retryable"] as? Bool == false, "\(json.stdout)")
        // `admin users`: one row per user, with who cannot sync at all.
        let users = try admin.run(["admin", "users", "--db", db])
        #expect(users.status == 0 && users.stdout.contains("alice has no token left, so cannot sync (nothing to do if that is meant): `rapport admin add-user alice` gives them a new token, `rapport admin remove-user alice` removes them."), "\(users.stdout)")
        #expect(users.stdout.split(separator: "\n").contains { $0.hasPrefix("alice") && $0.contains("0 (+1 revoked)") && $0.hasSuffix("never") }, "\(users.stdout)")
        let listed = try #require(try admin.json(["admin", "users", "--db", db]) as? [[String: Any]])
        #expect(listed.map { $0["name"] as? String } == ["alcie", "alice", "bob", "carol", "dave"], "\(listed)")
    }

    /// `admin remove-user`: one who synced stays listed, removed, unable to sync, their laptop no longer
    /// holding compaction back; one added by mistake goes for good. A new token brings the first back.
    @Test func aRemovedUserCannotSyncAndHoldsNothingBack() throws {
        let dir = try TemporaryFolder()
        let db = dir.file("server.sqlite")
        let admin = RapportBinary()
        let token = try admin.addUser("bob", db: db)
        _ = try admin.addUser("alice", db: db)
        _ = try admin.addUser("carol", db: db)
        let server = try ServerProcess(arguments: ["--db", db])
        defer { server.stop() }
        let bob = RapportBinary(environment: ["RAPPORT_DB": dir.file("bob.sqlite")])
        #expect(try bob.run(["init", "--user", "bob", "--server", server.url, "--token", token]).status == 0)
        #expect(try bob.run(["account", "add", "Acme"]).status == 0)
        #expect(try bob.run(["sync"]).status == 0)

        let removed = try admin.run(["admin", "remove-user", "bob", "--db", db])
        #expect(removed.status == 0 && removed.stdout.hasPrefix("Removed bob: 1 token revoked, 1 laptop forgotten, last synced ")
                && removed.stdout.contains("so they can no longer sync nor hold back `admin compact`. What they synced stays in the team's history under their name")
                && removed.stdout.contains("`rapport admin add-user bob` brings them back."), "\(removed.stdout)\(removed.stderr)")
        let refused = try bob.run(["sync"])
        #expect(refused.status != 0 && refused.stderr.contains("(401 unauthorized): user bob was removed from this server (this token was revoked on ")
                && refused.stderr.contains("your server's admin brings bob back with `rapport admin add-user bob`"), "\(refused.stderr)")
        let again = try admin.run(["admin", "remove-user", "bob", "--db", db])
        #expect(again.status == 64 && again.stderr.contains("bob is removed already") && again.stderr.contains("(`rapport admin add-user bob` brings them back)") && again.stderr.contains("nothing was changed"), "\(again.stderr)")
        let compact = try #require(try admin.json(["admin", "compact", "--db", db]) as? [[String: Any]])
        #expect(compact.allSatisfy { $0["held_back_by"] == nil || $0["held_back_by"] is NSNull }, "\(compact)")

        let users = try admin.run(["admin", "users", "--db", db])
        #expect(users.stdout.split(separator: "\n").contains { $0.hasPrefix("bob") && $0.contains("0 (+1 revoked)") && $0.contains("0 (+1 forgotten)") && $0.hasSuffix(" (removed)") },
                "\(users.stdout)")
        #expect(users.stdout.contains("bob was removed (what they synced stays in the team's history): `rapport admin add-user bob` brings them back."), "\(users.stdout)")
        let listed = try #require(try admin.json(["admin", "users", "--db", db]) as? [[String: Any]])
        #expect(listed.first { $0["name"] as? String == "bob" }.map { $0["removed"] as? Bool == true && ($0["forgotten_replicas"] as? [Any])?.count == 1 && $0["last_seen"] is String } == true,
                "\(listed)")
        // Not brought back in another team: their laptop holds this one's data.
        let elsewhere = try admin.run(["admin", "add-user", "bob", "--db", db, "--workspace", "sales"])
        #expect(elsewhere.status == 64 && elsewhere.stderr.contains("bob was removed from workspace 'default', where they synced: `rapport admin add-user bob` brings them back there"),
                "\(elsewhere.stderr)")

        // One removed from another workspace is told the command that brings them back there.
        let doraToken = try admin.run(["admin", "add-user", "dora", "--db", db, "--workspace", "sales"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let dora = RapportBinary(environment: ["RAPPORT_DB": dir.file("dora.sqlite")])
        #expect(try dora.run(["init", "--user", "dora", "--server", server.url, "--token", doraToken]).status == 0 && dora.run(["sync"]).status == 0)
        #expect(try admin.run(["admin", "remove-user", "dora", "--db", db]).status == 0)
        let doraRefused = try dora.run(["sync"])
        #expect(doraRefused.stderr.contains("your server's admin brings dora back with `rapport admin add-user dora --workspace sales`"), "\(doraRefused.stderr)")

        // Carol never synced: nothing of hers is left, revoked tokens neither, and the name is free.
        let carols = try #require(try admin.json(["admin", "tokens", "--db", db]) as? [[String: Any]]).filter { $0["user"] as? String == "carol" }
        _ = try admin.run(["admin", "revoke", carols[0]["id"] as! String, "--db", db])
        _ = try admin.addUser("carol", db: db)
        let carol = try #require(try admin.json(["admin", "remove-user", "carol", "--db", db]) as? [String: Any])
        #expect(carol["had_synced"] as? Bool == false && carol["revoked_tokens"] as? Int == 1 && carol["deleted_tokens"] as? Int == 2
                && (carol["forgotten_replicas"] as? [Any])?.isEmpty == true, "\(carol)")
        #expect(try admin.run(["admin", "users", "--db", db]).stdout.split(separator: "\n").allSatisfy { !$0.hasPrefix("carol") })
        let slip = try admin.run(["admin", "remove-user", "Alcie", "--db", db])
        #expect(slip.status == 64 && slip.stderr.contains("no user 'Alcie' on this server (did you mean 'alice'?)"), "\(slip.stderr)")
        #expect(try admin.run(["admin", "remove-user", "bobb", "--db", db]).stderr.contains("(did you mean 'bob'?)"))
        // A name typed with a combining accent is the user stored with a composed one: one user, not two.
        _ = try admin.addUser("jos\u{E9}", db: db)
        _ = try admin.addUser("jose\u{301}", db: db)
        #expect(try admin.run(["admin", "users", "--db", db]).stdout.split(separator: "\n").filter { $0.hasPrefix("jos") }.count == 1)
        #expect(try admin.run(["admin", "remove-user", "jose\u{301}", "--db", db]).stdout.contains("(2 tokens deleted)"))

        let back = try admin.run(["admin", "add-user", "bob", "--db", db])
        #expect(back.status == 0 && back.stderr.contains("note: bob was removed; this token brings them back"), "\(back.stderr)")
        let newToken = back.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try bob.run(["config", "--token", newToken]).status == 0)
        let synced = try bob.run(["sync"])
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(try admin.run(["admin", "users", "--db", db]).stdout.split(separator: "\n").contains { $0.hasPrefix("bob") && $0.contains(" 1 ") && !$0.hasSuffix("removed") })
    }

    /// A user name mistyped at `init` used to strand the replica: every sync refused, no way to correct it.
    @Test func aUserNameMistypedAtInitIsCorrectedWithConfigUser() throws {
        let dir = try TemporaryFolder()
        let db = dir.file("server.sqlite")
        let admin = RapportBinary()
        let token = try admin.addUser("alice", db: db)
        let server = try ServerProcess(arguments: ["--db", db])
        defer { server.stop() }
        let alice = RapportBinary(environment: ["RAPPORT_DB": dir.file("alice.sqlite")])
        #expect(try alice.run(["init", "--user", "alcie", "--server", server.url, "--token", token]).status == 0)
        #expect(try alice.run(["account", "add", "Acme"]).status == 0)
        let refused = try alice.run(["sync"])
        #expect(refused.status != 0 && refused.stderr.contains("rapport config --user alice"), "\(refused.stderr)")

        let renamed = try alice.run(["config", "--user", "alice"])
        #expect(renamed.stdout.contains("user:    alice"))
        // Acme was given its owner from the name typed at init: said, with the command.
        #expect(renamed.stderr.contains("note: 1 account is still owned by alcie, the name before (owners are kept as given): `rapport account set Acme owner=alice` changes one"), "\(renamed.stderr)")
        let sync = try alice.run(["sync"])
        #expect(sync.status == 0, "\(sync.stderr)")
        // The laptop is alice's on the server, seen syncing.
        let users = try #require(try admin.json(["admin", "users", "--db", db]) as? [[String: Any]])
        let replicas = try #require(users.first?["replicas"] as? [[String: Any]])
        #expect(users.count == 1 && users[0]["tokens"] as? Int == 1 && replicas.count == 1 && users[0]["last_seen"] is String && replicas[0]["last_seen"] is String, "\(users)")
        let history = try #require(try alice.json(["history", "Acme"]) as? [[String: Any]])
        #expect(history.allSatisfy { $0["author"] as? String == "alice" })
        // Once its changes are the team's, the name they carry stays.
        let late = try alice.run(["config", "--user", "bob"])
        #expect(late.status != 0 && late.stderr.contains("nothing was changed"), "\(late.stderr)")

        // A replica that only pulled is the user's on the server as well: renamed, it could never sync again.
        let reader = RapportBinary(environment: ["RAPPORT_DB": dir.file("reader.sqlite")])
        #expect(try reader.run(["init", "--user", "alice", "--server", server.url, "--token", token]).status == 0 && reader.run(["sync"]).status == 0)
        let pulled = try reader.run(["config", "--user", "bob"])
        #expect(pulled.status == 64 && pulled.stderr.contains("this replica has synced as 'alice', and the server holds it as theirs: nothing was changed"), "\(pulled.stderr)")
    }

    /// And leaves nothing behind: its server closing while the folder was removed left the replicas, tokens
    /// and all, in one run of four.
    @Test func demoRunsAndAllItsChecksHold() throws {
        let dir = try TemporaryFolder()
        var binary = RapportBinary()
        binary.environment["TMPDIR"] = dir.path
        for _ in 0..<3 {
            let result = try binary.run(["demo"])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("checks held"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    /// Ctrl-C in the middle of the demo left its folder, the demo's tokens in it.
    @Test func anInterruptedDemoLeavesNothing() throws {
        let dir = try TemporaryFolder()
        let process = Process()
        process.executableURL = RapportBinary.url
        process.arguments = ["demo"]
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": dir.path]) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        try process.run()
        // Interrupted once its server holds a database, in the middle of the walkthrough.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            if folders.contains(where: { FileManager.default.fileExists(atPath: dir.file("\($0)/alice.sqlite")) }) { break }
            usleep(5_000)
        }
        #expect(process.isRunning, "the demo ended before it could be interrupted")
        kill(process.processIdentifier, SIGINT)
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130 && said.contains("Interrupted: removed "), "\(process.terminationStatus): \(said)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}

@Suite struct ProcessLifecycleTests {
    @Test func serverStopsCleanlyOnSIGTERM() throws {
        let dir = try TemporaryFolder()
        let server = try ServerProcess(arguments: ["--db", dir.file("server.sqlite")])
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
        #expect(server.process.terminationReason == .exit)
    }

    /// NIO's own words were "bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)".
    @Test func aServerThatCannotListenSaysWhatToDo() throws {
        let dir = try TemporaryFolder()
        let server = try ServerProcess(arguments: ["--db", dir.file("server.sqlite")])
        defer { server.stop() }
        let taken = try RapportBinary().run(["serve", "--db", dir.file("other.sqlite"), "--port", "\(server.port)"])
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("cannot listen on 127.0.0.1:\(server.port): another process (another `rapport serve`?) already listens there"), "\(taken.stderr)")
        // The database it would have served is not left behind, empty; one that was there stays.
        #expect(!FileManager.default.fileExists(atPath: dir.file("other.sqlite")))
        #expect(try RapportBinary().run(["serve", "--db", dir.file("server.sqlite"), "--port", "\(server.port)"]).status == 1)
        #expect(FileManager.default.fileExists(atPath: dir.file("server.sqlite")))
        let foreign = try RapportBinary().run(["serve", "--db", dir.file("other.sqlite"), "--host", "192.0.2.1", "--port", "0"])
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("cannot listen on 192.0.2.1: it is not an address of this machine"), "\(foreign.stderr)")
        let folder = try RapportBinary().run(["admin", "add-user", "x", "--db", dir.file("missing/server.sqlite")])
        #expect(folder.status == 64 && folder.stderr.contains("there is no folder \(dir.file("missing")) for the server database"), "\(folder.stderr)")
        let throughFile = try RapportBinary().run(["admin", "add-user", "x", "--db", dir.file("server.sqlite") + "/x.sqlite"])
        #expect(throughFile.status == 64 && throughFile.stderr.contains("\(dir.file("server.sqlite")) is a file, not a folder, so the server database "), "\(throughFile.stderr)")
        let unknown = try RapportBinary().run(["serve", "--db", dir.file("other.sqlite"), "--host", "999.1.1.1", "--port", "0"])
        #expect(unknown.status == 1 && unknown.stderr.contains("cannot listen on '999.1.1.1': it is neither an address nor a host name that resolves"), "\(unknown.stderr)")
        // Seconds that overflow in milliseconds crashed the server at start.
        let ahead = try RapportBinary().run(["serve", "--db", dir.file("other.sqlite"), "--max-clock-ahead", "9223372036854776"])
        #expect(ahead.status == 64 && ahead.stderr.contains("at most a year"), "\(ahead.stderr)")
    }

    @Test func twoProcessesWritingOneReplicaBothSucceed() throws {
        let dir = try TemporaryFolder()
        let rapport = RapportBinary(environment: ["RAPPORT_DB": dir.file("replica.sqlite")])
        #expect(try rapport.run(["init", "--user", "alice"]).status == 0)
        let script = (0..<15).map { "\(RapportBinary.url.path) account add \"A$1-\($0)\" >/dev/null || exit 1" }.joined(separator: "\n")
        let writer = dir.file("writer.sh")
        try Data(script.utf8).write(to: URL(fileURLWithPath: writer))
        let processes = try (0..<2).map { i -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = [writer, String(i)]
            p.environment = ["RAPPORT_DB": dir.file("replica.sqlite")]
            try p.run()
            return p
        }
        for p in processes { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
        #expect((try rapport.json(["account", "list"]) as? [Any])?.count == 30)
    }
}

/// A loopback port that answers every request with a small HTML page and closes, as a captive portal does.
final class HTMLPage: @unchecked Sendable {
    let port: Int
    private let socket: Int32

    init() throws {
        let listener = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        socket = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 8) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        guard bound else { throw CocoaError(.fileWriteUnknown) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 65536)
                _ = read(client, &buffer, buffer.count)
                let body = "<html><body>Please log in</body></html>"
                let reply = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
                _ = reply.withCString { write(client, $0, strlen($0)) }
                close(client)
            }
        }
    }

    deinit { shutdown(socket, Int32(SHUT_RDWR)); close(socket) }
}

/// A team syncing through a real `rapport serve` on an SQLite file, whose admin backs the file up and puts the
/// backup back as after a disk failure: the server stops meanwhile, and starts again on a new port, where every
/// replica of the team is pointed.
struct ServedTeam {
    let dir: TemporaryFolder
    let admin = RapportBinary()
    let db: String
    let users: [String]
    var server: ServerProcess
    private var tokens: [String: String] = [:]
    private var replicas: [RapportBinary] = []
    var backup: String { dir.file("backup.sqlite") }

    /// The server's database with a token for each user, and the server running on it.
    init(users: [String]) throws {
        dir = try TemporaryFolder()
        db = dir.file("server.sqlite")
        self.users = users
        for user in users { tokens[user] = try admin.addUser(user, db: db) }
        server = try ServerProcess(arguments: ["--db", db])
    }

    /// A replica of `user` in a file of its own (`file`.sqlite, the user's name unless given), set up for the
    /// server with the user's token.
    /// `token`: the user whose token it takes, when the server knows the user by another name since.
    mutating func join(_ user: String, file: String? = nil, token: String? = nil) throws -> RapportBinary {
        let replica = RapportBinary(environment: ["RAPPORT_DB": dir.file("\(file ?? user).sqlite")])
        let created = try replica.run(["init", "--user", user, "--server", server.url, "--token", try #require(tokens[token ?? user])])
        #expect(created.status == 0, "\(created.stderr)")
        replicas.append(replica)
        return replica
    }

    /// Stops the server, copies its file as the backup (`backup`), and starts it again.
    mutating func backUp() throws {
        let (db, backup) = (db, backup)
        try restart { try FileManager.default.copyItem(atPath: db, toPath: backup) }
    }

    /// Stops the server, puts the backup back in its file's place, and starts it again.
    mutating func restoreBackup() throws {
        let (db, backup) = (db, backup)
        try restart { try ServerProcess.restore(backup, over: db) }
    }

    /// Stops the server, does `meanwhile`, starts it again, and points every replica at it.
    mutating func restart(_ meanwhile: () throws -> Void = {}) throws {
        server.stop()
        try meanwhile()
        server = try ServerProcess(arguments: ["--db", db])
        for replica in replicas { #expect(try replica.run(["config", "--server", server.url]).status == 0) }
    }
}
