import Foundation
import Logging
import OpenAPIRuntime
import RapportAPI
import RapportSync

/// Limits the server enforces, each with a clear error past it.
public struct ServerLimits: Sendable {
    /// The most operations one push may carry.
    public var maxBatch = 2_000
    /// The largest request body, in bytes.
    public var maxBodyBytes = 8 << 20
    /// How far ahead of the server's clock an operation may be stamped.
    public var maxClockAheadMs: Int64 = 5 * 60 * 1000
    /// The page size of a pull when the client does not ask for one, and the most it may ask for.
    public var defaultPullLimit = 1_000
    public var maxPullLimit = 5_000

    public init() {}
}

/// The user a request's bearer token belongs to, set by `AuthenticationMiddleware`.
enum Caller {
    @TaskLocal static var user: ServerUser?

    static func required() throws -> ServerUser {
        guard let user else { throw SyncServerError.unauthorized("no bearer token") }
        return user
    }
}

/// The handlers of the endpoints in Protocol/openapi.yaml. Refusals are thrown as `SyncServerError`;
/// `ErrorMiddleware` turns them into JSON error bodies with the documented status codes.
struct SyncAPI: APIProtocol {
    let storage: any SyncStorage
    let limits: ServerLimits
    let schema: Schema
    let now: @Sendable () -> Int64
    /// Tells the admin what changed the server's state beyond a push: a log generation moved on.
    let logger: Logger

    func health(_ input: Operations.Health.Input) async throws -> Operations.Health.Output {
        do {
            try await storage.checkHealth()
        } catch let refusal as SyncServerError {
            // Already says it is the database: said once.
            throw refusal
        } catch {
            throw SyncServerError.databaseUnavailable("\(error)")
        }
        return .ok(.init(body: .json(.init(status: "ok"))))
    }

    func handshake(_ input: Operations.Handshake.Input) async throws -> Operations.Handshake.Output {
        let user = try Caller.required()
        guard case .json(let request) = input.body else { throw SyncServerError.badRequest("expected a JSON body") }
        guard Int(request.protocolVersion) == Schema.protocolVersion else {
            throw SyncServerError.protocolVersion(client: Int(request.protocolVersion), server: Schema.protocolVersion)
        }
        guard ReplicaID.isValid(request.replica) else {
            throw SyncServerError.badRequest("replica id '\(request.replica)' must be 4-32 lowercase letters and digits")
        }
        if let cursor = request.cursor, cursor < 0 { throw SyncServerError.badRequest("cursor must be 0 or more") }
        if let generation = request.generation, generation < 0 { throw SyncServerError.badRequest("generation must be 0 or more") }
        if let acknowledged = request.acknowledged, acknowledged < 0 { throw SyncServerError.badRequest("acknowledged must be 0 or more") }
        var state = try await storage.logState(workspace: user.workspace, cursor: request.cursor ?? 0)
        var stored: Int64?
        // A replica of another user (a colleague's token given to it by mistake), or of another log (pointed at
        // the wrong server), is not registered: its client stops at the response's user or log, and a
        // registration it never comes back to would hold compaction back.
        if request.user == nil || request.user == user.name, request.log == nil || request.log == state.identity {
            let known = try await storage.recordHandshake(user: user.name, replica: request.replica, cursor: request.cursor, now: now())
            // A replica of this log and its current generation that shows the log rewritten below its cursor:
            // the server was restored from an older backup. The generation moves on, so that every replica that
            // synced before learns it, even one whose own cursor the new entries passed with the same entry at
            // it. Only once per generation: a replica that keeps trying, or one that does not say which log and
            // generation it knows (older, or pointed at the wrong server), moves it no further.
            // A replica the server never registered, whose entry at its cursor is gone, is one too: the backup
            // was taken before its first sync, and a compaction since emptied the position it holds (it gave
            // the server nothing else to compare).
            let unknownPast = !known && (request.cursor ?? 0) > 0 && request.cursorEntry != nil && state.entryAtCursor == nil
            // A replica told that more of its operations were stored than the log holds: a push acknowledged, then
            // lost to a restore, whatever its cursor shows (a sync cut off before it pulled what it pushed).
            let held = try await storage.storedThrough(workspace: user.workspace, replica: request.replica)
            stored = held
            if request.log == state.identity, (request.generation ?? 0) == state.generation,
               unknownPast || (request.acknowledged ?? 0) > held || state.rewrittenBelow(cursor: request.cursor ?? 0, entry: request.cursorEntry) {
                let seen = state.generation
                state.generation = try await storage.markLogRewritten(workspace: user.workspace, seen: seen)
                // Every replica that synced before is stopped until it recovers: the admin should know who
                // showed the rewrite (a restore, or a replica sending a made-up cursor).
                if state.generation != seen {
                    logger.warning("the log was found rewritten below a replica's cursor (a restore from an older backup?); its generation moved on, and every replica that synced before must run `rapport sync --after-restore`",
                                   metadata: ["workspace": "\(user.workspace)", "user": "\(user.name)", "replica": "\(request.replica)",
                                              "cursor": "\(request.cursor ?? 0)", "head": "\(state.head)"])
                }
            }
        }
        return .ok(.init(body: .json(.init(
            protocolVersion: Int32(Schema.protocolVersion),
            serverTime: now(),
            user: user.name,
            maxBatch: Int32(limits.maxBatch),
            maxClockAheadMs: limits.maxClockAheadMs,
            head: state.head,
            log: state.identity,
            cursorEntry: state.entryAtCursor,
            generation: state.generation,
            replicaStored: stored))))
    }

    func push(_ input: Operations.Push.Input) async throws -> Operations.Push.Output {
        let user = try Caller.required()
        guard case .json(let request) = input.body else { throw SyncServerError.badRequest("expected a JSON body") }
        guard request.operations.count <= limits.maxBatch else {
            throw SyncServerError.batchTooLarge(count: request.operations.count, max: limits.maxBatch)
        }
        var operations: [RapportSync.Operation] = []
        operations.reserveCapacity(request.operations.count)
        for wire in request.operations {
            do { operations.append(try wire.domain()) } catch { throw SyncServerError.invalidOperation(error.description) }
        }
        let time = now()
        try ServerMerge.validate(
            operations, user: user.name, replica: request.replica, schema: schema,
            now: time, maxClockAheadMs: limits.maxClockAheadMs, maxBatch: limits.maxBatch)
        let outcome = try await storage.push(
            workspace: user.workspace, user: user.name, replica: request.replica, operations: operations, now: time, resent: request.resent ?? false)
        return .ok(.init(body: .json(.init(
            accepted: Int32(outcome.accepted), duplicates: Int32(outcome.duplicates), head: outcome.head))))
    }

    func pull(_ input: Operations.Pull.Input) async throws -> Operations.Pull.Output {
        let user = try Caller.required()
        let after = input.query.after ?? 0
        guard after >= 0 else { throw SyncServerError.badRequest("after must be 0 or more") }
        let asked = input.query.limit.map(Int.init) ?? limits.defaultPullLimit
        guard asked >= 1 else { throw SyncServerError.badRequest("limit must be 1 or more") }
        let page = try await storage.pull(workspace: user.workspace, after: after, limit: min(asked, limits.maxPullLimit))
        return .ok(.init(body: .json(Self.response(page))))
    }
}

extension SyncAPI {
    func snapshot(_ input: Operations.Snapshot.Input) async throws -> Operations.Snapshot.Output {
        let user = try Caller.required()
        let after = input.query.after ?? 0
        let through = input.query.through
        guard after >= 0 else { throw SyncServerError.badRequest("after must be 0 or more") }
        guard through >= after else { throw SyncServerError.badRequest("through (\(through)) must not be below after (\(after))") }
        let asked = input.query.limit.map(Int.init) ?? limits.defaultPullLimit
        guard asked >= 1 else { throw SyncServerError.badRequest("limit must be 1 or more") }
        // Past the head, positions not yet handed out would count as covered, and the pull that follows would
        // skip whatever later takes them.
        let head = try await storage.head(workspace: user.workspace)
        guard through <= head else {
            throw SyncServerError.badRequest("through (\(through)) is past the log's head (\(head)): take through from the handshake's head")
        }
        let page = try await storage.snapshot(workspace: user.workspace, after: after, through: through, limit: min(asked, limits.maxPullLimit))
        return .ok(.init(body: .json(Self.response(page))))
    }
}

extension SyncAPI {
    /// A page for the client: written by `PageEncodingMiddleware` when it listens (an empty page stands in
    /// for it here), else encoded by the generated code.
    static func response(_ page: PullPage) -> Wire.PullResponse {
        if PageEncodingMiddleware.take(page) { return .init(entries: [], next: page.next, more: page.more) }
        return .init(entries: page.entries.map(Wire.LogEntry.init), next: page.next, more: page.more)
    }
}

extension Wire.LogEntry {
    init(_ entry: LogEntry) {
        switch entry {
        case .operation(let seq, let op):
            self.init(seq: seq, operation: Wire.Operation(op))
        case .conflict(let seq, let record):
            self.init(seq: seq, conflict: Wire.ConflictRecord(
                id: record.id, entity: record.key.entity, row: record.key.row, field: record.key.field,
                versions: record.versions.map(\.description), base: record.base?.description, open: record.open))
        }
    }
}
