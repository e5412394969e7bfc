import Foundation
import Testing
import Timekeeping

@Suite struct TimestampTests {
    @Test func nanosecondsFloorToTheStoredMicrosecond() {
        #expect(Timestamp(nanosecondsSince1970: 1_999).microsecondsSince1970 == 1)
        #expect(Timestamp(nanosecondsSince1970: -1).microsecondsSince1970 == -1)
        #expect(Timestamp(nanosecondsSince1970: -1_000).microsecondsSince1970 == -1)
        #expect(Timestamp(nanosecondsSince1970: -1_001).microsecondsSince1970 == -2)
        #expect(Timestamp(microsecondsSince1970: 5).nanosecondsSince1970 == 5_000)
    }

    @Test func openBoundsSaturateInsteadOfOverflowing() {
        #expect(Timestamp.distantFuture + .seconds(1) == .distantFuture)
        #expect(Timestamp.distantPast - .seconds(1) == .distantPast)
        #expect(Timestamp.distantFuture.nanosecondsSince1970 == .max)
        #expect(Timestamp.distantPast.nanosecondsSince1970 == .min)
        #expect(Timestamp.distantFuture - Timestamp.distantPast == .microseconds(Int64.max))
    }

    @Test func durationArithmeticIsInMicroseconds() {
        let t = Timestamp(microsecondsSince1970: 1_000_000)
        #expect(t + .milliseconds(250) == Timestamp(microsecondsSince1970: 1_250_000))
        #expect(t - .seconds(2) == Timestamp(microsecondsSince1970: -1_000_000))
        #expect(Timestamp(microsecondsSince1970: 3_500_000) - t == .milliseconds(2500))
        #expect(Duration.nanoseconds(-1).microseconds == -1)
        #expect(Duration.nanoseconds(1_999).microseconds == 1)
        #expect(Duration.milliseconds(1500).seconds == 1.5)
    }

    @Test func codesAsTheStoredInteger() throws {
        let data = try JSONEncoder().encode([Timestamp(microsecondsSince1970: 42)])
        #expect(String(decoding: data, as: UTF8.self) == "[42]")
        #expect(try JSONDecoder().decode([Timestamp].self, from: data) == [Timestamp(microsecondsSince1970: 42)])
    }

    @Test func nowIsTheWallClock() {
        let before = Date()
        let now = Timestamp.now()
        let after = Date()
        #expect(now >= Timestamp(before) - .microseconds(1))
        #expect(now <= Timestamp(after) + .microseconds(1))
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1_764_383_400_123_999, "2025-11-29T02:30:00.123Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (951_782_400_000_000, "2000-02-29T00:00:00.000Z"),
    ])
    func formatsISO8601InUTCWithMilliseconds(micros: Int64, text: String) {
        #expect(Timestamp(microsecondsSince1970: micros).iso8601 == text)
    }

    @Test func iso8601FormattingAgreesWithFoundationOverCenturies() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = .utc
        var micros: Int64 = -5_000_000_000_000_000
        while micros < 7_000_000_000_000_000 {
            let t = Timestamp(microsecondsSince1970: micros / 1000 * 1000)
            #expect(t.iso8601 == formatter.string(from: t.date))
            micros += 123_456_789_012_345
        }
    }
}

@Suite struct ISO8601ReadingTests {
    let almaty = TimeZone(identifier: "Asia/Almaty")!

    @Test func aTimeWithoutOffsetIsReadInTheLabZone() throws {
        let t = try #require(Timestamp(iso8601: "2026-11-30T09:00", in: almaty))
        #expect(t == Timestamp(iso8601: "2026-11-30T04:00Z", in: .utc))
        #expect(t == Timestamp(iso8601: "2026-11-30 09:00:00+05:00", in: .utc))
        #expect(t == Timestamp(iso8601: "2026-11-30T09:00+0500", in: .utc))
    }

    @Test func readsTheFormsTheFormerExportParserRead() {
        let t = Timestamp(microsecondsSince1970: 1_795_939_200 * 1_000_000)  // 2026-11-29T08:00:00Z
        let plus5 = TimeZone(secondsFromGMT: 5 * 3600)!
        #expect(Timestamp(iso8601: "2026-11-29T08:00:00Z", in: plus5) == t)
        #expect(Timestamp(iso8601: "2026-11-29T13:00", in: plus5) == t)
        #expect(Timestamp(iso8601: "2026-11-29 13:00:00.250", in: plus5) == t + .milliseconds(250))
        #expect(Timestamp(iso8601: "2026-11-29T10:00+02:00", in: .utc) == t)
        #expect(Timestamp(iso8601: "2026-11-29", in: .utc) == t - .seconds(8 * 3600))
        #expect(Timestamp(iso8601: "2026-11-29", in: .utc, endOfDay: true) == t + .seconds(16 * 3600))
        #expect(Timestamp(iso8601: "yesterday", in: .utc) == nil)
    }

    @Test func aBareDateIsTheDaysStartOrWithEndOfDayTheNextDaysStart() throws {
        let start = try #require(Timestamp(iso8601: "2026-11-29", in: .utc))
        let end = try #require(Timestamp(iso8601: "2026-11-29", in: .utc, endOfDay: true))
        #expect(end - start == .seconds(86_400))
        // endOfDay applies to a bare date only.
        #expect(Timestamp(iso8601: "2026-11-29T00:00", in: .utc, endOfDay: true) == start)
    }

    @Test func fractionsKeepMicrosecondsAndDropFinerDigits() {
        let base = Timestamp(iso8601: "2026-11-29T08:30:15Z", in: .utc)!
        #expect(Timestamp(iso8601: "2026-11-29T08:30:15.25Z", in: .utc) == base + .milliseconds(250))
        #expect(Timestamp(iso8601: "2026-11-29T08:30:15,000001Z", in: .utc) == base + .microseconds(1))
        #expect(Timestamp(iso8601: "2026-11-29T08:30:15.123456789Z", in: .utc) == base + .microseconds(123_456))
    }

    @Test(arguments: [
        "", "2026-11-3", "2026-13-01", "2026-02-30", "2026-11-29T24:00", "2026-11-29T08:60",
        "2026-11-29T08", "2026-11-29T08:30:15.", "2026-11-29T08:30:15.1234567890", "2026-11-29T08:30+5",
        "29.11.2026", "2026-11-29X", "2026-11-29T08:30Z ", "٢٠٢٦-11-29",
    ])
    func refusesWhatIsNotISO8601(text: String) {
        #expect(Timestamp(iso8601: text, in: .utc) == nil)
    }

    @Test func readsBackWhatItWrites() {
        for micros: Int64 in [0, 1_764_383_400_123_000, -86_400_000_000, 4_102_444_800_000_000] {
            let t = Timestamp(microsecondsSince1970: micros)
            #expect(Timestamp(iso8601: t.iso8601, in: almaty) == t)
        }
    }
}
