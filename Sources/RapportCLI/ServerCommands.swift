import ArgumentParser
import Foundation
import Logging
import RapportServer

/// `--db PATH` for commands that work on the server's database.
struct ServerDatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The server's SQLite database (default: $RAPPORT_SERVER_DB).", valueName: "path"))
    var db: String?

    func open() throws -> SQLiteSyncStorage {
        guard let path = db ?? ProcessInfo.processInfo.environment["RAPPORT_SERVER_DB"], !path.isEmpty else {
            throw ValidationError("give the server's database with --db PATH, e.g. `--db server.sqlite`")
        }
        return try SQLiteSyncStorage(path: path)
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the team's sync server.")
    @OptionGroup var database: ServerDatabaseOptions
    @Option(help: "The address to listen on.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one).") var port = 8080
    @Option(name: .customLong("max-clock-ahead"), help: "How many seconds ahead of the server's clock an operation may be stamped.")
    var maxClockAhead = 300
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard maxClockAhead > 0 else { throw ValidationError("--max-clock-ahead must be a positive number of seconds") }
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
        let storage = try database.open()
        var config = SyncServer.Configuration(host: host, port: port)
        config.limits.maxClockAheadMs = Int64(maxClockAhead) * 1000
        try await SyncServer.run(storage: storage, configuration: config, logger: logger) { port in
            logger.notice("rapport server listening on http://\(host):\(port) (database \(storage.path))")
        }
        logger.notice("rapport server stopped")
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the server's users and tokens.",
        subcommands: [AddUser.self, Tokens.self, Revoke.self])

    struct AddUser: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-user",
            abstract: "Add a user (or a further token for one) and print the token once.")
        @OptionGroup var database: ServerDatabaseOptions
        @Argument(help: "The user's name, as they pass it to `rapport init --user`.") var name: String
        @Option(help: "A label for the token, e.g. the laptop it goes on.") var label = ""

        func validate() throws {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed == name, name.count <= 64 else { throw ValidationError("the user name must be 1-64 characters with no leading or trailing spaces") }
        }

        func run() async throws {
            let storage = try database.open()
            let token = RapportServer.Tokens.generate()
            try await storage.addToken(user: name, tokenHash: RapportServer.Tokens.hash(token), label: label, now: Int64(Date().timeIntervalSince1970 * 1000))
            try await storage.close()
            print(token)
            warn("Token for \(name) printed above; it is shown only this once (the server keeps only its hash).")
        }
    }

    struct Tokens: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (by id, never the token itself).")
        @OptionGroup var database: ServerDatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            let storage = try database.open()
            let tokens = try await storage.tokens()
            try await storage.close()
            if output.json {
                return try JSON.array(tokens.map { t in
                    .object(["id": .string(t.hashPrefix), "user": .string(t.user), "label": .string(t.label),
                             "created": .string(Format.time(t.createdMs)), "revoked": t.revokedMs.map { .string(Format.time($0)) } ?? .null])
                }).print()
            }
            print(Format.table(["ID", "USER", "LABEL", "CREATED", "REVOKED"], tokens.map { t in
                [t.hashPrefix, t.user, t.label, Format.shortTime(t.createdMs), t.revokedMs.map(Format.shortTime) ?? ""]
            }))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by the id `admin tokens` shows.")
        @OptionGroup var database: ServerDatabaseOptions
        @Argument(help: "The token id (at least 6 characters).") var id: String

        func run() async throws {
            let storage = try database.open()
            let count = try await storage.revokeTokens(hashPrefix: id, now: Int64(Date().timeIntervalSince1970 * 1000))
            try await storage.close()
            guard count > 0 else { throw ValidationError("no active token has id \(id): `rapport admin tokens` lists them") }
            print("Revoked \(count) token\(count == 1 ? "" : "s").")
        }
    }
}
