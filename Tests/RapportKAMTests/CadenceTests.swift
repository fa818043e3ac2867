import RapportKAM
import Testing

@Suite struct CadenceTests {
    func day(_ s: String) -> Day { Day(s)! }

    @Test(arguments: [
        (MeetingKind.weekly, "2026-05-20", "2026-05-27"),
        (.monthly, "2026-04-15", "2026-05-15"),
        (.monthly, "2026-01-31", "2026-02-28"),      // clamps to the shorter month
        (.monthly, "2024-01-31", "2024-02-29"),      // a leap year
        (.monthly, "2026-12-31", "2027-01-31"),      // across the year end
        (.quarterly, "2025-11-30", "2026-02-28"),
        (.quarterly, "2026-03-31", "2026-06-30"),
        (.weekly, "2026-12-29", "2027-01-05"),
    ])
    func nextMeetingIsDueOneIntervalAfterTheLast(kind: MeetingKind, last: String, due: String) {
        #expect(Cadence.nextDue(kind, last: day(last), today: day("2026-01-01")) == day(due))
    }

    /// A KPI's reporting cadence asks for a reading a week or a calendar month after its latest one; one never
    /// read needs one now; a reading dated ahead (a mistyped year) puts nothing off; no cadence, no reminder.
    @Test func aKPIReadingIsDueByItsCadence() {
        func kpi(_ id: String, _ cadence: ReportingCadence?, _ dates: [String]) -> KPI {
            KPI(id: id, name: id, readings: dates.map { KPIReading(date: day($0), value: 1) }, cadence: cadence)
        }
        let today = day("2026-05-27")
        let kpis = [
            kpi("conversion", .weekly, ["2026-05-12", "2026-05-19"]),   // due 05-26
            kpi("revenue", .monthly, ["2026-03-31", "2026-04-30"]),     // month-end figures: due 05-31
            kpi("margin", .monthly, ["2026-01-31"]),                   // due 02-28, the month's end
            kpi("returns", .weekly, []),                               // never read: due now
            kpi("acos", .weekly, ["2026-05-25", "2027-05-25"]),         // due 06-01, the one dated ahead aside
            kpi("nps", nil, ["2025-01-01"]),                           // no cadence
        ]
        let first = kpis[3].nextReading(today: today)
        #expect(first?.due == today && first?.last == nil && first?.cadence == .weekly)
        #expect(kpis[1].nextReading(today: today)?.due == day("2026-05-31"))
        #expect(kpi("mid", .monthly, ["2026-01-30"]).nextReading(today: today)?.due == day("2026-02-28"))
        #expect(kpi("feb", .monthly, ["2026-02-28"]).nextReading(today: today)?.due == day("2026-03-31"))
        #expect(kpi("mar", .monthly, ["2026-03-15"]).nextReading(today: today)?.due == day("2026-04-15"))
        #expect(kpis[5].nextReading(today: today) == nil)
        let due = KPI.dueReadings(kpis, today: today)
        #expect(due.map(\.kpi) == ["margin", "conversion", "returns"])
        #expect(due.map(\.due) == [day("2026-02-28"), day("2026-05-26"), today])
        #expect(due.first?.last == day("2026-01-31"))
        #expect(KPI.dueReadings(kpis, today: today, within: 5).map(\.kpi) == ["margin", "conversion", "returns", "revenue", "acos"])
    }

    @Test func aKindNeverHeldIsDueNow() {
        let due = Cadence.dueMeetings([], today: day("2026-05-27"))
        #expect(due.map(\.kind) == [.weekly, .monthly, .quarterly])
        #expect(due.allSatisfy { $0.due == day("2026-05-27") && $0.daysOverdue == 0 && $0.last == nil })
    }

    @Test func dueAndOverdueMeetingsFromTheLastOfEachKind() {
        let meetings = [
            MeetingDate(kind: .weekly, date: day("2026-05-11")),
            MeetingDate(kind: .weekly, date: day("2026-05-18")),     // the last weekly: next due 05-25
            MeetingDate(kind: .monthly, date: day("2026-04-30")),    // next due 05-30: not yet
            MeetingDate(kind: .quarterly, date: day("2026-01-31")),  // next due 04-30: 27 days overdue
            MeetingDate(kind: .adhoc, date: day("2026-05-26")),
        ]
        let due = Cadence.dueMeetings(meetings, today: day("2026-05-27"))
        #expect(due.map(\.kind) == [.quarterly, .weekly])
        #expect(due.map(\.due) == [day("2026-04-30"), day("2026-05-25")])
        #expect(due.map(\.daysOverdue) == [27, 2])
        // Looking three days ahead also finds the monthly review due on the 30th.
        let ahead = Cadence.dueMeetings(meetings, today: day("2026-05-27"), within: 3)
        #expect(ahead.map(\.kind) == [.quarterly, .weekly, .monthly])
        #expect(ahead.last?.daysOverdue == -3)
    }

    /// A kind never held is due now: a first check-in planned for Friday is shown beside it, not in its place.
    @Test func aFirstMeetingPlannedAheadIsShownBesideTheOneDueNow() {
        let planned = [MeetingDate(kind: .weekly, date: day("2026-05-29"))]
        let due = Cadence.dueMeetings(planned, today: day("2026-05-27"), kinds: [.weekly])
        #expect(due.map(\.due) == [day("2026-05-27")] && due.first?.last == nil && due.first?.planned == day("2026-05-29"))
    }

    /// A weekly check-in dated a year ahead (a mistyped year) used to hide one that was overdue now.
    @Test func aMeetingDatedBeyondItsPeriodHidesNothing() {
        let meetings = [MeetingDate(kind: .weekly, date: day("2026-05-01")), MeetingDate(kind: .weekly, date: day("2027-05-20")),
                        MeetingDate(kind: .quarterly, date: day("2026-01-10")), MeetingDate(kind: .quarterly, date: day("2026-09-20"))]
        let due = Cadence.dueMeetings(meetings, today: day("2026-05-27"), kinds: [.weekly, .quarterly])
        #expect(due.map(\.kind) == [.quarterly, .weekly])
        #expect(due.map(\.last) == [day("2026-01-10"), day("2026-05-01")])
        // Within the period it counts as planned: a quarterly session booked for July, after the one due in April,
        // is shown beside the slipped one; one booked by the day it is due keeps the rhythm.
        let late = meetings + [MeetingDate(kind: .quarterly, date: day("2026-07-15"))]
        let slipped = Cadence.dueMeetings(late, today: day("2026-05-27"), kinds: [.quarterly])
        #expect(slipped.map(\.due) == [day("2026-04-10")] && slipped.first?.planned == day("2026-07-15"))
        let onTime = [MeetingDate(kind: .quarterly, date: day("2026-03-01")), MeetingDate(kind: .quarterly, date: day("2026-06-01"))]
        #expect(Cadence.dueMeetings(onTime, today: day("2026-05-27"), kinds: [.quarterly]).isEmpty)
    }

    /// A weekly check-in due today, planned for next Tuesday, is due today still, not hidden behind the plan;
    /// a run of check-ins planned each week keeps the rhythm to the last of them.
    @Test func aMeetingPlannedLaterThanItIsDueDoesNotHideTheSlip() {
        let today = day("2026-12-04")
        let slipped = [MeetingDate(kind: .weekly, date: day("2026-11-27")), MeetingDate(kind: .weekly, date: day("2026-12-08"))]
        let due = Cadence.dueMeetings(slipped, today: today, kinds: [.weekly])
        #expect(due.map(\.due) == [today] && due.first?.last == day("2026-11-27") && due.first?.planned == day("2026-12-08"))
        let kept = [MeetingDate(kind: .weekly, date: day("2026-11-27")), MeetingDate(kind: .weekly, date: day("2026-12-03")),
                    MeetingDate(kind: .weekly, date: day("2026-12-09"))]
        #expect(Cadence.dueMeetings(kept, today: today, kinds: [.weekly]).isEmpty)
        let ahead = Cadence.dueMeetings(kept, today: today, within: 14, kinds: [.weekly])
        #expect(ahead.map(\.due) == [day("2026-12-16")] && ahead.first?.last == day("2026-12-09") && ahead.first?.planned == nil)
    }

    @Test func actionsPastTheirDateOrDueToday() {
        let actions = [
            ActionItem(id: "1", text: "Send forecast", due: day("2026-05-20")),
            ActionItem(id: "2", text: "Book workshop", due: day("2026-05-27")),
            ActionItem(id: "3", text: "Done already", due: day("2026-05-01"), done: true, doneOn: day("2026-05-02")),
            ActionItem(id: "4", text: "Next week", due: day("2026-06-03")),
            ActionItem(id: "5", text: "No date"),
        ]
        let today = day("2026-05-27")
        #expect(Cadence.dueActions(actions, today: today).map(\.id) == ["1", "2"])
        #expect(Cadence.dueActions(actions, today: today, within: 7).map(\.id) == ["1", "2", "4"])
        #expect(actions.filter { $0.isOverdue(asOf: today) }.map(\.id) == ["1"])
        // As of a day before it was done, the finished action was still overdue.
        #expect(actions[2].isOverdue(asOf: day("2026-05-02")) == false)
        #expect(actions[2].isOverdue(asOf: day("2026-05-01")) == false)
        #expect(ActionItem(id: "x", text: "", due: day("2026-05-01"), done: true, doneOn: day("2026-05-10")).isOverdue(asOf: day("2026-05-05")))
    }

    @Test func openGoalsWhoseDayHasComeAskWhetherTheyWereReached() {
        let goals = [
            Goal(id: "1", outcome: "raise conversion 15%", due: day("2026-05-20")),
            Goal(id: "2", outcome: "cut returns", due: day("2026-05-27")),
            Goal(id: "3", outcome: "reached early", due: day("2026-05-01"), status: .achieved),
            Goal(id: "4", outcome: "new market", due: day("2026-06-03")),
            Goal(id: "5", outcome: "no day"),
            Goal(id: "6", outcome: "given up", due: day("2026-04-01"), status: .dropped),
        ]
        let today = day("2026-05-27")
        #expect(Goal.dueForReview(goals, today: today).map(\.id) == ["1", "2"])
        #expect(Goal.dueForReview(goals, today: today, within: 7).map(\.id) == ["1", "2", "4"])
    }

    @Test func aRenewalIsListedAQuarterAheadAndStaysListedOnceItsDayHasPassed() {
        let today = day("2026-05-27")
        #expect(Renewal.isListed(day("2026-08-25"), today: today))
        #expect(!Renewal.isListed(day("2026-08-26"), today: today))
        #expect(Renewal.isListed(day("2026-01-31"), today: today))
        #expect(Renewal.isListed(day("2026-05-27"), today: today, lead: 0) && !Renewal.isListed(day("2026-05-28"), today: today, lead: 0))
    }

    @Test func aKindNeverHeldIsDueSinceTheAccountBecameKey() {
        let today = day("2026-05-27")
        let held = [MeetingDate(kind: .weekly, date: day("2026-05-25"))]
        let due = Cadence.dueMeetings(held, today: today, keySince: day("2026-05-01"))
        #expect(due.map(\.kind) == [.monthly, .quarterly] && due.allSatisfy { $0.due == day("2026-05-01") && $0.daysOverdue == 26 })
        // Unknown, or after the day viewed: due that day.
        #expect(Cadence.dueMeetings(held, today: today).allSatisfy { $0.due == today })
        #expect(Cadence.dueMeetings(held, today: today, keySince: day("2026-06-01")).allSatisfy { $0.due == today })
        // One held before the account became key is due no earlier than that day.
        let promoted = Cadence.dueMeetings([MeetingDate(kind: .monthly, date: day("2026-03-01"))], today: today, keySince: day("2026-05-20"))
        #expect(promoted.map(\.due) == [day("2026-05-20"), day("2026-05-20"), day("2026-05-20")])
        #expect(Cadence.dueMeetings([MeetingDate(kind: .monthly, date: day("2026-03-01"))], today: today).first { $0.kind == .monthly }?.due == day("2026-04-01"))
        // A first one planned later than it fell due is listed with its planned day.
        let planned = Cadence.dueMeetings(held + [MeetingDate(kind: .monthly, date: day("2026-06-02"))], today: today, keySince: day("2026-05-01"))
        #expect(planned.first { $0.kind == .monthly }?.planned == day("2026-06-02"))
    }

    @Test func aKPINeverReadIsDueSinceItWasAdded() {
        let today = day("2026-05-27")
        #expect(KPI(id: "k", name: "nps", cadence: .monthly, added: day("2026-05-02")).nextReading(today: today)?.due == day("2026-05-02"))
        #expect(KPI(id: "k", name: "nps", cadence: .monthly).nextReading(today: today)?.due == today)
        #expect(KPI(id: "k", name: "nps", cadence: .monthly, added: day("2026-06-02")).nextReading(today: today)?.due == today)
        // Read once, the reading sets the day.
        let read = KPI(id: "k", name: "nps", readings: [KPIReading(date: day("2026-05-10"), value: 40)], cadence: .weekly, added: day("2026-05-02"))
        #expect(read.nextReading(today: today)?.due == day("2026-05-17"))
    }
}
