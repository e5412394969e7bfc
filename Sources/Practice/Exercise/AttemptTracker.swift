public import RigProfiles

/// The state machine of one exercise within a session: frames in, started and ended attempts out.
///
/// ## Rules
///
/// - An attempt starts on a **rising edge** of step 1: a frame where step 1 is true after a
///   frame where it was false. Before the first frame its state is unknown, so step 1 already
///   true in the session's first frame starts nothing; it must be seen false first.
/// - While an attempt is open only its next step is watched. Step 1 toggling meanwhile
///   (flapping) starts nothing, so attempts never overlap, and the frame that ends an attempt
///   never starts one: a new attempt needs a rising edge of step 1 after that frame.
/// - A frame advances an attempt by at most one step. A step reached at time `t` opens the
///   next step's window at `t`, and the next step can only be reached in a later frame; a frame
///   is one instant, and steps are a sequence.
/// - **Window edge:** a step that becomes true exactly at `previous step time + within` is in
///   time; one nanosecond later is too late.
/// - **Gaps:** the window keeps running in sample time, whatever the spacing of frames. When no
///   frame arrives inside a window (a gap in the data, a slow poll), the first frame after the
///   window's end fails the attempt, even if the step is true then. A failed attempt ends at the
///   window's end, not at the frame that noticed it, so the result does not depend on polling.
/// - ``finish(at:)`` ends an open attempt: failed if its window ended before the session did,
///   otherwise abandoned at the session's end.
public struct AttemptTracker: Sendable {
    /// What a frame did to the exercise.
    public enum Change: Sendable, Hashable {
        /// An attempt started at this time (step 1 rose).
        case started(Int64)
        /// An attempt ended (passed or failed). A one-step exercise passes in the frame that
        /// starts it, and reports only this.
        case ended(Attempt)
    }

    /// The exercise's id.
    public let exercise: String
    private let steps: [CompiledExpression]
    /// The window of each step in ns, nil for none (step 1, or a later step without `within`).
    private let windows: [Int64?]
    /// Step 1's value in the previous frame; nil before the first frame.
    private var stepOneWasTrue: Bool?
    /// When each step of the open attempt was reached; nil when no attempt is open.
    private var stepTimes: [Int64]?

    /// A tracker for `exercise`, its conditions compiled against `channelNames`.
    public init(_ exercise: Exercise, channelNames: [String]) throws(ExpressionError) {
        self.exercise = exercise.id
        var steps: [CompiledExpression] = []
        for step in exercise.steps { steps.append(try CompiledExpression(step.reach, channelNames: channelNames)) }
        self.steps = steps
        self.windows = exercise.steps.map { $0.within?.nanoseconds }
    }

    /// The steps of the exercise.
    public var stepCount: Int { steps.count }

    /// The open attempt: when it started and how many steps it has reached; nil when none is open.
    public var progress: (start: Int64, stepsReached: Int)? {
        stepTimes.map { (start: $0[0], stepsReached: $0.count) }
    }

    /// Evaluates the steps on a frame at `time` with the current channel `values`.
    public mutating func observe(time: Int64, values: [Double]) -> Change? {
        // Indexed, not `steps.first`: that copies the step (two retains and releases a frame).
        let stepOne = !steps.isEmpty && steps[0].isTrue(values)
        let rose = stepOneWasTrue == false && stepOne
        stepOneWasTrue = stepOne

        guard var times = stepTimes else {
            guard rose else { return nil }
            if steps.count == 1 {
                return .ended(Attempt(exercise: exercise, start: time, end: time, outcome: .passed, stepTimes: [time]))
            }
            var started = [time]
            started.reserveCapacity(steps.count)
            stepTimes = started
            return .started(time)
        }

        let next = times.count
        let deadline = windows[next].map { times[next - 1] + $0 }
        if steps[next].isTrue(values), deadline.map({ time <= $0 }) ?? true {
            times.append(time)
            if times.count == steps.count {
                stepTimes = nil
                return .ended(Attempt(exercise: exercise, start: times[0], end: time, outcome: .passed, stepTimes: times))
            }
            stepTimes = times
            return nil
        }
        if let deadline, time > deadline {
            stepTimes = nil
            return .ended(Attempt(exercise: exercise, start: times[0], end: deadline, outcome: .failed(step: next), stepTimes: times))
        }
        return nil
    }

    /// Ends the session at `time`: the open attempt, if any, fails (its window ended before
    /// `time`) or is abandoned.
    public mutating func finish(at time: Int64) -> Attempt? {
        guard let times = stepTimes else { return nil }
        stepTimes = nil
        let next = times.count
        if let window = windows[next], time > times[next - 1] + window {
            return Attempt(exercise: exercise, start: times[0], end: times[next - 1] + window, outcome: .failed(step: next), stepTimes: times)
        }
        return Attempt(exercise: exercise, start: times[0], end: time, outcome: .abandoned, stepTimes: times)
    }
}
