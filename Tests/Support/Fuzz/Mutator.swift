import RiglogTesting

/// Seeded mutations of corpus inputs for the replay build (`make test`): bit flips, byte
/// inserts and deletes, copies within an input, splices of two inputs and interesting values.
/// The same seed gives the same inputs on every machine (SplitMix64, no system randomness), so a
/// failure in CI replays here.
struct Mutator {
    private var random: SplitMix64

    /// Inputs never grow past this (libFuzzer's default -max_len is 4096; the parsers read files).
    static let maximumLength = 64 << 10

    /// Bytes parsers treat specially: separators, quotes, YAML and CSV syntax, boundaries.
    static let interestingBytes: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x0A, 0x0D, 0x09, 0x20, 0x22, 0x27, 0x2C, 0x3B, 0x3A, 0x2D,
                                            0x7B, 0x7D, 0x5B, 0x5D, 0x28, 0x29, 0x26, 0x3D, 0x25, 0x2B, 0x23, 0x26, 0x2A, 0x30, 0x39]
    /// Tokens inserted whole: YAML anchors and flow syntax, numbers at type limits, escapes.
    static let tokens: [[UInt8]] = [
        "\n  - ", ": ", "{", "[", "&a ", "*a", "!!binary ", "0x", "-1", "65535", "65536", "4294967296", "9223372036854775808",
        "1e309", "nan", ".inf", "%", "%FF", "%2", "+", "&", "=", "\"", "\"\"", ",", ";", "\r\n", "((((((((", "))", "abs(", " and ",
        " not ", "\u{FEFF}", "\u{0}", "T25:61", "Z", "+05:00", "2026-02-30T24:00",
    ].map { Array($0.utf8) }

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func next() -> UInt64 {
        random.next()
    }

    /// A number in `0..<n` (`n > 0`).
    mutating func below(_ n: Int) -> Int {
        Int(next() % UInt64(n))
    }

    /// One to four mutations of `input`; `other` is the splice partner.
    mutating func mutate(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
        var out = input
        for _ in 0..<(1 + below(4)) {
            switch below(9) {
            case 0 where !out.isEmpty:
                out[below(out.count)] ^= 1 << UInt8(below(8))
            case 1 where !out.isEmpty:
                out[below(out.count)] = Self.interestingBytes[below(Self.interestingBytes.count)]
            case 2:
                let bytes = (0..<(1 + below(8))).map { _ in UInt8(truncatingIfNeeded: next()) }
                out.insert(contentsOf: bytes, at: below(out.count + 1))
            case 3 where !out.isEmpty:
                let start = below(out.count)
                out.removeSubrange(start..<min(out.count, start + 1 + below(16)))
            case 4 where !out.isEmpty:
                let start = below(out.count)
                let copy = out[start..<min(out.count, start + 1 + below(64))]
                out.insert(contentsOf: copy, at: below(out.count + 1))
            case 5:
                out = Array(out.prefix(below(out.count + 1))) + other.suffix(below(other.count + 1))
            case 6:
                out.insert(contentsOf: Self.tokens[below(Self.tokens.count)], at: below(out.count + 1))
            case 7 where out.count >= 2:
                // A 16-bit value at a type limit, big-endian as Modbus writes it.
                let value: UInt16 = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF][below(9)]
                let at = below(out.count - 1)
                out[at] = UInt8(value >> 8)
                out[at + 1] = UInt8(value & 0xFF)
            default:
                // Truncation: a file or frame cut short.
                out.removeLast(below(out.count + 1) / 2)
            }
        }
        return out.count > Self.maximumLength ? Array(out.prefix(Self.maximumLength)) : out
    }
}
