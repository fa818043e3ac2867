/// The report as Markdown, for the terminal or a wiki. Charts are HTML-only; their figures are in the tables.
public enum MarkdownReport {
    public static func render(_ doc: ReportDocument) -> String {
        var out = ["# \(doc.title)", "", doc.subtitle, ""]
        for section in doc.sections {
            out += ["## \(section.title)", ""]
            for block in section.blocks {
                switch block {
                case .paragraph(let text):
                    out += [text, ""]
                case .bullets(let items):
                    out += items.map { "- " + oneLine($0) } + [""]
                case .table(let header, let rows):
                    out.append("| " + header.map(cell).joined(separator: " | ") + " |")
                    out.append("|" + header.map { _ in " --- |" }.joined())
                    out += rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }
                    out.append("")
                case .subheading(let text):
                    out += ["### \(oneLine(text))", ""]
                case .quote(let text):
                    out += text.trimmed.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 } + [""]
                case .warning(let text):
                    out += ["**Warning:** \(oneLine(text))", ""]
                case .chart:
                    continue
                }
            }
        }
        while out.last == "" { out.removeLast() }
        return out.joined(separator: "\n") + "\n"
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// A table cell: one line, with pipes escaped so they do not split the cell.
    static func cell(_ text: String) -> String {
        var out = ""
        for c in oneLine(text) { if c == "|" { out += "\\|" } else { out.append(c) } }
        return out
    }
}
