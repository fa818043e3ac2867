import GRDB
import RapportSQL
import RapportSync
import Testing

/// `FastStatement` binds texts in place from chunks it reuses after each reset; whatever the texts' sizes and
/// however many are bound between resets, SQLite must store exactly what was bound.
@Suite struct FastStatementTests {
    @Test func boundTextsArriveIntactAcrossChunksRewindsAndResets() throws {
        let queue = try DatabaseQueue()
        let texts = ["", "a", "short text", "ünïcødé 🎉", String(repeating: "x", count: 5_000), String(repeating: "é", count: 3_000)]
            + (0..<2_000).map { "row-\($0)-" + String(repeating: "y", count: $0 % 40) }
        let stored = try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER, a TEXT, b TEXT)")
            let insert = try FastStatement(db, sql: "INSERT INTO t (n, a, b) VALUES (?, ?, ?)")
            // Half the rows run with `rewind`, which keeps the bindings (and their bytes) until the next reset.
            for (n, text) in texts.enumerated() {
                insert.bind(1, Int64(n))
                insert.bind(2, text)
                insert.bind(3, texts[texts.count - 1 - n])
                if n.isMultiple(of: 2) {
                    try insert.run()
                } else {
                    _ = try insert.step()
                    insert.rewind()
                }
            }
            insert.reset()
            return try Row.fetchAll(db, sql: "SELECT n, a, b FROM t ORDER BY n").map { ($0[0] as Int, $0[1] as String?, $0[2] as String?) }
        }
        #expect(stored.count == texts.count)
        for (n, a, b) in stored {
            #expect(a == texts[n])
            #expect(b == texts[texts.count - 1 - n])
        }
    }

    @Test(arguments: [Int64(1), 9, 10, 12_345, 1_000_000_007, Int64.max, 0, -42])
    func anOperationIDIsBoundAsItsText(counter: Int64) throws {
        let queue = try DatabaseQueue()
        for replica in ["abcdefghijklmnopqrstuvwxyz012345", ""] {
            let id = OperationID(replica: replica, counter: counter)
            let stored = try queue.read { db -> String? in
                let select = try FastStatement(db, sql: "SELECT ?")
                select.bind(1, id)
                defer { select.reset() }
                return try select.step() ? select.text(0) : nil
            }
            #expect(stored == id.description)
        }
    }

    /// A parameter left unbound is null, never the bytes an earlier, finished statement bound in place.
    @Test func aNewStatementDoesNotSeeTheLastOnesTexts() throws {
        let queue = try DatabaseQueue()
        let value = try queue.write { db -> String? in
            try db.execute(sql: "CREATE TABLE t (a TEXT, b TEXT)")
            let sql = "INSERT INTO t (a, b) VALUES (?, ?)"
            do {
                let first = try FastStatement(db, sql: sql)
                first.bind(1, "first a, long enough to live in a chunk")
                first.bind(2, "first b, long enough to live in a chunk")
                _ = try first.step()
            }
            let second = try FastStatement(db, sql: sql)
            second.bind(1, "second")
            try second.run()
            return try String.fetchOne(db, sql: "SELECT b FROM t WHERE a = 'second'")
        }
        #expect(value == nil)
    }
}
