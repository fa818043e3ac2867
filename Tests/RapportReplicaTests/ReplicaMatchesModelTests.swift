import Foundation
import RapportSync
import RapportTestSupport
import Testing
@testable import RapportReplica

/// The replica keeps merged state in SQL tables; the pure `MergeState` is the reference. Random operation
/// sets delivered in random orders, with duplicates and pages, must leave the tables equal to the model.
@Suite struct ReplicaMatchesModelTests {
    static func operations(seed: UInt64) -> [Operation] {
        var rng = SplitMix(state: seed)
        let replicas = ["aaaa1", "bbbb2", "cccc3"]
        let rows = ["r1", "r2"]
        var counters: [String: Int64] = [:]
        var ops: [Operation] = []
        var model = MergeState()
        for _ in 0..<40 {
            let replica = replicas.randomElement(using: &rng)!
            counters[replica, default: 0] += 1
            let id = OperationID(replica: replica, counter: counters[replica]!)
            let time = Timestamp(ms: Int64.random(in: 1000...1010, using: &rng), logical: Int.random(in: 0...2, using: &rng))
            let row = rows.randomElement(using: &rng)!
            let op: Operation
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:
                op = Operation(id: id, author: "u", entity: "account", row: row, field: "revenue",
                               value: .real(Double(Int.random(in: 1...9, using: &rng))), time: time)
            case 4..<5:
                op = Operation(id: id, author: "u", entity: "account", row: row, field: "tier",
                               value: .text(["key", "standard"].randomElement(using: &rng)!), time: time)
            case 5:
                op = Operation(id: id, author: "u", entity: "account", row: row, field: Schema.deletedField, value: .bool(true), time: time)
            default:
                // A text edit based on some version this "replica" had seen: the latest known or none.
                let key = FieldKey(entity: "note", row: row, field: "body")
                let known = model.texts[key]
                var base: OperationID?
                var supersedes: [OperationID] = []
                switch known?.outcome {
                case .settled(let current, let heads)?:
                    base = current.id
                    supersedes = heads.filter { $0 != current.id }
                case .conflict(let c)? where Bool.random(using: &rng):
                    base = c.versions[0]
                    supersedes = c.heads.filter { $0 != c.versions[0] }
                case .conflict(let c)?:
                    base = c.versions.randomElement(using: &rng)
                default:
                    base = nil
                }
                op = Operation(id: id, author: "u", entity: "note", row: row, field: "body",
                               value: .text("text \(Int.random(in: 0...3, using: &rng))"), time: time, base: base, supersedes: supersedes)
            }
            if Int.random(in: 0..<3, using: &rng) > 0 { model.apply(op, schema: .rapport) }
            ops.append(op)
        }
        return ops
    }

    @Test(arguments: 0..<40)
    func replicaTablesEqualTheModel(seed: Int) throws {
        var rng = SplitMix(state: UInt64(seed) &* 7919)
        let ops = Self.operations(seed: UInt64(seed))
        var model = MergeState()
        for op in ops { model.apply(op, schema: .rapport) }

        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "u")
        var delivery = ops + ops.shuffled(using: &rng).prefix(10)
        delivery.shuffle(using: &rng)
        var cursor: Int64 = 0
        while !delivery.isEmpty {
            // Mostly small batches, sometimes a whole pulled page: new rows then arrive with several versions
            // of a text at once, conflicts included.
            let n = Int.random(in: 0..<4, using: &rng) == 0 ? Int.random(in: 20...80, using: &rng) : Int.random(in: 1...7, using: &rng)
            cursor += 1
            try replica.applyPulled(Array(delivery.prefix(n)), cursor: cursor)
            delivery.removeFirst(min(n, delivery.count))
        }

        for (key, value) in model.values {
            let row = RowKey(entity: key.entity, row: key.row)
            if model.deleted[row] != nil { continue }
            let record = try replica.record(key.entity, id: key.row)
            #expect(record?[key.field] == value, "seed \(seed): \(key)")
        }
        let deleted = Set(try replica.records("account", includeDeleted: true).filter(\.deleted).map(\.id))
        #expect(deleted == Set(model.deleted.keys.map(\.row)), "seed \(seed): deleted rows")
        #expect(Set(try replica.conflicts().map(\.id)) == Set(model.conflicts.keys), "seed \(seed): open conflicts")
    }
}
