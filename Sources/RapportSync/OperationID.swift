/// The id of an operation: the replica that made it and that replica's counter, `<replica>:<counter>`.
///
/// Unique forever without coordination, because a replica never reuses a counter value.
public struct OperationID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public var replica: String
    public var counter: Int64

    public init(replica: String, counter: Int64) {
        self.replica = replica
        self.counter = counter
    }

    /// Parses `<replica>:<counter>`; nil when the text is not of that form.
    ///
    /// Inlinable so that callers in other modules get it specialized for `String` or `Substring`: the
    /// generic version looked up type metadata for every id parsed from a page.
    @inlinable
    public init?(_ text: some StringProtocol) {
        // Byte by byte: every operation read from a page or a table parses its id and its parents' ids.
        let utf8 = text.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        // One spelling per id: digits only, no sign, no leading zero.
        var counter: Int64 = 0
        var digits = 0
        for byte in utf8[utf8.index(after: colon)...] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), digits > 0 || byte != UInt8(ascii: "0") else { return nil }
            let (times, o1) = counter.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            counter = sum
            digits += 1
        }
        let replica = String(text[..<colon])
        guard digits > 0, ReplicaID.isValid(replica) else { return nil }
        self.init(replica: replica, counter: counter)
    }

    public var description: String { "\(replica):\(counter)" }

    public static func < (a: OperationID, b: OperationID) -> Bool {
        (a.replica, a.counter) < (b.replica, b.counter)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = OperationID(text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath,
                debugDescription: "operation id '\(text)' is not of the form <replica>:<counter>"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Replica ids are 4-32 lowercase letters and digits.
public enum ReplicaID {
    public static func isValid(_ text: String) -> Bool {
        (4...32).contains(text.utf8.count)
            && text.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// A new random replica id; the generator is passed in so simulations stay reproducible.
    public static func random(using generator: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
