import Foundation
@_exported import RapportTestSupport

/// Runs the built `rapport` binary as a person or a script would.
struct RapportBinary {
    static var url: URL { RapportExecutable.url }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    var environment: [String: String] = [:]

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil) throws -> Result {
        let (status, stdout, stderr) = try RapportExecutable.run(arguments, environment: environment, stdin: stdin)
        return Result(status: status, stdout: stdout, stderr: stderr)
    }

    /// Registers a user on the server database at `db` and returns their token, as the admin hands it out.
    func addUser(_ name: String, db: String) throws -> String {
        try run(["admin", "add-user", name, "--db", db]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `run` on a thread of its own. A test that waits for a slow command (a sync waiting out a connection
    /// deadline) otherwise holds one of the few threads Swift concurrency runs every async test on, and starves
    /// the in-process servers of other suites running beside it.
    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Swift.Result { try self.run(arguments, stdin: stdin) }) }
        }
    }

    func json(_ arguments: [String]) async throws -> Any {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Swift.Result { try self.json(arguments) }) }
        }
    }

    /// Runs a command on a pseudo-terminal of its own (`script`), as a person sees it: standard output and
    /// error arrive together, as the terminal shows them. The arguments are joined by spaces for the shell that
    /// `script` starts, so none may hold a space or a quote.
    func runOnATerminal(_ arguments: [String]) throws -> (status: Int32, shown: String) {
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        script.arguments = ["-qec", ([Self.url.path] + arguments).joined(separator: " "), "/dev/null"]
        script.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        script.standardOutput = out
        script.standardInput = FileHandle.nullDevice
        try script.run()
        let shown = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        script.waitUntilExit()
        return (script.terminationStatus, shown)
    }

    func json(_ arguments: [String]) throws -> Any {
        let result = try run(arguments + ["--json"])
        guard result.status == 0 else { throw CLIError.failed(arguments, result.stderr) }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8), options: [.fragmentsAllowed])
    }
}

enum CLIError: Error { case failed([String], String) }

extension TemporaryFolder {
    /// An $EDITOR that replaces the file with `text`, or appends it.
    func editor(writing text: String, append: Bool = false) throws -> String {
        let script = file("editor-\(UUID().uuidString.prefix(6)).sh")
        let payload = file("payload-\(UUID().uuidString.prefix(6)).txt")
        try Data(text.utf8).write(to: URL(fileURLWithPath: payload))
        try Data("#!/bin/sh\ncat '\(payload)' \(append ? ">>" : ">") \"$1\"\n".utf8).write(to: URL(fileURLWithPath: script))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        return script
    }
}
