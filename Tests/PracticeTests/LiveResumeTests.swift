import RiglogTesting
import Timekeeping
import Foundation
import Ingest
import Practice
import RigProfiles
import Store
import Testing

/// A restart does not split a session: runs of the live evaluator against a real SQLite store,
/// stopped cleanly or killed and started again, then the same store re-evaluated offline.
@Suite struct LiveResumeTests {
    /// A one-step exercise: passes in the frame where the pressure rises to 60.
    static let holdPressure = """
          - id: hold-pressure
            title: {en: Hold the pressure}
            steps:
              - reach: pressure >= 60

        """

    func lab(resume: String? = nil) throws -> SessionLab {
        try SessionLab(resume: resume, exercises: Self.holdPressure)
    }

    /// One poll every 100 ms over `from ..< to` s: speed, temp and door, the pressure 1 ms later
    /// and the badge reader 3 ms later (three requests, three frames, as a rig with its channels
    /// in several register blocks answers). The pressure rises to 70 at 5 s and stays.
    func samples(_ lab: SessionLab, from: Double, to: Double, badge: Int64) -> [Sample] {
        var samples: [Sample] = []
        for step in Int(from * 10)..<Int(to * 10) {
            let time = SessionLab.ns(seconds: Double(step) / 10)
            samples.append(Sample(channel: lab.ids[0], time: time, raw: 0))
            samples.append(Sample(channel: lab.ids[2], time: time, raw: 20))
            samples.append(Sample(channel: lab.ids[3], time: time, bool: false))
            samples.append(Sample(channel: lab.ids[1], time: time + 1_000_000, raw: step >= 50 ? 70 : 0))
            samples.append(Sample(channel: lab.ids[4], time: time + 3_000_000, raw: badge))
        }
        return samples
    }

    enum Ending { case stopped, killed }

    /// One collector run over `from ..< to` s with `badge` at the reader, fed as the drainer
    /// does: each second's samples to the chunk writer and the evaluator, the clock 100 ms past
    /// them, then flush. `stopped`: closed at `to`; `killed`: the samples are stored (the chunk
    /// writer flushed) but the evaluator, 2 s behind, is never closed, as SIGKILL leaves it.
    /// `badgeFrom`: another badge shown from that second on.
    @discardableResult
    func collect(
        _ lab: SessionLab, from: Double, to: Double, badge: Int64, badgeFrom: (seconds: Double, badge: Int64)? = nil, ending: Ending = .stopped
    ) throws -> LiveEvaluator {
        let clock = TestClock(SessionLab.ns(seconds: from - 0.5))
        let live = LiveEvaluator(lab: lab.lab, store: lab.store, now: { clock.now })
        let writer = ChunkWriter(store: lab.store)
        try live.begin()
        let all = badgeFrom.map { samples(lab, from: from, to: $0.seconds, badge: badge) + samples(lab, from: $0.seconds, to: to, badge: $0.badge) }
            ?? samples(lab, from: from, to: to, badge: badge)
        var second = from
        while second < to {
            let end = Swift.min(second + 1, to)
            let batch = all.filter { $0.time >= SessionLab.ns(seconds: second) && $0.time < SessionLab.ns(seconds: end) }
            try deliver(batch, until: end, clock: clock, writer: writer, live: live)
            second = end
        }
        try writer.flush()
        guard ending == .stopped else { return live }
        try writer.close()
        try live.close()
        return live
    }

    /// Hands a batch read up to `end` s to the chunk writer and the evaluator, the clock 100 ms
    /// past it, and flushes both, as the drainer does each second.
    func deliver(_ batch: [Sample], until end: Double, clock: TestClock, writer: ChunkWriter, live: LiveEvaluator) throws {
        clock.set(SessionLab.ns(seconds: end) + 100_000_000)
        try batch.withUnsafeBufferPointer { buffer in
            try writer.write(buffer)
            try live.write(buffer)
        }
        try writer.flush()
        try live.flush()
    }

    func describe(_ sessions: [SessionSnapshot]) -> String { sessions.map(\.description).joined(separator: "\n") }

    /// Re-evaluating the whole store gives the sessions live stored.
    func expectOfflineSame(_ lab: SessionLab, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let live = try lab.snapshot()
        try Reevaluation(store: lab.store).run()
        let offline = try lab.snapshot()
        #expect(offline == live, "live:\n\(describe(live))\noffline:\n\(describe(offline))", sourceLocation: sourceLocation)
    }

    @Test func aCleanRestartWithinTheWindowWithTheSameBadgeGoesOnWithAGapBetween() throws {
        let lab = try lab()
        try collect(lab, from: 0, to: 12, badge: 4100)
        #expect(try lab.store.sessions().map(\.endReason) == [.collectorStopped])
        try collect(lab, from: 40, to: 50, badge: 4100)
        let sessions = try lab.snapshot()
        #expect(sessions.count == 1, "\(describe(sessions))")
        let session = try #require(sessions.first)
        #expect(session.session.student == "badge:4100")
        #expect(session.session.start == SessionLab.at(seconds: 0.003))
        #expect(session.session.end == SessionLab.at(seconds: 50.1) && session.session.endReason == .collectorStopped)
        // One pass of the one-step exercise, at 5 s: the restart with the pressure still up is
        // no new edge.
        #expect(session.attempts.filter { $0.exercise == "hold-pressure" }.map(\.start) == [SessionLab.at(seconds: 5.001)])
        // The speed of every frame from the first badge read (0.003 s) to the stop, but those of
        // the new run before it read the badge again (40.003 s): 119 + 99.
        #expect(session.statistics.first { $0.channel == lab.ids[0] }?.count == 218)
        let gaps = try lab.store.gaps(rig: SessionLab.rig)
        #expect(gaps.map(\.reason) == [LiveEvaluator.restartGapReason])
        // From the first run's stop (the wall clock 100 ms past its last batch) to the frame of
        // the new run that read the badge.
        #expect(gaps.first?.start == SessionLab.at(seconds: 12.1) && gaps.first?.end == SessionLab.at(seconds: 40.003))
        try expectOfflineSame(lab)
    }

    @Test func aRangeCutThroughAResumedSessionReevaluatesBothRuns() throws {
        let lab = try lab()
        try collect(lab, from: 0, to: 12, badge: 4100)
        try collect(lab, from: 40, to: 50, badge: 4100)
        let live = try lab.snapshot()
        // The session starts in the range, and goes on in the run after it.
        let early = try Reevaluation(store: lab.store).run(period: TimePeriod(from: SessionLab.at(seconds: 0), to: SessionLab.at(seconds: 20)))
        #expect(early.runs == 2 && early.replaced == 1)
        #expect(try lab.snapshot() == live)
        // The range holds only the second run: the first is evaluated too (the session came from
        // it), and the session, starting before the range, is left alone.
        let late = try Reevaluation(store: lab.store).run(period: TimePeriod(from: SessionLab.at(seconds: 40)))
        #expect(late.runs == 2 && late.replaced == 0 && late.sessions == 0)
        #expect(try lab.snapshot() == live)
    }

    @Test func anotherBadgeAfterTheRestartClosesTheSessionWhereTheRunStopped() throws {
        let lab = try lab()
        try collect(lab, from: 0, to: 12, badge: 4100)
        try collect(lab, from: 40, to: 50, badge: 4200)
        let sessions = try lab.snapshot()
        #expect(sessions.map { "\($0.session.student) \($0.session.end ?? -1) \($0.session.endReason?.rawValue ?? "")" } == [
            "badge:4100 \(SessionLab.at(seconds: 12.1)) collector stopped",
            "badge:4200 \(SessionLab.at(seconds: 50.1)) collector stopped",
        ])
        #expect(sessions.last?.session.start == SessionLab.at(seconds: 40.003))
        #expect(try lab.store.gaps(rig: SessionLab.rig).isEmpty)
        try expectOfflineSame(lab)
    }

    @Test func aSessionThatEndedBeforeACleanStopStaysEnded() throws {
        let lab = try lab()
        // Badge out at 6 s; nobody at the rig when the run stops at 12 s, 4100 back after the restart.
        try collect(lab, from: 0, to: 12, badge: 4100, badgeFrom: (6, 0))
        try collect(lab, from: 40, to: 50, badge: 4100)
        let sessions = try lab.snapshot()
        #expect(sessions.map { "\($0.session.start)-\($0.session.end ?? -1) \($0.session.endReason?.rawValue ?? "")" } == [
            "\(SessionLab.at(seconds: 0.003))-\(SessionLab.at(seconds: 6.003)) badge out",
            "\(SessionLab.at(seconds: 40.003))-\(SessionLab.at(seconds: 50.1)) collector stopped",
        ], "\(describe(sessions))")
        #expect(try lab.store.gaps(rig: SessionLab.rig).isEmpty)
        try expectOfflineSame(lab)
    }

    @Test func aRestartAfterTheWindowOpensANewSession() throws {
        let lab = try lab(resume: "20s")
        try collect(lab, from: 0, to: 12, badge: 4100)
        try collect(lab, from: 40, to: 50, badge: 4100)
        let sessions = try lab.snapshot()
        #expect(sessions.map(\.session.start) == [SessionLab.at(seconds: 0.003), SessionLab.at(seconds: 40.003)], "\(describe(sessions))")
        #expect(sessions.map(\.session.endReason) == [.collectorStopped, .collectorStopped])
        try expectOfflineSame(lab)
    }

    @Test func aKilledRunsSessionKeepsTheSamplesStoredBeforeTheKillAndCountsNoSecondPass() throws {
        let lab = try lab()
        // Killed at 12 s: stored up to 11.9 s, evaluated only up to about 10 s.
        try collect(lab, from: 0, to: 12, badge: 4100, ending: .killed)
        #expect(try lab.store.sessions().map(\.end) == [nil])
        let restarted = try collect(lab, from: 30, to: 40, badge: 4100)
        // The session began with the run (nothing read the register before it): the whole run is
        // replayed, 3 frames a poll for 12 s.
        #expect(restarted.replayedFrames == 360)
        let sessions = try lab.snapshot()
        #expect(sessions.count == 1, "\(describe(sessions))")
        let session = try #require(sessions.first)
        #expect(session.session.start == SessionLab.at(seconds: 0.003) && session.session.endReason == .collectorStopped)
        // Every speed sample stored before the kill (those of 10-12 s never evaluated live).
        #expect(session.statistics.first { $0.channel == lab.ids[0] }?.count == 218)
        #expect(session.attempts.filter { $0.exercise == "hold-pressure" }.count == 1)
        // After a crash the gap runs from the last stored frame (the badge reader's at 11.903 s).
        let gaps = try lab.store.gaps(rig: SessionLab.rig)
        #expect(gaps.first?.start == SessionLab.at(seconds: 11.903) && gaps.first?.end == SessionLab.at(seconds: 30.003))
        try expectOfflineSame(lab)
    }

    @Test func withoutAWindowTheRestartSplitsAndCountsTheInstantPass() throws {
        let lab = try lab(resume: "0s")
        try collect(lab, from: 0, to: 12, badge: 4100, ending: .killed)
        try collect(lab, from: 30, to: 40, badge: 4100)
        let sessions = try lab.snapshot()
        #expect(sessions.map(\.session.endReason) == [.communicationLost, .collectorStopped])
        // The old behaviour the window fixes: the new session's first frame has no pressure yet,
        // the next has it up, and the one-step exercise passes at once.
        #expect(sessions.last?.attempts.filter { $0.exercise == "hold-pressure" }.map(\.start) == [SessionLab.at(seconds: 30.101)])
        try expectOfflineSame(lab)
    }

    @Test func aKilledRunThatClosedASessionInItsLastSecondsStoresItAtTheRestart() throws {
        let lab = try lab()
        // Badge 4100 until 11 s, then 4200: live, 2 s behind, never stored the change.
        try collect(lab, from: 0, to: 12, badge: 4100, badgeFrom: (11, 4200), ending: .killed)
        #expect(try lab.store.sessions().map(\.student) == ["badge:4100"])
        try collect(lab, from: 30, to: 40, badge: 4200)
        let sessions = try lab.snapshot()
        #expect(sessions.map { "\($0.session.student) \($0.session.start) \($0.session.endReason?.rawValue ?? "")" } == [
            "badge:4100 \(SessionLab.at(seconds: 0.003)) badge out",
            "badge:4200 \(SessionLab.at(seconds: 11.003)) collector stopped",
        ], "\(describe(sessions))")
        try expectOfflineSame(lab)
    }

    @Test func aLongRunWithAShortSessionAtItsEndReplaysOnlyThatSessionAndGetsWhatTheWholeRunGives() throws {
        let lab = try lab()
        // Nobody for 110 s, then 4100 badges in; killed at 120 s with the session open.
        try collect(lab, from: 0, to: 120, badge: 0, badgeFrom: (110, 4100), ending: .killed)
        #expect(try lab.store.sessions().map(\.start) == [SessionLab.at(seconds: 110.003)])

        // What the restart gets, from the run's start and from the session's, compared whole.
        let runStart = try #require(try lab.store.collectorRuns().last).start
        let whole = try Reevaluation(store: lab.store).resumption(rig: SessionLab.rig, from: runStart)
        let cheap = try Reevaluation(store: lab.store).resumption(rig: SessionLab.rig, from: runStart, sessionsFrom: SessionLab.at(seconds: 110.003))
        // Every frame of the run (3 a poll for 120 s), against the badge frame of the poll before
        // the session (109.903 s) and the session's 10 s.
        #expect(whole.frames == 3600 && whole.replayedFrom == runStart)
        #expect(cheap.frames == 301 && cheap.replayedFrom == SessionLab.at(seconds: 109.903))
        #expect(cheap.sessionsFrom == SessionLab.at(seconds: 110.003))
        #expect(cheap.closed == whole.closed.filter { $0.start >= SessionLab.ns(seconds: 110.003) })
        #expect(cheap.claimsThrough == whole.claimsThrough)
        let suspended = try #require(cheap.tracker.suspended)
        #expect(suspended == whole.tracker.suspended)
        #expect(suspended.start == SessionLab.ns(seconds: 110.003))
        // The evaluators hold the same state: the same report when the session closes, and the
        // same decisions on the next run's frames.
        var fromWhole = whole.tracker
        var fromSession = cheap.tracker
        for step in 0..<20 {
            let time = SessionLab.ns(seconds: 125 + Double(step) / 10)
            let frame = RigInput.frame(RigFrame(time: time, updates: [Frame.Update(channel: 1, value: step % 2 == 0 ? 80 : 10)], badge: step < 10 ? 4100 : 0))
            #expect(fromSession.handle(frame) == fromWhole.handle(frame))
        }
        #expect(fromSession.collectorStopped(at: SessionLab.ns(seconds: 130)) == fromWhole.collectorStopped(at: SessionLab.ns(seconds: 130)))

        // The restart itself: only the session's frames replayed, and what re-evaluation finds.
        let restarted = try collect(lab, from: 125, to: 135, badge: 4100)
        #expect(restarted.replayedFrames == 301)
        let sessions = try lab.snapshot()
        #expect(sessions.count == 1, "\(describe(sessions))")
        #expect(sessions.first?.session.start == SessionLab.at(seconds: 110.003))
        // The speed of every frame of the session: those after the badge read at 110.003 s up to
        // the kill, and after the new run read it at 125.003 s: 99 + 99.
        #expect(sessions.first?.statistics.first { $0.channel == lab.ids[0] }?.count == 198)
        try expectOfflineSame(lab)
    }

    @Test func aCheckinSessionOpenedBetweenFramesReplaysFromTheFrameBeforeIt() throws {
        let lab = try lab()
        // Checked in at 110.05 s, between polls: the session opens then, not at a frame.
        _ = try lab.store.recordCheckin(Checkin(rig: SessionLab.rig, student: "S7", at: SessionLab.at(seconds: 110.05), kind: .checkin))
        try collect(lab, from: 0, to: 120, badge: 0, ending: .killed)
        #expect(try lab.store.sessions().map(\.start) == [SessionLab.at(seconds: 110.05)])
        let restarted = try collect(lab, from: 125, to: 135, badge: 0)
        // From the badge frame at 110.003 s: it, then 99 polls of 3 frames.
        #expect(restarted.replayedFrames == 298)
        let sessions = try lab.snapshot()
        #expect(sessions.map { "\($0.session.student) \($0.session.start) \($0.session.endReason?.rawValue ?? "")" } == [
            "S7 \(SessionLab.at(seconds: 110.05)) collector stopped"
        ], "\(describe(sessions))")
        try expectOfflineSame(lab)
    }

    @Test func aClockSteppedBackInTheSessionReplaysTheWholeRun() throws {
        let lab = try lab()
        // Nobody for 110 s, then 4100; at 115 s the wall clock steps back 5 s, so the samples
        // read after it carry 110-115 s again (stored in the order read); killed at 120 s.
        let clock = TestClock(SessionLab.ns(seconds: -0.5))
        let live = LiveEvaluator(lab: lab.lab, store: lab.store, now: { clock.now })
        let writer = ChunkWriter(store: lab.store)
        try live.begin()
        for read in 0..<120 {
            let second = Double(read < 115 ? read : read - 5)
            try deliver(samples(lab, from: second, to: second + 1, badge: read >= 110 ? 4100 : 0), until: second + 1, clock: clock, writer: writer, live: live)
        }
        try writer.flush()
        let start = try #require(try lab.store.sessions().first?.start)
        #expect(start == SessionLab.at(seconds: 110.003))
        // Replayed from the frame before the session, the samples read after the step (before
        // that frame, or going back) would be missed or reordered: the whole run is replayed.
        let runStart = try #require(try lab.store.collectorRuns().last).start
        let whole = try Reevaluation(store: lab.store).resumption(rig: SessionLab.rig, from: runStart)
        let resumption = try Reevaluation(store: lab.store).resumption(rig: SessionLab.rig, from: runStart, sessionsFrom: start)
        #expect(resumption.replayedFrom == runStart && resumption.sessionsFrom == runStart)
        #expect(resumption.frames == whole.frames && whole.frames > 3000)
        let restarted = try collect(lab, from: 125, to: 135, badge: 4100)
        #expect(restarted.replayedFrames == whole.frames)
        try expectOfflineSame(lab)
    }

    @Test func aSessionOpenAtACleanStopIsReplayedFromTheFrameBeforeIt() throws {
        let lab = try lab()
        try collect(lab, from: 0, to: 120, badge: 0, badgeFrom: (110, 4100))
        #expect(try lab.store.sessions().map(\.endReason) == [.collectorStopped])
        let restarted = try collect(lab, from: 130, to: 140, badge: 4100)
        // The badge frame at 109.903 s and the session's 100 polls of 3 frames, not the run's 3600.
        #expect(restarted.replayedFrames == 301)
        let sessions = try lab.snapshot()
        #expect(sessions.map { "\($0.session.start) \($0.session.endReason?.rawValue ?? "")" } == [
            "\(SessionLab.at(seconds: 110.003)) collector stopped"
        ], "\(describe(sessions))")
        #expect(try lab.store.gaps(rig: SessionLab.rig).map(\.reason) == [LiveEvaluator.restartGapReason])
        try expectOfflineSame(lab)
    }
}
