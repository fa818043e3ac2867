import RapportSync

/// Where the server keeps the teams' operations. The embedded SQLite store is the default; a PostgreSQL
/// store implements the same interface, and one conformance test suite runs against every implementation.
///
/// A server can hold several teams (workspaces). Each workspace has its own log with its own gapless
/// positions, its own merged state and its own users; nothing of one workspace is visible to another.
public protocol SyncStorage: Sendable {
    /// Stores a batch of operations from one replica, atomically: all of it or none. Operations the store
    /// already has are acknowledged and not stored again, so a retried push changes nothing. Each stored
    /// operation, and each conflict record it causes, gets the next position in the gapless server log.
    ///
    /// The operations are already validated against the schema, the author and the clock bound.
    /// Throws `SyncServerError.replicaOwnedByOther` when another user first pushed from this replica, and
    /// `.operationIDReused` when an id arrives again with different content, or when compaction deleted it:
    /// unless `resent` says the batch is operations this server acknowledged before, sent again after it was
    /// restored from a backup, when such an id counts as a duplicate.
    func push(workspace: String, user: String, replica: String, operations: [Operation], now: Int64, resent: Bool) async throws -> PushOutcome

    /// A workspace's log entries after `after`, in order, at most `limit` of them.
    func pull(workspace: String, after: Int64, limit: Int) async throws -> PullPage

    /// The highest position in a workspace's log (0 when empty).
    func head(workspace: String) async throws -> Int64

    /// What a handshake tells a replica about a workspace's log, read together: its head, its identity
    /// (`LogIdentity`), its generation, and the id of the entry at `cursor` while the log holds one there.
    func logState(workspace: String, cursor: Int64) async throws -> LogState

    /// The highest counter among a replica's operations that the workspace's log holds or compacted (0 for
    /// none): a replica pushes in counter order, so it stored every one at or below it. A replica told that a
    /// higher one was stored finds its acknowledged push lost to a restore from an older backup.
    func storedThrough(workspace: String, replica: String) async throws -> Int64

    /// Notes that a workspace's log was found rewritten below a replica's cursor (restored from an older
    /// backup) while it was in generation `seen`: the generation moves on to a new one, unless another
    /// handshake already moved it. Returns the generation now.
    func markLogRewritten(workspace: String, seen: Int64) async throws -> Int64

    /// The operations of a workspace's log with `after < seq <= through` that are still live, in order, at
    /// most `limit` of them: the current winner of each last-writer-wins field and tombstone, and every
    /// version of each reviewed-text field; no conflict records. A new replica applies these instead of
    /// replaying the whole log (see `Compaction.swift` for why the result equals a full replay).
    func snapshot(workspace: String, after: Int64, through: Int64, limit: Int) async throws -> PullPage

    /// Notes that a replica of `user` said hello and, when it says, the log position it has applied up to.
    /// Registers an unknown replica for `user`; throws `SyncServerError.replicaOwnedByOther` when another
    /// user registered it first.
    /// Returns whether the replica was registered before.
    @discardableResult
    func recordHandshake(user: String, replica: String, cursor: Int64?, now: Int64) async throws -> Bool

    /// Deletes from a workspace's log what no replica needs any more: superseded last-writer-wins values
    /// stamped before `keepAfterMs`, and the records of closed conflicts, both only at or below the lowest
    /// position every replica of the workspace reported. See `Compaction.swift`.
    func compact(workspace: String, keepAfterMs: Int64) async throws -> CompactionReport

    /// The user a token hash belongs to, unless the token is unknown or revoked.
    func user(forTokenHash hash: String) async throws -> ServerUser?

    /// Adds a user of a workspace with a first token, or a further token for an existing user. A user
    /// belongs to one workspace: adding a token for them in another is refused.
    func addToken(user: String, workspace: String, tokenHash: String, label: String, now: Int64) async throws

    /// Every token with its user, label and whether it was revoked; never the token itself.
    func tokens() async throws -> [TokenInfo]

    /// When the token of this hash was revoked (Unix ms), or nil for one unknown or in use: a 401 says a
    /// revoked token is one. A lookup by the key, since any request with a wrong token asks.
    func revokedMs(tokenHash hash: String) async throws -> Int64?

    /// Revokes tokens by the prefix of their hash shown in `tokens()`; returns how many.
    func revokeTokens(hashPrefix: String, now: Int64) async throws -> Int

    /// Users (with their workspaces), tokens and replica bindings.
    func directory() async throws -> ServerDirectory

    /// Removes a user; nil for an unknown name. One who never synced is deleted with their tokens (the name is
    /// free again, in any workspace). One who synced keeps their row, which holds their name in its workspace
    /// and their laptops' ids (`addToken` refuses to move a user who synced: an old laptop given a token in
    /// another team would push this team's data there); their tokens are revoked and their laptops forgotten
    /// (`forgetReplica`), so they cannot sync and no longer hold compaction back.
    func removeUser(name: String, now: Int64) async throws -> RemovedUser?

    /// Stops counting a replica that will not sync again (a lost or retired laptop) towards what compaction
    /// must keep; returns what was known of it, nil when there is no such replica (or it was forgotten
    /// already). It stays registered to its user (`Compaction.forgotten`). Safe for convergence: if it does
    /// sync again, its handshake sets its cursor, it pulls on from there, and compaction only ever deleted
    /// values that a later one overwrote.
    func forgetReplica(id: String) async throws -> ReplicaCursor?

    /// Fails when the store cannot serve requests.
    func checkHealth() async throws

    func close() async throws
}

/// What `removeUser` did.
public struct RemovedUser: Sendable, Equatable {
    public var name: String
    public var workspace: String
    /// False for one who never synced: deleted, tokens and all.
    public var hadSynced: Bool
    /// Tokens that worked until now (revoked, or deleted with a user who never synced).
    public var revokedTokens: Int
    /// Tokens deleted, revoked ones among them: every one of a user who never synced.
    public var deletedTokens: Int
    /// Laptops that held compaction back until now.
    public var forgottenReplicas: [ReplicaCursor]

    public init(name: String, workspace: String, hadSynced: Bool, revokedTokens: Int, deletedTokens: Int = 0, forgottenReplicas: [ReplicaCursor]) {
        self.name = name
        self.workspace = workspace
        self.hadSynced = hadSynced
        self.revokedTokens = revokedTokens
        self.deletedTokens = deletedTokens
        self.forgottenReplicas = forgottenReplicas
    }

    /// Nothing changed: a user who synced, with no token left and every laptop forgotten already.
    public var wasRemovedAlready: Bool { hadSynced && revokedTokens == 0 && forgottenReplicas.isEmpty }
}

/// The workspace every user belongs to unless the admin names another.
public let defaultWorkspace = "default"

/// Who a token belongs to.
public struct ServerUser: Sendable, Equatable {
    public var name: String
    public var workspace: String

    public init(name: String, workspace: String) {
        self.name = name
        self.workspace = workspace
    }
}

/// Shorthands for the default workspace, which a single-team server uses throughout.
extension SyncStorage {
    public func push(user: String, replica: String, operations: [Operation], now: Int64) async throws -> PushOutcome {
        try await push(workspace: defaultWorkspace, user: user, replica: replica, operations: operations, now: now, resent: false)
    }

    public func push(workspace: String, user: String, replica: String, operations: [Operation], now: Int64) async throws -> PushOutcome {
        try await push(workspace: workspace, user: user, replica: replica, operations: operations, now: now, resent: false)
    }

    public func pull(after: Int64, limit: Int) async throws -> PullPage {
        try await pull(workspace: defaultWorkspace, after: after, limit: limit)
    }

    public func head() async throws -> Int64 {
        try await head(workspace: defaultWorkspace)
    }

    /// A workspace's whole log, read page by page as a replica reads it; for checks and tools, not for
    /// serving (it holds every entry in memory).
    public func wholeLog(workspace: String = defaultWorkspace) async throws -> [LogEntry] {
        var entries: [LogEntry] = []
        var after: Int64 = 0
        while true {
            let page = try await pull(workspace: workspace, after: after, limit: 1_000)
            entries += page.entries
            after = page.next
            if !page.more { return entries }
        }
    }

    public func addToken(user: String, tokenHash: String, label: String, now: Int64) async throws {
        try await addToken(user: user, workspace: defaultWorkspace, tokenHash: tokenHash, label: label, now: now)
    }
}

/// Where a workspace's log stands, as a handshake reports it.
public struct LogState: Sendable, Equatable {
    public var head: Int64
    /// The log's identity: the same for as long as the log lives, on whatever store it was moved to.
    public var identity: String
    /// The id of the entry at the cursor the replica gave (an operation's id or a conflict record's); nil at 0,
    /// past the head, or where compaction deleted the entry.
    public var entryAtCursor: String?
    /// Which era of the log this is: 0 until it is first found rewritten below a replica's cursor
    /// (`markLogRewritten`), then a new random value each time. Random rather than counted: a second restore
    /// brings the counter of the backup back, and counting on from it could meet the value that replicas
    /// recovered after the first restore remember.
    public var generation: Int64

    public init(head: Int64, identity: String, entryAtCursor: String?, generation: Int64 = 0) {
        self.head = head
        self.identity = identity
        self.entryAtCursor = entryAtCursor
        self.generation = generation
    }

    /// A generation for the log after `current`: random, and never `current` or 0.
    public static func newGeneration(after current: Int64) -> Int64 {
        var next: Int64
        repeat { next = Int64.random(in: 1...Int64.max) } while next == current
        return next
    }

    /// Whether what a replica reports of its cursor shows this log rewritten below it: a cursor past the
    /// head, or another entry at the cursor than the one it applied there.
    public func rewrittenBelow(cursor: Int64, entry: String?) -> Bool {
        cursor > head || (entry != nil && entryAtCursor != nil && entry != entryAtCursor)
    }
}

/// Names a workspace's log so that a replica can tell it from any other.
///
/// A server database gets a random id when it is created, and `admin migrate` carries it to PostgreSQL; a
/// backup restored keeps it (a restore is caught by the entry at the cursor instead). A replica remembers the
/// identity of the log it syncs with and stops when a server answers with another one: pointed at another
/// team's server, or at one set up anew, it would otherwise pull that log's entries from its own cursor on
/// (half of them, at positions it believes it has) and push its changes into it.
public enum LogIdentity {
    /// A fresh server database's random id: 128 bits in hex.
    public static func newServerID() -> String {
        var rng = SystemRandomNumberGenerator()
        return Tokens.hex((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
    }

    /// The id of a database that had data before it had an id (a server upgraded to this version): derived
    /// from its first user, so that a backup taken before the upgrade, upgraded when restored, gets the same id
    /// (a random one would read as another server), and so does its copy in PostgreSQL. The stores compute it
    /// alike (SHA-256 of `name/created_ms`, the first 32 hex digits).
    public static func serverID(firstUser name: String, createdMs: Int64) -> String {
        String(Tokens.hash(name + "/" + String(createdMs)).prefix(32))
    }

    /// The identity of one workspace's log on a server: opaque, so that it names no workspace.
    public static func of(server: String, workspace: String) -> String {
        String(Tokens.hash(server + "/" + workspace).prefix(32))
    }
}

public struct PushOutcome: Sendable, Equatable {
    public var accepted: Int
    public var duplicates: Int
    public var head: Int64

    public init(accepted: Int, duplicates: Int, head: Int64) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.head = head
    }
}

/// A conflict record as the server logs it: opened, or closed when a later version replaced it.
public struct ConflictRecord: Sendable, Hashable {
    public var id: String
    public var key: FieldKey
    public var versions: [OperationID]
    public var base: OperationID?
    public var open: Bool

    public init(id: String, key: FieldKey, versions: [OperationID], base: OperationID?, open: Bool) {
        self.id = id
        self.key = key
        self.versions = versions
        self.base = base
        self.open = open
    }
}

public enum LogEntry: Sendable, Hashable {
    case operation(seq: Int64, Operation)
    case conflict(seq: Int64, ConflictRecord)

    public var seq: Int64 {
        switch self {
        case .operation(let seq, _), .conflict(let seq, _): seq
        }
    }
}

public struct PullPage: Sendable, Equatable {
    public var entries: [LogEntry]
    public var next: Int64
    public var more: Bool

    public init(entries: [LogEntry], next: Int64, more: Bool) {
        self.entries = entries
        self.next = next
        self.more = more
    }

    /// A page of at most `limit` entries from `fetched`, which a store read with a limit of `limit + 1`: the
    /// one entry more says whether another page follows.
    public init(_ fetched: [LogEntry], after: Int64, limit: Int) {
        let entries = Array(fetched.prefix(limit))
        self.init(entries: entries, next: entries.last?.seq ?? after, more: fetched.count > limit)
    }

    /// About how many bytes of values a page holds at most, however many entries were asked for: a page of
    /// 5,000 long notes would otherwise sit whole in the server's memory, and in the client's.
    public static let maxBytes = 4 << 20

    /// Gathers the rows a store reads (with a limit of `limit + 1`) into a page that stops at `maxBytes`.
    public struct Collector: Sendable {
        let after: Int64
        let limit: Int
        let maxBytes: Int
        var entries: [LogEntry] = []
        var bytes = 0
        /// Set once the page has all it may hold.
        public private(set) var full = false

        public init(after: Int64, limit: Int, maxBytes: Int = PullPage.maxBytes) {
            (self.after, self.limit, self.maxBytes) = (after, limit, maxBytes)
        }

        /// Takes one more row; false once the page is full, when the store may stop reading.
        public mutating func add(_ entry: LogEntry) -> Bool {
            guard !full else { return false }
            entries.append(entry)
            if case .operation(_, let op) = entry { bytes += 200 + (op.value.textValue?.utf8.count ?? 16) } else { bytes += 200 }
            // Past the byte budget the page ends here, with more to follow; at least one entry always goes.
            if bytes >= maxBytes, entries.count <= limit { full = true }
            return !full
        }

        public var page: PullPage {
            full ? PullPage(entries: entries, next: entries.last?.seq ?? after, more: true) : PullPage(entries, after: after, limit: limit)
        }
    }
}

public struct TokenInfo: Sendable, Equatable {
    public var user: String
    public var workspace: String = defaultWorkspace
    public var hashPrefix: String
    /// How much of a token's hash names it in `admin tokens` and `admin revoke`.
    public static let idLength = 12
    public var label: String
    public var createdMs: Int64
    public var revokedMs: Int64?

    public init(user: String, workspace: String = defaultWorkspace, hashPrefix: String, label: String, createdMs: Int64, revokedMs: Int64?) {
        self.user = user
        self.workspace = workspace
        self.hashPrefix = hashPrefix
        self.label = label
        self.createdMs = createdMs
        self.revokedMs = revokedMs
    }
}

/// Who may sync: users, token hashes and replica bindings. Copied whole when a server moves to another store.
public struct ServerDirectory: Sendable, Equatable {
    public struct Token: Sendable, Equatable {
        public var hash: String
        public var user: String
        public var label: String
        public var createdMs: Int64
        public var revokedMs: Int64?

        public init(hash: String, user: String, label: String, createdMs: Int64, revokedMs: Int64?) {
            self.hash = hash
            self.user = user
            self.label = label
            self.createdMs = createdMs
            self.revokedMs = revokedMs
        }
    }

    public var users: [(name: String, workspace: String, createdMs: Int64)]
    public var tokens: [Token]
    /// A replica bound to its user, with how far it has applied the log and when it last said hello: a move
    /// that dropped them held the new store's compaction at 0 and called laptops that synced an hour before
    /// "never seen syncing".
    public typealias Replica = (id: String, user: String, firstSeenMs: Int64, cursor: Int64?, seenMs: Int64?)

    public var replicas: [Replica]
    /// Replicas forgotten (`forgetReplica`, `removeUser`): still their users' and holding nothing back; apart
    /// from `replicas`, so that a move copies them forgotten (as those, they would hold its compaction back at 0
    /// for good). Not compared by `==`.
    public var forgottenReplicas: [Replica]
    /// The highest counter compaction deleted of each replica's operations.
    public var compactedCounters: [String: Int64]

    public init(
        users: [(name: String, workspace: String, createdMs: Int64)], tokens: [Token], replicas: [Replica],
        compactedCounters: [String: Int64] = [:], forgottenReplicas: [Replica] = []
    ) {
        self.users = users
        self.tokens = tokens
        self.replicas = replicas
        self.forgottenReplicas = forgottenReplicas
        self.compactedCounters = compactedCounters
    }

    /// Whether `removeUser` left this user so (or an admin by hand, to the same effect): one who synced, with no
    /// token that works and every laptop forgotten.
    public func isRemoved(_ user: String) -> Bool {
        !tokens.contains { $0.user == user && $0.revokedMs == nil } && !replicas.contains { $0.user == user } && forgottenReplicas.contains { $0.user == user }
    }

    public static func == (a: ServerDirectory, b: ServerDirectory) -> Bool {
        a.users.map(\.name) == b.users.map(\.name) && a.users.map(\.createdMs) == b.users.map(\.createdMs)
            && a.users.map(\.workspace) == b.users.map(\.workspace)
            && a.tokens == b.tokens
            && a.replicas.map(\.id) == b.replicas.map(\.id) && a.replicas.map(\.user) == b.replicas.map(\.user)
            && a.replicas.map(\.firstSeenMs) == b.replicas.map(\.firstSeenMs)
            && a.replicas.map(\.cursor) == b.replicas.map(\.cursor) && a.replicas.map(\.seenMs) == b.replicas.map(\.seenMs)
            && a.compactedCounters == b.compactedCounters
    }
}
