import ArgumentParser
import RapportKAM
import RapportReplica
import RapportSync

/// `rapport criteria`: the team's selection criteria and their weights.
struct CriteriaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "criteria",
        abstract: "The 3-5 criteria the team ranks accounts by, each with a weight.",
        discussion: """
            Candidates from the guides: revenue, margin, growth potential, strategic value, operational complexity, \
            product fit, average transaction size, revenue potential, buying process, partner history, customer tenure, \
            solvency, existing relationships, cultural fit, geographic alignment. Weights are relative: 40/30/30 \
            ranks like 4/3/3.
            """,
        subcommands: [Add.self, List.self, Set.self, Remove.self])

    static let candidates = ["revenue", "margin", "growth potential", "strategic value", "operational complexity", "product fit",
                             "average transaction size", "revenue potential", "buying process", "partner history",
                             "customer tenure", "solvency", "existing relationships", "cultural fit", "geographic alignment"]

    /// Live criteria that count (not retired).
    static func active(_ replica: Replica) throws -> [Record] {
        try replica.records("criterion", orderBy: "name").filter { $0["retired"] != .bool(true) }
    }

    static func values(_ records: [Record]) -> [Criterion] {
        records.map { Criterion(id: $0.id, name: $0["name"].display, weight: $0["weight"].double ?? 0) }
    }

    /// The key a new criterion called `key` gets: its own, unless a criterion renamed since holds it (its key is
    /// its first name's), or a removed one of another name; then the first of key-2, key-3... that none holds.
    /// A removed criterion of the same name keeps its key, so adding it again brings its scores back.
    /// A criterion's name as the team means it: case, accents and spacing aside ("Stratégie" is "strategie").
    /// (Its id stays its first name's key, `RowKeys.criterion`, as every laptop makes it.)
    static func nameKey(_ name: String) -> String? { RowKeys.criterion(name: AccountName.unaccented(name)) }

    static func freeID(for key: String, among criteria: [Record]) -> String {
        let held = Dictionary(criteria.map { ($0.id, RowKeys.criterion(name: $0["name"].display)) }, uniquingKeysWith: { first, _ in first })
        var id = key
        var n = 1
        while let name = held[id], name != key {
            n += 1
            id = "\(key)-\(n)"
        }
        return id
    }

    /// A criterion by name (any spelling that folds to the same key) or name prefix, else by its key as
    /// `--json` shows it. A criterion renamed since is not found by its old name, though its key still is it.
    static func find(_ replica: Replica, _ query: String) throws -> Record {
        let all = try active(replica)
        if let key = nameKey(query), let exact = all.first(where: { nameKey($0["name"].display) == key }) { return exact }
        var matches = all.filter { $0["name"].display.lowercased().hasPrefix(query.lowercased()) }
        if matches.isEmpty { matches = all.filter { $0.id == query.lowercased() } }
        if matches.count == 1 { return matches[0] }
        let names = all.map { $0["name"].display }
        // A criterion taken out of the count (`criteria remove`) is there to bring back, not unknown.
        if matches.isEmpty, let key = nameKey(query),
           let retired = try replica.records("criterion").first(where: { $0["retired"] == .bool(true) && nameKey($0["name"].display) == key }) {
            let last = try replica.latestOperation(on: FieldKey(entity: "criterion", row: retired.id, field: "retired"))
            let when = last.map { " by \($0.author)\(Today.day(ms: $0.time.ms).map { " on \($0)" } ?? "")" } ?? ""
            throw ValidationError("criterion \(retired["name"].display) no longer counts (taken out\(when)); nothing was changed: " +
                                  "`rapport criteria add \(Shell.quote(retired["name"].display)) --weight W` brings it back with its scores")
        }
        if matches.isEmpty {
            let guess = Format.didYouMean(Spelling.suggestions(for: query, among: names)).map { " (\($0))" } ?? ""
            throw ValidationError("no criterion '\(query)'\(guess)\(names.isEmpty ? ": add one with `rapport criteria add NAME --weight W`" : "; the criteria are: \(names.joined(separator: ", "))")")
        }
        throw ValidationError("'\(query)' matches \(matches.map { $0["name"].display }.joined(separator: ", ")): give more of the name")
    }

    /// `example`: how the command takes a weight (`criteria set` takes weight=30, not --weight 30).
    static func checkWeight(_ text: String, example: String = "--weight 30") throws -> Double {
        let value: FieldValue
        do { value = try Schema.spec("criterion").field("weight")!.parse(text) } catch {
            guard let number = Double(text) else { throw ValidationError("'\(text)' is not a weight: give a number above 0 and at most 100, e.g. \(example)") }
            throw ValidationError("\(ScoringError.weight(number))")
        }
        guard let weight = value.double else { throw ValidationError("give a weight, e.g. \(example)") }
        do { try ScoringMatrix.check(weight: weight) } catch { throw ValidationError("\(error)") }
        return weight
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a criterion (or bring back a removed one).")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Its name, e.g. 'growth potential'.") var name: String
        @Option(parsing: .unconditional, help: "Its relative weight, above 0 and at most 100.") var weight: String
        @Option(help: "What a 1 and a 10 mean.") var description: String?

        func run() throws {
            let weight = try checkWeight(weight)
            // Spaces as account names have them: "strategic  value" was a column headed with two.
            let typed = AccountName.normalized(name.trimmingCharacters(in: .whitespaces))
            guard let key = RowKeys.criterion(name: typed), let folded = CriteriaCommand.nameKey(typed) else { throw ValidationError("a criterion needs a name with letters or digits") }
            let replica = try replica.open()
            let everyCriterion = try replica.records("criterion")
            let all = everyCriterion.filter { $0["retired"] != .bool(true) }
            // A criterion renamed with `criteria set` keeps the key of its first name: adding its new name is
            // changing it, not adding a second criterion of the same name; adding its old name adds another one,
            // under the first free key after it (the same on every replica that holds the same criteria).
            let existing = all.first { CriteriaCommand.nameKey($0["name"].display) == folded }
            // A removed criterion of that name comes back with its scores, under its own id: one renamed before it
            // was removed has the id of its first name, and the new name's key made a second criterion beside
            // it, its scores left out of the ranking.
            let removed = everyCriterion.filter { $0["retired"] == .bool(true) && CriteriaCommand.nameKey($0["name"].display) == folded }
            let id = existing?.id ?? (removed.first { $0.id == key } ?? removed.first)?.id ?? CriteriaCommand.freeID(for: key, among: everyCriterion)
            let active = all.filter { $0.id != id }
            let revived = existing == nil && everyCriterion.contains { $0.id == id && $0["retired"] == .bool(true) }
            // Keyed by its folded name, so two managers adding "Revenue" offline get one criterion, not two. One
            // already there keeps its name as written (`criteria add revenue` renamed "Revenue" unasked);
            // `criteria set` renames.
            let name = existing?["name"].display ?? typed
            let described = try replica.change { tx in
                if existing == nil { try tx.set("criterion", row: id, "name", to: .text(name)) }
                try tx.set("criterion", row: id, "weight", to: .real(weight))
                try tx.set("criterion", row: id, "retired", to: .bool(false))
                return try description.flatMap { try tx.set("criterion", row: id, "description", to: .text($0)) } != nil
            }
            if let existing, let old = existing["weight"].double, old != weight {
                // The same name folds to the same criterion: say that this changed its weight, not added one.
                say("Criterion \(name) was already there: its weight changed from \(FieldValue.real(old).display) to \(FieldValue.real(weight).display).")
            } else if existing != nil {
                say("Criterion \(name) was already there with weight \(FieldValue.real(weight).display).")
            } else {
                say("Criterion \(name) with weight \(FieldValue.real(weight).display).")
            }
            // The description of one already there is replaced: said, with what it was, since `add` reads as adding.
            if let existing, described {
                let was = existing["description"].display
                say(was.isEmpty ? "Its description is now \"\(description ?? "")\"." : "Its description changed from \"\(was)\" to \"\(description ?? "")\".")
            }
            if existing != nil, name != typed { say("It keeps its name \(name); `rapport criteria set \(Shell.quote(name)) name=\(Shell.quote(typed))` renames it.") }
            var scoresBack = 0
            if revived {
                // Of the accounts the ranking reads: not those removed or archived meanwhile.
                let ranked = Swift.Set(try replica.activeAccounts(fields: ["name"]).map(\.id))
                let scored = try replica.records("score", where: ("criterion", .text(id))).filter { $0["value"] != .null && ranked.contains($0["account"].display) }.count
                if scored > 0 { say("It was removed before: its \(scored) score\(scored == 1 ? " counts" : "s count") again.") }
                scoresBack = scored
            }
            // Removed ones this name could mean besides: another of the name (its scores stay out), or one whose id
            // is this name's key, renamed before it was removed (added anew here, without its scores).
            let others = everyCriterion.filter { $0["retired"] == .bool(true) && $0.id != id && (removed.contains($0) || ($0.id == key && existing == nil)) }
            for other in others {
                let scores = try replica.records("score", where: ("criterion", .text(other.id))).filter { $0["value"] != .null }.count
                warn("note: a removed criterion \(removed.contains(other) ? "of this name too" : "was first called \(typed)"), \(other["name"].display) (\(other.id)), keeps its \(scores) score\(scores == 1 ? "" : "s") out of the ranking" +
                     (removed.contains(other) ? "" : ": `rapport criteria add \(Shell.quote(other["name"].display)) --weight W` brings it back"))
            }
            if output.json, let record = try replica.record("criterion", id: id), case .object(var o) = JSON(record, entity: Schema.spec("criterion")) {
                // What the text says in words: whether the name was there already, or came back with its scores.
                o["already_there"] = .bool(existing != nil)
                o["weight_before"] = existing?["weight"].double.map(JSON.number) ?? .null
                o["brought_back"] = .bool(revived)
                o["scores_counting_again"] = .int(Int64(scoresBack))
                try JSON.object(o).print()
            }
            if active.count + 1 > 5 { warn("note: \(active.count + 1) criteria; the guides advise 3 to 5, so each one still matters") }
        }

        func say(_ line: String) { if !output.json { print(line) } }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the criteria with their weights and share.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Also the removed criteria, which `criteria add` brings back with their scores.") var all = false

        func run() throws {
            let replica = try replica.open()
            let records = try CriteriaCommand.active(replica)
            let removed = all ? try replica.records("criterion", orderBy: "name").filter { $0["retired"] == .bool(true) } : []
            let total = records.reduce(0) { $0 + ($1["weight"].double ?? 0) }
            func share(_ r: Record) -> Double { total > 0 ? (r["weight"].double ?? 0) / total * 100 : 0 }
            if output.json {
                return try JSON.array((records + removed).map { r in
                    guard case .object(var o) = JSON(r, entity: Schema.spec("criterion")) else { return .null }
                    o["share_percent"] = .number(r["retired"] == .bool(true) ? 0 : (share(r) * 10).rounded() / 10)
                    return .object(o)
                }).print()
            }
            if records.isEmpty, removed.isEmpty {
                return print("No criteria yet: pick 3-5, e.g. `rapport criteria add revenue --weight 40`.\nCandidates: \(CriteriaCommand.candidates.joined(separator: ", ")).")
            }
            let shares = ScoringMatrix.wholeShares(records.map { $0["weight"].double ?? 0 })
            print(Format.table(["CRITERION", "WEIGHT", "SHARE", "DESCRIPTION"], zip(records, shares).map { r, share in
                [r["name"].display, r["weight"].display, "\(share)%", r["description"].display]
            } + removed.map { r in [r["name"].display, r["weight"].display, "removed", r["description"].display] }))
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "set", abstract: "Change a criterion: weight=W, name=N or description=D.")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The criterion's name.") var criterion: String
        @Argument(help: "field=value pairs.") var assignments: [String] = []

        func run() throws {
            // A weight is checked as `criteria add` checks it, with the same advice (above 0, at most 100).
            for assignment in assignments where assignment.lowercased().hasPrefix("weight=") {
                let text = String(assignment.dropFirst("weight=".count))
                if !text.trimmingCharacters(in: .whitespaces).isEmpty { _ = try CriteriaCommand.checkWeight(text, example: "weight=30") }
            }
            var values: [(String, FieldValue)]
            do { values = try Schema.spec("criterion").parseAssignments(assignments) } catch { throw ValidationError("\(error)") }
            guard !values.isEmpty else { throw ValidationError("give weight=W, name=N or description=D") }
            for (field, value) in values where field == "weight" {
                guard let w = value.double else { throw ValidationError("a criterion needs a weight: give weight=W, above 0 and at most 100; nothing was changed") }
                do { try ScoringMatrix.check(weight: w) } catch { throw ValidationError("\(error)") }
            }
            if values.contains(where: { $0.0 == "retired" }) {
                throw ValidationError("a criterion stops counting with `rapport criteria remove NAME` and counts again with `rapport criteria add NAME --weight W`; nothing was changed")
            }
            let replica = try replica.open()
            let record = try CriteriaCommand.find(replica, criterion)
            if let index = values.firstIndex(where: { $0.0 == "name" }) {
                // A criterion is known by its name everywhere (`score ACCOUNT revenue=8`, the ranking's columns,
                // `rank --json`'s scores), so a blank name or another criterion's name would make one unreachable.
                let name = AccountName.normalized(values[index].1.display.trimmingCharacters(in: .whitespaces))
                guard let key = CriteriaCommand.nameKey(name) else { throw ValidationError("a criterion needs a name with letters or digits; nothing was changed") }
                if let other = try CriteriaCommand.active(replica).first(where: { $0.id != record.id && CriteriaCommand.nameKey($0["name"].display) == key }) {
                    throw ValidationError("another criterion is already called \(other["name"].display); nothing was changed: choose another name, or remove that one first")
                }
                values[index].1 = .text(name)
            }
            let changed = try replica.change { tx in try values.compactMap { try tx.set("criterion", row: record.id, $0.0, to: $0.1) }.count }
            print(changed == 0 ? "Nothing changed." : Format.sentence("Updated criterion \(record["name"].display)"))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Stop counting a criterion (its scores are kept; adding it again brings them back).")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The criterion's name.") var criterion: String

        func run() throws {
            let replica = try replica.open()
            let record = try CriteriaCommand.find(replica, criterion)
            // Its whole name, in any spelling, or its id (its first name's key, as --json shows it).
            if CriteriaCommand.nameKey(criterion) != CriteriaCommand.nameKey(record["name"].display),
               record.id != criterion.trimmingCharacters(in: .whitespaces).lowercased() {
                throw ValidationError("'\(criterion)' is only the start of criterion '\(record["name"].display)'; nothing was changed: to stop counting it, give its whole name")
            }
            try replica.change { tx in _ = try tx.set("criterion", row: record.id, "retired", to: .bool(true)) }
            print("Criterion \(record["name"].display) no longer counts.")
        }
    }
}

/// `rapport score ACCOUNT revenue=8 margin=6`
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score an account 1-10 per criterion, or show its scores.",
        discussion: "Example: rapport score Northwind revenue=8 margin=6 'growth potential=9'. An empty value clears a score.")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
    @Argument(help: "criterion=score pairs, scores 1 to 10.") var assignments: [String] = []

    func run() throws {
        let replica = try replica.open()
        let record = try Lookup.account(replica, account)
        let criteria = try CriteriaCommand.active(replica)
        var scores: [(Record, FieldValue)] = []
        for assignment in assignments {
            guard let eq = assignment.lastIndex(of: "=") else {
                throw ValidationError("'\(assignment)' is not criterion=score, e.g. revenue=8")
            }
            let name = String(assignment[..<eq]).trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw ValidationError("'\(assignment)' names no criterion: give criterion=score, e.g. revenue=8") }
            let criterion = try CriteriaCommand.find(replica, name)
            if let twice = scores.first(where: { $0.0.id == criterion.id }) {
                throw ValidationError("\(twice.0["name"].display) is scored twice; nothing was changed: give each criterion once")
            }
            let text = assignment[assignment.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if text.isEmpty { scores.append((criterion, .null)); continue }
            guard let value = Int(text) else { throw ValidationError("'\(text)' is not a score for \(criterion["name"].display): score each criterion with a whole number from 1 (poor) to 10 (excellent)") }
            do { try ScoringMatrix.check(score: value) } catch { throw ValidationError("\(criterion["name"].display): \(error)") }
            scores.append((criterion, .int(Int64(value))))
        }
        if !scores.isEmpty {
            try Lookup.warnIfArchived(record, replica)
            // One row per account and criterion, so two managers scoring the same pair offline merge into one.
            let changed = try replica.change { tx in
                try scores.filter { pair in
                    let row = RowKeys.score(account: record.id, criterion: pair.0.id)
                    try tx.set("score", row: row, "account", to: .text(record.id))
                    try tx.set("score", row: row, "criterion", to: .text(pair.0.id))
                    return try tx.set("score", row: row, "value", to: pair.1) != nil
                }
            }
            // By the criteria's names: one typed by the start of its name ("revenu=5") is said whole.
            let which = changed.map { "\($0.0["name"].display) \($0.1 == .null ? "cleared" : $0.1.display)" }.joined(separator: ", ")
            if !output.json { print(changed.isEmpty ? "Nothing changed." : "Scored \(record["name"].display): \(which).") }
        }
        // Rows from other clients need not use the deterministic id, so a pair may appear twice: keep one.
        let current = Dictionary(try replica.rows("score", of: record).compactMap { s in s["value"].int.map { (s["criterion"].display, $0) } }, uniquingKeysWith: { a, _ in a })
        let weighted = ScoringMatrix.weightedScore(current, criteria: CriteriaCommand.values(criteria))
        if output.json {
            return try JSON.object([
                "account": .string(record.id), "name": .string(record["name"].display),
                "scores": .object(Dictionary(criteria.map { c in (c["name"].display, current[c.id].map { JSON.int(Int64($0)) } ?? .null) }, uniquingKeysWith: { a, _ in a })),
                "weighted": .number((weighted * 100).rounded() / 100),
            ]).print()
        }
        if criteria.isEmpty { return print("No criteria yet: add 3-5 with `rapport criteria add NAME --weight W`.") }
        if scores.isEmpty { print("\(record["name"].display)") }
        print(Format.table(["CRITERION", "WEIGHT", "SCORE"], criteria.map { c in [c["name"].display, c["weight"].display, current[c.id].map(String.init) ?? "-"] }))
        // Scored on nothing, it has no weighted score yet ("0.00 of 10" read as scored lowest).
        print(current.isEmpty ? "not scored yet: `rapport score \(Shell.quote(record["name"].display)) \(Shell.quote(criteria[0]["name"].display))=7`" : "weighted score: \(String(format: "%.2f", weighted)) of 10")
    }
}

/// `rapport rank [--top N | --threshold X]`
struct RankCommand: ParsableCommand {
    /// A list ended with a full stop, but not a second one after a name that ends with one ("Northwind Traders, Inc.").
    static func sentence(_ text: String) -> String { text.hasSuffix(".") ? text : text + "." }

    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "The weighted scoring matrix, ranked: which accounts deserve a key-account plan?",
        discussion: "Weighted score = Σ(weight × score) / Σ(weight), 1-10; a missing score counts as 0. Equal scores share a rank; --top N takes ties at the cut.")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @Option(parsing: .unconditional, help: "Propose the best N accounts as key accounts.") var top: Int?
    @Option(parsing: .unconditional, help: "Propose accounts whose weighted score is at least this (above 0, at most 10).") var threshold: Double?
    @Flag(help: "Also list, in the table, the accounts scored on no criterion yet.") var all = false

    func validate() throws {
        if top != nil, threshold != nil { throw ValidationError("give --top N or --threshold X, not both") }
        do {
            if let top { try ScoringMatrix.check(.top(top)) }
            if let threshold { try ScoringMatrix.check(.threshold(threshold)) }
        } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let replica = try replica.open()
        let criteriaRecords = try CriteriaCommand.active(replica)
        guard !criteriaRecords.isEmpty else { throw ValidationError("\(ScoringError.noCriteria)") }
        let criteria = CriteriaCommand.values(criteriaRecords)
        let scores = Dictionary(grouping: try replica.records("score")) { $0["account"].display }
        let accounts = try replica.activeAccounts()
        let tiers = Dictionary(uniqueKeysWithValues: accounts.map { ($0.id, $0["tier"].display) })
        let input = accounts.map { a in
            AccountScores(accountID: a.id, name: a["name"].display, scores: Dictionary(
                (scores[a.id] ?? []).compactMap { s in s["value"].int.map { (s["criterion"].display, $0) } }, uniquingKeysWith: { x, _ in x }))
        }
        let cutOff: CutOff? = top.map(CutOff.top) ?? threshold.map(CutOff.threshold)
        let ranked = ScoringMatrix.rank(input, criteria: criteria, cutOff: cutOff)
        // Scores are held against it as every output shows them, to two decimals: 7.0454 is 7.05, at least 7.046.
        // (Within binary noise: 0.29 × 100 is 28.999999999999996.)
        if let threshold, abs((threshold * 100).rounded() - threshold * 100) > 1e-6 {
            warn("note: weighted scores are held against --threshold as they show, to two decimals: \(FieldValue.real(threshold).display) proposes what \(String(format: "%.2f", (threshold * 100).rounded(.up) / 100)) does")
        }
        if output.json {
            return try JSON.object([
                "scored_accounts": .int(Int64(ranked.filter { $0.scored > 0 }.count)),
                "criteria": .array(criteria.map { .object(["id": .string($0.id), "name": .string($0.name), "weight": .number($0.weight)]) }),
                "cut_off": cutOff.map { c -> JSON in
                    switch c {
                    case .top(let n): .object(["top": .int(Int64(n))])
                    case .threshold(let x): .object(["threshold": .number(x)])
                    }
                } ?? .null,
                "accounts": .array(ranked.map { r in
                    .object([
                        "rank": .int(Int64(r.rank)), "id": .string(r.account.accountID), "name": .string(r.account.name),
                        "weighted": .number((r.weighted * 100).rounded() / 100), "scored": .int(Int64(r.scored)),
                        "scores": .object(Dictionary(criteria.map { c in (c.name, r.account.scores[c.id].map { JSON.int(Int64($0)) } ?? .null) }, uniquingKeysWith: { a, _ in a })),
                        "proposed_key": .bool(r.proposedKey), "tier": .string(tiers[r.account.accountID] ?? ""),
                    ])
                }),
            ]).print()
        }
        let header = ["#", "ACCOUNT"] + criteria.map { "\($0.name.uppercased()) (\(FieldValue.real($0.weight).display))" } + ["WEIGHTED", "TIER", cutOff == nil ? "" : "KEY?"]
        // An account scored on nothing has no place in a ranking yet: 10,000 imported accounts buried the
        // scored ones under 9,990 rows of 0.00. They are named below the table, or counted.
        let unscored = ranked.filter { $0.scored == 0 }
        // A table of headers alone, then "Key at the top 3: none", said nothing of why.
        if !all, unscored.count == ranked.count {
            return print(ranked.isEmpty ? "No accounts yet: `rapport account add NAME` adds one."
                : "No account is scored on any criterion yet: `rapport score NAME criterion=N` scores one (`rapport rank --all` lists them unscored).")
        }
        print(Format.table(header, ranked.filter { all || $0.scored > 0 }.map { r in
            let incomplete = r.scored < criteria.count ? " (\(r.scored)/\(criteria.count) scored)" : ""
            return [String(r.rank), r.account.name] + criteria.map { c in r.account.scores[c.id].map(String.init) ?? "-" }
                + [String(format: "%.2f", r.weighted) + incomplete, tiers[r.account.accountID] ?? "", r.proposedKey ? "key" : ""]
        }))
        if !all, !unscored.isEmpty {
            let what = unscored.count <= 10 ? unscored.map(\.account.name).joined(separator: ", ") : "\(unscored.count) accounts (`rapport rank --all` lists them)"
            print("\nNot scored on any criterion yet: \(what). `rapport score NAME criterion=N` scores one.")
        }
        switch cutOff {
        case .top(let n)?:
            let keys = ranked.filter(\.proposedKey)
            // Accounts tied with the last place share it: the top 2 may be 3 accounts.
            // Fewer scored than asked for: the line named four under "the top 10" without a word.
            let scored = ranked.filter { $0.scored > 0 }.count
            let tie = keys.count > n ? " (\(keys.count), as accounts tied at rank \(keys.last!.rank) share it)"
                : scored < n && !keys.isEmpty ? " (only \(scored) account\(scored == 1 ? " is" : "s are") scored)" : ""
            print("\nKey at the top \(n)\(tie): \(Self.sentence(keys.isEmpty ? "none" : keys.map(\.account.name).joined(separator: ", ")))")
            // Said of the table's own rows: without --all, the line above named them already.
            let unscored = unscored.filter { $0.rank <= n }.count
            if all, unscored > 0 {
                print("\(unscored) account\(unscored == 1 ? " is" : "s are") scored on no criterion and not proposed: `rapport score NAME criterion=N` scores one.")
            }
        case .threshold(let x)?:
            let keys = ranked.filter(\.proposedKey).map(\.account.name)
            print("\nKey at \(FieldValue.real(x).display) or above: \(Self.sentence(keys.isEmpty ? "none" : keys.joined(separator: ", ")))")
        case nil:
            print("\nMark the key accounts with --top N or --threshold X; set them with `rapport account set NAME tier=key`.")
        }
    }
}
