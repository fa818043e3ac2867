import GRDB
import RapportSQL
import RapportSync

/// One row of an entity table, its values keyed by field name.
public struct Record: Sendable, Equatable {
    public var id: String
    public var deleted: Bool
    /// The fields read, in the order of `fieldValues`; one array that every record of a query shares. A
    /// dictionary per record cost a list of ten thousand accounts more than SQLite's reading them.
    let fieldNames: [String]
    let fieldValues: [FieldValue]

    /// A field's value; null for a field not read. Entities have a few dozen fields at most, and field names
    /// are short, so a scan compares fewer bytes than hashing the name would read.
    public subscript(_ field: String) -> FieldValue {
        fieldNames.firstIndex(of: field).map { fieldValues[$0] } ?? .null
    }

    /// The record with one field's value replaced (a field not read is left out): a view of the past puts a
    /// value from the field's history in place of today's.
    public func replacing(_ field: String, with value: FieldValue) -> Record {
        guard let index = fieldNames.firstIndex(of: field) else { return self }
        var values = fieldValues
        values[index] = value
        return Record(id: id, deleted: deleted, fieldNames: fieldNames, fieldValues: values)
    }

    /// The values read, keyed by field name.
    public var values: [String: FieldValue] { Dictionary(uniqueKeysWithValues: zip(fieldNames, fieldValues)) }

    public static func == (a: Record, b: Record) -> Bool {
        a.id == b.id && a.deleted == b.deleted && a.values == b.values
    }
}

/// A conflict as the replica records it.
public struct ConflictInfo: Sendable, Equatable {
    public var id: String
    public var key: FieldKey
    public var versions: [OperationID]
    public var base: OperationID?
    public var heads: [OperationID]
    public var status: String
    public var closedBy: String?
    /// When this replica opened it (Unix milliseconds): each replica's own, so not part of what makes two
    /// replicas' conflicts the same.
    public var openedMs: Int64 = 0

    public static func == (a: ConflictInfo, b: ConflictInfo) -> Bool {
        a.id == b.id && a.key == b.key && a.versions == b.versions && a.base == b.base && a.heads == b.heads && a.status == b.status && a.closedBy == b.closedBy
    }
}

/// What `rapport status` reports.
public struct ReplicaStatus: Sendable, Equatable {
    public var identity: ReplicaIdentity
    public var pendingOperations: Int
    public var openConflicts: Int
    public var operations: Int
}

extension Replica {
    /// The rows of an entity, sorted by `orderBy` (a field name), without deleted rows unless asked; with
    /// `fields`, only those values are read (the others read as null), which a list of thousands of rows
    /// showing a few columns needs.
    public func records(
        _ entityName: String, where filter: (field: String, value: FieldValue)? = nil, includeDeleted: Bool = false,
        orderBy: String? = nil, fields: [String]? = nil
    ) throws -> [Record] {
        try records(entityName, whereIn: filter.map { ($0.field, [$0.value]) }, includeDeleted: includeDeleted, orderBy: orderBy, fields: fields)
    }

    /// Live rows whose `field` holds one of `values` (reference fields are indexed, so this reads only those).
    public func records(
        _ entityName: String, whereIn filter: (field: String, values: [FieldValue])?, includeDeleted: Bool = false,
        orderBy: String? = nil, fields: [String]? = nil
    ) throws -> [Record] {
        if let filter, filter.values.isEmpty { return [] }
        let condition = filter.map { filter in
            ("\(filter.field.quotedDatabaseIdentifier) IN (\(Array(repeating: "?", count: filter.values.count).joined(separator: ", ")))", filter.values)
        }
        return try records(entityName, condition: condition, includeDeleted: includeDeleted, orderBy: orderBy, fields: fields)
    }

    /// Removed rows, of those whose `field` holds one of `values` when given.
    public func removedRecords(_ entityName: String, whereIn filter: (field: String, values: [FieldValue])? = nil) throws -> [Record] {
        if let filter, filter.values.isEmpty { return [] }
        var condition = (sql: "\(ReplicaSchema.deletedColumn) = 1", values: [FieldValue]())
        if let filter {
            condition.sql += " AND \(filter.field.quotedDatabaseIdentifier) IN (\(Array(repeating: "?", count: filter.values.count).joined(separator: ", ")))"
            condition.values = filter.values
        }
        return try records(entityName, condition: condition, includeDeleted: true, orderBy: nil, fields: nil)
    }

    /// Live rows whose `field` may equal `text` ignoring case: those equal to it when only ASCII letters are
    /// folded, and every row whose field holds non-ASCII text, which SQLite does not fold as Foundation does.
    /// The caller makes the final comparison; this spares it building and sorting the rows that cannot match.
    /// A non-ASCII `text` selects every row, since Foundation may find it equal to ASCII text ("ß", "SS"), and
    /// so does an empty one, which a caller comparing displayed values finds equal to an empty field.
    public func records(
        _ entityName: String, mayEqualIgnoringCase filter: (field: String, text: String),
        orderBy: String? = nil, fields: [String]? = nil
    ) throws -> [Record] {
        guard !filter.text.isEmpty, filter.text.utf8.allSatisfy({ $0 < 0x80 }) else { return try records(entityName, orderBy: orderBy, fields: fields) }
        guard schema.entity(entityName)?.field(filter.field) != nil else {
            throw ReplicaError.invalid(.unknownField(entity: entityName, field: filter.field, known: schema.entity(entityName)?.fields.map(\.name) ?? []))
        }
        let column = filter.field.quotedDatabaseIdentifier
        // length() counts characters and the blob's length bytes: they differ exactly when the text has a
        // non-ASCII character.
        let condition = "(\(column) = ? COLLATE NOCASE OR length(\(column)) != length(CAST(\(column) AS BLOB)))"
        return try records(entityName, condition: (condition, [.text(filter.text)]), orderBy: orderBy, fields: fields)
    }

    /// Removed rows whose `field` may equal `text` ignoring case, narrowed as the live ones are above: whether a
    /// removed row has the whole name that found a live one only by its start, without reading every removed row.
    public func removedRecords(_ entityName: String, mayEqualIgnoringCase filter: (field: String, text: String)) throws -> [Record] {
        guard !filter.text.isEmpty, filter.text.utf8.allSatisfy({ $0 < 0x80 }), schema.entity(entityName)?.field(filter.field) != nil else {
            return try removedRecords(entityName)
        }
        let column = filter.field.quotedDatabaseIdentifier
        let condition = "\(ReplicaSchema.deletedColumn) = 1 AND (\(column) = ? COLLATE NOCASE OR length(\(column)) != length(CAST(\(column) AS BLOB)))"
        return try records(entityName, condition: (condition, [.text(filter.text)]), includeDeleted: true, orderBy: nil, fields: nil)
    }

    private func records(
        _ entityName: String, condition: (sql: String, values: [FieldValue])?, includeDeleted: Bool = false,
        orderBy: String?, fields: [String]?
    ) throws -> [Record] {
        guard var entity = schema.entity(entityName) else { throw ReplicaError.invalid(.unknownEntity(entityName)) }
        let orderBy = orderBy.flatMap { entity.field($0) != nil ? $0 : nil }
        if let fields {
            let unknown = fields.filter { entity.field($0) == nil }
            guard unknown.isEmpty else { throw ReplicaError.invalid(.unknownField(entity: entityName, field: unknown[0], known: entity.fields.map(\.name))) }
            entity.fields.removeAll { !fields.contains($0.name) }
        }
        var sql = "SELECT \(Self.recordColumns(entity)) FROM \(entity.table.quotedDatabaseIdentifier)"
        var clauses: [String] = []
        if !includeDeleted { clauses.append("deleted = 0") }
        if let condition { clauses.append(condition.sql) }
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        if let orderBy { sql += " ORDER BY \(orderBy.quotedDatabaseIdentifier) COLLATE NOCASE, id" } else { sql += " ORDER BY id" }
        return try read { db in
            let statement = try FastStatement(db, sql: sql)
            defer { statement.reset() }
            for (i, value) in (condition?.values ?? []).enumerated() { statement.bind(Int32(i + 1), value) }
            let names = entity.fields.map(\.name)
            var records: [Record] = []
            while try statement.step() { records.append(decodeRecord(statement, entity: entity, names: names)) }
            if let orderBy, names.contains(orderBy) { Self.sortAccented(&records, by: orderBy) }
            return records
        }
    }

    static let spelledOut: [Unicode.Scalar: String] = ["ø": "o", "œ": "oe", "æ": "ae", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"]

    /// A name's place in a list: case folded, and accents too for a name that has any.
    public static func sortKey(_ text: String) -> String {
        guard !text.utf8.allSatisfy({ $0 < 0x80 }) else { return text.lowercased() }
        // (As AccountName.unaccented spells out the letters that are no accented ones: Ørsted among the O's.)
        return text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).unicodeScalars.map { spelledOut[$0] ?? String($0) }.joined()
    }

    /// SQLite's NOCASE folds ASCII letters only, so "Négoce" sorted after "Northwind" and "Éclat" after every
    /// name in Z. Names with other letters are placed by their letters without accents, case folded; rows of
    /// ASCII names only keep SQLite's order untouched (the usual case, and no folding to pay for).
    static func sortAccented(_ records: inout [Record], by field: String) {
        guard records.contains(where: { !$0[field].display.utf8.allSatisfy { $0 < 0x80 } }) else { return }
        let keys = records.map { sortKey($0[field].display) }
        // Stable: rows of one key keep SQLite's order (by id).
        let order = records.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        records = order.map { records[$0] }
    }

    public func record(_ entityName: String, id: String) throws -> Record? {
        guard let entity = schema.entity(entityName) else { throw ReplicaError.invalid(.unknownEntity(entityName)) }
        return try read { db in
            let statement = try FastStatement(db, sql: "SELECT \(Self.recordColumns(entity)) FROM \(entity.table.quotedDatabaseIdentifier) WHERE id = ?")
            defer { statement.reset() }
            statement.bind(1, id)
            return try statement.step() ? decodeRecord(statement, entity: entity, names: entity.fields.map(\.name)) : nil
        }
    }

    /// The columns `decodeRecord` reads, by position: looking each up by name costs more than the query.
    static func recordColumns(_ entity: EntitySpec) -> String {
        (["id", "deleted"] + entity.fields.map(\.name)).map(\.quotedDatabaseIdentifier).joined(separator: ", ")
    }

    /// The current row of a statement over `recordColumns`, read through SQLite's C interface: commands list
    /// thousands of rows, and decoding each column through GRDB's generic `Row` took most of their time.
    /// `names` is `entity.fields`' names, made once per query so that the records share it.
    func decodeRecord(_ statement: FastStatement, entity: EntitySpec, names: [String]) -> Record {
        var values: [FieldValue] = []
        values.reserveCapacity(entity.fields.count)
        for (i, field) in entity.fields.enumerated() {
            values.append(statement.value(Int32(i + 2), as: field.type))
        }
        return Record(id: statement.text(0) ?? "", deleted: statement.int(1) != 0, fieldNames: names, fieldValues: values)
    }

    /// Finds one live row: by its id, its name (case-insensitive), or a unique prefix of either; among the
    /// rows `within` selects (an account's stakeholders), or all.
    /// `preferring`: of several records of one name the query matches, the one that alone satisfies it is meant
    /// (a colleague's open action, of two of one text, where the others are done or someone else's). Not among
    /// records whose names only start so: "Send" is not taken for "Send the quote" beside "Send samples".
    public func find(_ entityName: String, _ query: String, nameField: String = "name", within filter: (field: String, value: FieldValue)? = nil,
                     preferring: ((Record) throws -> Bool)? = nil) throws -> Record {
        // Without the invisible characters a pasted name brings, as the names typed are stored.
        let query = FieldSpec.withoutInvisibles(query).trimmingCharacters(in: .whitespaces)
        guard !query.isEmpty else { throw ReplicaError.notFound(kind: entityName, query: query) }
        let live = try records(entityName, where: filter)
        if let exact = live.first(where: { $0.id == query }) { return exact }
        // (Stored names too: one taken with a zero-width space before such characters were dropped is found by
        // its name pasted or typed.)
        let name = { (r: Record) in FieldSpec.withoutInvisibles(r[nameField].textValue ?? "") }
        // Runs of spaces do not count, as names are stored with single ones: "Contoso  Ltd" typed, or a name
        // from before, still finds its record.
        func spaced(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        // (Folded only when the name as typed matches nothing: most do, and a replica holds 200,000 notes.)
        let typed = spaced(query)
        var byName = live.filter { name($0).caseInsensitiveCompare(query) == .orderedSame }
        if byName.isEmpty { byName = live.filter { spaced(name($0)).caseInsensitiveCompare(typed) == .orderedSame } }
        // A name typed without its accents, as on a keyboard without them ("nestle" for Nestlé, "zurich" for Zürich
        // AG): its whole name before any name it starts ("Nestle Waters"), and its start among the others. Only
        // names with other letters than ASCII are folded (the others were compared as typed), once each.
        let foldedQuery = Self.sortKey(typed)
        var folded: [String?]?
        func unaccented(_ i: Int) -> String? {
            if folded == nil { folded = live.map { r in let n = spaced(name(r)); return n.utf8.allSatisfy { $0 < 0x80 } ? nil : Self.sortKey(n) } }
            return folded![i]
        }
        if byName.isEmpty { byName = live.indices.filter { unaccented($0) == foldedQuery }.map { live[$0] } }
        if byName.count == 1 { return byName[0] }
        let matches = byName.isEmpty
            ? live.indices.filter { i in
                let r = live[i]
                return r.id.hasPrefix(query.lowercased()) || name(r).lowercased().hasPrefix(query.lowercased()) || spaced(name(r)).lowercased().hasPrefix(typed.lowercased())
                    || unaccented(i)?.hasPrefix(foldedQuery) == true
            }.map { live[$0] }
            : byName
        if matches.count == 1 { return matches[0] }
        // The same customer added on two laptops leaves two accounts of one name (accents aside: a copy merged
        // into "Zürich AG" as "Zurich AG"); once the spare one is archived (as `rapport sync` advises), the name,
        // or the start of it, means the other. So does the start of names that differ where the others are copies
        // merged into it ("Globex" once "Globex Corp" was merged into "Globex Corporation": the name people used
        // every day stopped working with the merge); an account archived by hand is not traded for another
        // customer's name. (Their whole name or id still finds them.)
        if matches.count > 1, schema.entity(entityName)?.field("archived") != nil {
            let unarchived = matches.filter { $0["archived"] != .bool(true) }
            // (Through a chain of merges: A into B, then B into C.)
            let mergedInto = Dictionary(live.compactMap { r in r["merged_into"].textValue.map { (r.id, $0) } }, uniquingKeysWith: { a, _ in a })
            func endsIn(_ id: String) -> Bool {
                var at = id, steps = 0
                while let next = mergedInto[at], steps < 32 { at = next; steps += 1 }
                return at == unarchived.first?.id
            }
            if unarchived.count == 1, !byName.isEmpty || Set(matches.map { Self.sortKey(spaced(name($0))) }).count == 1 || matches.allSatisfy({ endsIn($0.id) }) {
                return unarchived[0]
            }
        }
        if matches.isEmpty { throw ReplicaError.notFound(kind: entityName, query: query, removed: try removedMatch(entityName, query, nameField: nameField, within: filter)) }
        if let preferring, !byName.isEmpty || Set(matches.map { Self.sortKey(spaced(name($0))) }).count == 1 {
            let preferred = try matches.filter(preferring)
            if preferred.count == 1 { return preferred[0] }
        }
        let accounts = Set(matches.compactMap { $0["account"].textValue })
        // Records at several accounts are named with theirs: two "Send deck" told apart by id alone left people
        // to guess which was the colleague's customer's.
        let accountNames = accounts.count > 1 ? try Dictionary(uniqueKeysWithValues: accounts.map { ($0, try record("account", id: $0)?["name"].textValue) }) : [:]
        func label(_ r: Record) -> String {
            // What tells them apart besides: two meetings of one day by their kinds, an action done already as such.
            let kind = entityName == "meeting" ? r["kind"].textValue.map { " \($0)" } ?? "" : ""
            let marks = [r["done"] == .bool(true) ? "done" : nil, r["account"].textValue.flatMap { accountNames[$0] ?? nil }.map { "at \($0)" }].compactMap { $0 }
            return "\(r.id.prefix(8)) \(name(r))\(kind)\(marks.isEmpty ? "" : " (\(marks.joined(separator: ", ")))")"
        }
        throw ReplicaError.ambiguous(
            // By name, as the lists show them ("Client 06; Client 11; Client 09" read as in no order).
            kind: entityName, query: query, matches: matches.sorted { (name($0).lowercased(), $0.id) < (name($1).lowercased(), $1.id) }.map(label),
            sameName: Set(matches.map { spaced(name($0)).lowercased() }).count == 1,
            accounts: accounts.count,
            // The start of an id that several share (no name starts so): more of it tells them apart.
            byID: matches.allSatisfy { $0.id.hasPrefix(query.lowercased()) && !spaced(name($0)).lowercased().hasPrefix(typed.lowercased()) })
    }

    /// The removed row that `query` names (by its id, the start of its id of 4 characters or more, or its whole
    /// name), for a lookup of live rows that found none; the latest removed where several match. A pass over the
    /// entity's removed rows, read only when a lookup fails, by `history`, and to name one whose whole name found
    /// a live row by its start (`removedRecords(_:mayEqualIgnoringCase:)` asks that first).
    public func removedMatch(_ entityName: String, _ query: String, nameField: String = "name", within filter: (field: String, value: FieldValue)? = nil) throws -> RemovedMatch? {
        let removed = try removedMatches(entityName, query, nameField: nameField, within: filter)
        guard !removed.isEmpty else { return nil }
        let removals = try removed.map { record in
            (record, try read { db in
                try Row.fetchOne(db, sql: """
                    SELECT author, ms FROM ops WHERE entity = ? AND row = ? AND field = ? ORDER BY ms DESC, logical DESC, replica DESC, counter DESC LIMIT 1
                    """, arguments: [entityName, record.id, Schema.deletedField])
            })
        }
        let latest = removals.max { ($0.1?["ms"] as Int64? ?? 0) < ($1.1?["ms"] as Int64? ?? 0) }!
        return RemovedMatch(
            kind: entityName, id: latest.0.id, name: latest.0[nameField].textValue ?? "", removedBy: latest.1?["author"], removedMs: latest.1?["ms"],
            others: removed.filter { $0.id != latest.0.id }.map(\.id))
    }

    /// Every removed row that `query` names, as `removedMatch` matches them.
    public func removedMatches(_ entityName: String, _ query: String, nameField: String = "name", within filter: (field: String, value: FieldValue)? = nil) throws -> [Record] {
        let query = FieldSpec.withoutInvisibles(query).trimmingCharacters(in: .whitespaces)
        guard !query.isEmpty else { return [] }
        // Names compared as the live lookup compares them (Foundation's case folding: "STRASSE" is "Straße"; no
        // zero-width space, typed or stored).
        func spaced(_ text: String) -> String { FieldSpec.withoutInvisibles(text).split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let typed = spaced(query)
        return try removedRecords(entityName, whereIn: filter.map { ($0.field, [$0.value]) }).filter {
            $0.id == query || (query.count >= 4 && $0.id.hasPrefix(query.lowercased())) || spaced($0[nameField].textValue ?? "").caseInsensitiveCompare(typed) == .orderedSame
        }
    }

    /// The rows of these entities with an operation stamped at or after `ms`: the only ones whose values a view
    /// of the time before can find changed since. One pass over the log, for views of many accounts, where one
    /// history per row was a query for each of tens of thousands of rows.
    public func rowsChanged(since ms: Int64, entities: [String]) throws -> Set<String> {
        try read { db in
            let marks = entities.map { _ in "?" }.joined(separator: ", ")
            return try Set(String.fetchAll(db, sql: "SELECT DISTINCT row FROM ops WHERE ms >= ? AND entity IN (\(marks))",
                                           arguments: StatementArguments([ms] as [any DatabaseValueConvertible] + entities)))
        }
    }

    /// When each of these rows' `field` took the value it holds: its winning operation's wall-clock stamp, in
    /// Unix milliseconds (rows whose field the log holds no operation for are left out). The winner is never
    /// compacted away, on a laptop set up from the server's snapshot too, so this holds on every replica: when a
    /// KPI was attached to its account, when an account was made a key account.
    /// `first`: the stamp of the field's first operation instead (a row is removed from its first tombstone).
    public func valueSetAt(_ entityName: String, field: String, rows: [String], first: Bool = false) throws -> [String: Int64] {
        guard let entity = schema.entity(entityName) else { throw ReplicaError.invalid(.unknownEntity(entityName)) }
        guard entity.field(field) != nil else {
            throw ReplicaError.invalid(.unknownField(entity: entityName, field: field, known: entity.fields.map(\.name)))
        }
        return try read { db in
            var stamps: [String: Int64] = [:]
            // Each row is one lookup at the end of its field's run in the log's key.
            let lookup = try db.cachedStatement(sql: "SELECT \(first ? "min" : "max")(ms) FROM ops WHERE entity = ? AND row = ? AND field = ?")
            for row in Set(rows) {
                if let ms = try Int64.fetchOne(lookup, arguments: [entityName, row, field]) { stamps[row] = ms }
            }
            return stamps
        }
    }

    /// When each row's `field` came to hold `value` as it held it before `cutoff` (Unix ms; nil: now): the
    /// first of the run of operations setting that value that ends with the field's winner then, in the
    /// last-writer-wins order. A value set again (two managers marking one account key) does not start the run
    /// anew, and a value held before a change and set back since starts where it was set back. Rows whose
    /// field did not hold `value` then are left out.
    public func heldSince(_ entityName: String, field: String, value: FieldValue, rows: [String], before cutoff: Int64? = nil) throws -> [String: Int64] {
        guard let entity = schema.entity(entityName) else { throw ReplicaError.invalid(.unknownEntity(entityName)) }
        guard entity.field(field) != nil else {
            throw ReplicaError.invalid(.unknownField(entity: entityName, field: field, known: entity.fields.map(\.name)))
        }
        return try read { db in
            let statement = try FastStatement(db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE entity = ? AND row = ? AND field = ? AND ms < ? ORDER BY \(Self.latestFirst)")
            var since: [String: Int64] = [:]
            for row in Set(rows) {
                statement.bind(1, entityName); statement.bind(2, row); statement.bind(3, field); statement.bind(4, cutoff ?? .max)
                for op in try statement.operations() {
                    guard op.value == value else { break }
                    since[row] = op.time.ms
                }
            }
            return since
        }
    }

    /// For each value of the reference `groupedBy` among an entity's live rows, the greatest text of `field`
    /// that is at most `atMost` (dates as YYYY-MM-DD order as text): the latest KPI reading by a day, say,
    /// without reading every reading of every KPI.
    /// `present`: only rows where that field is set (a KPI reading whose value was taken back is none).
    public func latest(_ entityName: String, field: String, groupedBy reference: String, atMost: String, present: String? = nil) throws -> [String: String] {
        guard let entity = schema.entity(entityName) else { throw ReplicaError.invalid(.unknownEntity(entityName)) }
        for name in [field, reference] + (present.map { [$0] } ?? []) where entity.field(name) == nil {
            throw ReplicaError.invalid(.unknownField(entity: entityName, field: name, known: entity.fields.map(\.name)))
        }
        let (value, group) = (field.quotedDatabaseIdentifier, reference.quotedDatabaseIdentifier)
        let set = present.map { " AND \($0.quotedDatabaseIdentifier) IS NOT NULL" } ?? ""
        return try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(group), max(\(value)) FROM \(entity.table.quotedDatabaseIdentifier)
                WHERE \(ReplicaSchema.deletedColumn) = 0 AND \(value) <= ? AND \(group) IS NOT NULL\(set) GROUP BY \(group)
                """, arguments: [atMost])
            return Dictionary(rows.compactMap { row in (row[1] as String?).map { (row[0] as String, $0) } }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Everyone who made a change this replica holds or held (compaction does not forget them).
    public func authors() throws -> Set<String> {
        try read { db in Set(try String.fetchAll(db, sql: "SELECT name FROM authors")) }
    }

    /// Every operation on a row, oldest first: who changed which field to what, and when.
    public func history(row: String) throws -> [Operation] {
        try read { db in
            // Naming every entity lets the log's key (entity, row, field, ...) find the row's operations: an
            // index on the row alone cost every pulled operation one more random write.
            let entities = schema.entities.map { "'\($0.name)'" }.joined(separator: ", ")
            return try OperationRows.fetchAll(
                db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE entity IN (\(entities)) AND row = ? ORDER BY ms, logical, replica, counter",
                arguments: [row])
        }
    }

    /// The latest operation on a field by the last-writer-wins order: the value that stands (or stood, on a
    /// removed record), with who set it and when. One seek at the end of the field's range of the log.
    public func latestOperation(on key: FieldKey) throws -> Operation? {
        try read { db in
            try OperationRows.fetchAll(db, sql: Self.winnerQuery(columns: OperationRows.columns), arguments: [key.entity, key.row, key.field]).first
        }
    }

    /// The operation with this id on field `key` (a conflict's versions, say), if the replica has it.
    ///
    /// The log is keyed by field; the field makes this one short range of the key rather than a pass over the
    /// whole log.
    public func operation(_ id: OperationID, on key: FieldKey) throws -> Operation? {
        try read { db in
            try OperationRows.fetchAll(
                db, sql: "SELECT \(OperationRows.columns) FROM ops WHERE entity = ? AND row = ? AND field = ? AND replica = ? AND counter = ?",
                arguments: [key.entity, key.row, key.field, id.replica, id.counter]).first
        }
    }

    /// Conflicts, open ones only unless `all`. One whose record was removed is over, whatever edits came
    /// before or after (removal wins): it is left out of the open ones, and `all` gives it as "removed".
    /// The conflicts of one row only, with `row` (a record removed or restored: not every conflict ever).
    public func conflicts(all: Bool = false, row: String? = nil) throws -> [ConflictInfo] {
        try read { db in
            let removed = onRemovedRecord
            let conditions: [String] = (all ? [] : ["status = 'open' AND NOT \(removed)"]) + (row == nil ? [] : ["row = ?"])
            let sql = """
                SELECT *, CASE WHEN status = 'open' AND \(removed) THEN 'removed' ELSE status END AS shown
                FROM conflicts \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")) ORDER BY opened_ms, id
                """
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(row.map { [$0] } ?? [])).map { row in
                let base: String? = row["base"]
                return ConflictInfo(
                    id: row["id"], key: FieldKey(entity: row["entity"], row: row["row"], field: row["field"]),
                    versions: OperationRows.split(row["versions"]),
                    base: base.flatMap { OperationID($0) },
                    heads: OperationRows.split(row["heads"]),
                    status: row["shown"], closedBy: row["closed_by"], openedMs: row["opened_ms"])
            }
        }
    }

    /// SQL true of a conflict whose record is removed. Every replica applies the same removal, so each leaves
    /// the conflict out alike; it stayed open on all of them, and a resolution wrote onto a removed record.
    var onRemovedRecord: String {
        let entities = schema.entities.filter { $0.fields.contains { $0.merge == .reviewedText } }
        guard !entities.isEmpty else { return "0" }
        // A lookup of the conflict's own row by its key, not a pass over the table (`row IN (SELECT ...)`).
        return "(" + entities.map { e in
            "(entity = '\(e.name)' AND EXISTS (SELECT 1 FROM \(e.table.quotedDatabaseIdentifier) AS t WHERE t.id = conflicts.row AND t.\(ReplicaSchema.deletedColumn) = 1))"
        }.joined(separator: " OR ") + ")"
    }

    /// The fewest characters of a conflict's id that name it: resolving sets versions aside, and a digit or
    /// two typed by mistake matched whichever single conflict was open.
    public static let conflictPrefixMinimum = 4

    /// Finds a conflict by a unique prefix of its id, at least `conflictPrefixMinimum` characters long.
    public func conflict(_ query: String) throws -> ConflictInfo {
        guard query.count >= Self.conflictPrefixMinimum else {
            throw ReplicaError.badArgument(
                "'\(query)' is too short for a conflict id: give at least \(Self.conflictPrefixMinimum) of its characters (`rapport conflicts` lists the ids)")
        }
        let matches = try conflicts(all: true).filter { $0.id.hasPrefix(query.lowercased()) }
        let open = matches.filter { $0.status == "open" }
        if open.count == 1 { return open[0] }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty { throw ReplicaError.unknownConflict(query) }
        throw ReplicaError.ambiguous(kind: "conflict", query: query, matches: matches.map(\.id))
    }

    public func status() throws -> ReplicaStatus {
        try read { db in
            ReplicaStatus(
                identity: try Self.identity(db),
                pendingOperations: try Int.fetchOne(db, sql: "SELECT count(*) FROM ops WHERE pushed = 0") ?? 0,
                openConflicts: try Int.fetchOne(db, sql: "SELECT count(*) FROM conflicts WHERE status = 'open' AND NOT \(onRemovedRecord)") ?? 0,
                operations: try Self.operationCount(db))
        }
    }

    /// How many operations the log holds, as `apply` and `compact` keep count (see migration
    /// `v6-operation-count`).
    static func operationCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT operations FROM replica") ?? 0
    }
}
