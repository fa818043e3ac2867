import Foundation
import HTTPTypes
import OpenAPIRuntime
import RapportAPI
@testable import RapportClient
@testable import RapportServer
import RapportSync
import RapportTestSupport
import Testing

/// A push batch does not end inside a change stamped as one: the rest of it goes in the next batch whole.
@Test func aPushBatchEndsWithAWholeChange() {
    func op(_ counter: Int64, _ logical: Int, replica: String = "alice") -> Operation {
        Operation(id: OperationID(replica: replica, counter: counter), author: "alice", entity: "risk_flag", row: "f", field: "status",
                  value: .text("open"), time: Timestamp(ms: 1_000, logical: logical))
    }
    let ops = [op(1, 0), op(2, 1), op(3, 1), op(4, 2)]
    #expect(SyncClient.endingWhole(Array(ops.prefix(2)), before: ops.dropFirst(2)).map(\.id.counter) == [1])
    #expect(SyncClient.endingWhole(Array(ops.prefix(3)), before: ops.dropFirst(3)).map(\.id.counter) == [1, 2, 3])
    // A batch of the change alone takes the rest of it; another replica's operation next is no part of it.
    #expect(SyncClient.endingWhole([ops[1]], before: ops.dropFirst(2)).map(\.id.counter) == [2, 3])
    #expect(SyncClient.endingWhole(Array(ops.prefix(2)), before: [op(5, 1, replica: "bob")][...]).map(\.id.counter) == [1, 2])
}

/// Pull and snapshot pages are written by hand (`PageJSON`); they must decode, with Foundation's decoder
/// through the generated types, to exactly what the generated encoder would have sent.
@Suite struct PageEncodingTests {
    static let awkward: [String] = [
        "", "plain", "quote \" and backslash \\", "line\nbreak\r\ttab", "\u{1}\u{1f}\u{7f}", "ünïcødé 🎉 𝄞", "\u{2028}\u{2029}",
        "'; DROP TABLE log; --", "{\"json\": [1,2]}",
    ]

    @Test(arguments: 0..<20)
    func handWrittenPagesDecodeToWhatTheGeneratedEncoderSends(seed: UInt64) throws {
        var rng = SplitMix(state: seed)
        var entries: [LogEntry] = []
        for seq in 1...Int64(40) {
            let id = OperationID(replica: "rep\(rng.next() % 9 + 1)", counter: Int64(rng.next() % 1_000_000 + 1))
            if rng.next() % 6 == 0 {
                let record = ConflictRecord(
                    id: String(rng.next(), radix: 16), key: FieldKey(entity: "note", row: Self.awkward[Int(rng.next() % 9)], field: "body"),
                    versions: [id, OperationID(replica: "zz99", counter: 3)], base: rng.next() % 2 == 0 ? nil : id, open: rng.next() % 2 == 0)
                entries.append(.conflict(seq: seq, record))
                continue
            }
            let values: [FieldValue] = [
                .null, .int(Int64.min), .int(Int64.max), .int(0), .real(1234.5), .real(-0.0), .real(1e-7), .real(1e300), .real(0.1),
                .bool(true), .bool(false), .text(Self.awkward[Int(rng.next() % UInt64(Self.awkward.count))]),
            ]
            let text = rng.next() % 3 == 0
            entries.append(.operation(seq: seq, Operation(
                id: id, author: Self.awkward[Int(rng.next() % 9)], entity: "account", row: "r\(seq)", field: "name",
                value: values[Int(rng.next() % UInt64(values.count))], time: Timestamp(ms: Int64(rng.next() % 2_000_000_000_000), logical: Int(rng.next() % 65_536)),
                base: text ? OperationID(replica: "base1", counter: 1) : nil,
                supersedes: text && rng.next() % 2 == 0 ? [OperationID(replica: "sup1", counter: 2), OperationID(replica: "sup2", counter: 9)] : [],
                resolution: text && rng.next() % 2 == 0)))
        }
        let page = PullPage(entries: entries, next: 40, more: rng.next() % 2 == 0)
        let generated = Wire.PullResponse(entries: page.entries.map(Wire.LogEntry.init), next: page.next, more: page.more)
        let decoded = try JSONDecoder().decode(Wire.PullResponse.self, from: Data(PageJSON.encode(page)))
        #expect(decoded == generated)
    }
}

/// Clients read pages with `PageReader` rather than Foundation's decoder; it must read whatever valid JSON of
/// the page's shape a server sends, exactly as the generated decoder would, and refuse anything else.
@Suite struct PageReaderTests {
    static func page(seed: UInt64) -> PullPage {
        var rng = SplitMix(state: seed)
        var entries: [LogEntry] = []
        for seq in 1...Int64(30) {
            let id = OperationID(replica: "rep\(rng.next() % 9 + 1)", counter: Int64(rng.next() % 1_000_000 + 1))
            let awkward = PageEncodingTests.awkward
            if rng.next() % 6 == 0 {
                entries.append(.conflict(seq: seq, ConflictRecord(
                    id: String(rng.next(), radix: 16), key: FieldKey(entity: "note", row: awkward[Int(rng.next() % 9)], field: "body"),
                    versions: [id, OperationID(replica: "zz99", counter: 3)], base: rng.next() % 2 == 0 ? nil : id, open: rng.next() % 2 == 0)))
                continue
            }
            let values: [FieldValue] = [
                .null, .int(Int64.min), .int(Int64.max), .int(0), .real(1234.5), .real(-0.0), .real(1e-7), .real(1e300), .real(0.1),
                .bool(true), .bool(false), .text(awkward[Int(rng.next() % UInt64(awkward.count))]),
            ]
            let text = rng.next() % 3 == 0
            entries.append(.operation(seq: seq, Operation(
                id: id, author: awkward[Int(rng.next() % 9)], entity: "account", row: "r\(seq)", field: "name",
                value: values[Int(rng.next() % UInt64(values.count))], time: Timestamp(ms: Int64(rng.next() % 2_000_000_000_000), logical: Int(rng.next() % 65_536)),
                base: text ? OperationID(replica: "base1", counter: 1) : nil,
                supersedes: text && rng.next() % 2 == 0 ? [OperationID(replica: "sup1", counter: 2)] : [],
                resolution: text && rng.next() % 2 == 0)))
        }
        return PullPage(entries: entries, next: 30, more: rng.next() % 2 == 0)
    }

    @Test(arguments: 0..<20)
    func readsWhatEitherEncoderWrites(seed: UInt64) throws {
        let page = Self.page(seed: seed)
        let generated = Wire.PullResponse(entries: page.entries.map(Wire.LogEntry.init), next: page.next, more: page.more)
        #expect(try PageReader.read(PageJSON.encode(page)) == generated)
        // Foundation escapes '/' and non-ASCII differently, pretty-prints with whitespace and orders keys its
        // own way: all of it valid JSON that a server may send.
        for formatting: JSONEncoder.OutputFormatting in [[], [.prettyPrinted], [.sortedKeys, .withoutEscapingSlashes]] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = formatting
            #expect(try PageReader.read(Array(encoder.encode(generated))) == generated)
        }
    }

    @Test func readsEscapesNullsAndUnknownMembers() throws {
        let json = #"""
            { "future": {"a": [1, 2.5e3, "x", null, true]}, "entries": [
              {"seq": 7, "operation": {"id": "abcd:1", "author": "\u00e9\ud834\udd1e\n\/\"", "entity": "account", "row": "r", "field": "name",
               "value": {"text": "caf\u00E9"}, "time": {"ms": 5, "logical": 0}, "base": null, "supersedes": null, "resolution": null, "extra": {}}},
              {"seq": 8, "operation": null, "conflict": null}
            ], "next": 8, "more": false }
            """#
        let page = try PageReader.read(Array(json.utf8))
        #expect(page.next == 8 && page.more == false && page.entries.count == 2)
        let op = try #require(page.entries[0].operation)
        #expect(op.author == "é𝄞\n/\"")
        #expect(op.value?.text == "café")
        #expect(op.base == nil && op.supersedes == nil && op.resolution == nil)
        #expect(page.entries[1].operation == nil && page.entries[1].conflict == nil)
    }

    @Test(arguments: [
        "", "{", "[]", #"{"entries": [], "next": 1}"#, #"{"entries": [], "next": 1, "more": false} x"#,
        #"{"entries": [{"seq": 1.5}], "next": 1, "more": false}"#, #"{"entries": [], "next": 99999999999999999999, "more": false}"#,
        #"{"entries": [], "next": 01, "more": false}"#, #"{"entries": [], "next": 1, "more": fals}"#,
        #"{"entries": [{"seq": 1, "operation": {"id": "a\u12"}}], "next": 1, "more": false}"#,
        #"{"entries": [{"seq": 1, "operation": {"id": "\ud800"}}], "next": 1, "more": false}"#,
        #"{"entries": [{"seq": 1, "operation": {"id": "abcd:1", "author": "a", "entity": "e", "row": "r", "field": "f", "time": {"ms": 1}}}], "next": 1, "more": false}"#,
        #"{"entries": [{"seq": 1, "operation": {"id": "abcd:1", "author": "a", "entity": "e", "row": "r", "field": "f", "value": {"blob": 1}, "time": {"ms": 1, "logical": 0}}}], "next": 1, "more": false}"#,
        #"{"entries": [{"seq": 1, "operation": {"id": "abcd:1", "author": "a", "entity": "e", "row": "r", "field": "f", "value": {"real": 1e999}, "time": {"ms": 1, "logical": 0}}}], "next": 1, "more": false}"#,
        #"{"entries": [], "next": 1, "more": false,}"#, #"{"entries": [1,], "next": 1, "more": false}"#,
    ])
    func refusesWhatIsNotAPage(json: String) {
        #expect(throws: WireFormatError.self) { try PageReader.read(Array(json.utf8)) }
    }

    @Test func refusesRawControlCharactersAndInvalidUTF8() {
        var bytes = Array(#"{"entries": [], "next": 1, "more": false, "x": "a"#.utf8)
        for bad: [UInt8] in [[0x0A], [0xFF], [0xC3], [0xED, 0xA0, 0x80]] {
            #expect(throws: WireFormatError.self) { try PageReader.read(bytes + bad + Array(#""}"#.utf8)) }
        }
        bytes = Array(#"{"entries": [], "next": 1, "more": false, "x": "ok"}"#.utf8)
        #expect(throws: Never.self) { try PageReader.read(bytes) }
    }
}

/// The client middleware that hands pages to `PageReader`, driven directly with canned responses.
@Suite struct PageDecodingMiddlewareTests {
    static func answer(_ text: String, limit: Int = 1 << 30) async throws -> (slot: PageDecodingMiddleware.Slot, standIn: String) {
        let slot = PageDecodingMiddleware.Slot()
        let middleware = PageDecodingMiddleware(maxPageBytes: limit)
        let (_, body) = try await PageDecodingMiddleware.$slot.withValue(slot) {
            try await middleware.intercept(
                HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1", path: "/v1/pull"), body: nil,
                baseURL: URL(string: "http://127.0.0.1")!, operationID: "pull"
            ) { _, _, _ in (HTTPResponse(status: .ok), HTTPBody(text)) }
        }
        return (slot, try await String(collecting: body!, upTo: 1 << 20))
    }

    @Test func aPageLandsInTheSlotAndTheGeneratedCodeGetsAStandInWithItsCursor() async throws {
        let (slot, standIn) = try await Self.answer(#"{"entries": [{"seq": 4}], "next": 4, "more": true}"#)
        #expect(slot.page?.entries.count == 1 && slot.failure == nil)
        #expect(standIn == #"{"entries":[],"next":4,"more":true}"#)
        let decoded = try JSONDecoder().decode(Wire.PullResponse.self, from: Data(standIn.utf8))
        #expect(try slot.page(decoded: decoded).entries.count == 1)
    }

    @Test func aBrokenOrOversizedPageIsReportedAsSuch() async throws {
        for (text, limit) in [(#"{"entries": [}"#, 1 << 30), (#"{"entries": [], "next": 0, "more": false}"#, 10)] {
            let (slot, standIn) = try await Self.answer(text, limit: limit)
            let decoded = try JSONDecoder().decode(Wire.PullResponse.self, from: Data(standIn.utf8))
            #expect(throws: SyncError.self) { try slot.page(decoded: decoded) }
        }
        #expect(try await Self.answer("{}", limit: 1).slot.failure?.description.contains("larger than") == true)
    }
}
