import Practice
import RigProfiles
import Testing

/// The exercise state machine at its edges, through the session evaluator. The exercise:
/// speed >= 55, then pressure >= 60 within 3 s, then speed < 1 within 8 s.
@Suite struct AttemptTrackerTests {
    typealias R = PracticeRig

    /// Step 1 rises at 1 s (after being false at 0 s).
    static let start: [Frame] = [R.frame(0, speed: 0, pressure: 0), R.frame(1000, speed: 60)]

    @Test func aStepTrueExactlyAtTheWindowsEndIsInTime() throws {
        var session = try R.evaluator()
        let events = try session.consume(Self.start + [
            R.frame(2000, speed: 58),
            R.frame(4000, pressure: 60),  // 1 s + 3 s: the last instant of the window
            R.frame(5000, speed: 0),
        ])
        let attempts = session.report().attempts
        #expect(attempts == [Attempt(exercise: "emergency-stop", start: R.ms(1000), end: R.ms(5000), outcome: .passed, stepTimes: [R.ms(1000), R.ms(4000), R.ms(5000)])])
        #expect(attempts.first?.duration == R.ms(4000))
        #expect(events.first == .attemptStarted(exercise: "emergency-stop", time: R.ms(1000)))
        #expect(events.last == .attemptEnded(attempts[0]))
    }

    @Test func aStepTrueOneNanosecondLateFailsAtThatStep() throws {
        var session = try R.evaluator()
        _ = try session.consume(Self.start + [
            R.frame(2000, speed: 58),
            R.frame(nanoseconds: R.ms(4000) + 1, pressure: 60),
            R.frame(5000, speed: 0),
        ])
        // Fails at step index 1 (the pressure step), ending at the window's end.
        #expect(session.report().attempts == [Attempt(exercise: "emergency-stop", start: R.ms(1000), end: R.ms(4000), outcome: .failed(step: 1), stepTimes: [R.ms(1000)])])
    }

    @Test func flappingStepOneNeverStartsOverlappingAttempts() throws {
        var session = try R.evaluator()
        // Speed toggles 0 / 60 every 500 ms from 0 to 10 s; pressure never rises.
        var frames: [Frame] = [R.frame(0, speed: 0, pressure: 0)]
        for i in Int64(1)...20 { frames.append(R.frame(i * 500, speed: i % 2 == 1 ? 60 : 0)) }
        let events = try session.consume(frames)
        let starts = events.filter { if case .attemptStarted = $0 { true } else { false } }
        #expect(starts.count == 3)
        #expect(session.report().attempts == [
            // Rises at 0.5 s, window ends at 3.5 s, noticed by the frame at 4 s (speed 0 there).
            Attempt(exercise: "emergency-stop", start: R.ms(500), end: R.ms(3500), outcome: .failed(step: 1), stepTimes: [R.ms(500)]),
            // The next rise after that frame is 4.5 s.
            Attempt(exercise: "emergency-stop", start: R.ms(4500), end: R.ms(7500), outcome: .failed(step: 1), stepTimes: [R.ms(4500)]),
            // Still open when the session ends at the last frame (10 s), within its window.
            Attempt(exercise: "emergency-stop", start: R.ms(8500), end: R.ms(10000), outcome: .abandoned, stepTimes: [R.ms(8500)]),
        ])
    }

    @Test func theFrameThatEndsAnAttemptStartsNone() throws {
        var session = try R.evaluator()
        let events = try session.consume(Self.start + [
            R.frame(2000, speed: 0),
            R.frame(4500, speed: 60),  // step 1 rises, but this frame fails the open attempt
            R.frame(5000, speed: 60),  // still true: no edge
            R.frame(6000, speed: 0),
            R.frame(7000, speed: 60),  // a new rising edge
        ])
        let starts = events.compactMap { if case .attemptStarted(_, let time) = $0 { time } else { nil } }
        #expect(starts == [R.ms(1000), R.ms(7000)])
        #expect(session.report().attempts.map(\.outcome) == [.failed(step: 1), .abandoned])
    }

    @Test func aGapLongerThanTheWindowFailsAtTheNextFrame() throws {
        var session = try R.evaluator()
        let events = try session.consume(Self.start + [R.frame(1100, speed: 60)])
        #expect(events.count == 1)
        // Nothing for 5 s; the next frame has the step true, but too late.
        let late = try session.consume(R.frame(6100, pressure: 70))
        let failed = Attempt(exercise: "emergency-stop", start: R.ms(1000), end: R.ms(4000), outcome: .failed(step: 1), stepTimes: [R.ms(1000)])
        #expect(late == [.attemptEnded(failed)])
        #expect(session.report().attempts == [failed])
    }

    @Test func aGapWithinTheWindowDoesNotFail() throws {
        var session = try R.evaluator()
        _ = try session.consume(Self.start + [R.frame(3900, pressure: 70), R.frame(11_000, speed: 0)])
        // Step 3's window (8 s) runs from 3.9 s: 11 s is in time.
        #expect(session.report().attempts.map(\.outcome) == [.passed])
        #expect(session.report().attempts.first?.stepTimes == [R.ms(1000), R.ms(3900), R.ms(11_000)])
    }

    @Test func twoAttemptsBackToBack() throws {
        var session = try R.evaluator()
        _ = try session.consume(Self.start + [
            R.frame(2000, pressure: 70),
            R.frame(3000, speed: 0),  // passes; step 1 false again
            R.frame(4000, speed: 60),  // rises: attempt 2 (pressure is still 70)
            R.frame(4100, speed: 60),  // one step per frame: the pressure step is reached here
            R.frame(4200, speed: 0),
        ])
        let attempts = session.report().attempts
        #expect(attempts.map(\.outcome) == [.passed, .passed])
        #expect(attempts.map(\.duration) == [R.ms(2000), R.ms(200)])
        #expect(attempts.map(\.stepTimes) == [[R.ms(1000), R.ms(2000), R.ms(3000)], [R.ms(4000), R.ms(4100), R.ms(4200)]])
    }

    @Test func aSessionEndingMidAttemptAbandonsIt() throws {
        var session = try R.evaluator()
        _ = try session.consume(Self.start + [R.frame(2000, pressure: 70)])
        // Within step 3's window (8 s from 2 s): abandoned at the session's end.
        #expect(session.report(endingAt: R.ms(9000)).attempts == [
            Attempt(exercise: "emergency-stop", start: R.ms(1000), end: R.ms(9000), outcome: .abandoned, stepTimes: [R.ms(1000), R.ms(2000)])
        ])
        // A session ending after the window had run out: the attempt failed, at the window's end.
        #expect(session.report(endingAt: R.ms(12_000)).attempts.map(\.outcome) == [.failed(step: 2)])
        #expect(session.report(endingAt: R.ms(12_000)).attempts.map(\.end) == [R.ms(10_000)])
        // Asking for a report changes nothing: the attempt can still pass.
        _ = try session.consume(R.frame(3000, speed: 0))
        #expect(session.report().attempts.map(\.outcome) == [.passed])
    }

    @Test func stepOneAlreadyTrueInTheFirstFrameStartsNothing() throws {
        var session = try R.evaluator()
        let events = try session.consume([R.frame(0, speed: 60, pressure: 70), R.frame(100, speed: 0)])
        #expect(events.isEmpty)
        #expect(session.report().attempts.isEmpty)
    }

    @Test func aOneStepExercisePassesWhereItStarts() throws {
        let yaml = PracticeRig.yaml.replacing("""
                  - reach: pressure >= 60
                    within: 3s
                  - reach: speed < 1
                    within: 8s

            """, with: "\n")
        var session = try SessionEvaluator(profile: ProfileLoader.parse(yaml: yaml, file: "one-step.yaml"))
        _ = try session.consume([R.frame(0, speed: 0), R.frame(100, speed: 60), R.frame(200, speed: 0), R.frame(300, speed: 60)])
        #expect(session.report().attempts.map(\.start) == [R.ms(100), R.ms(300)])
        #expect(session.report().attempts.allSatisfy { $0.outcome == .passed && $0.duration == 0 })
    }
}
