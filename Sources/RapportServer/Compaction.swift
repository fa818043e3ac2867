import RapportSync

// A bounded log and a fast start for new replicas, and why neither changes what any replica shows.
//
// The merged state is a function of the set of operations held (Protocol/README.md, "Merge rules"). Of a
// last-writer-wins field only the latest operation in the total order counts, so an operation that another
// one of the same field beats can be left out without changing the field: it lost, and it can never win
// again, because a field's winner only ever changes to an operation later still. The server's `fields`
// table holds each such field's winner, tombstones included, so "has a `fields` row that names another
// operation" is exactly "superseded". (The SQLite store folds pushed operations into `fields` in bulk and
// folds what is left before a snapshot or a compaction reads it; its test also compares the order, so
// an operation not folded yet is never taken for superseded.) Reviewed text is different: its outcome
// (heads, conflicts, their bases) depends on every version, so no version is ever left out.
//
// Snapshot: the operations with `after < seq <= through` minus the superseded ones. A field's winner among
// the positions up to `through` is still its `fields` row when the page that holds it is read, or else a
// later operation replaced it, and that one has a position past `through` (positions only grow) and comes
// in the pull that follows the snapshot. Either way the replica ends with the field's true winner, while
// other replicas keep pushing between pages.
//
// Compaction deletes superseded last-writer-wins values (never a winner, a tombstone or a text version) and
// the records of closed conflicts (replicas derive conflicts themselves; closed ones take no part in
// merging). By the argument above, a replica at any cursor still converges, since it gets every winner.
// What the horizon (the lowest cursor the workspace's replicas reported) protects is the rest of the log's
// promise: a replica whose cursor has passed an operation pulled it back, so no replica still holds it as
// unacknowledged, and a retried push whose response was lost can never meet a deleted operation and store
// it a second time (worse, a replica that re-stamped it meanwhile would store it under its old id with a
// new timestamp that may win, which replicas holding the original would store beside it, one id twice).
// The age bound (`keepAfterMs`) keeps recent superseded values for the history that replicas show. The
// entry at the head is never deleted: the SQLite store derives the head from the highest position held,
// and a head that moved back would hand a position out twice.
//
// A replica file that goes back in time (copied, or restored from a backup) escapes the horizon: it may push
// again an operation that was deleted, or a new one under a deleted id. So compaction records, per replica,
// the highest counter it deleted (`compacted_counters`), and a push that carries an id at or below it that the
// log no longer holds is refused as reusing it; the replica then moves its unsynced operations to a new id.

/// What compacting one workspace's log did, and what limited it.
public struct CompactionReport: Sendable, Equatable {
    public var workspace: String
    public var deletedOperations: Int
    public var deletedConflictRecords: Int
    /// Log entries (operations and conflict records) the workspace holds afterwards.
    public var remainingEntries: Int
    public var head: Int64
    /// Nothing above this position was deleted: the lowest cursor any replica of the workspace reported.
    public var horizon: Int64
    /// The replica whose cursor sets the horizon, when the horizon is below the head: the one to sync (or
    /// to retire) before more can go.
    public var heldBackBy: ReplicaCursor?
    /// Space the database file keeps for reuse after the deletion (SQLite only; the file does not shrink).
    public var reusableBytes: Int64?

    public init(
        workspace: String, deletedOperations: Int, deletedConflictRecords: Int, remainingEntries: Int,
        head: Int64, horizon: Int64, heldBackBy: ReplicaCursor?, reusableBytes: Int64?
    ) {
        self.workspace = workspace
        self.deletedOperations = deletedOperations
        self.deletedConflictRecords = deletedConflictRecords
        self.remainingEntries = remainingEntries
        self.head = head
        self.horizon = horizon
        self.heldBackBy = heldBackBy
        self.reusableBytes = reusableBytes
    }
}

/// A replica as the server knows it: whose it is, how far it has applied the log, when it last said hello.
public struct ReplicaCursor: Sendable, Equatable {
    public var id: String
    public var user: String
    /// nil when the replica never reported one (it synced only with an older client, or only pushed).
    public var cursor: Int64?
    public var seenMs: Int64?

    public init(id: String, user: String, cursor: Int64?, seenMs: Int64?) {
        self.id = id
        self.user = user
        self.cursor = cursor
        self.seenMs = seenMs
    }
}

/// The choices both stores make alike.
public enum Compaction {
    /// Positions deleted per transaction, so that pushes wait at most for one slice of a large compaction.
    public static let slice: Int64 = 50_000

    /// The oldest stamp an overwritten value may carry and still be kept, `keepDays` days before `now`.
    public static func keepAfterMs(now: Int64, keepDays: Int) -> Int64 {
        // Past a few centuries every value is kept anyway; the bound only keeps the arithmetic in range.
        now - Int64(min(max(keepDays, 0), 100_000)) * 24 * 3600 * 1000
    }

    /// The cursor `forgetReplica` gives a replica: past any head, so it never holds compaction back, while the
    /// replica stays registered to its user (deleting it let anyone with a token take the id over). Its next
    /// handshake sets its real cursor again.
    public static let forgotten = Int64.max

    /// The horizon for a head and the workspace's replica with the lowest cursor (nil when it has none): a
    /// replica that never reported a cursor counts as having seen nothing.
    public static func horizon(head: Int64, lowest: ReplicaCursor?) -> Int64 {
        guard let lowest else { return head }
        return min(head, max(0, lowest.cursor ?? 0))
    }

    /// The slices `(after, through]` of positions that may be compacted: at or below the horizon and below
    /// the head.
    public static func slices(head: Int64, horizon: Int64) -> [(after: Int64, through: Int64)] {
        let last = min(horizon, head - 1)
        return stride(from: Int64(0), to: max(last, 0), by: Int(slice)).map { ($0, min($0 + slice, last)) }
    }
}
