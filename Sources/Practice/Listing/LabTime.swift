public import Foundation
public import Store

/// Times as the lab's people read and write them: in the lab's time zone (stored in the data
/// folder by `riglog collect`), while the store keeps microseconds since 1970 UTC.
public struct LabTime: Sendable, Hashable {
    /// The lab's zone, or UTC when the data folder has none yet.
    public var zone: TimeZone
    /// False when no zone was stored and UTC stands in: commands say so, since a time typed
    /// without an offset is then read as UTC.
    public var isLabZone: Bool

    public init(zone: TimeZone, isLabZone: Bool = true) {
        self.zone = zone
        self.isLabZone = isLabZone
    }

    /// The zone stored in `store` (``StoreDatabase/LabSetting/timeZone``), else UTC.
    public init(store: StoreDatabase) throws(StoreError) {
        if let name = try store.labSetting(.timeZone), let zone = TimeZone(identifier: name) {
            self.init(zone: zone)
        } else {
            self.init(zone: TimeZone(identifier: "UTC")!, isLabZone: false)
        }
    }

    /// An ISO 8601 date (`2026-11-30`) or date-time (`2026-11-30T09:00`, `...:30.5`, `...Z`,
    /// `...+05:00`) in µs since 1970; without an offset it is read in the lab's zone. A bare
    /// date is the start of that day, or with `endOfDay` of the next (so `--to 2026-11-30`
    /// includes the 30th).
    public func instant(_ text: String, endOfDay: Bool = false) -> Int64? {
        TimeText.parseInstant(text, timeZone: zone, endOfDay: endOfDay).map { $0 / 1000 }
    }

    /// Like ``instant(_:endOfDay:)`` but the text must carry a time of day, as a timetable slot
    /// or a check-in does.
    public func dateTime(_ text: String) -> Int64? {
        guard text.count > 10 else { return nil }  // `YYYY-MM-DD` alone names a day, not a moment
        return instant(text)
    }

    /// `2026-11-30 09:00` (or `09:00:05` with `seconds`) in the lab's zone.
    public func format(_ microseconds: Int64, seconds: Bool = false) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let date = Date(timeIntervalSince1970: Double(microseconds) / 1e6)
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let text = "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
        return seconds ? text + ":\(two(c.second))" : text
    }

    /// `2026-11-30T04:00:00.000Z`: the JSON contract's form (ISO 8601 UTC, milliseconds).
    public static func iso8601(_ microseconds: Int64) -> String {
        TimeText.iso8601Milliseconds(microseconds * 1000)
    }

    /// What a user is told to write when a time does not parse.
    public static let examples = "write e.g. 2026-11-30T09:00 (lab time), 2026-11-30T04:00Z or 2026-11-30T09:00+05:00"
}
