/// Something a frame changed in a session, for live views and logs as it happens; the
/// ``SessionReport`` at the end holds the same attempts and alarms.
public enum SessionEvent: Sendable, Hashable {
    /// Step 1 of `exercise` rose at `time`.
    case attemptStarted(exercise: String, time: Int64)
    /// An attempt passed or failed (abandoned attempts appear only in the report).
    case attemptEnded(Attempt)
    /// An alarm's condition, true since `start`, held for its hold time; it fired at `time`.
    case alarmFired(alarm: String, start: Int64, time: Int64)
    /// A fired alarm's condition went false.
    case alarmEnded(AlarmRecord)
}
