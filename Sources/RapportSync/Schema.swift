/// How concurrent operations on one field combine.
public enum MergeKind: String, Sendable, Codable {
    /// The operation last in timestamp order wins.
    case lastWriterWins = "lww"
    /// Free text: an edit of the current version fast-forwards; concurrent edits become a conflict that
    /// keeps every version until a person resolves it.
    case reviewedText = "text"
    /// Deleting a row: once any replica deletes it, it stays deleted.
    case tombstone
}

/// What a field holds, which decides how a value is validated and how the command line parses it.
public enum ValueType: Hashable, Sendable {
    case int(min: Int64?, max: Int64?)
    case real(min: Double?, max: Double?)
    case text
    case bool
    /// A calendar date, `YYYY-MM-DD`, stored as text.
    case date
    /// A date and time in ISO 8601 (`2026-11-23T14:00:00Z`), stored as text.
    case dateTime
    /// One of a fixed list of words, stored as text.
    case choice([String])
    /// The id of a row of another entity, stored as text.
    case reference(entity: String)

    /// The SQL column type that holds it.
    public var columnType: String {
        switch self {
        case .int, .bool: "INTEGER"
        case .real: "REAL"
        case .text, .date, .dateTime, .choice, .reference: "TEXT"
        }
    }

    /// A short human description, used in error messages and help.
    public var summary: String {
        switch self {
        case .int(let lo, let hi): "a whole number" + Self.range(lo.map(String.init), hi.map(String.init))
        case .real(let lo, let hi): "a number" + Self.range(lo.map { FieldValue.real($0).display }, hi.map { FieldValue.real($0).display })
        case .text: "text"
        case .bool: "true or false"
        case .date: "a date YYYY-MM-DD"
        case .dateTime: "a date and time YYYY-MM-DDTHH:MM:SSZ"
        case .choice(let words): "one of " + words.joined(separator: ", ")
        case .reference(let entity): "the id of a \(entity)"
        }
    }

    private static func range(_ lo: String?, _ hi: String?) -> String {
        switch (lo, hi) {
        case let (lo?, hi?): " from \(lo) to \(hi)"
        case let (lo?, nil): " of at least \(lo)"
        case let (nil, hi?): " of at most \(hi)"
        case (nil, nil): ""
        }
    }
}

/// One field of an entity: the single description that drives the replica's columns, validation of pushed
/// operations, and the command line's `field=value` parsing.
public struct FieldSpec: Hashable, Sendable {
    public var name: String
    public var type: ValueType
    public var merge: MergeKind
    public var help: String
    /// Whether a replica keeps the field's overwritten values for good rather than for the compaction's
    /// keep-days: views of a past day (a past month's scorecard, a report's period) read what the field held
    /// then from the log, and one compacted away showed today's value as that of then.
    public var keepsHistory = false
    /// Other names people type for a choice's words (a meeting "monthly review", as `due` prints it, for `monthly`),
    /// compared as the words themselves are: ignoring case, spaces, hyphens and underscores.
    public var aliases: [String: String] = [:]

    public init(_ name: String, _ type: ValueType, merge: MergeKind = .lastWriterWins, help: String = "") {
        self.name = name
        self.type = type
        self.merge = merge
        self.help = help
    }

    /// The same field, its overwritten values kept on replicas (`keepsHistory`).
    public var historyKept: FieldSpec {
        var kept = self
        kept.keepsHistory = true
        return kept
    }

    /// The same field, its choice also typed by these names (`aliases`).
    public func called(_ aliases: [String: String]) -> FieldSpec {
        var called = self
        called.aliases = aliases
        return called
    }

    /// Reviewed text holds free text.
    public static func reviewed(_ name: String, help: String = "") -> FieldSpec {
        FieldSpec(name, .text, merge: .reviewedText, help: help)
    }
}

/// A kind of row that replicas keep and sync: accounts, notes, and the key-account records.
public struct EntitySpec: Hashable, Sendable {
    /// The name on the wire and on the command line (`account`).
    public var name: String
    /// The SQL table in the replica (`accounts`).
    public var table: String
    public var fields: [FieldSpec]

    public init(name: String, table: String, fields: [FieldSpec]) {
        self.name = name
        self.table = table
        self.fields = fields
    }

    public func field(_ name: String) -> FieldSpec? {
        if name == Schema.deletedField { return Schema.tombstoneSpec }
        return fields.first { $0.name == name }
    }
}

/// The entities Rapport syncs, and the field every entity shares.
public struct Schema: Sendable {
    /// The field whose operation deletes a row (a tombstone).
    public static let deletedField = "_deleted"
    static let tombstoneSpec = FieldSpec(deletedField, .bool, merge: .tombstone, help: "Deletes the row.")

    public var entities: [EntitySpec]

    public init(entities: [EntitySpec]) {
        self.entities = entities
    }

    public func entity(_ name: String) -> EntitySpec? {
        entities.first { $0.name == name }
    }

    /// The field an operation names, or why the operation names none.
    public func spec(for key: FieldKey) throws(SchemaError) -> FieldSpec {
        guard let entity = entity(key.entity) else { throw .unknownEntity(key.entity) }
        guard let field = entity.field(key.field) else { throw .unknownField(entity: key.entity, field: key.field, known: entity.fields.map(\.name)) }
        return field
    }

    /// Checks an operation against the schema: known entity and field, a value of the field's type, and
    /// base/supersedes only where the field is reviewed text.
    public func validate(_ op: Operation) throws(SchemaError) {
        let spec = try spec(for: op.key)
        try spec.validate(op.value)
        if spec.merge != .reviewedText, !op.parents.isEmpty || op.resolution {
            throw .invalidValue(field: spec.name, value: "base/supersedes/resolution", expected: "none: only reviewed-text fields have versions")
        }
        if op.parents.contains(op.id) {
            throw .invalidValue(field: spec.name, value: op.id.description, expected: "a version that replaces others, not itself")
        }
        if op.resolution, op.supersedes.isEmpty {
            throw .invalidValue(field: spec.name, value: "resolution", expected: "a resolution supersedes the other versions of the conflict")
        }
        if op.time.ms < 0 || !(0...Timestamp.maxLogical).contains(op.time.logical) {
            throw .invalidValue(field: spec.name, value: "time \(op.time)", expected: "ms of at least 0 and logical 0-\(Timestamp.maxLogical)")
        }
        if spec.merge == .tombstone, op.value != .bool(true) {
            throw .invalidValue(field: spec.name, value: op.value.display, expected: "true: a deleted row stays deleted")
        }
    }
}

/// Why a field or value does not fit the schema.
public enum SchemaError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownEntity(String)
    /// `likely`: the known field the name is one slip from, when a caller could tell ("tierr": tier).
    case unknownField(entity: String, field: String, known: [String], likely: String? = nil)
    case invalidValue(field: String, value: String, expected: String)
    case required(field: String)
    case givenTwice(field: String)
    /// An argument without its `=`: "foo" is not a value of a field named "foo".
    case notAnAssignment(argument: String, fields: [String])

    public var description: String {
        switch self {
        case .unknownEntity(let name):
            "unknown entity '\(name)'; the entities are: \(Schema.rapport.entities.map(\.name).joined(separator: ", "))"
        case .unknownField(let entity, let field, let known, let likely):
            "unknown field '\(field)' of \(entity)\(likely.map { " (did you mean '\($0)'?)" } ?? ""); the fields are: \(known.joined(separator: ", "))"
        case .invalidValue(let field, let value, let expected):
            "'\(value)' is not a valid \(field): expected \(expected)"
        case .required(let field):
            "\(field) cannot be empty"
        case .givenTwice(let field):
            "\(field) is given twice; nothing was changed: give each field once"
        case .notAnAssignment(let argument, let fields):
            "'\(argument)' is not a field=value pair; nothing was changed: give e.g. \(fields.contains(argument) ? argument : fields.first ?? "field")=VALUE (the fields: \(fields.joined(separator: ", ")))"
        }
    }
}
