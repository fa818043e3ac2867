import RapportKAM
import Testing

/// "Did you mean": a slip of a whole name or of its start, never a guess from a few letters.
@Suite struct SpellingTests {
    @Test func distanceCountsLettersAddedDroppedOrChanged() {
        #expect(Spelling.distance("alice", "alcie") == 1 && Spelling.distance("alice", "aclie") == 2)
        #expect(Spelling.distance("Northwind", "northwnd") == 1)
        #expect(Spelling.distance("", "abc") == 3 && Spelling.distance("abc", "") == 3)
    }

    @Test func aSlipIsCaseOrTwoEditsOfALongEnoughName() {
        #expect(Spelling.isSlip("alcie", of: "alice") && Spelling.isSlip("Alice", of: "alice"))
        #expect(!Spelling.isSlip("rob", of: "bob") && !Spelling.isSlip("dave", of: "alice"))
        #expect(!Spelling.isSlip("alex", of: "alan") && !Spelling.isSlip("emma", of: "anna") && Spelling.isSlip("erni", of: "erin") && Spelling.isSlip("bobby", of: "boby"))
    }

    @Test func theLikelyWordOfAShortListIsTheOneSlipAway() {
        #expect(Spelling.likely("kye", among: ["key", "standard"]) == "key")
        #expect(Spelling.likely("proposl", among: ["idea", "qualified", "proposal", "won", "lost"]) == "proposal")
        #expect(Spelling.likely("decison maker", among: ["decision-maker", "influencer"]) == "decision-maker")
        // Two slips from five letters; or the word's start or part.
        #expect(Spelling.likely("thier", among: ["ours", "theirs"]) == "theirs" && Spelling.likely("catalog", among: ["bundle", "catalogue"]) == "catalogue")
        #expect(Spelling.likely("raised", among: ["raised_on", "closed_on"]) == "raised_on" && Spelling.likely("contact", among: ["name", "last_contact"]) == "last_contact")
        #expect(Spelling.likely("stat", among: ["status", "stage"]) == "status" && Spelling.likely("sta", among: ["status"]) == nil)
        // Too short, too far, or two as near: no guess.
        #expect(Spelling.likely("ky", among: ["key"]) == nil && Spelling.likely("xyz", among: ["key", "standard"]) == nil)
        #expect(Spelling.likely("wan", among: ["won", "wen"]) == nil)
        // A negation is not a slip of the word it negates.
        for (typed, words) in [("unmet", ["open", "achieved", "met"]), ("incomplete", ["open", "complete"]), ("unresolved", ["open", "resolved"]),
                               ("unsolved", ["open", "resolved"]), ("undone", ["done", "open"]), ("unwon", ["won", "lost"]), ("unclosed", ["open", "closed"])] {
            #expect(Spelling.likely(typed, among: words) == nil, "\(typed)")
        }
        #expect(Spelling.likely("inprogres", among: ["open", "in-progress"]) == "in-progress" && Spelling.likely("unknwn", among: ["unknown"]) == "unknown")
        // A word that begins so is still guessed from a slip at its start.
        #expect(Spelling.likely("innfluencer", among: ["influencer", "user"]) == "influencer" && Spelling.likely("imfluencer", among: ["influencer", "user"]) == "influencer")
    }

    @Test func suggestionsAreSlipsOfTheNameOrItsStart() {
        let names = ["Northwind Traders", "Contoso", "Fabrikam, Inc.", "Globex"]
        #expect(Spelling.suggestions(for: "Northwnd", among: names) == ["Northwind Traders"])
        #expect(Spelling.suggestions(for: "Contosso", among: names) == ["Contoso"] && Spelling.suggestions(for: "Contsoo", among: names) == ["Contoso"])
        #expect(Spelling.suggestions(for: "Fabrkam Inc", among: names) == ["Fabrikam, Inc."])
        // Too short to guess from, or nothing close: none.
        #expect(Spelling.suggestions(for: "Nor", among: names).isEmpty && Spelling.suggestions(for: "Umbrella", among: names).isEmpty)
        // A name shorter than what was typed is compared whole.
        #expect(Spelling.suggestions(for: "Globexxx Corp", among: names).isEmpty && Spelling.suggestions(for: "Globx", among: names) == ["Globex"])
    }
}
