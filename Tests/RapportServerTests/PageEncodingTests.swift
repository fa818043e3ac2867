import Foundation
import RapportAPI
@testable import RapportServer
import RapportSync
import RapportTestSupport
import Testing

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
