import Foundation
import SwiftCSV

/// A CSV file read with SwiftCSV, each row with the line of the file it starts on, so that problems can be
/// reported as "line N".
public struct CSVTable: Sendable {
    public struct Row: Sendable, Equatable {
        /// The line of the file the row starts on (the header is line 1).
        public var line: Int
        public var fields: [String]
    }

    public var header: [String]
    public var rows: [Row]
    /// The delimiter the file was read with: a semicolon is how a spreadsheet in a decimal-comma locale saves one.
    public var delimiter: Character = ","

    /// The line of the first quote out of place by RFC 4180: inside a value that does not start with one, or
    /// followed by more text after it closes the value.
    static func strayQuoteLine(_ text: String, delimiter: Character) -> Int? {
        // SwiftCSV's rules: blanks may stand before an opening quote and after a closing one, and "" inside a
        // value that is not quoted is a quote.
        var line = 1, quoted = false, atStart = true, closed = false
        var chars = text.drop { $0 == "\u{FEFF}" }.makeIterator()
        var pending: Character?
        func next() -> Character? {
            defer { pending = nil }
            return pending ?? chars.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    let after = next()
                    if after == "\"" { continue }
                    quoted = false
                    closed = true
                    pending = after
                } else if c.isNewline {
                    line += 1
                }
                continue
            }
            if c == delimiter || c.isNewline {
                if c.isNewline { line += 1 }
                atStart = true
                closed = false
                continue
            }
            if c == " " || c == "\t" { continue }
            if closed { return line }
            if c == "\"" {
                if atStart {
                    quoted = true
                    atStart = false
                    continue
                }
                let after = next()
                if after == "\"" { continue }
                return line
            }
            atStart = false
        }
        return nil
    }

    /// Parses CSV text. The delimiter (comma, semicolon, tab) is guessed from the header line, as spreadsheet
    /// exports in some locales use semicolons. Blank lines are skipped but counted.
    public init(parsing text: String) throws(TransferError) {
        var all: [[String]] = []
        // Excel writes "sep=;" as a file's first line to say its delimiter: a line to skip, not a header.
        var text = text, first = 1
        // (A CR LF is one Character: the line ends at the first of either.)
        if let end = text.firstIndex(where: \.isNewline),
           text[..<end].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{FEFF}", with: "").wholeMatch(of: /(?i)sep=[,;\t|]/) != nil {
            text = String(text[text.index(after: end)...])
            first = 2
        }
        let guessed = CSVDelimiter.guessed(string: text)
        do {
            // SwiftCSV drops an empty last cell of a last line with no line break after it ("Globex," read as one
            // field); many writers end a file that way.
            let text = text.last?.isNewline == false ? text + "\n" : text
            let csv = try EnumeratedCSV(string: text, delimiter: guessed, loadColumns: false)
            try csv.enumerateAsArray(startAt: 0, rowLimit: nil) { fields in all.append(fields) }
        } catch {
            // SwiftCSV's own words ("Can't have non-quote here: c") name neither the row nor the fix.
            if case CSVParseError.quotation = error, let line = Self.strayQuoteLine(text, delimiter: guessed.rawValue) {
                throw .strayQuote(line: line + first - 1)
            }
            throw .unreadable("\(error)")
        }
        var line = first
        var parsed: [Row] = []
        for fields in all {
            parsed.append(Row(line: line, fields: fields))
            // A quoted field may hold line breaks; the next row starts that many lines further on.
            line += 1 + fields.reduce(0) { $0 + $1.filter(\.isNewline).count }
        }
        // SwiftCSV ends a quoted field that is never closed at the end of the file, so one stray quote would turn
        // every line after it into a single field. Every quote of a well-formed file opens or closes a field or
        // is half of a doubled quote, so an odd count means the last row's quote ran away.
        if text.utf8.lazy.filter({ $0 == UInt8(ascii: "\"") }).count % 2 == 1 {
            throw .unclosedQuote(line: parsed.last?.line ?? 1)
        }
        delimiter = guessed.rawValue
        guard let first = parsed.first, first.fields != [""] else { throw .noHeader }
        header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        rows = parsed.dropFirst().filter { $0.fields != [""] }
    }
}

/// Why a file could not be imported.
public enum TransferError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case noHeader
    case unclosedQuote(line: Int)
    case strayQuote(line: Int)
    case missingColumn(field: String, accepted: [String])
    /// The column names are on a later line: a CRM report's title lines come first.
    case headerBelow(line: Int)
    /// A Rapport export of a table whose rows belong to an account (its `account` and `account_name` columns):
    /// read as accounts, its people's names became account names.
    case otherTable
    case rows([RowProblem])

    /// How many of a file's row problems are listed before the rest are counted.
    public static let shownProblems = 20

    public var description: String {
        switch self {
        case .unreadable(let reason):
            "the file is not readable CSV (\(reason)): check its quoting"
        case .strayQuote(let line):
            "line \(line): a quote inside a value that is not quoted as a whole, or text right after a closing quote " +
                "(12\" pipe, \"ab\"c); nothing was imported: quote the whole value and double each quote inside it (\"12\"\" pipe\"), then import the file again"
        case .noHeader:
            "the file has no header line: the first line must name the columns"
        case .unclosedQuote(let line):
            "line \(line): a quoted field is never closed (a \" without its closing \"), so the rest of the file would be read as one field; nothing was imported: fix the quoting (a quote inside a quoted field is written \"\") and import the file again"
        case .missingColumn(let field, let accepted):
            "no column for the \(field): name one of \(accepted.map { "'\($0)'" }.joined(separator: ", "))"
        case .headerBelow(let line):
            "line 1 does not name the columns (a report's title?), line \(line) does: remove the line\(line > 2 ? "s" : "") above it, then import the file again"
        case .otherTable:
            "the file is an export of another table (its 'account' and 'account_name' columns name the account each row belongs to), " +
                "not of accounts; nothing was imported: `import accounts` takes one row per account, as `rapport export accounts` writes them"
        case .rows(let problems):
            // A wrong column makes every row wrong the same way: thousands of lines would bury the first ones.
            problems.prefix(Self.shownProblems).map(\.description).joined(separator: "\n")
                + (problems.count > Self.shownProblems ? "\n... and \(problems.count - Self.shownProblems) more problems" : "")
                + "\nnothing was imported: fix \(problems.count == 1 ? "this line" : "these lines") and import the file again"
        }
    }
}

/// A row that cannot be imported, by its line in the file.
public struct RowProblem: Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
