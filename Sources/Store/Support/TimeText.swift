public import Foundation

/// Times and durations as people type them and as CSV files carry them.
public enum TimeText {
    /// `2026-11-29T02:30:00.123Z` from nanoseconds since 1970 (rounded down to the millisecond).
    ///
    /// Hand-written rather than `ISO8601DateFormatter` because an export formats one per row and
    /// the formatter is two orders of magnitude slower.
    public static func iso8601Milliseconds(_ ns: Int64) -> String {
        var ms = ns / 1_000_000
        if ns % 1_000_000 < 0 { ms -= 1 }
        var days = ms / 86_400_000
        var msOfDay = ms % 86_400_000
        if msOfDay < 0 {
            msOfDay += 86_400_000
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        let hour = msOfDay / 3_600_000
        let minute = msOfDay / 60_000 % 60
        let second = msOfDay / 1000 % 60
        let millis = msOfDay % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millis, 3))Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Howard Hinnant's `civil_from_days`: proleptic Gregorian date of a day count since 1970.
    private static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Parses an ISO 8601 date (`2026-11-29`) or date-time (`2026-11-29T08:30`,
    /// `2026-11-29 08:30:15.250`, `...Z`, `...+05:00`) into nanoseconds since 1970.
    ///
    /// A time without an offset is read in `timeZone` (the lab's). A bare date means the start of
    /// that day, or with `endOfDay` the start of the next day, so `--to 2026-11-29` includes the
    /// whole 29th.
    public static func parseInstant(_ text: String, timeZone: TimeZone, endOfDay: Bool = false) -> Int64? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ i: Int) -> String? {
            guard let range = Range(match.range(at: i), in: text) else { return nil }
            return String(text[range])
        }
        var components = DateComponents()
        components.year = Int(group(1)!)
        components.month = Int(group(2)!)
        components.day = Int(group(3)!)
        let hasTime = group(4) != nil
        components.hour = Int(group(4) ?? "0")
        components.minute = Int(group(5) ?? "0")
        components.second = Int(group(6) ?? "0")
        guard let month = components.month, (1...12).contains(month), let day = components.day, (1...31).contains(day),
              let hour = components.hour, hour < 24, let minute = components.minute, minute < 60,
              let second = components.second, second < 61
        else { return nil }
        var zone = timeZone
        if let offset = group(8) {
            if offset == "Z" {
                zone = TimeZone(identifier: "UTC")!
            } else {
                let digits = offset.dropFirst().filter(\.isNumber)
                guard digits.count == 4, let hh = Int(digits.prefix(2)), let mm = Int(digits.suffix(2)) else { return nil }
                let seconds = (hh * 3600 + mm * 60) * (offset.hasPrefix("-") ? -1 : 1)
                guard let fixed = TimeZone(secondsFromGMT: seconds) else { return nil }
                zone = fixed
            }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        components.timeZone = zone
        guard var date = calendar.date(from: components), calendar.component(.day, from: date) == day else { return nil }
        if !hasTime && endOfDay {
            guard let next = calendar.date(byAdding: .day, value: 1, to: date) else { return nil }
            date = next
        }
        var ns = Int64((date.timeIntervalSince1970).rounded()) * 1_000_000_000
        if let fraction = group(7) {
            let padded = fraction + String(repeating: "0", count: 9 - fraction.count)
            ns += Int64(padded) ?? 0
        }
        return ns
    }

    /// Parses `250ms`, `2s`, `5m`, `1h`, `180d` into nanoseconds.
    public static func parseDuration(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000),
                                        ("h", 3_600_000_000_000), ("d", 86_400_000_000_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy(\.isNumber), let value = Int64(number) else { continue }
            let (product, overflow) = value.multipliedReportingOverflow(by: factor)
            return overflow ? nil : product
        }
        return nil
    }
}
