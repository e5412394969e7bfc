import Timekeeping
import RigProfiles

// What only scenario files read, on top of the YAML reader profiles use (RigProfiles'
// `YAMLReader`): one reader, so null, durations and error positions mean the same in both.
extension YAMLReader {
    /// The entries of a mapping in file order, refusing keys not in `allowed` (any key when nil).
    mutating func fields(_ value: YAMLValue, allowed: [String]?, expected: String) -> [YAMLMapping.Field]? {
        mapping(value, allowed: allowed, expected: expected)?.fields
    }

    /// A number, or `true`/`false` (`on`/`off`, as 1 and 0) for switches.
    mutating func setting(_ value: YAMLValue) -> Double? {
        switch value.scalarText {
        case "true", "on": return 1
        case "false", "off": return 0
        default: return number(value, expected: "a number, or true/false for a switch")
        }
    }

    /// A duration in seconds, as the simulator's clock counts: `250ms`, `2s`, `5m`, `1h`.
    mutating func seconds(_ value: YAMLValue, positive: Bool = false) -> Double? {
        let expected = positive ? "a duration above zero such as 300ms, 2s or 5m" : nil
        return duration(value, positive: positive, expected: expected).map { Double($0.milliseconds) / 1000 }
    }
}
