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

    /// The step a word names: the step, the state it leaves (`concern list` shows "committed"), or the guides'
    /// "close the loop", in any case and spacing.
    public init?(named word: String) {
        let letters = word.lowercased().filter(\.isLetter)
        guard let step = Self.allCases.first(where: { [$0.rawValue, $0.state].contains(letters) }) ?? (letters == "closetheloop" ? .close : nil) else { return nil }
        self = step
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

    /// The steps that stand: each recorded step up to the first dated before a step ahead of it in the loop.
    /// One laptop refuses such a step, but two can record them apart: a new commitment made offline, by someone
    /// who had not seen the loop closed, is dated after the close. The later word stands: the concern is
    /// committed again, and the close waits to be recorded anew (`outOfOrder` names it).
    public var standingSteps: [ConcernStep: Day] {
        var standing: [ConcernStep: Day] = [:]
        var latest: Day?
        for step in ConcernStep.allCases {
            guard let day = stepDates[step] else { continue }
            if let latest, day < latest { break }
            standing[step] = day
            latest = day
        }
        return standing
    }

    /// The first recorded step that does not stand, and the later-dated step before it that it should follow.
    public var outOfOrder: (step: ConcernStep, day: Day, after: ConcernStep, afterDay: Day)? {
        let standing = standingSteps
        guard let step = ConcernStep.allCases.first(where: { stepDates[$0] != nil && standing[$0] == nil }),
              let after = ConcernStep.allCases.last(where: { standing[$0] != nil }) else { return nil }
        return (step, stepDates[step]!, after, standing[after]!)
    }

    /// The furthest step that stands (by the order of the steps).
    public var lastStep: ConcernStep? {
        let standing = standingSteps
        return ConcernStep.allCases.last { standing[$0] != nil }
    }

    /// The day it was raised: acknowledged, or its earliest step recorded.
    public var raisedOn: Day? { stepDates[.acknowledge] ?? stepDates.values.min() }

    /// Open from the day it was acknowledged until the day the loop was closed, if that close stands.
    public func isOpen(asOf day: Day) -> Bool {
        guard let opened = raisedOn, opened <= day else { return false }
        guard let closed = standingSteps[.close] else { return true }
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
