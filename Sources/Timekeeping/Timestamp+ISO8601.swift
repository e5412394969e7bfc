public import Foundation

extension Timestamp {
    /// Reads an ISO 8601 date (`2026-11-29`) or date-time (`2026-11-29T08:30`,
    /// `2026-11-29 08:30:15.250`, `...Z`, `...+05:00`); nil when the text is not one.
    ///
    /// A time without an offset is read in `zone` (the lab's). A bare date is the start of that
    /// day, or with `endOfDay` the start of the next, so `--to 2026-11-29` includes the whole
    /// 29th. Fractions finer than a microsecond are dropped (the stored unit).
    public init?(iso8601 text: String, in zone: TimeZone, endOfDay: Bool = false) {
        guard let parts = ISO8601Parts(text) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = parts.offsetSeconds.flatMap { TimeZone(secondsFromGMT: $0) } ?? zone
        var components = DateComponents()
        (components.year, components.month, components.day) = (parts.year, parts.month, parts.day)
        (components.hour, components.minute, components.second) = (parts.hour, parts.minute, parts.second)
        components.timeZone = calendar.timeZone
        // Calendar rolls 31 February over into March: a date that does not come back is refused.
        guard var date = calendar.date(from: components), calendar.component(.day, from: date) == parts.day else { return nil }
        if !parts.hasTime && endOfDay {
            guard let next = calendar.date(byAdding: .day, value: 1, to: date) else { return nil }
            date = next
        }
        self.init(microsecondsSince1970: Int64(date.timeIntervalSince1970.rounded()) * 1_000_000 + parts.microseconds)
    }

    /// `2026-11-29T02:30:00.123Z`: ISO 8601 in UTC with milliseconds (rounded down), the form of
    /// every time in riglog's CSV and JSON files.
    ///
    /// Hand-written rather than `ISO8601DateFormatter` because an export formats one per row and
    /// the formatter is two orders of magnitude slower.
    public var iso8601: String {
        var ms = microsecondsSince1970 / 1000
        if microsecondsSince1970 % 1000 < 0 { ms -= 1 }
        var days = ms / 86_400_000
        var msOfDay = ms % 86_400_000
        if msOfDay < 0 {
            msOfDay += 86_400_000
            days -= 1
        }
        let (year, month, day) = Self.civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(msOfDay / 3_600_000, 2)):\(pad(msOfDay / 60_000 % 60, 2))"
            + ":\(pad(msOfDay / 1000 % 60, 2)).\(pad(msOfDay % 1000, 3))Z"
    }

    /// Howard Hinnant's `civil_from_days`: the proleptic Gregorian date of a day count since 1970.
    package static func civil(fromDays z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
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
}

/// The fields of `YYYY-MM-DD[(T| )hh:mm[:ss[(.|,)f{1,9}]]][Z|±hh[:]mm]`, range-checked.
struct ISO8601Parts {
    var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
    var microseconds: Int64 = 0
    var hasTime = false
    /// nil: no offset written (read in the lab's zone).
    var offsetSeconds: Int?

    init?(_ text: String) {
        var s = Substring(text)
        func digits(_ n: Int) -> Int? {
            guard s.count >= n else { return nil }
            let head = s.prefix(n)
            guard head.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            s = s.dropFirst(n)
            return Int(head)
        }
        func take(_ c: Character) -> Bool {
            guard s.first == c else { return false }
            s = s.dropFirst()
            return true
        }
        guard let y = digits(4), take("-"), let mo = digits(2), take("-"), let d = digits(2) else { return nil }
        (year, month, day) = (y, mo, d)
        if take("T") || take(" ") {
            guard let h = digits(2), take(":"), let mi = digits(2) else { return nil }
            (hour, minute, hasTime) = (h, mi, true)
            if take(":") {
                guard let sec = digits(2) else { return nil }
                second = sec
                if take(".") || take(",") {
                    let fraction = s.prefix { $0.isASCII && $0.isNumber }
                    guard (1...9).contains(fraction.count) else { return nil }
                    s = s.dropFirst(fraction.count)
                    let micro = (fraction + String(repeating: "0", count: 9 - fraction.count)).prefix(6)
                    microseconds = Int64(micro) ?? 0
                }
            }
        }
        if take("Z") {
            offsetSeconds = 0
        } else if let sign = s.first, sign == "+" || sign == "-" {
            s = s.dropFirst()
            guard let hh = digits(2) else { return nil }
            _ = take(":")
            guard let mm = digits(2) else { return nil }
            offsetSeconds = (hh * 3600 + mm * 60) * (sign == "-" ? -1 : 1)
        }
        guard s.isEmpty, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
    }
}
