public import Foundation

/// An instant on the wall clock, in whole microseconds since 1970-01-01T00:00:00Z.
///
/// It is the one time type of riglog's APIs above the ingest ring: the store keeps every time
/// (chunk times, gaps, sessions, attempts, alarms, check-ins, slots) in microseconds, so a
/// `Timestamp` converts to and from the database without rounding. Samples are stamped in
/// nanoseconds in the ring (``init(nanosecondsSince1970:)`` floors them to the stored unit).
///
/// Arithmetic with `Duration` saturates at ``distantPast`` and ``distantFuture``, which stand
/// for open bounds in queries (`from: .distantPast`), so an open bound never overflows.
///
/// ```swift
/// let start = Timestamp(iso8601: "2026-11-30T09:00", in: lab.zone)!
/// let end = start + .seconds(90)
/// store.sessions(from: start, to: end)
/// ```
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Whole microseconds since 1970 UTC: the stored unit.
    public var microsecondsSince1970: Int64

    public init(microsecondsSince1970: Int64) {
        self.microsecondsSince1970 = microsecondsSince1970
    }

    /// A sample's nanosecond stamp, floored to the stored microsecond (so a time before 1970
    /// rounds towards the past, as the chunk codec does).
    public init(nanosecondsSince1970 ns: Int64) {
        let (q, r) = ns.quotientAndRemainder(dividingBy: 1000)
        self.init(microsecondsSince1970: r < 0 ? q - 1 : q)
    }

    /// A `Date`, rounded to the nearest microsecond.
    public init(_ date: Date) {
        self.init(microsecondsSince1970: Int64((date.timeIntervalSince1970 * 1e6).rounded()))
    }

    /// The same instant in nanoseconds (saturating at the ends of `Int64`).
    public var nanosecondsSince1970: Int64 {
        let (product, overflow) = microsecondsSince1970.multipliedReportingOverflow(by: 1000)
        return overflow ? (microsecondsSince1970 < 0 ? .min : .max) : product
    }

    /// Seconds since 1970 as a `Double` (for charts and `Date`).
    public var secondsSince1970: Double { Double(microsecondsSince1970) / 1e6 }

    /// The same instant as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: secondsSince1970) }

    /// Earlier than any stored time: the open lower bound of a query.
    public static let distantPast = Timestamp(microsecondsSince1970: .min)
    /// Later than any stored time: the open upper bound of a query.
    public static let distantFuture = Timestamp(microsecondsSince1970: .max)

    /// The wall clock now (`CLOCK_REALTIME`), in the stored unit.
    public static func now() -> Timestamp {
        Timestamp(nanosecondsSince1970: wallClockNanoseconds())
    }

    /// The wall clock in nanoseconds since 1970: what a poller stamps a sample with.
    public static func wallClockNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        a.microsecondsSince1970 < b.microsecondsSince1970
    }

    /// `2026-11-30T04:00:00.000Z` (``iso8601``).
    public var description: String { iso8601 }

    // One Int64 in JSON and property lists, as the database holds it.
    public init(from decoder: any Decoder) throws {
        self.init(microsecondsSince1970: try decoder.singleValueContainer().decode(Int64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(microsecondsSince1970)
    }
}

extension Timestamp {
    public static func + (t: Timestamp, d: Duration) -> Timestamp {
        Timestamp(microsecondsSince1970: saturatingAdd(t.microsecondsSince1970, d.microseconds))
    }

    public static func - (t: Timestamp, d: Duration) -> Timestamp {
        Timestamp(microsecondsSince1970: saturatingAdd(t.microsecondsSince1970, -d.microseconds))
    }

    public static func += (t: inout Timestamp, d: Duration) { t = t + d }
    public static func -= (t: inout Timestamp, d: Duration) { t = t - d }

    /// The time from `b` to `a` (negative when `a` is earlier).
    public static func - (a: Timestamp, b: Timestamp) -> Duration {
        let (difference, overflow) = a.microsecondsSince1970.subtractingReportingOverflow(b.microsecondsSince1970)
        return .microseconds(overflow ? (a > b ? .max : .min) : difference)
    }

    private static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : sum
    }
}

extension Duration {
    /// Whole microseconds, rounded towards negative infinity (the stored unit).
    public var microseconds: Int64 {
        let (seconds, attoseconds) = components
        let (micros, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let fraction = attoseconds / 1_000_000_000_000
        let floorFix: Int64 = attoseconds < 0 && attoseconds % 1_000_000_000_000 != 0 ? -1 : 0
        let (total, overflow2) = micros.addingReportingOverflow(fraction + floorFix)
        return overflow2 ? (seconds < 0 ? .min : .max) : total
    }

    /// Whole milliseconds, rounded towards zero (profiles and lab configs never hold finer ones).
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The duration in seconds, as a `Double` (for rates and reports).
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
