import RapportSync

/// The decisions the server makes when it stores an operation, independent of the database behind it.
public enum ServerMerge {
    /// The conflict records to append to the log after a reviewed-text field gained a version: a closing
    /// record for each open conflict that no longer stands, and an opening record for a new conflict.
    public static func conflictRecords(key: FieldKey, text: ReviewedText, open: [ConflictRecord]) -> [ConflictRecord] {
        let outcome = text.outcome
        var records: [ConflictRecord] = []
        let closings = ConflictLifecycle.closings(open: open.map { ($0.id, $0.versions) }, text: text)
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
            guard !op.row.isEmpty, op.row.utf8.count <= 128 else {
                throw .invalidOperation("operation \(op.id): row id must be 1-128 bytes")
            }
            do { try schema.validate(op) } catch { throw .invalidOperation("operation \(op.id): \(error)") }
            let ahead = op.time.ms - now
            if ahead > maxClockAheadMs {
                throw .clockAhead(operation: op.id.description, aheadMs: ahead, serverTime: now)
            }
        }
    }
}
