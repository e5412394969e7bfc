import RigProfiles
public import Store
import Timekeeping

/// Turns a ``ClosedSession`` into the store's records: the same conversion live and offline,
/// so both write the same rows. The evaluator's times (sample time, ns in whole microseconds)
/// become the store's ``Timestamp``s here and nowhere else.
public struct SessionRecords: Sendable {
    public let rig: String
    /// The store's channel id of each profile channel (nil: not registered, no statistics row).
    public let channelIDs: [UInt32?]

    public init(rig: String, channelIDs: [UInt32?]) {
        self.rig = rig
        self.channelIDs = channelIDs
    }

    /// The session row of a session that has just opened (end nil).
    public func opened(_ session: OpenedSession, roster: [String: String]) -> StoredSession {
        StoredSession(
            rig: rig, student: session.owner.studentID(roster: roster), start: Timestamp(nanosecondsSince1970: session.start), source: session.owner.source,
            badge: session.owner.badge)
    }

    /// The closed session's row and results; `id` is the stored row's id (0 for a new one).
    public func closed(_ session: ClosedSession, id: Int64 = 0, roster: [String: String]) -> (StoredSession, SessionResults) {
        let report = session.report
        let stored = StoredSession(
            id: id, rig: rig, student: session.owner.studentID(roster: roster), start: Timestamp(nanosecondsSince1970: session.start),
            end: Timestamp(nanosecondsSince1970: session.end), source: session.owner.source, endReason: session.reason, badge: session.owner.badge,
            activeSeconds: report.activeSeconds)
        let attempts = report.attempts.map { attempt in
            let (result, failedStep): (AttemptResult, Int?) =
                switch attempt.outcome {
                case .passed: (.passed, nil)
                case .failed(let step): (.failed, step + 1)
                case .abandoned: (.abandoned, nil)
                }
            return StoredAttempt(
                session: id, exercise: attempt.exercise, result: result, start: Timestamp(nanosecondsSince1970: attempt.start), seconds: Self.seconds(attempt.duration),
                failedStep: failedStep)
        }
        let alarms = report.alarms.map { alarm in
            StoredAlarm(
                rig: rig, session: id, alarm: alarm.alarm, severity: alarm.severity,
                start: Timestamp(nanosecondsSince1970: alarm.start), seconds: Self.seconds(alarm.duration), peak: alarm.peak)
        }
        let statistics = zip(report.channels, channelIDs).compactMap { statistics, id -> StoredChannelStatistics? in
            guard let id else { return nil }
            return StoredChannelStatistics(
                session: 0, channel: id, count: statistics.samples, min: statistics.minimum, max: statistics.maximum, mean: statistics.mean,
                alarmSeconds: Self.seconds(statistics.timeInAlarm))
        }
        return (stored, SessionResults(attempts: attempts, alarms: alarms, statistics: statistics))
    }

    static func seconds(_ nanoseconds: Int64) -> Double { Double(nanoseconds) / 1e9 }
}
