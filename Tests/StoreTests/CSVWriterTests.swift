import Foundation
import Store
import Testing

@Suite struct CSVWriterTests {
    private func csv(_ dialect: CSVWriter.Dialect, _ build: (inout CSVWriter) throws -> Void) throws -> String {
        var bytes: [UInt8] = []
        var writer = CSVWriter(dialect: dialect) { bytes.append(contentsOf: $0) }
        try build(&writer)
        try writer.finish()
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", #"=HYPERLINK("http://x","y")"#])
    func formulaLikeTextGetsAQuote(text: String) throws {
        let out = try csv(.rfc4180) { w in
            w.text(text)
            try w.endRow()
        }
        #expect(out.hasPrefix("'") || out.hasPrefix("\"'"))
    }

    @Test func numbersAreNeverPrefixedAndUseTheDialectsDecimalSeparator() throws {
        let plain = try csv(.rfc4180) { w in
            w.number("-1.5")
            w.number("2")
            w.empty()
            try w.endRow()
        }
        #expect(plain == "-1.5,2,\r\n")
        let excel = try csv(.excel) { w in
            w.number("-1.5")
            w.text("a;b")
            try w.endRow()
        }
        #expect(excel == "\u{FEFF}-1,5;\"a;b\"\r\n")
    }

    @Test func quotesAreDoubledAndFieldsWithBreaksQuoted() throws {
        let out = try csv(.rfc4180) { w in
            w.text(#"say "hi""#)
            w.text("two\nlines")
            w.text("plain")
            try w.endRow()
        }
        #expect(out == "\"say \"\"hi\"\"\",\"two\nlines\",plain\r\n")
    }
}

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
