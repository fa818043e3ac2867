import Foundation
import Logging
import NIOPosix
import NIOSSL
import PostgresNIO

/// A `postgres://USER:PASS@HOST:PORT/DB[?sslmode=disable|prefer|require]` address.
public struct PostgresURL: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: String

    public init(_ text: String) throws {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? ""),
              let host = url.host, !host.isEmpty, let user = url.user, !user.isEmpty
        else {
            throw PostgresStorageError.badURL(Self.redacted(text))
        }
        // An IPv6 address comes in its brackets ([::1]), which name no host: "unknown host" was said of it.
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = url.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        password = url.password.map { $0.removingPercentEncoding ?? $0 }
        // (A slash after the name is none of it: "database \"rapport/\" does not exist" was said.)
        var path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        while path.hasSuffix("/") { path.removeLast() }
        // A password holding "/" ended the address's user part there: its rest, the real host and the database
        // were read as a database name, and a host of the password's letters was "unknown".
        if url.percentEncodedPath.contains("@") { throw PostgresStorageError.passwordNotEncoded(Self.redacted(text)) }
        database = path.isEmpty ? user : path
        // A parameter Rapport does not read was ignored: `?ssl=true` (other drivers' spelling) connected in
        // plain text to a server the admin meant to reach over TLS.
        if let other = url.queryItems?.first(where: { $0.name != "sslmode" }) {
            throw PostgresStorageError.badParameter(Self.redacted(text), "it does not use '\(other.name)'")
        }
        // Twice, only the first was read: `?sslmode=disable&sslmode=require` connected in plain text.
        if (url.queryItems?.filter { $0.name == "sslmode" }.count ?? 0) > 1 {
            throw PostgresStorageError.badParameter(Self.redacted(text), "sslmode is given more than once")
        }
        if url.fragment != nil {
            throw PostgresStorageError.badParameter(Self.redacted(text), "a '#' part means nothing to it")
        }
        sslMode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        // libpq's name for what `require` does here (TLS with the certificate and the host name verified), which
        // people who know libpq type: libpq's own `require` verifies nothing.
        if sslMode == "verify-full" { sslMode = "require" }
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw PostgresStorageError.badParameter(Self.redacted(text), "sslmode '\(sslMode)' is not one it knows")
        }
    }

    /// `text` with the password of its user part masked, for a message about an address that was refused: such
    /// messages end up in terminals, cron mail and logs.
    public static func redacted(_ text: String) -> String {
        // The user part ends at the last "@": a password may hold "@" itself, and "/" too (which an address's
        // parser takes for the start of the database's name). Without a scheme, from the start.
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        guard let at = text[start...].lastIndex(of: "@"),
              let colon = text[start..<at].firstIndex(of: ":") else { return text }
        return text[..<text.index(after: colon)] + "***" + text[at...]
    }

    /// The same server, another database.
    public func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The address without its password, for logs and messages.
    public var description: String { "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)" }

    /// Opens one connection and closes it: a wrong password or an unreachable server is reported at once,
    /// where the connection pool would retry in the background for a minute.
    func probe(logger: Logger) async throws {
        let tls: PostgresConnection.Configuration.TLS = switch sslMode {
        case "require": .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case "prefer": .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: .disable
        }
        var config = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        config.options.connectTimeout = .seconds(5)
        do {
            let connection = try await PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 0, logger: logger
            ).get()
            try await connection.close().get()
        } catch let error as PSQLError {
            // Class 53 (too many clients, out of memory or disk): the database is there, and busy.
            if let state = error.serverInfo?[.sqlState], state.hasPrefix("53") {
                throw PostgresStorageError.busy(description, reason: error.serverInfo?[.message] ?? state)
            }
            throw PostgresStorageError.unreachable(description, reason: error.serverInfo?[.message] ?? Self.reason(error))
        } catch {
            throw PostgresStorageError.unreachable(description, reason: "\(error)")
        }
    }

    /// What went wrong with a connection that the database never answered: PostgresNIO's code alone says
    /// only "connectionError", and its underlying error is a nested dump.
    static func reason(_ error: PSQLError) -> String {
        let text = String(describing: error.underlying.map { "\($0)" } ?? "")
        for (symptom, reason) in [
            ("Connection refused", "connection refused: nothing listens at that address and port"),
            ("connectTimeout", "no answer within 5 seconds"), ("timed out", "no answer within 5 seconds"),
            ("No such host", "unknown host"), ("Name or service not known", "unknown host"),
        ] where text.contains(symptom) {
            return reason
        }
        // PostgresNIO names this one by its code alone ("sslUnsupported").
        if error.code == .sslUnsupported { return noTLS }
        if error.code == .serverClosedConnection { return "the connection closed before PostgreSQL answered: is something else listening there?" }
        // Its code's own name ("authMechanismRequiresPassword") told an admin nothing.
        if "\(error.code)" == "authMechanismRequiresPassword" { return "PostgreSQL asks for a password, and the address gives none: postgres://USER:PASSWORD@HOST:PORT/DB" }
        return "\(error.code)"
    }

    static let noTLS = "it does not offer TLS, which ?sslmode=require (or verify-full) asks for: turn TLS on in PostgreSQL, or use ?sslmode=prefer on a network you trust"

    var configuration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch sslMode {
        case "require": .require(.makeClientConfiguration())
        case "prefer": .prefer(.makeClientConfiguration())
        default: .disable
        }
        var config = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        config.options.connectTimeout = .seconds(5)
        config.options.maximumConnections = 10
        return config
    }
}

public enum PostgresStorageError: Error, CustomStringConvertible, Equatable {
    case badURL(String)
    /// An address whose password holds a character that ends it ("/" or "@"), unencoded.
    case passwordNotEncoded(String)
    /// A well-formed address with a query parameter that Rapport does not take as given.
    case badParameter(String, String)
    case unreachable(String, reason: String)
    /// The database ended a connection in use (an administrator's `pg_terminate_backend`, a shutdown): the
    /// work on it is rolled back, and a new connection may well do.
    case connectionLost(String, reason: String)
    /// The connection ended as the transaction committed: saved or not, the database alone knows.
    case commitUnknown(String)
    /// A transaction that did not finish within the deadline, on a database that may well be reachable.
    case stalled(String, seconds: Int)
    /// No connection of the pool was had at a start, where nothing else uses it: a database that takes no new
    /// sessions (its connection limit reached) or answers too slowly, not a transaction that ran long.
    case noConnection(String, seconds: Int)
    /// It answered, but takes no more work now (SQLSTATE class 53: too many clients, out of resources).
    case busy(String, reason: String)
    case newerSchema(found: Int, known: Int)
    case schemaRefused(String, reason: String)
    case noRapportData(String)
    /// A database with tables but none of Rapport's: another application's, where Rapport makes none of its own.
    case otherApplication(String, tables: [String])
    /// The database answered, and refused the work (a constraint, a value it cannot store): not a connection
    /// problem, so the advice differs.
    case refused(String, reason: String)

    /// A PostgreSQL address that was refused as written, before anything was connected to, or one that names
    /// another application's database: a wrong value either way.
    public var isBadAddress: Bool {
        switch self {
        case .badURL, .passwordNotEncoded, .badParameter, .otherApplication: true
        default: false
        }
    }

    /// The database ended or stalled the step, which was rolled back: the same command may do next time.
    public var isPassing: Bool {
        switch self {
        case .connectionLost, .stalled, .noConnection: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .badURL(let text):
            "'\(PostgresURL.redacted(text))' is not a PostgreSQL address: use postgres://USER:PASSWORD@HOST:PORT/DATABASE (optionally ?sslmode=require)"
        case .passwordNotEncoded(let text):
            "'\(text)' is not a PostgreSQL address as written: its password seems to hold a character that ends it early; " +
                "write @, /, :, ?, # and % in it percent-encoded (@ as %40, / as %2F, : as %3A, ? as %3F, # as %23, % as %25)"
        case .badParameter(let text, let problem):
            "'\(PostgresURL.redacted(text))': Rapport reads only ?sslmode=disable (the default), prefer or require (TLS, verifying the server's certificate and name, as libpq's verify-full, which it takes too), and \(problem); nothing was connected to"
        case .unreachable(let url, let reason):
            "cannot reach PostgreSQL at \(url) (\(reason)): check that it runs and that the user, password and database are right"
        case .commitUnknown(let url):
            // Said to a laptop through a 503 as well as to an admin: a push sent again is stored once, an admin's step
            // is looked at first.
            "PostgreSQL at \(url) ended the connection as this step was being committed, so it may or may not have been saved " +
                "(a push sent again is stored once; an admin command's step shows in `rapport admin users` and `admin tokens`: look before running it again)"
        case .connectionLost(let url, let reason):
            "PostgreSQL at \(url) ended the connection in use (\(reason)), so the step it was taking was rolled back (nothing is half-written)"
        case .noConnection(let url, let seconds):
            "PostgreSQL at \(url) gave no connection within \(seconds) s of the start, so nothing was done: it may take no new sessions " +
                "(its max_connections reached: `pg_stat_activity` shows who holds them) or answer too slowly"
        case .stalled(let url, let seconds):
            "PostgreSQL at \(url) did not finish a transaction within \(seconds) s, so it was rolled back (nothing is half-written): " +
                "the database may be overloaded, or waiting on a lock another session holds (`pg_stat_activity` shows what waits)"
        case .busy(let url, let reason):
            "PostgreSQL at \(url) is too busy to take more work (\(reason)); try again shortly"
        case .refused(let url, let reason):
            "PostgreSQL at \(url) refused the work (\(reason)); nothing of it was saved"
        case .schemaRefused(let url, let reason):
            "PostgreSQL at \(url) refused Rapport's tables (\(reason)); nothing was changed: give Rapport a database of its own (an empty one, or one it created)"
        case .noRapportData(let url):
            "PostgreSQL at \(url) holds no Rapport server data, and nothing was created there: check --postgres (`rapport serve` or `rapport admin add-user` sets a database up)"
        case .otherApplication(let url, let tables):
            "PostgreSQL at \(url) holds another application's tables (\(tables.prefix(5).joined(separator: ", "))\(tables.count > 5 ? ", ..." : "")), and none of Rapport's; " +
                "it was left untouched: give Rapport a database of its own (`CREATE DATABASE rapport;`), and check the address (--postgres, or `admin migrate --to`)"
        case .newerSchema(let found, let known):
            "the database holds Rapport schema version \(found), newer than this rapport knows (\(known)): upgrade rapport"
        }
    }
}
