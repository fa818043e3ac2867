import GRDB
import RapportSQL
import RapportSync

extension Replica {
    /// Makes local changes in one transaction: the rows and their operations are written together or not
    /// at all. Returns what the body returns.
    /// A change is made under SQLite's write lock, taken as it begins (GRDB's immediate transactions): what `body`
    /// reads through the replica meanwhile no other process can change before this one commits, so checks that a
    /// change depends on (no account of that name yet) belong inside, before its first write. Such reads go through
    /// the pool's reader connections (GRDB's `DatabasePool` lets a writer's block read; a `DatabaseQueue` would not):
    /// they see every commit, and not this change's own writes.
    public func change<T>(_ body: (inout LocalTransaction) throws -> T) throws -> T {
        try write { db in
            var transaction = LocalTransaction(db: db, replica: self, user: try Self.identity(db).user)
            return try body(&transaction)
        }
    }
}

/// What a person read of a reviewed-text field before editing it: the settled version (none for a field
/// never written), the heads it stood for, and its text.
public struct TextSeen: Sendable, Equatable {
    public var version: OperationID?
    public var heads: [OperationID]
    public var value: FieldValue

    /// What a person read: `version`, standing for `heads`, with its text.
    public init(version: OperationID?, heads: [OperationID], value: FieldValue) {
        (self.version, self.heads, self.value) = (version, heads, value)
    }

    /// nil while the field is in conflict.
    init?(_ outcome: ReviewedText.Outcome?) {
        switch outcome {
        case .settled(let current, let heads): (version, self.heads, value) = (current.id, heads, current.value)
        case nil: (version, heads, value) = (nil, [], .null)
        case .conflict: return nil
        }
    }
}

extension Replica {
    /// The reviewed-text field as it reads now, to hand to `editText(seen:)` once the new text is written.
    /// Refused while the field is in conflict (editing would be refused at the end).
    public func textSeen(_ entity: String, row: String, _ field: String) throws -> TextSeen {
        let key = FieldKey(entity: entity, row: row, field: field)
        return try read { db in
            let outcome = try reviewedText(db, key).outcome
            if case .conflict(let conflict) = outcome { throw ReplicaError.inConflict(conflict: conflict.id, field: field) }
            return TextSeen(outcome)!
        }
    }
}

/// The local changes of one transaction, each recorded as a versioned per-field operation.
public struct LocalTransaction {
    /// The longest text a local change may write: a sync sends at least one operation per request, and the
    /// server takes requests of up to 8 MiB by default (JSON may escape a text to several times its size).
    public static let maxTextBytes = 1 << 20

    let db: Database
    let replica: Replica
    public let user: String
    /// The operations made so far in this transaction.
    public private(set) var operations: [Operation] = []

    init(db: Database, replica: Replica, user: String) {
        self.db = db
        self.replica = replica
        self.user = user
    }

    var schema: Schema { replica.schema }

    /// Creates a row with the given field values and returns its id.
    @discardableResult
    public mutating func create(_ entity: String, values: [(String, FieldValue)]) throws -> String {
        let row = replica.env.newRowID()
        for (field, value) in values where value != .null {
            try set(entity, row: row, field, to: value)
        }
        return row
    }

    /// Sets a field. Setting the value it already holds records nothing, unless `restating`: a last-writer-wins
    /// value is then recorded even when it is the one shown, so that it orders with the other operations of the
    /// change (a note's title restated with the resolution of its text: two people resolving at once then agree
    /// on the title of the text that stands).
    @discardableResult
    public mutating func set(_ entity: String, row: String, _ field: String, to value: FieldValue, restating: Bool = false) throws -> Operation? {
        try set(entity, row: row, field, to: value, restating: restating, time: nil)
    }

    /// `set`, stamped at `time` when given (`setTogether`'s fields share one).
    mutating func set(_ entity: String, row: String, _ field: String, to value: FieldValue, restating: Bool, time: Timestamp?) throws -> Operation? {
        let key = FieldKey(entity: entity, row: row, field: field)
        let spec: FieldSpec
        do { spec = try schema.spec(for: key); try spec.validate(value); try spec.checkLine(value) } catch { throw ReplicaError.invalid(error) }
        // A writing-direction override in a one-line value set now (every command's, whichever way it reads its
        // options), unless a record holds that value already: a merge copies a value an earlier version took.
        if spec.type == .text, spec.merge == .lastWriterWins, let text = value.textValue {
            do { try FieldSpec.refuseDirectionOverride(text, field: field) } catch {
                guard let table = schema.entity(entity)?.table,
                      try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table.quotedDatabaseIdentifier) WHERE \(field.quotedDatabaseIdentifier) = ?)", arguments: [text]) == true
                else { throw ReplicaError.invalid(error) }
            }
        }
        // A label past the length typed ones may have is refused, unless a record holds it already: a merge or
        // a rename copies a value an earlier version took, which must not stop it.
        do { try spec.checkLength(value) } catch {
            guard let table = schema.entity(entity)?.table,
                  try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table.quotedDatabaseIdentifier) WHERE \(field.quotedDatabaseIdentifier) = ?)", arguments: [value.textValue]) == true
            else { throw ReplicaError.invalid(error) }
        }
        switch spec.merge {
        case .tombstone:
            throw ReplicaError.readOnlyField(field)
        case .reviewedText:
            return try editText(entity, row: row, field, to: value)
        case .lastWriterWins:
            // A field never set shows null with no winner: clearing it changes nothing either, and recorded it
            // would sync a clear that wins over a colleague's value this replica never showed.
            if !restating, let shown = try current(key), shown == value, try value == .null || replica.winner(db, key) != nil { return nil }
            return try record(key, value: value, time: time)
        }
    }

    /// Sets fields that state one fact between them (a flag's status and the day it closed; an action's done and
    /// the day it was done): when any of them changes, each is recorded, and each of `others` restated as the row
    /// shows it (`set`'s `restating`; a clear of a day never set too), all under one timestamp, so that they order
    /// as one against a colleague's concurrent change of any of them: whichever change is later wins every field
    /// (stamped one after another, two changes stamped alike on two laptops split the fields between them). Set
    /// one by one, a flag closed on one laptop and set watching on another, unaware, merged watching with the
    /// close day. Nothing is recorded when none of `values` changes. Returns how many changed.
    @discardableResult
    public mutating func setTogether(_ entity: String, row: String, _ values: [(String, FieldValue)], restating others: [String] = []) throws -> Int {
        let changed = try values.filter { field, value in
            let key = FieldKey(entity: entity, row: row, field: field)
            return try current(key) != value || (value != .null && replica.winner(db, key) == nil)
        }
        guard !changed.isEmpty else { return 0 }
        // (Read here, in the change: one read before it may be older than a sync that landed since.)
        let restated = try others.filter { field in !values.contains { $0.0 == field } }
            .map { ($0, try current(FieldKey(entity: entity, row: row, field: $0)) ?? .null) }
        var time: Timestamp?
        for (field, value) in values + restated {
            let op = try set(entity, row: row, field, to: value, restating: true, time: time)
            time = time ?? op?.time
        }
        return changed.count
    }

    /// Sets a last-writer-wins field to the value `original` set on another row, stamped with `original`'s time
    /// rather than now: a restore's copy of a removed record's value is ordered as the value was, so it never wins
    /// over an edit made after it (by whoever restored first, or by a colleague on the removed record), and two
    /// people who restore one record apart write the same value at the same time. Other fields are set as `set` does.
    @discardableResult
    public mutating func copy(_ entity: String, row: String, _ field: String, from original: Operation) throws -> Operation? {
        let key = FieldKey(entity: entity, row: row, field: field)
        guard (try? schema.spec(for: key))?.merge == .lastWriterWins, original.field == field, original.entity == entity else {
            return try set(entity, row: row, field, to: original.value)
        }
        do { let spec = try schema.spec(for: key); try spec.validate(original.value); try spec.checkLine(original.value) } catch { throw ReplicaError.invalid(error) }
        // Nothing to copy where the field's value was set at the same time or later (by this copy made before).
        let latest = try FastStatement(db, sql: Replica.winnerQuery(columns: OperationRows.columns))
        latest.bind(1, key.entity); latest.bind(2, key.row); latest.bind(3, key.field)
        if let winner = try latest.operations().first, !Operation.isOrdered(winner, before: original) { return nil }
        return try record(key, value: original.value, time: original.time)
    }

    /// Replaces the current version of a reviewed-text field. Refused while the field has concurrent
    /// versions waiting for review: the edit would have to pick one of them silently.
    ///
    /// `seen` is what the person read before writing (`Replica.textSeen`), when time passed in between (an
    /// editor open while a sync ran): the edit replaces that version, not one that arrived meanwhile, so the two
    /// meet in review instead of the new edit silently replacing a colleague's it never showed. Text left as it
    /// was read changes nothing, whatever arrived.
    @discardableResult
    public mutating func editText(_ entity: String, row: String, _ field: String, to value: FieldValue, seen: TextSeen? = nil) throws -> Operation? {
        let key = FieldKey(entity: entity, row: row, field: field)
        let outcome = try replica.reviewedText(db, key).outcome
        if let seen, seen != TextSeen(outcome) {
            if value == seen.value { return nil }
            return try record(key, value: value, base: seen.version, supersedes: seen.heads.filter { $0 != seen.version })
        }
        switch outcome {
        case .conflict(let conflict):
            throw ReplicaError.inConflict(conflict: conflict.id, field: field)
        case .settled(let current, let heads):
            if current.value == value, heads.count == 1 { return nil }
            return try record(key, value: value, base: current.id, supersedes: heads.filter { $0 != current.id })
        case nil:
            // Nothing over a text never written is no version: recorded, it was shown as the base of the first
            // real ones, and clearing an empty field never set changes nothing either.
            if value == .null || value.textValue?.isEmpty == true { return nil }
            return try record(key, value: value)
        }
    }

    /// Resolves an open conflict with the given text: the resolution replaces every concurrent version.
    @discardableResult
    public mutating func resolve(conflict id: String, with value: FieldValue) throws -> Operation {
        guard let row = try Row.fetchOne(db, sql: "SELECT entity, row, field FROM conflicts WHERE id = ? AND status = 'open'", arguments: [id]) else {
            throw ReplicaError.noConflict(id)
        }
        let key = FieldKey(entity: row["entity"], row: row["row"], field: row["field"])
        guard case .conflict(let conflict) = try replica.reviewedText(db, key).outcome, conflict.id == id else {
            throw ReplicaError.noConflict(id)
        }
        let base = try replica.reviewedText(db, key).displayed!.id
        return try record(key, value: value, base: base, supersedes: conflict.heads.filter { $0 != base }, resolution: true)
    }

    /// Deletes a row: a tombstone that every replica honours, whatever edits arrive later.
    public mutating func delete(_ entity: String, row: String) throws {
        guard schema.entity(entity) != nil else { throw ReplicaError.invalid(.unknownEntity(entity)) }
        try record(FieldKey(entity: entity, row: row, field: Schema.deletedField), value: .bool(true))
    }

    /// The field's value as the row shows it; nil without such a row.
    func current(_ key: FieldKey) throws -> FieldValue? {
        guard let table = schema.entity(key.entity)?.table else { return nil }
        let statement = try FastStatement(db, sql: "SELECT \(key.field.quotedDatabaseIdentifier) FROM \(table.quotedDatabaseIdentifier) WHERE id = ?")
        defer { statement.reset() }
        statement.bind(1, key.row)
        return try statement.step() ? statement.value(0, as: try schema.spec(for: key).type) : nil
    }

    @discardableResult
    mutating func record(_ key: FieldKey, value: FieldValue, base: OperationID? = nil, supersedes: [OperationID] = [], resolution: Bool = false, time copied: Timestamp? = nil) throws -> Operation {
        if let text = value.textValue, text.utf8.count > LocalTransaction.maxTextBytes {
            throw ReplicaError.badArgument(
                // In bytes: rounded down to KiB, a text one byte over read "1024 KiB, more than the 1 MiB".
                "the \(key.field) text is \(text.utf8.count) bytes, more than the \(LocalTransaction.maxTextBytes) (\(LocalTransaction.maxTextBytes >> 20) MiB) a field may hold " +
                    "(every change has to fit in a sync): shorten it, or keep the document elsewhere and note where; nothing was saved")
        }
        let (id, stamped) = try replica.stamp(db)
        let time = copied ?? stamped
        let op = Operation(
            id: id, author: user, entity: key.entity, row: key.row, field: key.field,
            value: value, time: time, base: base, supersedes: supersedes, resolution: resolution)
        try replica.apply(db, op, pushed: false)
        operations.append(op)
        return op
    }
}
