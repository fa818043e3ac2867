import Foundation

/// Names one slip apart, for "did you mean": a misspelt account name ("Northwnd") or user ("alcie") found
/// nothing, or something else, and the message named no way on.
public enum Spelling {
    /// Edits (a letter added, dropped or changed, or two neighbours swapped) that take `a` to `b`, ignoring
    /// case: the optimal string alignment distance ("alcie" is one slip from "alice", not two).
    public static func distance(_ a: String, _ b: String) -> Int {
        let (x, y) = (Array(a.lowercased()), Array(b.lowercased()))
        return toPrefixes(x, of: y)[y.count]
    }

    /// The distance from `x` to each start of `y` (index j: its first j characters): the last row of the
    /// table, so that every start is compared in one pass.
    static func toPrefixes(_ x: [Character], of y: [Character]) -> [Int] {
        var row = Array(0...y.count), before: [Int] = []
        guard !x.isEmpty else { return row }
        // One row of the table at a time, keeping the one before it for swaps.
        for i in 1...x.count {
            var next = [i] + Array(repeating: 0, count: y.count)
            for j in 1..<(y.count + 1) {
                next[j] = min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { next[j] = min(next[j], before[j - 2] + 1) }
            }
            (before, row) = (row, next)
        }
        return row
    }

    /// Whether `typed` is one slip from `name`: the same but for case, or for names of four letters or more,
    /// one edit, or two from eight letters, as `suggestions` takes them ("alcie" for "alice"; not "bob" for
    /// "rob", nor "alex" for "alan": two people).
    public static func isSlip(_ typed: String, of name: String) -> Bool {
        if typed.lowercased() == name.lowercased() { return true }
        let shorter = min(typed.count, name.count)
        return shorter >= 4 && distance(typed, name) <= (shorter >= 8 ? 2 : 1)
    }

    /// The one word of a short list (a field's choices, an entity's fields) that `typed` is a slip of: one edit
    /// from three letters ("kye": key), two from five ("thier": theirs, "catalog": catalogue); or, of none, the
    /// one whose start or whose part it is ("raised": raised_on, "contact": last_contact). Nil when none is, or
    /// two are equally near that mean different things (`meaning`: "watchd" is one slip from "watch" and
    /// "watched", both names of watching); never the word a negation names ("unresolved": resolved). Spaces,
    /// hyphens and underscores do not count ("decison maker": decision-maker). A list people choose from is
    /// short, so a short word is a fair guess here, where a name is not. The word returned is the one matched;
    /// `meaning` of it is what it stands for.
    public static func likely(_ typed: String, among words: [String], meaning: (String) -> String = { $0 }) -> String? {
        func one(_ candidates: [String]) -> String? { Set(candidates.map(meaning)).count == 1 ? candidates.first : nil }
        func letters(_ s: String) -> String { s.lowercased().filter { !"- _/".contains($0) } }
        let t = letters(typed)
        guard t.count >= 3 else { return nil }
        // A word's negation is no slip of it: "unmet" is not met, "incomplete" not complete.
        // (Not a word that itself begins as one does: "imfluencer" is a slip of influencer.)
        let prefixes = ["un", "non", "not", "in", "im", "dis"]
        let near = words.map { (word: $0, edits: distance(t, letters($0))) }.filter { $0.edits <= (t.count >= 5 ? 2 : 1) }
            .filter { candidate in
                let word = letters(candidate.word)
                return prefixes.contains(where: word.hasPrefix) || !prefixes.contains { prefix in
                    let rest = String(t.dropFirst(prefix.count))
                    return t.hasPrefix(prefix) && distance(rest, word) <= (rest.count >= 5 ? 2 : 1)
                }
            }
        if let best = near.map(\.edits).min() {
            return one(near.filter { $0.edits == best }.map(\.word))
        }
        guard t.count >= 4 else { return nil }
        let parts = words.filter { word in
            letters(word).hasPrefix(t) || word.lowercased().split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == " " }).contains { letters(String($0)) == t }
        }
        return one(parts)
    }

    /// The names `typed` may have meant, closest first, at most `limit`: a slip of the whole name, or of its
    /// start (names are found by their start, so "Northwnd" means "Northwind Traders"). Starts are compared
    /// over the typed length give or take two letters; a start of fewer than four letters is no guess.
    public static func suggestions(for typed: String, among names: [String], limit: Int = 3) -> [String] {
        let typed = typed.trimmingCharacters(in: .whitespaces)
        guard typed.count >= 4 else { return [] }
        let allowed = typed.count >= 8 ? 2 : 1
        let x = Array(typed.lowercased())
        // Of very many (a replica's 200,000 note titles), those that begin with the same letter: a slip there
        // is rarer than the time every title would take.
        let candidates = Set(names)
        let compared = candidates.count > 20_000 ? candidates.filter { $0.lowercased().first == x.first } : candidates
        var scored: [(name: String, edits: Int)] = []
        for name in compared {
            let lower = Array(name.lowercased())
            let (shortest, longest) = (max(1, x.count - 2), min(lower.count, x.count + 2))
            guard shortest <= longest else { continue }
            let row = toPrefixes(x, of: Array(lower.prefix(longest)))
            let edits = row[shortest...longest].min() ?? .max
            if edits <= allowed { scored.append((name, edits)) }
        }
        return scored.sorted { ($0.edits, $0.name) < ($1.edits, $1.name) }.prefix(limit).map(\.name)
    }
}
