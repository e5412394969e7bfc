public import Store

/// Who is at one rig, as a pure state machine: claims and frames in time order in, "open a
/// session" and "close it, for this reason" out. No clock, no I/O: live and offline evaluation
/// feed it the same inputs and get the same sessions.
///
/// ## Claims and priority
///
/// Three kinds of claim say a student is at the rig: the operator register (a badge; 0 is
/// nobody), a check-in (until a check-out or another check-in), and timetable slots (in force
/// for `start..<end`). The session at any moment belongs to the **highest-priority claim in
/// force**: badge over check-in over timetable; among overlapping slots, the one that started
/// last (then the smaller student id). When that winner changes, the current session closes
/// and the winner, if any, opens the next one at the same instant. The closing reason is the
/// old claim's own end when it is no longer in force (`badge out`, `checkout`, `timetable end`;
/// `superseded by check-in` when another student's check-in replaced it), else
/// `superseded by badge | check-in | timetable` after the source of the claim that won.
/// The same student from another source is another claim: a check-in session is closed
/// `superseded by badge` when that student badges in, and reopened as a check-in session at
/// badge out if the check-in still holds.
///
/// ## Communication and silence
///
/// A session is open only while the rig communicates. The rig starts **silent** (no frame yet).
/// The first frame makes it live and opens a session for the winning claim at that frame's
/// time. A rig that sends no frame for longer than `silenceThreshold` (`t > lastFrame +
/// threshold`; exactly the threshold is not silence) goes silent again: its session closes at
/// the **last frame before the silence** (or at the session's start if that is later), with
/// reason `communication lost`. Both live and offline evaluation know that time. Claims keep
/// changing while silent, but open nothing until the next frame.
///
/// ## A restart does not split a session
///
/// With a `resumeWithin` window, the end of a collector run (``Event/runEnded(at:clean:)``: a
/// clean stop at its time, or the stored data's end after a crash at the last frame) does not
/// close the open session: it is **suspended** at that end. The next run's first frame decides:
/// when it comes within the window of the suspension and the claim that wins is the same owner
/// (the operator register still shows the badge, the same student is still checked in), the
/// session **resumes** (``Transition/resumed(_:start:at:after:)``: the time between is a gap, not
/// an end); otherwise it closes at the suspension, `collector stopped` or `communication lost`
/// as it would have without the window, and the winner opens the next session at the frame.
/// Time passing beyond the window, or the data ending for good, closes it the same way.
/// The operator register is unknown in a new run until read, as at any run's start: a suspended
/// badge session waits for the new run's first read of the register to decide (frames before it
/// open nothing and belong to no session), within the window.
///
/// ## Equal times and order
///
/// Inputs must come in time order; an input earlier than the previous one is taken as
/// happening at the previous one's time. Claim changes with the same time are applied
/// together: the winner is decided once, when time moves on or a frame or stop with that time
/// comes, so two claims at one instant never open a session of no length. A frame's own badge
/// (``Event/badge(_:at:)``) and every external claim with the frame's time are therefore in
/// force for that frame: a session opened or closed at `t` owns the frame at `t` (sessions are
/// `start ..< end` in frames). Callers hand external claims of time `t` before the frame of
/// time `t`. A stop at `t` comes after the frame at `t` and closes the session at `t`.
public struct SessionAttribution: Sendable {
    /// An input, with its time in ns since 1970.
    public enum Event: Sendable, Hashable {
        /// The operator register read `badge` (nil: 0, nobody).
        case badge(String?, at: Int64)
        /// A check-in of `student` (replacing any earlier one on the rig).
        case checkin(student: String, at: Int64)
        case checkout(at: Int64)
        case slotStarted(TimetableSlot)
        case slotEnded(TimetableSlot)
        /// The rig answered: a frame with this time.
        case frame(at: Int64)
        /// Time has reached `at` with no other input: settles claims and detects silence (a
        /// live evaluator's watermark). Never changes what is decided, only when it is known.
        case tick(at: Int64)
        /// The collector stopped cleanly at `at`: closes the session there; nothing follows.
        case collectorStopped(at: Int64)
        /// The stored data ends (a run without a recorded stop: the collector crashed): the
        /// session closes at its last frame, `communication lost`; nothing follows.
        case dataEnded(at: Int64)
        /// A collector run ended, cleanly at `at` (`clean`) or at its last frame (a crash), and
        /// another may follow: the open session is suspended, to resume or close at the next
        /// run's first frame (see "A restart does not split a session").
        case runEnded(at: Int64, clean: Bool)

        public var time: Int64 {
            switch self {
            case .badge(_, let at), .checkin(_, let at), .checkout(let at), .frame(let at), .tick(let at),
                .collectorStopped(let at), .dataEnded(let at), .runEnded(let at, _):
                at
            case .slotStarted(let slot): slot.start
            case .slotEnded(let slot): slot.end
            }
        }
    }

    /// What an input decided.
    public enum Transition: Sendable, Hashable {
        case opened(SessionOwner, at: Int64)
        /// The session of `owner` that opened at `start` closed `at`.
        case closed(SessionOwner, start: Int64, at: Int64, reason: SessionCloseReason)
        /// The session of `owner` that opened at `start`, suspended `after` by the end of a
        /// collector run, goes on from the new run's first frame `at`.
        case resumed(SessionOwner, start: Int64, at: Int64, after: Int64)
    }

    /// A session suspended by the end of a collector run.
    public struct Suspension: Sendable, Hashable {
        public var owner: SessionOwner
        public var start: Int64
        /// Where it closes if it does not resume: the run's stop, or its last frame.
        public var end: Int64
        public var reason: SessionCloseReason
    }

    /// Nanoseconds of silence after which a rig's session closes.
    public let silenceThreshold: Int64
    /// Nanoseconds within which a session suspended by the end of a run resumes (the lab's
    /// `sessions: resume_within`); 0 closes it at the run's end.
    public let resumeWithin: Int64
    /// The session the last run's end suspended, until the next run's first frame decides.
    public private(set) var suspended: Suspension?

    /// The open session's owner and start.
    public private(set) var current: (owner: SessionOwner, start: Int64)?
    /// The time of the last frame; nil before the first.
    public private(set) var lastFrame: Int64?
    /// True while no session can be open: before the first frame and after a silence.
    public private(set) var isSilent = true
    /// True after a stop or the end of the data: further inputs are ignored.
    public private(set) var isFinished = false

    private var badge: String?
    /// True while a suspended badge session waits for the new run's first read of the register.
    private var awaitingBadge = false
    private var checkin: String?
    private var slots: [TimetableSlot] = []
    /// The time of claim changes not yet settled.
    private var pending: Int64?
    private var now: Int64 = .min

    /// - Parameters:
    ///   - silenceThreshold: ns; the lab's `sessions: close_after_silence`.
    ///   - resumeWithin: ns; the lab's `sessions: resume_within` (0: a run's end closes).
    public init(silenceThreshold: Int64, resumeWithin: Int64 = 0) {
        self.silenceThreshold = silenceThreshold
        self.resumeWithin = resumeWithin
    }

    /// Applies one input; returns the sessions it closed and opened, in that order.
    public mutating func handle(_ event: Event) -> [Transition] {
        guard !isFinished else { return [] }
        let time = Swift.max(event.time, now)
        now = time
        var out: [Transition] = []
        if let pending, time > pending {
            settle(at: pending, into: &out)
            self.pending = nil
        }
        detectSilence(at: time, into: &out)
        if let suspended, time > suspended.end &+ resumeWithin { closeSuspended(suspended, into: &out) }
        switch event {
        case .badge(let number, _):
            badge = number
            awaitingBadge = false
            pending = time
        case .checkin(let student, _):
            checkin = student
            pending = time
        case .checkout:
            checkin = nil
            pending = time
        case .slotStarted(let slot):
            if slot.end > slot.start { slots.append(slot) }
            pending = time
        case .slotEnded(let slot):
            if let index = slots.firstIndex(of: slot) { slots.remove(at: index) }
            pending = time
        case .frame:
            lastFrame = time
            isSilent = false
            settle(at: time, into: &out)
            pending = nil
        case .tick:
            break
        case .collectorStopped:
            settle(at: time, into: &out)
            if let suspended { closeSuspended(suspended, into: &out) }
            if let current { out.append(.closed(current.owner, start: current.start, at: time, reason: .collectorStopped)) }
            finish()
        case .dataEnded:
            if let suspended { closeSuspended(suspended, into: &out) }
            if let current { out.append(.closed(current.owner, start: current.start, at: Swift.max(lastFrame ?? current.start, current.start), reason: .communicationLost)) }
            finish()
        case .runEnded(_, let clean):
            if clean { settle(at: time, into: &out) }
            if let current {
                let end = clean ? time : Swift.max(lastFrame ?? current.start, current.start)
                let reason: SessionCloseReason = clean ? .collectorStopped : .communicationLost
                if resumeWithin > 0 {
                    suspended = Suspension(owner: current.owner, start: current.start, end: end, reason: reason)
                } else {
                    out.append(.closed(current.owner, start: current.start, at: end, reason: reason))
                }
            }
            current = nil
            pending = nil
            isSilent = true
            // A new run reads the register afresh; a suspended badge session waits for it.
            badge = nil
            awaitingBadge = suspended?.owner.source == .badge
        }
        return out
    }

    private mutating func closeSuspended(_ suspension: Suspension, into out: inout [Transition]) {
        out.append(.closed(suspension.owner, start: suspension.start, at: suspension.end, reason: suspension.reason))
        suspended = nil
        awaitingBadge = false
    }

    /// The highest-priority claim in force.
    public var winner: SessionOwner? {
        if let badge { return .badge(badge) }
        if let checkin { return .checkin(checkin) }
        let slot = slots.max { ($0.start, $1.student) < ($1.start, $0.student) }
        return slot.map { .timetable($0.student) }
    }

    private mutating func finish() {
        current = nil
        suspended = nil
        pending = nil
        isFinished = true
    }

    private mutating func settle(at time: Int64, into out: inout [Transition]) {
        guard !isSilent else { return }
        let winner = self.winner
        if let suspension = suspended {
            if awaitingBadge { return }
            // The new run's first frame (with the register read, for a badge session): the same
            // owner within the window goes on.
            if winner == suspension.owner, time &- suspension.end <= resumeWithin {
                suspended = nil
                current = (suspension.owner, suspension.start)
                out.append(.resumed(suspension.owner, start: suspension.start, at: time, after: suspension.end))
                return
            }
            closeSuspended(suspension, into: &out)
        }
        guard winner != current?.owner else { return }
        if let current { out.append(.closed(current.owner, start: current.start, at: time, reason: reason(closing: current.owner))) }
        current = winner.map { ($0, time) }
        if let winner { out.append(.opened(winner, at: time)) }
    }

    private mutating func detectSilence(at time: Int64, into out: inout [Transition]) {
        guard !isSilent, let lastFrame, time > lastFrame &+ silenceThreshold else { return }
        if let current { out.append(.closed(current.owner, start: current.start, at: Swift.max(lastFrame, current.start), reason: .communicationLost)) }
        current = nil
        isSilent = true
    }

    private func reason(closing owner: SessionOwner) -> SessionCloseReason {
        let stillInForce =
            switch owner.source {
            case .badge: badge == owner.badge
            case .checkin: checkin == owner.student
            case .timetable: slots.contains { $0.student == owner.student }
            }
        if stillInForce {
            switch winner?.source {
            case .badge: return .supersededByBadge
            case .checkin: return .supersededByCheckin
            case .timetable, nil: return .supersededByTimetable
            }
        }
        switch owner.source {
        case .badge: return .badgeOut
        case .checkin: return checkin == nil ? .checkout : .supersededByCheckin
        case .timetable: return .timetableEnd
        }
    }
}
