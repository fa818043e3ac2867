import GRDB
import RapportReplica
import RapportSQL
import RapportSync

/// One manager's replica in a simulation: the real `Replica` on a real SQLite file, and what the simulator
/// knows it did (which operations it committed, which the server acknowledged), to check against later.
final class SimulatedReplica {
    let index: Int
    let user: String
    let folder: String
    let env: ReplicaEnvironment
    private(set) var replica: Replica
    private(set) var incarnation = 0
    /// Every operation a committed local change made, in order.
    private(set) var made: [OperationID] = []
    /// Every operation this replica was ever told the server has (marked pushed, by a push response or by
    /// pulling it back).
    private(set) var acknowledged: Set<OperationID> = []

    init(index: Int, user: String, folder: String, env: ReplicaEnvironment) throws {
        self.index = index
        self.user = user
        self.folder = folder
        self.env = env
        replica = try Replica.create(
            at: CrashImage.nextPath(base: "replica-\(index)", folder: folder, incarnation: 0), user: user,
            server: Simulator.serverURL, token: SimulatedServer.token(for: user), env: env)
    }

    var name: String { "r\(index)" }

    /// Makes local changes in one transaction, remembering the operations once it committed.
    func change(_ body: (inout LocalTransaction) throws -> Void) throws {
        let ops = try replica.change { tx in
            try body(&tx)
            return tx.operations
        }
        made += ops.map(\.id)
    }

    /// Notes which of this replica's operations it now holds as acknowledged by the server.
    func noteAcknowledged() throws {
        let pending = Set(try replica.pendingOperations(limit: Int.max).map(\.id))
        acknowledged.formUnion(made.filter { !pending.contains($0) })
    }

    /// Kills the process that had the replica open and opens what the file durably holds.
    func crashAndReopen() throws {
        incarnation += 1
        let next = CrashImage.nextPath(base: "replica-\(index)", folder: folder, incarnation: incarnation)
        try CrashImage.copy(replica.path, to: next)
        try replica.close()
        replica = try Replica.open(at: next, env: env)
    }

    /// Every operation the replica holds, read straight from its log (which is keyed by field and stamp, not
    /// by id, so the invariants check that no id is there twice).
    func operations() throws -> [Operation] {
        try replica.read { db in
            try OperationRows.fetchAll(db, sql: "SELECT \(OperationRows.columns) FROM ops")
        }
    }

    func close() throws {
        try replica.close()
    }
}
