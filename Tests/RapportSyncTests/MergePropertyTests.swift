import RapportSync
import Testing

/// The merge rules' properties, checked on the operations of simulated teams. A failing case names its
/// seed; `TeamSimulation(seed:)` replays it.
@Suite("Merge properties")
struct MergePropertyTests {
    static let seeds: [UInt64] = Array(0..<200)
    static let steps = 120

    static func simulate(_ seed: UInt64) -> TeamSimulation {
        var team = TeamSimulation(seed: seed)
        team.run(steps: steps)
        return team
    }

    @Test("Any delivery order, with duplicates, merges to the same state", arguments: seeds)
    func mergeIsCommutativeAndIdempotent(seed: UInt64) {
        let operations = Self.simulate(seed).operations
        let reference = merged(operations)
        var rng = SplitMix64(seed: seed &+ 0x5EED)
        for round in 0..<5 {
            var delivery = operations.shuffled(using: &rng)
            for _ in 0..<Int.random(in: 0...operations.count / 2, using: &rng) {
                delivery.insert(operations.randomElement(using: &rng)!, at: Int.random(in: 0...delivery.count, using: &rng))
            }
            let state = merged(delivery)
            #expect(state.values == reference.values, "seed \(seed), round \(round): values differ")
            #expect(state.conflicts == reference.conflicts, "seed \(seed), round \(round): conflicts differ")
            #expect(Set(state.deleted.keys) == Set(reference.deleted.keys), "seed \(seed), round \(round): deleted rows differ")
            #expect(state == reference, "seed \(seed), round \(round): states differ")
        }
    }

    @Test("Applying the same operations again changes nothing", arguments: seeds)
    func reapplyingChangesNothing(seed: UInt64) {
        let operations = Self.simulate(seed).operations
        let once = merged(operations)
        var twice = once
        for op in operations {
            let appliedAgain = twice.apply(op, schema: .rapport)
            #expect(!appliedAgain, "seed \(seed): \(op.id) applied twice")
        }
        #expect(twice == once, "seed \(seed)")
    }

    @Test("Every replica shows the same state once it has every operation", arguments: seeds)
    func replicasConverge(seed: UInt64) {
        let team = Self.simulate(seed)
        let reference = merged(team.operations)
        for member in team.members {
            #expect(member.state.values == reference.values, "seed \(seed): \(member.replica) shows other values")
            #expect(member.state.conflicts == reference.conflicts, "seed \(seed): \(member.replica) has other conflicts")
            #expect(Set(member.state.deleted.keys) == Set(reference.deleted.keys), "seed \(seed): \(member.replica) deleted other rows")
        }
    }

    @Test("Simulated operations are valid and their clocks respect causality", arguments: seeds)
    func operationsAreValidAndCausallyStamped(seed: UInt64) {
        let operations = Self.simulate(seed).operations
        let byID = Dictionary(uniqueKeysWithValues: operations.map { ($0.id, $0) })
        var lastByReplica: [String: Operation] = [:]
        for op in operations {
            #expect(throws: Never.self, "seed \(seed): \(op.id)") { try Schema.rapport.validate(op) }
            for parent in op.parents {
                guard let parentOp = byID[parent] else {
                    Issue.record("seed \(seed): \(op.id) names \(parent), which no replica made")
                    continue
                }
                #expect(Operation.isOrdered(parentOp, before: op), "seed \(seed): \(op.id) is not after its parent \(parent)")
            }
            if let previous = lastByReplica[op.id.replica] {
                #expect(previous.id.counter < op.id.counter && previous.time < op.time, "seed \(seed): \(op.id) after \(previous.id)")
            }
            lastByReplica[op.id.replica] = op
        }
    }

    @Test("A last-writer-wins field shows the last write in the total order", arguments: seeds)
    func lastWriterWinsPicksTheMaximum(seed: UInt64) {
        let operations = Self.simulate(seed).operations
        let values = merged(operations).values
        let scalar = operations.filter { (try? Schema.rapport.spec(for: $0.key))?.merge == .lastWriterWins }
        for (key, writes) in Dictionary(grouping: scalar, by: \.key) {
            let winner = writes.max { Operation.isOrdered($0, before: $1) }!
            #expect(values[key] == winner.value, "seed \(seed): \(key) shows \(String(describing: values[key])), not \(winner.id)'s \(winner.value)")
        }
    }

    @Test("A row is deleted exactly when some tombstone names it", arguments: seeds)
    func tombstonesDeleteTheirRows(seed: UInt64) {
        let operations = Self.simulate(seed).operations
        let tombstoned = Set(operations.filter { $0.field == Schema.deletedField }.map { RowKey(entity: $0.entity, row: $0.row) })
        #expect(Set(merged(operations).deleted.keys) == tombstoned, "seed \(seed)")
    }

    /// No text version ever disappears: every head is shown, is one of an open conflict's versions (itself or
    /// one with the same text), or is a resolution out-voted by a later resolution of the same conflict (same
    /// parents). An edit that is not a resolution is never out-voted, whatever it supersedes. Every version
    /// that is not a head is an ancestor or superseded version of one.
    ///
    /// Checked after every operation, not only on the final set: the rules hold for any set of operations,
    /// and a later resolution often hides a pair of concurrent edits that was wrongly merged before it.
    @Test("No reviewed-text version disappears", arguments: seeds)
    func everyTextHeadIsRepresented(seed: UInt64) {
        var state = MergeState()
        for (count, op) in Self.simulate(seed).operations.enumerated() {
            state.apply(op, schema: .rapport)
            if state.texts[op.key] != nil {
                Self.expectNoVersionDisappears(op.key, in: state, "seed \(seed), after \(count + 1) operations")
            }
        }
    }

    static func expectNoVersionDisappears(_ key: FieldKey, in state: MergeState, _ label: String) {
        guard let text = state.texts[key] else { return }
        let value = state.values[key]
        let heads = text.headOperations
        #expect(!heads.isEmpty, "\(label): \(key) has versions but no head")
        let conflict = state.conflicts.values.first { $0.key == key }
        let shownTexts = Set((conflict?.versions ?? []).compactMap { text.versions[$0]?.value } + [value ?? .null])
        var standing: Set<FieldValue> = []
        for head in heads {
            let outvoted = head.resolution && heads.contains {
                $0.resolution && Set($0.parents) == Set(head.parents) && Operation.isOrdered(head, before: $0)
            }
            if !outvoted { standing.insert(head.value) }
            #expect(outvoted || shownTexts.contains(head.value), "\(label): \(key) lost head \(head.id)")
        }
        if let conflict {
            #expect(standing.count > 1 && conflict.versions.count == standing.count, "\(label): \(key) conflict \(conflict.id)")
            #expect(Set(conflict.heads) == Set(heads.map(\.id)), "\(label): \(key) conflict heads")
            #expect(value == conflict.versions.compactMap { text.versions[$0] }.max { Operation.isOrdered($0, before: $1) }?.value,
                    "\(label): \(key) shows a version other than the conflict's latest")
        } else {
            #expect(standing.count == 1, "\(label): \(key) has \(standing.count) standing texts and no conflict")
        }
    }

    /// The properties above are only as strong as the cases the simulation makes; this pins that it makes the
    /// reviewed-text cases the rules are about, counted over all seeds.
    @Test("The simulated teams make conflicts, out-voted resolutions and concurrent edits with equal parents")
    func simulationCoversTheTextCases() {
        var conflicts = 0, outvotedResolutions = 0, editsWithSupersedes = 0, concurrentEditsWithEqualParents = 0
        for seed in Self.seeds {
            var state = MergeState()
            var seenOutvoted: Set<OperationID> = [], seenPairs: Set<[OperationID]> = []
            for op in Self.simulate(seed).operations {
                state.apply(op, schema: .rapport)
                guard let text = state.texts[op.key] else { continue }
                if op.field == "body", !op.resolution, !op.supersedes.isEmpty { editsWithSupersedes += 1 }
                if case .conflict = text.outcome, op.field == "body" { conflicts += 1 }
                let heads = text.headOperations
                for a in heads {
                    for b in heads where Operation.isOrdered(a, before: b) && Set(a.parents) == Set(b.parents) {
                        if a.resolution && b.resolution { seenOutvoted.insert(a.id) }
                        if !a.resolution && !b.resolution && !a.supersedes.isEmpty { seenPairs.insert([a.id, b.id]) }
                    }
                }
            }
            outvotedResolutions += seenOutvoted.count
            concurrentEditsWithEqualParents += seenPairs.count
        }
        #expect(conflicts > 2_000, "\(conflicts) operations left a conflict")
        #expect(outvotedResolutions > 100, "\(outvotedResolutions) resolutions were out-voted")
        #expect(editsWithSupersedes > 80, "\(editsWithSupersedes) edits superseded a collapsed or out-voted head")
        #expect(concurrentEditsWithEqualParents > 8, "\(concurrentEditsWithEqualParents) pairs of concurrent edits with equal parents and supersedes were heads together")
    }
}
