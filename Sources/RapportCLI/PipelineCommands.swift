import ArgumentParser
import RapportKAM
import RapportReplica
import RapportReport
import RapportSync

enum OpportunityKind: RecordKind {
    static let entity = "opportunity", noun = "opportunity", nameField = "title", listCommand = "rapport opportunity list", command = "rapport opportunity"
    static let required = ["title", "kind", "stage"]
    // The stage and the day it closed: one reopened on one laptop while another won it unaware merged open with a close day.
    static let statedTogether = ["stage", "closed_on"]

    /// As the list shows them: the stage with a test running, the value as money.
    static func shown(_ record: Record, replica: Replica) throws -> [String: String] {
        // (A test running is said with the stage, "proposal, testing since D", not again on a line of its own.)
        let deal = AccountData.opportunity(record)
        return ["stage": PipelineCommand.stage(deal)].merging(deal.testRunning(on: Today.local) ? ["testing_since": ""] : [:]) { a, _ in a }
            .merging(record["value"].double.map { ["value": Figures.money($0)] } ?? [:]) { a, _ in a }
    }

    /// Moving to won or lost records the day it closed; reopening clears it. A close day given by hand must
    /// belong to a closed opportunity and fall between the day it was spotted and today.
    static func check(_ values: [(String, FieldValue)], of record: Record?, today: Day) throws -> [(String, FieldValue)] {
        if let day = values.first(where: { $0.0 == "opened_on" })?.1.day, day > today {
            throw ValidationError("opened_on \(day) is in the future: an opportunity is recorded once it is spotted; nothing was changed")
        }
        // The days it was spotted and closed are corrected, not emptied: a won deal without its close day dropped
        // out of growth health's "won in the last 90 days".
        if values.contains(where: { $0.0 == "opened_on" && $0.1 == .null }) {
            throw ValidationError("an opportunity keeps the day it was spotted: give opened_on=YYYY-MM-DD to correct it; nothing was changed")
        }
        if values.contains(where: { $0.0 == "closed_on" && $0.1 == .null }),
           let stage = (values.last { $0.0 == "stage" }?.1 ?? record?["stage"])?.textValue.flatMap(Stage.init(rawValue:)), !stage.isOpen {
            throw ValidationError("an opportunity \(stage.rawValue) keeps the day it closed: give closed_on=YYYY-MM-DD to correct it, or reopen it with its stage (stage=proposal); nothing was changed")
        }
        try checkTest(values, of: record)
        let checked = endingTest(closing(values, of: record, today: today), of: record)
        func field(_ name: String) -> FieldValue { checked.last { $0.0 == name }?.1 ?? record?[name] ?? .null }
        // Only the days this change sets are checked: a record an older version let through takes other changes.
        let settingClose = checked.contains { $0.0 == "closed_on" && $0.1 != .null }
        let settingOpen = checked.contains { $0.0 == "opened_on" && $0.1 != .null }
        guard let closed = field("closed_on").day, settingClose || settingOpen else { return checked }
        let stage = field("stage").textValue.flatMap(Stage.init(rawValue:)) ?? .idea
        if settingClose, stage.isOpen {
            throw ValidationError("an opportunity at \(stage.rawValue) is still open and has no close day: give stage=won or stage=lost with closed_on, or leave closed_on out; nothing was changed")
        }
        if settingClose, closed > today { throw ValidationError("closed_on \(closed) is in the future: an opportunity closes once it is won or lost; nothing was changed") }
        if let opened = field("opened_on").day, closed < opened {
            throw ValidationError("closed_on \(closed) is before the opportunity was spotted (opened_on \(opened)); nothing was changed")
        }
        return checked
    }

    /// A test is recorded once it has begun, on an opportunity spotted by then and still open, and a deal does not
    /// close before its test began: won or lost, its test is over (growth health counts one only while open).
    private static func checkTest(_ values: [(String, FieldValue)], of record: Record?) throws {
        func given(_ name: String) -> FieldValue? { values.last { $0.0 == name }?.1 }
        func field(_ name: String) -> FieldValue { given(name) ?? record?[name] ?? .null }
        let unchanged = record == nil ? "nothing was added" : "nothing was changed"
        let begun = given("testing_since")?.day
        if let begun {
            if begun > Today.local { throw ValidationError("testing_since \(begun) is in the future: a test is recorded once it has begun; \(unchanged)") }
            if let stage = field("stage").textValue.flatMap(Stage.init(rawValue:)), !stage.isOpen {
                guard let record else { throw ValidationError("--testing-since is for an open opportunity: leave it out of one added \(stage.rawValue); nothing was added") }
                if given("stage") != nil { throw ValidationError("a test runs on an open opportunity, not on one made \(stage.rawValue) in the same change; nothing was changed") }
                throw ValidationError("the opportunity is \(stage.rawValue): a test runs on an open one (if the deal is not done, reopen it with its stage: " +
                                      "`rapport opportunity set \(short(record.id)) stage=proposal testing_since=\(begun)`); nothing was changed")
            }
        }
        // Told against the day the test began, whichever of the two this change sets (none when it ends the test).
        guard let test = given("testing_since") != nil ? begun : record?["testing_since"].day else { return }
        if let opened = field("opened_on").day, test < opened, begun != nil || given("opened_on") != nil {
            if begun == nil { throw ValidationError("opened_on \(opened) is after its test began (testing_since \(test)): it was spotted by then; nothing was changed") }
            let earlier = record.map { "`rapport opportunity set \(short($0.id)) opened_on=\(test)`" } ?? "--date \(test)"
            throw ValidationError("testing_since \(test) is before the opportunity was spotted (opened_on \(opened)): if it was spotted earlier, say so (\(earlier)); \(unchanged)")
        }
        if let closed = given("closed_on")?.day, closed < test {
            throw ValidationError("closed_on \(closed) is before its test began (testing_since \(test)): a deal closes once its test is over; nothing was changed")
        }
    }

    /// Won or lost, its test is over: the day it began is cleared (reopened months later, the deal brought the old
    /// test back, counted in growth again). Views of a day before the close still read it from its history.
    private static func endingTest(_ values: [(String, FieldValue)], of record: Record?) -> [(String, FieldValue)] {
        guard let stage = values.last(where: { $0.0 == "stage" })?.1.textValue.flatMap(Stage.init(rawValue:)), !stage.isOpen,
              !values.contains(where: { $0.0 == "testing_since" }), record?["testing_since"].day != nil else { return values }
        return values + [("testing_since", .null)]
    }

    static func notice(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws -> String? {
        guard let since = record["testing_since"].day, values.contains(where: { $0.0 == "testing_since" && $0.1 == .null }),
              let stage = values.last(where: { $0.0 == "stage" })?.1.textValue, !(Stage(rawValue: stage)?.isOpen ?? true) else { return nil }
        return "its test, running since \(since), ends with it (growth health counts tests of open opportunities)"
    }

    private static func closing(_ values: [(String, FieldValue)], of record: Record?, today: Day) -> [(String, FieldValue)] {
        guard let stage = values.first(where: { $0.0 == "stage" })?.1.textValue.flatMap(Stage.init(rawValue:)),
              !values.contains(where: { $0.0 == "closed_on" }) else { return values }
        if stage.isOpen { return (record?["closed_on"] ?? .null) == .null ? values : values + [("closed_on", .null)] }
        // Closed already (won, now lost: a slip corrected), it keeps the day it closed.
        if record?["closed_on"].day != nil, let was = record?["stage"].textValue.flatMap(Stage.init(rawValue:)), !was.isOpen { return values }
        return values + [("closed_on", .text(today.description))]
    }

    /// A deal closed by this change without its day given is closed today: said, with the way to give the day
    /// (it changed without a word, and a slip corrected back and forth lost the real one).
    static func typedNotices(_ typed: [(field: String, text: String)], of changed: Record) -> [String] {
        guard typed.contains(where: { $0.field == "stage" }), !typed.contains(where: { $0.field == "closed_on" }),
              let stage = changed["stage"].textValue.flatMap(Stage.init(rawValue:)), !stage.isOpen, let day = changed["closed_on"].day else { return [] }
        return ["it stands \(stage.rawValue) as of \(day) (closed_on); if it closed on another day, `rapport opportunity set \(short(changed.id)) closed_on=YYYY-MM-DD` says so"]
    }
}

enum FlagKind: RecordKind {
    static let entity = "risk_flag", noun = "risk flag", nameField = "title", listCommand = "rapport flag list", command = "rapport flag"
    static let required = ["title", "kind", "status"]
    // The status and the day it closed: one set watching on one laptop while another closed it merged watching with a close day (QA).
    static let statedTogether = ["status", "closed_on"]

    /// Closing a flag records the day it closed; reopening it (open or watching) clears that. A close day given
    /// by hand must belong to a closed flag and fall between the day it was raised and today. Past views read
    /// it: a flag entered afterwards, closed after the day they show, was still open on it.
    static func check(_ values: [(String, FieldValue)], of record: Record?, today: Day) throws -> [(String, FieldValue)] {
        if let day = values.first(where: { $0.0 == "raised_on" })?.1.day, day > today {
            throw ValidationError("raised_on \(day) is in the future: a flag is raised once the risk is seen; nothing was changed")
        }
        // Corrected, not emptied (a closed flag without its close day, a flag raised on no day).
        if values.contains(where: { $0.0 == "raised_on" && $0.1 == .null }) {
            throw ValidationError("a risk flag keeps the day it was raised: give raised_on=YYYY-MM-DD to correct it; nothing was changed")
        }
        if values.contains(where: { $0.0 == "closed_on" && $0.1 == .null }), (values.last { $0.0 == "status" }?.1 ?? record?["status"])?.textValue == "closed" {
            throw ValidationError("a closed risk flag keeps the day it closed: give closed_on=YYYY-MM-DD to correct it, or reopen it (status=open); nothing was changed")
        }
        var checked = values
        if let status = values.first(where: { $0.0 == "status" })?.1.textValue, !values.contains(where: { $0.0 == "closed_on" }) {
            if status != "closed" {
                if (record?["closed_on"] ?? .null) != .null { checked.append(("closed_on", .null)) }
            } else if record?["status"].textValue != "closed" {
                // (Not one closed already, closed again: its close day, or none for one an older version
                // closed, stays; today was not the day it closed.)
                checked.append(("closed_on", .text(today.description)))
            }
        }
        func field(_ name: String) -> FieldValue { checked.last { $0.0 == name }?.1 ?? record?[name] ?? .null }
        // Only the days this change sets are checked: a record an older version let through takes other changes.
        let settingClose = checked.contains { $0.0 == "closed_on" && $0.1 != .null }
        let settingRaised = checked.contains { $0.0 == "raised_on" && $0.1 != .null }
        guard let closed = field("closed_on").day, settingClose || settingRaised else { return checked }
        let status = field("status").textValue ?? "open"
        if settingClose, status != "closed" {
            throw ValidationError("a risk flag that is \(status) has no close day: give status=closed with closed_on, or leave closed_on out; nothing was changed")
        }
        if settingClose, closed > today { throw ValidationError("closed_on \(closed) is in the future: a flag closes once the risk is over; nothing was changed") }
        if let raised = field("raised_on").day, closed < raised {
            throw ValidationError("closed_on \(closed) is before the flag was raised (raised_on \(raised)); nothing was changed")
        }
        return checked
    }

    /// Closed by this change without its day given: closed today, said with the way to give the day.
    static func typedNotices(_ typed: [(field: String, text: String)], of changed: Record) -> [String] {
        guard typed.contains(where: { $0.field == "status" }), !typed.contains(where: { $0.field == "closed_on" }),
              changed["status"].textValue == "closed", let day = changed["closed_on"].day else { return [] }
        return ["it stands closed as of \(day) (closed_on); if the risk ended on another day, `rapport flag set \(short(changed.id)) closed_on=YYYY-MM-DD` says so"]
    }
}

/// `rapport opportunity`: expansion paths spotted per account.
struct OpportunityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opportunity",
        abstract: "Expansion opportunities (new markets, bundles, catalogue, creative, scaling) with stage and value.",
        subcommands: [Add.self, List.self, ShowRecord<OpportunityKind>.self, Test.self, SetFields<OpportunityKind>.self, EditNotes<OpportunityKind>.self, RemoveRecord<OpportunityKind>.self, RestoreRecord<OpportunityKind>.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an opportunity to an account.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
        @Argument(help: "What it is.") var title: String
        @Option(help: "new-market, bundle, catalogue, creative, scaling or other") var kind = "other"
        @Option(help: "idea, qualified, proposal, won or lost") var stage = "idea"
        // Unconditional, so that `--value -5k` is refused for its value rather than taken for an option.
        @Option(parsing: .unconditional, help: "Estimated yearly value (50k, 1.2m).") var value: String?
        @Option(help: "Notes.") var notes: String?
        @Option(parsing: .unconditional, help: "The day it was spotted (YYYY-MM-DD, today, +7, -3d; default today).") var date: String?
        @Option(name: .customLong("closed-on"), parsing: .unconditional, help: "For one added won or lost: the day it closed (default the day it was spotted).")
        var closedOn: String?
        @Option(name: .customLong("testing-since"), parsing: .unconditional,
                help: "The day a test of it began with the customer (a pilot, an A/B test of content): it counts in growth health while open; `rapport opportunity test OPP --end` when the test is over.")
        var testingSince: String?

        func run() throws {
            guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the opportunity's title cannot be empty") }
            var values = ValueList("opportunity")
            try values.add("title", title)
            try values.add("kind", kind)
            try values.add("stage", stage)
            try values.add("value", value)
            try values.add("notes", notes)
            // The day it was spotted: one ahead would sort it as new for months.
            let spotted = try parsePastDay(date, option: "--date", what: "an opportunity") ?? Today.local
            values.add("opened_on", value: .text(spotted.description))
            // A deal recorded once it was won: without its close day, it was counted as closed on the day spotted.
            // (The stage as read: "Closed Won" is won.)
            if closedOn != nil, values.values.last(where: { $0.0 == "stage" }).flatMap({ Stage(rawValue: $0.1.display) })?.isOpen ?? false {
                throw ValidationError("--closed-on is for an opportunity added won or lost (--stage won or --stage lost); nothing was added")
            }
            if let closed = try parsePastDay(closedOn, option: "--closed-on", what: "an opportunity's close") {
                guard closed >= spotted else {
                    throw ValidationError("--closed-on \(closed) is before the day it was spotted (\(date == nil ? "today" : "--date"), \(spotted)); nothing was added")
                }
                values.add("closed_on", value: .text(closed.description))
            }
            if let begun = try parsePastDay(testingSince, option: "--testing-since", what: "a test") {
                guard begun >= spotted else {
                    throw ValidationError("--testing-since \(begun) is before the day it was spotted (\(date == nil ? "today" : "--date"), \(spotted)); nothing was added: " +
                                          "if it was spotted earlier, give that day too (--date \(begun) or before)")
                }
                values.add("testing_since", value: .text(begun.description))
            }
            let checked = try OpportunityKind.check(values.values, of: nil, today: closedOn == nil ? spotted : Today.local).filter { $0.1 != .null }
            try values.require(["kind", "stage"], noun: "opportunity")
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            try Lookup.warnIfArchived(record, replica)
            let id = try replica.change { tx in try tx.create("opportunity", values: checked + [("account", .text(record.id))]) }
            // One added closed says the day it stands closed on (the day it was spotted, unless --closed-on gave one).
            let closedThen = checked.first { $0.0 == "closed_on" }?.1.day.map { day in ", \(checked.first { $0.0 == "stage" }?.1.display ?? "closed") on \(day)" } ?? ""
            try RecordList.added(replica, "opportunity", id: id, json: output.json, Format.sentence("Added opportunity \(short(id)) to \(record["name"].display)\(closedThen)"))
            // Two of one title are counted twice in the pipeline: said, as for stakeholders and KPIs.
            try warnIfNameTaken(replica, entity: "opportunity", noun: "opportunity", name: title, nameField: "title", account: record, added: id)
        }
    }

    /// The guides' "tests running": growth health counts a test under way with the customer beside the stage.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Record that a test of an opportunity has begun with the customer (a pilot, an A/B test of content), or --end it.",
            discussion: "A test running counts in growth health while the opportunity is open; winning or losing it ends the test.")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The opportunity's id prefix or title.") var opportunity: String
        @Option(parsing: .unconditional, help: "The day the test began (YYYY-MM-DD, today, -3d; default today).") var date: String?
        @Flag(help: "The test is over (its result goes in the stage: won, lost, or the next open one).") var end = false
        @Option(help: "The account, when the title alone is ambiguous.") var account: String?

        func validate() throws {
            if end, date != nil { throw ValidationError("give --date (the day the test began) or --end, not both") }
        }

        func run() throws {
            let replica = try replica.open()
            let record = try OpportunityKind.find(replica, opportunity, account: account)
            let title = record["title"].display
            if end {
                guard let since = record["testing_since"].day else { return print(Format.sentence("No test is running on \(title); nothing was changed")) }
                try replica.change { tx in _ = try tx.set("opportunity", row: record.id, "testing_since", to: .null) }
                return print(Format.sentence("Ended the test of \(title), running since \(since)"))
            }
            let day = try parsePastDay(date, option: "--date", what: "a test") ?? Today.local
            // (A won or lost one is refused by the check, its test or none.)
            if let since = record["testing_since"].day, record["stage"].textValue.flatMap(Stage.init(rawValue:))?.isOpen ?? true, date == nil || since == day {
                return print(Format.sentence("A test of \(title) is running since \(since) already (`--date` corrects the day)"))
            }
            let values = try OpportunityKind.check([("testing_since", .text(day.description))], of: record, today: Today.local)
            try replica.change { tx in for (field, value) in values { _ = try tx.set("opportunity", row: record.id, field, to: value) } }
            print(Format.sentence("A test of \(title) is running since \(day)"))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List opportunities, of one account or all.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account (default: every account not archived).") var account: String?

        func run() throws {
            let rows = try RecordList.rows(try replica.open(), entity: "opportunity", account: account, orderBy: "title")
            if output.json { return try RecordList.json(rows, entity: "opportunity").print() }
            if rows.isEmpty { return print("No opportunities yet: `rapport opportunity add ACCOUNT TITLE --kind bundle --value 50k`.") }
            print(Format.table(["ID", "ACCOUNT", "KIND", "STAGE", "VALUE", "TITLE"], rows.map { a, o in
                [short(o.id), a?["name"].display ?? "?", o["kind"].display, PipelineCommand.stage(AccountData.opportunity(o)), o["value"].double.map(Figures.money) ?? "-", o["title"].display]
            }))
        }
    }
}

/// `rapport pipeline`: opportunities across accounts by stage.
struct PipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "The expansion pipeline across accounts: counts and values by stage, weighted by stage.",
        discussion: "Weighted value counts idea at 10%, qualified 30%, proposal 60% of the estimated value. The table below the totals lists the open opportunities; --json's `opportunities` gives every one, won and lost too, with its stage (`rapport opportunity list` shows them).")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "One account: its name (or the start of it) or the start of its id (default: every account not archived).") var account: String?
    @Option(help: "Accounts of this owner only.") var owner: String?

    /// Its stage, and a test running with the customer beside an open one's ("proposal, testing since 2026-11-20").
    static func stage(_ o: Opportunity, on day: Day = Today.local) -> String {
        o.testRunning(on: day) ? "\(o.stage.rawValue), testing since \(o.testingSince!)" : o.stage.rawValue
    }

    /// How many open opportunities have a test running with the customer today.
    func tests(_ opportunities: [Opportunity]) -> Int { opportunities.filter { $0.testRunning(on: Today.local) }.count }

    func validate() throws {
        if let owner, owner.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--owner needs a user name, e.g. --owner bob") }
        if account != nil, owner != nil { throw ValidationError("give an account or --owner, not both: an account's pipeline is the same whoever owns it") }
        if let account, account.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("the account is empty: give its name, or leave it out for every account's pipeline") }
    }

    func run() throws {
        let replica = try replica.open()
        let one = try account.map { try Lookup.account(replica, $0) }
        // A copy merged into another, its opportunities moved there (not one of two merged into each other offline).
        let mergedInto = try one.flatMap { one in
            try Sync.mergedInto(replica, one, followingMerges: true).flatMap { $0.deleted || $0.id == one.id || $0["archived"] == .bool(true) ? nil : $0 }
        }
        let accounts = try one.map { [$0] } ?? owner.map { try replica.activeAccounts(ownedBy: $0) } ?? replica.activeAccounts()
        let data = try AccountData.loadAll(replica, accounts: accounts)
        let all = data.flatMap(\.opportunityValues)
        let total = PipelineSummary(all)
        let names = Dictionary(uniqueKeysWithValues: data.map { ($0.id, $0.name) })
        // Sums and weights of amounts, to the cent: 1487991.3399999999 was the binary sum of amounts with cents.
        func money(_ amount: Double) -> JSON { .number((amount * 100).rounded() / 100) }
        if output.json {
            return try JSON.object([
                // One account's: which, even when it has no opportunity (its `accounts` is then empty).
                "account": one.map {
                    .object(["id": .string($0.id), "name": JSON($0["name"]), "archived": .bool($0["archived"] == .bool(true)),
                             "merged_into": mergedInto.map { .object(["id": .string($0.id), "name": JSON($0["name"])]) } ?? .null])
                } ?? .null,
                "stages": .array(Stage.allCases.map { s in
                    .object(["stage": .string(s.rawValue), "count": .int(Int64(total.count[s] ?? 0)), "value": money(total.value[s] ?? 0),
                             "weighted_value": s.isOpen ? money((total.value[s] ?? 0) * s.probability) : .null])
                }),
                "open_count": .int(Int64(total.openCount)), "open_value": money(total.openValue), "open_without_value": .int(Int64(total.openUnvalued)),
                "weighted_value": money(total.weightedValue), "won_value": money(total.wonValue),
                "won_without_value": .int(Int64(total.wonUnvalued)), "tests_running": .int(Int64(tests(all))),
                "accounts": .array(data.compactMap { d in
                    let s = PipelineSummary(d.opportunityValues)
                    guard !d.opportunities.isEmpty else { return nil }
                    return .object(["account": .string(d.id), "name": .string(d.name), "open_count": .int(Int64(s.openCount)), "open_without_value": .int(Int64(s.openUnvalued)),
                                    "open_value": money(s.openValue), "weighted_value": money(s.weightedValue), "won_value": money(s.wonValue),
                                    "won_without_value": .int(Int64(s.wonUnvalued)), "tests_running": .int(Int64(tests(d.opportunityValues)))])
                }),
                "opportunities": .array(data.flatMap { d in d.opportunities.map { o in
                    guard case .object(var j) = JSON(o, entity: Schema.spec("opportunity")) else { return JSON.null }
                    j["account_name"] = .string(d.name)
                    return .object(j)
                } }),
            ]).print()
        }
        if let one {
            // Which account, and where it stands: the table names it only beside open opportunities.
            if let into = mergedInto {
                return print("\(one["name"].display) was merged into \(into["name"].display), with its opportunities: `rapport pipeline \(Shell.quote(into["name"].display))`.")
            }
            if !all.isEmpty { print("\(one["name"].display)\(one["archived"] == .bool(true) ? " (archived)" : ""):") }
        }
        if all.isEmpty {
            if let one {
                return print("\(one["name"].display) has no opportunities: `rapport opportunity add \(Shell.quote(one["name"].display)) TITLE --kind new-market --value 80k`.")
            }
            if let owner, accounts.isEmpty {
                // A name mistyped is said, with the owners there are, as `due --owner` says it.
                if let notice = try noOwnerNotice(owner, replica: replica) { warn("note: \(notice)") }
                return print("No accounts owned by \(owner): `rapport pipeline` without --owner looks at every account.")
            }
            return print("The pipeline is empty: `rapport opportunity add ACCOUNT TITLE --kind new-market --value 80k`.")
        }
        print(Format.table(["STAGE", "COUNT", "VALUE", "WEIGHTED"], Stage.allCases.map { s in
            [s.rawValue, String(total.count[s] ?? 0), Figures.money(total.value[s] ?? 0), s.isOpen ? Figures.money((total.value[s] ?? 0) * s.probability) : ""]
        }))
        let testing = tests(all) == 0 ? "" : " (\(tests(all)) with a test running)"
        print("\nopen: \(total.openCount)\(testing) worth \(Figures.money(total.openValue))\(Figures.unvalued(total.openUnvalued)), weighted \(Figures.money(total.weightedValue)); won: \(Figures.money(total.wonValue))\(Figures.unvalued(total.wonUnvalued))\n")
        // Largest first; of one value, a valued one before one without, then by title A to Z (they read Z to A).
        let open = all.filter(\.stage.isOpen).sorted { a, b in
            if a.value != b.value { return a.value > b.value }
            if a.valued != b.valued { return a.valued }
            return (Replica.sortKey(a.title), a.id) < (Replica.sortKey(b.title), b.id)
        }
        // Won and lost only: no table of none.
        if open.isEmpty { return print("No opportunity is open: `rapport opportunity list\(one.map { " " + Shell.quote($0["name"].display) } ?? "")` shows the won and lost ones.") }
        print(Format.table(["ID", "ACCOUNT", "STAGE", "VALUE", "TITLE"], open.map { o in
            [short(o.id), names[o.accountID] ?? "?", Self.stage(o), o.valued ? Figures.money(o.value) : "-", o.title]
        }))
    }
}

/// `rapport flag`: risks spotted early (stockouts, policy, review dips, competitors).
struct FlagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flag",
        abstract: "Risk flags per account: stockouts, policy risks, review dips, competitor moves.",
        subcommands: [Add.self, List.self, ShowRecord<FlagKind>.self, SetFields<FlagKind>.self, EditNotes<FlagKind>.self, RemoveRecord<FlagKind>.self, RestoreRecord<FlagKind>.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Raise a risk flag on an account.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
        @Argument(help: "What is at risk.") var title: String
        @Option(help: "stockout, policy, reviews, competitor or other") var kind = "other"
        @Option(help: "open, watching or closed") var status = "open"
        @Option(help: "Notes.") var notes: String?
        @Option(parsing: .unconditional, help: "The day it was raised (YYYY-MM-DD, today, +7, -3d; default today).") var date: String?
        @Option(name: .customLong("closed-on"), parsing: .unconditional, help: "For a flag recorded once it was closed (--status closed): the day it closed (default the day it was raised).")
        var closedOn: String?

        func run() throws {
            guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the risk flag's title cannot be empty") }
            var values = ValueList("risk_flag")
            try values.add("title", title)
            try values.add("kind", kind)
            try values.add("status", status)
            try values.add("notes", notes)
            let raised = try parsePastDay(date, option: "--date", what: "a risk flag") ?? Today.local
            values.add("raised_on", value: .text(raised.description))
            // (The status as read: "resolved" is closed.)
            if closedOn != nil, values.values.last(where: { $0.0 == "status" })?.1.textValue != "closed" {
                throw ValidationError("--closed-on is for a flag recorded closed (--status closed); nothing was added")
            }
            if let closed = try parsePastDay(closedOn, option: "--closed-on", what: "a risk flag's close") {
                guard closed >= raised else {
                    throw ValidationError("--closed-on \(closed) is before the day it was raised (\(date == nil ? "today" : "--date"), \(raised)); nothing was added")
                }
                values.add("closed_on", value: .text(closed.description))
            }
            try values.require(["kind", "status"], noun: "risk flag")
            // Recorded closed without its close day: closed the day it was raised, as far as anyone can say (as
            // an opportunity added won is); the views of the days between counted it open.
            let checked = try FlagKind.check(values.values, of: nil, today: closedOn == nil ? raised : Today.local).filter { $0.1 != .null }
            let replica = try replica.open()
            let record = try Lookup.account(replica, account)
            try Lookup.warnIfArchived(record, replica)
            let id = try replica.change { tx in try tx.create("risk_flag", values: checked + [("account", .text(record.id))]) }
            // (One recorded closed, after the fact, was "Raised".)
            let closedThen = checked.first { $0.0 == "closed_on" }?.1.day
            // As stored: "review dip" is a reviews flag.
            let kind = checked.first { $0.0 == "kind" }?.1.display ?? kind
            try RecordList.added(replica, "risk_flag", id: id, json: output.json,
                                 Format.sentence(closedThen.map { "Recorded \(kind) flag \(short(id)) on \(record["name"].display), closed on \($0)" } ?? "Raised \(kind) flag \(short(id)) on \(record["name"].display)"))
            try warnIfNameTaken(replica, entity: "risk_flag", noun: "risk flag", name: title, nameField: "title", account: record, added: id)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List risk flags that are not closed (all with --all).")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The account (default: every account not archived).") var account: String?
        @Flag(help: "Include closed flags.") var all = false

        func run() throws {
            let rows = try RecordList.rows(try replica.open(), entity: "risk_flag", account: account, orderBy: "raised_on")
                .filter { all || $0.record["status"].textValue != "closed" }
            if output.json { return try RecordList.json(rows, entity: "risk_flag").print() }
            if rows.isEmpty { return print("No risk flags\(all ? "" : " open").") }
            print(Format.table(["ID", "RAISED", "ACCOUNT", "KIND", "STATUS", "TITLE"], rows.map { a, f in
                let closed = f["closed_on"].day.map { " \($0)" } ?? ""
                return [short(f.id), f["raised_on"].display, a?["name"].display ?? "?", f["kind"].display, f["status"].display + (f["status"].textValue == "closed" ? closed : ""), f["title"].display]
            }))
        }
    }
}
