import Foundation
import Logging
import NIOPosix
import PostgresNIO
import RapportPostgres

/// The PostgreSQL server the tests use: `RAPPORT_TEST_POSTGRES` names an admin connection (a role that may
/// create databases). In CI (`CI=true`) PostgreSQL is required, so its tests fail rather than skip when it
/// cannot be reached; elsewhere they run when the variable is set.
enum PostgresTesting {
    static let adminURL: String? = {
        let env = ProcessInfo.processInfo.environment
        if let url = env["RAPPORT_TEST_POSTGRES"], !url.isEmpty { return url }
        if env["CI"] == "true" { return "postgres://rapport:rapport@127.0.0.1:5432/postgres" }
        return nil
    }()

    static var available: Bool { adminURL != nil }

    /// The address of `database` (a `freshDatabase`) as an admin gives it to `rapport serve --postgres`: the
    /// admin connection's, password and all, naming that database.
    static func address(of database: PostgresURL) -> String {
        var components = URLComponents(string: adminURL!)!
        components.path = "/" + database.database
        return components.string!
    }

    /// A new empty database for one test, named with the time it was made (`rapport_test_<seconds>_<random>`).
    static func freshDatabase() async throws -> PostgresURL {
        guard let adminURL else { throw PostgresStorageError.badURL("RAPPORT_TEST_POSTGRES is not set") }
        let admin = try PostgresURL(adminURL)
        await sweep.value
        let seconds = Int(Date().timeIntervalSince1970)
        let name = "rapport_test_\(seconds)_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let connection = try await connect(admin)
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: quietLogger)
        try await connection.close().get()
        return admin.with(database: name)
    }

    /// Drops, once a test process, the databases earlier runs made: no test outlives its run, and a run left
    /// a score of databases behind (a developer's server held 367, 3.2 GB). Only those made over an hour ago
    /// (or named as before the time was in the name), so that a run going on beside this one keeps its own;
    /// one still in use is refused by PostgreSQL and left.
    private static let sweep = Task {
        guard let adminURL, let admin = try? PostgresURL(adminURL), let connection = try? await connect(admin) else { return }
        let cutoff = Int(Date().timeIntervalSince1970) - 3600
        var stale: [String] = []
        do {
            let rows = try await connection.query("SELECT datname FROM pg_database WHERE datname LIKE 'rapport\\_test\\_%'", logger: quietLogger)
            for try await name in rows.decode(String.self) {
                let parts = name.split(separator: "_")
                // rapport_test_<seconds>_<random>, or rapport_test_<16 hex digits> as named before.
                let made = parts.count == 4 ? Int(parts[2]) : nil
                let older = parts.count == 3 && parts[2].count == 16 && parts[2].allSatisfy(\.isHexDigit)
                if made.map({ $0 < cutoff }) ?? older { stale.append(name) }
            }
        } catch {}
        for name in stale { _ = try? await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \"\(name)\""), logger: quietLogger) }
        try? await connection.close().get()
    }

    private static func connect(_ admin: PostgresURL) async throws -> PostgresConnection {
        let config = PostgresConnection.Configuration(
            host: admin.host, port: admin.port, username: admin.user, password: admin.password, database: admin.database, tls: .disable)
        return try await PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 1, logger: quietLogger).get()
    }

    /// Runs statements on a test database, as an older Rapport or an operator might have.
    static func execute(_ statements: [String], on url: PostgresURL) async throws {
        let config = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable)
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 3, logger: quietLogger).get()
        for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: quietLogger) }
        try await connection.close().get()
    }

    /// Lets a test database take connections, or not, as a database shutting down or restarting would not.
    static func setAllowConnections(_ allow: Bool, on url: PostgresURL) async throws {
        guard let adminURL else { return }
        try await execute(["ALTER DATABASE \(url.database) WITH ALLOW_CONNECTIONS \(allow)"], on: try PostgresURL(adminURL))
    }

    /// Ends every other session on a database, as a dropped connection or a database restart would.
    static func dropConnections(to url: PostgresURL) async throws {
        guard let adminURL else { return }
        let admin = try PostgresURL(adminURL)
        let config = PostgresConnection.Configuration(
            host: admin.host, port: admin.port, username: admin.user, password: admin.password, database: admin.database, tls: .disable)
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 2, logger: quietLogger).get()
        try await connection.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = \(url.database) AND pid <> pg_backend_pid()",
            logger: quietLogger)
        try await connection.close().get()
    }
}
