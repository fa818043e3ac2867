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

    /// A new empty database for one test.
    static func freshDatabase() async throws -> PostgresURL {
        guard let adminURL else { throw PostgresStorageError.badURL("RAPPORT_TEST_POSTGRES is not set") }
        let admin = try PostgresURL(adminURL)
        let name = "rapport_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let config = PostgresConnection.Configuration(
            host: admin.host, port: admin.port, username: admin.user, password: admin.password, database: admin.database, tls: .disable)
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 1, logger: quietLogger).get()
        try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: quietLogger)
        try await connection.close().get()
        return admin.with(database: name)
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
