import RapportKAM
import RapportSync
import RapportTestSupport

/// A realistic team's history, generated from a seed: the same operations, in the same order, on every run.
///
/// Per account (at scale 1: 10,000 accounts): 5 stakeholders, 10 notes and 10 meetings, each created field by
/// field as the app records them (148 operations per account), then 52 edits per account spread over every
/// entity: 70% last-writer-wins fields (revenue, tier, renewal, sentiment, last contact, titles), 30% edits of
/// reviewed text (note bodies, meeting notes, stakeholder notes) based on the version they replace. That is
/// 50,000 stakeholders, 200,000 notes and meetings and about 2 million operations over two years, made by 50
/// managers whose batches arrive in turn.
struct TeamDataSet {
    static let managers = 50
    static let stakeholdersPerAccount = 5
    static let notesPerAccount = 10
    static let meetingsPerAccount = 10
    static let editsPerAccount = 52
    /// 2024-11-01, and two years of history after it.
    static let startMs: Int64 = 1_730_419_200_000
    static let spanMs: Int64 = 2 * 365 * 86_400_000

    let accounts: Int
    var rng: SplitMix
    var counters = Array(repeating: Int64(0), count: managers)
    var nowMs = startMs
    let stepMs: Int64
    /// The current version of every reviewed-text field, which the next edit names as its base.
    var textHeads: [FieldKey: OperationID] = [:]
    /// Creation is done account by account; then edits, for as long as the caller asks.
    var created = 0
    var pendingCreate: [(FieldKey, FieldValue)] = []

    init(scale: Double, seed: UInt64 = 0x5241_5050) {
        accounts = max(10, Int((10_000 * scale).rounded()))
        rng = SplitMix(state: seed)
        stepMs = Self.spanMs / Int64(accounts * (148 + Self.editsPerAccount))
    }

    static func replica(_ manager: Int) -> String { "mgr\(manager + 10)" }
    static func user(_ manager: Int) -> String { "manager\(manager + 10)" }
    static func accountID(_ i: Int) -> String { "acct-\(i)" }

    var stakeholders: Int { accounts * Self.stakeholdersPerAccount }
    var notes: Int { accounts * Self.notesPerAccount }
    var meetings: Int { accounts * Self.meetingsPerAccount }
    /// Operations in the history: creation plus the edits.
    var historyOperations: Int { accounts * (148 + Self.editsPerAccount) }

    /// The next batch of one manager's operations.
    mutating func nextBatch(_ size: Int, manager: Int) -> [Operation] {
        var ops: [Operation] = []
        ops.reserveCapacity(size)
        while ops.count < size {
            if pendingCreate.isEmpty, created < accounts {
                pendingCreate = creation(of: created)
                created += 1
            }
            let (key, value) = pendingCreate.isEmpty ? edit() : pendingCreate.removeFirst()
            ops.append(operation(key, value, manager: manager))
        }
        return ops
    }

    mutating func operation(_ key: FieldKey, _ value: FieldValue, manager: Int) -> Operation {
        counters[manager] += 1
        nowMs += stepMs
        let id = OperationID(replica: Self.replica(manager), counter: counters[manager])
        var base: OperationID?
        if Self.reviewed.contains(key.field), key.entity != "account" {
            base = textHeads[key]
            textHeads[key] = id
        }
        return Operation(id: id, author: Self.user(manager), entity: key.entity, row: key.row, field: key.field,
                         value: value, time: Timestamp(ms: nowMs), base: base)
    }

    static let reviewed: Set<String> = ["body", "notes"]

    mutating func creation(of i: Int) -> [(FieldKey, FieldValue)] {
        let account = Self.accountID(i)
        func key(_ entity: String, _ row: String, _ field: String) -> FieldKey { FieldKey(entity: entity, row: row, field: field) }
        var out: [(FieldKey, FieldValue)] = [
            (key("account", account, "name"), .text("\(pick(Self.companyWords)) \(pick(Self.companyWords)) \(i)")),
            (key("account", account, "industry"), .text(pick(Self.industries))),
            (key("account", account, "owner"), .text(Self.user(i % Self.managers))),
            (key("account", account, "tier"), .text(i % 5 == 0 ? "key" : "standard")),
            (key("account", account, "revenue"), .real(Double(rng.next() % 5_000_000 + 50_000))),
            (key("account", account, "margin"), .real(Double(rng.next() % 60) - 10)),
            (key("account", account, "customer_since"), .text(date(daysBefore: Int(rng.next() % 3000)))),
            (key("account", account, "next_renewal"), .text(date(daysAfter: Int(rng.next() % 700)))),
        ]
        for s in 0..<Self.stakeholdersPerAccount {
            let row = "stk-\(i)-\(s)"
            out += [
                (key("stakeholder", row, "account"), .text(account)),
                (key("stakeholder", row, "name"), .text("\(pick(Self.firstNames)) \(pick(Self.lastNames))")),
                (key("stakeholder", row, "title"), .text(pick(Self.titles))),
                (key("stakeholder", row, "email"), .text("person\(s)@account\(i).example")),
                (key("stakeholder", row, "role"), .text(pick(["decision-maker", "influencer", "user", "blocker"]))),
                (key("stakeholder", row, "sentiment"), .text(pick(["champion", "positive", "neutral", "negative"]))),
                (key("stakeholder", row, "last_contact"), .text(date(daysBefore: Int(rng.next() % 90)))),
                (key("stakeholder", row, "notes"), .text(sentence(words: 20))),
            ]
        }
        for n in 0..<Self.notesPerAccount {
            let row = "note-\(i)-\(n)"
            out += [
                (key("note", row, "account"), .text(account)),
                (key("note", row, "title"), .text(sentence(words: 5))),
                (key("note", row, "kind"), .text(pick(["account", "meeting", "stakeholder"]))),
                (key("note", row, "created_at"), .text(date(daysBefore: Int(rng.next() % 700)) + "T09:30:00Z")),
                (key("note", row, "body"), .text(sentence(words: 40))),
            ]
        }
        for m in 0..<Self.meetingsPerAccount {
            let row = "mtg-\(i)-\(m)"
            out += [
                (key("meeting", row, "account"), .text(account)),
                (key("meeting", row, "kind"), .text(pick(["weekly", "monthly", "quarterly", "adhoc"]))),
                (key("meeting", row, "date"), .text(date(daysBefore: Int(rng.next() % 700)))),
                (key("meeting", row, "attendees"), .text("\(pick(Self.firstNames)), \(pick(Self.firstNames))")),
                (key("meeting", row, "notes"), .text(sentence(words: 40))),
            ]
        }
        return out
    }

    /// An edit of an existing row: mostly plain fields, sometimes a text that others may edit too.
    mutating func edit() -> (FieldKey, FieldValue) {
        let i = Int(rng.next() % UInt64(max(created, 1)))
        let roll = rng.next() % 100
        func key(_ entity: String, _ row: String, _ field: String) -> FieldKey { FieldKey(entity: entity, row: row, field: field) }
        switch roll {
        case 0..<15: return (key("account", Self.accountID(i), "revenue"), .real(Double(rng.next() % 5_000_000 + 50_000)))
        case 15..<20: return (key("account", Self.accountID(i), "tier"), .text(rng.next() % 2 == 0 ? "key" : "standard"))
        case 20..<25: return (key("account", Self.accountID(i), "next_renewal"), .text(date(daysAfter: Int(rng.next() % 700))))
        case 25..<45:
            return (key("stakeholder", "stk-\(i)-\(rng.next() % 5)", "sentiment"), .text(pick(["champion", "positive", "neutral", "negative"])))
        case 45..<60: return (key("stakeholder", "stk-\(i)-\(rng.next() % 5)", "last_contact"), .text(date(daysBefore: Int(rng.next() % 30))))
        case 60..<70: return (key("meeting", "mtg-\(i)-\(rng.next() % 10)", "attendees"), .text("\(pick(Self.firstNames)), \(pick(Self.firstNames))"))
        case 70..<85: return (key("note", "note-\(i)-\(rng.next() % 10)", "body"), .text(sentence(words: 45)))
        case 85..<95: return (key("meeting", "mtg-\(i)-\(rng.next() % 10)", "notes"), .text(sentence(words: 45)))
        default: return (key("stakeholder", "stk-\(i)-\(rng.next() % 5)", "notes"), .text(sentence(words: 25)))
        }
    }

    mutating func pick(_ words: [String]) -> String { words[Int(rng.next() % UInt64(words.count))] }

    mutating func sentence(words count: Int) -> String {
        var words: [String] = []
        words.reserveCapacity(count)
        for _ in 0..<count { words.append(pick(Self.prose)) }
        return words.joined(separator: " ") + "."
    }

    func date(daysBefore days: Int) -> String { Self.day(nowMs / 86_400_000 - Int64(days)) }
    func date(daysAfter days: Int) -> String { Self.day(nowMs / 86_400_000 + Int64(days)) }

    static func day(_ daysSinceEpoch: Int64) -> String { Day(ordinal: Int(daysSinceEpoch)).description }

    static let companyWords = ["Nordic", "Atlas", "Blue", "Summit", "Vertex", "Harbor", "Pioneer", "Granite", "Orion", "Cedar", "Helix", "Quantum"]
    static let industries = ["Manufacturing", "Retail", "Logistics", "Healthcare", "Finance", "Energy", "Software", "Telecom"]
    static let firstNames = ["Anna", "Ben", "Chiara", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Luca"]
    static let lastNames = ["Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova", "Jensen", "Kowalski"]
    static let titles = ["CFO", "CIO", "Head of Procurement", "VP Operations", "IT Director", "Project Lead", "COO", "Buyer"]
    static let prose = [
        "renewal", "pricing", "pilot", "rollout", "budget", "timeline", "integration", "support", "escalation", "training",
        "the", "team", "agreed", "to", "review", "next", "quarter", "with", "their", "new", "procurement", "lead", "and",
        "we", "expect", "expansion", "into", "two", "more", "regions", "if", "the", "results", "hold", "steady",
    ]
}
