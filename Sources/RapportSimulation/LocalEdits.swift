import RapportReplica
import RapportSync
import RapportTestSupport

/// Random local changes, as people make them through the command line: every field kind of the schema,
/// rows created and deleted, reviewed text edited and its conflicts resolved.
///
/// The fields come from the schema, not from a list here, so a field added to `Schema.rapport` is simulated
/// too. Values come from small vocabularies, so that concurrent edits often write the same value or the same
/// text (identical versions collapse) as well as different ones.
struct LocalEdits {
    let schema: Schema
    var rng: SplitMix

    static let words = ["Acme", "Northwind", "Globex", "Initech", "Umbrella", ""]
    static let bodies = ["Met the CFO.", "Budget approved.", "Renewal at risk.", "Pricing: 12% off, agreed with Ben.", ""]

    /// Makes one random change on `node` and says what it did, for the trace.
    mutating func randomChange(on node: SimulatedReplica) throws -> String {
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<10: return try create(on: node, entity: schema.entities[0])
        case 10..<20: return try create(on: node, entity: pick(schema.entities))
        case 20..<38: return try setScalars(on: node, count: 1)
        case 38..<45: return try setPair(on: node)
        case 45..<52: return try setScalars(on: node, count: Int.random(in: 2...4, using: &rng))
        case 52..<84: return try editText(on: node)
        case 84..<94: return try resolveAny(on: node)
        default: return try delete(on: node)
        }
    }

    /// Fields that state one fact between them, written only together (`setTogether`), as the command line
    /// changes a flag's status and close day (its `add` writes a new row, which no one else writes yet):
    /// `Invariants.checkPairs` holds that one change wins both.
    static let pair = (entity: "risk_flag", fields: ["status", "closed_on"])

    static func isPaired(_ entity: EntitySpec, _ field: FieldSpec) -> Bool {
        entity.name == pair.entity && pair.fields.contains(field.name)
    }

    mutating func create(on node: SimulatedReplica, entity: EntitySpec) throws -> String {
        var values: [(String, FieldValue)] = []
        for (position, field) in entity.fields.enumerated() where (position == 0 || Bool.random(using: &rng)) && !Self.isPaired(entity, field) {
            values.append((field.name, try value(for: field, node: node)))
        }
        let paired = try entity.name == Self.pair.entity && Bool.random(using: &rng) ? pairValues(node: node) : []
        var row = ""
        try node.change { tx in
            row = try tx.create(entity.name, values: values)
            if !paired.isEmpty { try tx.setTogether(entity.name, row: row, paired) }
        }
        return "create \(entity.name) \(row.prefix(8)) " + (values + paired).map { "\($0.0)=\(Self.show($0.1))" }.joined(separator: " ")
    }

    /// The pair's fields changed as one: both given, or one given and the other restated as it stands.
    mutating func setPair(on node: SimulatedReplica) throws -> String {
        let entity = schema.entity(Self.pair.entity)!
        guard let row = try pickRow(entity, on: node) else { return try create(on: node, entity: entity) }
        var values = try pairValues(node: node)
        if Bool.random(using: &rng) { values.remove(at: Int.random(in: 0..<values.count, using: &rng)) }
        let restated = Self.pair.fields
        try node.change { tx in try tx.setTogether(entity.name, row: row, values, restating: restated) }
        return "set together \(entity.name) \(row.prefix(8)) " + values.map { "\($0.0)=\(Self.show($0.1))" }.joined(separator: " ")
    }

    mutating func pairValues(node: SimulatedReplica) throws -> [(String, FieldValue)] {
        let entity = schema.entity(Self.pair.entity)!
        return try Self.pair.fields.map { ($0, try value(for: entity.field($0)!, node: node)) }
    }

    mutating func setScalars(on node: SimulatedReplica, count: Int) throws -> String {
        let entity = pick(schema.entities)
        guard let row = try pickRow(entity, on: node) else { return try create(on: node, entity: entity) }
        let fields = entity.fields.filter { $0.merge == .lastWriterWins && !Self.isPaired(entity, $0) }
        var changes: [(String, FieldValue)] = []
        for _ in 0..<count {
            let field = pick(fields)
            changes.append((field.name, try value(for: field, node: node)))
        }
        try node.change { tx in
            for (field, value) in changes { try tx.set(entity.name, row: row, field, to: value) }
        }
        return "set \(entity.name) \(row.prefix(8)) " + changes.map { "\($0.0)=\(Self.show($0.1))" }.joined(separator: " ")
    }

    mutating func editText(on node: SimulatedReplica) throws -> String {
        guard let found = reviewedField() else { return try setScalars(on: node, count: 1) }
        let (entity, field) = found
        guard let row = try pickRow(entity, on: node) else { return try create(on: node, entity: entity) }
        let current = try node.replica.record(entity.name, id: row)?[field.name].textValue ?? ""
        let text = Bool.random(using: &rng) ? pick(Self.bodies) : current + " +\(Int.random(in: 0..<10, using: &rng))"
        do {
            try node.change { tx in _ = try tx.editText(entity.name, row: row, field.name, to: .text(text)) }
            return "edit \(entity.name) \(row.prefix(8)) \(field.name)=\(Self.show(.text(text)))"
        } catch ReplicaError.inConflict(let conflict, _) {
            // The person sees the note is in review: most resolve it there and then, some leave it.
            guard Int.random(in: 0..<10, using: &rng) < 6 else { return "edit \(entity.name) \(row.prefix(8)) refused: in conflict \(conflict)" }
            return try resolve(conflict, on: node)
        }
    }

    mutating func resolveAny(on node: SimulatedReplica) throws -> String {
        let open = try node.replica.conflicts()
        guard !open.isEmpty else { return try editText(on: node) }
        return try resolve(pick(open).id, on: node)
    }

    /// Resolves a conflict keeping one of its versions' texts (`--keep mine/theirs`) or a new text.
    mutating func resolve(_ id: String, on node: SimulatedReplica) throws -> String {
        let conflict = try node.replica.conflict(id)
        let texts = try conflict.versions.compactMap { try node.replica.operation($0, on: conflict.key)?.value }
        let value = !texts.isEmpty && Bool.random(using: &rng) ? pick(texts) : .text(pick(Self.bodies) + " (merged)")
        try node.change { tx in _ = try tx.resolve(conflict: id, with: value) }
        return "resolve \(id) with \(Self.show(value))"
    }

    mutating func delete(on node: SimulatedReplica) throws -> String {
        let entity = pick(schema.entities)
        guard let row = try pickRow(entity, on: node) else { return try create(on: node, entity: entity) }
        try node.change { tx in try tx.delete(entity.name, row: row) }
        return "delete \(entity.name) \(row.prefix(8))"
    }

    /// A row the replica shows, and now and then a deleted one: edits of deleted rows must stay deleted.
    mutating func pickRow(_ entity: EntitySpec, on node: SimulatedReplica) throws -> String? {
        let includeDeleted = Int.random(in: 0..<6, using: &rng) == 0
        let rows = try node.replica.records(entity.name, includeDeleted: includeDeleted)
        return rows.isEmpty ? nil : pick(rows).id
    }

    func reviewedField() -> (EntitySpec, FieldSpec)? {
        for entity in schema.entities {
            if let field = entity.fields.first(where: { $0.merge == .reviewedText }) { return (entity, field) }
        }
        return nil
    }

    /// A valid value of the field's type, and now and then a cleared field.
    mutating func value(for field: FieldSpec, node: SimulatedReplica) throws -> FieldValue {
        if field.merge == .lastWriterWins, Int.random(in: 0..<12, using: &rng) == 0 { return .null }
        switch field.type {
        case .text:
            return .text(field.merge == .reviewedText ? pick(Self.bodies) : pick(Self.words))
        case .real(let lo, let hi):
            let low = lo ?? -1_000_000, high = hi ?? 10_000_000
            // Round amounts half the time, so concurrent edits sometimes agree.
            let round = [low, high, 0, 12.5, 1_200_000].filter { (low...high).contains($0) }
            if Bool.random(using: &rng) { return .real(pick(round)) }
            return .real(Double(Int.random(in: Int(low * 100)...Int(high * 100), using: &rng)) / 100)
        case .int(let lo, let hi):
            return .int(Int64.random(in: (lo ?? -1000)...(hi ?? 1000), using: &rng))
        case .bool:
            return .bool(Bool.random(using: &rng))
        case .date:
            let year = Int.random(in: 2020...2030, using: &rng), month = Int.random(in: 1...12, using: &rng)
            let day = Int.random(in: 1...28, using: &rng)
            return .text(Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2))
        case .dateTime:
            let hour = Int.random(in: 0...23, using: &rng), minute = Int.random(in: 0...59, using: &rng)
            return .text("2026-11-\(Self.pad(Int.random(in: 1...30, using: &rng), 2))T\(Self.pad(hour, 2)):\(Self.pad(minute, 2)):00Z")
        case .choice(let words):
            return .text(pick(words))
        case .reference(let entity):
            let rows = try node.replica.records(entity, includeDeleted: true)
            return .text(rows.isEmpty ? "missing-row" : pick(rows).id)
        }
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[Int.random(in: 0..<items.count, using: &rng)]
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func show(_ value: FieldValue) -> String {
        switch value {
        case .null: "null"
        case .text(let text): "\"\(text)\""
        default: value.display
        }
    }
}
