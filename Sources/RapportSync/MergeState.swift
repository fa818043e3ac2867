/// The merged state of a whole set of operations, held in memory: the reference model of the merge rules.
///
/// Replicas and the server keep the same state in SQL tables and call the same per-field rules
/// (`LastWriterWins`, `ReviewedText`); tests compare them against this model.
public struct MergeState: Sendable, Hashable {
    public private(set) var scalars: [FieldKey: Operation] = [:]
    public private(set) var texts: [FieldKey: ReviewedText] = [:]
    public private(set) var deleted: [RowKey: Operation] = [:]
    public private(set) var applied: Set<OperationID> = []

    public init() {}

    /// Applies one operation. Returns false when it was already applied (a duplicate delivery).
    @discardableResult
    public mutating func apply(_ op: Operation, schema: Schema) -> Bool {
        guard applied.insert(op.id).inserted else { return false }
        let merge = (try? schema.spec(for: op.key))?.merge ?? .lastWriterWins
        switch merge {
        case .lastWriterWins:
            if LastWriterWins.wins(op, over: scalars[op.key]) { scalars[op.key] = op }
        case .reviewedText:
            texts[op.key, default: ReviewedText()].add(op)
        case .tombstone:
            let row = RowKey(entity: op.entity, row: op.row)
            if LastWriterWins.wins(op, over: deleted[row]) { deleted[row] = op }
        }
        return true
    }

    /// The value each field shows.
    public var values: [FieldKey: FieldValue] {
        var out: [FieldKey: FieldValue] = [:]
        for (key, op) in scalars { out[key] = op.value }
        for (key, text) in texts { if let op = text.displayed { out[key] = op.value } }
        return out
    }

    /// The open conflicts, keyed by their id.
    public var conflicts: [String: Conflict] {
        var out: [String: Conflict] = [:]
        for text in texts.values {
            if case .conflict(let c) = text.outcome { out[c.id] = c }
        }
        return out
    }

    /// The open conflicts people review: those on rows no tombstone removed. A removal stands whatever edits
    /// came with it, so the review of a removed row's text is over; the server's log still records it open.
    public var conflictsToReview: [String: Conflict] {
        conflicts.filter { deleted[RowKey(entity: $0.value.key.entity, row: $0.value.key.row)] == nil }
    }

    /// Rows that some operation touched and no tombstone deleted.
    public var liveRows: Set<RowKey> {
        let touched = Set((Array(scalars.keys) + Array(texts.keys)).map { RowKey(entity: $0.entity, row: $0.row) })
        return touched.subtracting(deleted.keys)
    }
}

/// One row of one entity.
public struct RowKey: Hashable, Comparable, Sendable {
    public var entity: String
    public var row: String

    public init(entity: String, row: String) {
        self.entity = entity
        self.row = row
    }

    public static func < (a: RowKey, b: RowKey) -> Bool { (a.entity, a.row) < (b.entity, b.row) }
}
