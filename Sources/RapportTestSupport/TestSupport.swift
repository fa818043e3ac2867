import Foundation

// Shared by the test targets only; no product ships it.

/// A fresh folder, removed when the value goes away.
public final class TemporaryFolder: Sendable {
    public let path: String

    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("rapport-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ name: String) -> String { path + "/" + name }
}

/// A self-signed certificate and its key, made with openssl for the TLS tests.
public struct SelfSignedCertificate: Sendable {
    public let certificate: String
    public let key: String

    /// Writes `NAME.pem` and `NAME-key.pem` into `folder`: an RSA key and a certificate for `subjectAltName`
    /// (e.g. `IP:127.0.0.1` or `DNS:rapport.invalid`), valid for two days, or `expired` since yesterday.
    public init(in folder: TemporaryFolder, name: String, commonName: String = "127.0.0.1", subjectAltName: String = "IP:127.0.0.1", expired: Bool = false) throws {
        certificate = folder.file("\(name).pem")
        key = folder.file("\(name)-key.pem")
        if expired {
            // `req -x509` takes no day count below 1; signing a request with `x509 -req -days -1` ends it yesterday.
            let request = folder.file("\(name).csr"), extensions = folder.file("\(name).ext")
            try "subjectAltName=\(subjectAltName)\n".write(toFile: extensions, atomically: true, encoding: .utf8)
            try Self.openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(commonName)", "-keyout", key, "-out", request])
            try Self.openssl(["x509", "-req", "-in", request, "-signkey", key, "-days", "-1", "-extfile", extensions, "-out", certificate])
        } else {
            try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(commonName)",
                              "-addext", "subjectAltName=\(subjectAltName)", "-days", "2", "-keyout", key, "-out", certificate])
        }
    }

    static func openssl(_ arguments: [String]) throws {
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl"] + arguments
        let errors = Pipe()
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = errors
        try openssl.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey:
                "openssl \(arguments[0]) failed (install openssl: apt-get install openssl): \(String(decoding: message, as: UTF8.self))"])
        }
    }
}

/// A small, fast, seedable generator (SplitMix64), so every random test replays from its seed.
public struct SplitMix: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The built `rapport` executable, which the test bundle sits beside.
public enum RapportExecutable {
    public static let url: URL = {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("rapport"),
            Bundle.main.bundleURL.appendingPathComponent("rapport"),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("rapport"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/rapport"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }()

    /// Runs the binary as a person or a script would: `environment` over this process's, without an editor.
    public static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = url
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
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}

/// A `rapport serve` process on a port the system picks.
public final class ServerProcess: @unchecked Sendable {
    public let process = Process()
    public let port: Int
    /// "https" when started with `--tls-cert` and `--tls-key`.
    public let scheme: String

    /// Starts the server and reads its scheme and port from its "listening on" log line.
    public init(arguments: [String]) throws {
        process.executableURL = RapportExecutable.url
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "notice"] + arguments
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        var seen = ""
        while true {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty {
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "rapport serve exited: \(seen)"])
            }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: "listening on ") {
                let address = seen[range.upperBound...]
                let scheme = address.prefix { $0.isLetter }
                if let hostEnd = address.range(of: "://127.0.0.1:") {
                    let rest = address[hostEnd.upperBound...]
                    let digits = rest.prefix { $0.isNumber }
                    if let port = Int(digits), rest.count > digits.count {
                        self.port = port
                        self.scheme = String(scheme)
                        startLog = seen
                        break
                    }
                }
            }
        }
        // Keep draining its log so the server never blocks on a full pipe, on a thread of its own that ends at
        // the log's end, when the server exits, and closes the pipe then. (A `readabilityHandler` did this with a
        // dispatch source, which spun on the pipe's end once the server died and was torn down with the pipe.
        // A test process once crashed in libdispatch's event loop while servers were killed and replaced; a file
        // descriptor closed under a source still registered for it is the likely cause, not a proven one.)
        let log = errors.fileHandleForReading
        Thread.detachNewThread {
            while !log.availableData.isEmpty {}
            try? log.close()
        }
    }

    public var url: String { "\(scheme)://127.0.0.1:\(port)" }
    /// What the server logged up to its "listening on" line (a warning at start-up among it).
    public private(set) var startLog = ""

    /// SIGINT, as Ctrl-C would, and waits for the process to end.
    public func stop() {
        if process.isRunning { process.interrupt() }
        process.waitUntilExit()
    }

    /// Puts a backup of a server's SQLite file back in its place, as an admin restores one after a disk
    /// failure: the file's -wal and -shm go with the file they belonged to. The server must be stopped.
    public static func restore(_ backup: String, over path: String) throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: path)
    }
}
