import ArgumentParser
import Foundation
import RapportKAM
import RapportReplica
import RapportSync

struct NoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "note",
        abstract: "Write and read notes on accounts. Concurrent edits of a note go to review, never lost.",
        subcommands: [Add.self, Edit.self, Show.self, List.self, RemoveRecord<NoteKind>.self, RestoreRecord<NoteKind>.self])

    /// When a note was written, in local time as `note list` gives its day ("2026-12-01 08:30"); the stamp as it
    /// is when it is not one (an import's).
    static func writtenTime(_ stamp: String) -> String {
        if let day = dayOnly(stamp) { return day.description }
        guard let date = try? Date(stamp, strategy: .iso8601) else { return stamp }
        return Format.shortTime(Int64(date.timeIntervalSince1970 * 1000))
    }

    /// The day a note was written on this machine's calendar: `created_at` is a moment in UTC, and a note
    /// written late in the evening west of Greenwich belongs to that evening's day.
    static func writtenDay(_ stamp: String) -> Day? {
        if let day = dayOnly(stamp) { return day }
        if let date = try? Date(stamp, strategy: .iso8601) { return Today.day(ms: Int64(date.timeIntervalSince1970 * 1000)) }
        return Day(String(stamp.prefix(10)))
    }

    static var entity: EntitySpec { Schema.rapport.entity("note")! }

    /// A note dated back to `day` is written on that day, with no time: noon UTC, which every laptop reads as
    /// that day whatever its time zone (`dayOnly`). As a moment, it was read as the day before in Los Angeles
    /// and the day after in Tokyo, and put in another month's review there. Nil for today, which is written now.
    static func stamp(writtenOn day: Day) -> String? {
        day == Today.local ? nil : "\(day)T\(dayOnlyTime)"
    }

    /// The time of a stamp that gives a day only.
    static let dayOnlyTime = "12:00:00Z"

    /// Now, as a note's `created_at`: never the day-only form, which a note written in that second of the
    /// day would have had (and read as the day in UTC, not as its moment: the next day in Auckland).
    static func nowStamp(_ now: Date = Date()) -> String {
        let stamp = now.formatted(.iso8601)
        return dayOnly(stamp) == nil ? stamp : stamp.replacingOccurrences(of: "T" + dayOnlyTime, with: "T12:00:01Z")
    }

    /// The day of a stamp that gives a day only (`stamp(writtenOn:)`); nil for a moment.
    static func dayOnly(_ stamp: String) -> Day? {
        guard stamp.count == 20, stamp.hasSuffix("T" + dayOnlyTime) else { return nil }
        return Day(String(stamp.prefix(10)))
    }

    /// For `note remove`: a note put on the wrong account stayed there for good.
    enum NoteKind: RecordKind {
        static let entity = "note"
        static let noun = "note"
        static let nameField = "title"
        static let listCommand = "rapport note list ACCOUNT"
        static let command = "rapport note"
    }

    /// `account`: the note's account, when its title alone is ambiguous (notes at several accounts share one).
    static func find(_ replica: Replica, _ query: String, account: String?) throws -> Record {
        try NoteKind.find(replica, query, account: account)
    }

    /// Whether a note's title is the one taken from its text's first line: that of its text now, or of a version
    /// its text had (a resolution, or a colleague's edit, replaced the text, and the title stayed behind).
    static func titleFollowsText(_ replica: Replica, _ note: Record) throws -> Bool {
        let title = note["title"].display
        if title == Format.titleLine(note["body"].display) { return true }
        return try replica.history(row: note.id).contains { $0.entity == "note" && $0.field == "body" && Format.titleLine($0.value.display) == title }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a note to an account.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
        @OptionGroup var input: TextInputOptions
        @Option(help: "A one-line title (default: the first line of the text).") var title: String?
        @Option(help: "account, meeting or stakeholder") var kind = "account"
        @Option(parsing: .unconditional, help: ArgumentHelp(
            "The day it was written, for a note of something earlier (YYYY-MM-DD, yesterday, -3).",
            discussion: "A month's review takes the notes written in it: one written up after the month, dated back, is in it.")) var date: String?

        func run() throws {
            let kindValue: FieldValue
            do { kindValue = try NoteCommand.entity.field("kind")!.parse(kind) } catch {
                throw ValidationError("\(error.namingTheLikelyChoice(for: NoteCommand.entity.field("kind")))")
            }
            let written = try parsePastDay(date, option: "--date", what: "a note").flatMap(NoteCommand.stamp(writtenOn:)) ?? NoteCommand.nowStamp()
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            let text = try input.read(what: "note")
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw ValidationError("the note is empty; nothing was saved") }
            try Lookup.warnIfArchived(record, replica)
            // A note is found by its title, as `note edit` requires one: a blank one left it reachable by its id
            // alone ("Removed note 4643361e ."). A title given is one line, as a title set later is.
            let heading: FieldValue
            if let title {
                guard !title.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw ValidationError("a note needs a title; nothing was saved: give --title a few words, or leave it out for the text's first line")
                }
                do { heading = try NoteCommand.entity.field("title")!.parse(title) } catch { throw ValidationError("\(error)") }
                // Invisible characters alone are no title.
                guard heading != .null else {
                    throw ValidationError("a note needs a title; nothing was saved: give --title a few words, or leave it out for the text's first line")
                }
            } else {
                heading = .text(Format.titleLine(text))
            }
            let id = try replica.change { tx in
                try tx.create("note", values: [
                    ("account", .text(record.id)),
                    ("title", heading),
                    ("kind", kindValue),
                    ("created_at", .text(written)),
                    ("body", .text(text)),
                ])
            }
            // (Not "Fabrikam, Inc..": a name that ends with a full stop ends the sentence.)
            let name = record["name"].display
            try RecordList.added(replica, "note", id: id, json: output.json, extra: { _ in ["open_conflict": .null] }, Format.sentence("Added note \(id.prefix(8)) to \(name)"))
            // A title given that another note of the account has, as for the other records (a first line taken as
            // the title is the text's, and notes of a rhythm share theirs).
            if title != nil { try warnIfNameTaken(replica, entity: "note", noun: "note", name: heading.display, nameField: "title", account: record, added: id) }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "edit", abstract: "Replace a note's text (or its title with --title, its day with --date); a title taken from its first line follows it.")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The note's id prefix or title.") var note: String
        @OptionGroup var input: TextInputOptions
        @Option(help: "A new title.") var title: String?
        // A note dated wrongly at `add` (or not dated back) was in another month's review, with no way to move it.
        @Option(parsing: .unconditional, help: "The day it was written (YYYY-MM-DD, yesterday, -3): a month's review takes the notes written in it.") var date: String?
        @Option(help: "The account, when the title alone is ambiguous.") var account: String?

        func run() throws {
            // A note is found by its title: a blank one would leave it reachable only by its id.
            if let title, title.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("a note needs a title; nothing was changed: give --title a few words")
            }
            let day = try parsePastDay(date, option: "--date", what: "a note")
            let replica = try replica.open()
            let record = try NoteCommand.find(replica, note, account: account)
            let onlyTitle = (title != nil || date != nil) && input.text == nil && input.file == nil
            // Read before the editor opens: a version a sync brings in meanwhile meets this edit in review.
            let seen = onlyTitle ? nil : try replica.textSeen("note", row: record.id, "body")
            // A sync while the editor was open may have brought the note's removal: saved onto it, the text went
            // where no one sees it, with "Updated note" said.
            let text = onlyTitle ? nil : try input.read(template: seen!.value.display, what: "note") {
                try Restoration.refuseIfRemoved(replica, entity: "note", row: record.id, noun: "note")
            }
            // As `note add`: an empty --text (an unset shell variable, say) would blank the note for the whole
            // team with nothing to show for it.
            if let text, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw ValidationError("the new text is empty; nothing was saved: give the note's new text")
            }
            // A title taken from the text's first line (none given at `note add`) follows it: the list and the
            // report kept showing a first line the text no longer had. One given, or set since, stays.
            // One given is read as `add` reads it (one line, invisible characters dropped).
            var title = try self.title.map { given in
                let parsed: String
                do { parsed = try NoteCommand.entity.field("title")!.parse(given).display } catch { throw ValidationError("\(error)") }
                // Invisible characters alone are no title.
                guard !parsed.isEmpty else { throw ValidationError("a note needs a title; nothing was changed: give --title a few words") }
                return parsed
            }
            if title == nil, let text, try NoteCommand.titleFollowsText(replica, record) {
                let line = Format.titleLine(text)
                if !line.isEmpty, line != record["title"].display { title = line }
            }
            let changed = try replica.change { tx in
                var count = 0
                if let text, try tx.editText("note", row: record.id, "body", to: .text(text), seen: seen) != nil { count += 1 }
                if let title, try tx.set("note", row: record.id, "title", to: .text(title)) != nil { count += 1 }
                // The day it was written already keeps its moment (a note written at 09:14 is not moved to noon). Another
                // is that day alone, today too: as a moment, it was another day on a laptop in another time zone (QA).
                if let day, NoteCommand.writtenDay(record["created_at"].display) != day,
                   try tx.set("note", row: record.id, "created_at", to: .text("\(day)T\(NoteCommand.dayOnlyTime)")) != nil { count += 1 }
                return count
            }
            let dated = day.map { d in NoteCommand.writtenDay(record["created_at"].display) == d ? "" : ", written on \(d)" } ?? ""
            print(changed == 0 ? "Nothing changed." : "Updated note \(record.id.prefix(8))\(self.title == nil && title != nil ? ", now titled '\(title!)' after its first line" : "")\(dated).")
            if text != nil, changed > 0, let notice = try ReviewNotice.after(replica, entity: "note", row: record.id, field: "body") { print(notice) }
            if let given = self.title, let title, changed > 0, AccountName.key(given) != AccountName.key(record["title"].display),
               let account = try replica.record("account", id: record["account"].display) {
                try warnIfNameTaken(replica, entity: "note", noun: "note", name: title, nameField: "title", account: account, added: record.id, renamed: true)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a note.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The note's id prefix or title.") var note: String
        @Option(help: "The account, when the title alone is ambiguous.") var account: String?

        func run() throws {
            let replica = try replica.open()
            let record = try NoteCommand.find(replica, note, account: account)
            let conflict = try replica.conflicts().first { $0.key.row == record.id }
            if output.json {
                guard case .object(var object) = JSON(record, entity: NoteCommand.entity) else { return }
                object["open_conflict"] = conflict.map { .string($0.id) } ?? .null
                // As the other records' JSON names their account.
                object["account_name"] = .string(try Lookup.accountName(replica, record["account"].display))
                return try JSON.object(object).print()
            }
            let account = try replica.record("account", id: record["account"].display)
            print("\(record["title"].display)  (\(record.id))")
            print("account: \(account?["name"].display ?? record["account"].display)   kind: \(record["kind"].display)   written: \(NoteCommand.writtenTime(record["created_at"].display))")
            if let conflict {
                print("! concurrent edits wait for review: `rapport conflicts show \(conflict.id)` (showing the latest version)")
            }
            print("")
            print(record["body"].display)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List an account's notes.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String

        func run() throws {
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            let notes = try replica.records("note", where: ("account", .text(record.id)), orderBy: "created_at")
            // The open conflict on each note, as `note show --json` gives it: the text list marks them "in review".
            let open = Dictionary(try replica.conflicts().map { ($0.key.row, $0.id) }, uniquingKeysWith: { first, _ in first })
            if output.json {
                return try JSON.array(notes.map { note in
                    guard case .object(var object) = JSON(note, entity: NoteCommand.entity) else { return .null }
                    object["open_conflict"] = open[note.id].map(JSON.string) ?? .null
                    object["account_name"] = .string(record["name"].display)
                    return .object(object)
                }).print()
            }
            if notes.isEmpty { return print("No notes on \(record["name"].display): `rapport note add \(Shell.quote(record["name"].display)) --text ...`") }
            let conflicted = Swift.Set(open.keys)
            print(Format.table(["ID", "WRITTEN", "KIND", "TITLE"], notes.map { n in
                [String(n.id.prefix(8)), NoteCommand.writtenDay(n["created_at"].display)?.description ?? String(n["created_at"].display.prefix(10)), n["kind"].display,
                 n["title"].display + (conflicted.contains(n.id) ? "  (in review)" : "")]
            }))
        }
    }
}
