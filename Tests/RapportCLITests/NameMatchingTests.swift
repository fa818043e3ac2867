import Foundation
import Testing
@testable import RapportCLI

/// `sameIgnoringCase` takes a byte-by-byte shortcut for ASCII names; it must agree with Foundation's
/// `caseInsensitiveCompare` everywhere, shortcut or not.
@Suite struct NameMatchingTests {
    static let names = [
        "", "a", "A", "manager10", "Manager10", "MANAGER10", "manager1", "manager10 ", "manager1O", "ada", "adb",
        "[", "{", "@", "`", "_", "a_b", "A_B", "zoë", "ZOË", "Zoë", "straße", "STRASSE", "strasse", "ǅ", "ǆ",
        "Ǆ", "\u{212A}elvin", "kelvin", "ſ", "s", "S", "café", "CAFÉ", "cafe\u{301}", "😀", "İ", "i", "I",
    ]

    @Test func agreesWithFoundationOnEveryPair() {
        for a in Self.names {
            for b in Self.names {
                #expect(sameIgnoringCase(a, b) == (a.caseInsensitiveCompare(b) == .orderedSame), "\(a) vs \(b)")
            }
        }
    }
}
