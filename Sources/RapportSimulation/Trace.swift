import Crypto

/// The record of a run: one line per action and outcome. Two runs of a seed must produce the same lines,
/// which is how the determinism of the harness itself is tested.
enum Trace {
    static func digest(_ lines: [String]) -> String {
        var hash = SHA256()
        for line in lines {
            hash.update(data: Array(line.utf8))
            hash.update(data: [0x0A])
        }
        return hash.finalize().map { byte in byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }
}
