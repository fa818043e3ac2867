import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import RapportAPI

/// Turns every refusal into a JSON body `{"code", "message"}` with its status; anything unexpected becomes a
/// logged 500 that reveals no internals.
struct ErrorMiddleware: ServerMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch {
            let refusal = Self.refusal(for: error)
            if refusal.status >= 500 {
                logger.error("\(operationID) failed", metadata: ["error": "\(error)"])
            } else {
                logger.info("\(operationID) refused", metadata: ["code": "\(refusal.code)", "message": "\(refusal.description)"])
            }
            return Self.response(refusal)
        }
    }

    static func refusal(for error: any Error) -> SyncServerError {
        var underlying: any Error = error
        while let server = underlying as? ServerError {
            if let refusal = server.underlyingError as? SyncServerError { return refusal }
            if (400..<500).contains(server.httpStatus.code) {
                return .badRequest(describe(server.underlyingError))
            }
            underlying = server.underlyingError
        }
        if let refusal = underlying as? SyncServerError { return refusal }
        if underlying is DecodingError { return .badRequest(describe(underlying)) }
        return .unavailable("internal error")
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
        var payload = Wire._Error(code: refusal.code, message: refusal.description)
        if case .clockAhead(_, _, let serverTime) = refusal { payload.serverTime = serverTime }
        let data = (try? JSONEncoder().encode(payload)) ?? Data()
        var response = HTTPResponse(status: .init(code: refusal.status))
        response.headerFields[.contentType] = "application/json; charset=utf-8"
        if refusal.status == 401 { response.headerFields[.wwwAuthenticate] = "Bearer" }
        return (response, HTTPBody(data))
    }
}

/// Reads at most `maxBytes` of a request body, however it is sent (with a length or chunked), so a huge
/// body costs the server no more than the limit.
struct BodyLimitMiddleware: ServerMiddleware {
    let maxBytes: Int

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let body else { return try await next(request, nil, metadata) }
        if let length = request.headerFields[.contentLength].flatMap(Int.init), length > maxBytes {
            throw SyncServerError.bodyTooLarge(max: maxBytes)
        }
        let bytes: ArraySlice<UInt8>
        do {
            bytes = try await ArraySlice(collecting: body, upTo: maxBytes)
        } catch {
            throw SyncServerError.bodyTooLarge(max: maxBytes)
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw SyncServerError.badRequest("the body is not valid UTF-8")
        }
        return try await next(request, HTTPBody(bytes), metadata)
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
        guard let user = try await storage.user(forTokenHash: Tokens.hash(String(parts[1]))) else {
            throw SyncServerError.unauthorized("unknown or revoked token")
        }
        return try await Caller.$user.withValue(user) {
            try await next(request, body, metadata)
        }
    }
}
