extension Schema {
    /// The key-account records: selection matrix, stakeholder map, success plan, meetings and actions,
    /// opportunities and risk flags, concerns and the monthly scorecard.
    ///
    /// Rows that two managers could create for the same logical thing at the same time (a score, a KPI
    /// reading, a scorecard month) get deterministic ids (`RowKeys` in RapportKAM), so offline creations
    /// merge per field instead of duplicating. Free text is reviewed text: concurrent edits go to review.
    static let keyAccountEntities: [EntitySpec] = [
        EntitySpec(name: "criterion", table: "criteria", fields: [
            FieldSpec("name", .text, help: "What accounts are scored on, e.g. revenue, growth potential."),
            FieldSpec("weight", .real(min: 0, max: 100), help: "Relative weight, above 0 and at most 100; weights are normalised by their sum."),
            FieldSpec("description", .text, help: "What a 1 and a 10 mean."),
            FieldSpec("retired", .bool, help: "Retired criteria no longer count; adding the name again brings it back."),
        ]),
        EntitySpec(name: "score", table: "scores", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("criterion", .reference(entity: "criterion")),
            FieldSpec("value", .int(min: 1, max: 10), help: "1 (poor) to 10 (excellent)."),
        ]),
        EntitySpec(name: "stakeholder", table: "stakeholders", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("name", .text, help: "The person's name."),
            FieldSpec("title", .text, help: "Their job title."),
            FieldSpec("email", .text),
            FieldSpec("role", .choice(["decision-maker", "influencer", "user", "blocker"]), help: "Their part in buying decisions.").historyKept,
            FieldSpec("sentiment", .choice(["champion", "positive", "neutral", "negative"]), help: "How they feel about us.").historyKept,
            FieldSpec("last_contact", .date, help: "When we last spoke with them (YYYY-MM-DD).").historyKept,
            .reviewed("notes", help: "What we know about them."),
        ]),
        EntitySpec(name: "goal", table: "goals", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("outcome", .text, help: "A business outcome, e.g. 'raise conversion 15%'."),
            FieldSpec("due", .date, help: "When the outcome should be reached."),
            // A goal reached is "done" or "met" to most people; the words a tracker uses for one given up, too.
            FieldSpec("status", .choice(["open", "achieved", "missed", "dropped"]))
                .called(["done": "achieved", "met": "achieved", "reached": "achieved", "completed": "achieved", "complete": "achieved",
                         "finished": "achieved", "abandoned": "dropped", "cancelled": "dropped", "canceled": "dropped", "reopened": "open"]).historyKept,
            .reviewed("notes"),
        ]),
        EntitySpec(name: "kpi", table: "kpis", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("goal", .reference(entity: "goal"), help: "The goal the KPI measures (optional)."),
            FieldSpec("name", .text, help: "e.g. conversion rate."),
            FieldSpec("unit", .text, help: "e.g. %, EUR, days."),
            // History kept: a past month's performance is counted against the target and baseline of then (a target
            // raised in November changed October's).
            FieldSpec("target", .real(min: nil, max: nil)).historyKept,
            FieldSpec("current", .real(min: nil, max: nil), help: "The value before any reading is recorded; the latest reading supersedes it."),
            FieldSpec("baseline", .real(min: nil, max: nil), help: "Where the KPI started: progress is counted from it to the target.").historyKept,
            FieldSpec("direction", .choice(["up", "down"]), help: "up: higher is better; down: lower is better."),
            // (As the target: a past review's readings due follow the cadence of then.)
            FieldSpec("cadence", .choice(["weekly", "monthly"]), help: "How often the KPI is reported.").historyKept,
            .reviewed("notes", help: "Why it moved: the root causes a report shows."),
        ]),
        EntitySpec(name: "kpi_reading", table: "kpi_readings", fields: [
            FieldSpec("kpi", .reference(entity: "kpi")),
            FieldSpec("date", .date),
            FieldSpec("value", .real(min: nil, max: nil)),
        ]),
        EntitySpec(name: "plan_role", table: "plan_roles", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("side", .choice(["ours", "theirs"])),
            FieldSpec("person", .text),
            FieldSpec("responsibility", .text),
        ]),
        EntitySpec(name: "plan_risk", table: "plan_risks", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("kind", .choice(["risk", "dependency"])),
            FieldSpec("title", .text),
            FieldSpec("owner", .text).historyKept,
            // History kept: a past review lists the risks open then (one resolved in December was open in July).
            // A flag's last status is "closed" (`flag set status=closed`): the same word ends a plan's risk.
            FieldSpec("status", .choice(["open", "in-progress", "resolved"]))
                .called(["closed": "resolved", "done": "resolved", "fixed": "resolved", "solved": "resolved", "mitigated": "resolved",
                         "started": "in-progress", "ongoing": "in-progress", "reopened": "open"]).historyKept,
            .reviewed("notes"),
        ]),
        EntitySpec(name: "meeting", table: "meetings", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("kind", .choice(["weekly", "monthly", "quarterly", "adhoc"]), help: "weekly check-in, monthly review, quarterly strategy session, or ad hoc.")
                // The names `due` and `meeting show` give the meetings (`MeetingKind.title`; a test holds them to it),
                // and the guides' shorter ones. Not a bare "review" or "check-in": a quarterly business review is one.
                .called(["weekly check-in": "weekly", "monthly review": "monthly", "quarterly strategy session": "quarterly",
                         "quarterly strategy": "quarterly", "strategy session": "quarterly", "quarterly review": "quarterly",
                         "qbr": "quarterly", "quarterly business review": "quarterly", "ad hoc meeting": "adhoc"]),
            FieldSpec("date", .date),
            FieldSpec("attendees", .text, help: "Who took part, comma-separated."),
            .reviewed("notes", help: "The meeting notes."),
        ]),
        EntitySpec(name: "action", table: "actions", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("meeting", .reference(entity: "meeting"), help: "The meeting that agreed it (optional)."),
            FieldSpec("text", .text, help: "What is to be done."),
            FieldSpec("owner", .text),
            FieldSpec("due", .date),
            FieldSpec("done", .bool),
            FieldSpec("done_on", .date, help: "When it was done."),
        ]),
        EntitySpec(name: "opportunity", table: "opportunities", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("kind", .choice(["new-market", "bundle", "catalogue", "creative", "scaling", "other"])),
            FieldSpec("title", .text),
            // A CRM's names for the stages (Salesforce's "Closed Won", "Negotiation/Review"), which an export gives.
            FieldSpec("stage", .choice(["idea", "qualified", "proposal", "won", "lost"]))
                .called(["closed won": "won", "closed lost": "lost", "prospecting": "idea", "qualification": "qualified", "needs analysis": "qualified",
                         "negotiation": "proposal", "negotiation/review": "proposal", "proposal/price quote": "proposal"]).historyKept,
            FieldSpec("value", .real(min: 0, max: nil), help: "Estimated yearly value.").historyKept,
            FieldSpec("opened_on", .date),
            FieldSpec("closed_on", .date, help: "When it was won or lost.").historyKept,
            FieldSpec("testing_since", .date, help: "The day a test of it began with the customer (a pilot, an A/B test of content); empty when none is running.").historyKept,
            .reviewed("notes"),
        ]),
        EntitySpec(name: "risk_flag", table: "risk_flags", fields: [
            FieldSpec("account", .reference(entity: "account")),
            // The guides' words for them ("stockouts, policy risks, review dips").
            FieldSpec("kind", .choice(["stockout", "policy", "reviews", "competitor", "other"]))
                .called(["review dip": "reviews", "review dips": "reviews", "review": "reviews", "stockouts": "stockout", "out of stock": "stockout",
                         "policy risk": "policy", "competitors": "competitor"]),
            FieldSpec("title", .text),
            FieldSpec("status", .choice(["open", "watching", "closed"])).called(["watch": "watching", "watched": "watching", "resolved": "closed", "done": "closed", "fixed": "closed",
                                                                                  "solved": "closed", "mitigated": "closed", "reopened": "open"]).historyKept,
            FieldSpec("raised_on", .date),
            // Kept as its status is: reopened, a flag's close day is cleared, and the review of the month it closed
            // in read it closed on no day, in neither its flags nor what was done (review).
            FieldSpec("closed_on", .date, help: "When it was closed.").historyKept,
            .reviewed("notes"),
        ]),
        // A concern's state is the furthest step that has a date, not a field of its own: two managers who
        // record different steps offline then cannot move it backwards by last-writer-wins.
        EntitySpec(name: "concern", table: "concerns", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("title", .text),
            FieldSpec("acknowledged_on", .date),
            .reviewed("acknowledge_text", help: "The concern in our own words."),
            FieldSpec("clarified_on", .date),
            .reviewed("clarify_text", help: "Examples, dates and impact."),
            FieldSpec("committed_on", .date),
            .reviewed("commit_text", help: "The next steps and timelines agreed."),
            FieldSpec("commit_due", .date, help: "When the committed steps are due."),
            FieldSpec("closed_on", .date),
            .reviewed("close_text", help: "The proof we followed up with."),
        ]),
        EntitySpec(name: "scorecard", table: "scorecards", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("month", .text, help: "YYYY-MM"),
            FieldSpec("relationship", .int(min: 0, max: 100)),
            FieldSpec("performance", .int(min: 0, max: 100)),
            FieldSpec("delivery", .int(min: 0, max: 100)),
            FieldSpec("growth", .int(min: 0, max: 100)),
            FieldSpec("recorded_on", .date),
        ]),
        EntitySpec(name: "scorecard_override", table: "scorecard_overrides", fields: [
            FieldSpec("account", .reference(entity: "account")),
            FieldSpec("month", .text, help: "YYYY-MM"),
            FieldSpec("area", .choice(["relationship", "performance", "delivery", "growth"])),
            FieldSpec("score", .int(min: 0, max: 100), help: "0-100; empty removes the override."),
            FieldSpec("reason", .text, help: "Why the computed health is wrong this month."),
        ]),
    ]
}
