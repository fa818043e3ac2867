import Crypto

/// Deterministic row ids for rows that two managers could create offline for the same logical thing:
/// both then write the same row, and the per-field merge keeps one, instead of a duplicate each.
public enum RowKeys {
    /// The protocol's limit on a row id.
    public static let maxBytes = 128

    /// A criterion is identified by its name, folded: "Growth potential" and "growth-potential" are one.
    public static func criterion(name: String) -> String? {
        var slug = ""
        for ch in name.lowercased() {
            if ch.isLetter || ch.isNumber {
                slug.append(ch)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        while slug.last == "-" { slug.removeLast() }
        guard !slug.isEmpty else { return nil }
        return bounded([slug])
    }

    /// One account's score on one criterion.
    public static func score(account: String, criterion: String) -> String { bounded([account, criterion]) }

    /// A KPI's reading on one day: recording the same day twice corrects it.
    public static func reading(kpi: String, date: Day) -> String { bounded([kpi, date.description]) }

    /// An account's recorded scorecard for one month.
    public static func scorecard(account: String, month: Month) -> String { bounded([account, month.description]) }

    /// A hand override of one health area of one account's month.
    public static func override(account: String, month: Month, area: HealthArea) -> String {
        bounded([account, month.description, area.rawValue])
    }

    /// The id a removed record comes back under. A removal stands for good (its tombstone wins over every edit on
    /// every replica), so a restored record is a new one; its id is made of the removed one's, so that two people
    /// who restore it apart, offline, restore one record. Shaped as the random ids are (a UUID, version 5 for
    /// one made of a name), so that it is typed and shortened as they are.
    public static func restored(from id: String) -> String {
        var bytes = Array(SHA256.hash(data: Array("restored/\(id)".utf8)).prefix(16))
        bytes[6] = bytes[6] & 0x0f | 0x50
        bytes[8] = bytes[8] & 0x3f | 0x80
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        var id = ""
        for (i, ch) in hex.enumerated() {
            if [8, 12, 16, 20].contains(i) { id.append("-") }
            id.append(ch)
        }
        return id
    }

    /// The parts joined with "/", or their SHA-256 when that would exceed the protocol's 128 bytes (ids made
    /// by other clients may be long); either way the same parts always give the same id.
    static func bounded(_ parts: [String]) -> String {
        let joined = parts.joined(separator: "/")
        if joined.utf8.count <= maxBytes { return joined }
        let digest = SHA256.hash(data: Array(joined.utf8))
        return "h-" + digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
