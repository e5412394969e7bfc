import RiglogTesting
import Timekeeping
import Foundation
import Ingest
import Practice
import RigProfiles
import Store
import Testing

/// The live evaluator against a real SQLite store: the drainer's calls made by hand, with a
/// clock the test moves, then the same store re-evaluated offline.
@Suite struct LiveEvaluatorTests {
    /// Feeds the script as the drainer would: a batch per second of samples to the chunk writer
    /// and the evaluator, the clock 100 ms past the batch, then flush; check-ins recorded by
    /// "another process" when the clock passes them. Returns the evaluator after close.
    @discardableResult
    /// With `crashAfter`, the run stops after that many seconds without closing anything, as a
    /// collector killed with SIGKILL or by a power cut leaves the store. With `refusedWrites`, the
    /// store refuses every write during those seconds, as a disk turned read-only does, and the
    /// evaluator's refusals are counted as the drainer meets them.
    func runLive(
        _ lab: SessionLab, checkins: [(seconds: Double, student: String?, recordedAt: Double?)], lag: Duration = .seconds(2),
        crashAfter: Int? = nil, refusedWrites: Range<Int>? = nil, refusals: inout Int
    ) throws -> LiveEvaluator {
        let clock = TestClock(SessionLab.ns(seconds: -1))
        let live = LiveEvaluator(lab: lab.lab, store: lab.store, configuration: .init(lag: lag), now: { clock.now })
        let writer = ChunkWriter(store: lab.store)
        try live.begin()
        let samples = lab.scriptedSamples()
        var recorded = 0
        for second in 0..<(crashAfter ?? 60) {
            let end = SessionLab.ns(seconds: Double(second + 1))
            let batch = samples.filter { $0.time >= SessionLab.ns(seconds: Double(second)) && $0.time < end }
            clock.set(end + 100_000_000)
            while recorded < checkins.count, SessionLab.ns(seconds: checkins[recorded].recordedAt ?? checkins[recorded].seconds) < clock.now {
                let checkin = checkins[recorded]
                try lab.store.recordCheckin(Checkin(
                    rig: SessionLab.rig, student: checkin.student, at: SessionLab.at(seconds: checkin.seconds),
                    kind: checkin.student == nil ? .checkout : .checkin))
                recorded += 1
            }
            if refusedWrites?.lowerBound == second { try lab.store.refuseWrites(true) }
            if refusedWrites?.upperBound == second { try lab.store.refuseWrites(false) }
            // As the drainer: a refusing disk is the store health's to report; the writer holds
            // the samples, the evaluator its session changes, and both go on.
            func refused(_ body: () throws -> Void) throws -> Bool {
                do { try body() } catch let error as StoreError where error.isUnwritable && refusedWrites != nil { return true }
                return false
            }
            try batch.withUnsafeBufferPointer { buffer in
                _ = try refused { try writer.write(buffer) }
                try live.write(buffer)
            }
            _ = try refused { try writer.flush() }
            if try refused({ try live.flush() }) { refusals += 1 }
        }
        if crashAfter != nil { return live }
        clock.set(SessionLab.ns(seconds: 61))
        try writer.flush()
        try live.flush()
        try writer.close()
        try live.close()
        return live
    }

    @discardableResult
    func runLive(
        _ lab: SessionLab, checkins: [(seconds: Double, student: String?, recordedAt: Double?)], lag: Duration = .seconds(2), crashAfter: Int? = nil
    ) throws -> LiveEvaluator {
        var refusals = 0
        return try runLive(lab, checkins: checkins, lag: lag, crashAfter: crashAfter, refusedWrites: nil, refusals: &refusals)
    }

    /// Without a resume window: each run ends its sessions (a restart is tested in
    /// ``LiveResumeTests``).
    func scriptedLab() throws -> SessionLab {
        let lab = try SessionLab(resume: "0s")
        try lab.store.addTimetable([TimetableEntry(rig: SessionLab.rig, student: "tt", start: SessionLab.at(seconds: 2), end: SessionLab.at(seconds: 70))])
        return lab
    }

    @Test func liveFindsEverySessionByPriorityAndOfflineFindsTheSame() throws {
        let lab = try scriptedLab()
        let live = try runLive(lab, checkins: [(10, "ck", nil), (30, nil, nil)])
        #expect(live.lateInputs == 0)
        let found = try lab.snapshot()
        let s = { (seconds: Double) in SessionLab.at(seconds: seconds) }
        let expected: [(String, SessionSource, Timestamp, Timestamp?, String)] = [
            ("tt", .timetable, s(2), s(5.003), "superseded by badge"),
            ("badge:4100", .badge, s(5.003), s(20.003), "badge out"),
            ("ck", .checkin, s(20.003), s(30), "checkout"),
            ("tt", .timetable, s(30), s(31.903), "communication lost"),
            ("tt", .timetable, s(39), s(40.003), "superseded by badge"),
            ("badge:999", .badge, s(40.003), s(50.003), "badge out"),
            ("tt", .timetable, s(50.003), s(61), "collector stopped"),
        ]
        #expect(found.map { [$0.session.student, $0.session.source.rawValue, "\($0.session.start)", "\($0.session.end ?? -1)", $0.session.endReason?.rawValue ?? ""] }
            == expected.map { [$0.0, $0.1.rawValue, "\($0.2)", "\($0.3 ?? -1)", $0.4] })
        // The badge session saw one passed emergency stop (at 12 s) and the overpressure at 14 s.
        let badge = try #require(found.first { $0.session.student == "badge:4100" })
        #expect(badge.attempts.map(\.result) == [.passed])
        #expect(badge.alarms.map(\.alarm) == ["overpressure"])
        #expect(badge.alarms.first?.peak == 130)
        #expect(badge.statistics.count == 4)
        #expect(badge.session.activeSeconds > 0)

        let summary = try Reevaluation(store: lab.store).run()
        #expect(summary.replaced == expected.count)
        let offline = try lab.snapshot()
        #expect(offline == found, "live:\n\(found.map(\.description).joined(separator: "\n"))\noffline:\n\(offline.map(\.description).joined(separator: "\n"))")
    }

    /// A disk that refuses writes (turned read-only) while sessions end and begin: the evaluator keeps their
    /// changes in order and writes them once the disk takes writes again, so the store ends
    /// with the sessions of a run without the outage.
    @Test func sessionChangesWaitForADiskThatRefusesWritesAndAreWrittenAfterwards() throws {
        let checkins: [(seconds: Double, student: String?, recordedAt: Double?)] = [(10, "ck", nil), (30, nil, nil)]
        let reference = try scriptedLab()
        try runLive(reference, checkins: checkins)
        let expected = try reference.snapshot()
        // From 31 s to 47 s: the sessions ending at 31.9 and 40.0 s and beginning at 39 and 40.0 s.
        let lab = try scriptedLab()
        var refusals = 0
        let live = try runLive(lab, checkins: checkins, refusedWrites: 31..<47, refusals: &refusals)
        #expect(refusals > 0, "the evaluator met no refused write")
        #expect(live.unrecordedChanges == 0)
        let found = try lab.snapshot()
        #expect(found == expected, "with the outage:\n\(found.map(\.description).joined(separator: "\n"))\nwithout:\n\(expected.map(\.description).joined(separator: "\n"))")
        #expect(try lab.store.sessions().count == expected.count, "a session stored twice")
    }

    @Test func theNextRunClosesWhatACrashedRunLeftOpenAsReevaluationWould() throws {
        let lab = try scriptedLab()
        // Killed at 15 s, inside the badge session that began at 5.003 s: it stays open in the store.
        try runLive(lab, checkins: [], crashAfter: 15)
        let left = try lab.store.sessions().filter { $0.end == nil }
        #expect(left.map(\.student) == ["badge:4100"])
        // The next collector starts a minute later; before it evaluates anything new, the open
        // session is closed where its data ends, with the results the stored samples give.
        let restart = LiveEvaluator(lab: lab.lab, store: lab.store, now: { SessionLab.ns(seconds: 80) })
        try restart.begin()
        let closed = try lab.snapshot()
        #expect(closed.allSatisfy { $0.session.end != nil })
        let badge = try #require(closed.first { $0.session.student == "badge:4100" })
        #expect(badge.session.endReason == .communicationLost)
        #expect(try #require(badge.session.end) > SessionLab.at(seconds: 14))
        // An attempt still open where the data ends is abandoned with the session.
        #expect(badge.attempts.map(\.result) == [.abandoned])
        #expect(badge.alarms.map(\.alarm) == ["overpressure"])
        try restart.close()
        // Re-evaluating everything afterwards changes none of the crashed run's sessions.
        try Reevaluation(store: lab.store).run()
        let again = try lab.snapshot().filter { $0.session.start < SessionLab.at(seconds: 15) }
        #expect(again == closed.filter { $0.session.start < SessionLab.at(seconds: 15) })
    }

    @Test func aCheckinLearntAfterTheLagIsCountedLateAndReevaluationPutsItAtItsTime() throws {
        let lab = try scriptedLab()
        // The check-in at 22 s reaches the store only when the clock passes 28 s: beyond the lag,
        // so live applies it where evaluation stood (25.1 s); offline knows its own time.
        let live = try runLive(lab, checkins: [(22, "late", 28), (25.5, nil, 28.5)])
        #expect(live.lateInputs == 2)
        let liveLate = try #require(try lab.snapshot().first { $0.session.student == "late" })
        #expect(liveLate.session.start == SessionLab.at(seconds: 25.1))
        try Reevaluation(store: lab.store).run()
        let offline = try lab.snapshot()
        #expect(offline.contains {
            $0.session.student == "late" && $0.session.start == SessionLab.at(seconds: 22)
                && $0.session.end == SessionLab.at(seconds: 25.5) && $0.session.endReason == .checkout
        })
    }

    @Test func anUnknownBadgeIsNamedWhenTheRosterArrivesAndStaysNamedAfterReevaluation() throws {
        let lab = try scriptedLab()
        try runLive(lab, checkins: [])
        #expect(try lab.store.sessions(student: "badge:999").count == 1)
        let imported = try lab.store.importRoster([Student(id: "s9", name: "Nine", group: "G", badge: "999")])
        #expect(imported.reattributedSessions == 1)
        #expect(try lab.store.sessions(student: "badge:999").isEmpty)
        #expect(try lab.store.sessions(student: "s9").map(\.badge) == ["999"])
        try Reevaluation(store: lab.store).run()
        #expect(try lab.store.sessions(student: "s9").map(\.source) == [.badge])
        #expect(try lab.store.sessions(student: "badge:999").isEmpty)
    }
}
