import ArgumentParser
import RapportKAM
import RapportReplica
import RapportSync

enum ConcernKind: RecordKind {
    static let entity = "concern", noun = "concern", nameField = "title", listCommand = "rapport concern list", command = "rapport concern"

    /// `set` renames a concern; its steps keep their order and dates only through `concern step`.
    static let settable = ["title"]
    static let setHelp = "Field: title. A concern's steps, their dates and texts are recorded with `rapport concern step`."

    static func check(_ values: [(String, FieldValue)], of record: Record?, today: Day) throws -> [(String, FieldValue)] {
        if let other = values.first(where: { $0.0 != "title" }) {
            throw ValidationError("a concern's \(other.0) is a step's: record the step again to correct it (`rapport concern step CONCERN STEP --date D --text T`); `set` changes the title only; nothing was changed")
        }
        return values
    }
}

/// `rapport concern`: an unhappy account's concern, handled in four steps.
struct ConcernCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concern",
        abstract: "Handle a concern: acknowledge, clarify (examples, dates, impact), commit (next steps, timelines), close the loop (proof).",
        subcommands: [Open.self, Step.self, List.self, Show.self, SetFields<ConcernKind>.self, RemoveRecord<ConcernKind>.self, RestoreRecord<ConcernKind>.self])

    static func find(_ replica: Replica, _ query: String, account: String?) throws -> Record {
        try ConcernKind.find(replica, query, account: account)
    }

    static func state(_ r: Record) -> String { AccountData.concern(r).lastStep?.state ?? "new" }

    /// The command that records a closed concern come back, as a new one.
    static func reopenAdvice(_ replica: Replica, _ concern: Record) throws -> String {
        let account = try Lookup.accountName(replica, concern["account"].display)
        // Titled apart from the closed one by the month it came back in: "(again)" twice made one title of two concerns.
        let title = "\(concern["title"].display) (\(Today.local.monthOfYear))"
        return "`rapport concern open \(Shell.quote(account)) \(Shell.quote(title)) --text \"...\"`"
    }

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "open", abstract: "Record a concern, acknowledged in our own words.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
        @Argument(help: "A one-line title.") var title: String
        @OptionGroup var input: TextInputOptions
        @Option(parsing: .unconditional, help: "The day it was acknowledged (YYYY-MM-DD, today, +7, -3d; default today).") var date: String?

        func run() throws {
            // Spaces around it are no part of it, as an action's text is trimmed.
            let title = title.trimmingCharacters(in: .whitespaces)
            guard !title.isEmpty else { throw ValidationError("the concern's title cannot be empty") }
            let day = try parsePastDay(date, option: "--date", what: "a concern") ?? Today.local
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            let text = try input.read(what: "concern, in our own words")
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("say what the concern is, in our own words; nothing was saved") }
            try Lookup.warnIfArchived(record, replica)
            let id = try replica.change { tx in
                try tx.create("concern", values: [
                    ("account", .text(record.id)), ("title", .text(title)),
                    ("acknowledged_on", .text(day.description)), ("acknowledge_text", .text(text)),
                ])
            }
            try RecordList.added(replica, "concern", id: id, json: output.json, extra: { ["state": .string(ConcernCommand.state($0))] }, "\(Format.sentence("Acknowledged concern \(short(id)) of \(record["name"].display)")) Next: `rapport concern step \(short(id)) clarify --text \"examples, dates, impact\"`.")
            try warnIfNameTaken(replica, entity: "concern", noun: "concern", name: title, nameField: "title", account: record, added: id)
        }
    }

    struct Step: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "step",
            abstract: "Record the next step of a concern: clarify, commit or close (recording a step again corrects it).")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The concern's id prefix or title.") var concern: String
        @Argument(help: "acknowledge, clarify, commit or close (or the state it leaves: committed, closed).") var step: String
        @OptionGroup var input: TextInputOptions
        @Option(parsing: .unconditional, help: "The day of the step (YYYY-MM-DD, today, +7, -3d; default today, or the day it was taken when recorded again).") var date: String?
        @Option(parsing: .unconditional, help: "For commit: when the committed steps are due (YYYY-MM-DD, today, +7, -3d).") var due: String?
        @Option(help: "The account, when the title alone is ambiguous.") var account: String?

        func run() throws {
            guard let step = ConcernStep(named: step) else {
                let likely = Format.likely(self.step, among: ConcernStep.allCases.map(\.rawValue))
                throw ValidationError("'\(self.step)' is not a step\(likely): give acknowledge, clarify, commit or close")
            }
            // A step is recorded once it was taken (a close "with proof" dated ahead closed the loop in lists
            // while `due` and the scorecard still counted it open); only the commit's --due lies ahead.
            let given = try parsePastDay(date, option: "--date", what: "a step")
            let dueDay = try parseDay(due, option: "--due")
            if dueDay != nil, step != .commit { throw ValidationError("--due goes with the commit step: the timeline agreed") }
            let replica = try replica.open()
            // Of two of one title (one closed, the other come back), the one still open is meant.
            let record = try ConcernKind.find(replica, concern, account: account, preferring: { AccountData.concern($0).lastStep != .close })
            let current = AccountData.concern(record)
            // A step recorded again corrects its text, on the day it was taken unless --date says otherwise: a
            // close fixed a week later moved to that day, and out of the period it was in.
            let day = given ?? current.standingSteps[step] ?? Today.local
            guard current.canRecord(step) else {
                let next = current.lastStep.map { ConcernStep.allCases.firstIndex(of: $0)! + 1 } ?? 0
                let advice = next < ConcernStep.allCases.count ? "the next step is \(ConcernStep.allCases[next].rawValue); steps are not skipped" : "its loop is closed"
                throw ValidationError("'\(record["title"].display)' is \(current.lastStep?.state ?? "new"): \(advice)")
            }
            // The loop's steps happen in order, so their days do too; a timeline ends after it was agreed. Only
            // the steps that stand count: one recorded apart that does not (`Concern.standingSteps`) is being
            // recorded again, and must not hold back the steps before it.
            let index = ConcernStep.allCases.firstIndex(of: step)!
            let standing = current.standingSteps
            if let (earlier, earlierDay) = ConcernStep.allCases[..<index].compactMap({ s in standing[s].map { (s, $0) } }).last, day < earlierDay {
                throw ValidationError("--date \(day) is before the \(earlier.rawValue) step (\(earlierDay)): steps are recorded in order; nothing was saved")
            }
            // Correcting an earlier step must not move it past the ones after it.
            if let (later, laterDay) = ConcernStep.allCases[(index + 1)...].compactMap({ s in standing[s].map { (s, $0) } }).first, day > laterDay {
                // Correcting a step's text without --date dates it today, after the steps that followed it.
                let hint = self.date == nil && standing[step] == nil ? ": give the day it was taken (--date YYYY-MM-DD)" : ""
                throw ValidationError("--date \(day) is after the \(later.rawValue) step (\(laterDay)): steps are recorded in order; nothing was saved\(hint)")
            }
            if let dueDay, dueDay < day { throw ValidationError("--due \(dueDay) is before the commit itself (\(day)): give the day the steps are due; nothing was saved") }

            // Correcting the commit's day without --due keeps the due day recorded before: it must still follow.
            if step == .commit, dueDay == nil, let kept = record["commit_due"].day, kept < day {
                throw ValidationError("the committed steps were due \(kept), before this commit day (\(day)): give --due as well; nothing was saved")
            }
            let seen = try replica.textSeen("concern", row: record.id, ConcernFields.text(step))
            // A step recorded already, given only a new --due or --date, keeps its text: the advice to give a
            // commitment its timeline (`... commit --due D`) failed without an editor.
            let keepsText = input.text == nil && input.file == nil && standing[step] != nil && (dueDay != nil || given != nil) && seen.value.textValue != nil
            let text = keepsText ? seen.value.display : try input.read(template: seen.value.display, what: "\(step.rawValue) step") {
                try Restoration.refuseIfRemoved(replica, entity: "concern", row: record.id, noun: "concern")
            }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("the \(step.rawValue) step needs its text; nothing was saved") }
            // On a closed concern an earlier step recorded again corrects what was; a new commitment, due after the
            // loop closed on a day other than the one recorded, is the concern come back (QA: "recurred: new buffer
            // plan" replaced November's commitment in its review, and the concern stayed closed, due nowhere). Its
            // text alone, or its due day alone (one delivered early, or mistyped), is still corrected.
            if step != .close, let closed = standing[.close], let dueDay, dueDay > closed, dueDay != record["commit_due"].day,
               standing[step] != nil, seen.value.textValue.map({ $0 != text }) ?? false {
                throw ValidationError("'\(record["title"].display)' was closed on \(closed): a new commitment due after that is the concern come back; " +
                    "open it anew (\(try ConcernCommand.reopenAdvice(replica, record))) and take it through its steps; nothing was saved " +
                    "(a commitment delivered before its due day is corrected one at a time: its text, or its due day)")
            }
            let changed = try replica.change { tx in
                var changed = try tx.set("concern", row: record.id, ConcernFields.date(step), to: .text(day.description)) != nil
                if try tx.editText("concern", row: record.id, ConcernFields.text(step), to: .text(text), seen: seen) != nil { changed = true }
                if let dueDay, try tx.set("concern", row: record.id, "commit_due", to: .text(dueDay.description)) != nil { changed = true }
                return changed
            }
            // A commitment with no day to keep is never due: `rapport due` would not remind anyone of it (said when it
            // is given again unchanged too, which is when the reminder helps).
            func remindOfItsDay() {
                guard step == .commit, dueDay == nil, record["commit_due"] == .null else { return }
                warn("note: the commitment has no due day, so `rapport due` will not remind you of it: give the timeline with " +
                     "`rapport concern step \(Shell.quote(record["title"].display)) commit --due YYYY-MM-DD`")
            }
            // The same step again, as it stands (a text saved unchanged in the editor): "clarified on" read as news.
            guard changed else {
                print("Nothing changed: the \(step.rawValue) step of '\(record["title"].display)' already says that, on \(day).")
                return remindOfItsDay()
            }
            // Recorded again, a step's text is corrected, not added to: said, with what it said, as a corrected
            // KPI reading is (it read as a first recording, and the customer's complaint was gone from view).
            let before = current.standingSteps[step] == nil ? nil : seen.value.textValue.flatMap { $0 == text ? nil : $0 }
            let corrected = before.map { " (corrected: its \(step.rawValue) step said '\(Format.oneLine($0, max: 60))'; `rapport history \(short(record.id))` keeps it)" } ?? ""
            print("Concern '\(record["title"].display)' \(step.state) on \(day)\(corrected).")
            if step != .close, before != nil, let closed = current.standingSteps[.close] {
                print("Its loop stays closed (on \(closed)); if the concern came back, open it anew: \(try ConcernCommand.reopenAdvice(replica, record)).")
            }
            remindOfItsDay()
            if let notice = try ReviewNotice.after(replica, entity: "concern", row: record.id, field: ConcernFields.text(step)) { print(notice) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List open concerns (all with --all), of one account or all.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account (default: every account not archived).") var account: String?
        @Flag(help: "Include closed concerns.") var all = false

        func run() throws {
            let rows = try RecordList.rows(try replica.open(), entity: "concern", account: account, orderBy: "acknowledged_on")
                .filter { all || AccountData.concern($0.record).standingSteps[.close] == nil }
            if output.json { return try RecordList.json(rows, entity: "concern") { ["state": .string(ConcernCommand.state($0))] }.print() }
            if rows.isEmpty { return print("No \(all ? "" : "open ")concerns.") }
            print(Format.table(["ID", "SINCE", "ACCOUNT", "STATE", "TITLE"], rows.map { a, c in
                [short(c.id), c["acknowledged_on"].display, a?["name"].display ?? "?", ConcernCommand.state(c), c["title"].display]
            }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a concern step by step.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The concern's id prefix or title.") var concern: String
        @Option(help: "The account, when the title alone is ambiguous.") var account: String?

        func run() throws {
            let replica = try replica.open()
            let c = try ConcernCommand.find(replica, concern, account: account)
            let conflict = try replica.conflicts().first { $0.key.row == c.id }
            if output.json {
                guard case .object(var o) = JSON(c, entity: Schema.spec("concern")) else { return }
                o["open_conflict"] = conflict.map { .string($0.id) } ?? .null
                o["state"] = .string(ConcernCommand.state(c))
                o["out_of_order"] = AccountData.concern(c).outOfOrder.map { .string($0.step.rawValue) } ?? .null
                o["account_name"] = .string(try Lookup.accountName(replica, c["account"].display))
                return try JSON.object(o).print()
            }
            print("\(c["title"].display)  (\(c.id))")
            print("account: \(try Lookup.accountName(replica, c["account"].display))   state: \(ConcernCommand.state(c))")
            for step in ConcernStep.allCases {
                let date = c[ConcernFields.date(step)].display
                print("\n\(step.rawValue)\(date.isEmpty ? ": not yet" : " (\(date))")\(step == .commit && !c["commit_due"].display.isEmpty ? ", due \(c["commit_due"].display)" : "")")
                if !c[ConcernFields.text(step)].display.isEmpty { print(indent(c[ConcernFields.text(step)].display)) }
            }
            if let odd = AccountData.concern(c).outOfOrder {
                print("\n! the \(odd.step.rawValue) step (\(odd.day)) is dated before the \(odd.after.rawValue) step (\(odd.afterDay)) " +
                      "(recorded on another laptop, or recorded again since): the concern stays \(odd.after.state) until the \(odd.step.rawValue) step is recorded again " +
                      "(`rapport concern step \(Shell.quote(c["title"].display)) \(odd.step.rawValue)`)")
            }
            if let conflict {
                print("\n! concurrent edits wait for review: `rapport conflicts show \(conflict.id)`")
            }
        }
    }
}
