import Foundation
import Testing
import Timekeeping

@Suite struct TimePeriodTests {
    let lab = LabTime(zone: TimeZone(identifier: "Asia/Almaty")!)

    @Test func boundsAreReadInTheLabZoneAndToIncludesABareDatesDay() throws {
        let period = try TimePeriod(from: "2026-11-30", to: "2026-11-30", in: lab)
        #expect(period.from == Timestamp(iso8601: "2026-11-29T19:00Z", in: .utc))
        #expect(period.to == Timestamp(iso8601: "2026-11-30T19:00Z", in: .utc))
        #expect(period.contains(period.from!))
        #expect(!period.contains(period.to!))
    }

    @Test func openBoundsAreTheWholeOfTime() throws {
        let period = try TimePeriod(from: nil, to: nil, in: lab)
        #expect(period == .all)
        #expect(period.lowerBound == .distantPast && period.upperBound == .distantFuture)
        #expect(period.contains(Timestamp.now()))
    }

    @Test func aBoundThatDoesNotParseIsNamed() {
        #expect(throws: TimePeriodError.notATime(bound: "to", text: "tomorrow")) {
            try TimePeriod(from: "2026-11-30", to: "tomorrow", in: lab)
        }
        #expect(TimePeriodError.notATime(bound: "from", text: "x").description.hasPrefix("--from x is not an ISO 8601"))
    }

    @Test func toMustBeAfterFrom() {
        #expect(throws: TimePeriodError.endNotAfterStart) {
            try TimePeriod(from: "2026-11-30T10:00", to: "2026-11-30T10:00", in: lab)
        }
    }

    @Test func syntaxIsCheckedWithoutAZone() {
        #expect(TimePeriod.isValidBound("2026-11-30T09:00"))
        #expect(!TimePeriod.isValidBound("30.11.2026"))
    }
}

@Suite struct LabTimeTests {
    @Test func formatsInTheLabZone() throws {
        let lab = LabTime(zone: TimeZone(identifier: "Asia/Almaty")!)
        let t = try #require(Timestamp(iso8601: "2026-11-30T04:05:06Z", in: .utc))
        #expect(lab.format(t) == "2026-11-30 09:05")
        #expect(lab.format(t, seconds: true) == "2026-11-30 09:05:06")
    }

    @Test func anUnknownOrMissingZoneIsUTCAndSaysSo() {
        #expect(LabTime(zoneIdentifier: nil) == .utc)
        #expect(LabTime(zoneIdentifier: "Mars/Olympus") == .utc)
        #expect(!LabTime.utc.isLabZone)
        #expect(LabTime(zoneIdentifier: "Asia/Almaty").isLabZone)
    }

    @Test func aDateTimeNeedsATimeOfDay() {
        let lab = LabTime.utc
        #expect(lab.dateTime("2026-11-30") == nil)
        #expect(lab.dateTime("2026-11-30T09:00") == Timestamp(iso8601: "2026-11-30T09:00Z", in: .utc))
    }
}
