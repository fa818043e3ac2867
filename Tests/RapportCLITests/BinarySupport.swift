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
        let process = Process()
        process.executableURL = Self.url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "EDITOR")
        env.removeValue(forKey: "VISUAL")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
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
