import ArgumentParser
import Foundation
import RapportKAM
import RapportReplica
import RapportReport
import RapportSync

/// `rapport report ACCOUNT`: the account review for a period.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "An account review: performance trends, root causes, actions taken, next actions, stakeholders, scorecard.",
        discussion: "Markdown prints to the terminal; --format html writes one self-contained file with inline SVG charts that opens in any browser offline.")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var asOf: AsOfOptions
    @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
    @Option(help: "YYYY-MM, YYYY-Qn, YYYY or FROM..TO (YYYY-MM-DD..YYYY-MM-DD); default this month so far.") var period: String?
    @Option(help: "md or html (default: html for an --out file ending in .html or .htm, else md).") var format: String?
    @Option(help: "Write to this file instead of standard output ('-': standard output, as `export` takes it).") var out: String?

    func validate() throws {
        if let format, !["md", "markdown", "html"].contains(format.lowercased()) { throw ValidationError("--format '\(format)' is not known: give md or html") }
        // A file named for another format (review.pdf, review.docx) would hold Markdown under its name and not open.
        if format == nil, let out, out != "-" {
            let ext = URL(fileURLWithPath: out).pathExtension.lowercased()
            if ["pdf", "doc", "docx", "odt", "rtf", "pages", "ppt", "pptx", "key", "xls", "xlsx", "csv", "png", "jpg", "jpeg", "svg"].contains(ext) {
                throw ValidationError("--out \(out): a report is Markdown (.md) or HTML (.html), not .\(ext); nothing was written: name the file .md or .html " +
                                      "(a browser prints the HTML one to PDF), or give --format md to write Markdown under that name")
            }
        }
    }

    /// As `export` picks its format by the file's extension: `--out review.html` wrote Markdown into it.
    var html: Bool {
        if let format { return format.lowercased() == "html" }
        let ext = out.map { URL(fileURLWithPath: $0).pathExtension.lowercased() } ?? ""
        return ext == "html" || ext == "htm"
    }

    func run() throws {
        let today = try asOf.pastDay()
        var span = Period.monthToDate(today)
        if let period {
            guard let parsed = Period.parse(period, today: today) else {
                // A day the calendar lacks (2026-11-31) read as the wrong shape of period.
                if let impossible = period.components(separatedBy: "..").map({ $0.trimmingCharacters(in: .whitespaces) })
                    .first(where: { $0.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil && Day($0) == nil }) {
                    throw ValidationError("--period '\(period)': \(impossible) is not a day of the calendar; give days that exist, e.g. 2026-04-01..2026-06-30")
                }
                let ends = period.components(separatedBy: "..").compactMap { Day($0.trimmingCharacters(in: .whitespaces)) }
                if ends.count == 2, ends[0] > ends[1] {
                    throw ValidationError("--period '\(period)' ends before it starts: give the earlier day first (\(ends[1])..\(ends[0]))")
                }
                throw ValidationError("--period '\(period)' is not a period: give 2026-05, 2026-Q2, 2026 or 2026-04-01..2026-06-30")
            }
            // A review of what has not happened would fill a future period with today's figures.
            if parsed.start > today {
                throw ValidationError("--period \(parsed) has not begun yet (\(Today.said(today))): review a period that has begun by then, such as \(today.monthOfYear)")
            }
            // Dates elsewhere are refused outside these years; a review of 1800 is a typo.
            guard FieldSpec.typedYears.contains(parsed.start.year), FieldSpec.typedYears.contains(parsed.end.year) else {
                throw ValidationError("--period '\(period)' is out of range: give a period from \(FieldSpec.typedYears.lowerBound) to \(FieldSpec.typedYears.upperBound)")
            }
            span = parsed
            // A period that runs past today is reviewed up to today: said, as the review's title shows it shorter.
            if let far = Day(year: FieldSpec.typedYears.upperBound, month: 12, day: 31), let whole = Period.parse(period, today: far), whole.end > parsed.end {
                warn("note: --period \(period) runs past \(today): the review covers \(parsed)")
            }
        }
        let replica = try replica.open()
        let record = try Lookup.account(replica, account)
        // A copy merged away holds nothing now (its records moved): its review read as an empty, at-risk account.
        if let into = try Sync.mergedInto(replica, record, followingMerges: true), !into.deleted {
            warn("note: \(record["name"].display) (\(short(record.id))) was merged into \(into["name"].display) (\(short(into.id))), where its records are now: " +
                 "this review shows the archived copy (`rapport report \(short(into.id))` reviews the account kept)")
        }
        var data = try AccountData.load(replica, account: record, withNotes: true).asRecorded(by: min(span.end, today), replica)
        data.keySince = try AccountData.keySince(replica, [data], before: AccountData.cutoff(after: min(span.end, today)))[data.id]
        // A period before the account was recorded, with nothing of it dated by its end (a year mistyped, most
        // likely): a review of then shows its records as they stand (the rule for history entered afterwards),
        // every meeting of the rhythm due and every KPI unread. Said, with the day it was recorded.
        if let cutoff = AccountData.cutoff(after: min(span.end, today)), try !AccountData.recordedBefore(cutoff, accounts: [data.id], replica).contains(data.id),
           !data.hasRecordsDated(by: min(span.end, today)) {
            let recorded = try replica.valueSetAt("account", field: "name", rows: [data.id], first: true)[data.id].flatMap(Today.day(ms:))
            warn("note: \(data.name) was recorded \(recorded.map { "on \($0)" } ?? "later"), after the period reviewed (\(span)), and nothing of it is dated by its end: the review shows its records as they stand " +
                 "(check --period; a history entered afterwards is dated back with its meetings' and readings' days)")
        }
        // The plan of then (`asRecorded`): a KPI added later is left out on an account followed by then, and on
        // one recorded afterwards stands, due from the period's end when never read.
        let added = try replica.kpisAdded(data.kpis.map(\.id))
        var input = Self.input(data, period: span, today: today, inReview: Set(try replica.conflicts().map { "\($0.key.row)/\($0.key.field)" }),
                               kpisAdded: added.filter { $0.value <= min(span.end, today) })
        input.generated = Today.local
        // A recorded month's figures with the reasons of the computation when it was recorded (the Basis column read
        // "recorded 2026-11-30" alone, and a review is read for its causes).
        // (From the data as it stands: `data` is already a view of the period's end, which a second view would
        // add the stakeholders removed since to again.)
        if AccountData.isRecorded(input.scorecard) {
            let current = try AccountData.load(replica, account: record)
            if let then = try current.recomputedAsOfRecording(input.scorecard, replica) {
                input.scorecard.areas = input.scorecard.areas.map { a in var a = a; a.basis = AccountData.why(a, then: then); return a }
            }
            // The month under way recorded before its end: its figures now beside, as `scorecard` gives them.
            input.scorecardNow = try current.scorecardNow(beside: input.scorecard, today: today, replica)
        }
        // Archived as of the period's end: a review of November said "archived" of an account archived in December.
        if let cutoff = AccountData.cutoff(after: min(span.end, today)) {
            input.account.archived = try replica.heldSince("account", field: "archived", value: .bool(true), rows: [data.id], before: cutoff)[data.id] != nil
        }
        let doc = AccountReport.document(input)
        let text = html ? HTMLReport.render(doc) : MarkdownReport.render(doc)
        // `-` is standard output, as `export` reads it: it wrote a file named "-".
        guard let out, out != "-" else { return print(text, terminator: "") }
        try OutputFile.write(text, to: out)
        print("Wrote the \(data.name) review for \(span) to \(out).")
    }

    /// The scorecard of the month the period ends in: what was recorded for a month that ended with the
    /// period (as `scorecard` and `portfolio` show it; the report recomputed it with today's data and disagreed
    /// with them), otherwise computed as of the period's end. The month under way, recorded before its end
    /// (`--before-end`), shows what was recorded when the period runs to today, as `scorecard` and `portfolio` do.
    /// `asOf`: the day it was computed as of, when not the month's end (the report says "as of" that day).
    static func scorecard(_ d: AccountData, end: Day, today: Day) -> (card: Scorecard, asOf: Day?) {
        let month = end.monthOfYear
        let whole = month < today.monthOfYear ? end == month.lastDay : end >= today && d.recordedRow(month: month, today: today) != nil
        return whole ? (d.shownScorecard(month: month, today: today), nil) : (d.scorecard(month: month, today: end), end == month.lastDay ? nil : end)
    }

    /// The report's view of the account: the scorecard as of the period's end, everything else as recorded.
    /// `inReview` holds "row/field" of each text with concurrent versions waiting for review: the report shows
    /// the latest, marked so, as `note show` does (a report sent out would otherwise carry one side of a
    /// disagreement as settled).
    static func input(_ d: AccountData, period: Period, today: Day, inReview: Set<String> = [], kpisAdded: [String: Day] = [:]) -> ReportInput {
        func text(_ record: Record, _ field: String, _ shown: String? = nil) -> String {
            let value = shown ?? record[field].display
            // Plain words: the report is read as HTML too, where backticks would show as they are.
            return inReview.contains("\(record.id)/\(field)") && !value.isEmpty ? "(in review: concurrent versions wait in rapport conflicts; this is the latest) " + value : value
        }
        let end = min(period.end, today)
        let a = d.account
        let (card, asOf) = scorecard(d, end: end, today: today)
        var input = ReportInput(
            account: .init(name: d.name, owner: a["owner"].display, tier: a["tier"].display, industry: a["industry"].display,
                           revenue: a["revenue"].double, nextRenewal: a["next_renewal"].day, keySince: d.keySince),
            period: period, today: today, scorecard: card)
        input.scorecardAsOf = asOf
        input.account.archived = a["archived"] == .bool(true)
        input.history = d.history(before: end.monthOfYear)
        input.goals = d.goals.map { .init(outcome: $0["outcome"].display, due: $0["due"].day, status: $0["status"].textValue ?? "open") }
        input.kpis = d.kpis.map { k in
            var kpi = d.kpi(k)
            kpi.added = kpisAdded[k.id]
            return .init(kpi: kpi, cadence: k["cadence"].display, notes: text(k, "notes"))
        }
        input.meetings = d.meetings.compactMap { m in
            guard let kind = m["kind"].textValue.flatMap(MeetingKind.init(rawValue:)), let date = m["date"].day else { return nil }
            return .init(kind: kind, date: date, attendees: m["attendees"].display, notes: text(m, "notes"))
        }
        input.actions = d.actionItems
        input.concerns = d.concerns.map { c in
            var texts: [ConcernStep: String] = [:]
            for step in ConcernStep.allCases { texts[step] = text(c, ConcernFields.text(step)) }
            return .init(concern: AccountData.concern(c), texts: texts, commitDue: c["commit_due"].day)
        }
        input.flags = zip(d.flags, d.flagValues).map { .init(flag: $1, kind: $0["kind"].display, notes: text($0, "notes"), closedOn: $0["closed_on"].day) }
        input.planRisks = d.risks.map { .init(kind: $0["kind"].textValue ?? "risk", title: $0["title"].display, owner: $0["owner"].display, status: $0["status"].textValue ?? "open", notes: text($0, "notes")) }
        input.stakeholders = zip(d.stakeholders, d.contacts(asOf: end)).map { .init(contact: $1, title: $0["title"].display) }
        input.opportunities = d.opportunities.map { (AccountData.opportunity($0), $0["kind"].display) }
        input.notes = d.notes.compactMap { n in
            guard let written = NoteCommand.writtenDay(n["created_at"].display) else { return nil }
            let title = n["title"].display
            return .init(title: title, kind: n["kind"].display, written: written, text: text(n, "body", afterTitle(n["body"].display, title: title)))
        }
        return input
    }

    /// A note's text without its first line when the title is that line (as `note add` takes it), so that the
    /// review does not say it twice; whole when the title was cut short or given apart.
    static func afterTitle(_ body: String, title: String) -> String {
        var lines = body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        guard let first = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }), Format.titleLine(body) == title,
              Format.titleLine(String(lines[first])).count == lines[first].trimmingCharacters(in: .whitespaces).count else { return body }
        lines.removeSubrange(...first)
        return lines.joined(separator: "\n")
    }
}
