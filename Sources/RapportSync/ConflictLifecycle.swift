/// What happens to the conflicts already open on a field when its outcome changes.
///
/// Open conflicts are a function of the set of operations, so every replica agrees on them. Closed ones are
/// history: each says whether a person's resolution closed it or a later concurrent version widened it.
public enum ConflictLifecycle {
    public enum Closing: Hashable, Sendable {
        /// A later version replaced the conflicting ones: a resolution or an edit made after seeing them.
        case resolved(by: OperationID)
        /// Another concurrent version arrived; the same versions stay open under a wider conflict.
        case widened(into: String)
    }

    /// How each previously open conflict (id and its versions) closes under the field's new outcome;
    /// conflicts that stay open are not listed.
    public static func closings(open: [(id: String, versions: [OperationID])], text: ReviewedText) -> [String: Closing] {
        closings(open: open, text: text, outcome: text.outcome)
    }

    /// `closings` for an outcome already computed from `text`.
    public static func closings(open: [(id: String, versions: [OperationID])], text: ReviewedText, outcome: ReviewedText.Outcome?) -> [String: Closing] {
        var out: [String: Closing] = [:]
        for conflict in open {
            switch outcome {
            case .conflict(let now) where now.id == conflict.id:
                continue
            case .conflict(let now) where Set(conflict.versions).isSubset(of: now.heads):
                out[conflict.id] = .widened(into: now.id)
            case .conflict(let now):
                // The version that replaced the old ones descends from all of them; of several, the
                // latest in the total order (an out-voted resolution or a partial edit does not count).
                let candidates = now.heads.compactMap { text.versions[$0] }
                let full = candidates.filter { Set(conflict.versions).isSubset(of: text.ancestors(of: $0)) }
                let partial = candidates.filter { !text.ancestors(of: $0).isDisjoint(with: conflict.versions) }
                let replacer = (full.isEmpty ? partial : full).max { Operation.isOrdered($0, before: $1) }?.id
                out[conflict.id] = .resolved(by: replacer ?? now.versions.max()!)
            case .settled(let op, _):
                out[conflict.id] = .resolved(by: op.id)
            case nil:
                continue
            }
        }
        return out
    }
}
