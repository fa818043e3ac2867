import Foundation

/// Names one slip apart, for "did you mean": a misspelt account name ("Northwnd") or user ("alcie") found
/// nothing, or something else, and the message named no way on.
public enum Spelling {
    /// Edits (a letter added, dropped or changed) that take `a` to `b`, ignoring case: Levenshtein's distance.
    public static func distance(_ a: String, _ b: String) -> Int {
        let (x, y) = (Array(a.lowercased()), Array(b.lowercased()))
        guard !x.isEmpty else { return y.count }
        guard !y.isEmpty else { return x.count }
        // One row of the table at a time.
        var row = Array(0...y.count)
        for i in 1...x.count {
            var next = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                next[j] = min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            row = next
        }
        return row[y.count]
    }

    /// Whether `typed` is one slip from `name`: the same but for case, or for names of four letters or more,
    /// two edits at most ("alcie" for "alice"; not "bob" for "rob", two people).
    public static func isSlip(_ typed: String, of name: String) -> Bool {
        if typed.lowercased() == name.lowercased() { return true }
        return min(typed.count, name.count) >= 4 && distance(typed, name) <= 2
    }

    /// The names `typed` may have meant, closest first, at most `limit`: a slip of the whole name, or of its
    /// start (names are found by their start, so "Northwnd" means "Northwind Traders"). Starts are compared
    /// over the typed length give or take two letters; a start of fewer than four letters is no guess.
    public static func suggestions(for typed: String, among names: [String], limit: Int = 3) -> [String] {
        let typed = typed.trimmingCharacters(in: .whitespaces)
        guard typed.count >= 4 else { return [] }
        let allowed = typed.count >= 8 ? 2 : 1
        var scored: [(name: String, edits: Int)] = []
        for name in Set(names) {
            let (shortest, longest) = (max(1, typed.count - 2), min(name.count, typed.count + 2))
            guard shortest <= longest else { continue }
            let edits = (shortest...longest).map { distance(typed, String(name.prefix($0))) }.min() ?? .max
            if edits <= allowed { scored.append((name, edits)) }
        }
        return scored.sorted { ($0.edits, $0.name) < ($1.edits, $1.name) }.prefix(limit).map(\.name)
    }
}
