import Logging
import RapportReplica
import RapportServer
import RapportSync
import RapportTestSupport

/// A whole team in one process, driven by one seed: one sync server, 2-8 replicas, a network that drops
/// requests and loses responses, partitions, crashes of replicas and of the server at any point of a sync,
/// and physical clocks that drift and jump. After the random steps the network heals and every replica
/// syncs until the team is quiet; then the invariants are checked (see `Invariants`).
///
/// Everything runs one step after another in the caller's task: no wall clock, no concurrency, no
/// randomness but the seed's. So a seed replays exactly, and a failing seed is a bug report.
public final class Simulator {
    static let serverURL = "http://rapport.simulated"

    public let configuration: SimulationConfiguration
    let schema = Schema.rapport
    let folder: String
    let plantedBug: PlantedBug?
    var random: SimulationRandom
    var edits: LocalEdits
    let clock: SimulatedClock
    let network: SimulatedNetwork
    let serverErrors = Locked<[String]>([])
    var server: SimulatedServer!
    var replicas: [SimulatedReplica] = []
    var trace: [String] = []
    var stats = SimulationStats()
    var step = 0
    /// The operations compaction deleted from the server's log, and the highest position it reached: the
    /// invariants allow for exactly these to be missing.
    var compacted: [OperationID: Operation] = [:]
    var compactedThrough: Int64 = 0
    /// Conflict openings whose records compaction deleted, so that the stats still count them.
    var compactedOpenings = 0

    /// Runs the simulation of `configuration` in a temporary folder; throws `SimulationFailure` when an
    /// invariant does not hold.
    public static func run(_ configuration: SimulationConfiguration, plantedBug: PlantedBug? = nil) async throws -> SimulationResult {
        let folder = try TemporaryFolder()
        let simulator = try await Simulator(configuration: configuration, folder: folder.path, plantedBug: plantedBug)
        let result: Result<SimulationResult, any Error>
        do {
            result = .success(try await simulator.run())
        } catch let failure as SimulationFailure {
            result = .failure(failure)
        } catch {
            result = .failure(simulator.failure("unexpected error at step \(simulator.step): \(error)"))
        }
        await simulator.close()
        return try withExtendedLifetime(folder) { try result.get() }
    }

    init(configuration: SimulationConfiguration, folder: String, plantedBug: PlantedBug?) async throws {
        precondition((2...8).contains(configuration.replicas), "a simulated team has 2 to 8 replicas")
        self.configuration = configuration
        self.folder = folder
        self.plantedBug = plantedBug
        random = SimulationRandom(seed: configuration.seed)
        edits = LocalEdits(schema: schema, rng: random.edits)
        clock = SimulatedClock(nodes: configuration.replicas + 1)
        network = SimulatedNetwork(rng: random.requests)
        if plantedBug == .acknowledgePushesWithoutStoring { network.sabotage(.acknowledgePushesWithoutStoring) }

        // Some users sync from several replicas (a laptop and a phone), which the server must allow.
        let userCount = max(1, (configuration.replicas + 1) / 2)
        let users = (0..<userCount).map { "user\($0)" }
        var serverConfiguration = SyncServer.Configuration()
        serverConfiguration.now = { [clock] in clock.now(node: 0) }
        serverConfiguration.limits.maxBatch = [2, 7, 50, 2_000][Int.random(in: 0..<4, using: &random.actions)]
        let sink = serverErrors
        let logger = Logger(label: "rapport.simulation") { _ in ServerErrorLog(sink: sink) }
        // Winners folded after every push, every few, or only when a snapshot or compaction needs them (from
        // the seed itself: drawing it would shift every later action of the seeds that catch planted bugs).
        let foldEvery: Int64 = [1, 5, 40, 100_000][Int(configuration.seed % 4)]
        server = try await SimulatedServer(
            folder: folder, network: network, configuration: serverConfiguration, foldEvery: foldEvery, users: users, logger: logger)

        let ids = SimulatedIDs(seed: configuration.seed)
        for index in 0..<configuration.replicas {
            let env = ReplicaEnvironment(
                now: { [clock] in clock.now(node: index + 1) },
                newRowID: { ids.rowID() },
                newReplicaID: { ids.replicaID() })
            replicas.append(try SimulatedReplica(index: index, user: users[index % userCount], folder: folder, env: env))
        }
        for node in 0...configuration.replicas {
            // Most clocks start within two minutes of the truth; now and then a laptop starts far ahead.
            let far = node > 0 && Int.random(in: 0..<6, using: &random.clocks) == 0
            clock.set(node: node, .init(
                offsetMs: far ? Int64.random(in: 360_000...7_200_000, using: &random.clocks) : Int64.random(in: -120_000...120_000, using: &random.clocks),
                driftPPM: Int64.random(in: -500...500, using: &random.clocks)))
        }
        setWeather()
        record("team: \(configuration.replicas) replicas of \(userCount) users, max batch \(serverConfiguration.limits.maxBatch)")
    }

    func run() async throws -> SimulationResult {
        for _ in 0..<configuration.steps {
            step += 1
            try await randomStep()
            try await maybeCompact()
        }
        step += 1
        try await heal()
        try await Invariants(simulator: self).check()
        if Bool.random(using: &random.compaction) {
            try await compactQuietTeam()
            try await Invariants(simulator: self).check()
        }
        if Bool.random(using: &random.actions) {
            try await resolveEverything()
            try await Invariants(simulator: self).check(expectNoOpenConflicts: true)
        }
        if let plantedBug {
            try await plant(plantedBug)
            try await Invariants(simulator: self).check()
        }
        try await recordFinalState()
        return SimulationResult(configuration: configuration, trace: trace, stats: stats)
    }

    func randomStep() async throws {
        clock.advance(byMs: Int64.random(in: 0...3_000, using: &random.actions))
        let node = replicas[Int.random(in: 0..<replicas.count, using: &random.actions)]
        switch Int.random(in: 0..<100, using: &random.actions) {
        case 0..<42:
            let before = node.made.count
            let what = try edits.randomChange(on: node)
            stats.localOperations += node.made.count - before
            if what.hasPrefix("resolve") { stats.resolutions += 1 }
            record("\(node.name) \(what)")
        case 42..<70:
            try await sync(node, crash: randomCrashPoint())
        case 70..<77:
            let ms = Int64.random(in: 1_000...1_800_000, using: &random.actions)
            clock.advance(byMs: ms)
            record("time passes \(ms) ms")
        case 77..<83:
            changeClock(node: Int.random(in: 0...replicas.count, using: &random.clocks))
        case 83..<89:
            changePartition()
        case 89..<92:
            try node.crashAndReopen()
            stats.replicaCrashes += 1
            record("\(node.name) crashes between syncs and reopens")
        case 92..<94:
            try await server.crashAndRestart()
            stats.serverCrashes += 1
            record("server crashes between requests and restarts")
        case 94..<96:
            if Bool.random(using: &random.actions) {
                try node.takeBackup()
                record("\(node.name)'s laptop is backed up")
            } else if try node.restoreBackup() {
                stats.restores += 1
                record("\(node.name)'s laptop is lost and a new one restored from its last backup")
            }
        default:
            setWeather()
        }
    }

    /// Sometimes a sync has someone crash in the middle of it.
    func randomCrashPoint() -> SimulatedNetwork.CrashPoint? {
        let roll = Int.random(in: 0..<100, using: &random.actions)
        guard roll < 15 else { return nil }
        return .init(
            who: roll < 10 ? .replica : .server,
            // Syncs cut into small batches and pages make many requests; a point past the last one is a
            // sync that finished before the crash it was due.
            request: Int.random(in: 1...10, using: &random.actions),
            afterServerHandled: Bool.random(using: &random.actions))
    }

    /// A new drop and loss rate for the network: mostly fair, sometimes stormy.
    func setWeather() {
        let stormy = Int.random(in: 0..<4, using: &random.weather) == 0
        let top = stormy ? 0.3 : 0.05
        let drop = Double.random(in: 0...top, using: &random.weather)
        let lose = Double.random(in: 0...top, using: &random.weather)
        network.setFaultRates(drop: drop, lose: lose)
        record("network: drop \(Self.percent(drop)), lose \(Self.percent(lose))")
    }

    /// A clock jumps (forward by up to hours, back by up to minutes), is set right, or drifts differently.
    func changeClock(node: Int) {
        var c = clock.clock(node: node)
        switch Int.random(in: 0..<5, using: &random.clocks) {
        case 0, 1: c.offsetMs += Int64.random(in: 60_000...3 * 3_600_000, using: &random.clocks)
        case 2: c.offsetMs -= Int64.random(in: 1_000...600_000, using: &random.clocks)
        case 3: c.offsetMs = 0
        default: c.driftPPM = Int64.random(in: -2_000...2_000, using: &random.clocks)
        }
        clock.set(node: node, c)
        record("clock of \(node == 0 ? "server" : "r\(node - 1)"): offset \(c.offsetMs) ms, drift \(c.driftPPM) ppm")
    }

    func changePartition() {
        var cut: Set<Int> = []
        if network.partitioned.isEmpty {
            for index in replicas.indices where Bool.random(using: &random.actions) { cut.insert(index) }
        }
        network.setPartition(cut)
        record(cut.isEmpty ? "partition heals" : "partition cuts off " + cut.sorted().map { "r\($0)" }.joined(separator: ","))
    }

    func record(_ line: String) {
        trace.append("\(step) \(line)")
    }

    func failure(_ invariant: String) -> SimulationFailure {
        SimulationFailure(configuration: configuration, invariant: invariant, trace: trace)
    }

    func close() async {
        for node in replicas { try? node.close() }
        try? await server?.close()
    }

    static func percent(_ rate: Double) -> String {
        "\(Int((rate * 100).rounded()))%"
    }
}
