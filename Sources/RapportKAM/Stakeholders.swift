/// A person's part in the account's buying decisions.
public enum StakeholderRole: String, CaseIterable, Sendable {
    case decisionMaker = "decision-maker"
    case influencer, user, blocker
}

/// How a person feels about us.
public enum Sentiment: String, CaseIterable, Sendable {
    case champion, positive, neutral, negative

    /// Its share of the relationship's sentiment points.
    public var weight: Double {
        switch self {
        case .champion: 1
        case .positive: 0.75
        case .neutral: 0.5
        case .negative: 0
        }
    }
}

/// A stakeholder as the relationship map sees them.
public struct Contact: Hashable, Sendable {
    public var id: String
    public var name: String
    public var role: StakeholderRole?
    public var sentiment: Sentiment?
    public var lastContact: Day?

    public init(id: String, name: String, role: StakeholderRole? = nil, sentiment: Sentiment? = nil, lastContact: Day? = nil) {
        self.id = id
        self.name = name
        self.role = role
        self.sentiment = sentiment
        self.lastContact = lastContact
    }
}

/// Why an account hangs on too few threads.
public enum ThreadWarning: Hashable, Sendable, CustomStringConvertible {
    case noContacts
    case singleContact
    case noDecisionMaker

    public var description: String {
        switch self {
        case .noContacts: "no stakeholders mapped: who signs, who influences, who uses our work?"
        case .singleContact: "single-threaded: only one contact; if they leave, the relationship goes with them"
        case .noDecisionMaker: "single-threaded: no decision-maker mapped; who signs off budget and renewals?"
        }
    }
}

/// The relationship map: people grouped by role, single-thread and cold-contact warnings.
public enum RelationshipMap {
    /// Contacts not spoken to for more than this many days are cold.
    public static let defaultColdAfterDays = 30

    /// Roles in the order the map shows them; contacts without a role come last.
    public static func grouped(_ contacts: [Contact]) -> [(role: StakeholderRole?, contacts: [Contact])] {
        let order: [StakeholderRole?] = StakeholderRole.allCases.map(Optional.some) + [nil]
        return order.compactMap { role in
            let members = contacts.filter { $0.role == role }.sorted { $0.name.lowercased() < $1.name.lowercased() }
            return members.isEmpty ? nil : (role, members)
        }
    }

    /// Single-threaded: one contact, or no decision-maker among several.
    public static func warnings(_ contacts: [Contact]) -> [ThreadWarning] {
        if contacts.isEmpty { return [.noContacts] }
        var out: [ThreadWarning] = []
        if contacts.count == 1 { out.append(.singleContact) }
        if !contacts.contains(where: { $0.role == .decisionMaker }) { out.append(.noDecisionMaker) }
        return out
    }

    /// Whether a contact has gone cold by `today`: never contacted, or more than `coldAfterDays` days ago.
    public static func isCold(_ contact: Contact, today: Day, coldAfterDays: Int = defaultColdAfterDays) -> Bool {
        guard let last = contact.lastContact else { return true }
        // Only the latest contact is kept: seen from a day before it (a past month's scorecard), when the one
        // before was is unknown, so it does not count as recent.
        let days = last.days(until: today)
        return days < 0 || days > coldAfterDays
    }

    /// The warning for cold contacts: people never spoken to are named apart from those not spoken to for too
    /// long ("no contact for over 30 days" of someone never contacted read as a lapse). Nil for none.
    public static func coldWarning(_ cold: [Contact], coldAfterDays: Int) -> String? {
        let lapsed = cold.filter { $0.lastContact != nil }.map(\.name).joined(separator: ", ")
        let never = cold.filter { $0.lastContact == nil }.map(\.name).joined(separator: ", ")
        let span = "over \(coldAfterDays) day\(coldAfterDays == 1 ? "" : "s")"
        switch (lapsed.isEmpty, never.isEmpty) {
        case (true, true): return nil
        case (false, true): return "gone cold (no contact for \(span)): \(lapsed)"
        case (true, false): return "never contacted: \(never)"
        case (false, false): return "gone cold (no contact for \(span)): \(lapsed); never contacted: \(never)"
        }
    }

    public static func coldContacts(_ contacts: [Contact], today: Day, coldAfterDays: Int = defaultColdAfterDays) -> [Contact] {
        contacts.filter { isCold($0, today: today, coldAfterDays: coldAfterDays) }
    }
}
