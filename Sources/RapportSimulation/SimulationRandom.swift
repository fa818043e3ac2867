import RapportSync
import RapportTestSupport

/// The seeded randomness of one run, split into independent streams.
///
/// Each concern draws from its own stream, so that a change in how often one of them draws (one more
/// request in a sync, say) does not reshuffle every later decision of the others: a seed keeps meaning
/// roughly the same scenario as the harness evolves.
struct SimulationRandom: Sendable {
    /// Which action each step takes, and its arguments.
    var actions: SplitMix
    /// What the local changes are: which field, which row, which value.
    var edits: SplitMix
    /// Which requests the network drops or answers into the void.
    var requests: SplitMix
    /// How faulty the network is, and when that changes.
    var weather: SplitMix
    /// Clock drift and jumps.
    var clocks: SplitMix
    /// When the server and the replicas compact their logs.
    var compaction: SplitMix

    init(seed: UInt64) {
        actions = SplitMix(state: seed)
        edits = SplitMix(state: seed ^ 0x6564_6974_7321_2121)
        requests = SplitMix(state: seed ^ 0x6E65_7477_6F72_6B21)
        weather = SplitMix(state: seed ^ 0x7765_6174_6865_7221)
        clocks = SplitMix(state: seed ^ 0x636C_6F63_6B73_2121)
        compaction = SplitMix(state: seed ^ 0x636F_6D70_6163_7421)
    }
}

/// Row and replica ids from their own seeded stream, handed to replicas through `ReplicaEnvironment`.
final class SimulatedIDs: Sendable {
    private let rng: Locked<SplitMix>

    init(seed: UInt64) {
        rng = Locked(SplitMix(state: seed ^ 0x6964_7321_6964_7321))
    }

    /// A lowercase UUID-shaped id, like the ones a live replica makes.
    func rowID() -> String {
        rng.withLock { rng in
            let hex = (0..<32).map { _ in String(Int.random(in: 0..<16, using: &rng), radix: 16) }.joined()
            let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
            return parts.joined(separator: "-")
        }
    }

    func replicaID() -> String {
        rng.withLock { rng in ReplicaID.random(using: &rng) }
    }
}
