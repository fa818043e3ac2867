import GRDB
import RapportSync

/// Who this replica is and where it syncs.
public struct ReplicaIdentity: Sendable, Equatable, Codable {
    public var id: String
    public var user: String
    public var server: String?
    public var token: String?
    /// PEM certificates trusted for the server instead of the system's certificate authorities.
    public var caCertificate: String?
    public var cursor: Int64
    public var lastSyncMs: Int64?
}

extension Replica {
    public func identity() throws -> ReplicaIdentity {
        try read { db in try Self.identity(db) }
    }

    static func identity(_ db: Database) throws -> ReplicaIdentity {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, user, server, token, ca_certificate, cursor, last_sync_ms FROM replica") else {
            throw ReplicaError.notAReplica(path: db.description, reason: "its identity record is missing")
        }
        return ReplicaIdentity(
            id: row["id"], user: row["user"], server: row["server"], token: row["token"], caCertificate: row["ca_certificate"],
            cursor: row["cursor"], lastSyncMs: row["last_sync_ms"])
    }

    /// Sets the server and token to sync with; nil leaves a setting as it is.
    public func configure(server: String?, token: String?) throws {
        try write { db in
            if let server { try db.execute(sql: "UPDATE replica SET server = ?", arguments: [server]) }
            if let token { try db.execute(sql: "UPDATE replica SET token = ?", arguments: [token]) }
        }
    }

    /// Trusts these PEM certificates for the server instead of the system's certificate authorities; nil goes
    /// back to the system's. The caller checks that the text holds certificates (`ServerTrust`).
    public func setCACertificate(_ pem: String?) throws {
        try write { db in try db.execute(sql: "UPDATE replica SET ca_certificate = ?", arguments: [pem]) }
    }

    /// The next operation id and timestamp, persisted in the same transaction as the operation they stamp.
    func stamp(_ db: Database) throws -> (OperationID, Timestamp) {
        let row = try Row.fetchOne(db, sql: "SELECT id, clock_ms, clock_logical, counter FROM replica")!
        var clock = HybridLogicalClock(last: Timestamp(ms: row["clock_ms"], logical: row["clock_logical"]))
        let time = clock.tick(physical: env.now())
        let counter: Int64 = row["counter"] + 1
        try db.execute(
            sql: "UPDATE replica SET clock_ms = ?, clock_logical = ?, counter = ?",
            arguments: [time.ms, time.logical, counter])
        return (OperationID(replica: row["id"], counter: counter), time)
    }

    /// Advances the clock past a timestamp seen from another replica.
    func receive(_ db: Database, _ remote: Timestamp) throws {
        let row = try Row.fetchOne(db, sql: "SELECT clock_ms, clock_logical FROM replica")!
        var clock = HybridLogicalClock(last: Timestamp(ms: row["clock_ms"], logical: row["clock_logical"]))
        let before = clock.last
        clock.receive(remote, physical: env.now())
        guard clock.last != before else { return }
        try db.execute(sql: "UPDATE replica SET clock_ms = ?, clock_logical = ?", arguments: [clock.last.ms, clock.last.logical])
    }
}
