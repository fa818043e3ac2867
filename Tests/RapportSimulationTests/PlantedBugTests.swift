import RapportSimulation
import Testing

/// The invariants must fail when something is actually wrong, or passing them means nothing.
@Suite struct PlantedBugTests {
    @Test(arguments: PlantedBug.allCases)
    func theInvariantsCatchAPlantedBug(_ bug: PlantedBug) async throws {
        let expected: [String] = switch bug {
        // The replica's next handshake shows the server holds less of its operations than it acknowledged.
        case .acknowledgePushesWithoutStoring: ["was acknowledged to", "the server's log was rewritten"]
        case .divergeOneReplica: ["shows account"]
        case .closeConflictWithoutResolution: ["the server's log leaves open", "closes conflict"]
        }
        // A bug only shows in runs that reach it (a conflict left open, a row to change): try a few seeds.
        for seed in 1...20 as ClosedRange<UInt64> {
            do {
                _ = try await Simulator.run(SimulationConfiguration(seed: seed, steps: 80), plantedBug: bug)
            } catch let failure as SimulationFailure {
                #expect(expected.contains { failure.invariant.contains($0) }, "\(failure)")
                #expect(failure.description.contains("replay: RAPPORT_SIM_SEED=\(seed) "))
                return
            }
        }
        Issue.record("no seed from 1 to 20 caught the planted bug \(bug)")
    }
}
