import Foundation

/// What a SQLite file looks like to the next process after this one is killed outright.
///
/// Closing a database cleanly checkpoints its write-ahead log, which a `kill -9` never does. So a crash is
/// simulated by copying the database file and its `-wal` (the committed pages the checkpoint has not yet
/// moved into the file) to a new name while the old connections are still open, then abandoning the old
/// name. The next "process" opens the copy and SQLite recovers from the log exactly as it would after a
/// crash; the shared-memory index is left behind, as a dead process leaves it stale.
enum CrashImage {
    /// Copies `path` and its write-ahead log to `newPath`.
    static func copy(_ path: String, to newPath: String) throws {
        let files = FileManager.default
        for suffix in ["", "-wal"] where files.fileExists(atPath: path + suffix) {
            if files.fileExists(atPath: newPath + suffix) { try files.removeItem(atPath: newPath + suffix) }
            try files.copyItem(atPath: path + suffix, toPath: newPath + suffix)
        }
    }

    /// The name of the next incarnation of a file: `replica-2.sqlite` → `replica-2.1.sqlite` → `replica-2.2.sqlite`.
    static func nextPath(base: String, folder: String, incarnation: Int) -> String {
        "\(folder)/\(base).\(incarnation).sqlite"
    }
}
