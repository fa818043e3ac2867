import RapportSync

/// The wire types generated from Protocol/openapi.yaml.
public typealias Wire = Components.Schemas

/// Why an operation received on the wire is not well-formed.
public struct WireFormatError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Wire.Operation {
    public init(_ op: RapportSync.Operation) {
        self.init(
            id: op.id.description, author: op.author, entity: op.entity, row: op.row, field: op.field,
            value: Wire.Value(op.value),
            time: .init(ms: op.time.ms, logical: Int32(op.time.logical)),
            base: op.base?.description,
            supersedes: op.supersedes.isEmpty ? nil : op.supersedes.map(\.description),
            resolution: op.resolution ? true : nil)
    }

    /// The domain operation, or what is malformed about this one.
    public func domain() throws(WireFormatError) -> RapportSync.Operation {
        guard let opID = OperationID(id) else {
            throw WireFormatError("operation id '\(id)' is not of the form <replica>:<counter> (replica: 4-32 lowercase letters and digits, counter from 1)")
        }
        guard time.ms >= 0, (0...Int32(Timestamp.maxLogical)).contains(time.logical) else {
            throw WireFormatError("operation \(id): time {ms: \(time.ms), logical: \(time.logical)} is out of range")
        }
        var parents: [OperationID] = []
        for text in (base.map { [$0] } ?? []) + (supersedes ?? []) {
            guard let parent = OperationID(text) else { throw WireFormatError("operation \(id): '\(text)' is not an operation id") }
            parents.append(parent)
        }
        let value: FieldValue = if let v = self.value { try v.domain(context: id) } else { .null }
        return RapportSync.Operation(
            id: opID, author: author, entity: entity, row: row, field: field, value: value,
            time: Timestamp(ms: time.ms, logical: Int(time.logical)),
            base: base == nil ? nil : parents.first,
            supersedes: base == nil ? parents : Array(parents.dropFirst()),
            resolution: resolution ?? false)
    }
}

extension Wire.Value {
    public init?(_ value: FieldValue) {
        switch value {
        case .null: return nil
        case .int(let v): self.init(int: v)
        case .real(let v): self.init(real: v)
        case .text(let v): self.init(text: v)
        case .bool(let v): self.init(bool: v)
        }
    }

    func domain(context: String) throws(WireFormatError) -> FieldValue {
        switch (int, real, text, bool) {
        case (let v?, nil, nil, nil): .int(v)
        case (nil, let v?, nil, nil): .real(v)
        case (nil, nil, let v?, nil): .text(v)
        case (nil, nil, nil, let v?): .bool(v)
        default: throw WireFormatError("operation \(context): a value must have exactly one of int, real, text, bool")
        }
    }
}
