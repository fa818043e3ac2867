import Testing
import ArgumentParser
import RapportSync
@testable import RapportCLI

@Suite struct MergeTemplateTests {
    @Test func markersLeftInTheMergedTextAreFound() {
        let template = MergeTemplate.render(base: "plan", sides: [.init(label: "mine", text: "plan A"), .init(label: "theirs", text: "plan B")])
        #expect(MergeTemplate.unresolvedMarkers(in: template) == [1, 3, 5, 7])
        #expect(MergeTemplate.unresolvedMarkers(in: "plan A and B\n").isEmpty)
        // A heading underlined in Markdown is text; a separator with its label, or one between fences, a marker.
        #expect(MergeTemplate.unresolvedMarkers(in: "Plan\n=======\nA and B\n").isEmpty)
        #expect(MergeTemplate.unresolvedMarkers(in: "A\n======= theirs (carol)\nC\n") == [2])
        #expect(MergeTemplate.unresolvedMarkers(in: "<<<<<<< mine\nA\n=======\nC\n") == [1, 3])
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

    /// A conflict resolved already names the command that writes its text anew, for each kind of reviewed text.
    @Test func aResolvedTextIsMendedByTheCommandThatWritesIt() {
        let row = "0123456789abcdef"
        #expect(Conflicts.editCommand(FieldKey(entity: "note", row: row, field: "body")) == "rapport note edit 01234567")
        #expect(Conflicts.editCommand(FieldKey(entity: "concern", row: row, field: "clarify_text")) == "rapport concern step 01234567 clarify --text TEXT")
        #expect(Conflicts.editCommand(FieldKey(entity: "meeting", row: row, field: "notes")) == "rapport meeting notes 01234567")
        #expect(Conflicts.editCommand(FieldKey(entity: "kpi", row: row, field: "notes")) == "rapport plan kpi notes 01234567")
        #expect(Conflicts.editCommand(FieldKey(entity: "stakeholder", row: row, field: "notes")) == "rapport stakeholder notes 01234567")
        // Every reviewed text has one.
        for entity in Schema.rapport.entities {
            for field in entity.fields where field.merge == .reviewedText {
                #expect(Conflicts.editCommand(FieldKey(entity: entity.name, row: row, field: field.name)) != nil, "\(entity.name).\(field.name)")
            }
        }
    }

    /// A --keep that names no single version lists the ids to choose from, with whose each is.
    @Test func aKeepThatNamesNoSingleVersionListsTheIDs() throws {
        func version(_ replica: String, _ author: String) -> RapportSync.Operation {
            .init(id: .init(replica: replica, counter: 7), author: author, entity: "note", row: "n1", field: "body", value: .text(author), time: .init(ms: 1))
        }
        let versions = [version("lapone", "alice"), version("laptwo", "alice"), version("bobrep", "bob")]
        for (keep, said) in [("mine", "several versions are yours (written on two laptops): keep one by its number or id: 1: lapone:7 (alice), 2: laptwo:7 (alice)"),
                             ("nothing", "'nothing' wrote none of these versions (alice and bob did), and no version's id starts so; --keep takes theirs, a version's number, its author, or its id (4 characters or more): 1: lapone:7 (alice), 2: laptwo:7 (alice), 3: bobrep:7 (bob)"),
                             ("alice", "2 versions are alice's (written on two laptops): keep one by its number or id: 1: lapone:7 (alice), 2: laptwo:7 (alice)"),
                             // One character of an id is not an id: it kept any version whose id began so.
                             ("l", "--keep takes theirs, a version's number"), ("4", "there is no version 4 (3 in all); --keep takes theirs")] {
            let error = #expect(throws: ValidationError.self) { try Conflicts.Resolve.pick(keep, from: versions, user: "alice", replicaID: "lapone") }
            #expect(error?.message.hasPrefix(said) == true, "\(error?.message ?? "")")
        }
        func picked(_ keep: String) throws -> String { try Conflicts.Resolve.pick(keep, from: versions, user: "alice", replicaID: "lapone").id.description }
        #expect(try picked("theirs") == "bobrep:7")
        // Two of one laptop (a restore copies every version under the restorer's name): not "two laptops".
        let restored = [version("bobrep", "bob"), .init(id: .init(replica: "bobrep", counter: 9), author: "bob", entity: "note", row: "n1", field: "body", value: .text("b2"), time: .init(ms: 2))]
        let oneLaptop = #expect(throws: ValidationError.self) { try Conflicts.Resolve.pick("bob", from: restored, user: "carol", replicaID: "carrep") }
        #expect(oneLaptop?.message.hasPrefix("2 versions are bob's (from one laptop: an edit and a copy a restore made, or two edits): keep one by its number") == true, "\(oneLaptop?.message ?? "")")
        // By its number as `conflicts show` gives it (yours first), its author, or 4 characters of its id.
        #expect(try picked("2") == "laptwo:7" && picked("3") == "bobrep:7" && picked("Bob") == "bobrep:7" && picked("lapt") == "laptwo:7" && picked("lapone:7") == "lapone:7")
        // "yours", as `conflicts show` marks the version, is "mine".
        #expect(try Conflicts.Resolve.pick("yours", from: versions, user: "bob", replicaID: "bobrep").id.description == "bobrep:7")
        // An id with its counter is matched whole: "lapone:2" kept lapone:23, whose id starts so (QA); a start two
        // ids share is said to.
        let counters = [version("lapone", "alice"), .init(id: .init(replica: "lapone", counter: 23), author: "alice", entity: "note", row: "n1", field: "body", value: .text("a2"), time: .init(ms: 2))]
        let partial = #expect(throws: ValidationError.self) { try Conflicts.Resolve.pick("lapone:2", from: counters, user: "bob", replicaID: "bobrep") }
        #expect(partial?.message.contains("--keep takes") == true, "\(partial?.message ?? "")")
        #expect(try Conflicts.Resolve.pick("lapone:23", from: counters, user: "bob", replicaID: "bobrep").id.description == "lapone:23")
        let shared = #expect(throws: ValidationError.self) { try Conflicts.Resolve.pick("lapo", from: counters, user: "bob", replicaID: "bobrep") }
        #expect(shared?.message.hasPrefix("'lapo' starts the ids of 2 versions: give more of it, or its number: ") == true, "\(shared?.message ?? "")")
        // To someone with no version, "mine" names none and is not offered.
        let error = #expect(throws: ValidationError.self) { try Conflicts.Resolve.pick("5", from: versions, user: "carol", replicaID: "carolrep") }
        #expect(error?.message.hasPrefix("there is no version 5 (3 in all); --keep takes a version's number, its author, or its id") == true, "\(error?.message ?? "")")
        // A name that wrote none of them is told whose they are.
        let carol = #expect(throws: ValidationError.self) { try Conflicts.Resolve.pick("carol", from: versions, user: "alice", replicaID: "lapone") }
        #expect(carol?.message.hasPrefix("'carol' wrote none of these versions (alice and bob did), and no version's id starts so; --keep takes theirs, a version's number") == true, "\(carol?.message ?? "")")
        // "mine" to someone who wrote none is told that an author's name keeps theirs.
        let none = #expect(throws: ValidationError.self) { try Conflicts.Resolve.pick("mine", from: versions, user: "carol", replicaID: "carolrep") }
        #expect(none?.message.hasPrefix("no version is yours: keep one by its number, its author or its id: 1: lapone:7 (alice)") == true, "\(none?.message ?? "")")
    }

    /// A Markdown heading underlined with equals signs, written by someone before the conflict, is text: a
    /// resolution that keeps it used to be refused for ever.
    @Test func aLineThatAVersionAlreadyHeldIsNotAMarker() {
        let theirs = "Renewal\n=======\nSigned for 3 years"
        #expect(MergeTemplate.unresolvedMarkers(in: theirs + "\nand a pilot", content: ["Renewal", theirs]).isEmpty)
        #expect(MergeTemplate.unresolvedMarkers(in: "Renewal\n=======\n<<<<<<< mine", content: [theirs]) == [3])
    }
}
