import RapportSync

/// A team of 2-5 replicas that edit a few rows offline and exchange operations now and then, all driven by
/// one seed.
///
/// Each replica stamps its operations with its own hybrid logical clock from a drifting physical clock, and
/// makes reviewed-text edits from its own merged view as the real replica does: an edit names the settled
/// version as base and the other heads as superseded; during a conflict it can only resolve, naming the
/// displayed version as base and every other head as superseded, and marking the operation a resolution. Exchanges sometimes deliver only part of a
/// log, out of order, so children arrive before their parents.
struct TeamSimulation {
    struct Member {
        let replica: String
        let author: String
        var clock = HybridLogicalClock()
        var counter: Int64 = 0
        /// How far this replica's physical clock is off the simulation's time, in ms.
        var drift: Int64
        var state = MergeState()
        var log: [Operation] = []
    }

    private(set) var members: [Member]
    /// Every operation made, in the order they were made.
    private(set) var operations: [Operation] = []
    private var rng: SplitMix64
    private var now: Int64 = 1_763_906_400_000
    private let accounts: [String]
    private let notes: [String]

    static let scalarFields = ["name", "industry", "owner", "tier", "revenue", "margin", "customer_since", "next_renewal", "archived"]
    private static let texts = ["Met the CFO.", "Budget approved.", "Renewal at risk.", ""]

    init(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        // Replica ids where one is a prefix of another pin the tie-break on replica ids, not id text.
        var pool = ["anna", "anna2", "annab", "ben0", "carla", "dave"]
        pool.append(ReplicaID.random(using: &rng))
        pool.shuffle(using: &rng)
        let count = Int.random(in: 2...5, using: &rng)
        var members: [Member] = []
        for replica in pool.prefix(count) {
            members.append(Member(replica: replica, author: "user-\(replica)", drift: Int64.random(in: -40...40, using: &rng)))
        }
        self.members = members
        accounts = [Self.rowID(using: &rng), Self.rowID(using: &rng)]
        notes = [Self.rowID(using: &rng), Self.rowID(using: &rng)]
        self.rng = rng
    }

    /// Runs the team for `steps` random actions, then lets every replica receive every operation.
    mutating func run(steps: Int) {
        for _ in 0..<steps {
            advanceTime()
            let member = Int.random(in: 0..<members.count, using: &rng)
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<30: setScalar(by: member)
            case 30..<65: editBody(by: member)
            case 65..<68: deleteRow(by: member)
            default: exchange()
            }
        }
        for to in members.indices {
            for from in members.indices where from != to { deliver(from: from, to: to, partial: false) }
        }
    }

    private mutating func advanceTime() {
        // Mostly the same or the next millisecond, so timestamps collide often.
        now += [0, 0, 0, 1, 1, 2, 5, 250].randomElement(using: &rng)!
        if Int.random(in: 0..<20, using: &rng) == 0 {
            // A clock correction, possibly backwards.
            let m = Int.random(in: 0..<members.count, using: &rng)
            members[m].drift = Int64.random(in: -40...40, using: &rng)
        }
    }

    private mutating func setScalar(by m: Int) {
        let field = Self.scalarFields.randomElement(using: &rng)!
        let row = accounts.randomElement(using: &rng)!
        record(by: m, FieldKey(entity: "account", row: row, field: field), value: randomValue(for: field))
    }

    private mutating func editBody(by m: Int) {
        let key = FieldKey(entity: "note", row: notes.randomElement(using: &rng)!, field: "body")
        let value = randomText()
        guard let text = members[m].state.texts[key], let outcome = text.outcome else {
            record(by: m, key, value: value)
            return
        }
        switch outcome {
        case .settled(let current, let heads):
            record(by: m, key, value: value, base: current.id, supersedes: heads.filter { $0 != current.id })
        case .conflict(let conflict):
            let base = text.displayed!.id
            let keep = Bool.random(using: &rng) ? text.versions[conflict.versions.randomElement(using: &rng)!]!.value : value
            record(by: m, key, value: keep, base: base, supersedes: conflict.heads.filter { $0 != base }, resolution: true)
        }
    }

    private mutating func deleteRow(by m: Int) {
        let (entity, row) = Bool.random(using: &rng)
            ? ("account", accounts.randomElement(using: &rng)!)
            : ("note", notes.randomElement(using: &rng)!)
        record(by: m, FieldKey(entity: entity, row: row, field: Schema.deletedField), value: .bool(true))
    }

    private mutating func exchange() {
        let from = Int.random(in: 0..<members.count, using: &rng)
        var to = Int.random(in: 0..<members.count - 1, using: &rng)
        if to >= from { to += 1 }
        deliver(from: from, to: to, partial: Int.random(in: 0..<10, using: &rng) < 3)
    }

    private mutating func deliver(from: Int, to: Int, partial: Bool) {
        var batch = members[from].log.filter { !members[to].state.applied.contains($0.id) }
        if partial {
            batch = batch.filter { _ in Bool.random(using: &rng) }.shuffled(using: &rng)
        }
        for op in batch {
            guard members[to].state.apply(op, schema: .rapport) else { continue }
            members[to].clock.receive(op.time, physical: now + members[to].drift)
            members[to].log.append(op)
        }
    }

    private mutating func record(
        by m: Int, _ key: FieldKey, value: FieldValue, base: OperationID? = nil, supersedes: [OperationID] = [], resolution: Bool = false
    ) {
        members[m].counter += 1
        let op = Operation(
            id: OperationID(replica: members[m].replica, counter: members[m].counter), author: members[m].author,
            entity: key.entity, row: key.row, field: key.field, value: value,
            time: members[m].clock.tick(physical: now + members[m].drift), base: base, supersedes: supersedes,
            resolution: resolution)
        members[m].state.apply(op, schema: .rapport)
        members[m].log.append(op)
        operations.append(op)
    }

    private mutating func randomText() -> FieldValue {
        // Half the time a text someone else may also have typed, so identical versions occur.
        switch Int.random(in: 0..<20, using: &rng) {
        case 0: .null
        case 1..<10: .text(Self.texts.randomElement(using: &rng)!)
        default: .text("note \(UInt32.random(in: 0...UInt32.max, using: &rng))")
        }
    }

    private mutating func randomValue(for field: String) -> FieldValue {
        if Int.random(in: 0..<10, using: &rng) == 0 { return .null }
        switch field {
        case "name", "industry", "owner":
            return .text(["Acme", "Nordwind AG", "Fjord Shipping", "anna", "ben"].randomElement(using: &rng)!)
        case "tier":
            return .text(Bool.random(using: &rng) ? "key" : "standard")
        case "revenue":
            return Bool.random(using: &rng)
                ? .real(Double(Int.random(in: 0...5_000_000, using: &rng)) / 4)
                : .int(Int64.random(in: 0...5_000_000, using: &rng))
        case "margin":
            return Bool.random(using: &rng) ? .real(Double.random(in: -100...100, using: &rng)) : .int(Int64.random(in: -100...100, using: &rng))
        case "customer_since", "next_renewal":
            return .text("20\(Int.random(in: 10...39, using: &rng))-0\(Int.random(in: 1...9, using: &rng))-1\(Int.random(in: 0...9, using: &rng))")
        default:
            return .bool(Bool.random(using: &rng))
        }
    }

    private static func rowID(using rng: inout SplitMix64) -> String {
        let hex = Array("0123456789abcdef")
        let digits = String((0..<32).map { _ in hex.randomElement(using: &rng)! })
        var parts: [Substring] = []
        var rest = Substring(digits)
        for length in [8, 4, 4, 4, 12] {
            parts.append(rest.prefix(length))
            rest = rest.dropFirst(length)
        }
        return parts.joined(separator: "-")
    }
}
