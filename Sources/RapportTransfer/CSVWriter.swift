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

    public static func field(_ text: String) -> String {
        let needsQuotes = text.contains { $0 == "," || $0 == "\"" || $0.isNewline } || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
