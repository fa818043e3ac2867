import ArgumentParser
import RapportKAM
import RapportReplica
import RapportSync

/// `rapport due`: what the rhythm and the next actions ask of you now.
struct DueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "due",
        abstract: "Meetings and KPI readings their cadence says are due or overdue, next actions, concern commitments and goals past their date, and contract renewals ahead, across your accounts.",
        discussion: """
            Key accounts keep the rhythm: a weekly check-in 7 days after the last, a monthly review one calendar \
            month after the last, a quarterly strategy session three months after the last, and none before the \
            day the account became key; a kind never held is due from that day. An account recorded key from the \
            start with meetings dated before (history entered afterwards) is key from its earliest meeting: a kind \
            never held since is overdue from then. A meeting dated ahead is planned: \
            planned by the day it is due, the next one is due after it; planned later, the one due is listed \
            still, with the planned day (a meeting dated more than a period ahead is not counted). A KPI needs a \
            reading by its reporting cadence (`plan kpi add ... --cadence`, monthly unless given): 7 days or one \
            calendar month after its latest (a reading on a month's last day is a month-end figure: the next is \
            due at the next month's end, Nov 30 to Dec 31), and from the day it was added if it was never read. \
            Actions are listed for every account you own once their due date has come, with the actions you own \
            on anyone else's account, and so are concerns whose committed steps were due (`concern step ... commit \
            --due`) and whose loop is not closed. A goal still open once its day has come (`plan goal add ... --due`) \
            is listed until the plan says whether it was reached (`plan goal set ID status=achieved`, or missed, \
            dropped). A contract renewal (the account's next_renewal) is listed from 90 days ahead (--renewals), \
            and after its day until the next renewal is recorded. On a team that records its monthly scorecards \
            (some account has the month that ended, or the one before, recorded), a line below says which key \
            accounts' month that ended is not recorded yet, or only before its end (`scorecards_unrecorded` in \
            --json, with each account's recorded_on; not for a day ahead, whose month cannot be recorded yet); once \
            that one is recorded, an earlier month of the last twelve recorded only before its end.
            """)
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var asOf: AsOfOptions
    // Unconditional, so that a negative count is refused by its range, not taken for an option ("Missing value").
    @Option(parsing: .unconditional, help: "Also list what falls due within this many days (14, 14d, 2w).", transform: dayCount) var within = 0
    @Option(help: "Accounts of this owner (default: you).") var owner: String?
    @Flag(help: "Every account, whoever owns it.") var all = false
    @Option(parsing: .unconditional, help: "List contract renewals this many days ahead (120, 120d, 16w; 0: only those whose day has come; --within reaches further if larger).", transform: dayCount) var renewals = Renewal.defaultLead

    struct Item {
        var due: Day
        // The account's id and name rather than all its data: sorting ten thousand accounts' items copies
        // each item many times.
        var accountID: String
        var accountName: String
        var kind: String
        /// A meeting's kind as the schema words it (weekly, monthly, quarterly).
        var meetingKind: String? = nil
        var what: String
        var owner: String
        var id: String?
        var last: Day?
        var planned: Day?
        /// A KPI's reporting cadence (weekly, monthly).
        var cadence: String? = nil
    }

    func validate() throws {
        guard (0...3660).contains(within) else { throw ValidationError("--within must be 0 to 3660 days (ten years), e.g. --within 14") }
        guard (0...3660).contains(renewals) else { throw ValidationError("--renewals must be 0 to 3660 days (ten years), e.g. --renewals 120") }
        if all, owner != nil { throw ValidationError("give --owner NAME or --all, not both") }
        if let owner, owner.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--owner needs a name, e.g. --owner bob") }
    }

    func run() throws {
        let today = try asOf.today()
        let replica = try replica.open()
        let user = try replica.identity().user
        let who = owner?.trimmingCharacters(in: .whitespaces) ?? user
        // Only what the cadence needs: on a large team, reading every meeting's notes took most of the command.
        let fields = ["name", "tier", "owner", "next_renewal"]
        // A past day's list is of the accounts owned then, with the tier of then.
        let changed = try AccountData.changedRows(replica, after: today)
        let accounts = try AccountData.activeAccounts(replica, asOf: today, changed: changed, ownedBy: all ? nil : who, fields: fields)
        var items: [Item] = []
        let concernFields = ["title", "commit_due"] + ConcernStep.allCases.map(ConcernFields.date)
        let latestReadings = try replica.latest("kpi_reading", field: "date", groupedBy: "kpi", atMost: today.description, present: "value")
        var loaded = try AccountData.loadAll(
            replica, accounts: accounts, only: ["meeting", "action", "concern", "kpi", "goal"],
            fields: ["meeting": ["kind", "date"], "concern": concernFields, "kpi": ["name", "cadence"], "goal": ["outcome", "due", "status"]])
        // A goal settled after a past day was still open on it.
        if let changed, let cutoff = AccountData.cutoff(after: today) {
            for i in loaded.indices {
                loaded[i].goals = try AccountData.recalledWhereChanged(loaded[i].goals, entity: "goal", replica, before: cutoff, changed: changed)
                // And a KPI's readings were due by the cadence of then.
                loaded[i].kpis = try AccountData.recalledWhereChanged(loaded[i].kpis, entity: "kpi", replica, before: cutoff, changed: changed)
            }
            // An action recorded after the day was not there to be due on it.
            let later = try AccountData.actionsRecordedLater(loaded.flatMap(\.actions), than: today, replica, changed: changed)
            if !later.isEmpty { for i in loaded.indices { loaded[i].actions.removeAll { later.contains($0.id) } } }
        }
        // The rhythm began when the account became key, a KPI's readings when it was added (for one never read):
        // the days their log entries were made.
        // (The day it last became key by the day asked about: made key again since, it was counted from then.)
        let keySince = try AccountData.keySince(replica, loaded.filter(\.isKey), before: AccountData.cutoff(after: today))
        let added = try replica.kpisAdded(loaded.flatMap(\.kpis).map(\.id).filter { latestReadings[$0] == nil })
        // A KPI added after the day asked about, and not read by then, on an account followed by then, was not
        // there then; on an account recorded afterwards every KPI stands (`AccountData.kpisThen`).
        let late = loaded.filter { d in d.kpis.contains { k in added[k.id].map { $0 > today } ?? false } }.map(\.id)
        let followedThen = try late.isEmpty ? [] : AccountData.cutoff(after: today).map { try AccountData.recordedBefore($0, accounts: late, replica) } ?? []
        for data in loaded {
            if let renewal = data.account["next_renewal"].day, Renewal.isListed(renewal, today: today, lead: max(renewals, within)) {
                items.append(Item(due: renewal, accountID: data.id, accountName: data.name, kind: "renewal", what: "contract renewal", owner: data.account["owner"].display))
            }
            if data.isKey {
                for m in Cadence.dueMeetings(data.meetingDates, today: today, within: within, keySince: keySince[data.id]) {
                    items.append(Item(due: m.due, accountID: data.id, accountName: data.name, kind: "meeting", meetingKind: m.kind.rawValue, what: m.kind.title, owner: data.account["owner"].display, last: m.last, planned: m.planned))
                }
            }
            // Only each KPI's latest reading by today counts: read alone, not every reading a team ever made.
            let kpis = data.kpis.compactMap { k -> KPI? in
                var kpi = data.kpi(k)
                kpi.readings = latestReadings[k.id].flatMap(Day.init).map { [KPIReading(date: $0, value: 0)] } ?? []
                kpi.added = added[k.id]
                if kpi.readings.isEmpty, let day = kpi.added, day > today, followedThen.contains(data.id) { return nil }
                return kpi
            }
            for r in KPI.dueReadings(kpis, today: today, within: within) {
                items.append(Item(due: r.due, accountID: data.id, accountName: data.name, kind: "kpi", what: r.name, owner: data.account["owner"].display,
                                  id: r.kpi, last: r.last, cadence: r.cadence.rawValue))
            }
            for g in Goal.dueForReview(data.goals.map(AccountData.goal), today: today, within: within) {
                items.append(Item(due: g.due!, accountID: data.id, accountName: data.name, kind: "goal", what: g.outcome, owner: data.account["owner"].display, id: g.id))
            }
            for a in Cadence.dueActions(data.actionItems, today: today, within: within) {
                items.append(Item(due: a.due!, accountID: data.id, accountName: data.name, kind: "action", what: a.text, owner: a.owner, id: a.id))
            }
            // A commitment made to the customer on a concern ("commit" step, --due) that is not closed by its day.
            for record in data.concerns {
                guard let due = record["commit_due"].day, due <= today.adding(days: within), AccountData.concern(record).isOpen(asOf: today) else { continue }
                items.append(Item(due: due, accountID: data.id, accountName: data.name, kind: "concern", what: record["title"].display, owner: data.account["owner"].display, id: record.id))
            }
        }
        // A past day before an account was recorded, with nothing of it dated by then (a year mistyped, most
        // likely): its rhythm and KPIs are listed as its records stand (the rule for history entered afterwards),
        // every meeting due. Said, as a review of then says it.
        if let cutoff = AccountData.cutoff(after: today), changed != nil {
            let ruled = Swift.Set(items.filter { $0.kind == "meeting" || $0.kind == "kpi" }.map(\.accountID))
            // (As `AccountData.hasRecordsDated` reads it for a review: a meeting, a KPI reading or a note by then;
            // the notes only of the few accounts left, which `due` does not load.)
            let undated = try loaded.filter { d in
                guard ruled.contains(d.id), !d.meetingDates.contains(where: { $0.date <= today }), !d.kpis.contains(where: { latestReadings[$0.id] != nil }) else { return false }
                let notes = try replica.records("note", where: ("account", .text(d.id)), fields: ["created_at"])
                return !notes.contains { NoteCommand.writtenDay($0["created_at"].display).map { $0 <= today } ?? false }
            }
            let followed = try undated.isEmpty ? [] : AccountData.recordedBefore(cutoff, accounts: undated.map(\.id), replica)
            let later = undated.filter { !followed.contains($0.id) }.map(\.name).sorted()
            if !later.isEmpty {
                let named = later.count > 3 ? "\(later.prefix(3).joined(separator: ", ")) and \(later.count - 3) more accounts were" : later.joined(separator: ", ") + (later.count == 1 ? " was" : " were")
                warn("note: \(named) recorded after \(today), and nothing of \(later.count == 1 ? "it" : "them") is dated by then: \(later.count == 1 ? "its" : "their") meetings and KPI readings are listed as \(later.count == 1 ? "its" : "their") records stand " +
                     "(check --as-of; a history entered afterwards is dated back with its meetings' and readings' days)")
            }
        }
        if !all { items += try actionsOnOthersAccounts(replica, owner: who, besides: Set(accounts.map(\.id)), today: today, changed: changed) }
        let unrecorded = try Self.unrecordedScorecards(replica, owner: all ? nil : who, today: today)
        // A mistyped --owner listed nothing, which read as nothing due: said, with the owners there are.
        if owner != nil, accounts.isEmpty, items.isEmpty, let notice = try noOwnerNotice(who, replica: replica) { warn("note: \(notice)") }
        // A day's items by account (by name in any case, as `account list` orders them), then renewals, meetings
        // (in the rhythm's order), KPI readings, goals, concerns and actions, each kind by what it says. Each name
        // is ranked once: comparing names for every pair of ten thousand accounts' items took most of the sort.
        let kinds = ["renewal", "meeting", "kpi", "goal", "concern", "action"], rhythm = MeetingKind.rhythm.map(\.rawValue)
        let rank = Dictionary(uniqueKeysWithValues: Set(items.map(\.accountName)).map { (Replica.sortKey($0), $0) }.sorted(by: <).enumerated().map { ($1.1, $0) })
        // The keys are sorted by position, not the items: moving whole items about was a sixth of `due --all`.
        let keys = items.map { i in
            (i.due, rank[i.accountName]!, kinds.firstIndex(of: i.kind) ?? kinds.count, i.meetingKind.flatMap(rhythm.firstIndex(of:)) ?? 0, i.what)
        }
        items = keys.indices.sorted { keys[$0] < keys[$1] }.map { items[$0] }
        func status(_ due: Day) -> String {
            let late = due.days(until: today)
            return late > 0 ? "overdue \(late) day\(late == 1 ? "" : "s")" : late == 0 ? "due today" : "in \(-late) day\(late == -1 ? "" : "s")"
        }
        if output.json {
            return try JSON.object([
                "as_of": .string(today.description), "owner": all ? .null : .string(who),
                "items": .array(items.map { i in
                    .object([
                        "kind": .string(i.kind), "meeting_kind": i.meetingKind.map(JSON.string) ?? .null, "what": .string(i.what), "due": .string(i.due.description),
                        "days_overdue": .int(Int64(i.due.days(until: today))), "account": .string(i.accountID),
                        "account_name": .string(i.accountName), "owner": .string(i.owner), "id": i.id.map(JSON.string) ?? .null,
                        "last": i.last.map { .string($0.description) } ?? .null,
                        "planned": i.planned.map { .string($0.description) } ?? .null,
                        "cadence": i.cadence.map(JSON.string) ?? .null,
                    ])
                }),
                "scorecards_unrecorded": unrecorded.map { u in
                    .object(["month": .string(u.month.description),
                             "accounts": .array(u.accounts.map { .object(["id": .string($0.id), "name": .string($0["name"].display),
                                                                          "recorded_on": u.early[$0.id].map { .string($0.description) } ?? .null]) })])
                } ?? .null,
            ]).print()
        }
        // The month-end step: said below whatever else is (or is not) due.
        defer {
            if let u = unrecorded {
                let names = u.accounts.map { $0["name"].display }
                // Named when few, by id where a name is another account's too (archived ones: the lookup takes the
                // live one of a name) or reads as an option; else those not recorded, the owner's alone when the
                // list is (`--all` would record every key account again, colleagues' recorded ones too).
                let shared = (try? Dictionary(grouping: replica.records("account", fields: ["name"]), by: { AccountName.key($0["name"].display) }).filter { $0.value.count > 1 }.keys).map(Swift.Set.init) ?? []
                let named = u.accounts.map { a in
                    let name = a["name"].display
                    return shared.contains(AccountName.key(name)) || name.hasPrefix("-") ? short(a.id) : Shell.quote(name)
                }
                let command = names.count > 3 ? "rapport scorecard record --unrecorded\(all ? "" : " --owner \(Shell.quote(who))") --month \(u.month)"
                    : "rapport scorecard record \(named.joined(separator: " ")) --month \(u.month)"
                // Recorded with --before-end, a month is not yet recorded whole: said so, with the day.
                let early = Swift.Set(u.early.values)
                let state = u.early.count < names.count
                    ? "is not recorded yet" + (u.early.isEmpty ? "" : " (\(u.early.count) of them only before its end)")
                    : "was recorded only before its end (on \(early.count == 1 ? early.first!.description : "days up to \(early.max()!)"))"
                print("\nThe \(u.month) scorecard of \(names.count == 1 ? names[0] : "\(names.count) key accounts") \(state): `\(command)` keeps \(u.early.isEmpty ? "" : "the whole of ")that month's figures.")
            }
        }
        if accounts.isEmpty, items.isEmpty {
            // (Said to the user of their own: "no actions of theirs" read as someone else's.)
            let yours = AccountName.key(who) == AccountName.key(user)
            return print(all ? "No accounts yet." : yours ? "No accounts of yours, and no actions of yours due: `rapport due --all` looks at every account."
                : "No accounts owned by \(who), and no actions of theirs due: `rapport due --all` looks at every account.")
        }
        if items.isEmpty { return print("Nothing \(unrecorded == nil ? "" : "else ")due\(within > 0 ? " in the next \(within) days" : ""): the rhythm is kept.") }
        print(Format.table(["DUE", "STATUS", "ACCOUNT", "WHAT", "OWNER"], items.map { i in
            let what = switch i.kind {
            case "meeting": "\(i.what) (\(Cadence.describe(last: i.last, planned: i.planned, today: today)))"
            case "concern": "concern \(short(i.id!)): close the loop on \(i.what) (committed steps due)"
            case "renewal": i.due < today ? "contract renewal (its day has passed: record the next one)" : "contract renewal"
            case "goal": "goal \(short(i.id!)): \(Format.oneLine(i.what, max: 70)) (still open: was it reached?)"
            case "kpi": "KPI \(short(i.id!)): \(i.cadence ?? "") reading of \(i.what) (\(i.last.map { "last \($0)" } ?? "none recorded yet"))"
            default: "action \(short(i.id!)): \(Format.oneLine(i.what, max: 70))"
            }
            return [i.due.description, status(i.due), i.accountName, what, i.owner]
        }))
        // One line for each kind listed whose next step is not obvious from the table.
        let hints = [
            ("kpi", "`rapport plan reading ID VALUE` records a KPI's reading (--date for another day)."),
            ("goal", "`rapport plan goal set ID status=achieved` (or missed, dropped) records how a goal ended."),
            ("renewal", "`rapport account set ACCOUNT next_renewal=YYYY-MM-DD` records the next renewal once one is signed."),
        ].filter { kind, _ in items.contains { $0.kind == kind } }
        if !hints.isEmpty { print("\n" + hints.map(\.1).joined(separator: "\n")) }
    }

    /// The key accounts whose scorecard of the month that ended is not recorded, on a team that records them
    /// (some account has that month or the one before recorded): the month-end routine's step nothing reminded
    /// of. A team that never records hears nothing. Key and owned as of the month's end, as `scorecard record
    /// --all` and `--unrecorded` choose them (one made key since is not of that month).
    /// `early`: the day each of them was recorded on, before the month's end, if it was.
    static func unrecordedScorecards(_ replica: Replica, owner: String?, today: Day) throws -> (month: Month, accounts: [Record], early: [String: Day])? {
        let ended = today.monthOfYear.adding(months: -1)
        // A month that has not ended yet (a day ahead asked about) is not to be recorded now.
        guard ended.lastDay < Today.local else { return nil }
        let months = [ended, ended.adding(months: -1)].map { FieldValue.text($0.description) }
        let recent = try replica.records("scorecard", whereIn: ("month", months), fields: ["account", "month"])
        guard !recent.isEmpty else { return nil }
        // (The accounts changed since alone: the accounts' part of the log, where every table's was a pass over it.)
        let changed = try AccountData.cutoff(after: ended.lastDay).map { try replica.rowsChanged(since: $0, entities: ["account"]) }
        let missing = try ScorecardCommand.unrecorded(replica, month: ended, among: try AccountData.activeAccounts(
            replica, asOf: ended.lastDay, changed: changed, ownedBy: owner, fields: ["name", "tier"]).filter { $0["tier"].textValue == "key" }).accounts
        guard !missing.isEmpty else { return try Self.recordedEarlyBefore(ended, replica, owner: owner) }
        let rows = try replica.records("scorecard", whereIn: ("id", missing.map { .text(RowKeys.scorecard(account: $0.id, month: ended)) }), fields: ["account", "recorded_on"])
        let early = Dictionary(rows.compactMap { r in r["recorded_on"].day.map { (r["account"].display, $0) } }, uniquingKeysWith: max)
        return (ended, missing.sorted { Replica.sortKey($0["name"].display) < Replica.sortKey($1["name"].display) }, early)
    }

    /// The latest month of the year before `ended` whose scorecard of some of `owner`'s accounts was recorded only
    /// before the month's end and not since: once the next month ended, `due` spoke of that one alone, and the early
    /// figures stood as the month's for good, unsaid.
    static func recordedEarlyBefore(_ ended: Month, _ replica: Replica, owner: String?) throws -> (month: Month, accounts: [Record], early: [String: Day])? {
        let months = (1...12).map { ended.adding(months: -$0) }
        let rows = try replica.records("scorecard", whereIn: ("month", months.map { .text($0.description) }), fields: ["account", "month", "recorded_on"])
        var early: [Month: [String: Day]] = [:]
        for r in rows {
            guard let month = r["month"].textValue.flatMap(Month.init), let on = r["recorded_on"].day, on < month.lastDay else { continue }
            early[month, default: [:]][r["account"].display] = on
        }
        // The latest such month, its accounts chosen as the month that ended has them (key, and the owner's, by its
        // end), so that the `scorecard record --unrecorded` it suggests records them.
        for month in early.keys.sorted(by: >) {
            let changed = try AccountData.cutoff(after: month.lastDay).map { try replica.rowsChanged(since: $0, entities: ["account"]) }
            let held = try AccountData.activeAccounts(replica, asOf: month.lastDay, changed: changed, ownedBy: owner, fields: ["name", "tier"])
                .filter { $0["tier"].textValue == "key" && early[month]![$0.id] != nil }
            guard !held.isEmpty else { continue }
            return (month, held.sorted { Replica.sortKey($0["name"].display) < Replica.sortKey($1["name"].display) }, early[month]!.filter { id, _ in held.contains { $0.id == id } })
        }
        return nil
    }

    /// The actions `owner` holds on accounts someone else owns: a deputy's, or a specialist's on a colleague's
    /// account. They are theirs to do, so their `due` lists them; the account's own rhythm stays its owner's.
    func actionsOnOthersAccounts(_ replica: Replica, owner: String, besides owned: Set<String>, today: Day, changed: Set<String>?) throws -> [Item] {
        let theirs = try replica.records("action", mayEqualIgnoringCase: ("owner", owner))
            .filter { sameIgnoringCase($0["owner"].display, owner) && !owned.contains($0["account"].display) }
        let accountOf = Dictionary(theirs.map { ($0.id, $0["account"].display) }, uniquingKeysWith: { a, _ in a })
        var accounts: [String: Record?] = [:]
        var items: [Item] = []
        let later = try AccountData.actionsRecordedLater(theirs, than: today, replica, changed: changed)
        for a in Cadence.dueActions(theirs.filter { !later.contains($0.id) }.map(AccountData.actionItem), today: today, within: within) {
            let accountID = accountOf[a.id]!
            if accounts[accountID] == nil { accounts[accountID] = try replica.record("account", id: accountID) }
            guard let account = accounts[accountID] ?? nil, !account.deleted, account["archived"] != .bool(true) else { continue }
            items.append(Item(due: a.due!, accountID: accountID, accountName: account["name"].display, kind: "action", what: a.text, owner: a.owner, id: a.id))
        }
        return items
    }
}
