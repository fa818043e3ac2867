import Foundation
import GRDB

/// Copies the SQLite store's write-ahead log into the database file on a connection and thread of its own,
/// after each push, instead of inside the push that crossed SQLite's checkpoint threshold.
///
/// A push commits its pages to the WAL (synced, so it is durable when acknowledged); copying them into the
/// database file afterwards took up to a third of a push of edits, which dirty pages all over the winners table.
/// A passive checkpoint never blocks the writer or readers, so the next push proceeds while this one copies;
/// once it has copied everything, the next commit starts the WAL over from its beginning. The writer keeps a
/// far threshold of its own, so the WAL stays bounded even if this connection falls behind or fails.
final class Checkpointer: @unchecked Sendable {
    private let queue: DatabaseQueue
    private let work = DispatchQueue(label: "rapport.sqlite.checkpoint")
    private let lock = NSLock()
    private var pending = false
    private var closed = false

    init(path: String) throws {
        var config = Configuration()
        config.label = "checkpoint"
        config.prepareDatabase { db in
            // The database file must reach the disk before the WAL may start over.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        queue = try DatabaseQueue(path: path, configuration: config)
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
            lock.withLock { pending = false }
            // A checkpoint that cannot run now (another one is running) is retried by the next request; the
            // writer's own threshold is the backstop.
            _ = try? queue.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        }
    }

    /// Returns once every requested checkpoint has run.
    func waitUntilIdle() {
        work.sync {}
    }

    func close() throws {
        lock.withLock { closed = true }
        work.sync {}
        try queue.close()
    }
}
