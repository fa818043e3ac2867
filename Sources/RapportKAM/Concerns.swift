/// The four steps of handling an unhappy account's concern.
public enum ConcernStep: String, CaseIterable, Sendable {
    /// Repeat the concern in our own words.
    case acknowledge
    /// Ask for examples, dates and impact.
    case clarify
    /// Agree on next steps and timelines.
    case commit
    /// Follow up with proof, not promises.
    case close

    /// The state a concern is in once this step is recorded.
    public var state: String {
        switch self {
        case .acknowledge: "acknowledged"
        case .clarify: "clarified"
        case .commit: "committed"
        case .close: "closed"
        }
    }
}

/// A concern and the days its steps were recorded.
public struct Concern: Hashable, Sendable {
    public var id: String
    public var title: String
    public var stepDates: [ConcernStep: Day]

    public init(id: String, title: String, stepDates: [ConcernStep: Day]) {
        self.id = id
        self.title = title
        self.stepDates = stepDates
    }

    /// The furthest step recorded (by the order of the steps, whatever their dates).
    public var lastStep: ConcernStep? {
        ConcernStep.allCases.last { stepDates[$0] != nil }
    }

    /// Open from the day it was acknowledged until the day the loop was closed.
    public func isOpen(asOf day: Day) -> Bool {
        guard let opened = stepDates[.acknowledge] ?? stepDates.values.min(), opened <= day else { return false }
        guard let closed = stepDates[.close] else { return true }
        return closed > day
    }

    /// Whether `step` may be recorded now: the next step, or one already recorded (which corrects it). Steps
    /// are not skipped: a commitment without clarifying first is a promise made blind.
    public func canRecord(_ step: ConcernStep) -> Bool {
        if stepDates[step] != nil { return true }
        let index = ConcernStep.allCases.firstIndex(of: step)!
        let next = lastStep.map { ConcernStep.allCases.firstIndex(of: $0)! + 1 } ?? 0
        return index == next
    }
}
