/// A report as a renderer sees it: titled sections of plain blocks, so the Markdown and the HTML versions say
/// the same things.
public struct ReportDocument: Sendable {
    public enum Block: Sendable {
        case paragraph(String)
        case bullets([String])
        case table(header: [String], rows: [[String]])
        case subheading(String)
        /// Free text as written (notes), shown apart from the report's own words.
        case quote(String)
        /// A warning the reader should not miss.
        case warning(String)
        /// Drawn in the HTML version only; Markdown shows the table beside it.
        case chart(LineChart)
    }

    public struct Section: Sendable {
        public var title: String
        public var blocks: [Block]
    }

    public var title: String
    public var subtitle: String
    public var sections: [Section]
}
