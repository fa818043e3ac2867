import ArgumentParser
import Foundation
import RapportSimulation

/// Runs the deterministic simulation over many seeds, several at a time, and prints every failing seed
/// with the command that replays it.
@main
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rapport-sim",
        abstract: "Simulate a team (one server, 2-8 replicas) under faults, crashes and clock jumps, seed after seed.",
        discussion: "Example: swift run -c release rapport-sim --seeds 5000")

    @Option(help: "How many seeds to run.")
    var seeds = 1_000

    @Option(help: "The first seed; the run covers first ..< first + seeds.")
    var first: UInt64 = 1

    @Option(help: "Replicas per team, 2-8. By default each seed picks its own.")
    var replicas: Int?

    @Option(help: "Random actions per run before the network heals.")
    var steps = SimulationConfiguration.defaultSteps

    @Option(help: "Simulations run at once (each is sequential and deterministic on its own).")
    var jobs = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard steps >= 0 else { throw ValidationError("--steps cannot be negative") }
        if let replicas, !(2...8).contains(replicas) { throw ValidationError("--replicas must be from 2 to 8") }
    }

    func run() async throws {
        let started = Date()
        let configurations = (0..<UInt64(seeds)).map { SimulationConfiguration(seed: first + $0, replicas: replicas, steps: steps) }
        var failures: [SimulationFailure] = []
        var total = SimulationStats()
        var done = 0
        try await withThrowingTaskGroup(of: Result<SimulationStats, SimulationFailure>.self) { group in
            var next = configurations.makeIterator()
            func startOne() {
                guard let configuration = next.next() else { return }
                group.addTask {
                    do {
                        return .success(try await Simulator.run(configuration).stats)
                    } catch let failure as SimulationFailure {
                        return .failure(failure)
                    }
                }
            }
            for _ in 0..<jobs { startOne() }
            while let outcome = try await group.next() {
                done += 1
                switch outcome {
                case .success(let stats):
                    total.add(stats)
                case .failure(let failure):
                    failures.append(failure)
                    print("\(failure)\n")
                }
                if done % 100 == 0 || done == seeds {
                    print("\(done)/\(seeds) seeds, \(failures.count) failed, \(Int(Date().timeIntervalSince(started))) s")
                }
                // Progress shows up even when the output goes to a file.
                fflush(nil)
                startOne()
            }
        }
        print("""
            the passing runs made \(total.localOperations) local operations and \(total.syncs) syncs (\(total.failedSyncs) failed), \
            dropped \(total.droppedRequests) requests, lost \(total.lostResponses) responses, crashed a replica \(total.replicaCrashes) \
            times and the server \(total.serverCrashes) times, met \(total.clockAheadRefusals) clock-ahead refusals, \
            started \(total.bootstraps) replicas from a snapshot, compacted \(total.compactedOnServer) values on the server and \
            \(total.compactedOnReplicas) on replicas, restored \(total.restores) laptops from a backup (\(total.movedReplicas) replicas \
            moved to a new id), opened \(total.conflictsOpened) conflicts and resolved \(total.resolutions)
            """)
        guard failures.isEmpty else {
            print("failing seeds: " + failures.map(\.configuration.seed).sorted().map(String.init).joined(separator: " "))
            throw ExitCode.failure
        }
    }
}
