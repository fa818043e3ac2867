/// The kinds of meeting in the communication rhythm.
public enum MeetingKind: String, CaseIterable, Sendable {
    case weekly, monthly, quarterly, adhoc

    /// What people call it.
    public var title: String {
        switch self {
        case .weekly: "weekly check-in"
        case .monthly: "monthly review"
        case .quarterly: "quarterly strategy session"
        case .adhoc: "ad hoc meeting"
        }
    }

    /// The kinds the rhythm schedules; ad hoc meetings have no cadence.
    public static let rhythm: [MeetingKind] = [.weekly, .monthly, .quarterly]
}

/// A meeting held (or planned) on a day.
public struct MeetingDate: Hashable, Sendable {
    public var kind: MeetingKind
    public var date: Day

    public init(kind: MeetingKind, date: Day) {
        self.kind = kind
        self.date = date
    }
}

/// A meeting the rhythm says is due.
public struct DueMeeting: Hashable, Sendable {
    public var kind: MeetingKind
    /// The last meeting of this kind, nil when none was ever held. A meeting planned on time counts: the one
    /// due is the one after it.
    public var last: Day?
    public var due: Day
    /// Days past the due date as of today: 0 when due today, negative when due later (within the window).
    public var daysOverdue: Int
    /// The next meeting of this kind already planned, later than it is due: the rhythm slipped, and this is
    /// when it resumes.
    public var planned: Day? = nil
}

/// A next action from a meeting or a plan.
public struct ActionItem: Hashable, Sendable {
    public var id: String
    public var text: String
    public var owner: String
    public var due: Day?
    public var done: Bool
    public var doneOn: Day?

    public init(id: String, text: String, owner: String = "", due: Day? = nil, done: Bool = false, doneOn: Day? = nil) {
        self.id = id
        self.text = text
        self.owner = owner
        self.due = due
        self.done = done
        self.doneOn = doneOn
    }

    /// Open as of a day: not done, or done only after that day.
    public func isOpen(asOf day: Day) -> Bool {
        guard done else { return true }
        guard let doneOn else { return false }
        return doneOn > day
    }

    /// Past its due date and still open.
    public func isOverdue(asOf day: Day) -> Bool {
        guard let due else { return false }
        return due < day && isOpen(asOf: day)
    }
}

/// The communication rhythm: weekly check-ins, monthly reviews and quarterly strategy sessions.
public enum Cadence {
    /// When the next meeting of a kind is due: 7 days after the last weekly check-in, one calendar month after
    /// the last monthly review, three after the last quarterly session (a month end clamps: Jan 31 → Feb 28).
    /// A kind never held is due now.
    public static func nextDue(_ kind: MeetingKind, last: Day?, today: Day) -> Day? {
        guard let last else { return kind == .adhoc ? nil : today }
        switch kind {
        case .weekly: return last.adding(days: 7)
        case .monthly: return last.adding(months: 1)
        case .quarterly: return last.adding(months: 3)
        case .adhoc: return nil
        }
    }

    /// What a due meeting's line says of the meetings around it: "last 2026-11-27; planned 2026-12-08", "after
    /// the one planned 2026-12-09", "none held yet".
    public static func describe(last: Day?, planned: Day?, today: Day) -> String {
        let before = last.map { $0 > today ? "after the one planned \($0)" : "last \($0)" } ?? "none held yet"
        return before + (planned.map { "; planned \($0)" } ?? "")
    }

    /// The rhythm's meetings for one account that are due by `today + within` days, most overdue first.
    ///
    /// A meeting dated in the future is planned. Planned by the day it is due, it keeps the rhythm, and the one
    /// after it is due next. Planned later, the rhythm slipped (a kind never held is due already, so a first one
    /// planned ahead is later): the meeting is due as it was, with the planned day beside it. A meeting dated
    /// more than one period of its kind ahead (a mistyped year) is not counted at all.
    ///
    /// `keySince`, the day the account became a key account, is when the rhythm began: a kind never held fell
    /// due then (listed as due today for ever, a quarterly session never held never showed as overdue), and one
    /// held before is due no earlier (a monthly review held while the account was standard made it overdue
    /// the day it was made key). Without it, or when it is after `today` (a view of a day before), a kind never
    /// held is due today.
    public static func dueMeetings(_ meetings: [MeetingDate], today: Day, within: Int = 0, kinds: [MeetingKind] = MeetingKind.rhythm, keySince: Day? = nil) -> [DueMeeting] {
        let horizon = today.adding(days: within)
        // A day after `today` is not known then: as without one.
        let since = keySince.flatMap { $0 <= today ? $0 : nil }
        let start = since ?? today
        return kinds.compactMap { kind -> DueMeeting? in
            let planningHorizon = nextDue(kind, last: today, today: today) ?? today
            let dates = meetings.filter { $0.kind == kind && $0.date <= planningHorizon }.map(\.date).sorted()
            var last = dates.last { $0 <= today }
            var upcoming = dates.filter { $0 > today }[...]
            while let next = upcoming.first, next <= nextDue(kind, last: last, today: start)! {
                last = next
                upcoming.removeFirst()
            }
            guard let next = nextDue(kind, last: last, today: start) else { return nil }
            let due = since.map { max(next, $0) } ?? next
            guard due <= horizon else { return nil }
            return DueMeeting(kind: kind, last: last, due: due, daysOverdue: due.days(until: today), planned: upcoming.first)
        }.sorted { $0.due < $1.due }
    }

    /// Open actions due by `today + within` days (so past their date, or due today, by default), earliest first.
    public static func dueActions(_ actions: [ActionItem], today: Day, within: Int = 0) -> [ActionItem] {
        let horizon = today.adding(days: within)
        return actions.filter { a in
            guard let due = a.due else { return false }
            return due <= horizon && a.isOpen(asOf: today)
        }.sorted { ($0.due!, $0.text) < ($1.due!, $1.text) }
    }
}
