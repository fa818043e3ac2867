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
        guard let first = text.unicodeScalars.first else { return text }
        // Text that starts with a quote before a formula character gets one more, so that `unguarded` gives
        // back the team's own quote ("'=already" stays itself through an export and an import).
        guard formulaStarts.contains(first) || first == "'" && text.unicodeScalars.dropFirst().first.map(formulaStarts.contains) == true else { return text }
        return "'" + text
    }

    /// Takes off the quote `guarded` put before a formula character; other text is as written.
    public static func unguarded(_ text: String) -> String {
        guard text.hasPrefix("'") else { return text }
        let rest = String(text.dropFirst())
        return guarded(rest) == text ? rest : text
    }

    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    public static func field(_ text: String) -> String {
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0.isNewline } || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
