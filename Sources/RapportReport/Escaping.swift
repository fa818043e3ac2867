import Foundation

/// Escaping for text placed in HTML, so that notes with `<`, `&` or quotes show as written.
public enum HTML {
    /// Escaped text whose `code spans` (the commands the report suggests) become <code>: left as they were,
    /// the HTML showed the Markdown's backticks.
    public static func inline(_ text: String) -> String {
        let parts = escape(text).split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return escape(text) }
        var out = ""
        for (i, part) in parts.enumerated() {
            // Odd pieces sit between two backticks; a last one without its closing backtick stays as typed.
            if i % 2 == 1, i < parts.count - 1 { out += "<code>\(part)</code>" } else { out += (i % 2 == 1 ? "`" : "") + part }
        }
        return out
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// Numbers as a report shows them.
public enum Figures {
    /// At most two decimals, no trailing zeros: 12, 12.5, 0.33.
    /// A figure under a hundredth keeps two significant digits instead: a rate of 0.0049 against a target of
    /// 0.005 read "0 against 0.01".
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        // Below this it is arithmetic's noise (a change of 5.6e-17 between equal readings), not a figure.
        if abs(v) < 1e-9 { return "0" }
        if abs(v) < 0.01 {
            let decimals = Int((-log10(abs(v))).rounded(.up)) + 1
            return String(format: "%.\(decimals)f", v).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
        }
        let r = (v * 100).rounded() / 100
        // Whole figures past Int64's exact range print through the format, without a stray "." after them.
        if r == r.rounded() { return abs(r) < 1e15 ? String(Int64(r)) : String(format: "%.0f", r) }
        return String(format: "%.2f", r).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }

    /// A value with its unit: "12%", "1,500,000 EUR"; thousands are grouped from 10,000 on.
    /// `groupingFrom`: the size from which thousands are grouped; money (a revenue) from 1,000, as the pipeline's
    /// amounts print beside it.
    /// `alike`: figures shown beside this one, grouped alike: "from 8000 to 10,000" read as two kinds of number,
    /// so where one of them runs to five digits, each is grouped from four.
    public static func amount(_ v: Double?, unit: String, alike: [Double?]) -> String {
        amount(v, unit: unit, groupingFrom: ([v] + alike).contains { $0.map { abs($0) >= 9_999.995 } ?? false } ? 1_000 : 10_000)
    }

    public static func amount(_ v: Double?, unit: String, groupingFrom: Double = 10_000) -> String {
        guard let v else { return "-" }
        var figure = number(v)
        // The figure as it prints decides (9999.996 prints 10000).
        let parts = figure.split(separator: ".", maxSplits: 1)
        if let whole = Double(parts[0]), abs(whole) >= groupingFrom {
            figure = money(whole) + (parts.count > 1 ? "." + parts[1] : "")
        }
        return unit.isEmpty ? figure : unit == "%" ? figure + "%" : figure + " " + unit
    }

    /// What follows an open pipeline's value when some of its opportunities have none: " (2 without a value)",
    /// so that a total of 0 over three opportunities is not read as three worth nothing.
    public static func unvalued(_ count: Int) -> String {
        count == 0 ? "" : " (\(count) without a value)"
    }

    /// Money in thousands separators: 1,250,000.
    public static func money(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        // Rounded to a whole, an amount under one read as nothing (0.4) or as twice itself (0.5 as 1).
        if v != 0, abs(v) < 1 { return number(v) }
        // Printed from the Double, not through Int64: a figure past 9.2e18 (a typo of a few zeros, or a
        // teammate's) must print, not stop every report and pipeline that shows it.
        let whole = v.rounded()
        var digits = String(format: "%.0f", abs(whole))
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(digits, at: 0)
        return (whole < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}
