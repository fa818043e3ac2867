import ArgumentParser
import RapportKAM
import RapportReplica
import RapportSync

/// `--month YYYY-MM`, default the current month.
struct MonthOption: ParsableArguments {
    @Option(help: ArgumentHelp("The month (YYYY-MM; default this month).", valueName: "month")) var month: String?

    func resolve(today: Day) throws -> Month {
        guard let month else { return today.monthOfYear }
        guard let m = Month(month) else { throw ValidationError("--month '\(month)' is not a month: give YYYY-MM, e.g. 2026-05") }
        // A month to come has no figures: today's would be shown under its name.
        guard m.firstDay <= today else { throw ValidationError("--month \(m) has not begun yet (\(Today.said(today))): give \(today.monthOfYear) or an earlier month") }
        guard FieldSpec.typedYears.contains(m.year) else {
            throw ValidationError("--month \(m) is out of range: give a month from \(FieldSpec.typedYears.lowerBound) to \(FieldSpec.typedYears.upperBound)")
        }
        return m
    }
}

/// `rapport scorecard`: monthly health per account.
struct ScorecardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorecard",
        abstract: "An account's monthly scorecard: relationship, performance, delivery and growth health, 0-100.",
        discussion: """
            relationship = 20 × min(contacts,3)/3 + 20 with a decision-maker + 40 × mean sentiment (champion 1, positive \
            0.75, neutral or not set 0.5, negative 0) + 20 × share contacted in the last 30 days, at most 60 with one contact. performance = mean over KPIs with \
            a target of 80 × attainment (the share of the way from its baseline to the target, else value ÷ target) + 20 × trend (the latest reading against the one before: improving 1, flat/unknown 0.5, worsening 0; a report's "trend in period" compares the period's start and end). delivery = 100 − 10 \
            per overdue action − 15 per open concern − 5 per open risk flag − 5 per action done late and per concern raised and \
            closed, both in the last 30 days. growth = 10 per idea, 20 per qualified, 30 \
            per proposal, + 20 per open one with a test running (`opportunity test`), + 30 per win in the last 90 days (max 100). overall = the mean of the four areas as shown (a hand override in place of the computed figure), rounded. 70+ healthy, 40-69 watch, below 40 at-risk. \
            `scorecard record` keeps a month's figures for the history; `scorecard override` sets an area by hand.
            """,
        subcommands: [Show.self, RecordMonth.self, Override.self],
        defaultSubcommand: Show.self)

    static func json(_ card: Scorecard) -> JSON {
        .object([
            "month": .string(card.month.description),
            "overall": card.overall.map { .int(Int64($0)) } ?? .null,
            "areas": .object(Dictionary(uniqueKeysWithValues: card.areas.map { a in
                (a.area.rawValue, JSON.object([
                    "score": a.score.map { .int(Int64($0)) } ?? .null, "computed": a.computed.map { .int(Int64($0)) } ?? .null,
                    "override": a.override.map { .int(Int64($0)) } ?? .null, "reason": a.reason.map(JSON.string) ?? .null,
                    "band": a.band.map { .string($0.rawValue) } ?? .null, "basis": .string(a.basis),
                ]))
            })),
        ])
    }

    static func cell(_ a: AreaHealth) -> String {
        guard let score = a.score else { return "-" }
        return "\(score) \(a.band!.rawValue)\(a.override != nil ? "*" : "")"
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an account's scorecard for a month and its history.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var month: MonthOption
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String

        func run() throws {
            let today = try asOf.pastDay()
            let month = try month.resolve(today: today)
            let replica = try replica.open()
            let data = try AccountData.load(replica, account: try Lookup.account(replica, account))
            let card = try data.shownScorecard(month: month, today: today, recalling: replica)
            let history = data.history(before: month)
            // A recorded month: why, in the words of the computation as of its recording; the month under way,
            // recorded before its end, with its figures now beside (recorded, they stand for it until recorded again).
            let then = try data.recomputedAsOfRecording(card, replica)
            let now = try data.scorecardNow(beside: card, today: today, replica)
            if output.json {
                guard case .object(var o) = ScorecardCommand.json(card) else { return }
                o["account"] = .string(data.id)
                o["name"] = .string(data.name)
                o["archived"] = .bool(data.isArchived)
                o["history"] = .array(history.map(ScorecardCommand.json))
                o["recomputed_as_of_recording"] = then.map(ScorecardCommand.json) ?? .null
                o["computed_now"] = now.map(ScorecardCommand.json) ?? .null
                return try JSON.object(o).print()
            }
            let again = month < today.monthOfYear ? "--month \(month)" : "--before-end"
            let early = AccountData.recordedOn(card).flatMap { $0 < month.lastDay ? " (recorded \($0), before the month's end: `rapport scorecard record \(Shell.quote(data.name)) \(again)` records it again)" : nil }
            print("\(data.name)\(data.archivedMark): scorecard \(month)\(early ?? (month == today.monthOfYear ? " (as of \(today))" : ""))")
            print(Format.table(["AREA", "HEALTH", "BAND", "WHY"], card.areas.map { a in
                let why = a.override != nil ? "set by hand: \(a.reason ?? "") (computed \(a.computed.map(String.init) ?? "-"))" : AccountData.why(a, then: then)
                return [a.area.rawValue, a.score.map(String.init) ?? "-", a.band?.rawValue ?? "-", why]
            }))
            print("overall: \(card.overall.map { "\($0) (\(HealthBand(score: $0).rawValue))" } ?? "-")")
            if let now, now.areas.map(\.score) != card.areas.map(\.score) {
                let figures = now.areas.map { "\($0.area.rawValue) \($0.score.map(String.init) ?? "-")" }.joined(separator: ", ")
                print("now (\(today)): \(figures), overall \(now.overall.map(String.init) ?? "-"); the recorded figures stand for \(month) until it is recorded again")
            }
            if !history.isEmpty {
                print("\nHistory (* set by hand)")
                print(Format.table(["MONTH"] + HealthArea.allCases.map { $0.rawValue.uppercased() } + ["OVERALL"], history.map { h in
                    [h.month.description] + HealthArea.allCases.map { ScorecardCommand.cell(h.area($0)) } + [h.overall.map { "\($0) \(HealthBand(score: $0).rawValue)" } ?? "-"]
                }))
            } else {
                // `record --all` records key accounts only: a standard account is named.
                let command = data.isKey ? "--all" : Shell.quote(data.name)
                print("\nNo earlier month recorded yet: `rapport scorecard record \(command)` at each month's end keeps the figures.")
            }
        }
    }

    /// Of `accounts` (key ones of `month`), those whose scorecard of the month is to be recorded: not recorded,
    /// or recorded before the month's end (`--before-end`: its figures stand only until then). An account entered
    /// after the month (nothing of it recorded by its end) has no month to record: `--all` counted it key then.
    static func unrecorded(_ replica: Replica, month: Month, among accounts: [Record]) throws -> (accounts: [Record], enteredAfter: Int) {
        let rows = try replica.records("scorecard", whereIn: ("id", accounts.map { .text(RowKeys.scorecard(account: $0.id, month: month)) }), fields: ["recorded_on"])
        let final = Swift.Set(rows.filter { ($0["recorded_on"].day ?? month.lastDay) >= month.lastDay }.map(\.id))
        let open = accounts.filter { !final.contains(RowKeys.scorecard(account: $0.id, month: month)) }
        guard !open.isEmpty, let cutoff = AccountData.cutoff(after: month.lastDay) else { return (open, 0) }
        var followed = try AccountData.recordedBefore(cutoff, accounts: open.map(\.id), replica)
        // One a copy was merged into stands for the copy: followed by then if the copy was (the customer was).
        let later = open.filter { !followed.contains($0.id) }.map { FieldValue.text($0.id) }
        let copies = try replica.records("account", whereIn: ("merged_into", later), fields: ["merged_into"])
        let copiesFollowed = try AccountData.recordedBefore(cutoff, accounts: copies.map(\.id), replica)
        followed.formUnion(copies.filter { copiesFollowed.contains($0.id) }.map { $0["merged_into"].display })
        let kept = open.filter { followed.contains($0.id) }
        return (kept, open.count - kept.count)
    }

    struct RecordMonth: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "record", abstract: "Keep a month's computed scorecard for the history (run at each month's end).")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var month: MonthOption
        @Argument(help: "The accounts (names or id prefixes).") var accounts: [String] = []
        @Flag(help: "Every key account.") var all = false
        @Flag(help: "Every key account of the month whose scorecard is not recorded yet, or was only before the month's end (those recorded after it are left as they are; one entered after the month has none to record).")
        var unrecorded = false
        @Option(help: "With --all or --unrecorded: only the key accounts this person owned at the month's end.") var owner: String?
        @Flag(name: .customLong("before-end"), help: "Record a month that is not over yet, with its figures as of today (they stand as the month's until it is recorded again).")
        var beforeEnd = false

        func validate() throws {
            if !accounts.isEmpty, all || unrecorded { throw ValidationError("name the accounts or give --\(all ? "all" : "unrecorded"), not both") }
            if all, unrecorded { throw ValidationError("give --all (every key account, recorded again) or --unrecorded (those not recorded yet), not both") }
            if accounts.isEmpty, !all, !unrecorded { throw ValidationError("name the accounts, or give --all for every key account (--unrecorded for those not recorded yet)") }
            if owner != nil, !all, !unrecorded { throw ValidationError("--owner goes with --all or --unrecorded: the named accounts are recorded whoever owns them") }
            if let owner, owner.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--owner needs a user name, e.g. --owner bob") }
        }

        func run() throws {
            let today = try asOf.pastDay()
            let month = try month.resolve(today: today)
            // Recorded early, a month's figures as of that day stood, once it ended, as the month's own: the
            // portfolio of a month showed December 5th's as December's, and said "recorded".
            if today < month.lastDay, !beforeEnd {
                // (Whatever the day: a manager closing November on December 6th met no way to it.)
                let ended = self.month.month == nil
                    ? "; `rapport scorecard record --month \(month.adding(months: -1))\(all ? " --all" : unrecorded ? " --unrecorded" : "")` records the month that ended" : ""
                throw ValidationError("\(month) is not over (as of \(today)): record it on its last day, \(month.lastDay), or after\(ended) " +
                                      "(--before-end records it now all the same, with the figures of \(today))")
            }
            // Said, as the flag reads as recording the figures of today: a month over is recorded as of its end.
            if beforeEnd, today >= month.lastDay {
                warn("note: --before-end changes nothing from a month's last day on (\(month.lastDay)): the \(month) figures are recorded as of \(month.lastDay)")
            }
            let replica = try replica.open()
            let changed = try AccountData.changedRows(replica, after: min(today, month.lastDay))
            // The key accounts of the month, as `portfolio --key` chooses them.
            var records = all || unrecorded
                ? try AccountData.activeAccounts(replica, asOf: min(today, month.lastDay), changed: changed, ownedBy: owner?.trimmingCharacters(in: .whitespaces))
                    .filter { $0["tier"].textValue == "key" }
                : try accounts.map { try Lookup.account(replica, $0) }
            // No key account of an owner no one is: a name mistyped, said as `due --owner` says it ("Recorded the
            // scorecard of 0 accounts." alone read as done).
            if let owner, records.isEmpty, let notice = try noOwnerNotice(owner.trimmingCharacters(in: .whitespaces), replica: replica) { warn("note: \(notice)") }
            if unrecorded {
                let open = try ScorecardCommand.unrecorded(replica, month: month, among: records)
                guard !open.accounts.isEmpty else {
                    let whose = owner.map { " of \($0)" } ?? ""
                    let later = open.enteredAfter == 0 ? "" : "\(open.enteredAfter) entered after its end \(open.enteredAfter == 1 ? "has" : "have") no month to record (--all records \(open.enteredAfter == 1 ? "it" : "them") all the same)"
                    // None recorded at all: "recorded already" read as done.
                    if records.isEmpty {
                        // Key now, and not in that month: the advice to make one key was what had just been done.
                        let keyNow = try replica.activeAccounts(fields: ["tier", "owner"]).contains { a in
                            a["tier"].textValue == "key" && owner.map { sameIgnoringCase(a["owner"].display, $0.trimmingCharacters(in: .whitespaces)) } ?? true
                        }
                        return print(keyNow ? "No account\(whose) was key in \(month): none to record (an account made key since counts from then)."
                            : "No key account\(whose) to record for \(month)\(owner == nil ? " (`rapport account set ACCOUNT tier=key` makes one key)" : "").")
                    }
                    if records.count == open.enteredAfter { return print("No key account\(whose)'s \(month) scorecard is left to record: \(later).") }
                    return print("Every key account\(whose)'s \(month) scorecard is recorded already\(later.isEmpty ? "" : "; " + later).")
                }
                records = open.accounts
            }
            let removed = try AccountData.removedStakeholders(replica, after: min(today, month.lastDay))
            let cards = try AccountData.loadAll(replica, accounts: records).map {
                ($0, try $0.asRecorded(by: min(today, month.lastDay), replica, changed: changed, removed: removed).scorecard(month: month, today: today))
            }
            let earlier = try cards.compactMap { data, _ in
                try replica.record("scorecard", id: RowKeys.scorecard(account: data.id, month: month))?["recorded_on"].day
            }
            // One row per account and month: recording again, or by two managers, updates it rather than adding another.
            try replica.change { tx in
                for (data, card) in cards {
                    let row = RowKeys.scorecard(account: data.id, month: month)
                    try tx.set("scorecard", row: row, "account", to: .text(data.id))
                    try tx.set("scorecard", row: row, "month", to: .text(month.description))
                    for a in card.areas { try tx.set("scorecard", row: row, a.area.rawValue, to: a.computed.map { .int(Int64($0)) } ?? .null) }
                    try tx.set("scorecard", row: row, "recorded_on", to: .text(today.description))
                }
            }
            print("Recorded the \(month) scorecard of \(cards.count) account\(cards.count == 1 ? "" : "s").")
            if let replaced = earlier.max(), let first = earlier.min() {
                let end = month.lastDay
                // Of several accounts, recorded on several days: which, and when (one date named only the last).
                let which = earlier.count == 1 && cards.count == 1 ? "" : " of \(earlier.count) account\(earlier.count == 1 ? "" : "s")"
                let when = first == replaced ? "on \(replaced)" : "from \(first) to \(replaced)"
                // A month recorded at its end, recorded again before it (an --as-of mid-month) loses the end's figures.
                if replaced >= end, today < end {
                    warn("note: this replaced the \(month) figures\(which) recorded \(when), after the month's end, with figures as of \(today); `rapport scorecard record --month \(month)` without --as-of records the whole month again")
                } else {
                    warn("note: this replaced the \(month) figures\(which) recorded \(when)")
                }
            } else if today < month.lastDay {
                warn("note: \(month) is not over: its figures are as of \(today); record it again at its end")
            }
        }
    }

    struct Override: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "override", abstract: "Set an area's health by hand for a month, with the reason (or --clear).")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var month: MonthOption
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
        @Argument(help: "relationship, performance, delivery or growth.") var area: String
        // Read as text: ArgumentParser's own words for 45.5 were "The value '45.5' is invalid for '<score>'".
        @Argument(help: ArgumentHelp("The health, 0-100.", valueName: "score")) var scoreText: String?
        /// A whole number, also as a spreadsheet writes one ("45.0").
        var score: Int? {
            guard var typed = scoreText?.trimmingCharacters(in: .whitespaces) else { return nil }
            // A health is out of 100: "80%" is 80, as --margin 12% is 12.
            if typed.hasSuffix("%") { typed = String(typed.dropLast()).trimmingCharacters(in: .whitespaces) }
            if let whole = Int(typed) { return whole }
            guard let number = Double(typed), number.isFinite, number == number.rounded(), abs(number) < 1e6 else { return nil }
            return Int(number)
        }
        @Option(help: "Why the computed figure is wrong this month.") var reason: String?
        @Flag(help: "Remove the override: the computed figure stands again.") var clear = false

        func validate() throws {
            guard HealthArea(rawValue: area.lowercased()) != nil else {
                let likely = Format.likely(area, among: HealthArea.allCases.map(\.rawValue))
                throw ValidationError("'\(area)' is not an area\(likely): give relationship, performance, delivery or growth")
            }
            if clear, scoreText != nil { throw ValidationError("give a score or --clear, not both") }
            if clear { return }
            if let scoreText, score == nil {
                throw ValidationError("'\(scoreText)' is not a health: give a whole number from 0 to 100, e.g. `rapport scorecard override ACME relationship 40 --reason \"champion left\"`")
            }
            // A negative number is not seen as the score: ArgumentParser drops "-1" as an unknown short option.
            if scoreText == nil, let negative = CommandLine.arguments.first(where: { $0.wholeMatch(of: /-[0-9]+(\.[0-9]+)?%?/) != nil }) {
                throw ValidationError("a health of \(negative) is out of range: give 0 to 100")
            }
            guard let score else { throw ValidationError("give the health 0-100, e.g. `rapport scorecard override ACME relationship 40 --reason \"champion left\"`") }
            guard (0...100).contains(score) else { throw ValidationError("a health of \(scoreText ?? "\(score)") is out of range: give 0 to 100") }
            guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("say why with --reason: an override without a reason cannot be reviewed") }
        }

        func run() throws {
            let area = HealthArea(rawValue: area.lowercased())!
            let month = try month.resolve(today: Today.local)
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            let row = RowKeys.override(account: record.id, month: month, area: area)
            if clear, try replica.record("scorecard_override", id: row)?["score"] ?? .null == .null {
                return print("\(record["name"].display) \(area.rawValue) \(month) has no override: the computed figure stands; nothing was changed.")
            }
            try Lookup.warnIfArchived(record, replica)
            try replica.change { tx in
                try tx.set("scorecard_override", row: row, "account", to: .text(record.id))
                try tx.set("scorecard_override", row: row, "month", to: .text(month.description))
                try tx.set("scorecard_override", row: row, "area", to: .text(area.rawValue))
                try tx.set("scorecard_override", row: row, "score", to: clear ? .null : .int(Int64(score!)))
                try tx.set("scorecard_override", row: row, "reason", to: clear ? .null : .text(reason!))
            }
            print(clear ? "\(record["name"].display) \(area.rawValue) \(month): computed again." : "\(record["name"].display) \(area.rawValue) \(month): \(score!) by hand.")
        }
    }
}

/// `rapport portfolio`: every account's scorecard side by side.
struct PortfolioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "portfolio",
        abstract: "Every account's scorecard for a month, weakest first, with its open concerns.")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var month: MonthOption
    @Option(help: "Accounts of this owner only.") var owner: String?
    @Flag(help: "Key accounts only.") var key = false

    func run() throws {
        let today = try asOf.pastDay()
        let month = try month.resolve(today: today)
        let replica = try replica.open()
        let asOfDay = min(today, month.lastDay)
        let changed = try AccountData.changedRows(replica, after: asOfDay)
        let removed = try AccountData.removedStakeholders(replica, after: asOfDay)
        // Chosen by the owner and tier of the month, as the table shows them.
        let accounts = try AccountData.activeAccounts(replica, asOf: asOfDay, changed: changed, ownedBy: owner)
            .filter { !key || $0["tier"].textValue == "key" }
        let rows = try AccountData.loadAll(replica, accounts: accounts).map { d in
            (d, try d.shownScorecard(month: month, today: today, recalling: replica, changed: changed, removed: removed), d.concernValues.filter { $0.isOpen(asOf: asOfDay) }.count)
        }.sorted { ($0.1.overall ?? 101, $0.0.name) < ($1.1.overall ?? 101, $1.0.name) }
        // A past month shows what was recorded at its end where it was, else what is computed as of its last day:
        // `--month 2026-11` and `--as-of 2026-11-30` both read "Portfolio 2026-11" with different figures.
        let isRecorded = AccountData.isRecorded
        // An owner no one is (a name mistyped) is said, as `pipeline --owner` says it: "No accounts owned by carol." read as an answer.
        if let owner, accounts.isEmpty, let notice = try noOwnerNotice(owner, replica: replica) { warn("note: \(notice)") }
        if output.json {
            return try JSON.object([
                "month": .string(month.description),
                // The day the computed rows are as of (a recorded row is as recorded: `recorded`).
                "as_of": .string(asOfDay.description),
                "accounts": .array(rows.map { d, card, concerns in
                    guard case .object(var o) = ScorecardCommand.json(card) else { return .null }
                    o["recorded"] = .bool(isRecorded(card))
                    o["recorded_on"] = AccountData.recordedOn(card).map { .string($0.description) } ?? .null
                    o["account"] = .string(d.id)
                    o["name"] = .string(d.name)
                    o["tier"] = JSON(d.account["tier"])
                    o["open_concerns"] = .int(Int64(concerns))
                    return .object(o)
                }),
            ]).print()
        }
        if rows.isEmpty { return print("No accounts\(owner.map { " owned by \($0)" } ?? "").") }
        let recorded = rows.filter { isRecorded($0.1) }.count
        let source = recorded == rows.count ? "as recorded"
            : recorded == 0 ? "as of \(asOfDay)"
            : "\(recorded) as recorded (marked so), the others as of \(asOfDay)"
        let mixed = recorded > 0 && recorded < rows.count
        print("Portfolio \(month), \(source) (* set by hand)")
        print(Format.table(["ACCOUNT", "TIER"] + HealthArea.allCases.map { $0.rawValue.uppercased() } + ["OVERALL", "CONCERNS"], rows.map { d, card, concerns in
            // A month recorded before its end (`--before-end`) holds that day's figures: said on every row.
            let early = AccountData.recordedOn(card).flatMap { $0 < month.lastDay ? " (recorded \($0), before the month's end)" : nil }
            return [d.name + (early ?? (mixed && isRecorded(card) ? " (recorded)" : "")), d.account["tier"].display] + HealthArea.allCases.map { ScorecardCommand.cell(card.area($0)) }
                + [card.overall.map { "\($0) \(HealthBand(score: $0).rawValue)" } ?? "-", concerns == 0 ? "" : String(concerns)]
        }))
    }
}
