/// The span of days a report covers.
public struct Period: Hashable, Sendable, CustomStringConvertible {
    public var start: Day
    public var end: Day

    public init(start: Day, end: Day) {
        self.start = start
        self.end = end
    }

    public func contains(_ day: Day) -> Bool { start <= day && day <= end }

    public var description: String { "\(start) to \(end)" }

    /// Parses `YYYY-MM` (a month), `YYYY-Qn` (a quarter), `YYYY` (a year) or `FROM..TO` (two dates). A period
    /// that runs past `today` ends today, so "this month" reports what has happened so far.
    public static func parse(_ text: String, today: Day) -> Period? {
        let t = text.trimmingCharacters(in: " ")
        var period: Period?
        if let range = t.range(of: "..") {
            guard let from = Day(String(t[..<range.lowerBound])), let to = Day(String(t[range.upperBound...])), from <= to else { return nil }
            period = Period(start: from, end: to)
        } else if let month = Month(t) {
            period = Period(start: month.firstDay, end: month.lastDay)
        } else if t.count == 7, t.dropFirst(4).uppercased().hasPrefix("-Q"), let year = Int(t.prefix(4)), let q = Int(t.suffix(1)), (1...4).contains(q),
                  let first = Month(year: year, month: 3 * q - 2) {
            period = Period(start: first.firstDay, end: first.adding(months: 2).lastDay)
        } else if t.count == 4, let year = Int(t), let jan = Month(year: year, month: 1) {
            period = Period(start: jan.firstDay, end: jan.adding(months: 11).lastDay)
        }
        guard var p = period else { return nil }
        if p.end > today, p.start <= today { p.end = today }
        return p
    }

    /// The month so far: the default report period.
    public static func monthToDate(_ today: Day) -> Period {
        Period(start: today.monthOfYear.firstDay, end: today)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
