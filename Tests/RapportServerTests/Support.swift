import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RapportReplica
import RapportServer
import RapportSync
@_exported import RapportTestSupport

typealias Operation = RapportSync.Operation

var quietLogger: Logger {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    return logger
}

func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

/// A real server on a free loopback port with users and their tokens.
struct TestServer {
    /// How long a test's raw request may take before the test calls it hung. Generous on purpose: the test
    /// processes share two cores with a few hundred tests started at once, and requests made in the first
    /// minute took more than ten seconds to come back (a test that waited for one failed in two of nine runs).
    static let requestDeadline: TimeAmount = .seconds(120)

    let folder: TemporaryFolder
    let storage: SQLiteSyncStorage
    let server: RunningServer
    var tokens: [String: String] = [:]

    static func start(users: [String], configure: (inout SyncServer.Configuration) -> Void = { _ in }) async throws -> TestServer {
        let folder = try TemporaryFolder()
        let storage = try SQLiteSyncStorage(path: folder.file("server.sqlite"))
        var tokens: [String: String] = [:]
        for user in users {
            let token = Tokens.generate()
            try await storage.addToken(user: user, tokenHash: Tokens.hash(token), label: "", now: nowMs())
            tokens[user] = token
        }
        var config = SyncServer.Configuration(host: "127.0.0.1", port: 0)
        configure(&config)
        let server = try await SyncServer.start(storage: storage, configuration: config, logger: quietLogger)
        return TestServer(folder: folder, storage: storage, server: server, tokens: tokens)
    }

    func replica(_ user: String, env: ReplicaEnvironment = .live) throws -> Replica {
        try Replica.create(at: folder.file("\(user)-\(UUID().uuidString.prefix(6)).sqlite"), user: user, server: server.url, token: tokens[user], env: env)
    }

    /// Closes `replica` and copies its file, with its write-ahead log, to `path` (as a backup, or a copy to a
    /// second laptop, takes it); returns the original opened again.
    func copyReplicaFile(_ replica: Replica, to path: String) throws -> Replica {
        try replica.close()
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: replica.path + suffix) {
            try FileManager.default.copyItem(atPath: replica.path + suffix, toPath: path + suffix)
        }
        return try Replica.open(at: replica.path)
    }

    /// A raw HTTP request, for the tests of what the server refuses.
    func request(_ method: HTTPMethod, _ path: String, token: String? = nil, body: String? = nil) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: server.url + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: TestServer.requestDeadline)
        let bytes = try await response.body.collect(upTo: 1 << 24)
        return (Int(response.status.code), String(buffer: bytes))
    }
}

/// Everything a replica shows: its entity tables and its open conflicts.
struct ReplicaSnapshot: Equatable {
    var accounts: [Record]
    var notes: [Record]
    var conflicts: [String]

    init(_ replica: Replica) throws {
        accounts = try replica.records("account", includeDeleted: true)
        notes = try replica.records("note", includeDeleted: true)
        conflicts = try replica.conflicts().map(\.id).sorted()
    }
}
