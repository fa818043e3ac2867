import Foundation
import GRDB
import RapportSQL
import RapportSync

/// Where time and new ids come from. Passed in so that tests and the simulator run deterministically.
public struct ReplicaEnvironment: Sendable {
    /// The wall clock, Unix milliseconds.
    public var now: @Sendable () -> Int64
    /// A new row id.
    public var newRowID: @Sendable () -> String
    /// A new replica id.
    public var newReplicaID: @Sendable () -> String

    public init(now: @escaping @Sendable () -> Int64, newRowID: @escaping @Sendable () -> String, newReplicaID: @escaping @Sendable () -> String) {
        self.now = now
        self.newRowID = newRowID
        self.newReplicaID = newReplicaID
    }

    public static let live = ReplicaEnvironment(
        now: { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) },
        newRowID: { UUID().uuidString.lowercased() },
        newReplicaID: {
            var rng = SystemRandomNumberGenerator()
            return ReplicaID.random(using: &rng)
        })
}

/// One manager's local SQLite replica: plain entity tables, the operation log and the sync bookkeeping.
///
/// Every change goes through `change(_:)`, which writes the rows and their operations in one transaction,
/// so an interrupted process leaves either both or neither.
public final class Replica: Sendable {
    public let path: String
    public let schema: Schema
    let pool: DatabasePool
    let env: ReplicaEnvironment

    /// The latest format change this version makes to a replica file.
    public static var format: String { ReplicaSchema.format }

    private init(path: String, pool: DatabasePool, schema: Schema, env: ReplicaEnvironment) {
        self.path = path
        self.pool = pool
        self.schema = schema
        self.env = env
    }

    /// Creates a new replica file for `user`.
    public static func create(
        at path: String, user: String, server: String? = nil, token: String? = nil,
        schema: Schema = .rapport, env: ReplicaEnvironment = .live
    ) throws -> Replica {
        let user = user.trimmingCharacters(in: .whitespaces)
        if let problem = userNameProblem(user) { throw ReplicaError.badArgument("--user \(problem)") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            // A folder given for the file: said as such, with the file to give instead.
            if isFolder.boolValue { throw ReplicaError.badArgument("\(path) is a folder: give the path of the replica's file, e.g. --db \((path as NSString).appendingPathComponent("replica.sqlite"))") }
            throw ReplicaError.alreadyExists(path: path)
        }
        // The file holds the team's accounts and the sync token: readable by its owner only. SQLite gives the
        // -wal and -shm files beside it the same mode. A folder made here is private too; an existing one is
        // left as its owner set it.
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if let file = fileInTheWay(of: folder) {
            throw ReplicaError.badArgument("\(file) is a file, not a folder, so the replica \(path) cannot be made inside it: give --db a path in a folder")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw ReplicaError.unreadable(path: path, reason: "the file could not be created: check that the folder is writable")
        }
        let pool = try makePool(path: path)
        try ReplicaSchema.migrator(schema: schema).migrate(pool)
        try pool.write { db in
            try db.execute(
                sql: "INSERT INTO replica (singleton, id, user, server, token) VALUES (1, ?, ?, ?, ?)",
                arguments: [env.newReplicaID(), user, server, token])
        }
        return Replica(path: path, pool: pool, schema: schema, env: env)
    }

    /// Opens an existing replica, upgrading its format if an older Rapport wrote it. A file that is not a
    /// replica, or that a newer Rapport wrote, is refused and left untouched.
    ///
    /// `upgrading` hears the format changes about to be made, before they are: some rewrite the whole log,
    /// which takes seconds on a large replica, and a command should not sit silent meanwhile.
    public static func open(
        at path: String, schema: Schema = .rapport, env: ReplicaEnvironment = .live, upgrading: ((_ changes: [String]) -> Void)? = nil
    ) throws -> Replica {
        var folder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &folder) else { throw ReplicaError.noReplica(path: path) }
        // SQLite's own words for a folder were "disk I/O error".
        if folder.boolValue { throw ReplicaError.notAReplica(path: path, reason: "a folder: give the path of the replica file") }
        let migrator = ReplicaSchema.migrator(schema: schema)
        let current = try inspect(path: path, migrator: migrator, schema: schema)
        let pool: DatabasePool
        do {
            pool = try makePool(path: path)
            // Most opens find the file as this version left it: a command that only reads then writes nothing.
            if !current {
                let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
                let changes = migrator.migrations.filter { !applied.contains($0) }
                if !changes.isEmpty { upgrading?(changes) }
                try migrator.migrate(pool)
                let replica = Replica(path: path, pool: pool, schema: schema, env: env)
                try pool.write { db in
                    let added = try ReplicaSchema.syncEntityTables(db, schema: schema)
                    try replica.landHeld(db, added)
                }
                return replica
            }
        } catch let error as DatabaseError {
            guard error.resultCode != .SQLITE_BUSY else { throw ReplicaError.busy(path: path) }
            let (reason, advice) = Self.reason(error, path: path)
            throw ReplicaError.unreadable(path: path, reason: reason, advice: advice)
        }
        return Replica(path: path, pool: pool, schema: schema, env: env)
    }

    /// SQLite's words, with the files it could not write when that was the trouble (`SQLiteFiles.unwritable`).
    static func reason(_ error: DatabaseError, path: String) -> (reason: String, advice: String?) {
        SQLiteFiles.unwritable(error, path: path, whose: "the replica's") ?? (error.message ?? "\(error)", nil)
    }

    /// Reads the file read-only first, so that nothing (not even WAL mode) is written to a file that turns
    /// out to be foreign, damaged or newer. Returns whether it is already in this version's format.
    private static func inspect(path: String, migrator: DatabaseMigrator, schema: Schema) throws -> Bool {
        var config = configuration()
        config.readonly = true
        // Another rapport process may be checkpointing the file as this one opens it: wait, as writers do.
        config.busyMode = .timeout(30)
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            return try queue.read { db in
                let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                guard appID == ReplicaSchema.applicationID else {
                    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
                    throw ReplicaError.notAReplica(path: path, reason: size == 0 ? "the file is empty"
                        : appID == ReplicaSchema.serverApplicationID ? "a Rapport server database, which `rapport serve --db` takes"
                        : "an SQLite database of another application")
                }
                if try migrator.hasBeenSuperseded(db) {
                    let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations)
                    throw ReplicaError.newerFormat(path: path, unknown: unknown.sorted())
                }
                guard try db.tableExists("replica"), try Int.fetchOne(db, sql: "SELECT count(*) FROM replica") == 1 else {
                    throw ReplicaError.damaged(path: path, reason: "its identity record is missing")
                }
                return try migrator.hasCompletedMigrations(db) && ReplicaSchema.entityTablesMatch(db, schema: schema)
            }
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB: throw ReplicaError.notAReplica(path: path, reason: "not an SQLite database")
            case .SQLITE_CORRUPT: throw ReplicaError.damaged(path: path, reason: error.message ?? "SQLite reports corruption")
            case .SQLITE_BUSY: throw ReplicaError.busy(path: path)
            default:
                let (reason, advice) = Self.reason(error, path: path)
                throw ReplicaError.unreadable(path: path, reason: reason, advice: advice)
            }
        }
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        // A second `rapport` process on the same file waits its turn instead of failing with
        // "database is locked".
        config.busyMode = .timeout(30)
        config.foreignKeysEnabled = false
        config.prepareDatabase { db in
            // Applying a pulled page touches index pages all over the replica; the default 2 MB cache would
            // re-read most of them from the OS. Readers (the commands' queries) need little.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -65536") }
            // A pulled page dirties thousands of index pages; with SQLite's default (a checkpoint once the WAL
            // holds 1,000 pages) nearly every page's commit also copied the WAL back and synced the file. Once
            // per 64 MB of WAL writes a page touched by many pages once (measured: a month-offline sync and a
            // bootstrap 15-25% faster).
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384") }
        }
        return config
    }

    /// A local change is saved once it would survive a power cut (`synchronous = FULL`). GRDB sets the writer
    /// to NORMAL, which can lose the last commits to one, when it sets up WAL mode after `prepareDatabase`, so
    /// FULL is set once the pool is open.
    static func makePool(path: String) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration())
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }

    /// Closes the file; the replica must not be used afterwards.
    public func close() throws {
        try pool.close()
    }

    /// A read-only look at the data, for queries.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.write(body)
    }

    /// A transaction whose commit returns once SQLite has written it, without waiting for the disk to hold
    /// it (`synchronous = NORMAL`, which in WAL mode still never leaves the file inconsistent). Only for
    /// writes that can be redone, such as pulled pages.
    func writeWithoutWaitingForDisk<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            let usual = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? 2
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            defer { try? db.execute(sql: "PRAGMA synchronous = \(usual)") }
            var result: T?
            try db.inTransaction {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }
}

extension Replica {
    /// The file that stands where a folder of `folder`'s path would be ("notes.txt" of notes.txt/sub/x.sqlite):
    /// making the folders failed with Foundation's "NSCocoaErrorDomain Code=512", and "create the folder" could
    /// not be done.
    public static func fileInTheWay(of folder: String) -> String? {
        var path = URL(fileURLWithPath: folder).standardizedFileURL.path
        while !path.isEmpty, path != "/" {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) { return isFolder.boolValue ? nil : path }
            path = (path as NSString).deletingLastPathComponent
        }
        return nil
    }
}
