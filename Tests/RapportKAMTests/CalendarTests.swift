import RapportKAM
import Testing

@Suite struct CalendarTests {
    @Test func daysParseValidateAndCount() {
        #expect(Day("2024-02-29") != nil)
        #expect(Day("2026-02-29") == nil)
        #expect(Day("2026-2-01") == nil)
        #expect(Day("2026-03-01T09:30:00Z") == Day("2026-03-01"))
        #expect(Day("1970-01-01")!.ordinal == 0)
        #expect(Day("2026-03-01")!.days(until: Day("2026-02-01")!) == -28)
        #expect(Day("2026-12-31")!.adding(days: 1).description == "2027-01-01")
        #expect(Day(ordinal: Day("2000-02-29")!.ordinal) == Day("2000-02-29"))
        #expect(Month("2026-13") == nil)
        #expect(Month("2026-02")!.lastDay == Day("2026-02-28"))
    }

    @Test func periods() {
        let today = Day("2026-05-17")!
        #expect(Period.parse("2026-Q1", today: today) == Period(start: Day("2026-01-01")!, end: Day("2026-03-31")!))
        #expect(Period.parse("2026-05", today: today) == Period(start: Day("2026-05-01")!, end: today))
        #expect(Period.parse("2025", today: today) == Period(start: Day("2025-01-01")!, end: Day("2025-12-31")!))
        #expect(Period.parse("2026-01-10..2026-02-20", today: today) == Period(start: Day("2026-01-10")!, end: Day("2026-02-20")!))
        #expect(Period.parse("2026-02-20..2026-01-10", today: today) == nil)
        // A range reaching past today ends today, as a month or quarter does.
        #expect(Period.parse("2026-05-01..2027-03-01", today: today) == Period(start: Day("2026-05-01")!, end: today))
        #expect(Period.parse("last week", today: today) == nil)
        #expect(Period.monthToDate(today) == Period(start: Day("2026-05-01")!, end: today))
    }

    @Test func concernsMoveThroughTheFourStepsInOrder() {
        var concern = Concern(id: "c", title: "Late deliveries", stepDates: [:])
        #expect(concern.canRecord(.acknowledge))
        #expect(!concern.canRecord(.commit))
        concern.stepDates[.acknowledge] = Day("2026-05-01")!
        #expect(concern.lastStep == .acknowledge)
        #expect(concern.canRecord(.clarify) && concern.canRecord(.acknowledge) && !concern.canRecord(.close))
        concern.stepDates[.clarify] = Day("2026-05-03")!
        concern.stepDates[.commit] = Day("2026-05-04")!
        concern.stepDates[.close] = Day("2026-05-20")!
        #expect(concern.lastStep == .close)
        #expect(concern.isOpen(asOf: Day("2026-05-19")!))
        #expect(!concern.isOpen(asOf: Day("2026-05-20")!))
        #expect(!concern.isOpen(asOf: Day("2026-04-30")!))
        #expect(concern.outOfOrder == nil)

        // Two laptops apart: a new commitment made offline after someone else closed the loop. The later word
        // stands (committed again, open, its due day counts) until the close is recorded again after it.
        concern.stepDates[.commit] = Day("2026-05-25")!
        #expect(concern.lastStep == .commit)
        #expect(concern.isOpen(asOf: Day("2026-05-26")!))
        #expect(concern.outOfOrder.map { "\($0.step) \($0.day) \($0.after) \($0.afterDay)" } == "close 2026-05-20 commit 2026-05-25")
        #expect(concern.canRecord(.close))
        concern.stepDates[.close] = Day("2026-05-30")!
        #expect(concern.lastStep == .close && concern.outOfOrder == nil && !concern.isOpen(asOf: Day("2026-05-30")!))
        // A correction of an earlier step past the later ones holds the later ones back the same way.
        concern.stepDates[.clarify] = Day("2026-05-26")!
        #expect(concern.lastStep == .clarify && concern.outOfOrder?.step == .commit)
    }

    @Test func rowKeysAreDeterministicAndWithinTheProtocolLimit() {
        #expect(RowKeys.criterion(name: "Growth potential") == "growth-potential")
        #expect(RowKeys.criterion(name: "  Revenue!! ") == "revenue")
        #expect(RowKeys.criterion(name: "--") == nil)
        #expect(RowKeys.score(account: "acc", criterion: "revenue") == "acc/revenue")
        #expect(RowKeys.reading(kpi: "k1", date: Day("2026-05-01")!) == "k1/2026-05-01")
        #expect(RowKeys.override(account: "acc", month: Month("2026-05")!, area: .growth) == "acc/2026-05/growth")
        let long = RowKeys.score(account: String(repeating: "a", count: 130), criterion: "revenue")
        #expect(long.utf8.count == 66 && long.hasPrefix("h-"))
        #expect(long == RowKeys.score(account: String(repeating: "a", count: 130), criterion: "revenue"))
    }
}
