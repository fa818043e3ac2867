import RapportKAM
import Testing

@Suite struct ScorecardTests {
    func day(_ s: String) -> Day { Day(s)! }
    let today = Day("2026-05-31")!

    @Test func relationshipFromCoverageSentimentAndRecency() {
        // coverage 20×2/3 + 20 = 33.33; sentiment 40×(1 + 0)/2 = 20; recency 20×1/2 = 10; 63.33 → 63
        let two = [
            Contact(id: "1", name: "Dana", role: .decisionMaker, sentiment: .champion, lastContact: day("2026-05-21")),
            Contact(id: "2", name: "Uma", role: .user, sentiment: .negative),
        ]
        #expect(ScorecardRules.relationship(two, asOf: today).score == 63)
        // coverage 20 + 20 = 40; sentiment 40×(0.75 + 0.5 + 0.5)/3 = 23.33; recency 20×2/3 = 13.33; 76.67 → 77
        let three = [
            Contact(id: "1", name: "Dana", role: .decisionMaker, sentiment: .positive, lastContact: day("2026-05-30")),
            Contact(id: "2", name: "Ian", role: .influencer, sentiment: .neutral, lastContact: day("2026-05-01")),
            Contact(id: "3", name: "Uma", role: .user, lastContact: day("2026-03-01")),
        ]
        #expect(ScorecardRules.relationship(three, asOf: today).score == 77)
        #expect(ScorecardRules.relationship([], asOf: today).score == 0)
        // One contact, however warm, is a relationship that goes if they leave: watch, not healthy.
        let one = [Contact(id: "1", name: "Jo", role: .decisionMaker, sentiment: .champion, lastContact: today)]
        #expect(ScorecardRules.relationship(one, asOf: today).score == 60)
        let cold = [Contact(id: "1", name: "Jo", role: .user, sentiment: .negative, lastContact: nil)]
        #expect(ScorecardRules.relationship(cold, asOf: today).score == 7)
    }

    var kpis: [KPI] {
        [
            // up, target 15, now 12: attainment 0.8, improving: 80×0.8 + 20×1 = 84
            KPI(id: "k1", name: "Conversion", unit: "%", target: 15, direction: .up,
                readings: [KPIReading(date: day("2026-03-31"), value: 10), KPIReading(date: day("2026-04-30"), value: 12)]),
            // down, target 20, now 25: attainment 20/25 = 0.8, flat: 64 + 10 = 74
            KPI(id: "k2", name: "ACoS", unit: "%", target: 20, direction: .down,
                readings: [KPIReading(date: day("2026-04-01"), value: 25), KPIReading(date: day("2026-05-01"), value: 25)]),
            // no target: not counted
            KPI(id: "k3", name: "Traffic", current: 1000),
        ]
    }

    @Test func performanceFromKPIsAgainstTargetAndTrend() {
        #expect(ScorecardRules.performance(kpis, asOf: today).score == 79)  // (84 + 74) / 2
        #expect(ScorecardRules.performance([kpis[2]], asOf: today).score == nil)
        // As of April 15 only the first reading of each counted: conversion 10/15 unknown trend = 53.33 + 10;
        // ACoS 25 vs 20 = 64 + 10; (63.33 + 74) / 2 = 68.67 → 69
        #expect(ScorecardRules.performance(kpis, asOf: day("2026-04-15")).score == 69)
        // A KPI with a target and no value yet is not counted, and said so.
        let unread = KPI(id: "k4", name: "NPS", target: 50, direction: .up)
        #expect(ScorecardRules.performance(kpis + [unread], asOf: today).basis == "0 of 2 KPIs on target (1 with a target and no value yet, not counted)")
        #expect(ScorecardRules.performance(kpis, asOf: today).basis == "0 of 2 KPIs on target")
    }

    @Test func kpiProgressAndTrend() {
        let conversion = kpis[0].progress(asOf: today)
        #expect(conversion.value == 12)
        #expect(conversion.attainment == 0.8)
        #expect(conversion.trend == .improving)
        #expect(conversion.change == 2)
        #expect(conversion.onTarget == false)
        let falling = KPI(id: "k", name: "Returns", target: 5, direction: .down,
                          readings: [KPIReading(date: day("2026-01-01"), value: 4), KPIReading(date: day("2026-02-01"), value: 6)])
        #expect(falling.progress(asOf: today).trend == .worsening)
        #expect(falling.attainment(of: 4) == 1)
        #expect(KPI(id: "k", name: "Hand-set", target: 200, current: 50).progress(asOf: today).attainment == 0.25)
        // Before its first reading a KPI has its hand-set value (a past month read it as without one).
        let read = KPI(id: "k", name: "NPS", target: 50, current: 60, readings: [KPIReading(date: day("2026-03-10"), value: 40)])
        #expect(read.progress(asOf: day("2026-02-28")).value == 60 && read.progress(asOf: day("2026-03-10")).value == 40)
        // Short of the target is never shown as 100% (14.93 of 15 rounded to 100% beside "below target").
        #expect(KPI(id: "k", name: "Close", target: 15, current: 14.93).progress(asOf: today).attainmentPercent == "99%")
        #expect(KPI(id: "k", name: "Met", target: 15, current: 15).progress(asOf: today).attainmentPercent == "100%")
        #expect(KPI(id: "k", name: "Two thirds", target: 3, current: 2).progress(asOf: today).attainmentPercent == "67%")
    }

    /// "Raise conversion 15%" (10 → 11.5): progress is the share of the way from where it started, so a KPI that
    /// never moved is at 0%, not at 87% of its target.
    @Test func kpiProgressIsCountedFromItsBaseline() {
        let up = KPI(id: "k", name: "Conversion", target: 11.5, baseline: 10)
        #expect(up.attainment(of: 10.9)! > 0.599 && up.attainment(of: 10.9)! < 0.601)
        #expect(up.attainment(of: 10) == 0)
        #expect(up.attainment(of: 9) == 0)
        #expect(up.attainment(of: 12) == 1)
        #expect(up.progressBaseline == 10)
        let down = KPI(id: "k", name: "ACoS", target: 25, baseline: 30, direction: .down)
        #expect(down.attainment(of: 27.5) == 0.5)
        #expect(down.attainment(of: 31) == 0)
        #expect(down.attainment(of: 24) == 1)
        // A baseline at or past the target is a level to hold: the ratio, as without one.
        let hold = KPI(id: "k", name: "On time", target: 95, baseline: 97)
        #expect(hold.progressBaseline == nil)
        #expect(hold.attainment(of: 90) == 90.0 / 95)
        #expect(KPI(id: "k", name: "Same", target: 95, baseline: 95).attainment(of: 90) == 90.0 / 95)
        #expect(KPI(id: "k", name: "Down held", target: 20, baseline: 18, direction: .down).attainment(of: 25) == 0.8)
        // The performance health of a KPI that has not moved from its baseline is poor, not healthy.
        let still = KPI(id: "k", name: "Conversion", target: 11.5, current: 10, baseline: 10)
        #expect(ScorecardRules.performance([still], asOf: today).score == 10)
    }

    @Test func deliveryLosesPointsForOverdueActionsOpenConcernsAndFlags() {
        let input = AccountHealthInput(
            actions: [
                ActionItem(id: "1", text: "a", due: day("2026-05-01")),
                ActionItem(id: "2", text: "b", due: day("2026-05-30")),
                ActionItem(id: "3", text: "c", due: day("2026-05-01"), done: true, doneOn: day("2026-05-02")),
                ActionItem(id: "4", text: "d", due: day("2026-06-30")),
            ],
            concerns: [
                Concern(id: "c1", title: "Late deliveries", stepDates: [.acknowledge: day("2026-05-10"), .clarify: day("2026-05-12")]),
                Concern(id: "c2", title: "Invoice errors", stepDates: [.acknowledge: day("2026-04-01"), .close: day("2026-04-20")]),
            ],
            flags: [RiskFlag(id: "f1", title: "Stockout", status: "open"), RiskFlag(id: "f2", title: "Watch", status: "watching")])
        // 100 − 10×2 − 15×1 − 5×1 − 5×1 (action 3 done a day late in May) = 55
        #expect(ScorecardRules.delivery(input, asOf: today).score == 55)
        #expect(ScorecardRules.delivery(input, asOf: today).basis == "2 overdue actions, 1 open concern, 1 open risk flag (1 watched, not counted); in the last 30 days 1 action done late")
        // On April 10 nothing was overdue, the invoice concern was open: 100 − 15 − 5 = 80
        #expect(ScorecardRules.delivery(input, asOf: day("2026-04-10")).score == 80)
        // On April 30 the invoice concern had been raised and closed that month: 100 − 5 − 5 = 90.
        #expect(ScorecardRules.delivery(input, asOf: day("2026-04-30")).score == 90)
        #expect(ScorecardRules.delivery(input, asOf: day("2026-04-30")).basis.hasSuffix("; in the last 30 days 1 concern raised and closed"))
        // A month on, neither counts any more.
        #expect(ScorecardRules.delivery(input, asOf: day("2026-07-15")).basis.contains("last 30") == false)
    }

    @Test func growthFromThePipeline() {
        let opportunities = [
            Opportunity(id: "1", accountID: "a", title: "EU launch", stage: .idea),
            Opportunity(id: "2", accountID: "a", title: "Bundle", stage: .proposal, value: 50_000),
            Opportunity(id: "3", accountID: "a", title: "A+ content", stage: .won, closedOn: day("2026-05-01")),
            Opportunity(id: "4", accountID: "a", title: "Old win", stage: .won, closedOn: day("2026-01-31")),
            Opportunity(id: "5", accountID: "a", title: "Lost", stage: .lost),
        ]
        #expect(ScorecardRules.growth(opportunities, asOf: today).score == 70)  // 10 + 30 + 30
        #expect(ScorecardRules.growth([], asOf: today).score == 0)
        let many = (0..<5).map { Opportunity(id: "\($0)", accountID: "a", title: "", stage: .proposal) }
        #expect(ScorecardRules.growth(many, asOf: today).score == 100)
    }

    /// The guides' "tests running": a test under way with the customer counts beside its stage, from the day it
    /// began and while the opportunity is open.
    @Test func growthCountsTestsRunning() {
        let began = today.adding(days: -10)
        let pilot = Opportunity(id: "1", accountID: "a", title: "Pilot", stage: .qualified, testingSince: began)
        let idea = Opportunity(id: "2", accountID: "a", title: "Idea", stage: .idea)
        let growth = ScorecardRules.growth([pilot, idea], asOf: today)
        #expect(growth.score == 50 && growth.basis == "2 open opportunities (1 with a test running), 0 won in the last 90 days")  // 20 + 20 + 10
        // Before the test began, and once it is won, it is not running.
        #expect(ScorecardRules.growth([pilot, idea], asOf: began.adding(days: -1)).score == 30)
        var won = pilot
        (won.stage, won.closedOn) = (.won, today)
        #expect(!won.testRunning(on: today) && ScorecardRules.growth([won], asOf: today).score == 30)
    }

    @Test func overridesReplaceTheComputedScoreAndOverallIsTheMean() {
        let input = AccountHealthInput(contacts: [Contact(id: "1", name: "Dana", role: .decisionMaker, sentiment: .champion, lastContact: today)], kpis: kpis)
        let card = ScorecardRules.scorecard(input, month: today.monthOfYear, asOf: today,
                                            overrides: [.relationship: (50, "champion is leaving")])
        // relationship computed: 6.67 + 20 + 40 + 20 = 86.67 → 87, at most 60 with one contact; overridden to 50
        #expect(card.area(.relationship).computed == 60)
        #expect(card.area(.relationship).basis.hasSuffix("; single-threaded: at most 60"))
        #expect(card.area(.relationship).score == 50)
        #expect(card.area(.relationship).band == .watch)
        #expect(card.area(.performance).score == 79)
        #expect(card.area(.delivery).score == 100)
        #expect(card.area(.growth).score == 0)
        #expect(card.area(.growth).band == .atRisk)
        #expect(card.overall == 57)  // (50 + 79 + 100 + 0) / 4 = 57.25
    }

    @Test func pipelineTotals() {
        let summary = PipelineSummary([
            Opportunity(id: "1", accountID: "a", title: "", stage: .idea, value: 10_000),
            Opportunity(id: "2", accountID: "a", title: "", stage: .qualified, value: 20_000),
            Opportunity(id: "3", accountID: "b", title: "", stage: .proposal, value: 50_000),
            Opportunity(id: "4", accountID: "b", title: "", stage: .won, value: 40_000),
            Opportunity(id: "5", accountID: "b", title: "", stage: .lost, value: 99_000),
        ])
        #expect(summary.openCount == 3)
        #expect(summary.openValue == 80_000)
        #expect(summary.weightedValue == 37_000)  // 1,000 + 6,000 + 30,000
        #expect(summary.wonValue == 40_000)
        #expect(summary.count[.lost] == 1)
    }
}
