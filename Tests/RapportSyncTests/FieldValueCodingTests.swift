import Foundation
import RapportSync
import Testing

@Suite("Field values and operations on the wire")
struct FieldValueCodingTests {
    @Test("Every kind of value survives a JSON round trip", arguments: [
        FieldValue.null, .int(42), .int(-7), .int(.max), .real(1.5), .real(1_200_000), .real(-0.25),
        .text(""), .text("Grüße, \"quoted\"\n"), .bool(true), .bool(false),
    ])
    func valueRoundTrips(value: FieldValue) throws {
        let data = try JSONEncoder().encode([value])
        #expect(try JSONDecoder().decode([FieldValue].self, from: data) == [value])
    }

    @Test("A value is an object with exactly one of int, real, text, bool, or null", arguments: [
        (FieldValue.int(5), #"{"int":5}"#),
        (.real(2.5), #"{"real":2.5}"#),
        (.text("x"), #"{"text":"x"}"#),
        (.bool(false), #"{"bool":false}"#),
        (.null, "null"),
    ])
    func valueWireForm(value: FieldValue, json: String) throws {
        #expect(String(decoding: try JSONEncoder().encode(value), as: UTF8.self) == json)
        #expect(try JSONDecoder().decode(FieldValue.self, from: Data(json.utf8)) == value)
    }

    @Test("The key, not the JSON number, decides between int and real")
    func keyDecidesNumberType() throws {
        #expect(try JSONDecoder().decode(FieldValue.self, from: Data(#"{"real":5}"#.utf8)) == .real(5))
        #expect(try JSONDecoder().decode(FieldValue.self, from: Data(#"{"int":5}"#.utf8)) == .int(5))
        #expect(FieldValue.real(5) != .int(5))
    }

    @Test("Values with no kind, two kinds, or the wrong JSON type are rejected", arguments: [
        #"{"int":1,"text":"x"}"#, #"{"real":1.5,"bool":true}"#, "{}", #"{"int":1.5}"#, #"{"real":"5"}"#,
        #"{"text":5}"#, #"{"bool":"true"}"#, "5", #""text""#,
    ])
    func malformedValuesAreRejected(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FieldValue.self, from: Data(json.utf8)) }
    }

    @Test("An unknown key beside a known one is rejected")
    func unknownExtraKeyIsRejected() {
        for json in [#"{"int":1,"colour":2}"#, #"{"colour":2,"text":"x"}"#, #"{"bool":true,"null":null}"#, #"{"colour":2}"#] {
            #expect(throws: DecodingError.self, "\(json)") { try JSONDecoder().decode(FieldValue.self, from: Data(json.utf8)) }
        }
    }

    @Test("An operation whose value has an unknown key beside a known one is rejected")
    func operationWithUnknownValueKeyIsRejected() {
        let json = #"""
            {"id": "benphone:3", "author": "ben", "entity": "account", "row": "r1", "field": "name",
             "value": {"text": "x", "colour": "red"}, "time": {"ms": 1, "logical": 0}}
            """#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Operation.self, from: Data(json.utf8)) }
    }

    @Test("An operation leaves out a null value, a missing base, empty supersedes and resolution false")
    func operationOmitsAbsentMembers() throws {
        let op = Operation(
            id: OperationID(replica: "annalaptop", counter: 3), author: "anna", entity: "account",
            row: "6513270e-269e-4d37-b2a7-4de452e6b438", field: "name", value: .null,
            time: Timestamp(ms: 1_763_906_400_000, logical: 2))
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(op)) as? [String: Any])
        #expect(Set(object.keys) == ["id", "author", "entity", "row", "field", "time"])
        #expect(object["id"] as? String == "annalaptop:3")
        #expect(!op.resolution)
        #expect(try JSONDecoder().decode(Operation.self, from: JSONEncoder().encode(op)) == op)
    }

    @Test("A resolution with a base, supersedes and resolution true round-trips")
    func resolutionRoundTrips() throws {
        let json = #"""
            {"id": "annalaptop:3", "author": "anna", "entity": "note", "row": "36f675cc-81e7-4ef5-a8e2-5d940ed90475",
             "field": "body", "value": {"text": "Pricing: 12% off."}, "time": {"ms": 1763906405000, "logical": 0},
             "base": "benphone:1", "supersedes": ["annalaptop:2"], "resolution": true}
            """#
        let op = try JSONDecoder().decode(Operation.self, from: Data(json.utf8))
        #expect(op.base == OperationID("benphone:1"))
        #expect(op.supersedes == [OperationID("annalaptop:2")!])
        #expect(op.parents == [OperationID("benphone:1")!, OperationID("annalaptop:2")!])
        #expect(op.resolution)
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(op)) as? [String: Any])
        #expect(object["resolution"] as? Bool == true)
        #expect(try JSONDecoder().decode(Operation.self, from: JSONEncoder().encode(op)) == op)
    }

    @Test("An edit with supersedes but no resolution member is not a resolution; resolution false is left out")
    func resolutionDefaultsToFalse() throws {
        let edit = #"""
            {"id": "annalaptop:4", "author": "anna", "entity": "note", "row": "36f675cc-81e7-4ef5-a8e2-5d940ed90475",
             "field": "body", "value": {"text": "Pricing: 12% off, signed."}, "time": {"ms": 1763906406000, "logical": 0},
             "base": "benphone:1", "supersedes": ["annalaptop:2"]}
            """#
        let op = try JSONDecoder().decode(Operation.self, from: Data(edit.utf8))
        #expect(!op.resolution)
        let explicitFalse = edit.replacingOccurrences(of: #""supersedes": ["annalaptop:2"]}"#, with: #""supersedes": ["annalaptop:2"], "resolution": false}"#)
        #expect(explicitFalse != edit)
        let decoded = try JSONDecoder().decode(Operation.self, from: Data(explicitFalse.utf8))
        #expect(decoded == op)
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(decoded)) as? [String: Any])
        #expect(object["resolution"] == nil)
        #expect(object["supersedes"] as? [String] == ["annalaptop:2"])
    }

    @Test("A resolution member that is not a boolean is rejected", arguments: [#""yes""#, #""true""#, "1"])
    func nonBooleanResolutionIsRejected(value: String) {
        let json = """
            {"id": "annalaptop:3", "author": "anna", "entity": "note", "row": "r1", "field": "body",
             "value": {"text": "x"}, "time": {"ms": 1, "logical": 0}, "base": "benphone:1", "supersedes": ["annalaptop:2"],
             "resolution": \(value)}
            """
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Operation.self, from: Data(json.utf8)) }
    }

    @Test("An explicit null value decodes as a cleared field")
    func explicitNullValue() throws {
        let json = #"""
            {"id": "benphone:3", "author": "ben", "entity": "account", "row": "r1", "field": "name", "value": null,
             "time": {"ms": 1, "logical": 0}}
            """#
        #expect(try JSONDecoder().decode(Operation.self, from: Data(json.utf8)).value == .null)
    }

    @Test("An operation whose value has two kinds is rejected")
    func operationWithTwoKindsIsRejected() {
        let json = #"""
            {"id": "benphone:3", "author": "ben", "entity": "account", "row": "r1", "field": "name",
             "value": {"int": 1, "text": "x"}, "time": {"ms": 1, "logical": 0}}
            """#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Operation.self, from: Data(json.utf8)) }
    }
}
