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

/// A loopback listener that answers every request with the same raw HTTP response (a proxy's error page, for
/// one) and closes the connection; it counts the requests it answered.
final class FixedAnswer: @unchecked Sendable {
    let fd: Int32
    let port: Int
    private let counter = Counter()

    final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var count = 0
    }

    /// A TCP socket listening on a loopback port the system picks, and that port.
    static func listening() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRNOTAVAIL) }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    init(_ response: String) throws {
        (fd, port) = try Self.listening()
        let listener = fd, counter = counter
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                Self.readRequest(connection)
                let bytes = Array(response.utf8)
                _ = send(connection, bytes, bytes.count, Int32(MSG_NOSIGNAL))
                close(connection)
                counter.lock.withLock { counter.count += 1 }
            }
        }
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var answered: Int { counter.lock.withLock { counter.count } }

    /// Reads a request's head and the body its Content-Length announces, so that closing does not reset a
    /// connection with unread bytes (the client would then see a reset, not the answer).
    static func readRequest(_ connection: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let text = String(decoding: received, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let head = text[..<end.lowerBound].lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.count - text[..<end.upperBound].utf8.count >= length { return }
            }
            let read = recv(connection, &buffer, buffer.count, 0)
            guard read > 0 else { return }
            received += buffer[..<read]
        }
    }
}
