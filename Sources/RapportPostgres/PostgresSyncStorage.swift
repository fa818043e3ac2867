import Logging
import PostgresNIO
import RapportServer
import RapportSync

/// The server's storage on PostgreSQL, for teams that run several stateless `rapport serve` processes in
/// front of one database.
///
/// The hazard of positions handed out by concurrent transactions: a transaction that takes position 11 may
/// commit before the one holding 10, and a pull between the two commits would return 11, move its cursor past
/// 10, and never see it. So every push takes one transaction-scoped advisory lock before it assigns
/// positions: pushes assign and commit their positions one after another, in order, across every server
/// process. Pulls take no lock.
public final class PostgresSyncStorage: SyncStorage {
    /// The first key of the two-key advisory locks that serialize pushes, one lock per workspace.
    static let pushLockSpace: Int32 = 0x5241_5053
    static let migrationLock: Int64 = 0x5241_5053_0002

    let pool: PoolHolder
    let logger: Logger
    let schema: Schema
    public let url: PostgresURL
    /// How long one transaction may take before the server gives up on it and answers 503.
    let deadline: Duration

    /// Connects, and creates or migrates the schema.
    public init(url: PostgresURL, schema: Schema = .rapport, logger: Logger = Logger(label: "rapport.postgres"), deadline: Duration = .seconds(120)) async throws {
        self.url = url
        self.schema = schema
        self.logger = logger
        self.deadline = deadline
        try await url.probe(logger: logger)
        pool = PoolHolder(url: url, logger: logger)
        do {
            try await PostgresSchema.migrate(pool.current, logger: logger)
        } catch {
            await pool.shutdown()
            throw Self.describe(error, url: url)
        }
    }

    public func close() async throws {
        await pool.shutdown()
    }

    static func describe(_ error: any Error, url: PostgresURL) -> any Error {
        if let error = error as? PostgresStorageError { return error }
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError { return describe(inner, url: url) }
        }
        if let error = error as? PSQLError, let message = error.serverInfo?[.message] {
            return PostgresStorageError.unreachable(url.description, reason: message)
        }
        return PostgresStorageError.unreachable(url.description, reason: String(describing: error).prefix(200).description)
    }

    /// Runs `body` in a transaction; the server's own refusals pass through, database failures become
    /// `unavailable` so the client retries. A transaction that fails for any other reason, or outlives the
    /// deadline, also replaces the connection pool: a pool whose connections the database dropped must not
    /// keep the server waiting.
    func transaction<T: Sendable>(within limit: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let client = pool.current
        let logger = self.logger
        do {
            return try await Deadline.run(within: limit ?? deadline) {
                try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            }
        } catch let error as PostgresTransactionError where error.closureError is SyncServerError {
            throw error.closureError!
        } catch let refusal as SyncServerError {
            throw refusal
        } catch {
            logger.warning("transaction failed; reconnecting", metadata: ["error": "\(error)"])
            pool.replace(client)
            throw SyncServerError.unavailable("database: \(Self.describe(error, url: url))")
        }
    }

    public func push(workspace: String, user: String, replica: String, operations: [Operation], now: Int64) async throws -> PushOutcome {
        let schema = self.schema
        let logger = self.logger
        return try await transaction { db in
            try await Self.lockLog(db, workspace: workspace, logger: logger)
            var owner: String?
            for try await name in try await db.query("SELECT \"user\" FROM replicas WHERE id = \(replica)", logger: logger).decode(String.self) { owner = name }
            if let owner, owner != user { throw SyncServerError.replicaOwnedByOther(replica: replica, owner: owner) }
            if owner == nil {
                try await db.query("INSERT INTO replicas (id, \"user\", first_seen_ms) VALUES (\(replica), \(user), \(now))", logger: logger)
            }
            var head = try await Self.head(db, workspace: workspace, logger: logger)
            var accepted = 0
            var duplicates = 0
            for op in operations {
                if let existing = try await PostgresRows.operations(db, where: "workspace = $1 AND kind = 'op' AND id = $2", [workspace, op.id.description], logger: logger).first {
                    guard existing == op else { throw SyncServerError.operationIDReused(op.id.description) }
                    duplicates += 1
                    continue
                }
                head += 1
                try await PostgresRows.insert(db, op, workspace: workspace, seq: head, logger: logger)
                head = try await Self.merge(db, op, workspace: workspace, head: head, schema: schema, logger: logger)
                accepted += 1
            }
            try await Self.setHead(db, workspace: workspace, head, logger: logger)
            return PushOutcome(accepted: accepted, duplicates: duplicates, head: head)
        }
    }

    /// Merges a stored operation with the rules the replicas use; returns the log head after any conflict
    /// records it appended.
    static func merge(_ db: PostgresConnection, _ op: Operation, workspace: String, head: Int64, schema: Schema, logger: Logger) async throws -> Int64 {
        let merge = (try? schema.spec(for: op.key))?.merge ?? .lastWriterWins
        switch merge {
        case .lastWriterWins, .tombstone:
            var current: Operation?
            let rows = try await db.query("""
                SELECT ms, logical, replica, counter FROM fields WHERE workspace = \(workspace) AND entity = \(op.entity) AND "row" = \(op.row) AND field = \(op.field)
                """, logger: logger)
            for try await (ms, logical, replica, counter) in rows.decode((Int64, Int, String, Int64).self) {
                current = Operation(id: OperationID(replica: replica, counter: counter), author: "", entity: op.entity, row: op.row,
                                    field: op.field, value: .null, time: Timestamp(ms: ms, logical: logical))
            }
            guard LastWriterWins.wins(op, over: current) else { return head }
            try await db.query("""
                INSERT INTO fields (workspace, entity, "row", field, op, ms, logical, replica, counter)
                VALUES (\(workspace), \(op.entity), \(op.row), \(op.field), \(op.id.description), \(op.time.ms), \(op.time.logical), \(op.id.replica), \(op.id.counter))
                ON CONFLICT (workspace, entity, "row", field) DO UPDATE SET op = excluded.op, ms = excluded.ms, logical = excluded.logical,
                    replica = excluded.replica, counter = excluded.counter
                """, logger: logger)
            return head
        case .reviewedText:
            let versions = try await PostgresRows.operations(
                db, where: "workspace = $1 AND kind = 'op' AND entity = $2 AND \"row\" = $3 AND field = $4", [workspace, op.entity, op.row, op.field], logger: logger)
            var open: [ConflictRecord] = []
            let rows = try await db.query("""
                SELECT id, versions, base FROM conflicts WHERE workspace = \(workspace) AND entity = \(op.entity) AND "row" = \(op.row) AND field = \(op.field) AND open
                """, logger: logger)
            for try await (id, list, base) in rows.decode((String, String, String?).self) {
                open.append(ConflictRecord(id: id, key: op.key, versions: PostgresRows.split(list), base: base.flatMap { OperationID($0) }, open: true))
            }
            var head = head
            for record in ServerMerge.conflictRecords(key: op.key, text: ReviewedText(versions: versions), open: open) {
                head += 1
                let versions = record.versions.map(\.description).joined(separator: ",")
                try await db.query("""
                    INSERT INTO conflicts (workspace, id, entity, "row", field, versions, base, open)
                    VALUES (\(workspace), \(record.id), \(op.entity), \(op.row), \(op.field), \(versions), \(record.base?.description), \(record.open))
                    ON CONFLICT (workspace, id) DO UPDATE SET open = excluded.open
                    """, logger: logger)
                try await db.query("""
                    INSERT INTO log (workspace, seq, kind, id, entity, "row", field, base, versions, open)
                    VALUES (\(workspace), \(head), 'conflict', \(record.id), \(op.entity), \(op.row), \(op.field), \(record.base?.description), \(versions), \(record.open))
                    """, logger: logger)
            }
            return head
        }
    }

    public func pull(workspace: String, after: Int64, limit: Int) async throws -> PullPage {
        let logger = self.logger
        return try await transaction { db in
            let entries = try await PostgresRows.entries(db, workspace: workspace, after: after, limit: limit + 1, logger: logger)
            let page = Array(entries.prefix(limit))
            return PullPage(entries: page, next: page.last?.seq ?? after, more: entries.count > limit)
        }
    }

    public func head(workspace: String) async throws -> Int64 {
        let logger = self.logger
        return try await transaction { db in try await Self.head(db, workspace: workspace, logger: logger) }
    }

    /// Serializes the pushes of one workspace across every server process until the transaction ends.
    static func lockLog(_ db: PostgresConnection, workspace: String, logger: Logger) async throws {
        try await db.query("SELECT pg_advisory_xact_lock(\(Self.pushLockSpace), hashtext(\(workspace)))", logger: logger)
    }

    static func head(_ db: PostgresConnection, workspace: String, logger: Logger) async throws -> Int64 {
        var head: Int64 = 0
        for try await seq in try await db.query("SELECT seq FROM log_heads WHERE workspace = \(workspace)", logger: logger).decode(Int64.self) { head = seq }
        return head
    }

    static func setHead(_ db: PostgresConnection, workspace: String, _ head: Int64, logger: Logger) async throws {
        try await db.query("""
            INSERT INTO log_heads (workspace, seq) VALUES (\(workspace), \(head))
            ON CONFLICT (workspace) DO UPDATE SET seq = excluded.seq
            """, logger: logger)
    }

    public func user(forTokenHash hash: String) async throws -> ServerUser? {
        let logger = self.logger
        return try await transaction { db in
            var user: ServerUser?
            let rows = try await db.query("""
                SELECT users.name, users.workspace FROM tokens JOIN users ON users.name = tokens."user"
                WHERE tokens.hash = \(hash) AND tokens.revoked_ms IS NULL
                """, logger: logger)
            for try await (name, workspace) in rows.decode((String, String).self) { user = ServerUser(name: name, workspace: workspace) }
            return user
        }
    }

    public func addToken(user: String, workspace: String, tokenHash: String, label: String, now: Int64) async throws {
        let logger = self.logger
        try await transaction { db in
            for try await existing in try await db.query("SELECT workspace FROM users WHERE name = \(user)", logger: logger).decode(String.self) where existing != workspace {
                throw SyncServerError.userInOtherWorkspace(user: user, workspace: existing)
            }
            try await db.query("INSERT INTO users (name, workspace, created_ms) VALUES (\(user), \(workspace), \(now)) ON CONFLICT DO NOTHING", logger: logger)
            try await db.query("INSERT INTO tokens (hash, \"user\", label, created_ms) VALUES (\(tokenHash), \(user), \(label), \(now))", logger: logger)
        }
    }

    public func tokens() async throws -> [TokenInfo] {
        let logger = self.logger
        return try await transaction { db in
            var out: [TokenInfo] = []
            let rows = try await db.query("""
                SELECT tokens.hash, tokens."user", users.workspace, tokens.label, tokens.created_ms, tokens.revoked_ms
                FROM tokens JOIN users ON users.name = tokens."user" ORDER BY tokens."user", tokens.created_ms
                """, logger: logger)
            for try await (hash, user, workspace, label, created, revoked) in rows.decode((String, String, String, String, Int64, Int64?).self) {
                out.append(TokenInfo(user: user, workspace: workspace, hashPrefix: String(hash.prefix(12)), label: label, createdMs: created, revokedMs: revoked))
            }
            return out
        }
    }

    public func revokeTokens(hashPrefix: String, now: Int64) async throws -> Int {
        guard hashPrefix.count >= 6, hashPrefix.allSatisfy(\.isHexDigit) else {
            throw StorageError.badArgument("give at least 6 hex characters of the token id (`rapport admin tokens` lists them)")
        }
        let logger = self.logger
        let pattern = hashPrefix.lowercased() + "%"
        return try await transaction { db in
            var count = 0
            let rows = try await db.query("UPDATE tokens SET revoked_ms = \(now) WHERE hash LIKE \(pattern) AND revoked_ms IS NULL RETURNING hash", logger: logger)
            for try await _ in rows.decode(String.self) { count += 1 }
            return count
        }
    }

    public func directory() async throws -> ServerDirectory {
        let logger = self.logger
        return try await transaction { db in
            var users: [(name: String, workspace: String, createdMs: Int64)] = []
            let userRows = try await db.query("SELECT name, workspace, created_ms FROM users ORDER BY name", logger: logger)
            for try await (name, workspace, created) in userRows.decode((String, String, Int64).self) {
                users.append((name, workspace, created))
            }
            var tokens: [ServerDirectory.Token] = []
            let rows = try await db.query("SELECT hash, \"user\", label, created_ms, revoked_ms FROM tokens ORDER BY hash", logger: logger)
            for try await (hash, user, label, created, revoked) in rows.decode((String, String, String, Int64, Int64?).self) {
                tokens.append(.init(hash: hash, user: user, label: label, createdMs: created, revokedMs: revoked))
            }
            var replicas: [(id: String, user: String, firstSeenMs: Int64)] = []
            for try await (id, user, first) in try await db.query("SELECT id, \"user\", first_seen_ms FROM replicas ORDER BY id", logger: logger).decode((String, String, Int64).self) {
                replicas.append((id, user, first))
            }
            return ServerDirectory(users: users, tokens: tokens, replicas: replicas)
        }
    }

    public func checkHealth() async throws {
        let logger = self.logger
        try await transaction { db in try await db.query("SELECT 1", logger: logger) }
    }
}
