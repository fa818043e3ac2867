/// A line diff of two texts, as people read them: unchanged lines with two spaces, removed ones with
/// "- ", added ones with "+ ". Built on the standard library's `CollectionDifference`.
enum LineDiff {
    static func lines(from old: String, to new: String) -> [String] {
        // An empty text has no lines, not one empty line: a version against no base began with a stray "- ".
        func lines(_ text: String) -> [String] { text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        let a = lines(old), b = lines(new)
        let difference = b.difference(from: a)
        var removed = Set<Int>()
        var inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var out: [String] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, removed.contains(i) {
                out.append("- " + a[i]); i += 1
            } else if j < b.count, inserted.contains(j) {
                out.append("+ " + b[j]); j += 1
            } else {
                if i < a.count { out.append("  " + a[i]) }
                i += 1; j += 1
            }
        }
        return out
    }
}

/// The git-style merge template a conflict opens in the editor, and the check that no marker is left.
enum MergeTemplate {
    struct Side {
        var label: String
        var text: String
    }

    static func render(base: String?, sides: [Side]) -> String {
        var out = "<<<<<<< \(sides[0].label)\n" + terminated(sides[0].text)
        if let base { out += "||||||| base\n" + terminated(base) }
        for (index, side) in sides.enumerated().dropFirst() {
            // Two sides take git's layout. A side between others is named on its separator: the text between
            // two bare separators (a third person's version) said nowhere whose it was.
            let last = index == sides.count - 1
            out += (last ? "=======\n" : "======= \(side.label)\n") + terminated(side.text)
            if last { out += ">>>>>>> \(side.label)\n" }
        }
        return out
    }

    static let markers = ["<<<<<<<", "|||||||", "=======", ">>>>>>>"]

    /// The line numbers (from 1) of conflict markers left in a resolved text.
    ///
    /// A line that one of the versions already held (`content`: a Markdown rule of equals signs, say) is the
    /// team's text, not a marker. Nor is a line of equals signs alone in a text without a "<<<<<<<" or
    /// ">>>>>>>" line: a heading underlined in Markdown was refused. (A separator with its version's label,
    /// as the template writes it, is a marker wherever it stands.)
    static func unresolvedMarkers(in text: String, content: [String] = []) -> [Int] {
        let written = Set(content.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false) })
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let fenced = lines.contains { line in (line.hasPrefix("<<<<<<<") || line.hasPrefix(">>>>>>>")) && !written.contains(line) }
        return lines.enumerated().compactMap { index, line in
            guard markers.contains(where: { line.hasPrefix($0) }), !written.contains(line) else { return nil }
            let underline = line.trimmingCharacters(in: .whitespaces).allSatisfy { $0 == "=" }
            return underline && !fenced ? nil : index + 1
        }
    }

    private static func terminated(_ text: String) -> String {
        text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
    }
}
