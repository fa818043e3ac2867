import RapportKAM
@testable import RapportReport
import RapportSync
import Testing

@Suite struct ReportTests {
    func day(_ s: String) -> Day { Day(s)! }

    var input: ReportInput {
        let today = day("2026-05-27")
        let kpi = KPI(id: "k", name: "Conversion", unit: "%", target: 15, direction: .up, readings: [
            KPIReading(date: day("2026-03-31"), value: 10), KPIReading(date: day("2026-04-30"), value: 11),
            KPIReading(date: day("2026-05-20"), value: 12.5),
        ])
        let card = ScorecardRules.scorecard(AccountHealthInput(kpis: [kpi]), month: today.monthOfYear, asOf: today)
        var input = ReportInput(account: .init(name: "Acme <Europe> & Co", owner: "alice", tier: "key"),
                                period: Period.monthToDate(today), today: today, scorecard: card)
        input.kpis = [.init(kpi: kpi, cadence: "monthly", notes: "New <images> lifted conversion")]
        input.history = [ScorecardRules.scorecard(AccountHealthInput(), month: Month("2026-04")!, asOf: day("2026-04-30"))]
        input.meetings = [.init(kind: .weekly, date: day("2026-05-20"), attendees: "Dana", notes: "Agreed | the plan")]
        input.actions = [ActionItem(id: "a", text: "Send forecast", owner: "alice", due: day("2026-05-22"))]
        return input
    }

    @Test func markdownHasEverySectionAndTheFigures() {
        let md = MarkdownReport.render(AccountReport.document(input))
        for heading in ["# Account review: Acme \\<Europe> & Co", "## Scorecard", "## Performance trends", "## Root causes",
                        "## Actions taken", "## Notes", "## Next actions", "## Stakeholders", "## Pipeline and risks"] {
            #expect(md.contains(heading + "\n"), "missing \(heading)")
        }
        // Start is the last reading before May (11), end the latest (12.5): +1.5, 83% of 15.
        #expect(md.contains("| Conversion | ≥ 15% | 11% | 12.5% | +1.5 pp | 83% | improving |"))
        #expect(md.contains("2026-05-20 weekly check-in with Dana: Agreed | the plan"))
        #expect(md.contains("| Send forecast | alice | 2026-05-22 | overdue |"))
        #expect(md.contains("> New \\<images> lifted conversion"))
        #expect(md.contains("**Warning:** no stakeholders mapped"))
        #expect(md.contains("### Conversion: below target, improving"))
    }

    /// The trend in a period's table is the period's, as its change is: a KPI that rose over the month and fell
    /// back a little at its end read "+2%, worsening".
    @Test func aPeriodsTrendFollowsItsChange() {
        let kpi = KPI(id: "k", name: "Conversion", unit: "%", target: 15, direction: .up, readings: [
            KPIReading(date: day("2026-04-30"), value: 10), KPIReading(date: day("2026-05-10"), value: 14), KPIReading(date: day("2026-05-20"), value: 12),
        ])
        let may = Period(start: day("2026-05-01"), end: day("2026-05-31"))
        #expect(AccountReport.kpiRow(kpi, period: may) == ["Conversion", "≥ 15%", "10%", "12%", "+2 pp", "80%", "improving"])
        // One reading in the period and none before: the last two readings' trend (none), not "flat".
        let june = Period(start: day("2026-06-01"), end: day("2026-06-30"))
        let first = KPI(id: "f", name: "NPS", readings: [KPIReading(date: day("2026-06-10"), value: 40)])
        #expect(AccountReport.kpiRow(first, period: june).last == Trend.unknown.rawValue)
        // No reading in the period: no trend of it, though the last two readings before it rose.
        #expect(AccountReport.kpiRow(kpi, period: june) == ["Conversion", "≥ 15%", "12%", "12%", "0 pp", "80%", "unknown"])
        // A hand-set value before the first reading starts no trend where readings follow in the period: the first
        // reading does, as before past days took the hand-set value.
        let handSet = KPI(id: "h", name: "Share", unit: "%", target: 20, current: 10, direction: .up, readings: [
            KPIReading(date: day("2026-05-05"), value: 12), KPIReading(date: day("2026-05-25"), value: 15),
        ])
        #expect(AccountReport.kpiRow(handSet, period: may) == ["Share", "≥ 20%", "12%", "15%", "+3 pp", "75%", "improving"])
        // The root causes' heading says the same as the table.
        var input = self.input
        input.period = may
        input.kpis = [.init(kpi: kpi, cadence: "monthly", notes: "Fell back after the promotion")]
        #expect(MarkdownReport.render(AccountReport.document(input)).contains("### Conversion: below target, improving"))
    }

    /// The month-by-month table marks a figure set by hand, as `scorecard` and `portfolio` do.
    @Test func aFigureSetByHandIsMarkedMonthByMonth() {
        var input = self.input
        input.history = [Scorecard(month: Month("2026-04")!, areas: HealthArea.allCases.map { area in
            AreaHealth(area: area, computed: 50, basis: "", override: area == .relationship ? 80 : nil, reason: area == .relationship ? "met the board" : nil)
        })]
        let md = MarkdownReport.render(AccountReport.document(input))
        #expect(md.contains("| 2026-04 | 80* | 50 | 50 | 50 |") && md.contains("* set by hand."), "\(md)")
    }

    /// A review viewed as of an earlier day said "generated" on that day.
    @Test func aReviewAsOfAnEarlierDaySaysWhenItWasMade() {
        #expect(AccountReport.document(input).subtitle.hasSuffix(" · generated 2026-05-27"))
        var past = input
        past.generated = day("2026-12-05")
        #expect(AccountReport.document(past).subtitle.hasSuffix(" · as of 2026-05-27 · generated 2026-12-05"))
        past.generated = day("2026-05-27")
        #expect(AccountReport.document(past).subtitle.hasSuffix(" · generated 2026-05-27") && !AccountReport.document(past).subtitle.contains("as of"))
        // An archived account's review says so (one merged into another is archived too).
        past.account.archived = true
        #expect(AccountReport.document(past).subtitle.contains(" · tier key · archived · "), "\(AccountReport.document(past).subtitle)")
    }

    /// Text from the team cannot become markup in a Markdown viewer: a tag in a name or note is escaped, not
    /// hidden or run, while a comparison, an arrow and a suggested command's code span read as typed.
    @Test func markupInTheTeamsTextStaysText() {
        #expect(MarkdownReport.inert("<img src=x onerror=alert(1)>") == "\\<img src=x onerror=alert(1)>")
        #expect(MarkdownReport.inert("close </div> and <!-- c --> or <?php") == "close \\</div> and \\<!-- c --> or \\<?php")
        #expect(MarkdownReport.inert("margin < 5% <- was 8 <3") == "margin < 5% <- was 8 <3")
        #expect(MarkdownReport.inert("run `rapport note show \"A <b>\"` now") == "run `rapport note show \"A <b>\"` now")
        #expect(MarkdownReport.inert("a `b <c> d") == "a `b \\<c> d")
        // Links and images are text too (an image is fetched when the review is viewed); brackets alone stay.
        #expect(MarkdownReport.inert("see ![x](https://t.example/p.png) and [site](https://a.example)") == "see !\\[x](https://t.example/p.png) and \\[site](https://a.example)")
        #expect(MarkdownReport.inert("[draft] v2 [1]") == "[draft] v2 [1]")
        #expect(MarkdownReport.inert("![a][p]") == "!\\[a]\\[p]" && MarkdownReport.inert("[p]: https://t.example") == "\\[p]: https://t.example")
        // From review: a run of one backtick is not closed by a run of two; a typed backslash does not undo the
        // escape; a link split over a note's lines is seen on the whole note.
        #expect(MarkdownReport.inert("` ![x](https://t.example/p.png) ``") == "` !\\[x](https://t.example/p.png) ``")
        #expect(MarkdownReport.inert("``a ` <b> ``") == "``a ` <b> ``")
        #expect(MarkdownReport.inert("\\[a](https://t.example)") == "\\\\\\[a](https://t.example)")
        // A backtick after a backslash is a backtick, not a code span: the tag after it is escaped (it was left
        // live); after two backslashes it is one.
        #expect(MarkdownReport.inert("Esc \\`<img src=x onerror=alert(1)>` Co") == "Esc \\`\\<img src=x onerror=alert(1)>` Co")
        #expect(MarkdownReport.inert("a \\\\`<b>` c") == "a \\\\`<b>` c")
        // Two backslashes are one, escaping nothing: the tag or link after them is escaped (four were written
        // before it, which left it live).
        #expect(MarkdownReport.inert("\\\\<b>") == "\\\\\\<b>" && MarkdownReport.inert("\\\\[x](https://t.example)") == "\\\\\\[x](https://t.example)")
        var split = self.input
        split.kpis[0].notes = "see ![x\n](https://t.example/p.png) `code ![y](https://t.example/q.png)`"
        let rendered = MarkdownReport.render(AccountReport.document(split))
        #expect(rendered.contains("> see !\\[x\n> ](https://t.example/p.png) `code !\\[y](https://t.example/q.png)`"), "\(rendered)")
        #expect(MarkdownReport.inert("run `rapport x \"[a](b)\"` ok") == "run `rapport x \"[a](b)\"` ok")
        var input = self.input
        input.meetings[0].notes = "<script>alert(1)</script>"
        let md = MarkdownReport.render(AccountReport.document(input))
        #expect(!md.contains(" <script>") && !md.contains("1)</script>"))
        #expect(md.contains("\\<script>alert(1)\\</script>"))
    }

    /// Root causes list the flags the period's scorecard counts, with what their notes say: not one raised after
    /// the period, nor one without notes (the pipeline-and-risks section lists every flag; listed here too, a bare
    /// title read as the same list twice).
    @Test func aFlagRaisedAfterThePeriodIsNotOneOfItsCauses() {
        var input = self.input
        input.flags = [
            .init(flag: RiskFlag(id: "f1", title: "Stockout in May", status: "open", raisedOn: day("2026-05-02")), kind: "stockout", notes: "Supplier late"),
            .init(flag: RiskFlag(id: "f2", title: "Price war in June", status: "open", raisedOn: day("2026-06-10")), kind: "competitor", notes: "Rival cut 10%"),
            .init(flag: RiskFlag(id: "f3", title: "Reviews slipping", status: "open", raisedOn: day("2026-05-03")), kind: "reviews"),
        ]
        let md = MarkdownReport.render(AccountReport.document(input))
        // (The pipeline-and-risks section leaves it out too: it was raised after the period.)
        let causes = md.components(separatedBy: "## Root causes")[1].components(separatedBy: "\n## ")[0]
        #expect(causes.contains("Risk flag (stockout, open): Stockout in May") && causes.contains("Supplier late"))
        #expect(!causes.contains("Price war in June") && !causes.contains("Reviews slipping"))
        let pipeline = md.components(separatedBy: "## Pipeline and risks")[1]
        #expect(pipeline.contains("Reviews slipping") && pipeline.contains("Stockout in May"))
    }

    /// A flag raised and closed within the period was in no review: not under "Pipeline and risks" (only flags
    /// not closed) nor under "Actions taken", which did not list the deal won in it either (QA).
    @Test func aFlagClosedAndADealWonInThePeriodAreInItsReview() {
        var input = self.input
        input.flags = [
            .init(flag: RiskFlag(id: "f1", title: "Stockout on bestseller", status: "closed", raisedOn: day("2026-05-04")), kind: "stockout", closedOn: day("2026-05-27")),
            .init(flag: RiskFlag(id: "f2", title: "Old price war", status: "closed", raisedOn: day("2026-03-01")), kind: "competitor", closedOn: day("2026-04-10")),
        ]
        input.opportunities = [
            (Opportunity(id: "o1", accountID: "a", title: "Gift bundles", stage: .won, value: 45_000, openedOn: day("2026-04-02"), closedOn: day("2026-05-15")), "upsell"),
            (Opportunity(id: "o2", accountID: "a", title: "Lost in April", stage: .lost, value: 10, openedOn: day("2026-03-02"), closedOn: day("2026-04-15")), "upsell"),
        ]
        let md = MarkdownReport.render(AccountReport.document(input))
        let pipeline = md.components(separatedBy: "## Pipeline and risks")[1]
        #expect(pipeline.contains("stockout (closed 2026-05-27, raised 2026-05-04): Stockout on bestseller") && !pipeline.contains("Old price war"), "\(pipeline)")
        let taken = md.components(separatedBy: "## Actions taken")[1].components(separatedBy: "\n## ")[0]
        #expect(taken.contains("2026-05-27 risk flag closed: Stockout on bestseller (stockout)") && taken.contains("2026-05-15 won: Gift bundles (45,000)"), "\(taken)")
        #expect(!taken.contains("Old price war") && !taken.contains("Lost in April"), "\(taken)")
    }

    /// A meeting's notes stand in "Actions taken" by their first line; later lines (the decisions) were dropped
    /// without a sign of them.
    @Test func aMeetingsFurtherNotesAreMarked() {
        var input = self.input
        input.meetings = [.init(kind: .weekly, date: day("2026-05-20"), attendees: "Dana", notes: "Agreed the plan\n\nDecided: pilot in June"),
                          .init(kind: .monthly, date: day("2026-05-21"), attendees: "", notes: "One line\n")]
        let md = MarkdownReport.render(AccountReport.document(input))
        #expect(md.contains("2026-05-20 weekly check-in with Dana: Agreed the plan …") && md.contains("monthly review: One line\n"), "\(md)")
    }

    /// A close recorded on one laptop before a new commitment made on another does not stand: the actions
    /// taken say so instead of listing the concern as closed while it is open.
    @Test func aConcernStepThatDoesNotStandIsListedAsSuch() {
        var input = self.input
        let concern = Concern(id: "c", title: "Late invoices", stepDates: [
            .acknowledge: day("2026-05-02"), .clarify: day("2026-05-03"), .commit: day("2026-05-12"), .close: day("2026-05-10"),
        ])
        input.concerns = [.init(concern: concern)]
        let md = MarkdownReport.render(AccountReport.document(input))
        let taken = md.components(separatedBy: "## Actions taken")[1].components(separatedBy: "\n## ")[0]
        #expect(taken.contains("2026-05-10 concern \"Late invoices\" \(ConcernStep.close.state) (recorded out of order"), "\(taken)")
        #expect(taken.contains("2026-05-12 concern \"Late invoices\" \(ConcernStep.commit.state)\n"), "\(taken)")
        let causes = md.components(separatedBy: "## Root causes")[1].components(separatedBy: "\n## ")[0]
        #expect(causes.contains("- Late invoices (committed 2026-05-12; next: close)"), "\(causes)")
    }

    /// Every concern open at the period's end is among its root causes, one only acknowledged too (it showed
    /// nowhere but as a dated line among the actions taken); one closed in the period, or raised after it, is not.
    @Test func openConcernsAreListedWithTheirStep() {
        var input = self.input
        input.concerns = [
            .init(concern: Concern(id: "a", title: "Promo pricing disputed", stepDates: [.acknowledge: day("2026-05-20")])),
            .init(concern: Concern(id: "b", title: "Slow replies", stepDates: [.acknowledge: day("2026-05-02"), .clarify: day("2026-05-04")]), texts: [.clarify: "two tickets"]),
            .init(concern: Concern(id: "e", title: "Clarified later", stepDates: [.acknowledge: day("2026-05-06"), .clarify: day("2026-06-03")]), texts: [.clarify: "orders 1,2"]),
            .init(concern: Concern(id: "c", title: "Fixed", stepDates: [.acknowledge: day("2026-05-02"), .clarify: day("2026-05-03"), .commit: day("2026-05-04"), .close: day("2026-05-09")])),
            .init(concern: Concern(id: "d", title: "Raised in June", stepDates: [.acknowledge: day("2026-06-02")])),
        ]
        let md = MarkdownReport.render(AccountReport.document(input))
        let causes = md.components(separatedBy: "## Root causes")[1].components(separatedBy: "\n## ")[0]
        #expect(causes.contains("### Open concerns\n\n- Promo pricing disputed (acknowledged 2026-05-20; next: clarify)\n- Slow replies (clarified 2026-05-04; next: commit)\n- Clarified later (acknowledged 2026-05-06; next: clarify)"), "\(causes)")
        #expect(!causes.contains("Fixed") && !causes.contains("Raised in June"), "\(causes)")
        // A clarification dated after the period is not quoted in its review (it was, beside "next: clarify").
        #expect(causes.contains("### Concern: Slow replies\n\n> two tickets") && !causes.contains("orders 1,2"), "\(causes)")
    }

    /// Readings of ±9e307 (entered before numbers were bounded) overflowed the axis range to infinity and the
    /// chart's axis loop never ended; now they draw, and such a number can no longer be entered.
    @Test(.timeLimit(.minutes(1))) func aChartOfExtremeFiguresEnds() throws {
        let chart = LineChart(title: "k", series: [.init(name: "k", colour: "#000", points: [(0, 9e307), (1, -9e307), (2, 1e15)])], xLabels: [])
        #expect(chart.svg.contains("<polyline"))
        let tiny = LineChart(title: "k", series: [.init(name: "k", colour: "#000", points: [(0, 1e17), (1, 1e17 + 64)])], xLabels: [])
        #expect(tiny.svg.hasSuffix("</svg>"))
        #expect(throws: SchemaError.self) { try Schema.rapport.entity("kpi_reading")!.field("value")!.parse("9e307") }
        #expect(try Schema.rapport.entity("kpi_reading")!.field("value")!.parse("1e15") == .real(1e15))
    }

    @Test func smallAndLargeFiguresReadAsWhatTheyAre() {
        #expect([0.0049, 0.001, -0.003, 0.005, 12.5, 0.333, 1e16, 123, 0, 0.00001, 5.6e-17, 0.0099, 0.01].map(Figures.number)
            == ["0.0049", "0.001", "-0.003", "0.005", "12.5", "0.33", "10000000000000000", "123", "0", "0.00001", "0", "0.0099", "0.01"])
        // With a unit, thousands are grouped from 10,000 on ("1500000EUR" in the plan).
        #expect(Figures.amount(1_500_000, unit: "EUR") == "1,500,000 EUR" && Figures.amount(12_345.678, unit: "") == "12,345.68")
        #expect(Figures.amount(-20_000.5, unit: "%") == "-20,000.5%" && Figures.amount(9_999, unit: "days") == "9999 days" && Figures.amount(nil, unit: "%") == "-")
        // Beside a figure of five digits, four are grouped too ("from 8000 to 10,000" read as two kinds of number).
        #expect(Figures.amount(8_000, unit: "EUR", alike: [10_000]) == "8,000 EUR" && Figures.amount(8_000, unit: "EUR", alike: [9_000, nil]) == "8000 EUR")
        // Money rounds to a whole, except an amount under one (a deal worth 0.5 read "1", one of 0.4 "0").
        #expect([0.5, 0.4, -0.25, 0.05, 0, 1.5, 1_250_000.4].map(Figures.money) == ["0.5", "0.4", "-0.25", "0.05", "0", "2", "1,250,000"])
    }

    /// A review of a past month is of that month: contacts go cold against its end, not today, and an
    /// opportunity or flag that came later is not in it.
    @Test func aPastPeriodIsReviewedAsOfItsEnd() throws {
        var input = self.input
        input.period = try #require(Period.parse("2026-04", today: input.today))
        input.stakeholders = [.init(contact: Contact(id: "s", name: "Raj", role: .decisionMaker, lastContact: day("2026-04-20")))]
        input.opportunities = [
            (Opportunity(id: "o1", accountID: "a", title: "Renewal", stage: .qualified, value: 1000, openedOn: day("2026-04-02")), "renewal"),
            (Opportunity(id: "o2", accountID: "a", title: "Upsell in May", stage: .idea, value: 500, openedOn: day("2026-05-10")), "upsell"),
        ]
        input.flags = [.init(flag: RiskFlag(id: "f", title: "Price war in May", status: "open", raisedOn: day("2026-05-12")), kind: "competitor")]
        let md = MarkdownReport.render(AccountReport.document(input))
        #expect(!md.contains("gone cold"), "\(md)")
        #expect(md.contains("| Renewal |") && !md.contains("Upsell in May") && !md.contains("Price war in May"), "\(md)")
        #expect(md.contains("Opportunities and flags that existed by 2026-04-30, at their stage and status as recorded by then."))
        // Its next actions are those open at its end: one done in May was overdue then, one due in late May was not.
        input.actions = [ActionItem(id: "a1", text: "Ship samples", owner: "alice", due: day("2026-04-20"), done: true, doneOn: day("2026-05-05")),
                         ActionItem(id: "a2", text: "Send forecast", owner: "alice", due: day("2026-05-22"))]
        input.meetings.append(.init(kind: .weekly, date: day("2026-05-03"), attendees: "", notes: ""))
        let next = MarkdownReport.render(AccountReport.document(input)).components(separatedBy: "## Next actions")[1]
        // A check-in held in May was not known as planned at April's end.
        #expect(next.contains("weekly check-in due 2026-04-30 (none held yet)"), "\(next)")
        #expect(next.contains("| Ship samples | alice | 2026-04-20 | overdue |") && next.contains("| Send forecast | alice | 2026-05-22 |  |"), "\(next)")
        #expect(next.contains("| Action | Owner | Due | Status |"), "\(next)")
    }

    /// Two KPIs of one name are told apart by their ids in the trends table and the charts' titles.
    @Test func twoKPIsOfOneNameAreToldApart() {
        var input = self.input
        input.kpis = [.init(kpi: KPI(id: "aaaa1111-x", name: "NPS", readings: [KPIReading(date: day("2026-05-20"), value: 10)]), cadence: "monthly"),
                      .init(kpi: KPI(id: "bbbb2222-y", name: "nps", readings: [KPIReading(date: day("2026-05-21"), value: 12)]), cadence: "monthly"),
                      .init(kpi: KPI(id: "cccc3333-z", name: "Conversion"), cadence: "monthly")]
        let trends = MarkdownReport.render(AccountReport.document(input)).components(separatedBy: "## Performance trends")[1]
        #expect(trends.contains("| NPS (aaaa1111) |") && trends.contains("| nps (bbbb2222) |") && trends.contains("| Conversion |"), "\(trends)")
    }

    /// Next actions name the meetings planned ahead and the KPI readings the plan's cadences ask for, as `rapport
    /// due` does; a past period's review, which cannot know what was planned then, names no meeting ahead.
    @Test func nextActionsNameMeetingsPlannedAndReadingsDue() throws {
        var input = self.input
        input.kpis = [.init(kpi: KPI(id: "k", name: "Conversion", readings: [KPIReading(date: day("2026-04-20"), value: 10)], cadence: .monthly), cadence: "monthly"),
                      // Never read: due from the day it was added, as `rapport due` counts it.
                      .init(kpi: KPI(id: "n", name: "NPS", cadence: .weekly, added: day("2026-05-06")), cadence: "weekly")]
        input.meetings += [.init(kind: .monthly, date: day("2026-05-05")), .init(kind: .monthly, date: day("2026-06-03"))]
        let next = MarkdownReport.render(AccountReport.document(input)).components(separatedBy: "## Next actions")[1]
        #expect(next.contains("### Meetings planned") && next.contains("monthly review on 2026-06-03"), "\(next)")
        #expect(next.contains("Conversion: monthly reading overdue since 2026-05-20 (last 2026-04-20)"), "\(next)")
        #expect(next.contains("NPS: weekly reading overdue since 2026-05-06 (none recorded yet)"), "\(next)")
        // A commitment past its day says so, as the actions' table and the meetings do (it read "due 2026-05-20").
        input.concerns = [.init(concern: Concern(id: "c", title: "Late invoices", stepDates: [.acknowledge: day("2026-05-02"), .clarify: day("2026-05-03"), .commit: day("2026-05-04")]),
                                texts: [.commit: "Invoice weekly"], commitDue: day("2026-05-20"))]
        let committed = MarkdownReport.render(AccountReport.document(input)).components(separatedBy: "## Next actions")[1]
        #expect(committed.contains("Late invoices (overdue since 2026-05-20): Invoice weekly"), "\(committed)")
        input.concerns = []
        input.period = try #require(Period.parse("2026-04", today: input.today))
        let april = MarkdownReport.render(AccountReport.document(input)).components(separatedBy: "## Next actions")[1]
        // At April's end the next reading, May 20, was three weeks ahead: due within the month the review looks
        // ahead (with a week, it was left out), and NPS was not there yet.
        #expect(!april.contains("Meetings planned") && april.contains("Conversion: monthly reading due 2026-05-20 (last 2026-04-20)") && !april.contains("NPS"), "\(april)")
        // A KPI entered afterwards with its past readings was kept by then: due in a past period as in `due --as-of`.
        input.kpis = [.init(kpi: KPI(id: "k", name: "Share", readings: [KPIReading(date: day("2026-02-28"), value: 10), KPIReading(date: day("2026-05-31"), value: 12)],
                                     cadence: .monthly, added: day("2026-06-01")), cadence: "monthly")]
        let backFilled = MarkdownReport.render(AccountReport.document(input)).components(separatedBy: "## Next actions")[1]
        #expect(backFilled.contains("Share: monthly reading overdue since 2026-03-31 (last 2026-02-28)"), "\(backFilled)")
        // The contract's renewal, from the quarter ahead `rapport due` lists it in; one passed, to record anew.
        input.account.nextRenewal = day("2026-05-14")
        #expect(MarkdownReport.render(AccountReport.document(input)).contains("### Contract renewal\n\n- Renewal on 2026-05-14 (in 14 days)"))
        input.account.nextRenewal = day("2026-04-02")
        #expect(MarkdownReport.render(AccountReport.document(input)).contains("- Renewal on 2026-04-02 has passed: the next one is not recorded yet"))
        input.account.nextRenewal = day("2026-12-01")
        #expect(!MarkdownReport.render(AccountReport.document(input)).contains("Contract renewal"))
    }

    /// A meeting planned after the day the rhythm asks for is named there ("...; planned 2026-06-03"), and
    /// was listed again under "Meetings planned".
    @Test func aMeetingPlannedLateIsNamedOnce() throws {
        var input = self.input
        input.meetings = [.init(kind: .monthly, date: day("2026-04-02")), .init(kind: .monthly, date: day("2026-06-09")),
                          .init(kind: .weekly, date: day("2026-05-26")), .init(kind: .weekly, date: day("2026-05-29"))]
        let next = MarkdownReport.render(AccountReport.document(input)).components(separatedBy: "## Next actions")[1]
        #expect(next.contains("monthly review overdue since 2026-05-02 (last 2026-04-02; planned 2026-06-09)"), "\(next)")
        #expect(!next.contains("monthly review on 2026-06-09") && next.contains("weekly check-in on 2026-05-29"), "\(next)")
        // Not a key account: no rhythm is asked for, and the meeting ahead is listed as planned.
        input.account.tier = "strategic"
        let other = MarkdownReport.render(AccountReport.document(input)).components(separatedBy: "## Next actions")[1]
        #expect(other.contains("monthly review on 2026-06-09"), "\(other)")
    }

    /// The notes written in the period are in the review, whole, under their day and title; notes of other
    /// periods are not there. A note written on Windows ("\r\n") is quoted line by line (its "# Pricing" became a
    /// heading of the review), its first line's indent kept; a title's closing "#" stays.
    @Test func theNotesOfThePeriodAreInTheReview() {
        var input = self.input
        input.notes = [
            .init(title: "Old news", written: day("2026-04-30"), text: "from April"),
            .init(title: "Buyer changes in June", written: day("2026-05-03"), text: "\nDana moves to <retail>; Raj takes over."),
            .init(title: "Site visit", kind: "meeting", written: day("2026-05-21"), text: "Toured the warehouse."),
            .init(title: "Ticket #", written: day("2026-05-22"), text: "  First para\r\n\r\n# Pricing\r\n- cut 5%\r\n"),
        ]
        let notes = MarkdownReport.render(AccountReport.document(input)).components(separatedBy: "## Notes\n")[1].components(separatedBy: "\n## ")[0]
        #expect(notes.contains("### 2026-05-03 Buyer changes in June\n\n> Dana moves to \\<retail>; Raj takes over.\n"), "\(notes)")
        #expect(notes.contains("### 2026-05-21 Site visit (meeting note)\n\n> Toured the warehouse."), "\(notes)")
        #expect(notes.contains("### 2026-05-22 Ticket \\#\n\n>   First para\n> \n> # Pricing\n> - cut 5%\n"), "\(notes)")
        #expect(!notes.contains("Old news") && !notes.contains("\r"), "\(notes)")
        input.notes = []
        #expect(MarkdownReport.render(AccountReport.document(input)).contains("No notes written in this period"))
    }

    /// An April review counted as won a deal entered afterwards as won in May (its scorecard did not): with no
    /// stage of then on record, it is counted in neither, and the table says when it closed.
    @Test func aDealClosedAfterThePeriodIsNotWonInIt() throws {
        var input = self.input
        input.period = try #require(Period.parse("2026-04", today: input.today))
        input.opportunities = [
            (Opportunity(id: "o1", accountID: "a", title: "Nordics", stage: .won, value: 60_000, openedOn: day("2026-03-01"), closedOn: day("2026-05-10")), "new-market"),
            (Opportunity(id: "o2", accountID: "a", title: "Renewal", stage: .won, value: 1000, openedOn: day("2026-03-01"), closedOn: day("2026-04-10")), "renewal"),
        ]
        let md = MarkdownReport.render(AccountReport.document(input))
        #expect(md.contains("| Nordics | new-market | won 2026-05-10, after the period | 60,000 |"), "\(md)")
        #expect(md.contains("won in the period 1,000. One opportunity closed after the period, with no stage of then on record, is counted in neither."), "\(md)")
        // One closed before the period is not the period's: neither listed nor won in it (a Q4 review counted
        // February's win); one open, or closed in it, is.
        input.period = try #require(Period.parse("2026-05", today: input.today))
        input.opportunities += [
            (Opportunity(id: "o3", accountID: "a", title: "Lost pilot", stage: .lost, value: 5000, openedOn: day("2026-02-01"), closedOn: day("2026-04-20")), "creative"),
            (Opportunity(id: "o4", accountID: "a", title: "Catalogue", stage: .proposal, value: 7000, openedOn: day("2026-02-01")), "catalogue"),
        ]
        let may = MarkdownReport.render(AccountReport.document(input))
        #expect(may.contains("| Nordics | new-market | won | 60,000 |") && may.contains("| Catalogue | catalogue | proposal | 7,000 |"), "\(may)")
        #expect(!may.contains("Renewal") && !may.contains("Lost pilot") && may.contains("won in the period 60,000."), "\(may)")
    }

    @Test func htmlShowsSuggestedCommandsAsCodeAndUserTextEscaped() {
        #expect(HTML.inline("run `rapport plan kpi notes` now") == "run <code>rapport plan kpi notes</code> now")
        #expect(HTML.inline("a `b` c `d") == "a <code>b</code> c `d")
        #expect(HTML.inline("<b>`x<y`</b>") == "&lt;b&gt;<code>x&lt;y</code>&lt;/b&gt;")
    }

    /// A KPI with a target and no reading yet used to be headed "no target".
    @Test func aKPIWithATargetButNoReadingSaysSo() {
        var input = self.input
        input.kpis = [.init(kpi: KPI(id: "n", name: "Churn", unit: "%", target: 5, direction: .down, readings: []), cadence: "monthly", notes: "Tracking starts in June")]
        let md = MarkdownReport.render(AccountReport.document(input))
        #expect(md.contains("Churn: no reading yet"), "\(md)")
    }

    @Test func htmlIsSelfContainedWithInlineSVGAndEscapedText() {
        let html = HTMLReport.render(AccountReport.document(input))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<title>Account review: Acme &lt;Europe&gt; &amp; Co</title>"))
        #expect(html.contains("New &lt;images&gt; lifted conversion"))
        #expect(!html.contains("<images>"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 2)  // the KPI chart and the scorecard history
        #expect(html.contains("stroke-dasharray"))                      // the target line
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script") && !html.contains("src="))
    }
}
