import RiglogTesting
import Timekeeping
import Foundation
import Ingest
import Practice
import RigProfiles
import Store
import Testing

/// Offline re-evaluation on its own: a changed exercise, a range, a run that never stopped.
@Suite struct ReevaluationTests {
    let live = LiveEvaluatorTests()

    func lab() throws -> SessionLab {
        let lab = try SessionLab()
        try lab.store.addTimetable([TimetableEntry(rig: SessionLab.rig, student: "tt", start: SessionLab.at(seconds: 2), end: SessionLab.at(seconds: 70))])
        return lab
    }

    @Test func aChangedExerciseIsPickedUpAndItsProfileVersionStored() throws {
        let lab = try lab()
        try live.runLive(lab, checkins: [])
        let before = try #require(try lab.snapshot().first { $0.session.student == "badge:4100" })
        #expect(before.attempts.map(\.result) == [.passed])
        // The instructor tightens the brake step to 500 ms: the brake at 1 s is now too late.
        let stricter = try ProfileLoader.parse(
            yaml: lab.lab.rigs[0].profile.sourceText.replacingOccurrences(of: "within: 3s", with: "within: 500ms"), file: "stricter.yaml")
        try Reevaluation(store: lab.store, profiles: [SessionLab.rig: stricter]).run()
        let after = try #require(try lab.snapshot().first { $0.session.student == "badge:4100" })
        #expect(after.attempts.map(\.result) == [.failed])
        #expect(after.attempts.first?.failedStep == 2)
        #expect(after.attempts.first?.seconds == 0.5)
        #expect(after.session == before.session)
    }

    @Test func aRangeReplacesOnlyTheSessionsStartingInIt() throws {
        let lab = try lab()
        try live.runLive(lab, checkins: [])
        let all = try lab.snapshot()
        let from = SessionLab.at(seconds: 35)
        let summary = try Reevaluation(store: lab.store).run(period: TimePeriod(from: from))
        #expect(summary.replaced == all.filter { $0.session.start >= from }.count)
        #expect(summary.sessions == summary.replaced)
        #expect(try lab.snapshot() == all)
    }

    @Test func aRunWithoutAStopEndsAtItsLastFrame() throws {
        let lab = try lab()
        let clock = TestClock(SessionLab.ns(seconds: -1))
        let evaluator = LiveEvaluator(lab: lab.lab, store: lab.store, now: { clock.now })
        let writer = ChunkWriter(store: lab.store)
        try evaluator.begin()
        let samples = lab.scriptedSamples()
        try samples.withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()
        // The collector "crashed": no close, so the run has no end and a session stays open.
        #expect(try lab.store.collectorRuns().map(\.end) == [nil])
        try Reevaluation(store: lab.store).run()
        let last = try #require(try lab.store.sessions().last)
        #expect(last.endReason == .communicationLost)
        #expect(last.end == SessionLab.at(seconds: 59.903))
        #expect(try lab.store.sessions().allSatisfy { $0.end != nil })
    }
}
