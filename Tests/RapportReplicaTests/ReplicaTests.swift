import Foundation
import GRDB
import RapportSQL
import RapportSync
import RapportTestSupport
import Testing
@testable import RapportReplica

@Suite struct ReplicaStoreTests {
    @Test func localChangeWritesRowAndOperationsInOneTransaction() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        let id = try replica.change { tx in
            try tx.create("account", values: [("name", .text("Acme")), ("revenue", .real(1000))])
        }
        let record = try #require(try replica.record("account", id: id))
        #expect(record["name"] == .text("Acme"))
        #expect(record["revenue"] == .real(1000))
        let history = try replica.history(row: id)
        #expect(history.map(\.field).sorted() == ["name", "revenue"])
        #expect(history.allSatisfy { $0.author == "alice" })
        #expect(try replica.pendingCount() == 2)
    }

    /// Fields stated together are all recorded when one changes (a clear of a field never set too), and none when
    /// none does.
    @Test func fieldsStatedTogetherAreRecordedTogether() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        let flag = try replica.change { tx in try tx.create("risk_flag", values: [("title", .text("Dip")), ("status", .text("open"))]) }
        let before = try replica.pendingCount()
        #expect(try replica.change { tx in try tx.setTogether("risk_flag", row: flag, [("status", .text("open")), ("closed_on", .null)]) } == 0)
        #expect(try replica.pendingCount() == before)
        #expect(try replica.change { tx in try tx.setTogether("risk_flag", row: flag, [("status", .text("watching")), ("closed_on", .null)]) } == 1)
        let latest = try replica.history(row: flag).suffix(2)
        #expect(latest.map(\.field) == ["status", "closed_on"] && latest.last?.value == .null)
        #expect(try replica.pendingCount() == before + 2)
        // Under one timestamp: two laptops' changes stamped alike do not split the fields between them.
        #expect(Set(latest.map(\.time)).count == 1)
        // A field restated is read as it stands.
        #expect(try replica.change { tx in try tx.setTogether("risk_flag", row: flag, [("status", .text("open"))], restating: ["closed_on", "status"]) } == 1)
        let restated = try replica.history(row: flag).suffix(2)
        #expect(restated.map(\.field) == ["status", "closed_on"] && restated.last?.value == .null && Set(restated.map(\.time)).count == 1)
        // Stamped again (a clock that ran ahead), they stay alike.
        #expect(try replica.restampPending(after: .zero) == before + 4)
        let again = try replica.history(row: flag).suffix(2)
        #expect(Set(again.map(\.time)).count == 1 && again.first?.time != restated.first?.time)
    }

    /// Two laptops whose clocks read alike (the same millisecond, or one colleague's clock ahead that both
    /// pulled) stamp their changes alike: a pair written together still goes to one of them whole, where fields
    /// stamped one after another went one to each (QA: closed with no close day).
    @Test func twoChangesStampedAlikeDoNotSplitAPair() throws {
        let dir = try TemporaryFolder()
        func laptop(_ id: String) throws -> Replica {
            try Replica.create(at: dir.file("\(id).sqlite"), user: id,
                               env: ReplicaEnvironment(now: { 1_000 }, newRowID: { "flag-1" }, newReplicaID: { id }))
        }
        let alice = try laptop("alice"), bob = try laptop("bob"), carol = try laptop("carol")
        let flag = try carol.change { tx in
            try tx.create("risk_flag", values: [("title", .text("Dip")), ("status", .text("closed")), ("closed_on", .text("2026-12-01"))])
        }
        for laptop in [alice, bob] { try laptop.applyPulled(try carol.history(row: flag), cursor: 1) }
        // Alice corrects the close day (her status restated after it); Bob, unaware, reopens it (the day cleared after).
        _ = try alice.change { tx in try tx.setTogether("risk_flag", row: flag, [("closed_on", .text("2026-12-03"))], restating: ["status"]) }
        _ = try bob.change { tx in try tx.setTogether("risk_flag", row: flag, [("status", .text("open")), ("closed_on", .null)]) }
        #expect(try alice.history(row: flag).last?.time == bob.history(row: flag).last?.time)
        try alice.applyPulled(try bob.history(row: flag), cursor: 2)
        try bob.applyPulled(try alice.history(row: flag), cursor: 2)
        for laptop in [alice, bob] {
            let record = try #require(try laptop.record("risk_flag", id: flag))
            // Bob's replica id sorts after Alice's: his change is the later of the two stamped alike, whole.
            #expect(record["status"] == .text("open") && record["closed_on"] == .null, "\(record["status"]) \(record["closed_on"])")
        }
    }

    /// A copy of another row's value (a restore's) is stamped as the value it copies: an edit made after that value
    /// wins over it whenever the copy is made, and a copy of a copy keeps the original's time.
    @Test func aCopyIsOrderedAsTheValueItCopies() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        let (old, new) = try replica.change { tx in
            (try tx.create("account", values: [("name", .text("Acme")), ("industry", .text("Retail"))]), try tx.create("account", values: [("name", .text("Acme 2"))]))
        }
        let original = try #require(try replica.latestOperation(on: FieldKey(entity: "account", row: old, field: "industry")))
        let copied = try replica.change { tx in try tx.copy("account", row: new, "industry", from: original) }
        #expect(copied?.time == original.time && copied?.id != original.id && copied?.value == .text("Retail"))
        // An edit made after it stands; a copy made again, or of the same value, writes nothing.
        try replica.change { tx in _ = try tx.set("account", row: new, "industry", to: .text("Wholesale")) }
        #expect(try replica.change { tx in try tx.copy("account", row: new, "industry", from: original) } == nil)
        #expect(try replica.record("account", id: new)?["industry"] == .text("Wholesale"))
        // Validated as a set is.
        var bad = original
        bad.value = .text("two\nlines")
        #expect(throws: ReplicaError.self) { try replica.change { tx in try tx.copy("account", row: new, "name", from: { var b = bad; b.field = "name"; return b }()) } }
    }

    /// Pulled operations are written and read back through SQLite's C interface (`FastStatement`): every kind
    /// of value, empty and non-ASCII text, and the reviewed-text links must survive it. (Text with a NUL is
    /// refused before it gets here: `textWithANulIsRefused`.)
    /// A removed record named as the live lookup would name it (any case, Foundation's folding, runs of spaces,
    /// the start of its id) is said to be removed, by whom; a live one of the name is found instead.
    @Test func aLookupThatFindsNothingLiveNamesTheRemovedRecord() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        var id = ""
        try replica.change { tx in
            id = try tx.create("account", values: [("name", .text("Straße  Foods"))])
            try tx.delete("account", row: id)
        }
        for query in ["STRASSE FOODS", "straße   foods", String(id.prefix(6))] {
            #expect(throws: ReplicaError.self) { try replica.find("account", query) }
            do { _ = try replica.find("account", query) } catch ReplicaError.notFound(_, _, let removed) {
                #expect(removed?.id == id && removed?.removedBy == "alice" && removed?.others == [], "\(query)")
            }
        }
        #expect(try replica.removedMatch("account", "Stra") == nil)
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Straße Foods"))]) }
        #expect(try replica.find("account", "STRASSE FOODS").deleted == false)
    }

    @Test func pulledOperationsOfEveryKindRoundTripExactly() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        func op(_ counter: Int64, _ entity: String, _ row: String, _ field: String, _ value: FieldValue,
                base: OperationID? = nil, supersedes: [OperationID] = [], resolution: Bool = false) -> Operation {
            Operation(id: OperationID(replica: "bob1", counter: counter), author: "bob", entity: entity, row: row, field: field,
                      value: value, time: Timestamp(ms: 1_000 + counter, logical: Int(counter) % 3), base: base,
                      supersedes: supersedes, resolution: resolution)
        }
        let first = op(4, "note", "n1", "body", .text("ünïcødé 🎉 \"quoted\"\ttabbed\nand a second line"))
        let other = op(5, "note", "n1", "body", .text(""), base: nil)
        let ops = [
            op(1, "account", "a1", "name", .text("")),
            op(2, "account", "a1", "revenue", .real(1_234.5)),
            op(3, "account", "a1", "archived", .bool(true)),
            first, other,
            op(6, "note", "n1", "body", .text("merged"), base: first.id, supersedes: [other.id], resolution: true),
            op(7, "score", "s1", "value", .int(7)),
            op(8, "account", "a1", "margin", .null),
        ]
        #expect(try replica.applyPulled(ops, cursor: 8) == 8)
        #expect(try replica.applyPulled(ops, cursor: 8) == 0)
        // A pulled page is stored in the order of the replica's indexes, not the server's.
        let stored = try replica.read { db in try OperationRows.fetchAll(db, sql: "SELECT \(OperationRows.columns) FROM ops ORDER BY counter") }
        #expect(stored == ops)
        let account = try #require(try replica.record("account", id: "a1"))
        #expect(account["name"] == .text("") && account["revenue"] == .real(1_234.5) && account["archived"] == .bool(true))
        #expect(try replica.record("note", id: "n1")?["body"] == .text("merged"))
        #expect(try replica.record("score", id: "s1")?["value"] == .int(7))
    }

    /// A sync cut off after its push leaves the edits pushed, no longer unsynced: the watch it began is kept,
    /// so the next sync still tells of a colleague's later value or removal that met them. The same value,
    /// and the same person's other replica, replaced nothing worth telling.
    @Test func aWatchOutlivesASyncCutOffAfterItsPush() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        let later = Int64(Date().timeIntervalSince1970 * 1000) + 60_000
        func bob(_ counter: Int64, _ entity: String, _ row: String, _ field: String, _ value: FieldValue, author: String = "bob") -> Operation {
            Operation(id: OperationID(replica: author == "bob" ? "bob1" : "alice2", counter: counter), author: author, entity: entity, row: row, field: field,
                      value: value, time: Timestamp(ms: later + counter, logical: 0))
        }
        let base = [bob(1, "account", "a1", "name", .text("Acme")), bob(2, "stakeholder", "s1", "name", .text("Jane")), bob(3, "stakeholder", "s1", "account", .text("a1"))]
        _ = try replica.applyPulled(base, cursor: 3)
        try replica.change { tx in
            _ = try tx.set("account", row: "a1", "revenue", to: .real(160_000))
            _ = try tx.set("account", row: "a1", "margin", to: .real(20))
            _ = try tx.set("account", row: "a1", "industry", to: .text("Retail"))
            _ = try tx.set("stakeholder", row: "s1", "title", to: .text("CFO"))
        }
        // The first sync: its watch begins, its push lands, and it is cut off before its pull.
        try replica.beginWatch()
        try replica.markPushed(try replica.pendingOperations(limit: 100).map(\.id), timed: true)
        // The next sync pulls what the team did meanwhile.
        try replica.beginWatch()
        _ = try replica.applyPulled([
            bob(4, "account", "a1", "revenue", .real(175_000)), bob(5, "account", "a1", "margin", .real(20)),
            bob(6, "account", "a1", "industry", .text("Food"), author: "alice"), bob(7, "stakeholder", "s1", Schema.deletedField, .bool(true)),
        ], cursor: 7)
        let met = try replica.finishWatch(user: "alice")
        #expect(met.overwritten.map { "\($0.mine.field) \($0.mine.value.display) -> \($0.theirs.value.display) by \($0.theirs.author)" } == ["revenue 160000 -> 175000 by bob"])
        #expect(met.removed == [RemovedAfterEdit(entity: "stakeholder", row: "s1", removedBy: "bob")])
        // Told once: the watch ended with the sync.
        try replica.beginWatch()
        let again = try replica.finishWatch(user: "alice")
        #expect(again.overwritten.isEmpty && again.removed.isEmpty)

        // A replica that moves to a new id in the sync (a copy of its file synced first) still finds its value.
        try replica.change { tx in _ = try tx.set("account", row: "a1", "industry", to: .text("Tin")) }
        try replica.beginWatch()
        _ = try replica.moveToNewID()
        _ = try replica.applyPulled([bob(8, "account", "a1", "industry", .text("Zinc"))], cursor: 8)
        let moved = try replica.finishWatch(user: "alice")
        #expect(moved.overwritten.map { "\($0.mine.value.display) -> \($0.theirs.value.display)" } == ["Tin -> Zinc"])

        // A reading recorded offline under a KPI a colleague removed meanwhile stays, naming a KPI that is gone.
        _ = try replica.applyPulled([bob(9, "kpi", "k1", "name", .text("GMV")), bob(10, "kpi", "k1", "account", .text("a1"))], cursor: 10)
        try replica.change { tx in
            _ = try tx.set("kpi_reading", row: "r1", "kpi", to: .text("k1"))
            _ = try tx.set("kpi_reading", row: "r1", "value", to: .real(5))
        }
        try replica.beginWatch()
        _ = try replica.applyPulled([bob(11, "kpi", "k1", Schema.deletedField, .bool(true))], cursor: 11)
        let under = try replica.finishWatch(user: "alice")
        #expect(under.removedUnder == [RemovedUnderEdit(entity: "kpi_reading", row: "r1", parentEntity: "kpi", parentRow: "k1", removedBy: "bob")])
        #expect(under.removed.isEmpty)
    }

    /// The user's removal of a record whose colleague's edits the sync brings: told to the remover, once. Not
    /// for what a sync cut off had brought before the removal was made, nor a merge's moves, nor when the
    /// colleague removed it too.
    @Test func editsARemovalMetUnseenAreToldToTheRemover() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        let later = Int64(Date().timeIntervalSince1970 * 1000) + 60_000
        func bob(_ counter: Int64, _ entity: String, _ row: String, _ field: String, _ value: FieldValue, author: String = "bob") -> Operation {
            Operation(id: OperationID(replica: author + "1", counter: counter), author: author, entity: entity, row: row, field: field,
                      value: value, time: Timestamp(ms: later + counter, logical: 0))
        }
        _ = try replica.applyPulled([bob(1, "account", "a1", "name", .text("Acme"))] + ["n1", "n2", "n3", "n4"].enumerated().flatMap { i, n in
            [bob(Int64(2 + 2 * i), "note", n, "title", .text(n)), bob(Int64(3 + 2 * i), "note", n, "account", .text("a1"))]
        }, cursor: 9)
        try replica.change { tx in for n in ["n1", "n2", "n3"] { try tx.delete("note", row: n) } }
        try replica.beginWatch()
        _ = try replica.applyPulled([
            bob(10, "note", "n1", "title", .text("n1, edited")),  // unseen: told
            bob(11, "note", "n2", "account", .text("a2")),  // a merge's move: not an edit
            bob(12, "note", "n3", "title", .text("n3, edited")), bob(13, "note", "n3", Schema.deletedField, .bool(true)),  // removed by bob too
        ], cursor: 13)
        let met = try replica.finishWatch(user: "alice")
        #expect(met.removedUnseen == [UnseenEdits(entity: "note", row: "n1", editedBy: ["bob"])], "\(met.removedUnseen)")
        try replica.beginWatch()
        #expect(try replica.finishWatch(user: "alice").removedUnseen.isEmpty)
        // A sync cut off after a page that brought bob's edit of n4; alice removes n4 having seen it; the next sync.
        try replica.beginWatch()
        _ = try replica.applyPulled([bob(14, "note", "n4", "title", .text("n4, edited"))], cursor: 14)
        try replica.change { tx in try tx.delete("note", row: "n4") }
        try replica.beginWatch()
        _ = try replica.applyPulled([bob(15, "account", "a1", "industry", .text("Retail"))], cursor: 15)
        #expect(try replica.finishWatch(user: "alice").removedUnseen.isEmpty)
    }

    /// A value of the user's, set before a colleague's older value reached this replica, stands over it: the user
    /// replaced it unseen, and is told, to tell them. Not when the user had it before setting theirs (pulled by a
    /// sync cut off earlier), nor when it arrives again as the value the user saw (set by a third person).
    @Test func aValueReplacedUnseenIsTold() throws {
        let clock = SteppedClock()
        let dir = try TemporaryFolder()
        let env = ReplicaEnvironment(now: { clock.now() }, newRowID: { UUID().uuidString.lowercased() }, newReplicaID: { "alice1" })
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice", env: env)
        func op(_ who: String, _ counter: Int64, _ value: String, at ms: Int64, field: String = "industry") -> Operation {
            Operation(id: OperationID(replica: who + "1", counter: counter), author: who, entity: "account", row: "a1", field: field,
                      value: .text(value), time: Timestamp(ms: ms, logical: 0))
        }
        _ = try replica.applyPulled([op("bob", 1, "Acme", at: clock.now() - 10_000, field: "name")], cursor: 1)
        try replica.change { tx in _ = try tx.set("account", row: "a1", "industry", to: .text("Retail")) }
        try replica.beginWatch()
        _ = try replica.applyPulled([op("bob", 2, "Food", at: clock.now() - 5_000)], cursor: 2)
        let told = try replica.finishWatch(user: "alice")
        #expect(told.replacedUnseen.map { "\($0.mine.value.display) over \($0.theirs.value.display) by \($0.theirs.author)" } == ["Retail over Food by bob"])
        #expect(told.overwritten.isEmpty)

        // Pulled by a sync cut off before the user set theirs: seen, and not told.
        clock.advance(60_000)
        try replica.beginWatch()
        _ = try replica.applyPulled([op("bob", 3, "Wood", at: clock.now() - 1_000)], cursor: 3)
        try replica.change { tx in _ = try tx.set("account", row: "a1", "industry", to: .text("Metal")) }
        try replica.beginWatch()
        #expect(try replica.finishWatch(user: "alice").replacedUnseen.isEmpty)

        // The value the user saw, set again by a third person before the user's: nothing new replaced.
        clock.advance(60_000)
        _ = try replica.applyPulled([op("bob", 4, "Glass", at: clock.now() - 2_000)], cursor: 4)
        try replica.change { tx in _ = try tx.set("account", row: "a1", "industry", to: .text("Stone")) }
        try replica.beginWatch()
        _ = try replica.applyPulled([op("carol", 1, "Glass", at: clock.now() - 1_000)], cursor: 5)
        #expect(try replica.finishWatch(user: "alice").replacedUnseen.isEmpty)
    }

    /// A value of the user's already synced, replaced by a colleague's made before it reached the server (they
    /// could not have seen it), is told; one made after the push is taken as set knowingly. A sync cut off with
    /// nothing unsynced still tells at the next one.
    @Test func aSyncedValueReplacedByOneMadeBeforeItsPushIsTold() throws {
        let clock = SteppedClock()
        let t0 = clock.now()
        let dir = try TemporaryFolder()
        let env = ReplicaEnvironment(now: { clock.now() }, newRowID: { UUID().uuidString.lowercased() }, newReplicaID: { "alice1" })
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice", env: env)
        func bob(_ counter: Int64, _ field: String, _ value: FieldValue, at ms: Int64) -> Operation {
            Operation(id: OperationID(replica: "bob1", counter: counter), author: "bob", entity: "account", row: "a1", field: field,
                      value: value, time: Timestamp(ms: ms, logical: 0))
        }
        _ = try replica.applyPulled([bob(1, "name", .text("Acme"), at: t0 - 1_000)], cursor: 1)
        try replica.change { tx in _ = try tx.set("account", row: "a1", "industry", to: .text("Retail")) }
        // Alice syncs ten minutes later: her value reaches the server then.
        clock.advance(600_000)
        try replica.beginWatch()
        try replica.markPushed(try replica.pendingOperations(limit: 10).map(\.id), timed: true)
        #expect(try replica.finishWatch(user: "alice").overwritten.isEmpty)

        // Her next sync, with nothing unsynced, is cut off after a page that holds bob's value, set offline five
        // minutes after hers and before her push.
        let start = try replica.beginWatch()
        _ = try replica.applyPulled([bob(2, "industry", .text("Food"), at: t0 + 300_000)], cursor: 2)
        let again = try replica.beginWatch()
        #expect(again == start)
        let told = try replica.finishWatch(user: "alice")
        #expect(told.overwritten.map { "\($0.mine.value.display) -> \($0.theirs.value.display)" } == ["Retail -> Food"])

        // Bob's next value, set after hers had reached the server, replaced hers knowingly: not told.
        try replica.change { tx in _ = try tx.set("account", row: "a1", "industry", to: .text("Retail")) }
        clock.advance(600_000)
        try replica.beginWatch()
        try replica.markPushed(try replica.pendingOperations(limit: 10).map(\.id), timed: true)
        _ = try replica.finishWatch(user: "alice")
        try replica.beginWatch()
        _ = try replica.applyPulled([bob(3, "industry", .text("Wood"), at: clock.now() + 1_000)], cursor: 3)
        #expect(try replica.finishWatch(user: "alice").overwritten.isEmpty)
    }

    /// The file holds the accounts and the sync token: only its owner may read it, and so its WAL.
    @Test func aNewReplicaIsPrivateToItsOwner() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("laptop/r.sqlite")
        let replica = try Replica.create(at: path, user: "alice", token: "rpt_secret")
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Acme"))]) }
        func mode(_ path: String) throws -> Int {
            try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) & 0o777
        }
        #expect(try mode(path) == 0o600)
        #expect(try mode(path + "-wal") == 0o600)
        #expect(try mode(dir.file("laptop")) == 0o700)
    }

    /// Every change must fit in a sync request: a text past the limit is refused when written, not when it
    /// would block the sync of everything after it.
    @Test func aTextTooLongToSyncIsRefusedWhenWritten() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        let long = String(repeating: "x", count: LocalTransaction.maxTextBytes + 1)
        #expect(throws: ReplicaError.self) { try replica.change { tx in _ = try tx.create("note", values: [("body", .text(long))]) } }
        #expect(try replica.pendingCount() == 0)
        #expect(try replica.change { tx in try tx.create("note", values: [("body", .text(String(long.dropLast())))]) }.isEmpty == false)
    }

    @Test func anAmbiguousNameSaysHowManyItLeftOut() {
        let error = ReplicaError.ambiguous(kind: "account", query: "Co", matches: (1...8).map { "Co \($0)" })
        #expect(error.description == "'Co' matches 8 accounts (Co 1; Co 2; Co 3; Co 4; Co 5; and 3 more): give the whole name, or the start of an id")
        // Kinds as people say them: "2 opportunitys", "2 risk_flags" and "2 kpis" were the tables' names.
        #expect([("opportunity", "opportunities"), ("risk_flag", "risk flags"), ("kpi", "KPIs"), ("plan_role", "roles"), ("stakeholder", "stakeholders"), ("day", "days")]
            .allSatisfy { ReplicaError.noun($0.0, plural: true) == $0.1 })
        #expect(ReplicaError.ambiguous(kind: "opportunity", query: "B", matches: ["a", "b"]).description.hasPrefix("'B' matches 2 opportunities ("))
    }

    /// The start of an id that several records share asks for more of the id, not for "the whole name".
    @Test func anIDPrefixSharedBySeveralAsksForMoreOfTheID() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        // 40 ids over 16 hex digits: some first digit is shared; no name starts with one.
        let ids = try replica.change { tx in try (1...40).map { try tx.create("account", values: [("name", .text("Zed \($0)"))]) } }
        let shared = try #require(Dictionary(grouping: ids, by: { $0.prefix(1) }).first { $0.value.count > 1 }?.key)
        let error = #expect(throws: ReplicaError.self) { try replica.find("account", String(shared)) }
        #expect(error?.description.hasSuffix(": give more of the id") == true, "\(String(describing: error))")
        let byName = #expect(throws: ReplicaError.self) { try replica.find("account", "Zed") }
        #expect(byName?.description.hasSuffix("give the whole name, or the start of an id") == true, "\(String(describing: byName))")
    }

    /// Resolving sets versions aside: a digit or two typed by mistake named whichever single conflict was open.
    @Test func aConflictIsNamedByFourCharactersOfItsIDAtLeast() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        for short in ["1", "abc"] {
            let error = #expect(throws: ReplicaError.self) { try replica.conflict(short) }
            #expect(error?.description.contains("give at least 4 of its characters") == true, "\(String(describing: error))")
        }
        #expect(throws: ReplicaError.unknownConflict("abcd")) { try replica.conflict("abcd") }
    }

    @Test func textWithANulIsRefused() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        #expect(throws: (any Error).self) {
            try replica.change { tx in try tx.create("account", values: [("name", .text("Ac\u{0}me"))]) }
        }
        #expect(try replica.pendingCount() == 0)
        #expect(throws: (any Error).self) { try Schema.rapport.validate(Operation(
            id: OperationID(replica: "bob1", counter: 1), author: "bob", entity: "note", row: "n1", field: "body",
            value: .text("a\u{0}b"), time: Timestamp(ms: 1))) }
    }

    @Test func failedChangeLeavesNothingBehind() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        #expect(throws: ReplicaError.self) {
            try replica.change { tx in
                try tx.create("account", values: [("name", .text("Acme"))])
                _ = try tx.set("account", row: "x", "revenue", to: .text("abc"))
            }
        }
        #expect(try replica.records("account").isEmpty)
        #expect(try replica.status().operations == 0)
    }

    @Test func settingTheSameValueRecordsNothing() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        let id = try replica.change { tx in try tx.create("account", values: [("name", .text("Acme"))]) }
        let op = try replica.change { tx in try tx.set("account", row: id, "name", to: .text("Acme")) }
        #expect(op == nil)
        #expect(try replica.status().operations == 1)
    }

    @Test func tablesAreReadableWithoutRapport() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        let replica = try Replica.create(at: path, user: "alice")
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Acme")), ("tier", .text("key"))]) }
        try replica.close()
        let plain = try DatabaseQueue(path: path)
        let row = try plain.read { db in try Row.fetchOne(db, sql: "SELECT name, tier FROM accounts") }
        #expect(row?["name"] == "Acme")
        #expect(row?["tier"] == "key")
    }

    @Test func foreignFileIsRefusedAndLeftUntouched() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("other.sqlite")
        let other = try DatabaseQueue(path: path)
        try other.write { db in try db.execute(sql: "CREATE TABLE t(x); INSERT INTO t VALUES (1)") }
        try other.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            try Replica.open(at: path)
        } throws: { error in
            guard case ReplicaError.notAReplica = error else { return false }
            return "\(error)".contains("left untouched")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func nonDatabaseFileIsRefused() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("notes.txt")
        try Data(String(repeating: "not a database\n", count: 400).utf8).write(to: URL(fileURLWithPath: path))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: ReplicaError.self) { try Replica.open(at: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func fileFromNewerVersionIsRefused() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        try Replica.create(at: path, user: "alice").close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')") }
        try queue.close()
        #expect {
            try Replica.open(at: path)
        } throws: { error in
            guard case ReplicaError.newerFormat(_, let unknown) = error else { return false }
            return unknown == ["v9-from-the-future"]
        }
    }

    @Test func openingAnOlderFileAddsNewFieldsColumns() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        var older = Schema.rapport
        older.entities[0].fields.removeAll { $0.name == "next_renewal" }
        try Replica.create(at: path, user: "alice", schema: older).close()
        let replica = try Replica.open(at: path)
        let id = try replica.change { tx in
            try tx.create("account", values: [("name", .text("Acme")), ("next_renewal", .text("2027-01-31"))])
        }
        #expect(try replica.record("account", id: id)?["next_renewal"] == .text("2027-01-31"))
    }

    /// A newer client's operations, pulled while this version did not know their field or entity, were kept
    /// in the log; once a version that knows them opens the file, they show: the field's latest value, the
    /// new entity's rows (a removed one stays removed), and a note field's concurrent versions in review.
    @Test func upgradingLandsTheHeldOperationsOfFieldsItNowKnows() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        var older = Schema.rapport
        older.entities[0].fields.removeAll { $0.name == "next_renewal" }
        older.entities.removeAll { $0.name == "kpi_reading" }
        let stakeholder = older.entities.firstIndex { $0.name == "stakeholder" }!
        older.entities[stakeholder].fields.removeAll { $0.name == "notes" }
        func op(_ replica: String, _ counter: Int64, _ entity: String, _ row: String, _ field: String, _ value: FieldValue, base: OperationID? = nil) -> Operation {
            Operation(id: OperationID(replica: replica + "1", counter: counter), author: replica, entity: entity, row: row, field: field,
                      value: value, time: Timestamp(ms: 1_000 + counter, logical: 0), base: base)
        }
        let first = op("bob", 6, "stakeholder", "s1", "notes", .text("Met at the fair"))
        let pulled = [
            op("bob", 1, "account", "a1", "name", .text("Acme")),
            op("bob", 2, "account", "a1", "next_renewal", .text("2027-01-31")),
            op("carol", 3, "account", "a1", "next_renewal", .text("2027-03-31")),
            op("bob", 4, "stakeholder", "s1", "name", .text("Jane")),
            op("bob", 5, "stakeholder", "s1", "account", .text("a1")),
            first,
            op("bob", 7, "stakeholder", "s1", "notes", .text("Met at the fair; wants a demo"), base: first.id),
            op("carol", 8, "stakeholder", "s1", "notes", .text("Met at the fair; prefers email"), base: first.id),
            op("bob", 9, "kpi_reading", "r1", "value", .real(4.5)),
            op("bob", 10, "kpi_reading", "r1", "date", .text("2026-11-02")),
            op("bob", 11, "kpi_reading", "r2", "value", .real(7)),
            op("carol", 12, "kpi_reading", "r2", Schema.deletedField, .bool(true)),
        ]
        let replica = try Replica.create(at: path, user: "alice", schema: older)
        _ = try replica.applyPulled(pulled, cursor: 12)
        #expect(try replica.conflicts().isEmpty)
        try replica.close()
        // The same operations pulled by a replica that knew the fields all along.
        let knowing = try Replica.create(at: dir.file("knowing.sqlite"), user: "alice")
        _ = try knowing.applyPulled(pulled, cursor: 12)

        let upgraded = try Replica.open(at: path)
        #expect(try upgraded.record("account", id: "a1")?["next_renewal"] == .text("2027-03-31"))
        #expect(try upgraded.record("kpi_reading", id: "r1")?["date"] == .text("2026-11-02"))
        #expect(try upgraded.record("kpi_reading", id: "r2")?.deleted == true)
        #expect(try upgraded.conflicts().map(\.heads) == [[OperationID(replica: "bob1", counter: 7), OperationID(replica: "carol1", counter: 8)]])
        for (entity, row) in [("account", "a1"), ("stakeholder", "s1"), ("kpi_reading", "r1"), ("kpi_reading", "r2")] {
            #expect(try upgraded.record(entity, id: row) == knowing.record(entity, id: row))
        }
        #expect(try upgraded.conflicts() == knowing.conflicts())
        // Opening again finds the file current: the values stay.
        try upgraded.close()
        #expect(try Replica.open(at: path).record("account", id: "a1")?["next_renewal"] == .text("2027-03-31"))
    }

    /// Opening skips the schema work when the file already matches; a reference index that went missing
    /// (dropped by hand, or a file from before reference fields were indexed) still counts as a mismatch.
    @Test func openingAFileWithoutAReferenceIndexRecreatesIt() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        let replica = try Replica.create(at: path, user: "alice")
        try replica.write { db in try db.execute(sql: "DROP INDEX stakeholders_account") }
        try replica.close()
        let reopened = try Replica.open(at: path)
        let indexes = try reopened.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'") }
        #expect(indexes.contains("stakeholders_account"))
    }

    /// A batch larger than a progress slice lands slice by slice in one transaction: progress is reported
    /// between slices, and the replica ends exactly as when the same operations arrive as many small pages,
    /// though a note's concurrent versions straddle the slice boundary.
    @Test func aLargeBatchLandsInSlicesWithProgressAndTheSameResult() throws {
        let dir = try TemporaryFolder()
        var ops: [Operation] = []
        func op(_ replica: String, _ entity: String, _ row: String, _ field: String, _ value: FieldValue, base: OperationID? = nil) -> Operation {
            let counter = Int64(ops.count + 1)
            let made = Operation(id: OperationID(replica: replica, counter: counter), author: replica, entity: entity, row: row, field: field,
                                 value: value, time: Timestamp(ms: 1_000 + counter, logical: 0), base: base)
            ops.append(made)
            return made
        }
        // Sorted as applied: 3,321 accounts of three operations, then notes of three versions (two of them
        // concurrent: a conflict) and of two (a plain edit), so that the last version of note n114 is the
        // first operation of the second slice.
        for i in 0..<3_321 {
            let row = "a" + String(100_000 + i)
            _ = op("bob1", "account", row, "name", .text("Account \(i)"))
            _ = op("bob1", "account", row, "revenue", .real(Double(i)))
            _ = op("carl2", "account", row, "revenue", .real(Double(i) + 0.5))
        }
        for i in 0..<20 {
            let row = "n" + String(100 + i)
            let first = op("bob1", "note", row, "body", .text("first \(i)"))
            _ = op("carl2", "note", row, "body", .text("concurrent \(i)"), base: first.id)
            if i % 2 == 0 { _ = op("bob1", "note", row, "body", .text("again \(i)"), base: first.id) }
        }
        #expect(ops.count > Replica.progressSlice && ops.count < 2 * Replica.progressSlice)

        let whole = try Replica.create(at: dir.file("whole.sqlite"), user: "alice")
        nonisolated(unsafe) var reported: [Int] = []
        #expect(try whole.applyPulled(ops, cursor: 1) { reported.append($0) } == ops.count)
        #expect(reported == [Replica.progressSlice])

        let paged = try Replica.create(at: dir.file("paged.sqlite"), user: "alice")
        var rng = SplitMix(state: 11)
        let shuffled = ops.shuffled(using: &rng)
        for start in stride(from: 0, to: shuffled.count, by: 997) {
            try paged.applyPulled(Array(shuffled[start..<min(start + 997, shuffled.count)]), cursor: 1)
        }
        for entity in ["account", "note"] {
            #expect(try whole.records(entity) == paged.records(entity))
        }
        // Listed in the order they were opened, which differs between the two.
        #expect(try whole.conflicts(all: true).sorted { $0.id < $1.id } == paged.conflicts(all: true).sorted { $0.id < $1.id })
        #expect(try whole.conflicts().count == 10)
        #expect(try whole.record("account", id: "a100333")?["revenue"] == .real(333.5))
    }

    /// Opening a current file writes nothing, so a command that only reads answers while another process
    /// (a long `rapport sync`) holds the write lock, instead of waiting for it.
    @Test func openingAndReadingDoNotWaitForAnotherWriter() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        let replica = try Replica.create(at: path, user: "alice")
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Acme"))]) }
        try replica.close()
        let other = try DatabaseQueue(path: path)
        try other.writeWithoutTransaction { db in
            // A committed write first, as a sync's earlier pages leave: the write-ahead log is not empty.
            try db.execute(sql: "UPDATE replica SET last_sync_ms = 1")
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            let reader = try Replica.open(at: path)
            #expect(try reader.records("account").map { $0["name"] } == [.text("Acme")])
            try reader.close()
        }
    }

    /// A replica from before `v4-winners-from-ops` kept each field's winner in `field_versions`: opening it
    /// drops that table, and every value and edit stays as it was. (The key check covers the whole chain of
    /// upgrades: v5 keys the log by the columns that v4 indexed.)
    @Test func openingAFileWithFieldVersionsMovesWinnersToTheLog() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        let replica = try Replica.create(at: path, user: "alice")
        let id = try replica.change { tx in try tx.create("account", values: [("name", .text("Acme")), ("revenue", .real(10))]) }
        try replica.change { tx in _ = try tx.set("account", row: id, "revenue", to: .real(20)) }
        // Back to the v3 layout, as an older Rapport left the file.
        try replica.write { db in
            try Self.rebuildRowidLog(db, fieldIndex: "entity, row, field")
            try db.execute(sql: """
                CREATE TABLE field_versions (entity TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL, op TEXT NOT NULL,
                    ms INTEGER NOT NULL, logical INTEGER NOT NULL, replica TEXT NOT NULL, counter INTEGER NOT NULL,
                    PRIMARY KEY (entity, row, field)) WITHOUT ROWID;
                DELETE FROM grdb_migrations WHERE identifier IN ('v4-winners-from-ops', 'v5-log-keyed-by-field');
                """)
        }
        try replica.close()

        let reopened = try Replica.open(at: path)
        #expect(try Self.logKey(reopened) == Self.fieldKey)
        #expect(try !reopened.read { db in try db.tableExists("field_versions") })
        #expect(try reopened.record("account", id: id)?["revenue"] == .real(20))
        try reopened.change { tx in _ = try tx.set("account", row: id, "revenue", to: .real(30)) }
        #expect(try reopened.record("account", id: id)?["revenue"] == .real(30))
        #expect(try reopened.history(row: id).filter { $0.field == "revenue" }.count == 3)
    }

    /// A replica from before `v5-log-keyed-by-field` kept its log in a rowid table with an id index and a
    /// field index: opening it moves every operation into the table keyed by field, and nothing a user sees
    /// changes: values, history, the pending edits and their order, refusing an operation it already has.
    @Test func openingAFileWithARowidLogKeysTheLogByField() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        let replica = try Replica.create(at: path, user: "alice")
        let bob = Operation(id: OperationID(replica: "bob1", counter: 1), author: "bob", entity: "account", row: "a1", field: "name",
                            value: .text("Acme"), time: Timestamp(ms: 1))
        _ = try replica.applyPulled([bob], cursor: 1)
        try replica.change { tx in _ = try tx.set("account", row: "a1", "revenue", to: .real(10)) }
        try replica.change { tx in _ = try tx.set("account", row: "a1", "name", to: .text("Acme Corp")) }
        try replica.change { tx in _ = try tx.set("account", row: "a1", "revenue", to: .real(20)) }
        let pending = try replica.pendingOperations(limit: 10)
        try replica.markPushed([pending[0].id], timed: true)
        let (history, records) = (try replica.history(row: "a1"), try replica.records("account"))
        // Back to the v4 layout, as the last Rapport before this change left the file.
        try replica.write { db in
            try Self.rebuildRowidLog(db, fieldIndex: "entity, row, field, ms, logical, replica, counter")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5-log-keyed-by-field'")
        }
        #expect(try replica.read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'ops'") }?.contains("seq") == true)
        try replica.close()

        let reopened = try Replica.open(at: path)
        #expect(try Self.logKey(reopened) == Self.fieldKey)
        #expect(try reopened.history(row: "a1") == history)
        #expect(try reopened.records("account") == records)
        #expect(try reopened.pendingOperations(limit: 10) == Array(pending.dropFirst()))
        #expect(try reopened.applyPulled([bob] + pending, cursor: 5) == 0)
        try reopened.markPushed(pending.map(\.id), timed: true)
        #expect(try reopened.pendingCount() == 0)
        try reopened.change { tx in _ = try tx.set("account", row: "a1", "revenue", to: .real(30)) }
        #expect(try reopened.record("account", id: "a1")?["revenue"] == .real(30))
        #expect(try reopened.pendingOperations(limit: 10).map(\.id.counter) == [4])
    }

    /// A replica from before `v7-log-appended` kept its log's rows in key order (`WITHOUT ROWID`): opening it
    /// appends them to a rowid table with the key as its index, and nothing a user sees changes: values,
    /// history, the pending edits and their order, the count, refusing an operation it already has.
    @Test func openingAFileWithTheLogInKeyOrderAppendsIt() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        let replica = try Replica.create(at: path, user: "alice")
        let bob = (1...3).map { n in
            Operation(id: OperationID(replica: "bob1", counter: Int64(n)), author: "bob", entity: "account", row: "a1", field: "name",
                      value: .text("Acme \(n)"), time: Timestamp(ms: Int64(n)))
        }
        _ = try replica.applyPulled(bob, cursor: 3)
        try replica.change { tx in _ = try tx.set("account", row: "a1", "revenue", to: .real(10)) }
        try replica.change { tx in _ = try tx.set("account", row: "a1", "revenue", to: .real(20)) }
        let pending = try replica.pendingOperations(limit: 10)
        try replica.markPushed([pending[0].id], timed: true)
        let (history, records, status) = (try replica.history(row: "a1"), try replica.records("account"), try replica.status())
        // Back to the v6 layout, as the last Rapport before this change left the file.
        try replica.write { db in
            try db.execute(sql: """
                CREATE TABLE keyed_ops (
                    entity TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL, ms INTEGER NOT NULL, logical INTEGER NOT NULL,
                    replica TEXT NOT NULL, counter INTEGER NOT NULL, id TEXT NOT NULL, author TEXT NOT NULL, value_type TEXT NOT NULL,
                    value, base TEXT, supersedes TEXT, resolution INTEGER NOT NULL DEFAULT 0, pushed INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (entity, row, field, ms, logical, replica, counter)
                ) WITHOUT ROWID;
                INSERT INTO keyed_ops SELECT entity, row, field, ms, logical, replica, counter, id, author, value_type, value, base,
                    supersedes, resolution, pushed FROM ops;
                DROP TABLE ops;
                ALTER TABLE keyed_ops RENAME TO ops;
                CREATE INDEX ops_pending ON ops(replica, counter) WHERE pushed = 0;
                DELETE FROM grdb_migrations WHERE identifier = 'v7-log-appended';
                """)
        }
        #expect(try Self.logTable(replica)?.contains("WITHOUT ROWID") == true)
        try replica.close()

        var heard: [[String]] = []
        let reopened = try Replica.open(at: path) { changes in heard.append(changes) }
        #expect(heard == [["v7-log-appended"]])
        #expect(try Self.logTable(reopened)?.contains("WITHOUT ROWID") == false)
        #expect(try Self.logKey(reopened) == Self.fieldKey)
        #expect(try reopened.history(row: "a1") == history)
        #expect(try reopened.records("account") == records)
        #expect(try reopened.status() == status)
        #expect(try reopened.pendingOperations(limit: 10) == Array(pending.dropFirst()))
        #expect(try reopened.applyPulled(bob + pending, cursor: 6) == 0)
        #expect(try reopened.pendingCount() == 0)
        try reopened.change { tx in _ = try tx.set("account", row: "a1", "revenue", to: .real(30)) }
        #expect(try reopened.record("account", id: "a1")?["revenue"] == .real(30))
        #expect(try reopened.pendingOperations(limit: 10).map(\.id.counter) == [3])
        #expect(try reopened.status().operations == 6)
        // Bob's first two names lost to his third.
        let compaction = try reopened.compact(keepDays: 0)
        #expect((compaction.deleted, compaction.remaining) == (2, 4))
        // Upgraded once: the next open has nothing to say.
        try reopened.close()
        _ = try Replica.open(at: path) { changes in heard.append(changes) }
        #expect(heard.count == 1)
    }

    static let fieldKey = ["entity", "row", "field", "ms", "logical", "replica", "counter"]

    /// The log's key columns, in order.
    static func logKey(_ replica: Replica) throws -> [String] {
        try replica.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('ops') WHERE pk > 0 ORDER BY pk") }
    }

    static func logTable(_ replica: Replica) throws -> String? {
        try replica.read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'ops'") }
    }

    /// A pending edit that was stamped anew (the server refused its clock) and whose first stamp the server
    /// stored after all comes back from a pull under the old stamp: the replica still holds the id once.
    @Test func aRestampedEditComingBackUnderItsOldStampIsHeldOnce() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Acme"))]) }
        let original = try #require(try replica.pendingOperations(limit: 1).first)
        // The server's clock is a minute behind the edit's stamp.
        #expect(try replica.restampPending(after: Timestamp(ms: original.time.ms - 60_000)) == 1)
        let restamped = try #require(try replica.pendingOperations(limit: 1).first)
        #expect(restamped.id == original.id && restamped.time != original.time)

        #expect(try replica.applyPulled([original], cursor: 1) == 0)
        let held = try replica.history(row: original.row)
        #expect(held.count == 1 && held.first?.id == original.id)
        #expect(try replica.pendingCount() == 0)
    }

    /// Operations sent again after a server restore keep their stamps when newer edits are re-stamped: a
    /// colleague may hold them and may have overwritten them since.
    @Test func onlyEditsAheadOfTheServersClockAreRestamped() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        try replica.change { tx in _ = try tx.create("account", values: [("name", .text("Acme"))]) }
        let old = try #require(try replica.pendingOperations(limit: 1).first)
        try replica.markPushed([old.id], timed: true)
        #expect(try replica.resendAfterServerRestore() == 1)
        try replica.change { tx in _ = try tx.set("account", row: old.row, "industry", to: .text("Retail")) }
        let floor = Timestamp(ms: old.time.ms)
        #expect(try replica.restampPending(after: floor) == 1)
        let pending = try replica.pendingOperations(limit: 10)
        #expect(pending.first { $0.id == old.id }?.time == old.time)
        #expect(pending.first { $0.id != old.id }.map { $0.time > floor } == true)
    }

    /// `status().operations` is a count that `apply` and `compact` keep (counting the log read all of it:
    /// seconds on a cold disk for a team's replica). It must follow the log through local edits, pulled pages
    /// with operations the replica already has, compaction, and the upgrade that adds it.
    @Test func theOperationCountFollowsTheLog() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        var replica = try Replica.create(at: path, user: "alice")
        func counts() throws -> (kept: Int, log: Int) {
            (try replica.status().operations, try replica.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ops") ?? -1 })
        }
        func bob(_ counter: Int64, _ field: String, _ value: FieldValue) -> Operation {
            Operation(id: OperationID(replica: "bob1", counter: counter), author: "bob", entity: "account", row: "a1", field: field,
                      value: value, time: Timestamp(ms: counter))
        }
        let names = [bob(1, "name", .text("A")), bob(2, "name", .text("B")), bob(3, "name", .text("C"))]
        #expect(try replica.applyPulled(names, cursor: 3) == 3)
        #expect(try replica.applyPulled([names[2], bob(4, "revenue", .real(1))], cursor: 4) == 1)
        try replica.change { tx in _ = try tx.set("account", row: "a1", "revenue", to: .real(2)) }
        #expect(try counts() == (5, 5))
        // Bob's first two names lost to his third; the revenue he set lost to a pending edit, so it stays.
        let compaction = try replica.compact(keepDays: 0)
        #expect((compaction.deleted, compaction.remaining) == (2, 3))
        #expect(try counts() == (3, 3))

        // A file from before the count: opening it counts the log once.
        try replica.write { db in
            try db.execute(sql: """
                ALTER TABLE replica DROP COLUMN operations;
                DELETE FROM grdb_migrations WHERE identifier = 'v6-operation-count';
                """)
        }
        try replica.close()
        replica = try Replica.open(at: path)
        #expect(try counts() == (3, 3))
    }

    /// Compaction leaves the pages it frees in the file; shrinking gives them back and changes nothing else.
    @Test func shrinkingGivesFreedSpaceBackAndKeepsEverything() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        let replica = try Replica.create(at: path, user: "alice")
        // Forty accounts whose industry was overwritten 250 times each, long ago: all but the last go.
        var ops: [Operation] = []
        for round in 0..<250 {
            for account in 0..<40 {
                let counter = Int64(ops.count + 1)
                ops.append(Operation(
                    id: OperationID(replica: "bob1", counter: counter), author: "bob", entity: "account", row: "a\(account)", field: "industry",
                    value: .text(String(repeating: "industry \(round) ", count: 20)), time: Timestamp(ms: 1_000 + counter)))
            }
        }
        #expect(try replica.applyPulled(ops, cursor: Int64(ops.count)) == ops.count)
        let records = try replica.records("account")
        let compaction = try replica.compact(keepDays: 0)
        #expect((compaction.deleted, compaction.remaining) == (9_960, 40))
        #expect(compaction.freeBytes > 1 << 20)

        let shrunk = try replica.shrink()
        #expect(shrunk.bytesBefore - shrunk.bytesAfter >= compaction.freeBytes / 2)
        let onDisk = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(Int64(onDisk) == shrunk.bytesAfter)
        #expect(try replica.records("account") == records)
        #expect(try replica.status().operations == 40)
        #expect(try replica.compact(keepDays: 0).freeBytes == 0)
        try replica.close()
        #expect(try Replica.open(at: path).records("account") == records)
    }

    /// Puts the log back into the rowid table that replicas before `v5-log-keyed-by-field` had, with their id
    /// index, pending index and a field index on `fieldIndex`.
    static func rebuildRowidLog(_ db: Database, fieldIndex: String) throws {
        try db.execute(sql: """
            CREATE TABLE old_ops (
                seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, replica TEXT NOT NULL, counter INTEGER NOT NULL,
                author TEXT NOT NULL, entity TEXT NOT NULL, row TEXT NOT NULL, field TEXT NOT NULL, value_type TEXT NOT NULL,
                value, ms INTEGER NOT NULL, logical INTEGER NOT NULL, base TEXT, supersedes TEXT,
                resolution INTEGER NOT NULL DEFAULT 0, pushed INTEGER NOT NULL DEFAULT 0);
            INSERT INTO old_ops (\(OperationRows.columns), pushed) SELECT \(OperationRows.columns), pushed FROM ops ORDER BY replica, counter;
            DROP TABLE ops;
            ALTER TABLE old_ops RENAME TO ops;
            CREATE INDEX ops_field ON ops(\(fieldIndex));
            CREATE INDEX ops_pending ON ops(pushed) WHERE pushed = 0;
            """)
    }

    /// Local changes wait for the disk (GRDB sets NORMAL when it sets up WAL mode; the replica sets FULL back),
    /// created or reopened, and after a pulled page, which alone is committed without waiting.
    @Test func localChangesAreCommittedWithSynchronousFull() throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        let replica = try Replica.create(at: path, user: "alice")
        #expect(try replica.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        let op = Operation(id: OperationID(replica: "bob1", counter: 1), author: "bob", entity: "account", row: "a1", field: "name",
                           value: .text("Acme"), time: Timestamp(ms: 1))
        _ = try replica.applyPulled([op], cursor: 1)
        #expect(try replica.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        try replica.close()
        let reopened = try Replica.open(at: path)
        #expect(try reopened.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        try reopened.close()
    }

    /// A list reads only the columns it shows; it still sorts by the field asked for, even one it does not read.
    @Test func recordsReadOnlyTheFieldsAsked() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        try replica.change { tx in
            _ = try tx.create("account", values: [("name", .text("Beta")), ("revenue", .real(2)), ("tier", .text("key"))])
            _ = try tx.create("account", values: [("name", .text("alpha")), ("revenue", .real(1)), ("tier", .text("key"))])
        }
        let some = try replica.records("account", orderBy: "name", fields: ["revenue"])
        #expect(some.map { $0["revenue"] } == [.real(1), .real(2)])
        #expect(some.allSatisfy { $0["name"] == .null && $0["tier"] == .null })
        #expect(try replica.records("account", orderBy: "name").map { $0["tier"] } == [.text("key"), .text("key")])
        #expect { try replica.records("account", fields: ["revenu"]) } throws: { error in
            guard case ReplicaError.invalid(.unknownField(_, let field, _, _)) = error else { return false }
            return field == "revenu"
        }
    }

    @Test func missingFileSaysHowToCreateOne() throws {
        #expect {
            try Replica.open(at: "/nonexistent/r.sqlite")
        } throws: { "\($0)".contains("rapport init") }
    }

    @Test func twoWritersOnOneFileBothSucceed() async throws {
        let dir = try TemporaryFolder()
        let path = dir.file("r.sqlite")
        try Replica.create(at: path, user: "alice").close()
        let a = try Replica.open(at: path)
        let b = try Replica.open(at: path)
        async let first: Void = Task.detached {
            for i in 0..<100 { try a.change { tx in _ = try tx.create("account", values: [("name", .text("A\(i)"))]) } }
        }.value
        async let second: Void = Task.detached {
            for i in 0..<100 { try b.change { tx in _ = try tx.create("account", values: [("name", .text("B\(i)"))]) } }
        }.value
        _ = try await (first, second)
        #expect(try a.records("account").count == 200)
        let ids = try a.history(row: "").map(\.id)
        #expect(ids.isEmpty)
        #expect(try a.status().operations == 200)
    }

    @Test func findByNameOrIdPrefix() throws {
        let dir = try TemporaryFolder()
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        let acme = try replica.change { tx in try tx.create("account", values: [("name", .text("Acme"))]) }
        _ = try replica.change { tx in try tx.create("account", values: [("name", .text("Acme Europe"))]) }
        #expect(try replica.find("account", "acme").id == acme)
        #expect(try replica.find("account", String(acme.prefix(8))).id == acme)
        #expect(throws: ReplicaError.self) { try replica.find("account", "Globex") }
    }

    /// Alice's replica with a note at "v1", and Bob's edit of it, not yet pulled.
    static func noteAndAColleaguesEdit(in dir: TemporaryFolder) throws -> (replica: Replica, note: String, base: Operation, theirs: Operation) {
        let replica = try Replica.create(at: dir.file("r.sqlite"), user: "alice")
        let note = try replica.change { tx in try tx.create("note", values: [("body", .text("v1"))]) }
        let base = try replica.history(row: note)[0]
        let theirs = Operation(
            id: OperationID(replica: "bobreplica", counter: 1), author: "bob", entity: "note", row: note, field: "body",
            value: .text("bob's v2"), time: Timestamp(ms: base.time.ms + 1), base: base.id)
        return (replica, note, base, theirs)
    }

    @Test func editingNoteInConflictIsRefused() throws {
        let dir = try TemporaryFolder()
        let (replica, note, _, theirs) = try Self.noteAndAColleaguesEdit(in: dir)
        try replica.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("alice's v2")) }
        try replica.applyPulled([theirs], cursor: 1)
        let conflicts = try replica.conflicts()
        #expect(conflicts.count == 1)
        #expect(throws: ReplicaError.self) {
            try replica.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("v3")) }
        }
        try replica.change { tx in _ = try tx.resolve(conflict: conflicts[0].id, with: .text("merged")) }
        #expect(try replica.conflicts().isEmpty)
        #expect(try replica.record("note", id: note)?["body"] == .text("merged"))
        #expect(try replica.conflicts(all: true).first?.status == "resolved")
    }

    /// A removal stands whatever edits came with it, and so the review of a removed record's text is over: it
    /// stayed open on every replica, counted by `status`, and resolving it wrote onto the removed record.
    @Test func aRemovedRecordsConflictIsNoLongerOpen() throws {
        let dir = try TemporaryFolder()
        let (replica, note, _, theirs) = try Self.noteAndAColleaguesEdit(in: dir)
        try replica.change { tx in _ = try tx.editText("note", row: note, "body", to: .text("alice's v2")) }
        try replica.applyPulled([theirs], cursor: 1)
        let conflict = try #require(try replica.conflicts().first)
        #expect(try replica.status().openConflicts == 1)
        try replica.change { tx in try tx.delete("note", row: note) }
        #expect(try replica.conflicts().isEmpty)
        #expect(try replica.status().openConflicts == 0)
        #expect(try replica.conflicts(all: true).map(\.status) == ["removed"])
        #expect(try replica.conflict(String(conflict.id.prefix(6))).status == "removed")
    }

    /// A colleague's version that a sync brings in while the editor is open: the edit replaces what the
    /// editor showed, so the two go to review (it used to replace the colleague's version, which the person
    /// never saw, without a conflict), and an editor closed unchanged changes nothing (it reverted it).
    @Test func aVersionThatArrivesWhileEditingGoesToReview() throws {
        let dir = try TemporaryFolder()
        let (replica, note, base, theirs) = try Self.noteAndAColleaguesEdit(in: dir)

        let seen = try replica.textSeen("note", row: note, "body")
        try replica.applyPulled([theirs], cursor: 1)
        #expect(try replica.change { tx in try tx.editText("note", row: note, "body", to: .text("v1"), seen: seen) } == nil)
        #expect(try replica.record("note", id: note)?["body"] == .text("bob's v2"))
        #expect(try replica.conflicts().isEmpty)

        let mine = try #require(try replica.change { tx in try tx.editText("note", row: note, "body", to: .text("alice's v2"), seen: seen) })
        #expect(mine.base == base.id)
        let conflict = try #require(try replica.conflicts().first)
        #expect(Set(conflict.versions) == [theirs.id, mine.id])
        // Read during the conflict, a field is refused before any editor opens.
        #expect(throws: ReplicaError.self) { _ = try replica.textSeen("note", row: note, "body") }
    }
}

typealias Operation = RapportSync.Operation

/// A clock a test moves by hand, for a replica's stamps and push times.
final class SteppedClock: @unchecked Sendable {
    let lock = NSLock()
    var ms: Int64 = 1_900_000_000_000
    func now() -> Int64 { lock.withLock { ms } }
    func advance(_ by: Int64) { lock.withLock { ms += by } }
}
