import ArgumentParser
import Foundation
import RapportKAM
import RapportReplica
import RapportSync

extension Replica {
    /// Our side of an account's meetings: the people who made changes on this replica, its user and the account's owner.
    func team(of account: Record) throws -> Set<String> {
        try authors().union([identity().user, account["owner"].display].filter { !$0.isEmpty })
    }
}

enum MeetingRecordKind: RecordKind {
    static let entity = "meeting", noun = "meeting", nameField = "date", listCommand = "rapport meeting list ACCOUNT", command = "rapport meeting"
    static let required = ["date", "kind"]

    static func notice(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws -> String? {
        var notices: [String] = []
        if let attendees = values.first(where: { $0.0 == "attendees" })?.1.textValue,
           let account = try record["account"].textValue.flatMap({ try replica.record("account", id: $0) }),
           let notice = attendeesNotice(attendees, meeting: record.id, stakeholders: try replica.rows("stakeholder", of: account), team: try replica.team(of: account)) {
            notices.append(notice)
        }
        // Moved after the day its actions are due, as `action add` says of an action due before its meeting.
        if let day = values.first(where: { $0.0 == "date" })?.1.day {
            let agreed = try replica.records("action", where: ("meeting", .text(record.id)))
            // Done before it: `action done` and `action set` refuse that day for a meeting held; a move is said.
            for (which, early) in [("due", agreed.filter { ($0["due"].day ?? day) < day }), ("done", agreed.filter { ($0["done_on"].day ?? day) < day })]
            where !early.isEmpty {
                let ids = early.prefix(5).map { short($0.id) }.joined(separator: ", ") + (early.count > 5 ? ", ..." : "")
                let verb = which == "due" ? (early.count == 1 ? "is due" : "are due") : (early.count == 1 ? "was done" : "were done")
                notices.append("\(early.count) action\(early.count == 1 ? "" : "s") agreed at it \(verb) before \(day) (\(ids)); " +
                               "if the date is a slip, `rapport meeting set \(short(record.id)) date=YYYY-MM-DD`")
            }
            if let ahead = farAheadNotice(day, meeting: record.id) { notices.append(ahead) }
        }
        return notices.isEmpty ? nil : notices.joined(separator: "\nnote: ")
    }

    /// Planned meetings may be dated ahead, but not by a year or more: 2036 for 2026 planned nothing anyone saw.
    static func farAheadNotice(_ day: Day, meeting id: String) -> String? {
        guard day >= Day(ordinal: Today.local.ordinal + 365) else { return nil }
        return "the meeting is dated \(day), a year or more ahead; if that is a slip, `rapport meeting set \(short(id)) date=YYYY-MM-DD`"
    }
}

enum ActionKind: RecordKind {
    static let entity = "action", noun = "action", nameField = "text", listCommand = "rapport action list", command = "rapport action"
    static let required = ["text", "owner"]
    // Done and the day it was done: one reopened on one laptop while another corrected the day was open with a day done.
    static let statedTogether = ["done", "done_on"]

    /// Marking an action done records the day; reopening it clears that. A day it was done on marks it done:
    /// an open action with a done_on read as done in one place and open in another.
    static func check(_ values: [(String, FieldValue)], of record: Record?, today: Day) throws -> [(String, FieldValue)] {
        // An empty done is not done (it stored null, shown open beside done: null).
        let values = values.map { $0.0 == "done" && $0.1 == .null ? ("done", .bool(false)) : $0 }
        if let day = values.first(where: { $0.0 == "done_on" })?.1.day, day > today {
            throw ValidationError("done_on \(day) is in the future: an action is marked done once it is; nothing was changed")
        }
        // (Done with its day cleared was done on no day, in every view and on every laptop: QA.)
        if values.contains(where: { $0.0 == "done" && $0.1 == .bool(true) }), values.contains(where: { $0.0 == "done_on" && $0.1 == .null }) {
            throw ValidationError("a done action keeps the day it was done: give done_on=YYYY-MM-DD, or leave done_on out for today; nothing was changed")
        }
        if values.contains(where: { $0.0 == "done" && $0.1 == .bool(false) }), values.contains(where: { $0.0 == "done_on" && $0.1 != .null }) {
            throw ValidationError("an action not done has no done_on: give done=false alone to reopen it, or done_on alone to mark it done; nothing was changed")
        }
        if let doneOn = values.first(where: { $0.0 == "done_on" })?.1, !values.contains(where: { $0.0 == "done" }) {
            if doneOn != .null, record?["done"] != .bool(true) { return values + [("done", .bool(true))] }
            if doneOn == .null, record?["done"] == .bool(true) {
                throw ValidationError("the action is done: give done=false to reopen it (which clears done_on); nothing was changed")
            }
            return values
        }
        guard let done = values.first(where: { $0.0 == "done" })?.1, !values.contains(where: { $0.0 == "done_on" }) else { return values }
        // (Done already: its day stands, as `action done` keeps it; done=true again moved it to today.)
        if done == .bool(true) { return record?["done"] == .bool(true) && record?["done_on"] != .null ? values : values + [("done_on", .text(today.description))] }
        return (record?["done_on"] ?? .null) == .null ? values : values + [("done_on", .null)]
    }

    /// `action set done=true` (done today) or `done_on=`, or a meeting given to a done action, meet the rule
    /// `action done` keeps.
    static func refuse(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws {
        let given = { (field: String) in values.first { $0.0 == field }?.1 }
        guard given("done_on") != nil || given("meeting") != nil, let day = (given("done_on") ?? record["done_on"]).day else { return }
        try refuseDone(on: day, meeting: given("meeting") ?? record["meeting"], replica, what: "done_on \(day)")
    }

    /// Done before the meeting that agreed it is a mistyped day (a year off), as a concern's steps out of order
    /// are; an action of a meeting still ahead may be done before it.
    static func refuseDone(on day: Day, meeting: FieldValue?, _ replica: Replica, what: String) throws {
        guard let meeting = meeting?.textValue, let held = try replica.record("meeting", id: meeting)?["date"].day, held <= Today.local, day < held else { return }
        throw ValidationError("\(what) is before the meeting that agreed the action (\(held)): give the day it was done, on or after \(held); nothing was changed")
    }

    static func notice(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws -> String? {
        let given = { (field: String) in values.first { $0.0 == field }?.1 }
        let owner = try unknownOwnerNotice(given("owner"), replica: replica, command: "rapport action set \(short(record.id))", account: record["account"].textValue)
        // As they stand after the change: a new meeting, a new due day, or both.
        let due = given("due") != nil || given("meeting") != nil
            ? try dueBeforeMeeting(given("due") ?? record["due"], meeting: given("meeting") ?? record["meeting"], action: record.id, replica) : nil
        // A day given, or an action reopened whose day is long past (it is overdue again at once).
        let reopened = given("done") == .bool(false) && record["done"] == .bool(true)
        let past = try (given("due") ?? (reopened ? record["due"] : nil))?.day.flatMap {
            (given("done") ?? record["done"]) == .bool(true) ? nil
                : try longPastNotice($0, meeting: given("meeting") ?? record["meeting"], action: record.id, reopened: given("due") == nil, replica)
        }
        let notices = [owner, due, past].compactMap { $0 }
        return notices.isEmpty ? nil : notices.joined(separator: "\nnote: ")
    }

    /// An open action may be given a day already past (it is overdue now), but not by months: a year typed
    /// for the next one (2025 for 2026) made it overdue by a year, without a word. One due after the meeting
    /// that agreed it is history entered afterwards, as it happened.
    static func longPastNotice(_ due: Day, meeting: FieldValue?, action id: String, reopened: Bool = false, _ replica: Replica) throws -> String? {
        guard longPast(due) != nil else { return nil }
        // (Reopened, it is overdue again whatever meeting agreed it.)
        if !reopened, let meeting = meeting?.textValue, let held = try replica.record("meeting", id: meeting)?["date"].day, held <= due { return nil }
        return longPastDueNotice(due, "the action", reopened ? "so it is overdue again at once" : "so it is overdue from the start",
                                 fix: "rapport action set \(short(id)) due=YYYY-MM-DD")
    }

    /// An action agreed at a meeting is due after it: a day before it is most likely a typo in the month or
    /// year, and would show as overdue from the day it was agreed.
    static func dueBeforeMeeting(_ due: FieldValue?, meeting: FieldValue?, action id: String, _ replica: Replica) throws -> String? {
        guard let due = due?.day, let meetingID = meeting?.textValue,
              let held = try replica.record("meeting", id: meetingID)?["date"].day, due < held else { return nil }
        return "it is due \(due), before the meeting that agreed it (\(held)); if that is a slip, `rapport action set \(short(id)) due=YYYY-MM-DD`"
    }
}

/// `rapport meeting`: the communication rhythm's meetings and their notes.
struct MeetingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meeting",
        abstract: "Weekly check-ins, monthly reviews, quarterly strategy sessions and ad hoc meetings, with notes.",
        discussion: "Export them to a calendar with `rapport export meetings FILE.ics`.",
        subcommands: [Add.self, List.self, Show.self, SetFields<MeetingRecordKind>.self, EditNotes<MeetingRecordKind>.self, RemoveRecord<MeetingRecordKind>.self, RestoreRecord<MeetingRecordKind>.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Record a meeting; notes from --text, --file or $EDITOR (if set).")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
        @Option(help: "weekly, monthly, quarterly or adhoc (also as `due` names them: \"monthly review\").") var kind: String
        @Option(parsing: .unconditional, help: "The day (YYYY-MM-DD, today, +7, -3d; default today).") var date: String?
        @Option(help: "Who took part, separated by commas or semicolons; a stakeholder named here (whole name, or a first name no other stakeholder of the account shares) counts as contacted.") var attendees: String?
        @OptionGroup var input: TextInputOptions

        func run() throws {
            var values = ValueList("meeting")
            try values.add("kind", kind)
            values.add("date", value: .text(try parseDay(date, option: "--date", default: Today.local)!.description))
            try values.add("attendees", attendees)
            try values.require(["kind", "date"], noun: "meeting")
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            values.add("account", value: .text(record.id))
            // Notes are optional here: an editor opens only when one is configured.
            let env = ProcessInfo.processInfo.environment
            if input.text != nil || input.file != nil || !(env["VISUAL"] ?? env["EDITOR"] ?? "").isEmpty {
                let notes = try input.read(what: "meeting notes")
                if !notes.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { values.add("notes", value: .text(notes)) }
            }
            try Lookup.warnIfArchived(record, replica)
            let id = try replica.change { tx in try tx.create("meeting", values: values.values) }
            try RecordList.added(replica, "meeting", id: id, json: output.json, extra: { _ in ["open_conflict": .null] }, "\(Format.sentence("Recorded meeting \(short(id)) with \(record["name"].display)")) Next actions: `rapport action add \(Shell.quote(record["name"].display)) TEXT --owner WHO --due DATE --meeting \(short(id))`.")
            if let attendees, let notice = attendeesNotice(attendees, meeting: id, stakeholders: try replica.rows("stakeholder", of: record), team: try replica.team(of: record)) {
                warn("note: \(notice)")
            }
            if let day = values.values.first(where: { $0.0 == "date" })?.1.day, let ahead = MeetingRecordKind.farAheadNotice(day, meeting: id) {
                warn("note: \(ahead)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List meetings, of one account or all.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account (default: every account not archived).") var account: String?

        func run() throws {
            let replica = try replica.open()
            let rows = try RecordList.rows(replica, entity: "meeting", account: account, orderBy: "date").reversed().map { $0 }
            // Notes in review are marked, as `note list` marks them: the text shown is one side of it.
            let open = Dictionary(try replica.conflicts().map { ($0.key.row, $0.id) }, uniquingKeysWith: { first, _ in first })
            if output.json { return try RecordList.json(rows, entity: "meeting") { ["open_conflict": open[$0.id].map(JSON.string) ?? .null] }.print() }
            if rows.isEmpty { return print("No meetings yet: `rapport meeting add ACCOUNT --kind weekly --text \"...\"`.") }
            print(Format.table(["ID", "DATE", "ACCOUNT", "KIND", "ATTENDEES", "NOTES"], rows.map { a, m in
                [short(m.id), m["date"].display, a?["name"].display ?? "?", m["kind"].display, m["attendees"].display,
                 (open[m.id] == nil ? "" : "(in review) ") + Format.oneLine(m["notes"].display, max: 40)]
            }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a meeting with its notes and next actions.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The meeting's id prefix or date.") var meeting: String
        @Option(help: "The account, when the date alone is ambiguous.") var account: String?

        func run() throws {
            let replica = try replica.open()
            let m = try MeetingRecordKind.find(replica, meeting, account: account)
            let actions = try replica.records("action", where: ("meeting", .text(m.id)), orderBy: "due")
            let conflict = try replica.conflicts().first { $0.key.row == m.id }
            if output.json {
                guard case .object(var o) = JSON(m, entity: Schema.spec("meeting")) else { return }
                o["actions"] = .array(actions.map { JSON($0, entity: Schema.spec("action")) })
                o["open_conflict"] = conflict.map { .string($0.id) } ?? .null
                o["account_name"] = .string(try Lookup.accountName(replica, m["account"].display))
                return try JSON.object(o).print()
            }
            let kind = m["kind"].textValue.flatMap(MeetingKind.init(rawValue:))?.title ?? "meeting"
            print("\(kind) with \(try Lookup.accountName(replica, m["account"].display)) on \(m["date"].display)  (\(m.id))")
            if !m["attendees"].display.isEmpty { print("attendees: \(m["attendees"].display)") }
            if let conflict { print("! concurrent edits of the notes wait for review: `rapport conflicts show \(conflict.id)`") }
            print("\n\(m["notes"].display.isEmpty ? "(no notes: `rapport meeting notes \(short(m.id))`)" : m["notes"].display)")
            if !actions.isEmpty {
                print("\nNext actions")
                for a in actions { print("  [\(a["done"] == .bool(true) ? "x" : " ")] \(a["text"].display)  \(a["owner"].display)  due \(a["due"].display)") }
            }
        }
    }
}

/// `rapport action`: next actions with owner and due date.
struct ActionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action",
        abstract: "Next actions with owner and due date.",
        subcommands: [Add.self, Done.self, List.self, SetFields<ActionKind>.self, RemoveRecord<ActionKind>.self, RestoreRecord<ActionKind>.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a next action to an account (and a meeting).")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
        @Argument(help: "What is to be done.") var text: String
        @Option(help: "Who does it (default: you).") var owner: String?
        @Option(parsing: .unconditional, help: "When it is due (YYYY-MM-DD, today, +7, -3d).") var due: String?
        @Option(parsing: .unconditional, help: "The meeting that agreed it (id prefix, or its day: YYYY-MM-DD, today, -3).") var meeting: String?

        func run() throws {
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the action's text cannot be empty") }
            // Trimmed as an account's owner is: `due` compares owners with user names, and " anna " is none.
            let owner = owner?.trimmingCharacters(in: .whitespaces)
            if let owner, owner.isEmpty {
                throw ValidationError("--owner cannot be empty: name who does it, or leave --owner out for yourself")
            }
            var values = ValueList("action")
            try values.add("text", text)
            try values.add("due", due)
            values.add("done", value: .bool(false))
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            values.add("account", value: .text(record.id))
            if let meeting {
                values.add("meeting", value: .text(try MeetingRecordKind.find(replica, meeting, within: record).id))
            }
            try Lookup.warnIfArchived(record, replica)
            let spelled = try ownersSpelledAsSynced(owner.map { [("owner", FieldValue.text($0))] } ?? [], replica: replica, account: record.id)
            let id = try replica.change { tx in
                try tx.create("action", values: values.values + [spelled.values.first ?? ("owner", .text(tx.user))])
            }
            try RecordList.added(replica, "action", id: id, json: output.json, extra: { ["overdue": .bool(AccountData.actionItem($0).isOverdue(asOf: Today.local))] }, Format.sentence("Added action \(short(id)) to \(record["name"].display)"))
            if let note = spelled.note { warn("note: \(note)") }
            if let owner, let notice = try unknownOwnerNotice(.text(owner), replica: replica, command: "rapport action set \(short(id))", account: record.id) {
                warn("note: \(notice)")
            }
            if let notice = try ActionKind.dueBeforeMeeting(values.values.first { $0.0 == "due" }?.1, meeting: values.values.first { $0.0 == "meeting" }?.1, action: id, replica) {
                warn("note: \(notice)")
            }
            if let notice = try values.values.first(where: { $0.0 == "due" })?.1.day.flatMap({
                try ActionKind.longPastNotice($0, meeting: values.values.first { $0.0 == "meeting" }?.1, action: id, replica)
            }) {
                warn("note: \(notice)")
            }
        }
    }

    struct Done: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "done", abstract: "Mark an action done (today, or --date).")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The action's id prefix or text.") var action: String
        @Option(parsing: .unconditional, help: "The day it was done (YYYY-MM-DD, today, +7, -3d).") var date: String?
        @Option(help: "The account, when the text alone is ambiguous.") var account: String?

        func run() throws {
            let day = try parsePastDay(date, option: "--date", what: "an action") ?? Today.local
            let replica = try replica.open()
            // Of two of one text, the one still open is meant: the other is done already.
            let record = try ActionKind.find(replica, action, account: account, preferring: { $0["done"] != .bool(true) })
            try ActionKind.refuseDone(on: day, meeting: record["meeting"], replica, what: "--date \(day)")
            if record["done"] == .bool(true), let doneOn = record["done_on"].day {
                // Done twice by mistake must not move the day it was done; --date corrects it on purpose.
                guard date != nil, doneOn != day else { return print("\(Format.sentence("Already done on \(doneOn): \(record["text"].display)")) (`--date` corrects the day.)") }
                _ = try replica.change { tx in try tx.setTogether("action", row: record.id, [("done", .bool(true)), ("done_on", .text(day.description))]) }
                return print(Format.sentence("Done on \(day), not \(doneOn): \(record["text"].display)"))
            }
            _ = try replica.change { tx in try tx.setTogether("action", row: record.id, [("done", .bool(true)), ("done_on", .text(day.description))]) }
            // Of several of one text (at the account given, if one was), which one (the open one was taken): its id and account.
            let namesakes = try replica.records("action", fields: ["text", "account"]).filter {
                $0.id != record.id && $0["text"].display.caseInsensitiveCompare(record["text"].display) == .orderedSame
                    && (account == nil || $0["account"] == record["account"])
            }
            let which = try namesakes.isEmpty ? "" : " (\(short(record.id))\(record["account"].textValue.flatMap { try replica.record("account", id: $0)?["name"].display }.map { ", \($0)" } ?? ""))"
            print(Format.sentence("Done: \(record["text"].display)\(which)"))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List actions, of one account or all; open ones unless --all.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var asOf: AsOfOptions
        @Argument(help: "The account (default: every account not archived).") var account: String?
        @Flag(help: "Include done actions.") var all = false

        func run() throws {
            let today = try asOf.today()
            let replica = try replica.open()
            var rows = try RecordList.rows(replica, entity: "action", account: account, orderBy: "due")
                // Open as of the day: one done after an --as-of day was open on it, as `due` counts it.
                .filter { all || AccountData.actionItem($0.record).isOpen(asOf: today) }
            // (One recorded after an --as-of day was not there on it.)
            let later = try AccountData.actionsRecordedLater(rows.map(\.record), than: today, replica, changed: try AccountData.changedRows(replica, after: today))
            rows.removeAll { later.contains($0.record.id) }
            if output.json {
                return try RecordList.json(rows, entity: "action") { r in
                    let item = AccountData.actionItem(r)
                    // Done after the --as-of day, it was open on it: as the text lists it, not "done" and "overdue" at once.
                    let doneThen: [String: JSON] = item.isOpen(asOf: today) && r["done"] == .bool(true) ? ["done": .bool(false), "done_on": .null] : [:]
                    return doneThen.merging(["overdue": .bool(item.isOverdue(asOf: today))]) { a, _ in a }
                }.print()
            }
            if rows.isEmpty { return print(all ? "No actions yet." : "No open actions.") }
            print(Format.table(["ID", "DUE", "ACCOUNT", "OWNER", "ACTION", ""], rows.map { a, r in
                let item = AccountData.actionItem(r)
                return [short(r.id), r["due"].display, a?["name"].display ?? "?", r["owner"].display, r["text"].display,
                        !item.isOpen(asOf: today) ? "done \(r["done_on"].display)" : item.isOverdue(asOf: today) ? "overdue" : item.due == today ? "due today" : ""]
            }))
        }
    }
}
