import RapportServer
import RapportSync

/// Replays the server log and checks each conflict record against the merge rules at that point of the
/// log: a conflict opens only when the field's versions really are in conflict, and closes only when a
/// version that saw it arrived.
///
/// The server appends a field's conflict records right after the operation that changed the field, in
/// the same transaction, so the operation just before a record is what opened or closed it. A closing is
/// justified when every version of the conflict is either still a head of the field (the conflict widened
/// into a larger one, or a version with the same text joined it) or was replaced by that operation (a
/// resolution, or an edit made after seeing it). Anything else would be a conflict that disappeared without
/// anyone resolving it.
struct ConflictRecordsCheck {
    let schema: Schema
    let fail: (String) -> SimulationFailure
    /// Compaction deleted the records of closed conflicts at or below this position, so a closing record
    /// above it may have lost its opening.
    var compactedThrough: Int64 = 0

    func check(_ log: [LogEntry]) throws {
        var texts: [FieldKey: ReviewedText] = [:]
        var open: [String: ConflictRecord] = [:]
        var last: Operation?
        for entry in log {
            switch entry {
            case .operation(_, let op):
                last = op
                if (try? schema.spec(for: op.key))?.merge == .reviewedText { texts[op.key, default: ReviewedText()].add(op) }
            case .conflict(let seq, let record):
                guard let cause = last, cause.key == record.key, let text = texts[record.key] else {
                    throw fail("the server log records conflict \(record.id) at position \(seq) without an operation on its field just before")
                }
                if record.open {
                    guard case .conflict(let now) = text.outcome, now.id == record.id, now.versions == record.versions, now.base == record.base else {
                        throw fail("the server log opens conflict \(record.id) \(record.versions) at position \(seq), but the merge rules give \(Self.describe(text.outcome))")
                    }
                    open[record.id] = record
                } else {
                    guard open.removeValue(forKey: record.id) != nil || compactedThrough > 0 else {
                        throw fail("the server log closes conflict \(record.id) at position \(seq), which was not open")
                    }
                    if case .conflict(let now) = text.outcome, now.id == record.id {
                        throw fail("the server log closes conflict \(record.id) at position \(seq), but the merge rules still have it open")
                    }
                    let heads = Set(Self.heads(of: text.outcome))
                    let replaced = Self.ancestors(of: cause, in: text)
                    if let lost = record.versions.first(where: { !heads.contains($0) && !replaced.contains($0) }) {
                        throw fail("conflict \(record.id) \(record.versions) closed at position \(seq) without a resolution: \(lost) is no longer a head, and \(cause.id), which closed it, does not descend from it")
                    }
                }
            }
        }
    }

    static func heads(of outcome: ReviewedText.Outcome?) -> [OperationID] {
        switch outcome {
        case .settled(_, let heads): heads
        case .conflict(let conflict): conflict.heads
        case nil: []
        }
    }

    /// The versions `op` replaces, directly or through the versions it replaces.
    static func ancestors(of op: Operation, in text: ReviewedText) -> Set<OperationID> {
        var seen: Set<OperationID> = []
        var stack = op.parents
        while let id = stack.popLast() {
            guard seen.insert(id).inserted else { continue }
            if let parent = text.versions[id] { stack += parent.parents }
        }
        return seen
    }

    static func describe(_ outcome: ReviewedText.Outcome?) -> String {
        switch outcome {
        case .settled(let op, _): "settled on \(op.id)"
        case .conflict(let conflict): "conflict \(conflict.id) \(conflict.versions)"
        case nil: "no versions"
        }
    }
}
