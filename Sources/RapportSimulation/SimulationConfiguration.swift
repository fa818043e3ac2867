import RapportTestSupport

/// What one simulation run does: everything follows from the seed, the team size and the step count.
public struct SimulationConfiguration: Sendable, Equatable {
    public var seed: UInt64
    /// Replicas in the team, 2-8.
    public var replicas: Int
    /// Random actions before the network heals.
    public var steps: Int

    public static let defaultSteps = 150

    /// A run of `steps` actions; without `replicas`, the seed picks the team size too, so a list of seeds
    /// covers every size.
    public init(seed: UInt64, replicas: Int? = nil, steps: Int = defaultSteps) {
        var rng = SplitMix(state: seed ^ 0x7465_616D_7369_7A65)
        self.seed = seed
        self.replicas = replicas ?? Int.random(in: 2...8, using: &rng)
        self.steps = steps
    }

    /// The command that replays this run exactly.
    public var replayCommand: String {
        "RAPPORT_SIM_SEED=\(seed) RAPPORT_SIM_REPLICAS=\(replicas) RAPPORT_SIM_STEPS=\(steps) swift test --filter replaysTheSeedFromTheEnvironment"
    }

    /// The run the environment asks for (`RAPPORT_SIM_SEED`, optionally `RAPPORT_SIM_REPLICAS` and
    /// `RAPPORT_SIM_STEPS`), if any.
    public static func fromEnvironment(_ environment: [String: String]) -> SimulationConfiguration? {
        guard let seed = environment["RAPPORT_SIM_SEED"].flatMap(UInt64.init) else { return nil }
        return SimulationConfiguration(
            seed: seed,
            replicas: environment["RAPPORT_SIM_REPLICAS"].flatMap(Int.init),
            steps: environment["RAPPORT_SIM_STEPS"].flatMap(Int.init) ?? defaultSteps)
    }
}

/// An invariant that did not hold, with everything needed to replay the run that broke it.
public struct SimulationFailure: Error, CustomStringConvertible {
    public var configuration: SimulationConfiguration
    /// Which invariant, and how it failed.
    public var invariant: String
    /// Every action up to the failure, oldest first.
    public var trace: [String]

    /// The failure with the last actions before it.
    public var description: String {
        let c = configuration
        return "simulation failed for seed \(c.seed) (replicas \(c.replicas), steps \(c.steps)): \(invariant); replay: \(c.replayCommand)"
            + (trace.isEmpty ? "" : "\nlast actions:\n" + trace.suffix(25).joined(separator: "\n"))
    }
}

/// What a run that held every invariant did.
public struct SimulationResult: Sendable {
    public var configuration: SimulationConfiguration
    /// Every action and its outcome, in order, ending with a digest of the final state.
    public var trace: [String]
    public var stats: SimulationStats

    /// A SHA-256 of the trace: two runs of one seed must agree on it byte for byte.
    public var fingerprint: String { Trace.digest(trace) }
}

/// Counts of what a run exercised, so a test can tell a run that proved something from one that idled.
public struct SimulationStats: Sendable, Equatable {
    public var localOperations = 0
    public var syncs = 0
    public var failedSyncs = 0
    public var droppedRequests = 0
    public var lostResponses = 0
    public var replicaCrashes = 0
    public var serverCrashes = 0
    public var clockAheadRefusals = 0
    /// Syncs that started a replica from the server's snapshot and completed.
    public var bootstraps = 0
    /// Operations compaction deleted from the server's log and from the replicas' logs.
    public var compactedOnServer = 0
    public var compactedOnReplicas = 0
    public var conflictsOpened = 0
    public var resolutions = 0
    /// Laptops restored from an older backup of their file, and replicas that then moved to a new id.
    public var restores = 0
    public var movedReplicas = 0
    public var serverLogLength: Int64 = 0

    public init() {}

    /// Adds another run's counts, for totals over many seeds.
    public mutating func add(_ other: SimulationStats) {
        localOperations += other.localOperations
        syncs += other.syncs
        failedSyncs += other.failedSyncs
        droppedRequests += other.droppedRequests
        lostResponses += other.lostResponses
        replicaCrashes += other.replicaCrashes
        serverCrashes += other.serverCrashes
        clockAheadRefusals += other.clockAheadRefusals
        bootstraps += other.bootstraps
        compactedOnServer += other.compactedOnServer
        compactedOnReplicas += other.compactedOnReplicas
        conflictsOpened += other.conflictsOpened
        resolutions += other.resolutions
        restores += other.restores
        movedReplicas += other.movedReplicas
        serverLogLength += other.serverLogLength
    }
}
