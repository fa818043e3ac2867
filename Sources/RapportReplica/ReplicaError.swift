import Foundation
import RapportSync

/// What went wrong with a replica, said so that the person at the terminal knows what to do next.
public enum ReplicaError: Error, CustomStringConvertible, Equatable {
    case noReplica(path: String)
    case alreadyExists(path: String)
    case notAReplica(path: String, reason: String)
    /// A replica SQLite finds damaged: no path to check, a file to restore or fetch again.
    case damaged(path: String, reason: String)
    case newerFormat(path: String, unknown: [String])
    /// `advice`: what to do with the files in the way, when the reason names them (else: their permissions and the disk).
    case unreadable(path: String, reason: String, advice: String? = nil)
    /// Another process held the file's write lock for the 30 seconds a connection waits.
    case busy(path: String)
    /// Another process changed what a command had checked before its change (the accounts an import matched).
    case changedMeanwhile(path: String)
    /// `removed`: a removed record the query names, so that the person hears it was removed rather than that
    /// it never existed (a name or id from an old list, a colleague's removal just pulled).
    case notFound(kind: String, query: String, removed: RemovedMatch? = nil)
    /// `sameName`: the matches share their whole name, which then cannot tell them apart; `accounts`: how many
    /// accounts they belong to (0 where that is not known), so that `--account` is advised only where it helps.
    case ambiguous(kind: String, query: String, matches: [String], sameName: Bool = false, accounts: Int = 0, byID: Bool = false)
    case invalid(SchemaError)
    case readOnlyField(String)
    case inConflict(conflict: String, field: String)
    case noConflict(String)
    /// No conflict, open or closed, has an id that starts so.
    case unknownConflict(String)
    case badArgument(String)
    case cannotShrink(path: String, reason: String)
    /// A pulled operation carries the id of one of this replica's unsynced ones with other content: another
    /// copy of the replica's file synced it. `Replica.moveToNewID` is the way on; the page was not applied.
    case operationIDTaken(String)

    public var isDamaged: Bool {
        if case .damaged = self { true } else { false }
    }

    /// A replica that could not be opened or written where it is (its permissions, its folder's).
    public var isUnwritable: Bool {
        if case .unreadable = self { true } else { false }
    }

    /// Another process's work stood in the way: trying again later helps.
    public var isBusy: Bool {
        switch self {
        case .busy, .changedMeanwhile: true
        default: false
        }
    }

    public var isAmbiguous: Bool {
        if case .ambiguous = self { true } else { false }
    }

    /// A value of the wrong type or form for its field, a name that matches no record or several, an argument
    /// out of bounds: bad input, not a failure of the replica.
    public var isBadInput: Bool {
        switch self {
        // No replica at the path given, or another file there, is a wrong --db (or a missing `init`), as a
        // missing server file is.
        case .invalid, .notFound, .ambiguous, .noConflict, .unknownConflict, .badArgument, .noReplica, .notAReplica, .alreadyExists: true
        default: false
        }
    }

    /// A kind of record as people say it: "2 opportunitys", "2 risk_flags" and "2 kpis" were the table's names.
    public static func noun(_ entity: String, plural: Bool = false) -> String {
        let named: [String: (String, String)] = [
            "kpi": ("KPI", "KPIs"), "kpi_reading": ("KPI reading", "KPI readings"), "plan_risk": ("risk", "risks"),
            "plan_role": ("role", "roles"), "scorecard_override": ("override", "overrides"),
            "scorecard": ("recorded month", "recorded months"),
        ]
        if let (one, many) = named[entity] { return plural ? many : one }
        let word = entity.split(separator: "_").joined(separator: " ")
        guard plural else { return word }
        if word.hasSuffix("y"), let before = word.dropLast().last, !"aeiou".contains(before) { return word.dropLast() + "ies" }
        return word + "s"
    }

    public var description: String {
        switch self {
        case .noReplica(let path):
            "no replica at \(path): run `rapport init --user NAME` first, or pass --db PATH"
        case .alreadyExists(let path):
            "a file already exists at \(path) (a replica, or something else): it was left untouched; use it as it is if it is your replica, or pass --db with another path"
        case .notAReplica(let path, let reason):
            "\(path) is not a Rapport replica (\(reason)); it was left untouched: check --db / RAPPORT_DB"
        case .damaged(let path, let reason):
            "the replica \(path) is damaged (\(reason)); it was left untouched: restore it from a backup, or move it aside and run " +
                "`rapport init` and `rapport sync` to fetch the team's data again (changes not yet synced are in the damaged file; keep it for recovery)"
        case .unreadable(let path, let reason, let advice):
            "cannot open the replica \(path) (\(reason)); nothing was changed: \(advice ?? "check the file's permissions and free disk space"), then try again"
        case .changedMeanwhile(let path):
            "\(path) changed while this command was checking what it would do (another `rapport` command or a sync wrote to it at the same time); " +
                "nothing was saved: run the command again"
        case .busy(let path):
            "\(path) is busy: another process (a long `rapport sync`?) has been writing to it for 30 seconds; nothing was changed: try again when it has finished"
        case .newerFormat(let path, let unknown):
            "\(path) was written by a newer Rapport (schema steps \(unknown.joined(separator: ", "))); it was left untouched: upgrade rapport to open it"
        case .notFound(let kind, let query, let removed):
            "no \(Self.noun(kind)) matches '\(query)'\(removed.map { ": \($0);" } ?? ":") `rapport \(kind) list` shows what there is"
        case .ambiguous(let kind, let query, let matches, let sameName, _, let byID):
            // "Give more of the name" sent people to type "Dana J", which `remove` refuses as only the start of a
            // name, and to add to a name two records share whole.
            "'\(query)' matches \(matches.count) \(Self.noun(kind, plural: true)) (\(matches.prefix(5).joined(separator: "; "))\(matches.count > 5 ? "; and \(matches.count - 5) more" : "")): " +
                (kind == "conflict" || byID ? "give more of the id" : sameName ? "they share the \(kind == "meeting" ? "date" : "name"): give the start of an id" : "give the whole name, or the start of an id")
        case .invalid(let error):
            "\(error)"
        case .readOnlyField(let field):
            "\(field) cannot be set here"
        case .inConflict(let conflict, let field):
            "\(field) has concurrent edits waiting for review: run `rapport conflicts show \(conflict)` and resolve it first"
        case .noConflict(let id):
            "no open conflict '\(id)': `rapport conflicts` lists the open ones"
        case .unknownConflict(let id):
            // (`conflicts show` takes a closed one too: "no open conflict" sent people to the wrong list.)
            // A review a colleague resolved before this replica pulled both versions never opened here (QA: "no
            // conflict" on one laptop, "(resolved)" on the other).
            "no conflict '\(id)' on this replica: `rapport conflicts` lists the open ones, `rapport conflicts --all` the resolved ones too " +
                "(one a colleague resolved before this replica saw it open is in neither: `rapport history NAME` shows every version of the text)"
        case .badArgument(let message):
            message
        case .cannotShrink(let path, let reason):
            "could not shrink \(path) (\(reason)); it is unchanged: shrinking needs free disk for a copy of the file and no other rapport writing to it, so try again when both hold"
        case .operationIDTaken(let id):
            "the server holds another change under the id of this replica's unsynced change \(id): another copy of this replica's file synced it; nothing was applied, and `rapport sync` moves this replica's changes to a new id"
        }
    }
}

/// A removed record that a lookup of live ones was given the name or id of.
public struct RemovedMatch: Equatable, Sendable, CustomStringConvertible {
    public let kind: String
    public let id: String
    public let name: String
    /// Who removed it and when (Unix milliseconds); nil where the log no longer holds the removal.
    public let removedBy: String?
    public let removedMs: Int64?
    /// The ids of other removed records the query names as well.
    public let others: [String]

    public init(kind: String, id: String, name: String, removedBy: String?, removedMs: Int64?, others: [String]) {
        self.kind = kind; self.id = id; self.name = name; self.removedBy = removedBy; self.removedMs = removedMs; self.others = others
    }

    /// "the account Acme (1a2b3c4d) was removed by ann on 2026-12-01 (`rapport history 1a2b3c4d` shows what it held)"
    public var description: String {
        let noun = ReplicaError.noun(kind)
        let short = String(id.prefix(8))
        // An action's text names it, and may run long: its start is enough beside the id.
        let name = self.name.count > 60 ? self.name.prefix(57) + "…" : self.name
        let who = removedBy.map { " by \($0)" } ?? ""
        let when = removedMs.map { " on \(Self.day(ms: $0))" } ?? ""
        let more = others.isEmpty ? "" : "; other removed \(ReplicaError.noun(kind, plural: true)) it matches: \(others.prefix(5).map { String($0.prefix(8)) }.joined(separator: ", "))\(others.count > 5 ? " and \(others.count - 5) more" : "")"
        return "the \(noun) \(name.isEmpty ? short : "\(name) (\(short))") was removed\(who)\(when) (`rapport history \(short)` shows what it held\(more))"
    }

    /// The day on this machine's calendar, as the commands give days.
    static func day(ms: Int64) -> String {
        let c = Calendar.current.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(ms) / 1000))
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
