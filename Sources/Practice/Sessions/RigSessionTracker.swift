public import RigProfiles
public import Store

/// A session that has just opened.
public struct OpenedSession: Sendable, Hashable {
    public var rig: String
    public var owner: SessionOwner
    /// ns since 1970.
    public var start: Int64
}

/// A session that has closed, with its evaluation.
public struct ClosedSession: Sendable, Hashable {
    public var rig: String
    public var owner: SessionOwner
    /// ns since 1970.
    public var start: Int64
    public var end: Int64
    public var reason: SessionCloseReason
    public var report: SessionReport
}

/// A session suspended by the end of a collector run that goes on in the next run.
public struct ResumedSession: Sendable, Hashable {
    public var rig: String
    public var owner: SessionOwner
    /// ns since 1970: when it first opened.
    public var start: Int64
    /// ns since 1970: the end of the run that suspended it, and the new run's first frame.
    public var suspendedAt: Int64
    public var resumedAt: Int64
}

/// What one input did to a rig's sessions.
public enum SessionChange: Sendable, Hashable {
    case opened(OpenedSession)
    case closed(ClosedSession)
    /// Goes on across a restart (the lab's `resume_within`): its evaluator kept its state.
    case resumed(ResumedSession)
}

/// One rig's sessions: the ``SessionAttribution`` that decides who is at the rig and a
/// ``SessionEvaluator`` for the open session. Live and offline evaluation both drive it with
/// inputs in ``RigInput/orderKey`` order; it is the whole of the logic they share.
///
/// A session's evaluator takes the frames from its start up to (not including) a frame of its
/// end time; frames that read only the operator register count for the rig's communication
/// but carry nothing to evaluate. Every session starts with no channel values (NaN), so its
/// result depends on its own frames only.
public struct RigSessionTracker: Sendable {
    public let rig: String
    private var attribution: SessionAttribution
    /// An evaluator before any frame, copied for each session.
    private let blank: SessionEvaluator
    private var evaluator: SessionEvaluator?
    /// Frames the evaluator refused (out of order after a wall-clock step back).
    public private(set) var refusedFrames = 0

    /// - Parameters:
    ///   - silenceThreshold: ns (the lab's `sessions: close_after_silence`).
    public init(rig: String, profile: DeviceProfile, silenceThreshold: Int64, resumeWithin: Int64 = 0) throws(ExpressionError) {
        self.rig = rig
        self.attribution = SessionAttribution(silenceThreshold: silenceThreshold, resumeWithin: resumeWithin)
        self.blank = try SessionEvaluator(profile: profile)
    }

    /// The open session's owner and start.
    public var current: (owner: SessionOwner, start: Int64)? { attribution.current }

    /// The session the end of the last run suspended, until the next run's first frame decides.
    public var suspended: SessionAttribution.Suspension? { attribution.suspended }

    /// Applies one input (in ``RigInput/orderKey`` order).
    public mutating func handle(_ input: RigInput) -> [SessionChange] {
        switch input {
        case .frame(let frame):
            var changes: [SessionChange] = []
            if let badge = frame.badge {
                apply(attribution.handle(.badge(badge == 0 ? nil : String(badge), at: frame.time)), to: &changes)
            }
            apply(attribution.handle(.frame(at: frame.time)), to: &changes)
            // A suspended session's evaluator takes nothing until the session resumes.
            if evaluator != nil, attribution.current != nil, !frame.updates.isEmpty {
                do { _ = try evaluator!.consume(Frame(time: frame.time, updates: frame.updates)) } catch { refusedFrames += 1 }
            }
            return changes
        case .checkin(let student, let at, _):
            return transitions(student.map { .checkin(student: $0, at: at) } ?? .checkout(at: at))
        case .slotStarted(let slot): return transitions(.slotStarted(slot))
        case .slotEnded(let slot): return transitions(.slotEnded(slot))
        }
    }

    /// Time has reached `time` (ns) with no input: detects silence.
    public mutating func tick(at time: Int64) -> [SessionChange] { transitions(.tick(at: time)) }

    /// The collector stopped at `time` (ns): the open session closes there.
    public mutating func collectorStopped(at time: Int64) -> [SessionChange] { transitions(.collectorStopped(at: time)) }

    /// The stored data ends without a recorded stop: the open session closes at its last frame.
    public mutating func dataEnded(at time: Int64) -> [SessionChange] { transitions(.dataEnded(at: time)) }

    /// A collector run ended (`clean`: stopped at `time`; else crashed, `time` its data's end) and
    /// another may follow: the open session is suspended with its evaluator, to resume or close
    /// at the next run's first frame.
    public mutating func runEnded(at time: Int64, clean: Bool) -> [SessionChange] { transitions(.runEnded(at: time, clean: clean)) }

    private mutating func transitions(_ event: SessionAttribution.Event) -> [SessionChange] {
        var changes: [SessionChange] = []
        apply(attribution.handle(event), to: &changes)
        return changes
    }

    private mutating func apply(_ transitions: [SessionAttribution.Transition], to changes: inout [SessionChange]) {
        for transition in transitions {
            switch transition {
            case .opened(let owner, let at):
                evaluator = blank
                changes.append(.opened(OpenedSession(rig: rig, owner: owner, start: at)))
            case .closed(let owner, let start, let at, let reason):
                let report = evaluator?.report(endingAt: at) ?? blank.report(endingAt: at)
                evaluator = nil
                changes.append(.closed(ClosedSession(rig: rig, owner: owner, start: start, end: at, reason: reason, report: report)))
            case .resumed(let owner, let start, let at, let after):
                // The evaluator goes on as it was: a condition already true before the restart
                // is no new edge, and no attempt is counted twice.
                changes.append(.resumed(ResumedSession(rig: rig, owner: owner, start: start, suspendedAt: after, resumedAt: at)))
            }
        }
    }
}
