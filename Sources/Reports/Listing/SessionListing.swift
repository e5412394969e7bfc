public import Store
public import Timekeeping

/// Stored sessions with their results, the rig's gaps inside them and the student's name: what
/// `riglog sessions` lists and what a report is built from.
public struct SessionListing: Sendable, Hashable {
    /// Which sessions: every filter is optional; a session is in `period` when it overlaps it.
    public struct Filter: Sendable, Hashable {
        public var student: String?
        public var rig: String?
        public var group: String?
        public var period: TimePeriod

        public init(student: String? = nil, rig: String? = nil, group: String? = nil, period: TimePeriod = .all) {
            self.student = student
            self.rig = rig
            self.group = group
            self.period = period
        }
    }

    /// One session and what happened in it.
    public struct Entry: Sendable, Hashable {
        public var session: StoredSession
        public var results: SessionResults
        /// The rig's gaps overlapping the session, clipped to it; `end` nil for a gap that
        /// still lasts in a session still open.
        public var gaps: [Gap]
        /// The roster's name for the student; nil for `badge:<n>` or a student no longer listed.
        public var studentName: String?
        /// The latest acknowledgement of each of its alarms that has one, by alarm id.
        public var acknowledgements: [Int64: AlarmAcknowledgement]

        public init(session: StoredSession, results: SessionResults = SessionResults(), gaps: [Gap] = [], studentName: String? = nil,
                    acknowledgements: [Int64: AlarmAcknowledgement] = [:]) {
            self.session = session
            self.results = results
            self.gaps = gaps
            self.studentName = studentName
            self.acknowledgements = acknowledgements
        }

        /// The session's length in seconds; for an open session, so far (up to `now`).
        public func seconds(now: Timestamp) -> Double {
            max(0, ((session.end ?? now) - session.start).seconds)
        }

        /// Attempts that passed.
        public var passedAttempts: Int { results.attempts.count(where: { $0.result == .passed }) }
    }

    /// The sessions matching `filter`, oldest first.
    ///
    /// - Parameter now: open sessions and lasting gaps are clipped to it.
    public static func load(store: StoreDatabase, filter: Filter, now: Timestamp) throws(StoreError) -> [Entry] {
        let sessions = try store.sessions(
            student: filter.student, rig: filter.rig, group: filter.group,
            from: filter.period.lowerBound, to: filter.period.upperBound)
        guard !sessions.isEmpty else { return [] }
        let results = try store.results(of: sessions.map(\.id))
        let acknowledgements = try store.alarmAcknowledgements(alarmIDs: results.values.flatMap { $0.alarms.map(\.id) })
        var names: [String: String] = [:]
        for student in try store.students() { names[student.id] = student.name }
        var gapsByRig: [String: [Gap]] = [:]
        for (rig, ofRig) in Dictionary(grouping: sessions, by: \.rig) {
            let from = ofRig.map(\.start).min()!
            let to = ofRig.map { $0.end ?? now }.max()!
            gapsByRig[rig] = try store.gaps(rig: rig, from: from, to: to)
        }
        return sessions.map { session in
            Entry(
                session: session, results: results[session.id] ?? SessionResults(),
                gaps: clip(gapsByRig[session.rig] ?? [], to: session),
                studentName: names[session.student],
                acknowledgements: acknowledgements.filter { ack in results[session.id]?.alarms.contains { $0.id == ack.key } ?? false })
        }
    }

    /// The gaps that overlap `session`, cut at its start and end.
    ///
    /// A gap still lasting in a session still open keeps `end` nil (`null` in JSON): it has not
    /// ended. The one clipping of gaps: the listing and the reports both use it.
    static func clip(_ gaps: [Gap], to session: StoredSession) -> [Gap] {
        gaps.compactMap { gap in
            if let end = session.end, gap.start >= end { return nil }
            if let gapEnd = gap.end, gapEnd <= session.start { return nil }
            var clipped = gap
            clipped.start = max(gap.start, session.start)
            if let end = session.end { clipped.end = min(gap.end ?? end, end) }
            return clipped
        }
    }
}
