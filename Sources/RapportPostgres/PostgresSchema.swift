import Logging
import PostgresNIO
import RapportSync

/// The server's tables in PostgreSQL, created and migrated by the server itself.
enum PostgresSchema {
    /// Ordered steps; a database records which it has applied in `rapport_migrations`.
    static func migrations(schema: Schema) -> [(version: Int, sql: [String])] { [
        (1, [
            """
            CREATE TABLE users (name TEXT PRIMARY KEY, workspace TEXT NOT NULL, created_ms BIGINT NOT NULL)
            """,
            """
            CREATE TABLE tokens (
                hash TEXT PRIMARY KEY,
                "user" TEXT NOT NULL REFERENCES users(name),
                label TEXT NOT NULL DEFAULT '',
                created_ms BIGINT NOT NULL,
                revoked_ms BIGINT
            )
            """,
            """
            CREATE TABLE replicas (id TEXT PRIMARY KEY, "user" TEXT NOT NULL, first_seen_ms BIGINT NOT NULL)
            """,
            // The last position handed out in each workspace. Pushes update it under a transaction-scoped
            // advisory lock, so positions are assigned and committed in the same order (see push).
            """
            CREATE TABLE log_heads (workspace TEXT PRIMARY KEY, seq BIGINT NOT NULL)
            """,
            """
            CREATE TABLE log (
                workspace TEXT NOT NULL,
                seq BIGINT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('op', 'conflict')),
                id TEXT NOT NULL,
                replica TEXT, counter BIGINT, author TEXT,
                entity TEXT NOT NULL, "row" TEXT NOT NULL, field TEXT NOT NULL,
                value_type TEXT, value_int BIGINT, value_real DOUBLE PRECISION, value_text TEXT, value_bool BOOLEAN,
                ms BIGINT, logical INT,
                base TEXT, supersedes TEXT, resolution BOOLEAN,
                versions TEXT, open BOOLEAN,
                PRIMARY KEY (workspace, seq)
            )
            """,
            "CREATE UNIQUE INDEX log_op ON log(workspace, id) WHERE kind = 'op'",
            "CREATE INDEX log_field ON log(workspace, entity, \"row\", field) WHERE kind = 'op'",
            """
            CREATE TABLE fields (
                workspace TEXT NOT NULL,
                entity TEXT NOT NULL, "row" TEXT NOT NULL, field TEXT NOT NULL,
                op TEXT NOT NULL, ms BIGINT NOT NULL, logical INT NOT NULL, replica TEXT NOT NULL, counter BIGINT NOT NULL,
                PRIMARY KEY (workspace, entity, "row", field)
            )
            """,
            """
            CREATE TABLE conflicts (
                workspace TEXT NOT NULL,
                id TEXT NOT NULL,
                entity TEXT NOT NULL, "row" TEXT NOT NULL, field TEXT NOT NULL,
                versions TEXT NOT NULL, base TEXT, open BOOLEAN NOT NULL,
                PRIMARY KEY (workspace, id)
            )
            """,
            "CREATE INDEX conflicts_open ON conflicts(workspace, entity, \"row\", field) WHERE open",
        ]),
        // How far each replica has applied the log, as it last reported in a handshake: the lowest of these
        // bounds what compaction may delete.
        (2, [
            "ALTER TABLE replicas ADD COLUMN cursor BIGINT",
            "ALTER TABLE replicas ADD COLUMN seen_ms BIGINT",
        ]),
        // Only a reviewed-text field needs its versions looked up, so only those operations are indexed by
        // field: indexing every operation cost a random index insert per operation for nothing (a
        // last-writer-wins field's current winner is in `fields`).
        (3, [
            "ALTER TABLE log ADD COLUMN reviewed BOOLEAN",
            """
            UPDATE log SET reviewed = true WHERE kind = 'op' AND (entity, field) IN (\(reviewedFields(schema)))
            """,
            "DROP INDEX log_field",
            "CREATE INDEX log_reviewed ON log(workspace, entity, \"row\", field) WHERE reviewed",
        ]),
        // Operations by replica and counter rather than by id text (as the SQLite store's v4): a replica's
        // counters come in ascending, so a push appends to its end of the index instead of inserting at random
        // places among id strings, and the highest counter stored is one descent away. A push looks up only
        // the operations at or below it (a retry's), not every operation it carries.
        (4, [
            "CREATE UNIQUE INDEX log_replica_counter ON log(workspace, replica, counter) WHERE kind = 'op'",
            "DROP INDEX log_op",
        ]),
        // The highest counter of each replica's operations that compaction deleted (as the SQLite store's v7).
        (5, ["CREATE TABLE compacted_counters (replica TEXT PRIMARY KEY, through BIGINT NOT NULL)"]),
        // The database's id, from which each workspace's log identity is derived (`LogIdentity`): derived from
        // the first user where there are users already (`LogIdentity.serverID(firstUser:createdMs:)`, in SQL),
        // random otherwise; `admin migrate` replaces it with the SQLite store's, so that the log keeps its identity.
        (6, [
            "CREATE TABLE server_identity (singleton BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton), id TEXT NOT NULL)",
            """
            INSERT INTO server_identity (id) SELECT coalesce(
                (SELECT left(encode(sha256(convert_to(name || '/' || created_ms::text, 'UTF8')), 'hex'), 32) FROM users ORDER BY created_ms, name COLLATE "C" LIMIT 1),
                md5(random()::text || clock_timestamp()::text || pg_backend_pid()::text))
            """,
        ]),
        // Each workspace's log generation (as SQLite's v9).
        (7, ["CREATE TABLE log_generations (workspace TEXT PRIMARY KEY, generation BIGINT NOT NULL)"]),
    ] }

    static let latest = migrations(schema: .rapport).last!.version

    /// The schema's reviewed-text fields as SQL rows of (entity, field) literals; a row that can never match
    /// stands in when there are none.
    static func reviewedFields(_ schema: Schema) -> String {
        func literal(_ name: String) -> String { "'" + name.replacingOccurrences(of: "'", with: "''") + "'" }
        let pairs = schema.entities.flatMap { entity in
            entity.fields.filter { $0.merge == .reviewedText }.map { "(\(literal(entity.name)), \(literal($0.name)))" }
        }
        return pairs.isEmpty ? "VALUES (NULL, NULL)" : "VALUES " + pairs.joined(separator: ", ")
    }

    /// Applies the missing steps. Several servers starting at once take turns on an advisory lock. Unless
    /// `creating`, a database without Rapport's tables is refused rather than given them: an admin command
    /// pointed at the wrong database must not leave Rapport's tables in it. Returns whether it created them.
    @discardableResult
    static func migrate(_ client: PostgresClient, schema: Schema, creating: Bool, url: PostgresURL, gate: LeaseGate, logger: Logger) async throws -> Bool {
        try await client.withTransaction(logger: logger) { connection in
            // Abandoned by the check while the lease came: rolled back, never run.
            guard gate.enter(connection) else { throw CancellationError() }
            _ = try await connection.rows("SELECT pg_advisory_xact_lock(\(PostgresSyncStorage.migrationLock))", logger: logger)
            var found = false
            for exists in try await connection.rows("SELECT to_regclass('rapport_migrations') IS NOT NULL", logger: logger).decode(Bool.self) {
                found = exists
            }
            if !found, !creating { throw PostgresStorageError.noRapportData(url.description) }
            // A database of another application (the CRM's, typed by mistake) is not given Rapport's tables beside
            // its own, as an SQLite file of another application is left untouched.
            // (Not tables an extension made, PostGIS's spatial_ref_sys say, nor other sessions' temporary ones.)
            if !found {
                var tables: [(schema: String, name: String)] = []
                let others = try await connection.rows("""
                    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                      AND n.nspname NOT LIKE 'pg\\_temp%' AND n.nspname NOT LIKE 'pg\\_toast%'
                      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
                    ORDER BY c.relname LIMIT 6
                    """, logger: logger)
                for (schema, name) in try others.decode((String, String).self) { tables.append((schema, name)) }
                // Rapport's own tables in a schema this user's search_path leaves out: not another application's.
                if let own = tables.first(where: { $0.name == "rapport_migrations" }) {
                    throw PostgresStorageError.schemaRefused(url.description, reason: "Rapport's tables are in schema \(own.schema), which is not on this user's search_path: ALTER ROLE ... SET search_path TO \(own.schema)")
                }
                if !tables.isEmpty {
                    throw PostgresStorageError.otherApplication(url.description, tables: tables.map { $0.schema == "public" ? $0.name : "\($0.schema).\($0.name)" })
                }
            }
            try await connection.query("CREATE TABLE IF NOT EXISTS rapport_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", logger: logger)
            var applied: Set<Int> = []
            for version in try await connection.rows("SELECT version FROM rapport_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            if let newest = applied.max(), newest > latest {
                throw PostgresStorageError.newerSchema(found: newest, known: latest)
            }
            for migration in migrations(schema: schema) where !applied.contains(migration.version) {
                for statement in migration.sql {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO rapport_migrations (version) VALUES (\(migration.version))", logger: logger)
            }
            return !found
        }
    }
}
