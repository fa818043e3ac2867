import ArgumentParser
import Foundation
import RapportKAM
import RapportReplica
import RapportReport
import RapportSync

struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Add, list, show and change accounts.",
        subcommands: [Add.self, List.self, Show.self, Set.self, Archive.self, Merge.self, Handover.self, Remove.self, Restore.self])

    static var entity: EntitySpec { Schema.rapport.entity("account")! }

    /// A field as `account list` and `account show` print it: a margin in percent, a revenue grouped in thousands
    /// as the other tables print money (1,234,567.5, not 1234567.5).
    static func shown(_ record: Record, _ field: String) -> String {
        shown(field, record[field])
    }

    /// An account field's value as `account show` gives it: a margin with its %, a revenue grouped from 1,000.
    static func shown(_ field: String, _ value: FieldValue) -> String {
        switch (field, value.double) {
        case ("margin", let margin?): Figures.amount(margin, unit: "%")
        case ("revenue", let revenue?): Figures.amount(revenue, unit: "", groupingFrom: 1_000)
        default: value.display
        }
    }

    /// Whether setting `archived` so leaves the account no copy merged away, and its `merged_into` is cleared (only
    /// `account merge` sets it): brought back; or archived by hand when it was in use (brought back by a version
    /// without the field, which left it). Archived again when archived, it stays a merged copy.
    static func unmerges(_ record: Record, archived: FieldValue?) -> Bool {
        guard let archived else { return false }
        return archived != .bool(true) || record["archived"] != .bool(true)
    }

    /// Every command finds an account by its name, so a name is one line, of a length a table can show, and
    /// no other account's (two accounts of one name make every command that takes it ask for an id).
    /// A customer since a day to come is a typo of the year (2030 for 2020): it counted as the newest customer
    /// in every view that reads how long they have been one.
    static func check(customerSince values: [(String, FieldValue)], record: Record? = nil) throws {
        let given = { (field: String) in values.first(where: { $0.0 == field }).map { $0.1 } }
        if let day = given("customer_since")?.day, day > Today.local {
            throw ValidationError("customer_since \(day) is in the future; nothing was saved: give the day they became a customer (a contract signed for a later start counts from its signing)")
        }
        // A renewal before they were a customer is a typo of a year (2019 for 2029): `due` listed it overdue by years.
        guard given("customer_since") != nil || given("next_renewal") != nil,
              let since = (given("customer_since") ?? record?["customer_since"])?.day,
              let renewal = (given("next_renewal") ?? record?["next_renewal"])?.day, renewal < since else { return }
        throw ValidationError("next_renewal \(renewal) is before customer_since \(since); nothing was saved: give the contract's next renewal day, after they became a customer")
    }

    /// What `similar` found, said with the merges that make them one (the account `id`, named `name`, into the
    /// first of them, and the others likewise): naming one of two left a duplicate after the advice was followed.
    static func similarNote(_ similar: [Record], name: String, id: String) -> String? {
        guard let first = similar.first else { return nil }
        let named = Format.list(similar.map { "\($0["name"].display) (\(short($0.id)))" }, conjunction: "and")
        let others = similar.dropFirst().map { "`rapport account merge \(short($0.id)) --into \(short(first.id))`" }
        return "\(named) \(similar.count == 1 ? "differs" : "differ") from \(name) only in punctuation, spacing or accents: if they are one customer, " +
            "\(Format.list(["`rapport account merge \(id.prefix(8)) --into \(short(first.id))`"] + others, conjunction: "and")) make\(similar.count == 1 ? "s" : "") them one"
    }

    /// A copy merged away whose name differs from `name` only in punctuation, spacing or accents, said with the
    /// account it went into: the duplicate a merge made one came back as a new account without a word (QA; the
    /// copy's name itself is refused, `check(name:)`). Nil when there is none, or an account in use is so named
    /// (`similarNote` says that one).
    static func mergedSimilarNote(_ name: String, in replica: Replica, id: String) throws -> String? {
        let loose = AccountName.looseKey(name)
        guard !loose.isEmpty, try similar(to: name, in: replica, except: id).isEmpty else { return nil }
        for copy in try replica.records("account", fields: ["name", "archived", "merged_into"]) where copy.id != id && copy["merged_into"] != .null
            && AccountName.looseKey(copy["name"].display) == loose {
            guard let full = try replica.record("account", id: copy.id), let into = try Sync.mergedInto(replica, full, followingMerges: true),
                  !into.deleted, into.id != id, into["archived"] != .bool(true) else { continue }
            return "\(copy["name"].display) (\(short(copy.id))), whose name differs from \(name) only in punctuation, spacing or accents, was merged into " +
                "\(into["name"].display) (\(short(into.id))): if they are one customer, `rapport account merge \(id.prefix(8)) --into \(short(into.id))` makes them one"
        }
        return nil
    }

    /// The accounts in use whose names differ from `name` only in punctuation, spacing or accents.
    /// The one to keep first, as `sync` ranks them (`Sync.keepFirst`: the one the team recorded most at).
    static func similar(to name: String, in replica: Replica, except id: String) throws -> [Record] {
        let loose = AccountName.looseKey(name)
        guard !loose.isEmpty else { return [] }
        let found = try replica.activeAccounts(fields: ["name"]).filter { $0.id != id && AccountName.looseKey($0["name"].display) == loose }
        return found.count < 2 ? found : try Sync.keepFirst(found, replica).map(\.account)
    }

    static func check(name: String, in replica: Replica, except id: String? = nil) throws {
        if let problem = AccountName.problem(name) { throw ValidationError(problem) }
        let key = AccountName.key(name)
        if let other = try replica.records("account", fields: ["name"]).first(where: { $0.id != id && AccountName.key($0["name"].display) == key }) {
            // The copy merged into the very account being renamed holds the name the team knows it by.
            if let id, let copy = try replica.record("account", id: other.id), copy["archived"] == .bool(true), copy["merged_into"].textValue == id {
                throw ValidationError("there is already an account called \(other["name"].display) (\(other.id.prefix(8))): the copy merged into this one; nothing was saved: " +
                                      "rename the copy first (`rapport account set \(other.id.prefix(8)) name=\"\(other["name"].display) (merged)\"`), then this one")
            }
            // An archived one is in no list, so "already an account" read as a bug: say where it is.
            if let copy = try replica.record("account", id: other.id), copy["archived"] == .bool(true) {
                let rename = "`rapport account set \(other.id.prefix(8)) name=\(Shell.quote("\(other["name"].display) (old)"))`"
                if let into = try Sync.mergedInto(replica, copy, followingMerges: true) {
                    throw ValidationError("there is already an account called \(other["name"].display) (\(other.id.prefix(8))): archived, merged into \(into["name"].display) " +
                                          "(\(short(into.id))); nothing was saved: that is the account in use; if this is another customer, rename the copy first (\(rename)) " +
                                          "or give this one a distinct name")
                }
                throw ValidationError("there is already an account called \(other["name"].display) (\(other.id.prefix(8))), archived; nothing was saved: " +
                                      "`rapport account set \(other.id.prefix(8)) archived=false` brings it back; if this is another customer, give it a distinct name, " +
                                      "e.g. '\(name) (Europe)'")
            }
            throw ValidationError("there is already an account called \(other["name"].display) (\(other.id.prefix(8))); nothing was saved: give this one a distinct name, e.g. '\(name) (Europe)'")
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an account.")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The customer's name.") var name: String
        @Option(help: "The customer's industry.") var industry: String?
        @Option(help: "Yearly revenue (1.2m, 350k, 90000).") var revenue: String?
        // Unconditional, so that a negative margin (`--margin -20`) is read as the value, not as an option.
        @Option(parsing: .unconditional, help: "Gross margin in percent.") var margin: String?
        @Option(help: "key or standard.") var tier: String?
        @Option(help: "The manager who owns the account (default: you).") var owner: String?
        @Option(name: .customLong("customer-since"), parsing: .unconditional, help: ArgumentHelp("The day it became a customer (YYYY-MM-DD, or -3d, yesterday).", valueName: "day")) var customerSince: String?
        @Option(name: .customLong("next-renewal"), parsing: .unconditional, help: ArgumentHelp("The day its contract next renews (YYYY-MM-DD, or +30, +2w).", valueName: "day")) var nextRenewal: String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            let replica = try replica.open()
            let name = try AccountName.typed(name)
            try AccountCommand.check(name: name, in: replica)
            let given: [(String, String?)] = [
                ("industry", industry), ("revenue", revenue), ("margin", margin), ("tier", tier ?? "standard"),
                ("owner", owner), ("customer_since", customerSince), ("next_renewal", nextRenewal),
            ]
            var values: [(String, FieldValue)] = [("name", .text(name))]
            for (field, text) in given {
                guard let text else { continue }
                do { values.append((field, try AccountCommand.entity.field(field)!.parseTyped(text))) } catch { throw ValidationError("\(error)") }
            }
            if values.contains(where: { ($0.0 == "owner" || $0.0 == "tier") && $0.1 == .null }) {
                throw ValidationError("an account needs an owner and a tier; nothing was saved: leave --owner out for yourself, --tier out for standard")
            }
            try AccountCommand.check(customerSince: values)
            let spelled = try ownersSpelledAsSynced(values, replica: replica)
            values = spelled.values
            if !values.contains(where: { $0.0 == "owner" }) { values.append(("owner", .text(try replica.identity().user))) }
            // Checked again under the write lock: two `account add` of one name at once (a script's loop in the
            // background) both passed the check above, made before the values were read.
            let id = try replica.change { tx in
                try AccountCommand.check(name: name, in: replica)
                return try tx.create("account", values: values)
            }
            // For a script, the account's fields by its whole id (as `account show --json` gives them, without
            // the notes and concerns a new account has none of).
            if output.json, let record = try replica.record("account", id: id) {
                try JSON(record, entity: AccountCommand.entity).print()
            } else {
                print("Added account \(name) (\(id.prefix(8))).")
            }
            if let note = spelled.note { warn("note: \(note)") }
            if let note = try AccountCommand.similarNote(AccountCommand.similar(to: name, in: replica, except: id), name: name, id: id)
                ?? AccountCommand.mergedSimilarNote(name, in: replica, id: id) { warn("note: \(note)") }
            if let notice = try unknownOwnerNotice(owner.map(FieldValue.text), replica: replica, command: "rapport account set \(id.prefix(8))") {
                warn("note: \(notice)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List accounts.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        // (`--all` too, as people reach for it: "Did you mean '--db'?" answered it.)
        @Flag(name: [.long, .customLong("all")], help: "Include archived accounts.") var archived = false

        func run() throws {
            // The table shows a few of an account's fields; --json shows them all.
            let shown = output.json ? nil : ["name", "tier", "owner", "industry", "revenue", "margin", "archived", "merged_into"]
            let file = try replica.open()
            let records = try file.records("account", orderBy: "name", fields: shown)
                .filter { archived || $0["archived"] != .bool(true) }
            if output.json { return try JSON.array(records.map { JSON($0, entity: AccountCommand.entity) }).print() }
            if records.isEmpty { return print("No accounts yet: add one with `rapport account add NAME`.") }
            // A copy merged away is named by where it went: two rows of one customer read as a duplicate left over.
            // (As `account show` reads it: a merge that an archival since, by a version without the field, outdated
            // is not one.)
            func mark(_ r: Record) throws -> String {
                guard r["archived"] == .bool(true) else { return "" }
                guard r["merged_into"] != .null, let into = try Sync.mergedInto(file, r, includeRemoved: true) else { return " (archived)" }
                return " (merged into \(into["name"].display)\(into.deleted ? ", removed" : ""))"
            }
            print(Format.table(
                ["ID", "NAME", "TIER", "OWNER", "INDUSTRY", "REVENUE", "MARGIN"],
                try records.map { r in
                    // With --archived, which ones are: the list mixed them with the others unmarked.
                    [String(r.id.prefix(8)), r["name"].display + (try mark(r)), r["tier"].display, r["owner"].display, r["industry"].display,
                     AccountCommand.shown(r, "revenue"), AccountCommand.shown(r, "margin")]
                }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one account.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String

        func run() throws {
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            let notes = try replica.records("note", where: ("account", .text(record.id)), orderBy: "created_at")
            let conflicts = try replica.conflicts().filter { c in c.key.row == record.id || notes.contains { $0.id == c.key.row } }
            let concerns = try replica.rows("concern", of: record, orderBy: "acknowledged_on").filter { $0["closed_on"] == .null }
            // The step each stands at and its day: "committed since" gave the day it was opened.
            func standing(_ c: Record) -> (state: String, since: String) {
                let concern = AccountData.concern(c)
                return (concern.lastStep?.state ?? "new", concern.lastStep.flatMap { concern.standingSteps[$0] }?.description ?? c["acknowledged_on"].display)
            }
            let overview = try AccountOverview.load(replica, account: record, today: Today.local)
            // A copy merged into another has its work there: what is left here would only prompt for what is done.
            // (Not one of two merged into each other offline, which names itself at the chain's end.)
            let mergedInto = try Sync.mergedInto(replica, record, followingMerges: true).flatMap { into in
                into.deleted || into.id == record.id || into["archived"] == .bool(true) ? nil : into
            }
            if output.json {
                guard case .object(var object) = JSON(record, entity: AccountCommand.entity) else { return }
                object["overview"] = mergedInto == nil ? overview.json : .null
                // Each note names its open conflict, as `note list --json` and `note show --json` do.
                object["notes"] = .array(notes.map { note in
                    guard case .object(var o) = JSON(note, entity: NoteCommand.entity) else { return .null }
                    o["open_conflict"] = conflicts.first { $0.key.row == note.id }.map { .string($0.id) } ?? .null
                    return .object(o)
                })
                object["open_concerns"] = .array(concerns.map { c in
                    .object(["id": .string(c.id), "title": JSON(c["title"]), "state": .string(standing(c).state), "since": JSON(c["acknowledged_on"]),
                             "state_since": .string(standing(c).since)])
                })
                object["open_conflicts"] = .array(conflicts.map { .string($0.id) })
                return try JSON.object(object).print()
            }
            print("\(record["name"].display)  (\(record.id))")
            for field in AccountCommand.entity.fields where field.name != "name" {
                var value = AccountCommand.shown(record, field.name)
                if field.name == "merged_into" {
                    // Only where there is one, and by name: an id alone sent people to look it up.
                    guard let into = try Sync.mergedInto(replica, record, includeRemoved: true) else { continue }
                    value = "\(into["name"].display) (\(into.id.prefix(8)))\(into.deleted ? ", removed" : into["archived"] == .bool(true) ? ", archived too" : "")"
                }
                print("  \(field.name.padding(toLength: 15, withPad: " ", startingAt: 0)) \(value)")
            }
            if let into = mergedInto {
                print("  at a glance     see \(into["name"].display), which it was merged into: `rapport account show \(Shell.quote(into["name"].display))`")
            } else {
                print("  at a glance, \(overview.today)")
                for line in overview.lines { print("    \(line.label.padding(toLength: 13, withPad: " ", startingAt: 0)) \(line.text)") }
            }
            print("  notes           \(notes.count)")
            for note in notes { print("    \(note.id.prefix(8))  \(note["title"].display)") }
            print("  open concerns   \(concerns.count)")
            for c in concerns { print("    \(c.id.prefix(8))  \(c["title"].display)  (\(standing(c).state) since \(standing(c).since))") }
            for conflict in conflicts { print("  ! conflict \(conflict.id) on \(conflict.key.entity) \(conflict.key.field): `rapport conflicts show \(conflict.id)`") }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change fields of an account.",
            discussion: "Fields: \(Schema.rapport.entity("account")!.fields.map(\.name).filter { $0 != "merged_into" }.joined(separator: ", ")). An empty value clears a field, except name, owner and tier.")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
        @Argument(help: "field=value pairs, e.g. revenue=1.2m tier=key.") var assignments: [String] = []

        func validate() throws {
            if assignments.isEmpty { throw ValidationError("give at least one field=value, e.g. `rapport account set ACME revenue=1.2m`") }
        }

        func run() throws {
            var values: [(String, FieldValue)]
            do { values = try AccountCommand.entity.parseTypedAssignments(assignments) } catch { throw ValidationError("\(error)") }
            values = values.map { field, value in field == "name" ? (field, value.textValue.map { .text(AccountName.normalized($0)) } ?? value) : (field, value) }
            if values.contains(where: { $0.0 == "name" && $0.1 == .null }) { throw ValidationError("the account name cannot be empty") }
            if values.contains(where: { $0.0 == "merged_into" }) {
                throw ValidationError("merged_into is set by `rapport account merge COPY --into ACCOUNT`, which also moves the copy's records; " +
                                      "`archived=false` clears it; nothing was changed")
            }
            // `due`, `portfolio --key` and the owner filters find an account by its owner and tier.
            if let (field, _) = values.first(where: { ($0.0 == "owner" || $0.0 == "tier") && $0.1 == .null }) {
                throw ValidationError("an account needs \(Format.article(field)) \(field); nothing was changed: give one")
            }
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            try AccountCommand.check(customerSince: values, record: record)
            if let name = values.first(where: { $0.0 == "name" })?.1 { try AccountCommand.check(name: name.display, in: replica, except: record.id) }
            // Never archived and not archived are one state: archived=false on an account never archived changed
            // nothing, yet was recorded and synced as a change.
            let notArchived: (FieldValue) -> Bool = { $0 != .bool(true) }
            var kept = values.filter { !($0.0 == "archived" && notArchived($0.1) && notArchived(record["archived"])) }
            if record["merged_into"] != .null, AccountCommand.unmerges(record, archived: values.last { $0.0 == "archived" }?.1) { kept.append(("merged_into", .null)) }
            let spelled = try ownersSpelledAsSynced(kept, replica: replica)
            kept = spelled.values
            let changed = try replica.change { tx in
                // (The merge's mark cleared with archived=false is not a field the command was given.)
                try kept.compactMap { field, value in try tx.set("account", row: record.id, field, to: value).map { _ in field } }.filter { $0 != "merged_into" }.count
            }
            // Named as it is called now: a rename said "Updated <old name>".
            let renamed = kept.first { $0.0 == "name" }.map { $0.1.display }.flatMap { $0 == record["name"].display ? nil : $0 }
            print(changed == 0 ? "Nothing changed." : "Updated \(renamed.map { "\($0) (was \(record["name"].display))" } ?? record["name"].display): \(changed) field\(changed == 1 ? "" : "s").")
            if let note = spelled.note { warn("note: \(note)") }
            // Archived so, as `account archive` says it.
            if changed > 0, record["archived"] != .bool(true), kept.contains(where: { $0 == ("archived", .bool(true)) }) {
                print("Archived: \(try AccountCommand.leavesTheLists(record, replica))")
                if let notice = try AccountCommand.openReviewsNotice(record, replica) { print(notice) }
            }
            // Renamed to a name another account has but for punctuation, spacing or accents: said, as `add` says it.
            if changed > 0, let renamed, let note = AccountCommand.similarNote(try AccountCommand.similar(to: renamed, in: replica, except: record.id), name: renamed, id: record.id) {
                warn("note: \(note)")
            }
            if changed > 0, let notice = try unknownOwnerNotice(kept.first { $0.0 == "owner" }?.1, replica: replica, command: "rapport account set \(record.id.prefix(8))") {
                warn("note: \(notice)")
            }
            // Changed on an archived account it stays off the lists: a copy merged away is found by its old name,
            // and the change landed on it without a word.
            // (Not for a rename alone: a copy's name is renamed to free it, as `account add` advises.)
            if changed > 0, record["archived"] == .bool(true), !kept.contains(where: { $0.0 == "archived" }), kept.contains(where: { $0.0 != "name" }) {
                let into = try Sync.mergedInto(replica, record, followingMerges: true)
                let name = "\(record["name"].display) (\(short(record.id)))"
                warn(into.map { "note: \(name) was merged into \($0["name"].display) (\(short($0.id))), and the change is on the archived copy, off the lists: " +
                                "`rapport account set \(short($0.id)) \(assignments.map(Shell.quote).joined(separator: " "))` changes the account kept" }
                     ?? "note: \(name) is archived, and the change is on it, off the lists (`rapport account set \(short(record.id)) archived=false` brings it back)")
            }
        }
    }

    /// Only an account that holds nothing: a removal is for everyone and for good (it wins over any edit), and the
    /// records of a removed account would stay behind with no account in any list. Those of one in use are kept by
    /// archiving it, and a duplicate's by merging it.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove an account that holds no records, such as one added by mistake (for everyone, once synced).",
            discussion: "An account with records is archived (`rapport account archive`) or merged into the account it duplicates (`rapport account merge`) instead.")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The account's whole name, or the start of its id (4 characters or more).") var account: String

        func run() throws {
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            try Lookup.requireWholeName(record, query: account, noun: "the account", command: "remove it")
            // No sync may land records on it between counting them and removing it.
            let lock = try SyncAlreadyRunning.take(self.replica.path, then: "remove it again", holder: "rapport account remove")
            defer { if let lock { close(lock) } }
            let name = "\(record["name"].display) (\(record.id.prefix(8)))"
            let held = try replica.recordCounts(at: record.id)
            guard held.isEmpty else {
                let kinds = Format.list(held.map { "\($0.count) \(ReplicaError.noun($0.entity, plural: $0.count != 1))" }, conjunction: "and")
                let one = held.reduce(0) { $0 + $1.count } == 1
                let holds = "\(name) holds \(kinds), which would be left without an account; nothing was changed"
                if record["archived"] == .bool(true) { throw ValidationError("\(holds): it is archived, off the lists with \(one ? "that record" : "them") already") }
                // A merge leaves recorded months with the copy (their figures were the copy's alone): no way to move them.
                let merges = held.filter { $0.entity != "scorecard" }.isEmpty ? ""
                    : ", and `rapport account merge \(record.id.prefix(8)) --into ACCOUNT` moves \(one ? "it" : "them") to the account it duplicates" +
                      (held.contains { $0.entity == "scorecard" } ? " (recorded months stay with it)" : "")
                throw ValidationError("\(holds): `rapport account archive \(record.id.prefix(8))` takes it off the lists with \(one ? "that record" : "them")\(merges)")
            }
            try replica.change { tx in try tx.delete("account", row: record.id) }
            print("Removed account \(name). `rapport sync` shares the removal; a colleague who adds to it meanwhile is told at their sync. " +
                  "`rapport account restore \(record.id.prefix(8))` brings it back if it was removed by mistake.")
        }
    }

    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "archive", abstract: "Archive an account (hidden from lists; `account set NAME archived=false` brings it back).")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The account's whole name, or the start of its id (4 characters or more).") var account: String

        func run() throws {
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            // It leaves every list: "a" archived whichever account came first by that letter.
            try Lookup.requireWholeName(record, query: account, noun: "the account", command: "archive it")
            if record["archived"] == .bool(true) {
                return print("\(record["name"].display) (\(record.id.prefix(8))) was already archived: nothing changed. `rapport account set \(record.id.prefix(8)) archived=false` brings it back.")
            }
            try replica.change { tx in
                _ = try tx.set("account", row: record.id, "archived", to: .bool(true))
                if record["merged_into"] != .null { _ = try tx.set("account", row: record.id, "merged_into", to: .null) }
            }
            // What it hides, so that archiving the wrong one of two accounts of a name is seen at once.
            print("Archived \(record["name"].display) (\(record.id.prefix(8))): \(try AccountCommand.leavesTheLists(record, replica))")
            if let notice = try AccountCommand.openReviewsNotice(record, replica) { print(notice) }
        }
    }

    /// What archiving an account hides, so that archiving the wrong one of two accounts of a name is seen at once.
    static func leavesTheLists(_ record: Record, _ replica: Replica) throws -> String {
        let held = try replica.recordCount(at: record.id)
        let records = held == 0 ? "" : " and its \(held) record\(held == 1 ? "" : "s") (meetings, notes, actions...)"
        return "it\(records) leave\(held == 0 ? "s" : "") the lists and `due`; `rapport account set \(record.id.prefix(8)) archived=false` brings \(held == 0 ? "it" : "them") back."
    }

    /// Reviews stay open whatever the account's state: said when it is archived, so that they are not taken to be
    /// archived with it. Nil for none.
    static func openReviewsNotice(_ record: Record, _ replica: Replica) throws -> String? {
        let open = try replica.conflicts().filter { try Conflicts.Detail.account(entity: $0.key.entity, row: $0.key.row, replica: replica)?.id == record.id }
        guard !open.isEmpty else { return nil }
        return "Its \(open.count == 1 ? "review stays" : "\(open.count) reviews stay") open in `rapport conflicts` (\(open.map { $0.id }.prefix(3).joined(separator: ", "))\(open.count > 3 ? ", ..." : "")): " +
            (open.count == 1 ? "a colleague's version waits there until someone resolves it." : "colleagues' versions wait there until someone resolves them.")
    }
}
