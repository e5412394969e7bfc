import Reports
import Testing

@Suite struct ReportPeriodTests {
    @Test func openBoundsCoverAllTime() {
        let period = ReportPeriod()
        #expect(period.lowerBound == .min && period.upperBound == .max)
        #expect(ReportPeriod(from: 5, to: 9).lowerBound == 5)
    }
}
