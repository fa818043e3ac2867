import HTTPTypes
import Hummingbird
import OpenAPIRuntime

/// The API's paths and the methods each answers, as the generated code registers them.
struct RouteTable: Sendable {
    struct Route: Sendable {
        /// The path's segments; an OpenAPI template segment (`{id}`) is nil and matches any segment.
        var segments: [Substring?]
        var methods: [HTTPRequest.Method]
    }

    var routes: [Route] = []

    mutating func add(method: HTTPRequest.Method, path: String) {
        let segments = Self.segments(path).map { $0.hasPrefix("{") ? nil : $0 }
        if let i = routes.firstIndex(where: { $0.segments == segments }) {
            routes[i].methods.append(method)
        } else {
            routes.append(Route(segments: segments, methods: [method]))
        }
    }

    /// The methods the API answers at `path`, or nil when no endpoint has that path.
    func methods(at path: String) -> [HTTPRequest.Method]? {
        let request = Self.segments(path)
        return routes.first { route in
            route.segments.count == request.count && zip(route.segments, request).allSatisfy { $0 == nil || $0 == $1 }
        }?.methods
    }

    /// Split as Hummingbird's router does: empty segments (a doubled or trailing slash) do not count.
    static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}

/// Forwards the generated code's registrations to a transport and records them in a `RouteTable`.
final class RecordingTransport: ServerTransport {
    let base: any ServerTransport
    private(set) var table = RouteTable()

    init(_ base: any ServerTransport) { self.base = base }

    func register(
        _ handler: @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method, path: String
    ) throws {
        try base.register(handler, method: method, path: path)
        table.add(method: method, path: path)
    }
}

/// Answers requests that match no endpoint like every other refusal, with a JSON error body: 404 for an unknown
/// path, 405 with `Allow` for a known path and another method. Hummingbird's own answer is an empty 404 for both,
/// which a client (or Schemathesis checking responses against Protocol/openapi.yaml) cannot tell apart.
struct UnroutedRequestMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            let refusal: SyncServerError = if let methods = routes.methods(at: path) {
                .methodNotAllowed(path: path, method: request.method.rawValue, allowed: methods.map(\.rawValue))
            } else {
                .notFound(path: path)
            }
            let (head, body) = ErrorMiddleware.encode(refusal)
            return Response(status: head.status, headers: head.headerFields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
