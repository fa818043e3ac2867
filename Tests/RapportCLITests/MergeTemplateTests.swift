import Testing
@testable import RapportCLI

@Suite struct MergeTemplateTests {
    @Test func markersLeftInTheMergedTextAreFound() {
        let template = MergeTemplate.render(base: "plan", sides: [.init(label: "mine", text: "plan A"), .init(label: "theirs", text: "plan B")])
        #expect(MergeTemplate.unresolvedMarkers(in: template) == [1, 3, 5, 7])
        #expect(MergeTemplate.unresolvedMarkers(in: "plan A and B\n").isEmpty)
    }

    /// Three versions: the one in the middle is named too, and the closing marker comes once, even when two
    /// sides have the same label (one person's two laptops in the same minute).
    @Test func everySideOfAThreeWayMergeIsNamed() {
        let template = MergeTemplate.render(base: nil, sides: [
            .init(label: "mine (alice)", text: "A"), .init(label: "theirs (carol)", text: "C"), .init(label: "theirs (carol)", text: "C2"),
        ])
        #expect(template == "<<<<<<< mine (alice)\nA\n======= theirs (carol)\nC\n=======\nC2\n>>>>>>> theirs (carol)\n")
        #expect(MergeTemplate.unresolvedMarkers(in: template) == [1, 3, 5, 7])
    }

    /// A Markdown heading underlined with equals signs, written by someone before the conflict, is text: a
    /// resolution that keeps it used to be refused for ever.
    @Test func aLineThatAVersionAlreadyHeldIsNotAMarker() {
        let theirs = "Renewal\n=======\nSigned for 3 years"
        #expect(MergeTemplate.unresolvedMarkers(in: theirs + "\nand a pilot", content: ["Renewal", theirs]).isEmpty)
        #expect(MergeTemplate.unresolvedMarkers(in: "Renewal\n=======\n<<<<<<< mine", content: [theirs]) == [3])
    }
}
