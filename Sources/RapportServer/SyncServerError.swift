/// Why the server refused a request. Each case has a stable code (Protocol/README.md lists them), an HTTP
/// status, and a message that says what to do.
public enum SyncServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case unauthorized(String)
    /// A token of a user `admin remove-user` removed: a new token is the admin's choice, not a slip to mend.
    case userRemoved(user: String, revokedOn: String, workspace: String = defaultWorkspace)
    case replicaOwnedByOther(replica: String, owner: String)
    case authorMismatch(operation: String, author: String, user: String)
    case replicaMismatch(operation: String, replica: String)
    case protocolVersion(client: Int, server: Int)
    case clockAhead(operation: String, aheadMs: Int64, serverTime: Int64)
    case invalidOperation(String)
    case operationIDReused(String)
    case batchTooLarge(count: Int, max: Int)
    case bodyTooLarge(max: Int)
    case badRequest(String)
    /// `synced`: a replica of the user's has synced there, so the user stays; one who never synced and whose
    /// tokens there are all revoked is moved instead (an admin's slip in `--workspace`).
    case userInOtherWorkspace(user: String, workspace: String, synced: Bool = false)
    case notFound(path: String)
    case methodNotAllowed(path: String, method: String, allowed: [String])
    case unavailable(String)
    /// The database cannot be reached or refused the work: the reason (its address among it) is the admin's,
    /// written to the server's log; a client is told only that it is the database.
    case databaseUnavailable(String)
    /// SQLite finds the server's database file damaged: no retry helps until the admin restores it.
    case databaseDamaged(String)
    /// PostgreSQL answers, but Rapport's tables are gone (a database emptied, dropped and made again, or another
    /// put in its place while the server ran): no retry helps, as "try again shortly" said.
    case databaseEmptied(String)
    /// The server's data was moved to another database (`rapport admin migrate`): this one takes no more changes.
    case moved(to: String)

    public var status: Int {
        switch self {
        case .unauthorized, .userRemoved: 401
        case .replicaOwnedByOther, .authorMismatch, .replicaMismatch: 403
        case .protocolVersion, .clockAhead, .operationIDReused: 409
        case .batchTooLarge, .bodyTooLarge: 413
        case .invalidOperation: 422
        case .badRequest: 400
        case .userInOtherWorkspace: 409
        case .notFound: 404
        case .methodNotAllowed: 405
        case .unavailable, .databaseUnavailable, .databaseDamaged, .databaseEmptied: 503
        // For good, unlike a database out of reach: a client that retried a 503 would wait for nothing.
        case .moved: 410
        }
    }

    public var code: String {
        switch self {
        case .unauthorized, .userRemoved: "unauthorized"
        case .replicaOwnedByOther: "replica_owned_by_other"
        case .authorMismatch: "author_mismatch"
        case .replicaMismatch: "replica_mismatch"
        case .protocolVersion: "protocol_version"
        case .clockAhead: "clock_ahead"
        case .invalidOperation: "invalid_operation"
        case .operationIDReused: "operation_id_reused"
        case .batchTooLarge: "batch_too_large"
        case .bodyTooLarge: "body_too_large"
        case .badRequest: "bad_request"
        case .userInOtherWorkspace: "user_in_other_workspace"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .unavailable, .databaseUnavailable, .databaseDamaged, .databaseEmptied: "unavailable"
        case .moved: "moved"
        }
    }

    /// What a client is told: `description`, except that the database's trouble is not described to it (its
    /// address, user and name are the admin's business, and anyone who can reach /v1/health could read them);
    /// the server's log has the whole reason.
    public var clientDescription: String {
        switch self {
        case .databaseUnavailable: "the server cannot serve requests now (its database is out of reach; the server's log says why); try again shortly"
        case .databaseDamaged:
            "the server's database file is damaged, so it cannot serve requests until your admin restores it from a backup (the server's log says how): tell your admin"
        case .databaseEmptied:
            "the server's database no longer holds the team's data (emptied or replaced while the server ran), so it cannot serve requests until your admin restores it: tell your admin"
        // Where the data went is a database address (its user, host and name), for the admin, in the log.
        case .moved:
            "this server's data was moved to another database by `rapport admin migrate`, and it takes no more changes: sync again once your admin has started the server on that database (usually at this same address); only if they give you a new address, set it with `rapport config --server URL`"
        default: description
        }
    }

    /// A failure no retry mends (a damaged file, a database emptied): logged as critical, for the admin.
    public var needsTheAdmin: Bool {
        switch self {
        case .databaseDamaged, .databaseEmptied: true
        default: false
        }
    }

    /// The description, with the admin command's database named as `option` gives it (the server's log).
    public func description(databaseOption option: String) -> String {
        guard case .databaseDamaged(let why) = self else { return description }
        return Self.damaged(why, option: option)
    }

    static func damaged(_ why: String, option: String) -> String {
        "the database file is damaged (\(why)): stop `rapport serve`, restore the file from a backup and run `rapport admin restored \(option)` (README: what Rapport guarantees)"
    }

    public var description: String {
        switch self {
        case .userRemoved(let user, let day, let workspace):
            // (With the workspace the user was in: `add-user` alone refuses one removed from another.)
            "user \(user) was removed from this server (this token was revoked on \(day)): if that was not meant, your server's admin brings \(user) back " +
                "with `rapport admin add-user \(user)\(workspace == defaultWorkspace ? "" : " --workspace \(workspace)")`; then set the new token with `rapport config --token TOKEN`"
        case .unauthorized(let why):
            "\(why): ask your server's admin for a token (`rapport admin add-user NAME`) and set it with `rapport config --token TOKEN`"
        case .replicaOwnedByOther(let replica, _):
            "replica \(replica) belongs to another user; every person syncs from a replica of their own (`rapport init --user NAME`)"
        case .authorMismatch(let op, let author, let user):
            "operation \(op) is authored by '\(author)' but the token belongs to '\(user)'; a replica pushes only its own user's operations"
        case .replicaMismatch(let op, let replica):
            "operation \(op) was not made by replica \(replica); a replica pushes only its own operations"
        case .protocolVersion(let client, let server):
            "this server speaks sync protocol \(server), the client \(client): upgrade the older of the two"
        case .clockAhead(let op, let ahead, _):
            "operation \(op) is stamped \(ahead / 1000) s ahead of the server's clock; fix the computer's clock, then sync again (the client re-stamps its unsynced changes)"
        case .invalidOperation(let why):
            "invalid operation: \(why)"
        case .operationIDReused(let id):
            "operation id \(id) was already used for a different change; operation ids are never reused"
        case .batchTooLarge(let count, let max):
            "a push carries \(count) operations; the most is \(max): send smaller batches"
        case .bodyTooLarge(let max):
            "the request body is larger than \(max) bytes: send smaller batches"
        case .userInOtherWorkspace(let user, let workspace, true):
            "\(user) already belongs to workspace '\(workspace)' and has synced there; a user belongs to one workspace: pick another name"
        case .userInOtherWorkspace(let user, let workspace, false):
            "\(user) already belongs to workspace '\(workspace)'; a user belongs to one workspace: pick another name, or, if '\(workspace)' was a slip " +
                "(\(user) has never synced), `rapport admin remove-user \(user)` and add \(user) again (or revoke \(user)'s tokens and add \(user) again: " +
                "a user who never synced and holds no token moves to the workspace given)"
        case .notFound(let path):
            "no endpoint at \(path.prefix(200)): check the server URL (scheme, host and port only, e.g. http://127.0.0.1:8080); the endpoints are in Protocol/openapi.yaml"
        case .methodNotAllowed(let path, let method, let allowed):
            "\(path.prefix(200)) does not answer \(method.prefix(20)); it answers \(allowed.joined(separator: ", "))"
        case .badRequest(let why):
            "malformed request: \(why)"
        case .unavailable(let why):
            "the server cannot serve requests now (\(why)); try again shortly"
        case .databaseUnavailable(let why):
            "the server cannot serve requests now (database: \(why)); try again shortly"
        case .databaseDamaged(let why):
            Self.damaged(why, option: "--db FILE")
        case .databaseEmptied(let why):
            "the database no longer shows Rapport's tables (\(why)): check first that the address names the team's database and that its role's search_path " +
                "reaches the schema they were made in; if so, it was emptied or replaced while `rapport serve` ran: stop the server, restore the database from a backup " +
                "and run `rapport admin restored --postgres URL` (README: what Rapport guarantees)"
        case .moved(let target):
            "this server's data was moved to another database (\(target)) by `rapport admin migrate`, and it takes no more changes: sync again once your admin has started the server on that database (usually at this same address); only if they give you a new address, set it with `rapport config --server URL`"
        }
    }
}
