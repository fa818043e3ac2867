import Foundation

/// What makes an account name usable: every command finds an account by its name, so a name is one line, of a
/// length a table can show, and no other account's. `account add`, `account set` and `import accounts` hold
/// names to the same rules.
public enum AccountName {
    public static let maxLength = 200

    /// Why `name` (already trimmed) cannot name an account, or nil when it can.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "the account name cannot be empty" }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "the account name must be one line, without tabs or control characters"
        }
        if name.count > maxLength { return "the account name is \(name.count) characters long: give at most \(maxLength)" }
        return nil
    }

    /// Two names are one account's when their keys are equal: case does not count, as in every command's
    /// lookup ("STRASSE" is "Straße"), and nor do runs of spaces.
    public static func key(_ name: String) -> String {
        normalized(name).folding(options: [.caseInsensitive], locale: nil)
    }

    /// Names that differ only in punctuation, spacing or accents ("Fabrikam Inc", "Fabrikam, Inc.", "FABRIKAM INC";
    /// "Zürich Müller AG", "Zurich Muller AG" from a CRM that dropped them) are likely one customer written two
    /// ways: not refused (two companies may be so named), but said.
    public static func looseKey(_ name: String) -> String {
        String(unaccented(key(name)).unicodeScalars.filter { $0.properties.isAlphabetic || $0.properties.numericType != nil }.map(Character.init))
    }

    /// A name as someone without the letters on their keyboard types it: case and accents folded, and the letters
    /// that are no accented ones spelled out ("Ørsted" is "orsted", "Œuvre" "oeuvre", "Łódź" "lodz").
    public static func unaccented(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        guard !folded.utf8.allSatisfy({ $0 < 0x80 }) else { return folded }
        return folded.unicodeScalars.map { Self.spelledOut[$0] ?? String($0) }.joined()
    }

    static let spelledOut: [Unicode.Scalar: String] = ["ø": "o", "œ": "oe", "æ": "ae", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"]

    /// The name as stored: trimmed, each run of spaces one space. "Umbrella  Corp" from a CRM export could
    /// be found by no name typed, and "umbrella corp" was then added beside it.
    public static func normalized(_ name: String) -> String {
        // Any space: a non-breaking one pasted from a web CRM made a second "Acme Corp". (Not a tab or a line
        // break, which `problem` refuses: a name is one line.)
        // Composed (NFC), as every text typed is stored.
        name.split { $0.unicodeScalars.allSatisfy { $0.properties.generalCategory == .spaceSeparator } }.joined(separator: " ").precomposedStringWithCanonicalMapping
    }
}
