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

    /// The laptop's last backup: a copy of its file as a nightly backup takes it, and what it had made by then.
    private var backup: (path: String, made: [OperationID])?
    private var backups = 0

    func takeBackup() throws {
        backups += 1
        let path = "\(folder)/replica-\(index).backup-\(backups).sqlite"
        try CrashImage.copy(replica.path, to: path)
        backup = (path, made)
    }

    /// The laptop is lost and a new one restored from the last backup, if there is one. What it made after
    /// the backup is the team's only if a push of it was acknowledged; the rest went with the lost laptop.
    func restoreBackup() throws -> Bool {
        guard let backup else { return false }
        incarnation += 1
        let next = CrashImage.nextPath(base: "replica-\(index)", folder: folder, incarnation: incarnation)
        try CrashImage.copy(backup.path, to: next)
        try replica.close()
        replica = try Replica.open(at: next, env: env)
        made = backup.made + made.dropFirst(backup.made.count).filter(acknowledged.contains)
        return true
    }

    /// After a sync that moved the replica's unsynced operations to a new id (`Replica.moveToNewID`): they
    /// were the last ones it made under the old id, renumbered from 1 in the same order.
    func noteMoved(from old: String, to new: String) throws {
        let moved = try operations().filter { $0.id.replica == new }.map(\.id).sorted()
        let positions = made.indices.filter { made[$0].replica == old }.suffix(moved.count)
        guard positions.count == moved.count else { return }
        for (position, id) in zip(positions, moved) { made[position] = id }
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
