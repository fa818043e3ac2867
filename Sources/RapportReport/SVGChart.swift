import RapportKAM

/// A line chart drawn as inline SVG: no scripts, no fonts to fetch, readable in any browser offline.
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var colour: String
        public var points: [(x: Double, y: Double)]
        /// Drawn dashed, without point markers (a target line).
        public var dashed: Bool

        public init(name: String, colour: String, points: [(x: Double, y: Double)], dashed: Bool = false) {
            self.name = name
            self.colour = colour
            self.points = points
            self.dashed = dashed
        }
    }

    public var title: String
    public var series: [Series]
    /// Labels under the x axis at the given x positions.
    public var xLabels: [(x: Double, label: String)]
    /// A fixed y range (0...100 for health); otherwise the data's range with some room.
    public var yRange: ClosedRange<Double>?
    public var width = 560.0
    public var height = 220.0

    public init(title: String, series: [Series], xLabels: [(x: Double, label: String)], yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.series = series
        self.xLabels = xLabels
        self.yRange = yRange
    }

    static let left = 48.0, right = 12.0, top = 28.0, bottom = 40.0

    public var svg: String {
        let xs = series.flatMap { $0.points.map(\.x) } + xLabels.map(\.x)
        let ys = series.flatMap { $0.points.map(\.y) }
        let minX = xs.min() ?? 0, maxX = max(xs.max() ?? 1, (xs.min() ?? 0) + 1)
        var lo = yRange?.lowerBound ?? (ys.min() ?? 0), hi = yRange?.upperBound ?? (ys.max() ?? 1)
        if yRange == nil {
            let pad = max((hi - lo) * 0.1, abs(hi) * 0.05, 1e-9)
            lo -= pad
            hi += pad
        }
        let plotW = width - Self.left - Self.right, plotH = height - Self.top - Self.bottom
        func px(_ x: Double) -> Double { Self.left + (x - minX) / (maxX - minX) * plotW }
        func py(_ y: Double) -> Double { Self.top + (hi - y) / (hi - lo) * plotH }

        // Inline SVG in HTML needs no namespace attribute, which keeps the file free of any URL.
        var out = "<svg role=\"img\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\">"
        out += "<title>\(HTML.escape(title))</title>"
        out += "<text x=\"\(n(Self.left))\" y=\"16\" class=\"chart-title\">\(HTML.escape(title))</text>"
        out += "<rect x=\"\(n(Self.left))\" y=\"\(n(Self.top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\" fill=\"none\" stroke=\"#ccc\"/>"
        for i in 0...4 {
            let y = lo + (hi - lo) * Double(i) / 4
            out += "<line x1=\"\(n(Self.left))\" x2=\"\(n(Self.left + plotW))\" y1=\"\(n(py(y)))\" y2=\"\(n(py(y)))\" stroke=\"#eee\"/>"
            out += "<text x=\"\(n(Self.left - 6))\" y=\"\(n(py(y) + 4))\" text-anchor=\"end\" class=\"axis\">\(HTML.escape(Self.short(y)))</text>"
        }
        for label in xLabels {
            out += "<text x=\"\(n(px(label.x)))\" y=\"\(n(Self.top + plotH + 16))\" text-anchor=\"middle\" class=\"axis\">\(HTML.escape(label.label))</text>"
        }
        for s in series where !s.points.isEmpty {
            let path = s.points.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(path)\"/>"
            if !s.dashed {
                for p in s.points {
                    out += "<circle cx=\"\(n(px(p.x)))\" cy=\"\(n(py(p.y)))\" r=\"3\" fill=\"\(s.colour)\"><title>\(HTML.escape("\(s.name): \(Self.short(p.y))"))</title></circle>"
                }
            }
        }
        var legendX = Self.left
        for s in series {
            out += "<rect x=\"\(n(legendX))\" y=\"\(n(height - 14))\" width=\"10\" height=\"10\" fill=\"\(s.colour)\"/>"
            out += "<text x=\"\(n(legendX + 14))\" y=\"\(n(height - 5))\" class=\"axis\">\(HTML.escape(s.name))</text>"
            legendX += 24 + Double(s.name.count) * 7
        }
        return out + "</svg>"
    }

    /// Coordinates with at most one decimal, so the file stays small and stable.
    func n(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    static func short(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1e6 { return Figures.number(v / 1e6) + "m" }
        if a >= 1e4 { return Figures.number(v / 1e3) + "k" }
        return Figures.number(v)
    }
}
