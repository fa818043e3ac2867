import ArgumentParser
import RapportKAM
import RapportReplica
import RapportSync

enum StakeholderKind: RecordKind {
    static let entity = "stakeholder", noun = "stakeholder", nameField = "name", listCommand = "rapport stakeholders ACCOUNT", command = "rapport stakeholder"

    /// The latest contact as the map counts it: a meeting they attended is contact too.
    static func shown(_ record: Record, replica: Replica) throws -> [String: String] {
        // Under the name the map's JSON gives it: `last_contact` is the day recorded, which `set` changes.
        let recorded = record["last_contact"].day, latest = try latestContact(record, replica)
        return latest.map { latest in ["latest_contact": latest == recorded ? "" : latest.description] } ?? [:]
    }

    /// As `stakeholders --json` gives it beside the date recorded.
    static func shownJSON(_ record: Record, replica: Replica) throws -> [String: JSON] {
        ["latest_contact": try latestContact(record, replica).map { .string($0.description) } ?? .null]
    }

    static func latestContact(_ record: Record, _ replica: Replica) throws -> Day? {
        guard let account = try record["account"].textValue.flatMap({ try replica.record("account", id: $0) }) else { return nil }
        // The map's reading of contact needs the account's people and meetings only, as `stakeholders` reads them.
        var data = AccountData(account: account, stakeholders: try replica.rows("stakeholder", of: account))
        data.meetings = try replica.rows("meeting", of: account)
        return data.contacts(asOf: Today.local).first { $0.id == record.id }?.lastContact
    }

    /// A person's name is held to an account name's length: 300 characters were taken, and broke every table.
    static func checkName(_ name: String, unchanged: String = "nothing was changed") throws {
        if name.count > AccountName.maxLength {
            throw ValidationError("the stakeholder's name is \(name.count) characters long: give at most \(AccountName.maxLength); \(unchanged)")
        }
    }

    /// A last contact in the future would count as recent for years, and hold back every real one after it
    /// (`stakeholder contacted` keeps the latest), as `stakeholder add --last-contact` already refuses.
    static func check(_ values: [(String, FieldValue)], of record: Record?, today: Day) throws -> [(String, FieldValue)] {
        if let day = values.first(where: { $0.0 == "last_contact" })?.1.day, day > today {
            throw ValidationError("last_contact \(day) is in the future: a contact is recorded once it happened; nothing was changed")
        }
        // An address pasted with a space around it is the address; a name is stored with single spaces, as `add`
        // stores it ("John   Smith" kept its runs of spaces through `set`).
        let values = try values.map { field, value in
            switch (field, value.textValue) {
            case ("email", let text?): (field, FieldValue.text(text.trimmingCharacters(in: .whitespaces)))
            case ("name", let text?): (field, FieldValue.text(try AccountName.typed(text)))
            default: (field, value)
            }
        }
        if let email = values.first(where: { $0.0 == "email" })?.1.textValue { try checkEmail(email) }
        if let name = values.first(where: { $0.0 == "name" })?.1.textValue { try checkName(name) }
        return values
    }

    /// A new name may share a first name with a colleague's, as `stakeholder add` warns.
    static func notice(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws -> String? {
        guard let name = values.first(where: { $0.0 == "name" })?.1.textValue,
              let account = try record["account"].textValue.flatMap({ try replica.record("account", id: $0) }) else { return nil }
        return try firstNameSharedNotice(replica, name: name, account: account, person: record.id)
    }

    /// An address someone could write to: one @, a name before it, a domain with a dot after it, no spaces.
    /// (Not RFC 5322: it catches a name or a phone number typed into the wrong field.)
    static func checkEmail(_ email: String, unchanged: String = "nothing was changed") throws {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: \.isWhitespace) else {
            throw ValidationError("'\(email)' is not an e-mail address such as jane.doe@example.com; \(unchanged)")
        }
    }
}

/// `rapport stakeholder`: the people at an account.
struct StakeholderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stakeholder",
        abstract: "Add and change the people at an account; `rapport stakeholders ACCOUNT` shows the map.",
        subcommands: [Add.self, ShowRecord<StakeholderKind>.self, SetFields<StakeholderKind>.self, Contacted.self, EditNotes<StakeholderKind>.self, RemoveRecord<StakeholderKind>.self, RestoreRecord<StakeholderKind>.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a person to an account's relationship map.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
        @Argument(help: "The person's name.") var name: String
        @Option(help: "Their job title.") var title: String?
        @Option(help: "Their e-mail address.") var email: String?
        @Option(help: "decision-maker, influencer, user or blocker.") var role: String?
        @Option(help: "champion, positive, neutral or negative.") var sentiment: String?
        @Option(name: .customLong("last-contact"), parsing: .unconditional, help: "When we last spoke (YYYY-MM-DD, today, +7, -3d).") var lastContact: String?
        @Option(help: "Notes about them.") var notes: String?

        func run() throws {
            // Stored with single spaces, as account names are: "dana  smith" beside Dana Smith went unnoticed.
            let name = try AccountName.typed(name)
            guard !name.isEmpty else { throw ValidationError("the stakeholder's name cannot be empty") }
            try StakeholderKind.checkName(name, unchanged: "nothing was added")
            var values = ValueList("stakeholder")
            values.add("name", value: .text(name))
            try values.add("title", title)
            let email = email?.trimmingCharacters(in: .whitespaces)
            if let email, !email.isEmpty { try StakeholderKind.checkEmail(email, unchanged: "nothing was added") }
            try values.add("email", email)
            try values.add("role", role)
            try values.add("sentiment", sentiment)
            try values.add("last_contact", try parsePastDay(lastContact, option: "--last-contact", what: "a contact")?.description)
            try values.add("notes", notes)
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            try Lookup.warnIfArchived(record, replica)
            values.add("account", value: .text(record.id))
            let id = try replica.change { tx in try tx.create("stakeholder", values: values.values) }
            // `cold` and `latest_contact` as the map's `--json` gives them (with its default of days), so that an entry
            // has one shape wherever it comes from.
            let contact = output.json ? try StakeholderKind.latestContact(try replica.record("stakeholder", id: id) ?? record, replica) : nil
            let isCold = RelationshipMap.isCold(Contact(id: id, name: name, lastContact: contact), today: Today.local)
            try RecordList.added(replica, "stakeholder", id: id, json: output.json, extra: { _ in
                ["latest_contact": contact.map { .string($0.description) } ?? .null, "cold": .bool(isCold)]
            }, "Added \(name) to \(record["name"].display) (\(short(id))).")
            try warnIfNameTaken(replica, entity: "stakeholder", noun: "stakeholder", name: name, account: record, added: id)
            try warnIfFirstNameShared(replica, name: name, account: record, added: id)
        }
    }

    struct Contacted: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "contacted", abstract: "Record that we spoke with a stakeholder (today, or --date).")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The stakeholder's name or id prefix.") var stakeholder: String
        @Option(parsing: .unconditional, help: "The day we spoke (YYYY-MM-DD, today, +7, -3d).") var date: String?
        @Option(help: "The account, when the name alone is ambiguous.") var account: String?

        func run() throws {
            let day = try parsePastDay(date, option: "--date", what: "a contact") ?? Today.local
            let replica = try replica.open()
            let record = try StakeholderKind.find(replica, stakeholder, account: account)
            // Recording an older conversation (filling in a diary) must not make a stakeholder look cold.
            if let latest = record["last_contact"].day, latest > day {
                return print("Last contact with \(record["name"].display) stays \(latest), later than \(day). (To correct it: `rapport stakeholder set \(Shell.quote(record["name"].display)) last_contact=\(day)`.)")
            }
            try replica.change { tx in _ = try tx.set("stakeholder", row: record.id, "last_contact", to: .text(day.description)) }
            print("Last contact with \(record["name"].display): \(day).")
        }
    }
}

/// A meeting's attendee given by first name counts as contact only while one stakeholder of the account has
/// that first name: adding a second took the contacts of the first away without a word (their last contact
/// went back to "never"). Said when meetings already name someone by that first name alone.
func warnIfFirstNameShared(_ replica: Replica, name: String, account: Record, added id: String) throws {
    if let notice = try firstNameSharedNotice(replica, name: name, account: account, person: id) { warn("note: \(notice)") }
}

/// What `warnIfFirstNameShared` says, for `person` now called `name` (added, or renamed by `stakeholder set`).
func firstNameSharedNotice(_ replica: Replica, name: String, account: Record, person id: String) throws -> String? {
    let full = AccountData.folded(name)
    let first = String(full.prefix { $0 != " " })
    guard !first.isEmpty else { return nil }
    // Those who were found by that first name alone: it was theirs only.
    let sharing = try replica.rows("stakeholder", of: account).filter { $0.id != id && AccountData.folded($0["name"].display).hasPrefix(first + " ") }
    guard sharing.count == 1 else { return nil }
    let meetings = try replica.rows("meeting", of: account).filter { m in AccountData.attendees(m["attendees"].display).contains { AccountData.folded($0) == first } }
    guard !meetings.isEmpty else { return nil }
    let word = name.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? first
    // A one-word name is matched whole: those meetings now count for the new person instead.
    let count = meetings.count == 1 ? "counts" : "count"
    let now = first == full ? "now \(count) as contact with \(name), not \(sharing[0]["name"].display)" : "no longer \(count) as contact with \(sharing[0]["name"].display)"
    let ids = meetings.prefix(5).map { short($0.id) }.joined(separator: ", ") + (meetings.count > 5 ? ", ..." : "")
    return "\(meetings.count) meeting\(meetings.count == 1 ? " of \(account["name"].display) names" : "s of \(account["name"].display) name") only " +
        "'\(word)' among the attendees (\(ids)): \(meetings.count == 1 ? "it" : "they") \(now), since two stakeholders have that first name; " +
        "name them in full there (`rapport meeting set ID attendees=...`)"
}

/// Attendees who count as contact with no stakeholder though one was surely meant, said when a meeting is
/// recorded or its attendees changed rather than found months later as a contact gone cold: a first name two or
/// more stakeholders of the account share, or a slip of a stakeholder's name or first name ("Rja" for Raj Patel:
/// dropped without a word, found by QA). Anyone else named (a guest not on the map) is not said, nor one of `team`
/// (the people who made changes here, the account's owner): a colleague Mark is no slip of Mary Chen.
func attendeesNotice(_ attendees: String, meeting id: String, stakeholders: [Record], team: Set<String>) -> String? {
    let names = stakeholders.map { $0["name"].display }
    let folded = Set(names.map(AccountData.folded))
    let colleagues = Set(team.map(AccountData.folded))
    func firstName(_ name: String) -> String { String(AccountData.folded(name).prefix { $0 != " " }) }
    // First names one letter apart are often two people (Mark and Mary, Maria and Marie): one is a slip only with
    // two neighbours swapped ("Rja"); a whole name ("Dana Smtih"), with one edit, unless that edit is one letter
    // for another in its first name ("Wen Zhang" beside Wei Zhang: two people, as Mark and Mary are; "Jne Doe" is
    // a slip).
    func slip(_ typed: String, of name: String, first: Bool) -> Bool {
        let swapped = typed.count >= 3 && typed.sorted() == name.sorted() && Spelling.distance(typed, name) == 1
        if swapped { return true }
        guard !first, min(typed.count, name.count) >= 4, Spelling.distance(typed, name) == 1 else { return false }
        let (a, b) = (typed.split(separator: " "), name.split(separator: " "))
        let anotherFirstName = a.count == b.count && a.count > 1 && a[0].count == b[0].count && a[0] != b[0] && a.dropFirst().elementsEqual(b.dropFirst())
        return !anotherFirstName
    }
    var seen = Set<String>()
    let unclear: [String] = AccountData.attendees(attendees).compactMap { attendee in
        let key = AccountData.folded(attendee)
        guard !folded.contains(key), !colleagues.contains(key), seen.insert(key).inserted else { return nil }
        if !key.contains(" ") {
            let matches = names.filter { AccountData.folded($0).hasPrefix(key + " ") }.sorted { $0.lowercased() < $1.lowercased() }
            if matches.count > 1 { return "'\(attendee)' could be \(Format.list(matches, conjunction: "or"))" }
            if matches.count == 1 { return nil }
        }
        let meant = names.filter { slip(key, of: AccountData.folded($0), first: false) || (!key.contains(" ") && slip(key, of: firstName($0), first: true)) }
            .sorted { $0.lowercased() < $1.lowercased() }
        guard !meant.isEmpty else { return nil }
        return "'\(attendee)' is no stakeholder's name (\(Format.list(meant, conjunction: "or"))?)"
    }
    guard !unclear.isEmpty else { return nil }
    return "\(unclear.joined(separator: "; ")): \(unclear.count == 1 ? "it counts" : "they count") as contact with nobody; " +
        "name them in full (`rapport meeting set \(short(id)) attendees=...`)"
}

/// `rapport stakeholders ACCOUNT`: the relationship map.
struct StakeholdersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stakeholders",
        abstract: "An account's relationship map by role, with single-thread and cold-contact warnings.",
        discussion: """
            A stakeholder's last contact is the later of what `rapport stakeholder contacted` recorded and the last \
            meeting held that names them in its attendees (`rapport meeting add ... --attendees "Jane Doe, Tom Ray"`), \
            by their whole name or by a first name no other stakeholder of the account shares ("Jane, Tom").
            """)
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var asOf: AsOfOptions
    @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
    @Option(name: .customLong("cold-days"), parsing: .unconditional, help: "A contact not spoken to for more than this many days has gone cold (30, 30d, 4w).", transform: dayCount) var coldDays = RelationshipMap.defaultColdAfterDays

    func validate() throws {
        if coldDays < 1 { throw ValidationError("--cold-days must be 1 or more") }
    }

    func run() throws {
        let today = try asOf.today()
        let replica = try replica.open()
        let record = try Lookup.account(replica, account)
        let people = try replica.rows("stakeholder", of: record, orderBy: "name")
        var data = AccountData(account: record, stakeholders: people)
        data.meetings = try replica.rows("meeting", of: record, orderBy: "date")
        data = try data.asRecorded(by: today, replica)
        let contacts = data.contacts(asOf: today)
        let warnings = RelationshipMap.warnings(contacts)
        let cold = Swift.Set(RelationshipMap.coldContacts(contacts, today: today, coldAfterDays: coldDays).map(\.id))
        // Roles and sentiments as recorded by the day, as the warnings count them.
        let shown = data.stakeholders
        let byID = Dictionary(uniqueKeysWithValues: shown.map { ($0.id, $0) })
        let coldWarning = RelationshipMap.coldWarning(contacts.filter { cold.contains($0.id) }, coldAfterDays: coldDays).map {
            "\($0): `rapport stakeholder contacted NAME` once you have spoken, or name them in a meeting's --attendees"
        }
        // Notes with concurrent versions waiting for review, as `note list` marks them: the map is read before a
        // call, and one version shown unmarked passed for what the team agreed.
        let review = Dictionary(try replica.conflicts().filter { $0.key.entity == "stakeholder" }.map { ($0.key.row, $0.id) }, uniquingKeysWith: { first, _ in first })
        if output.json {
            return try JSON.object([
                "account": .string(record.id), "name": .string(record["name"].display), "as_of": .string(today.description), "cold_after_days": .int(Int64(coldDays)),
                "warnings": .array(warnings.map { .string($0.description) } + (coldWarning.map { [.string($0)] } ?? [])),
                "single_threaded": .bool(!warnings.isEmpty),
                "stakeholders": .array(shown.map { p in
                    guard case .object(var o) = JSON(p, entity: Schema.spec("stakeholder")) else { return .null }
                    o["cold"] = .bool(cold.contains(p.id))
                    // On the map of a past day, though removed since.
                    o["removed"] = .bool(p.deleted)
                    // The field as recorded by the day: a contact recorded after it was not known then.
                    if let later = p["last_contact"].day, later > today {
                        o["last_contact"] = data.recalledContacts[p.id].map { .string($0.description) } ?? .null
                    }
                    // `last_contact` is the field as recorded; this one counts the meetings they attended too.
                    o["latest_contact"] = contacts.first { $0.id == p.id }?.lastContact.map { .string($0.description) } ?? .null
                    o["open_conflict"] = review[p.id].map(JSON.string) ?? .null
                    return .object(o)
                }),
            ]).print()
        }
        // Those on the map on the day: a past day's leaves out people first recorded later.
        print("\(record["name"].display): \(shown.count) stakeholder\(shown.count == 1 ? "" : "s")")
        for group in RelationshipMap.grouped(contacts) {
            print("\n\(group.role.map { $0.rawValue + "s" } ?? "no role yet (set role=…)")")
            for c in group.contacts {
                let p = byID[c.id]!
                var line = "  \(short(c.id))  \(c.name)"
                if !p["title"].display.isEmpty { line += ", \(p["title"].display)" }
                line += "  sentiment: \(c.sentiment?.rawValue ?? "-")  last contact: \(c.lastContact?.description ?? "never")"
                if cold.contains(c.id) { line += "  (cold)" }
                if p.deleted { line += "  (removed since)" }
                print(line)
                // What the team knows of them, as a line under their name: the map is where people look before a call.
                if !p["notes"].display.isEmpty || review[p.id] != nil {
                    let marked = review[p.id].map { "  (in review: `rapport conflicts show \($0)`)" } ?? ""
                    print("            \(Format.oneLine(p["notes"].display, max: 90))\(marked)")
                }
            }
        }
        if !warnings.isEmpty || !cold.isEmpty { print("") }
        for w in warnings { print("! \(w)") }
        if let coldWarning { print("! \(coldWarning)") }
    }
}
