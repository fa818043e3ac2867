import Foundation

/// Why a sync did not complete. Every message says what happened to the local changes (they are kept) and
/// what to do next.
public enum SyncError: Error, CustomStringConvertible, Equatable {
    case noServer
    case noToken
    case badServerURL(String, reason: String? = nil)
    case unreachable(url: String, pending: Int, reason: String)
    case refused(status: Int, code: String, message: String, pending: Int)
    /// `synced`: the replica has synced changes under its user's name, which `config --user` then cannot correct.
    case wrongUser(token: String, replica: String, synced: Bool = false)
    case unexpectedResponse(String)
    case insecureServer(url: String, pending: Int, problem: TLSProblem)
    /// The server's log ends before what this replica already applied.
    /// `marked`: the server's log is in another generation than when this replica synced (marked rewritten since,
    /// or a backup from before a mark), so it was restored: no other server to suspect.
    case serverBehind(head: Int64, cursor: Int64, pending: Int, marked: Bool = false)
    /// The server holds another log than the one this replica synced with.
    case otherLog(url: String, pending: Int)
    /// The server's log holds another entry at this replica's cursor than the one it applied there.
    case logRewritten(cursor: Int64, pending: Int)

    /// Why the TLS connection to an https:// server was not made. Nothing is sent to a server that fails these.
    public enum TLSProblem: Sendable, Equatable {
        /// The certificate does not chain to a trusted one: the system's authorities, or the certificate stored
        /// with `rapport config --ca-cert` when `ownCertificate` is true. Self-signed and expired ones land here.
        case untrustedCertificate(ownCertificate: Bool)
        /// The certificate stored with `rapport config --ca-cert` is past its end (the day given): nothing it
        /// vouches for is trusted, and comparing fingerprints would find them equal.
        case ownCertificateExpired(on: String)
        /// The certificate is trusted but issued for another name than the URL's host.
        case nameMismatch(host: String)
        /// The server answered the TLS handshake with something else, most likely plain HTTP.
        case notTLS
    }

    public var description: String { describe(kept: Self.kept) }

    /// The message as `rapport status` keeps it until a sync goes through: without the count of local changes
    /// of that moment, which the status's own count of unsynced changes would contradict once more were made.
    public var lasting: String { describe { _ in "any local changes are kept" } }

    private func describe(kept: (Int) -> String) -> String {
        switch self {
        case .noServer:
            "this replica has no server: run `rapport config --server URL --token TOKEN` (your admin gives you both)"
        case .noToken:
            "this replica has no token: run `rapport config --token TOKEN` (your admin creates one with `rapport admin add-user`)"
        case .badServerURL(let url, let reason):
            "'\(url)' is not a server URL such as http://127.0.0.1:8080\(reason.map { " (\($0))" } ?? ""): fix it with `rapport config --server URL`"
        case .unreachable(let url, let pending, Self.noAnswer):
            "the server at \(url) took the connection but gave no answer for minutes (a stuck or overloaded server, or another program on that port?): " +
                "\(kept(pending)); run `rapport sync` again later, or ask your admin to look at the server"
        case .unreachable(let url, let pending, "connection refused"):
            // Nothing listens there: the server is down, or the URL names the wrong port or host.
            "server unreachable at \(url) (connection refused: no server listens there): \(kept(pending)); run `rapport sync` again when the server is up, " +
                "or check the URL's host and port (`rapport config`) with your admin"
        case .unreachable(let url, let pending, let reason):
            "server unreachable at \(url) (\(reason)): \(kept(pending)); run `rapport sync` again when the server is reachable"
        case .refused(let status, let code, let message, let pending)
            where code == "invalid_operation" && (message.contains("unknown field") || message.contains("unknown entity")):
            // A laptop upgraded before the server records what the server's version does not know yet.
            "the server refused the sync (\(status) \(code)): \(message); \(kept(pending)). The server runs an older Rapport than this " +
                "laptop, which records a kind of change it does not know yet: ask your admin to upgrade the server to this " +
                "laptop's release or later (servers before laptops), then `rapport sync`"
        case .refused(503, let code, let message, let pending) where !Self.waitsForTheAdmin(message):
            // Not a refusal of what was sent: the server's database was away, and retrying it did not help yet.
            // (The server's own "try again shortly" is said once, at the end.)
            "the server could not serve the sync (503 \(code)): \(Self.clause(message.hasSuffix("; try again shortly") ? String(message.dropLast("; try again shortly".count)) : message)); " +
                "\(kept(pending)); run `rapport sync` again shortly"
        case .refused(let status, let code, let message, let pending):
            "the server refused the sync (\(status) \(code)): \(Self.clause(message)); \(kept(pending))"
        case .wrongUser(let token, let replica, true):
            "the token belongs to '\(token)' but this replica belongs to '\(replica)', so nothing was sent: use your own token (`rapport config --token`)"
        case .wrongUser(let token, let replica, false):
            "the token belongs to '\(token)' but this replica belongs to '\(replica)', so nothing was sent: use your own token (`rapport config --token`), " +
                "or if '\(replica)' was a slip at `rapport init`, correct it with `rapport config --user \(token)` (this replica has synced nothing yet)"
        case .insecureServer(let url, let pending, .untrustedCertificate(ownCertificate: false)):
            "the server at \(url) presented a certificate this replica does not trust (self-signed, expired, or from an unknown certificate authority), so nothing was sent: \(kept(pending)). If your admin gave you the server's certificate or its authority's, run `rapport config --ca-cert FILE`, then `rapport sync`"
        case .insecureServer(let url, let pending, .untrustedCertificate(ownCertificate: true)):
            "the server at \(url) presented a certificate that the one set with `rapport config --ca-cert` does not vouch for (or an expired one), so nothing was sent: \(kept(pending)). Ask your admin for the server's current certificate, set it with `rapport config --ca-cert FILE` and compare its fingerprint (`rapport config`) with theirs"
        case .insecureServer(let url, let pending, .ownCertificateExpired(let day)):
            "the certificate set with `rapport config --ca-cert` expired on \(day), so the server at \(url) is not trusted and nothing was sent: \(kept(pending)). Ask your admin for the renewed certificate (the server's, or that of the authority that signed it), then set it with `rapport config --ca-cert FILE`"
        case .insecureServer(let url, let pending, .nameMismatch(let host)):
            "the certificate of the server at \(url) is not issued for \(host), so nothing was sent: \(kept(pending)). Use the server name its certificate gives (`rapport config --server https://NAME:PORT`; `openssl s_client -connect \(Self.hostAndPort(url)) </dev/null | openssl x509 -noout -ext subjectAltName` shows its names), or ask your admin for a certificate that names \(host)"
        case .insecureServer(let url, let pending, .notTLS):
            "the server at \(url) does not speak HTTPS: \(kept(pending)). If it serves plain HTTP, use an http:// URL (`rapport config --server`); or ask your admin to serve HTTPS (`rapport serve --tls-cert FILE --tls-key FILE`)"
        case .serverBehind(let head, let cursor, let pending, true):
            "the server's log ends at position \(head), but this replica has already applied it up to \(cursor): the server was restored from an older backup (its log's generation changed since this replica last synced). Nothing was sent or changed (\(kept(pending))). `rapport sync --after-restore` sends this replica's changes again (the server keeps what it still has and takes back what it lost) and pulls what the team pushed since; tell your teammates to do the same"
        case .serverBehind(let head, let cursor, let pending, false):
            "the server's log ends at position \(head), but this replica has already applied it up to \(cursor): the server was restored from an older backup, or this replica now points at another server. Nothing was sent or changed (\(kept(pending))). If the server was restored, `rapport sync --after-restore` sends this replica's changes again (the server keeps what it still has and takes back what it lost) and pulls what the team pushed since; tell your teammates to do the same. If it is another server, point this replica back at its own (`rapport config --server URL`)"
        case .otherLog(let url, let pending):
            "the server at \(url) holds another team log than the one this replica synced with: it is another team's server, or your team's server set up anew without its data. Nothing was sent or changed (\(kept(pending))). If this replica points at the wrong server, point it back at its own (`rapport config --server URL`). Only if your admin says the team's server was set up anew on purpose, `rapport sync --after-restore` sends this replica's changes to it and takes what it holds; tell your teammates to do the same"
        case .logRewritten(let cursor, let pending):
            "the server's log was rewritten at or below position \(cursor), up to which this replica has applied it: the server was restored from an older backup (its admin may have marked it so), and changes the team makes on it from there would be skipped here. Nothing was sent or changed (\(kept(pending))). `rapport sync --after-restore` sends this replica's changes again (the server keeps what it still has and takes back what it lost) and pulls what the team pushed since; tell your teammates to do the same"
        case .unexpectedResponse(let what):
            "the server answered unexpectedly (\(what)); local changes are kept: check that the URL points at a Rapport server"
        }
    }

    /// The server's host and port as `openssl s_client -connect` takes them (443 when the URL gives none).
    static func hostAndPort(_ url: String) -> String {
        guard let parts = URLComponents(string: url), let host = parts.host else { return url }
        return "\(host.contains(":") ? "[\(host)]" : host):\(parts.port ?? 443)"
    }

    /// For a refusal, whether trying again may help: a busy server or a database out of reach (429, 5xx), not a
    /// refusal of what was sent, nor a damaged database file, which stays so until the admin restores it.
    public var retryable: Bool? {
        guard case .refused(let status, _, let message, _) = self else { return nil }
        return (status == 429 || status >= 500) && !(status == 503 && Self.waitsForTheAdmin(message))
    }

    /// A 503 that stays until the admin acts (a damaged file, a database emptied under the server), by its words:
    /// it shares its code, `unavailable`, with a database briefly out of reach.
    static func waitsForTheAdmin(_ message: String) -> Bool {
        message.contains("damaged") || message.hasSuffix("tell your admin")
    }

    /// A stable name for the kind of failure, for scripts (`rapport sync --json` prints it with the message).
    public var code: String {
        switch self {
        case .noServer: "no_server"
        case .noToken: "no_token"
        case .badServerURL: "bad_server_url"
        case .unreachable: "unreachable"
        case .refused: "refused"
        case .wrongUser: "wrong_user"
        case .unexpectedResponse: "unexpected_response"
        case .insecureServer: "insecure_server"
        case .serverBehind: "server_behind"
        case .otherLog: "other_log"
        case .logRewritten: "log_rewritten"
        }
    }

    /// How many local changes wait to be sent, where the failure knows it.
    public var pending: Int? {
        switch self {
        case .unreachable(_, let pending, _), .refused(_, _, _, let pending), .insecureServer(_, let pending, _), .serverBehind(_, _, let pending, _),
             .otherLog(_, let pending), .logRewritten(_, let pending):
            pending
        default:
            nil
        }
    }

    /// The reason of an `unreachable` whose server took the connection and never answered: not unreachable as
    /// such, so said in its own words (the code stays `unreachable`: scripts retry both alike).
    public static let noAnswer = "no answer"

    /// A server's message as a clause of a longer sentence: without the full stop it may end with (".;" read
    /// as a slip).
    static func clause(_ message: String) -> String {
        message.hasSuffix(".") && !message.hasSuffix("..") ? String(message.dropLast()) : message
    }

    /// What became of the local changes; "0 changes kept locally" read as if something had been at stake.
    static func kept(_ pending: Int) -> String {
        // Said of now: a sync cut off after its push has sent what was waiting.
        pending == 0 ? "no local change is waiting to be sent" : "\(pending) change\(pending == 1 ? "" : "s") kept locally"
    }
}
