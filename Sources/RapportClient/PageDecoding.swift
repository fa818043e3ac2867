import Foundation
import HTTPTypes
import OpenAPIRuntime
import RapportAPI

/// Reads pull and snapshot pages with `PageReader` rather than the generated code's Foundation decoder,
/// which was the largest cost of a bootstrap (see `PageReader`).
///
/// The request still goes through the generated client, which checks the status and the content type; this
/// middleware takes the page's bytes, leaves what it read in the caller's slot, and hands the generated code
/// a stand-in with the same cursor and no entries.
struct PageDecodingMiddleware: ClientMiddleware {
    /// Where a caller finds the page that came back, or why it could not be read.
    final class Slot: @unchecked Sendable {
        var page: Wire.PullResponse?
        var failure: WireFormatError?

        /// The page this slot received, else the one the generated code decoded (a client without this
        /// middleware).
        func page(decoded: Wire.PullResponse) throws -> Wire.PullResponse {
            if let failure { throw SyncError.unexpectedResponse(failure.description) }
            return page ?? decoded
        }
    }

    @TaskLocal static var slot: Slot?

    /// Far beyond any page a server sends (5,000 operations are a few megabytes), so only a broken or hostile
    /// server meets it.
    var maxPageBytes = 1 << 30

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, answer) = try await next(request, body, baseURL)
        guard operationID == "pull" || operationID == "snapshot", response.status == .ok, let slot = Self.slot, let answer else {
            return (response, answer)
        }
        let standIn: [UInt8]
        do {
            // Collected here rather than with the runtime's `collecting(upTo:)`, so that an oversized page is
            // reported as such and a dropped connection still as one.
            var bytes: [UInt8] = []
            if case .known(let length) = answer.length { bytes.reserveCapacity(Int(min(length, Int64(maxPageBytes)))) }
            for try await chunk in answer {
                guard bytes.count + chunk.count <= maxPageBytes else {
                    throw WireFormatError("a page larger than \(maxPageBytes) bytes")
                }
                bytes += chunk
            }
            let page = try PageReader.read(bytes)
            slot.page = page
            standIn = Array(#"{"entries":[],"next":\#(page.next),"more":\#(page.more)}"#.utf8)
        } catch let error as WireFormatError {
            slot.failure = error
            standIn = Array(#"{"entries":[],"next":0,"more":false}"#.utf8)
        }
        var sized = response
        sized.headerFields[.contentLength] = String(standIn.count)
        return (sized, HTTPBody(standIn))
    }
}
