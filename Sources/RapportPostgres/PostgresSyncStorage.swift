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
    /// How long a transaction waits for a connection before the database is asked whether it is there.
    let leaseCheck: Duration
    let probe: ReachabilityProbe
    /// Whether opening it gave the database Rapport's tables, empty (`rapport serve` says so: a mistyped database
    /// name starts a server that no replica's changes reach).
    public let createdTables: Bool

    /// The latest schema version this version of Rapport migrates a PostgreSQL database to.
    public static var format: Int { PostgresSchema.latest }

    /// Connects, and creates or migrates the schema; unless `creating`, refuses a database without one.
    public init(
        url: PostgresURL, schema: Schema = .rapport, logger: Logger = Logger(label: "rapport.postgres"), deadline: Duration = .seconds(120),
        leaseCheck: Duration = .seconds(3), creating: Bool = true
    ) async throws {
        self.url = url
        self.schema = schema
        self.logger = logger
        self.deadline = deadline
        self.leaseCheck = leaseCheck
        probe = ReachabilityProbe(url: url, logger: logger)
        try await url.probe(logger: logger)
        pool = await PoolHolder(url: url, logger: logger)
        do {
            createdTables = try await Self.migrate(pool.current, schema: schema, creating: creating, url: url, every: leaseCheck, logger: logger)
        } catch {
            await pool.shutdown()
            // The probe reached the database, so a refusal now is about its contents (a table of another
            // application in the way, say), not about reaching it.
            // (Unless it ended the connection: an administrator's `pg_terminate_backend` or a restart read as
            // "refused Rapport's tables", with advice to give Rapport a database of its own.)
            if let inner = ((error as? PostgresTransactionError)?.closureError ?? error) as? PSQLError, let message = inner.serverInfo?[.message],
               !Self.endsConnection(inner) {
                throw PostgresStorageError.schemaRefused(url.description, reason: message)
            }
            throw Self.describe(error, url: url)
        }
    }

    /// Migrates under watch, as `transaction` runs its work: a connection the database ended between two of the
    /// migration's queries left PostgresNIO waiting for an answer that never came, and `serve` or an admin
    /// command with it, for good (1 admin command in 60 under repeated `pg_terminate_backend`). No deadline:
    /// a migration of a large log may take long; a connection not leased within half a minute of a start, where
    /// nothing else uses the pool, is one that will not come.
    static func migrate(_ client: PostgresClient, schema: Schema, creating: Bool, url: PostgresURL, every: Duration, logger: Logger) async throws -> Bool {
        let gate = LeaseGate()
        let started = ContinuousClock.now
        let check = Deadline.Check(after: every) {
            if gate.connectionClosed { return PostgresStorageError.connectionLost(url.description, reason: "the connection closed while the tables were checked") }
            guard started.duration(to: .now) > .seconds(30), gate.abandon() else { return nil }
            return PostgresStorageError.noConnection(url.description, seconds: 30)
        }
        return try await Deadline.run(within: .seconds(7 * 24 * 3600), check: check) {
            try await PostgresSchema.migrate(client, schema: schema, creating: creating, url: url, gate: gate, logger: logger)
        }
    }

    public func close() async throws {
        await pool.shutdown()
    }

    /// Whether the database ended the connection (an administrator, a shutdown, an idle session's or an idle
    /// transaction's timeout; SQLSTATE class 08; a socket closed): the next connection may do, and what the
    /// query asked is not what was refused. (57P03, starting up, and 57P04, the database dropped, are not that;
    /// nor a full disk or a statement timeout.)
    static func endsConnection(_ error: PSQLError) -> Bool {
        if error.code == .serverClosedConnection || error.code == .uncleanShutdown { return true }
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return ["57P01", "57P02", "57P05", "25P03"].contains(state) || state.hasPrefix("08")
    }

    /// Whether the database answered that a table Rapport reads does not exist (SQLSTATE 42P01): its schema,
    /// set up at start, is gone.
    static func tablesGone(_ error: any Error) -> Bool {
        if let error = error as? PostgresTransactionError {
            return [error.closureError, error.beginError, error.commitError].contains { $0.map(tablesGone) ?? false }
        }
        return (error as? PSQLError)?.serverInfo?[.sqlState] == "42P01"
    }

    static func describe(_ error: any Error, url: PostgresURL) -> any Error {
        if let error = error as? PostgresStorageError { return error }
        // The error of whichever step failed: a connection ended at BEGIN read as "cannot reach PostgreSQL
        // (PostgresTransactionError(file: ...": the database was reached, and the user was shown its internals.
        if let error = error as? PostgresTransactionError {
            // Cut off at COMMIT, the step may have been saved or not: "rolled back, run it again" could add a
            // second token.
            if error.closureError == nil, let commit = error.commitError {
                if let inner = commit as? PSQLError, inner.serverInfo?[.message] != nil, !endsConnection(inner) { return describe(inner, url: url) }
                return PostgresStorageError.commitUnknown(url.description)
            }
            if let inner = error.closureError ?? error.beginError ?? error.rollbackError { return describe(inner, url: url) }
        }
        if let error = error as? PSQLError, let message = error.serverInfo?[.message] {
            // SQLSTATE classes 08 (connection), 53 (resources) and 57 (shutting down, terminated) are the database
            // going away; anything else it answered with is a refusal of the work itself.
            let state = error.serverInfo?[.sqlState] ?? ""
            // The database ended this connection (an administrator, a shutdown, an idle session's or an idle
            // transaction's timeout); the next one may do. (57P03, starting up, and 57P04, the database dropped,
            // are not that.)
            if ["57P01", "57P02", "57P05", "25P03"].contains(state) { return PostgresStorageError.connectionLost(url.description, reason: message) }
            if ["08", "53", "57"].contains(String(state.prefix(2))) { return PostgresStorageError.unreachable(url.description, reason: message) }
            return PostgresStorageError.refused(url.description, reason: message)
        }
        // The connection closed on the database's word: that word ("terminating connection due to administrator
        // command"), not "cannot reach PostgreSQL" with PostgresNIO's internals.
        if let error = error as? PSQLError, error.code == .clientClosedConnection, let underlying = error.underlying as? PSQLError { return describe(underlying, url: url) }
        if let error = error as? PSQLError, error.code == .serverClosedConnection || error.code == .uncleanShutdown {
            return PostgresStorageError.connectionLost(url.description, reason: "the connection closed mid-transaction")
        }
        if let error = error as? PSQLError, error.code == .sslUnsupported { return PostgresStorageError.unreachable(url.description, reason: PostgresURL.noTLS) }
        return PostgresStorageError.unreachable(url.description, reason: String(describing: error).prefix(200).description)
    }

    /// Runs `body` in a transaction; the server's own refusals pass through, database failures become
    /// `unavailable` so the client retries. A transaction that fails for any other reason, or outlives the
    /// deadline, also replaces the connection pool: a pool whose connections the database dropped must not
    /// keep the server waiting. When BEGIN itself failed, nothing ran: that is an idle connection the database
    /// dropped, and the work is tried once more on the fresh pool instead of failing a request for it.
    func transaction<T: Sendable>(
        within limit: Duration? = nil, retryingBegin: Bool = true, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let client = pool.current
        let logger = self.logger
        // A transaction that has no connection yet after a few seconds asks the database itself: one that
        // cannot be reached fails the request now, where the pool would keep trying to connect for a minute
        // (PostgresNIO's own limit) and then the client again for each retry. One that answers leaves the
        // request waiting for a connection of the pool, which is busy, not broken.
        // The probe is shared by every waiting transaction, and a database that refuses more clients counts as
        // there.
        // With its connection, the check asks whether the database closed it: the transaction then fails now.
        let gate = LeaseGate()
        let probe = self.probe, url = self.url
        // The database is asked once, at the first check, as before: asked at every one, a long wait for a
        // connection of a busy pool opened one more client on the database every few seconds.
        let check = Deadline.Check(after: leaseCheck) {
            if gate.connectionClosed { return PostgresStorageError.connectionLost(url.description, reason: "the connection closed mid-transaction") }
            guard gate.isWaiting, gate.firstProbe(), let failure = await probe.failure(), gate.abandon() else { return nil }
            return failure
        }
        let within = limit ?? deadline
        do {
            return try await Deadline.run(within: within, check: check) {
                try await client.withTransaction(logger: logger) { connection in
                    // Abandoned by the check while the lease came: rolled back, never run.
                    guard gate.enter(connection) else { throw CancellationError() }
                    return try await body(connection)
                }
            }
        } catch let error as PostgresTransactionError where error.closureError is SyncServerError {
            throw error.closureError!
        } catch let refusal as SyncServerError {
            throw refusal
        } catch let error as PostgresTransactionError where error.closureError != nil && error.rollbackError == nil
                    && !(error.closureError is PSQLError) && !(error.closureError is PostgresDecodingError) && !(error.closureError is CancellationError) {
            // The body's own failure, not the database's (a move reading a damaged SQLite file): rolled back and
            // said as it is, where "cannot reach PostgreSQL" sent the admin to check the database.
            throw error.closureError!
        } catch {
            await pool.replace(client)
            if retryingBegin, let failed = error as? PostgresTransactionError, failed.beginError != nil, failed.closureError == nil {
                logger.info("a pooled connection was gone at BEGIN; trying again on a fresh pool", metadata: ["error": "\(error)"])
                return try await transaction(within: limit, retryingBegin: false, body)
            }
            // Rapport's tables gone under it: said as such, for the admin, not "try again shortly" for ever.
            if Self.tablesGone(error) {
                logger.critical("Rapport's tables are gone from \(url.description)", metadata: ["error": "\(Self.describe(error, url: url))"])
                throw SyncServerError.databaseEmptied("\(Self.describe(error, url: url))")
            }
            logger.warning("transaction failed; reconnecting", metadata: ["error": "\(error)"])
            // Past the deadline the database may be reachable and only slow or locked: not "check the password".
            let described = error is Deadline.Exceeded ? PostgresStorageError.stalled(url.description, seconds: Int(within.components.seconds)) : Self.describe(error, url: url)
            throw SyncServerError.databaseUnavailable("\(described)")
        }
    }

    public func push(workspace: String, user: String, replica: String, operations: [Operation], now: Int64, resent: Bool) async throws -> PushOutcome {
        let schema = self.schema
        let logger = self.logger
        return try await transaction { db in
            try await Self.lockLog(db, workspace: workspace, logger: logger)
            var owner: String?
            for name in try await db.rows("SELECT \"user\" FROM replicas WHERE id = \(replica)", logger: logger).decode(String.self) { owner = name }
            if let owner, owner != user { throw SyncServerError.replicaOwnedByOther(replica: replica, owner: owner) }
            if owner == nil {
                // (First seen in a resent push: as one forgotten until it syncs itself, as on SQLite.)
                let cursor: Int64? = resent ? Compaction.forgotten : nil
                try await db.query("INSERT INTO replicas (id, \"user\", first_seen_ms, cursor) VALUES (\(replica), \(user), \(now), \(cursor))", logger: logger)
            }
            let head = try await Self.head(db, workspace: workspace, logger: logger)
            let before = try await Self.before(db, operations, workspace: workspace, schema: schema, logger: logger)
            let plan = try MergePlan(operations, before: before, head: head, schema: schema, resent: resent)
            try await Self.write(db, plan, workspace: workspace, schema: schema, logger: logger)
            try await Self.setHead(db, workspace: workspace, plan.head, logger: logger)
            return PushOutcome(accepted: plan.accepted, duplicates: plan.duplicates, head: plan.head)
        }
    }

    /// The stored state a batch touches, in four queries whatever the batch's size: a round trip to the
    /// database costs far more than the rows it carries.
    static func before(_ db: PostgresConnection, _ operations: [Operation], workspace: String, schema: Schema, logger: Logger) async throws -> MergePlan.Before {
        var before = MergePlan.Before()
        // Counters above a replica's highest stored one cannot be stored yet: only the others (a retry's) are
        // looked up. One descent of the (replica, counter) index per replica in the batch.
        let replicas = Array(Set(operations.map(\.id.replica)))
        var highest: [String: Int64] = [:]
        let tops = try await db.rows("""
            SELECT r, (SELECT max(counter) FROM log WHERE workspace = \(workspace) AND kind = 'op' AND replica = r) FROM unnest(\(replicas)::text[]) AS r
            """, logger: logger)
        for (replica, top) in try tops.decode((String, Int64?).self) { highest[replica] = top ?? 0 }
        let retried = operations.filter { $0.id.counter <= highest[$0.id.replica, default: 0] }
        if !retried.isEmpty {
            let stored = try await PostgresRows.operations(
                db, where: "workspace = $1 AND kind = 'op' AND (replica, counter) IN (SELECT * FROM unnest($2::text[], $3::bigint[]))",
                binds: { $0.append(workspace); $0.append(retried.map(\.id.replica)); $0.append(retried.map(\.id.counter)) },
                logger: logger)
            for op in stored { before.stored[op.id] = op }
        }
        var through: [String: Int64] = [:]
        let marks = try await db.rows("SELECT replica, through FROM compacted_counters WHERE replica = ANY(\(replicas)::text[])", logger: logger)
        for (replica, counter) in try marks.decode((String, Int64).self) { through[replica] = counter }
        if !through.isEmpty {
            before.compacted = Set(operations.lazy.filter { before.stored[$0.id] == nil && $0.id.counter <= through[$0.id.replica, default: 0] }.map(\.id))
        }
        let (scalar, text) = MergePlan.keys(of: operations, schema: schema)
        if !scalar.isEmpty {
            let keys = Array(scalar)
            let rows = try await db.rows("""
                SELECT entity, "row", field, ms, logical, replica, counter FROM fields
                WHERE workspace = \(workspace) AND (entity, "row", field) IN (SELECT * FROM unnest(\(keys.map(\.entity)), \(keys.map(\.row)), \(keys.map(\.field))))
                """, logger: logger)
            for (entity, row, field, ms, logical, replica, counter) in try rows.decode((String, String, String, Int64, Int, String, Int64).self) {
                let key = FieldKey(entity: entity, row: row, field: field)
                before.winners[key] = Operation(id: OperationID(replica: replica, counter: counter), author: "", entity: entity, row: row,
                                                field: field, value: .null, time: Timestamp(ms: ms, logical: logical))
            }
        }
        if !text.isEmpty {
            let keys = Array(text)
            let versions = try await PostgresRows.operations(
                db, where: "workspace = $1 AND reviewed AND (entity, \"row\", field) IN (SELECT * FROM unnest($2::text[], $3::text[], $4::text[]))",
                binds: { $0.append(workspace); $0.append(keys.map(\.entity)); $0.append(keys.map(\.row)); $0.append(keys.map(\.field)) },
                logger: logger)
            for op in versions { before.versions[op.key, default: []].append(op) }
            let rows = try await db.rows("""
                SELECT id, entity, "row", field, versions, base FROM conflicts
                WHERE workspace = \(workspace) AND open AND (entity, "row", field) IN (SELECT * FROM unnest(\(keys.map(\.entity)), \(keys.map(\.row)), \(keys.map(\.field))))
                """, logger: logger)
            for (id, entity, row, field, list, base) in try rows.decode((String, String, String, String, String, String?).self) {
                let key = FieldKey(entity: entity, row: row, field: field)
                before.open[key, default: []].append(ConflictRecord(
                    id: id, key: key, versions: PostgresRows.split(list), base: base.flatMap { OperationID($0) }, open: true))
            }
        }
        return before
    }

    static func write(_ db: PostgresConnection, _ plan: MergePlan, workspace: String, schema: Schema, logger: Logger) async throws {
        try await PostgresRows.insert(db, plan.entries, workspace: workspace, schema: schema, logger: logger)
        try await write(winners: Array(plan.winners.values), conflicts: Array(plan.conflicts.values), into: db, workspace: workspace, logger: logger)
    }

    /// Upserts the winners of last-writer-wins fields and the latest state of conflict records.
    static func write(winners: [Operation], conflicts: [ConflictRecord], into db: PostgresConnection, workspace: String, logger: Logger) async throws {
        // One array per column, unnested by the server (see `PostgresRows.insert`). `winners` holds one operation
        // per field, as an upsert needs: PostgreSQL refuses to update one row twice in a statement.
        // A server move upserts a whole workspace's winners: 50,000 to a statement keeps each message far below
        // PostgreSQL's limit of a gigabyte.
        for start in stride(from: 0, to: winners.count, by: 50_000) {
            let chunk = winners[start..<min(start + 50_000, winners.count)]
            var binds = PostgresBindings(capacity: 9)
            binds.append(workspace)
            binds.append(chunk.map(\.entity)); binds.append(chunk.map(\.row)); binds.append(chunk.map(\.field))
            binds.append(chunk.map(\.id.description)); binds.append(chunk.map(\.time.ms)); binds.append(chunk.map { Int64($0.time.logical) })
            binds.append(chunk.map(\.id.replica)); binds.append(chunk.map(\.id.counter))
            try await db.query(PostgresQuery(unsafeSQL: """
                INSERT INTO fields (workspace, entity, "row", field, op, ms, logical, replica, counter)
                SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::bigint[])
                ON CONFLICT (workspace, entity, "row", field) DO UPDATE SET op = excluded.op, ms = excluded.ms, logical = excluded.logical,
                    replica = excluded.replica, counter = excluded.counter
                """, binds: binds), logger: logger)
        }
        try await PostgresRows.insertRows(
            db, into: "conflicts (workspace, id, entity, \"row\", field, versions, base, open)", columns: 8, conflicts,
            suffix: "ON CONFLICT (workspace, id) DO UPDATE SET open = excluded.open", logger: logger
        ) { bindings, record in
            bindings.append(workspace); bindings.append(record.id); bindings.append(record.key.entity); bindings.append(record.key.row)
            bindings.append(record.key.field); bindings.append(record.versions.map(\.description).joined(separator: ","))
            bindings.append(record.base?.description); bindings.append(record.open)
        }
    }

    public func pull(workspace: String, after: Int64, limit: Int) async throws -> PullPage {
        let logger = self.logger
        return try await transaction { db in
            let query = PostgresQuery(
                unsafeSQL: "SELECT \(PostgresRows.operationColumns) FROM log WHERE workspace = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                binds: { var b = PostgresBindings(); b.append(workspace); b.append(after); b.append(Int64(limit + 1)); return b }())
            return try await PostgresRows.page(db, query, after: after, limit: limit, logger: logger)
        }
    }

    public func logState(workspace: String, cursor: Int64) async throws -> LogState {
        let logger = self.logger
        return try await transaction { db in
            var server: String?
            for id in try await db.rows("SELECT id FROM server_identity", logger: logger).decode(String.self) { server = id }
            guard let server else { throw SyncServerError.unavailable("the database's server identity is missing") }
            var entry: String?
            if cursor > 0 {
                for id in try await db.rows("SELECT id FROM log WHERE workspace = \(workspace) AND seq = \(cursor)", logger: logger).decode(String.self) {
                    entry = id
                }
            }
            return LogState(head: try await Self.head(db, workspace: workspace, logger: logger),
                            identity: LogIdentity.of(server: server, workspace: workspace), entryAtCursor: entry,
                            generation: try await Self.generation(db, workspace: workspace, logger: logger))
        }
    }

    public func storedThrough(workspace: String, replica: String) async throws -> Int64 {
        let logger = self.logger
        return try await transaction { db in
            var through: Int64 = 0
            for counter in try await db.rows("""
                SELECT greatest(coalesce((SELECT max(counter) FROM log WHERE kind = 'op' AND workspace = \(workspace) AND replica = \(replica)), 0),
                                coalesce((SELECT through FROM compacted_counters WHERE replica = \(replica)), 0))
                """, logger: logger).decode(Int64.self) { through = counter }
            return through
        }
    }

    public func markLogRewritten(workspace: String, seen: Int64) async throws -> Int64 {
        let logger = self.logger
        return try await transaction { db in
            // Only from the generation seen: two replicas that show the same rewrite at once move it on once.
            let next = LogState.newGeneration(after: seen)
            try await db.query("""
                INSERT INTO log_generations (workspace, generation) VALUES (\(workspace), \(next))
                ON CONFLICT (workspace) DO UPDATE SET generation = excluded.generation WHERE log_generations.generation = \(seen)
                """, logger: logger)
            return try await Self.generation(db, workspace: workspace, logger: logger)
        }
    }

    static func generation(_ db: PostgresConnection, workspace: String, logger: Logger) async throws -> Int64 {
        var generation: Int64 = 0
        for value in try await db.rows("SELECT generation FROM log_generations WHERE workspace = \(workspace)", logger: logger).decode(Int64.self) {
            generation = value
        }
        return generation
    }

    public func head(workspace: String) async throws -> Int64 {
        let logger = self.logger
        return try await transaction { db in try await Self.head(db, workspace: workspace, logger: logger) }
    }

    /// Serializes the pushes of one workspace across every server process until the transaction ends.
    static func lockLog(_ db: PostgresConnection, workspace: String, logger: Logger) async throws {
        _ = try await db.rows("SELECT pg_advisory_xact_lock(\(Self.pushLockSpace), hashtext(\(workspace)))", logger: logger)
    }

    static func head(_ db: PostgresConnection, workspace: String, logger: Logger) async throws -> Int64 {
        var head: Int64 = 0
        for seq in try await db.rows("SELECT seq FROM log_heads WHERE workspace = \(workspace)", logger: logger).decode(Int64.self) { head = seq }
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
            let rows = try await db.rows("""
                SELECT users.name, users.workspace FROM tokens JOIN users ON users.name = tokens."user"
                WHERE tokens.hash = \(hash) AND tokens.revoked_ms IS NULL
                """, logger: logger)
            for (name, workspace) in try rows.decode((String, String).self) { user = ServerUser(name: name, workspace: workspace) }
            return user
        }
    }

    public func addToken(user: String, workspace: String, tokenHash: String, label: String, now: Int64) async throws {
        let logger = self.logger
        try await transaction { db in
            // Read whole before the next query, as everywhere here: a query inside an open row loop is fragile.
            var found: String?
            for existing in try await db.rows("SELECT workspace FROM users WHERE name = \(user) FOR UPDATE", logger: logger).decode(String.self) { found = existing }
            if let existing = found, existing != workspace {
                var (synced, tokens) = (true, 1)
                for (s, t) in try await db.rows("""
                    SELECT EXISTS (SELECT 1 FROM replicas WHERE "user" = \(user)), (SELECT count(*) FROM tokens WHERE "user" = \(user) AND revoked_ms IS NULL)
                    """, logger: logger).decode((Bool, Int64).self) { (synced, tokens) = (s, Int(t)) }
                guard !synced, tokens == 0 else { throw SyncServerError.userInOtherWorkspace(user: user, workspace: existing, synced: synced) }
                try await db.query("UPDATE users SET workspace = \(workspace) WHERE name = \(user)", logger: logger)
            }
            try await db.query("INSERT INTO users (name, workspace, created_ms) VALUES (\(user), \(workspace), \(now)) ON CONFLICT DO NOTHING", logger: logger)
            try await db.query("INSERT INTO tokens (hash, \"user\", label, created_ms) VALUES (\(tokenHash), \(user), \(label), \(now))", logger: logger)
        }
    }

    public func revokedMs(tokenHash hash: String) async throws -> Int64? {
        let logger = self.logger
        return try await transaction { db in
            var revoked: Int64?
            for ms in try await db.rows("SELECT revoked_ms FROM tokens WHERE hash = \(hash)", logger: logger).decode(Int64?.self) { revoked = ms }
            return revoked
        }
    }

    public func tokens() async throws -> [TokenInfo] {
        let logger = self.logger
        return try await transaction { db in
            var out: [TokenInfo] = []
            let rows = try await db.rows("""
                SELECT tokens.hash, tokens."user", users.workspace, tokens.label, tokens.created_ms, tokens.revoked_ms
                FROM tokens JOIN users ON users.name = tokens."user" ORDER BY tokens."user", tokens.created_ms
                """, logger: logger)
            for (hash, user, workspace, label, created, revoked) in try rows.decode((String, String, String, String, Int64, Int64?).self) {
                out.append(TokenInfo(user: user, workspace: workspace, hashPrefix: String(hash.prefix(TokenInfo.idLength)), label: label, createdMs: created, revokedMs: revoked))
            }
            return out
        }
    }

    public func revokeTokens(hashPrefix: String, now: Int64) async throws -> Int {
        let pattern = try StorageError.tokenIDPrefix(hashPrefix) + "%"
        let logger = self.logger
        return try await transaction { db in
            var count = 0
            let rows = try await db.rows("UPDATE tokens SET revoked_ms = \(now) WHERE hash LIKE \(pattern) AND revoked_ms IS NULL RETURNING hash", logger: logger)
            for _ in try rows.decode(String.self) { count += 1 }
            return count
        }
    }

    public func removeUser(name: String, now: Int64) async throws -> RemovedUser? {
        let logger = self.logger
        return try await transaction { db in
            // Locked first, as `addToken` locks it: a token added meanwhile is revoked too, or waits for the delete.
            var found: String?
            for workspace in try await db.rows("SELECT workspace FROM users WHERE name = \(name) FOR UPDATE", logger: logger).decode(String.self) { found = workspace }
            guard let workspace = found else { return nil }
            var (hadSynced, active) = (true, 0)
            for (s, t) in try await db.rows("""
                SELECT EXISTS (SELECT 1 FROM replicas WHERE "user" = \(name)), (SELECT count(*) FROM tokens WHERE "user" = \(name) AND revoked_ms IS NULL)
                """, logger: logger).decode((Bool, Int64).self) { (hadSynced, active) = (s, Int(t)) }
            guard hadSynced else {
                var deleted = 0
                for _ in try await db.rows("DELETE FROM tokens WHERE \"user\" = \(name) RETURNING hash", logger: logger).decode(String.self) { deleted += 1 }
                try await db.query("DELETE FROM users WHERE name = \(name)", logger: logger)
                return RemovedUser(name: name, workspace: workspace, hadSynced: false, revokedTokens: active, deletedTokens: deleted, forgottenReplicas: [])
            }
            try await db.query("UPDATE tokens SET revoked_ms = \(now) WHERE \"user\" = \(name) AND revoked_ms IS NULL", logger: logger)
            var forgotten: [ReplicaCursor] = []
            let forgottenMark = Compaction.forgotten
            for (id, user, cursor, seen) in try await db.rows("""
                SELECT id, "user", cursor, seen_ms FROM replicas WHERE "user" = \(name) AND coalesce(cursor, 0) < \(forgottenMark) ORDER BY id FOR UPDATE
                """, logger: logger).decode((String, String, Int64?, Int64?).self) {
                forgotten.append(ReplicaCursor(id: id, user: user, cursor: cursor, seenMs: seen))
            }
            try await db.query("UPDATE replicas SET cursor = \(forgottenMark) WHERE \"user\" = \(name)", logger: logger)
            return RemovedUser(name: name, workspace: workspace, hadSynced: true, revokedTokens: active, forgottenReplicas: forgotten)
        }
    }

    public func directory() async throws -> ServerDirectory {
        let logger = self.logger
        return try await transaction { db in
            var users: [(name: String, workspace: String, createdMs: Int64)] = []
            let userRows = try await db.rows("SELECT name, workspace, created_ms FROM users ORDER BY name", logger: logger)
            for (name, workspace, created) in try userRows.decode((String, String, Int64).self) {
                users.append((name, workspace, created))
            }
            var tokens: [ServerDirectory.Token] = []
            let rows = try await db.rows("SELECT hash, \"user\", label, created_ms, revoked_ms FROM tokens ORDER BY hash", logger: logger)
            for (hash, user, label, created, revoked) in try rows.decode((String, String, String, Int64, Int64?).self) {
                tokens.append(.init(hash: hash, user: user, label: label, createdMs: created, revokedMs: revoked))
            }
            var replicas: [ServerDirectory.Replica] = []
            for (id, user, first, cursor, seen) in try await db.rows("SELECT id, \"user\", first_seen_ms, cursor, seen_ms FROM replicas WHERE coalesce(cursor, 0) < \(Compaction.forgotten) ORDER BY id", logger: logger).decode((String, String, Int64, Int64?, Int64?).self) {
                replicas.append((id, user, first, cursor, seen))
            }
            var compacted: [String: Int64] = [:]
            for (replica, through) in try await db.rows("SELECT replica, through FROM compacted_counters", logger: logger).decode((String, Int64).self) {
                compacted[replica] = through
            }
            var forgotten: [ServerDirectory.Replica] = []
            for (id, user, first, seen) in try await db.rows("SELECT id, \"user\", first_seen_ms, seen_ms FROM replicas WHERE cursor = \(Compaction.forgotten) ORDER BY id", logger: logger).decode((String, String, Int64, Int64?).self) {
                forgotten.append((id, user, first, nil, seen))
            }
            return ServerDirectory(users: users, tokens: tokens, replicas: replicas, compactedCounters: compacted, forgottenReplicas: forgotten)
        }
    }

    public func checkHealth() async throws {
        let logger = self.logger
        _ = try await transaction { db in _ = try await db.rows("SELECT 1", logger: logger) }
    }
}
