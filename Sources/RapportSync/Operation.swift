/// A versioned change of one field of one row: the unit that replicas record, push, pull and merge.
public struct Operation: Hashable, Sendable, Codable {
    public var id: OperationID
    /// The user who made the change.
    public var author: String
    public var entity: String
    public var row: String
    public var field: String
    public var value: FieldValue
    public var time: Timestamp
    /// Reviewed-text fields only: the operation whose value this edit replaced (nil for a first version).
    public var base: OperationID?
    /// Reviewed-text fields only: the other current versions this one replaces (the other heads of a
    /// conflict it resolves, or identical versions that stood as one).
    public var supersedes: [OperationID]
    /// Reviewed-text fields only: true when a person made this version to resolve a conflict. Two
    /// resolutions of one conflict made concurrently do not conflict again: the later one stands.
    public var resolution: Bool

    public init(
        id: OperationID, author: String, entity: String, row: String, field: String,
        value: FieldValue, time: Timestamp, base: OperationID? = nil, supersedes: [OperationID] = [],
        resolution: Bool = false
    ) {
        self.id = id
        self.author = author
        self.entity = entity
        self.row = row
        self.field = field
        self.value = value
        self.time = time
        self.base = base
        self.supersedes = supersedes
        self.resolution = resolution
    }

    public var key: FieldKey { FieldKey(entity: entity, row: row, field: field) }

    /// Every version this one replaces: its base and what it supersedes.
    public var parents: [OperationID] { (base.map { [$0] } ?? []) + supersedes }

    /// The total order of last writer wins: timestamp, then replica id, then counter.
    public static func isOrdered(_ a: Operation, before b: Operation) -> Bool {
        (a.time.ms, a.time.logical, a.id.replica, a.id.counter) < (b.time.ms, b.time.logical, b.id.replica, b.id.counter)
    }

    private enum CodingKeys: String, CodingKey { case id, author, entity, row, field, value, time, base, supersedes, resolution }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(OperationID.self, forKey: .id)
        author = try c.decode(String.self, forKey: .author)
        entity = try c.decode(String.self, forKey: .entity)
        row = try c.decode(String.self, forKey: .row)
        field = try c.decode(String.self, forKey: .field)
        value = try c.decodeIfPresent(FieldValue.self, forKey: .value) ?? .null
        time = try c.decode(Timestamp.self, forKey: .time)
        base = try c.decodeIfPresent(OperationID.self, forKey: .base)
        supersedes = try c.decodeIfPresent([OperationID].self, forKey: .supersedes) ?? []
        resolution = try c.decodeIfPresent(Bool.self, forKey: .resolution) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(author, forKey: .author)
        try c.encode(entity, forKey: .entity)
        try c.encode(row, forKey: .row)
        try c.encode(field, forKey: .field)
        if value != .null { try c.encode(value, forKey: .value) }
        try c.encode(time, forKey: .time)
        try c.encodeIfPresent(base, forKey: .base)
        if !supersedes.isEmpty { try c.encode(supersedes, forKey: .supersedes) }
        if resolution { try c.encode(true, forKey: .resolution) }
    }
}

/// One field of one row.
public struct FieldKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var entity: String
    public var row: String
    public var field: String

    public init(entity: String, row: String, field: String) {
        self.entity = entity
        self.row = row
        self.field = field
    }

    public static func < (a: FieldKey, b: FieldKey) -> Bool {
        (a.entity, a.row, a.field) < (b.entity, b.row, b.field)
    }

    public var description: String { "\(entity)/\(row)/\(field)" }
}
