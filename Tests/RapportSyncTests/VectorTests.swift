import Foundation
import RapportSync
import Testing

/// The conformance vectors pin the merge rules for every implementation; here they pin this one.
@Suite("Conformance vectors")
struct VectorTests {
    @Test("Protocol/vectors holds the full set of vectors")
    func vectorsFolderIsComplete() {
        let count = ConformanceVector.fileNames.count
        #expect(count >= 15, "found \(count) vectors in \(ConformanceVector.folder?.path ?? "no Protocol/vectors folder above \(#filePath)")")
    }

    @Test("Merging a vector's operations gives the state it expects", arguments: ConformanceVector.fileNames)
    func mergeGivesExpectedState(file: String) throws {
        let vector = try ConformanceVector.load(file)
        #expect(vector.name + ".json" == file, "a vector's name is its file name")
        expect(merged(vector.operations), matches: vector)
    }

    @Test("A vector merges alike delivered backwards with every operation twice", arguments: ConformanceVector.fileNames)
    func deliveryOrderAndDuplicatesDoNotMatter(file: String) throws {
        let vector = try ConformanceVector.load(file)
        let backwardsTwice = vector.operations.reversed().flatMap { [$0, $0] }
        expect(merged(backwardsTwice), matches: vector)
        #expect(merged(backwardsTwice) == merged(vector.operations))
    }

    @Test("Every operation in a vector is valid and survives a JSON round trip", arguments: ConformanceVector.fileNames)
    func operationsAreValid(file: String) throws {
        let vector = try ConformanceVector.load(file)
        for op in vector.operations {
            #expect(throws: Never.self, "\(op.id) in \(file)") { try Schema.rapport.validate(op) }
            let decoded = try JSONDecoder().decode(Operation.self, from: try JSONEncoder().encode(op))
            #expect(decoded == op)
        }
    }

    private func expect(_ state: MergeState, matches vector: ConformanceVector, sourceLocation: SourceLocation = #_sourceLocation) {
        let values = state.values
        for expected in vector.expect.values {
            #expect(
                (values[expected.key] ?? .null) == (expected.value ?? .null),
                "\(vector.name): \(expected.key) shows \(values[expected.key].map { "\($0)" } ?? "nothing")",
                sourceLocation: sourceLocation)
        }
        #expect(
            Set(state.deleted.keys) == Set(vector.expect.deleted.map(\.key)),
            "\(vector.name): deleted rows", sourceLocation: sourceLocation)

        for (id, conflict) in state.conflicts {
            #expect(id == conflict.id, "\(vector.name): conflicts are keyed by their id", sourceLocation: sourceLocation)
        }
        let actual = Set(state.conflicts.values.map(ConformanceVector.ExpectedConflict.init))
        #expect(
            actual == Set(vector.expect.conflicts),
            "\(vector.name): open conflicts \(actual.map(\.description).sorted())", sourceLocation: sourceLocation)
    }
}
