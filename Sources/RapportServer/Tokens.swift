import Crypto

/// Bearer tokens: random, shown once, stored only as a SHA-256 hash.
public enum Tokens {
    /// A new token: `rpt_` and 256 random bits in hex.
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        return "rpt_" + hex(bytes)
    }

    /// The hash the server stores and looks tokens up by. Looking up a hash, not the token, also means the
    /// lookup's timing reveals nothing about the token.
    public static func hash(_ token: String) -> String {
        hex(Array(SHA256.hash(data: Array(token.utf8))))
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
