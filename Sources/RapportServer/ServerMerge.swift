import RapportSync

/// The decisions the server makes when it stores an operation, independent of the database behind it.
public enum ServerMerge {
    /// The conflict records to append to the log after a reviewed-text field gained a version: a closing
    /// record for each open conflict that no longer stands, and an opening record for a new conflict.
    public static func conflictRecords(key: FieldKey, text: ReviewedText, open: [ConflictRecord]) -> [ConflictRecord] {
        let outcome = text.outcome
        var records: [ConflictRecord] = []
        // Computed once: the outcome walks every version, and a push of note edits asks for one per edit.
        let closings = open.isEmpty ? [:] : ConflictLifecycle.closings(open: open.map { ($0.id, $0.versions) }, text: text, outcome: outcome)
        for record in open where closings[record.id] != nil {
            var closed = record
            closed.open = false
            records.append(closed)
        }
        if case .conflict(let conflict) = outcome, !open.contains(where: { $0.id == conflict.id }) {
            records.append(ConflictRecord(id: conflict.id, key: key, versions: conflict.versions, base: conflict.base, open: true))
        }
        return records
    }

    /// Checks a batch before it reaches storage: its size, each operation's form, author, replica and clock.
    static func validate(
        _ operations: [Operation], user: String, replica: String, schema: Schema,
        now: Int64, maxClockAheadMs: Int64, maxBatch: Int
    ) throws(SyncServerError) {
        guard operations.count <= maxBatch else { throw .batchTooLarge(count: operations.count, max: maxBatch) }
        guard ReplicaID.isValid(replica) else {
            throw .badRequest("replica id '\(replica)' must be 4-32 lowercase letters and digits")
        }
        for op in operations {
            guard op.id.replica == replica else { throw .replicaMismatch(operation: op.id.description, replica: replica) }
            guard op.author == user else { throw .authorMismatch(operation: op.id.description, author: op.author, user: user) }
            // Without control characters: PostgreSQL refuses a NUL in text outright (the same push would be
            // stored on SQLite and then block `admin migrate` for good), and the others are no id anyone made.
            guard !op.row.isEmpty, op.row.utf8.count <= 128, !op.row.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) else {
                throw .invalidOperation("operation \(op.id): row id must be 1-128 bytes without control characters")
            }
            do { try schema.validate(op) } catch { throw .invalidOperation("operation \(op.id): \(error)") }
            let ahead = op.time.ms - now
            if ahead > maxClockAheadMs {
                throw .clockAhead(operation: op.id.description, aheadMs: ahead, serverTime: now)
            }
        }
    }
}

/// What storing one push batch does to a workspace, decided in memory from the state the batch touches.
///
/// Both stores load that state (the operations already stored under the batch's ids, the current winner of
/// each last-writer-wins field, every version and open conflict of each reviewed-text field), ask for a plan
/// and write it with as few statements as their database allows. The rules live here once; the stores only
/// read and write rows. (The SQLite store loads no winners and ignores the plan's: it folds the log into its
/// winners table in bulk, with `Operation.isOrdered` as SQL; see `SQLiteSyncStorage.foldWinners`.)
public struct MergePlan: Sendable {
    /// The state of the fields a batch touches, as stored before it.
    public struct Before: Sendable {
        /// Operations already stored under ids that the batch carries.
        public var stored: [OperationID: Operation] = [:]
        /// Ids that the batch carries and the log does not hold, at or below the highest counter compaction
        /// deleted of their replica's operations (`compacted_counters`): they were stored once.
        public var compacted: Set<OperationID> = []
        /// The current winner of each last-writer-wins or tombstone field (only its order matters).
        public var winners: [FieldKey: Operation] = [:]
        /// Every stored version of each reviewed-text field.
        public var versions: [FieldKey: [Operation]] = [:]
        /// The open conflicts of each reviewed-text field.
        public var open: [FieldKey: [ConflictRecord]] = [:]

        public init() {}
    }

    /// The keys whose state a batch needs, by merge rule.
    public static func keys(of operations: [Operation], schema: Schema) -> (scalar: Set<FieldKey>, text: Set<FieldKey>) {
        var scalar: Set<FieldKey> = []
        var text: Set<FieldKey> = []
        for op in operations {
            if case .reviewedText = (try? schema.spec(for: op.key))?.merge ?? .lastWriterWins { text.insert(op.key) } else { scalar.insert(op.key) }
        }
        return (scalar, text)
    }

    /// The reviewed-text keys of a batch: the only state a store that folds winners later needs besides ids.
    public static func textKeys(of operations: [Operation], schema: Schema) -> Set<FieldKey> {
        Set(operations.lazy.filter { (try? schema.spec(for: $0.key))?.merge == .reviewedText }.map(\.key))
    }

    /// New log entries in position order: each accepted operation, then the conflict records it causes.
    public private(set) var entries: [LogEntry] = []
    /// The new winner of each last-writer-wins field the batch changed.
    public private(set) var winners: [FieldKey: Operation] = [:]
    /// The latest state of each conflict record the batch opened or closed.
    public private(set) var conflicts: [String: ConflictRecord] = [:]
    public private(set) var accepted = 0
    public private(set) var duplicates = 0
    public private(set) var head: Int64

    /// Plans a batch on top of `before`, giving positions after `head`. Throws
    /// `SyncServerError.operationIDReused` when an id comes back with other content. Without `winners`, the
    /// plan leaves `winners` empty (for a store that folds them from the log later).
    public init(_ operations: [Operation], before: Before, head: Int64, schema: Schema, winners decideWinners: Bool = true, resent: Bool = false) throws {
        self.head = head
        // The batch's own operations by id, as positions: a batch may carry an operation twice. (Neither this
        // nor the winners copies what `before` holds: a batch is thousands of operations, and copying and
        // growing dictionaries of them took a tenth of a merge.)
        var seen: [OperationID: Int] = [:]
        seen.reserveCapacity(operations.count)
        if decideWinners { winners.reserveCapacity(operations.count) }
        entries.reserveCapacity(operations.count)
        var texts: [FieldKey: ReviewedText] = [:]
        var open = before.open
        for (position, op) in zip(operations.indices, operations) {
            // An id the log held once and compaction deleted can only come from a replica file that went back
            // in time (copied, or restored from a backup): its content is unknown here, so storing it again
            // could hold one id twice across the replicas, or bring back a value that had lost. Refused as
            // reused, the replica moves its unsynced operations to a new id.
            // Unless the batch is operations this server acknowledged before, sent again after it was restored
            // from a backup (`resent`): then it stored this very content once, and compaction deleted it.
            if before.compacted.contains(op.id) {
                guard resent else { throw SyncServerError.operationIDReused(op.id.description) }
                duplicates += 1
                continue
            }
            if let existing = before.stored[op.id] ?? seen[op.id].map({ operations[$0] }) {
                guard existing == op else { throw SyncServerError.operationIDReused(op.id.description) }
                duplicates += 1
                continue
            }
            seen[op.id] = position
            self.head += 1
            entries.append(.operation(seq: self.head, op))
            accepted += 1
            switch (try? schema.spec(for: op.key))?.merge ?? .lastWriterWins {
            case .lastWriterWins, .tombstone:
                if decideWinners, LastWriterWins.wins(op, over: winners[op.key] ?? before.winners[op.key]) {
                    winners[op.key] = op
                }
            case .reviewedText:
                var text = texts[op.key] ?? ReviewedText(versions: before.versions[op.key] ?? [])
                text.add(op)
                texts[op.key] = text
                let records = ServerMerge.conflictRecords(key: op.key, text: text, open: open[op.key] ?? [])
                for record in records {
                    self.head += 1
                    entries.append(.conflict(seq: self.head, record))
                    conflicts[record.id] = record
                    if record.open {
                        open[op.key, default: []].append(record)
                    } else {
                        open[op.key]?.removeAll { $0.id == record.id }
                    }
                }
            }
        }
    }
}
