import Foundation

/// Writes CSV as RFC 4180 describes it: CRLF line ends, and a field quoted when it holds the delimiter (a comma
/// unless said), a quote or a line break (quotes doubled).
public enum CSVWriter {
    /// `delimiter` ";" and `byteOrderMark`: as Excel in a decimal-comma locale reads a file (it takes a file
    /// without the mark for its local 8-bit encoding: "Société" opened as "SociÃ©tÃ©").
    public static func document(header: [String], rows: [[String]], delimiter: Character = ",", byteOrderMark: Bool = false) -> String {
        (byteOrderMark ? "\u{FEFF}" : "") + ([header] + rows).map { line($0, delimiter: delimiter) }.joined(separator: "\r\n") + "\r\n"
    }

    public static func line(_ fields: [String], delimiter: Character = ",") -> String {
        fields.map { field($0, delimiter: delimiter) }.joined(separator: String(delimiter))
    }

    /// A number as a decimal-comma spreadsheet writes it: 1200000.5 as "1200000,5". One with three decimals
    /// and at most three digits before them gets a fourth ("1,1250" for 1.125): "1,125" reads as a thousand
    /// and more in a CRM's export, and `import` refuses it as either.
    public static func decimalComma(_ number: String) -> String {
        guard number.contains(".") else { return number }
        let comma = number.replacingOccurrences(of: ".", with: ",")
        return comma.wholeMatch(of: /-?\d{1,3},\d{3}/) != nil ? comma + "0" : comma
    }

    /// A text cell a spreadsheet would run as a formula (=, +, -, @, or a tab or carriage return before one)
    /// starts with a single quote, which spreadsheets take as "this is text" (OWASP's advice for CSV
    /// injection): a colleague's note `=HYPERLINK("https://…")` synced to everyone ran in whoever opened the
    /// export. `AccountImport` takes the quote off again, so an export still imports back as it was.
    public static func guarded(_ text: String) -> String {
        // Text that starts with quotes before a formula character gets one more, so that `unguarded` gives back
        // the team's own ("'=already" and "''=x" stay themselves through an export and an import).
        guard let first = text.unicodeScalars.drop(while: { $0 == "'" }).first, formulaStarts.contains(first) else { return text }
        return "'" + text
    }

    /// Takes off the quote `guarded` put before a formula character; other text is as written.
    public static func unguarded(_ text: String) -> String {
        guard text.hasPrefix("'") else { return text }
        let rest = String(text.dropFirst())
        return guarded(rest) == text ? rest : text
    }

    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    public static func field(_ text: String, delimiter: Character = ",") -> String {
        let needsQuotes = text.contains { $0 == delimiter || $0 == "\"" || $0.isNewline } || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
