import ArgumentParser
import Foundation
import RapportReplica

/// `--db PATH` for commands that work on the manager's replica.
struct ReplicaOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The replica file (default: $RAPPORT_DB, else ~/.local/share/rapport/replica.sqlite).", valueName: "path"))
    var db: String?

    // `--db "$REPLICA"` with the variable unset worked on the default replica, another than the script meant.
    func validate() throws {
        if let db, db.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--db is empty: give the replica file's path, or leave --db out for $RAPPORT_DB or the default (~/.local/share/rapport/replica.sqlite)")
        }
    }

    var path: String {
        if let db, !db.isEmpty { return db }
        let env = ProcessInfo.processInfo.environment
        if let fromEnv = env["RAPPORT_DB"], !fromEnv.isEmpty { return fromEnv }
        let data = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            // $HOME first, as every Unix tool: Foundation's home directory is the account's, whatever HOME says.
            ?? ((env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.path) + "/.local/share")
        return data + "/rapport/replica.sqlite"
    }

    /// Opens the replica; on a terminal, says so when it first upgrades the file's format (rewriting the log of
    /// a large replica takes several seconds, once).
    func open() throws -> Replica {
        let path = self.path
        return try Replica.open(at: path) { changes in
            guard isatty(STDERR_FILENO) == 1 else { return }
            FileHandle.standardError.write(Data("Upgrading \(path) to this version's format (\(changes.joined(separator: ", "))); once, a few seconds on a large replica...\n".utf8))
        }
    }
}

/// `--json` for read commands.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document for scripts.")
    var json = false
}
