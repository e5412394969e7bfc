import Reports
import Testing

@Suite struct ReportPeriodTests {
    @Test func openBoundsCoverAllTime() {
        let period = TimePeriod()
        #expect(period.lowerBound == .min && period.upperBound == .max)
        #expect(TimePeriod(from: 5, to: 9).lowerBound == 5)
    }
}
