public import Timekeeping
public import Foundation

/// Dates, times, durations and numbers as a report shows them: in the lab's time zone and the
/// report's language. Storage and JSON stay UTC; only people-facing formats go through here.
public struct ReportFormatter: @unchecked Sendable {
    // DateFormatter is not Sendable, but these are configured once in init and only read.
    private let dateFormatter: DateFormatter
    private let timeFormatter: DateFormatter
    public let language: ReportLanguage
    public let timeZone: TimeZone
    public let labels: ReportLabels

    public init(language: ReportLanguage, timeZone: TimeZone) {
        self.language = language
        self.timeZone = timeZone
        labels = ReportLabels(language)
        let locale = Locale(identifier: language.localeIdentifier)
        dateFormatter = DateFormatter()
        dateFormatter.locale = locale
        dateFormatter.timeZone = timeZone
        dateFormatter.setLocalizedDateFormatFromTemplate("yMMMd")
        timeFormatter = DateFormatter()
        timeFormatter.locale = locale
        timeFormatter.timeZone = timeZone
        timeFormatter.dateFormat = "HH:mm"
    }

    /// The lab's zone as reports print it (`Asia/Almaty`).
    public var timeZoneName: String { timeZone.identifier }

    /// `29 Nov 2026`, `29 нояб. 2026 г.`, `2026年11月29日`.
    public func date(_ time: Timestamp) -> String { dateFormatter.string(from: time.date) }

    /// `08:30` in the lab's zone.
    public func time(_ time: Timestamp) -> String { timeFormatter.string(from: time.date) }

    /// Date and time.
    public func dateTime(_ time: Timestamp) -> String { "\(date(time)) \(self.time(time))" }

    /// The period line: `1 Nov 2026 – 30 Nov 2026`, or "all time" for an open one.
    public func period(_ period: TimePeriod) -> String {
        switch (period.from, period.to) {
        case (nil, nil): labels[.allTime]
        // --to is exclusive: show the last day it includes.
        case (let from?, let to?): "\(date(from)) – \(date(to - .microseconds(1)))"
        case (let from?, nil): "\(date(from)) –"
        case (nil, let to?): "– \(date(to - .microseconds(1)))"
        }
    }

    /// `1:02:03` (hours may grow past 24; minutes and seconds always two digits).
    public static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        return "\(h):\(m < 10 ? "0" : "")\(m):\(s < 10 ? "0" : "")\(s)"
    }

    /// `12.3 s`, `12,3 с`, `12.3 秒`: an attempt's or an alarm's length.
    public func seconds(_ seconds: Double) -> String {
        "\(number(seconds, decimals: 1)) \(labels[.secondsUnit])"
    }

    /// A number with `decimals` digits; Russian and Kazakh write a decimal comma.
    public func number(_ value: Double, decimals: Int) -> String {
        let text = String(format: "%.\(decimals)f", value)
        return language == .ru || language == .kk ? text.replacingOccurrences(of: ".", with: ",") : text
    }
}
