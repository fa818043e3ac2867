import Foundation
import RapportKAM
import RapportSync

/// How `rapport import accounts` reads a CRM's account export: which column names fill which field.
///
/// Column names are matched case-insensitively, ignoring spaces, underscores and punctuation, so
/// "Annual Revenue", "annual_revenue" and "AnnualRevenue" are one. Where a file has several columns for one
/// field, the name listed first wins and the others are ignored (and reported).
public enum AccountColumns {
    public static let mapping: [(field: String, names: [String])] = [
        ("id", ["Rapport ID", "ID"]),
        ("name", ["Account Name", "Company Name", "Company", "Account", "Name", "Organization", "Organisation"]),
        ("industry", ["Industry", "Sector"]),
        // (HubSpot's "Company owner"; Dynamics' "Owner".)
        ("owner", ["Account Owner", "Owner", "Owner Name", "Company Owner"]),
        ("tier", ["Tier", "Account Tier"]),
        ("revenue", ["Annual Revenue", "Revenue", "ARR"]),
        ("margin", ["Margin", "Gross Margin", "Margin %"]),
        // (Salesforce's "Created Date", HubSpot's "Create Date", Dynamics' "Created On".)
        ("customer_since", ["Customer Since", "Created Date", "Created", "Create Date", "Created On"]),
        ("next_renewal", ["Next Renewal", "Renewal Date", "Contract End Date"]),
        ("archived", ["Archived"]),
    ]

    /// Whether an id cell can be a Rapport id or a prefix of one (4 characters or more): a lowercase UUID's
    /// start, dashes where a UUID has them, and not digits alone (a CRM's record number). Hexadecimal digits and
    /// dashes alone took a CRM's "001A" or "ACC-1" for Rapport ids, and every row was refused.
    static func looksLikeRapportID(_ text: String) -> Bool {
        text.wholeMatch(of: /[0-9a-f]{4,8}|[0-9a-f]{8}-([0-9a-f]{0,4}|[0-9a-f]{4}-([0-9a-f]{0,4}|[0-9a-f]{4}-([0-9a-f]{0,4}|[0-9a-f]{4}-[0-9a-f]{0,12})))/) != nil
            && !text.allSatisfy(\.isNumber)
    }

    static func fold(_ name: String) -> String {
        String(name.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// The field each header column fills, by column index, and the columns no field takes.
    public static func resolve(_ header: [String]) -> (columns: [Int: String], ignored: [String]) {
        var columns: [Int: String] = [:]
        for (field, names) in mapping {
            // The field's own name (customer_since) is accepted too, so an export from Rapport imports as it is.
            for name in names + [field] {
                if let index = header.firstIndex(where: { fold($0) == fold(name) }), columns[index] == nil {
                    columns[index] = field
                    break
                }
            }
        }
        // Where a merged copy went is written by `account merge`, not by a file: an export's column of it is no news.
        let exportOnly = Set(["merged_into", "merged_into_name"].map(fold))
        let ignored = header.indices.filter { columns[$0] == nil && !header[$0].trimmingCharacters(in: .whitespaces).isEmpty && !exportOnly.contains(fold(header[$0])) }.map { header[$0] }
        return (columns, ignored)
    }
}

/// One account to import: the id a Rapport export gave it (if any) and its field values.
public struct AccountImportRow: Sendable, Equatable {
    public var line: Int
    public var id: String?
    public var values: [String: FieldValue]
    /// The account a Rapport export says this one was merged into, by id (`merged_into`) and name
    /// (`merged_into_name`): not imported (only `account merge` merges); such a row not matched by its Rapport id
    /// is left out.
    public var mergedIntoID: String?
    public var mergedIntoName: String?
    public var isMergedCopy: Bool { mergedIntoID != nil || mergedIntoName != nil }

    public init(line: Int, id: String?, values: [String: FieldValue], mergedIntoID: String? = nil, mergedIntoName: String? = nil) {
        (self.line, self.id, self.values, self.mergedIntoID, self.mergedIntoName) = (line, id, values, mergedIntoID, mergedIntoName)
    }

    public var name: String { values["name"]?.textValue ?? "" }
}

/// A checked account file: every row valid, or nothing.
public struct AccountImport: Sendable {
    public var rows: [AccountImportRow]
    public var ignoredColumns: [String]

    /// Checks every row against the account schema. Any bad row fails the whole file, with every problem
    /// listed by line, so that nothing of a file is half-imported.
    /// `ignoringIDs`: rows are matched by name only (`import --ignore-ids`), so two rows of one name are one
    /// account twice, whatever their ids.
    /// `today`: a customer_since after it is the row's problem, told with the others (found by the command
    /// after them, it took one more round through a CRM file per kind of problem).
    /// `dateOrder`: how dates written with slashes read (`import --dates`); nil reads each column by its own
    /// cells (a 31 first is day first), and refuses one whose cells could be read either way.
    /// `progress`: rows checked and rows in all, every few hundred rows (a large file's check takes seconds).
    public init(_ table: CSVTable, entity: EntitySpec, ignoringIDs: Bool = false, today: Day? = nil, dateOrder: DateOrder? = nil,
                progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws(TransferError) {
        // Rapport's own export of stakeholders, actions, readings...: "id" first, then its columns as named in
        // the schema, among them "account" and "account_name" (a CRM's would write "Account Name").
        // And its ids Rapport's (a reading's is its KPI's and a day): a warehouse's accounts file may also be
        // headed id, account (a number), account_name.
        let header = table.header.map { $0.trimmingCharacters(in: .whitespaces) }
        let ids = table.rows.compactMap { $0.fields.first?.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !ignoringIDs, header.first == "id", header.contains("account"), header.contains("account_name"), !ids.isEmpty,
           ids.allSatisfy({ $0.prefix(36).wholeMatch(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/) != nil }) {
            throw .otherTable
        }
        var (columns, ignored) = AccountColumns.resolve(table.header)
        // A CRM's own "Id" column (Salesforce's 0016g00000AB0000, HubSpot's numbers) is not Rapport's: taken as
        // one, every row was refused as naming an account this replica does not have.
        if let index = columns.first(where: { $0.value == "id" })?.key, AccountColumns.fold(table.header[index]) != "rapportid" {
            let values = table.rows.compactMap { index < $0.fields.count ? $0.fields[index].trimmingCharacters(in: .whitespaces) : nil }.filter { !$0.isEmpty }
            // One odd cell among Rapport ids is that row's problem (refused by its line), not the column's.
            if !values.isEmpty, !values.contains(where: AccountColumns.looksLikeRapportID) {
                columns[index] = nil
                ignored.insert("\(table.header[index]) (not Rapport ids)", at: 0)
            }
        }
        // A column without a name that holds something (a trailing comma's cells, a spreadsheet's unnamed column)
        // is left out too, and said with a cell of it: it was dropped without a word.
        for index in table.header.indices where table.header[index].trimmingCharacters(in: .whitespaces).isEmpty && columns[index] == nil {
            if let row = table.rows.first(where: { index < $0.fields.count && !$0.fields[index].trimmingCharacters(in: .whitespaces).isEmpty }) {
                ignored.append("column \(index + 1), which has no name ('\(row.fields[index].trimmingCharacters(in: .whitespaces).prefix(40))' on line \(row.line))")
            }
        }
        guard columns.values.contains("name") else {
            // A report's title and date lines above the column names.
            if let below = table.rows.prefix(5).first(where: { AccountColumns.resolve($0.fields.map { $0.trimmingCharacters(in: .whitespaces) }).columns.values.contains("name") }) {
                throw .headerBelow(line: below.line)
            }
            throw .missingColumn(field: "account name", accepted: AccountColumns.mapping.first { $0.field == "name" }!.names)
        }
        // How each date column's slashed dates read, from its cells, unless the command said.
        var orders: [Int: DateColumn] = [:]
        for (index, field) in columns where entity.field(field)?.type == .date {
            orders[index] = dateOrder.map(DateColumn.given) ?? DateColumn(table.rows.map { row in
                (row.line, index < row.fields.count ? row.fields[index].trimmingCharacters(in: .whitespaces) : "")
            })
        }
        // A file's dates come from one spreadsheet's settings: a column that tells (a day past 12) tells for a
        // column that does not, when no other column tells otherwise (a renewal of 01/03/2027 was refused beside
        // customer_since 26/02/2018).
        let told = orders.values.compactMap { column -> (order: DateOrder, line: Int)? in if case .read(let order, let line) = column { (order, line) } else { nil } }
        if let first = told.min(by: { $0.line < $1.line }), told.allSatisfy({ $0.order == first.order }) {
            for (index, column) in orders { if case .undecided = column { orders[index] = .read(first.order, line: first.line) } }
        }
        // Where a copy went: the account kept, by id and by name (a file cut down may have either).
        func column(_ name: String) -> Int? { table.header.firstIndex { AccountColumns.fold($0) == AccountColumns.fold(name) } }
        let (mergedIntoIDColumn, mergedIntoNameColumn) = (column("merged_into"), column("merged_into_name"))
        var problems: [RowProblem] = []
        var rows: [AccountImportRow] = []
        var firstLine: [String: Int] = [:]
        // The rows with a Rapport ID, by id, and by name: a row without one, of such a name, would match that
        // account again.
        var idLine: [String: Int] = [:], namedLine: [String: Int] = [:]
        for (index, row) in table.rows.enumerated() {
            if index % 250 == 0 { progress(index, table.rows.count) }
            // A spreadsheet's empty row (",,,") holds nothing: skipped, as a blank line is.
            if row.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            if row.fields.count > table.header.count {
                problems.append(RowProblem(line: row.line, message: "\(row.fields.count) fields but the header names \(table.header.count) columns: quote values that hold commas"))
                continue
            }
            // A CRM report's footer ("Generated By: ...", a copyright line) is a row of one field: taken as an
            // account name, it was imported as an account. Other short rows are read with the missing cells
            // empty: some writers leave out a row's trailing empty cells.
            if row.fields.count == 1, table.header.count > 2 {
                problems.append(RowProblem(line: row.line, message: "1 field but the header names \(table.header.count) columns: remove a report's title or footer lines (such as 'Generated By'), or give the row all its columns"))
                continue
            }
            var parsed = AccountImportRow(line: row.line, id: nil, values: [:])
            func cell(_ index: Int?) -> String? {
                guard let index, index < row.fields.count else { return nil }
                let text = CSVWriter.unguarded(row.fields[index].trimmingCharacters(in: .whitespaces))
                return text.isEmpty ? nil : text
            }
            (parsed.mergedIntoID, parsed.mergedIntoName) = (cell(mergedIntoIDColumn), cell(mergedIntoNameColumn))
            var nameRefused = false
            for (index, field) in columns.sorted(by: { $0.key < $1.key }) {
                var raw = index < row.fields.count ? row.fields[index].trimmingCharacters(in: .whitespaces) : ""
                // As `rapport export` guarded it against spreadsheets running it as a formula.
                if case .text? = entity.field(field)?.type { raw = CSVWriter.unguarded(raw) }
                if field == "id" {
                    // Rapport's ids are lowercase: one typed or converted to capitals is the same id.
                    parsed.id = raw.isEmpty ? nil : raw.lowercased()
                    continue
                }
                guard !raw.isEmpty else { continue }
                do {
                    parsed.values[field] = try Self.parse(raw, spec: entity.field(field)!, dates: orders[index] ?? .undecided, decimalComma: table.delimiter == ";")
                } catch {
                    problems.append(RowProblem(line: row.line, message: "\(error)"))
                    nameRefused = nameRefused || field == "name"
                }
            }
            let name = AccountName.normalized(parsed.name)
            if !name.isEmpty { parsed.values["name"] = .text(name) }
            if let today, let since = parsed.values["customer_since"]?.textValue.flatMap(Day.init), since > today {
                problems.append(RowProblem(line: row.line, message: "customer_since \(since) is in the future: give the day they became a customer"))
            }
            if nameRefused {
                // Its field's rules refused it (two lines): told once above, not again as missing.
            } else if Self.isTotalsRow(parsed, entity: entity) {
                problems.append(RowProblem(line: row.line, message: "'\(name)' with figures alone is a report's totals row, not an account: remove the line (an account of that name imports with its industry, owner or another detail)"))
            } else if let problem = AccountName.problem(name) {
                problems.append(RowProblem(line: row.line, message: problem))
            } else if let id = parsed.id, !ignoringIDs {
                // Rows that name their account by its Rapport ID are told apart by it, whatever their names: an
                // export holds two accounts of one name when one was merged into the other.
                if let first = idLine[id] {
                    problems.append(RowProblem(line: row.line, message: "the Rapport ID \(id) is already on line \(first): one row per account"))
                } else if let first = firstLine[AccountName.key(name)] {
                    problems.append(RowProblem(line: row.line, message: "\(name) is already on line \(first): one row per account"))
                } else {
                    idLine[id] = row.line
                    namedLine[AccountName.key(name)] = namedLine[AccountName.key(name)] ?? row.line
                }
            } else if let first = firstLine[AccountName.key(name)] ?? namedLine[AccountName.key(name)] {
                problems.append(RowProblem(line: row.line, message: "\(name) is already on line \(first): one row per account"))
            } else {
                firstLine[AccountName.key(name)] = row.line
            }
            rows.append(parsed)
        }
        progress(table.rows.count, table.rows.count)
        guard problems.isEmpty else { throw .rows(problems) }
        self.rows = rows
        self.ignoredColumns = ignored
    }

    /// A CRM report's totals line ("Total,,,$48,200,000", "Grand Totals (212 records)"): a name such a line
    /// carries and nothing but numbers beside it. It imported as an account "Total" holding the portfolio's
    /// revenue, which then topped every list by revenue. A real account of that name has an industry, an owner
    /// or some other detail that is not a figure.
    static func isTotalsRow(_ row: AccountImportRow, entity: EntitySpec) -> Bool {
        guard row.id == nil, row.name.lowercased().wholeMatch(of: /(grand |sub)?totals?:?( \(\d+ records?\))?|sum/) != nil else { return false }
        return row.values.allSatisfy { field, _ in
            if field == "name" { return true }
            if case .real? = entity.field(field)?.type { return true }
            return false
        }
    }

    /// A date, alone or with a time as CRMs export them: ISO 8601 ("2026-07-15T09:30:00Z") or with a space
    /// ("2026-07-15 09:30", HubSpot's). The day is taken as written; a time that is not one (25:00) is refused.
    static func importedDay(_ raw: String) -> Day? {
        guard raw.utf8.count >= 10, let day = Day(String(raw.prefix(10))) else { return nil }
        let rest = raw.dropFirst(10)
        guard let separator = rest.first else { return day }
        guard separator == "T" || separator == " " else { return nil }
        let time = #"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)?$"#
        return rest.dropFirst().range(of: time, options: .regularExpression) != nil ? day : nil
    }

    /// A CRM's spelling of a value: currency signs and thousands separators on amounts, a time after a date,
    /// "Key" for key. A comma groups thousands (1,500 is fifteen hundred), never stands for a decimal point.
    /// `decimalComma`: the file is separated by semicolons, as a spreadsheet in a locale that writes 31,5 saves
    /// one; its "1.200.000,50" and "31,5" are read so, and its "1,250" (1.25 there, 1250 in a US export) is refused.
    static func parse(_ raw: String, spec: FieldSpec, dates: DateColumn = .undecided, decimalComma: Bool = false) throws(SchemaError) -> FieldValue {
        switch spec.type {
        case .real:
            // The field's own reading (currency signs, grouped thousands, 1.2m), but for a lone thousands comma:
            // a CRM export writes "1,500" for fifteen hundred, where a person typing might mean 1.5.
            // Spaces group thousands (as no-break ones do in French spreadsheets) only in threes: "1 25" was 125.
            // (No-break and thin spaces come back as plain ones.)
            var t = try FieldSpec.ungroupingSpaces(raw, field: spec.name, typed: raw).replacingOccurrences(of: " ", with: "")
            // Of a lone group's two readings ("12,125": 12125 or 12.125), the one a field with a range takes when
            // the other is out of it (a margin of 12125%): an Excel file saved again from `export --excel` has it.
            func inRange(_ grouped: String, _ decimal: String) -> Bool {
                guard case .real(_, let max?) = spec.type, let whole = Double(grouped), let point = Double(decimal) else { return false }
                return abs(whole) > max && abs(point) <= max
            }
            if decimalComma {
                if let m = t.wholeMatch(of: /(?<head>([$€£¥]|[A-Za-z]{3})?[-+]?)(?<digits>[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?|[0-9]+,[0-9]+)(?<tail>[kKmMbB%]?([$€£¥]|[A-Za-z]{3})?)/) {
                    let digits = String(m.output.digits)
                    let (grouped, decimal) = (digits.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ""), digits.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: "."))
                    // A dot before a multiplier ("1.250m") is a decimal point in a CRM's export and a thousands dot here.
                    if digits.contains("."), m.output.tail.contains(where: { "kKmMbB".contains($0) }) {
                        let scale = String(m.output.tail.filter { "kKmMbB".contains($0) })
                        let point = digits.replacingOccurrences(of: ".", with: ",")
                        throw .invalidValue(field: spec.name, value: raw, expected: "one reading (in a file separated by semicolons a dot groups thousands, yet \(digits)\(scale) may be \(digits.replacingOccurrences(of: ".", with: ""))\(scale)): write \(point)\(scale) or \(grouped)\(scale)")
                    }
                    // "1,250" is 1.25 here and 1250 in a CRM's export; "0,125" is only the one.
                    if digits.wholeMatch(of: /[1-9][0-9]{0,2},[0-9]{3}/) != nil, !inRange(grouped, decimal) {
                        let shown = Double(decimal).map { FieldValue.real($0).display } ?? decimal
                        throw .invalidValue(field: spec.name, value: raw, expected: "one reading (in a file separated by semicolons the comma is a decimal one, yet \(digits) may be \(grouped)): write \(digits)0 for \(shown), or \(grouped)")
                    }
                    // A margin of "12.500" is no 12500%: its one reading in range.
                    let pointed = digits.wholeMatch(of: /[1-9][0-9]{0,2}\.[0-9]{3}/) != nil && inRange(grouped, digits)
                    t = m.output.head + (pointed ? digits : decimal) + m.output.tail
                }
            } else if let m = t.wholeMatch(of: /([$€£¥]|[A-Za-z]{3})?-?(?<digits>[1-9][0-9]{0,2},[0-9]{3})(\.[0-9]+)?[kKmMbB%]?([$€£¥]|[A-Za-z]{3})?/) {
                // (With the currency before or after it, as a sign or a code: "USD 1,000", "1,500€".)
                let digits = String(m.output.digits)
                if !t.contains("."), inRange(digits.replacingOccurrences(of: ",", with: ""), digits.replacingOccurrences(of: ",", with: ".")) {
                    t = t.replacingOccurrences(of: ",", with: ".")
                } else {
                    t.removeAll { $0 == "," }
                }
            }
            do {
                return try spec.parse(t)
            } catch {
                // Quoting the cell as given: the cleaned value ('USD1,000' for 'USD 1,000') puzzled.
                // Only the field's plain "not a number": its pointed ones (a currency sign on the margin) stand.
                guard case .invalidValue(_, _, let expected) = error else { throw error }
                guard expected.hasPrefix(spec.type.summary), !expected.contains("without a currency sign") else { throw .invalidValue(field: spec.name, value: raw, expected: expected) }
                // A negative figure, or one in parentheses as accounts write a loss: said so, not "such as 350k".
                let trimmed = raw.trimmingCharacters(in: .whitespaces)
                if spec.isAmount, FieldSpec.withoutCurrency(t).0.hasPrefix("-") || trimmed.wholeMatch(of: /\(\s*([$€£¥]|[A-Za-z]{3})?\s*[0-9][0-9.,\s]*\)/) != nil {
                    throw .invalidValue(field: spec.name, value: raw, expected: "an amount of 0 or more, not a negative one")
                }
                throw .invalidValue(field: spec.name, value: raw, expected: spec.name == "revenue"
                    ? "an amount such as 1250000, 1,250,000.00, $1.2m or 350k" : "\(spec.type.summary), such as 12.5 or 12.5%")
            }
        case .date:
            let day: Day
            if let iso = importedDay(raw) {
                day = iso
            } else if let parts = NumericDate(raw) {
                day = try parts.day(in: dates, field: spec.name, raw: raw)
            } else {
                // "2027-02-30": why, as the command line says it.
                if let parts = raw.wholeMatch(of: /(\d{4})-(\d{1,2})-(\d{1,2})/), let why = Day.impossibility(year: Int(parts.1)!, month: Int(parts.2)!, day: Int(parts.3)!) {
                    throw .invalidValue(field: spec.name, value: raw, expected: "a date YYYY-MM-DD (\(why))")
                }
                throw .invalidValue(field: spec.name, value: raw, expected: "a date YYYY-MM-DD, 31.12.2026, 31/12/2026, or a date and time such as 2026-07-15T09:30:00Z or 2026-07-15 09:30")
            }
            // Through the field's own rules (the years a date may fall in), as a typed date is.
            return try spec.parse(day.description)
        default:
            return try spec.parse(raw)
        }
    }
}

/// How a date written with slashes reads: 03/04/2026 is 3 April in Europe and March 4 in the US.
public enum DateOrder: String, Sendable, CaseIterable {
    case dmy, mdy
}

/// A date as a spreadsheet outside ISO countries writes it: "31.12.2026" (day first, as every country that
/// writes dots does) or "31/12/2026" and "12/31/2026" (either way round), with or without a time after it.
/// `import` reads it; the command line, which takes YYYY-MM-DD, names the day it means.
public struct NumericDate: Sendable {
    var first: Int, second: Int, year: Int
    var dotted: Bool

    public init?(_ raw: String) {
        let date = raw.split(separator: " ", maxSplits: 1).first.map(String.init) ?? raw
        // A time after it, as spreadsheets write one (09:30, 23:59:59, 11:59:59 PM): only a time of the clock.
        if raw.contains(" "), raw.split(separator: " ", maxSplits: 1)[1].wholeMatch(of: /([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?( ?[AaPp][Mm])?/) == nil { return nil }
        if let m = date.wholeMatch(of: /([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})/) {
            (first, second, year, dotted) = (Int(m.1)!, Int(m.2)!, Int(m.3)!, true)
        } else if let m = date.wholeMatch(of: /([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})/) {
            (first, second, year, dotted) = (Int(m.1)!, Int(m.2)!, Int(m.3)!, false)
        } else {
            return nil
        }
    }

    /// The day it is read day first, and month first: nil where that reading is no day, and a dotted date has
    /// only the first.
    public var readings: (dayFirst: Day?, monthFirst: Day?) {
        (Day(year: year, month: second, day: first), dotted ? nil : Day(year: year, month: first, day: second))
    }

    func day(in column: DateColumn, field: String, raw: String) throws(SchemaError) -> Day {
        let dayFirst: Bool
        if dotted {
            dayFirst = true
        } else {
            switch column {
            case .given(let order): dayFirst = order == .dmy
            case .read(let order, _): dayFirst = order == .dmy
            case .mixed(let dmyLine, let mdyLine):
                throw .invalidValue(field: field, value: raw, expected: "one way round in the whole column, and it has day-first dates (line \(dmyLine)) and month-first ones (line \(mdyLine)): write the dates as YYYY-MM-DD")
            case .undecided:
                // One reading a day of the calendar (13/05/2026, 00/05/2026), both the same day, or neither: no
                // choice to ask for.
                guard case let (asDay?, asMonth?) = readings, asDay != asMonth else { dayFirst = readings.dayFirst != nil; break }
                throw .invalidValue(field: field, value: raw, expected: "a date that reads one way (it may be \(asDay) or \(asMonth), and no date in the column tells): " +
                                    "give `--dates dmy` (day first) or `--dates mdy` (month first), or write YYYY-MM-DD")
            }
        }
        let (d, m) = dayFirst ? (first, second) : (second, first)
        guard let day = Day(year: year, month: m, day: d) else {
            let way = dotted ? "day.month.year" : dayFirst ? "day/month/year" : "month/day/year"
            throw .invalidValue(field: field, value: raw, expected: "a day of the calendar, read as \(way)")
        }
        return day
    }
}

/// What a date column's slashed dates say of their order.
enum DateColumn {
    case given(DateOrder)
    /// Read from a cell that can only be one way (a day past 12), on that line.
    case read(DateOrder, line: Int)
    case mixed(dmyLine: Int, mdyLine: Int)
    case undecided

    init(_ cells: [(line: Int, text: String)]) {
        var dmy: Int?, mdy: Int?
        for (line, text) in cells {
            guard let date = NumericDate(text), !date.dotted else { continue }
            if date.first > 12, date.second <= 12 { dmy = dmy ?? line }
            if date.second > 12, date.first <= 12 { mdy = mdy ?? line }
        }
        switch (dmy, mdy) {
        case let (d?, m?): self = .mixed(dmyLine: d, mdyLine: m)
        case let (d?, nil): self = .read(.dmy, line: d)
        case let (nil, m?): self = .read(.mdy, line: m)
        case (nil, nil): self = .undecided
        }
    }
}
