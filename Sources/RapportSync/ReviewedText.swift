import Crypto

/// The versions of one reviewed-text field and what they add up to.
///
/// Every edit names the version it replaced (its base); a resolution also names the other versions it
/// replaces. The versions form a graph, and the field's state is a function of the *set* of versions alone,
/// never of the order they arrived in: that is what makes the rule commutative and idempotent.
///
/// - The heads are the versions no other version replaces.
/// - Two heads with the same text are one outcome (two people typed the same fix).
/// - Two resolutions of the same conflict (same parents) made concurrently: the later one in timestamp
///   order stands; the other stays in history. A resolution is never silently discarded — it is visible in
///   `rapport history` — but it does not reopen the conflict it was meant to close.
/// - One head left: the field is settled on it (a fast-forward). More than one: a conflict that keeps
///   every head and their nearest common ancestor (the base), until someone resolves it.
public struct ReviewedText: Sendable, Hashable {
    public private(set) var versions: [OperationID: Operation]

    public init(versions: some Sequence<Operation> = []) {
        self.versions = [:]
        for op in versions { self.versions[op.id] = op }
    }

    /// Adds a version; adding one already present changes nothing.
    public mutating func add(_ op: Operation) {
        versions[op.id] = op
    }

    public enum Outcome: Hashable, Sendable {
        /// One version stands. `heads` are every head it stands for (itself, and any identical or
        /// out-voted ones), which the next edit must supersede.
        case settled(Operation, heads: [OperationID])
        /// Concurrent versions that a person must review.
        case conflict(Conflict)
    }

    public var outcome: Outcome? {
        let replaced = Set(versions.values.flatMap(\.parents))
        let heads = versions.values.filter { !replaced.contains($0.id) }
        guard !heads.isEmpty else { return nil }

        // Concurrent resolutions of one conflict: the last in timestamp order stands for the group.
        var survivors: [Operation] = []
        var resolutionGroups: [Set<OperationID>: Operation] = [:]
        for head in heads {
            if !head.resolution {
                survivors.append(head)
            } else {
                let group = Set(head.parents)
                if let other = resolutionGroups[group], !Operation.isOrdered(other, before: head) { continue }
                resolutionGroups[group] = head
            }
        }
        survivors += resolutionGroups.values
        // The usual case, one edit after another: a single version stands, and comparing texts (hashing each
        // note) would only find that out again.
        if survivors.count == 1 {
            return .settled(survivors[0], heads: heads.map(\.id).sorted())
        }

        // Identical text is one outcome, represented by its latest version.
        var byText: [FieldValue: Operation] = [:]
        for op in survivors {
            if let other = byText[op.value], !Operation.isOrdered(other, before: op) { continue }
            byText[op.value] = op
        }
        let distinct = byText.values.sorted { $0.id < $1.id }
        let headIDs = heads.map(\.id).sorted()
        if distinct.count == 1 {
            return .settled(distinct[0], heads: headIDs)
        }
        let key = distinct[0].key
        return .conflict(Conflict(
            key: key,
            versions: distinct.map(\.id),
            base: nearestCommonAncestor(of: distinct),
            heads: headIDs))
    }

    /// The value the field shows: the settled version, or during a conflict the latest version (in
    /// timestamp order) so that every replica shows the same text while the conflict waits for review.
    public var displayed: Operation? {
        displayed(outcome)
    }

    /// `displayed` for an outcome already computed from these versions (computing one walks every version).
    public func displayed(_ outcome: Outcome?) -> Operation? {
        switch outcome {
        case .settled(let op, _): op
        case .conflict(let c): c.versions.compactMap { versions[$0] }.max { Operation.isOrdered($0, before: $1) }
        case nil: nil
        }
    }

    func ancestors(of op: Operation) -> Set<OperationID> {
        var seen: Set<OperationID> = []
        var stack = op.parents
        while let id = stack.popLast() {
            guard seen.insert(id).inserted else { continue }
            if let parent = versions[id] { stack += parent.parents }
        }
        return seen
    }

    func nearestCommonAncestor(of ops: [Operation]) -> OperationID? {
        guard var common = ops.first.map(ancestors(of:)) else { return nil }
        for op in ops.dropFirst() { common.formIntersection(ancestors(of: op)) }
        // Of the shared ancestors we hold, the latest in timestamp order is the nearest: any later shared
        // ancestor would descend from it.
        return common.compactMap { versions[$0] }.max { Operation.isOrdered($0, before: $1) }?.id
            ?? common.min()
    }
}

/// Concurrent versions of one reviewed-text field, waiting for a person.
public struct Conflict: Hashable, Sendable {
    public var key: FieldKey
    /// The distinct concurrent versions, sorted by id.
    public var versions: [OperationID]
    /// Their nearest common ancestor, nil when they share none (two first versions).
    public var base: OperationID?
    /// Every head of the field, which a resolution must supersede.
    public var heads: [OperationID]

    public init(key: FieldKey, versions: [OperationID], base: OperationID?, heads: [OperationID]) {
        self.key = key
        self.versions = versions
        self.base = base
        self.heads = heads
    }

    /// A short id that every replica computes alike: the first 12 hex digits of SHA-256 over
    /// `entity \0 row \0 field \0 version,version,...` (versions sorted).
    public var id: String {
        let text = "\(key.entity)\u{0}\(key.row)\u{0}\(key.field)\u{0}" + versions.map(\.description).joined(separator: ",")
        return SHA256.hash(data: Array(text.utf8)).prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
