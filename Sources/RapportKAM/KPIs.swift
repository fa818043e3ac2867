/// Which way a KPI should move.
public enum KPIDirection: String, CaseIterable, Sendable {
    /// Higher is better (conversion rate, revenue).
    case up
    /// Lower is better (ACoS, days to ship, return rate).
    case down
}

/// A KPI's value on a day.
public struct KPIReading: Hashable, Sendable {
    public var date: Day
    public var value: Double

    public init(date: Day, value: Double) {
        self.date = date
        self.value = value
    }
}

/// How often a KPI is reported.
public enum ReportingCadence: String, CaseIterable, Sendable {
    case weekly, monthly
}

/// A KPI of a success plan with its readings.
public struct KPI: Hashable, Sendable {
    public var id: String
    public var name: String
    public var unit: String
    public var target: Double?
    /// The value set by hand; the latest reading supersedes it.
    public var current: Double?
    /// Where the KPI started, when known: progress is then counted from it to the target.
    public var baseline: Double?
    public var direction: KPIDirection
    public var readings: [KPIReading]
    /// How often a reading is due; nil for a KPI read when it suits.
    public var cadence: ReportingCadence?
    /// The day it was added to the plan, when known: a KPI never read has been due since.
    public var added: Day?

    public init(id: String, name: String, unit: String = "", target: Double? = nil, current: Double? = nil, baseline: Double? = nil,
                direction: KPIDirection = .up, readings: [KPIReading] = [], cadence: ReportingCadence? = nil, added: Day? = nil) {
        self.id = id
        self.name = name
        self.unit = unit
        self.target = target
        self.current = current
        self.baseline = baseline
        self.direction = direction
        self.readings = readings
        self.cadence = cadence
        self.added = added
    }
}

/// A KPI reading its reporting cadence asks for.
public struct DueReading: Hashable, Sendable {
    public var kpi: String
    public var name: String
    public var cadence: ReportingCadence
    /// The latest reading by today; nil when the KPI was never read.
    public var last: Day?
    public var due: Day
}

extension KPI {
    /// When the next reading is due: 7 days after the latest one by `today` (weekly), one calendar month after
    /// it (monthly, a month end clamping as for meetings: Jan 31 → Feb 28); a KPI never read is due from the day
    /// it was added (today when that is unknown or after today), as a meeting kind never held is. A reading on a
    /// month's last day is a month-end figure, and the next is due on the next month's last day (Apr 30 → May
    /// 31, not May 30). A reading dated after today (a mistyped year) does not put the next one off. Nil without
    /// a cadence.
    public func nextReading(today: Day) -> DueReading? {
        guard let cadence else { return nil }
        let last = readings(through: today).last?.date
        let due = last.map { day -> Day in
            if cadence == .weekly { return day.adding(days: 7) }
            let monthEnd = day.adding(days: 1).month != day.month
            return monthEnd ? day.adding(days: 1).adding(months: 1).adding(days: -1) : day.adding(months: 1)
        } ?? min(added ?? today, today)
        return DueReading(kpi: id, name: name, cadence: cadence, last: last, due: due)
    }

    /// The readings the KPIs' cadences ask for by `today + within` days, earliest first.
    public static func dueReadings(_ kpis: [KPI], today: Day, within: Int = 0) -> [DueReading] {
        let horizon = today.adding(days: within)
        return kpis.compactMap { $0.nextReading(today: today) }.filter { $0.due <= horizon }.sorted { ($0.due, $0.name) < ($1.due, $1.name) }
    }
}

/// Which way the last two readings moved, judged by the KPI's direction.
public enum Trend: String, Sendable {
    case improving, flat, worsening
    /// Fewer than two readings.
    case unknown

    /// The trend's share of a KPI's health points.
    public var points: Double {
        switch self {
        case .improving: 1
        case .flat, .unknown: 0.5
        case .worsening: 0
        }
    }
}

/// Where a KPI stands on a day.
public struct KPIProgress: Hashable, Sendable {
    public var value: Double?
    /// The reading the value comes from; nil when it is the hand-set current value.
    public var asOf: Day?
    /// How much of the target is reached, 0...1 (of the way from the baseline, when it has one); nil without a
    /// target or a value.
    public var attainment: Double?
    public var trend: Trend
    /// The change over the last two readings, in the KPI's unit.
    public var change: Double?

    public var onTarget: Bool? { attainment.map { $0 >= 1 } }

    /// The attainment as a whole percentage, rounded (2 of 3 is 67%, not the 66% rounding down gave), except
    /// that short of the target it is at most 99%: 14.93 of a target of 15 is not the 100% that would
    /// contradict "below target" beside it.
    public var attainmentPercent: String? {
        attainment.map { "\(Int($0 < 1 ? min(($0 * 100).rounded(), 99) : ($0 * 100).rounded()))%" }
    }
}

extension KPI {
    /// Counted in percent ("%", "percent", "pct"): its changes are in percentage points.
    public var isRate: Bool { ["%", "percent", "pct"].contains(unit.lowercased()) }

    /// The readings up to a day, oldest first.
    public func readings(through day: Day) -> [KPIReading] {
        readings.filter { $0.date <= day }.sorted { $0.date < $1.date }
    }

    /// The value as of `day` (the latest reading on or before it, else the hand-set current value, which is the
    /// value before the first reading: a past day before it read the KPI as without a value), how much of the
    /// target it reaches and the trend of the last two readings.
    public func progress(asOf day: Day) -> KPIProgress {
        let history = readings(through: day)
        let latest = history.last
        let value = latest?.value ?? current
        var trend = Trend.unknown
        var change: Double?
        if history.count >= 2 {
            change = history[history.count - 1].value - history[history.count - 2].value
            trend = self.trend(from: history[history.count - 2].value, to: history[history.count - 1].value)
        }
        return KPIProgress(value: value, asOf: latest?.date, attainment: value.flatMap { attainment(of: $0) }, trend: trend, change: change)
    }

    /// Which way a move from one value to another goes, for this KPI's direction.
    public func trend(from start: Double, to end: Double) -> Trend {
        let delta = end - start
        let better = direction == .up ? delta : -delta
        return abs(delta) <= 1e-9 * max(1, abs(start)) ? .flat : better > 0 ? .improving : .worsening
    }

    /// The baseline progress is counted from: one on the far side of the target; nil for a level to hold (a
    /// baseline at or past the target) and without a target.
    public var progressBaseline: Double? {
        guard let baseline, let target, direction == .up ? baseline < target : baseline > target else { return nil }
        return baseline
    }

    /// What its progress figure is a share of: the way from its baseline, or the target.
    public var progressNoun: String { progressBaseline == nil ? "of target" : "of the way" }

    /// With a baseline on the far side of the target, the share of the way from the baseline to the target
    /// that the value has come: a conversion raised from 10 toward 11.5 is 60% there at 10.9, where 10.9 ÷ 11.5
    /// would call it 95% and a KPI that never moved would score as healthy. Without one (or with a baseline
    /// already at or past the target: a level to hold), up: value ÷ target; down: target ÷ value. Capped to
    /// 0...1. A value on the right side of the target is 1 (also when the target is 0 or below, where a ratio
    /// means nothing), and on the wrong side of such a target 0.
    public func attainment(of value: Double) -> Double? {
        guard let target else { return nil }
        if let baseline = progressBaseline {
            if direction == .up ? value >= target : value <= target { return 1 }
            return min(1, max(0, (value - baseline) / (target - baseline)))
        }
        switch direction {
        case .up:
            if value >= target { return 1 }
            return target > 0 ? min(1, max(0, value / target)) : 0
        case .down:
            if value <= target { return 1 }
            return target > 0 && value > 0 ? min(1, max(0, target / value)) : 0
        }
    }
}
