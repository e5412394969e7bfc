import Foundation
import Store
import Testing

@Suite struct TimeTextTests {
    let utc = TimeZone(identifier: "UTC")!
    let almaty = TimeZone(secondsFromGMT: 5 * 3600)!

    @Test func formatsISO8601WithMilliseconds() {
        #expect(TimeText.iso8601Milliseconds(1_795_939_200_123_456_789) == "2026-11-29T08:00:00.123Z")
        #expect(TimeText.iso8601Milliseconds(0) == "1970-01-01T00:00:00.000Z")
        #expect(TimeText.iso8601Milliseconds(-1) == "1969-12-31T23:59:59.999Z")
        #expect(TimeText.iso8601Milliseconds(951_782_400_000_000_000) == "2000-02-29T00:00:00.000Z")
    }

    @Test func parsesDatesAndDateTimesInTheLabZone() {
        let t = Int64(1_795_939_200) * 1_000_000_000  // 2026-11-29T08:00:00Z
        #expect(TimeText.parseInstant("2026-11-29T08:00:00Z", timeZone: almaty) == t)
        #expect(TimeText.parseInstant("2026-11-29T13:00", timeZone: almaty) == t)
        #expect(TimeText.parseInstant("2026-11-29 13:00:00.250", timeZone: almaty) == t + 250_000_000)
        #expect(TimeText.parseInstant("2026-11-29T10:00+02:00", timeZone: utc) == t)
        #expect(TimeText.parseInstant("2026-11-29", timeZone: utc) == t - 8 * 3_600_000_000_000)
        #expect(TimeText.parseInstant("2026-11-29", timeZone: utc, endOfDay: true) == t + 16 * 3_600_000_000_000)
        #expect(TimeText.parseInstant("2026-02-30", timeZone: utc) == nil)
        #expect(TimeText.parseInstant("yesterday", timeZone: utc) == nil)
    }

    @Test func parsesDurations() {
        #expect(TimeText.parseDuration("250ms") == 250_000_000)
        let days180: Int64 = 180 * 86_400 * 1_000_000_000
        #expect(TimeText.parseDuration("180d") == days180)
        #expect(TimeText.parseDuration("5m") == 300_000_000_000)
        #expect(TimeText.parseDuration("1.5h") == nil)
        #expect(TimeText.parseDuration("d") == nil)
    }
}
