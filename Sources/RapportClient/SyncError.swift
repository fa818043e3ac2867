/// Why a sync did not complete. Every message says what happened to the local changes (they are kept) and
/// what to do next.
public enum SyncError: Error, CustomStringConvertible, Equatable {
    case noServer
    case noToken
    case badServerURL(String)
    case unreachable(url: String, pending: Int, reason: String)
    case refused(status: Int, code: String, message: String, pending: Int)
    case wrongUser(token: String, replica: String)
    case unexpectedResponse(String)

    public var description: String {
        switch self {
        case .noServer:
            "this replica has no server: run `rapport config --server URL --token TOKEN` (your admin gives you both)"
        case .noToken:
            "this replica has no token: run `rapport config --token TOKEN` (your admin creates one with `rapport admin add-user`)"
        case .badServerURL(let url):
            "'\(url)' is not a server URL such as http://127.0.0.1:8080: fix it with `rapport config --server URL`"
        case .unreachable(let url, let pending, let reason):
            "server unreachable at \(url) (\(reason)): \(pending) change\(pending == 1 ? "" : "s") kept locally; run `rapport sync` again when the server is reachable"
        case .refused(let status, let code, let message, let pending):
            "the server refused the sync (\(status) \(code)): \(message). \(pending) change\(pending == 1 ? "" : "s") kept locally"
        case .wrongUser(let token, let replica):
            "the token belongs to '\(token)' but this replica is '\(replica)''s: use your own token (`rapport config --token`)"
        case .unexpectedResponse(let what):
            "the server answered unexpectedly (\(what)); local changes are kept: check that the URL points at a Rapport server"
        }
    }
}
