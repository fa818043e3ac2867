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
    /// The identity of the server log this replica syncs with, as its handshakes gave it (`LogIdentity`); nil
    /// before the first sync with a server that gives one.
    public var serverLog: String?
    /// The id of the log entry at `cursor`, from the page that moved the cursor there; nil when that page did
    /// not hold it (a snapshot's end, where the entry lost to a later value), or before any pull.
    public var cursorEntry: String?
    /// The server log's generation at this replica's last sync; nil before a server gave one.
    public var serverGeneration: Int64?
    /// Why the latest sync failed, when it did after the last one that went through.
    public var syncFailure: SyncFailure?

    /// Whether a sync has reached the server at all, even one that only pulled: the server then holds the replica
    /// as its user's, so the user can no longer be renamed (`rename(user:)`, `SyncError.wrongUser`).
    public var hasMetTheServer: Bool { lastSyncMs != nil || serverLog != nil || cursor > 0 }
}

/// A sync that failed: when, its error code (as `sync --json` gives it) and what it said.
public struct SyncFailure: Sendable, Equatable, Codable {
    public var ms: Int64
    public var code: String
    public var message: String

    public init(ms: Int64, code: String, message: String) {
        self.ms = ms
        self.code = code
        self.message = message
    }
}

extension Replica {
    public func identity() throws -> ReplicaIdentity {
        try read { db in try Self.identity(db) }
    }

    static func identity(_ db: Database) throws -> ReplicaIdentity {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT id, user, server, token, ca_certificate, cursor, last_sync_ms, server_log, cursor_entry, server_generation,
                sync_failure_ms, sync_failure_code, sync_failure FROM replica
            """) else {
            throw ReplicaError.damaged(path: db.description, reason: "its identity record is missing")
        }
        return ReplicaIdentity(
            id: row["id"], user: row["user"], server: row["server"], token: row["token"], caCertificate: row["ca_certificate"],
            cursor: row["cursor"], lastSyncMs: row["last_sync_ms"], serverLog: row["server_log"], cursorEntry: row["cursor_entry"],
            serverGeneration: row["server_generation"],
            syncFailure: (row["sync_failure_ms"] as Int64?).map { SyncFailure(ms: $0, code: row["sync_failure_code"] ?? "", message: row["sync_failure"] ?? "") })
    }

    /// Remembers the identity of the server log this replica syncs with and the log's generation, from now on
    /// (nil: none to check).
    public func recordServerLog(_ log: String?, generation: Int64?) throws {
        try write { db in try db.execute(sql: "UPDATE replica SET server_log = ?, server_generation = ?", arguments: [log, generation]) }
    }

    /// Remembers the id of the entry at `cursor`, as the server gave it, if the cursor is still there and the
    /// replica does not know it yet.
    public func recordCursorEntry(_ entry: String, at cursor: Int64) throws {
        try write { db in
            try db.execute(sql: "UPDATE replica SET cursor_entry = ? WHERE cursor = ? AND cursor > 0 AND cursor_entry IS NULL", arguments: [entry, cursor])
        }
    }

    /// Sets the server and token to sync with; nil leaves a setting as it is.
    public func configure(server: String?, token: String?) throws {
        try write { db in
            if let server { try db.execute(sql: "UPDATE replica SET server = ?", arguments: [server]) }
            if let token { try db.execute(sql: "UPDATE replica SET token = ?", arguments: [token]) }
        }
    }

    /// What is wrong with a user name, as `admin add-user` and `init` take them; nil for a good one. Every change
    /// is stamped with it and owners are matched to it: one with an escape or 300 characters made a replica
    /// whose first `account add` refused its own owner.
    public static func userNameProblem(_ name: String) -> String? {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return "cannot be empty" }
        if name.count > 64 { return "is \(name.count) characters: a user name is at most 64" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "must not hold control characters (a line break, a tab, an escape)"
        }
        return nil
    }

    /// Renames the replica's user, for a name mistyped at `init`: its changes are signed with the user's name,
    /// and a server that knows the token's owner by another name refuses them. Only until its first sync: its
    /// changes that reached the server are the team's history under the old name, and a sync that only pulled
    /// made the replica the old name's on the server.
    public func rename(user: String) throws {
        let user = user.trimmingCharacters(in: .whitespaces)
        if let problem = Self.userNameProblem(user) { throw ReplicaError.badArgument("--user \(problem)") }
        try write { db in
            let me = try Self.identity(db)
            let synced = try Int.fetchOne(db, sql: "SELECT count(*) FROM ops WHERE replica = ? AND pushed <> 0", arguments: [me.id]) ?? 0
            guard synced == 0 else {
                throw ReplicaError.badArgument(
                    "this replica has synced \(synced) change\(synced == 1 ? "" : "s") as '\(me.user)', which the team keeps under that name; " +
                        "nothing was changed: to work as another user, make a replica of their own (`rapport init --user NAME --db PATH`)")
            }
            // A sync that only pulled binds the replica to its user on the server too: renamed, it could never
            // sync again (403 replica_owned_by_other), its changes stranded.
            guard !me.hasMetTheServer else {
                throw ReplicaError.badArgument(
                    "this replica has synced as '\(me.user)', and the server holds it as theirs: nothing was changed; " +
                        "to work as another user, make a replica of their own (`rapport init --user NAME --db PATH`)")
            }
            try db.execute(sql: "UPDATE ops SET author = ? WHERE replica = ?", arguments: [user, me.id])
            try db.execute(sql: "UPDATE replica SET user = ?", arguments: [user])
        }
    }

    /// Trusts these PEM certificates for the server instead of the system's certificate authorities; nil goes
    /// back to the system's. The caller checks that the text holds certificates (`ServerTrust`).
    public func setCACertificate(_ pem: String?) throws {
        try write { db in try db.execute(sql: "UPDATE replica SET ca_certificate = ?", arguments: [pem]) }
    }

    /// The next operation id and timestamp, persisted in the same transaction as the operation they stamp.
    func stamp(_ db: Database) throws -> (OperationID, Timestamp) {
        // Cached: every field of every record an import or a change writes is stamped here, and preparing
        // these two statements anew each time was a third of importing 10,000 accounts.
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, clock_ms, clock_logical, counter FROM replica"))!
        var clock = HybridLogicalClock(last: Timestamp(ms: row["clock_ms"], logical: row["clock_logical"]))
        let time = clock.tick(physical: env.now())
        let counter: Int64 = row["counter"] + 1
        try db.cachedStatement(sql: "UPDATE replica SET clock_ms = ?, clock_logical = ?, counter = ?")
            .execute(arguments: [time.ms, time.logical, counter])
        return (OperationID(replica: row["id"], counter: counter), time)
    }

    /// Advances the clock past a timestamp seen from another replica.
    func receive(_ db: Database, _ remote: Timestamp) throws {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT clock_ms, clock_logical FROM replica"))!
        var clock = HybridLogicalClock(last: Timestamp(ms: row["clock_ms"], logical: row["clock_logical"]))
        let before = clock.last
        clock.receive(remote, physical: env.now())
        guard clock.last != before else { return }
        try db.cachedStatement(sql: "UPDATE replica SET clock_ms = ?, clock_logical = ?").execute(arguments: [clock.last.ms, clock.last.logical])
    }
}
