/// Durations as people write them in lab configs, profiles and options: a whole number and a
/// unit, `250ms`, `2s`, `5m`, `1h` or `180d`.
///
/// The one parser of durations in riglog (profiles' `poll:` and `within:`, the lab's
/// `close_after_silence:`, `--for`, `--timeout`, `--older-than`). Anything else (`2 sec`,
/// `1.5s`, `-1s`, `5M`) is refused rather than guessed at.
public enum DurationText {
    /// The units in the order they are tried, with their length in milliseconds.
    static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// What an error message says a duration should look like.
    public static let expected = "a duration such as 250ms, 2s, 5m, 1h or 180d"

    /// Parses `250ms`, `2s`, `5m`, `1h` or `180d`; nil for anything else.
    public static func parse(_ text: String) -> Duration? {
        for unit in units where text.hasSuffix(unit.suffix) {
            let digits = text.utf8.dropLast(unit.suffix.utf8.count)
            // "5ms" also ends in "s": only a run of ASCII digits before the suffix counts. At most
            // 12 digits, so every accepted duration fits in Int64 milliseconds.
            guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy({ (0x30...0x39).contains($0) }),
                  let amount = Int64(String(decoding: digits, as: UTF8.self))
            else { continue }
            return .milliseconds(amount * unit.milliseconds)
        }
        return nil
    }

    /// Formats a duration in the largest unit that represents it exactly (`1500ms`, `2s`, `5m`);
    /// what ``parse(_:)`` reads back to the same duration (for whole milliseconds).
    public static func format(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        for unit in units.reversed() where ms != 0 && ms % unit.milliseconds == 0 {
            return "\(ms / unit.milliseconds)\(unit.suffix)"
        }
        return "\(ms)ms"
    }
}
