public import Foundation

/// Times as the lab's people read and write them: in the lab's time zone, while everything is
/// stored in UTC (``Timestamp``).
///
/// The store keeps the zone of the lab config it collected with; `StoreDatabase.labTime()` is
/// the one place that looks it up, and every command, report and page takes its `LabTime` from
/// there.
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

    /// The lab's zone by its identifier (`Asia/Almaty`), or UTC standing in when there is none
    /// or it is not one this system knows.
    public init(zoneIdentifier: String?) {
        if let zoneIdentifier, let zone = TimeZone(identifier: zoneIdentifier) {
            self.init(zone: zone)
        } else {
            self.init(zone: .utc, isLabZone: false)
        }
    }

    /// UTC, as a data folder without a lab zone reads times.
    public static let utc = LabTime(zone: .utc, isLabZone: false)

    /// An ISO 8601 date or date-time read in the lab's zone unless it carries an offset
    /// (``Timestamp/init(iso8601:in:endOfDay:)``).
    public func instant(_ text: String, endOfDay: Bool = false) -> Timestamp? {
        Timestamp(iso8601: text, in: zone, endOfDay: endOfDay)
    }

    /// Like ``instant(_:endOfDay:)`` but the text must carry a time of day, as a timetable slot
    /// or a check-in does.
    public func dateTime(_ text: String) -> Timestamp? {
        guard text.count > 10 else { return nil }  // `YYYY-MM-DD` alone names a day, not a moment
        return instant(text)
    }

    /// `2026-11-30 09:00` (or `09:00:05` with `seconds`) in the lab's zone.
    public func format(_ time: Timestamp, seconds: Bool = false) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time.date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let text = "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
        return seconds ? text + ":\(two(c.second))" : text
    }

    /// What a user is told to write when a time does not parse.
    public static let examples = "write e.g. 2026-11-30T09:00 (lab time), 2026-11-30T04:00Z or 2026-11-30T09:00+05:00"
}

extension TimeZone {
    /// Coordinated Universal Time.
    public static let utc = TimeZone(secondsFromGMT: 0)!
}
