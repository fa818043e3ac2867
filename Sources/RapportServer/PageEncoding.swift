import HTTPTypes
import OpenAPIRuntime
import RapportSync

/// Writes pull and snapshot pages (`PullResponse` in Protocol/openapi.yaml) as JSON by hand.
///
/// A page of 5,000 operations is the server's largest answer and its most frequent one during a bootstrap;
/// encoding it through `Codable` and Foundation's JSONEncoder took about 60% of the server's time per page.
/// The handlers still parse and check every request through the generated code; they leave the page here,
/// answer with an empty one, and this middleware puts the page's bytes in its place. Schemathesis and the
/// clients' own (Foundation) decoder check that the two encodings agree.
struct PageEncodingMiddleware: ServerMiddleware {
    /// Where a handler leaves the page it wants encoded.
    final class Slot: @unchecked Sendable {
        var page: PullPage?
    }

    @TaskLocal static var slot: Slot?

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard operationID == "pull" || operationID == "snapshot" else { return try await next(request, body, metadata) }
        let slot = Slot()
        let (response, answer) = try await Self.$slot.withValue(slot) { try await next(request, body, metadata) }
        guard response.status == .ok, let page = slot.page else { return (response, answer) }
        let bytes = PageJSON.encode(page)
        var sized = response
        // The generated code sized the stand-in page; the length must be the real page's.
        sized.headerFields[HTTPField.Name.contentLength] = String(bytes.count)
        return (sized, HTTPBody(bytes))
    }

    /// Hands a page to the middleware when one is listening; false when the handler must encode it itself
    /// (an API registered without this middleware).
    static func take(_ page: PullPage) -> Bool {
        guard let slot else { return false }
        slot.page = page
        return true
    }
}

/// The JSON of a `PullResponse`, written straight into bytes.
enum PageJSON {
    static func encode(_ page: PullPage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + page.entries.count * 260)
        out.append(contentsOf: #"{"entries":["#.utf8)
        for (i, entry) in page.entries.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            switch entry {
            case .operation(let seq, let op):
                out.append(contentsOf: #"{"seq":"#.utf8)
                number(seq, into: &out)
                out.append(contentsOf: #","operation":"#.utf8)
                operation(op, into: &out)
                out.append(UInt8(ascii: "}"))
            case .conflict(let seq, let record):
                out.append(contentsOf: #"{"seq":"#.utf8)
                number(seq, into: &out)
                out.append(contentsOf: #","conflict":{"id":"#.utf8)
                string(record.id, into: &out)
                member("entity", record.key.entity, into: &out)
                member("row", record.key.row, into: &out)
                member("field", record.key.field, into: &out)
                out.append(contentsOf: #","versions":["#.utf8)
                for (j, version) in record.versions.enumerated() {
                    if j > 0 { out.append(UInt8(ascii: ",")) }
                    string(version.description, into: &out)
                }
                out.append(UInt8(ascii: "]"))
                if let base = record.base { member("base", base.description, into: &out) }
                out.append(contentsOf: (record.open ? #","open":true}}"# : #","open":false}}"#).utf8)
            }
        }
        out.append(contentsOf: #"],"next":"#.utf8)
        number(page.next, into: &out)
        out.append(contentsOf: (page.more ? #","more":true}"# : #","more":false}"#).utf8)
        return out
    }

    static func operation(_ op: Operation, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        string(op.id.description, into: &out)
        member("author", op.author, into: &out)
        member("entity", op.entity, into: &out)
        member("row", op.row, into: &out)
        member("field", op.field, into: &out)
        switch op.value {
        case .null: break
        case .int(let v):
            out.append(contentsOf: #","value":{"int":"#.utf8)
            number(v, into: &out)
            out.append(UInt8(ascii: "}"))
        case .real(let v):
            out.append(contentsOf: #","value":{"real":"#.utf8)
            // Reals are finite (the schema refuses others); Swift's shortest round-trip form is valid JSON.
            out.append(contentsOf: v.description.utf8)
            out.append(UInt8(ascii: "}"))
        case .text(let v):
            out.append(contentsOf: #","value":{"text":"#.utf8)
            string(v, into: &out)
            out.append(UInt8(ascii: "}"))
        case .bool(let v):
            out.append(contentsOf: (v ? #","value":{"bool":true}"# : #","value":{"bool":false}"#).utf8)
        }
        out.append(contentsOf: #","time":{"ms":"#.utf8)
        number(op.time.ms, into: &out)
        out.append(contentsOf: #","logical":"#.utf8)
        number(Int64(op.time.logical), into: &out)
        out.append(UInt8(ascii: "}"))
        if let base = op.base { member("base", base.description, into: &out) }
        if !op.supersedes.isEmpty {
            out.append(contentsOf: #","supersedes":["#.utf8)
            for (i, id) in op.supersedes.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                string(id.description, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        if op.resolution { out.append(contentsOf: #","resolution":true"#.utf8) }
        out.append(UInt8(ascii: "}"))
    }

    static func member(_ name: String, _ value: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        string(name, into: &out)
        out.append(UInt8(ascii: ":"))
        string(value, into: &out)
    }

    static func number(_ value: Int64, into out: inout [UInt8]) {
        out.append(contentsOf: String(value).utf8)
    }

    static let hex = Array("0123456789abcdef".utf8)

    /// A JSON string: quotes, backslashes and control characters escaped, everything else as UTF-8.
    static func string(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Runs of bytes that need no escaping (nearly all of them) are copied whole.
            var start = 0
            for (i, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                escape(byte, into: &out)
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    static func escape(_ byte: UInt8, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
        default:
            out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        }
    }
}
