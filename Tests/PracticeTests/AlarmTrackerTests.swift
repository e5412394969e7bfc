import Practice
import RigProfiles
import Testing

/// Alarms through the session evaluator: overpressure is `pressure > 120` held 500 ms,
/// vacuum is `pressure < -100` with no hold time.
@Suite struct AlarmTrackerTests {
    typealias R = PracticeRig

    static func fired(_ events: [SessionEvent]) -> [SessionEvent] {
        events.filter { if case .alarmFired = $0 { true } else { false } }
    }

    @Test func aConditionShorterThanTheHoldTimeNeverFires() throws {
        var session = try R.evaluator()
        // True for 400 ms of frames, then false.
        var frames = (0...4).map { R.frame(Int64($0) * 100, pressure: 130) }
        frames.append(R.frame(500, pressure: 100))
        // True at 1 s and 1.4 s, false at 1.6 s: the value is not assumed to hold past 1.4 s.
        frames += [R.frame(1000, pressure: 150), R.frame(1400, pressure: 150), R.frame(1600, pressure: 0)]
        let events = try session.consume(frames)
        #expect(events.isEmpty)
        #expect(session.report().alarms.isEmpty)
        #expect(session.report().channels[1].timeInAlarm == 0)
    }

    @Test func aConditionThatHoldsFiresOnceWithItsStartDurationAndPeak() throws {
        var session = try R.evaluator()
        var frames = [R.frame(900, pressure: 100)]
        // 1.0 s ... 2.4 s every 100 ms above 120, peaking at 150 at 1.8 s; false at 2.5 s.
        let values: [Double] = [125, 130, 121, 122, 123, 121, 140, 141, 150, 149, 130, 125, 124, 123, 122]
        for (i, value) in values.enumerated() { frames.append(R.frame(1000 + Int64(i) * 100, pressure: value)) }
        frames.append(R.frame(2500, pressure: 100))
        let events = try session.consume(frames)

        #expect(Self.fired(events) == [.alarmFired(alarm: "overpressure", start: R.ms(1000), time: R.ms(1500))])
        let record = AlarmRecord(alarm: "overpressure", severity: .critical, start: R.ms(1000), fired: R.ms(1500), end: R.ms(2500), peak: 150, openAtSessionEnd: false)
        #expect(events.last == .alarmEnded(record))
        #expect(session.report().alarms == [record])
        #expect(record.duration == R.ms(1500))
        // In alarm from firing (1.5 s) to the end (2.5 s); speed is not in the condition.
        #expect(session.report().channels[1].timeInAlarm == R.ms(1000))
        #expect(session.report().channels[0].timeInAlarm == 0)
    }

    @Test func peakIsTheLargestMagnitudeAndAnAlarmOnAtTheEndIsClosedThere() throws {
        var session = try R.evaluator()
        let events = try session.consume([
            R.frame(0, pressure: 0), R.frame(100, pressure: -150), R.frame(200, pressure: -180), R.frame(300, pressure: -120),
        ])
        // No hold time: fires in the frame it becomes true.
        #expect(Self.fired(events) == [.alarmFired(alarm: "vacuum", start: R.ms(100), time: R.ms(100))])
        let report = session.report(endingAt: R.ms(1000))
        #expect(report.alarms == [
            AlarmRecord(alarm: "vacuum", severity: .warning, start: R.ms(100), fired: R.ms(100), end: R.ms(1000), peak: 180, openAtSessionEnd: true)
        ])
        #expect(report.channels[1].timeInAlarm == R.ms(900))
    }

    @Test func aConditionThatReturnsFiresAgain() throws {
        var session = try R.evaluator()
        let events = try session.consume([
            R.frame(0, pressure: 130), R.frame(600, pressure: 130), R.frame(700, pressure: 0),
            R.frame(800, pressure: 130), R.frame(1300, pressure: 130), R.frame(1400, pressure: 0),
        ])
        #expect(Self.fired(events).count == 2)
        #expect(session.report().alarms.map(\.start) == [0, R.ms(800)])
        #expect(session.report().alarms.map(\.duration) == [R.ms(700), R.ms(600)])
    }
}
