import GRDB
import RapportSync

/// The replica's tables: one plain table per entity that any SQLite tool can read, and the sync bookkeeping
/// kept beside them.
enum ReplicaSchema {
    /// 'RAPR' in the SQLite header, so a replica can be told from any other SQLite file before anything is
    /// written to it.
    static let applicationID: Int32 = 0x5241_5052
    /// 'RAPS', the server database's (`SQLiteSyncStorage.applicationID`; this module cannot see that one), so
    /// that a server file given as a replica is named for what it is.
    static let serverApplicationID: Int32 = 0x5241_5053
    /// The column every entity table has beside its fields: 1 once any replica deleted the row.
    static let deletedColumn = "deleted"

    /// The latest format change this version makes to a replica file (`rapport --version` shows it: a file
    /// written by a later format is refused).
    static let format = migrator(schema: .rapport).migrations.last!

    static func migrator(schema: Schema) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-bookkeeping") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(sql: """
                CREATE TABLE replica (
                    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                    id TEXT NOT NULL,
                    user TEXT NOT NULL,
                    server TEXT,
                    token TEXT,
                    clock_ms INTEGER NOT NULL DEFAULT 0,
                    clock_logical INTEGER NOT NULL DEFAULT 0,
                    counter INTEGER NOT NULL DEFAULT 0,
                    cursor INTEGER NOT NULL DEFAULT 0,
                    last_sync_ms INTEGER
                );
                -- Every operation this replica made or received, in the order it learnt of them.
                CREATE TABLE ops (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    replica TEXT NOT NULL,
                    counter INTEGER NOT NULL,
                    author TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    row TEXT NOT NULL,
                    field TEXT NOT NULL,
                    value_type TEXT NOT NULL,
                    value,
                    ms INTEGER NOT NULL,
                    logical INTEGER NOT NULL,
                    base TEXT,
                    supersedes TEXT,
                    resolution INTEGER NOT NULL DEFAULT 0,
                    pushed INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX ops_field ON ops(entity, row, field);
                CREATE INDEX ops_row ON ops(row);
                CREATE INDEX ops_pending ON ops(pushed) WHERE pushed = 0;
                -- The operation that currently wins each last-writer-wins field.
                CREATE TABLE field_versions (
                    entity TEXT NOT NULL,
                    row TEXT NOT NULL,
                    field TEXT NOT NULL,
                    op TEXT NOT NULL,
                    ms INTEGER NOT NULL,
                    logical INTEGER NOT NULL,
                    replica TEXT NOT NULL,
                    counter INTEGER NOT NULL,
                    PRIMARY KEY (entity, row, field)
                ) WITHOUT ROWID;
                -- Concurrent versions of reviewed text: open ones wait for review, closed ones are history.
                CREATE TABLE conflicts (
                    id TEXT PRIMARY KEY,
                    entity TEXT NOT NULL,
                    row TEXT NOT NULL,
                    field TEXT NOT NULL,
                    versions TEXT NOT NULL,
                    base TEXT,
                    heads TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'widened')),
                    closed_by TEXT,
                    opened_ms INTEGER NOT NULL
                );
                CREATE INDEX conflicts_open ON conflicts(entity, row, field) WHERE status = 'open';
                """)
        }
        migrator.registerMigration("v1-entities") { db in
            try syncEntityTables(db, schema: schema)
        }
        // The certificates this replica trusts for its server instead of the system's (`rapport config
        // --ca-cert`), as PEM text rather than a path, so the replica file alone is enough to sync.
        migrator.registerMigration("v2-ca-certificate") { db in
            try db.execute(sql: "ALTER TABLE replica ADD COLUMN ca_certificate TEXT")
        }
        // When the replica last dropped superseded values from its log, so that `rapport sync` does it at
        // most once a day.
        migrator.registerMigration("v2-compaction") { db in
            try db.execute(sql: "ALTER TABLE replica ADD COLUMN compacted_ms INTEGER")
        }
        // `rapport history` finds a row's operations through ops_field (naming the entities); a second index
        // on the row alone cost every applied operation one more random write.
        migrator.registerMigration("v3-drop-ops-row") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS ops_row")
        }
        // Each field's winner is read from the end of ops_field, which now orders a field's operations as
        // the last-writer-wins rule does; field_versions repeated that for every field, a second B-tree
        // written for every pulled value.
        migrator.registerMigration("v4-winners-from-ops") { db in
            try db.execute(sql: """
                DROP INDEX ops_field;
                CREATE INDEX ops_field ON ops(entity, row, field, ms, logical, replica, counter);
                DROP TABLE field_versions;
                """)
        }
        // The log is stored in ops_field's order (WITHOUT ROWID, keyed by field and winner order) instead of
        // a table plus two indexes: each applied operation wrote three B-trees, two of them at random places,
        // and that was most of a pulled page's time. The key also refuses an operation the replica already
        // holds, as the id index did: an id stands for one field and one stamp, except for this replica's own
        // pending edits, which `restampPending` may stamp anew (`apply` looks those up by id). Pending
        // operations are all this replica's own, made with rising counters, so the partial index on (replica,
        // counter) keeps them in the order they were made, as seq did, and finds them by id.
        migrator.registerMigration("v5-log-keyed-by-field") { db in
            try db.execute(sql: """
                CREATE TABLE ops_by_field (
                    entity TEXT NOT NULL,
                    row TEXT NOT NULL,
                    field TEXT NOT NULL,
                    ms INTEGER NOT NULL,
                    logical INTEGER NOT NULL,
                    replica TEXT NOT NULL,
                    counter INTEGER NOT NULL,
                    id TEXT NOT NULL,
                    author TEXT NOT NULL,
                    value_type TEXT NOT NULL,
                    value,
                    base TEXT,
                    supersedes TEXT,
                    resolution INTEGER NOT NULL DEFAULT 0,
                    pushed INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (entity, row, field, ms, logical, replica, counter)
                ) WITHOUT ROWID;
                INSERT INTO ops_by_field
                    SELECT entity, row, field, ms, logical, replica, counter, id, author, value_type, value, base, supersedes,
                        resolution, pushed
                    FROM ops ORDER BY entity, row, field, ms, logical, replica, counter;
                DROP TABLE ops;
                ALTER TABLE ops_by_field RENAME TO ops;
                CREATE INDEX ops_pending ON ops(replica, counter) WHERE pushed = 0;
                """)
        }
        // `rapport status --json` reports how many operations the log holds. Counting them read the whole log
        // (on the WITHOUT ROWID table there is no smaller index to count): on the bench's laptop of 1.7 million
        // operations, 0.1-0.15 s warm, 0.6 s from a cold page cache and 10.8 s once while the disk was busy.
        // `apply`, the only path that adds operations, and `compact`, the only one that drops them, keep the
        // count instead.
        migrator.registerMigration("v6-operation-count") { db in
            try db.execute(sql: """
                ALTER TABLE replica ADD COLUMN operations INTEGER NOT NULL DEFAULT 0;
                UPDATE replica SET operations = (SELECT count(*) FROM ops);
                """)
        }
        // The log's rows are appended in the order they arrive, and its key (field, then last-writer-wins order)
        // is an index beside them, instead of the rows themselves being kept in key order. A pulled operation
        // lands at a random place in the key either way, but an index entry is the key alone (about a third of a
        // row), so a pull dirties fewer pages all over the file: a month-offline sync on the benchmark's
        // 1.7-million-operation laptop wrote 49,000 WAL frames instead of 82,000 and went from 3.8-4.9 s to
        // 2.8-3.7 s. The key and every query stay as they were (the winner's lookup reads the index alone); v5's
        // reasons still hold against the older layout, which also indexed the id.
        migrator.registerMigration("v7-log-appended") { db in
            try db.execute(sql: """
                CREATE TABLE ops_appended (
                    entity TEXT NOT NULL,
                    row TEXT NOT NULL,
                    field TEXT NOT NULL,
                    ms INTEGER NOT NULL,
                    logical INTEGER NOT NULL,
                    replica TEXT NOT NULL,
                    counter INTEGER NOT NULL,
                    id TEXT NOT NULL,
                    author TEXT NOT NULL,
                    value_type TEXT NOT NULL,
                    value,
                    base TEXT,
                    supersedes TEXT,
                    resolution INTEGER NOT NULL DEFAULT 0,
                    pushed INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (entity, row, field, ms, logical, replica, counter)
                );
                INSERT INTO ops_appended
                    SELECT entity, row, field, ms, logical, replica, counter, id, author, value_type, value, base, supersedes,
                        resolution, pushed
                    FROM ops;
                DROP TABLE ops;
                ALTER TABLE ops_appended RENAME TO ops;
                CREATE INDEX ops_pending ON ops(replica, counter) WHERE pushed = 0;
                """)
        }
        // Which server log the replica syncs with, and which entry stands at its cursor, so that a sync stops
        // at another team's server, one set up anew, or one restored from a backup that took pushes since.
        migrator.registerMigration("v8-server-log") { db in
            try db.execute(sql: """
                ALTER TABLE replica ADD COLUMN server_log TEXT;
                ALTER TABLE replica ADD COLUMN cursor_entry TEXT;
                """)
        }
        // The server log's generation the replica last synced in: a later one means the log was rewritten below
        // some replica's cursor since (a server restored from an older backup).
        migrator.registerMigration("v9-server-generation") { db in
            try db.execute(sql: "ALTER TABLE replica ADD COLUMN server_generation INTEGER")
        }
        // Why the last sync failed, if it did after the last one that went through, so that `rapport status`
        // shows a replica that cannot sync (unreachable for days, or stopped until `sync --after-restore`).
        migrator.registerMigration("v10-sync-failure") { db in
            try db.execute(sql: """
                ALTER TABLE replica ADD COLUMN sync_failure_ms INTEGER;
                ALTER TABLE replica ADD COLUMN sync_failure_code TEXT;
                ALTER TABLE replica ADD COLUMN sync_failure TEXT;
                """)
        }
        // What a sync watches its pulls for (`Replica.beginWatch`): the unsynced values and edited records, and
        // the log's last row when it began. Kept until a sync completes, so that one cut off after its push
        // still tells, at the next, of a colleague's later value or removal that met them.
        migrator.registerMigration("v11-sync-watch") { db in
            try db.execute(sql: """
                CREATE TABLE sync_watch (
                    entity TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL,
                    replica TEXT, counter INTEGER,
                    PRIMARY KEY (entity, row, field)
                ) WITHOUT ROWID;
                ALTER TABLE replica ADD COLUMN watch_after_row INTEGER;
                """)
        }
        // Everyone who made a change this replica holds, kept as operations land: checking an owner against
        // them read every operation in the log (`SELECT DISTINCT author`), a second on a team's replica.
        migrator.registerMigration("v12-authors") { db in
            try db.execute(sql: """
                CREATE TABLE authors (name TEXT PRIMARY KEY) WITHOUT ROWID;
                INSERT OR IGNORE INTO authors SELECT DISTINCT author FROM ops;
                """)
        }
        // The account field `merged_into`. Its column comes as every field's does (`syncEntityTables`), and what the
        // log already holds for it lands then (`landHeld`); this step only marks the format, so that a version
        // without the field refuses the file: it would pull colleagues' values of it into the log unshown, and the
        // column being there already, nothing would land them again. A field added to the schema later needs
        // such a step too.
        migrator.registerMigration("v13-merged-into") { _ in }
        // The opportunity field `testing_since` (tests running with the customer), marked as `v13` marks its field.
        // (`kpi.baseline` and `risk_flag.closed_on` came without one: a file opened by this version is closed to
        // the versions before it for all three.)
        migrator.registerMigration("v14-testing-since") { _ in }
        return migrator
    }

    /// Whether every entity table, column and reference index that `syncEntityTables` makes is there.
    static func entityTablesMatch(_ db: Database, schema: Schema) throws -> Bool {
        let columns = try Set(String.fetchAll(db, sql: """
            SELECT m.name || '.' || c.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c WHERE m.type = 'table'
            """))
        let indexes = try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'"))
        for entity in schema.entities {
            for column in ["id", deletedColumn] + entity.fields.map(\.name) where !columns.contains("\(entity.table).\(column)") {
                return false
            }
            for field in entity.fields {
                if case .reference = field.type, !indexes.contains(referenceIndex(entity, field)) { return false }
            }
        }
        return true
    }

    static func referenceIndex(_ entity: EntitySpec, _ field: FieldSpec) -> String { "\(entity.table)_\(field.name)" }

    /// Creates each entity's table and adds the columns of fields the schema gained since. Returns what it
    /// added: each entity with the fields it gained, or with nil when its whole table is new.
    ///
    /// The entity tables follow the schema description rather than hand-written DDL; it runs at every open and
    /// only ever adds. A field added to `Schema.rapport` also takes a format step in `migrator` (see
    /// `v13-merged-into`), so that a version that does not know it cannot write into the file after one that does.
    @discardableResult
    static func syncEntityTables(_ db: Database, schema: Schema) throws -> [(entity: EntitySpec, fields: [String]?)] {
        var added: [(entity: EntitySpec, fields: [String]?)] = []
        for entity in schema.entities {
            if try !db.tableExists(entity.table) {
                added.append((entity, nil))
                let columns = entity.fields.map { "\($0.name.quotedDatabaseIdentifier) \($0.type.columnType)" }
                try db.execute(sql: """
                    CREATE TABLE \(entity.table.quotedDatabaseIdentifier) (
                        id TEXT PRIMARY KEY,
                        \(columns.joined(separator: ",\n    ")),
                        \(deletedColumn) INTEGER NOT NULL DEFAULT 0
                    )
                    """)
            } else {
                let existing = Set(try db.columns(in: entity.table).map(\.name))
                let gained = entity.fields.filter { !existing.contains($0.name) }
                for field in gained {
                    try db.execute(sql: "ALTER TABLE \(entity.table.quotedDatabaseIdentifier) ADD COLUMN \(field.name.quotedDatabaseIdentifier) \(field.type.columnType)")
                }
                if !gained.isEmpty { added.append((entity, gained.map(\.name))) }
            }
            // Commands read an account's stakeholders, meetings and the like by their reference.
            for field in entity.fields {
                guard case .reference = field.type else { continue }
                let index = referenceIndex(entity, field).quotedDatabaseIdentifier
                try db.execute(sql: "CREATE INDEX IF NOT EXISTS \(index) ON \(entity.table.quotedDatabaseIdentifier)(\(field.name.quotedDatabaseIdentifier))")
            }
        }
        return added
    }
}
