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
        ("owner", ["Account Owner", "Owner", "Owner Name"]),
        ("tier", ["Tier", "Account Tier"]),
        ("revenue", ["Annual Revenue", "Revenue", "ARR"]),
        ("margin", ["Margin", "Gross Margin", "Margin %"]),
        ("customer_since", ["Customer Since", "Created Date", "Created"]),
        ("next_renewal", ["Next Renewal", "Renewal Date", "Contract End Date"]),
        ("archived", ["Archived"]),
    ]

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
        let ignored = header.indices.filter { columns[$0] == nil && !header[$0].isEmpty }.map { header[$0] }
        return (columns, ignored)
    }
}

/// One account to import: the id a Rapport export gave it (if any) and its field values.
public struct AccountImportRow: Sendable, Equatable {
    public var line: Int
    public var id: String?
    public var values: [String: FieldValue]

    public var name: String { values["name"]?.textValue ?? "" }
}

/// A checked account file: every row valid, or nothing.
public struct AccountImport: Sendable {
    public var rows: [AccountImportRow]
    public var ignoredColumns: [String]

    /// Checks every row against the account schema. Any bad row fails the whole file, with every problem
    /// listed by line, so that nothing of a file is half-imported.
    public init(_ table: CSVTable, entity: EntitySpec) throws(TransferError) {
        let (columns, ignored) = AccountColumns.resolve(table.header)
        guard columns.values.contains("name") else {
            throw .missingColumn(field: "account name", accepted: AccountColumns.mapping.first { $0.field == "name" }!.names)
        }
        var problems: [RowProblem] = []
        var rows: [AccountImportRow] = []
        var firstLine: [String: Int] = [:]
        for row in table.rows {
            if row.fields.count > table.header.count {
                problems.append(RowProblem(line: row.line, message: "\(row.fields.count) fields but the header names \(table.header.count) columns: quote values that hold commas"))
                continue
            }
            var parsed = AccountImportRow(line: row.line, id: nil, values: [:])
            for (index, field) in columns.sorted(by: { $0.key < $1.key }) {
                let raw = index < row.fields.count ? row.fields[index].trimmingCharacters(in: .whitespaces) : ""
                if field == "id" {
                    parsed.id = raw.isEmpty ? nil : raw
                    continue
                }
                guard !raw.isEmpty else { continue }
                do {
                    parsed.values[field] = try Self.parse(raw, spec: entity.field(field)!)
                } catch {
                    problems.append(RowProblem(line: row.line, message: "\(error)"))
                }
            }
            let name = parsed.name.trimmingCharacters(in: .whitespaces)
            if let problem = AccountName.problem(name) {
                problems.append(RowProblem(line: row.line, message: problem))
            } else if let first = firstLine[AccountName.key(name)] {
                problems.append(RowProblem(line: row.line, message: "\(name) is already on line \(first): one row per account"))
            } else {
                firstLine[AccountName.key(name)] = row.line
            }
            rows.append(parsed)
        }
        guard problems.isEmpty else { throw .rows(problems) }
        self.rows = rows
        self.ignoredColumns = ignored
    }

    /// A CRM's spelling of a value: currency signs and thousands separators on amounts, a time after a date,
    /// "Key" for key. Commas are taken as thousands separators only in the unambiguous 1,234,567.89 form.
    static func parse(_ raw: String, spec: FieldSpec) throws(SchemaError) -> FieldValue {
        switch spec.type {
        case .real:
            var t = raw.replacingOccurrences(of: " ", with: "")
            if let first = t.first, "$€£¥".contains(first) { t.removeFirst() }
            if t.range(of: #"^-?\d{1,3}(,\d{3})+(\.\d+)?[kKmMbB%]?$"#, options: .regularExpression) != nil {
                t = t.replacingOccurrences(of: ",", with: "")
            }
            return try spec.parse(t)
        case .date:
            guard let day = Day(raw) else { throw .invalidValue(field: spec.name, value: raw, expected: "a date YYYY-MM-DD") }
            return .text(day.description)
        default:
            return try spec.parse(raw)
        }
    }
}
