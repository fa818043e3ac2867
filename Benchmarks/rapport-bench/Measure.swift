import Foundation

/// One measured figure: how much work, how long, the latency of its steps and the peak memory.
struct Figure {
    var name: String
    var operations: Int
    var seconds: Double
    /// Latency of each step (a batch, an edit, a command), in seconds.
    var steps: [Double]
    var peakMB: Double?
    var target: String = ""
    var ratio: Double?
    var note: String = ""

    var rate: Double { seconds > 0 ? Double(operations) / seconds : 0 }

    func percentile(_ p: Double) -> Double? {
        guard !steps.isEmpty else { return nil }
        let sorted = steps.sorted()
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded(.up))
        return sorted[min(rank, sorted.count - 1)]
    }
}

/// Wall-clock timing.
enum Clock {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let start = now()
        let value = try body()
        return (value, now() - start)
    }

    static func time<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
        let start = now()
        let value = try await body()
        return (value, now() - start)
    }
}

/// Peak resident memory from /proc, with a reset between stages (Linux's clear_refs "5" resets the peak).
enum Memory {
    static func resetPeak(pid: Int32? = nil) {
        let path = "/proc/\(pid.map(String.init) ?? "self")/clear_refs"
        try? "5".write(toFile: path, atomically: false, encoding: .utf8)
    }

    static func peakMB(pid: Int32? = nil) -> Double? {
        let path = "/proc/\(pid.map(String.init) ?? "self")/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return nil
    }
}

enum Report {
    static func header() {
        print(pad("benchmark", 44), pad("ops", 10, right: true), pad("ops/s", 10, right: true), pad("p50", 9, right: true),
              pad("p99", 9, right: true), pad("peak MB", 8, right: true), pad("vs plain", 9, right: true), "  target")
    }

    static func line(_ f: Figure) {
        print(pad(f.name, 44), pad("\(f.operations)", 10, right: true), pad(f.operations > 0 ? "\(Int(f.rate))" : "-", 10, right: true),
              pad(f.percentile(50).map(ms) ?? "-", 9, right: true), pad(f.percentile(99).map(ms) ?? "-", 9, right: true),
              pad(f.peakMB.map { String(format: "%.0f", $0) } ?? "-", 8, right: true),
              pad(f.ratio.map { String(format: "%.2f", $0) } ?? "-", 9, right: true),
              "  " + f.target + (f.note.isEmpty ? "" : "  (\(f.note))"))
        try? FileHandle.standardOutput.synchronize()
    }

    static func ms(_ seconds: Double) -> String {
        seconds >= 10 ? String(format: "%.1fs", seconds) : seconds >= 0.1 ? String(format: "%.0fms", seconds * 1000) : String(format: "%.2fms", seconds * 1000)
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        guard text.count < width else { return text }
        let space = String(repeating: " ", count: width - text.count)
        return right ? space + text : text + space
    }

    /// Progress of a long stage on stderr, so the figures on stdout stay clean.
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data(("  … " + text + "\n").utf8))
    }
}
