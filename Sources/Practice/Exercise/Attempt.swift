/// One try at an exercise: from the rising edge of step 1 to passing, failing or the session's end.
public struct Attempt: Sendable, Hashable {
    /// How an attempt ended.
    public enum Outcome: Sendable, Hashable {
        /// Every step was reached in time.
        case passed
        /// Step `step` (0-based index into the exercise's steps) was not reached within its window.
        case failed(step: Int)
        /// The session ended while the attempt was still open.
        case abandoned
    }

    /// The exercise's id.
    public var exercise: String
    /// When step 1 became true (ns since 1970).
    public var start: Int64
    /// When it ended: the frame that reached the last step (passed), the end of the missed
    /// step's window (failed), or the session's end (abandoned).
    public var end: Int64
    public var outcome: Outcome
    /// When each step reached so far became true; `stepTimes[0] == start`.
    public var stepTimes: [Int64]

    public init(exercise: String, start: Int64, end: Int64, outcome: Outcome, stepTimes: [Int64]) {
        self.exercise = exercise
        self.start = start
        self.end = end
        self.outcome = outcome
        self.stepTimes = stepTimes
    }

    /// `end - start` in nanoseconds: for a passed attempt, the time it took.
    public var duration: Int64 { end - start }
}
