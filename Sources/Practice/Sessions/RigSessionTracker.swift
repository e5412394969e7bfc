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

/// What one input did to a rig's sessions.
public enum SessionChange: Sendable, Hashable {
    case opened(OpenedSession)
    case closed(ClosedSession)
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
    public init(rig: String, profile: DeviceProfile, silenceThreshold: Int64) throws(ExpressionError) {
        self.rig = rig
        self.attribution = SessionAttribution(silenceThreshold: silenceThreshold)
        self.blank = try SessionEvaluator(profile: profile)
    }

    /// The open session's owner and start.
    public var current: (owner: SessionOwner, start: Int64)? { attribution.current }

    /// Applies one input (in ``RigInput/orderKey`` order).
    public mutating func handle(_ input: RigInput) -> [SessionChange] {
        switch input {
        case .frame(let frame):
            var changes: [SessionChange] = []
            if let badge = frame.badge {
                apply(attribution.handle(.badge(badge == 0 ? nil : String(badge), at: frame.time)), to: &changes)
            }
            apply(attribution.handle(.frame(at: frame.time)), to: &changes)
            if evaluator != nil, !frame.updates.isEmpty {
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
            }
        }
    }
}
