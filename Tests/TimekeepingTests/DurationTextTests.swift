import Testing
import Timekeeping

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("2s", .seconds(2)), ("5m", .seconds(300)),
        ("1h", .seconds(3600)), ("180d", .seconds(180 * 86_400)), ("0ms", .zero),
    ])
    func readsAWholeNumberAndAUnit(text: String, duration: Duration) {
        #expect(DurationText.parse(text) == duration)
    }

    @Test(arguments: ["", "s", "2 sec", "1.5s", "-1s", "5M", "2", " 2s", "2s ", "1000000000000s", "٢s", "2mss"])
    func refusesAnythingElse(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test(arguments: [
        (Duration.milliseconds(1500), "1500ms"), (.seconds(2), "2s"), (.seconds(300), "5m"),
        (.seconds(7200), "2h"), (.seconds(86_400), "1d"), (.zero, "0ms"),
    ])
    func formatsInTheLargestExactUnit(duration: Duration, text: String) {
        #expect(DurationText.format(duration) == text)
        #expect(DurationText.parse(text) == duration)
    }
}
