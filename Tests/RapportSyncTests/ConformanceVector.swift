import Foundation
import RapportSync

/// One file of `Protocol/vectors`: operations in delivery order and the state they must merge to.
/// The format is specified in `Protocol/README.md`, "Conformance vectors".
struct ConformanceVector: Decodable {
    var name: String
    var description: String
    var operations: [Operation]
    var expect: Expectation

    struct Expectation: Decodable {
        var values: [ExpectedValue]
        var deleted: [ExpectedRow]
        var conflicts: [ExpectedConflict]
    }

    struct ExpectedValue: Decodable {
        var entity: String
        var row: String
        var field: String
        /// nil (JSON null or absent) means the field shows no value.
        var value: FieldValue?

        var key: FieldKey { FieldKey(entity: entity, row: row, field: field) }
    }

    struct ExpectedRow: Decodable {
        var entity: String
        var row: String

        var key: RowKey { RowKey(entity: entity, row: row) }
    }

    struct ExpectedConflict: Decodable, Hashable, CustomStringConvertible {
        var id: String
        var entity: String
        var row: String
        var field: String
        var versions: [String]
        var base: String?

        init(id: String, entity: String, row: String, field: String, versions: [String], base: String?) {
            self.id = id
            self.entity = entity
            self.row = row
            self.field = field
            self.versions = versions
            self.base = base
        }

        init(_ conflict: Conflict) {
            self.init(
                id: conflict.id, entity: conflict.key.entity, row: conflict.key.row, field: conflict.key.field,
                versions: conflict.versions.map(\.description), base: conflict.base?.description)
        }

        var description: String {
            "\(id) \(entity)/\(row)/\(field) versions [\(versions.joined(separator: ", "))] base \(base ?? "null")"
        }
    }
}

extension ConformanceVector {
    /// `Protocol/vectors` of the package this file belongs to, found by walking up from this source file so
    /// that it works in the package and in any copy of it that keeps the same layout.
    static let folder: URL? = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("Protocol/vectors", isDirectory: true)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    /// The vector files, sorted: one test case each.
    static let fileNames: [String] = {
        guard let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    static func load(_ fileName: String) throws -> ConformanceVector {
        guard let folder else { throw CocoaError(.fileNoSuchFile) }
        let data = try Data(contentsOf: folder.appendingPathComponent(fileName))
        return try JSONDecoder().decode(ConformanceVector.self, from: data)
    }
}
