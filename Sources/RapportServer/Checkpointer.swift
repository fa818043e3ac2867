import Foundation
import GRDB

/// Copies the SQLite store's write-ahead log into the database file on a connection and thread of its own,
/// after each push, instead of inside the push that crossed SQLite's checkpoint threshold.
///
/// A push commits its pages to the WAL (synced: the writer runs with `synchronous = FULL`); copying them
/// into the database file afterwards took up to a third of a push of edits, which dirtied pages all over the
/// winners table (a fold of winners still does). A passive checkpoint never blocks the writer or readers, so
/// the next push proceeds while this one copies; once it has copied everything, the next commit starts the
/// WAL over from its beginning.
/// The writer keeps a threshold of its own (see its `wal_autocheckpoint`), so the WAL stays bounded even if
/// this connection falls behind or fails. (The same on a replica's sync gained nothing in two interleaved
/// bootstraps: one long stream of writes, with little else to overlap.)
///
/// The connection is opened on the first request: a server that only answers pulls never opens it.
final class Checkpointer: @unchecked Sendable {
    private let path: String
    private let work = DispatchQueue(label: "rapport.sqlite.checkpoint")
    private let lock = NSLock()
    private var pending = false
    private var closed = false
    /// Touched only on `work`.
    private var queue: DatabaseQueue?

    init(path: String) {
        self.path = path
    }

    /// Asks for a checkpoint; requests made while one waits to run are one request.
    func request() {
        let schedule = lock.withLock {
            guard !pending, !closed else { return false }
            pending = true
            return true
        }
        guard schedule else { return }
        work.async { [self] in
            // A request can slip in just before `close`: its checkpoint must not open or use the connection.
            let open = lock.withLock {
                pending = false
                return !closed
            }
            guard open else { return }
            // A checkpoint that cannot run now (another one is running) is retried by the next request; the
            // writer's own threshold is the backstop.
            _ = try? connection().writeWithoutTransaction { db in try db.checkpoint(.passive) }
        }
    }

    private func connection() throws -> DatabaseQueue {
        if let queue { return queue }
        var config = Configuration()
        config.label = "checkpoint"
        // The database file must reach the disk before the WAL may start over (as the writer's FULL).
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let opened = try DatabaseQueue(path: path, configuration: config)
        queue = opened
        return opened
    }

    /// Returns once every requested checkpoint has run.
    func waitUntilIdle() {
        work.sync {}
    }

    /// Waits for a running checkpoint and closes the connection; later requests do nothing.
    func close() throws {
        lock.withLock { closed = true }
        try work.sync {
            try queue?.close()
            queue = nil
        }
    }
}
