@testable import RapportSimulation
import RapportServer
import RapportSync
import Testing

/// The check of the server's conflict records against the merge rules, on hand-made logs: the planted-bug
/// test shows the simulation catches a closed conflict, these show which records the check itself refuses.
struct ConflictRecordsCheckTests {
    static let key = FieldKey(entity: "note", row: "n1", field: "body")

    static func version(_ replica: String, _ text: String, ms: Int64, base: OperationID? = nil, supersedes: [OperationID] = [], resolution: Bool = false) -> Operation {
        Operation(
            id: OperationID(replica: replica, counter: 1), author: replica, entity: key.entity, row: key.row, field: key.field,
            value: .text(text), time: Timestamp(ms: ms), base: base, supersedes: supersedes, resolution: resolution)
    }

    static let anna = version("anna", "Met the CFO.", ms: 1)
    static let ben = version("benn", "Budget approved.", ms: 2)
    static let resolution = version("carl", "Both.", ms: 3, base: ben.id, supersedes: [anna.id], resolution: true)
    static let unrelated = Operation(
        id: OperationID(replica: "dave", counter: 1), author: "dave", entity: "note", row: "n1", field: "title",
        value: .text("Q3"), time: Timestamp(ms: 4))

    static func record(open: Bool) -> ConflictRecord {
        guard case .conflict(let conflict) = ReviewedText(versions: [anna, ben]).outcome else { fatalError("two first versions conflict") }
        return ConflictRecord(id: conflict.id, key: key, versions: conflict.versions, base: conflict.base, open: open)
    }

    static func check(_ entries: [LogEntry]) -> String? {
        do {
            try ConflictRecordsCheck(schema: .rapport) { SimulationFailure(configuration: .init(seed: 0), invariant: $0, trace: []) }.check(entries)
            return nil
        } catch let failure as SimulationFailure {
            return failure.invariant
        } catch {
            return "\(error)"
        }
    }

    @Test func aConflictOpenedByItsVersionsAndClosedByAResolutionPasses() {
        #expect(Self.check([
            .operation(seq: 1, Self.anna), .operation(seq: 2, Self.ben), .conflict(seq: 3, Self.record(open: true)),
            .operation(seq: 4, Self.resolution), .conflict(seq: 5, Self.record(open: false)),
        ]) == nil)
    }

    @Test func aConflictTheMergeRulesDoNotGiveIsRefused() {
        let message = Self.check([.operation(seq: 1, Self.anna), .conflict(seq: 2, Self.record(open: true))])
        #expect(message?.contains("opens conflict") == true)
    }

    @Test func aConflictClosedWhileItsVersionsStillConflictIsRefused() {
        let message = Self.check([
            .operation(seq: 1, Self.anna), .operation(seq: 2, Self.ben), .conflict(seq: 3, Self.record(open: true)),
            .conflict(seq: 4, Self.record(open: false)),
        ])
        #expect(message?.contains("still have it open") == true)
    }

    @Test func aConflictClosedAfterAnOperationOnAnotherFieldIsRefused() {
        let message = Self.check([
            .operation(seq: 1, Self.anna), .operation(seq: 2, Self.ben), .conflict(seq: 3, Self.record(open: true)),
            .operation(seq: 4, Self.unrelated), .conflict(seq: 5, Self.record(open: false)),
        ])
        #expect(message?.contains("without an operation on its field just before") == true)
    }
}
