/// The four health areas of the monthly key-account scorecard.
public enum HealthArea: String, CaseIterable, Sendable {
    case relationship, performance, delivery, growth
}

/// A health score read as people say it.
public enum HealthBand: String, Sendable {
    case healthy, watch
    case atRisk = "at-risk"

    /// 70 and above is healthy, 40-69 wants watching, below 40 is at risk.
    public init(score: Int) {
        self = score >= 70 ? .healthy : score >= 40 ? .watch : .atRisk
    }
}

/// A risk flag raised on an account (stockout, policy, reviews, competitor).
public struct RiskFlag: Hashable, Sendable {
    public var id: String
    public var title: String
    public var status: String
    public var raisedOn: Day?

    public init(id: String, title: String, status: String, raisedOn: Day? = nil) {
        self.id = id
        self.title = title
        self.status = status
        self.raisedOn = raisedOn
    }

    /// Open (not merely watched or closed) as of a day.
    public func isOpen(asOf day: Day) -> Bool {
        status == "open" && (raisedOn.map { $0 <= day } ?? true)
    }

    /// Watched as of a day: raised by then, kept an eye on, not counted as open.
    public func isWatched(asOf day: Day) -> Bool {
        status == "watching" && (raisedOn.map { $0 <= day } ?? true)
    }
}

/// Everything the scorecard reads about one account.
public struct AccountHealthInput: Sendable {
    public var contacts: [Contact] = []
    public var kpis: [KPI] = []
    public var actions: [ActionItem] = []
    public var concerns: [Concern] = []
    public var flags: [RiskFlag] = []
    public var opportunities: [Opportunity] = []

    public init(contacts: [Contact] = [], kpis: [KPI] = [], actions: [ActionItem] = [], concerns: [Concern] = [], flags: [RiskFlag] = [], opportunities: [Opportunity] = []) {
        self.contacts = contacts
        self.kpis = kpis
        self.actions = actions
        self.concerns = concerns
        self.flags = flags
        self.opportunities = opportunities
    }
}

/// One area's health: computed from the data where it can be, overridden by hand where it cannot.
public struct AreaHealth: Hashable, Sendable {
    public var area: HealthArea
    /// 0-100, nil when the data says nothing (performance without KPIs).
    public var computed: Int?
    /// What the computation was made of, in words.
    public var basis: String
    public var override: Int?
    public var reason: String?

    public init(area: HealthArea, computed: Int?, basis: String, override: Int? = nil, reason: String? = nil) {
        self.area = area
        self.computed = computed
        self.basis = basis
        self.override = override
        self.reason = reason
    }

    public var score: Int? { override ?? computed }
    public var band: HealthBand? { score.map(HealthBand.init(score:)) }
}

/// The health of one account for one month.
public struct Scorecard: Hashable, Sendable {
    public var month: Month
    public var areas: [AreaHealth]

    public init(month: Month, areas: [AreaHealth]) {
        self.month = month
        self.areas = areas
    }

    public func area(_ a: HealthArea) -> AreaHealth { areas.first { $0.area == a }! }

    /// The mean of the areas that have a score, rounded.
    public var overall: Int? {
        let scores = areas.compactMap(\.score)
        guard !scores.isEmpty else { return nil }
        return Int((Double(scores.reduce(0, +)) / Double(scores.count)).rounded())
    }
}

/// The scorecard formulas. Each area is scored 0-100 as of a day:
///
/// - relationship = 20 × min(contacts, 3)/3 + 20 if a decision-maker is mapped
///   + 40 × mean sentiment (champion 1, positive 0.75, neutral or unknown 0.5, negative 0)
///   + 20 × share of contacts spoken to within the cold limit (30 days); 0 with no stakeholders; at most 60
///   (watch) with one contact: the guides' biggest mistake is relying on one relationship contact.
/// - performance = mean over KPIs with a target and a value of 80 × attainment (0-1: of the way from a baseline
///   to the target, else value ÷ target; `KPI.attainment(of:)`) + 20 × trend points
///   (improving 1, flat or unknown 0.5, worsening 0); none without such KPIs.
/// - delivery = 100 − 10 per overdue action − 15 per open concern − 5 per open risk flag − 5 per action done
///   after its due day in the last 30 days and 5 per concern both raised and closed in them; at least 0.
/// - growth = 10 per open idea, 20 per qualified, 30 per proposal, + 20 per open one with a test running with the
///   customer (the guides' "tests running"), + 30 per opportunity won in the last 90 days, at most 100.
public enum ScorecardRules {
    public static func compute(_ input: AccountHealthInput, asOf day: Day, coldAfterDays: Int = RelationshipMap.defaultColdAfterDays) -> [HealthArea: (score: Int?, basis: String)] {
        [
            .relationship: relationship(input.contacts, asOf: day, coldAfterDays: coldAfterDays),
            .performance: performance(input.kpis, asOf: day),
            .delivery: delivery(input, asOf: day),
            .growth: growth(input.opportunities, asOf: day),
        ]
    }

    /// The month's scorecard: computed as of `day`, with the month's hand overrides laid over.
    public static func scorecard(_ input: AccountHealthInput, month: Month, asOf day: Day, overrides: [HealthArea: (score: Int, reason: String)] = [:]) -> Scorecard {
        let computed = compute(input, asOf: day)
        return Scorecard(month: month, areas: HealthArea.allCases.map { area in
            AreaHealth(area: area, computed: computed[area]!.score, basis: computed[area]!.basis,
                       override: overrides[area]?.score, reason: overrides[area]?.reason)
        })
    }

    static func rounded(_ x: Double) -> Int { Int(x.rounded()) }

    /// The most a relationship of one contact scores: "watch", never "healthy".
    public static let singleContactCap = 60

    public static func relationship(_ contacts: [Contact], asOf day: Day, coldAfterDays: Int = RelationshipMap.defaultColdAfterDays) -> (score: Int?, basis: String) {
        guard !contacts.isEmpty else { return (0, "no stakeholders mapped") }
        let n = Double(contacts.count)
        let hasDecisionMaker = contacts.contains { $0.role == .decisionMaker }
        let coverage = 20 * min(n, 3) / 3 + (hasDecisionMaker ? 20 : 0)
        let sentiment = 40 * contacts.reduce(0) { $0 + ($1.sentiment ?? .neutral).weight } / n
        let warm = contacts.filter { !RelationshipMap.isCold($0, today: day, coldAfterDays: coldAfterDays) }.count
        let recency = 20 * Double(warm) / n
        let basis = "\(contacts.count) contact\(contacts.count == 1 ? "" : "s"), \(hasDecisionMaker ? "a" : "no") decision-maker, \(warm) contacted in the last \(coldAfterDays) days"
        let score = rounded(coverage + sentiment + recency)
        // One champion's mood made a single-threaded account "healthy" beside the map's own warning.
        if contacts.count == 1, score > singleContactCap { return (singleContactCap, basis + "; single-threaded: at most \(singleContactCap)") }
        return (score, basis)
    }

    public static func performance(_ kpis: [KPI], asOf day: Day) -> (score: Int?, basis: String) {
        let measured = kpis.compactMap { kpi -> Double? in
            let p = kpi.progress(asOf: day)
            guard let attainment = p.attainment else { return nil }
            return 80 * attainment + 20 * p.trend.points
        }
        guard !measured.isEmpty else { return (nil, "no KPI with a target and a value") }
        let onTarget = kpis.filter { $0.progress(asOf: day).onTarget == true }.count
        // Those with a target and no value by then are not counted: said, as "0 of 6" beside eight targets puzzled.
        let unread = kpis.filter { $0.target != nil && $0.progress(asOf: day).value == nil }.count
        return (rounded(measured.reduce(0, +) / Double(measured.count)),
                "\(onTarget) of \(measured.count) KPIs on target" + (unread == 0 ? "" : " (\(unread) with a target and no value yet, not counted)"))
    }

    public static func delivery(_ input: AccountHealthInput, asOf day: Day) -> (score: Int?, basis: String) {
        let overdue = input.actions.filter { $0.isOverdue(asOf: day) }.count
        let concerns = input.concerns.filter { $0.isOpen(asOf: day) }.count
        let flags = input.flags.filter { $0.isOpen(asOf: day) }.count
        // Watched flags do not count, but the flag list and the review show them: said, so that a "0 open" beside
        // them does not read as a miscount.
        let watched = input.flags.filter { $0.isWatched(asOf: day) }.count
        // Delivery is also timeliness and how often issues come up, not only what is open on the day: work done
        // after its day and concerns already closed count for the last 30 days (a concern still open counts above).
        let since = day.adding(days: -recentDays)
        let recent = { (d: Day?) in d.map { $0 > since && $0 <= day } ?? false }
        let late = input.actions.filter { a in
            guard let due = a.due, let doneOn = a.doneOn, a.done else { return false }
            return doneOn > due && recent(doneOn)
        }.count
        let closedConcerns = input.concerns.filter { c in
            recent(c.raisedOn) && c.standingSteps[.close].map { $0 <= day } == true
        }.count
        let score = max(0, 100 - 10 * overdue - 15 * concerns - 5 * flags - 5 * late - 5 * closedConcerns)
        var recently: [String] = []
        if late > 0 { recently.append("\(late) action\(late == 1 ? "" : "s") done late") }
        if closedConcerns > 0 { recently.append("\(closedConcerns) concern\(closedConcerns == 1 ? "" : "s") raised and closed") }
        return (score, "\(overdue) overdue action\(overdue == 1 ? "" : "s"), \(concerns) open concern\(concerns == 1 ? "" : "s"), \(flags) open risk flag\(flags == 1 ? "" : "s")" +
                (watched == 0 ? "" : " (\(watched) watched, not counted)") +
                (recently.isEmpty ? "" : "; in the last \(recentDays) days \(recently.joined(separator: ", "))"))
    }

    /// How far back delivery counts work done late and concerns raised and closed: about a month, the period of
    /// a scorecard.
    public static let recentDays = 30

    /// Growth points of a test running with the customer, beside its stage's: a pilot or an A/B test under way is
    /// expansion already tried, not only talked of.
    public static let testPoints = 20

    public static func growth(_ opportunities: [Opportunity], asOf day: Day) -> (score: Int?, basis: String) {
        let known = opportunities.filter { ($0.openedOn ?? day) <= day }
        let open = known.filter { $0.stage.isOpen }
        let since = day.adding(days: -90)
        let wonRecently = known.filter { o in
            guard o.stage == .won, let closed = o.closedOn else { return false }
            return closed > since && closed <= day
        }
        let tests = open.filter { $0.testRunning(on: day) }.count
        let points = open.reduce(0) { $0 + $1.stage.growthPoints } + testPoints * tests + 30 * wonRecently.count
        let testing = tests == 0 ? "" : " (\(tests) with a test running)"
        return (min(100, points), "\(open.count) open opportunit\(open.count == 1 ? "y" : "ies")\(testing), \(wonRecently.count) won in the last 90 days")
    }
}
