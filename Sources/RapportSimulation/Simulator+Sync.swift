import RapportClient
import RapportReplica

extension Simulator {
    /// Page and batch sizes from one operation per request up to the defaults, so that syncs are cut into
    /// many requests (and so many points to fail at) as well as done in one.
    static let requestSizes = [1, 2, 3, 5, 17, 1_000]

    /// Syncs one replica through the simulated network, with an optional crash in the middle, and checks
    /// that whatever happened is something the network or a clock explains.
    ///
    /// `mustSucceed` is for the healed network: then any failure is a bug.
    func sync(_ node: SimulatedReplica, crash: SimulatedNetwork.CrashPoint?, mustSucceed: Bool = false) async throws {
        var client = try SyncClient(
            replica: node.replica, serverURL: Self.serverURL, token: SimulatedServer.token(for: node.user),
            transport: network.endpoint(replica: node.index))
        // The simulated network answers at once; a retry would only sleep on the real clock.
        client.retries = 0
        client.batchSize = Self.requestSizes[Int.random(in: 0..<Self.requestSizes.count, using: &random.actions)]
        client.pageSize = Self.requestSizes[Int.random(in: 0..<Self.requestSizes.count, using: &random.actions)]
        // Pages applied one per transaction or several together, so a crash falls inside a group too, the
        // snapshot's groups as well as the pulls' (a bootstrap cut off after some of its groups committed).
        client.operationsPerTransaction = Self.requestSizes[Int.random(in: 0..<Self.requestSizes.count, using: &random.actions)]
        client.snapshotOperationsPerTransaction = client.operationsPerTransaction
        let sizes = "batch \(client.batchSize), page \(client.pageSize), transaction \(client.operationsPerTransaction)"

        let idBefore = try node.replica.identity().id
        network.beginSync(crash: crash)
        let outcome: Result<SyncReport, any Error>
        do {
            outcome = .success(try await client.sync())
        } catch {
            outcome = .failure(error)
        }
        let faults = network.endSync()
        stats.syncs += 1
        stats.droppedRequests += faults.dropped
        stats.lostResponses += faults.lost
        if !faults.serverErrors.isEmpty {
            throw failure("a server handler threw past its error middleware while \(node.name) synced: \(faults.serverErrors.joined(separator: "; "))")
        }

        switch faults.crashed {
        case .replica:
            try node.crashAndReopen()
            stats.replicaCrashes += 1
        case .server:
            try await server.crashAndRestart()
            stats.serverCrashes += 1
        case nil:
            break
        }
        let idAfter = try node.replica.identity().id
        if idAfter != idBefore {
            try node.noteMoved(from: idBefore, to: idAfter)
            stats.movedReplicas += 1
            record("\(node.name) moves its unsynced operations from replica id \(idBefore) to \(idAfter)")
        }
        try node.noteAcknowledged()
        let what = "\(node.name) syncs (\(sizes)\(crash.map { "; \($0)" } ?? ""))"

        switch outcome {
        case .success(let report):
            let head = try await server.storage.head()
            let identity = try node.replica.identity()
            let pending = try node.replica.pendingCount()
            // Nobody else syncs meanwhile, so a complete sync leaves nothing pending and the cursor at the head.
            guard pending == 0, identity.cursor == head else {
                throw failure("\(what) reported success but left \(pending) operations pending and its cursor at \(identity.cursor) of \(head)")
            }
            if report.restamped > 0 { stats.clockAheadRefusals += 1 }
            if report.bootstrapped > 0 { stats.bootstraps += 1 }
            let snapshot = report.bootstrapped > 0 ? ", \(report.bootstrapped) from the snapshot" : ""
            record("\(what): pushed \(report.pushed), duplicates \(report.duplicates), pulled \(report.pulled)\(snapshot), restamped \(report.restamped)\(Self.describe(faults))")
        case .failure(let error):
            stats.failedSyncs += 1
            if let explanation = Self.explain(error, faults: faults), !mustSucceed {
                if case SyncError.refused(_, "clock_ahead", _, _) = error { stats.clockAheadRefusals += 1 }
                record("\(what): failed, \(explanation)\(Self.describe(faults))")
                return
            }
            let logged = serverErrors.withLock { $0 }
            throw failure("\(what) failed: \(error)\(Self.describe(faults))"
                + (logged.isEmpty ? "" : "; the server logged: \(logged.joined(separator: "; "))"))
        }
    }

    /// Why a failed sync was allowed to fail, or nil when nothing explains it.
    static func explain(_ error: any Error, faults: SimulatedNetwork.SyncFaults) -> String? {
        switch error {
        case SyncError.unreachable where faults.any:
            return "unreachable"
        case SyncError.refused(409, "clock_ahead", _, _):
            // Still too far ahead after re-stamping once: its clock, or operations it received from a server
            // whose clock ran ahead, are in the server's future. It waits for time to catch up.
            return "refused as too far ahead of the server's clock"
        default:
            return nil
        }
    }

    static func describe(_ faults: SimulatedNetwork.SyncFaults) -> String {
        var parts: [String] = []
        if faults.dropped > 0 { parts.append("\(faults.dropped) dropped") }
        if faults.lost > 0 { parts.append("\(faults.lost) responses lost") }
        if faults.partitioned > 0 { parts.append("partitioned") }
        if let who = faults.crashed { parts.append(who == .replica ? "replica crashed" : "server crashed") }
        return parts.isEmpty ? "" : " [" + parts.joined(separator: ", ") + "]"
    }
}
