import RapportServer
import RapportSync

extension Simulator {
    /// Now and then the admin compacts the server's log (keeping overwritten values for no time at all, a
    /// minute or an hour of the server's clock), or a replica compacts its own (by its own clock, which may
    /// run far ahead). Drawn from a stream of its own, so the other decisions of a seed stay as they were.
    func maybeCompact() async throws {
        let roll = Int.random(in: 0..<100, using: &random.compaction)
        if roll < 3 {
            let keepMs = [0, 60_000, 3_600_000][Int.random(in: 0..<3, using: &random.compaction)]
            try await compactServer(keepAfterMs: clock.now(node: 0) - Int64(keepMs))
        } else if roll < 6 {
            let node = replicas[Int.random(in: 0..<replicas.count, using: &random.compaction)]
            let result = try node.replica.compact(keepDays: 0)
            stats.compactedOnReplicas += result.deleted
            record("\(node.name) compacts its log: \(result.deleted) values dropped, \(result.remaining) left")
        }
    }

    /// Once the team is quiet every replica has reported a recent cursor, so the server can compact nearly
    /// all of its log; some replicas compact theirs, and the team syncs again.
    func compactQuietTeam() async throws {
        try await compactServer(keepAfterMs: clock.now(node: 0))
        for node in replicas where Bool.random(using: &random.compaction) {
            let result = try node.replica.compact(keepDays: 0)
            stats.compactedOnReplicas += result.deleted
            record("\(node.name) compacts its log: \(result.deleted) values dropped, \(result.remaining) left")
        }
        try await syncUntilQuiet()
    }

    func compactServer(keepAfterMs: Int64) async throws {
        let before = try await server.storage.wholeLog()
        let report = try await server.storage.compact(workspace: defaultWorkspace, keepAfterMs: keepAfterMs)
        let kept = Set(try await server.storage.wholeLog().map(\.seq))
        for entry in before where !kept.contains(entry.seq) {
            switch entry {
            case .operation(_, let op): compacted[op.id] = op
            case .conflict(_, let record): if record.open { compactedOpenings += 1 }
            }
        }
        compactedThrough = max(compactedThrough, report.horizon)
        stats.compactedOnServer += report.deletedOperations
        record("server compacts up to \(report.horizon) of \(report.head): \(report.deletedOperations) values and \(report.deletedConflictRecords) conflict records"
            + (report.heldBackBy.map { ", held back by \($0.id)" } ?? ""))
    }
}
