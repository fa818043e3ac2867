import Testing
@testable import RapportCLI

@Suite struct MergeTemplateTests {
    @Test func markersLeftInTheMergedTextAreFound() {
        let template = MergeTemplate.render(base: "plan", sides: [.init(label: "mine", text: "plan A"), .init(label: "theirs", text: "plan B")])
        #expect(MergeTemplate.unresolvedMarkers(in: template) == [1, 3, 5, 7])
        #expect(MergeTemplate.unresolvedMarkers(in: "plan A and B\n").isEmpty)
    }

    /// A Markdown heading underlined with equals signs, written by someone before the conflict, is text: a
    /// resolution that keeps it used to be refused for ever.
    @Test func aLineThatAVersionAlreadyHeldIsNotAMarker() {
        let theirs = "Renewal\n=======\nSigned for 3 years"
        #expect(MergeTemplate.unresolvedMarkers(in: theirs + "\nand a pilot", content: ["Renewal", theirs]).isEmpty)
        #expect(MergeTemplate.unresolvedMarkers(in: "Renewal\n=======\n<<<<<<< mine", content: [theirs]) == [3])
    }
}
