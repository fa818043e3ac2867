import ArgumentParser
import Foundation
import RapportKAM
import RapportReplica
import RapportSync
import RapportTransfer

/// `--as-of DATE` for commands that compute from "today": what is due, what has gone cold, the scorecard.
struct AsOfOptions: ParsableArguments {
    @Option(name: .customLong("as-of"), parsing: .unconditional, help: ArgumentHelp("Compute as if today were this day (YYYY-MM-DD, today, +7, -3d).", valueName: "date"))
    var asOf: String?

    /// The day given, or today on this machine's calendar.
    func today() throws -> Day {
        try parseDay(asOf, option: "--as-of", default: Today.local)!
    }

    /// The day given, which may not be after today: a review, scorecard or portfolio "as of" a day to come
    /// showed today's figures under that day's name.
    func pastDay() throws -> Day {
        let day = try today()
        let now = Today.local
        guard day <= now else {
            throw ValidationError("--as-of \(day) is after today (\(now)): figures are known up to today; give today or an earlier day (`rapport due --as-of` looks ahead)")
        }
        return day
    }
}

enum Today {
    /// The day a view is computed for, in an error's words: "today is D", or the --as-of day that stands for it
    /// (a period after the --as-of day was said not begun "(today is 2026-10-15)" in December).
    static func said(_ day: Day) -> String { day == local ? "today is \(day)" : "--as-of \(day)" }

    /// The date on this machine's calendar and time zone: a manager's "today" is local.
    static var local: Day {
        let c = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        return Day(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// The day on this machine's calendar of a moment in Unix milliseconds (an operation's stamp).
    static func day(ms: Int64) -> Day? {
        let c = Calendar.current.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(ms) / 1000))
        return Day(year: c.year!, month: c.month!, day: c.day!)
    }

    /// Now in UTC, as iCalendar stamps it: `YYYYMMDDTHHMMSSZ`.
    static var utcStamp: String {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let c = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date())
        let day = Day(year: c.year!, month: c.month!, day: c.day!)!.description.replacingOccurrences(of: "-", with: "")
        return day + "T" + [c.hour!, c.minute!, c.second!].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined() + "Z"
    }
}

/// Parses a date option, or says what a date looks like. Besides YYYY-MM-DD, a day relative to today, as a
/// manager says it in a meeting: `today`, `tomorrow`, `yesterday`, `+7` (days), `+2w` (weeks), `-3d`.
func parseDay(_ text: String?, option: String, default fallback: Day? = nil) throws -> Day? {
    guard let text else { return fallback }
    guard let day = Day(text) ?? relativeDay(text.trimmingCharacters(in: .whitespaces).lowercased()) else {
        let hint = dateHint(text).map { "\($0); " } ?? ""
        throw ValidationError("\(option) '\(text)' is not a date: \(hint)give YYYY-MM-DD (e.g. 2026-05-27), today, tomorrow, yesterday, or days or weeks from today (+7, +2w, -3d)")
    }
    guard FieldSpec.typedYears.contains(day.year) else {
        throw ValidationError("\(option) \(day) is out of range: give a day from \(FieldSpec.typedYears.lowerBound) to \(FieldSpec.typedYears.upperBound)")
    }
    return day
}

/// What to write instead of a date typed almost right: the form Rapport takes ("write 2026-12-07" for 2026-12-7
/// or 7.12.2026), or why a day written so is none ("2027-02-29: February 2027 has 28 days").
func dateHint(_ text: String) -> String? {
    if let iso = isoHint(text) { return "write \(iso)" }
    guard let parts = text.trimmingCharacters(in: .whitespaces).wholeMatch(of: /(\d{4})[-\/.](\d{1,2})[-\/.](\d{1,2})/),
          let year = Int(parts.1), let month = Int(parts.2), let day = Int(parts.3) else { return nil }
    if let valid = Day(year: year, month: month, day: day) { return valid.description == text.trimmingCharacters(in: .whitespaces) ? nil : "write \(valid)" }
    return Day.impossibility(year: year, month: month, day: day)
}

/// The day a date typed as a spreadsheet writes it means, in the form Rapport takes: "31.12.2026" (day first, as
/// every country writing dots has it) is 2026-12-31; "03/04/2026" may be either way round, and both are given.
func isoHint(_ text: String) -> String? {
    let typed = text.trimmingCharacters(in: .whitespaces)
    // A time after a YYYY-MM-DD day ("2026-12-31T10:00"): the day is what is taken.
    if let cut = typed.firstIndex(where: { $0 == " " || $0 == "T" }), typed[typed.index(after: cut)...].wholeMatch(of: /[0-9]{1,2}:[0-9]{2}.*/) != nil,
       let day = Day(String(typed[..<cut])) {
        return day.description
    }
    switch NumericDate(typed)?.readings {
    case let (dayFirst?, monthFirst?)? where dayFirst != monthFirst: return "\(dayFirst) (day first) or \(monthFirst) (month first)"
    case let (dayFirst?, _)?: return dayFirst.description
    case let (nil, monthFirst?)?: return monthFirst.description
    default: return nil
    }
}

/// A meeting named by its day as people type days (`--meeting +7`, `yesterday`), as the date it is stored under;
/// any other text as it is (an id prefix, a YYYY-MM-DD date).
func meetingQuery(_ text: String) -> String {
    relativeDay(text.trimmingCharacters(in: .whitespaces).lowercased())?.description ?? text
}

/// A number of days as dates take them relative to today: `14`, `14d`, `2w` (`--within 1w` was refused as
/// an invalid value, while `--as-of +2w` was taken).
func dayCount(_ text: String) throws -> Int {
    let typed = text.filter { !$0.isWhitespace }.lowercased()
    let weeks = typed.hasSuffix("w")
    guard let n = Int(weeks || typed.hasSuffix("d") ? String(typed.dropLast()) : typed) else {
        throw ValidationError("give a number of days (14, or 14d) or of weeks (2w)")
    }
    // Far too many weeks saturates, for each option's own range check to refuse.
    let (days, overflow) = n.multipliedReportingOverflow(by: weeks ? 7 : 1)
    return overflow ? (n < 0 ? .min : .max) : days
}

/// `today`, `tomorrow`, `yesterday`, or a count of days or weeks from today (`+7`, `+7d`, `+2w`, `-3d`).
func relativeDay(_ text: String) -> Day? {
    let today = Today.local
    switch text {
    case "today": return today
    case "tomorrow": return Day(ordinal: today.ordinal + 1)
    case "yesterday": return Day(ordinal: today.ordinal - 1)
    default:
        // A sign is required: "7" alone may be a day of the month as well as a count.
        guard let match = text.wholeMatch(of: /([+-])(\d{1,5})([dw]?)/), let count = Int(match.2) else { return nil }
        let days = count * (match.3 == "w" ? 7 : 1) * (match.1 == "-" ? -1 : 1)
        return Day(ordinal: today.ordinal + days)
    }
}

extension FieldSpec {
    /// Parses a value typed on the command line, a date field taking a day relative to today too (`+7`,
    /// `tomorrow`): the schema's own parsing knows no today.
    func parseTyped(_ text: String) throws(SchemaError) -> FieldValue {
        if type == .date, let day = relativeDay(text.trimmingCharacters(in: .whitespaces).lowercased()) { return try parse(day.description) }
        do { return try parse(text) } catch { throw error.namingRelativeDays(for: self).namingTheLikelyChoice(for: self) }
    }
}

extension AccountName {
    /// A name typed for an account or a stakeholder, as stored: without the invisible characters a copy from a web
    /// page brings, as every one-line value typed is (`FieldSpec.withoutInvisibles`), and normalized; one with a
    /// writing-direction override is refused (`FieldSpec.refuseDirectionOverride`).
    static func typed(_ name: String) throws -> String {
        do { try FieldSpec.refuseDirectionOverride(name, field: "name") } catch { throw ValidationError("\(error)") }
        return normalized(FieldSpec.withoutInvisibles(name))
    }
}

extension SchemaError {
    /// A date field's error names the relative days the command line takes too.
    func namingRelativeDays(for spec: FieldSpec?) -> SchemaError {
        guard spec?.type == .date, case .invalidValue(let field, let value, let expected) = self, expected == ValueType.date.summary else { return self }
        let hint = dateHint(value).map { " (\($0))" } ?? ""
        return .invalidValue(field: field, value: value, expected: expected + hint + ", or a day from today: today, tomorrow, yesterday, +7 (days), +2w (weeks), -3d")
    }
}

extension SchemaError {
    /// A choice one slip from a valid word says which ("'kye' is not a valid tier: expected one of key, standard;
    /// did you mean 'key'?"): the list alone left the reader to find the slip in it. The guides' names for a word
    /// (`FieldSpec.called`, "out of stock") are compared too, and the word they stand for is given.
    /// So are a yes or no ("ture") and a day named in words ("tomorow").
    func namingTheLikelyChoice(for spec: FieldSpec?) -> SchemaError {
        guard let spec, case .invalidValue(let field, let value, let expected) = self else { return self }
        // "unknown" is no sentiment (the guides' "neutral or unknown"): what is not known is left out.
        if case .choice = spec.type, ["unknown", "none", "n/a", "na", "not known", "?", "-"].contains(value.lowercased().trimmingCharacters(in: .whitespaces)) {
            return .invalidValue(field: field, value: value, expected: expected + "; where it is not known, leave it out")
        }
        let words: [String]
        switch spec.type {
        case .choice(let choices): words = choices + spec.aliases.keys.sorted()
        case .bool: words = ["true", "false"]
        case .date: words = ["today", "tomorrow", "yesterday"]
        default: return self
        }
        // (The guides' names of one word are one guess: "watchd" is a slip of "watch" and of "watched".)
        guard let likely = Spelling.likely(value, among: words, meaning: { spec.aliases[$0] ?? $0 }),
              let guess = Format.didYouMean([spec.aliases[likely] ?? likely]) else { return self }
        return .invalidValue(field: field, value: value, expected: expected + "; " + guess)
    }
}

extension EntitySpec {
    /// `parseAssignments`, with a date field's relative day (`due=+7`) written out first.
    func parseTypedAssignments(_ arguments: [String]) throws(SchemaError) -> [(String, FieldValue)] {
        do {
            return try parseAssignments(arguments.map { argument in
                guard let eq = argument.firstIndex(of: "="),
                      field(argument[..<eq].trimmingCharacters(in: .whitespaces))?.type == .date,
                      let day = relativeDay(argument[argument.index(after: eq)...].trimmingCharacters(in: .whitespaces).lowercased())
                else { return argument }
                return argument[...eq] + day.description
            })
        } catch {
            // The fields listed are those a `set` takes: merged_into is a merge's (`account merge`), and a record's
            // account is where it was added (`set account=` is refused).
            if case .unknownField(let entity, let name, let known, _) = error {
                let settable = known.filter { $0 != "merged_into" && $0 != "account" }
                throw .unknownField(entity: entity, field: name, known: settable, likely: likelyField(name, among: settable))
            }
            if case .notAnAssignment(let argument, let known) = error { throw .notAnAssignment(argument: argument, fields: known.filter { $0 != "merged_into" && $0 != "account" }) }
            guard case .invalidValue(let name, _, _) = error else { throw error }
            throw namingTheOtherField(error.namingRelativeDays(for: field(name)).namingTheLikelyChoice(for: field(name)))
        }
    }
}

extension EntitySpec {
    /// A choice refused for one field that is a word of another ("--role champion": champion is a sentiment)
    /// says which field takes it.
    func namingTheOtherField(_ error: SchemaError) -> SchemaError {
        guard case .invalidValue(let name, let value, let expected) = error,
              let other = fields.first(where: { other in
                  guard other.name != name, case .choice(let words) = other.type else { return false }
                  return words.contains { $0.caseInsensitiveCompare(value.trimmingCharacters(in: .whitespaces)) == .orderedSame }
              }) else { return error }
        return .invalidValue(field: name, value: value, expected: expected + "; '\(value)' is a \(other.name), not a \(name)")
    }

    /// The field a name typed for one meant: another word for it ("deadline" for due, "amount" for value, an
    /// action's "status" for done); a day's field named with a word for a day after it ("due_on", "due_date",
    /// "raised_date" for raised_on, "renewal_date" for next_renewal), which a slip of another field took before
    /// (`done_on`), and never a field that holds no day ("name_on" guessed `name`, and `name=-2` renamed the
    /// account "-2"); else `Spelling.likely`'s slip, start or part.
    func likelyField(_ typed: String, among settable: [String]) -> String? {
        let words = ["status": ["stage", "done"], "completed": ["done"], "complete": ["done"], "finished": ["done"], "closed": ["done"],
                     "deadline": ["due"], "amount": ["value", "revenue"], "contract_end": ["next_renewal"], "renewal": ["next_renewal"]]
        if let meant = words[typed.lowercased()]?.first(where: settable.contains) { return meant }
        if let (stem, suffix) = dayStem(typed) {
            return likelyDay(stem, among: settable.filter { field($0)?.type == .date }, orTheDate: suffix != "at")
        }
        return Spelling.likely(typed, among: settable)
    }
}

/// The name before a word for a day ("due" of "due_date", "dueDate", "--due-on"), and that word; nil for a
/// name not so made. (Not "by": `--raised-by bob` names a person.)
func dayStem(_ typed: String) -> (stem: String, suffix: String)? {
    // (camelCase as words: "dueDate" is due and date.)
    let words = typed.replacing(/([a-z])([A-Z])/) { "\($0.1)_\($0.2)" }.lowercased()
    let parts = words.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == " " }).map(String.init)
    guard parts.count >= 2, ["on", "date", "day", "at"].contains(parts.last!) else { return nil }
    return (parts.dropLast().joined(separator: "_"), parts.last!)
}

/// Of names of days (fields, or options with `-` for `_`), the one a stem meant ("due": due, "raised":
/// raised_on, "resolved": closed_on, "contract_end": next_renewal); with `orTheDate`, a day named by anything
/// else is the `date` there is (a meeting's, a flag's `--date`). Nil when none is.
func likelyDay(_ stem: String, among days: [String], orTheDate: Bool = true) -> String? {
    // The words CRMs and people use for these days, most likely first.
    let synonyms = ["resolved": ["closed"], "won": ["closed"], "lost": ["closed"], "finished": ["closed", "done"], "completed": ["done", "closed"],
                    "closed": ["closed", "done"], "contract_end": ["next_renewal"], "contract_renewal": ["next_renewal"], "end": ["next_renewal"],
                    "created": ["customer_since", "opened"], "start": ["customer_since", "opened"], "started": ["customer_since", "opened"],
                    "customer": ["customer_since"], "contact": ["last_contact"], "contacted": ["last_contact"], "spotted": ["opened"],
                    "test": ["testing_since"], "deadline": ["due"]]
    func key(_ name: String) -> String { name.replacingOccurrences(of: "-", with: "_") }
    for meant in synonyms[stem] ?? [stem] {
        let named = days.filter { [meant, meant + "_on"].contains(key($0)) }
        if named.count == 1 { return named[0] }
    }
    if let day = Spelling.likely(stem, among: days.map(key)) { return days.first { key($0) == day } }
    return orTheDate && days.contains("date") ? "date" : nil
}

/// An owner no one on this replica has made a change as: `due` lists a manager's accounts and actions by their
/// user name, so a typo ("bobb") or a display name ("Bob Smith") took them off everyone's list without a word.
/// Nil for a known one, or for the replica's own user before anything is synced.
/// `account`: an action's, whose owner may be a stakeholder there (the customer's side of a success plan owns
/// some of its actions): no one to correct.
/// `correction`: the command that corrects it, when not `command owner=USER`.
func unknownOwnerNotice(_ owner: FieldValue?, replica: Replica, command: String, account: String? = nil, correction: String? = nil) throws -> String? {
    guard let name = owner?.textValue, !name.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
    let people = try replica.authors().union([try replica.identity().user])
    guard !people.contains(where: { AccountName.key($0) == AccountName.key(name) }) else { return nil }
    if let account, try replica.records("stakeholder", where: ("account", .text(account)), fields: ["name"]).contains(where: { AccountName.key($0["name"].display) == AccountName.key(name) }) {
        return nil
    }
    let listed = people.sorted().prefix(8).joined(separator: ", ") + (people.count > 8 ? " and \(people.count - 8) more" : "")
    // The likely user in the command, else a placeholder the shell refuses: "owner=USER", typed as written, made
    // "USER" the owner, and any one user named would hand the record to them without a word.
    let guess = likelyUser(for: name, among: people)
    let user = guess.map(Shell.quote) ?? "<user>"
    let fix = (correction ?? "\(command) owner=USER").replacingOccurrences(of: "owner=USER", with: "owner=\(user)").replacingOccurrences(of: "--to USER ", with: "--to \(user) ")
    return "no one on this replica has synced as '\(name)' (the users known here: \(listed)): `rapport due` lists a manager's work by their user name, " +
        "so no one of that name finds this on their list; correct it (`\(fix)`\(guess == nil ? ", with one of them" : "")) unless that is a teammate yet to sync"
}

/// The user a mistyped owner most likely means: one whose name is the typed name's first word ("maria" for
/// "Maria Lopez"), or one a letter or two off; nil when none is (a teammate yet to sync is no one's typo).
func likelyUser(for typed: String, among people: Set<String>) -> String? {
    let sorted = people.sorted()
    let folded = { (name: String) in AccountName.unaccented(name).lowercased() }
    if let first = folded(typed).split(whereSeparator: { $0 == " " || $0 == "." }).first, let user = sorted.first(where: { folded($0) == first }) { return user }
    return Spelling.suggestions(for: folded(typed), among: sorted.map(folded), limit: 1).first.flatMap { near in sorted.first { folded($0) == near } }
}

/// That no account or action is owned by `who` (a mistyped owner), with did-you-mean and the owners there are;
/// nil when something is.
func noOwnerNotice(_ who: String, replica: Replica) throws -> String? {
    let owners = Set(try replica.records("account", fields: ["owner"]).map { $0["owner"].display } + replica.records("action", fields: ["owner"]).map { $0["owner"].display })
        .filter { !$0.isEmpty }
    guard !owners.contains(where: { AccountName.key($0) == AccountName.key(who) }) else { return nil }
    // (Typed without the accents, "jurgen" for Jürgen, first.)
    let plain = owners.filter { AccountName.unaccented($0) == AccountName.unaccented(who) }.sorted()
    let guesses = plain + Spelling.suggestions(for: AccountName.unaccented(who), among: owners.map(AccountName.unaccented)).compactMap { folded in
        owners.first { AccountName.unaccented($0) == folded }
    }.filter { !plain.contains($0) }
    return "no account or action here is owned by '\(who)'" + (Format.didYouMean(guesses).map { ": " + $0 } ?? "") +
        (owners.isEmpty ? "" : " (owners: \(owners.sorted().prefix(8).joined(separator: ", "))\(owners.count > 8 ? " and \(owners.count - 8) more" : ""))")
}

/// An owner typed as a teammate's user name in other capitals or spacing ("Dana" for dana) is stored as they
/// sync: `due` matched it either way, but the lists showed "Dana" beside "dana", and a script selecting owner
/// "dana" missed it. Returns the values with it so spelled, and what to say; the values unchanged when no one
/// (or more than one user) has that name so, or when it names a stakeholder of `account` (an action's owner may
/// be on the customer's side: their "Dana" is not the teammate dana).
func ownersSpelledAsSynced(_ values: [(String, FieldValue)], replica: Replica, account: String? = nil, dryRun: Bool = false) throws -> (values: [(String, FieldValue)], note: String?) {
    guard let typed = values.last(where: { $0.0 == "owner" })?.1.textValue else { return (values, nil) }
    let people = try replica.authors().union([try replica.identity().user])
    guard !people.contains(typed) else { return (values, nil) }
    let same = people.filter { AccountName.key($0) == AccountName.key(typed) }
    guard let user = same.first else { return (values, nil) }
    if let account, try replica.records("stakeholder", where: ("account", .text(account)), fields: ["name"])
        .contains(where: { AccountName.key($0["name"].display) == AccountName.key(typed) }) { return (values, nil) }
    // Two users whose names differ only in capitals: which one was meant is not for Rapport to guess.
    if same.count > 1 { return (values, twoSpellingsNote(typed, same, dryRun: dryRun)) }
    return (values.map { $0.0 == "owner" ? ("owner", .text(user)) : $0 },
            "owner '\(typed)' \(dryRun ? "would be" : "is") stored as '\(user)', the user name they sync as")
}

/// An owner typed in capitals that two users' names share ("EVE" for Eve and eve, on a server from before
/// `admin add-user` refused such a pair): stored as typed, which `due` lists for each of them, matching owners
/// without regard to capitals.
func twoSpellingsNote(_ typed: String, _ users: some Collection<String>, dryRun: Bool = false) -> String {
    "owner '\(typed)' \(dryRun ? "would be" : "is") stored as typed: \(Format.list(users.sorted().map { "'\($0)'" }, conjunction: "and")) \(users.count == 2 ? "both" : "all") sync here, " +
        "and `rapport due` lists it for each of them; give the one meant"
}

/// How many days ago a day to come was given, when that is months: a year typed for the next one (2025 for
/// 2026) made an action overdue, or a goal due for review, by a year, without a word.
func longPast(_ due: Day) -> Int? {
    let ago = Today.local.ordinal - due.ordinal
    return ago > 60 ? ago : nil
}

/// Says so when `due` is long past (`longPast`): what it means for the record, and the command that corrects it.
func longPastDueNotice(_ due: Day, _ subject: String, _ meaning: String, fix: String) -> String? {
    longPast(due).map { "\(subject) is due \(due), \($0) days ago, \(meaning); if that is a slip, `\(fix)`" }
}

/// A day something already happened: a mistyped year would otherwise count as recent for years.
func parsePastDay(_ text: String?, option: String, what: String) throws -> Day? {
    guard let day = try parseDay(text, option: option) else { return nil }
    guard day <= Today.local else { throw ValidationError("\(option) \(day) is in the future: \(what) is recorded once it happened") }
    return day
}

extension FieldValue {
    var day: Day? { textValue.flatMap(Day.init) }

    var double: Double? {
        switch self {
        case .real(let v): v
        case .int(let v): Double(v)
        default: nil
        }
    }

    var int: Int? {
        if case .int(let v) = self { return Int(v) }
        return nil
    }
}

extension Schema {
    static func spec(_ entity: String) -> EntitySpec { rapport.entity(entity)! }
}

/// Values from options, checked against the schema before anything is written.
struct ValueList {
    let entity: EntitySpec
    private(set) var values: [(String, FieldValue)] = []

    init(_ entity: String) { self.entity = Schema.spec(entity) }

    /// Adds a field parsed from text; nil adds nothing.
    mutating func add(_ field: String, _ text: String?) throws {
        guard let text else { return }
        let value: FieldValue
        do { value = try entity.field(field)!.parseTyped(text) } catch { throw ValidationError("\(entity.namingTheOtherField(error))") }
        values.append((field, value))
        // Another word for a choice ("Negotiation" for proposal) says what it was read as, as `set` does.
        if case .choice = entity.field(field)!.type, let word = value.textValue, Self.isAnotherWord(text, for: word) {
            warn("note: \(field) '\(text)' read as \(word)")
        }
    }

    /// Whether `typed` is another word for the choice `word` than itself, or itself named longer ("monthly
    /// review" for monthly, as `due` names it).
    static func isAnotherWord(_ typed: String, for word: String) -> Bool {
        let letters = typed.lowercased().filter(\.isLetter)
        return !letters.hasPrefix(word.filter(\.isLetter))
    }

    mutating func add(_ field: String, value: FieldValue) {
        values.append((field, value))
    }

    /// Refuses an option `add` needs that was given empty (`--stage ""` left an opportunity without a stage,
    /// which `set` refuses to do).
    func require(_ fields: [String], noun: String) throws {
        for field in fields where values.first(where: { $0.0 == field })?.1 ?? .null == .null {
            throw ValidationError("\(Format.article(noun)) \(noun) needs \(Format.article(field)) \(field): give --\(field) \(entity.field(field)!.type.summary)")
        }
    }
}

/// Finds live rows, with advice that names the command that lists them.
enum Lookup {
    static func account(_ replica: Replica, _ query: String) throws -> Record {
        try find(replica, "account", query, listCommand: "rapport account list")
    }

    /// `accountOption`: the command takes --account, which narrows a name several accounts' records share.
    static func find(
        _ replica: Replica, _ entity: String, _ query: String, nameField: String = "name", account: Record? = nil, accountOption: Bool = false,
        listCommand: String, preferring: ((Record) throws -> Bool)? = nil
    ) throws -> Record {
        do {
            let found = try replica.find(entity, query, nameField: nameField, within: account.map { ("account", .text($0.id)) }, preferring: preferring)
            // (Within an account given, the record looked up is another's reference: the account was looked up, and
            // said, with that record.)
            if account == nil { try warnIfUnderRemovedAccount(found, entity: entity, replica: replica) }
            try warnIfRemovedHasWholeName(found, entity: entity, query: query, nameField: nameField, account: account, replica: replica)
            return found
        } catch let error as ReplicaError where error.isAmbiguous && accountOption && account == nil {
            // Records of one account are not told apart by it.
            guard case .ambiguous(_, _, _, _, let accounts, _) = error, accounts > 1 else { throw error }
            throw ValidationError("\(error), or --account ACCOUNT for the one at that account")
        } catch ReplicaError.notFound(_, _, let removed) {
            let scope = account.map { " of \($0["name"].display)" } ?? ""
            // The account is known: its name in the command to run.
            let listCommand = account.flatMap { $0.deleted ? nil : listCommand.replacingOccurrences(of: "ACCOUNT", with: Shell.quote($0["name"].display)) } ?? listCommand
            // (The records left under a removed account say how to bring them and the account back already.)
            let back = { (removed: RemovedMatch) in
                let left = try leftUnder(removed, replica)
                return try left.isEmpty ? Restoration.advice(replica, entity: entity, row: removed.id).map { "; \($0)" } ?? "" : left
            }
            let meant = removed != nil ? "" : try suggestion(replica, entity, query, nameField: nameField, within: account)
            throw ValidationError("no \(ReplicaError.noun(entity))\(scope) matches '\(query)'\(try removed.map { ": \($0)\(try back($0));" } ?? ":")\(meant) `\(listCommand)` shows what there is")
        }
    }

    /// " did you mean 'X' or 'Y'?" for a slip in a name ("Northwnd"), or "". (Not of a day: 2026-11-03 is no
    /// slip of 2026-11-30.)
    static func suggestion(_ replica: Replica, _ entity: String, _ query: String, nameField: String = "name", within account: Record? = nil) throws -> String {
        guard replica.schema.entity(entity)?.field(nameField)?.type == .text else { return "" }
        let names = try replica.records(entity, where: account.map { ("account", .text($0.id)) }, fields: [nameField]).map { $0[nameField].display }
        let guesses = Spelling.suggestions(for: query, among: names)
        return Format.didYouMean(guesses).map { " " + $0 } ?? ""
    }

    /// Says so when a record found is left under a removed account (added or moved there while it was being
    /// removed elsewhere): it is in no list, and what is changed on it stays out of them until a merge moves it.
    static func warnIfUnderRemovedAccount(_ record: Record, entity: String, replica: Replica) throws {
        guard entity != "account", let id = record["account"].textValue, let account = try replica.record("account", id: id), account.deleted else { return }
        let removal = try replica.removedMatch("account", id)
        warn("note: its account \(account["name"].display) (\(short(id))) was removed\(removal?.removedBy.map { " by \($0)" } ?? ""), so it is in no list: " +
             "`rapport account merge \(short(id)) --into ACCOUNT` brings what was left under it to an account in use, or \(try Restoration.accountBack(replica, id, with: "it"))")
    }

    /// Says so when a live record was found by the start of its name while a removed one has the whole name: the
    /// one typed may be the removed one ("Acme" found "Acme Corp", and the removed "Acme" was meant).
    static func warnIfRemovedHasWholeName(_ found: Record, entity: String, query: String, nameField: String, account: Record?, replica: Replica) throws {
        let typed = query.trimmingCharacters(in: .whitespaces)
        guard found[nameField].display.caseInsensitiveCompare(typed) != .orderedSame, !found.id.hasPrefix(typed.lowercased()),
              try replica.removedRecords(entity, mayEqualIgnoringCase: (nameField, typed)).contains(where: { r in
                  r[nameField].display.caseInsensitiveCompare(typed) == .orderedSame && (account.map { r["account"].textValue == $0.id } ?? true)
              }),
              let removed = try replica.removedMatch(entity, typed, nameField: nameField, within: account.map { ("account", .text($0.id)) }),
              removed.name.caseInsensitiveCompare(typed) == .orderedSame else { return }
        warn("note: this is \(ReplicaError.noun(entity)) \(found[nameField].display) (\(short(found.id))), by the start of its name; \(removed)")
    }

    /// For removed accounts that still hold records a merge moves (added while they were removed elsewhere), the
    /// way to them; of several removed accounts the query names, each that holds some.
    static func leftUnder(_ removed: RemovedMatch, _ replica: Replica) throws -> String {
        guard removed.kind == "account" else { return "" }
        return try ([removed.id] + removed.others).compactMap { id -> String? in
            let held = try replica.recordCounts(at: id).filter { AccountCommand.Merge.Plan.brings($0.entity) }.reduce(0) { $0 + $1.count }
            guard held > 0 else { return nil }
            return "; \(held) record\(held == 1 ? " was" : "s were") left under \(id == removed.id ? "it" : short(id)): `rapport account merge \(short(id)) --into ACCOUNT` " +
                "brings \(held == 1 ? "it" : "them") to an account in use, or \(try Restoration.accountBack(replica, id, with: held == 1 ? "it" : "them"))"
        }.joined()
    }

    /// Refuses a record found only by the start of its name, for a command that cannot be undone: `stakeholder
    /// remove Ann` removed Ann Smith. Its whole name (in any case) or the start of its id says which one is meant.
    static func requireWholeName(_ record: Record, query: String, nameField: String = "name", noun: String, command: String) throws {
        let query = query.trimmingCharacters(in: .whitespaces)
        let name = record[nameField].display
        guard name.caseInsensitiveCompare(query) != .orderedSame, !(query.count >= 4 && record.id.hasPrefix(query.lowercased())) else { return }
        throw ValidationError("""
            '\(query)' is only the start of \(record.id.hasPrefix(query.lowercased()) ? "the id of " : "")\(noun) \(name.isEmpty ? short(record.id) : "'\(name)'"); nothing was changed: to \(command), give its \
            whole \(nameField) or the start of its id, 4 characters or more (\(short(record.id)))
            """)
    }

    /// Says so when a record is added to an archived account (given by its id, or its name alone): it leaves the
    /// lists with the account, and after a merge the records belong with the account it was merged into.
    static func warnIfArchived(_ account: Record, _ replica: Replica) throws {
        guard account["archived"] == .bool(true) else { return }
        let name = account["name"].display
        let merged = try Sync.mergedInto(replica, account, followingMerges: true, includeRemoved: true)
        if let into = merged, into.deleted {
            // The end of a chain of merges, removed since: there is no account in use to send the person to.
            return warn("note: \(name) (\(short(account.id))) was merged into \(into["name"].display) (\(short(into.id))), which was removed since: what is added to \(name) " +
                        "is off the lists with it (`rapport account set \(short(account.id)) archived=false` brings the account back)")
        }
        if let into = merged, into["archived"] != .bool(true) {
            return warn("note: \(name) (\(short(account.id))) was merged into \(into["name"].display) (\(short(into.id))): add it there; what is added to \(name) " +
                        "is off the lists with it (`rapport account set \(short(account.id)) archived=false` brings the account back)")
        }
        let active = try replica.activeAccounts(fields: ["name"]).filter { AccountName.key($0["name"].display) == AccountName.key(name) }
        let other = active.count == 1 ? "; or add it to \(active[0]["name"].display) (\(short(active[0].id))), the active account of its name" : ""
        warn("note: \(name) (\(short(account.id))) is archived: what is added to it is off the lists with it " +
             "(`rapport account set \(short(account.id)) archived=false` brings the account back\(other))")
    }

    /// The account a row belongs to, by its reference; "(unknown)" when that account is not (yet) here.
    static func accountName(_ replica: Replica, _ id: String) throws -> String {
        try replica.record("account", id: id)?["name"].display ?? "(unknown account)"
    }
}

/// A note when an account already has a record of the name just added: both stand (two people can share a
/// name), but a command given the name asks which one is meant. Names that differ only in case or runs of
/// spaces are one name, as commands find them and as a sync tells of two added apart.
/// (`renamed`: the record was renamed to the name, not added.)
func warnIfNameTaken(_ replica: Replica, entity: String, noun: String, name: String, nameField: String = "name", account: Record, added id: String, renamed: Bool = false) throws {
    let key = AccountName.key(name)
    let rows = try replica.rows(entity, of: account).filter { $0.id != id }
    if let twin = rows.first(where: { AccountName.key($0[nameField].display) == key }) {
        return warn("note: \(account["name"].display) already had \(Format.article(noun)) \(noun) called \(twin[nameField].display) (\(short(twin.id))); " +
                    "commands given the name will ask which: use the id (\(short(id)) for this one)" + (renamed ? "" : ", or `remove` the one added by mistake"))
    }
    guard !renamed else { return }
    // A person written without the accents or with other punctuation ("Jurgen Muller" beside "Jürgen Müller"):
    // likely one person twice, from a CRM that dropped them.
    let loose = AccountName.looseKey(name)
    guard entity == "stakeholder", !loose.isEmpty, let near = rows.first(where: { AccountName.looseKey($0[nameField].display) == loose }) else { return }
    warn("note: \(account["name"].display) already has \(Format.article(noun)) \(noun) called \(near[nameField].display) (\(short(near.id))), which differs from \(name) " +
         "only in punctuation, spacing or accents: if they are one, `rapport stakeholder remove \(short(id))` takes this one out")
}

/// Rows read the same way by many commands.
extension Replica {
    /// How much the team recorded at an account: its live records of every kind (stakeholders, notes, meetings...).
    /// (An archived copy merged into it refers to it too, by `merged_into`, but is an account, not one of its records.)
    /// A cleared score or override is a row without its value (its id is made of the account's, so that two laptops
    /// write one row): nothing held, and no command shows it.
    func recordCount(at account: String) throws -> Int {
        try recordCounts(at: account).reduce(0) { $0 + $1.count }
    }

    /// The same by kind, in the schema's order, kinds it holds none of left out.
    func recordCounts(at account: String) throws -> [(entity: String, count: Int)] {
        try schema.entities.compactMap { entity in
            guard entity.name != "account", case .reference("account")? = entity.field("account")?.type else { return nil }
            let count = try records(entity.name, where: ("account", .text(account))).filter { AccountCommand.Merge.Plan.holdsValue(entity.name, $0) }.count
            return count > 0 ? (entity.name, count) : nil
        }
    }

    /// The day each KPI was added, from which one never read is due: the first time its account was set (an
    /// account merge sets it again on the day it moves the KPI).
    func kpisAdded(_ kpis: [String]) throws -> [String: Day] {
        try valueSetAt("kpi", field: "account", rows: kpis, first: true).compactMapValues(Today.day(ms:))
    }

    /// How many live records refer to the record `id` of `entity` (an account's notes, a KPI's readings).
    func references(to entity: String, id: String) throws -> Int {
        try schema.entities.reduce(0) { count, referring in
            try referring.fields.reduce(count) { count, field in
                guard case .reference(let target) = field.type, target == entity else { return count }
                return count + (try references(from: referring, field: field.name, to: id))
            }
        }
    }

    /// How many live records of `referring` name the record `id` in `field`.
    func references(from referring: EntitySpec, field: String, to id: String) throws -> Int {
        // (A reading taken back, its value cleared, refers to nothing any more.)
        let rows = try records(referring.name, where: (field, .text(id)), fields: referring.name == "kpi_reading" ? [field, "value"] : [field])
        return (referring.name == "kpi_reading" ? rows.filter { $0["value"] != .null } : rows).count
    }

    /// Live rows of an entity that belong to an account.
    func rows(_ entity: String, of account: Record, orderBy: String? = nil) throws -> [Record] {
        try records(entity, where: ("account", .text(account.id)), orderBy: orderBy)
    }

    /// Accounts that are not archived, by name; with `fields`, only those values are read.
    func activeAccounts(fields: [String]? = nil) throws -> [Record] {
        try records("account", orderBy: "name", fields: fields.map { $0 + ["archived"] }).filter { $0["archived"] != .bool(true) }
    }

    /// The accounts not archived whose owner is `owner`, compared as `sameIgnoringCase` does.
    func activeAccounts(ownedBy owner: String, fields: [String]? = nil) throws -> [Record] {
        try records("account", mayEqualIgnoringCase: ("owner", owner), orderBy: "name", fields: fields.map { $0 + ["archived", "owner"] })
            .filter { $0["archived"] != .bool(true) && sameIgnoringCase($0["owner"].display, owner) }
    }
}

/// Short ids for tables.
func short(_ id: String) -> String { String(id.prefix(8)) }

/// Whether two names differ only in case, as Foundation's `caseInsensitiveCompare` decides. Two ASCII names
/// (nearly all) are compared byte by byte, where case folding only maps A-Z to a-z: `due` compares every
/// account's owner, and Foundation's comparison was a tenth of the command on ten thousand accounts.
func sameIgnoringCase(_ a: String, _ b: String) -> Bool {
    if a == b { return true }
    if a.utf8.allSatisfy({ $0 < 0x80 }), b.utf8.allSatisfy({ $0 < 0x80 }) {
        return a.utf8.count == b.utf8.count && zip(a.utf8, b.utf8).allSatisfy { asciiLower($0) == asciiLower($1) }
    }
    return a.caseInsensitiveCompare(b) == .orderedSame
}

private func asciiLower(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
}
