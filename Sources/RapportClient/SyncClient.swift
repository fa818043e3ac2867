import AsyncHTTPClient
import Foundation
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime
import RapportAPI
import RapportReplica
import RapportSync
import HTTPTypes
import NIOHTTP1
import NIOSSL

/// What one sync did.
public struct SyncReport: Sendable, Equatable, Codable {
    public var pushed = 0
    public var duplicates = 0
    /// This replica's unsynced operations the server held already: of `duplicates`, those an earlier push had
    /// stored, its answer lost (a connection cut, a proxy's timeout), and those the other copy of its file
    /// (a backup put back) had sent, found in the log before they moved to a new id: sent, as far as the user is
    /// concerned. (Not those a sync after a restore offered again, which `resent` counts.)
    public var storedBefore = 0
    public var pulled = 0
    /// Operations received from the server's snapshot when this replica started from nothing.
    public var bootstrapped = 0
    /// Operations new to the replica, from the snapshot and the pull.
    public var applied = 0
    /// Snapshot operations the replica already held (from an earlier, interrupted bootstrap, or its own).
    public var bootstrappedHeld = 0
    public var restamped = 0
    /// This replica's own operations marked to be sent again because the server's log had lost them
    /// (`sync(afterRestore: true)`).
    public var resent = 0
    /// Of those, how many the server did not have and stored again.
    public var resentStored = 0
    /// Set when the server held other operations under this replica's ids (a copied or restored replica
    /// file): the replica's new id, under which its unsynced operations (`renumbered`) were sent.
    public var newReplicaID: String?
    public var renumbered = 0
    public var openConflicts = 0
    public var cursor: Int64 = 0
    /// This replica's resolutions that met another person's resolution of the same conflict in this sync.
    public var concurrentResolutions: [ConcurrentResolution] = []
    /// This replica's note edits that another person's resolution, pulled in this sync, replaced.
    public var setAside: [SetAsideEdit] = []
    /// Values this replica's user set, unsynced, that another person's later value pulled in this sync replaced.
    public var overwritten: [OverwrittenValue] = []
    /// Records this replica's user edited, unsynced, that another person's removal pulled in this sync reached.
    public var removedAfterEdit: [RemovedAfterEdit] = []
    /// Records made or edited here that refer to one a colleague removed.
    public var removedUnderEdit: [RemovedUnderEdit] = []
    /// The user's records, made or edited since the last sync, under an account another person archived.
    public var archivedUnder: [RemovedUnderEdit] = []
    /// Records edited here, unsynced, that another person's archiving pulled in this sync reached.
    public var archivedAfterEdit: [RemovedAfterEdit] = []
    /// Values set here, unsynced, that stand over another person's value this replica had not seen.
    public var replacedUnseen: [OverwrittenValue] = []
    /// Records the user edited and synced before, that another person removed before the edit reached them.
    public var removedAfterSyncedEdit: [RemovedAfterEdit] = []
    /// Records removed here, unsynced, that other people had edited without this replica holding it.
    public var removedUnseen: [UnseenEdits] = []
    /// The end of the replica's log when the sync began: what the pulls stored lies after it.
    public var logStart: Int64 = 0
}

/// Progress of a long sync, for a progress line.
public struct SyncProgress: Sendable {
    public enum Phase: String, Sendable { case push, bootstrap, pull }
    public var phase: Phase
    public var done: Int
    public var total: Int
}

/// Pushes a replica's pending operations and pulls the team's, through the API generated from
/// Protocol/openapi.yaml.
///
/// Each push batch is idempotent on the server and each pulled page lands in one transaction with the cursor
/// that covers it, so a sync cut off at any point (network drop, kill -9) resumes where it stopped, with
/// nothing lost and nothing applied twice.
public struct SyncClient: Sendable {
    public let replica: Replica
    /// For push and pull, which may carry large pages.
    let client: Client
    /// For the handshake: a small request with a short deadline, over an HTTP client that does not try a
    /// refused or unreachable connection again, so that a sync on a laptop without network (or with the
    /// server down) says so at once; the shared client kept retrying until the deadline, 5 seconds a sync.
    let probe: Client
    let serverURL: String
    public var batchSize = 1_000
    public var pageSize = 5_000
    /// The page size of a new replica's snapshot: larger than a pull's, since a bootstrap moves the whole
    /// team's data (the server caps it at its own limit).
    public var snapshotPageSize = 5_000
    /// How many pulled operations the replica applies in one transaction, taken from as many pages as that
    /// needs. Each commit writes out every index page its operations touched, and those are spread over the
    /// whole file, so fewer, larger commits write much less per operation. Measured on a month-offline sync
    /// of a 10,000-account team (102,000 operations): 20,000 a transaction wrote twice as much (2.2 s of system
    /// time against 1.2 s) and took 7-8.7 s against 5.5-7 s; the cost is memory (a sync's peak 145 -> 165 MB,
    /// a bootstrap's 160 -> 260 MB) and, if the sync is cut off, up to that many operations to pull again.
    /// Progress is still reported every `Replica.progressSlice` operations.
    public var operationsPerTransaction = 100_000
    /// The same for a new replica's snapshot. A bootstrap writes the whole team's data into a file that grows
    /// as it goes, so each commit rewrites more of it. Its cursor stays at 0 until the last page (see
    /// `bootstrap`), so a cut-off bootstrap fetches the snapshot again whatever this is; a larger transaction
    /// only leaves more applying to redo. Measured with `rapport sync` bootstrapping 1.67 million operations,
    /// interleaved: 250,000 a transaction took 17.4-20.8 s against 19.4-25.6 s at 100,000 (three rounds) and
    /// 23.1-26.0 s against 26.7-27.3 s (three more, at a slower moment), with a third less system time and a
    /// peak of 355-385 MB against 260-315 MB; 400,000 was no faster than 250,000 and took 410-450 MB.
    public var snapshotOperationsPerTransaction = 250_000
    /// How often a request that met a server briefly away is tried again (with doubling waits from 0.2 s):
    /// see `retrying`.
    public var retries = 5
    /// How many requests of a sync met a server away and were tried again: the server that answered then may
    /// be another one (a failover to a standby), so the sync checks its log again before it ends.
    let reconnections = Counter()

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add() { lock.withLock { value += 1 } }
        var count: Int { lock.withLock { value } }
    }

    /// The server's URL, if `text` is one this client can sync with: http or https (in any case), with a host,
    /// and a port a server can listen on (port 99999 crashed the HTTP client's address lookup); without a user
    /// or password (the token is the credential), a query or a fragment, which no server address has.
    public static func serverURL(_ text: String) throws(SyncError) -> URL {
        guard let given = URL(string: text), let scheme = given.scheme, ["http", "https"].contains(scheme.lowercased()),
              let url = scheme == scheme.lowercased() ? given : URL(string: scheme.lowercased() + text.dropFirst(scheme.count)),
              url.host?.isEmpty == false else {
            throw .badServerURL(text)
        }
        // What is wrong with one that has the form, said: "not a server URL" of http://host:99999 left people looking.
        if let port = url.port, !(1...65_535).contains(port) { throw .badServerURL(text, reason: "port \(port) is not one from 1 to 65535") }
        if url.user != nil || url.password != nil { throw .badServerURL(text, reason: "a user or password does not go in it: the token is the credential") }
        if url.query != nil || url.fragment != nil { throw .badServerURL(text, reason: "a server's address has no ?query or #fragment") }
        return url
    }

    /// `probeClient`: the HTTP client for handshakes, by default one like `httpClient` that fails at once on a
    /// connection it cannot make (`failingFast`).
    public init(
        replica: Replica, serverURL: String, token: String, httpClient: HTTPClient = .shared, probeClient: HTTPClient? = nil,
        timeout: TimeInterval = 120, connectTimeout: TimeInterval = 5
    ) throws {
        let url = try Self.serverURL(serverURL)
        self.replica = replica
        self.serverURL = serverURL
        client = Client(
            serverURL: url, configuration: Self.wireFormat,
            transport: AsyncHTTPClientTransport(configuration: .init(
                client: httpClient === HTTPClient.shared ? Self.failingFast : httpClient, timeout: .milliseconds(Int64(timeout * 1000)))),
            middlewares: [BearerToken(token: token), PageDecodingMiddleware()])
        probe = Client(
            serverURL: url, configuration: Self.wireFormat,
            transport: AsyncHTTPClientTransport(configuration: .init(
                client: probeClient ?? (httpClient === HTTPClient.shared ? Self.failingFast : httpClient), timeout: .milliseconds(Int64(connectTimeout * 1000)))),
            middlewares: [BearerToken(token: token), PageDecodingMiddleware()])
    }

    /// The shared client's settings, but a connection that cannot be made fails the request at once. Never shut
    /// down, as the shared client.
    static let failingFast = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .singletonConfiguration.failingFast)

    /// Compact JSON for pushes, as the server answers.
    static let wireFormat = OpenAPIRuntime.Configuration(jsonEncodingOptions: [])

    /// A client over any transport (the simulator's in-memory network, for one).
    public init(replica: Replica, serverURL: String, token: String, transport: any ClientTransport) throws {
        guard let url = URL(string: serverURL) else { throw SyncError.badServerURL(serverURL) }
        self.replica = replica
        self.serverURL = serverURL
        client = Client(serverURL: url, configuration: Self.wireFormat, transport: transport, middlewares: [BearerToken(token: token), PageDecodingMiddleware()])
        probe = client
    }

    /// A client for the server and token stored in the replica, over `httpClient`. A replica that trusts a
    /// certificate of its own (`rapport config --ca-cert`) needs an HTTP client that trusts it:
    /// `withStoredSettings` makes one.
    public init(replica: Replica, httpClient: HTTPClient = .shared, probeClient: HTTPClient? = nil) throws {
        let identity = try replica.identity()
        guard let server = identity.server, !server.isEmpty else { throw SyncError.noServer }
        guard let token = identity.token, !token.isEmpty else { throw SyncError.noToken }
        try self.init(replica: replica, serverURL: server, token: token, httpClient: httpClient, probeClient: probeClient)
    }

    /// Runs `body` with a client for everything the replica stores: server, token and, when it has one, the
    /// certificate it trusts for that server. Such a replica gets an HTTP client of its own, which verifies the
    /// server against that certificate only and is shut down when `body` returns.
    public static func withStoredSettings<T>(replica: Replica, _ body: (SyncClient) async throws -> T) async throws -> T {
        guard let pem = try replica.identity().caCertificate else {
            return try await body(SyncClient(replica: replica))
        }
        let trust = try ServerTrust(pem: pem, source: "the certificate stored by `rapport config --ca-cert`")
        // (Failing fast on a connection it cannot make, as the shared client's requests do.)
        return try await HTTPClient.withHTTPClient(configuration: trust.httpClientConfiguration.failingFast) { http in
            try await body(SyncClient(replica: replica, httpClient: http, probeClient: http))
        }
    }

    /// One sync: push what is pending, then pull (or bootstrap) what the team pushed.
    ///
    /// A server whose log ends before this replica's cursor has lost entries this replica applied: it was
    /// restored from an older backup (or a standby that lagged), or the replica now points at another server.
    /// Syncing on would skip the team's next pushes at the positions the replica believes it has, and leave
    /// its own lost operations marked as stored, so the sync stops and says so. `afterRestore` is the way on
    /// for a restored server: this replica's own operations are marked to be sent again (the server keeps
    /// those it still has and takes back those it lost) and it starts from the server's snapshot again.
    ///
    /// A sync that fails for what the server or the network said is remembered in the replica until one goes
    /// through, for `rapport status`.
    /// `keepWatch`: the watch of what the pulls did is left for the caller to end (`Replica.endWatch`) once it has
    /// told it, so that a caller stopped before then tells it at the next sync.
    public func sync(afterRestore: Bool = false, keepWatch: Bool = false, progress: (@Sendable (SyncProgress) -> Void)? = nil) async throws -> SyncReport {
        do {
            return try await syncing(afterRestore: afterRestore, keepWatch: keepWatch, progress: progress)
        } catch let error as SyncError {
            // Bookkeeping only: the error itself is what the caller must hear.
            try? replica.recordSyncFailure(SyncFailure(ms: Int64(Date().timeIntervalSince1970 * 1000), code: error.code, message: error.lasting))
            throw error
        }
    }

    func syncing(afterRestore: Bool, keepWatch: Bool = false, progress: (@Sendable (SyncProgress) -> Void)?) async throws -> SyncReport {
        let identity = try replica.identity()
        var report = SyncReport()
        // Also after a restore, the replica says what it knows: the first replica to show the server the
        // rewrite moves the generation on (the server does so once per generation), so that the replicas that
        // recover after it are not stopped again by another's discovery.
        let acknowledged = try replica.acknowledgedThrough()
        let greeting = Operations.Handshake.Input.Body.json(Self.hello(identity, acknowledged: acknowledged))
        let hello: Operations.Handshake.Output
        do {
            // A proxy's "bad gateway" is waited out as a restart mid-sync is; a refused connection is not
            // (a laptop without network is told at once).
            hello = try await retrying(reconnecting: false) { try await call { try await probe.handshake(body: greeting) } } unavailable: {
                switch $0 { case .serviceUnavailable(let e): Self.worthRetrying(e); case .undocumented(let status, _): Self.gatewayStatuses.contains(status); default: false }
            }
        } catch SyncError.unreachable(_, _, let reason) where reason == "timed out" {
            // The server took the connection but was slow to answer (a loaded machine): it is there, so wait
            // for it as long as for any other request. Only an unreachable one is worth reporting quickly.
            do {
                hello = try await call { try await client.handshake(body: greeting) }
            } catch SyncError.unreachable(let url, let pending, "timed out") {
                // Not unreachable: something took the connection and never answered, for minutes.
                throw SyncError.unreachable(url: url, pending: pending, reason: SyncError.noAnswer)
            }
        }
        let welcome: Wire.HandshakeResponse
        switch hello {
        case .ok(let ok): welcome = try ok.body.json
        case .badRequest(let e), .unauthorized(let e), .forbidden(let e), .conflict(let e), .contentTooLarge(let e), .gone(let e), .serviceUnavailable(let e):
            throw try await refusal(e)
        case .undocumented(let status, _) where status == 404:
            // Something serves HTTP there, but not Rapport's API at that path: most often a URL with a path.
            throw SyncError.unexpectedResponse("status 404 to the handshake: give the server's URL as scheme, host and port only, e.g. http://server:8080 (`rapport config --server URL`)")
        case .undocumented(let status, _) where Self.gatewayStatuses.contains(status):
            throw SyncError.unreachable(url: serverURL, pending: try replica.pendingCount(), reason: Self.gateway(status))
        case .undocumented(let status, _): throw SyncError.unexpectedResponse("status \(status) to the handshake")
        }
        // (Synced also when it only pulled: the server holds it as its user's, and `config --user` refuses.)
        guard welcome.user == identity.user else {
            throw SyncError.wrongUser(token: welcome.user, replica: identity.user, synced: acknowledged > 0 || identity.hasMetTheServer)
        }
        // Asked for, the recovery runs whatever the head: once the team's new pushes pass this replica's cursor,
        // the head no longer shows the loss, but the positions below the cursor still hold entries it never saw.
        // The operations sent again after a restore are pushed marked `resent`: the server stored each once, so
        // one its compaction has deleted since counts as a duplicate, not as an id reused by another copy.
        // What was still to send, to tell what the pulls below do to it: read once the server answered (a
        // laptop offline learns so at once), and before a restore's recovery marks every change unsynced again.
        try replica.beginWatch()
        var resent: (replica: String, through: Int64)?
        if afterRestore {
            resent = (identity.id, acknowledged)
            report.resent = try replica.resendAfterServerRestore()
        } else {
            try Self.check(welcome, against: identity, acknowledged: acknowledged, url: serverURL, pending: { try replica.pendingCount() })
        }
        // From here on this is the log the replica syncs with, and its generation (after a restore, the one it
        // recovers into; a server that names none is not checked again).
        if welcome.log != identity.serverLog || welcome.generation != identity.serverGeneration,
           welcome.log != nil || welcome.generation != nil || afterRestore {
            try replica.recordServerLog(welcome.log, generation: welcome.generation)
        }
        // A replica that does not know the entry at its cursor (it last synced with an older version) takes the
        // server's word for it, now that the log checked out.
        if !afterRestore, identity.cursorEntry == nil, let entry = welcome.cursorEntry { try replica.recordCursorEntry(entry, at: identity.cursor) }

        // Resolutions pulled anywhere in this sync, for `concurrentResolutions` once the last pull is in and
        // any re-stamping is done (a re-stamped resolution of this replica's may become the later one).
        var resolutions: [RapportSync.Operation] = []
        let reconnectedBefore = reconnections.count
        try await push(maxBatch: Int(welcome.maxBatch), head: welcome.head, resent: resent, report: &report, resolutions: &resolutions, progress: progress)
        // Only once the push is done: a replica that still had pending operations might have had some stored
        // by an earlier push whose response was lost, and only a full pull is sure to bring those back (a
        // snapshot leaves out values already overwritten), so that they are never re-stamped.
        if try replica.identity().cursor == 0, welcome.head > 0 {
            try await bootstrap(through: welcome.head, report: &report, progress: progress)
        }
        try await pull(head: welcome.head, report: &report, resolutions: &resolutions, progress: progress)
        report.concurrentResolutions = try replica.concurrentResolutions(pulled: resolutions)
        report.setAside = try replica.setAside(pulled: resolutions)
        // (A snapshot's watch ends with it: told again, it would be the whole team's data.)
        let watch = try replica.finishWatch(user: identity.user, end: !keepWatch || report.bootstrapped > 0)
        report.logStart = watch.start
        (report.overwritten, report.removedAfterEdit, report.removedUnderEdit) = (watch.overwritten, watch.removed, watch.removedUnder)
        (report.archivedAfterEdit, report.replacedUnseen, report.archivedUnder) = (watch.archived, watch.replacedUnseen, watch.archivedUnder)
        (report.removedAfterSyncedEdit, report.removedUnseen) = (watch.removedAfterSyncedEdit, watch.removedUnseen)
        try replica.recordSync(at: Int64(Date().timeIntervalSince1970 * 1000))
        report.openConflicts = try replica.status().openConflicts
        let now = try replica.identity()
        report.cursor = now.cursor
        // A pull that brought another copy's operations under this replica's id moves it too (`applyPulled`).
        if now.id != identity.id, report.newReplicaID == nil { report.newReplicaID = now.id }
        // A request tried again after the server was away may have reached another server (a standby that
        // lags, behind the same address): its log is checked as a handshake checks it, or a pull from one
        // behind this replica's cursor would bring nothing and the sync would say it went through.
        if reconnections.count > reconnectedBefore {
            let again = Operations.Handshake.Input.Body.json(Self.hello(now, acknowledged: try replica.acknowledgedThrough()))
            if case .ok(let ok) = try await call({ try await client.handshake(body: again) }) {
                try Self.check(try ok.body.json, against: now, acknowledged: try replica.acknowledgedThrough(), url: serverURL, pending: { try replica.pendingCount() })
            }
        }
        // The server learns how far a replica got only from its handshakes: say it now rather than at the next
        // sync, or a new laptop would hold the team's compaction back at 0 until then. Bookkeeping only: the
        // sync itself is done, so a failure here is left for the next sync's handshake to make good.
        if now.cursor != identity.cursor || now.id != identity.id {
            let farewell = Operations.Handshake.Input.Body.json(Self.hello(now, acknowledged: try replica.acknowledgedThrough()))
            // A bootstrap ends at a position whose entry its snapshot may not hold (a value overwritten since, a
            // conflict record): the server names it here.
            if case .ok(let ok)? = try? await call({ try await probe.handshake(body: farewell) }), now.cursorEntry == nil,
               let entry = try? ok.body.json.cursorEntry {
                try? replica.recordCursorEntry(entry, at: now.cursor)
            }
        }
        return report
    }

    /// The handshake of a replica as it stands: who it is, how far it has applied the log, which log, and how
    /// far the server acknowledged its own operations.
    static func hello(_ identity: ReplicaIdentity, acknowledged: Int64) -> Wire.HandshakeRequest {
        .init(protocolVersion: Int32(Schema.protocolVersion), replica: identity.id, cursor: identity.cursor, user: identity.user,
              log: identity.serverLog, cursorEntry: identity.cursorEntry, generation: identity.serverGeneration, acknowledged: acknowledged)
    }

    /// Refuses to sync with a log other than the one this replica applied: another log identity (another
    /// team's server, or one set up anew), a head below the cursor (a server restored from an older backup),
    /// another entry at the cursor (restored, and the team's pushes since have passed the cursor), a later
    /// generation (the server found its log rewritten below some replica's cursor since this one synced), or
    /// fewer of this replica's operations stored than it acknowledged (`acknowledged`: a sync cut off between
    /// its push and its pull, then the server restored from a backup taken before that push). A server that
    /// gives none of these (older) is checked by its head alone.
    static func check(_ welcome: Wire.HandshakeResponse, against identity: ReplicaIdentity, acknowledged: Int64, url: String, pending: () throws -> Int) throws {
        if let held = identity.serverLog, let log = welcome.log, held != log {
            throw SyncError.otherLog(url: url, pending: try pending())
        }
        if welcome.head < identity.cursor {
            // Another generation (they are random): the server marked its log rewritten since, or a backup of before
            // the last mark was restored. Either way this team's log, restored: no other server to suspect.
            let marked = identity.serverGeneration.map { held in welcome.generation.map { $0 != held } ?? false } ?? false
            throw SyncError.serverBehind(head: welcome.head, cursor: identity.cursor, pending: try pending(), marked: marked)
        }
        // Entries this replica's cursor is below may be gone too, and others may have applied them; sending its
        // lost operations again alone could land them where they were and hide the restore from those.
        if let stored = welcome.replicaStored, acknowledged > stored {
            throw SyncError.logRewritten(cursor: identity.cursor, pending: try pending())
        }
        // A replica that has applied nothing has nothing the log could have lost.
        guard identity.cursor > 0 else { return }
        if let held = identity.cursorEntry, let there = welcome.cursorEntry, held != there {
            throw SyncError.logRewritten(cursor: identity.cursor, pending: try pending())
        }
        if let held = identity.serverGeneration, let now = welcome.generation, held != now {
            throw SyncError.logRewritten(cursor: identity.cursor, pending: try pending())
        }
    }

    /// Pushes the pending operations in batches. `resent`: this replica's operations up to that counter were
    /// acknowledged before the server was restored; they go in batches of their own, marked so.
    func push(
        maxBatch: Int, head: Int64, resent: (replica: String, through: Int64)? = nil,
        report: inout SyncReport, resolutions: inout [RapportSync.Operation], progress: (@Sendable (SyncProgress) -> Void)?
    ) async throws {
        let total = try replica.pendingCount()
        var restampedOnce = false
        var movedOnce = false
        var limit = max(1, min(batchSize, maxBatch))
        while true {
            // (More than a batch takes: whether the batch ends inside a change stamped as one, and the rest of it.)
            let pending = try replica.pendingOperations(limit: limit + 16)
            var batch = Self.prefix(Array(pending.prefix(limit)), bytes: Self.pushBytes)
            if batch.isEmpty { return }
            // A push is one replica's: after a restore the user's operations made under other ids go again too
            // (`resendAfterServerRestore`), each batch under its own id, all acknowledged before.
            let from = batch[0].id.replica, own = try replica.identity().id
            batch = Array(batch.prefix { $0.id.replica == from })
            var marked = false
            if let resent {
                // This replica's up to the counter acknowledged before the restore, and the user's of other ids; not
                // those of a new id this sync moved to (never seen by anyone, they are no resend).
                let acknowledged = { (op: RapportSync.Operation) in
                    op.id.replica == resent.replica ? op.id.counter <= resent.through : op.id.replica != own
                }
                marked = acknowledged(batch[0])
                batch = Array(batch.prefix { acknowledged($0) == marked })
            }
            batch = Self.endingWhole(batch, before: pending.dropFirst(batch.count))
            let body = Operations.Push.Input.Body.json(.init(
                replica: from, operations: batch.map(Wire.Operation.init), resent: marked ? true : nil))
            let output = try await retrying { try await call { try await client.push(body: body) } } unavailable: {
                switch $0 { case .serviceUnavailable(let e): Self.worthRetrying(e); case .undocumented(let status, _): Self.gatewayStatuses.contains(status); default: false }
            }
            switch output {
            case .ok(let ok):
                let body = try ok.body.json
                // A resent batch was acknowledged once before, at a time not known here.
                try replica.markPushed(batch.map(\.id), timed: !marked)
                report.pushed += Int(body.accepted)
                report.duplicates += Int(body.duplicates)
                if !marked { report.storedBefore += Int(body.duplicates) }
                if marked { report.resentStored += Int(body.accepted) }
                progress?(SyncProgress(phase: .push, done: report.pushed + report.duplicates, total: total))
            case .conflict(let e):
                let error = try e.body.json
                // Another replica's operations, sent again after a restore, one of which the server holds under its
                // id already (or compacted away as overwritten): the server refuses the whole batch, so they go one
                // at a time to find it, and only that one is passed over.
                if from != own, error.code == "operation_id_reused" {
                    if batch.count > 1 {
                        limit = 1
                        continue
                    }
                    try replica.markPushed(batch.map(\.id), timed: false)
                    limit = max(1, min(batchSize, maxBatch))
                    continue
                }
                // Another copy of this replica's file (copied to a new laptop, or the one restored from a
                // backup) synced operations under the same ids first, or a compaction deleted one the server held
                // (a backup taken before the sync that sent it): the server cannot know that one's content. Those
                // the server holds as they are here were sent by the other copy: they are marked so first (moved,
                // every replica's history listed them twice). What is left nobody has seen under these ids, so it
                // takes a new one and is sent again. Before any pull: a pull would take the other copy's
                // operations for this replica's own.
                if error.code == "operation_id_reused", !movedOnce {
                    movedOnce = true
                    report.storedBefore += try await markSentByTheOtherCopy(head: head, progress: progress)
                    try move(&report)
                    continue
                }
                // The laptop's clock runs ahead of the server's: move the unpushed operations back to the
                // server's time, keeping their order, and try once more.
                guard error.code == "clock_ahead", let serverTime = error.serverTime, !restampedOnce else {
                    throw SyncError.refused(status: 409, code: error.code, message: error.message, pending: try replica.pendingCount())
                }
                restampedOnce = true
                // Some "pending" operations may already be on the server: an earlier push stored them but its
                // response was lost. Re-stamping those would change operations the server holds under the
                // same ids, and every later push would be refused as reusing them. Pulling first brings them
                // back, which marks them pushed, so only what the server never saw is re-stamped.
                do {
                    try await pull(head: head, report: &report, resolutions: &resolutions, progress: progress)
                } catch ReplicaError.operationIDTaken where !movedOnce {
                    // Another copy of this file synced under these ids (the clock check comes before the
                    // server's id check, so the push did not say so): what it sent of this one's is marked so,
                    // the rest moves to a new id, and the pull goes again.
                    movedOnce = true
                    report.storedBefore += try await markSentByTheOtherCopy(head: head, progress: progress)
                    try move(&report)
                    try await pull(head: head, report: &report, resolutions: &resolutions, progress: progress)
                }
                report.restamped += try replica.restampPending(after: Timestamp(ms: serverTime))
            case .contentTooLarge(let e):
                // A server that takes smaller bodies than `pushBytes`: smaller batches get through, and a
                // batch refused is stored by nobody, so sending its first half again is safe.
                // (Not a change stamped as one, which a batch never cuts: halved to one, it is sent whole again.)
                if batch.count > 1, limit > 1 || batch.contains(where: { $0.id.replica != batch[0].id.replica || $0.time != batch[0].time }) {
                    limit = max(1, min(limit, batch.count) / 2)
                    continue
                }
                let error = try e.body.json
                throw SyncError.refused(
                    status: 413, code: error.code,
                    message: "\(error.message); the change that does not fit alone is \(batch[0].entity) \(batch[0].row.prefix(8)) \(batch[0].field) " +
                        "(\(batch[0].value.display.utf8.count) bytes): ask your admin to raise the server's limit",
                    pending: try replica.pendingCount())
            case .badRequest(let e), .unauthorized(let e), .forbidden(let e), .unprocessableContent(let e), .gone(let e), .serviceUnavailable(let e):
                throw try await refusal(e)
            case .undocumented(let status, _) where Self.gatewayStatuses.contains(status):
                throw SyncError.unreachable(url: serverURL, pending: try replica.pendingCount(), reason: Self.gateway(status))
            case .undocumented(let status, _):
                throw SyncError.unexpectedResponse("status \(status) to a push")
            }
        }
    }

    func move(_ report: inout SyncReport) throws {
        let moved = try replica.moveToNewID()
        report.newReplicaID = moved.to
        report.renumbered = moved.moved
    }

    /// About how many bytes of JSON a push body may carry: half the server's default limit (8 MiB), so that a
    /// batch of long notes fits with room for escaped characters. One operation always goes, whatever its size.
    static let pushBytes = 4 << 20

    /// A batch that does not end inside a change stamped as one (fields written together, `setTogether`): cut
    /// there, a refusal of the next batch (`clock_ahead`) re-stamped its half apart, and two laptops' changes
    /// stamped alike could split the fields between them again. One that holds the change alone (a limit of one)
    /// takes the rest of it.
    static func endingWhole(_ batch: [RapportSync.Operation], before rest: ArraySlice<RapportSync.Operation>) -> [RapportSync.Operation] {
        guard let last = batch.last, let next = rest.first, next.id.replica == last.id.replica, next.time == last.time else { return batch }
        func inIt(_ op: RapportSync.Operation) -> Bool { op.id.replica == last.id.replica && op.time == last.time }
        let kept = batch.reversed().drop(while: inIt).reversed()
        return kept.isEmpty ? batch + rest.prefix(while: inIt) : Array(kept)
    }

    /// The longest prefix of `operations` whose JSON stays within about `bytes`.
    static func prefix(_ operations: [RapportSync.Operation], bytes: Int) -> [RapportSync.Operation] {
        var total = 0
        var count = 0
        for op in operations {
            // Ids, names and keys take about 300 bytes; a value, its text.
            total += 300 + (op.value.textValue?.utf8.count ?? 24)
            if total > bytes, count > 0 { break }
            count += 1
        }
        return Array(operations.prefix(count))
    }

    func pull(
        head: Int64, report: inout SyncReport, resolutions: inout [RapportSync.Operation], progress: (@Sendable (SyncProgress) -> Void)?
    ) async throws {
        let start = try replica.identity().cursor
        var cursor = start
        try await pipelined(from: start, size: operationsPerTransaction, fetch: pullPage, apply: { group in
            let before = cursor
            resolutions += group.ops.filter(\.resolution)
            report.applied += try replica.applyPulled(group.ops, cursor: group.next, cursorEntry: group.last) { applied in
                let done = Self.position(before, group.next, applied: applied, of: group.ops.count)
                progress?(SyncProgress(phase: .pull, done: Int(done - start), total: Int(max(head, group.next) - start)))
            }
            report.pulled += group.entries
            cursor = group.next
            progress?(SyncProgress(phase: .pull, done: Int(cursor - start), total: Int(max(head, cursor) - start)))
        })
    }

    /// One page of the log after `after`, checked.
    @Sendable func pullPage(after: Int64) async throws -> Page {
        let query = Operations.Pull.Input.Query(after: after, limit: Int32(pageSize))
        let slot = PageDecodingMiddleware.Slot()
        let output = try await PageDecodingMiddleware.$slot.withValue(slot) {
            try await retrying { try await call { try await client.pull(query: query) } } unavailable: {
                switch $0 { case .serviceUnavailable(let e): Self.worthRetrying(e); case .undocumented(let status, _): Self.gatewayStatuses.contains(status); default: false }
            }
        }
        switch output {
        case .ok(let ok):
            let page = try slot.page(decoded: try ok.body.json)
            guard page.next >= after else { throw SyncError.unexpectedResponse("the cursor went back from \(after) to \(page.next)") }
            // A page that promises more without moving on would be asked for again for ever.
            guard page.next > after || !page.more else { throw SyncError.unexpectedResponse("a pull after \(after) said there was more but did not move on") }
            return (try Self.operations(in: page), page.entries.count, page.next, page.more, Self.entry(at: page.next, in: page))
        case .badRequest(let e), .unauthorized(let e), .serviceUnavailable(let e): throw try await refusal(e)
        case .undocumented(let status, _) where Self.gatewayStatuses.contains(status):
            throw SyncError.unreachable(url: serverURL, pending: try replica.pendingCount(), reason: Self.gateway(status))
        case .undocumented(let status, _): throw SyncError.unexpectedResponse("status \(status) to a pull")
        }
    }

    /// Marks sent, without applying anything, this replica's unsynced operations that the log after its cursor
    /// holds as they are here: the other copy of its file (a backup put back, a copy) sent them. Read before
    /// its unsynced operations move to a new id, so that only those nobody has seen move: an operation under
    /// its id with other content (the other copy's own work) stopped a pull, which rolled back the whole group
    /// of pages it came in, the same ones with it, and every one was then moved and listed twice (QA).
    /// It reads no further than the last of them: the other copy pushed in counter order.
    func markSentByTheOtherCopy(head: Int64, progress: (@Sendable (SyncProgress) -> Void)?) async throws -> Int {
        struct Enough: Error {}
        let start = try replica.identity().cursor
        var held = 0, reached: Int64 = 0
        do {
            try await pipelined(from: start, size: operationsPerTransaction, fetch: pullPage, apply: { group in
                let (marked, more) = try replica.markPendingHeld(group.ops, reached: &reached)
                held += marked
                progress?(SyncProgress(phase: .pull, done: Int(group.next - start), total: Int(max(head, group.next) - start)))
                if !more { throw Enough() }
            })
        } catch is Enough {}
        return held
    }

    /// Brings a replica that has never pulled up to position `through` from the server's snapshot: the
    /// current value of every field and every note version, without the values overwritten since.
    ///
    /// The cursor stays at 0 until the last page, which moves it to `through` in the same transaction: a
    /// bootstrap cut off midway starts over at the next sync, and applying skips what already landed.
    func bootstrap(through: Int64, report: inout SyncReport, progress: (@Sendable (SyncProgress) -> Void)?) async throws {
        var reached: Int64 = 0
        try await pipelined(from: 0, size: snapshotOperationsPerTransaction, fetch: { after in
            let query = Operations.Snapshot.Input.Query(after: after, through: through, limit: Int32(snapshotPageSize))
            let slot = PageDecodingMiddleware.Slot()
            let output = try await PageDecodingMiddleware.$slot.withValue(slot) {
                try await retrying { try await call { try await client.snapshot(query: query) } } unavailable: {
                    switch $0 { case .serviceUnavailable(let e): Self.worthRetrying(e); case .undocumented(let status, _): Self.gatewayStatuses.contains(status); default: false }
                }
            }
            switch output {
            case .ok(let ok):
                let page = try slot.page(decoded: try ok.body.json)
                guard page.next >= after, page.next <= through, page.next > after || !page.more else {
                    throw SyncError.unexpectedResponse("a snapshot page ending at \(page.next), outside \(after)...\(through) or not past \(after) with more to come")
                }
                return (try Self.operations(in: page), page.entries.count, page.next, page.more, Self.entry(at: page.next, in: page))
            case .badRequest(let e), .unauthorized(let e), .gone(let e), .serviceUnavailable(let e): throw try await refusal(e)
            // A server older than snapshots: the pull that follows replays the whole log instead.
            case .undocumented(404, _) where after == 0: return ([], 0, -1, false, nil)
            case .undocumented(let status, _) where Self.gatewayStatuses.contains(status):
                throw SyncError.unreachable(url: serverURL, pending: try replica.pendingCount(), reason: Self.gateway(status))
            case .undocumented(let status, _): throw SyncError.unexpectedResponse("status \(status) to a snapshot")
            }
        }, apply: { group in
            guard group.next >= 0 else { return }
            let end = group.more ? group.next : through
            // The entry at `through` is in the last page only if it still counts; otherwise it stays unknown.
            let fresh = try replica.applyPulled(group.ops, cursor: group.more ? 0 : through, cursorEntry: group.next == through ? group.last : nil) { applied in
                let done = Self.position(reached, end, applied: applied, of: group.ops.count)
                progress?(SyncProgress(phase: .bootstrap, done: Int(done), total: Int(through)))
            }
            report.applied += fresh
            report.bootstrapped += group.ops.count
            report.bootstrappedHeld += group.ops.count - fresh
            reached = end
            progress?(SyncProgress(phase: .bootstrap, done: Int(end), total: Int(through)))
        })
    }

    /// Where a group of pages from position `from` to `to` has got when `applied` of its `count` operations
    /// have landed: the operations are spread over the positions, so progress moves in proportion.
    static func position(_ from: Int64, _ to: Int64, applied: Int, of count: Int) -> Int64 {
        from + (to - from) * Int64(applied) / Int64(max(count, 1))
    }

    /// `last`: the id of the entry at `next`, when the page holds it.
    typealias Page = (ops: [RapportSync.Operation], entries: Int, next: Int64, more: Bool, last: String?)

    /// The id of the page's entry at `position`: an operation's id or a conflict record's.
    static func entry(at position: Int64, in page: Wire.PullResponse) -> String? {
        guard let last = page.entries.last, last.seq == position else { return nil }
        return last.operation?.id ?? last.conflict?.id
    }

    /// Pages through the log: while one group of pages is applied (SQLite, on this thread), the next group is
    /// already being requested and decoded on another, so the network, the server and the replica work at the
    /// same time. A group is as many consecutive pages as hold `size` operations, applied strictly in order in
    /// one transaction with the cursor of its last page; `apply` gets it as one page.
    func pipelined(from start: Int64, size: Int, fetch: @escaping @Sendable (Int64) async throws -> Page, apply: (Page) throws -> Void) async throws {
        @Sendable func group(after: Int64) async throws -> Page {
            var group = try await fetch(after)
            while group.more, group.ops.count < size {
                let page = try await fetch(group.next)
                // In place: `group.ops + page.ops` copied the whole group again for each page it took.
                group.ops.append(contentsOf: page.ops)
                group.entries += page.entries
                // An empty page that ends where the group did leaves its last entry standing at its end.
                if page.entries > 0 || page.next != group.next { group.last = page.last }
                group.next = page.next
                group.more = page.more
            }
            return group
        }
        var current = try await group(after: start)
        while current.more {
            let after = current.next
            async let following = group(after: after)
            try apply(current)
            current = try await following
        }
        try apply(current)
    }

    /// The operations of a page of log entries; conflict records are left out, since the replica derives
    /// conflicts itself.
    static func operations(in page: Wire.PullResponse) throws -> [RapportSync.Operation] {
        var ops: [RapportSync.Operation] = []
        for entry in page.entries {
            guard let wire = entry.operation else { continue }
            do { ops.append(try wire.domain()) } catch {
                throw SyncError.unexpectedResponse("a malformed operation at position \(entry.seq): \(error)")
            }
        }
        return ops
    }

    func refusal(_ response: Components.Responses._Error) async throws -> SyncError {
        let error = try response.body.json
        let status = Self.status(of: error.code)
        return .refused(status: status, code: error.code, message: error.message, pending: try replica.pendingCount())
    }

    static func status(of code: String) -> Int {
        switch code {
        case "unauthorized": 401
        case "replica_owned_by_other", "author_mismatch", "replica_mismatch": 403
        case "batch_too_large", "body_too_large": 413
        case "invalid_operation": 422
        case "unavailable": 503
        case "moved": 410
        case "protocol_version", "clock_ahead", "operation_id_reused": 409
        default: 400
        }
    }

    /// Retries a request that met a server briefly away, `retries` times with doubling waits from 0.2 s (6 s
    /// in all by default): answered 503 (its database briefly unreachable), a proxy's 502, 503 or 504 (the
    /// server behind it restarting) and, when `reconnecting`, a connection refused, closed or reset (a server
    /// restarted mid-sync). Pushes are idempotent and pulls read-only, so a retry is always safe.
    ///
    /// The handshake does not reconnect: it is what tells a laptop without network so at once. Once it went
    /// through, a refused connection is most likely a restart, worth a few seconds. (The HTTP client's own
    /// retries of a connection it could not make are off: they waited out the request's whole deadline, a
    /// minute and a half, silent.) A sync that fails all the same goes on at the next `rapport sync` from where
    /// it stopped, after a handshake that checks the server's log again.
    func retrying<T>(reconnecting: Bool = true, _ request: () async throws -> T, unavailable: (T) -> Bool) async throws -> T {
        do {
            let started = ContinuousClock.now
            var delay: UInt64 = 200_000_000
            for attempt in 0... {
                let outcome: Result<T, SyncError>
                do {
                    let output = try await request()
                    guard unavailable(output) else { return output }
                    outcome = .success(output)
                } catch let error as SyncError where Self.passing(error, reconnecting: reconnecting) {
                    outcome = .failure(error)
                }
                // A budget of time as well as of tries: a try that waited out a connect timeout, or a proxy's
                // minute before its 504, is not tried five times more.
                if attempt >= retries || ContinuousClock.now - started + .nanoseconds(Int64(delay)) > Self.retryBudget { return try outcome.get() }
                if reconnecting { reconnections.add() }
                // Spread by a quarter either way: a team's laptops that met one restart do not all come back at once.
                try await Task.sleep(nanoseconds: UInt64(Double(delay) * Double.random(in: 0.75...1.25)))
                delay *= 2
            }
            fatalError("unreachable: the loop returns")
        } catch SyncError.unreachable(let url, let pending, "timed out") where reconnecting {
            // A request's whole deadline passed without an answer: not unreachable, a server that took the
            // request and went quiet (stuck, or stopped), said as the handshake says it. (The handshake tells a
            // slow server from one that never answers itself.)
            throw SyncError.unreachable(url: url, pending: pending, reason: SyncError.noAnswer)
        }
    }

    /// Whether the server's own 503 may pass: its database away for a moment, not its file damaged, which no
    /// retry helps until the admin restores it (said at once, rather than six seconds later).
    static func worthRetrying(_ response: Components.Responses._Error) -> Bool {
        guard let error = try? response.body.json else { return true }
        return !SyncError.waitsForTheAdmin(error.message)
    }

    /// How long `retrying` goes on trying, first try included: the default five waits (6.2 s) and quick tries.
    static let retryBudget: Duration = .seconds(8)

    /// Statuses a proxy (nginx, a load balancer) answers while the Rapport server behind it is down or
    /// restarting, in a page of its own rather than Rapport's JSON.
    static let gatewayStatuses: Set<Int> = [502, 503, 504]

    /// The reason of an `unreachable` that a proxy answered for: the proxy is there, the server is not.
    static func gateway(_ status: Int) -> String {
        switch status {
        // (Or the URL leads to another service's proxy: said, since waiting would not help then.)
        case 502: "a proxy in front of it answered 502 Bad Gateway: the Rapport server behind it is down or restarting, or the URL leads elsewhere (`rapport config`)"
        case 503: "a proxy in front of it answered 503 Service Unavailable: the Rapport server behind it is down or restarting, or the URL leads elsewhere (`rapport config`)"
        // Most often a server slow to answer a large request, which it may have done all the same (a push
        // stored so is acknowledged as already stored when sent again).
        default: "a proxy in front of it answered 504 Gateway Timeout: the Rapport server behind it did not answer in time (slow, down or restarting)"
        }
    }

    /// The reason of an `unreachable` whose connection got no answer or found no route.
    static let noRoute = "could not connect: no answer from the host, or no route to it; check this computer's network or VPN, and the host in the URL (`rapport config`)"

    /// The reason of an `unreachable` whose connection was cut while the server was answering.
    static let cutMidAnswer = "the connection was cut while the server was answering"

    /// Whether `error` is one a server briefly away gives, as `retrying` takes it.
    static func passing(_ error: SyncError, reconnecting: Bool) -> Bool {
        guard case .unreachable(_, _, let reason) = error else { return false }
        if reason.hasPrefix("a proxy in front of it answered") { return true }
        return reconnecting && (reason == "connection refused" || reason == Self.noRoute || reason.hasPrefix("connection closed by") || reason.hasPrefix("connection reset by")
            || reason.hasPrefix(Self.cutMidAnswer))
    }

    /// Runs a request, turning transport failures into `SyncError.insecureServer` or `SyncError.unreachable`.
    func call<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ClientError {
            let pending = (try? replica.pendingCount()) ?? 0
            let stored = (try? replica.identity().caCertificate).flatMap { $0 }
            if var problem = Self.tlsProblem(error.underlyingError, host: URL(string: serverURL)?.host ?? serverURL, ownCertificate: stored != nil) {
                // The stored certificate past its end: said so, rather than "compare the fingerprints", which match.
                // (Only when every stored one is: an old root beside the current one in a bundle is not the cause.)
                if problem == .untrustedCertificate(ownCertificate: true), let stored,
                   let certificates = (try? ServerTrust(pem: stored))?.certificates, !certificates.isEmpty, certificates.allSatisfy(\.expired),
                   let latest = certificates.max(by: { $0.expires < $1.expires }) {
                    problem = .ownCertificateExpired(on: latest.expiresDay)
                }
                throw SyncError.insecureServer(url: serverURL, pending: pending, problem: problem)
            }
            // A proxy's own page for a server behind it that is down: the content type was not Rapport's, but
            // the status says what happened.
            if let status = error.response?.status.code, Self.gatewayStatuses.contains(status) {
                throw SyncError.unreachable(url: serverURL, pending: pending, reason: Self.gateway(status))
            }
            // Something answered, just not Rapport: "unreachable" (and its code) sent people to wait for a
            // server that was there all along.
            let reason = Self.reason(error.underlyingError, url: serverURL)
            let answered = Self.foreignReply(error.underlyingError, text: String(describing: error.underlyingError)) != nil || Self.speaksNoHTTP(error.underlyingError)
            throw answered ? SyncError.unexpectedResponse(reason) : SyncError.unreachable(url: serverURL, pending: pending, reason: reason)
        }
    }

    /// What NIOSSL's error says about the server's TLS, if the connection failed there. BoringSSL reports a
    /// failed handshake as a list of its own reason codes, which are stable names.
    static func tlsProblem(_ error: any Error, host: String, ownCertificate: Bool) -> SyncError.TLSProblem? {
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname { return .nameMismatch(host: host) }
        guard case NIOSSLError.handshakeFailed(let reasons) = error else { return nil }
        let text = String(describing: reasons)
        if text.contains("CERTIFICATE_VERIFY_FAILED") { return .untrustedCertificate(ownCertificate: ownCertificate) }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") { return .notTLS }
        return nil
    }

    /// What answered instead of a Rapport server, if something did (a captive portal, a proxy's login page,
    /// another web server): the content type it sent, or JSON that is not the protocol's.
    static func foreignReply(_ error: any Error, text: String) -> String? {
        if error is DecodingError { return "JSON of another shape" }
        guard let unexpected = text.range(of: "Unexpected content type"),
              let received = text.range(of: "received: ", range: unexpected.upperBound..<text.endIndex) else { return nil }
        return String(text[received.upperBound...].prefix(60))
    }

    /// Whether what answered was no HTTP at all (an SSH or database server on that port): the parser's error, but
    /// not an answer cut partway, which the parser reports too (a server or proxy that stopped while sending).
    static func speaksNoHTTP(_ error: any Error) -> Bool {
        guard let parser = error as? HTTPParserError else { return false }
        return ![.invalidEOFState, .closedConnection, .paused].contains(parser)
    }

    static func reason(_ error: any Error, url: String) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        // No answer to the connection, or no route to the host: off the network or the VPN far more often than
        // a server down ("no server listens there" sent people to check a URL that was fine).
        if ["connectTimeout", "connect(descriptor", "No route to host", "Network is unreachable", "Host is unreachable"].contains(where: text.contains) { return Self.noRoute }
        if text.contains("deadlineExceeded") || text.contains("readTimeout") { return "timed out" }
        // An answer that stopped partway (a proxy whose server died while sending a page): the runtime says
        // "stream ended at an unexpected time".
        if text.contains("stream ended at an unexpected time") || text.contains("Unexpected end of") { return cutMidAnswer }
        // Bytes that are no HTTP at all (an SSH or database server on that port): the HTTP parser's own words,
        // "invalid constant string", told the user nothing.
        if Self.speaksNoHTTP(error) {
            return "the program listening there does not answer in HTTP: another kind of server on that port?"
        }
        if text.contains("UnknownHost") || text.contains("Name or service not known") {
            return "no such host: check the server's name in its URL (`rapport config`), and this computer's network"
        }
        if let received = foreignReply(error, text: text) {
            return error is DecodingError
                ? "it answered with \(received) than this version of Rapport reads: another server at that address, or a Rapport server of another version? Check the URL (`rapport config`) and `rapport --version` against the server's"
                : "it answered with \(received), not a Rapport server's reply: a proxy, a login page or another web server at that address? Check the URL (`rapport config`)"
        }
        let closed = text.contains("remoteConnectionClosed") ? "connection closed by the server"
            : text.contains("Connection reset by peer") ? "connection reset by the server" : nil
        if let closed {
            // An HTTPS server drops a connection that opens with plain HTTP without a word: closed, or reset
            // when the rest of the request was still unread.
            // A server that stopped mid-request closes it the same way, so name both causes.
            return url.hasPrefix("http:") ? "\(closed) (it may have stopped or restarted; or, if it serves HTTPS, the URL must start with https://)" : closed
        }
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }
}

/// Adds `Authorization: Bearer <token>` to every request.
struct BearerToken: ClientMiddleware {
    let token: String

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        return try await next(request, body, baseURL)
    }
}

extension HTTPClient.Configuration {
    /// These settings, but a request whose connection cannot be made fails at once instead of trying again
    /// until its deadline.
    var failingFast: HTTPClient.Configuration {
        var configuration = self
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }
}
