import Practice
import RigProfiles
import Testing

/// Active time and per-channel statistics on hand-computed examples.
@Suite struct SessionEvaluatorTests {
    typealias R = PracticeRig

    @Test func activeTimeAndStatisticsOnAHandComputedSession() throws {
        var session = try R.evaluator()
        _ = try session.consume([
            R.frame(0, speed: 0, pressure: 10),
            R.frame(1000, speed: 10),
            R.frame(3000, speed: 20, pressure: 30),
            R.frame(4000, speed: 0),
        ])
        let report = session.report(endingAt: R.ms(6000))
        #expect(report.start == 0)
        #expect(report.end == R.ms(6000))
        #expect(report.frames == 4)
        // speed > 0.5 from 1 s to 4 s.
        #expect(report.activeTime == R.ms(3000))
        #expect(report.activeSeconds == 3)

        let speed = report.channels[0]
        #expect(speed.channel == "speed")
        #expect(speed.samples == 4)
        #expect(speed.minimum == 0)
        #expect(speed.maximum == 20)
        // (0 × 1 s + 10 × 2 s + 20 × 1 s + 0 × 2 s) / 6 s
        #expect(abs(speed.mean! - 40.0 / 6) < 1e-12)

        let pressure = report.channels[1]
        #expect(pressure.samples == 2)
        #expect(pressure.minimum == 10)
        #expect(pressure.maximum == 30)
        // (10 × 3 s + 30 × 3 s) / 6 s
        #expect(pressure.mean == 20)
        #expect(pressure.timeInAlarm == 0)

        let temp = report.channels[2]
        #expect(temp.samples == 0)
        #expect(temp.minimum == nil && temp.maximum == nil && temp.mean == nil)
    }

    @Test func theMeanIsTimeWeightedAndNaNCountsForNothing() throws {
        var session = try R.evaluator()
        // 10 for 9 s, then a burst of 100s for 1 s; a NaN (no usable reading) holds for 1 s.
        var frames = [R.frame(0, temp: 10)]
        for i in Int64(0)..<10 { frames.append(R.frame(9000 + i * 100, temp: 100)) }
        frames.append(R.frame(10_000, temp: .nan))
        _ = try session.consume(frames)
        let temp = session.report(endingAt: R.ms(11_000)).channels[2]
        #expect(temp.samples == 11)
        // (10 × 9 s + 100 × 1 s) / 10 s; the sample mean would be (10 + 10 × 100) / 11 ≈ 91.8.
        #expect(abs(temp.mean! - 19) < 1e-9, "mean \(temp.mean!)")
        #expect(temp.maximum == 100)
    }

    @Test func oneFrameFallsBackToTheSampleMean() throws {
        var session = try R.evaluator()
        _ = try session.consume(R.frame(5, speed: 7))
        let report = session.report()
        #expect(report.channels[0].mean == 7)
        #expect(report.activeTime == 0)
    }

    @Test func framesOutOfOrderOrForUnknownChannelsAreRefusedAndChangeNothing() throws {
        var session = try R.evaluator()
        _ = try session.consume(R.frame(1000, speed: 10))
        #expect(throws: FrameError.outOfOrder(time: R.ms(999), previous: R.ms(1000))) {
            try session.consume(R.frame(999, speed: 60))
        }
        #expect(throws: FrameError.unknownChannel(9, channelCount: 4)) {
            try session.consume(Frame(time: R.ms(2000), updates: [.init(channel: 0, value: 60), .init(channel: 9, value: 1)]))
        }
        #expect(session.values[0] == 10)
        #expect(session.report().frames == 1)
        // Equal times are in order.
        _ = try session.consume(R.frame(1000, speed: 12))
        #expect(session.values[0] == 12)
    }

    @Test func theSameFramesGiveTheSameReport() throws {
        var frames: [Frame] = []
        for i in Int64(0)..<400 {
            let phase = Double(i % 50)
            frames.append(R.frame(i * 100, speed: phase < 25 ? phase * 3 : 0, pressure: phase * 5 - 110, door: i % 7 == 0))
        }
        var first = try R.evaluator(), second = try R.evaluator()
        let a = try first.consume(frames), b = try second.consume(frames)
        #expect(a == b)
        #expect(first.report(endingAt: R.ms(40_000)) == second.report(endingAt: R.ms(40_000)))
        #expect(!first.report().attempts.isEmpty && !first.report().alarms.isEmpty)
    }
}
