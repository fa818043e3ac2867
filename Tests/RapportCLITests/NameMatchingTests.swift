import Foundation
import Testing
@testable import RapportCLI
import RapportReplica
import RapportSync
import RapportTestSupport

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

/// `activeAccounts(ownedBy:)` lets SQLite drop the accounts that cannot match before `sameIgnoringCase`
/// decides: it must pick exactly the accounts that comparing every account's owner picks.
@Suite struct OwnerFilterTests {
    @Test func picksWhatComparingEveryOwnerPicks() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        try replica.change { tx in
            for (i, owner) in NameMatchingTests.names.enumerated() {
                _ = try tx.create("account", values: [("name", .text("Account \(i)")), ("owner", .text(owner))])
            }
            _ = try tx.create("account", values: [("name", .text("Nobody's"))])
            let archived = try tx.create("account", values: [("name", .text("Old")), ("owner", .text("kelvin"))])
            _ = try tx.set("account", row: archived, "archived", to: .bool(true))
        }
        let everyAccount = try replica.activeAccounts()
        for owner in NameMatchingTests.names + ["nobody", "KELVIN"] {
            let expected = everyAccount.filter { sameIgnoringCase($0["owner"].display, owner) }.map(\.id)
            #expect(try replica.activeAccounts(ownedBy: owner).map(\.id) == expected, "owner \(owner)")
        }
    }
}
