import Foundation
import RapportSimulation
import Testing

/// The deterministic simulation: whole teams under faults, from seeds.
@Suite struct SimulationTests {
    /// The seeds CI runs. `RAPPORT_SIM_SEEDS=5000 swift test --filter SimulationTests` runs more; for many
    /// thousands use the release-built runner (`swift run -c release rapport-sim --seeds 5000`).
    static let seeds: [UInt64] = Array(1...UInt64(ProcessInfo.processInfo.environment["RAPPORT_SIM_SEEDS"].flatMap(Int.init) ?? 200))

    static let replay = SimulationConfiguration.fromEnvironment(ProcessInfo.processInfo.environment)

    @Test(.enabled(if: replay == nil, "RAPPORT_SIM_SEED replays one seed instead"), arguments: seeds)
    func replicasConvergeUnderFaultsCrashesAndClockJumps(seed: UInt64) async throws {
        await SimulationSlots.shared.enter()
        defer { Task { await SimulationSlots.shared.leave() } }
        do {
            _ = try await Simulator.run(SimulationConfiguration(seed: seed))
        } catch let failure as SimulationFailure {
            Issue.record("\(failure)")
        }
    }

    /// `RAPPORT_SIM_SEED=1234 swift test --filter replaysTheSeedFromTheEnvironment` replays one run and
    /// prints its whole trace.
    @Test(.enabled(if: replay != nil, "set RAPPORT_SIM_SEED to replay a seed"))
    func replaysTheSeedFromTheEnvironment() async throws {
        let configuration = try #require(Self.replay)
        do {
            let result = try await Simulator.run(configuration)
            print(result.trace.joined(separator: "\n"))
            print("seed \(configuration.seed) held every invariant; fingerprint \(result.fingerprint)")
        } catch let failure as SimulationFailure {
            print(failure.trace.joined(separator: "\n"))
            Issue.record("\(failure)")
        }
    }

    @Test(arguments: [42] as [UInt64])
    func aSeedReplaysToTheSameTrace(seed: UInt64) async throws {
        let configuration = SimulationConfiguration(seed: seed, steps: 120)
        let first = try await Simulator.run(configuration)
        let second = try await Simulator.run(configuration)
        #expect(first.trace == second.trace)
        #expect(first.fingerprint == second.fingerprint)
        #expect(first.stats == second.stats)
    }

    /// A harness that never crashed anything or never saw a conflict would pass without proving anything.
    @Test func theSeedsExerciseEveryKindOfFault() async throws {
        var total = SimulationStats()
        for seed in 1...6 as ClosedRange<UInt64> {
            total.add(try await Simulator.run(SimulationConfiguration(seed: seed)).stats)
        }
        #expect(total.localOperations > 300)
        #expect(total.failedSyncs > 0)
        #expect(total.droppedRequests > 0)
        #expect(total.lostResponses > 0)
        #expect(total.replicaCrashes > 0)
        #expect(total.serverCrashes > 0)
        #expect(total.clockAheadRefusals > 0)
        #expect(total.bootstraps > 0)
        #expect(total.compactedOnServer > 0)
        #expect(total.compactedOnReplicas > 0)
        #expect(total.conflictsOpened > 0)
        #expect(total.resolutions > 0)
        #expect(total.restores > 0)
        #expect(total.movedReplicas > 0)
    }
}

/// How many simulated teams run at once. The test runner would otherwise start all 200 seeds together: two
/// cores gain nothing from it, and each team holds dozens of SQLite files open, thousands in all: with that many
/// open descriptors, Foundation's `Process.run()` on Linux occasionally crashes in the CLI tests running alongside
/// (swift-corelibs-foundation#5472).
actor SimulationSlots {
    static let shared = SimulationSlots(4)
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ slots: Int) { free = slots }

    func enter() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}
