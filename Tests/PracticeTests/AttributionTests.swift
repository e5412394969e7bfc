import Practice
import RigProfiles
import Store
import Testing

/// The session attribution state machine at its edges: priority, equal times, silence, stop.
@Suite struct AttributionTests {
    typealias T = SessionAttribution.Transition
    static func ms(_ milliseconds: Int64) -> Int64 { milliseconds * 1_000_000 }
    let ms = AttributionTests.ms

    /// Runs events through a fresh machine (2 s silence threshold) and returns every transition.
    func run(_ events: [SessionAttribution.Event], silence: Int64 = AttributionTests.ms(2_000)) -> [T] {
        var machine = SessionAttribution(silenceThreshold: silence)
        return events.flatMap { machine.handle($0) }
    }

    /// Frames every 500 ms from `from` through `to` (ms).
    func frames(_ from: Int64, _ to: Int64) -> [SessionAttribution.Event] {
        stride(from: from, through: to, by: 500).map { .frame(at: ms($0)) }
    }

    @Test func badgeOverCheckinOverTimetableAndBackDownAsClaimsEnd() {
        let slot = TimetableSlot(student: "s3", start: ms(1_000), end: ms(9_000))
        let events: [SessionAttribution.Event] =
            [.frame(at: 0), .slotStarted(slot)] + frames(1_000, 2_000) + [.checkin(student: "s2", at: ms(2_200))] + frames(2_500, 3_000)
            + [.badge("41", at: ms(3_500)), .frame(at: ms(3_500))] + frames(4_000, 5_000)
            + [.badge(nil, at: ms(5_500)), .frame(at: ms(5_500))] + frames(6_000, 7_000) + [.checkout(at: ms(7_200))]
            + frames(7_500, 9_000) + [.slotEnded(slot)] + frames(9_500, 10_000)
        #expect(run(events) == [
            .opened(.timetable("s3"), at: ms(1_000)),
            .closed(.timetable("s3"), start: ms(1_000), at: ms(2_200), reason: .supersededByCheckin),
            .opened(.checkin("s2"), at: ms(2_200)),
            .closed(.checkin("s2"), start: ms(2_200), at: ms(3_500), reason: .supersededByBadge),
            .opened(.badge("41"), at: ms(3_500)),
            .closed(.badge("41"), start: ms(3_500), at: ms(5_500), reason: .badgeOut),
            .opened(.checkin("s2"), at: ms(5_500)),
            .closed(.checkin("s2"), start: ms(5_500), at: ms(7_200), reason: .checkout),
            .opened(.timetable("s3"), at: ms(7_200)),
            .closed(.timetable("s3"), start: ms(7_200), at: ms(9_000), reason: .timetableEnd),
        ])
    }

    @Test func aBadgeSwappedForAnotherClosesAsBadgeOutAndACheckinOverACheckinSupersedes() {
        let events: [SessionAttribution.Event] = [
            .badge("41", at: 0), .frame(at: 0), .frame(at: ms(500)), .badge("42", at: ms(1_000)), .frame(at: ms(1_000)),
            .badge(nil, at: ms(1_500)), .checkin(student: "a", at: ms(1_500)), .frame(at: ms(1_500)),
            .checkin(student: "b", at: ms(1_800)), .frame(at: ms(2_000)),
        ]
        #expect(run(events) == [
            .opened(.badge("41"), at: 0),
            .closed(.badge("41"), start: 0, at: ms(1_000), reason: .badgeOut),
            .opened(.badge("42"), at: ms(1_000)),
            .closed(.badge("42"), start: ms(1_000), at: ms(1_500), reason: .badgeOut),
            .opened(.checkin("a"), at: ms(1_500)),
            .closed(.checkin("a"), start: ms(1_500), at: ms(1_800), reason: .supersededByCheckin),
            .opened(.checkin("b"), at: ms(1_800)),
        ])
    }

    @Test func claimsOfOneInstantAreDecidedTogether() {
        let a = TimetableSlot(student: "a", start: ms(0), end: ms(1_000))
        let b = TimetableSlot(student: "b", start: ms(1_000), end: ms(2_000))
        let c = TimetableSlot(student: "b", start: ms(2_000), end: ms(3_000))
        let events: [SessionAttribution.Event] = [
            .slotStarted(a), .frame(at: 0), .frame(at: ms(500)),
            // A check-in and its check-out in the same microsecond open nothing.
            .checkin(student: "x", at: ms(700)), .checkout(at: ms(700)), .frame(at: ms(700)),
            // Back-to-back slots of two students: one closes and the next opens at the seam.
            .slotEnded(a), .slotStarted(b), .frame(at: ms(1_000)), .frame(at: ms(1_500)),
            // The same student's next slot: the session simply goes on.
            .slotEnded(b), .slotStarted(c), .frame(at: ms(2_000)), .frame(at: ms(2_500)),
        ]
        #expect(run(events) == [
            .opened(.timetable("a"), at: 0),
            .closed(.timetable("a"), start: 0, at: ms(1_000), reason: .timetableEnd),
            .opened(.timetable("b"), at: ms(1_000)),
        ])
    }

    @Test func silenceLongerThanTheThresholdClosesAtTheLastFrameAndTheNextFrameReopens() {
        let events: [SessionAttribution.Event] = [
            .checkin(student: "s1", at: 0), .frame(at: ms(100)), .frame(at: ms(1_000)),
            // Exactly the threshold after the last frame is not silence yet.
            .frame(at: ms(3_000)),
            // 2.5 s later: silence, closed at the frame at 3 s.
            .frame(at: ms(5_500)), .frame(at: ms(6_000)),
        ]
        #expect(run(events) == [
            .opened(.checkin("s1"), at: ms(100)),
            .closed(.checkin("s1"), start: ms(100), at: ms(3_000), reason: .communicationLost),
            .opened(.checkin("s1"), at: ms(5_500)),
        ])
    }

    @Test func aTickFindsSilenceWithoutAFrameAndClaimsDuringSilenceOpenNothingUntilTheRigAnswers() {
        var machine = SessionAttribution(silenceThreshold: ms(2_000))
        #expect(machine.handle(.badge("41", at: 0)).isEmpty)
        #expect(machine.handle(.frame(at: 0)) == [.opened(.badge("41"), at: 0)])
        #expect(machine.handle(.tick(at: ms(2_000))).isEmpty)
        #expect(machine.handle(.tick(at: ms(2_001))) == [.closed(.badge("41"), start: 0, at: 0, reason: .communicationLost)])
        #expect(machine.handle(.checkin(student: "s9", at: ms(3_000))).isEmpty)
        #expect(machine.handle(.tick(at: ms(9_000))).isEmpty)
        #expect(machine.isSilent)
        // The badge still reads 41 when the rig is back: it wins over the check-in.
        #expect(machine.handle(.frame(at: ms(10_000))) == [.opened(.badge("41"), at: ms(10_000))])
    }

    @Test func aStopClosesAtTheStopTimeAfterThatInstantsFrameAndNothingFollows() {
        var machine = SessionAttribution(silenceThreshold: ms(2_000))
        _ = machine.handle(.checkin(student: "s1", at: 0))
        #expect(machine.handle(.frame(at: ms(10))) == [.opened(.checkin("s1"), at: ms(10))])
        #expect(machine.handle(.frame(at: ms(800))).isEmpty)
        #expect(machine.handle(.collectorStopped(at: ms(800))) == [.closed(.checkin("s1"), start: ms(10), at: ms(800), reason: .collectorStopped)])
        #expect(machine.handle(.frame(at: ms(900))).isEmpty)
        #expect(machine.isFinished)
    }

    @Test func theEndOfDataWithoutAStopClosesAtTheLastFrame() {
        let events: [SessionAttribution.Event] = [.badge("7", at: 0), .frame(at: 0), .frame(at: ms(400)), .dataEnded(at: ms(900))]
        #expect(run(events) == [.opened(.badge("7"), at: 0), .closed(.badge("7"), start: 0, at: ms(400), reason: .communicationLost)])
    }

    @Test func overlappingSlotsGoToTheOneThatStartedLast() {
        let early = TimetableSlot(student: "b", start: 0, end: ms(3_000))
        let late = TimetableSlot(student: "a", start: ms(1_000), end: ms(2_000))
        let events: [SessionAttribution.Event] =
            [.slotStarted(early), .frame(at: 0), .slotStarted(late), .frame(at: ms(1_000)), .slotEnded(late), .frame(at: ms(2_000))]
        #expect(run(events) == [
            .opened(.timetable("b"), at: 0),
            .closed(.timetable("b"), start: 0, at: ms(1_000), reason: .supersededByTimetable),
            .opened(.timetable("a"), at: ms(1_000)),
            .closed(.timetable("a"), start: ms(1_000), at: ms(2_000), reason: .timetableEnd),
            .opened(.timetable("b"), at: ms(2_000)),
        ])
    }

    @Test func anInputEarlierThanThePreviousCountsAsThePrevious() {
        let events: [SessionAttribution.Event] = [.frame(at: ms(1_000)), .checkin(student: "s1", at: ms(500)), .frame(at: ms(1_200))]
        #expect(run(events) == [.opened(.checkin("s1"), at: ms(1_000))])
    }
}

/// The rig tracker: the frame at a session's boundary, and a session ending mid-attempt.
@Suite struct AttributionTrackerTests {
    let ms = PracticeRig.ms

    func frame(_ milliseconds: Int64, speed: Double? = nil, pressure: Double? = nil, badge: Int64? = nil) -> RigInput {
        .frame(RigFrame(time: ms(milliseconds), updates: PracticeRig.frame(milliseconds, speed: speed, pressure: pressure).updates, badge: badge))
    }

    func closed(_ changes: [SessionChange]) -> [ClosedSession] {
        changes.compactMap { if case .closed(let session) = $0 { session } else { nil } }
    }

    @Test func theFrameAtABadgeChangeBelongsToTheNewSessionAndAnOpenAttemptIsAbandoned() throws {
        var tracker = try RigSessionTracker(rig: "r", profile: PracticeRig.profile(), silenceThreshold: ms(2_000))
        var changes: [SessionChange] = []
        changes += tracker.handle(frame(0, speed: 0, pressure: 0, badge: 41))
        changes += tracker.handle(frame(100, speed: 56, badge: 41))  // step 1 rises: an attempt starts
        changes += tracker.handle(frame(200, speed: 58, badge: 0))  // badge out mid-attempt
        changes += tracker.handle(frame(300, speed: 0, badge: 0))
        let sessions = closed(changes)
        try #require(sessions.count == 1)
        #expect(sessions[0].reason == .badgeOut)
        #expect(sessions[0].end == ms(200))
        #expect(sessions[0].report.frames == 2)
        #expect(sessions[0].report.attempts.map(\.outcome) == [.abandoned])
        #expect(sessions[0].report.attempts.first?.end == ms(200))
        #expect(sessions[0].report.channels[0].maximum == 56)
    }

    @Test func aShortSilenceInsideAnAttemptKeepsTheSessionAndTheAttempt() throws {
        var tracker = try RigSessionTracker(rig: "r", profile: PracticeRig.profile(), silenceThreshold: ms(2_000))
        var changes = tracker.handle(.checkin(student: "s1", at: 0, sequence: 1))
        changes += tracker.handle(frame(0, speed: 0, pressure: 0))
        changes += tracker.handle(frame(100, speed: 56))
        // A 1.5 s gap in the data: shorter than the silence threshold, inside the 3 s window.
        changes += tracker.handle(frame(1_600, pressure: 70))
        changes += tracker.handle(frame(2_000, speed: 0))
        changes += tracker.collectorStopped(at: ms(2_500))
        let sessions = closed(changes)
        try #require(sessions.count == 1)
        #expect(sessions[0].reason == .collectorStopped)
        #expect(sessions[0].report.attempts.map(\.outcome) == [.passed])
        #expect(sessions[0].report.attempts.first?.duration == ms(1_900))
    }
}

/// A restart does not split a session: the end of a run suspends it; the next run's first frame
/// resumes it (same owner, within `resume_within`) or closes it where the run ended.
@Suite struct ResumeAttributionTests {
    typealias T = SessionAttribution.Transition
    let ms = AttributionTests.ms

    func frames(_ from: Int64, _ to: Int64) -> [SessionAttribution.Event] {
        stride(from: from, through: to, by: 500).map { .frame(at: ms($0)) }
    }

    /// Two runs of frames every 500 ms with badge 41 throughout, the first ending at 10 s
    /// (`clean`: stopped there; else crashed after its frame at 9.5 s), the second starting at
    /// `restart` s with badge `badge`, through `restart + 2` s.
    func restarted(at restart: Int64, badge: String? = "41", clean: Bool = true, window: Int64 = AttributionTests.ms(120_000)) -> [T] {
        var machine = SessionAttribution(silenceThreshold: ms(2_000), resumeWithin: window)
        var events: [SessionAttribution.Event] = [.badge("41", at: 0)] + frames(0, 9_500)
        events.append(.runEnded(at: clean ? ms(10_000) : ms(9_500), clean: clean))
        events.append(.badge(badge, at: ms(restart * 1_000)))
        events += frames(restart * 1_000, restart * 1_000 + 2_000)
        events.append(.collectorStopped(at: ms(restart * 1_000 + 2_000)))
        return events.flatMap { machine.handle($0) }
    }

    @Test func aSessionResumesWhenTheSameBadgeIsReadWithinTheWindow() {
        #expect(restarted(at: 60) == [
            .opened(.badge("41"), at: 0),
            .resumed(.badge("41"), start: 0, at: ms(60_000), after: ms(10_000)),
            .closed(.badge("41"), start: 0, at: ms(62_000), reason: .collectorStopped),
        ])
        // After a crash the suspension starts at the last frame; the window counts from there.
        #expect(restarted(at: 129, clean: false) == [
            .opened(.badge("41"), at: 0),
            .resumed(.badge("41"), start: 0, at: ms(129_000), after: ms(9_500)),
            .closed(.badge("41"), start: 0, at: ms(131_000), reason: .collectorStopped),
        ])
    }

    @Test func anotherBadgeOrTheWindowPassedClosesAtTheOldRunsEnd() {
        #expect(restarted(at: 60, badge: "42") == [
            .opened(.badge("41"), at: 0),
            .closed(.badge("41"), start: 0, at: ms(10_000), reason: .collectorStopped),
            .opened(.badge("42"), at: ms(60_000)),
            .closed(.badge("42"), start: ms(60_000), at: ms(62_000), reason: .collectorStopped),
        ])
        #expect(restarted(at: 131) == [
            .opened(.badge("41"), at: 0),
            .closed(.badge("41"), start: 0, at: ms(10_000), reason: .collectorStopped),
            .opened(.badge("41"), at: ms(131_000)),
            .closed(.badge("41"), start: ms(131_000), at: ms(133_000), reason: .collectorStopped),
        ])
        #expect(restarted(at: 140, clean: false) == [
            .opened(.badge("41"), at: 0),
            .closed(.badge("41"), start: 0, at: ms(9_500), reason: .communicationLost),
            .opened(.badge("41"), at: ms(140_000)),
            .closed(.badge("41"), start: ms(140_000), at: ms(142_000), reason: .collectorStopped),
        ])
        // Nobody at the rig when it comes back: closed where the first run ended, nothing opens.
        #expect(restarted(at: 60, badge: nil) == [
            .opened(.badge("41"), at: 0),
            .closed(.badge("41"), start: 0, at: ms(10_000), reason: .collectorStopped),
        ])
    }

    @Test func withoutAWindowARunsEndClosesAsAStopOrALostLinkDid() {
        #expect(restarted(at: 60, window: 0) == [
            .opened(.badge("41"), at: 0),
            .closed(.badge("41"), start: 0, at: ms(10_000), reason: .collectorStopped),
            .opened(.badge("41"), at: ms(60_000)),
            .closed(.badge("41"), start: ms(60_000), at: ms(62_000), reason: .collectorStopped),
        ])
        #expect(restarted(at: 60, clean: false, window: 0).prefix(2) == [
            .opened(.badge("41"), at: 0),
            .closed(.badge("41"), start: 0, at: ms(9_500), reason: .communicationLost),
        ])
    }

    @Test func aBadgeSessionWaitsForTheNewRunsFirstReadOfTheRegister() {
        var machine = SessionAttribution(silenceThreshold: ms(2_000), resumeWithin: ms(120_000))
        let first: [SessionAttribution.Event] = [.badge("41", at: 0)] + frames(0, 9_500) + [.runEnded(at: ms(10_000), clean: true)]
        // Frames of other registers first, then the reader's frame.
        let second: [SessionAttribution.Event] = [
            .frame(at: ms(60_000)), .frame(at: ms(60_001)), .badge("41", at: ms(60_003)), .frame(at: ms(60_003)),
            .collectorStopped(at: ms(61_000)),
        ]
        #expect((first + second).flatMap { machine.handle($0) } == [
            .opened(.badge("41"), at: 0),
            .resumed(.badge("41"), start: 0, at: ms(60_003), after: ms(10_000)),
            .closed(.badge("41"), start: 0, at: ms(61_000), reason: .collectorStopped),
        ])
        // Never read within the window: it closes where the run ended, and the badge known in
        // the old run opens nothing in the new one.
        var unread = SessionAttribution(silenceThreshold: ms(200_000), resumeWithin: ms(120_000))
        let out = (first + frames(60_000, 131_000)).flatMap { unread.handle($0) }
        #expect(out == [.opened(.badge("41"), at: 0), .closed(.badge("41"), start: 0, at: ms(10_000), reason: .collectorStopped)])
        #expect(unread.current == nil)
    }

    @Test func aCheckinSessionResumesAtTheNewRunsFirstFrame() {
        var machine = SessionAttribution(silenceThreshold: ms(2_000), resumeWithin: ms(120_000))
        let events: [SessionAttribution.Event] =
            [.checkin(student: "ana", at: 0)] + frames(0, 9_500) + [.runEnded(at: ms(9_500), clean: false)] + frames(30_000, 31_000)
        #expect(events.flatMap { machine.handle($0) } == [
            .opened(.checkin("ana"), at: 0),
            .resumed(.checkin("ana"), start: 0, at: ms(30_000), after: ms(9_500)),
        ])
    }

    @Test func aSuspendedSessionClosesWhenTimePassesTheWindowOrTheDataEnds() {
        var ticking = SessionAttribution(silenceThreshold: ms(2_000), resumeWithin: ms(120_000))
        var out = ([.badge("41", at: 0)] + frames(0, 9_500) + [.runEnded(at: ms(10_000), clean: true)]).flatMap { ticking.handle($0) }
        #expect(ticking.suspended?.owner == .badge("41") && ticking.suspended?.end == ms(10_000) && ticking.suspended?.reason == .collectorStopped)
        #expect(ticking.handle(.tick(at: ms(130_000))).isEmpty, "exactly the window's end is still within it")
        out += ticking.handle(.tick(at: ms(130_001)))
        #expect(out.last == .closed(.badge("41"), start: 0, at: ms(10_000), reason: .collectorStopped))
        #expect(ticking.suspended == nil && ticking.handle(.tick(at: ms(140_000))).isEmpty)

        var ending = SessionAttribution(silenceThreshold: ms(2_000), resumeWithin: ms(120_000))
        let ended = ([.badge("41", at: 0)] + frames(0, 9_500) + [.runEnded(at: ms(9_500), clean: false), .dataEnded(at: ms(9_500))]).flatMap { ending.handle($0) }
        #expect(ended == [.opened(.badge("41"), at: 0), .closed(.badge("41"), start: 0, at: ms(9_500), reason: .communicationLost)])
    }
}
