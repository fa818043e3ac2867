import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import RapportTestSupport

/// A `rapport serve` process on a free loopback port.
extension ServerProcess {
    struct Page: Decodable {
        struct Entry: Decodable { var seq: Int64 }
        var entries: [Entry]
        var next: Int64
        var more: Bool
        var seqs: [Int64] { entries.map(\.seq) }
    }

    /// One page of the server log, over HTTP.
    func pull(after: Int64, token: String) async throws -> Page {
        var request = HTTPClientRequest(url: "\(url)/v1/pull?after=\(after)&limit=50")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await HTTPClient.shared.execute(request, timeout: TestServer.requestDeadline)
        let body = try await response.body.collect(upTo: 1 << 24)
        return try JSONDecoder().decode(Page.self, from: Data(buffer: body))
    }
}
