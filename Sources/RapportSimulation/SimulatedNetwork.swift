import Foundation
import HTTPTypes
import OpenAPIRuntime
import RapportTestSupport

/// The network between the replicas and the server, in memory and under the simulator's control.
///
/// The server side is an OpenAPIRuntime `ServerTransport`: `SyncServer.registerAPI` registers the real
/// generated handlers and middleware on it, as it would on Hummingbird's router. Each replica talks through
/// its own `Endpoint`, a `ClientTransport` that hands the request straight to the registered handler. No
/// sockets, no tasks: a request runs to completion inside the `await` of the sync that sent it, so the order
/// of everything is the order the seed chose.
///
/// Faults are decided per request from the network's seeded stream: a request can be dropped before the
/// server sees it, or run and its response lost (so the server committed work the client never hears of).
/// Partitioned replicas cannot reach the server at all. Every fault is thrown from the transport, which the
/// generated client wraps as it wraps a real connection error, so `SyncClient` takes the same
/// `SyncError.unreachable` path a real network failure takes.
final class SimulatedNetwork: ServerTransport, Sendable {
    typealias Handler = @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)

    struct Route: Hashable {
        var method: HTTPRequest.Method
        var path: String
    }

    /// Where, in the coming sync, someone crashes: on its `request`-th request (from 1), before the server
    /// sees it or after the server answered it.
    struct CrashPoint: Sendable, Equatable, CustomStringConvertible {
        enum Who: Sendable, Equatable { case replica, server }
        var who: Who
        var request: Int
        var afterServerHandled: Bool

        var description: String {
            "\(who == .replica ? "replica" : "server") crashes at request \(request) \(afterServerHandled ? "after the server handled it" : "before the server saw it")"
        }
    }

    /// What the network did to one sync's requests.
    struct SyncFaults: Sendable, Equatable {
        var requests = 0
        var dropped = 0
        var lost = 0
        var partitioned = 0
        var crashed: CrashPoint.Who?
        /// Errors the server's handlers threw past their own error middleware: always a bug.
        var serverErrors: [String] = []

        var any: Bool { dropped + lost + partitioned > 0 || crashed != nil }
    }

    /// A deliberate defect, for the tests that prove the invariants can fail.
    enum Sabotage: Sendable, Equatable {
        /// Answers pushes with an empty success without delivering them: acknowledged, never stored.
        case acknowledgePushesWithoutStoring
    }

    private struct State {
        var handlers: [Route: Handler] = [:]
        var rng: SplitMix
        var dropRate = 0.0
        var loseRate = 0.0
        var partitioned: Set<Int> = []
        var crash: CrashPoint?
        var faults = SyncFaults()
        var sabotage: Sabotage?
    }

    private let state: Locked<State>

    init(rng: SplitMix) {
        state = Locked(State(rng: rng))
    }

    func register(_ handler: @escaping Handler, method: HTTPRequest.Method, path: String) throws {
        state.withLock { $0.handlers[Route(method: method, path: path)] = handler }
    }

    /// Forgets the registered handlers, as a crashed server process forgets its routes.
    func unregisterAll() {
        state.withLock { $0.handlers = [:] }
    }

    func setFaultRates(drop: Double, lose: Double) {
        state.withLock {
            $0.dropRate = drop
            $0.loseRate = lose
        }
    }

    func setPartition(_ replicas: Set<Int>) {
        state.withLock { $0.partitioned = replicas }
    }

    var partitioned: Set<Int> { state.withLock { $0.partitioned } }

    func sabotage(_ sabotage: Sabotage?) {
        state.withLock { $0.sabotage = sabotage }
    }

    /// Starts counting a new sync's requests, with an optional crash point in it.
    func beginSync(crash: CrashPoint?) {
        state.withLock {
            $0.crash = crash
            $0.faults = SyncFaults()
        }
    }

    /// What happened to the requests since `beginSync`.
    func endSync() -> SyncFaults {
        state.withLock {
            $0.crash = nil
            return $0.faults
        }
    }

    func endpoint(replica: Int) -> Endpoint {
        Endpoint(network: self, replica: replica)
    }

    /// One replica's side of the network.
    struct Endpoint: ClientTransport {
        let network: SimulatedNetwork
        let replica: Int

        func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
            try await network.deliver(request, body: body, baseURL: baseURL, operationID: operationID, from: replica)
        }
    }

    private enum Fate {
        case refuse(NetworkFault)
        case deliver(thenFail: NetworkFault?)
        case fakeSuccess
    }

    func deliver(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String, from replica: Int) async throws -> (HTTPResponse, HTTPBody?) {
        let route = Route(method: request.method, path: Self.pathOnly(request.path ?? "", baseURL: baseURL))
        let (fate, handler) = state.withLock { s -> (Fate, Handler?) in
            s.faults.requests += 1
            let handler = s.handlers[route]
            // A crashed party sends and answers nothing more in this sync.
            if s.faults.crashed != nil { return (.refuse(.down), handler) }
            if s.partitioned.contains(replica) {
                s.faults.partitioned += 1
                return (.refuse(.partitioned), handler)
            }
            if let crash = s.crash, crash.request == s.faults.requests {
                s.faults.crashed = crash.who
                return crash.afterServerHandled ? (.deliver(thenFail: .crashed), handler) : (.refuse(.crashed), handler)
            }
            if s.sabotage == .acknowledgePushesWithoutStoring, operationID == "push" { return (.fakeSuccess, handler) }
            if Double.random(in: 0..<1, using: &s.rng) < s.dropRate {
                s.faults.dropped += 1
                return (.refuse(.dropped), handler)
            }
            if Double.random(in: 0..<1, using: &s.rng) < s.loseRate {
                s.faults.lost += 1
                return (.deliver(thenFail: .responseLost), handler)
            }
            return (.deliver(thenFail: nil), handler)
        }
        switch fate {
        case .refuse(let fault):
            throw fault
        case .fakeSuccess:
            var response = HTTPResponse(status: .ok)
            response.headerFields[.contentType] = "application/json"
            return (response, HTTPBody(#"{"accepted":0,"duplicates":0,"head":0}"#))
        case .deliver(let thenFail):
            guard let handler else { throw NetworkFault.noRoute("\(route.method) \(route.path)") }
            let answer: (HTTPResponse, HTTPBody?)
            do {
                answer = try await handler(request, body, ServerRequestMetadata())
            } catch {
                // The error middleware answers every refusal; anything that escapes it is a server bug.
                state.withLock { $0.faults.serverErrors.append("\(operationID): \(error)") }
                throw error
            }
            if let thenFail { throw thenFail }
            return answer
        }
    }

    /// The route a request takes: its path without the query, under the base URL's path.
    static func pathOnly(_ path: String, baseURL: URL) -> String {
        let bare = String(path.prefix { $0 != "?" && $0 != "#" })
        let prefix = baseURL.path == "/" ? "" : baseURL.path
        return prefix + bare
    }
}

/// Why a simulated request failed.
enum NetworkFault: Error, CustomStringConvertible {
    case dropped
    case responseLost
    case partitioned
    case crashed
    case down
    case noRoute(String)

    var description: String {
        switch self {
        case .dropped: "request dropped"
        case .responseLost: "response lost"
        case .partitioned: "partitioned from the server"
        case .crashed: "crashed"
        case .down: "down after a crash"
        case .noRoute(let route): "no handler for \(route)"
        }
    }
}
