/// The report as one self-contained HTML file: inline CSS and inline SVG charts, no scripts and no links
/// to fetch, so it opens from an e-mail attachment on a plane.
public enum HTMLReport {
    static let style = """
        body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45;overflow-wrap:anywhere}
        h1{margin-bottom:.2rem}.subtitle{color:#666;margin-top:0}
        h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
        table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}
        th{background:#f5f5f5}blockquote{margin:.4rem 0 1rem;padding:.4rem .8rem;border-left:3px solid #ccc;background:#fafafa;white-space:pre-wrap}
        .warning{background:#fff4e5;border-left:3px solid #f0a020;padding:.4rem .8rem}
        .healthy{color:#1a7f37;font-weight:600}.watch{color:#b26a00;font-weight:600}.at-risk{color:#c62828;font-weight:600}
        svg{display:block;margin:.5rem 0 1rem;max-width:100%;height:auto}svg .chart-title{font-size:13px;font-weight:600}svg .axis{font-size:11px;fill:#555}
        """

    public static func render(_ doc: ReportDocument) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(doc.title))</title>
            <style>
            \(style)
            </style>
            </head>
            <body>
            <h1>\(HTML.escape(doc.title))</h1>
            <p class="subtitle">\(HTML.escape(doc.subtitle))</p>

            """
        for section in doc.sections {
            out += "<section>\n<h2>\(HTML.escape(section.title))</h2>\n"
            for block in section.blocks {
                out += render(block) + "\n"
            }
            out += "</section>\n"
        }
        return out + "</body>\n</html>\n"
    }

    static func render(_ block: ReportDocument.Block) -> String {
        switch block {
        case .paragraph(let text):
            return "<p>\(HTML.inline(text))</p>"
        case .bullets(let items):
            return "<ul>" + items.map { "<li>\(HTML.inline($0))</li>" }.joined() + "</ul>"
        case .table(let header, let rows):
            let head = "<tr>" + header.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr>"
            let body = rows.map { row in "<tr>" + row.map(cell).joined() + "</tr>" }.joined(separator: "\n")
            return "<table>\n\(head)\n\(body)\n</table>"
        case .subheading(let text):
            return "<h3>\(HTML.escape(text))</h3>"
        case .quote(let text):
            return "<blockquote>\(HTML.escape(text.withoutBlankEnds))</blockquote>"
        case .warning(let text):
            return "<p class=\"warning\">\(HTML.inline(text))</p>"
        case .chart(let chart):
            return chart.svg
        }
    }

    /// Health bands are coloured so a scorecard reads at a glance.
    static func cell(_ text: String) -> String {
        let band = ["healthy", "watch", "at-risk"].contains(text) ? " class=\"\(text)\"" : ""
        return "<td\(band)>\(HTML.escape(text))</td>"
    }
}
