import RapportKAM
import RapportReplica
import RapportReport
import RapportSync

/// An account's key-account work at a glance, for `account show`: the stakeholder map, the success plan, the
/// meeting rhythm, the next actions, the risk flags, the pipeline and this month's health. Each figure is the one
/// the command that shows it whole gives (`stakeholders`, `plan show`, `due`, `action list`, `flag list`,
/// `pipeline`, `scorecard show`), read by the same rules, so the two never disagree.
struct AccountOverview {
    var today: Day
    var archived: Bool
    var contacts: [Contact]
    /// Not spoken to for longer than the map allows, and never spoken to: the map names them apart.
    var lapsed: Int
    var neverContacted: Int
    var goalsOpen: Int
    var goalsPastDue: Int
    var kpis: Int
    /// The meetings held on the latest day one was (a weekly check-in and a monthly review are often held together).
    var lastMeetings: [MeetingDate]
    var nextMeeting: MeetingDate?
    /// The rhythm's meetings due by today (key accounts only: the rhythm is theirs).
    var meetingsDue: [DueMeeting]
    var actionsOpen: Int
    var actionsOverdue: Int
    /// Open by the day, as the scorecard counts them (one raised on a day ahead, from a clock ahead, is not yet),
    /// and those watched, which it does not count.
    var openFlags: [Record]
    var watchedFlags: Int
    var pipeline: PipelineSummary
    var health: Scorecard

    init(_ data: AccountData, keySince: Day?, health: Scorecard, today: Day) {
        self.today = today
        archived = data.isArchived
        contacts = data.contacts(asOf: today)
        let cold = RelationshipMap.coldContacts(contacts, today: today)
        neverContacted = cold.filter { $0.lastContact == nil }.count
        lapsed = cold.count - neverContacted
        let goals = data.goals.map(AccountData.goal)
        goalsOpen = goals.filter { $0.status == .open }.count
        goalsPastDue = Goal.dueForReview(goals, today: today.adding(days: -1)).count
        kpis = data.kpis.count
        let held = data.meetingDates.filter { $0.date <= today }
        let lastDay = held.map(\.date).max()
        lastMeetings = Array(Set(held.filter { $0.date == lastDay })).sorted { MeetingKind.allCases.firstIndex(of: $0.kind)! < MeetingKind.allCases.firstIndex(of: $1.kind)! }
        nextMeeting = data.meetingDates.filter { $0.date > today }.min { ($0.date, $0.kind.rawValue) < ($1.date, $1.kind.rawValue) }
        meetingsDue = data.isKey ? Cadence.dueMeetings(data.meetingDates, today: today, keySince: keySince) : []
        let actions = data.actionItems
        actionsOpen = actions.filter { $0.isOpen(asOf: today) }.count
        actionsOverdue = actions.filter { $0.isOverdue(asOf: today) }.count
        let flags = Dictionary(uniqueKeysWithValues: data.flagValues.map { ($0.id, $0) })
        openFlags = data.flags.filter { flags[$0.id]?.isOpen(asOf: today) ?? false }
        watchedFlags = data.flagValues.filter { $0.isWatched(asOf: today) }.count
        pipeline = PipelineSummary(data.opportunityValues)
        self.health = health
    }

    /// Read as `due` and `scorecard` read it: the account as recorded by the end of today (a colleague's clock
    /// ahead stamps changes tomorrow), the rhythm from the day it became key by then.
    static func load(_ replica: Replica, account: Record, today: Day) throws -> AccountOverview {
        let data = try AccountData.load(replica, account: account).asRecorded(by: today, replica)
        let keySince = data.isKey ? try AccountData.keySince(replica, [data], before: AccountData.cutoff(after: today))[data.id] : nil
        let health = try data.shownScorecard(month: today.monthOfYear, today: today, recalling: replica)
        return AccountOverview(data, keySince: keySince, health: health, today: today)
    }

    var champions: Int { contacts.filter { $0.sentiment == .champion }.count }
    var blockers: Int { contacts.filter { $0.role == .blocker }.count }
    /// The map's own warnings, in its words (single-threaded, no decision-maker); none asked of an empty map.
    var warnings: [String] { contacts.isEmpty ? [] : RelationshipMap.warnings(contacts).map(\.description) }

    private static func count(_ n: Int, _ one: String, _ many: String? = nil) -> String {
        "\(n) \(n == 1 ? one : many ?? one + "s")"
    }

    /// The lines under "at a glance", each a label and what it says.
    var lines: [(label: String, text: String)] {
        var out: [(String, String)] = []
        // (The question only of an account in use: an archived one's work is done.)
        var map = [contacts.isEmpty ? (archived ? "none mapped" : "none mapped yet: who signs, who influences, who uses our work?") : Self.count(contacts.count, "stakeholder")]
        if champions > 0 { map.append(Self.count(champions, "champion")) }
        if blockers > 0 { map.append(Self.count(blockers, "blocker")) }
        if lapsed > 0 { map.append("\(lapsed) not spoken to for over \(RelationshipMap.defaultColdAfterDays) days") }
        if neverContacted > 0 { map.append("\(neverContacted) never contacted") }
        out.append(("stakeholders", ([map.joined(separator: ", ")] + warnings).joined(separator: "; ")))
        var plan = [Self.count(goalsOpen, "goal") + " open"]
        if goalsPastDue > 0 { plan.append("\(goalsPastDue) past \(goalsPastDue == 1 ? "its" : "their") day") }
        plan.append(Self.count(kpis, "KPI"))
        out.append(("success plan", plan.joined(separator: ", ")))
        var meetings = [lastMeetings.first.map { "last \($0.date) (\(lastMeetings.map(\.kind.title).joined(separator: ", ")))" } ?? "none held yet"]
        if let nextMeeting { meetings.append("next \(nextMeeting.date) (\(nextMeeting.kind.title))") }
        if !meetingsDue.isEmpty {
            meetings.append("due: " + meetingsDue.map { m in
                (m.daysOverdue > 0 ? "\(m.kind.title) since \(m.due)" : "\(m.kind.title) today") + (m.planned.map { " (planned \($0))" } ?? "")
            }.joined(separator: ", "))
        }
        out.append(("meetings", meetings.joined(separator: "; ")))
        out.append(("actions", "\(actionsOpen) open" + (actionsOverdue > 0 ? ", \(actionsOverdue) overdue" : "")))
        let kinds = openFlags.map { $0["kind"].display }
        out.append(("risk flags", "\(openFlags.count) open" + (kinds.isEmpty ? "" : " (\(kinds.joined(separator: ", ")))") + (watchedFlags > 0 ? ", \(watchedFlags) watched" : "")))
        let won = pipeline.wonValue > 0 || pipeline.wonUnvalued > 0 ? "; won \(Figures.money(pipeline.wonValue))\(Figures.unvalued(pipeline.wonUnvalued))" : ""
        out.append(("pipeline", "\(pipeline.openCount) open worth \(Figures.money(pipeline.openValue))\(Figures.unvalued(pipeline.openUnvalued)), weighted \(Figures.money(pipeline.weightedValue))" + won))
        // A mark on an area set by hand, as `portfolio` marks it (`scorecard` says why).
        let areas = health.areas.map { "\($0.area.rawValue) \($0.score.map(String.init) ?? "-")\($0.override != nil ? "*" : "")" }.joined(separator: ", ")
        let overall = health.overall.map { "\($0) (\(HealthBand(score: $0).rawValue))" } ?? "-"
        // Recorded before its end (`--before-end`), as `scorecard` says it.
        let recorded = AccountData.recordedOn(health).map { $0 < health.month.lastDay ? "recorded \($0), before the month's end" : "recorded" } ?? "so far"
        let byHand = health.areas.contains { $0.override != nil } ? " (* set by hand)" : ""
        out.append(("health", "\(overall) in \(health.month), \(recorded): \(areas)\(byHand)"))
        return out
    }

    var json: JSON {
        func money(_ amount: Double) -> JSON { .number((amount * 100).rounded() / 100) }
        func meeting(_ m: MeetingDate?) -> JSON { m.map { .object(["date": .string($0.date.description), "kind": .string($0.kind.rawValue)]) } ?? .null }
        return .object([
            "as_of": .string(today.description),
            "stakeholders": .int(Int64(contacts.count)),
            "champions": .int(Int64(champions)), "blockers": .int(Int64(blockers)),
            "cold": .int(Int64(lapsed + neverContacted)), "never_contacted": .int(Int64(neverContacted)),
            "warnings": .array(warnings.map(JSON.string)),
            "decision_maker_mapped": .bool(contacts.contains { $0.role == .decisionMaker }),
            "goals_open": .int(Int64(goalsOpen)), "goals_past_due": .int(Int64(goalsPastDue)), "kpis": .int(Int64(kpis)),
            // (With every kind held that day, as the text lists them.)
            "last_meeting": lastMeetings.first.map { .object(["date": .string($0.date.description), "kind": .string($0.kind.rawValue),
                                                              "kinds": .array(lastMeetings.map { .string($0.kind.rawValue) })]) } ?? .null,
            "next_meeting": meeting(nextMeeting),
            "meetings_due": .array(meetingsDue.map { m in
                .object(["kind": .string(m.kind.rawValue), "due": .string(m.due.description), "last": m.last.map { .string($0.description) } ?? .null,
                         "planned": m.planned.map { .string($0.description) } ?? .null])
            }),
            "actions_open": .int(Int64(actionsOpen)), "actions_overdue": .int(Int64(actionsOverdue)),
            "open_flags": .array(openFlags.map { .object(["id": .string($0.id), "kind": JSON($0["kind"]), "title": JSON($0["title"])]) }),
            "watched_flags": .int(Int64(watchedFlags)),
            "pipeline": .object(["open_count": .int(Int64(pipeline.openCount)), "open_value": money(pipeline.openValue),
                                 "open_without_value": .int(Int64(pipeline.openUnvalued)), "weighted_value": money(pipeline.weightedValue),
                                 "won_value": money(pipeline.wonValue), "won_without_value": .int(Int64(pipeline.wonUnvalued))]),
            "health": ScorecardCommand.json(health),
        ])
    }
}
