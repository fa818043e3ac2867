/// How far an opportunity has come.
public enum Stage: String, CaseIterable, Sendable {
    case idea, qualified, proposal, won, lost

    public var isOpen: Bool { self != .won && self != .lost }

    /// The share of its value the weighted pipeline counts.
    public var probability: Double {
        switch self {
        case .idea: 0.1
        case .qualified: 0.3
        case .proposal: 0.6
        case .won: 1
        case .lost: 0
        }
    }

    /// Its points towards growth health while open.
    public var growthPoints: Int {
        switch self {
        case .idea: 10
        case .qualified: 20
        case .proposal: 30
        case .won, .lost: 0
        }
    }
}

/// An expansion opportunity.
public struct Opportunity: Hashable, Sendable {
    public var id: String
    public var accountID: String
    public var title: String
    public var stage: Stage
    /// The estimated yearly value; 0 for one not estimated yet (`valued` false), which sums count as nothing.
    public var value: Double
    public var valued: Bool
    public var openedOn: Day?
    public var closedOn: Day?
    /// The day a test of it began with the customer (a pilot, an A/B test of content); nil when none runs.
    public var testingSince: Day?

    public init(id: String, accountID: String, title: String, stage: Stage, value: Double? = 0, openedOn: Day? = nil, closedOn: Day? = nil, testingSince: Day? = nil) {
        self.id = id
        self.accountID = accountID
        self.title = title
        self.stage = stage
        self.value = value ?? 0
        valued = value != nil
        self.openedOn = openedOn
        self.closedOn = closedOn
        self.testingSince = testingSince
    }

    /// A test runs on `day` while the opportunity is open: won or lost, its test is over.
    public func testRunning(on day: Day) -> Bool {
        stage.isOpen && (testingSince.map { $0 <= day } ?? false)
    }
}

/// Counts and values of a set of opportunities, by stage and in total.
public struct PipelineSummary: Hashable, Sendable {
    public var count: [Stage: Int] = [:]
    public var value: [Stage: Double] = [:]
    public var openCount = 0
    public var openValue = 0.0
    /// Open value × each stage's probability (idea 10%, qualified 30%, proposal 60%).
    public var weightedValue = 0.0
    public var wonValue = 0.0
    /// Open opportunities without an estimated value: in `openCount`, adding nothing to the values.
    public var openUnvalued = 0
    /// Won opportunities without a value: "won 0" of two deals won read as nothing won.
    public var wonUnvalued = 0

    public init(_ opportunities: [Opportunity]) {
        for o in opportunities {
            count[o.stage, default: 0] += 1
            value[o.stage, default: 0] += o.value
            if o.stage.isOpen {
                openCount += 1
                openValue += o.value
                weightedValue += o.value * o.stage.probability
                if !o.valued { openUnvalued += 1 }
            } else if o.stage == .won {
                wonValue += o.value
                if !o.valued { wonUnvalued += 1 }
            }
        }
    }
}
