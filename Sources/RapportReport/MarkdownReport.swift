/// The report as Markdown, for the terminal or a wiki. Charts are HTML-only; their figures are in the tables.
public enum MarkdownReport {
    public static func render(_ doc: ReportDocument) -> String {
        var out = ["# \(inert(doc.title))", "", inert(doc.subtitle), ""]
        for section in doc.sections {
            out += ["## \(inert(section.title))", ""]
            for block in section.blocks {
                switch block {
                case .paragraph(let text):
                    out += [inert(text), ""]
                case .bullets(let items):
                    out += items.map { "- " + inert(oneLine($0)) } + [""]
                case .table(let header, let rows):
                    out.append("| " + header.map(cell).joined(separator: " | ") + " |")
                    out.append("|" + header.map { _ in " --- |" }.joined())
                    out += rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }
                    out.append("")
                case .subheading(let text):
                    out += ["### \(inert(oneLine(text)))", ""]
                case .quote(let text):
                    out += text.trimmed.split(separator: "\n", omittingEmptySubsequences: false).map { "> " + inert(String($0)) } + [""]
                case .warning(let text):
                    out += ["**Warning:** \(inert(oneLine(text)))", ""]
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
        for c in inert(oneLine(text)) { if c == "|" { out += "\\|" } else { out.append(c) } }
        return out
    }

    /// Text with every `<` that could open an HTML tag, comment or autolink escaped (`\<`), outside the code
    /// spans the report suggests commands in. Names and notes come from the whole team: a Markdown viewer
    /// would hide "Acme <Europe>" as an unknown tag, and run the markup of a note that holds some. The
    /// backslash is the lightest mark that a terminal reader still reads past. Likewise every `[` of a piece
    /// that may hold a link or image (`](`, `][`, `]:`): a note's `![x](https://…)` made the viewer fetch that
    /// address (a tracking image) and `[text](…)` put a link under words that name another; "[draft]" stays.
    static func inert(_ text: String) -> String {
        func mayLink(_ s: some StringProtocol) -> Bool { s.contains("](") || s.contains("][") || s.contains("]:") }
        guard text.contains("<") || mayLink(text) else { return text }
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)
        var out = ""
        for (i, part) in parts.enumerated() {
            if i > 0 { out += "`" }
            // Odd pieces sit between two backticks, in a code span, where a backslash would show as typed; a
            // last one without its closing backtick is plain text.
            if i % 2 == 1, i < parts.count - 1 { out += part; continue }
            let links = mayLink(part)
            var chars = part.makeIterator()
            var next = chars.next()
            while let c = next {
                next = chars.next()
                if c == "<", let n = next, n.isLetter || n == "/" || n == "!" || n == "?" { out += "\\" }
                if c == "[", links { out += "\\" }
                out.append(c)
            }
        }
        return out
    }
}
