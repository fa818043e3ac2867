import Foundation
import RapportClient
import RapportKAM
import RapportReplica
import RapportSync
import Testing

/// Two managers edit different parts of one account's plan offline, and the same score; after syncing through
/// a real server both replicas hold identical tables.
@Suite(.serialized) struct AccountPlanConvergenceTests {
    /// Every entity table.
    static func snapshot(_ replica: Replica) throws -> [String: [Record]] {
        var tables: [String: [Record]] = [:]
        for entity in Schema.rapport.entities { tables[entity.table] = try replica.records(entity.name, includeDeleted: true) }
        return tables
    }

    static func score(_ tx: inout LocalTransaction, account: String, criterion: String, _ value: Int) throws {
        let row = RowKeys.score(account: account, criterion: criterion)
        try tx.set("score", row: row, "account", to: .text(account))
        try tx.set("score", row: row, "criterion", to: .text(criterion))
        try tx.set("score", row: row, "value", to: .int(Int64(value)))
    }

    static func criterion(_ tx: inout LocalTransaction, _ name: String, weight: Double) throws {
        let row = RowKeys.criterion(name: name)!
        try tx.set("criterion", row: row, "name", to: .text(name))
        try tx.set("criterion", row: row, "weight", to: .real(weight))
    }

    @Test func twoManagersEditingDifferentPartsOfOnePlanConverge() async throws {
        let t = try await TestServer.start(users: ["alice", "bob"])
        let alice = try t.replica("alice")
        let bob = try t.replica("bob")
        let account = try alice.change { tx in
            try Self.criterion(&tx, "revenue", weight: 40)
            try Self.criterion(&tx, "margin", weight: 30)
            let id = try tx.create("account", values: [("name", .text("Northwind")), ("tier", .text("key"))])
            try tx.create("meeting", values: [("account", .text(id)), ("kind", .text("weekly")), ("date", .text("2026-05-18")), ("notes", .text("Stock is the blocker."))])
            return id
        }
        _ = try await SyncClient(replica: alice).sync()
        _ = try await SyncClient(replica: bob).sync()
        let meeting = try #require(try bob.records("meeting").first)

        // Offline. Alice works on the success plan, Bob on the relationship map; both score revenue, both add
        // "Growth potential", both extend the meeting notes.
        let kpi = try alice.change { tx in
            try tx.create("goal", values: [("account", .text(account)), ("outcome", .text("Raise conversion 15%")), ("status", .text("open"))])
            let kpi = try tx.create("kpi", values: [("account", .text(account)), ("name", .text("conversion")), ("target", .real(15)), ("direction", .text("up"))])
            for (date, value) in [("2026-04-30", 11.0), ("2026-05-20", 12.5)] {
                let row = RowKeys.reading(kpi: kpi, date: Day(date)!)
                try tx.set("kpi_reading", row: row, "kpi", to: .text(kpi))
                try tx.set("kpi_reading", row: row, "date", to: .text(date))
                try tx.set("kpi_reading", row: row, "value", to: .real(value))
            }
            try Self.score(&tx, account: account, criterion: "revenue", 8)
            try Self.score(&tx, account: account, criterion: "margin", 7)
            try Self.criterion(&tx, "Growth potential", weight: 20)
            try tx.editText("meeting", row: meeting.id, "notes", to: .text("Stock is the blocker.\nAlice: forecast sent."))
            return kpi
        }
        try await Task.sleep(nanoseconds: 5_000_000)
        try bob.change { tx in
            try tx.create("stakeholder", values: [("account", .text(account)), ("name", .text("Dana Smith")), ("role", .text("decision-maker")), ("sentiment", .text("champion"))])
            try tx.create("stakeholder", values: [("account", .text(account)), ("name", .text("Uma Lee")), ("role", .text("user"))])
            try tx.create("plan_role", values: [("account", .text(account)), ("side", .text("ours")), ("person", .text("Bob")), ("responsibility", .text("monthly review"))])
            try Self.score(&tx, account: account, criterion: "revenue", 6)
            try Self.criterion(&tx, "growth potential", weight: 30)
            try tx.editText("meeting", row: meeting.id, "notes", to: .text("Stock is the blocker.\nBob: Dana wants a bundle."))
        }

        for replica in [alice, bob, alice] { _ = try await SyncClient(replica: replica).sync() }
        let a = try Self.snapshot(alice), b = try Self.snapshot(bob)
        for table in a.keys.sorted() { #expect(a[table] == b[table], "\(table) differs") }
        #expect(try alice.conflicts().map(\.id) == bob.conflicts().map(\.id))

        // Both edits of the plan stand; one score row per criterion, the later revenue score wins; one
        // "growth potential" criterion, with the later weight; the concurrent notes wait for review.
        #expect(try alice.records("kpi_reading", where: ("kpi", .text(kpi))).map { $0["value"] } == [.real(11), .real(12.5)])
        #expect(try alice.records("stakeholder").count == 2)
        #expect(try alice.records("goal").count == 1 && alice.records("plan_role").count == 1)
        let scores = try alice.records("score", where: ("account", .text(account)), orderBy: "criterion")
        #expect(scores.map { $0["criterion"] } == [.text("margin"), .text("revenue")])
        #expect(scores.map { $0["value"] } == [.int(7), .int(6)])
        let criteria = try alice.records("criterion", orderBy: "name")
        #expect(criteria.map(\.id) == ["growth-potential", "margin", "revenue"])
        #expect(criteria[0]["weight"] == .real(30) && criteria[0]["name"] == .text("growth potential"))
        #expect(try alice.conflicts().map(\.key.field) == ["notes"])
        for replica in [alice, bob] { #expect(try replica.pendingCount() == 0) }
        try await t.server.stop()
    }
}
