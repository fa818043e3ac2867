extension EntitySpec {
    /// Parses `field=value` arguments from the command line against this entity's fields.
    public func parseAssignments(_ arguments: [String]) throws(SchemaError) -> [(String, FieldValue)] {
        var out: [(String, FieldValue)] = []
        for argument in arguments {
            guard let eq = argument.firstIndex(of: "=") else {
                throw .notAnAssignment(argument: argument, fields: fields.map(\.name))
            }
            let name = argument[..<eq].trimmingCharacters(in: .whitespaces)
            guard let spec = fields.first(where: { $0.name == name }) else {
                throw .unknownField(entity: self.name, field: name, known: fields.map(\.name))
            }
            // Given twice, the last won, after the checks had read the first (a meeting, then done_on before it).
            if out.contains(where: { $0.0 == name }) {
                throw .givenTwice(field: name)
            }
            out.append((name, try spec.parse(String(argument[argument.index(after: eq)...]))))
        }
        return out
    }
}
