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
                    // A heading's closing #s are not its text: "Ticket #" lost its "#".
                    let line = inert(oneLine(text))
                    out += ["### \(line.hasSuffix("#") ? line.dropLast() + "\\#" : line)", ""]
                case .quote(let text):
                    out += inert(text.withoutBlankEnds, codeSpans: false).split(separator: "\n", omittingEmptySubsequences: false).map { "> " + $0 } + [""]
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
    /// backslash is the lightest mark that a terminal reader still reads past. Likewise every `[` of a text
    /// that may hold a link or image (`](`, `][`, `]:`, judged on the whole text, whose lines a link may
    /// span): a note's `![x](https://…)` made the viewer fetch that address (a tracking image) and `[text](…)`
    /// put a link under words that name another; "[draft]" stays. A backslash typed before what is escaped is
    /// escaped too (`\[` became `\\[`: a shown backslash before a live bracket).
    ///
    /// `codeSpans`: a run of backticks opens a code span that the next run of the same length closes, as
    /// CommonMark pairs them, and the span is left as typed. Off for the team's free text (quoted notes), whose
    /// spans end where paragraph breaks say, which this does not follow: text wrongly taken for code here would
    /// come alive there.
    static func inert(_ text: String, codeSpans: Bool = true) -> String {
        let links = text.contains("](") || text.contains("][") || text.contains("]:")
        guard text.contains("<") || links else { return text }
        let chars = Array(text)
        func run(at i: Int) -> Int {
            var n = 0
            while i + n < chars.count, chars[i + n] == "`" { n += 1 }
            return n
        }
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            // A backslash before a backtick or a backslash is CommonMark's escape: "\`" is a backtick that opens
            // no code span (taken for one, the tag after it was left live), and "\\" a backslash that escapes nothing.
            if c == "\\", i + 1 < chars.count, chars[i + 1] == "`" || chars[i + 1] == "\\" {
                out.append(c)
                out.append(chars[i + 1])
                i += 2
                continue
            }
            if c == "`", codeSpans {
                let opening = run(at: i)
                // The closing run: the next run of exactly as many backticks.
                var j = i + opening
                while j < chars.count {
                    if chars[j] == "`" {
                        let length = run(at: j)
                        if length == opening { break }
                        j += length
                    } else {
                        j += 1
                    }
                }
                let end = j < chars.count ? j + opening : i + opening
                out += String(chars[i..<end])
                i = end
                continue
            }
            let next = i + 1 < chars.count ? chars[i + 1] : nil
            let tag = { (n: Character) in n.isLetter || n == "/" || n == "!" || n == "?" }
            if c == "<", let n = next, tag(n) { out += "\\" }
            if c == "[", links { out += "\\" }
            if c == "\\", let n = next, n == "[" && links || n == "<" && (i + 2 < chars.count && tag(chars[i + 2])) { out += "\\" }
            out.append(c)
            i += 1
        }
        return out
    }
}
