/// Where a success-plan goal stands.
public enum GoalStatus: String, CaseIterable, Sendable {
    case open, achieved, missed, dropped
}

/// A success-plan goal: a business outcome to reach by a day.
public struct Goal: Hashable, Sendable {
    public var id: String
    public var outcome: String
    public var due: Day?
    public var status: GoalStatus

    public init(id: String, outcome: String, due: Day? = nil, status: GoalStatus = .open) {
        self.id = id
        self.outcome = outcome
        self.due = due
        self.status = status
    }

    /// Open goals whose day has come by `today + within` days, earliest first: the plan should say whether each
    /// was reached (achieved, missed or dropped) rather than carry it as open for ever. A goal without a day is
    /// never due.
    public static func dueForReview(_ goals: [Goal], today: Day, within: Int = 0) -> [Goal] {
        let horizon = today.adding(days: within)
        return goals.filter { g in g.status == .open && g.due.map { $0 <= horizon } == true }
            .sorted { ($0.due!, $0.outcome) < ($1.due!, $1.outcome) }
    }
}
