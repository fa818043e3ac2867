import Foundation
import GRDB
import Logging
import RapportSQL
import RapportSync

/// The embedded default: the whole team's log in one SQLite file.
///
/// SQLite runs one write transaction at a time, and each push assigns its log positions inside its write
/// transaction, so positions become visible in order: a pull can never see position n+1 before position n.
public final class SQLiteSyncStorage: SyncStorage {
    /// 'RAPS' in the SQLite header.
    static let applicationID: Int32 = 0x5241_5053

    let pool: DatabasePool
    let checkpointer: Checkpointer
    public let path: String
    let schema: Schema

    /// How many log positions may wait to be folded into `fields` before a push folds them (`foldWinners`).
    let foldEvery: Int64
    /// Hears about work that failed after a push was already safe (a fold), which no client is told of.
    let logger: Logger

    public convenience init(path: String, schema: Schema = .rapport, logger: Logger = Logger(label: "rapport.storage")) throws {
        try self.init(path: path, schema: schema, foldEvery: 100_000, logger: logger)
    }

    /// `foldEvery`: how many log positions may wait before a push folds winners (the simulation and tests
    /// vary it so that folds fall everywhere).
    public init(path: String, schema: Schema, foldEvery: Int64, logger: Logger = Logger(label: "rapport.storage")) throws {
        self.path = path
        self.schema = schema
        self.foldEvery = foldEvery
        self.logger = logger
        // A refused open leaves nothing behind: the -wal and -shm a read-only look made, owned by whoever ran it,
        // locked the file's owner out, and a file made for a folder that took no database stayed empty (QA).
        let absent = [path + "-wal", path + "-shm"].filter { !FileManager.default.fileExists(atPath: $0) }
        let made = !FileManager.default.fileExists(atPath: path)
        if !made {
            do { try Self.inspect(path: path) } catch { SQLiteFiles.removeMade(absent); throw error }
        } else {
            // The whole team's accounts and notes, and its token hashes: readable by the server's user only.
            // SQLite gives the -wal and -shm files beside it the same mode.
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        var config = Configuration()
        config.busyMode = .timeout(30)
        config.prepareDatabase { db in
            // The writer inserts into indexes all over a large log: with SQLite's default 2 MB cache it would
            // read most index pages back from the OS for every batch. Readers scan in order and need little.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -131072") }
            // `Checkpointer` copies the WAL into the file after each push; the writer checkpoints itself only
            // if the WAL outgrows 64 MB (the default is 4 MB).
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384") }
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            SQLiteFiles.removeMade(absent + (made ? [path] : []))
            guard let error = error as? DatabaseError, let (reason, advice) = SQLiteFiles.unwritable(error, path: path, whose: "the server database's") else { throw error }
            throw StorageError.unwritable(path: path, reason: reason, advice: advice)
        }
        do {
            // A push is acknowledged only once it would survive a power cut: the replica then forgets that it
            // still has to send it. GRDB sets the writer to NORMAL (which can lose the last commits to one) when it
            // sets up WAL mode, after `prepareDatabase`, so FULL is set here, once the pool is open.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator(schema: schema).migrate(pool)
        } catch let error as DatabaseError {
            guard let (reason, advice) = SQLiteFiles.unwritable(error, path: path, whose: "the server database's") else { throw error }
            throw StorageError.unwritable(path: path, reason: reason, advice: advice)
        }
        checkpointer = Checkpointer(path: path)
    }

    /// Refuses, before writing anything, a file that is not a Rapport server database.
    static func inspect(path: String) throws {
        if let missing = truncation(path: path) { throw StorageError.damaged(path: path, reason: missing) }
        var config = Configuration()
        config.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            try queue.read { db in
                let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
                if appID != applicationID, tables > 0 {
                    // 'RAPR': a replica given as the server's database.
                    throw StorageError.otherFile(path: path, reason: appID == 0x5241_5052
                        ? "a Rapport replica, which the replica commands take with --db or RAPPORT_DB" : "an SQLite database of another application")
                }
                if try migrator(schema: .rapport).hasBeenSuperseded(db) {
                    throw StorageError.newerFormat(path: path)
                }
                if let move = try move(db) { throw StorageError.moved(path: path, move) }
            }
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_NOTADB { throw StorageError.otherFile(path: path, reason: "not an SQLite database") }
            if error.resultCode == .SQLITE_CORRUPT { throw StorageError.damaged(path: path, reason: error.message ?? "\(error)") }
            // Not a file of another kind: one this user cannot write, or its folder (it said "not a Rapport server
            // database (attempt to write a readonly database)", naming no file; QA).
            if let (reason, advice) = SQLiteFiles.unwritable(error, path: path, whose: "the server database's") {
                throw StorageError.unwritable(path: path, reason: reason, advice: advice)
            }
            throw StorageError.foreignFile(path: path, reason: "\(error.message ?? "\(error)")")
        }
    }

    /// Why a file is cut short, or nil: its header counts more pages than the file holds (a copy cut off, a
    /// disk that filled). SQLite reads the first pages of such a file as if whole, and a server started on it
    /// wrote its tables anew there. The count is read only where the header says it is current (the change
    /// counter matches the one it was written with, as SQLite itself checks), and only without a write-ahead
    /// log to copy in: a checkpoint under way (a server running) writes the header before the pages past the
    /// file's end.
    static func truncation(path: String) -> String? {
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        guard wal == 0, let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 100), header.count == 100, header.starts(with: Array("SQLite format 3\0".utf8)),
              let size = try? handle.seekToEnd() else { return nil }
        func integer(_ offset: Int, _ width: Int) -> UInt64 { header[offset..<offset + width].reduce(0) { $0 << 8 | UInt64($1) } }
        let pageSize = integer(16, 2) == 1 ? 65_536 : integer(16, 2)
        let pages = integer(28, 4)
        guard pageSize >= 512, pages > 0, integer(24, 4) == integer(92, 4), pages * pageSize > size else { return nil }
        return "its header counts \(pages) pages of \(pageSize) bytes, and the file holds \(size) bytes: it was cut short"
    }

    /// The latest format change this version makes to a server database file.
    public static let format = migrator(schema: .rapport).migrations.last!

    static func migrator(schema: Schema) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(sql: """
                CREATE TABLE users (name TEXT PRIMARY KEY, workspace TEXT NOT NULL, created_ms INTEGER NOT NULL);
                CREATE TABLE tokens (
                    hash TEXT PRIMARY KEY,
                    user TEXT NOT NULL REFERENCES users(name),
                    label TEXT NOT NULL DEFAULT '',
                    created_ms INTEGER NOT NULL,
                    revoked_ms INTEGER
                );
                -- A replica belongs to the user who first pushed from it.
                CREATE TABLE replicas (id TEXT PRIMARY KEY, user TEXT NOT NULL, first_seen_ms INTEGER NOT NULL);
                -- The server log: operations and conflict records, one gapless sequence per workspace.
                CREATE TABLE log (
                    workspace TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('op', 'conflict')),
                    id TEXT NOT NULL,
                    replica TEXT, counter INTEGER, author TEXT,
                    entity TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL,
                    value_type TEXT, value, ms INTEGER, logical INTEGER,
                    base TEXT, supersedes TEXT, resolution INTEGER,
                    versions TEXT, open INTEGER,
                    PRIMARY KEY (workspace, seq)
                );
                CREATE UNIQUE INDEX log_op ON log(workspace, id) WHERE kind = 'op';
                CREATE INDEX log_field ON log(workspace, entity, row, field) WHERE kind = 'op';
                -- The winning operation of each last-writer-wins field and each tombstone.
                CREATE TABLE fields (
                    workspace TEXT NOT NULL,
                    entity TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL,
                    op TEXT NOT NULL, ms INTEGER NOT NULL, logical INTEGER NOT NULL,
                    replica TEXT NOT NULL, counter INTEGER NOT NULL,
                    PRIMARY KEY (workspace, entity, row, field)
                ) WITHOUT ROWID;
                CREATE TABLE conflicts (
                    workspace TEXT NOT NULL,
                    id TEXT NOT NULL,
                    entity TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL,
                    versions TEXT NOT NULL, base TEXT, open INTEGER NOT NULL,
                    PRIMARY KEY (workspace, id)
                );
                CREATE INDEX conflicts_open ON conflicts(workspace, entity, row, field) WHERE open = 1;
                """)
        }
        registerReplicaCursors(&migrator)
        // Only a reviewed-text field needs its versions looked up, so only those operations are indexed by
        // field: indexing every operation cost a random index write per push for nothing (a last-writer-wins
        // field's current winner is in `fields`).
        migrator.registerMigration("v3-reviewed-index") { db in
            try db.execute(sql: "ALTER TABLE log ADD COLUMN reviewed INTEGER")
            for entity in schema.entities {
                for field in entity.fields where field.merge == .reviewedText {
                    try db.execute(
                        sql: "UPDATE log SET reviewed = 1 WHERE kind = 'op' AND entity = ? AND field = ?",
                        arguments: [entity.name, field.name])
                }
            }
            try db.execute(sql: """
                DROP INDEX log_field;
                CREATE INDEX log_reviewed ON log(workspace, entity, row, field) WHERE reviewed = 1;
                """)
        }
        // Operations by replica and counter rather than by id text: a replica's counters come in ascending, so
        // a push appends to its end of the index, and the highest counter stored is one descent away. A push
        // looks up only the operations at or below it (a retry's), not every operation it carries.
        migrator.registerMigration("v4-replica-counter-index") { db in
            try db.execute(sql: """
                CREATE UNIQUE INDEX log_replica_counter ON log(workspace, replica, counter) WHERE kind = 'op';
                DROP INDEX log_op;
                """)
        }
        // A push no longer updates `fields` itself: winners are folded in from the log in bulk (see
        // `foldWinners`). Everything already in the log was folded as it was pushed.
        migrator.registerMigration("v5-folded-winners") { db in
            try db.execute(sql: """
                CREATE TABLE folded (workspace TEXT PRIMARY KEY, seq INTEGER NOT NULL);
                INSERT INTO folded (workspace, seq) SELECT workspace, max(seq) FROM log GROUP BY workspace;
                """)
        }
        registerMove(&migrator)
        registerCompactedCounters(&migrator)
        // The database's id, from which each workspace's log identity is derived (`LogIdentity`).
        migrator.registerMigration("v8-server-identity") { db in
            try db.execute(sql: "CREATE TABLE server_identity (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), id TEXT NOT NULL)")
            let first = try Row.fetchOne(db, sql: "SELECT name, created_ms FROM users ORDER BY created_ms, name LIMIT 1")
            let id = first.map { LogIdentity.serverID(firstUser: $0["name"], createdMs: $0["created_ms"]) } ?? LogIdentity.newServerID()
            try db.execute(sql: "INSERT INTO server_identity (singleton, id) VALUES (1, ?)", arguments: [id])
        }
        // Each workspace's log generation, which moves on when its log is found rewritten (`markLogRewritten`).
        migrator.registerMigration("v9-log-generations") { db in
            try db.execute(sql: "CREATE TABLE log_generations (workspace TEXT PRIMARY KEY, generation INTEGER NOT NULL)")
        }
        return migrator
    }

    public func push(workspace: String, user: String, replica: String, operations: [Operation], now: Int64, resent: Bool) async throws -> PushOutcome {
        defer { checkpointer.request() }
        let (outcome, unfolded) = try await pool.write { db in
            try Self.refuseIfMoved(db)
            if let owner = try String.fetchOne(db, sql: "SELECT user FROM replicas WHERE id = ?", arguments: [replica]) {
                guard owner == user else { throw SyncServerError.replicaOwnedByOther(replica: replica, owner: owner) }
            } else {
                // First seen in a push marked resent: another replica's operations its user sends again after a
                // restore (a laptop that moved to a new id, or one of the user's others). It holds compaction back
                // only once it syncs itself (its handshake sets its cursor), as one forgotten.
                try db.execute(sql: "INSERT INTO replicas (id, user, first_seen_ms, cursor) VALUES (?, ?, ?, ?)",
                               arguments: [replica, user, now, resent ? Compaction.forgotten : nil])
            }
            let plan = try MergePlan(
                operations, before: try before(db, operations, workspace: workspace), head: try Self.head(db, workspace), schema: schema,
                winners: false, resent: resent)
            try write(db, plan, workspace: workspace)
            return (PushOutcome(accepted: plan.accepted, duplicates: plan.duplicates, head: plan.head), plan.head - (try Self.folded(db, workspace)))
        }
        // In a transaction of its own once the push is safe: a fold that failed (a full disk) must not fail the
        // push, and a later push, snapshot or compaction folds again; until then `fields` merely lags.
        if unfolded >= foldEvery {
            do {
                try await pool.write { db in try self.foldWinners(db, workspace: workspace) }
            } catch {
                logger.warning(
                    "folding last-writer-wins winners after a push failed; the push is stored, and the next push, snapshot or compaction folds again",
                    metadata: ["workspace": "\(workspace)", "error": "\(error)"])
            }
        }
        return outcome
    }

    /// The position through which `fields` holds the winners of the workspace's log.
    static func folded(_ db: Database, _ workspace: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT seq FROM folded WHERE workspace = ?", arguments: [workspace]) ?? 0
    }

    /// Brings `fields` up to the end of the log: the winner of each last-writer-wins or tombstone field among
    /// the operations after the fold mark, stored where it beats the current one.
    ///
    /// A push used to do this for its own operations: a random read and a random write in `fields` for each,
    /// and a page to sync for nearly every edit. Folding many pushes at once visits each page once, in key
    /// order. Only snapshots and compaction read `fields`; they fold first, and their `superseded` test
    /// compares the order, so a lagging `fields` could only keep operations, never drop one. Folding an
    /// operation twice changes nothing (the winner of a field is the latest of its operations).
    func foldWinners(_ db: Database, workspace: String) throws {
        let mark = try Self.folded(db, workspace)
        let head = try Self.head(db, workspace)
        guard head > mark else { return }
        // One statement, in key order so that `fields` is read and written page after page. The WHERE clause is
        // `Operation.isOrdered` (timestamp, then replica id, then counter; replica ids are ASCII, so SQLite's
        // byte order is Swift's), so a field keeps the latest of its operations whatever order they come in.
        try db.execute(sql: """
            INSERT INTO fields (workspace, entity, row, field, op, ms, logical, replica, counter)
            SELECT workspace, entity, row, field, id, ms, logical, replica, counter FROM log
            WHERE workspace = ? AND seq > ? AND kind = 'op' AND reviewed IS NULL ORDER BY entity, row, field
            ON CONFLICT (workspace, entity, row, field) DO UPDATE SET op = excluded.op, ms = excluded.ms, logical = excluded.logical,
                replica = excluded.replica, counter = excluded.counter
            WHERE (excluded.ms, excluded.logical, excluded.replica, excluded.counter) > (fields.ms, fields.logical, fields.replica, fields.counter)
            """, arguments: [workspace, mark])
        try db.execute(
            sql: "INSERT INTO folded (workspace, seq) VALUES (?, ?) ON CONFLICT (workspace) DO UPDATE SET seq = excluded.seq",
            arguments: [workspace, head])
    }

    /// Folds whatever the pushes left unfolded (the benchmark counts it as part of merging).
    public func foldWinners(workspace: String = defaultWorkspace) async throws {
        try await foldWinners(workspace: workspace, through: .max)
    }

    /// Folds what the pushes left, if `fields` does not yet cover the log through `through`.
    func foldWinners(workspace: String, through: Int64) async throws {
        let mark = try await pool.read { db in try Self.folded(db, workspace) }
        guard mark < through else { return }
        try await pool.write { db in try self.foldWinners(db, workspace: workspace) }
        checkpointer.request()
    }

    /// The stored state a batch touches. These statements run thousands of times a batch, so they go through
    /// `FastStatement`.
    func before(_ db: Database, _ operations: [Operation], workspace: String) throws -> MergePlan.Before {
        var before = MergePlan.Before()
        let highest = try FastStatement(db, sql: "SELECT max(counter) FROM log WHERE kind = 'op' AND workspace = ? AND replica = ?")
        highest.bind(1, workspace)
        var highestStored: [String: Int64] = [:]
        var compactedThrough: [String: Int64] = [:]
        let byID = try FastStatement(db, sql: "SELECT \(OperationRows.columns) FROM log WHERE kind = 'op' AND workspace = ? AND replica = ? AND counter = ?")
        byID.bind(1, workspace)
        for op in operations {
            let replica = op.id.replica
            let high = try highestStored[replica] ?? {
                highest.bind(2, replica)
                defer { highest.rewind() }
                let high = try highest.step() ? highest.int(0) : 0
                highestStored[replica] = high
                return high
            }()
            // Counters above the replica's highest stored one cannot be stored yet.
            if op.id.counter <= high {
                byID.bind(2, replica); byID.bind(3, op.id.counter)
                defer { byID.rewind() }
                if try byID.step() {
                    before.stored[op.id] = byID.operation()
                    continue
                }
            }
            let through = try compactedThrough[replica] ?? {
                let through = try Int64.fetchOne(db, sql: "SELECT through FROM compacted_counters WHERE replica = ?", arguments: [replica]) ?? 0
                compactedThrough[replica] = through
                return through
            }()
            if op.id.counter <= through { before.compacted.insert(op.id) }
        }
        // Last-writer-wins winners are not read: `fields` is brought up to date later, in bulk (`foldWinners`).
        let text = MergePlan.textKeys(of: operations, schema: schema)
        let versions = try FastStatement(db, sql: "SELECT \(OperationRows.columns) FROM log WHERE workspace = ? AND reviewed = 1 AND entity = ? AND row = ? AND field = ?")
        let open = try FastStatement(db, sql: "SELECT id, versions, base FROM conflicts WHERE workspace = ? AND entity = ? AND row = ? AND field = ? AND open = 1")
        for key in text {
            versions.bind(1, workspace); versions.bind(2, key.entity); versions.bind(3, key.row); versions.bind(4, key.field)
            let stored = try versions.operations()
            if !stored.isEmpty { before.versions[key] = stored }
            open.bind(1, workspace); open.bind(2, key.entity); open.bind(3, key.row); open.bind(4, key.field)
            var records: [ConflictRecord] = []
            while try open.step() {
                records.append(ConflictRecord(
                    id: open.text(0) ?? "", key: key, versions: OperationRows.split(open.text(1)),
                    base: open.text(2).flatMap { OperationID($0) }, open: true))
            }
            open.reset()
            if !records.isEmpty { before.open[key] = records }
        }
        return before
    }

    func write(_ db: Database, _ plan: MergePlan, workspace: String) throws {
        let insertOp = try FastStatement(db, sql: """
            INSERT INTO log (\(OperationRows.columns), kind, workspace, seq, reviewed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'op', ?, ?, ?)
            """)
        let insertRecord = try FastStatement(db, sql: """
            INSERT INTO log (workspace, seq, kind, id, entity, row, field, base, versions, open) VALUES (?, ?, 'conflict', ?, ?, ?, ?, ?, ?, ?)
            """)
        for entry in plan.entries {
            switch entry {
            case .operation(let seq, let op):
                insertOp.bind(operation: op)
                insertOp.bind(15, workspace)
                insertOp.bind(16, seq)
                insertOp.bind(17, (try? schema.spec(for: op.key))?.merge == .reviewedText ? Int64(1) : nil)
                try insertOp.run()
            case .conflict(let seq, let record):
                insertRecord.bind(1, workspace); insertRecord.bind(2, seq); insertRecord.bind(3, record.id)
                insertRecord.bind(4, record.key.entity); insertRecord.bind(5, record.key.row); insertRecord.bind(6, record.key.field)
                insertRecord.bind(7, record.base?.description); insertRecord.bind(8, OperationRows.joined(record.versions)); insertRecord.bind(9, record.open)
                try insertRecord.run()
            }
        }
        let upsertConflict = try db.cachedStatement(sql: """
            INSERT INTO conflicts (workspace, id, entity, row, field, versions, base, open) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (workspace, id) DO UPDATE SET open = excluded.open
            """)
        for record in plan.conflicts.values {
            try upsertConflict.execute(arguments: [
                workspace, record.id, record.key.entity, record.key.row, record.key.field,
                OperationRows.joined(record.versions), record.base?.description, record.open,
            ])
        }
    }

    /// A log row as `entry` reads it: an operation's columns first, then the entry's own.
    static let entryColumns = "\(OperationRows.columns), seq, kind, versions, open"

    /// The entries a statement over `entryColumns` selects, read through SQLite's C interface: a pulled page
    /// or a snapshot page is thousands of rows, and copying each into a GRDB `Row` first took a third of the
    /// server's time per page.
    static func entries(statement: FastStatement) throws -> [LogEntry] {
        defer { statement.reset() }
        var entries: [LogEntry] = []
        while try statement.step() { entries.append(try entry(statement)) }
        return entries
    }

    /// The log entry of the statement's current row.
    static func entry(_ statement: FastStatement) throws -> LogEntry {
        let seq = statement.int(14)
        if statement.text(15) == "op" { return .operation(seq: seq, statement.operation()) }
        return .conflict(seq: seq, ConflictRecord(
            id: statement.text(0) ?? "", key: FieldKey(entity: statement.text(4) ?? "", row: statement.text(5) ?? "", field: statement.text(6) ?? ""),
            versions: OperationRows.split(statement.text(16)), base: statement.text(11).flatMap { OperationID($0) },
            open: statement.int(17) != 0))
    }

    /// The page the statement's rows make, read no further than `PullPage.Collector` needs.
    static func page(statement: FastStatement, after: Int64, limit: Int) throws -> PullPage {
        defer { statement.reset() }
        var collector = PullPage.Collector(after: after, limit: limit)
        while try statement.step(), collector.add(try entry(statement)) {}
        return collector.page
    }

    public func pull(workspace: String, after: Int64, limit: Int) async throws -> PullPage {
        try await pool.read { db in
            let statement = try FastStatement(db, sql: "SELECT \(Self.entryColumns) FROM log WHERE workspace = ? AND seq > ? ORDER BY seq LIMIT ?")
            statement.bind(1, workspace); statement.bind(2, after); statement.bind(3, Int64(limit + 1))
            return try Self.page(statement: statement, after: after, limit: limit)
        }
    }

    public func head(workspace: String) async throws -> Int64 {
        try await pool.read { db in try Self.head(db, workspace) }
    }

    public func logState(workspace: String, cursor: Int64) async throws -> LogState {
        try await pool.read { db in
            try Self.refuseIfMoved(db)
            return LogState(
                head: try Self.head(db, workspace),
                identity: LogIdentity.of(server: try Self.serverID(db), workspace: workspace),
                entryAtCursor: cursor > 0 ? try String.fetchOne(db, sql: "SELECT id FROM log WHERE workspace = ? AND seq = ?", arguments: [workspace, cursor]) : nil,
                generation: try Self.generation(db, workspace))
        }
    }

    public func storedThrough(workspace: String, replica: String) async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT max(coalesce((SELECT max(counter) FROM log WHERE kind = 'op' AND workspace = ? AND replica = ?), 0),
                           coalesce((SELECT through FROM compacted_counters WHERE replica = ?), 0))
                """, arguments: [workspace, replica, replica]) ?? 0
        }
    }

    public func markLogRewritten(workspace: String, seen: Int64) async throws -> Int64 {
        try await pool.write { db in
            try Self.refuseIfMoved(db)
            let current = try Self.generation(db, workspace)
            guard current == seen else { return current }
            let next = LogState.newGeneration(after: current)
            try db.execute(
                sql: "INSERT INTO log_generations (workspace, generation) VALUES (?, ?) ON CONFLICT (workspace) DO UPDATE SET generation = excluded.generation",
                arguments: [workspace, next])
            return next
        }
    }

    static func generation(_ db: Database, _ workspace: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT generation FROM log_generations WHERE workspace = ?", arguments: [workspace]) ?? 0
    }

    /// Each workspace's log generation, for moving the server to another store.
    public func logGenerations() async throws -> [String: Int64] {
        try await pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT workspace, generation FROM log_generations").map { ($0["workspace"], $0["generation"]) })
        }
    }

    /// The database's random id (`LogIdentity`), which `admin migrate` carries over.
    public func serverID() async throws -> String {
        try await pool.read { db in try Self.serverID(db) }
    }

    static func serverID(_ db: Database) throws -> String {
        guard let id = try String.fetchOne(db, sql: "SELECT id FROM server_identity") else {
            throw StorageError.foreignFile(path: db.description, reason: "its server identity is missing")
        }
        return id
    }

    static func head(_ db: Database, _ workspace: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT max(seq) FROM log WHERE workspace = ?", arguments: [workspace]) ?? 0
    }

    public func user(forTokenHash hash: String) async throws -> ServerUser? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT users.name, users.workspace FROM tokens JOIN users ON users.name = tokens.user
                WHERE tokens.hash = ? AND tokens.revoked_ms IS NULL
                """, arguments: [hash]
            ).map { ServerUser(name: $0["name"], workspace: $0["workspace"]) }
        }
    }

    public func addToken(user: String, workspace: String, tokenHash: String, label: String, now: Int64) async throws {
        try await pool.write { db in
            if let existing = try String.fetchOne(db, sql: "SELECT workspace FROM users WHERE name = ?", arguments: [user]), existing != workspace {
                let synced = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM replicas WHERE user = ?)", arguments: [user]) ?? true
                let tokens = try Int.fetchOne(db, sql: "SELECT count(*) FROM tokens WHERE user = ? AND revoked_ms IS NULL", arguments: [user]) ?? 0
                guard !synced, tokens == 0 else { throw SyncServerError.userInOtherWorkspace(user: user, workspace: existing, synced: synced) }
                try db.execute(sql: "UPDATE users SET workspace = ? WHERE name = ?", arguments: [workspace, user])
            }
            try db.execute(sql: "INSERT INTO users (name, workspace, created_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", arguments: [user, workspace, now])
            try db.execute(sql: "INSERT INTO tokens (hash, user, label, created_ms) VALUES (?, ?, ?, ?)", arguments: [tokenHash, user, label, now])
        }
    }

    public func revokedMs(tokenHash hash: String) async throws -> Int64? {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT revoked_ms FROM tokens WHERE hash = ?", arguments: [hash]) }
    }

    public func tokens() async throws -> [TokenInfo] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT tokens.*, users.workspace FROM tokens JOIN users ON users.name = tokens.user ORDER BY user, created_ms").map {
                TokenInfo(user: $0["user"], workspace: $0["workspace"], hashPrefix: String(($0["hash"] as String).prefix(TokenInfo.idLength)), label: $0["label"],
                          createdMs: $0["created_ms"], revokedMs: $0["revoked_ms"])
            }
        }
    }

    public func revokeTokens(hashPrefix: String, now: Int64) async throws -> Int {
        let prefix = try StorageError.tokenIDPrefix(hashPrefix)
        return try await pool.write { db in
            // A plain prefix comparison: under LIKE, `_` and `%` in what was typed would match any token.
            try db.execute(sql: "UPDATE tokens SET revoked_ms = ? WHERE substr(hash, 1, ?) = ? AND revoked_ms IS NULL",
                           arguments: [now, prefix.count, prefix])
            return db.changesCount
        }
    }

    public func removeUser(name: String, now: Int64) async throws -> RemovedUser? {
        try await pool.write { db in
            guard let workspace = try String.fetchOne(db, sql: "SELECT workspace FROM users WHERE name = ?", arguments: [name]) else { return nil }
            let hadSynced = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM replicas WHERE user = ?)", arguments: [name]) ?? true
            let active = try Int.fetchOne(db, sql: "SELECT count(*) FROM tokens WHERE user = ? AND revoked_ms IS NULL", arguments: [name]) ?? 0
            guard hadSynced else {
                try db.execute(sql: "DELETE FROM tokens WHERE user = ?", arguments: [name])
                let deleted = db.changesCount
                try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name])
                return RemovedUser(name: name, workspace: workspace, hadSynced: false, revokedTokens: active, deletedTokens: deleted, forgottenReplicas: [])
            }
            try db.execute(sql: "UPDATE tokens SET revoked_ms = ? WHERE user = ? AND revoked_ms IS NULL", arguments: [now, name])
            let forgotten = try Row.fetchAll(db, sql: "SELECT id, user, cursor, seen_ms FROM replicas WHERE user = ? AND coalesce(cursor, 0) < ? ORDER BY id",
                                             arguments: [name, Compaction.forgotten])
                .map { ReplicaCursor(id: $0["id"], user: $0["user"], cursor: $0["cursor"], seenMs: $0["seen_ms"]) }
            try db.execute(sql: "UPDATE replicas SET cursor = ? WHERE user = ?", arguments: [Compaction.forgotten, name])
            return RemovedUser(name: name, workspace: workspace, hadSynced: true, revokedTokens: active, forgottenReplicas: forgotten)
        }
    }

    /// Users, tokens and replica bindings, for moving the server to another store.
    public func directory() async throws -> ServerDirectory {
        try await pool.read { db in
            ServerDirectory(
                users: try Row.fetchAll(db, sql: "SELECT name, workspace, created_ms FROM users ORDER BY name").map { ($0["name"], $0["workspace"], $0["created_ms"]) },
                tokens: try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY hash").map {
                    .init(hash: $0["hash"], user: $0["user"], label: $0["label"], createdMs: $0["created_ms"], revokedMs: $0["revoked_ms"])
                },
                replicas: try Row.fetchAll(db, sql: "SELECT * FROM replicas WHERE coalesce(cursor, 0) < ? ORDER BY id", arguments: [Compaction.forgotten])
                    .map { ($0["id"], $0["user"], $0["first_seen_ms"], $0["cursor"], $0["seen_ms"]) },
                compactedCounters: Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT replica, through FROM compacted_counters").map { ($0["replica"], $0["through"]) }),
                forgottenReplicas: try Row.fetchAll(db, sql: "SELECT * FROM replicas WHERE cursor = ? ORDER BY id", arguments: [Compaction.forgotten])
                    .map { ($0["id"], $0["user"], $0["first_seen_ms"], nil, $0["seen_ms"]) })
        }
    }

    public func checkHealth() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func close() async throws {
        try checkpointer.close()
        try pool.close()
    }
}

/// Why a server store cannot be opened or used.
public enum StorageError: Error, CustomStringConvertible, Equatable {
    static func day(_ ms: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// A file the server cannot serve: its identity missing, or unreadable.
    case foreignFile(path: String, reason: String)
    /// The team's database, written by a newer Rapport than this one: the path is right, the program old.
    case newerFormat(path: String)
    /// Another kind of file where the server's database was named (a replica, another application's, not
    /// SQLite at all): a wrong --db, as a missing one is.
    case otherFile(path: String, reason: String)
    case badArgument(String)
    case moved(path: String, SQLiteSyncStorage.Move)
    /// The server's own file, which SQLite finds damaged (truncated, or pages overwritten): the way back is a
    /// backup, not another path.
    case damaged(path: String, reason: String)
    /// The server's file, or its folder, that this user cannot write: SQLite's words with the files it could not.
    case unwritable(path: String, reason: String, advice: String?)

    public var isOtherFile: Bool {
        if case .otherFile = self { true } else { false }
    }

    public var isUnwritable: Bool {
        if case .unwritable = self { true } else { false }
    }

    /// The start of a token id as typed for `admin revoke`, lowercased; refused unless it is at least 6 hex
    /// characters, so a slip cannot revoke many tokens at once. The token itself (`rpt_…`, as a manager may
    /// paste it from a leaked message) is taken for its whole id.
    public static func tokenIDPrefix(_ typed: String) throws -> String {
        let typed = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        if typed.hasPrefix("rpt_") { return Tokens.hash(typed) }
        let hex = Set("0123456789abcdef")
        let prefix = typed.lowercased()
        guard prefix.count >= 6, prefix.allSatisfy(hex.contains) else {
            throw badArgument("give at least 6 hex characters of the token id, not '\(typed)' (`rapport admin tokens` lists them); no token was revoked")
        }
        return prefix
    }

    public var description: String {
        switch self {
        case .newerFormat(let path):
            "\(path) was written by a newer Rapport than this one; it was left untouched: upgrade rapport to serve it (`rapport --version` says which this is)"
        case .foreignFile(let path, let reason), .otherFile(let path, let reason):
            "\(path) is not a Rapport server database (\(reason)); it was left untouched: check the path given"
        case .unwritable(let path, let reason, let advice):
            "cannot open the server database \(path) (\(reason)); it was left untouched" + (advice.map { ": \($0)" } ?? "")
        case .damaged(let path, let reason):
            "\(path) is damaged (\(reason)); it was left untouched: restore it from a backup, then run `rapport admin restored --db \(path)` before serving it (README: what Rapport guarantees)"
        case .badArgument(let message):
            message
        case .moved(let path, let move):
            "the data in \(path) was moved to \(move.target) by `rapport admin migrate` on \(Self.day(move.atMs)); the server runs there now " +
                "(`rapport serve --postgres URL`), and this file is kept as it was at the move, for reference only (if that database holds nothing, " +
                "the move was cut off before it finished: `rapport admin migrate --from \(path) --to URL` to it copies the data again)"
        }
    }
}
