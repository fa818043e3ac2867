import ArgumentParser
import RapportKAM
import RapportReplica
import RapportReport
import RapportSync

enum GoalKind: RecordKind {
    static let entity = "goal", noun = "goal", nameField = "outcome", listCommand = "rapport plan show ACCOUNT", command = "rapport plan goal"
    static let required = ["outcome", "status"]

    static func notice(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws -> String? {
        let given = { (field: String) in values.first { $0.0 == field }?.1 }
        // A day given, or a goal reopened whose day is long past.
        let reopened = given("status") == .text("open")
        guard let due = (given("due") ?? (reopened ? record["due"] : nil))?.day,
              (given("status") ?? record["status"]).textValue ?? "open" == "open" else { return nil }
        return pastNotice(due, id: record.id)
    }

    static func pastNotice(_ due: Day, id: String) -> String? {
        longPastDueNotice(due, "the goal", "so `rapport due` asks at once whether it was reached", fix: "rapport plan goal set \(short(id)) due=YYYY-MM-DD")
    }
}

enum KPIKind: RecordKind {
    static let entity = "kpi", noun = "KPI", nameField = "name", listCommand = "rapport plan show ACCOUNT", command = "rapport plan kpi"
    static let required = ["name", "direction", "cadence"]

    /// Figures with the KPI's unit, and its latest reading where one supersedes the value given at `add`.
    static func shown(_ record: Record, replica: Replica) throws -> [String: String] {
        let unit = record["unit"].display
        let figures = ["target", "current", "baseline"].compactMap { f in record[f].double.map { (f, $0) } }
        var shown = Dictionary(uniqueKeysWithValues: figures.map { f, v in (f, Figures.amount(v, unit: unit, alike: figures.map(\.1))) })
        if let latest = try latestReading(record, replica), let value = latest["value"].double {
            shown["current"] = "\(Figures.amount(value, unit: unit, alike: figures.map(\.1))) (read on \(latest["date"].display))"
        }
        // Its trend over time, in the terminal too (only `--json`, an export or the HTML report's chart gave the
        // readings; QA): the last six, oldest first.
        let readings = try replica.records("kpi_reading", where: ("kpi", .text(record.id))).compactMap { r in r["value"].double.map { (day: r["date"].display, value: $0) } }
            .sorted { $0.day < $1.day }
        if !readings.isEmpty {
            let last = readings.suffix(6).map { "\($0.day) \(Figures.amount($0.value, unit: unit, alike: readings.map(\.value)))" }
            shown["readings"] = last.joined(separator: ", ") + (readings.count > 6 ? " (\(readings.count) in all: `rapport export readings - --account \(Shell.quote(try Lookup.accountName(replica, record["account"].display)))` gives every one)" : "")
        }
        return shown
    }

    /// The KPI's value now, as `plan show --json` gives it (`value`: its latest reading, else `current`), and the
    /// day it was read.
    static func shownJSON(_ record: Record, replica: Replica) throws -> [String: JSON] {
        let latest = try latestReading(record, replica)
        return ["value": JSON(latest?["value"] ?? record["current"]), "read_on": latest.map { JSON($0["date"]) } ?? .null]
    }

    static func latestReading(_ record: Record, _ replica: Replica) throws -> Record? {
        try replica.records("kpi_reading", where: ("kpi", .text(record.id))).filter { $0["value"] != .null }.max { $0["date"].display < $1["date"].display }
    }

    /// `unit=none` is no unit, as `add --unit none` takes it.
    static func check(_ values: [(String, FieldValue)], of record: Record?, today: Day) throws -> [(String, FieldValue)] {
        values.map { field, value in field == "unit" && unitGiven(value.textValue) == "" ? (field, .null) : (field, value) }
    }

    /// How a figure typed in another unit than the KPI's was taken ("5%" on a KPI counted in EUR: 5 EUR; "€3" on a
    /// rate: 3%), or nil when it was typed in the KPI's own. Taken as a number in the KPI's unit, it moved the KPI's
    /// progress without a word.
    static func otherUnit(_ typed: String, value: Double?, of kpi: Record) -> String? {
        let t = typed.trimmingCharacters(in: .whitespaces)
        let unit = kpi["unit"].display, rate = AccountData.kpi(kpi).isRate
        let money = FieldSpec.withoutCurrency(t).currency
        if t.hasSuffix("%"), !rate {
            return unit.isEmpty ? "'\(typed)' was taken as \(Figures.amount(value, unit: "")): the KPI has no unit (`rapport plan kpi set \(short(kpi.id)) unit=%` if it is a rate)"
                : "'\(typed)' was taken as \(Figures.amount(value, unit: unit)), in the KPI's unit"
        }
        if money, rate { return "'\(typed)' was taken as \(Figures.amount(value, unit: unit)), in the KPI's unit" }
        // An amount in another currency than the KPI's ("€5" on a KPI in USD), or on a KPI counted in things
        // ("€5" on orders): the figure is the KPI's unit's, the currency is not converted.
        if let currency = FieldSpec.currencyTyped(t), !rate, !FieldSpec.unit(unit, isCurrency: currency) {
            let code = currency == "$" || currency == "¥" ? "USD" : currency
            if unit.isEmpty { return "'\(typed)' was taken as \(Figures.amount(value, unit: "")): the KPI has no unit (`rapport plan kpi set \(short(kpi.id)) unit=\(code)` if it is counted in money)" }
            // Of another currency, or money for a KPI counted in things ("$200" of orders).
            return countedInMoney(unit) ? "'\(typed)' was taken as \(Figures.amount(value, unit: unit)), in the KPI's unit: no currency is converted"
                : "'\(typed)' was taken as \(Figures.amount(value, unit: unit)): an amount of money, for a KPI counted in \(unit)"
        }
        return nil
    }

    /// `plan kpi set target=5%` on a KPI counted in EUR, as `add` and `reading` say it: each figure so typed.
    static func typedNotices(_ typed: [(field: String, text: String)], of changed: Record) -> [String] {
        typed.filter { ["target", "current", "baseline"].contains($0.field) }.compactMap { field, text in
            otherUnit(text, value: changed[field].double, of: changed).map { "\(field) \($0); if that is a slip, `rapport plan kpi set \(short(changed.id)) \(field)=VALUE` corrects it" }
        }
    }

    /// A figure typed with the KPI's own unit after it ("9 days", "12 orders", "1 day" of days), as the figure: the
    /// schema's number refused it while "9%" passed (with a note). Not a unit the number's own parsing reads (a
    /// currency, %, or a single letter such as k).
    static func withoutOwnUnit(_ text: String, unit: String) -> String {
        let u = unit.trimmingCharacters(in: .whitespaces).lowercased(), t = text.trimmingCharacters(in: .whitespaces)
        // (A unit of one letter the figure's own parsing reads, k, m or b, is that: "5m" is five million.)
        guard u.count >= 2 || (u.count == 1 && !"kmb".contains(u)), !FieldSpec.currencyCodes.contains(u.uppercased()), u.contains(where: \.isLetter) else { return text }
        // "1 day" of days, "1 pt" of pts; not "m" of "ms", which is the figure's own million ("5m").
        let singular = u.hasSuffix("s") && u.count >= 3 ? [String(u.dropLast())] : []
        // "9d" of days and "9 days" of d, as dates are typed (-3d); longest first, so that "9days" loses "days".
        let spellings = (timeUnits.first { $0.contains(u) } ?? []).sorted { $0.count > $1.count }
        for spelled in [u] + singular + spellings where t.lowercased().hasSuffix(spelled) {
            let figure = t.dropLast(spelled.count)
            // "9 days", "9days": what stays is the figure (a letter before it is a word: "holidays" on a unit "days").
            guard let last = figure.last, !last.isLetter else { continue }
            return figure.trimmingCharacters(in: .whitespaces)
        }
        return text
    }

    /// A figure refused that ends in a word ("4h" of a KPI in days): the KPI's unit said, which "expected a number"
    /// left to guess.
    static func refusedFigure(_ error: any Error, typed: String?, unit: String) -> any Error {
        guard let typed, typed.trimmingCharacters(in: .whitespaces).last?.isLetter == true, !unit.isEmpty else { return error }
        let message = (error as? ValidationError)?.message ?? "\(error)"
        return ValidationError(message + "; the KPI is counted in \(unit): give the figure in \(unit) (no unit is converted)")
    }

    /// Spellings of one unit of time, any of which a figure of a KPI counted in another of them may end in.
    static let timeUnits: [Swift.Set<String>] = [
        ["days", "day", "d"], ["hours", "hour", "hrs", "hr", "h"], ["weeks", "week", "wks", "wk", "w"], ["months", "month", "mo"],
        ["minutes", "minute", "mins", "min"], ["seconds", "second", "secs", "sec", "s"],
    ]

    /// A figure of a KPI counted in money is an amount: "1.500" of a KPI in EUR is fifteen hundred where a dot
    /// groups thousands, and is refused with both readings, as a revenue is (a target, a value or a reading was
    /// taken as 1.5). A figure with its own currency or a % is the figure's parsing's to judge.
    /// A unit that is a currency: a code (EUR) or a sign.
    static func countedInMoney(_ unit: String) -> Bool {
        let unit = unit.trimmingCharacters(in: .whitespaces)
        return FieldSpec.currencyCodes.contains(unit.uppercased()) || ["€", "$", "£", "¥"].contains(unit)
    }

    static func refuseAmbiguousAmount(_ typed: String?, unit: String, field: String) throws {
        let unit = unit.trimmingCharacters(in: .whitespaces)
        guard let typed, countedInMoney(unit) else { return }
        let figure = withoutOwnUnit(typed, unit: unit)
        guard FieldSpec.currencyTyped(figure) == nil, !figure.contains("%") else { return }
        do { _ = try Schema.spec("kpi").field("target")!.parse("\(unit.uppercased()) \(figure)") } catch let SchemaError.invalidValue(_, _, expected) {
            // Said of what was typed, not of the figure with its unit put before it.
            throw ValidationError("\(SchemaError.invalidValue(field: field, value: typed, expected: expected))")
        } catch {}
    }

    static func refuseTyped(_ assignments: [String], of record: Record) throws {
        for assignment in assignments {
            guard let eq = assignment.firstIndex(of: "="), ["target", "current", "baseline"].contains(assignment[..<eq].trimmingCharacters(in: .whitespaces)) else { continue }
            let unit = assignments.last { $0.split(separator: "=", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces) == "unit" }
                .map { String($0.drop { $0 != "=" }.dropFirst()) } ?? record["unit"].display
            try refuseAmbiguousAmount(String(assignment[assignment.index(after: eq)...]), unit: unit, field: assignment[..<eq].trimmingCharacters(in: .whitespaces))
        }
    }

    /// `set`'s `target=9 days` as `withoutOwnUnit` reads it, against the unit the same command gives, if it does.
    static func untyped(_ assignment: String, of record: Record, among all: [String]) -> String {
        guard let eq = assignment.firstIndex(of: "="), ["target", "current", "baseline"].contains(assignment[..<eq].trimmingCharacters(in: .whitespaces)) else { return assignment }
        let unit = all.last { $0.split(separator: "=", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces) == "unit" }
            .map { String($0.drop { $0 != "=" }.dropFirst()) } ?? record["unit"].display
        return String(assignment[...eq]) + withoutOwnUnit(String(assignment[assignment.index(after: eq)...]), unit: unit)
    }

    /// A unit given as none ("none", "-", "n/a"): no unit, as left out. Stored, "none" was shown after every figure
    /// and called a currency.
    static func unitGiven(_ unit: String?) -> String? {
        guard let unit else { return nil }
        return ["none", "-", "n/a", "na"].contains(unit.trimmingCharacters(in: .whitespaces).lowercased()) ? "" : unit
    }

    /// `current` is the value before any reading: once there are readings, the latest is the one shown.
    static func notice(_ values: [(String, FieldValue)], of record: Record, replica: Replica) throws -> String? {
        // Cleared, a target takes the KPI out of the performance score without a word (found by QA).
        let noTarget = values.contains { $0.0 == "target" && $0.1 == .null }
            ? "\(record["name"].display) has no target now, so it counts in no performance score until it has one: `rapport plan kpi set \(short(record.id)) target=N`" : nil
        let baseline = try noTarget ?? (values.contains { $0.0 == "baseline" || $0.0 == "target" || $0.0 == "direction" }
            ? try replica.record("kpi", id: record.id).flatMap { metByAnyNote($0) ?? heldBaselineNote($0) ?? countedNote($0) } : nil)
        guard values.contains(where: { $0.0 == "current" }),
              let latest = try latestReading(record, replica)?["date"].day
        else { return baseline }
        return "the KPI has readings, and the latest (\(latest)) is its value now; current counts only before the first: record today's value with `rapport plan reading \(short(record.id)) VALUE`" +
            (baseline.map { "\nnote: " + $0 } ?? "")
    }

    /// A baseline at or past the target makes the KPI a level to hold, measured as value against target: said,
    /// since "from B" then shows nowhere but in `--json`.
    static func heldBaselineNote(_ r: Record) -> String? {
        let kpi = AccountData.kpi(r)
        guard let baseline = kpi.baseline, let target = kpi.target, kpi.progressBaseline == nil else { return nil }
        return "the baseline of \(kpi.name), \(Figures.amount(baseline, unit: kpi.unit)), is already at or past its target \(Figures.amount(target, unit: kpi.unit)) " +
            "(\(kpi.direction == .up ? "higher" : "lower") is better), so it is a level to hold: its progress is the value against the target"
    }

    /// A target of 0 (or below) to rise to, with nothing to count from, is met by every value from it up: "aov
    /// ≥ 0 EUR" at 100% lifted the account's performance. A level to hold may be so ("net margin ≥ 0"): said.
    static func metByAnyNote(_ r: Record) -> String? {
        let kpi = AccountData.kpi(r)
        guard let target = kpi.target, kpi.direction == .up, target <= 0, kpi.progressBaseline == nil else { return nil }
        return "\(kpi.name)'s target is \(Figures.amount(target, unit: kpi.unit)) to rise to, so every value from \(Figures.amount(target, unit: kpi.unit)) up meets it (100%): " +
            "if it is a level to reach, give that with `rapport plan kpi set \(short(r.id)) target=VALUE` (or a baseline to count from, baseline=VALUE)"
    }

    /// Where progress is now counted from and to, once a change gives it a baseline on the far side of the target.
    static func countedNote(_ r: Record) -> String? {
        span(r).map { "the progress of \(r["name"].display) is counted from \(Figures.amount($0.from, unit: $0.unit, alike: [$0.target])) to \(Figures.amount($0.target, unit: $0.unit, alike: [$0.from]))" }
    }

    /// The baseline progress is counted from and the target it runs to, when it has such a baseline.
    static func span(_ r: Record) -> (from: Double, target: Double, unit: String)? {
        let kpi = AccountData.kpi(r)
        guard let target = kpi.target, let from = kpi.progressBaseline else { return nil }
        return (from, target, kpi.unit)
    }
}

enum RoleKind: RecordKind {
    static let entity = "plan_role", noun = "plan role", nameField = "person", listCommand = "rapport plan show ACCOUNT", command = "rapport plan role"
    static let required = ["person", "side"]
}

enum RiskKind: RecordKind {
    static let entity = "plan_risk", noun = "risk or dependency", nameField = "title", listCommand = "rapport plan show ACCOUNT", command = "rapport plan risk"
    static let required = ["title", "kind", "status"]
}

/// `rapport plan`: the success plan both sides agree on.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "The success plan: goals, KPIs and their readings, roles on both sides, risks and dependencies.",
        subcommands: [Show.self, Goal.self, KPICommand.self, Reading.self, Role.self, Risk.self],
        defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an account's success plan with KPI progress and trend.")
        @OptionGroup var replica: ReplicaOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var asOf: AsOfOptions
        @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String

        func run() throws {
            let today = try asOf.today()
            let replica = try replica.open()
            // Goals have their statuses of then, and a KPI added later is not in the plan of then (`asRecorded`).
            let data = try AccountData.load(replica, account: try Lookup.account(replica, account)).asRecorded(by: today, replica)
            if output.json { return try json(data, today: today).print() }
            print("Success plan: \(data.name)\(data.archivedMark)")
            print("\nGoals")
            if data.goals.isEmpty { print("  none: `rapport plan goal add \(Shell.quote(data.name)) \"raise conversion 15%\" --due 2026-12-31`") }
            for g in data.goals {
                print("  \(short(g.id))  \(g["outcome"].display)  [\(g["status"].textValue ?? "open")]\(g["due"].day.map { "  due \($0)" } ?? "")")
                if !g["notes"].display.isEmpty { print("            \(Format.oneLine(g["notes"].display, max: 90))") }
                // A goal is an outcome its KPIs measure ("raise conversion 15%", not "optimise listings"): each
                // with where it stands, or the way to give it one.
                let measures = data.kpis.filter { $0["goal"].textValue == g.id }.map { r -> String in
                    let kpi = data.kpi(r), p = kpi.progress(asOf: today)
                    return "\(kpi.name) \(p.attainmentPercent.map { "\($0) \(kpi.progressNoun)" } ?? (p.value == nil ? "(no reading yet)" : Figures.amount(p.value, unit: kpi.unit)))"
                }
                if !measures.isEmpty {
                    print("            measured by \(measures.joined(separator: ", "))")
                } else if (g["status"].textValue ?? "open") == "open" {
                    print("            no KPI measures it: `rapport plan kpi add \(Shell.quote(data.name)) NAME --target T --goal \(short(g.id))`")
                }
            }
            print("\nKPIs")
            if data.kpis.isEmpty { print("  none: `rapport plan kpi add \(Shell.quote(data.name)) conversion --unit % --target 15 --direction up --cadence monthly`") }
            let rows = data.kpis.map { r -> [String] in
                let kpi = data.kpi(r)
                let p = kpi.progress(asOf: today)
                // The baseline progress is counted from, beside the target it runs to.
                let row = [kpi.target, kpi.progressBaseline, p.value]
                let from = kpi.progressBaseline.map { " from \(Figures.amount($0, unit: kpi.unit, alike: row))" } ?? ""
                return [short(r.id), kpi.name, kpi.target.map { "\(kpi.direction == .up ? "≥" : "≤") \(Figures.amount($0, unit: kpi.unit, alike: row))\(from)" } ?? "-",
                        Figures.amount(p.value, unit: kpi.unit, alike: row), p.attainmentPercent ?? "-",
                        p.trend.rawValue, r["cadence"].display, p.asOf?.description ?? "-"]
            }
            if !rows.isEmpty { print(indent(Format.table(["ID", "KPI", "TARGET", "NOW", "PROGRESS", "TREND", "CADENCE", "LAST READING"], rows))) }
            print("\nRoles and responsibilities")
            if data.roles.isEmpty { print("  none: `rapport plan role add \(Shell.quote(data.name)) --side ours \"Alice\" --responsibility \"weekly report\"`") }
            for r in data.roles { print("  \(short(r.id))  \(r["side"].display == "ours" ? "ours  " : "theirs")  \(r["person"].display): \(r["responsibility"].display)") }
            print("\nRisks and dependencies")
            if data.risks.isEmpty { print("  none recorded") }
            for r in data.risks {
                print("  \(short(r.id))  \(r["kind"].textValue ?? "risk"): \(r["title"].display)  [\(r["status"].textValue ?? "open")]\(r["owner"].display.isEmpty ? "" : "  owner \(r["owner"].display)")")
                if !r["notes"].display.isEmpty { print("            \(Format.oneLine(r["notes"].display, max: 90))") }
            }
        }

        func json(_ data: AccountData, today: Day) -> JSON {
            let kpis: [JSON] = data.kpis.map { r in
                let p = data.kpi(r).progress(asOf: today)
                guard case .object(var o) = JSON(r, entity: Schema.spec("kpi")) else { return .null }
                o["value"] = p.value.map(JSON.number) ?? .null
                o["attainment"] = p.attainment.map { .number(($0 * 1000).rounded() / 1000) } ?? .null
                o["on_target"] = p.onTarget.map(JSON.bool) ?? .null
                o["trend"] = .string(p.trend.rawValue)
                // The readings the value and trend are computed from: none after the as-of day.
                o["readings"] = .array((data.readings[r.id] ?? []).filter { ($0["date"].day ?? today) <= today }.map {
                    .object(["date": JSON($0["date"]), "value": JSON($0["value"])])
                })
                o["account_name"] = .string(data.name)
                return .object(o)
            }
            // Each entry with its account's name, as the add's `--json` and the lists give it.
            func entry(_ record: Record, _ entity: String, _ extra: [String: JSON] = [:]) -> JSON {
                guard case .object(var o) = JSON(record, entity: Schema.spec(entity)) else { return .null }
                o["account_name"] = .string(data.name)
                return .object(o.merging(extra) { _, new in new })
            }
            return .object([
                "account": .string(data.id), "name": .string(data.name), "archived": .bool(data.isArchived), "as_of": .string(today.description),
                // Each goal with the KPIs that measure it (their progress is in `kpis`), as the text lists them.
                "goals": .array(data.goals.map { g in
                    entry(g, "goal", ["measured_by": .array(data.kpis.filter { $0["goal"].textValue == g.id }.map { .string($0.id) })])
                }),
                "kpis": .array(kpis),
                "roles": .array(data.roles.map { entry($0, "plan_role") }),
                "risks": .array(data.risks.map { entry($0, "plan_risk") }),
            ])
        }
    }

    struct Goal: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "goal",
            abstract: "Goals as business outcomes ('raise conversion 15%', not 'optimise listings').",
            subcommands: [Add.self, ShowRecord<GoalKind>.self, SetFields<GoalKind>.self, EditNotes<GoalKind>.self, RemoveRecord<GoalKind>.self, RestoreRecord<GoalKind>.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a goal to an account's plan.")
            @OptionGroup var replica: ReplicaOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
            @Argument(help: "The business outcome.") var outcome: String
            @Option(parsing: .unconditional, help: "When it should be reached (YYYY-MM-DD, today, +7, -3d).") var due: String?
            @Option(help: "Notes.") var notes: String?

            func run() throws {
                guard !outcome.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the goal's outcome cannot be empty") }
                var values = ValueList("goal")
                try values.add("outcome", outcome)
                values.add("status", value: .text("open"))
                try values.add("due", due)
                try values.add("notes", notes)
                let replica = try replica.open()
                let record = try Lookup.account(replica, account)
                try Lookup.warnIfArchived(record, replica)
                values.add("account", value: .text(record.id))
                let id = try replica.change { tx in try tx.create("goal", values: values.values) }
                try RecordList.added(replica, "goal", id: id, json: output.json, Format.sentence("Added goal \(short(id)) to \(record["name"].display)"))
                if let day = values.values.first(where: { $0.0 == "due" })?.1.day, let note = GoalKind.pastNotice(day, id: id) { warn("note: \(note)") }
                try warnIfNameTaken(replica, entity: "goal", noun: "goal", name: outcome, nameField: "outcome", account: record, added: id)
            }
        }
    }

    struct KPICommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kpi", abstract: "KPIs with unit, target, direction and reporting cadence.",
            subcommands: [Add.self, ShowRecord<KPIKind>.self, SetFields<KPIKind>.self, EditNotes<KPIKind>.self, RemoveRecord<KPIKind>.self, RestoreRecord<KPIKind>.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a KPI to an account's plan.")
            @OptionGroup var replica: ReplicaOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
            @Argument(help: "The KPI's name, e.g. conversion.") var name: String
            @Option(help: "Its unit, e.g. %, EUR, days (none: no unit).") var unit: String?
            // Unconditional, so that a negative figure (`--target -5`) is read as the value, not as an option.
            @Option(parsing: .unconditional, help: "The target value.") var target: String?
            @Option(parsing: .unconditional, help: "The value now (the readings supersede it).") var current: String?
            @Option(parsing: .unconditional, help: ArgumentHelp(
                "Where it started: progress is counted from it to the target (default: --current).",
                discussion: "A conversion raised from 10 toward 11.5 is 60% of the way at 10.9, where 10.9 ÷ 11.5 would say 95%. Without a baseline, or with one already at or past the target (a level to hold), progress is the value ÷ the target (the target ÷ the value for a KPI whose lower is better).")) var baseline: String?
            @Option(help: "up (higher is better) or down (lower is better)") var direction = "up"
            @Option(help: "weekly or monthly reporting") var cadence = "monthly"
            @Option(help: "The goal it measures (id prefix or outcome).") var goal: String?

            func run() throws {
                guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("the KPI's name cannot be empty") }
                var values = ValueList("kpi")
                try values.add("name", name)
                // "--target 15%" without --unit: a rate, whose unit the figures then show ("≥ 15 from 10" read as a count).
                let percent = [("--target", target), ("--current", current), ("--baseline", baseline)].first { $0.1?.trimmingCharacters(in: .whitespaces).hasSuffix("%") == true }
                let unit = KPIKind.unitGiven(unit) ?? percent.map { _ in "%" }
                try values.add("unit", unit)
                // "--target '9 days'" of a KPI in days: the figure.
                let figure = { (typed: String?) in typed.map { KPIKind.withoutOwnUnit($0, unit: unit ?? "") } }
                for (field, typed) in [("target", target), ("current", current), ("baseline", baseline ?? current)] {
                    try KPIKind.refuseAmbiguousAmount(typed, unit: unit ?? "", field: field)
                    // (The value it has when added is where it starts, unless said otherwise.)
                    do { try values.add(field, figure(typed)) } catch { throw KPIKind.refusedFigure(error, typed: typed, unit: unit ?? "") }
                }
                try values.add("direction", direction)
                try values.add("cadence", cadence)
                try values.require(["direction", "cadence"], noun: "KPI")
                let replica = try replica.open()
                let record = try Lookup.account(replica, account)
                values.add("account", value: .text(record.id))
                if let goal {
                    values.add("goal", value: .text(try GoalKind.find(replica, goal, within: record).id))
                }
                try Lookup.warnIfArchived(record, replica)
                let id = try replica.change { tx in try tx.create("kpi", values: values.values) }
                try RecordList.added(replica, "kpi", id: id, json: output.json, "Added KPI \(name) (\(short(id))) to \(record["name"].display): record readings with `rapport plan reading \(short(id)) VALUE`.")
                if let r = try replica.record("kpi", id: id) {
                    if let (option, typed) = percent, self.unit == nil, let typed = typed?.trimmingCharacters(in: .whitespaces) {
                        warn("note: its unit is % (\(option) \(typed)); if it is counted in another, set it, e.g. `rapport plan kpi set \(short(id)) unit=pts`")
                    } else {
                        // Each figure typed in another unit than the KPI's ("5%" on one in EUR, "€50k" on a rate or in USD).
                        for (option, typed) in [("--target", target), ("--current", current), ("--baseline", baseline)] {
                            guard let typed, let note = KPIKind.otherUnit(typed, value: r[String(option.dropFirst(2))].double, of: r) else { continue }
                            let way = typed.trimmingCharacters(in: .whitespaces).hasSuffix("%")
                                ? (r["unit"].display.isEmpty ? "" : "; if it is a rate, `rapport plan kpi set \(short(id)) unit=%`")
                                : AccountData.kpi(r).isRate ? "; if the KPI is counted in money, `rapport plan kpi set \(short(id)) unit=EUR` (or its currency)" : ""
                            warn("note: \(option) \(note)\(way)")
                        }
                    }
                    if let note = KPIKind.metByAnyNote(r) { warn("note: \(note)") }
                    if baseline != nil, let note = KPIKind.heldBaselineNote(r) { warn("note: \(note)") }
                    if !output.json, let (from, target, unit) = KPIKind.span(r) {
                        print("Progress is counted from \(Figures.amount(from, unit: unit, alike: [target]))\(baseline == nil ? " (its value now)" : "") to \(Figures.amount(target, unit: unit, alike: [from]))\(baseline == nil ? "; give where it started with `rapport plan kpi set \(short(id)) baseline=VALUE`" : "").")
                    }
                }
                try warnIfNameTaken(replica, entity: "kpi", noun: "KPI", name: name, account: record, added: id)
            }
        }
    }

    struct Reading: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reading", abstract: "Record a KPI's value on a day (today, or --date); the same day again corrects it, --remove takes it back.")
        @OptionGroup var replica: ReplicaOptions
        @Argument(help: "The KPI's id prefix or name.") var kpi: String
        // Every word that is not an option, so that a negative value (`churn -7`) is read as the value rather
        // than as an unknown option.
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Its value, e.g. 12.5 or -3.", valueName: "value")) var values: [String] = []
        @Option(parsing: .unconditional, help: "The day of the reading (YYYY-MM-DD, today, +7, -3d).") var date: String?
        @Option(help: "The account, when the KPI's name alone is ambiguous.") var account: String?
        @Flag(help: "Remove the reading of the day (--date, or today): one recorded by mistake.") var remove = false

        /// The words given, less a `--` (which older advice put before a negative value), and the options that
        /// came after one (`reading churn -- -7 --date D`), which the parser then leaves among the words.
        func words() throws -> (values: [String], date: String?, account: String?) {
            var out: (values: [String], date: String?, account: String?) = ([], date, account)
            var rest = values.filter { $0 != "--" }[...]
            while let word = rest.popFirst() {
                let (name, inline) = word.hasPrefix("--") ? (String(word.split(separator: "=", maxSplits: 1)[0]), word.split(separator: "=", maxSplits: 1).dropFirst().first.map(String.init)) : (word, nil)
                guard ["--date", "--account"].contains(name) else {
                    if name == "--db" { throw ValidationError("give --db before a `--`: `rapport plan reading --db FILE \(kpi) -- VALUE`") }
                    if name == "--remove" { throw ValidationError("give --remove before a `--`: `rapport plan reading \(Shell.quote(kpi)) --remove --date DAY`") }
                    if word.hasPrefix("--") { throw ValidationError("unknown option '\(word)': the options are --date, --account, --remove and --db") }
                    out.values.append(word)
                    continue
                }
                guard let value = inline ?? rest.popFirst() else { throw ValidationError("\(name) needs a value") }
                if name == "--date" {
                    if out.date != nil { throw ValidationError("--date is given twice") }
                    out.date = value
                } else {
                    if out.account != nil { throw ValidationError("--account is given twice") }
                    out.account = value
                }
            }
            return out
        }

        func validate() throws {
            let (values, _, account) = try words()
            // The advice keeps the account given: the KPI's name alone was ambiguous.
            let scope = account.map { " --account \(Shell.quote($0))" } ?? ""
            if remove {
                guard values.isEmpty else { throw ValidationError("--remove takes no value: `rapport plan reading \(Shell.quote(kpi))\(scope) --remove --date DAY` removes that day's reading") }
                return
            }
            // "9 days", unquoted: the figure and the KPI's unit (`run` reads them against the KPI's).
            guard values.count == 1 || (values.count == 2 && values[1].allSatisfy(\.isLetter)) else {
                throw ValidationError(values.isEmpty ? "give the reading's value, e.g. `rapport plan reading \(Shell.quote(kpi))\(scope) 12.5`" : "give one value; '\(values.joined(separator: " "))' is \(values.count) words")
            }
        }

        func run() throws {
            let (words, date, account) = try words()
            if remove { return try removeReading(date: date, account: account) }
            let value = words.joined(separator: " ")
            // A reading is a figure measured: one dated ahead would stand as the latest and move the KPI's progress.
            let day = try parsePastDay(date, option: "--date", what: "a reading") ?? Today.local
            let replica = try replica.open()
            let record = try KPIKind.find(replica, kpi, account: account)
            let parsed: FieldValue
            try KPIKind.refuseAmbiguousAmount(value, unit: record["unit"].display, field: "value")
            do { parsed = try Schema.spec("kpi_reading").field("value")!.parse(KPIKind.withoutOwnUnit(value, unit: record["unit"].display)) } catch {
                throw KPIKind.refusedFigure(ValidationError("\(error)"), typed: value, unit: record["unit"].display)
            }
            guard parsed != .null else { throw ValidationError("give the reading's value, e.g. 12.5") }
            if let owner = try record["account"].textValue.flatMap({ try replica.record("account", id: $0) }) { try Lookup.warnIfArchived(owner, replica) }
            // Keyed by KPI and day, so two people recording the same day's figure offline keep one reading.
            let row = RowKeys.reading(kpi: record.id, date: day)
            let before = try replica.record("kpi_reading", id: row).flatMap { $0.deleted ? nil : $0["value"].double }
            try replica.change { tx in
                try tx.set("kpi_reading", row: row, "kpi", to: .text(record.id))
                try tx.set("kpi_reading", row: row, "date", to: .text(day.description))
                try tx.set("kpi_reading", row: row, "value", to: parsed)
            }
            // The same day again corrects the reading: said, with the figure it replaced.
            let unit = record["unit"].display
            let corrected = before.flatMap { $0 == parsed.double ? nil : " (corrected: it was \(Figures.amount($0, unit: unit)))" } ?? ""
            print("\(record["name"].display) on \(day): \(Figures.amount(parsed.double, unit: unit))\(corrected).")
            // "5%" on a KPI counted in EUR was taken as 5 EUR without a word, and moved its progress to nothing.
            if let note = KPIKind.otherUnit(value, value: parsed.double, of: record) {
                warn("note: \(note); if that is a slip, " +
                     "`rapport plan reading \(short(record.id)) VALUE --date \(day)` corrects it (or `--remove --date \(day)` takes it back)")
            }
        }

        /// A reading is keyed by its KPI and day, so it is taken back by clearing its value (a removal would stand
        /// for good, and the day could not be read again): a cleared reading counts nowhere.
        func removeReading(date: String?, account: String?) throws {
            let day = try parseDay(date, option: "--date") ?? Today.local
            let replica = try replica.open()
            let record = try KPIKind.find(replica, kpi, account: account)
            let row = RowKeys.reading(kpi: record.id, date: day)
            let unit = record["unit"].display
            guard let reading = try replica.record("kpi_reading", id: row), !reading.deleted, let value = reading["value"].double else {
                let days = try replica.records("kpi_reading", where: ("kpi", .text(record.id))).filter { $0["value"] != .null }.compactMap { $0["date"].day }.sorted()
                let listed = days.isEmpty ? "it has no readings" : "its readings are of \(Format.list(days.suffix(5).map(\.description), conjunction: "and"))\(days.count > 5 ? " (the last 5)" : "")"
                throw ValidationError("\(record["name"].display) has no reading on \(day): \(listed); nothing was changed")
            }
            try replica.change { tx in _ = try tx.set("kpi_reading", row: row, "value", to: .null) }
            print("Removed the reading of \(record["name"].display) on \(day) (it was \(Figures.amount(value, unit: unit))); " +
                  "`rapport plan reading \(short(record.id)) VALUE --date \(day)` records the day again.")
        }
    }

    struct Role: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "role",
            abstract: "Who owns what, on our side and theirs.",
            subcommands: [Add.self, SetFields<RoleKind>.self, RemoveRecord<RoleKind>.self, RestoreRecord<RoleKind>.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a role to an account's plan.")
            @OptionGroup var replica: ReplicaOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
            @Argument(help: "The person.") var person: String
            @Option(help: "ours or theirs.") var side: String
            @Option(help: "What they are responsible for.") var responsibility: String

            func run() throws {
                var values = ValueList("plan_role")
                try values.add("side", side)
                try values.add("person", person)
                try values.add("responsibility", responsibility)
                try values.require(["side"], noun: "plan role")
                // A role is someone's responsibility: "Added role 2258731e: , x." was a role of no one.
                for (what, typed) in [("person", person), ("responsibility", responsibility)] where typed.trimmingCharacters(in: .whitespaces).isEmpty {
                    throw ValidationError("a role needs its \(what); nothing was added: give \(what == "person" ? "who holds it, e.g. 'Raj Patel'" : "what they answer for, e.g. --responsibility 'executive sponsor'")")
                }
                let replica = try replica.open()
                let record = try Lookup.account(replica, account)
                try Lookup.warnIfArchived(record, replica)
                values.add("account", value: .text(record.id))
                let id = try replica.change { tx in try tx.create("plan_role", values: values.values) }
                try RecordList.added(replica, "plan_role", id: id, json: output.json, "Added role \(short(id)): \(person), \(responsibility).")
                // One person holds many roles, but the same role twice is a command run twice: said, as a name twice is.
                let same: (Record) -> Bool = { role in
                    role["side"] == values.values.first(where: { $0.0 == "side" })?.1 && [("person", person), ("responsibility", responsibility)].allSatisfy { AccountName.key(role[$0].display) == AccountName.key($1) }
                }
                if let twin = try replica.rows("plan_role", of: record).first(where: { $0.id != id && same($0) }) {
                    warn("note: \(record["name"].display) already had this role (\(short(twin.id))): \(twin["person"].display), \(twin["responsibility"].display) (\(twin["side"].display)); " +
                         "if it was added twice, `rapport plan role remove \(short(id))` takes this one out")
                }
            }
        }
    }

    struct Risk: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "risk",
            abstract: "Risks and dependencies (assets, approvals, inventory) with owner and status.",
            subcommands: [Add.self, ShowRecord<RiskKind>.self, SetFields<RiskKind>.self, EditNotes<RiskKind>.self, RemoveRecord<RiskKind>.self, RestoreRecord<RiskKind>.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a risk or dependency to an account's plan.")
            @OptionGroup var replica: ReplicaOptions
            @OptionGroup var output: OutputOptions
            @Argument(help: "The account: its name (or the start of it) or the start of its id.") var account: String
            @Argument(help: "What it is.") var title: String
            @Option(help: "risk or dependency") var kind = "risk"
            @Option(help: "Who owns it.") var owner: String?
            @Option(help: "open, in-progress or resolved") var status = "open"
            @Option(help: "Notes.") var notes: String?

            func run() throws {
                var values = ValueList("plan_risk")
                try values.add("title", title)
                try values.add("kind", kind)
                try values.add("owner", owner)
                try values.add("status", status)
                try values.add("notes", notes)
                try values.require(["kind", "status"], noun: "risk or dependency")
                let replica = try replica.open()
                let record = try Lookup.account(replica, account)
                try Lookup.warnIfArchived(record, replica)
                values.add("account", value: .text(record.id))
                let id = try replica.change { tx in try tx.create("plan_risk", values: values.values) }
                // The kind as stored ("Dependency" typed is a dependency).
                let stored = values.values.last { $0.0 == "kind" }?.1.display ?? kind
                try RecordList.added(replica, "plan_risk", id: id, json: output.json, Format.sentence("Added \(stored) \(short(id)) to \(record["name"].display)"))
            }
        }
    }
}

func indent(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
}
