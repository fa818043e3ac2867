import Foundation
import Testing
@testable import RapportCLI
import RapportReplica
import RapportKAM
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

/// A record in a sync notice or a conflict's label is named as people say its kind, and by the fields that tell
/// it from its neighbours: a recorded month by its month, an override by its month and area.
@Suite struct RecordLabelTests {
    @Test func recordsAreNamedAsPeopleSayThem() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        var rows: [String: String] = [:]
        try replica.change { tx in
            let acme = try tx.create("account", values: [("name", .text("Acme"))])
            let kpi = try tx.create("kpi", values: [("account", .text(acme)), ("name", .text("GMV"))])
            rows["reading"] = RowKeys.reading(kpi: kpi, date: Day("2026-05-12")!)
            for (field, value) in [("kpi", FieldValue.text(kpi)), ("date", .text("2026-05-12")), ("value", .real(3))] {
                _ = try tx.set("kpi_reading", row: rows["reading"]!, field, to: value)
            }
            rows["override"] = RowKeys.override(account: acme, month: Month("2026-11")!, area: .delivery)
            _ = try tx.set("scorecard_override", row: rows["override"]!, "account", to: .text(acme))
            _ = try tx.set("scorecard_override", row: rows["override"]!, "month", to: .text("2026-11"))
            _ = try tx.set("scorecard_override", row: rows["override"]!, "area", to: .text("delivery"))
            rows["month"] = RowKeys.scorecard(account: acme, month: Month("2026-10")!)
            _ = try tx.set("scorecard", row: rows["month"]!, "account", to: .text(acme))
            _ = try tx.set("scorecard", row: rows["month"]!, "month", to: .text("2026-10"))
        }
        func label(_ entity: String, _ key: String) throws -> String {
            try Conflicts.Detail.recordLabel(entity: entity, row: rows[key]!, replica: replica)
        }
        #expect(try label("kpi_reading", "reading") == "Acme / KPI reading \"GMV 2026-05-12\"")
        #expect(try label("scorecard_override", "override") == "Acme / override \"2026-11 delivery\"")
        #expect(try label("scorecard", "month") == "Acme / recorded month \"2026-10\"")
    }
}

/// What a colleague's resolution took in of the edit it set aside (`sync`'s `yours_in_it`): whole words, in
/// order, within one line; a line split over two, a word cut, or reordered words are not the same line.
@Suite struct WordsWithinTests {
    @Test func findsALineOnlyAsARunOfWholeWords() {
        let within = RapportCLI.Sync.wordsWithin
        #expect(within("Renewal in March", "Renewal in March cancelled"))
        #expect(within("renewal IN march", "Note: Renewal  in\tMarch, they said"))
        #expect(within("Q2: UK + IE\n\nBudget ok", "Budget ok for now\nDACH; Q2: UK + IE later"))
        #expect(!within("Renewal in March", "Renewal in\nMarch"))
        #expect(!within("Renewal in March", "Renewals in March"))
        #expect(!within("Renewal in March", "March renewal in"))
        #expect(!within("", "anything"))
        #expect(!within("a b c d", "a b c"))
    }
}

/// The user an unknown owner's correction names (`likelyUser`).
@Suite struct LikelyUserTests {
    /// By first name or by a letter off; none otherwise.
    @Test func theLikelyUserOfAnUnknownOwner() {
        #expect(likelyUser(for: "Maria Lopez", among: ["bob", "maria"]) == "maria")
        #expect(likelyUser(for: "bobb", among: ["bob", "maria"]) == "bob")
        #expect(likelyUser(for: "José", among: ["jose", "maria"]) == "jose")
        #expect(likelyUser(for: "zed", among: ["bob", "maria"]) == nil)
        #expect(likelyUser(for: "zed", among: ["bob"]) == nil)  // a teammate yet to sync is not the only user's typo
    }
}
