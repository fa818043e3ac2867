import Foundation
import RapportSync
import Testing

@Suite("Operation ids")
struct OperationIDTests {
    @Test("Valid ids parse into replica and counter and print back the same", arguments: [
        ("annalaptop:1", "annalaptop", 1),
        ("a1b2:42", "a1b2", 42),
        ("k7f2m9xq1a4b8c3d:9223372036854775807", "k7f2m9xq1a4b8c3d", Int64.max),
        (String(repeating: "z", count: 32) + ":3", String(repeating: "z", count: 32), 3),
    ] as [(String, String, Int64)])
    func validIDsParse(text: String, replica: String, counter: Int64) throws {
        let id = try #require(OperationID(text))
        #expect(id.replica == replica)
        #expect(id.counter == counter)
        #expect(id.description == text)
    }

    @Test("Malformed ids are rejected", arguments: [
        "", "annalaptop", "annalaptop:", ":1", "annalaptop:0", "annalaptop:-3", "abc:1", "AnnaLaptop:1",
        "anna-laptop:1", "anna laptop:1", "anna:1:2", String(repeating: "z", count: 33) + ":1", "anna:1.5",
        "anna: 1", "anna:99999999999999999999", "anna:x",
    ])
    func malformedIDsAreRejected(text: String) {
        #expect(OperationID(text) == nil)
    }

    @Test("Only the canonical decimal form of a counter is accepted", arguments: [
        "anna:+5", "anna:05", "anna:007", "anna:00", "anna:+0", "anna:-0", "anna:1_000", "anna:1e3", "anna:0x1f", "anna:5 ",
        "anna:\u{0665}",
    ])
    func nonCanonicalCountersAreRejected(text: String) {
        #expect(OperationID(text) == nil)
    }

    @Test("A non-canonical id in JSON fails to decode", arguments: [#""anna:+5""#, #""anna:007""#])
    func nonCanonicalIDFailsToDecode(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(OperationID.self, from: Data(json.utf8)) }
    }

    @Test("Decoding a malformed id from JSON fails")
    func malformedIDFailsToDecode() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(OperationID.self, from: Data(#""annalaptop""#.utf8))
        }
    }

    @Test("Ids order by replica id, then by counter as a number")
    func idsOrderByReplicaThenCounter() throws {
        let nine = try #require(OperationID("anna:9"))
        let ten = try #require(OperationID("anna:10"))
        let prefixed = try #require(OperationID("anna2:1"))
        #expect(nine < ten)
        #expect(ten < prefixed)
        #expect([prefixed, ten, nine].sorted() == [nine, ten, prefixed])
    }

    @Test("Replica ids are 4 to 32 lowercase letters and digits")
    func replicaIDs() {
        #expect(ReplicaID.isValid("ben0"))
        #expect(!ReplicaID.isValid("ben"))
        #expect(!ReplicaID.isValid("Ben0"))
        #expect(!ReplicaID.isValid("bén0"))
        var rng = SplitMix64(seed: 1)
        for _ in 0..<100 { #expect(ReplicaID.isValid(ReplicaID.random(using: &rng))) }
    }
}
