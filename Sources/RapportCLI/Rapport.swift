import ArgumentParser
import Foundation
import GRDB
import RapportKAM
import RapportPostgres
import RapportReplica
import RapportServer
import RapportSync

/// `rapport`: an offline-first key-account management tool.
public struct Rapport: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rapport",
        abstract: "Key-account management that works offline and syncs with your team.",
        discussion: """
            Each manager keeps a local replica (an SQLite file). Every change is recorded as a versioned \
            operation per field; `rapport sync` exchanges them through the team's server. Concurrent edits of \
            different fields both stand; concurrent edits of a note go to review (`rapport conflicts`).
            """,
        version: Rapport.version,
        subcommands: [
            Demo.self, Init.self, Config.self, Status.self,
            AccountCommand.self, NoteCommand.self, History.self,
            CriteriaCommand.self, ScoreCommand.self, RankCommand.self,
            StakeholderCommand.self, StakeholdersCommand.self, PlanCommand.self,
            MeetingCommand.self, ActionCommand.self, DueCommand.self,
            OpportunityCommand.self, PipelineCommand.self, FlagCommand.self, ConcernCommand.self,
            ScorecardCommand.self, PortfolioCommand.self, ReportCommand.self,
            ImportCommand.self, ExportCommand.self,
            Sync.self, Conflicts.self, Compact.self,
            Serve.self, Admin.self,
        ])

    public init() {}

    /// The first argument whose bytes are not UTF-8, by its place (1 for the first after `rapport`), as Swift
    /// shows it.
    static func notUTF8Argument() -> (index: Int, shown: String)? {
        guard CommandLine.argc > 1 else { return nil }
        for i in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[i] else { continue }
            if String(validatingCString: pointer) == nil { return (i, String(cString: pointer)) }
        }
        return nil
    }

    /// Runs the command line, as `main()` would, saying two kinds of failure better than ArgumentParser does
    /// once a command is running.
    public static func runMain() async {
        let arguments = CommandLine.arguments.dropFirst()
        // Swift reads an argument that is not UTF-8 (a terminal set to Latin-1 typing "Müller") with U+FFFD in
        // place of the letter: stored so, the name was garbled for good and for the whole team.
        if let bad = notUTF8Argument() {
            let message = "argument \(bad.index) ('\(bad.shown)') is not UTF-8 text, as a terminal set to Latin-1 types it; nothing was done: " +
                "set the terminal to UTF-8 (e.g. LANG=en_US.UTF-8), or give the text in a UTF-8 file (--file, `rapport import`)"
            if arguments.contains("--json") { try? JSON.object(["error": .object(["code": .string("invalid"), "message": .string(message)])]).print() }
            warn("Error: \(message)")
            exit(withError: ExitCode.validationFailure)
        }
        // ArgumentParser answers help on a command that does not exist (`rapport help acount`) with the nearest
        // one's help and exit 0, so a typo looked answered.
        if arguments.first(where: { !$0.hasPrefix("-") }) == "help", let unknown = unknownCommand(arguments) {
            if arguments.contains("--json") { try? JSON.object(["error": .object(["code": .string("invalid"), "message": .string(unknown)])]).print() }
            warn("Error: \(unknown)")
            exit(withError: ExitCode.validationFailure)
        }
        let command: ParsableCommand
        do { command = try parseAsRoot() } catch {
            // A wrong option or value, found before any command ran: with --json among the arguments, a script
            // hears why on standard output as it would from a running command.
            let status = exitCode(for: error)
            // Only for a failure: a completion-script or help request arrives here too, as an error that exits 0.
            let unknown = status == .success ? nil
                : unknownCommand(arguments) ?? optionWithoutValue(arguments) ?? dashedValue(arguments, message: message(for: error)) ?? unknownOption(arguments)
            if status != .success, arguments.contains("--json") {
                try? JSON.object(["error": .object([
                    "code": .string(status == .validationFailure ? "invalid" : "failed"), "message": .string(unknown ?? message(for: error)),
                ])]).print()
            }
            if let unknown {
                warn("Error: \(unknown)")
                exit(withError: ExitCode.validationFailure)
            }
            exit(withError: error)
        }
        // Help that nobody asked for: ArgumentParser answers with its own help command.
        if type(of: command)._commandName == "help", let dashed = helpFromDashedValue(arguments) {
            if arguments.contains("--json") { try? JSON.object(["error": .object(["code": .string("invalid"), "message": .string(dashed)])]).print() }
            warn("Error: \(dashed)")
            exit(withError: ExitCode.validationFailure)
        }
        // Parsed, but with a value that is the next option's name (`account add X --margin --json`): said as above
        // rather than as "'--json' is not a valid margin", and never saved. (The --json taken as a value is heard.)
        if let swallowed = optionWithoutValue(arguments) {
            if arguments.contains("--json") { try? JSON.object(["error": .object(["code": .string("invalid"), "message": .string(swallowed)])]).print() }
            warn("Error: \(swallowed)")
            exit(withError: ExitCode.validationFailure)
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var command = command
                try command.run()
            }
        } catch let error as InvalidInput {
            fail(command, error.message, code: "invalid", exit: .validationFailure, details: error.details)
        } catch let error as ValidationError {
            // A command that found a bad value while running: ArgumentParser would follow the message with the
            // root command's usage ("rapport <subcommand>"), which tells the user nothing about their command.
            fail(command, error.message, code: "invalid", exit: .validationFailure)
        } catch let error as ReplicaError where error.isBadInput {
            // A value the replica refused (a title of two lines) or a name it could not tell is a wrong value on
            // the command line, as one that the command checked itself: the same exit code.
            fail(command, "\(error)", code: "invalid", exit: .validationFailure)
        } catch let error as ReplicaError where error.isUnwritable {
            // A file or folder the replica cannot be written in: a storage failure, as a full disk is.
            fail(command, "\(error)", code: "storage", exit: .failure)
        } catch let error as LockUnavailable {
            fail(command, "\(error)", code: "storage", exit: .failure)
        } catch let error as ReplicaError where error.isBusy {
            fail(command, "\(error)", code: "busy", exit: .failure)
        } catch let error as ReplicaError where error.isDamaged {
            // As a damaged file met later (`storage`), not a wrong path to check.
            fail(command, "\(error)", code: "storage", exit: .failure)
        } catch StorageError.badArgument(let message) {
            // A wrong value for an admin command (a token id too short to revoke, an unknown workspace).
            fail(command, message, code: "invalid", exit: .validationFailure)
        } catch let error as SyncServerError where { if case .userInOtherWorkspace = error { true } else { false } }() {
            // `admin add-user` of a name another workspace holds: a wrong value, as an empty name is.
            fail(command, "\(error)", code: "invalid", exit: .validationFailure)
        } catch SyncServerError.databaseUnavailable(let why) where String(reflecting: type(of: command)).contains(".Admin.") {
            // Not as the server says it to a laptop ("the server cannot serve requests now ... try again shortly"):
            // no server is involved in an admin command.
            // Again only where the database ended or stalled the step, which it rolled back (`isPassing`, whose words
            // the server carries here as text); a refusal or an unreachable database needs something else first.
            fail(command, "\(why)\(why.contains("rolled back (nothing is half-written)") ? ": run the command again" : "")", code: "failed", exit: .failure)
        } catch let error as PostgresStorageError where error.isPassing {
            fail(command, "\(error): run the command again", code: "failed", exit: .failure)
        } catch let error as StorageError where error.isUnwritable {
            // As the replica's: a file or folder that cannot be written is a storage failure (it was `storage` before
            // it was said with the files).
            fail(command, "\(error)", code: "storage", exit: .failure)
        } catch let error as StorageError where error.isOtherFile {
            fail(command, "\(error)", code: "invalid", exit: .validationFailure)
        } catch let error as PostgresStorageError where error.isBadAddress {
            fail(command, "\(error)", code: "invalid", exit: .validationFailure)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            fail(command, busy, code: "busy", exit: .failure)
        } catch let error as DatabaseError where storageFailure(error) != nil {
            // A server's file (`serve`, `admin`) has no replica's way back.
            let server = command is Serve || String(reflecting: type(of: command)).contains(".Admin.")
            fail(command, storageFailure(error, server: server)!, code: "storage", exit: .failure)
        } catch let error as ExitCode {
            exit(withError: error)
        } catch let error as CleanExit {
            exit(withError: error)
        } catch where exitCode(for: error) == .success {
            // `rapport help due` and `--help` arrive as an error that is a help request: help goes to standard
            // output, as ArgumentParser writes it, not to standard error under "Error:".
            exit(withError: error)
        } catch {
            // ArgumentParser's own words and exit code, written through `warn`: a message may quote a name or
            // value a colleague synced, and `exit(withError:)` writes it to the terminal as it is.
            let code = exitCode(for: error)
            fail(command, message(for: error), code: code == .validationFailure ? "invalid" : "failed", exit: code)
        }
    }

    /// What to say when an argument where a command's name goes names none: ArgumentParser complained of
    /// whatever it could not place first, so `rapport nosuchcommand --json` and `rapport account nosuch --json`
    /// said "Unknown option '--json'". Follows the names down the commands (after `help` too: `rapport help
    /// nosuch` printed the main help and exited 0); nil when they name a command.
    static func unknownCommand(_ arguments: ArraySlice<String>) -> String? {
        // The root's only option with a value: its value names a shell.
        if arguments.contains("--generate-completion-script") { return nil }
        var words = arguments.filter { !$0.hasPrefix("-") }[...]
        let asked = words.first == "help"
        if asked { words = words.dropFirst() }
        var command: ParsableCommand.Type = Self.self
        var path = "rapport"
        for word in words {
            let configuration = command.configuration
            // A word after a command that takes no subcommand is an argument.
            guard !configuration.subcommands.isEmpty else { return nil }
            guard let next = configuration.subcommands.first(where: { $0._commandName == word || $0.configuration.aliases.contains(word) }) else {
                // `rapport help help`; and a group with a default subcommand (`plan ACCOUNT` is `plan show ACCOUNT`)
                // takes a word that names none of its subcommands as that one's argument.
                // (One whose default takes no argument, `conflicts`, has no such word: `conflicts lst` is a typo.)
                if command == Self.self && word == "help" { return nil }
                // A slip of one letter (two in a long word) names the command meant: options had that, commands not.
                let names = configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases }
                let guesses = names.map { (name: $0, edits: Spelling.distance(word, $0)) }
                    .filter { word.count >= 2 && $0.edits <= (word.count >= 6 ? 2 : 1) }.sorted { ($0.edits, $0.name) < ($1.edits, $1.name) }.prefix(2)
                let guess = Format.didYouMean(guesses.map(\.name)).map { " (\($0))" } ?? ""
                // Where the words did not parse, a slip of a subcommand's name is that, not the default's argument, when
                // the rest parses as the subcommand meant: `scorecard overide Acme relationship 40 --reason x` said
                // "unknown option '--reason'" (and `plan Rose --jsn` is the account Rose, not a slip of `role`).
                // After `help` the words are commands only.
                if let fallback = configuration.defaultSubcommand, !takesNoArgument(fallback, word) {
                    let rest = Array(arguments.drop { $0 != word }.dropFirst())
                    let meant = guesses.count == 1 ? configuration.subcommands.first { $0._commandName == guesses[guesses.startIndex].name } : nil
                    guard word.count >= 3, let meant, asked || (try? meant.parseAsRoot(rest)) != nil else { return nil }
                }
                let which = command == Self.self ? "rapport" : "`\(path)`"
                // The stakeholders of an account are listed by a command of their own (a map, not a list).
                if path == "rapport stakeholder", ["list", "ls", "lst", "map"].contains(word) {
                    return "'\(word)' is not a `rapport stakeholder` command: `rapport stakeholders ACCOUNT` shows an account's map (`rapport stakeholder show NAME`, one person)"
                }
                return "'\(Format.printable(word))' is not a \(which) command\(guess): `\(path) --help` lists them"
            }
            command = next
            path += " " + next._commandName
        }
        return nil
    }

    /// What to say when an option that takes whatever follows it as its value was given none, and took the next
    /// option instead: `meeting add Acme --date --kind weekly` said "Missing expected argument '--kind'", naming
    /// the one option given. (Dates, amounts and counts take the next argument unconditionally, so that `-3d` or
    /// `-5` is a value and not an option.) Nil when no such option is followed by another.
    static func optionWithoutValue(_ arguments: ArraySlice<String>) -> String? {
        let given = Array(arguments)
        // Only an option right after another can have been taken as a value: without one, the command's
        // description is not read at all.
        guard zip(given, given.dropFirst()).contains(where: { $0.hasPrefix("--") && $1.hasPrefix("--") }) else { return nil }
        let (command, path) = subcommand(arguments)
        let unconditional = unconditionalOptions(command)
        for (option, next) in zip(given, given.dropFirst()) where option.hasPrefix("--") && unconditional.contains(String(option.dropFirst(2))) {
            // A value of its own never starts with two dashes; `-3d` and `-5` are values.
            guard next.hasPrefix("--"), next.count > 2 else { continue }
            return "\(option) has no value: the option after it, \(Format.printable(next)), was taken as its value. " +
                "Give \(option) its value right after it, or leave it out (`\(path) --help` says what it takes)"
        }
        return nil
    }

    /// The long options of a command that take whatever follows them as their value (`--date -3d`).
    static func unconditionalOptions(_ command: ParsableCommand.Type) -> Set<String> {
        longOptions(command, unconditionalOnly: true) ?? []
    }

    /// The long names of a command's options (of those that take their value unconditionally only), from
    /// ArgumentParser's description of the command, the one place that says which they are; nil when it cannot be read.
    static func longOptions(_ command: ParsableCommand.Type, unconditionalOnly: Bool = false) -> Set<String>? {
        guard let help = try? JSONSerialization.jsonObject(with: Data(command._dumpHelp().utf8)) as? [String: Any],
              let described = (help["command"] as? [String: Any])?["arguments"] as? [[String: Any]] else { return nil }
        return Set(described.filter { !unconditionalOnly || $0["parsingStrategy"] as? String == "unconditional" }.flatMap { argument in
            ((argument["names"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }
        })
    }

    /// What to say of an option the command does not have, where ArgumentParser's complaint of the command's own
    /// check came first (it checks a command's values before its options are all known): `scorecard override
    /// Acme relationship --remove` was answered "give the health 0-100". Nil when every option is the command's.
    static func unknownOption(_ arguments: ArraySlice<String>) -> String? {
        // (`rapport help note add --bogus` is of `note add`.)
        let words = arguments.first(where: { !$0.hasPrefix("-") }) == "help" ? arguments.drop { $0 != "help" }.dropFirst() : arguments
        var (command, path) = subcommand(words)
        // A group with a default subcommand runs it (`plan ACCOUNT` is `plan show ACCOUNT`): its options are the ones.
        if let fallback = command.configuration.defaultSubcommand {
            command = fallback
            path += " " + fallback._commandName
        }
        guard let options = longOptions(command) else { return nil }
        // (ArgumentParser's own, which its description of a command leaves out.)
        let names = options.union(["help", "help-hidden", "version", "generate-completion-script", "experimental-dump-help"])
        // (After `--` every word is an argument.)
        for word in words.prefix(while: { $0 != "--" }) where word.hasPrefix("--") {
            let name = String(word.dropFirst(2).prefix { $0 != "=" })
            guard !names.contains(name) else { continue }
            let guesses = names.map { (name: $0, edits: Spelling.distance(name, $0)) }
                .filter { $0.edits <= (name.count >= 6 ? 2 : 1) }.sorted { ($0.edits, $0.name) < ($1.edits, $1.name) }.prefix(2)
            // `set` takes fields as field=value: `account set Acme --revenue 5` meant `revenue=5`.
            let field = name.replacingOccurrences(of: "-", with: "_")
            if path.hasSuffix(" set"), Schema.rapport.entities.contains(where: { $0.field(field) != nil }) {
                let value = words.drop { $0 != word }.dropFirst().first.map { $0.hasPrefix("-") ? "VALUE" : $0 } ?? "VALUE"
                return "unknown option '--\(Format.printable(name))': `set` takes fields as field=value, e.g. \(Shell.quote("\(field)=\(value)"))"
            }
            // A day's option named with a word for a day after it ("--due-date" for --due, "--raised-on" for --date).
            let day = guesses.isEmpty ? dayStem(name).flatMap { likelyDay($0.stem, among: names.sorted(), orTheDate: $0.suffix != "at") } : nil
            let guess = Format.didYouMean((day.map { [$0] } ?? guesses.map(\.name)).map { "--" + $0 }).map { " (\($0))" } ?? ""
            return "unknown option '--\(Format.printable(name))'\(guess): `\(path) --help` lists its options"
        }
        return nil
    }

    /// The subcommand the words name, and how it is typed.
    static func subcommand(_ arguments: ArraySlice<String>) -> (ParsableCommand.Type, String) {
        var command: ParsableCommand.Type = Self.self
        var path = "rapport"
        for word in arguments where !word.hasPrefix("-") {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == word || $0.configuration.aliases.contains(word) }) else { break }
            command = next
            path += " " + next._commandName
        }
        return (command, path)
    }

    /// What to say when a value that starts with a dash was read as an option, so that its argument or option
    /// went missing: `meeting show -3` said only "Missing expected argument '<meeting>'", and `note add ...
    /// --text "- first point"` "Missing value for '--text <text>'". (`-h` is the one short option.)
    static func dashedValue(_ arguments: ArraySlice<String>, message: String) -> String? {
        let given = Array(arguments), said = message.split(separator: "\n").first.map(String.init) ?? message
        // The option named ("Missing value for '--text <text>'") and what followed it, whatever it starts with.
        if message.hasPrefix("Missing value for"), let named = said.firstMatch(of: /'(--[a-z0-9-]+)/)?.1,
           let at = given.lastIndex(of: String(named)), at + 1 < given.count, given[at + 1].hasPrefix("-") {
            let word = given[at + 1]
            return "\(said): '\(Format.printable(word))' was taken for an option; give a value that starts with a dash joined to its option " +
                "with = (\(named)=\(Shell.quote(word)))"
        }
        guard message.hasPrefix("Missing expected argument") else { return nil }
        // Not the value of an option that takes whatever follows it (`--date -3`, which was parsed as such).
        let (command, path) = subcommand(arguments)
        let unconditional = unconditionalOptions(command)
        guard let word = given.indices.first(where: { i in
            let token = given[i]
            guard token.hasPrefix("-"), !token.hasPrefix("--"), token != "-", token != "-h" else { return false }
            return i == 0 || !(given[i - 1].hasPrefix("--") && unconditional.contains(String(given[i - 1].dropFirst(2))))
        }).map({ given[$0] }) else { return nil }
        return "\(said): '\(Format.printable(word))' was taken for an option; give an argument that starts with a dash after `--` " +
            "at the end of the command (`\(path) ... -- \(Shell.quote(word))`)"
    }

    /// What to say when a value that starts with a dash and holds an "h" was read as short options, `-h` among them:
    /// `stakeholder add Acme "-Dash"` printed the help and exited 0, nothing saved, which a script took for done.
    /// Nil when help was asked for.
    static func helpFromDashedValue(_ arguments: ArraySlice<String>) -> String? {
        let given = arguments.prefix { $0 != "--" }
        guard !given.contains(where: { ["-h", "-help", "--help", "--help-hidden", "--version", "--generate-completion-script", "--experimental-dump-help"].contains($0) }),
              given.first(where: { !$0.hasPrefix("-") }) != "help",
              let word = given.first(where: { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.count > 2 && $0.contains("h") }) else { return nil }
        let path = subcommand(arguments).1
        return "'\(Format.printable(word))' was read as short options, -h (help) among them, so nothing was done: give an argument that starts with a dash " +
            "after `--` at the end of the command (`\(path) ... -- \(Shell.quote(word))`), or a value joined to its option with = (e.g. --text=\(Shell.quote(word)))"
    }

    /// Whether a command refuses `word` as an argument of its own (`conflicts list lst`).
    static func takesNoArgument(_ command: ParsableCommand.Type, _ word: String) -> Bool {
        do {
            _ = try command.parse([word])
            return false
        } catch {
            return command.message(for: error).hasPrefix("Unexpected argument")
        }
    }

    /// Says why a command failed on standard error and exits; a command run with `--json` also prints
    /// `{"error": {"code": ..., "message": ...}}` on standard output, so that a script reading it learns why as
    /// well as the exit status. (`sync --json` prints its own, with what is still to send.)
    static func fail(_ command: ParsableCommand, _ message: String, code: String, exit status: ExitCode, details: [String: JSON] = [:]) -> Never {
        warn("Error: \(message)")
        if !(command is Sync), wantsJSON(command) {
            try? JSON.object(["error": .object(details.merging(["code": .string(code), "message": .string(message)]) { _, own in own })]).print()
        }
        exit(withError: status)
    }

    /// A wrong value, as `ValidationError`, with what `--json`'s error gives beside the message (an import's
    /// problems line by line: a script read them out of one string).
    struct InvalidInput: Error {
        var message: String
        var details: [String: JSON]
    }

    /// Whether the command was given `--json` (its `OutputOptions`).
    static func wantsJSON(_ command: ParsableCommand) -> Bool {
        Mirror(reflecting: command).children.contains { ($0.value as? OptionGroup<OutputOptions>)?.wrappedValue.json == true }
    }

    /// SQLite's "database is locked", after the 30 seconds every connection waits for another's write.
    static let busy = """
        the database file is busy: another process (a long `rapport sync`, a `rapport serve` or `rapport admin` on the \
        same file) has been writing to it for 30 seconds, so this step was not saved; try again when it has finished
        """

    /// SQLite's own words for a full disk or a damaged file ("database or disk is full") say neither what
    /// became of the change nor what to do. SQLite rolls the transaction back in both cases.
    static func storageFailure(_ error: DatabaseError, server: Bool = false) -> String? {
        switch error.resultCode {
        case .SQLITE_FULL:
            "the disk is full, so this step was not saved (everything saved before is intact): free some space, then run the command again"
        case .SQLITE_CORRUPT where server, .SQLITE_NOTADB where server:
            "the server's database file is damaged (\(error.message ?? "SQLite reports corruption")), so this step was not saved: stop `rapport serve`, " +
                "restore the file from a backup and run `rapport admin restored --db FILE` before serving it (README: what Rapport guarantees)"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            "the database file is damaged (\(error.message ?? "SQLite reports corruption")), so this step was not saved: " +
                "restore it from a backup, or for a replica, move it aside and run `rapport init` and `rapport sync` to fetch the team's data again " +
                "(changes not yet synced are in the damaged file; keep it for recovery)"
        case .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_READONLY:
            "the database file could not be \(error.resultCode == .SQLITE_READONLY ? "written" : "read or written") (\(error.message ?? "I/O error")), " +
                "so this step was not saved: check the file's permissions, the disk and free space, then run the command again"
        default:
            nil
        }
    }

    /// What `rapport --version` prints: the release, and the formats that decide what this binary can read and
    /// talk to (a replica or server file of a later format is refused; client and server must speak the same
    /// protocol), so that a bug report or an upgrade question can be answered from one line.
    static let release = "0.1.0"
    static var version: String {
        """
        rapport \(release)
        sync protocol \(Schema.protocolVersion); replica format \(Replica.format); \
        server formats: SQLite \(SQLiteSyncStorage.format), PostgreSQL \(PostgresSyncStorage.format)
        """
    }
}
