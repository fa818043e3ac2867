/// The value of one field of one row.
///
/// On the wire a value is `null` or an object with exactly one of `int`, `real`, `text`, `bool`, so a
/// client in any language can tell 5 from 5.0 without knowing the schema.
public enum FieldValue: Hashable, Sendable {
    case null
    case int(Int64)
    case real(Double)
    case text(String)
    case bool(Bool)

    public var typeName: String {
        switch self {
        case .null: "null"
        case .int: "int"
        case .real: "real"
        case .text: "text"
        case .bool: "bool"
        }
    }

    public var textValue: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    /// The value as people read it on the command line.
    public var display: String {
        switch self {
        case .null: ""
        case .int(let v): String(v)
        case .real(let v): v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case .text(let v): v
        case .bool(let v): v ? "true" : "false"
        }
    }
}

extension FieldValue: Codable {
    private enum Key: String, CodingKey { case int, real, text, bool }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), single.decodeNil() {
            self = .null
            return
        }
        let c = try decoder.container(keyedBy: Key.self)
        let present = try decoder.container(keyedBy: AnyKey.self).allKeys.count
        guard present == 1, c.allKeys.count == 1, let key = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "a value must have exactly one of int, real, text, bool"))
        }
        switch key {
        case .int: self = .int(try c.decode(Int64.self, forKey: .int))
        case .real: self = .real(try c.decode(Double.self, forKey: .real))
        case .text: self = .text(try c.decode(String.self, forKey: .text))
        case .bool: self = .bool(try c.decode(Bool.self, forKey: .bool))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .int(let v):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(v, forKey: .int)
        case .real(let v):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(v, forKey: .real)
        case .text(let v):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(v, forKey: .text)
        case .bool(let v):
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(v, forKey: .bool)
        }
    }
}
