import ArgumentParser
import RapportKAM
import RapportReplica
import RapportReport
import RapportSync

/// An entity that has the usual set, notes and remove commands: which rows, how they are named, and what
/// the schema's types cannot say about their values.
protocol RecordKind {
    static var entity: String { get }
    /// The words people use for one row ("success-plan KPI").
    static var noun: String { get }
    /// The field a row is found by besides its id prefix.
    static var nameField: String { get }
    /// The command that lists them, for advice.
    static var listCommand: String { get }
    /// The command whose subcommands change them ("rapport plan goal"), for advice.
    static var command: String { get }
    /// Checks changed values beyond the schema, and adds values that follow from them.
    static func check(_ values: [(String, FieldValue)], of record: Record?, today: Day) throws -> [(String, FieldValue)]
    /// The fields `set` changes, as its help lists them (the others change through commands of their own).
    static var settable: [String] { get }
    /// What `set --help` says about them.
    static var setHelp: String { get }
    /// The fields every such record has from `add` on, which `set` does not clear: a meeting without a kind
    /// left the cadence, an opportunity without a stage was counted as an idea.
    static var required: [String] { get }
    /// Fields that state one fact between them (a status and the day it closed): a change of any of them records
    /// them all (`LocalTransaction.setTogether`), so that a colleague's concurrent change meets them as one.
    static var statedTogether: [String] { get }
    /// Refuses, before anything is saved, a change that contradicts other records (after `check`).
    static func refuse(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws
    /// What to tell the person about a change that saved but will not show where they may look for it.
    static func notice(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws -> String?
    /// What to tell about values as they were typed (`field=text`), read against the record as changed: a figure
    /// in another unit than a KPI's, which the parsed number no longer shows.
    static func typedNotices(_ typed: [(field: String, text: String)], of changed: Record) -> [String]
    /// An assignment as typed, read against the record it changes: a KPI's figure with its own unit after it.
    static func untyped(_ assignment: String, of record: Record, among all: [String]) -> String
    /// Refuses what the field's own parsing would take another way than meant (a KPI in money's "1.500").
    static func refuseTyped(_ assignments: [String], of record: Record) throws
    /// Fields as `show` gives them where the stored value is not what the kind's other views show (a KPI's
    /// figures with its unit, a stakeholder's latest contact, a deal's value as the pipeline groups it); an empty
    /// one is left out (said with another field).
    static func shown(_ record: Record, replica: Replica) throws -> [String: String]
    /// What `show --json` adds to the record's stored fields, as the kind's other `--json` gives it (a
    /// stakeholder's `latest_contact`, a KPI's latest `value`).
    static func shownJSON(_ record: Record, replica: Replica) throws -> [String: JSON]
}

extension RecordKind {
    static func check(_ values: [(String, FieldValue)], of record: Record?, today: Day) throws -> [(String, FieldValue)] { values }

    static var settable: [String] { spec.fields.filter { $0.name != "account" }.map(\.name) }
    static var setHelp: String { "Fields: \(settable.joined(separator: ", ")). An empty value clears a field, except \(required.joined(separator: ", "))." }
    static var required: [String] { [nameField] }
    static var statedTogether: [String] { [] }
    static func refuse(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws {}
    static func notice(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws -> String? { nil }
    static func typedNotices(_ typed: [(field: String, text: String)], of changed: Record) -> [String] { [] }
    static func untyped(_ assignment: String, of record: Record, among all: [String]) -> String { assignment }
    static func refuseTyped(_ assignments: [String], of record: Record) throws {}
    static func shown(_ record: Record, replica: Replica) throws -> [String: String] { [:] }
    static func shownJSON(_ record: Record, replica: Replica) throws -> [String: JSON] { [:] }

    /// `preferring`: of several records of one name, the one that alone satisfies it is meant (`Replica.find`).
    static func find(_ replica: Replica, _ query: String, account: String?, preferring: ((Record) throws -> Bool)? = nil) throws -> Record {
        try refuseImpossibleDay(query)
        let scope = try account.map { try Lookup.account(replica, $0) }
        let query = nameField == "date" ? meetingQuery(query) : query
        return try Lookup.find(replica, entity, query, nameField: nameField, account: scope, accountOption: true, listCommand: listCommand, preferring: preferring)
    }

    /// One of an account's records as people type it where another record refers to it (`action add --meeting`,
    /// `kpi add --goal`, `set meeting=`): an id prefix, a meeting's day, a goal's outcome.
    static func find(_ replica: Replica, _ query: String, within account: Record?) throws -> Record {
        try refuseImpossibleDay(query)
        return try Lookup.find(replica, entity, nameField == "date" ? meetingQuery(query) : query, nameField: nameField, account: account, listCommand: listCommand)
    }

    static var spec: EntitySpec { Schema.spec(entity) }

    /// A meeting's day that no calendar has (`--meeting 2026-13-01`) is said to be no date: "no meeting matches"
    /// sent people looking for a meeting.
    static func refuseImpossibleDay(_ query: String) throws {
        let typed = query.trimmingCharacters(in: .whitespaces)
        guard nameField == "date", typed.wholeMatch(of: /[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/) != nil, Day(typed) == nil else { return }
        throw ValidationError("'\(typed)' is not a date: give the meeting's day as YYYY-MM-DD (or today, -3, or its id prefix)")
    }
}

/// `… set ROW field=value …`
struct SetFields<Kind: RecordKind>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "set", abstract: "Change fields of \(Format.article(Kind.noun)) \(Kind.noun).",
            discussion: Kind.setHelp)
    }

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "Its id prefix, or its \(Kind.nameField).") var target: String
    @Argument(help: "field=value pairs.") var assignments: [String] = []
    @Option(help: "The account, when the \(Kind.nameField) alone is ambiguous.") var account: String?

    func validate() throws {
        if assignments.isEmpty { throw ValidationError("give at least one field=value: \(Kind.settable.joined(separator: ", "))") }
    }

    func run() throws {
        if assignments.contains(where: { a in a.firstIndex(of: "=").map { a[..<$0].trimmingCharacters(in: .whitespaces) == "account" } ?? false }) {
            throw ValidationError("\(Format.article(Kind.noun)) \(Kind.noun) stays with its account; add a new one to the other account instead")
        }
        let replica = try replica.open()
        let record = try Kind.find(replica, target, account: account)
        var values: [(String, FieldValue)]
        try Kind.refuseTyped(assignments, of: record)
        do { values = try Kind.spec.parseTypedAssignments(assignments.map { Kind.untyped($0, of: record, among: assignments) }) } catch {
            // The fields this `set` takes, by the record's name ("of risk_flag", and a concern's step fields listed
            // where `set` takes its title only).
            if case .unknownField(_, let field, _, _) = error {
                let likely = Kind.spec.likelyField(field, among: Kind.settable).flatMap { Format.didYouMean([$0]) }.map { " (\($0))" } ?? ""
                throw ValidationError("unknown field '\(field)' of \(Format.article(Kind.noun)) \(Kind.noun)\(likely); the fields are: \(Kind.settable.joined(separator: ", "))")
            }
            if case .notAnAssignment(let argument, _) = error { throw ValidationError("\(SchemaError.notAnAssignment(argument: argument, fields: Kind.settable))") }
            throw ValidationError("\(error)")
        }
        // The name a record is found by is one of them: blank, the record could only be reached by its id.
        if let (field, _) = values.first(where: { Kind.required.contains($0.0) && $0.1.display.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("\(Format.article(Kind.noun)) \(Kind.noun) needs \(Format.article(field)) \(field); nothing was changed: give one, or `remove` the \(Kind.noun)")
        }
        values = try Self.resolvingReferences(values, of: record, replica: replica)
        values = try Kind.check(values, of: record, today: Today.local)
        try Kind.refuse(values, of: record, replica: replica)
        let spelled = Kind.spec.field("owner") == nil ? (values: values, note: nil) : try ownersSpelledAsSynced(values, replica: replica, account: record["account"].textValue)
        values = spelled.values
        let together = values.filter { Kind.statedTogether.contains($0.0) }
        let changed = try replica.change { tx in
            try values.filter { !Kind.statedTogether.contains($0.0) }.compactMap { field, value in try tx.set(Kind.entity, row: record.id, field, to: value) }.count
                + tx.setTogether(Kind.entity, row: record.id, together, restating: together.isEmpty ? [] : Kind.statedTogether)
        }
        // A choice typed as another word for it ("status=done" for achieved) says what it was read as.
        let readAs = values.compactMap { field, value -> String? in
            guard case .choice = Kind.spec.field(field)?.type, let word = value.textValue,
                  let typed = assignments.last(where: { $0.lowercased().hasPrefix(field + "=") })?.dropFirst(field.count + 1),
                  ValueList.isAnotherWord(String(typed), for: word) else { return nil }
            return "\(field) '\(typed)' read as \(word)"
        }
        print(changed == 0 ? "Nothing changed\(readAs.isEmpty ? "" : " (\(readAs.joined(separator: ", ")))")." :
              "Updated \(Kind.noun) \(short(record.id)): \(changed) field\(changed == 1 ? "" : "s")\(readAs.isEmpty ? "" : " (\(readAs.joined(separator: ", ")))").")
        if let note = spelled.note { warn("note: \(note)") }
        if changed > 0, let notice = try Kind.notice(values, of: record, replica: replica) { warn("note: \(notice)") }
        // A change to an archived account's record is kept, but no list shows it: said, as an add to it is.
        if changed > 0, let account = try record["account"].textValue.flatMap({ try replica.record("account", id: $0) }), account["archived"] == .bool(true) {
            // A copy merged away: the account kept is where the record belongs, not the copy brought back.
            if let into = try Sync.mergedInto(replica, account, followingMerges: true), !into.deleted, into["archived"] != .bool(true) {
                warn("note: \(account["name"].display) (\(short(account.id))) was merged into \(into["name"].display) (\(short(into.id))): the change is kept on the copy, " +
                     "off the lists with it; record it at \(into["name"].display) instead")
            } else {
                warn("note: \(account["name"].display) (\(short(account.id))) is archived: the change is kept, off the lists with the account " +
                     "(`rapport account set \(short(account.id)) archived=false` brings the account back)")
            }
        }
        // Renamed to a name another of the account's records has: both stand, as for `add`, and said as `add` says it.
        if changed > 0, let name = values.first(where: { $0.0 == Kind.nameField })?.1.textValue, Kind.nameField != "date",
           AccountName.key(name) != AccountName.key(record[Kind.nameField].display),
           let account = try record["account"].textValue.flatMap({ try replica.record("account", id: $0) }) {
            try warnIfNameTaken(replica, entity: Kind.entity, noun: Kind.noun, name: name, nameField: Kind.nameField, account: account, added: record.id, renamed: true)
        }
        let typed = assignments.compactMap { a in a.firstIndex(of: "=").map { (field: String(a[..<$0]).trimmingCharacters(in: .whitespaces), text: String(a[a.index(after: $0)...])) } }
        if changed > 0, let now = try replica.record(Kind.entity, id: record.id) { for notice in Kind.typedNotices(typed, of: now) { warn("note: \(notice)") } }
    }

    /// A record another one refers to (an action's meeting, a KPI's goal) is typed as `add` takes it: an id
    /// prefix, a meeting's day, a goal's outcome, looked up among the account's. Stored as typed, `meeting=-3`
    /// referred to no meeting at all.
    static func resolvingReferences(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws -> [(String, FieldValue)] {
        let kinds: [any RecordKind.Type] = [MeetingRecordKind.self, GoalKind.self, KPIKind.self]
        let account = try record["account"].textValue.flatMap { try replica.record("account", id: $0) }
        return try values.map { field, value in
            guard case .reference(let entity)? = Kind.spec.field(field)?.type, let typed = value.textValue,
                  let kind = kinds.first(where: { $0.entity == entity }) else { return (field, value) }
            return (field, .text(try kind.find(replica, typed, within: account).id))
        }
    }
}

/// `… notes ROW`: the row's reviewed text from --text, --file or $EDITOR.
struct EditNotes<Kind: RecordKind>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "notes", abstract: "Write \(Format.article(Kind.noun)) \(Kind.noun)'s notes (concurrent edits go to review, never lost).")
    }

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "Its id prefix, or its \(Kind.nameField).") var target: String
    @OptionGroup var input: TextInputOptions
    @Option(help: "The account, when the \(Kind.nameField) alone is ambiguous.") var account: String?

    func run() throws {
        let replica = try replica.open()
        let record = try Kind.find(replica, target, account: account)
        let seen = try replica.textSeen(Kind.entity, row: record.id, "notes")
        let text = try input.read(template: seen.value.display, what: "\(Kind.noun) notes") {
            try Restoration.refuseIfRemoved(replica, entity: Kind.entity, row: record.id, noun: Kind.noun)
        }
        let changed = try replica.change { tx in try tx.editText(Kind.entity, row: record.id, "notes", to: .text(text), seen: seen) != nil }
        print(changed ? "Saved the notes of \(Kind.noun) \(short(record.id))." : "Nothing changed.")
        if changed, let notice = try ReviewNotice.after(replica, entity: Kind.entity, row: record.id, field: "notes") { print(notice) }
    }
}

/// `… show ROW`: one record's fields and its notes in full, which its list leaves out (an opportunity's notes
/// were read back only from `--json` or `history`).
struct ShowRecord<Kind: RecordKind>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show", abstract: "Show \(Format.article(Kind.noun)) \(Kind.noun) with its notes.")
    }

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "Its id prefix, or its \(Kind.nameField).") var target: String
    @Option(help: "The account, when the \(Kind.nameField) alone is ambiguous.") var account: String?

    func run() throws {
        let replica = try replica.open()
        let record = try Kind.find(replica, target, account: account)
        let owner = try record["account"].textValue.flatMap { try replica.record("account", id: $0) }
        let conflicts = try replica.conflicts(row: record.id)
        if output.json {
            let open = try Kind.shownJSON(record, replica: replica).merging(["open_conflict": conflicts.first.map { .string($0.id) } ?? .null]) { a, _ in a }
            guard case .array(let one) = RecordList.json([(owner, record)], entity: Kind.entity, extra: { _ in open }), let object = one.first else { return }
            return try object.print()
        }
        let archived = owner?["archived"] == .bool(true) ? " (archived)" : ""
        print("\(Kind.noun.prefix(1).uppercased() + Kind.noun.dropFirst()) \(record[Kind.nameField].display), \(owner?["name"].display ?? "?")\(archived)  (\(record.id))")
        let own = try Kind.shown(record, replica: replica)
        let fields = Kind.spec.fields.filter { $0.name != "account" && $0.name != Kind.nameField && $0.merge != .reviewedText && (record[$0.name] != .null || own[$0.name] != nil) && own[$0.name] != "" }
        // What the kind works out beyond its stored fields (a stakeholder's latest contact), after them.
        let extra = own.filter { key, value in !value.isEmpty && Kind.spec.field(key) == nil }.sorted { $0.key < $1.key }
        let width = (fields.map(\.name) + extra.map(\.key)).map(\.count).max() ?? 0
        for field in fields {
            let value = record[field.name]
            var shown = value.display
            switch field.type {
            case .real: if let v = value.double { shown = Figures.amount(v, unit: "") }
            // What it refers to by what people call it (a KPI's goal by its outcome), with the id.
            case .reference(let entity):
                if let id = value.textValue, let target = try replica.record(entity, id: id) {
                    let label = ["name", "title", "outcome", "date", "text"].lazy.map { target[$0].display }.first { !$0.isEmpty } ?? ""
                    shown = "\(label) (\(short(id)))\(target.deleted ? ", removed" : "")"
                }
            default: break
            }
            if let given = own[field.name] { shown = given }
            print("  \(field.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(shown)")
        }
        for (key, value) in extra { print("  \(key.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)") }
        for field in Kind.spec.fields where field.merge == .reviewedText {
            if let conflict = conflicts.first(where: { $0.key.field == field.name }) {
                print("! concurrent edits of the \(field.name) wait for review: `rapport conflicts show \(conflict.id)`")
            }
            let text = record[field.name].display
            print("\n" + (text.isEmpty ? "(no \(field.name): `\(Kind.command) \(field.name) \(short(record.id))`)" : text))
        }
    }
}

/// `… remove ROW`: a tombstone every replica honours.
struct RemoveRecord<Kind: RecordKind>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "remove", abstract: "Remove \(Format.article(Kind.noun)) \(Kind.noun) (for everyone, once synced).")
    }

    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "Its whole \(Kind.nameField), or the start of its id (4 characters or more).") var target: String
    @Option(help: "The account, when the \(Kind.nameField) alone is ambiguous.") var account: String?

    func run() throws {
        let replica = try replica.open()
        let record = try Kind.find(replica, target, account: account)
        // A meeting's day as typed ("today") is its whole name.
        try Lookup.requireWholeName(record, query: Kind.nameField == "date" ? meetingQuery(target) : target, nameField: Kind.nameField, noun: "the \(Kind.noun)", command: "remove it")
        try replica.change { tx in try tx.delete(Kind.entity, row: record.id) }
        print(Format.sentence("Removed \(Kind.noun) \(short(record.id)) \(record[Kind.nameField].display)"))
        // A review of its text ends with it (a removal stands whatever edits came with it).
        let reviews = try replica.conflicts(all: true, row: record.id).filter { $0.status == "removed" }
        for conflict in reviews {
            print("The review of its \(conflict.key.field) (conflict \(conflict.id)) ends with it; every version is in `rapport history \(short(record.id))`.")
        }
        // A meeting's notes are written once: where to read them again, and the way back from a mistake.
        let texts = Schema.spec(Kind.entity).fields.filter { $0.merge == .reviewedText && !record[$0.name].display.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        let them = texts.count == 1 && !Restoration.plural(texts[0].name) ? "it" : "them"
        let restore = "`\(Kind.command) restore \(short(record.id))` brings it back\(texts.isEmpty ? "" : " with \(them)") if it was removed by mistake."
        if reviews.isEmpty, !texts.isEmpty {
            print("Its \(Format.list(texts.map { Restoration.fieldName($0.name) }, conjunction: "and")) stay\(them == "it" ? "s" : "") readable in " +
                  "`rapport history \(short(record.id))`; \(restore)")
        } else {
            print(restore.prefix(1).uppercased() + restore.dropFirst())
        }
        // What pointed at it stays (an action agreed at a removed meeting is still to be done), and still names it.
        for entity in replica.schema.entities where entity.name != "account" {
            for field in entity.fields {
                guard case .reference(let target) = field.type, target == Kind.entity else { continue }
                let count = try replica.references(from: entity, field: field.name, to: record.id)
                guard count > 0 else { continue }
                let named = ReplicaError.noun(field.name)
                // One that belongs to the account through it (a KPI's reading) is of no record the views and
                // exports show until it is restored: it did not "stay with the account".
                if ExportCommand.parentReference(entity)?.target == Kind.entity {
                    let them = count == 1 ? "1 \(ReplicaError.noun(entity.name)) of it is" : "\(count) \(ReplicaError.noun(entity.name, plural: true)) of it are"
                    print("\(them) kept with it, out of the views and exports until `\(Kind.command) restore \(short(record.id))` brings \(count == 1 ? "it" : "them") back.")
                    continue
                }
                print(count == 1
                    ? "1 \(ReplicaError.noun(entity.name)) refers to it: it stays with the account, and still names it as its \(named)."
                    : "\(count) \(ReplicaError.noun(entity.name, plural: true)) refer to it: they stay with the account, and still name it as their \(named).")
            }
        }
    }
}

/// Lists rows of one account, or of every account, as a table or JSON.
struct RecordList {
    /// The records of one account, or of every account that is not archived: an archived account's actions,
    /// concerns and opportunities leave the lists with it, as they leave `due` and `pipeline`; naming the
    /// account still lists them.
    static func rows(_ replica: Replica, entity: String, account: String?, orderBy: String) throws -> [(account: Record?, record: Record)] {
        if let account {
            let a = try Lookup.account(replica, account)
            return try replica.rows(entity, of: a, orderBy: orderBy).map { (a, $0) }
        }
        let accounts = Dictionary(uniqueKeysWithValues: try replica.activeAccounts().map { ($0.id, $0) })
        return try replica.records(entity, orderBy: orderBy).compactMap { r in accounts[r["account"].display].map { ($0, r) } }
    }

    static func json(_ rows: [(account: Record?, record: Record)], entity: String, extra: (Record) -> [String: JSON] = { _ in [:] }) -> JSON {
        .array(rows.map { row in
            guard case .object(var object) = JSON(row.record, entity: Schema.spec(entity)) else { return .null }
            object["account_name"] = row.account.map { .string($0["name"].display) } ?? .null
            for (k, v) in extra(row.record) { object[k] = v }
            return .object(object)
        })
    }
}

extension RecordList {
    /// What an `add` says: its line, or for a script (`--json`) the record added, by its whole id, with its fields
    /// and its account's name as a `list --json` entry has them (as `account add --json` gives an account; the
    /// others' eight-character ids were read from text). `extra`: what the kind's list works out (an action's
    /// `overdue`, a concern's `state`), so that an entry has one shape wherever it comes from.
    static func added(_ replica: Replica, _ entity: String, id: String, json: Bool, extra: (Record) -> [String: JSON] = { _ in [:] },
                      _ line: @autoclosure () -> String) throws {
        guard json, let record = try replica.record(entity, id: id) else { return print(line()) }
        let account = try record["account"].textValue.flatMap { try replica.record("account", id: $0) }
        guard case .array(let one) = Self.json([(account, record)], entity: entity, extra: extra), let object = one.first else { return print(line()) }
        try object.print()
    }
}
