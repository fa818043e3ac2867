import RapportSync
import Testing

@Suite("Validating operations against the schema")
struct SchemaValidationTests {
    /// An operation to validate, named for the test report.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var op: Operation
        var testDescription: String { name }

        init(
            _ name: String, _ entity: String, _ field: String, _ value: FieldValue, base: String? = nil, supersedes: [String] = [],
            resolution: Bool = false, time: Timestamp = Timestamp(ms: 1_763_906_400_000)
        ) {
            self.name = name
            op = Operation(
                id: OperationID(replica: "annalaptop", counter: 9), author: "anna", entity: entity,
                row: "6513270e-269e-4d37-b2a7-4de452e6b438", field: field, value: value,
                time: time, base: base.flatMap { OperationID($0) },
                supersedes: supersedes.compactMap { OperationID($0) }, resolution: resolution)
        }
    }

    @Test("Operations that fit the schema are valid", arguments: [
        Case("text", "account", "name", .text("Acme GmbH")),
        Case("real", "account", "revenue", .real(1_200_000)),
        Case("int for a real field", "account", "revenue", .int(1_200_000)),
        Case("margin at its bounds", "account", "margin", .real(-100)),
        Case("choice", "account", "tier", .text("key")),
        Case("date", "account", "customer_since", .text("2024-02-29")),
        Case("date-time", "note", "created_at", .text("2026-11-23T14:00:00Z")),
        Case("reference", "note", "account", .text("6513270e-269e-4d37-b2a7-4de452e6b438")),
        Case("bool", "account", "archived", .bool(false)),
        Case("null clears a field", "account", "owner", .null),
        Case("first text version", "note", "body", .text("Met the CFO.")),
        Case("text edit", "note", "body", .text("Met the CFO again."), base: "benphone:2"),
        Case("text resolution", "note", "body", .text("Merged."), base: "benphone:2", supersedes: ["carladesk:1"], resolution: true),
        Case("resolution of two first versions keeping one", "note", "body", .text("Merged."), base: "benphone:2", supersedes: ["carladesk:1", "davetablet:4"], resolution: true),
        Case("resolution that clears the text", "note", "body", .null, base: "benphone:2", supersedes: ["carladesk:1"], resolution: true),
        Case("edit superseding a collapsed identical head", "note", "body", .text("Merged."), base: "benphone:2", supersedes: ["carladesk:1"]),
        Case("cleared text", "note", "body", .null, base: "benphone:2"),
        Case("tombstone", "account", "_deleted", .bool(true)),
        Case("tombstone of a note", "note", "_deleted", .bool(true)),
        Case("time zero", "account", "name", .text("Acme"), time: Timestamp(ms: 0, logical: 0)),
        Case("largest logical", "account", "name", .text("Acme"), time: Timestamp(ms: 1_763_906_400_000, logical: Timestamp.maxLogical)),
        Case("largest ms", "note", "body", .text("x"), time: Timestamp(ms: .max, logical: 0)),
    ])
    func validOperations(_ c: Case) {
        #expect(throws: Never.self) { try Schema.rapport.validate(c.op) }
    }

    @Test("An unknown entity is rejected")
    func unknownEntity() {
        let error = #expect(throws: SchemaError.self) { try Schema.rapport.validate(Case("", "contact", "name", .text("x")).op) }
        #expect(error == .unknownEntity("contact"))
    }

    @Test("An unknown field is rejected, listing the known ones")
    func unknownField() {
        let error = #expect(throws: SchemaError.self) { try Schema.rapport.validate(Case("", "account", "colour", .text("red")).op) }
        guard case .unknownField(let entity, let field, let known, _) = error else {
            Issue.record("expected unknownField, got \(String(describing: error))")
            return
        }
        #expect(entity == "account" && field == "colour")
        #expect(known.contains("revenue"))
    }

    @Test("Operations that do not fit their field are rejected", arguments: [
        Case("text for a real field", "account", "revenue", .text("1.2m")),
        Case("int for a text field", "account", "name", .int(5)),
        Case("text for a bool field", "account", "archived", .text("true")),
        Case("real below the minimum", "account", "revenue", .real(-1)),
        Case("int below the minimum", "account", "revenue", .int(-1)),
        Case("real above the maximum", "account", "margin", .real(100.5)),
        Case("infinite real", "account", "revenue", .real(.infinity)),
        Case("NaN", "account", "margin", .real(.nan)),
        Case("word not in the choice", "account", "tier", .text("gold")),
        Case("choice in other case", "account", "tier", .text("Key")),
        Case("impossible date", "account", "customer_since", .text("2026-02-30")),
        Case("date-time without time", "note", "created_at", .text("2026-11-23")),
        Case("bool for reviewed text", "note", "body", .bool(true)),
        Case("base on a scalar field", "account", "name", .text("Acme"), base: "benphone:2"),
        Case("supersedes on a scalar field", "account", "name", .text("Acme"), supersedes: ["benphone:2"]),
        Case("base on a tombstone", "account", "_deleted", .bool(true), base: "benphone:2"),
        Case("tombstone false", "account", "_deleted", .bool(false)),
        Case("tombstone null", "account", "_deleted", .null),
        Case("tombstone text", "note", "_deleted", .text("yes")),
        Case("resolution on a scalar field", "account", "name", .text("Acme"), resolution: true),
        Case("resolution with supersedes on a scalar field", "account", "name", .text("Acme"), supersedes: ["benphone:2"], resolution: true),
        Case("resolution on a tombstone", "note", "_deleted", .bool(true), resolution: true),
        Case("resolution superseding nothing", "note", "body", .text("Merged."), base: "benphone:2", resolution: true),
        Case("resolution with neither base nor supersedes", "note", "body", .text("Merged."), resolution: true),
        Case("negative ms", "account", "name", .text("Acme"), time: Timestamp(ms: -1, logical: 0)),
        Case("negative ms on reviewed text", "note", "body", .text("x"), time: Timestamp(ms: .min, logical: 0)),
        Case("negative logical", "account", "name", .text("Acme"), time: Timestamp(ms: 1_763_906_400_000, logical: -1)),
        Case("logical past 65535", "account", "name", .text("Acme"), time: Timestamp(ms: 1_763_906_400_000, logical: Timestamp.maxLogical + 1)),
        Case("logical far past 65535 on a tombstone", "account", "_deleted", .bool(true), time: Timestamp(ms: 1, logical: .max)),
    ])
    func invalidOperations(_ c: Case) {
        let error = #expect(throws: SchemaError.self) { try Schema.rapport.validate(c.op) }
        guard case .invalidValue = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
    }

    @Test("An operation that names itself as base or superseded is rejected", arguments: [
        Case("self as base", "note", "body", .text("x"), base: "annalaptop:9"),
        Case("self superseded", "note", "body", .text("x"), base: "benphone:2", supersedes: ["annalaptop:9"]),
        Case("self superseded by a resolution", "note", "body", .text("x"), base: "benphone:2", supersedes: ["carladesk:1", "annalaptop:9"], resolution: true),
        Case("self as base and superseded", "note", "body", .text("x"), base: "annalaptop:9", supersedes: ["annalaptop:9"], resolution: true),
    ])
    func selfReferenceIsRejected(_ c: Case) {
        let error = #expect(throws: SchemaError.self) { try Schema.rapport.validate(c.op) }
        guard case .invalidValue(let field, _, _) = error else {
            Issue.record("expected invalidValue, got \(String(describing: error))")
            return
        }
        #expect(field == "body")
    }

    @Test("Another version of the same replica as parent is fine; only the operation's own id is refused")
    func sameReplicaParentIsValid() {
        let c = Case("edit of own earlier version", "note", "body", .text("x"), base: "annalaptop:8", supersedes: ["annalaptop:10"])
        #expect(throws: Never.self) { try Schema.rapport.validate(c.op) }
    }
}
