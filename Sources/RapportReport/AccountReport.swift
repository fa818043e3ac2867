import RapportKAM

/// Builds the account review: scorecard, performance trends, root causes, actions taken, next actions,
/// stakeholders, pipeline and risks, all for one period.
public enum AccountReport {
    public static func document(_ input: ReportInput) -> ReportDocument {
        let a = input.account
        var facts = ["\(input.period)", "owner \(a.owner.isEmpty ? "-" : a.owner)", "tier \(a.tier.isEmpty ? "-" : a.tier)"]
        if a.archived { facts.append("archived") }
        if !a.industry.isEmpty { facts.append(a.industry) }
        if let revenue = a.revenue { facts.append("revenue \(Figures.money(revenue))") }
        if let renewal = a.nextRenewal { facts.append("renewal \(renewal)") }
        // A review viewed as of an earlier day says so, and still when it was made: "generated" on the day
        // it looks back from read as the day it was printed.
        if let generated = input.generated, generated != input.today {
            facts.append("as of \(input.today)")
            facts.append("generated \(generated)")
        } else {
            facts.append("generated \(input.today)")
        }
        return ReportDocument(
            title: "Account review: \(a.name)",
            subtitle: facts.joined(separator: " · "),
            sections: [scorecard(input), performance(input), rootCauses(input), actionsTaken(input), notes(input), nextActions(input),
                       stakeholders(input), pipeline(input)])
    }

    static func scoreText(_ score: Int?) -> String { score.map(String.init) ?? "-" }

    static func scorecard(_ input: ReportInput) -> ReportDocument.Section {
        let card = input.scorecard
        var blocks: [ReportDocument.Block] = [.table(
            header: ["Area", "Health", "Band", "Basis"],
            rows: card.areas.map { area in
                let basis = area.override != nil ? "set by hand: \(area.reason ?? "") (computed \(scoreText(area.computed)): \(area.basis))" : area.basis
                return [area.area.rawValue, scoreText(area.score), area.band?.rawValue ?? "-", basis]
            })]
        blocks.append(.paragraph("Overall health \(input.scorecardAsOf.map { "as of \($0)" } ?? "for \(card.month)"): \(scoreText(card.overall))\(card.overall.map { " (\(HealthBand(score: $0).rawValue))" } ?? "")."))
        if let now = input.scorecardNow, now.areas.map(\.score) != card.areas.map(\.score) {
            let figures = now.areas.map { "\($0.area.rawValue) \(scoreText($0.score))" }.joined(separator: ", ")
            blocks.append(.paragraph("Now (\(input.today)): \(figures), overall \(scoreText(now.overall)); the figures above were recorded before the month's end and stand for it until it is recorded again."))
        }
        let months = (input.history + [card]).sorted { $0.month < $1.month }
        if months.count > 1 {
            blocks.append(.subheading("Month by month"))
            // A figure set by hand is marked, as `scorecard` and `portfolio` mark it.
            blocks.append(.table(header: ["Month"] + HealthArea.allCases.map(\.rawValue) + ["overall"], rows: months.map { m in
                [m.month.description] + HealthArea.allCases.map { scoreText(m.area($0).score) + (m.area($0).override != nil ? "*" : "") } + [scoreText(m.overall)]
            }))
            if months.contains(where: { m in HealthArea.allCases.contains { m.area($0).override != nil } }) { blocks.append(.paragraph("* set by hand.")) }
            let colours = ["#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd"]
            blocks.append(.chart(LineChart(
                title: "Scorecard history (0-100)",
                series: HealthArea.allCases.enumerated().map { i, area in
                    LineChart.Series(name: area.rawValue, colour: colours[i], points: months.enumerated().compactMap { x, m in
                        m.area(area).score.map { (Double(x), Double($0)) }
                    })
                },
                xLabels: months.enumerated().map { (Double($0.offset), $0.element.month.description) },
                yRange: 0...100)))
        }
        return .init(title: "Scorecard", blocks: blocks)
    }

    static func performance(_ input: ReportInput) -> ReportDocument.Section {
        var blocks: [ReportDocument.Block] = []
        if !input.goals.isEmpty {
            blocks.append(.subheading("Goals"))
            blocks.append(.bullets(input.goals.map { g in
                "\(g.outcome) (\(g.status)\(g.due.map { ", due \($0)" } ?? ""))"
            }))
        }
        guard !input.kpis.isEmpty else {
            blocks.append(.paragraph("No KPIs in the success plan yet."))
            return .init(title: "Performance trends", blocks: blocks)
        }
        // From the period's start to its end: `plan` and the scorecard's trend is the last two readings', which a
        // column named "Trend" alone contradicted.
        // Two KPIs of one name (two laptops each added "NPS") are told apart by their ids, as `plan show` lists them.
        let names = Dictionary(grouping: input.kpis.map { $0.kpi.name.lowercased() }, by: { $0 }).filter { $0.value.count > 1 }
        func shown(_ kpi: KPI) -> String { names[kpi.name.lowercased()] == nil ? kpi.name : "\(kpi.name) (\(kpi.id.prefix(8)))" }
        blocks.append(.table(header: ["KPI", "Target", "Start", "End", "Change", "Progress", "Trend in period"], rows: input.kpis.map { entry in
            var row = kpiRow(entry.kpi, period: input.period)
            row[0] = shown(entry.kpi)
            return row
        }))
        for entry in input.kpis {
            let readings = Array(entry.kpi.readings(through: input.period.end).suffix(12))
            guard !readings.isEmpty else { continue }
            var series = [LineChart.Series(name: entry.kpi.name, colour: "#1f77b4", points: readings.map { (Double($0.date.ordinal), $0.value) })]
            if let target = entry.kpi.target {
                let xs = readings.map { Double($0.date.ordinal) }
                series.append(.init(name: "target", colour: "#d62728", points: [(xs.first!, target), (max(xs.last!, xs.first! + 1), target)], dashed: true))
            }
            let labelled = readings.count <= 6 ? readings : stride(from: 0, to: readings.count, by: Int((Double(readings.count) / 6).rounded(.up))).map { readings[$0] }
            blocks.append(.chart(LineChart(
                title: "\(shown(entry.kpi))\(entry.kpi.unit.isEmpty ? "" : " (\(entry.kpi.unit))")\(entry.kpi.target == nil ? "" : " against target")",
                series: series,
                xLabels: labelled.map { (Double($0.date.ordinal), String($0.date.description.dropFirst(5))) })))
        }
        return .init(title: "Performance trends", blocks: blocks)
    }

    /// A KPI over the period: its value the day before the period (or its first reading in it), its progress at
    /// the end, and its trend from the one to the other (the last two readings alone read "improving" beside a fall
    /// over the period); unknown where no reading in the period follows the start.
    static func overPeriod(_ kpi: KPI, _ period: Period) -> (start: Double?, end: KPIProgress, trend: Trend) {
        let end = kpi.progress(asOf: period.end)
        let before = kpi.progress(asOf: period.start.adding(days: -1))
        let firstInPeriod = kpi.readings(through: period.end).first { period.contains($0.date) }
        // The hand-set value a KPI has before its first reading starts no trend where readings follow: the first
        // reading in the period does (it read "unknown" once past days took that value).
        let fromBefore = before.value != nil && (before.asOf != nil || kpi.readings.isEmpty)
        let start = fromBefore ? before.value : firstInPeriod?.value
        let startDay = fromBefore ? before.asOf : firstInPeriod?.date
        guard let s = start, let e = end.value, let startDay, let endDay = end.asOf, startDay < endDay else { return (start, end, .unknown) }
        return (start, end, kpi.trend(from: s, to: e))
    }

    static func kpiRow(_ kpi: KPI, period: Period) -> [String] {
        let (startValue, end, trend) = overPeriod(kpi, period)
        let row = [kpi.target, kpi.progressBaseline, startValue, end.value]
        var change = "-"
        if let s = startValue, let e = end.value {
            // A rate's change is in percentage points: "+1.5%" of 11% read as 11.165%.
            change = (e - s > 0 ? "+" : "") + Figures.amount(e - s, unit: kpi.isRate ? "pp" : kpi.unit, alike: row)
        }
        let sign = kpi.direction == .up ? "≥" : "≤"
        // With the baseline progress is counted from, as `plan show` gives it.
        let from = kpi.progressBaseline.map { " from \(Figures.amount($0, unit: kpi.unit, alike: row))" } ?? ""
        let target = kpi.target.map { "\(sign) \(Figures.amount($0, unit: kpi.unit, alike: row))\(from)" } ?? "-"
        let progress = end.attainmentPercent ?? "-"
        return [kpi.name, target, Figures.amount(startValue, unit: kpi.unit, alike: row), Figures.amount(end.value, unit: kpi.unit, alike: row), change, progress, trend.rawValue]
    }

    static func rootCauses(_ input: ReportInput) -> ReportDocument.Section {
        var blocks: [ReportDocument.Block] = []
        for entry in input.kpis where !entry.notes.trimmed.isEmpty {
            let (_, p, trend) = overPeriod(entry.kpi, input.period)
            // No attainment means no target, or a target with no value yet to compare with it.
            let state = p.onTarget.map { $0 ? "on target" : "below target" } ?? (entry.kpi.target == nil ? "no target" : "no reading yet")
            blocks.append(.subheading("\(entry.kpi.name): \(state), \(trend.rawValue)"))
            blocks.append(.quote(entry.notes))
        }
        // Every concern open at the period's end, clarified or not: one only acknowledged showed nowhere but as a
        // dated line among the actions taken, while `account show` lists it as open.
        let end = min(input.period.end, input.today)
        let open = input.concerns.filter { $0.concern.isOpen(asOf: end) }
        if !open.isEmpty {
            blocks.append(.subheading("Open concerns"))
            blocks.append(.bullets(open.map { entry in
                let steps = entry.concern.standingSteps.filter { $0.value <= end }
                // (Open, it stands at a step short of the close, which comes next at the latest.)
                let step = ConcernStep.allCases.last { steps[$0] != nil }
                let next = ConcernStep.allCases.first { s in !steps.keys.contains(s) && step.map { ConcernStep.allCases.firstIndex(of: s)! > ConcernStep.allCases.firstIndex(of: $0)! } ?? true }
                return "\(entry.concern.title) (\(step.map { "\($0.state) \(steps[$0]!)" } ?? "raised")\(next.map { "; next: \($0.rawValue)" } ?? ""))"
            }))
        }
        for entry in input.concerns where entry.concern.isOpen(asOf: input.period.end) || entry.concern.stepDates.values.contains(where: input.period.contains) {
            // Clarified by the period's end: a clarification dated after it was quoted in the review of before,
            // beside "next: clarify".
            guard let clarified = entry.texts[.clarify], !clarified.trimmed.isEmpty,
                  let day = entry.concern.standingSteps[.clarify], day <= end else { continue }
            blocks.append(.subheading("Concern: \(entry.concern.title)"))
            blocks.append(.quote(clarified))
        }
        // As the scorecard counts them: a flag raised after the period is not one of its causes. Only those with
        // notes, which say why: "Pipeline and risks" lists every flag, and a bare title here read as the same
        // list twice.
        for f in input.flags where f.flag.status != "closed" && (f.flag.raisedOn.map { $0 <= input.period.end } ?? true) && !f.notes.trimmed.isEmpty {
            blocks.append(.subheading("Risk flag (\(f.kind), \(f.flag.status)): \(f.flag.title)"))
            blocks.append(.quote(f.notes))
        }
        let risks = input.planRisks.filter { $0.status != "resolved" }
        if !risks.isEmpty {
            blocks.append(.subheading("Open risks and dependencies"))
            blocks.append(.bullets(risks.map { "\($0.kind): \($0.title) (\($0.status)\($0.owner.isEmpty ? "" : ", owner \($0.owner)"))" + ($0.notes.trimmed.isEmpty ? "" : ": \($0.notes.trimmed)") }))
        }
        if blocks.isEmpty { blocks.append(.paragraph("Nothing recorded: KPI notes (`rapport plan kpi notes`), open and clarified concerns and the notes of risk flags (`rapport flag notes`) show here.")) }
        return .init(title: "Root causes", blocks: blocks)
    }

    static func actionsTaken(_ input: ReportInput) -> ReportDocument.Section {
        var items: [(Day, String)] = []
        for m in input.meetings where input.period.contains(m.date) {
            let who = m.attendees.isEmpty ? "" : " with \(m.attendees)"
            // The first line stands for the notes; "…" says there is more (decisions on later lines went unseen).
            let lines = m.notes.trimmed.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
            let note = lines.first.map { ": \($0)\(lines.count > 1 ? " …" : "")" } ?? ""
            items.append((m.date, "\(m.kind.title)\(who)\(note)"))
        }
        for a in input.actions where a.done {
            if let on = a.doneOn, input.period.contains(on) {
                items.append((on, "done: \(a.text)\(a.owner.isEmpty ? "" : " (\(a.owner))")"))
            }
        }
        // What the period brought to an end: a risk flag closed, a deal won.
        let end = min(input.period.end, input.today)
        for f in input.flags where f.closed(in: input.period, by: end) {
            items.append((f.closedOn!, "risk flag closed: \(f.flag.title) (\(f.kind))"))
        }
        for (o, _) in input.opportunities where o.stage == .won {
            guard let on = o.closedOn, input.period.contains(on), on <= end else { continue }
            items.append((on, "won: \(o.title)\(o.valued ? " (\(Figures.money(o.value)))" : "")"))
        }
        for entry in input.concerns {
            // A step dated before one ahead of it (recorded apart on two laptops) was recorded, but does not
            // stand: listed bare, a close would read as done while the concern is still open.
            let standing = entry.concern.standingSteps
            for step in ConcernStep.allCases {
                if let on = entry.concern.stepDates[step], input.period.contains(on) {
                    let aside = standing[step] == nil ? " (recorded out of order: it does not stand until recorded again)" : ""
                    // What was committed, and the proof the loop closed with: the guides' "follow up with proof".
                    let said = (step == .commit || step == .close) ? entry.texts[step].flatMap { text -> String? in
                        let lines = text.trimmed.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
                        return lines.first.map { ": \($0)\(lines.count > 1 ? " …" : "")" }
                    } ?? "" : ""
                    items.append((on, "concern \"\(entry.concern.title)\" \(step.state)\(aside)\(said)"))
                }
            }
        }
        let blocks: [ReportDocument.Block] = items.isEmpty
            ? [.paragraph("Nothing recorded in this period.")]
            : [.bullets(items.sorted { $0.0 < $1.0 }.map { "\($0.0) \($0.1)" })]
        return .init(title: "Actions taken", blocks: blocks)
    }

    /// The notes written in the period, whole: what the team learned, which the figures do not say.
    static func notes(_ input: ReportInput) -> ReportDocument.Section {
        let end = min(input.period.end, input.today)
        var blocks: [ReportDocument.Block] = []
        for note in input.notes where note.written >= input.period.start && note.written <= end {
            blocks.append(.subheading("\(note.written) \(note.title)\(note.kind == "account" || note.kind.isEmpty ? "" : " (\(note.kind) note)")"))
            if !note.text.trimmed.isEmpty { blocks.append(.quote(note.text)) }
        }
        if blocks.isEmpty { blocks.append(.paragraph("No notes written in this period (`rapport note add` writes one).")) }
        return .init(title: "Notes", blocks: blocks)
    }

    /// How far past the period's end the next actions look for meetings and KPI readings due: a month, the time
    /// to the next review (with a week, a review made on the 1st left out the monthly review due on the 10th and
    /// the month-end readings; QA).
    static let lookAhead = 30

    static func nextActions(_ input: ReportInput) -> ReportDocument.Section {
        var blocks: [ReportDocument.Block] = []
        // As of the period's end, as its scorecard is: a past month's review listed today's open actions.
        let end = min(input.period.end, input.today)
        let open = input.actions.filter { $0.isOpen(asOf: end) }.sorted { ($0.due ?? Day(ordinal: Int.max / 2)) < ($1.due ?? Day(ordinal: Int.max / 2)) }
        if !open.isEmpty {
            blocks.append(.table(header: ["Action", "Owner", "Due", "Status"], rows: open.map { a in
                [a.text, a.owner, a.due?.description ?? "-", a.isOverdue(asOf: end) ? "overdue" : ""]
            }))
        }
        // A past period's review does not know the meetings held after it as planned then.
        let known = end < input.today ? input.meetings.filter { $0.date <= end } : input.meetings
        let due = Cadence.dueMeetings(known.map { MeetingDate(kind: $0.kind, date: $0.date) }, today: end, within: Self.lookAhead, keySince: input.account.keySince)
        if input.account.tier == "key", !due.isEmpty {
            blocks.append(.subheading("Meetings the rhythm asks for"))
            blocks.append(.bullets(due.map { d in
                "\(d.kind.title) \(d.daysOverdue > 0 ? "overdue since" : "due") \(d.due)" + " (\(Cadence.describe(last: d.last, planned: d.planned, today: end)))"
            }))
        }
        // Planned on time, a meeting is not due, and the review named none of the meetings ahead; nor the KPI
        // readings the plan's cadences ask for, which `rapport due` lists. (Ahead of a past period's end, what
        // was planned then is not known: only a period that reaches today lists them.)
        // One named above as planned late ("...; planned 2026-12-08") is not listed again.
        let plannedLate = Swift.Set(due.compactMap { d in d.planned.map { "\(d.kind.rawValue) \($0)" } })
        let planned = end < input.today ? [] : input.meetings.filter {
            $0.date > end && $0.date <= end.adding(days: 30) && !(input.account.tier == "key" && plannedLate.contains("\($0.kind.rawValue) \($0.date)"))
        }.sorted { $0.date < $1.date }
        if !planned.isEmpty {
            blocks.append(.subheading("Meetings planned"))
            blocks.append(.bullets(planned.map { "\($0.kind.title) on \($0.date)" }))
        }
        // Not a KPI added after the period (its `added` day, when known, is after `end`), unless it was read by
        // then: one entered afterwards with its past readings was kept by then, as `rapport due` counts it.
        let readings = KPI.dueReadings(input.kpis.map(\.kpi).filter { ($0.added ?? end) <= end || !$0.readings(through: end).isEmpty }, today: end, within: Self.lookAhead)
        if !readings.isEmpty {
            blocks.append(.subheading("KPI readings due"))
            blocks.append(.bullets(readings.map { r in
                "\(r.name): \(r.cadence.rawValue) reading \(r.due < end ? "overdue since" : "due") \(r.due) (\(r.last.map { "last \($0)" } ?? "none recorded yet"))"
            }))
        }
        // The contract's renewal, from the quarter ahead that `rapport due` lists it in: a review a fortnight
        // before it left it out.
        if let renewal = input.account.nextRenewal, Renewal.isListed(renewal, today: end) {
            let days = end.days(until: renewal)
            blocks.append(.subheading("Contract renewal"))
            blocks.append(.bullets([days >= 0 ? "Renewal on \(renewal) (\(days == 0 ? "that day" : "in \(days) day\(days == 1 ? "" : "s")"))"
                : "Renewal on \(renewal) has passed: the next one is not recorded yet (the account's next_renewal)"]))
        }
        let commitments = input.concerns.filter { $0.concern.isOpen(asOf: end) && $0.concern.standingSteps[.commit].map { $0 <= end } ?? false }
        if !commitments.isEmpty {
            blocks.append(.subheading("Commitments on open concerns"))
            blocks.append(.bullets(commitments.map { c in
                "\(c.concern.title)\(c.commitDue.map { " (\($0 < end ? "overdue since" : "due") \($0))" } ?? ""): \(c.texts[.commit]?.trimmed ?? "")"
            }))
        }
        if blocks.isEmpty { blocks.append(.paragraph("No open actions.")) }
        return .init(title: "Next actions", blocks: blocks)
    }

    static func stakeholders(_ input: ReportInput) -> ReportDocument.Section {
        let contacts = input.stakeholders.map(\.contact)
        var blocks: [ReportDocument.Block] = RelationshipMap.warnings(contacts).map { .warning($0.description) }
        // As of the period's end, as the contacts and the scorecard are: against today, a review of last
        // month warned of contacts gone cold that its own scorecard counted as recent.
        let cold = RelationshipMap.coldContacts(contacts, today: min(input.period.end, input.today), coldAfterDays: input.coldAfterDays)
        if let warning = RelationshipMap.coldWarning(cold, coldAfterDays: input.coldAfterDays) { blocks.append(.warning(warning)) }
        if !contacts.isEmpty {
            let titles = Dictionary(input.stakeholders.map { ($0.contact.id, $0.title) }, uniquingKeysWith: { a, _ in a })
            var rows: [[String]] = []
            for group in RelationshipMap.grouped(contacts) {
                for c in group.contacts {
                    rows.append([group.role?.rawValue ?? "(no role)", c.name, titles[c.id] ?? "", c.sentiment?.rawValue ?? "-", c.lastContact?.description ?? "never"])
                }
            }
            blocks.append(.table(header: ["Role", "Name", "Title", "Sentiment", "Last contact"], rows: rows))
        }
        return .init(title: "Stakeholders", blocks: blocks)
    }

    static func pipeline(_ input: ReportInput) -> ReportDocument.Section {
        var blocks: [ReportDocument.Block] = []
        // What existed by the period's end (an opportunity spotted, a flag raised later is not the period's),
        // each at the stage and status recorded by then (the command reads them from the log).
        let end = min(input.period.end, input.today)
        // Not one closed before the period: a Q4 review listed February's win and counted it as won.
        let opportunities = input.opportunities.filter { o in
            (o.opportunity.openedOn ?? end) <= end && (o.opportunity.stage.isOpen || (o.opportunity.closedOn.map { $0 >= input.period.start } ?? true))
        }
        if end < input.today { blocks.append(.paragraph("Opportunities and flags that existed by \(end), at their stage and status as recorded by then.")) }
        let all = opportunities.map(\.opportunity)
        if !all.isEmpty {
            // One entered afterwards as won or lost on a day after the period has no stage of then on record: it
            // was not won then (an October review counted a deal won in November, its scorecard did not).
            func closedAfter(_ o: Opportunity) -> Bool { !o.stage.isOpen && (o.closedOn.map { $0 > end } ?? false) }
            let summary = PipelineSummary(all.filter { !closedAfter($0) })
            blocks.append(.table(header: ["Opportunity", "Kind", "Stage", "Value"], rows: opportunities.sorted { $0.opportunity.value > $1.opportunity.value }.map { o in
                let stage = closedAfter(o.opportunity) ? "\(o.opportunity.stage.rawValue) \(o.opportunity.closedOn!), after the period"
                    : o.opportunity.testRunning(on: end) ? "\(o.opportunity.stage.rawValue), testing since \(o.opportunity.testingSince!)" : o.opportunity.stage.rawValue
                return [o.opportunity.title, o.kind, stage, o.opportunity.valued ? Figures.money(o.opportunity.value) : "-"]
            }))
            let later = all.filter(closedAfter).count
            let note = later == 0 ? "" : " \(later == 1 ? "One opportunity" : "\(later) opportunities") closed after the period, with no stage of then on record, \(later == 1 ? "is" : "are") counted in neither."
            let tests = all.filter { $0.testRunning(on: end) }.count
            let testing = tests == 0 ? "" : " (\(tests) with a test running)"
            blocks.append(.paragraph("Open pipeline \(Figures.money(summary.openValue)) in \(summary.openCount) opportunit\(summary.openCount == 1 ? "y" : "ies")\(testing)\(Figures.unvalued(summary.openUnvalued)), weighted \(Figures.money(summary.weightedValue)); won in the period \(Figures.money(summary.wonValue))\(Figures.unvalued(summary.wonUnvalued))." + note))
        }
        // And those closed in the period: raised and closed within a month, a stockout was in no review.
        let flags = input.flags.filter { ($0.flag.status != "closed" || $0.closed(in: input.period, by: end)) && ($0.flag.raisedOn ?? end) <= end }
        if !flags.isEmpty {
            blocks.append(.subheading("Risk flags"))
            blocks.append(.bullets(flags.map { f in
                let closed = f.flag.status == "closed" ? f.closedOn.map { " \($0)" } ?? "" : ""
                return "\(f.kind) (\(f.flag.status)\(closed)\(f.flag.raisedOn.map { ", raised \($0)" } ?? "")): \(f.flag.title)"
            }))
        }
        if all.isEmpty, flags.isEmpty { blocks = [.paragraph("No opportunities or risk flags recorded\(end < input.today ? " by \(end)" : "").")] }
        return .init(title: "Pipeline and risks", blocks: blocks)
    }
}

extension String {
    /// Without the blank lines around it, each line break "\n" (a note written on Windows has "\r\n"), and the
    /// first line's indent kept: a quoted text as it was laid out.
    var withoutBlankEnds: String {
        var lines = split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    var trimmed: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
