import Foundation

/// Writes CSV as RFC 4180 describes it: CRLF line ends, and a field quoted when it holds a comma, a quote or
/// a line break (quotes doubled).
public enum CSVWriter {
    public static func document(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map(line).joined(separator: "\r\n") + "\r\n"
    }

    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",")
    }

    /// A text cell a spreadsheet would run as a formula (=, +, -, @, or a tab or carriage return before one)
    /// starts with a single quote, which spreadsheets take as "this is text" (OWASP's advice for CSV
    /// injection): a colleague's note `=HYPERLINK("https://…")` synced to everyone ran in whoever opened the
    /// export. `AccountImport` takes the quote off again, so an export still imports back as it was.
    public static func guarded(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, formulaStarts.contains(first) else { return text }
        return "'" + text
    }

    /// Takes off the quote `guarded` put before a formula character; other text is as written.
    public static func unguarded(_ text: String) -> String {
        guard text.hasPrefix("'"), let second = text.unicodeScalars.dropFirst().first, formulaStarts.contains(second) else { return text }
        return String(text.dropFirst())
    }

    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    public static func field(_ text: String) -> String {
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0.isNewline } || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
