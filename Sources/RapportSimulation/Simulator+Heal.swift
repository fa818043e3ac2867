import Foundation
import GRDB
import RapportReplica
import RapportSync

/// Deliberate defects, to prove that the invariants catch what they are meant to catch.
public enum PlantedBug: Sendable, Equatable, CaseIterable {
    /// The network answers pushes with success without delivering them.
    case acknowledgePushesWithoutStoring
    /// After healing, one replica's entity table is changed behind the sync engine's back.
    case divergeOneReplica
    /// After healing, the server logs the closing of an open conflict that nobody resolved.
    case closeConflictWithoutResolution
}

extension Simulator {
    /// How many rounds of everyone syncing a healed team may take to fall quiet. Two suffice (everyone
    /// pushes, then everyone pulls what the others pushed); more means syncs keep finding work.
    static let healRounds = 4

    /// Ends the faults: partitions heal, the network stops dropping and losing, clocks are set right and
    /// time moves past every timestamp in use. Then every replica syncs, round after round, until no
    /// replica has anything pending and every cursor is at the server's head.
    func heal() async throws {
        network.setPartition([])
        network.setFaultRates(drop: 0, lose: 0)
        clock.heal()
        record("heal: no partitions, no faults, clocks right")
        try await syncUntilQuiet()
    }

    func syncUntilQuiet() async throws {
        for round in 1...Self.healRounds {
            for node in replicas { try await sync(node, crash: nil, mustSucceed: true) }
            let head = try await server.storage.head()
            var quiet = true
            for node in replicas {
                let identity = try node.replica.identity()
                if try node.replica.pendingCount() > 0 || identity.cursor != head { quiet = false }
            }
            if quiet {
                record("quiet after \(round) rounds at head \(head)")
                return
            }
        }
        throw failure("the healed team did not fall quiet after \(Self.healRounds) rounds of syncs")
    }

    /// Someone resolves every open conflict (each on a replica of its own choosing), and the team syncs:
    /// afterwards no conflict may be open anywhere.
    func resolveEverything() async throws {
        guard let first = replicas.first else { return }
        for conflict in try first.replica.conflicts() {
            let node = replicas[Int.random(in: 0..<replicas.count, using: &random.actions)]
            let what = try edits.resolve(conflict.id, on: node)
            stats.resolutions += 1
            record("\(node.name) \(what)")
        }
        try await syncUntilQuiet()
    }

    /// Plants a bug that shows only once the team has healed (the network's own sabotage is in from the start).
    func plant(_ bug: PlantedBug) async throws {
        switch bug {
        case .divergeOneReplica:
            guard let node = replicas.last, let entity = schema.entities.first else { return }
            let table = entity.table.quotedDatabaseIdentifier
            let column = entity.fields[0].name.quotedDatabaseIdentifier
            // A second connection, as `sqlite3` would open one beside the running replica.
            let queue = try DatabaseQueue(path: node.replica.path)
            try await queue.write { db in
                try db.execute(sql: "UPDATE \(table) SET \(column) = 'tampered' WHERE rowid = (SELECT min(rowid) FROM \(table))")
            }
            try queue.close()
            record("planted bug: \(node.name)'s \(entity.table) changed behind its back")
        case .closeConflictWithoutResolution:
            let queue = try DatabaseQueue(path: server.storage.path)
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO log (workspace, seq, kind, id, entity, row, field, base, versions, open)
                    SELECT workspace, (SELECT max(seq) + 1 FROM log WHERE log.workspace = conflicts.workspace),
                           'conflict', id, entity, row, field, base, versions, 0
                    FROM conflicts WHERE open = 1 ORDER BY id LIMIT 1
                    """)
                try db.execute(sql: """
                    UPDATE conflicts SET open = 0
                    WHERE id = (SELECT id FROM log WHERE kind = 'conflict' ORDER BY seq DESC LIMIT 1)
                    """)
            }
            try queue.close()
            record("planted bug: the server closed a conflict nobody resolved")
        case .acknowledgePushesWithoutStoring:
            return
        }
    }

    /// Ends the trace with a digest of the final state, so that the fingerprint covers what the run built
    /// as well as what it did.
    func recordFinalState() async throws {
        let log = try await server.storage.wholeLog()
        stats.serverLogLength = Int64(log.count)
        stats.conflictsOpened = compactedOpenings + log.filter { if case .conflict(_, let record) = $0 { record.open } else { false } }.count
        record("final: server log \(log.count) entries, digest \(Trace.digest(log.map { "\($0)" }))")
        for node in replicas {
            var lines: [String] = []
            for entity in schema.entities {
                lines += try node.replica.records(entity.name, includeDeleted: true).map { record in
                    "\(entity.name) \(record.id) deleted=\(record.deleted) " + record.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                }
            }
            lines += try node.replica.conflicts(all: true).map { "\($0.id) \($0.status) \($0.closedBy ?? "")" }
            record("final: \(node.name) digest \(Trace.digest(lines))")
        }
    }
}
