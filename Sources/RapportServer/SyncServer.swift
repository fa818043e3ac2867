import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
import RapportSync
import ServiceLifecycle

/// The team's sync server: Hummingbird serving the generated API over a `SyncStorage`.
public enum SyncServer {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var limits = ServerLimits()
        /// Serve HTTPS with this configuration (`ServerTLS.configuration`), else plain HTTP.
        public var tls: TLSConfiguration?
        public var schema = Schema.rapport
        /// How long a connection may send nothing before the server closes it.
        public var idleTimeout: TimeAmount = .seconds(60)
        public var now: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
        /// The database as the admin commands take it (`--db /srv/team.sqlite`), for the log's advice on a damaged
        /// file: a client's refusal says `--db FILE`, which names nothing of the server's to its admin.
        public var adminDatabaseOption = "--db FILE"

        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }
    }

    static func application(
        storage: any SyncStorage, configuration: Configuration, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void
    ) throws -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: LogRequestsMiddleware(.debug))
        let transport = RecordingTransport(router)
        try registerAPI(on: transport, storage: storage, configuration: configuration, logger: logger)
        router.add(middleware: UnroutedRequestMiddleware(routes: transport.table))
        // A connection that sends nothing for a minute is closed, whatever it is waiting for: an idle keep-alive,
        // or a request whose head or body stalled. Without it, anyone who could reach the port could hold
        // sockets open until the server had none left to answer the team with.
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: configuration.idleTimeout))
        let server: HTTPServerBuilder = if let tls = configuration.tls { try .tls(http1, tlsConfiguration: tls) } else { http1 }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "rapport"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Registers the API's handlers, with their middleware, on any transport: Hummingbird's router for a
    /// real server, or an in-memory transport for deterministic simulation.
    public static func registerAPI(on transport: any ServerTransport, storage: any SyncStorage, configuration: Configuration, logger: Logger) throws {
        let damage = DamageWatch()
        let api = SyncAPI(storage: storage, limits: configuration.limits, schema: configuration.schema, now: configuration.now, logger: logger)
        // Compact JSON: pretty-printing and sorted keys (the generator's default) cost a pull page a third of
        // its size and much of its encoding time, and no client reads the whitespace.
        try api.registerHandlers(on: transport, configuration: OpenAPIRuntime.Configuration(jsonEncodingOptions: []), middlewares: [
            ErrorMiddleware(logger: logger, damage: damage, databaseOption: configuration.adminDatabaseOption),
            DisregardAcceptMiddleware(),
            BodyLimitMiddleware(maxBytes: configuration.limits.maxBodyBytes),
            AuthenticationMiddleware(storage: storage),
            PageEncodingMiddleware(),
        ])
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight and returns. A push still
    /// running when the process is killed outright is one uncommitted transaction: nothing half-written.
    public static func run(storage: any SyncStorage, configuration: Configuration, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = try application(storage: storage, configuration: configuration, logger: logger, onRunning: onRunning)
        do {
            try await app.runService()
        } catch {
            try? await storage.close()
            throw ListenError(error, configuration: configuration) ?? error
        }
        try await storage.close()
    }

    /// Starts a server in the background (for the demo and tests) and returns once it listens.
    public static func start(storage: any SyncStorage, configuration: Configuration, logger: Logger) async throws -> RunningServer {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try application(storage: storage, configuration: configuration, logger: logger) { port in
            continuation.yield(port)
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            // A server that cannot listen ends without a port: the wait below must end too.
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            do { try await task.value } catch { throw ListenError(error, configuration: configuration) ?? error }
            throw CancellationError()
        }
        return RunningServer(port: port, scheme: configuration.tls == nil ? "http" : "https", group: group, task: task, storage: storage)
    }
}

/// Why the server could not listen, said with what to do about it (NIO says "bind(descriptor:ptr:bytes:):
/// Address already in use) (errno: 98)").
public struct ListenError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let errno: CInt

    init?(_ error: any Error, configuration: SyncServer.Configuration) {
        host = configuration.host
        port = configuration.port
        // A --host that is no address and no name that resolves ("999.1.1.1", a typo) never reaches bind.
        if error is SocketAddressError || error is SocketAddressError.UnknownHost {
            errno = 0
            return
        }
        guard let error = error as? IOError, [EADDRINUSE, EADDRNOTAVAIL, EACCES].contains(error.errnoCode) else { return nil }
        errno = error.errnoCode
    }

    public var description: String {
        switch errno {
        case 0:
            "cannot listen on '\(host)': it is neither an address nor a host name that resolves; give one of this machine's addresses with --host (127.0.0.1 for this machine only, 0.0.0.0 for all)"
        case EADDRINUSE:
            "cannot listen on \(host):\(port): another process (another `rapport serve`?) already listens there; stop it, or give another --port"
        case EADDRNOTAVAIL:
            "cannot listen on \(host): it is not an address of this machine; give one of its addresses with --host (127.0.0.1 for this machine only, 0.0.0.0 for all)"
        default:
            "cannot listen on \(host):\(port): not permitted (ports below 1024 need privileges); give a port from 1024 up with --port"
        }
    }
}

/// A server started with `SyncServer.start`.
public final class RunningServer: Sendable {
    public let port: Int
    let group: ServiceGroup
    let task: Task<Void, any Error>
    public let storage: any SyncStorage

    /// "https" when the server was started with TLS.
    public let scheme: String

    init(port: Int, scheme: String, group: ServiceGroup, task: Task<Void, any Error>, storage: any SyncStorage) {
        self.port = port
        self.scheme = scheme
        self.group = group
        self.task = task
        self.storage = storage
    }

    public var url: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Stops accepting requests, lets those in flight finish, and waits for the server to end.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}
