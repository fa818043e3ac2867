import Foundation
import RapportKAM
import RapportReplica
import RapportSync

/// One account's key-account records, read from the replica and turned into the pure module's values.
struct AccountData {
    /// Its owner, tier and revenue as recorded by then in a view of a past day (`recallFields`).
    var account: Record
    var stakeholders: [Record] = []
    var goals: [Record] = []
    var kpis: [Record] = []
    var readings: [String: [Record]] = [:]
    var roles: [Record] = []
    var risks: [Record] = []
    var meetings: [Record] = []
    var actions: [Record] = []
    var opportunities: [Record] = []
    var flags: [Record] = []
    var concerns: [Record] = []
    var scorecards: [Record] = []
    var overrides: [Record] = []
    /// The account's notes, oldest first (`created_at`), when loaded `withNotes`.
    var notes: [Record] = []
    /// Stakeholders' last contact as recorded by `recalledAsOf`, for those whose field holds a later one: see
    /// `recallContacts`.
    var recalledContacts: [String: Day] = [:]
    var recalledAsOf: Day?
    /// The day the account became key (its tier's log entry), where a view's meeting rhythm needs it.
    var keySince: Day?

    var id: String { account.id }
    var name: String { account["name"].display }
    var isKey: Bool { account["tier"].textValue == "key" }
    var isArchived: Bool { account["archived"] == .bool(true) }
    /// After the account's name in a view of it: an archived account's plan or scorecard read as one in use.
    var archivedMark: String { isArchived ? " (archived)" : "" }

    /// Every account's data, reading each table once.
    /// The records of `accounts`; `only` limits which kinds are read (the others stay empty), and `fields`
    /// which values of a kind are (the others read as null).
    static func loadAll(_ replica: Replica, accounts: [Record], only: Set<String>? = nil, fields: [String: [String]] = [:], withNotes: Bool = false) throws -> [AccountData] {
        // A few accounts' rows are read through the reference index; for many, one pass over each table is faster.
        let ids = accounts.count <= 500 ? accounts.map { FieldValue.text($0.id) } : nil
        func grouped(_ entity: String, orderBy: String? = nil) throws -> [String: [Record]] {
            if let only, !only.contains(entity) { return [:] }
            let read = try replica.records(entity, whereIn: ids.map { ("account", $0) }, orderBy: orderBy, fields: fields[entity].map { $0 + ["account"] })
            return Dictionary(grouping: read) { $0["account"].display }
        }
        let stakeholders = try grouped("stakeholder", orderBy: "name"), goals = try grouped("goal", orderBy: "due")
        let kpis = try grouped("kpi", orderBy: "name"), roles = try grouped("plan_role", orderBy: "side")
        let risks = try grouped("plan_risk", orderBy: "title"), meetings = try grouped("meeting", orderBy: "date")
        let actions = try grouped("action", orderBy: "due"), opportunities = try grouped("opportunity", orderBy: "title")
        let flags = try grouped("risk_flag", orderBy: "raised_on"), concerns = try grouped("concern", orderBy: "acknowledged_on")
        let scorecards = try grouped("scorecard", orderBy: "month"), overrides = try grouped("scorecard_override", orderBy: "month")
        // Only for the one view that shows them (the report): a portfolio of every account read all their notes.
        let notes = withNotes ? try grouped("note", orderBy: "created_at") : [:]
        let kpiIDs = ids == nil ? nil : kpis.values.joined().map { FieldValue.text($0.id) }
        let readings = only.map { !$0.contains("kpi_reading") } ?? false ? [:]
            // (A reading whose value was taken back, `plan reading --remove`, is none.)
            : Dictionary(grouping: try replica.records("kpi_reading", whereIn: kpiIDs.map { ("kpi", $0) }, orderBy: "date").filter { $0["value"] != .null }) { $0["kpi"].display }
        return accounts.map { a in
            var d = AccountData(account: a)
            d.stakeholders = stakeholders[a.id] ?? []
            d.goals = goals[a.id] ?? []
            d.kpis = kpis[a.id] ?? []
            d.readings = Dictionary(uniqueKeysWithValues: d.kpis.compactMap { kpi in readings[kpi.id].map { (kpi.id, $0) } })
            d.roles = roles[a.id] ?? []
            d.risks = risks[a.id] ?? []
            d.meetings = meetings[a.id] ?? []
            d.actions = actions[a.id] ?? []
            d.opportunities = opportunities[a.id] ?? []
            d.flags = flags[a.id] ?? []
            d.concerns = concerns[a.id] ?? []
            d.scorecards = scorecards[a.id] ?? []
            d.overrides = overrides[a.id] ?? []
            d.notes = notes[a.id] ?? []
            return d
        }
    }

    static func load(_ replica: Replica, account: Record, withNotes: Bool = false) throws -> AccountData {
        try loadAll(replica, accounts: [account], withNotes: withNotes)[0]
    }

    // MARK: Values for the computations

    /// The stakeholders as of `day`, each with their latest contact: the date `stakeholder contacted` recorded,
    /// or a later meeting held by `day` that names them among its attendees (meeting someone is contact), by
    /// their whole name or by a first name no other stakeholder of the account shares. A
    /// meeting is a record of its own, so two managers' meetings logged offline both count, whichever syncs last.
    func contacts(asOf day: Day) -> [Contact] {
        var met: [String: Day] = [:]
        for m in meetings {
            guard let date = m["date"].day, date <= day else { continue }
            for name in Self.attendees(m["attendees"].display) {
                let key = Self.folded(name)
                if met[key].map({ $0 < date }) ?? true { met[key] = date }
            }
        }
        // Attendee lists often give first names ("Dana, Raj"): one counts for the stakeholder whose first name it
        // is when no other stakeholder of the account has the same first name.
        func firstName(_ name: String) -> String {
            String(Self.folded(name).prefix { $0 != " " })
        }
        let sharing = Dictionary(grouping: stakeholders.map { firstName($0["name"].display) }, by: { $0 }).mapValues(\.count)
        return stakeholders.map { s in
            let name = s["name"].display
            // A contact recorded after the day is not known on it: the one before it, when recalled from the log.
            let recorded = s["last_contact"].day.flatMap { $0 <= day ? $0 : recalledAsOf == day ? recalledContacts[s.id] : nil }
            let full = Self.folded(name), first = firstName(name)
            let byFirstName = first != full && sharing[first] == 1 ? met[first] : nil
            let meeting = [met[full], byFirstName].compactMap { $0 }.max()
            return Contact(id: s.id, name: name, role: s["role"].textValue.flatMap(StakeholderRole.init(rawValue:)),
                           sentiment: s["sentiment"].textValue.flatMap(Sentiment.init(rawValue:)),
                           lastContact: [recorded, meeting].compactMap { $0 }.max())
        }
    }

    /// The account as recorded by the end of `day`, for a view of the past (`--as-of`, a past month's scorecard,
    /// portfolio or report): each stakeholder's contact, sentiment and role, each opportunity's stage, value
    /// and close day and each flag's status as they stood then, read from the log. Views of the same month
    /// then agree (a past report counted a deal won since as won, the scorecard of that month did not).
    /// `changed`: the rows changed since (`changedRows`), and `removed`, the stakeholders removed since
    /// (`removedStakeholders`), when a view of many accounts read them once.
    func asRecorded(by day: Day, _ replica: Replica, changed: Set<String>? = nil, removed: [String: [Record]]? = nil) throws -> AccountData {
        guard day < Today.local else { return self }
        var data = self
        // Someone removed since was on the map then, as recorded by then (the recall below): a review of the
        // second quarter made in the fourth left out the decision-maker who left the company in the third.
        let removed = try removed.map { $0[id] ?? [] } ?? Self.removedStakeholders(replica, after: day, accounts: [id])[id] ?? []
        if !removed.isEmpty, let cutoff = Self.cutoff(after: day) {
            let then = try removed.filter { s in
                // One restored since is on the map as its restored record (whose copied values keep their times).
                if case .live(let restored, _) = try Restoration.follow(replica, "stakeholder", from: s), data.stakeholders.contains(where: { $0.id == restored.id }) { return false }
                return try replica.history(row: s.id).contains { $0.entity == "stakeholder" && $0.time.ms < cutoff }
            }
            data.stakeholders = (data.stakeholders + then).sorted {
                let (a, b) = ($0["name"].display.lowercased(), $1["name"].display.lowercased())
                return a != b ? a < b : $0.id < $1.id
            }
        }
        try data.recallContacts(replica, asOf: day)
        try data.recallFields(replica, asOf: day, changed: changed)
        let later = try Self.actionsRecordedLater(data.actions, than: day, replica, changed: changed)
        data.actions.removeAll { later.contains($0.id) }
        // The plan of then: a KPI added later is not in it (`kpisThen`), in a computed scorecard as in a review.
        if !data.kpis.isEmpty { data.kpis = try Self.kpisThen(data, on: day, added: try replica.kpisAdded(data.kpis.map(\.id)), replica) }
        return data
    }

    /// Of `actions`, those recorded after `day` and not done by it, on an account followed by then: no next action
    /// then, which a view of that day leaves out (a review of the second quarter listed one agreed and done in
    /// December, without a status). One recorded since as done by the day, a record caught up, stays among the
    /// actions taken, and so does one agreed at a meeting dated by the day (June 30th's review typed in on July 1st);
    /// on an account recorded afterwards every action stands, as its KPIs do (`kpisThen`).
    /// `changed`: the rows changed after the day (`changedRows`), when read once for many accounts.
    static func actionsRecordedLater(_ actions: [Record], than day: Day, _ replica: Replica, changed: Set<String>? = nil) throws -> Set<String> {
        guard day < Today.local, let cutoff = cutoff(after: day) else { return [] }
        let open = actions.filter { a in actionItem(a).isOpen(asOf: day) && changed?.contains(a.id) ?? true }
        guard !open.isEmpty else { return [] }
        // By the earliest of two fields it was recorded with: a merge moves an action's account, and compaction may
        // then keep only the move.
        let ids = open.map(\.id)
        let recorded = try replica.valueSetAt("action", field: "account", rows: ids, first: true)
            .merging(try replica.valueSetAt("action", field: "text", rows: ids, first: true)) { min($0, $1) }
        let late = open.filter { recorded[$0.id].map { $0 >= cutoff } ?? false }
        let later = try late.filter { a in
            try a["meeting"].textValue.flatMap { try replica.record("meeting", id: $0) }.map { $0.deleted || ($0["date"].day.map { $0 > day } ?? true) } ?? true
        }
        guard !later.isEmpty else { return [] }
        let followed = try recordedBefore(cutoff, accounts: Array(Set(later.map { $0["account"].display })), replica)
        return Set(later.filter { followed.contains($0["account"].display) }.map(\.id))
    }

    /// The stakeholders removed after `day` (their tombstone's stamp), by account; of `accounts` only, when given.
    /// Empty for a day that is today or later.
    static func removedStakeholders(_ replica: Replica, after day: Day, accounts: [String]? = nil) throws -> [String: [Record]] {
        guard day < Today.local, let cutoff = cutoff(after: day) else { return [:] }
        let deleted = try replica.removedRecords("stakeholder", whereIn: accounts.map { ("account", $0.map(FieldValue.text)) })
        guard !deleted.isEmpty else { return [:] }
        // Removed from the first removal on: two people removing someone offline, in July and September, left
        // them on August's map.
        let removedAt = try replica.valueSetAt("stakeholder", field: Schema.deletedField, rows: deleted.map(\.id), first: true)
        return Dictionary(grouping: deleted.filter { removedAt[$0.id].map { $0 >= cutoff } ?? false }) { $0["account"].display }
    }

    /// The first moment after `day` on this machine's calendar, in Unix milliseconds.
    static func cutoff(after day: Day) -> Int64? {
        let next = day.adding(days: 1)
        var components = DateComponents()
        (components.year, components.month, components.day) = (next.year, next.month, next.day)
        return Calendar.current.date(from: components).map { Int64($0.timeIntervalSince1970 * 1000) }
    }

    /// The rows of the kinds past views read as of then (`recalledFields`) and the actions changed after `day`, for
    /// `asRecorded` over many accounts; nil
    /// for a day that is today or later (nothing to recall).
    static func changedRows(_ replica: Replica, after day: Day) throws -> Set<String>? {
        guard day < Today.local, let cutoff = cutoff(after: day) else { return nil }
        return try replica.rowsChanged(since: cutoff, entities: Array(recalledFields.keys) + ["action"])
    }

    /// The fields whose values of a past day views read from the log, by entity: replicas keep their overwritten
    /// values for good (`FieldSpec.keepsHistory`), where compaction would leave today's value to stand for them.
    static let recalledFields = [
        "account": ["owner", "tier", "revenue", "next_renewal"], "opportunity": ["stage", "value", "closed_on", "testing_since"], "risk_flag": ["status", "closed_on"], "stakeholder": ["sentiment", "role", "last_contact"],
        "goal": ["status"], "kpi": ["target", "baseline", "cadence"], "plan_risk": ["status", "owner"], "plan_role": [],
    ]

    /// Records' fields as recorded by the end of `day` on this machine's calendar: the value recorded last by
    /// then, from each field's history.
    mutating func recallFields(_ replica: Replica, asOf day: Day, changed: Set<String>? = nil) throws {
        guard let cutoff = Self.cutoff(after: day) else { return }
        func recalled(_ record: Record, entity: String, fields: [String], absentIfLater: Bool = false) throws -> Record? {
            try Self.recalled(record, entity: entity, fields: fields, replica, before: cutoff, changed: changed, absentIfLater: absentIfLater)
        }
        func isClosedStage(_ value: FieldValue) -> Bool { !(value.textValue.flatMap(Stage.init(rawValue:))?.isOpen ?? true) }
        // Entered afterwards: nothing of the record was recorded by then, so its values are today's. (One
        // recorded by then has its values of then from the recall: a flag closed, reopened and closed again
        // since is as it was.)
        func enteredAfterwards(_ record: Record) throws -> Bool { try !replica.history(row: record.id).contains { $0.time.ms < cutoff } }
        opportunities = try opportunities.map { o in
            let then = try recalled(o, entity: "opportunity", fields: Self.recalledFields["opportunity"]!) ?? o
            // An opportunity open then had not closed then, whatever close day came later.
            guard isClosedStage(then["stage"]) else { return then.replacing("closed_on", with: .null) }
            // One entered afterwards and closed after `day` was open on it, at the stage and value recorded
            // before it closed (a proposal all November, won in December); recorded closed from the start, its
            // stage of then is not known (a review counts it in neither).
            guard let closed = then["closed_on"].day, closed > day, try enteredAfterwards(o),
                  let open = try Self.beforeClosing(o, entity: "opportunity", field: "stage", isClosed: isClosedStage, fields: ["stage", "value", "testing_since"], replica) else { return then }
            return open.replacing("closed_on", with: .null)
        }
        flags = try flags.map { f in
            let then = try recalled(f, entity: "risk_flag", fields: Self.recalledFields["risk_flag"]!) ?? f
            // One entered afterwards and closed after `day` was not closed on it: at the status recorded before
            // it closed, or open when it was recorded closed from the start (watched or not is not known).
            guard then["status"].textValue == "closed", let closed = then["closed_on"].day, closed > day, try enteredAfterwards(f) else { return then }
            let open = try Self.beforeClosing(f, entity: "risk_flag", field: "status", isClosed: { $0.textValue == "closed" }, fields: ["status"], replica)
            return (open ?? then.replacing("status", with: .text("open"))).replacing("closed_on", with: .null)
        }
        // A goal marked achieved in December was not achieved in November's review.
        goals = try goals.map { try recalled($0, entity: "goal", fields: Self.recalledFields["goal"]!) ?? $0 }
        // A target raised in December: November's performance was counted against the one of then.
        kpis = try kpis.map { try recalled($0, entity: "kpi", fields: Self.recalledFields["kpi"]!) ?? $0 }
        // A past report's header gave today's owner, tier and revenue beside the figures of then.
        account = try recalled(account, entity: "account", fields: Self.recalledFields["account"]!) ?? account
        // A stakeholder has no day of its own to date it back. One recorded only after `day`, on an account this
        // replica already followed by then, and with no contact dated by then, was not on the map then: a past
        // review listed a person first met months later, and counted them in its relationship health. On an
        // account recorded later (its history entered afterwards) every stakeholder stands, as before.
        var followed: Bool?
        let account = self.account
        func followedThen() throws -> Bool {
            if let followed { return followed }
            // As KPIs decide it (`kpisThen`): from the account's first entries, which compaction keeps.
            let then = try Self.recordedBefore(cutoff, accounts: [account.id], replica).contains(account.id)
            followed = then
            return then
        }
        stakeholders = try stakeholders.compactMap { s in
            let contactedThen = s["last_contact"].day.map { $0 <= day } ?? false
            guard let then = try recalled(s, entity: "stakeholder", fields: ["sentiment", "role"], absentIfLater: !contactedThen) else {
                return try followedThen() ? nil : s
            }
            return then
        }
        // The plan's risks and roles have no day of their own either: one recorded after `day` was not in the plan
        // then (a review of July listed December's risk as open), and a risk resolved since was open then.
        risks = try risks.compactMap { r in
            guard let then = try recalled(r, entity: "plan_risk", fields: Self.recalledFields["plan_risk"]!, absentIfLater: true) else { return try followedThen() ? nil : r }
            return then
        }
        roles = try roles.compactMap { r in
            try recalled(r, entity: "plan_role", fields: [], absentIfLater: true) != nil || !followedThen() ? r : nil
        }
    }

    /// Whether anything of the account is dated by `day`: a meeting, a KPI reading, a note (when loaded).
    func hasRecordsDated(by day: Day) -> Bool {
        meetingDates.contains { $0.date <= day } || readings.values.contains { $0.contains { $0["date"].day.map { $0 <= day } ?? false } }
            || notes.contains { NoteCommand.writtenDay($0["created_at"].display).map { $0 <= day } ?? false }
    }

    /// Those of `accounts` recorded before `cutoff` (Unix ms): followed by then, rather than entered afterwards.
    /// (Read from the first value of the fields whose history laptops keep for good, and the name: compaction
    /// or a snapshot leaves a renamed account only its last name.)
    static func recordedBefore(_ cutoff: Int64, accounts: [String], _ replica: Replica) throws -> Set<String> {
        var recorded = Set<String>()
        for field in ["name"] + recalledFields["account"]! {
            recorded.formUnion(try replica.valueSetAt("account", field: field, rows: accounts.filter { !recorded.contains($0) }, first: true).filter { $0.value < cutoff }.keys)
        }
        return recorded
    }

    /// The KPIs of `data` in its plan on `day`: not one added after it and not read by then, on an account
    /// followed by then (`due --as-of`, a review of then and `plan show --as-of` listed a KPI before it existed).
    /// On an account recorded afterwards every KPI stands, as its stakeholders do.
    static func kpisThen(_ data: AccountData, on day: Day, added: [String: Day], _ replica: Replica) throws -> [Record] {
        let later = data.kpis.filter { k in
            (added[k.id].map { $0 > day } ?? false) && !(data.readings[k.id] ?? []).contains { ($0["date"].day ?? day) <= day }
        }
        guard !later.isEmpty, let cutoff = cutoff(after: day), try recordedBefore(cutoff, accounts: [data.id], replica).contains(data.id) else { return data.kpis }
        let out = Set(later.map(\.id))
        return data.kpis.filter { !out.contains($0.id) }
    }

    /// When each key account's meeting rhythm began, for `Cadence.dueMeetings`: the day it last became key by
    /// `cutoff` (`Replica.heldSince`). For one recorded key from the start (its first tier was key) with
    /// meetings dated before that day, its history was entered afterwards and the log does not say when it
    /// became key: the rhythm began by its first meeting (`due` said "due today" of a quarterly session that
    /// `due --as-of` a week before called overdue).
    static func keySince(_ replica: Replica, _ accounts: [AccountData], before cutoff: Int64?) throws -> [String: Day] {
        let ids = accounts.map(\.id)
        let since = try replica.heldSince("account", field: "tier", value: .text("key"), rows: ids, before: cutoff)
        // Key now, from the start: for a day before the account was recorded too.
        let now = cutoff == nil ? since : try replica.heldSince("account", field: "tier", value: .text("key"), rows: ids)
        let created = try replica.valueSetAt("account", field: "tier", rows: ids, first: true)
        // Key from the start: its first tier was key, set in the change that recorded the account (by the same
        // laptop as its first field kept, within a second: one change stamps each field by the clock). A laptop
        // set up from the server's snapshot holds only the tier that stands: a tier made key after the account was
        // added is its first there, and read as from the start it dated the rhythm back to the first meeting,
        // unlike the team's laptops. (Every field of the first change overwritten since leaves the tier first
        // there: read as from the start.) Read only for an account key by then with meetings dated before.
        func keyFromTheStart(_ id: String, _ ms: Int64) throws -> Bool {
            guard created[id] == ms else { return false }
            let ops = try replica.history(row: id).filter { $0.entity == "account" }
            guard let first = ops.first, let tier = ops.first(where: { $0.field == "tier" }) else { return true }
            return tier.id.replica == first.id.replica && tier.time.ms - first.time.ms < 1000
        }
        var days: [String: Day] = [:]
        for data in accounts {
            let earliest = data.meetingDates.map(\.date).min()
            if let ms = since[data.id], let day = Today.day(ms: ms) {
                // Recorded key from the start (its first tier was key) with meetings dated before: the rhythm
                // began by its first meeting. (A kind never held is due from then, not "due today" for ever.)
                // The log is read only for one with meetings dated before (an import of key accounts is many).
                guard let earliest, earliest < day else { days[data.id] = day; continue }
                days[data.id] = try keyFromTheStart(data.id, ms) ? earliest : day
            } else if let ms = now[data.id], let earliest, try keyFromTheStart(data.id, ms) {
                // Viewed as of a day before it was recorded: by its meetings as well.
                days[data.id] = earliest
            }
        }
        return days
    }

    /// A record's `fields` as recorded before the change that closed it for good (the first of the last run of
    /// values of `field` that `isClosed`); nil when it was recorded closed from the start.
    static func beforeClosing(_ record: Record, entity: String, field: String, isClosed: (FieldValue) -> Bool, fields: [String], _ replica: Replica) throws -> Record? {
        let ops = try replica.history(row: record.id).filter { $0.entity == entity && $0.field == field }
        guard let lastOpen = ops.lastIndex(where: { !isClosed($0.value) }), lastOpen + 1 < ops.count else { return nil }
        return try recalled(record, entity: entity, fields: fields, replica, before: ops[lastOpen + 1].time.ms, changed: nil)
    }

    /// `fields` of a record as recorded before `cutoff` (Unix milliseconds), from its history; `changed`, when
    /// given, the rows changed since (the others are returned as they are). `absentIfLater`: a record with
    /// nothing recorded by then was not there then (nil).
    static func recalled(_ record: Record, entity: String, fields: [String], _ replica: Replica, before cutoff: Int64,
                         changed: Set<String>?, absentIfLater: Bool = false) throws -> Record? {
        // Nothing recorded since: today's values are those of then.
        if let changed, !changed.contains(record.id) { return record }
        let history = try replica.history(row: record.id).filter { $0.entity == entity }
        let ops = history.filter { $0.time.ms < cutoff }
        // One entered afterwards, dated back (`--date`), has no history of then: as recorded is all there is
        // (its values now: a change made since it was entered is as likely a correction as news, and the month
        // recorded with `scorecard record` keeps the figures of when it was recorded).
        guard !ops.isEmpty else {
            if absentIfLater { return nil }
            // But an account key now and recorded otherwise was not key before it existed: listed key then, its
            // rhythm was overdue for weeks where today's list counts it from the day it became key. (Not the other
            // way: one recorded key and made standard since stays as it stands, a correction as likely as news.)
            if entity == "account", fields.contains("tier"), record["tier"] == .text("key"),
               let first = history.first(where: { $0.field == "tier" }), first.value != .text("key") {
                return record.replacing("tier", with: first.value)
            }
            return record
        }
        return fields.reduce(record) { r, field in
            // History comes in stamp order: the last one by then is the value of then. None by then is a
            // field set only later, or one this replica never held the earlier value of (a snapshot bootstrap
            // has none; compaction keeps these fields' values, `recalledFields`): today's value, as views
            // showed before.
            r.replacing(field, with: ops.last { $0.field == field }?.value ?? r[field])
        }
    }

    /// The accounts not archived, with their owner, tier and revenue as recorded by the end of `day` when it is
    /// past, and owned by `owner` then (compared as `sameIgnoringCase`) when one is given. Views of a past day
    /// choose accounts by the owner and tier of then, as they show them: a May portfolio of key accounts listed
    /// one made key in June, and `due --as-of` a day in May listed its meetings. `changed`: `changedRows` after `day`.
    static func activeAccounts(_ replica: Replica, asOf day: Day, changed: Set<String>?, ownedBy owner: String?, fields: [String]? = nil) throws -> [Record] {
        guard let changed, let cutoff = cutoff(after: day) else {
            return try owner.map { try replica.activeAccounts(ownedBy: $0, fields: fields) } ?? replica.activeAccounts(fields: fields)
        }
        let read = fields.map { $0 + ["owner"] }
        var accounts = try replica.activeAccounts(fields: read)
        // One archived since was not archived then: a November portfolio lost an account archived in December.
        // (Not a copy merged since: its records went to the account it was merged into, which stands for it. Nor
        // one recorded only since: as recorded is all there is, as for the other fields past views read.)
        let archivedSince = try replica.records("account", where: ("archived", .bool(true)), fields: read.map { $0 + ["archived", "merged_into"] })
            .filter { changed.contains($0.id) && $0["merged_into"] == .null }
        if !archivedSince.isEmpty {
            let ids = archivedSince.map(\.id)
            let archivedThen = try replica.heldSince("account", field: "archived", value: .bool(true), rows: ids, before: cutoff)
            let recordedThen = try recordedBefore(cutoff, accounts: ids, replica)
            accounts += archivedSince.filter { archivedThen[$0.id] == nil && recordedThen.contains($0.id) }
            // In the order the lists read them (by name, ASCII letters folded, as SQLite's NOCASE, then id).
            func folded(_ r: Record) -> [UInt8] { r["name"].display.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 } }
            accounts.sort { a, b in folded(a) == folded(b) ? a.id < b.id : folded(a).lexicographicallyPrecedes(folded(b)) }
        }
        return try recalledWhereChanged(accounts, entity: "account", replica, before: cutoff, changed: changed)
            .filter { a in owner.map { sameIgnoringCase(a["owner"].display, $0) } ?? true }
    }

    /// `records` with the fields past views read (`recalledFields`) as recorded before `cutoff`, reading the
    /// history only of those whose fields were set since: a keyed lookup per row and field, where reading the
    /// whole history of every row changed since in any way (a note, a renamed account) took thousands of queries
    /// on a large replica.
    static func recalledWhereChanged(_ records: [Record], entity: String, _ replica: Replica, before cutoff: Int64, changed: Set<String>) throws -> [Record] {
        let fields = recalledFields[entity]!
        let rows = records.map(\.id).filter(changed.contains)
        guard !rows.isEmpty else { return records }
        var since = Set<String>()
        for field in fields {
            for (row, ms) in try replica.valueSetAt(entity, field: field, rows: rows) where ms >= cutoff { since.insert(row) }
        }
        return try records.map { r in
            since.contains(r.id) ? try recalled(r, entity: entity, fields: fields, replica, before: cutoff, changed: changed) ?? r : r
        }
    }

    /// For each stakeholder whose last contact is recorded after `day`, the latest one recorded by then: a view
    /// of the past showed the contact made after it (and called them cold for it).
    mutating func recallContacts(_ replica: Replica, asOf day: Day) throws {
        recalledAsOf = day
        recalledContacts = [:]
        for s in stakeholders where s["last_contact"].day.map({ $0 > day }) ?? false {
            // The value recorded last among those by then: a mistyped date corrected since does not come back.
            let recorded = try replica.history(row: s.id).filter { $0.entity == "stakeholder" && $0.field == "last_contact" }.compactMap { $0.value.day }
            if let latest = recorded.last(where: { $0 <= day }) { recalledContacts[s.id] = latest }
        }
    }

    /// A name as attendee lists are matched against stakeholders: lowercased, its words one space apart ("Dana  Lee",
    /// typed with two spaces, is the "Dana Lee" of an attendee list), without accents ("eva" in a list typed on a
    /// keyboard without them is Éva, as "ÉVA" was).
    static func folded(_ name: String) -> String {
        AccountName.unaccented(name).lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The people a meeting's attendees field names (comma-separated, as `meeting add --attendees` asks).
    static func attendees(_ field: String) -> [String] {
        // Comma-separated, or as Outlook copies them, with semicolons.
        field.split { $0 == "," || $0 == ";" }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func kpi(_ r: Record) -> KPI {
        Self.kpi(r, readings: (readings[r.id] ?? []).compactMap { reading in
            guard let date = reading["date"].day, let value = reading["value"].double else { return nil }
            return KPIReading(date: date, value: value)
        })
    }

    /// The KPI a record holds, with the readings given.
    static func kpi(_ r: Record, readings: [KPIReading] = []) -> KPI {
        KPI(id: r.id, name: r["name"].display, unit: r["unit"].display, target: r["target"].double, current: r["current"].double,
            baseline: r["baseline"].double, direction: r["direction"].textValue.flatMap(KPIDirection.init(rawValue:)) ?? .up,
            readings: readings, cadence: r["cadence"].textValue.flatMap(ReportingCadence.init(rawValue:)))
    }

    var kpiValues: [KPI] { kpis.map(kpi) }

    static func goal(_ r: Record) -> Goal {
        Goal(id: r.id, outcome: r["outcome"].display, due: r["due"].day, status: r["status"].textValue.flatMap(GoalStatus.init(rawValue:)) ?? .open)
    }

    static func actionItem(_ r: Record) -> ActionItem {
        ActionItem(id: r.id, text: r["text"].display, owner: r["owner"].display, due: r["due"].day, done: r["done"] == .bool(true), doneOn: r["done_on"].day)
    }

    var actionItems: [ActionItem] { actions.map(Self.actionItem) }

    static func concern(_ r: Record) -> Concern {
        var dates: [ConcernStep: Day] = [:]
        for step in ConcernStep.allCases {
            if let day = r[ConcernFields.date(step)].day { dates[step] = day }
        }
        return Concern(id: r.id, title: r["title"].display, stepDates: dates)
    }

    var concernValues: [Concern] { concerns.map(Self.concern) }

    var flagValues: [RiskFlag] {
        flags.map { RiskFlag(id: $0.id, title: $0["title"].display, status: $0["status"].textValue ?? "open", raisedOn: $0["raised_on"].day) }
    }

    static func opportunity(_ r: Record) -> Opportunity {
        Opportunity(id: r.id, accountID: r["account"].display, title: r["title"].display,
                    stage: r["stage"].textValue.flatMap(Stage.init(rawValue:)) ?? .idea, value: r["value"].double,
                    openedOn: r["opened_on"].day, closedOn: r["closed_on"].day, testingSince: r["testing_since"].day)
    }

    var opportunityValues: [Opportunity] { opportunities.map(Self.opportunity) }

    var meetingDates: [MeetingDate] {
        meetings.compactMap { m in
            guard let kind = m["kind"].textValue.flatMap(MeetingKind.init(rawValue:)), let date = m["date"].day else { return nil }
            return MeetingDate(kind: kind, date: date)
        }
    }

    func healthInput(asOf day: Day) -> AccountHealthInput {
        AccountHealthInput(contacts: contacts(asOf: day), kpis: kpiValues, actions: actionItems, concerns: concernValues, flags: flagValues, opportunities: opportunityValues)
    }

    // MARK: Scorecard

    func overrides(for month: Month) -> [HealthArea: (score: Int, reason: String)] {
        var out: [HealthArea: (score: Int, reason: String)] = [:]
        for o in overrides where o["month"].textValue == month.description {
            guard let area = o["area"].textValue.flatMap(HealthArea.init(rawValue:)), let score = o["score"].int else { continue }
            out[area] = (score, o["reason"].display)
        }
        return out
    }

    /// The month's scorecard computed from today's data as of the month's end (or today, for this month).
    func scorecard(month: Month, today: Day) -> Scorecard {
        let asOf = min(today, month.lastDay)
        return ScorecardRules.scorecard(healthInput(asOf: asOf), month: month, asOf: asOf, overrides: overrides(for: month))
    }

    /// Recorded months before `month`, with their overrides laid over, oldest first.
    func history(before month: Month) -> [Scorecard] {
        scorecards.compactMap { r -> Scorecard? in
            guard let m = r["month"].textValue.flatMap(Month.init), m < month else { return nil }
            return recorded(r, month: m)
        }.sorted { $0.month < $1.month }
    }

    /// The month's scorecard as shown: for a month that has ended and was recorded, what was recorded (the
    /// history says the same); otherwise computed as of the month's end, or today in the current month, from
    /// this data (`shownScorecard(month:today:recalling:)` reads it as recorded by then first).
    func shownScorecard(month: Month, today: Day) -> Scorecard {
        if let row = recordedRow(month: month, today: today) { return recorded(row, month: month) }
        return scorecard(month: month, today: today)
    }

    /// The month's recorded row that stands by `today`: a past month's, or this month's recorded before its end
    /// (`--before-end`: "they stand as the month's until it is recorded again") by then. The month under way
    /// showed its live figures while `export scorecards` gave the recorded ones.
    func recordedRow(month: Month, today: Day) -> Record? {
        guard month <= today.monthOfYear, let row = scorecards.last(where: { $0["month"].textValue.flatMap(Month.init) == month }) else { return nil }
        return month < today.monthOfYear || (row["recorded_on"].day.map { $0 <= today } ?? false) ? row : nil
    }

    /// `shownScorecard`, counting stakeholders' contacts as recorded by the month's end when it is computed
    /// (a recorded month needs no reading of the log: a past month's portfolio read it for every stakeholder).
    func shownScorecard(month: Month, today: Day, recalling replica: Replica, changed: Set<String>? = nil, removed: [String: [Record]]? = nil) throws -> Scorecard {
        if recordedRow(month: month, today: today) != nil { return shownScorecard(month: month, today: today) }
        return try asRecorded(by: min(today, month.lastDay), replica, changed: changed, removed: removed).shownScorecard(month: month, today: today)
    }

    /// How a recorded month's areas start their basis, which tells a recorded scorecard from a computed one.
    static let recordedBasis = "recorded "

    static func isRecorded(_ card: Scorecard) -> Bool {
        card.areas.first?.basis.hasPrefix(recordedBasis) == true
    }

    /// The day a recorded month was recorded on (before its end with `scorecard record --before-end`).
    static func recordedOn(_ card: Scorecard) -> Day? {
        guard isRecorded(card), let basis = card.areas.first?.basis else { return nil }
        return Day(String(basis.dropFirst(recordedBasis.count).prefix(10)))
    }

    /// For a recorded month, the scorecard worked out again from the records as they stand, as of the day it was
    /// recorded (the month's end, for one recorded after it): its words say why each recorded figure is what it
    /// is, which "recorded 2026-11-30" alone did not (`why` says where it now gives another). Nil for a computed one.
    func recomputedAsOfRecording(_ card: Scorecard, _ replica: Replica) throws -> Scorecard? {
        guard let on = Self.recordedOn(card) else { return nil }
        let day = min(on, card.month.lastDay)
        return try asRecorded(by: day, replica).scorecard(month: card.month, today: day)
    }

    /// For the month under way recorded before its end (`--before-end`), its figures as of `today`, to give beside
    /// the recorded ones (which stand for it until it is recorded again); nil otherwise.
    func scorecardNow(beside card: Scorecard, today: Day, _ replica: Replica) throws -> Scorecard? {
        guard card.month == today.monthOfYear, Self.recordedOn(card).map({ $0 < card.month.lastDay }) ?? false else { return nil }
        return try asRecorded(by: today, replica).scorecard(month: card.month, today: today)
    }

    /// An area's basis, a recorded one with the words of the computation then: where the records as they stand
    /// give the figure recorded, its reasons; else that they give another (a record entered afterwards, or a
    /// change of the rules), with its reasons.
    static func why(_ area: AreaHealth, then: Scorecard?) -> String {
        guard let then, area.basis.hasPrefix(recordedBasis) else { return area.basis }
        let computed = then.area(area.area)
        if computed.computed == area.computed { return "\(area.basis): \(computed.basis)" }
        return "\(area.basis) (the records as they stand give \(computed.computed.map(String.init) ?? "-") for then: \(computed.basis))"
    }

    func recorded(_ r: Record, month m: Month) -> Scorecard {
        let o = overrides(for: m)
        return Scorecard(month: m, areas: HealthArea.allCases.map { area in
            AreaHealth(area: area, computed: r[area.rawValue].int, basis: Self.recordedBasis + r["recorded_on"].display, override: o[area]?.score, reason: o[area]?.reason)
        })
    }
}

/// The concern's per-step fields.
enum ConcernFields {
    static func date(_ step: ConcernStep) -> String {
        switch step {
        case .acknowledge: "acknowledged_on"
        case .clarify: "clarified_on"
        case .commit: "committed_on"
        case .close: "closed_on"
        }
    }

    static func text(_ step: ConcernStep) -> String { step.rawValue + "_text" }
}
