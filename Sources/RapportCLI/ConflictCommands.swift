import ArgumentParser
import Foundation
import RapportKAM
import RapportReplica
import RapportSync

struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "Review concurrent edits of notes: list, show and resolve them.",
        subcommands: [List.self, Show.self, Resolve.self],
        defaultSubcommand: List.self)

    /// A conflict with the operations behind it, as the commands present it.
    struct Detail {
        var info: ConflictInfo
        var versions: [Operation]
        var base: Operation?
        var label: String
        var account: Record?
        var resolution: Operation?

        init(_ info: ConflictInfo, replica: Replica) throws {
            self.info = info
            // In the order they were written (by id, a later edit of one laptop was listed before an earlier one).
            versions = try info.versions.compactMap { try replica.operation($0, on: info.key) }.sorted { Operation.isOrdered($0, before: $1) }
            base = try info.base.flatMap { try replica.operation($0, on: info.key) }
            label = try Self.label(info.key, replica: replica)
            account = try Self.account(entity: info.key.entity, row: info.key.row, replica: replica)
            // The resolution that closed it, for who and when (a script alerting on conflicts left open).
            resolution = info.status == "resolved" ? try Self.standingResolution(info, replica: replica) : nil
        }

        /// The resolution that stands of a resolved conflict. Resolved on two laptops at once, each closed it with
        /// its own resolution; the later one stands, on every laptop alike (each named its own resolver, and two of
        /// three named one that did not stand). (The resolutions of one conflict resolve the same versions: their
        /// parents are the same.)
        static func standingResolution(_ info: ConflictInfo, replica: Replica) throws -> Operation? {
            let own = try info.closedBy.flatMap(OperationID.init).flatMap { try replica.operation($0, on: info.key) }
            return try own.flatMap { own in
                try replica.history(row: info.key.row).filter { $0.field == info.key.field && $0.resolution && Set($0.parents) == Set(own.parents) }
                    .max { Operation.isOrdered($0, before: $1) }
            } ?? own
        }

        /// The account a field's record is under (a KPI reading's through its KPI), or nil: a record of the whole
        /// team's (a criterion), or one gone.
        static func account(entity: String, row id: String, replica: Replica) throws -> Record? {
            func account(of record: Record?, _ entity: String) throws -> Record? {
                guard let record else { return nil }
                if entity == "account" { return record }
                if let id = record["account"].textValue { return try replica.record("account", id: id) }
                if let kpi = record["kpi"].textValue { return try account(of: try replica.record("kpi", id: kpi), "kpi") }
                return nil
            }
            return try account(of: try replica.record(entity, id: id), entity)
        }

        /// A field as people know it: its account, the record and the field ("Acme / note 1a2b3c4d "Plan" / body").
        static func label(_ key: FieldKey, replica: Replica) throws -> String {
            "\(try recordLabel(entity: key.entity, row: key.row, replica: replica)) / \(key.field)"
        }

        /// "Acme / meeting 1a2b3c4d "2026-06-02"": the account, then the record by the field it is known by.
        static func recordLabel(entity: String, row id: String, replica: Replica) throws -> String {
            let key = (entity: entity, row: id)
            let row = try replica.record(key.entity, id: key.row)
            // Every reviewed-text field lives on an account or a record of one (a KPI reading through its KPI).
            let account = try Self.account(entity: key.entity, row: key.row, replica: replica)
            // A record of the whole team's (a criterion) has no account to name first.
            let team = Schema.spec(key.entity).field("account") == nil && Schema.spec(key.entity).field("kpi") == nil && key.entity != "account"
            // The field a record is known by, as `rapport history` finds it: a stakeholder's name before their job
            // title, a note's title, a goal's outcome, an action's text, a meeting's date.
            var title = key.entity == "account" ? "" : ["name", "title", "outcome", "text", "date"].lazy
                .compactMap { row?[$0].textValue }.first { !$0.isEmpty } ?? ""
            // A score by its criterion, a reading by its KPI and day: the row's own fields name neither.
            if let criterion = row?["criterion"].textValue, let name = try replica.record("criterion", id: criterion)?["name"].textValue { title = name }
            var parentNamed = account != nil
            if let kpi = row?["kpi"].textValue {
                let name = try replica.record("kpi", id: kpi)?["name"].textValue
                if let name { title = "\(name) \(title)" }
                parentNamed = name != nil
            }
            // A recorded month by its month, an override by its month and area.
            if title.isEmpty, let month = row?["month"].textValue { title = [month, row?["area"].textValue].compactMap { $0 }.joined(separator: " ") }
            // The kind as people say it ("KPI reading", "override"), not the table's name.
            // A row whose id is made of others' (ACCOUNT/MONTH/AREA) starts with its account's or KPI's id: its
            // title names it, where the start of its id would pass for the parent's.
            let id = key.row.contains("/") && !title.isEmpty && parentNamed ? "" : " \(key.row.prefix(8))"
            let record = "\(ReplicaError.noun(key.entity))\(id)\(title.isEmpty ? "" : " \"\(title)\"")"
            return team ? record : "\(account?["name"].display ?? "?") / \(record)"
        }

        /// `yours`: whether a version is this replica's person's, the one `--keep mine` keeps (a script compared
        /// authors, and a version from their other laptop is theirs too).
        func json(yours: (Operation) -> Bool) -> JSON {
            // What it was resolved with (shown by nothing but `history`; QA). Kept apart from the literal below: with
            // these two keys in it, the compiler ran past its time limit type-checking it.
            let resolvedWith: [String: JSON] = [
                "resolution": resolution.map { .string($0.id.description) } ?? .null, "resolution_text": resolution.map { .string($0.value.display) } ?? .null,
            ]
            return .object(resolvedWith.merging([
                "id": .string(info.id), "entity": .string(info.key.entity), "row": .string(info.key.row),
                "field": .string(info.key.field), "status": .string(info.status), "label": .string(label),
                "account_id": account.map { .string($0.id) } ?? .null, "account_name": account.map { .string($0["name"].display) } ?? .null,
                "opened_at": .string(Format.time(info.openedMs)),
                "resolved_by": resolution.map { .string($0.author) } ?? .null, "resolved_at": resolution.map { .string(Format.time($0.time.ms)) } ?? .null,
                "base": base.map { JSON($0) } ?? .null,
                // In the order of their numbers, as `conflicts show` lists them (the log's order differed).
                "versions": .array(ordered(yours).enumerated().map { index, version in
                    guard case .object(var object) = JSON(version) else { return JSON(version) }
                    object["yours"] = .bool(yours(version))
                    // The number `conflicts show` gives it, which `resolve --keep N` takes.
                    object["number"] = .int(Int64(index + 1))
                    return .object(object)
                }),
            ] as [String: JSON]) { a, _ in a })
        }

        /// The versions as `conflicts show` numbers them: yours first (`--keep mine` names it), then the others.
        func ordered(_ yours: (Operation) -> Bool) -> [Operation] {
            versions.filter(yours) + versions.filter { !yours($0) }
        }

        /// The versions `--keep mine` means: this replica's, or its person's on another computer.
        static func isMine(_ identity: ReplicaIdentity) -> (Operation) -> Bool {
            { version in version.id.replica == identity.id || version.author == identity.user }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List open conflicts.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Include closed ones too: resolved, widened, and those of removed records (status 'removed').") var all = false

        func run() throws {
            let replica = try replica.open()
            let details = try replica.conflicts(all: all).map { try Detail($0, replica: replica) }
            let mine = Detail.isMine(try replica.identity())
            if output.json { return try JSON.array(details.map { $0.json(yours: mine) }).print() }
            if details.isEmpty { return print(all ? "No conflicts." : "No open conflicts.") }
            // In the order `conflicts show` numbers them (yours first), which `resolve --keep N` takes.
            print(Format.table(["ID", "WHERE", "VERSIONS"] + (all ? ["STATUS"] : []), details.map { d in
                // One person's versions from two laptops read "dave ... vs dave ...": each then names its laptop, as
                // `conflicts show` gives its id.
                let versions = d.ordered(mine)
                let twice = Swift.Set(Dictionary(grouping: versions, by: \.author).filter { Swift.Set($0.value.map(\.id.replica)).count > 1 }.keys)
                return [d.info.id, d.label, versions.map { v in
                    "\(v.author)\(twice.contains(v.author) ? " (laptop \(v.id.replica.prefix(8)))" : "") \(Format.shortTime(v.time.ms))"
                }.joined(separator: " vs ")] + (all ? [d.info.status] : [])
            }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a conflict: the common base and each version with its diff against the base.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The conflict id (or a unique prefix).") var id: String

        func run() throws {
            let replica = try replica.open()
            let detail = try Detail(try replica.conflict(id), replica: replica)
            if output.json { return try detail.json(yours: Detail.isMine(try replica.identity())).print() }
            print("Conflict \(detail.info.id) (\(detail.info.status)): \(detail.label)")
            let baseText = detail.base?.value.display ?? ""
            if let base = detail.base {
                print("\n=== base: \(base.author), \(Format.shortTime(base.time.ms)) ===")
                print(baseText)
            } else {
                print("\n=== no common base: the versions were written independently ===")
            }
            // Yours first, and marked: `--keep mine` names it, and the log's order put it anywhere.
            let identity = try replica.identity()
            let isMine = Detail.isMine(identity)
            let ordered = detail.ordered(isMine)
            // Yours from two laptops: which is which, as `conflicts` names them ("(yours)" twice told them not apart).
            let mineTwice = ordered.filter(isMine).count > 1
            for (index, version) in ordered.enumerated() {
                let shown = detail.base == nil ? "its text" : "changes against the base"
                let laptop = version.id.replica == identity.id ? "this laptop" : "laptop \(version.id.replica.prefix(8))"
                let yours = !isMine(version) ? "" : mineTwice ? " (yours, \(laptop))" : " (yours)"
                print("\n=== version \(index + 1)\(yours): \(version.author), \(Format.shortTime(version.time.ms)) (\(version.id)) — \(shown) ===")
                // Without a base, the text itself: a diff against nothing marked every line as added.
                print(detail.base == nil ? version.value.display : LineDiff.lines(from: baseText, to: version.value.display).joined(separator: "\n"))
            }
            if let resolution = detail.resolution {
                let kept = ordered.firstIndex { $0.value == resolution.value }.map { " — it keeps version \($0 + 1)'s text" } ?? ""
                print("\n=== resolution: \(resolution.author), \(Format.shortTime(resolution.time.ms)) (\(resolution.id))\(kept) ===")
                print(resolution.value.display)
            }
            if let closed = try Conflicts.closure(detail.info, replica: replica) {
                print("\n" + closed)
            } else {
                // `--keep mine|theirs` only where each names one version: a third person's, or one of three, takes its id.
                let mine = detail.versions.filter(isMine)
                let keeps = [mine.count == 1 ? "mine" : nil, detail.versions.count - mine.count == 1 ? "theirs" : nil].compactMap { $0 }
                // A version neither word names (a third one) is kept by its number as shown above.
                let numbers = ordered.indices.filter { i in
                    isMine(ordered[i]) ? mine.count != 1 : detail.versions.count - mine.count != 1
                }.map { String($0 + 1) }
                let keep = "--keep " + (keeps + numbers).joined(separator: "|")
                print("\nResolve with `rapport conflicts resolve \(detail.info.id) \(keep)`, --text, --file, or in $EDITOR.")
            }
        }
    }

    /// How a conflict that is no longer open was closed, and where to go on: a dead end ("already widened")
    /// left the reader to find the conflict that took its place.
    static func closure(_ info: ConflictInfo, replica: Replica) throws -> String? {
        switch info.status {
        case "open":
            return nil
        case "removed":
            return "The \(info.key.entity.replacingOccurrences(of: "_", with: " ")) of conflict \(info.id) was removed, so its review is over " +
                "(a removal stands whatever edits came with it); every version is in `rapport history \(info.key.row.prefix(8))`."
        case "widened":
            let into = info.closedBy.map { " into conflict \($0)" } ?? ""
            return "Conflict \(info.id) was widened\(into): a further version of the text came in, and the review goes on there" +
                (info.closedBy.map { " (`rapport conflicts show \($0)`)" } ?? " (`rapport conflicts`)") + "."
        default:
            let by = try Detail.standingResolution(info, replica: replica).map { " by \($0.author) on \(Format.shortTime($0.time.ms))" } ?? ""
            // A resolution that kept the wrong text is mended by editing the text as it stands now (a record
            // removed since is brought back first).
            let removed = try replica.record(info.key.entity, id: info.key.row)?.deleted == true
            let mend = removed ? (try Restoration.advice(replica, entity: info.key.entity, row: info.key.row)).map { "; it was removed since: \($0)" } ?? ""
                : editCommand(info.key).map { "; to change the text now, `\($0)`" } ?? ""
            return "Conflict \(info.id) is already \(info.status)\(by); the text it kept and every version are in `rapport history \(info.key.row.prefix(8))`\(mend)."
        }
    }

    /// The command that writes a reviewed text anew, by the field it is.
    static func editCommand(_ key: FieldKey) -> String? {
        let row = key.row.prefix(8)
        if key.entity == "note", key.field == "body" { return "rapport note edit \(row)" }
        if key.entity == "concern", key.field.hasSuffix("_text") {
            return "rapport concern step \(row) \(key.field.dropLast("_text".count)) --text TEXT"
        }
        guard key.field == "notes", let command = Restoration.commands[key.entity] else { return nil }
        return "\(command) notes \(row)"
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resolve",
            abstract: "Resolve a conflict: keep one version, give the merged text, or merge in $EDITOR.",
            // --keep is taken as a list only to refuse it given twice: the generated usage showed `--keep <keep> ...`.
            usage: "rapport conflicts resolve [--db <path>] [--json] <id> [--keep <version>] [--text <text>] [--file <file>]",
            discussion: "The resolution is an operation like any other: it syncs, and closes the conflict on every replica.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The conflict id (or a unique prefix).") var id: String
        @Option(name: .customLong("keep"), help: ArgumentHelp("mine, theirs, a version's number as `conflicts show` gives it, its author, or its id (4 characters or more; with its ':' counter, whole). Once: a resolution keeps one version.", valueName: "version")) var keeps: [String] = []
        @OptionGroup var input: TextInputOptions

        // An array, so that `--keep mine --keep theirs` is refused: a single option took the last given.
        var keep: String? { keeps.first }

        func validate() throws {
            if keeps.count > 1 {
                throw ValidationError("--keep is given \(keeps.count) times (\(keeps.joined(separator: ", "))): a resolution keeps one version; give --keep once, or merge them with --text, --file or $EDITOR")
            }
            if keep != nil, input.text != nil || input.file != nil { throw ValidationError("give --keep, or --text / --file, not both") }
        }

        func run() throws {
            let replica = try replica.open()
            let info = try replica.conflict(id)
            // (An error, worded as the others: from a small letter.)
            if let closed = try Conflicts.closure(info, replica: replica) { throw ValidationError(closed.prefix(1).lowercased() + closed.dropFirst()) }
            let detail = try Detail(info, replica: replica)
            let me = try replica.identity()
            let text: String
            var kept: Operation?
            if let keep {
                kept = try Self.pick(keep, from: detail.versions, user: me.user, replicaID: me.id)
                text = kept!.value.display
            } else if input.text != nil || input.file != nil {
                text = try input.read(what: "resolution")
            } else {
                let isMine = Detail.isMine(me)
                let template = MergeTemplate.render(
                    base: detail.base?.value.display,
                    sides: detail.ordered(isMine).map { v in
                        MergeTemplate.Side(label: "\(isMine(v) ? "mine" : "theirs") (\(v.author), \(Format.shortTime(v.time.ms)))", text: v.value.display)
                    })
                text = try Editor.edit(template, what: "resolution") { merged in
                    // A sync while the editor was open may have resolved or widened the conflict: the merge typed
                    // was lost with "no open conflict".
                    let now = try replica.conflict(info.id)
                    if let closed = try Conflicts.closure(now, replica: replica) {
                        // Markers left in are for the merge to take out before the text goes anywhere.
                        try Self.checkMerged(merged, detail: detail)
                        // The merge typed goes to the command that writes the text now. Not to the review it was
                        // widened into, which holds a version this merge never saw (its show comes first), nor to
                        // a record removed (its restore does).
                        let removed = try replica.record(info.key.entity, id: info.key.row)?.deleted ?? true
                        let command = now.status != "resolved" || removed ? nil
                            : Conflicts.editCommand(info.key).map { $0.hasSuffix(" --text TEXT") ? String($0.dropLast(" --text TEXT".count)) : $0 }
                        throw TextGoesElsewhere(message: "while you merged, " + closed.prefix(1).lowercased() + closed.dropFirst(), command: command)
                    }
                    try Self.checkMerged(merged, detail: detail)
                }
            }
            // Keeping a version keeps its text whatever it is.
            if keep == nil { try Self.checkMerged(text, detail: detail) }
            // A note's title taken from its text's first line follows the resolution, as it follows an edit: the
            // title a colleague's version brought stood beside the text kept.
            // Restated when unchanged too: two people resolving at once then agree on the title of the text that stands.
            var title: String?, retitled = false
            if info.key.entity == "note", info.key.field == "body", let note = try replica.record("note", id: info.key.row), !note.deleted,
               try NoteCommand.titleFollowsText(replica, note) {
                let line = Format.titleLine(text)
                if !line.isEmpty { (title, retitled) = (line, line != note["title"].display) }
            }
            let resolution = try replica.change { tx in
                let resolution = try tx.resolve(conflict: info.id, with: .text(text))
                if let title { try tx.set("note", row: info.key.row, "title", to: .text(title), restating: true) }
                return resolution
            }
            if output.json {
                return try JSON.object([
                    "id": .string(info.id), "label": .string(detail.label), "resolution": .string(resolution.id.description),
                    "kept": kept.map { .string($0.id.description) } ?? .null, "kept_author": kept.map { .string($0.author) } ?? .null, "text": .string(text),
                ]).print()
            }
            // Whose text was kept, so that a version picked by mistake is seen at once.
            let how = kept.map { ": kept \($0.author)'s version of \(Format.shortTime($0.time.ms))" } ?? (keep == nil ? " with the merged text" : "")
            print("Resolved \(info.id)\(how)\(retitled ? "; the note is titled '\(title!)' after its first line" : ""). `rapport sync` shares the resolution with your team.")
        }

        /// A merged text that is empty (an unset shell variable, an editor closed on an empty file) would
        /// replace every version with nothing, and one with markers left in would share them with the team.
        static func checkMerged(_ text: String, detail: Detail) throws {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw ValidationError("the resolution is empty; nothing was saved: give the merged text, or --keep mine|theirs")
            }
            let content = (detail.versions + [detail.base].compactMap { $0 }).map(\.value.display)
            let left = MergeTemplate.unresolvedMarkers(in: text, content: content)
            if !left.isEmpty {
                throw ValidationError("the text still has conflict markers on line\(left.count == 1 ? "" : "s") \(left.map(String.init).joined(separator: ", ")); remove them and resolve again (nothing was saved)")
            }
        }

        /// The version `--keep` names. A number is the version's place as `conflicts show` numbers them (yours
        /// first); an id is taken by its start only from 4 characters on, as conflict ids are: `--keep 2` kept
        /// the version whose id began with 2 rather than version 2.
        static func pick(_ keep: String, from versions: [Operation], user: String, replicaID: String) throws -> Operation {
            let mine = versions.filter { $0.id.replica == replicaID || $0.author == user }
            let theirs = versions.filter { v in !mine.contains(v) }
            let ordered = mine + theirs
            let keep = keep.trimmingCharacters(in: .whitespaces)
            // Each refusal lists the versions it asks for, by number and id, with whose each is.
            func ids(_ some: [Operation]) -> String {
                some.map { v in "\((ordered.firstIndex(of: v) ?? 0) + 1): \(v.id) (\(v.author))" }.joined(separator: ", ")
            }
            // Why one person has several: two laptops, or one laptop's restore of a removed record (which copies
            // every version under the restorer's name).
            func why(_ some: [Operation]) -> String {
                Set(some.map(\.id.replica)).count > 1 ? "written on two laptops" : "from one laptop: an edit and a copy a restore made, or two edits"
            }
            switch keep.lowercased() {
            // ("yours", as `conflicts show` marks the version, is the same one.)
            case "mine", "yours":
                guard mine.count == 1 else {
                    throw ValidationError(mine.isEmpty
                        ? "no version is yours: keep one by its number, its author or its id: \(ids(versions))"
                        : "several versions are yours (\(why(mine))): keep one by its number or id: \(ids(mine))")
                }
                return mine[0]
            case "theirs":
                guard theirs.count == 1 else {
                    throw ValidationError(theirs.isEmpty
                        ? "every version is yours: keep one by its number or id: \(ids(versions))"
                        : "\(theirs.count) versions are someone else's: keep one by its number or id (\(ids(theirs))), or merge with --text / $EDITOR")
                }
                return theirs[0]
            default:
                if let exact = versions.first(where: { $0.id.description == keep.lowercased() }) { return exact }
                if let number = Int(keep), ordered.indices.contains(number - 1) { return ordered[number - 1] }
                let byAuthor = versions.filter { $0.author.caseInsensitiveCompare(keep) == .orderedSame }
                if byAuthor.count == 1 { return byAuthor[0] }
                if byAuthor.count > 1 { throw ValidationError("\(byAuthor.count) versions are \(keep)'s (\(why(byAuthor))): keep one by its number or id: \(ids(byAuthor))") }
                // An id with its counter names one version whole: "84s9…:2" kept version ":23" as a prefix of it (QA).
                let whole = keep.contains(":")
                let matches = keep.count >= 4 ? versions.filter { whole ? $0.id.description == keep.lowercased() : $0.id.description.hasPrefix(keep.lowercased()) } : []
                if matches.count > 1 {
                    throw ValidationError("'\(keep)' starts the ids of \(matches.count) versions: give more of it, or its number: \(ids(matches))")
                }
                guard matches.count == 1 else {
                    // Only the words that name one version here: "mine" to someone with no version named none.
                    let words = [mine.count == 1 ? "mine" : nil, theirs.count == 1 ? "theirs" : nil].compactMap { $0 } + ["a version's number"]
                    // (A number of any length: 99999999999999999999 is no Int, and still no version.)
                    var number = !keep.isEmpty && keep.allSatisfy({ $0.isASCII && $0.isNumber }) ? "there is no version \(keep) (\(ordered.count == 1 ? "one" : "\(ordered.count)") in all); " : ""
                    // A name ("--keep carol") is read as an author whose version is not here: said so, with whose they are.
                    if keep.count >= 2, keep.contains(where: \.isLetter), keep.allSatisfy({ $0.isLetter || $0 == "." || $0 == "-" || $0 == "_" }) {
                        var authors: [String] = []
                        for v in ordered where !authors.contains(v.author) { authors.append(v.author) }
                        // Of 4 letters or more it may be a version id's start mistyped (replica ids are letters and digits).
                        let asID = keep.count >= 4 && keep.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } ? ", and no version's id starts so" : ""
                        // "thiers", "min": the word meant, when it names one version here.
                        let likely = Spelling.likely(keep, among: words.filter { $0 == "mine" || $0 == "theirs" }).flatMap { Format.didYouMean([$0]) }.map { $0 + " " } ?? ""
                        number = "\(likely)'\(keep)' wrote none of these versions (\(Format.list(authors, conjunction: "and")) did)\(asID); "
                    }
                    throw ValidationError("\(number)--keep takes \(words.joined(separator: ", ")), its author, or its id (4 characters or more): \(ids(ordered))")
                }
                return matches[0]
            }
        }
    }
}
