import RapportSync
import Testing

@Suite("Reviewed text")
struct ReviewedTextTests {
    static let row = "36f675cc-81e7-4ef5-a8e2-5d940ed90475"
    static let key = FieldKey(entity: "note", row: row, field: "body")

    static func version(
        _ id: String, _ text: String, at ms: Int64, base: String? = nil, supersedes: [String] = [], resolution: Bool = false
    ) -> Operation {
        let id = OperationID(id)!
        return Operation(
            id: id, author: id.replica, entity: "note", row: row, field: "body", value: .text(text),
            time: Timestamp(ms: 1_763_906_400_000 + ms), base: base.flatMap { OperationID($0) },
            supersedes: supersedes.compactMap { OperationID($0) }, resolution: resolution)
    }

    /// A conflict between annalaptop:2 and benphone:1, two edits of annalaptop:1; benphone:1 is displayed.
    static let pricingConflict = [
        version("annalaptop:1", "Pricing: list.", at: 0),
        version("annalaptop:2", "Pricing: 10% off.", at: 1_000, base: "annalaptop:1"),
        version("benphone:1", "Pricing: 15% off.", at: 2_000, base: "annalaptop:1"),
    ]

    @Test("A conflict's id is the first 12 hex digits of SHA-256 over the key and its sorted versions")
    func conflictIDFormula() {
        // Computed independently with Protocol/vectors/generate_ids.py.
        let conflict = Conflict(key: Self.key, versions: [OperationID("annalaptop:2")!, OperationID("benphone:1")!], base: nil, heads: [])
        #expect(conflict.id == "50d037e57d9c")
    }

    @Test("Identical concurrent texts settle on the later version and keep both as heads")
    func identicalTextsSettleWithBothHeads() {
        let text = ReviewedText(versions: [
            Self.version("annalaptop:1", "Draft", at: 0),
            Self.version("benphone:1", "Fixed", at: 200, base: "annalaptop:1"),
            Self.version("annalaptop:2", "Fixed", at: 100, base: "annalaptop:1"),
        ])
        #expect(text.outcome == .settled(Self.version("benphone:1", "Fixed", at: 200, base: "annalaptop:1"),
                                         heads: [OperationID("annalaptop:2")!, OperationID("benphone:1")!]))
    }

    @Test("No versions, no outcome")
    func emptyHasNoOutcome() {
        #expect(ReviewedText().outcome == nil)
        #expect(ReviewedText().displayed == nil)
    }

    /// After two identical edits collapse, a replica's next edit supersedes the other identical head, so two
    /// such edits made concurrently have the same parents. They are edits, not resolutions: a conflict.
    @Test("Concurrent edits made after identical texts collapsed are a conflict")
    func concurrentEditsAfterCollapseConflict() throws {
        let text = ReviewedText(versions: [
            Self.version("annalaptop:1", "Draft", at: 0),
            Self.version("annalaptop:2", "Fixed", at: 100, base: "annalaptop:1"),
            Self.version("benphone:1", "Fixed", at: 200, base: "annalaptop:1"),
            Self.version("carladesk:1", "Carla's edit", at: 1_000, base: "benphone:1", supersedes: ["annalaptop:2"]),
            Self.version("davetablet:1", "Dave's edit", at: 1_100, base: "benphone:1", supersedes: ["annalaptop:2"]),
        ])
        guard case .conflict(let conflict) = text.outcome else {
            Issue.record("settled on \(String(describing: text.displayed?.id)); carladesk:1 was never reviewed")
            return
        }
        #expect(conflict.versions == [OperationID("carladesk:1")!, OperationID("davetablet:1")!])
        #expect(conflict.base == OperationID("benphone:1"))
        #expect(conflict.heads == [OperationID("carladesk:1")!, OperationID("davetablet:1")!])
        #expect(text.displayed?.id == OperationID("davetablet:1"))
    }

    @Test("Concurrent edits made after a resolution was out-voted are a conflict")
    func concurrentEditsAfterOutvotedResolutionConflict() {
        var text = ReviewedText(versions: Self.pricingConflict)
        text.add(Self.version("carladesk:1", "Pricing: 12% off.", at: 5_000, base: "benphone:1", supersedes: ["annalaptop:2"], resolution: true))
        text.add(Self.version("davetablet:1", "Pricing: 15% off, final.", at: 5_200, base: "benphone:1", supersedes: ["annalaptop:2"], resolution: true))
        #expect(text.displayed?.id == OperationID("davetablet:1"))
        // Both edits are made from the settled view: base davetablet:1, superseding the out-voted carladesk:1.
        text.add(Self.version("annalaptop:3", "Pricing: 15% off, signed.", at: 6_000, base: "davetablet:1", supersedes: ["carladesk:1"]))
        text.add(Self.version("benphone:2", "Pricing: 15% off, 2 years.", at: 6_100, base: "davetablet:1", supersedes: ["carladesk:1"]))
        guard case .conflict(let conflict) = text.outcome else {
            Issue.record("settled on \(String(describing: text.displayed?.id)); annalaptop:3 was never reviewed")
            return
        }
        #expect(conflict.versions == [OperationID("annalaptop:3")!, OperationID("benphone:2")!])
        #expect(conflict.base == OperationID("davetablet:1"))
    }

    @Test("Concurrent resolutions of one conflict: the later stands, the earlier stays a head")
    func concurrentResolutionsLaterStands() {
        var text = ReviewedText(versions: Self.pricingConflict)
        text.add(Self.version("davetablet:1", "Pricing: 15% off, final.", at: 5_200, base: "benphone:1", supersedes: ["annalaptop:2"], resolution: true))
        text.add(Self.version("carladesk:1", "Pricing: 12% off.", at: 5_000, base: "benphone:1", supersedes: ["annalaptop:2"], resolution: true))
        #expect(text.outcome == .settled(
            Self.version("davetablet:1", "Pricing: 15% off, final.", at: 5_200, base: "benphone:1", supersedes: ["annalaptop:2"], resolution: true),
            heads: [OperationID("carladesk:1")!, OperationID("davetablet:1")!]))
    }

    @Test("A resolution and an edit with the same parents are a conflict: only resolutions out-vote each other")
    func resolutionAndEditWithSameParentsConflict() {
        var text = ReviewedText(versions: Self.pricingConflict)
        text.add(Self.version("carladesk:1", "Pricing: 12% off.", at: 5_000, base: "benphone:1", supersedes: ["annalaptop:2"], resolution: true))
        // Not a resolution, although it names the same versions (a client that did not mark it).
        text.add(Self.version("davetablet:1", "Pricing: 15% off, final.", at: 5_200, base: "benphone:1", supersedes: ["annalaptop:2"]))
        guard case .conflict(let conflict) = text.outcome else {
            Issue.record("expected a conflict, got \(String(describing: text.outcome))")
            return
        }
        #expect(conflict.versions == [OperationID("carladesk:1")!, OperationID("davetablet:1")!])
        #expect(conflict.base == OperationID("benphone:1"))
    }

    @Test("Concurrent resolutions that saw different conflicts are a new conflict")
    func resolutionsOfDifferentConflictsConflict() {
        var text = ReviewedText(versions: Self.pricingConflict)
        text.add(Self.version("carladesk:1", "Pricing: 20% off.", at: 2_500, base: "annalaptop:1"))
        // davetablet saw all three versions, erik only the first two.
        text.add(Self.version("davetablet:1", "Pricing: 18% off.", at: 5_000, base: "carladesk:1", supersedes: ["annalaptop:2", "benphone:1"], resolution: true))
        text.add(Self.version("eriklaptop:1", "Pricing: 12% off.", at: 5_100, base: "benphone:1", supersedes: ["annalaptop:2"], resolution: true))
        guard case .conflict(let conflict) = text.outcome else {
            Issue.record("expected a conflict, got \(String(describing: text.outcome))")
            return
        }
        #expect(conflict.versions == [OperationID("davetablet:1")!, OperationID("eriklaptop:1")!])
        #expect(conflict.base == OperationID("benphone:1"))
    }

    @Test("A conflict replaced by one between its resolution and a concurrent edit is closed by the resolution")
    func lifecycleNamesTheResolution() {
        let before = ReviewedText(versions: Self.pricingConflict)
        guard case .conflict(let open) = before.outcome else {
            Issue.record("expected a conflict")
            return
        }
        var after = before
        after.add(Self.version("benphone:2", "Pricing: 12% off.", at: 5_000, base: "benphone:1", supersedes: ["annalaptop:2"], resolution: true))
        after.add(Self.version("carladesk:1", "Pricing: 10% off, 3-year term.", at: 4_000, base: "annalaptop:2"))
        guard case .conflict(let now) = after.outcome else {
            Issue.record("expected a new conflict")
            return
        }
        #expect(now.versions == [OperationID("benphone:2")!, OperationID("carladesk:1")!])
        #expect(ConflictLifecycle.closings(open: [(open.id, open.versions)], text: after) == [open.id: .resolved(by: OperationID("benphone:2")!)])
    }

    /// The same history, but the concurrent edit's replica id sorts before the resolution's. The edit descends
    /// from one of the old versions only; the resolution from all of them.
    @Test("The resolver of a conflict turned into another is the head that replaced every old version")
    func lifecycleNamesTheResolutionWhateverTheIDs() {
        var text = ReviewedText(versions: Self.pricingConflict)
        guard case .conflict(let open) = text.outcome else {
            Issue.record("expected a conflict")
            return
        }
        text.add(Self.version("benphone:2", "Pricing: 12% off.", at: 5_000, base: "benphone:1", supersedes: ["annalaptop:2"], resolution: true))
        text.add(Self.version("abbydesk:1", "Pricing: 10% off, 3-year term.", at: 4_000, base: "annalaptop:2"))
        let closings = ConflictLifecycle.closings(open: [(open.id, open.versions)], text: text)
        #expect(closings == [open.id: .resolved(by: OperationID("benphone:2")!)])
    }

    @Test("A conflict that a resolution settles is closed by it")
    func lifecycleSettled() {
        var text = ReviewedText(versions: Self.pricingConflict)
        guard case .conflict(let open) = text.outcome else {
            Issue.record("expected a conflict")
            return
        }
        #expect(ConflictLifecycle.closings(open: [(open.id, open.versions)], text: text) == [:])
        text.add(Self.version("carladesk:1", "Pricing: 12% off.", at: 5_000, base: "benphone:1", supersedes: ["annalaptop:2"], resolution: true))
        #expect(ConflictLifecycle.closings(open: [(open.id, open.versions)], text: text) == [open.id: .resolved(by: OperationID("carladesk:1")!)])
    }

    @Test("A conflict that gains a concurrent version is widened, not resolved")
    func lifecycleWidens() {
        var text = ReviewedText(versions: Self.pricingConflict)
        guard case .conflict(let open) = text.outcome else {
            Issue.record("expected a conflict")
            return
        }
        text.add(Self.version("carladesk:1", "Pricing: 20% off.", at: 2_500, base: "annalaptop:1"))
        guard case .conflict(let wider) = text.outcome else {
            Issue.record("expected a wider conflict")
            return
        }
        #expect(ConflictLifecycle.closings(open: [(open.id, open.versions)], text: text) == [open.id: .widened(into: wider.id)])
    }
}
