/// Simulated time: one global time that only the simulator moves, and a physical clock per node that reads
/// it through its own offset and drift.
///
/// Node 0 is the server, node `i + 1` replica `i`. Clocks drift (parts per million of elapsed time) and jump
/// (an offset changes at once: forward by up to hours, as a laptop with a wrong time zone or a bad RTC does,
/// or back by minutes, as an NTP step does). Nodes read their clocks through the `now` closures the
/// simulator injects, so the replica and server code under test never see the real wall clock.
final class SimulatedClock: Sendable {
    /// The simulation starts on 2025-11-23 at 14:00 UTC.
    static let start: Int64 = 1_763_906_400_000

    struct NodeClock: Sendable, Equatable {
        var offsetMs: Int64 = 0
        var driftPPM: Int64 = 0
    }

    private struct State {
        var time: Int64 = SimulatedClock.start
        var nodes: [NodeClock]
        /// The latest reading any node ever made, so that healing can move past every timestamp in use.
        var highWater: Int64 = SimulatedClock.start
    }

    private let state: Locked<State>

    init(nodes: Int) {
        state = Locked(State(nodes: Array(repeating: NodeClock(), count: nodes)))
    }

    /// Node `node`'s physical clock, Unix milliseconds.
    func now(node: Int) -> Int64 {
        state.withLock { s in
            let clock = s.nodes[node]
            let reading = max(0, s.time + clock.offsetMs + (s.time - Self.start) * clock.driftPPM / 1_000_000)
            s.highWater = max(s.highWater, reading)
            return reading
        }
    }

    /// The simulation's true time.
    var time: Int64 { state.withLock { $0.time } }

    func advance(byMs ms: Int64) {
        state.withLock { $0.time += ms }
    }

    func set(node: Int, _ clock: NodeClock) {
        state.withLock { $0.nodes[node] = clock }
    }

    func clock(node: Int) -> NodeClock {
        state.withLock { $0.nodes[node] }
    }

    /// Every clock right again, and true time past every reading ever made: no operation in the system is
    /// stamped in the future any more, so no push can be refused as too far ahead.
    func heal() {
        state.withLock { s in
            s.nodes = Array(repeating: NodeClock(), count: s.nodes.count)
            s.time = max(s.time, s.highWater) + 60_000
        }
    }
}
