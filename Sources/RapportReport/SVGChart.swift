import Foundation

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
        let (lo, hi, step) = yRange.map { ($0.lowerBound, $0.upperBound, ($0.upperBound - $0.lowerBound) / 4) }
            ?? Self.niceScale(ys.min() ?? 0, ys.max() ?? 1)
        let plotW = width - Self.left - Self.right, plotH = height - Self.top - Self.bottom
        // Points keep clear of the frame so that the first and last labels are not cut off.
        let inset = 28.0
        func px(_ x: Double) -> Double { Self.left + inset + (x - minX) / (maxX - minX) * (plotW - 2 * inset) }
        func py(_ y: Double) -> Double { Self.top + (hi - y) / (hi - lo) * plotH }

        // Inline SVG in HTML needs no namespace attribute, which keeps the file free of any URL.
        var out = "<svg role=\"img\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\">"
        out += "<title>\(HTML.escape(title))</title>"
        out += "<text x=\"\(n(Self.left))\" y=\"16\" class=\"chart-title\">\(HTML.escape(title))</text>"
        out += "<rect x=\"\(n(Self.left))\" y=\"\(n(Self.top))\" width=\"\(n(plotW))\" height=\"\(n(plotH))\" fill=\"none\" stroke=\"#ccc\"/>"
        // By count, not by adding steps: a step below the precision of figures this large never moves on.
        for i in 0...min(Int(((hi - lo) / step).rounded()), 20) {
            let y = lo + Double(i) * step
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

    /// A y range that starts and ends on round numbers, with a round step between grid lines (1, 2 or 5
    /// times a power of ten), so the axis reads 10, 12, 14 rather than 9.25, 10.88.
    static func niceScale(_ minY: Double, _ maxY: Double) -> (Double, Double, Double) {
        // Values are bounded where they are entered, but a file written before (or by another version) may hold
        // any finite figure, and a range that overflowed to infinity made the axis loop for ever.
        let bound = 1e300
        var lo = min(max(minY.isFinite ? minY : 0, -bound), bound), hi = min(max(maxY.isFinite ? maxY : 0, -bound), bound)
        if hi - lo < 1e-9 { lo -= max(abs(lo) * 0.1, 1); hi += max(abs(hi) * 0.1, 1) }
        let raw = (hi - lo) / 4
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        return ((lo / step).rounded(.down) * step, (hi / step).rounded(.up) * step, step)
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
