/// A hybrid logical clock reading: physical Unix milliseconds plus a logical counter.
///
/// Readings from one replica strictly increase (a copy of another row's value carries that value's reading
/// instead: see "Copies" in Protocol/README.md; fields written together share one: "Last writer wins"); across
/// replicas they order causally related events correctly even when physical clocks disagree. The replica id (carried by the operation id) breaks ties,
/// which makes the order total.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The largest logical counter; past it the clock borrows a millisecond.
    public static let maxLogical = 65_535

    public var ms: Int64
    public var logical: Int

    public init(ms: Int64, logical: Int = 0) {
        self.ms = ms
        self.logical = logical
    }

    public static let zero = Timestamp(ms: 0, logical: 0)

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        (a.ms, a.logical) < (b.ms, b.logical)
    }

    public var description: String { "\(ms).\(logical)" }
}

/// The hybrid logical clock of one replica (Kulkarni et al., 2014).
///
/// The clock never reads the wall clock itself: callers pass the physical time in, so the same code runs
/// under deterministic simulation.
public struct HybridLogicalClock: Sendable, Hashable, Codable {
    public private(set) var last: Timestamp

    public init(last: Timestamp = .zero) {
        self.last = last
    }

    /// The reading for a local event at physical time `physical`.
    public mutating func tick(physical: Int64) -> Timestamp {
        if physical > last.ms {
            last = Timestamp(ms: physical, logical: 0)
        } else {
            last = Self.successor(of: last)
        }
        return last
    }

    /// Advances the clock past a timestamp received from another replica, so that every later local
    /// reading orders after it.
    public mutating func receive(_ remote: Timestamp, physical: Int64) {
        let top = max(last, remote)
        if physical > top.ms {
            last = Timestamp(ms: physical, logical: 0)
        } else {
            last = Self.successor(of: top)
        }
    }

    /// Moves the clock back to `reading`: used only when re-stamping operations that no other replica has
    /// seen (the server refused them as too far ahead), so no causal order is broken.
    public mutating func reset(to reading: Timestamp) {
        last = reading
    }

    static func successor(of t: Timestamp) -> Timestamp {
        t.logical >= Timestamp.maxLogical
            ? Timestamp(ms: t.ms + 1, logical: 0)
            : Timestamp(ms: t.ms, logical: t.logical + 1)
    }
}
