/// Durations as profiles and lab configs write them: a whole number and a unit.
///
/// `250ms`, `2s`, `5m`, `1h` and `180d` (for retention) are accepted; anything else (`2 sec`,
/// `1.5s`, `-1s`) is refused rather than guessed at.
public enum ProfileDuration {
    /// The units in the order they are tried, with their length in milliseconds.
    static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// What an error message says a duration should look like.
    public static let expected = "a duration such as 250ms, 2s, 5m, 1h or 180d"

    /// Parses `250ms`, `2s`, `5m`, `1h` or `180d`; nil for anything else.
    public static func parse(_ text: String) -> Duration? {
        for unit in units where text.hasSuffix(unit.suffix) {
            let digits = text.dropLast(unit.suffix.count)
            // "5ms" also ends in "s": only a run of digits before the suffix counts.
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), digits.count <= 12,
                let amount = Int64(digits)
            else { continue }
            return .milliseconds(amount * unit.milliseconds)
        }
        return nil
    }

    /// Formats a duration in the largest unit that represents it exactly (`1500ms`, `2s`, `5m`).
    public static func format(_ duration: Duration) -> String {
        let ms = milliseconds(of: duration)
        for unit in units.reversed() where ms != 0 && ms % unit.milliseconds == 0 {
            return "\(ms / unit.milliseconds)\(unit.suffix)"
        }
        return "\(ms)ms"
    }

    /// The whole milliseconds in a duration (profiles never hold finer ones).
    public static func milliseconds(of duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
    var isASCIILowerLetter: Bool { ("a"..."z").contains(self) }
}
