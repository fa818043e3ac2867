import RapportReplica
import RapportServer
import RapportSync

/// What must hold once a simulated team has healed and fallen quiet.
///
/// The reference is the server's log: its operations, merged in memory by `MergeState` (the merge rules
/// as a pure function of a set of operations), say what every replica must show. Comparing each replica
/// with that model, and not only the replicas with each other, also catches a bug that all of them share.
struct Invariants {
    let simulator: Simulator

    var replicas: [SimulatedReplica] { simulator.replicas }
    var schema: Schema { simulator.schema }

    func check(expectNoOpenConflicts: Bool = false) async throws {
        let log = try await simulator.server.storage.wholeLog()
        let head = try await simulator.server.storage.head()
        try checkPositions(log, head: head)
        let operations = log.compactMap { entry -> Operation? in
            if case .operation(_, let op) = entry { op } else { nil }
        }
        var byID: [OperationID: Operation] = [:]
        var model = MergeState()
        for op in operations {
            guard byID.updateValue(op, forKey: op.id) == nil else { throw violation("the server log holds operation \(op.id) twice") }
            model.apply(op, schema: schema)
        }
        try checkAcknowledged(byID, model: model)
        try checkCompactedStayedAway(byID)
        try checkOperations(byID, model: model)
        try checkClocks(operations)
        try checkTables(model)
        try checkPairs(model)
        try checkOpenConflicts(model, log: log)
        try ConflictRecordsCheck(schema: schema, fail: violation, compactedThrough: simulator.compactedThrough).check(log)
        try checkReplicaConflictHistory()
        if expectNoOpenConflicts, let open = model.conflictsToReview.keys.min() {
            throw violation("conflict \(open) is still open after every conflict was resolved and the team synced")
        }
    }

    /// Log positions are exactly 1...head: gapless, strictly increasing, none skipped by a pull; except that
    /// compaction leaves gaps at or below the highest position it reached, never at the head.
    func checkPositions(_ log: [LogEntry], head: Int64) throws {
        var expected: Int64 = 1
        for entry in log {
            if entry.seq != expected, !(entry.seq > expected && entry.seq - 1 <= simulator.compactedThrough) {
                throw violation("server log position \(entry.seq) found where \(expected) belongs")
            }
            expected = entry.seq + 1
        }
        guard expected - 1 == head else { throw violation("the server's head is \(head) but its log ends at \(expected - 1)") }
    }

    /// An operation compaction deleted from the server's log, which must be one that lost its field.
    func compactedAway(_ id: OperationID, model: MergeState) -> Bool {
        guard let op = simulator.compacted[id] else { return false }
        return superseded(op, in: model)
    }

    /// No push stored again an operation that compaction had deleted: the horizon must keep compaction off
    /// every operation a replica may still hold as unacknowledged and push again (and, after re-stamping,
    /// push again with a new timestamp under its old id).
    func checkCompactedStayedAway(_ server: [OperationID: Operation]) throws {
        if let back = server.keys.sorted().first(where: { simulator.compacted[$0] != nil }) {
            throw violation("operation \(name(back)) was compacted away and then stored again by a later push")
        }
    }

    /// Every operation a replica was told the server has (its push was acknowledged, or it pulled it back)
    /// is on the server, and every operation a committed local change made reached it.
    func checkAcknowledged(_ server: [OperationID: Operation], model: MergeState) throws {
        for node in replicas {
            if let lost = node.acknowledged.sorted().first(where: { server[$0] == nil && !compactedAway($0, model: model) }) {
                throw violation("operation \(lost) was acknowledged to \(node.name) but is missing from the server log")
            }
            if let lost = node.made.first(where: { server[$0] == nil && !compactedAway($0, model: model) }) {
                throw violation("operation \(lost), committed on \(node.name), never reached the server")
            }
        }
    }

    /// Every replica holds the server's operations, each with the same content, and nothing pending; except
    /// that a replica that started from the server's snapshot never received the values overwritten before
    /// it started, which the merge rules ignore anyway, and that a replica may still hold overwritten values
    /// that compaction deleted from the server's log.
    func checkOperations(_ server: [OperationID: Operation], model: MergeState) throws {
        for node in replicas {
            var held: [OperationID: Operation] = [:]
            for op in try node.operations() {
                if let other = held.updateValue(op, forKey: op.id) {
                    throw violation("\(node.name) holds operation \(op.id) twice: \(other) and \(op)")
                }
            }
            if let missing = server.keys.sorted().first(where: { held[$0] == nil && !superseded(server[$0]!, in: model) }) {
                throw violation("\(node.name) lacks operation \(missing), which the server has")
            }
            if let extra = held.keys.sorted().first(where: { server[$0] == nil && !(held[$0] == simulator.compacted[$0] && compactedAway($0, model: model)) }) {
                throw violation("\(node.name) holds operation \(extra), which the server does not have")
            }
            if let differing = server.keys.sorted().first(where: { held[$0] != nil && held[$0] != server[$0] }) {
                throw violation("\(node.name)'s operation \(differing) differs from the server's: \(held[differing]!) vs \(server[differing]!)")
            }
            let pending = try node.replica.pendingCount()
            guard pending == 0 else { throw violation("\(node.name) still has \(pending) pending operations") }
        }
    }

    /// Whether another operation of the same last-writer-wins field, or another tombstone of the same row,
    /// wins over `op` (which the model may not hold).
    func superseded(_ op: Operation, in model: MergeState) -> Bool {
        let winner: Operation? = switch (try? schema.spec(for: op.key))?.merge ?? .lastWriterWins {
        case .lastWriterWins: model.scalars[op.key]
        case .tombstone: model.deleted[RowKey(entity: op.entity, row: op.row)]
        case .reviewedText: nil
        }
        guard let winner, winner.id != op.id else { return false }
        return LastWriterWins.wins(winner, over: op)
    }

    /// The clock rules' promises: each replica's operations are stamped in the order it made them, and a
    /// version is stamped after every version it replaces that its maker held.
    func checkClocks(_ operations: [Operation]) throws {
        var latest: [String: Operation] = [:]
        for op in operations.sorted(by: { $0.id < $1.id }) {
            if let previous = latest[op.id.replica], !Operation.isOrdered(previous, before: op) {
                throw violation("\(name(op.id)) is stamped \(op.time), not after \(name(previous.id)) at \(previous.time)")
            }
            latest[op.id.replica] = op
        }
        let byID = Dictionary(operations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for op in operations {
            for parent in op.parents {
                guard let replaced = byID[parent] else { continue }
                if !Operation.isOrdered(replaced, before: op) {
                    throw violation("\(name(op.id)) at \(op.time) replaces \(name(parent)) at \(replaced.time), which is not earlier")
                }
            }
        }
    }

    /// Fields written only together are won by one change together: stamped apart, two replicas' changes
    /// stamped alike (a shared clock, a clock ahead re-stamped, a push cut between them) split them.
    func checkPairs(_ model: MergeState) throws {
        let (entity, fields) = LocalEdits.pair
        let rows = Set(model.scalars.keys.filter { $0.entity == entity && fields.contains($0.field) }.map(\.row))
        for row in rows.sorted() where model.deleted[RowKey(entity: entity, row: row)] == nil {
            let winners = fields.map { model.scalars[FieldKey(entity: entity, row: row, field: $0)] }
            guard let first = winners[0], winners.allSatisfy({ $0?.id.replica == first.id.replica && $0?.time == first.time }) else {
                throw violation("\(entity) \(row)'s \(fields.joined(separator: " and ")), written together, are won by different changes: " +
                                winners.map { $0.map { "\(name($0.id)) at \($0.time)" } ?? "none" }.joined(separator: ", "))
            }
        }
    }

    /// One row as a replica's entity table shows it.
    struct Row: Equatable {
        var id: String
        var values: [String: FieldValue]
        var deleted: Bool

        init(id: String, values: [String: FieldValue], deleted: Bool) {
            self.id = id
            self.values = values
            self.deleted = deleted
        }

        init(_ record: Record) {
            self.init(id: record.id, values: record.values, deleted: record.deleted)
        }

        var description: String {
            (deleted ? "deleted " : "") + values.sorted { $0.key < $1.key }.map { "\($0.key)=\(LocalEdits.show($0.value))" }.joined(separator: " ")
        }
    }

    /// Every replica's entity tables show what the merge rules make of the server's operations.
    func checkTables(_ model: MergeState) throws {
        let values = model.values
        for entity in schema.entities {
            var ids = Set<String>()
            for key in model.scalars.keys where key.entity == entity.name { ids.insert(key.row) }
            for key in model.texts.keys where key.entity == entity.name { ids.insert(key.row) }
            for key in model.deleted.keys where key.entity == entity.name { ids.insert(key.row) }
            let expected = ids.sorted().map { id in
                Row(
                    id: id,
                    values: Dictionary(uniqueKeysWithValues: entity.fields.map { field in
                        (field.name, values[FieldKey(entity: entity.name, row: id, field: field.name)] ?? .null)
                    }),
                    deleted: model.deleted[RowKey(entity: entity.name, row: id)] != nil)
            }
            for node in replicas {
                let actual = try node.replica.records(entity.name, includeDeleted: true).map(Row.init).sorted { $0.id < $1.id }
                guard actual != expected else { continue }
                let shown = Dictionary(actual.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                if let row = expected.first(where: { shown[$0.id] != $0 }) {
                    throw violation("\(node.name) shows \(entity.name) \(row.id) as \(shown[row.id]?.description ?? "missing"), the merge rules give \(row.description)")
                }
                throw violation("\(node.name) shows \(entity.name) rows that no operation made: \(Set(shown.keys).subtracting(ids).sorted())")
            }
        }
    }

    /// The open conflicts are the same everywhere: on every replica, in the server's log, and in the model;
    /// replicas leave out those of removed rows, which the log still records open.
    func checkOpenConflicts(_ model: MergeState, log: [LogEntry]) throws {
        let reviewed = model.conflictsToReview.values.sorted { $0.id < $1.id }
        let expected = model.conflicts.values.sorted { $0.id < $1.id }
        for node in replicas {
            let open = try node.replica.conflicts().sorted { $0.id < $1.id }
            let shown = open.map { Conflict(key: $0.key, versions: $0.versions, base: $0.base, heads: $0.heads) }
            guard shown != reviewed else { continue }
            throw violation("\(node.name) has open conflicts \(open.map { "\($0.id) \($0.versions)" }), the merge rules give \(reviewed.map { "\($0.id) \($0.versions)" })")
        }
        var logged: [String: ConflictRecord] = [:]
        for case .conflict(_, let record) in log {
            logged[record.id] = record.open ? record : nil
        }
        let fromLog = logged.values.sorted { $0.id < $1.id }.map { "\($0.id) \($0.versions) base \($0.base?.description ?? "none")" }
        let fromModel = expected.map { "\($0.id) \($0.versions) base \($0.base?.description ?? "none")" }
        guard fromLog == fromModel else {
            throw violation("the server's log leaves open \(fromLog), the merge rules give \(fromModel)")
        }
    }

    /// Each replica's closed conflicts name what closed them, and no conflict it ever showed lost a version.
    func checkReplicaConflictHistory() throws {
        for node in replicas {
            let all = try node.replica.conflicts(all: true)
            let ids = Set(all.map(\.id))
            for conflict in all {
                for version in conflict.versions where try node.replica.operation(version, on: conflict.key) == nil {
                    throw violation("\(node.name)'s conflict \(conflict.id) names version \(version), which it does not hold")
                }
                switch conflict.status {
                case "open":
                    continue
                case "removed":
                    // Over with its row: shown so only while the row is removed.
                    guard try node.replica.record(conflict.key.entity, id: conflict.key.row)?.deleted == true else {
                        throw violation("\(node.name)'s conflict \(conflict.id) shows as removed, but its \(conflict.key.entity) is there")
                    }
                case "widened":
                    guard let into = conflict.closedBy, ids.contains(into) else {
                        throw violation("\(node.name)'s conflict \(conflict.id) was widened into \(conflict.closedBy ?? "nothing"), which it never had")
                    }
                default:
                    guard let by = conflict.closedBy.flatMap(OperationID.init), try node.replica.operation(by, on: conflict.key) != nil else {
                        throw violation("\(node.name)'s conflict \(conflict.id) was closed by \(conflict.closedBy ?? "nothing"), not a version of its field")
                    }
                }
            }
        }
    }

    /// An operation id with the simulated replica that made it, for messages.
    func name(_ id: OperationID) -> String {
        let maker = replicas.first { (try? $0.replica.identity().id) == id.replica }
        return "\(id)" + (maker.map { " (\($0.name))" } ?? "")
    }

    func violation(_ message: String) -> SimulationFailure {
        simulator.failure(message)
    }
}
