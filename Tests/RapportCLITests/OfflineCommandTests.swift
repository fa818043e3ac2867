import Foundation
import GRDB
import RapportReplica
import Testing

/// The offline command line, through the real binary and a real replica file.
@Suite struct OfflineCommandTests {
    let dir: TemporaryFolder
    let rapport: RapportBinary

    init() throws {
        dir = try TemporaryFolder()
        rapport = RapportBinary(environment: ["RAPPORT_DB": dir.file("replica.sqlite")])
        let created = try rapport.run(["init", "--user", "alice"])
        #expect(created.status == 0, "\(created.stderr)")
    }

    func operationCount() throws -> Int {
        (try rapport.json(["status"]) as? [String: Any])?["operations"] as? Int ?? -1
    }

    @Test func versionNamesTheFormatsItReadsAndWrites() throws {
        // Without a replica: a user asks for it when something will not open.
        let version = try RapportBinary(environment: ["RAPPORT_DB": dir.file("absent.sqlite")]).run(["--version"])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.hasPrefix("rapport "))
        for part in ["sync protocol 1;", "replica format v", "server formats: SQLite v", "PostgreSQL "] {
            #expect(version.stdout.contains(part), "\(version.stdout)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("absent.sqlite")))
    }

    /// A value refused once the command runs is said alone: ArgumentParser used to follow it with the root
    /// command's usage line, which says nothing about the command that was given.
    @Test func anErrorFoundWhileRunningIsNotFollowedByTheRootUsage() throws {
        let missing = try rapport.run(["account", "show", "nobody"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("Error: no account matches 'nobody'"), "\(missing.stderr)")
        #expect(!missing.stderr.contains("rapport <subcommand>"), "\(missing.stderr)")
        let file = dir.file("bad.csv")
        try Data("Name,Revenue\n\"Unclosed,100\nNext,5\n".utf8).write(to: URL(fileURLWithPath: file))
        let refused = try rapport.run(["import", "accounts", file])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("line 2: a quoted field is never closed"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("rapport <subcommand>"), "\(refused.stderr)")
        #expect((try rapport.json(["account", "list"]) as? [Any])?.isEmpty == true)
        // A slip in a name is answered with the names it may have meant.
        #expect(try rapport.run(["account", "add", "Northwind Traders"]).status == 0)
        let slip = try rapport.run(["account", "show", "Northwnd"])
        #expect(slip.status == 64 && slip.stderr.contains("no account matches 'Northwnd': did you mean 'Northwind Traders'? `rapport account list`"), "\(slip.stderr)")
    }

    /// An argument that is not UTF-8 (a Latin-1 terminal typing "Müller") is refused: Swift read it with U+FFFD in
    /// place of the letter, and the name was stored garbled for the whole team.
    @Test func anArgumentThatIsNotUTF8IsRefused() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // (Through the shell: a Swift String cannot hold the bytes.)
        process.arguments = ["-c", "\"$0\" account add \"$(printf 'M\\374ller KG')\"", RapportBinary.url.path]
        process.environment = ["RAPPORT_DB": dir.file("replica.sqlite"), "PATH": "/usr/bin:/bin"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 64 && stderr.contains("argument 3 ('M\u{FFFD}ller KG') is not UTF-8 text, as a terminal set to Latin-1 types it; nothing was done"), "\(stderr)")
        #expect((try rapport.json(["account", "list"]) as? [Any])?.isEmpty == true)
    }

    /// A mistyped server URL is refused when it is given, not at the first sync days later.
    @Test func aServerURLIsCheckedWhenGiven() throws {
        let other = RapportBinary(environment: ["RAPPORT_DB": dir.file("other.sqlite")])
        let refused = try other.run(["init", "--user", "bob", "--server", "notaurl"])
        #expect(refused.status == 64 && refused.stderr.contains("'notaurl' is not a server URL"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("other.sqlite")))
        #expect(try rapport.run(["config", "--server", "http://127.0.0.1:8080"]).status == 0)
        for url in ["ftp://sync.example.com", "", "http://", "sync.example.com:8080", "http://u:pw@sync.example.com", "http://sync.example.com?x=1", "http://sync.example.com#top"] {
            let result = try rapport.run(["config", "--server", url])
            #expect(result.status == 64 && result.stderr.contains("is not a server URL"), "\(url): \(result.stderr)")
        }
        #expect((try rapport.json(["config"]) as? [String: Any])?["server"] as? String == "http://127.0.0.1:8080")
        #expect(try rapport.run(["config", "--server", "HTTP://127.0.0.1:8080"]).status == 0)
        // An address without its scheme is answered with it, and no usage block follows the error.
        let bare = try rapport.run(["config", "--server", "127.0.0.1:8081"])
        #expect(bare.stderr.contains("(no http:// or https:// before it: did you mean https://127.0.0.1:8081, or http://127.0.0.1:8081 for a server without TLS?); nothing was changed") && !bare.stderr.contains("Usage:"), "\(bare.stderr)")
        // Spaces a copy brings around it are not kept.
        #expect(try rapport.run(["config", "--server", " http://127.0.0.1:8082 "]).status == 0)
        #expect((try rapport.json(["config"]) as? [String: Any])?["server"] as? String == "http://127.0.0.1:8082")
    }

    /// A token pasted with a line break is stored without it; an empty one (it was stored, shown as "set", and
    /// the sync then said there was none) or two pasted at once are refused.
    @Test func aTokenIsCheckedWhenGiven() throws {
        // Stored, with a note: cut short, it would fail only at the sync.
        let short = try rapport.run(["config", "--token", " rpt_abc\n"])
        #expect(short.status == 0 && short.stderr.contains("note: a token from `rapport admin add-user` is rpt_ and 64 hex digits; this one (7 characters) is not"), "\(short.stderr)")
        let other = RapportBinary(environment: ["RAPPORT_DB": dir.file("other.sqlite")])
        #expect(try other.run(["init", "--user", "bob", "--token", ""]).status == 64)
        #expect(!FileManager.default.fileExists(atPath: dir.file("other.sqlite")))
        // A user name as `admin add-user` takes them: one with an escape, or of 300 characters, made a replica whose
        // first `account add` refused its own owner.
        for (user, said) in [("a\u{1B}b", "--user must not hold control characters"), (String(repeating: "x", count: 300), "--user is 300 characters: a user name is at most 64")] {
            let refused = try other.run(["init", "--user", user])
            #expect(refused.status == 64 && refused.stderr.contains(said), "\(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("other.sqlite")))
        #expect(try rapport.run(["config", "--user", "a\u{7}b"]).stderr.contains("--user must not hold control characters"))
        // The API's own /v1 at the end of the server's address is said (a proxy's path before it is a real setup).
        let api = try rapport.run(["config", "--server", "http://127.0.0.1:8080/v1"])
        #expect(api.status == 0 && api.stderr.contains("note: Rapport adds /v1 to the server's address itself: if http://127.0.0.1:8080 is the server, give that"), "\(api.stderr)")
        // Another path is stored (a proxy's), with where the requests go.
        let proxied = try rapport.run(["config", "--server", "https://example.com/rapport"])
        #expect(proxied.status == 0 && proxied.stderr.contains("note: requests go to https://example.com/rapport/v1/…: right for a server behind a proxy under /rapport; `rapport serve` itself answers at its root (`rapport config --server https://example.com`)"), "\(proxied.stderr)")
        #expect(try rapport.run(["config", "--server", "https://example.com/"]).stderr.isEmpty)
        // A folder where SQLite's log goes: a storage failure (exit 1, `storage`), said with what to remove.
        try FileManager.default.createDirectory(atPath: dir.file("replica.sqlite") + "-wal", withIntermediateDirectories: false)
        let walled = try rapport.run(["account", "list", "--json"])
        #expect(walled.status == 1 && walled.stdout.contains("\"code\" : \"storage\"") && walled.stderr.contains("-wal is a folder where SQLite keeps the replica's write-ahead log); nothing was changed: remove it, then try again"), "\(walled.stderr)")
        #expect(try rapport.run(["sync", "--json"]).stdout.contains("\"code\" : \"storage\""))
        try FileManager.default.removeItem(atPath: dir.file("replica.sqlite") + "-wal")
        // The server's database likewise (review: it was `failed` once said with the files).
        let server = dir.file("server.sqlite")
        #expect(try rapport.run(["admin", "add-user", "zed", "--db", server]).status == 0)
        for leftover in [server + "-wal", server + "-shm"] { try? FileManager.default.removeItem(atPath: leftover) }
        try FileManager.default.createDirectory(atPath: server + "-wal", withIntermediateDirectories: false)
        let serverWalled = try rapport.run(["admin", "users", "--db", server, "--json"])
        #expect(serverWalled.status == 1 && serverWalled.stdout.contains("\"code\" : \"storage\"") && serverWalled.stderr.contains("-wal is a folder where SQLite keeps the server database's write-ahead log"), "\(serverWalled.stdout)\(serverWalled.stderr)")
        try? FileManager.default.removeItem(atPath: dir.file("replica.sqlite") + ".sync-lock")  // the sync's own, left as it is
        // A folder where the sync lock's file goes: two syncs ran at once without a word.
        try FileManager.default.createDirectory(atPath: dir.file("replica.sqlite") + ".sync-lock", withIntermediateDirectories: false)
        let unlocked = try rapport.run(["sync"])
        #expect(unlocked.status == 1 && unlocked.stderr.contains(".sync-lock, the file whose lock keeps two syncs of this replica apart, is a folder; nothing was done"), "\(unlocked.stderr)")
        #expect(try rapport.run(["sync", "--json"]).stdout.contains("\"code\" : \"storage\""))
        for token in ["", "  ", "rpt_a rpt_b", "rpt_a\u{200B}b"] {
            let result = try rapport.run(["config", "--token", token])
            #expect(result.status == 64 && result.stderr.contains("nothing was changed"), "\(token): \(result.stderr)")
        }
        let stored = try Replica.open(at: dir.file("replica.sqlite")).identity().token
        #expect(stored == "rpt_abc")
        #expect(try rapport.run(["config", "--token", "rpt_" + String(repeating: "0a", count: 32)]).stderr.isEmpty)
    }

    /// A script asking for JSON got nothing on standard output when the command failed, only an exit status.
    @Test func aFailingCommandWithJSONSaysWhyInJSON() throws {
        // (A replica that is not there is a wrong --db, as a server database that is not there is.)
        for arguments in [["account", "show", "Nope", "--json"], ["account", "list", "--json", "--bogus"], ["due", "--json", "--as-of", "2026-13-01"], ["nosuchcommand", "--json"],
                          ["account", "list", "--json", "--db", "/nonexistent/replica.sqlite"], ["sync", "--json", "--db", "/nonexistent/replica.sqlite"]] {
            let result = try rapport.run(arguments)
            #expect(result.status == 64, "\(arguments)")
            let error = try #require((try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any], "\(arguments): \(result.stdout)")
            #expect(error["code"] as? String == "invalid")
            #expect(result.stderr.contains(error["message"] as? String ?? "-"), "\(arguments): \(result.stderr)")
        }
        // Without --json, standard output stays empty.
        #expect(try rapport.run(["account", "show", "Nope"]).stdout.isEmpty)
        // A command that does not exist is named as such (it said "Unknown option '--json'").
        let unknown = try rapport.run(["nosuchcommand", "--json"])
        #expect(unknown.stderr.contains("'nosuchcommand' is not a rapport command: `rapport --help` lists them"), "\(unknown.stderr)")
        // A slip names the command meant (found by QA: options had that, commands not).
        #expect(try rapport.run(["--json", "acount"]).stderr.contains("'acount' is not a rapport command (did you mean 'account'?): `rapport --help` lists them"))
        // Requests that ArgumentParser answers itself still work: a completion script, help.
        let completion = try rapport.run(["--generate-completion-script", "zsh"])
        #expect(completion.status == 0 && completion.stdout.contains("rapport"), "\(completion.stderr)")
        let plain = try rapport.run(["acount", "list"])
        #expect(plain.status == 64 && plain.stderr.contains("'acount' is not a rapport command") && plain.stdout.isEmpty, "\(plain.stderr)")
        // Below a command too, and after `help` (which printed the main help and exited 0).
        let nested = try rapport.run(["account", "lst", "--json"])
        #expect(nested.status == 64 && nested.stderr.contains("'lst' is not a `rapport account` command (did you mean 'list'?): `rapport account --help` lists them"), "\(nested.stderr)")
        #expect(nested.stdout.contains("is not a `rapport account` command"), "\(nested.stdout)")
        for arguments in [["help", "acount"], ["help", "account", "lst"]] {
            let help = try rapport.run(arguments)
            #expect(help.status == 64 && help.stdout.isEmpty && help.stderr.contains("is not a"), "\(arguments): \(help.stderr)")
        }
        let help = try rapport.run(["help", "account", "list"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: rapport account list"), "\(help.stderr)")
        // Through a group with a default subcommand, whose argument a word may be; `help help` is help.
        let deep = try rapport.run(["plan", "goal", "lst", "--json"])
        #expect(deep.status == 64 && deep.stderr.contains("'lst' is not a `rapport plan goal` command"), "\(deep.stderr)")
        #expect(try rapport.run(["help", "help"]).status == 0)
        // An unknown option is named with the one meant, of the command that runs: a group's default subcommand
        // (`plan ACCOUNT` is `plan show ACCOUNT`) kept ArgumentParser's own words (found by QA: "--month" was unknown).
        let reson = try rapport.run(["scorecard", "override", "Acme", "relationship", "40", "--reson", "x"])
        #expect(reson.status == 64 && reson.stderr.contains("unknown option '--reson' (did you mean '--reason'?): `rapport scorecard override --help` lists its options"), "\(reson.stderr)")
        #expect(try rapport.run(["scorecard", "Acme", "--month"]).stderr.contains("Missing value for '--month <month>'"))
        #expect(try rapport.run(["plan", "--json"]).stderr.contains("Missing expected argument '<account>'"))
        #expect(try rapport.run(["plan", "Acme", "--jsn"]).stderr.contains("unknown option '--jsn' (did you mean '--json'?): `rapport plan show --help`"))
        #expect(try rapport.run(["help", "note", "add", "--bogus"]).stderr.contains("`rapport note add --help` lists its options"))
        // A slip of a subcommand's name where the default takes an argument: the subcommand meant.
        let overide = try rapport.run(["scorecard", "overide", "Acme", "relationship", "40", "--reason", "x"])
        #expect(overide.status == 64 && overide.stderr.contains("'overide' is not a `rapport scorecard` command (did you mean 'override'?)"), "\(overide.stderr)")
        #expect(try rapport.run(["help", "plan", "kpy"]).stderr.contains("'kpy' is not a `rapport plan` command (did you mean 'kpi'?)"))
        // `set` takes fields as field=value (found by QA: `--revenue 5` was an option unknown, without the way).
        #expect(try rapport.run(["account", "set", "Acme", "--revenue", "5"]).stderr.contains("unknown option '--revenue': `set` takes fields as field=value, e.g. revenue=5"))
        // An account whose name is near a subcommand's is the account (found by review: "Rose" was a slip of `role`).
        #expect(try rapport.run(["plan", "Rose", "--jsn"]).stderr.contains("unknown option '--jsn' (did you mean '--json'?)"))
        // A value with a dash and an "h" read as `-h` printed the help and exited 0, nothing saved.
        let dash = try rapport.run(["note", "add", "Acme", "--title", "x", "-Dash"])
        #expect(dash.status == 64 && dash.stderr.contains("'-Dash' was read as short options, -h (help) among them, so nothing was done"), "\(dash.stderr)")
        #expect(try rapport.run(["note", "add", "-h"]).status == 0 && rapport.run(["account", "list", "-help"]).status == 0)
        // A group whose default takes no argument has no such word: `conflicts lst` is a typo of a command.
        let typo = try rapport.run(["conflicts", "lst"])
        #expect(typo.status == 64 && typo.stderr.contains("'lst' is not a `rapport conflicts` command"), "\(typo.stderr)")
        #expect(try rapport.run(["plan", "Nobody"]).stderr.contains("no account matches 'Nobody'"))
        #expect(try rapport.run(["conflicts", "--all"]).status == 0)
        let shell = try rapport.run(["--generate-completion-script", "nosh"])
        #expect(shell.status != 0 && !shell.stderr.contains("is not a rapport command"), "\(shell.stderr)")
    }

    /// Two syncs at once on one replica (a scheduled one and one by hand) both reported the same overwrites:
    /// the second is refused while the first holds the replica.
    @Test func aSecondSyncWaitsForTheFirst() throws {
        // `status` looks at the lock without making its file.
        #expect((try rapport.json(["status"]) as? [String: Any])?["sync_running"] as? Bool == false)
        #expect(!FileManager.default.fileExists(atPath: dir.file("replica.sqlite.sync-lock")))
        let held = open(dir.file("replica.sqlite.sync-lock"), O_RDWR | O_CREAT, 0o600)
        #expect(held >= 0 && flock(held, LOCK_EX | LOCK_NB) == 0)
        let second = try rapport.run(["sync", "--json"])
        #expect(second.status == 1 && second.stderr.contains("another `rapport sync` is running on "), "\(second.stderr)")
        let error = (try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "busy", "\(second.stdout)")
        // Held by a merge (or a restore), which writes itself into the file: named as it is.
        let merge = Array("rapport account merge\n".utf8)
        #expect(pwrite(held, merge, merge.count, 0) == merge.count)
        let behind = try rapport.run(["sync"])
        #expect(behind.status == 1 && behind.stderr.contains("another `rapport account merge` is running on ") && !behind.stderr.contains("its report"), "\(behind.stderr)")
        // `status` says what holds the replica (`sync_running` as before: the lock a sync takes is held), and no
        // longer once it is done.
        #expect(try rapport.run(["status"]).stdout.contains("sync:        `rapport account merge` is running on this replica (a sync is refused until it finishes)"))
        let merging = try #require(try rapport.json(["status"]) as? [String: Any])
        #expect(merging["sync_running"] as? Bool == true && merging["running"] as? String == "rapport account merge", "\(merging)")
        let sync = Array("rapport sync\n".utf8)
        #expect(ftruncate(held, 0) == 0 && pwrite(held, sync, sync.count, 0) == sync.count)
        #expect(try rapport.run(["status"]).stdout.contains("sync:        running now"))
        close(held)
        #expect((try rapport.json(["status"]) as? [String: Any])?["sync_running"] as? Bool == false)
        // A server without a token is said so.
        #expect(try rapport.run(["config", "--server", "http://127.0.0.1:9"]).status == 0)
        let status = try rapport.run(["status"]).stdout
        #expect(status.contains("token:       (none: `rapport config --token TOKEN`"), "\(status)")
        // Once it is done, a sync goes ahead (here to find no server configured).
        let after = try rapport.run(["sync"])
        #expect(after.status != 0 && !after.stderr.contains("another `rapport sync`"), "\(after.stderr)")
    }

    /// Without --db or RAPPORT_DB the replica lives under $XDG_DATA_HOME, else under $HOME/.local/share.
    @Test func theDefaultReplicaFollowsXDGDataHomeThenHome() throws {
        let home = RapportBinary(environment: ["RAPPORT_DB": "", "XDG_DATA_HOME": "", "HOME": dir.file("home")])
        #expect(try home.run(["init", "--user", "bob"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.file("home") + "/.local/share/rapport/replica.sqlite"))
        let xdg = RapportBinary(environment: ["RAPPORT_DB": "", "XDG_DATA_HOME": dir.file("data"), "HOME": dir.file("home")])
        #expect(try xdg.run(["init", "--user", "carol"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.file("data") + "/rapport/replica.sqlite"))
    }

    /// The files people mix up are named for what they are, and left as they were.
    @Test func anEmptyFileOrTheOtherKindOfRapportFileIsNamedForWhatItIs() throws {
        let empty = dir.file("empty.sqlite")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let refused = try RapportBinary(environment: ["RAPPORT_DB": empty]).run(["status"])
        #expect(refused.status != 0 && refused.stderr.contains("(the file is empty)"), "\(refused.stderr)")
        let server = dir.file("server.sqlite")
        #expect(try rapport.run(["admin", "add-user", "bob", "--db", server]).status == 0)
        let asReplica = try RapportBinary(environment: ["RAPPORT_DB": server]).run(["status"])
        #expect(asReplica.status != 0 && asReplica.stderr.contains("a Rapport server database, which `rapport serve --db` takes"), "\(asReplica.stderr)")
        let asServer = try rapport.run(["admin", "tokens", "--db", dir.file("replica.sqlite")])
        #expect(asServer.status == 64 && asServer.stderr.contains("a Rapport replica, which the replica commands take"), "\(asServer.stderr)")
        // A folder for the server's file is named so (SQLite said "disk I/O error"), for serve as for admin.
        for command in [["serve", "--port", "0"], ["admin", "tokens"]] {
            let folder = try rapport.run(command + ["--db", dir.path])
            #expect(folder.status == 64 && folder.stderr.contains("is a folder: give the path of the server's database file"), "\(command): \(folder.stderr)")
        }
        // `init` on a file that is there is a wrong --db too, and leaves it as it was.
        let taken = try rapport.run(["init", "--user", "alice", "--db", empty])
        #expect(taken.status == 64 && taken.stderr.contains("a file already exists at"), "\(taken.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: empty)[.size] as? Int) == 0)
        // A mistyped --db is not a new, empty server database that holds no tokens and nothing to compact.
        for command in [["admin", "tokens"], ["admin", "compact"], ["admin", "revoke", "abcdef12"]] {
            let typo = try rapport.run(command + ["--db", dir.file("typo.sqlite")])
            #expect(typo.status == 64 && typo.stderr.contains("no server database at"), "\(command): \(typo.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("typo.sqlite")))
        // Nor is an empty file.
        for command in [["admin", "users", "--db", empty], ["admin", "tokens", "--db", empty], ["admin", "migrate", "--from", empty, "--to", "postgres://a:b@127.0.0.1:1/none"]] {
            let blank = try rapport.run(command)
            #expect(blank.status == 64 && blank.stderr.contains("is empty, not a server database"), "\(command): \(blank.stderr)")
        }
        #expect((try FileManager.default.attributesOfItem(atPath: empty)[.size] as? Int) == 0)
        // A server's file cut short is damaged, not a wrong path: the way back is a backup.
        let cutFile = dir.file("cut.sqlite")
        #expect(try rapport.run(["admin", "add-user", "alice", "--db", cutFile]).status == 0)
        try DatabaseQueue(path: cutFile).writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        let whole = try Data(contentsOf: URL(fileURLWithPath: cutFile))
        try whole.prefix(8192).write(to: URL(fileURLWithPath: cutFile))
        for command in [["admin", "users", "--db", cutFile], ["serve", "--port", "0", "--db", cutFile]] {
            let cut = try rapport.run(command)
            #expect(cut.status == 1 && cut.stderr.contains("\(cutFile) is damaged (") && cut.stderr.contains("restore it from a backup, then run `rapport admin restored --db"), "\(command): \(cut.stderr)")
        }
        // A PostgreSQL address where a file goes is said so, its password masked.
        let address = "postgres://rapport:secret@127.0.0.1:5432/team"
        for command in [["admin", "tokens", "--db", address], ["admin", "migrate", "--from", address, "--to", address]] {
            let wrong = try rapport.run(command)
            #expect(wrong.status == 64 && wrong.stderr.contains("postgres://rapport:***@127.0.0.1:5432/team is a PostgreSQL address") && !wrong.stderr.contains("secret"), "\(wrong.stderr)")
        }
    }

    @Test func accountsCanBeAddedListedShownAndChanged() throws {
        #expect(try rapport.run(["account", "add", "Northwind Traders", "--industry", "Wholesale", "--revenue", "1.2m", "--margin", "31", "--tier", "key"]).status == 0)
        #expect(try rapport.run(["account", "add", "Globex"]).status == 0)
        let list = try #require(try rapport.json(["account", "list"]) as? [[String: Any]])
        #expect(list.map { $0["name"] as? String } == ["Globex", "Northwind Traders"])
        let northwind = try #require(list.last)
        #expect(northwind["revenue"] as? Double == 1_200_000)
        // The tables group money in thousands, as reports do.
        #expect(try rapport.run(["account", "list"]).stdout.contains("1,200,000  31%"))
        #expect(try rapport.run(["account", "show", "Northwind"]).stdout.contains("revenue         1,200,000\n"))
        #expect(northwind["tier"] as? String == "key")
        #expect(northwind["owner"] as? String == "alice")

        let set = try rapport.run(["account", "set", "northwind traders", "revenue=1.5m", "next_renewal=2027-03-31"])
        #expect(set.status == 0, "\(set.stderr)")
        let shown = try #require(try rapport.json(["account", "show", String((northwind["id"] as! String).prefix(6))]) as? [String: Any])
        #expect(shown["revenue"] as? Double == 1_500_000)
        #expect(shown["next_renewal"] as? String == "2027-03-31")
        // A revenue is grouped from a thousand on, as the pipeline's amounts beside it ("1500" beside "12,000").
        #expect(try rapport.run(["account", "set", "northwind traders", "revenue=1500"]).status == 0)
        #expect(try rapport.run(["account", "list"]).stdout.contains(" 1,500 "))
        #expect(try rapport.run(["account", "set", "northwind traders", "revenue=1.5m"]).status == 0)

        #expect(try rapport.run(["account", "archive", "Globex"]).status == 0)
        #expect((try rapport.json(["account", "list"]) as? [Any])?.count == 1)
        #expect((try rapport.json(["account", "list", "--archived"]) as? [Any])?.count == 2)
        let mixed = try rapport.run(["account", "list", "--archived"]).stdout
        #expect(mixed.contains("Globex (archived)") && !mixed.contains("Northwind Traders (archived)"), "\(mixed)")

        let history = try #require(try rapport.json(["history", "Northwind Traders"]) as? [[String: Any]])
        #expect(history.contains { $0["field"] as? String == "revenue" && $0["value"] as? Double == 1_500_000 && $0["author"] as? String == "alice" })
    }

    @Test(arguments: [
        (["account", "set", "Acme", "revenue=abc"], "not a valid revenue"),
        (["account", "set", "Acme", "colour=red"], "unknown field 'colour' of account; the fields are: name, industry, owner, tier, revenue, margin, customer_since, next_renewal, archived\n"),
        (["account", "set", "Acme", "margin=150"], "from -100 to 100"),
        (["account", "set", "Acme", "tier"], "'tier' is not a field=value pair; nothing was changed: give e.g. tier=VALUE (the fields: name, industry,"),
        (["account", "set", "Acme", "tier=gold"], "one of key, standard"),
        (["account", "set", "Acme", "next_renewal=2027-02-30"], "YYYY-MM-DD"),
        (["account", "set", "Nobody", "revenue=1"], "no account matches 'Nobody'"),
        (["account", "set", "Acme"], "at least one field=value"),
        (["account", "add", "Initech", "--revenue", "lots"], "not a valid revenue"),
        (["account", "show", "Acm"], "matches 2 accounts"),  // (not "Ac": an id may start with those hex digits)
        (["note", "add", "Acme"], "--text or --file"),
    ])
    func wrongInputExitsNonZeroWithAdviceAndWritesNothing(arguments: [String], advice: String) throws {
        #expect(try rapport.run(["account", "add", "Acme"]).status == 0)
        #expect(try rapport.run(["account", "add", "Acme Europe"]).status == 0)
        let before = try operationCount()
        let result = try rapport.run(arguments)
        #expect(result.status != 0)
        #expect(result.stderr.contains(advice), "stderr was: \(result.stderr)")
        #expect(try operationCount() == before)
    }

    /// A note holding an escape sequence and a bare carriage return (pasted, or synced from a colleague) is
    /// shown on a terminal with those as �, its line breaks and tabs kept; to a pipe it is written as stored.
    @Test func aTerminalIsShownControlCharactersNotSentThem() throws {
        let text = "Call\tback\r\nafter \u{1B}]0;pwned\u{07}the\rfake \u{9B}2J"
        #expect(try rapport.run(["account", "add", "Acme"]).status == 0)
        // Refused when typed; a colleague's older version may have synced one.
        #expect(try rapport.run(["note", "add", "Acme", "--title", "Pasted", "--text", text]).status == 64)
        let replica = try Replica.open(at: dir.file("replica.sqlite"))
        let acme = try #require(try replica.records("account").first?.id)
        try replica.change { tx in _ = try tx.create("note", values: [("account", .text(acme)), ("title", .text("Pasted")), ("body", .text(text))]) }
        try replica.close()
        #expect(try rapport.run(["note", "show", "Pasted"]).stdout.contains(text))
        let (status, shown) = try rapport.runOnATerminal(["note", "show", "Pasted"])
        #expect(status == 0, "\(shown)")
        // The terminal itself adds a CR before each line break, so those are left out of the comparison.
        #expect(shown.replacingOccurrences(of: "\r", with: "").contains("Call\tback\nafter �]0;pwned�the�fake �2J"), "\(shown.debugDescription)")
        #expect(!shown.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{9B}" })
    }

    @Test func notesComeFromTextFileOrEditor() throws {
        #expect(try rapport.run(["account", "add", "Acme"]).status == 0)
        #expect(try rapport.run(["note", "add", "Acme", "--text", "Kick-off went well.\nNext: pilot.", "--kind", "meeting"]).status == 0)
        let file = dir.file("note.md")
        try Data("Pricing concerns from finance.".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try rapport.run(["note", "add", "Acme", "--file", file, "--title", "Pricing"]).status == 0)
        // A file from Windows: its lines are stored without the CR, and without the line end after the last line
        // (an editor's or a tool's, which showed as a blank line added in every diff).
        let windows = dir.file("windows.txt")
        try Data("First line\r\nSecond line\r\n".utf8).write(to: URL(fileURLWithPath: windows))
        #expect(try rapport.run(["note", "add", "Acme", "--file", windows, "--title", "Windows"]).status == 0)
        #expect((try rapport.json(["note", "show", "Windows"]) as? [String: Any])?["body"] as? String == "First line\nSecond line")
        #expect(try rapport.run(["note", "remove", "Windows"]).status == 0)
        var withEditor = rapport
        withEditor.environment["EDITOR"] = try dir.editor(writing: "Written in the editor.\n")
        #expect(try withEditor.run(["note", "add", "Acme"]).status == 0)
        #expect((try rapport.json(["note", "show", "Written"]) as? [String: Any])?["body"] as? String == "Written in the editor.")
        // Saved as it was but for the editor's line end: nothing changed.
        #expect(try withEditor.run(["note", "edit", "Written"]).stdout == "Nothing changed.\n")
        // An editor that writes Windows line ends: stored as a file's are.
        withEditor.environment["EDITOR"] = try dir.editor(writing: "Written in the editor.\r\nOn Windows.\r\n  \r\n")
        #expect(try withEditor.run(["note", "edit", "Written"]).status == 0)
        #expect((try rapport.json(["note", "show", "Written"]) as? [String: Any])?["body"] as? String == "Written in the editor.\nOn Windows.")
        withEditor.environment["EDITOR"] = try dir.editor(writing: "Written in the editor.")
        #expect(try withEditor.run(["note", "edit", "Written"]).status == 0)

        // An editor that quits with a failure saves nothing: an abandoned edit (exit 1, not a wrong value), one
        // that wrote first keeps what it wrote, one that is not there is named.
        for (editor, said) in [("false", "(an edit abandoned, as vim's :cq does); nothing was saved"), ("no-such-editor-here", "'no-such-editor-here' (from $EDITOR) was not found: set it to an installed editor")] {
            var failing = rapport
            failing.environment["EDITOR"] = editor
            let quit = try failing.run(["note", "add", "Acme"])
            #expect(quit.status == 1 && quit.stderr.contains(said), "\(quit.stderr)")
        }
        var crashing = rapport
        let crash = dir.file("crash.sh")
        try Data("#!/bin/sh\necho 'Half a note' > \"$1\"\nexit 3\n".utf8).write(to: URL(fileURLWithPath: crash))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: crash)
        crashing.environment["EDITOR"] = crash
        let crashed = try crashing.run(["note", "add", "Acme"])
        let kept = try #require(crashed.stderr.firstMatch(of: /kept in (\S+): give it with --file/)?.1, "\(crashed.stderr)")
        let written = try String(contentsOfFile: String(kept), encoding: .utf8)
        #expect(crashed.status == 1 && written == "Half a note\n")
        // Readable by its owner alone: notes are confidential.
        #expect((try FileManager.default.attributesOfItem(atPath: String(kept))[.posixPermissions] as? Int) == 0o600)
        try? FileManager.default.removeItem(atPath: String(kept))
        // A pipe is read as a file is (`--file <(cmd)`, /dev/stdin); a device that never ends is refused.
        let piped = try rapport.run(["note", "add", "Acme", "--file", "/dev/stdin", "--title", "Piped"], stdin: "From a pipe.\n")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(try rapport.run(["note", "remove", "Piped"]).status == 0)
        let device = try rapport.run(["note", "add", "Acme", "--file", "/dev/urandom"])
        #expect(device.status == 64 && device.stderr.contains("it gives more than the 1 MiB a text may hold"), "\(device.stderr)")

        let notes = try #require(try rapport.json(["note", "list", "Acme"]) as? [[String: Any]])
        #expect(notes.count == 3)
        #expect(Set(notes.compactMap { $0["body"] as? String }) == ["Kick-off went well.\nNext: pilot.", "Pricing concerns from finance.", "Written in the editor."])

        withEditor.environment["EDITOR"] = try dir.editor(writing: "\nAdded in the editor.", append: true)
        #expect(try withEditor.run(["note", "edit", "Pricing"]).status == 0)
        let shown = try #require(try rapport.json(["note", "show", "Pricing"]) as? [String: Any])
        #expect(shown["body"] as? String == "Pricing concerns from finance.\nAdded in the editor.")
        let history = try #require(try rapport.json(["history", "Pricing"]) as? [[String: Any]])
        #expect(history.filter { $0["field"] as? String == "body" }.count == 2)
        // A title taken from the first line follows it; one given stays.
        let retitled = try rapport.run(["note", "edit", "Kick-off", "--text", "Kick-off went badly.\nNext: rescue."])
        #expect(retitled.stdout.contains(", now titled 'Kick-off went badly.' after its first line."), "\(retitled.stdout)")
        #expect((try rapport.json(["note", "show", "Kick-off went badly"]) as? [String: Any])?["body"] as? String == "Kick-off went badly.\nNext: rescue.")
        #expect(try !rapport.run(["note", "edit", "Pricing", "--text", "Finance is fine now."]).stdout.contains("now titled"))
        #expect((try rapport.json(["note", "show", "Pricing"]) as? [String: Any])?["body"] as? String == "Finance is fine now.")
        #expect(try rapport.run(["note", "edit", "Pricing", "--text", "Pricing concerns from finance.\nAdded in the editor."]).status == 0)

        // An empty new text (an unset shell variable) is refused, as `note add` refuses one.
        let before = try operationCount()
        for blank in ["", "   "] {
            let empty = try rapport.run(["note", "edit", "Pricing", "--text", blank])
            #expect(empty.status == 64 && empty.stderr.contains("the new text is empty; nothing was saved"), "\(empty.stderr)")
        }
        #expect(try operationCount() == before)
        #expect((try rapport.json(["note", "show", "Pricing"]) as? [String: Any])?["body"] as? String == "Pricing concerns from finance.\nAdded in the editor.")

        // What the editor prints goes to standard error when standard output is a script's (`--json | jq`).
        let noisy = dir.file("noisy.sh")
        try Data("#!/bin/sh\necho EDITOR-NOISE\necho 'Quiet text.' > \"$1\"\n".utf8).write(to: URL(fileURLWithPath: noisy))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: noisy)
        withEditor.environment["EDITOR"] = noisy
        let quiet = try withEditor.run(["note", "add", "Acme", "--title", "Quiet", "--json"])
        #expect(quiet.status == 0 && (try? JSONSerialization.jsonObject(with: Data(quiet.stdout.utf8))) != nil && quiet.stderr.contains("EDITOR-NOISE"), "\(quiet.stdout)")
        // Removed while the editor was open (as a sync brings a colleague's removal): nothing is saved onto the
        // removed note, the text typed is kept, and the removal is said (it read "Updated note").
        let removing = dir.file("removing.sh")
        try Data("#!/bin/sh\n'\(RapportBinary.url.path)' note remove Pricing >/dev/null\necho 'Typed meanwhile.' > \"$1\"\n".utf8).write(to: URL(fileURLWithPath: removing))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: removing)
        withEditor.environment["EDITOR"] = removing
        let removed = try withEditor.run(["note", "edit", "Pricing"])
        #expect(removed.status == 64 && removed.stderr.contains("was removed by ") && removed.stderr.contains("while you edited it, so nothing was saved: `rapport note restore "),
                "\(removed.stdout)\(removed.stderr)")
        let typed = try #require(removed.stderr.firstMatch(of: /kept in (\S+): fix it there/)?.1, "\(removed.stderr)")
        #expect(try String(contentsOfFile: String(typed), encoding: .utf8) == "Typed meanwhile.\n")
        try? FileManager.default.removeItem(atPath: String(typed))
    }

    /// Ctrl-C during a sync ended it without a word: it says what stands, and exits 130 as an interrupt does.
    @Test func anInterruptedSyncSaysWhatStands() throws {
        // A server that takes the connection and never answers: the sync waits on it.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && listen(listener, 4) == 0 && getsockname(listener, $0, &length) == 0 } }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        #expect(try rapport.run(["config", "--server", "http://127.0.0.1:\(port)", "--token", "rpt_" + String(repeating: "a", count: 64)]).status == 0)
        #expect(try rapport.run(["account", "add", "Acme"]).status == 0)
        let process = Process()
        process.executableURL = RapportBinary.url
        process.arguments = ["sync", "--json"]
        process.environment = ProcessInfo.processInfo.environment.merging(rapport.environment) { _, own in own }
        let (out, err) = (Pipe(), Pipe())
        (process.standardOutput, process.standardError) = (out, err)
        try process.run()
        Thread.sleep(forTimeInterval: 1.5)
        process.interrupt()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let json = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130 && said.contains("Interrupted: the sync was interrupted; what it received is kept"), "\(process.terminationStatus) \(said)")
        let error = try #require((try JSONSerialization.jsonObject(with: json) as? [String: Any])?["error"] as? [String: Any])
        #expect(error["code"] as? String == "interrupted")
    }

    @Test func statusReportsUserPendingAndConflicts() throws {
        #expect(try rapport.run(["account", "add", "Acme"]).status == 0)
        let status = try #require(try rapport.json(["status"]) as? [String: Any])
        #expect(status["user"] as? String == "alice")
        #expect(status["pending_operations"] as? Int == 3)
        #expect(status["open_conflicts"] as? Int == 0)
        #expect(try rapport.run(["status"]).stdout.contains("unsynced:    3 changes"))
    }

    @Test func aFileThatIsNotAReplicaIsRefusedUntouched() throws {
        let path = dir.file("photo.jpg")
        let bytes = Data((0..<4096).map { UInt8($0 % 251) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let result = try rapport.run(["account", "list", "--db", path])
        // A wrong --db, as a missing file is.
        #expect(result.status == 64)
        #expect(result.stderr.contains("not a Rapport replica"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
        // Nor does a sync leave its lock file beside it.
        let sync = try rapport.run(["sync", "--db", path])
        #expect(sync.status == 64 && sync.stderr.contains("not a Rapport replica") && !FileManager.default.fileExists(atPath: path + ".sync-lock"), "\(sync.stderr)")
        // A folder: SQLite's own words were "disk I/O error".
        let folder = try rapport.run(["account", "list", "--db", dir.path])
        #expect(folder.status == 64 && folder.stderr.contains("is not a Rapport replica (a folder: give the path of the replica file)"), "\(folder.stderr)")
    }

    /// A replica SQLite finds damaged is a `storage` failure with the way back, not a wrong path to check.
    @Test func aDamagedReplicaSaysHowToGetBackAndIsLeftUntouched() throws {
        #expect(try rapport.run(["account", "add", "Acme"]).status == 0)
        let path = dir.file("replica.sqlite")
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 3996))  // the schema's page, after the header
        try handle.close()
        let damaged = try Data(contentsOf: URL(fileURLWithPath: path))
        let result = try rapport.run(["status", "--json"])
        #expect(result.status == 1 && result.stderr.contains("is damaged (") && result.stderr.contains("move it aside and run `rapport init` and `rapport sync`"), "\(result.stderr)")
        #expect(result.stdout.contains(#""code" : "storage""#), "\(result.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == damaged)
        // A folder given for the file is said to be one.
        let folder = try rapport.run(["init", "--user", "bob", "--db", dir.path])
        #expect(folder.status == 64 && folder.stderr.contains("is a folder: give the path of the replica's file"), "\(folder.stderr)")
        // A file where a folder of the path would be is said to be one (Foundation's "Code=512" was printed).
        let file = try rapport.run(["init", "--user", "bob", "--db", path + "/sub/x.sqlite"])
        #expect(file.status == 64 && file.stderr.contains("\(path) is a file, not a folder, so the replica "), "\(file.stderr)")
    }

    @Test func initRefusesToOverwriteAReplica() throws {
        let again = try rapport.run(["init", "--user", "bob"])
        #expect(again.status != 0)
        // Said to be the replica it is, with the command that changes its server or token (run again to mend them).
        #expect(again.status == 64 && again.stderr.contains("is already the replica of alice (") && again.stderr.contains("`rapport config --server URL --token TOKEN`"), "\(again.stderr)")
        #expect((try rapport.json(["status"]) as? [String: Any])?["user"] as? String == "alice")
    }
}
