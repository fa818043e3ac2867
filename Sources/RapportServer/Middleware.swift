import Foundation
import GRDB
import HTTPTypes
import Logging
import OpenAPIRuntime
import RapportAPI

/// The first sign, met by any request, that the server's database file is damaged, kept while the server runs:
/// the health check's `SELECT 1` reads no page of the log, so `/v1/health` answered 200 to a load balancer while
/// every sync got 503 "damaged" (QA), and a push whose pages were whole was stored into it. From then on every
/// request is refused so (`ErrorMiddleware`). A damaged file does not mend itself; its admin stops the server to
/// restore it.
final class DamageWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: String?

    /// What SQLite said of the damage, once a request met it.
    var found: String? { lock.withLock { reason } }

    func note(_ refusal: SyncServerError) {
        guard case .databaseDamaged(let why) = refusal else { return }
        lock.withLock { if reason == nil { reason = why } }
    }
}

/// Turns every refusal into a JSON body `{"code", "message"}` with its status; anything unexpected becomes a
/// logged 500 that reveals no internals.
struct ErrorMiddleware: ServerMiddleware {
    let logger: Logger
    let damage: DamageWatch
    /// How the admin commands name this server's database (`SyncServer.Configuration.adminDatabaseOption`).
    var databaseOption = "--db FILE"

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        // A file found damaged takes no more writes (a push stored into it was acknowledged; QA) and serves no more
        // reads: its admin restores it, as every refusal since says.
        if let found = damage.found { return Self.response(.databaseDamaged(found)) }
        do {
            return try await next(request, body, metadata)
        } catch {
            let refusal = Self.refusal(for: error, request: request)
            // (Noted once: the requests after it are refused above, without a critical line each.)
            damage.note(refusal)
            if refusal.needsTheAdmin {
                logger.critical("\(operationID) failed: \(refusal.description(databaseOption: databaseOption))")
            } else if case .moved = refusal {
                // A server left running on a file whose data moved: every sync of the team fails until it is
                // stopped, which its admin should hear of louder than a client's refusal.
                logger.warning("\(operationID) refused: \(refusal.description); stop this server and serve the database the data moved to")
            } else if refusal.status >= 500 {
                logger.error("\(operationID) failed", metadata: ["error": "\(Self.cause(of: error))"])
            } else {
                logger.info("\(operationID) refused", metadata: ["code": "\(refusal.code)", "message": "\(refusal.description)"])
            }
            return Self.response(refusal)
        }
    }

    /// What went wrong beneath the OpenAPI runtime's wrapping, for the log. A `ServerError` describes the whole
    /// request, headers included, and so would write the client's bearer token into the server's log.
    static func cause(of error: any Error) -> any Error {
        var underlying = error
        while let server = underlying as? ServerError { underlying = server.underlyingError }
        return underlying
    }

    static func refusal(for error: any Error, request: HTTPRequest) -> SyncServerError {
        var underlying: any Error = error
        while let server = underlying as? ServerError {
            if let refusal = server.underlyingError as? SyncServerError { return refusal }
            if (400..<500).contains(server.httpStatus.code) {
                return .badRequest(describe(server.underlyingError, request: request))
            }
            underlying = server.underlyingError
        }
        if let refusal = underlying as? SyncServerError { return refusal }
        if underlying is DecodingError { return .badRequest(describe(underlying, request: request)) }
        if let database = underlying as? DatabaseError, [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(database.resultCode) {
            return .databaseDamaged(database.message ?? "SQLite error \(database.resultCode.rawValue)")
        }
        return .unavailable("internal error")
    }

    /// A decoding error's message, naming the query when that is what failed to decode.
    static func describe(_ error: any Error, request: HTTPRequest) -> String {
        // A GET has no body to decode, so its decoding errors come from the query; the URI decoder's own message
        // ("Failed to convert to the requested type") names neither the parameter nor the value.
        if request.method == .get, error is DecodingError {
            let query = request.path?.split(separator: "?", maxSplits: 1).dropFirst().first ?? ""
            return "the query '\(query.prefix(200))' has a parameter missing, of the wrong type or out of range: see the endpoint's parameters in Protocol/openapi.yaml"
        }
        return describe(error)
    }

    /// A decoding error's message without Swift type names, which mean nothing to a client.
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return "the body is not valid JSON of the expected shape\(path(context.codingPath)): \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, let context):
            return "missing field '\(key.stringValue)'\(path(context.codingPath))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type\(path(context.codingPath)): \(context.debugDescription)"
        case let error as ServerError:
            return describe(error.underlyingError)
        default:
            return "\(error)"
        }
    }

    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.isEmpty ? "" : " at " + codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    static func response(_ refusal: SyncServerError) -> (HTTPResponse, HTTPBody?) {
        let (response, data) = encode(refusal)
        return (response, HTTPBody(data))
    }

    /// The status line, headers and JSON body of a refusal, for the API's middleware and Hummingbird's router alike.
    static func encode(_ refusal: SyncServerError) -> (HTTPResponse, Data) {
        var payload = Wire._Error(code: refusal.code, message: refusal.clientDescription)
        if case .clockAhead(_, _, let serverTime) = refusal { payload.serverTime = serverTime }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = (try? encoder.encode(payload)) ?? Data()
        var response = HTTPResponse(status: .init(code: refusal.status))
        response.headerFields[.contentType] = "application/json; charset=utf-8"
        if refusal.status == 401 { response.headerFields[.wwwAuthenticate] = "Bearer" }
        if case .methodNotAllowed(_, _, let allowed) = refusal { response.headerFields[.allow] = allowed.joined(separator: ", ") }
        return (response, data)
    }
}

/// Reads at most `maxBytes` of a request body, however it is sent (with a length or chunked), so a huge
/// body costs the server no more than the limit.
struct BodyLimitMiddleware: ServerMiddleware {
    let maxBytes: Int
    /// A body too large but at most this long is read to its end before the 413 goes out: answered while the
    /// client was still sending, the connection was closed under it, and the client saw a dropped connection
    /// instead of the 413 that tells it to send smaller batches. A longer one is not worth reading.
    var drainCap: Int { max(4 * maxBytes, 32 << 20) }

    /// Reads and drops a request body of `length` bytes, if it is no longer than `cap`.
    static func drain(_ body: HTTPBody, length: Int, cap: Int) async {
        guard length <= cap else { return }
        var read = 0
        do {
            for try await chunk in body {
                read += chunk.count
                if read >= length { return }
            }
        } catch {
            // The client went away: nothing left to answer.
        }
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        // A GET carries no body the API reads: pass none on, and Hummingbird discards whatever was sent.
        guard let body, request.method != .get, request.method != .head else { return try await next(request, nil, metadata) }
        if let length = request.headerFields[.contentLength].flatMap(Int.init), length > maxBytes {
            await Self.drain(body, length: length, cap: drainCap)
            throw SyncServerError.bodyTooLarge(max: maxBytes)
        }
        // Collected here, not by `ArraySlice(collecting:upTo:)`, whose errors do not tell a body too large from one
        // cut off (a client gone mid-request, a bad chunked encoding), which was then answered and logged as too large.
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                guard bytes.count + chunk.count <= maxBytes else { throw SyncServerError.bodyTooLarge(max: maxBytes) }
                bytes += chunk
            }
        } catch let error as SyncServerError {
            throw error
        } catch {
            let expected = request.headerFields[.contentLength].map { " of the \($0) its Content-Length gives" } ?? ""
            throw SyncServerError.badRequest("the request body was cut off before its end (\(bytes.count) bytes arrived\(expected)): send the whole body again")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw SyncServerError.badRequest("the body is not valid UTF-8")
        }
        return try await next(request, HTTPBody(bytes), metadata)
    }
}

/// Every response of the API is JSON, errors included. An Accept header that leaves JSON out is disregarded, as
/// RFC 9110 allows, rather than answered with a 406 that no endpoint documents and no client could act on.
struct DisregardAcceptMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.accept] = nil
        return try await next(request, body, metadata)
    }
}

/// Resolves the bearer token to a user for every endpoint but health.
struct AuthenticationMiddleware: ServerMiddleware {
    let storage: any SyncStorage

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        if operationID == "health" { return try await next(request, body, metadata) }
        guard let header = request.headerFields[.authorization] else {
            throw SyncServerError.unauthorized("no bearer token")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw SyncServerError.unauthorized("the Authorization header is not `Bearer <token>`")
        }
        let hash = Tokens.hash(String(parts[1]))
        guard let user = try await storage.user(forTokenHash: hash) else {
            // A revoked token is said to be one, with when: "unknown or revoked ... restored from a backup" sent
            // people who had only been revoked to ask about backups.
            if let revoked = try await storage.revokedMs(tokenHash: hash) {
                let day = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(revoked) / 1000))
                // Its user removed (`admin remove-user`): said so, since a laptop's owner asks for a new token
                // otherwise, which the admin does not mean to give. (Read only on this refusal.)
                if let directory = try? await storage.directory(), let user = directory.tokens.first(where: { $0.hash == hash })?.user, directory.isRemoved(user) {
                    throw SyncServerError.userRemoved(user: user, revokedOn: day, workspace: directory.users.first { $0.name == user }?.workspace ?? defaultWorkspace)
                }
                throw SyncServerError.unauthorized("this token was revoked on \(day)")
            }
            // Not only a restore: a fresh server (a mistyped --db made one) or another team's knows none of them.
            // (The error's description goes on to the admin and `rapport config --token`.)
            throw SyncServerError.unauthorized("unknown token: this server did not issue it (another server's token, or one mistyped), " +
                                               "or no longer knows it (a server restored from a backup knows only the tokens it had then); " +
                                               "check the server address (`rapport config`), and if it is right")
        }
        return try await Caller.$user.withValue(user) {
            try await next(request, body, metadata)
        }
    }
}
