import ArgumentParser
import Foundation
import GRDB
import Logging
import RapportClient
import RapportKAM
import RapportPostgres
import RapportReplica
import RapportServer

/// Where the server keeps its data: `--db PATH` (the embedded SQLite default) or `--postgres URL`.
struct ServerDatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The server's SQLite database (default: $RAPPORT_SERVER_DB).", valueName: "path"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("A PostgreSQL database instead: postgres://USER:PASS@HOST:PORT/DB (default: $RAPPORT_POSTGRES).", valueName: "url"))
    var postgres: String?

    func validate() throws {
        if db != nil, postgres != nil { throw ValidationError("give --db or --postgres, not both") }
    }

    /// The database option as given, for a command this one suggests: the same server, or the environment's
    /// again. A PostgreSQL URL stands as `--postgres URL`, so that its password does not land in a log.
    var suggested: String {
        if let db { return " --db \(Shell.quote(db))" }
        if postgres != nil { return " --postgres URL" }
        return ""
    }

    /// An admin command's storage log: what fails is said as the command's error, and the storage's warnings on
    /// the way ("transaction failed; reconnecting", with the error's internals and its SQL) are for a server's log.
    static let adminLogger: Logger = {
        var logger = Logger(label: "rapport.storage")
        logger.logLevel = .critical
        return logger
    }()

    /// The PostgreSQL address to use: --postgres, else $RAPPORT_POSTGRES unless --db is given.
    var postgresAddress: String? {
        postgres ?? (db == nil ? ProcessInfo.processInfo.environment["RAPPORT_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 } : nil)
    }

    /// The database in words for a note: the file's path, or a PostgreSQL address without its password.
    var describedForNotes: String {
        postgresAddress.map(PostgresURL.redacted) ?? db ?? ProcessInfo.processInfo.environment["RAPPORT_SERVER_DB"] ?? ""
    }

    /// Opens the server's database. Only `creating` (the server and `admin add-user`) may create an SQLite file:
    /// a mistyped --db for `admin tokens` or `admin compact` made an empty database and reported that it held
    /// nothing, which a daily cron job would do for ever.
    func open(creating: Bool = false, logger: Logger = Self.adminLogger) async throws -> any SyncStorage {
        let env = ProcessInfo.processInfo.environment
        // Both set in the environment is as ambiguous as both options: which data would change is not for us to guess.
        if db == nil, postgres == nil, env["RAPPORT_POSTGRES"]?.isEmpty == false, env["RAPPORT_SERVER_DB"]?.isEmpty == false {
            throw ValidationError("both RAPPORT_SERVER_DB and RAPPORT_POSTGRES are set: unset one, or give --db or --postgres")
        }
        if let url = postgresAddress {
            return try await PostgresSyncStorage(url: try PostgresURL(url), logger: logger, creating: creating)
        }
        guard let path = db ?? env["RAPPORT_SERVER_DB"], !path.isEmpty else {
            throw ValidationError("give the server's database with --db PATH (e.g. `--db server.sqlite`) or --postgres URL")
        }
        // A PostgreSQL address where a file goes was taken for a path ("no server database at postgres://user:pass@..."),
        // password and all.
        if ["postgres://", "postgresql://"].contains(where: { path.lowercased().hasPrefix($0) }) {
            let source = db != nil ? "--db" : "$RAPPORT_SERVER_DB"
            throw ValidationError("\(source) takes an SQLite file, and \(PostgresURL.redacted(path)) is a PostgreSQL address: give it with --postgres (or $RAPPORT_POSTGRES)")
        }
        var given: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &given)
        guard creating || exists else {
            throw ValidationError("no server database at \(path): check --db (`rapport admin add-user` or `rapport serve` creates one)")
        }
        // SQLite's own words for a folder were "disk I/O error".
        if exists, given.boolValue {
            throw ValidationError("\(path) is a folder: give the path of the server's database file, e.g. --db \((path as NSString).appendingPathComponent("server.sqlite"))")
        }
        // An empty file is a new database to SQLite: `admin users` given one made it a server database that held
        // nobody, as a missing one would have been.
        if !creating, exists, ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil) == 0 {
            throw ValidationError("\(path) is empty, not a server database: check --db (`rapport admin add-user` or `rapport serve` makes one there)")
        }
        // SQLite says only that it cannot open the file; the folder it would go in is what is missing.
        let folder = (path as NSString).deletingLastPathComponent
        var isFolder: ObjCBool = false
        guard folder.isEmpty || (FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue) else {
            if let file = Replica.fileInTheWay(of: folder) {
                throw ValidationError("\(file) is a file, not a folder, so the server database \(path) cannot be in it: check --db")
            }
            throw ValidationError("there is no folder \(folder) for the server database \(path): create it (`mkdir -p \(Shell.quote(folder))`) or check --db")
        }
        return try SQLiteSyncStorage(path: path, logger: logger)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the team's sync server.")
    @OptionGroup var database: ServerDatabaseOptions
    @Option(help: "The address to listen on") var host = "127.0.0.1"
    // Unconditional, so that `--port -1` is refused for its value rather than taken for an option.
    @Option(parsing: .unconditional, help: "The port to listen on; 0 picks a free one") var port = 8080
    @Option(name: .customLong("max-clock-ahead"), parsing: .unconditional, help: "How many seconds ahead of the server's clock an operation may be stamped.")
    var maxClockAhead = 300
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("Serve HTTPS with this PEM certificate (then any intermediates); needs --tls-key.", valueName: "file"))
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The certificate's unencrypted PEM private key; needs --tls-cert.", valueName: "file"))
    var tlsKey: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("HTTPS needs both --tls-cert FILE and --tls-key FILE (or neither, for plain HTTP)")
        }
        guard maxClockAhead > 0 else { throw ValidationError("--max-clock-ahead must be a positive number of seconds") }
        // In milliseconds it must still fit; a year is far more than any clock drifts.
        guard maxClockAhead <= 366 * 24 * 3600 else { throw ValidationError("--max-clock-ahead must be at most a year (31622400 seconds)") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "rapport.server")
        var config = SyncServer.Configuration(host: host, port: port)
        config.limits.maxClockAheadMs = Int64(maxClockAhead) * 1000
        if let tlsCert, let tlsKey {
            config.tls = try ServerTLS.configuration(certificatePath: tlsCert, keyPath: tlsKey)
            // Served all the same (a renewed file may be on its way), but every replica refuses it meanwhile.
            if let leaf = (try? ServerTrust.load(path: tlsCert))?.certificates.first, leaf.expired {
                logger.warning("the certificate in \(tlsCert) expired on \(leaf.expiresDay): every replica refuses this server until it is renewed")
            }
        }
        let named = database.db ?? ProcessInfo.processInfo.environment["RAPPORT_SERVER_DB"]
        // Whole: the admin may run it from another folder than the server's.
        if database.postgresAddress == nil, let named, !named.isEmpty { config.adminDatabaseOption = "--db \(Shell.quote(URL(fileURLWithPath: named).path))" }
        let new = named.map { !$0.isEmpty && !FileManager.default.fileExists(atPath: $0) } ?? false
        // An empty file is a new database to SQLite, and as empty a server as a path mistyped: said alike (it was not).
        let wasEmpty = named.map { !$0.isEmpty && ((try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? nil) == 0 } ?? false
        let storage = try await database.open(creating: true, logger: logger)
        let scheme = config.tls == nil ? "http" : "https"
        let listening = Listening()
        do {
            try await SyncServer.run(storage: storage, configuration: config, logger: logger) { port in
                listening.started()
                // A mistyped --db or database name starts an empty server that no replica's changes reach: said where
                // the admin looks (before the address, which the eye and scripts wait for as the last line).
                if new || wasEmpty {
                    logger.notice("the database file \(new ? "was created now" : "held nothing and was set up now"), empty: if the team's server had one already, stop this server and start it with that file's path (`rapport admin add-user NAME --db FILE` adds the first user to a new one)")
                } else if (storage as? PostgresSyncStorage)?.createdTables == true {
                    logger.notice("the database had no Rapport tables and was given them now, empty: if the team's server had a database already, stop this server and start it with that database's address (`rapport admin add-user NAME --postgres URL` adds the first user to a new one)")
                }
                // An IPv6 address goes in brackets in a URL (http://[::1]:8080), as replicas must write it.
                logger.notice("rapport server listening on \(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port) (\(Self.describe(storage)))")
            }
        } catch {
            // A server that never listened (a port in use, a wrong host) leaves no empty database it made behind:
            // the next try with another port would find it, and `admin` commands take it for the team's.
            if new, !listening.value, let sqlite = storage as? SQLiteSyncStorage {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqlite.path + suffix) }
            }
            throw error
        }
        logger.notice("rapport server stopped")
    }

    /// Whether the server got as far as listening, as its start-up callback runs apart from the code that
    /// cleans up after it.
    final class Listening: @unchecked Sendable {
        private let lock = NSLock()
        private var listened = false
        var value: Bool { lock.withLock { listened } }
        func started() { lock.withLock { listened = true } }
    }

    static func describe(_ storage: any SyncStorage) -> String {
        switch storage {
        case let sqlite as SQLiteSyncStorage: "SQLite database \(sqlite.path)"
        case let postgres as PostgresSyncStorage: "PostgreSQL \(postgres.url)"
        default: "\(type(of: storage))"
        }
    }
}

/// A server's SQLite file SQLite finds damaged: not a wrong value typed (`failed`, exit 1).
struct DamagedServerFile: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Manage the server's users, tokens and log.",
        subcommands: [AddUser.self, Users.self, Tokens.self, Revoke.self, RemoveUser.self, Migrate.self, Compact.self, ForgetReplica.self, Restored.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Move a server's data from its SQLite database to an empty PostgreSQL database.",
            discussion: """
                Log positions are kept, so every replica syncs on as before. The copy is one transaction. Once it is \
                done the SQLite file is marked moved: a server still running on it refuses every sync from then on \
                (replicas keep their changes for the new server), and it is not served again.
                """)
        @Option(help: ArgumentHelp("The server's SQLite database.", valueName: "path")) var from: String
        @Option(help: ArgumentHelp("The PostgreSQL database: postgres://USER:PASS@HOST:PORT/DB.", valueName: "url")) var to: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            if ["postgres://", "postgresql://"].contains(where: { from.lowercased().hasPrefix($0) }) {
                throw ValidationError("--from takes the server's SQLite file, and \(PostgresURL.redacted(from)) is a PostgreSQL address: a move goes from SQLite to PostgreSQL only (back up PostgreSQL with pg_dump)")
            }
            guard FileManager.default.fileExists(atPath: from) else { throw ValidationError("no server database at \(from)") }
            // An empty file is a new database to SQLite: it was "moved", holding nobody, and marked moved.
            if ((try? FileManager.default.attributesOfItem(atPath: from)[.size] as? Int) ?? nil) == 0 {
                throw ValidationError("\(from) is empty, not a server database: check --from")
            }
            let url = try PostgresURL(to)
            let source: SQLiteSyncStorage
            var retried: SQLiteSyncStorage.Move?
            do { source = try SQLiteSyncStorage(path: from) } catch StorageError.moved(_, let move) where move.target == url.description {
                // Marked moved to this very database, which holds nothing: the move was cut off (the process
                // killed) between marking the file and the copy's commit. The mark comes off and the copy runs
                // again; a database that holds the data keeps the refusal.
                let target = try await PostgresSyncStorage(url: url, logger: ServerDatabaseOptions.adminLogger)
                // (The copy is one transaction: users and log land together, or neither.)
                let held = try await target.directory()
                try? await target.close()
                guard held.users.isEmpty else { throw StorageError.moved(path: from, move) }
                try SQLiteSyncStorage.unseal(path: from)
                retried = move
                warn("note: \(from) was marked moved to \(move.target) on \(Format.shortTime(move.atMs)), which holds nothing: that move was cut off before it finished; copying again")
                source = try SQLiteSyncStorage(path: from)
            }
            let target = try await PostgresSyncStorage(url: url, logger: ServerDatabaseOptions.adminLogger)
            let report: ServerMove.Report
            do {
                report = try await ServerMove.copy(from: source, to: target)
            } catch SyncServerError.badRequest(let message) {
                // The store's refusal (a target that already holds data) is the user's to fix, not a request's.
                try? await target.close()
                throw ValidationError("\(message); nothing was copied")
            } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
                // The SQLite file's own damage, met while reading it for the copy.
                try? await target.close()
                throw DamagedServerFile(message: "\(from) is damaged (\(error.message ?? "\(error)")), so nothing was copied: restore it from a backup and move that one " +
                                        "(`rapport admin migrate --from BACKUP --to URL`); PostgreSQL was left empty")
            } catch {
                // Two moves into one database at once: the other one's copy committed first, and this one's
                // clashed with its rows. Not the server's "try again shortly": the data is there.
                if let held = try? await target.directory(), !held.users.isEmpty {
                    try? await target.close()
                    // The mark taken off for this retry goes back: another move into the database committed first.
                    if let retried { try? await source.close(); try? SQLiteSyncStorage.mark(path: from, retried) }
                    throw ValidationError("\(target.url) holds a server's data now, though this copy failed: another `rapport admin migrate` into it finished first, or this one's went through as its connection dropped. Check with `rapport admin tokens --postgres URL` and `rapport admin tokens --db \(Shell.quote(from))` (a file whose data moved says so) before starting a server")
                }
                try? await target.close()
                throw error
            }
            try await target.close()
            try await source.close()
            if output.json {
                return try JSON.object([
                    "users": .int(Int64(report.users)), "tokens": .int(Int64(report.tokens)), "entries": .int(Int64(report.entries)),
                    "workspaces": .array(report.heads.keys.sorted().map(JSON.string)), "from": .string(from), "to": .string(target.url.description),
                ]).print()
            }
            print("Moved \(report.users) user\(report.users == 1 ? "" : "s"), \(report.tokens) token\(report.tokens == 1 ? "" : "s") and \(report.entries) log entr\(report.entries == 1 ? "y" : "ies") (\(report.heads.count) workspace\(report.heads.count == 1 ? "" : "s")) to \(target.url).")
            print("Start the server with `rapport serve --postgres URL`; replicas sync on unchanged.")
        }
    }

    struct AddUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-user",
            abstract: "Add a user (or a further token for one) and print the token once.")
        @OptionGroup var database: ServerDatabaseOptions
        @Argument(help: "The user's name, as they pass it to `rapport init --user`.") var name: String
        @Option(help: "A label for the token, e.g. the laptop it goes on") var label = ""
        @Option(help: "The team (workspace) the user belongs to; teams never see each other's data") var workspace = defaultWorkspace
        @OptionGroup var output: OutputOptions

        func validate() throws {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed == name, name.count <= 64 else { throw ValidationError("the user name must be 1-64 characters with no leading or trailing spaces") }
            // Names and labels are printed in tables and stamped on every change the user makes.
            if let problem = Replica.userNameProblem(name) { throw ValidationError("the user name \(problem)") }
            guard !label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ValidationError("--label must not hold control characters (a line break, a tab, an escape)")
            }
            // A label names a laptop in `admin tokens`' table, a row of which a long one made hundreds of columns wide.
            guard label.count <= 80 else { throw ValidationError("--label is \(label.count) characters: keep it to 80 (the laptop the token goes on, say)") }
            guard (1...64).contains(workspace.count), workspace.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw ValidationError("--workspace must be 1-64 letters, digits, - or _")
            }
        }

        func run() async throws {
            let storage = try await database.open(creating: true)
            // A workspace is a team of its own, made by naming it: a mistyped one would hold a user apart for good.
            let directory = try await storage.directory(), users = directory.users
            // "josé" with a combining accent is the user stored with a composed one (SQLite compares bytes: it
            // stored a second josé); a new name is stored composed.
            let name = users.first { $0.name == self.name }?.name ?? self.name.precomposedStringWithCanonicalMapping
            let wasRemoved = directory.isRemoved(name)
            let workspaces = Swift.Set(users.map(\.workspace))
            // Owners are matched without regard to capitals everywhere (`due --owner`, handover, an owner typed
            // "Alice"): a second user "ALICE" in alice's team would share her lists and be handed her accounts.
            // (A further token for a user there is, of a pair made before this was refused, is given.)
            if !users.contains(where: { $0.name == name && $0.workspace == workspace }),
               let other = users.first(where: { $0.workspace == workspace && sameIgnoringCase($0.name, name) }) {
                try? await storage.close()
                throw ValidationError("'\(name)' differs from the user '\(other.name)' only in capitals, and Rapport matches owners without regard to them: " +
                    "give the new user another name, or run `rapport admin add-user \(Shell.quote(other.name))\(other.workspace == defaultWorkspace ? "" : " --workspace \(other.workspace)")` " +
                    "for a further token of theirs; nothing was added")
            }
            if wasRemoved, let team = users.first(where: { $0.name == name && $0.workspace != workspace })?.workspace {
                try? await storage.close()
                throw ValidationError("\(name) was removed from workspace '\(team)', where they synced: `rapport admin add-user \(Shell.quote(name))\(team == defaultWorkspace ? "" : " --workspace \(team)")` brings them back there; " +
                                      "a user belongs to one workspace (their laptops hold its data), so a new user in '\(workspace)' needs another name; nothing was added")
            }
            let token = RapportServer.Tokens.generate(), hash = RapportServer.Tokens.hash(token)
            try await storage.addToken(user: name, workspace: workspace, tokenHash: hash, label: label, now: Int64(Date().timeIntervalSince1970 * 1000))
            // The first user makes a new server: a mistyped --db made one, and printed only a token that no running
            // server knows.
            if users.isEmpty {
                warn("note: this is the first user of a new server database (\(database.describedForNotes)): `rapport serve\(database.suggested)` serves it; " +
                     "if you meant an existing server's, give its --db or --postgres")
            }
            if wasRemoved, users.contains(where: { $0.name == name && $0.workspace == workspace }) {
                warn("note: \(name) was removed; this token brings them back (their laptops sync with it, and hold back `admin compact` again once they do)")
            }
            if let moved = users.first(where: { $0.name == name && $0.workspace != workspace }) {
                warn("note: \(name) moved from workspace '\(moved.workspace)' to '\(workspace)' (never synced, no token left there)")
            }
            if !workspaces.isEmpty, !workspaces.contains(workspace) {
                warn("note: workspace '\(workspace)' is new: \(name) sees only its data, not that of \(workspaces.sorted().map { "'\($0)'" }.joined(separator: ", "))")
            }
            // A new user by a slip ("alcie") is another person to the server: said, with the names it is close to.
            if !users.contains(where: { $0.name == name }) {
                // Closest first: "alcie" beside "alice" and "alcia" meant alice.
                let near = users.filter { Spelling.isSlip(name, of: $0.name) }.sorted { (Spelling.distance(name, $0.name), $0.name) < (Spelling.distance(name, $1.name), $1.name) }
                if let first = near.first {
                    let elsewhere = first.workspace == defaultWorkspace ? "" : " --workspace \(first.workspace)"
                    warn("note: \(name) is a new user, apart from \(near.map { "'\($0.name)'" }.joined(separator: ", ")); if you meant \(near.count == 1 ? "that one" : "one of them"), " +
                         "revoke this token (`rapport admin tokens`, `rapport admin revoke ID`) and run `rapport admin add-user \(Shell.quote(first.name))\(elsewhere)` on this database")
                }
            }
            try await storage.close()
            if output.json {
                // The id `admin tokens` lists and `admin revoke` takes: a provisioning script keeps it beside the laptop.
                try JSON.object([
                    "user": .string(name), "workspace": .string(workspace), "label": .string(label), "token": .string(token),
                    "token_id": .string(String(hash.prefix(TokenInfo.idLength))), "new_user": .bool(!users.contains { $0.name == name }),
                    "first_user": .bool(users.isEmpty), "brought_back": .bool(wasRemoved),
                ]).print()
            } else {
                print(token)
            }
            // "Above" only on a terminal: redirected, the token went to the file.
            let whereTo = output.json ? "in the JSON's \"token\"" : isatty(STDOUT_FILENO) == 1 ? "printed above" : "written to standard output"
            warn("Token for \(name) \(whereTo); it is shown only this once (the server keeps only its hash).")
        }
    }

    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tokens", abstract: "List tokens (by id, never the token itself).")
        @OptionGroup var database: ServerDatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let storage = try await database.open()
            let tokens = try await storage.tokens()
            try await storage.close()
            if output.json {
                return try JSON.array(tokens.map { t in
                    .object(["id": .string(t.hashPrefix), "user": .string(t.user), "workspace": .string(t.workspace), "label": .string(t.label),
                             "created": .string(Format.time(t.createdMs)), "revoked": t.revokedMs.map { .string(Format.time($0)) } ?? .null])
                }).print()
            }
            print(Format.table(["ID", "USER", "WORKSPACE", "LABEL", "CREATED", "REVOKED"], tokens.map { t in
                [t.hashPrefix, t.user, t.workspace, t.label, Format.shortTime(t.createdMs), t.revokedMs.map(Format.shortTime) ?? ""]
            }))
        }
    }

    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "users",
            abstract: "List the server's users: their team, tokens, laptops and last sync.")
        @OptionGroup var database: ServerDatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let storage = try await database.open()
            let directory: ServerDirectory
            do { directory = try await storage.directory() } catch {
                try? await storage.close()
                throw error
            }
            try await storage.close()
            let tokens = Dictionary(grouping: directory.tokens, by: \.user)
            // A laptop forgotten (`admin forget-replica`, `admin remove-user`) is counted apart: it holds nothing back.
            let replicas = Dictionary(grouping: directory.replicas, by: \.user)
            let forgotten = Dictionary(grouping: directory.forgottenReplicas, by: \.user)
            let users = directory.users.sorted { ($0.workspace, $0.name) < ($1.workspace, $1.name) }
            func laptop(_ r: ServerDirectory.Replica) -> JSON {
                .object(["id": .string(r.id), "first_seen": .string(Format.time(r.firstSeenMs)), "last_seen": r.seenMs.map { .string(Format.time($0)) } ?? .null])
            }
            func lastSeen(_ user: String) -> Int64? { (replicas[user, default: []] + forgotten[user, default: []]).compactMap(\.seenMs).max() }
            func removed(_ user: String) -> Bool { directory.isRemoved(user) }
            if output.json {
                return try JSON.array(users.map { u in
                    let held = tokens[u.name, default: []]
                    return .object([
                        "name": .string(u.name), "workspace": .string(u.workspace), "created": .string(Format.time(u.createdMs)),
                        "tokens": .int(Int64(held.filter { $0.revokedMs == nil }.count)), "revoked_tokens": .int(Int64(held.filter { $0.revokedMs != nil }.count)),
                        "last_seen": lastSeen(u.name).map { .string(Format.time($0)) } ?? .null,
                        "removed": .bool(removed(u.name)),
                        "replicas": .array(replicas[u.name, default: []].map(laptop)),
                        "forgotten_replicas": .array(forgotten[u.name, default: []].map(laptop)),
                    ])
                }).print()
            }
            guard !users.isEmpty else { return print("No users yet: `rapport admin add-user NAME` adds one and prints their token.") }
            print(Format.table(["USER", "WORKSPACE", "ADDED", "TOKENS", "LAPTOPS", "LAST SYNC"], users.map { u in
                let held = tokens[u.name, default: []]
                let revoked = held.filter { $0.revokedMs != nil }.count
                let away = forgotten[u.name, default: []].count
                return [u.name, u.workspace, Format.shortTime(u.createdMs), "\(held.count - revoked)\(revoked > 0 ? " (+\(revoked) revoked)" : "")",
                        "\(replicas[u.name, default: []].count)\(away > 0 ? " (+\(away) forgotten)" : "")",
                        (lastSeen(u.name).map(Format.shortTime) ?? "never") + (removed(u.name) ? " (removed)" : "")]
            }))
            // One user's command whole; of several, with --workspace if one of them is in another team than the default.
            func addUser(_ named: [(name: String, workspace: String, createdMs: Int64)]) -> String {
                if named.count == 1 { return "`rapport admin add-user \(Shell.quote(named[0].name))\(named[0].workspace == defaultWorkspace ? "" : " --workspace \(named[0].workspace)")`" }
                return "`rapport admin add-user NAME\(named.allSatisfy { $0.workspace == defaultWorkspace } ? "" : " --workspace WORKSPACE")`"
            }
            let gone = users.filter { removed($0.name) }
            if !gone.isEmpty {
                print("\(Format.list(gone.map(\.name), conjunction: "and")) \(gone.count == 1 ? "was" : "were") removed (what they synced stays in the team's history): \(addUser(gone)) brings \(gone.count == 1 ? "them" : "one") back.")
            }
            // Who cannot sync at all: every token revoked.
            let locked = users.filter { u in let held = tokens[u.name, default: []]; return !removed(u.name) && !held.isEmpty && held.allSatisfy { $0.revokedMs != nil } }
            if !locked.isEmpty {
                // (A user who left, or one added by mistake, stays listed so: the sentence says it is not a fault.)
                print("\(Format.list(locked.map(\.name), conjunction: "and")) \(locked.count == 1 ? "has" : "have") no token left, so cannot sync (nothing to do if that is meant): " +
                      "\(addUser(locked)) gives \(locked.count == 1 ? "them" : "one") a new token, `rapport admin remove-user \(locked.count == 1 ? Shell.quote(locked[0].name) : "NAME")` removes \(locked.count == 1 ? "them" : "one").")
            }
        }
    }

    struct Restored: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restored",
            abstract: "After restoring the server's database from a backup, stop every replica until it runs `rapport sync --after-restore`.",
            discussion: """
                Run it once the restored database is in place, before the server takes syncs again. Every replica \
                that synced before then is stopped at its next sync and told to run `rapport sync --after-restore`, \
                which sends its changes again (the server takes back those the backup lost) and starts it again from \
                the server's snapshot. Without it, a replica is stopped only once one shows the server that the log \
                lost entries it had applied, and some may recover twice for one restore.
                """)
        @OptionGroup var database: ServerDatabaseOptions
        @Option(help: "Only this workspace (default: every workspace).") var workspace: String?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let storage = try await database.open()
            var marked: [JSON] = []
            var current: String?, markedNames: [String] = [], planned: [String] = []
            do {
                let known = Set(try await storage.directory().users.map(\.workspace))
                if let workspace, !known.contains(workspace) {
                    throw StorageError.badArgument("no workspace '\(workspace)' on this server (\(known.isEmpty ? "it has no users yet" : "its workspaces: " + known.sorted().joined(separator: ", "))); nothing was changed")
                }
                planned = workspace.map { [$0] } ?? known.sorted()
                for name in planned {
                    current = name
                    let state = try await storage.logState(workspace: name, cursor: 0)
                    _ = try await storage.markLogRewritten(workspace: name, seen: state.generation)
                    markedNames.append(name)
                    if output.json { marked.append(.object(["workspace": .string(name), "head": .int(state.head)])); continue }
                    print("\(name): marked restored at position \(state.head); every replica that synced before stops at its next sync until it runs `rapport sync --after-restore`.")
                }
            } catch {
                try? await storage.close()
                // Those marked before the failure stay marked (text said each as it went): said, for --json.
                if output.json, !markedNames.isEmpty, let failed = current, workspace == nil {
                    let rest = planned.drop { $0 != failed }
                    warn("note: \(Format.list(markedNames.map { "'\($0)'" }, conjunction: "and")) \(markedNames.count == 1 ? "was" : "were") marked restored before '\(failed)' failed: " +
                         "mark the rest one by one (\(rest.map { "`rapport admin restored --workspace \($0)\(database.suggested)`" }.joined(separator: ", "))); " +
                         "run for every workspace, it marks those again, and their replicas recover twice")
                }
                throw error
            }
            try await storage.close()
            if output.json { try JSON.array(marked).print() }
        }
    }

    struct ForgetReplica: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "forget-replica",
            abstract: "Stop a replica that will not sync again (a lost or retired laptop) from holding back `admin compact`.",
            discussion: """
                `admin compact` names the replica that holds it back. If that replica does sync again, it holds \
                compaction back again from then on and catches up; it may have missed only overwritten values \
                compacted meanwhile, never a current one. It stays its user's: no one else can sync under its id. \
                Revoke its token too (`admin revoke`) if the laptop was lost.
                """)
        @OptionGroup var database: ServerDatabaseOptions
        @Argument(help: "The replica's id, as `admin compact` names it.") var replica: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let storage = try await database.open()
            let forgotten: ReplicaCursor?
            do { forgotten = try await storage.forgetReplica(id: replica) } catch {
                try? await storage.close()
                throw error
            }
            try await storage.close()
            guard let forgotten else {
                throw ValidationError("no replica '\(replica)' on this server holds compaction back (an unknown id, or one forgotten already): `rapport admin compact` names the one holding it back")
            }
            if output.json {
                return try JSON.object(["replica": .string(forgotten.id), "user": .string(forgotten.user),
                                        "last_seen": forgotten.seenMs.map { .string(Format.time($0)) } ?? .null]).print()
            }
            let seen = forgotten.seenMs.map { "last seen \(Format.shortTime($0))" } ?? "never seen syncing"
            print("Forgot replica \(forgotten.id) (\(forgotten.user), \(seen)): it no longer holds back compaction.")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by the id `admin tokens` shows, or by the token itself.")
        @OptionGroup var database: ServerDatabaseOptions
        @Argument(help: "The token id (at least 6 characters), or the token itself (rpt_…).") var id: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let storage = try await database.open()
            // One revoked already is said so, with when: "no active token" sent people looking for a typo.
            let count: Int, revoked: [TokenInfo], matching: [TokenInfo]
            do {
                // Read first, to say whose token it was (the store counts what it revokes). A token given whole is
                // its whole hash, which the ids listed begin.
                let key = try StorageError.tokenIDPrefix(id)
                func named(_ t: TokenInfo) -> Bool { t.hashPrefix.hasPrefix(key) || key.hasPrefix(t.hashPrefix) }
                matching = try await storage.tokens().filter(named)
                count = try await storage.revokeTokens(hashPrefix: id, now: Int64(Date().timeIntervalSince1970 * 1000))
                revoked = count > 0 ? [] : try await storage.tokens().filter { named($0) && $0.revokedMs != nil }
            } catch {
                try? await storage.close()
                throw error
            }
            try await storage.close()
            if count == 0, revoked.count == 1, let token = revoked.first, let when = token.revokedMs {
                throw ValidationError("token \(token.hashPrefix) of \(token.user) was revoked already, on \(Format.shortTime(when)); nothing was changed")
            }
            guard count > 0 else {
                // (The token itself is not echoed: it is a secret.)
                let typed = id.trimmingCharacters(in: .whitespacesAndNewlines)
                if typed.hasPrefix("rpt_") { throw ValidationError("that token is none of this server's: `rapport admin tokens` lists the ids of its tokens") }
                if typed.count == 64, typed.allSatisfy(\.isHexDigit) {
                    throw ValidationError("no token has that id: a whole token starts with rpt_ (give it so), an id is its first characters as `rapport admin tokens` lists them")
                }
                throw ValidationError("no active token has id \(typed): `rapport admin tokens` lists them")
            }
            let active = matching.filter { $0.revokedMs == nil }
            // (A token added between the read and the revoke is counted, not named.)
            if output.json {
                return try JSON.object(["revoked": .int(Int64(count)), "tokens": .array(active.map { t in
                    .object(["id": .string(t.hashPrefix), "user": .string(t.user), "workspace": .string(t.workspace), "label": .string(t.label)])
                })]).print()
            }
            let named = active.map { "\($0.hashPrefix) of \($0.user)\($0.label.isEmpty ? "" : " (\($0.label))")" }
            print("Revoked \(count) token\(count == 1 ? "" : "s")\(named.count == count ? ": " + named.joined(separator: ", ") : "").")
        }
    }
}

extension Admin {
    struct RemoveUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-user",
            abstract: "Remove a user: one added by mistake, or one who left the team.",
            discussion: """
                A user who never synced is deleted with their tokens, and the name is free again. One who synced \
                stays listed, as removed: their changes stay in the team's history under their name, which stays \
                theirs in their workspace. Their tokens are revoked, so no laptop of theirs can sync, and their \
                laptops no longer hold back `admin compact`. Changes they had not synced stay on their laptops. \
                `rapport admin add-user NAME` brings them back with a new token.
                """)
        @OptionGroup var database: ServerDatabaseOptions
        @Argument(help: "The user's name, as `admin users` lists it.") var name: String
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let storage = try await database.open()
            let removed: RemovedUser?, names: [String]
            do {
                names = try await storage.directory().users.map(\.name)
                // The name as stored: "josé" typed with a combining accent is the user stored with a composed one.
                let stored = names.first { $0 == name } ?? name
                removed = try await storage.removeUser(name: stored, now: Int64(Date().timeIntervalSince1970 * 1000))
            } catch {
                try? await storage.close()
                throw error
            }
            try await storage.close()
            guard let removed else {
                // "Bob" for bob, "alcie" for alice, "bobb" for bob (among a server's few users a short name's slip is
                // no wild guess): the name to type, closest first.
                let near = names.filter { sameIgnoringCase($0, name) || Spelling.isSlip(name, of: $0) || (min($0.count, name.count) >= 3 && Spelling.distance(name, $0) <= 1) }
                    .sorted { (Spelling.distance(name, $0), $0) < (Spelling.distance(name, $1), $1) }
                throw ValidationError("no user '\(name)' on this server\(near.isEmpty ? "" : " (did you mean \(Format.list(near.map { "'\($0)'" }, conjunction: "or"))?)"): " +
                                      "`rapport admin users` lists them; nothing was changed")
            }
            let back = "`rapport admin add-user \(Shell.quote(removed.name))\(removed.workspace == defaultWorkspace ? "" : " --workspace \(removed.workspace)")`"
            if removed.wasRemovedAlready {
                // (Or revoked and forgotten by hand: the same state, which `admin users` lists as removed.)
                throw ValidationError("\(removed.name) is removed already: no token of theirs works, and no laptop of theirs holds back `admin compact`; nothing was changed (\(back) brings them back)")
            }
            if output.json {
                return try JSON.object([
                    "user": .string(removed.name), "workspace": .string(removed.workspace), "had_synced": .bool(removed.hadSynced),
                    "revoked_tokens": .int(Int64(removed.revokedTokens)), "deleted_tokens": .int(Int64(removed.deletedTokens)),
                    "forgotten_replicas": .array(removed.forgottenReplicas.map { r in
                        .object(["id": .string(r.id), "last_seen": r.seenMs.map { .string(Format.time($0)) } ?? .null])
                    }),
                ]).print()
            }
            let team = removed.workspace == defaultWorkspace ? "" : " from workspace '\(removed.workspace)'"
            guard removed.hadSynced else {
                let deleted = removed.deletedTokens == 0 ? "no token" : "\(removed.deletedTokens) token\(removed.deletedTokens == 1 ? "" : "s") deleted"
                return print("Removed \(removed.name)\(team): they had never synced, so nothing of theirs is left (\(deleted)); the name is free again.")
            }
            let tokens = removed.revokedTokens == 0 ? "no token left to revoke" : "\(removed.revokedTokens) token\(removed.revokedTokens == 1 ? "" : "s") revoked"
            let laptops = removed.forgottenReplicas.count
            let lastSync = removed.forgottenReplicas.compactMap(\.seenMs).max().map { ", last synced \(Format.shortTime($0))" } ?? ""
            print("Removed \(removed.name)\(team): \(tokens), \(laptops == 0 ? "their laptops forgotten already" : "\(laptops) laptop\(laptops == 1 ? "" : "s") forgotten\(lastSync)"), " +
                  "so they can no longer sync nor hold back `admin compact`. What they synced stays in the team's history under their name; " +
                  "what they had not synced stays on their laptops. \(back) brings them back.")
        }
    }

    struct Compact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compact",
            abstract: "Delete from the log what no replica needs: overwritten values and closed-conflict records.",
            discussion: """
                Only what every replica of the workspace has already pulled goes, and of that only field values \
                that a later value overwrote more than --keep-days ago, and the records of closed conflicts. \
                Note versions, deletions and every field's current value stay, so every replica, however far \
                behind, still converges. Safe while the server runs; run it daily from cron.
                """)
        @OptionGroup var database: ServerDatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Compact only this workspace (default: every workspace).") var workspace: String?
        // Unconditional, so that `--keep-days -1` is refused for its value rather than taken for a flag.
        @Option(name: .customLong("keep-days"), parsing: .unconditional, help: "Keep overwritten values this many days.") var keepDays = 30

        func validate() throws {
            guard keepDays >= 0 else { throw ValidationError("--keep-days must be 0 or more (it is \(keepDays)); nothing was deleted") }
        }

        func run() async throws {
            let storage = try await database.open()
            let reports: [CompactionReport]
            do {
                let known = Set(try await storage.directory().users.map(\.workspace))
                if let workspace, !known.contains(workspace) {
                    let existing = known.isEmpty ? "it has no users yet" : "its workspaces: " + known.sorted().joined(separator: ", ")
                    throw StorageError.badArgument("no workspace '\(workspace)' on this server (\(existing)); nothing was deleted")
                }
                let workspaces = workspace.map { [$0] } ?? known.sorted()
                let keepAfter = Compaction.keepAfterMs(now: Int64(Date().timeIntervalSince1970 * 1000), keepDays: keepDays)
                var done: [CompactionReport] = []
                for name in workspaces { done.append(try await storage.compact(workspace: name, keepAfterMs: keepAfter)) }
                reports = done
            } catch {
                try? await storage.close()
                throw error
            }
            try await storage.close()
            if output.json { return try JSON.array(reports.map(Self.json)).print() }
            if reports.isEmpty { print("No workspace has users yet: nothing to compact.") }
            for report in reports { print(Self.describe(report, database: database.suggested)) }
        }

        static func json(_ r: CompactionReport) -> JSON {
            .object([
                "workspace": .string(r.workspace),
                "deleted_operations": .int(Int64(r.deletedOperations)),
                "deleted_conflict_records": .int(Int64(r.deletedConflictRecords)),
                "remaining_entries": .int(Int64(r.remainingEntries)),
                "head": .int(r.head), "horizon": .int(r.horizon),
                "held_back_by": r.heldBackBy.map { replica in
                    .object([
                        "replica": .string(replica.id), "user": .string(replica.user),
                        "cursor": replica.cursor.map(JSON.int) ?? .null,
                        "last_seen": replica.seenMs.map { .string(Format.time($0)) } ?? .null,
                    ])
                } ?? .null,
                "reusable_bytes": r.reusableBytes.map(JSON.int) ?? .null,
            ])
        }

        /// `database`: the options that name the same server, for the command it suggests.
        static func describe(_ r: CompactionReport, database: String = "") -> String {
            var text = "\(r.workspace): deleted \(r.deletedOperations) overwritten value\(r.deletedOperations == 1 ? "" : "s") and \(r.deletedConflictRecords) closed-conflict record\(r.deletedConflictRecords == 1 ? "" : "s"); \(r.remainingEntries) log entries remain (head \(r.head))."
            if let bytes = r.reusableBytes, bytes >= 1 << 20 { text += " The database file keeps \(bytes >> 20) MiB free for new entries (it does not shrink)." }
            if let replica = r.heldBackBy {
                let seen = replica.seenMs.map { "last seen \(Format.shortTime($0))" } ?? "not seen since it first pushed"
                let position = replica.cursor.map { "has applied the log up to \($0)" } ?? "never reported how far it has synced (its next sync reports it)"
                text += "\n  Only positions up to \(r.horizon) of \(r.head) could be compacted: replica \(replica.id) (\(replica.user), \(seen)) \(position), and holds the rest back until it syncs again."
                text += "\n  If that laptop is gone for good: `rapport admin forget-replica \(replica.id)\(database)`."
            }
            return text
        }
    }
}
