import RapportSync

/// Foundation has an `Operation` too; in these tests the name means the sync operation.
typealias Operation = RapportSync.Operation

/// The state a set of operations merges to, delivered in the given order.
func merged(_ operations: some Sequence<Operation>, schema: Schema = .rapport) -> MergeState {
    var state = MergeState()
    for op in operations { state.apply(op, schema: schema) }
    return state
}

extension ReviewedText {
    /// The versions that no other held version names as its base or supersedes.
    var headOperations: [Operation] {
        let replaced = Set(versions.values.flatMap(\.parents))
        return versions.values.filter { !replaced.contains($0.id) }
    }
}
