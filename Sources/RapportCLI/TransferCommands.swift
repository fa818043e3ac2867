import ArgumentParser
import Foundation
import RapportKAM
import RapportReplica
import RapportSync
import RapportTransfer

/// `rapport import accounts FILE.csv`
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Bring accounts in from a CRM's CSV export.", subcommands: [Accounts.self])

    struct Accounts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "accounts",
            abstract: "Import accounts from CSV: every row checked first; one bad row and nothing is imported.",
            discussion: """
                Columns (case, spaces and punctuation ignored; the first listed name present wins): \
                \(AccountColumns.mapping.map { "\($0.field) ← \($0.names.joined(separator: " / "))" }.joined(separator: "; ")). \
                A row updates the account with the same Rapport id or name, and adds the others. Amounts may carry a \
                currency sign and 1,234,567.89 separators; dates are YYYY-MM-DD, or a date and time as CRMs export them (2026-07-15T09:30:00Z, 2026-07-15 09:30), \
                or as spreadsheets write them: 31.12.2026 (day first), 31/12/2026 or 12/31/2026 (read by the column's \
                dates with a day past 12; --dates says when none has one).
                """)
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The CSV file ('-' for standard input).") var file: String
        @Flag(name: .customLong("dry-run"), help: "Check the file and say what would change, changing nothing.") var dryRun = false
        @Flag(name: .customLong("ignore-ids"), help: "Match rows by name only, leaving the Rapport ID column aside: for an export of another replica or team, whose ids this one does not hold.")
        var ignoreIDs = false
        @Option(help: ArgumentHelp("How dates with slashes read: dmy (31/12/2026) or mdy (12/31/2026); by default, as the column's dates with a day past 12 show.", valueName: "dmy|mdy"))
        var dates: DateOrder?
        @OptionGroup var output: OutputOptions

        /// The fields a row gives another value than the account holds, by name.
        static func changes(_ row: AccountImportRow, to record: Record) -> [String] {
            row.values.keys.filter { row.values[$0] != record[$0] }.sorted()
        }

        /// One row for a script: what the import does (or would do) to which account, by its full id.
        static func json(_ row: AccountImportRow, _ record: Record?, id: String?) -> JSON {
            let changed = record.map { changes(row, to: $0) } ?? row.values.keys.sorted()
            return .object([
                "line": .int(Int64(row.line)), "name": .string(row.name.isEmpty ? record?["name"].display ?? "" : row.name), "id": id.map(JSON.string) ?? .null,
                "action": .string(record == nil ? "new" : changed.isEmpty ? "unchanged" : "update"),
                "changed": .array(changed.map(JSON.string)),
            ])
        }

        func run() throws {
            // (A CRM's export may be hundreds of megabytes; from a pipe, up to a gigabyte.)
            let text = try TextInputOptions.readFile(file, limit: 1 << 30)
            let plan: AccountImport
            do {
                let table = try CSVTable(parsing: text)
                // Rapport's export of another table, by its columns (a criteria file made each criterion an account).
                let columns = table.header.map { $0.trimmingCharacters(in: .whitespaces) }
                if let other = Schema.rapport.entities.first(where: { $0.name != "account" && ExportCommand.header($0) == columns }) {
                    throw ValidationError("\(file) is Rapport's export of \(ExportCommand.tableName(other)) (its columns are those `rapport export \(ExportCommand.tableName(other))` writes), " +
                                          "not of accounts; nothing was imported: `import accounts` takes one row per account, as `rapport export accounts` writes them")
                }
                // Checking a large file takes seconds before anything is written (nothing showed for most of an import).
                let checking = ProgressLine(enabled: !output.json)
                defer { checking.finish() }
                plan = try AccountImport(table, entity: Schema.spec("account"), ignoringIDs: ignoreIDs, today: Today.local, dateOrder: dates) { done, total in
                    checking.update("check", done: done, total: total)
                }
            } catch let error as ValidationError { throw error } catch TransferError.rows(let problems) {
                throw Self.invalidRows(file, problems)
            } catch { throw ValidationError("\(file): \(error)") }
            let replica = try replica.open()
            let existing = try replica.records("account")
            // Looked up by id and by name once each: searching the whole list for every row made an update of a
            // few thousand accounts take minutes on a large replica.
            let byID = Dictionary(existing.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let byName = Dictionary(grouping: existing) { AccountName.key($0["name"].display) }
            var matches: [(AccountImportRow, Record?)] = []
            var problems: [RowProblem] = []
            // Rows by the name of a copy merged into another account: they update the account kept, as the team
            // knows the customer now (they updated the archived copy, off every list, without a word).
            var redirected: [(line: Int, copy: Record, kept: Record)] = []
            var archivedByName: [(line: Int, account: Record)] = []
            var removedIDs: [String]?
            var leftOut: [AccountImportRow] = []
            // An owner given as a teammate's user name in other capitals ("Dana", a CRM's spelling) is stored as they
            // sync ("dana"), as `account set` stores it: one spelling in lists, exports and scripts.
            let people = try replica.authors().union([try replica.identity().user])
            let spellings = Dictionary(grouping: people, by: AccountName.key)
            var respelled: [String: (user: String, rows: Int)] = [:], asTyped: [String: [String]] = [:]
            for var row in plan.rows {
                if ignoreIDs { row.id = nil }
                if let typed = row.values["owner"]?.textValue, !people.contains(typed), let users = spellings[AccountName.key(typed)] {
                    if users.count == 1 {
                        row.values["owner"] = .text(users[0])
                        respelled[typed, default: (users[0], 0)].rows += 1
                    } else {
                        asTyped[typed] = users
                    }
                }
                if let id = row.id, let found = byID[id] {
                    // Renaming an account to another one's name would leave two accounts that every command asks
                    // an id for. (A row that keeps the name the account has is no renaming: an export of two
                    // accounts of one name, a copy merged into the other, imports back as it is.)
                    if AccountName.key(row.name) != AccountName.key(found["name"].display),
                       let other = byName[AccountName.key(row.name)]?.first(where: { $0.id != found.id }) {
                        // The copy merged into this very account holds the name the team knows it by (as `account set`).
                        let copy = other["archived"] == .bool(true) && other["merged_into"].textValue == found.id
                        problems.append(RowProblem(line: row.line, message: copy
                            ? "\(row.name) is the name of the copy merged into this account (\(other.id.prefix(8))): rename the copy first " +
                              "(`rapport account set \(other.id.prefix(8)) \(Shell.quote("name=\(other["name"].display) (merged)"))`), then import again"
                            : "\(row.name) is the name of another account here (\(other.id.prefix(8))): give this one a distinct name"))
                    }
                    matches.append((row, found))
                    continue
                }
                // A copy merged into another account where the file was exported (another replica's export, or
                // --ignore-ids): its row holds the copy's old values and `archived`. Matched by name, it archived a
                // live account here and overwrote it; added, it was one more account. Left out: the account kept
                // has a row of its own.
                if row.isMergedCopy {
                    leftOut.append(row)
                    continue
                }
                var byName = byName[AccountName.key(row.name)] ?? []
                // As every command takes it: of two accounts of one name, once the spare is archived (as `rapport
                // sync` advises), the name means the one kept.
                let unarchived = byName.filter { $0["archived"] != .bool(true) }
                if byName.count > 1, unarchived.count == 1 { byName = unarchived }
                if byName.count > 1 {
                    problems.append(RowProblem(line: row.line, message: ignoreIDs
                        ? "\(row.name) matches \(byName.count) accounts here, which --ignore-ids cannot tell apart: import without it, with this replica's ids in a 'Rapport ID' column (as `rapport export accounts` writes them)"
                        : "\(row.name) matches \(byName.count) accounts here: add a 'Rapport ID' column to say which"))
                }
                if let id = row.id {
                    // A Rapport ID says which account to update; adding a new one instead would hide a typo, or a
                    // teammate's account this replica has not pulled yet, behind a duplicate.
                    // (The removed accounts read once: an export of another replica has an unknown id on every row.)
                    if removedIDs == nil { removedIDs = try replica.removedRecords("account").map(\.id) }
                    if id.count >= 4, removedIDs!.contains(where: { $0.hasPrefix(id.lowercased()) }), let removed = try replica.removedMatch("account", id) {
                        // An export from before a colleague removed the account: adding it back under a new id, or
                        // updating another account that has its name now, should be a decision, not a side effect
                        // of re-importing an old file.
                        let live = byName.first.map { " (--ignore-ids takes the row as \($0["name"].display) (\($0.id.prefix(8))), the account of that name now)" } ?? ""
                        problems.append(RowProblem(line: row.line, message: "\(removed): empty its Rapport ID cell to add it as a new account, or leave the line out\(live)"))
                    } else if byName.isEmpty {
                        problems.append(RowProblem(line: row.line, message: "no account here has Rapport ID '\(id)': `rapport sync` first if it is a teammate's new account, or empty the cell to add it as a new account " +
                            "(--ignore-ids matches a whole file's rows by name, as for an export of another replica)"))
                    }
                }
                // Found by its name: keep the spelling the team already uses.
                if !byName.isEmpty { row.values["name"] = nil }
                if row.id == nil, byName.count == 1, let copy = byName.first, row.values["archived"] == nil,
                   let kept = try Sync.mergedInto(replica, copy, followingMerges: true), !kept.deleted, kept["archived"] != .bool(true) {
                    redirected.append((row.line, copy, kept))
                    matches.append((row, byID[kept.id] ?? kept))
                    continue
                }
                // An archived account (not merged) updated by its name: off the lists, so said.
                if row.id == nil, byName.count == 1, let found = byName.first, found["archived"] == .bool(true), row.values["archived"] == nil,
                   Self.changes(row, to: found).contains(where: { $0 != "name" }) {
                    archivedByName.append((row.line, found))
                }
                matches.append((row, byName.first))
            }
            // Two rows that land on one account (one by the name of a copy merged into the other's): the later
            // overwrote the earlier without a word, where two rows of one name are refused.
            var landed: [String: Int] = [:]
            let copies = Swift.Set(redirected.map(\.line))
            // (As written: a row found by its name leaves the name to the account's own spelling.)
            let written = Dictionary(plan.rows.map { ($0.line, $0.name) }, uniquingKeysWith: { first, _ in first })
            for (row, record) in matches {
                guard let record else { continue }
                if let first = landed[record.id] {
                    let why = copies.contains(row.line) || copies.contains(first) ? " (a copy merged into it is the account kept)" : ""
                    problems.append(RowProblem(line: row.line, message: "\(written[row.line] ?? row.name) is \(record["name"].display) (\(short(record.id))) here, as line \(first) is\(why): one row per account"))
                } else {
                    landed[record.id] = row.line
                }
            }
            // The rules `account add` and `set` keep on the days (a renewal before they were a customer).
            for (row, record) in matches {
                do { try AccountCommand.check(customerSince: row.values.map { ($0.key, $0.value) }, record: record) } catch let error as ValidationError {
                    problems.append(RowProblem(line: row.line, message: error.message.replacingOccurrences(of: "; nothing was saved", with: "")))
                }
            }
            problems.sort { $0.line < $1.line }
            if !problems.isEmpty { throw Self.invalidRows(file, problems) }
            let added = matches.filter { $0.1 == nil }.count
            let updated = matches.filter { row, record in
                guard let record else { return false }
                return !Self.changes(row, to: record).isEmpty
            }.count
            let unchanged = matches.count - added - updated
            let left = leftOut.isEmpty ? "" : ", \(leftOut.count) left out (merged away where the file was exported)"
            let summary = "\(plan.rows.count) account\(plan.rows.count == 1 ? "" : "s") from \(file): \(added) new, \(updated) updated\(unchanged > 0 ? ", \(unchanged) unchanged" : "")\(left)."
            // Said on standard error, and given in --json's "notes" too: a script importing a CRM's file nightly
            // otherwise saw none of them.
            var notes: [String] = []
            func note(_ text: String) {
                notes.append(text)
                warn("note: \(text)")
            }
            if !plan.ignoredColumns.isEmpty { note("ignored columns: \(plan.ignoredColumns.joined(separator: ", "))") }
            // New accounts whose names differ from another's only in punctuation, spacing or accents ("Fabrikam Inc" beside
            // "Fabrikam, Inc."): added, as two companies may be so named, but said, with the way to make them one.
            var loose = Dictionary(grouping: existing.filter { $0["archived"] != .bool(true) }) { AccountName.looseKey($0["name"].display) }.mapValues { $0[0]["name"].display }
            var similar: [(line: Int, name: String, other: String, into: String)] = []
            // A copy merged away so named stands for the account it went into (the duplicate the merge made one came
            // back as a new account without a word; QA).
            var merged: [String: (copy: String, into: String)] = [:]
            for copy in existing where copy["archived"] == .bool(true) && copy["merged_into"] != .null {
                let key = AccountName.looseKey(copy["name"].display)
                guard !key.isEmpty, loose[key] == nil, merged[key] == nil, let into = try Sync.mergedInto(replica, copy, followingMerges: true),
                      !into.deleted, into["archived"] != .bool(true) else { continue }
                merged[key] = (copy["name"].display, into["name"].display)
            }
            for (row, record) in matches where record == nil {
                let key = AccountName.looseKey(row.name)
                if let m = merged[key], !key.isEmpty { similar.append((row.line, row.name, "\(m.copy), merged into \(m.into)", m.into)) }
                else if let other = loose[key], !key.isEmpty { similar.append((row.line, row.name, other, other)) }
                else { loose[key] = row.name }
            }
            if !similar.isEmpty {
                // Of one pair, the command itself; of more, its form.
                let merge = similar.count == 1 && AccountName.key(similar[0].name) != AccountName.key(similar[0].into)
                    ? "`rapport account merge \(Shell.quote(similar[0].name)) --into \(Shell.quote(similar[0].into))`" : "`rapport account merge NAME --into OTHER` (or their ids)"
                note("\(similar.count == 1 ? "a new account's name differs" : "\(similar.count) new accounts' names differ") from another's only in punctuation, spacing or accents (" +
                     "\(similar.prefix(5).map { "line \($0.line): \($0.name) beside \($0.other)" }.joined(separator: "; "))\(similar.count > 5 ? "; and \(similar.count - 5) more" : "")): " +
                     "if they are one customer, \(merge) makes them one")
            }
            // A row by the Rapport ID of a copy merged away (an export from before the merge) that changes it: the
            // change stays on the archived copy, off the lists, as `account set` on it says.
            for (row, record) in matches {
                guard let record, row.id != nil, record["archived"] == .bool(true), row.values["archived"] == nil,
                      !Self.changes(row, to: record).isEmpty,
                      let kept = try Sync.mergedInto(replica, record, followingMerges: true) else { continue }
                note("line \(row.line): \(record["name"].display) (\(short(record.id))) was merged into \(kept["name"].display) (\(short(kept.id))): the row " +
                     "\(dryRun ? "would change" : "changes") the archived copy, off the lists; empty its Rapport ID cell to update \(kept["name"].display) instead")
            }
            for r in redirected.prefix(10) {
                note("line \(r.line): \(r.copy["name"].display) (\(short(r.copy.id))) was merged into \(r.kept["name"].display) (\(short(r.kept.id))): the row \(dryRun ? "would update" : "updates") that account")
            }
            for (line, account) in archivedByName.prefix(10) {
                note("line \(line): \(account["name"].display) (\(short(account.id))) is archived: the row \(dryRun ? "would update" : "updates") it, off the lists " +
                     "(`rapport account set \(short(account.id)) archived=false` brings it back)")
            }
            if archivedByName.count > 10 { note("and \(archivedByName.count - 10) more rows update archived accounts") }
            if redirected.count > 10 { note("and \(redirected.count - 10) more rows name a copy merged into another account: they \(dryRun ? "would update" : "update") the account kept") }
            for row in leftOut.prefix(5) {
                // The account kept by its name, from the column or from the file's row of that id.
                let kept = row.mergedIntoName ?? plan.rows.first { $0.id != nil && $0.id == row.mergedIntoID?.lowercased() }?.name
                let named = kept ?? "another account (\(row.mergedIntoID.map { String($0.prefix(8)) } ?? "?"))"
                note("line \(row.line): \(row.name) was merged into \(named) where the file was exported: left out (its values are the copy's; the row of \(kept ?? "the account kept") carries the customer)")
            }
            if leftOut.count > 5 { note("and \(leftOut.count - 5) more rows of copies merged away where the file was exported are left out") }
            if let notice = try Self.unknownOwners(matches.map(\.0), replica: replica) { note(notice) }
            if !respelled.isEmpty {
                let listed = respelled.sorted { $0.key < $1.key }.map { "'\($0.key)' as '\($0.value.user)' (\($0.value.rows) row\($0.value.rows == 1 ? "" : "s"))" }
                let one = respelled.count == 1, stored = dryRun ? "would be" : one ? "is" : "are"
                note("\(one ? "an owner" : "owners") given in other capitals \(stored) stored as the user name\(one ? "" : "s") they sync as: \(Format.list(listed, conjunction: "and"))")
            }
            for (typed, users) in asTyped.sorted(by: { $0.key < $1.key }) { note(twoSpellingsNote(typed, users, dryRun: dryRun)) }
            if let notice = Self.fractionalMargins(plan.rows) { note(notice) }
            func printJSON(ids: [String?]) throws {
                try JSON.object([
                    "file": .string(file), "dry_run": .bool(dryRun),
                    "new": .int(Int64(added)), "updated": .int(Int64(updated)), "unchanged": .int(Int64(unchanged)),
                    "rows": .array(zip(matches, ids).map { Self.json($0.0, $0.1, id: $1) }),
                    "left_out": .array(leftOut.map { .object(["line": .int(Int64($0.line)), "name": .string($0.name),
                                                              "merged_into": $0.mergedIntoID.map(JSON.string) ?? .null, "merged_into_name": $0.mergedIntoName.map(JSON.string) ?? .null]) }),
                    "notes": .array(notes.map(JSON.string)),
                ]).print()
            }
            if dryRun {
                if output.json { return try printJSON(ids: matches.map { $0.1?.id }) }
                // The accounts copies were merged into, by name, for the merges an import would undo.
                let names = Dictionary(existing.map { ($0.id, $0["name"].display) }, uniquingKeysWith: { first, _ in first })
                return print(Self.preview(summary: summary, matches, mergedNames: names))
            }
            // One transaction: the whole file or nothing. Twenty thousand rows take a while: the progress shows.
            let progress = ProgressLine(enabled: !output.json)
            defer { progress.finish() }
            var ids: [String?] = matches.map { $0.1?.id }
            try replica.change { tx in
                // The rows were matched against the accounts as they stood: changed since by another process (the same
                // file imported twice at once each added every account), nothing is imported. Other records (a
                // sync's pages of notes) do not matter.
                guard try replica.records("account") == existing else { throw ReplicaError.changedMeanwhile(path: replica.path) }
                for (index, (row, record)) in matches.enumerated() {
                    if index % 250 == 0 { progress.update("import", done: index, total: matches.count) }
                    let values = AccountColumns.mapping.compactMap { m in row.values[m.field].map { (m.field, $0) } }
                    if let record {
                        for (field, value) in values { try tx.set("account", row: record.id, field, to: value) }
                        // As by `account set archived=...`: brought back (or archived by hand), no longer a copy merged away.
                        if record["merged_into"] != .null, AccountCommand.unmerges(record, archived: row.values["archived"]) {
                            try tx.set("account", row: record.id, "merged_into", to: .null)
                        }
                    } else {
                        var all = values
                        if row.values["owner"] == nil { all.append(("owner", .text(tx.user))) }
                        if row.values["tier"] == nil { all.append(("tier", .text("standard"))) }
                        ids[index] = try tx.create("account", values: all)
                    }
                }
                progress.update("import", done: matches.count, total: matches.count)
            }
            progress.finish()
            if output.json { return try printJSON(ids: ids) }
            print("Imported \(summary)")
        }

        /// A file's rows refused: every problem in `--json`'s error as `problems` ({line, message}), beside the message
        /// that lists the first of them.
        static func invalidRows(_ file: String, _ problems: [RowProblem]) -> Rapport.InvalidInput {
            Rapport.InvalidInput(message: "\(file): \(TransferError.rows(problems))", details: [
                "problems": .array(problems.map { .object(["line": .int(Int64($0.line)), "message": .string($0.message)]) }),
            ])
        }

        /// Margins that all lie between -1 and 1, some not whole: a CRM that keeps them as fractions (0.22 for 22%)
        /// imported every margin a hundred times too small, in silence. Said, since 0.5% is a margin too.
        static func fractionalMargins(_ rows: [AccountImportRow]) -> String? {
            let margins = rows.compactMap { $0.values["margin"]?.double }
            guard !margins.isEmpty, margins.allSatisfy({ abs($0) <= 1 }), margins.contains(where: { $0 != $0.rounded() }) else { return nil }
            let example = margins.first { $0 != $0.rounded() }!
            return "every margin in the file is between -1 and 1 (\(FieldValue.real(example).display) is taken as \(FieldValue.real(example).display)%): " +
                "if the file gives them as fractions, \(FieldValue.real(example).display) meaning \(FieldValue.real(example * 100).display)%, multiply them by 100 in the file and import it again"
        }

        /// Owners no one on this replica has made a change as: a CRM gives display names ("Bob Smith"), while
        /// `due` and `--owner` find a manager's accounts by their user name, so those accounts left everyone's
        /// weekly list without a word.
        static func unknownOwners(_ rows: [AccountImportRow], replica: Replica) throws -> String? {
            let owners = rows.compactMap { $0.values["owner"]?.textValue }
            guard !owners.isEmpty else { return nil }
            let known = Set(try replica.authors().map(AccountName.key) + [AccountName.key(try replica.identity().user)])
            let unknown = Dictionary(grouping: owners.filter { !known.contains(AccountName.key($0)) }, by: { $0 })
                .map { (name: $0.key, count: $0.value.count) }.sorted { $0.name < $1.name }
            guard !unknown.isEmpty else { return nil }
            let listed = unknown.prefix(5).map { "\($0.name) (\($0.count) account\($0.count == 1 ? "" : "s"))" }.joined(separator: ", ")
                + (unknown.count > 5 ? " and \(unknown.count - 5) more" : "")
            return "no one on this replica has synced as the owner\(unknown.count == 1 ? "" : "s") \(listed): `rapport due` lists a manager's " +
                "accounts by their user name (the one `rapport init --user` took), so give user names in the owner column, or correct them " +
                "with `rapport account set NAME owner=<user>`, unless \(unknown.count == 1 ? "that is a teammate" : "those are teammates") yet to sync"
        }

        /// What an import would do, account by account: which are new, and which fields of which accounts change
        /// from what to what (the first 50; a CRM's export may hold thousands).
        static func preview(summary: String, _ matches: [(AccountImportRow, Record?)], mergedNames: [String: String] = [:], shown: Int = 50) -> String {
            let changes = matches.compactMap { row, record -> String? in
                guard let record else { return "  new     \(row.name)" }
                let fields = row.values.keys.filter { record[$0] != row.values[$0] }.sorted()
                guard !fields.isEmpty else { return nil }
                // Figures as `account show` gives them (850,000; 12.5%).
                let imported = row.values.reduce(record) { r, change in r.replacing(change.key, with: change.value) }
                func shown(_ r: Record, _ field: String) -> String { r[field] == .null ? "-" : Format.oneLine(AccountCommand.shown(r, field), max: 40) }
                var what = fields.map { "\($0) \(shown(record, $0)) → \(shown(imported, $0))" }
                // As the import itself does: a copy brought back, or archived by hand, is no longer one merged away.
                if record["merged_into"] != .null, AccountCommand.unmerges(record, archived: row.values["archived"]) {
                    what.append("merged_into \(mergedNames[record["merged_into"].display] ?? short(record["merged_into"].display)) → -")
                }
                return "  update  \(record["name"].display): \(what.joined(separator: ", "))"
            }
            let more = changes.count > shown ? ["  … and \(changes.count - shown) more"] : []
            return (["Would import \(summary) Nothing was changed."] + changes.prefix(shown) + more).joined(separator: "\n")
        }
    }
}

/// `rapport export accounts|stakeholders|… FILE.csv`, `rapport export meetings FILE.ics`
struct ExportCommand: ParsableCommand {
    static let aliases = ["readings": "kpi_reading", "roles": "plan_role", "risks": "plan_risk", "flags": "risk_flag", "overrides": "scorecard_override"]

    /// The tables by the names the README gives them (readings, not kpi_readings); both are taken.
    static var tableNames: String {
        Schema.rapport.entities.map { e in aliases.first { $0.value == e.name }?.key ?? e.table }.joined(separator: ", ")
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a table to CSV (RFC 4180), or meetings to an iCalendar file (.ics).",
        discussion: """
            Tables: \(tableNames) (their stored names, such as kpi_readings, work too). \
            Each reference column is followed by the name of what it refers to (account_name, …); scorecards end \
            with the overall health and the areas set by hand, as `rapport scorecard` shows the month. \
            `rapport export meetings FILE.ics` writes the meetings as all-day calendar events.
            """)
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "What to export, e.g. accounts, stakeholders, meetings.") var what: String
    @Argument(help: "The file to write ('-' for standard output).") var file: String
    @Option(help: "csv or ics (default: from the file's extension).") var format: String?
    @Option(help: "Only this account's rows.") var account: String?
    @Flag(help: "Write text exactly as stored, even where a spreadsheet would run it as a formula (a cell starting with =, +, - or @).") var raw = false
    @Flag(help: "For Excel where numbers are written 31,5: semicolons, decimal commas, and a byte-order mark so that it reads the text as UTF-8 (`import` reads the file back).") var excel = false

    var entity: EntitySpec? {
        let key = what.lowercased().trimmingCharacters(in: .whitespaces)
        // (One named in the singular too: `export flag`, as `export account` is the accounts.)
        let name = Self.aliases[key] ?? Self.aliases[key + "s"] ?? key
        return Schema.rapport.entities.first { $0.table == name || $0.name == name }
    }

    var isICS: Bool { (format?.lowercased() ?? (file.lowercased().hasSuffix(".ics") ? "ics" : "csv")) == "ics" }

    func validate() throws {
        guard let entity else {
            let guess = Format.likely(what, among: Self.tableNames.components(separatedBy: ", "))
            throw ValidationError("'\(what)' is not a table\(guess): give one of \(Self.tableNames)")
        }
        if let format, !["csv", "ics"].contains(format.lowercased()) { throw ValidationError("--format '\(format)' is not known: give csv or ics") }
        // A file named .pdf or .xlsx would get CSV inside and open as a broken file.
        let suffix = URL(fileURLWithPath: file).pathExtension.lowercased()
        if format == nil, file != "-", !["", "csv", "ics", "txt"].contains(suffix) {
            throw ValidationError("export writes CSV or iCalendar, not .\(suffix): name the file .csv or .ics, or give --format csv")
        }
        if isICS, entity.name != "meeting" { throw ValidationError("only meetings export as iCalendar: `rapport export meetings FILE.ics`") }
        if isICS, excel { throw ValidationError("--excel is for CSV: leave it out for an iCalendar file") }
    }

    func run() throws {
        let entity = entity!
        let replica = try replica.open()
        let scope = try account.map { try Lookup.account(replica, $0) }
        var rows = try replica.records(entity.name, orderBy: entity.field("name") != nil ? "name" : entity.field("date") != nil ? "date" : nil)
        // A cleared override is kept as a row without a score (one per account, month and area, for sync): it
        // overrides nothing, and listed it read as one set empty.
        if entity.name == "scorecard_override" { rows = rows.filter { $0["score"] != .null } }
        // Likewise a reading taken back (`plan reading --remove`): a blank reading that day to a spreadsheet.
        if entity.name == "kpi_reading" { rows = rows.filter { $0["value"] != .null } }
        // A reading of a removed KPI stays (for its history), but is of no KPI the file holds: after `plan kpi
        // restore` every reading came out twice, under the removed KPI and the one restored with copies of them.
        if let (field, target) = Self.parentReference(entity) {
            let live = Swift.Set(try replica.records(target).map(\.id))
            rows = rows.filter { $0[field].textValue.map(live.contains) ?? true }
        }
        let owner = try Self.accountOwner(replica, entity: entity)
        if let scope {
            guard entity.name == "account" || entity.field("account") != nil || owner != nil else {
                throw ValidationError("\(entity.table) do not belong to one account: leave out --account")
            }
            rows = rows.filter { r in
                entity.name == "account" ? r.id == scope.id : (entity.field("account") != nil ? r["account"].display : owner?(r)) == scope.id
            }
        }
        let text = isICS ? try Self.calendar(replica, meetings: rows) : try Self.csv(replica, entity: entity, rows: rows, owner: owner, guarded: !raw, excel: excel)
        if file == "-" { return print(text, terminator: "") }
        // (A pipe or /dev/stdout replaces nothing.)
        let replacing = OutputFile.kind(of: URL(fileURLWithPath: file).resolvingSymlinksInPath().path) == .file
        try OutputFile.write(text, to: file)
        print("Wrote \(rows.count) \(isICS ? "meeting" : "row")\(rows.count == 1 ? "" : "s") to \(file)\(replacing ? ", in place of the file that was there" : "").")
    }

    /// The field a referenced row is known by.
    static func label(_ record: Record?, entity: String) -> String {
        guard let record else { return "" }
        switch entity {
        case "goal": return record["outcome"].display
        case "meeting": return record["date"].display
        default: return record["name"].display
        }
    }

    /// The columns `csv` writes for `entity`: its id, each field (a reference followed by the name of what it
    /// refers to), and the account of rows that belong to one through another row.
    static func header(_ entity: EntitySpec) -> [String] {
        var header = ["id"]
        for field in entity.fields {
            header.append(field.name)
            if case .reference = field.type { header.append("\(field.name)_name") }
        }
        return header + (parentReference(entity) == nil ? [] : ["account", "account_name"]) + (entity.name == "stakeholder" ? ["latest_contact"] : [])
            + (entity.name == "scorecard" ? ["overall", "overrides"] : [])
    }

    /// The reference through which rows of `entity` belong to an account (a KPI reading's KPI); nil for rows with
    /// an account of their own, or none.
    static func parentReference(_ entity: EntitySpec) -> (field: String, target: String)? {
        guard entity.name != "account", entity.field("account") == nil else { return nil }
        for field in entity.fields {
            if case .reference(let target) = field.type, Schema.spec(target).field("account") != nil { return (field.name, target) }
        }
        return nil
    }

    /// The table name `export` takes for `entity` (readings, not kpi_readings).
    static func tableName(_ entity: EntitySpec) -> String { aliases.first { $0.value == entity.name }?.key ?? entity.table }

    /// For rows that belong to an account through another row (a KPI reading through its KPI), the account
    /// each belongs to; nil for rows with an account of their own or none.
    static func accountOwner(_ replica: Replica, entity: EntitySpec) throws -> ((Record) -> String?)? {
        guard let (field, target) = parentReference(entity) else { return nil }
        let parents = Dictionary(try replica.records(target, includeDeleted: true).map { ($0.id, $0["account"].display) }, uniquingKeysWith: { a, _ in a })
        return { parents[$0[field].display] }
    }

    static func csv(_ replica: Replica, entity: EntitySpec, rows: [Record], owner: ((Record) -> String?)?, guarded: Bool = true, excel: Bool = false) throws -> String {
        // Text only: a number such as a margin of -5 is not a formula, and stays a number.
        func text(_ value: String) -> String { guarded ? CSVWriter.guarded(value) : value }
        let header = Self.header(entity)
        var cache: [String: [String: Record]] = [:]
        for field in entity.fields {
            if case .reference(let target) = field.type {
                // Removed ones too: an action agreed at a meeting since removed still names that meeting.
                if cache[target] == nil { cache[target] = Dictionary(uniqueKeysWithValues: try replica.records(target, includeDeleted: true).map { ($0.id, $0) }) }
            }
        }
        // A reading's KPI name alone does not say whose it is: two accounts may both track "conversion".
        let accounts = owner == nil ? [:] : Dictionary(uniqueKeysWithValues: try replica.records("account", includeDeleted: true).map { ($0.id, $0) })
        // A stakeholder's latest contact as `rapport stakeholders` shows it: the meetings they attended count
        // (last_contact alone, the field as recorded, left a director's sheet saying nobody spoke to them).
        var latest: [String: Day] = [:]
        if entity.name == "stakeholder" {
            let held = Swift.Set(rows.map { $0["account"].display })
            let owners = try replica.records("account", includeDeleted: true).filter { held.contains($0.id) }
            for data in try AccountData.loadAll(replica, accounts: owners, only: ["stakeholder", "meeting"]) {
                for contact in data.contacts(asOf: Today.local) { latest[contact.id] = contact.lastContact }
            }
        }
        // A recorded month as `scorecard` and `portfolio` show it: the overall health with the areas set by hand
        // laid over what was recorded, and which were (the sheet gave the recorded areas alone, and no overall).
        var cards: [String: Scorecard] = [:]
        if entity.name == "scorecard" {
            let held = Swift.Set(rows.map { $0["account"].display })
            let owners = try replica.records("account", includeDeleted: true).filter { held.contains($0.id) }
            for data in try AccountData.loadAll(replica, accounts: owners, only: ["scorecard", "scorecard_override"]) {
                for row in data.scorecards { if let month = row["month"].textValue.flatMap(Month.init) { cards[row.id] = data.recorded(row, month: month) } }
            }
        }
        func scored(_ r: Record) -> [String] {
            guard let card = cards[r.id] else { return ["", ""] }
            let overridden = card.areas.compactMap { a in a.override.map { "\(a.area.rawValue) \($0)" } }
            return [card.overall.map(String.init) ?? "", text(overridden.joined(separator: "; "))]
        }
        let body = rows.map { r in
            [r.id] + entity.fields.flatMap { field -> [String] in
                if case .reference(let target) = field.type { return [r[field.name].display, text(label(cache[target]?[r[field.name].display], entity: target))] }
                if case .text = field.type { return [text(r[field.name].display)] }
                if excel, case .real = field.type { return [CSVWriter.decimalComma(r[field.name].display)] }
                return [r[field.name].display]
            } + (owner.map { owner in
                let account = owner(r) ?? ""
                return [account, text(accounts[account]?["name"].display ?? "")]
            } ?? []) + (entity.name == "stakeholder" ? [latest[r.id]?.description ?? ""] : []) + (entity.name == "scorecard" ? scored(r) : [])
        }
        return CSVWriter.document(header: header, rows: body, delimiter: excel ? ";" : ",", byteOrderMark: excel)
    }

    static func calendar(_ replica: Replica, meetings: [Record]) throws -> String {
        let accounts = Dictionary(uniqueKeysWithValues: try replica.records("account").map { ($0.id, $0) })
        let actions = Dictionary(grouping: try replica.records("action", orderBy: "due")) { $0["meeting"].display }
        let events = meetings.compactMap { m -> CalendarEvent? in
            guard let date = m["date"].day else { return nil }
            let kind = m["kind"].textValue.flatMap(MeetingKind.init(rawValue:)) ?? .adhoc
            let name = accounts[m["account"].display]?["name"].display ?? "account"
            var description: [String] = []
            if !m["attendees"].display.isEmpty { description.append("Attendees: \(m["attendees"].display)") }
            if !m["notes"].display.isEmpty { description.append(m["notes"].display) }
            // What the meeting agreed, each as it stands: one done since was listed as still to do.
            let next = (actions[m.id] ?? []).map { a in
                let when = a["done"] == .bool(true) ? ", done\(a["done_on"].day.map { " \($0)" } ?? "")" : a["due"].day.map { ", due \($0)" } ?? ""
                return "- \(a["text"].display) (\(a["owner"].display)\(when))"
            }
            if !next.isEmpty { description.append("Actions agreed:\n" + next.joined(separator: "\n")) }
            return CalendarEvent(uid: "\(m.id)@rapport", date: date, summary: "\(kind.title.prefix(1).uppercased() + kind.title.dropFirst()): \(name)",
                                 description: description.joined(separator: "\n\n"))
        }
        return ICalendar.document(events, stamp: Today.utcStamp)
    }
}

extension DateOrder: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
