public import Ingest
public import RigProfiles
public import Store
import Foundation
import Threads
import Timekeeping

/// Sessions, attempts, alarms and statistics while the collector runs: a `SampleSink` for a
/// whole lab, with per rig a ``RigFrameBuilder`` (a `FrameAssembler` and the operator channel),
/// the ``SessionAttribution`` and a ``SessionEvaluator`` for the open session, all inside a
/// ``RigSessionTracker``: the very code ``Reevaluation`` runs over the stored data.
///
/// ## Why live equals offline
///
/// Offline evaluation sees every input at once and merges them by ``RigInput/orderKey``. Live,
/// check-ins arrive through the store from another process (`riglog checkin`) up to a poll
/// later, and timetable slots when they are imported. So the live evaluator holds frames back
/// by a fixed **lag** (default 2 s) behind the wall clock and evaluates, at each drainer flush,
/// exactly the frames and claims with time up to the watermark `now - lag`, merged in that same
/// order. Sample times are truncated to whole microseconds first, as the store keeps them, and
/// the frames are built by the same ``RigFrameBuilder``. If every sample reaches the drainer
/// and every check-in reaches the store within the lag, the tracker gets the same inputs in the
/// same order as offline, and being deterministic it decides the same sessions with the same
/// results. A claim learnt later than that (a check-in recorded for a time long past) is
/// applied at the watermark instead and counted in ``lateInputs``; `riglog sessions
/// reevaluate` puts it at its own time.
///
/// The run is recorded (``begin()`` / ``close()``, `collector_runs`): the stop time, the
/// later of the wall clock and the last sample, closes open sessions `collector stopped` and
/// tells re-evaluation where the run ended.
///
/// ## A restart
///
/// With the lab's `sessions: resume_within`, ``begin()`` does not start from nothing when the
/// last run ended within the window (or crashed): each rig's tracker is rebuilt by evaluating
/// the last run's stored samples again (``Reevaluation/resumption(rig:from:sessionsFrom:)``), its end
/// suspending the session open at it. The evaluator's state is not stored anywhere, so this
/// replay is how it comes back: exact, and it counts the samples a killed run stored but had
/// not evaluated. It replays from the frame before the session it rebuilds that last read the
/// operator register, so it costs about that session's samples; where that is not exact (the
/// session began with the run, or resumed from the run before), the whole run holding it. The new run's first frame then resumes
/// the stored session (a gap row between the runs) or closes it where the last run ended.
///
/// Lost samples are not counted per session: rings drop per connection, not per rig, and drops
/// are not stored with their times, so re-evaluation could not reproduce them.
public final class LiveEvaluator: SampleSink {
    /// Timing of the live evaluation.
    public struct Configuration: Sendable {
        /// How far evaluation stays behind the wall clock.
        public var lag: Duration
        /// How often check-ins are read from the store.
        public var checkinPoll: Duration
        /// How often the timetable and roster are read again.
        public var timetableReload: Duration

        public init(lag: Duration = .seconds(2), checkinPoll: Duration = .seconds(1), timetableReload: Duration = .seconds(10)) {
            self.lag = lag
            self.checkinPoll = checkinPoll
            self.timetableReload = timetableReload
        }
    }

    private struct State: Sendable {
        var rigs: [LiveRig] = []
        var rigIndex: [String: Int] = [:]
        /// Rig index by channel id (-1: not a rig channel the evaluator reads).
        var channelRig: [Int32] = []
        var roster: [String: String] = [:]
        var lastCheckin: Int64 = 0
        var knownSlots: Set<TimetableEntry> = []
        var lastCheckinPoll: Int64 = .min
        var lastTimetableReload: Int64 = .min
        var watermark: Int64 = .min
        /// The watermark of the last evaluation; a claim at or before it is late.
        var evaluatedUntil: Int64 = .min
        var lastSample: Int64 = .min
        var run: (id: Int64, start: Int64)?
        var late = 0
        var replayedFrames = 0
        var closed = false
    }

    private let lab: LabConfig
    private let store: StoreDatabase
    private let configuration: Configuration
    private let clock: @Sendable () -> Int64
    private let state = Mutex(State())

    /// - Parameters:
    ///   - now: the wall clock in ns since 1970 (the clock samples are stamped with).
    public init(
        lab: LabConfig, store: StoreDatabase, configuration: Configuration = Configuration(),
        now: @escaping @Sendable () -> Int64 = LiveEvaluator.wallClock
    ) {
        self.lab = lab
        self.store = store
        self.configuration = configuration
        self.clock = now
    }

    /// The wall clock in ns since 1970, as rig workers stamp samples.
    @Sendable public static func wallClock() -> Int64 { Timestamp.wallClockNanoseconds() }

    /// Records the collector run and loads the rigs, claims and roster. Call it after the
    /// collector registered the rigs (its `init`) and before it starts; returns the run's id.
    @discardableResult
    public func begin() throws -> Int64 {
        let start = clock().truncatedToMicroseconds
        let silence = lab.sessions.closeAfterSilence.nanoseconds
        let window = lab.sessions.resumeWithin.nanoseconds
        try store.setSessionSilenceThreshold(lab.sessions.closeAfterSilence)
        try store.setSessionResumeWindow(lab.sessions.resumeWithin)
        let previous = try resumableRun(at: start)
        if previous == nil { try closeSessionsLeftOpen() }
        let roster = try store.badges()
        var rigs: [LiveRig] = []
        var channelRig: [Int32] = []
        var replayed = 0
        for rig in lab.rigs {
            let record = try store.rig(rig.id)
            let builder = RigFrameBuilder(profile: rig.profile, channels: record.channels)
            for channel in builder.storedChannels {
                let id = Int(channel.id)
                if id >= channelRig.count { channelRig += Array(repeating: -1, count: id + 1 - channelRig.count) }
                channelRig[id] = Int32(rigs.count)
            }
            var live = LiveRig(
                id: rig.id, builder: builder, tracker: try RigSessionTracker(rig: rig.id, profile: rig.profile, silenceThreshold: silence, resumeWithin: window))
            if let previous { replayed += try resume(&live, profile: rig.profile, after: previous, roster: roster) }
            rigs.append(live)
        }
        let runID = try store.beginCollectorRun(at: Timestamp(nanosecondsSince1970: start))
        try state.withLock { state in
            state.rigs = rigs
            state.rigIndex = Dictionary(uniqueKeysWithValues: rigs.enumerated().map { ($0.element.id, $0.offset) })
            state.channelRig = channelRig
            state.run = (runID, start)
            state.replayedFrames = replayed
            state.watermark = start - configuration.lag.nanoseconds
            // Every check-in so far: those before the run set the claims it starts with.
            try pollCheckins(&state, now: start)
            try reloadTimetable(&state, now: start)
        }
        return runID
    }

    /// The last run when a session it left may resume in a run starting at `start` (ns): the
    /// lab has a `resume_within`, and the run crashed (its last frame decides) or stopped within
    /// the window. Nil otherwise: every session it left closes where it ended.
    private func resumableRun(at start: Int64) throws -> CollectorRun? {
        let window = lab.sessions.resumeWithin.nanoseconds
        guard window > 0, let previous = try store.collectorRuns().last else { return nil }
        let now = CollectorRun(id: 0, start: Timestamp(nanosecondsSince1970: start), end: nil)
        return Reevaluation.resumable(from: previous, to: now, window: window) ? previous : nil
    }

    /// Rebuilds the rig's sessions as the last run left them, from the stored data: the session
    /// open at its end (still open in the store after a crash, closed `collector stopped` after
    /// a clean stop) is suspended in the tracker, its evaluator fed every stored sample of it,
    /// those the last run stored but had not evaluated when it was killed included. Sessions the
    /// last run closed but had not stored are stored; the suspended one is stored open again,
    /// to go on (no new row) or close where the last run ended.
    ///
    /// Returns the frames replayed. The replay needs only the sessions the last run had not
    /// closed and stored for good: those still open in the store (after a crash; a session it
    /// closed but had not stored is still open there, and so is one it resumed), the one the
    /// stop closed, or, after a crash with none open, any opened after the last stored end.
    /// Sessions the last run stored closed before them stay as stored (live decides them as
    /// re-evaluation does; a claim recorded too late for that is `riglog sessions reevaluate`'s).
    /// So the replay starts shortly before the earliest of those when that is exact
    /// (``Reevaluation/resumption(rig:from:sessionsFrom:)``), else at the start of the run
    /// holding it.
    private func resume(_ rig: inout LiveRig, profile: DeviceProfile, after previous: CollectorRun, roster: [String: String]) throws -> Int {
        // Sessions still open, or open during the last run (a session resumed into it began
        // earlier): a whole-run replay starts with the run holding the earliest.
        let touched = try store.sessions(rig: rig.id, from: previous.start)
        // After a clean stop the store holds every session of the run, closed at the stop if it
        // was open then: a rig with none such has nothing to resume, and nothing to replay.
        if let stop = previous.end, !touched.contains(where: { $0.end == nil || $0.end == stop }) { return 0 }
        let from = Swift.min(previous.start, touched.map(\.start).min() ?? previous.start)
        let unfinished = touched.filter { $0.end == nil || $0.end == previous.end }
        let sessionsFrom = unfinished.map(\.start).min() ?? Swift.max(previous.start, touched.compactMap(\.end).max() ?? previous.start)
        let reevaluation = Reevaluation(
            store: store, profiles: [rig.id: profile], silenceThreshold: lab.sessions.closeAfterSilence.nanoseconds,
            resumeWithin: lab.sessions.resumeWithin.nanoseconds)
        let resumption = try reevaluation.resumption(rig: rig.id, from: from, sessionsFrom: sessionsFrom)
        let closed = resumption.closed.map { rig.records.closed($0, roster: roster) }
        try store.replaceSessions(rig: rig.id, from: resumption.sessionsFrom, to: .distantFuture, with: closed)
        rig.tracker = resumption.tracker
        rig.claimsThrough = resumption.claimsThrough
        if let suspended = resumption.tracker.suspended {
            var row = rig.records.opened(OpenedSession(rig: rig.id, owner: suspended.owner, start: suspended.start), roster: roster)
            row.id = try store.openSession(row)
            rig.openSession = row
        }
        return resumption.frames
    }

    /// Sessions still open in the store belong to an earlier run that ended without closing
    /// them (killed, or the PC lost power). Before this run is recorded, they are re-evaluated
    /// from the stored data, as `riglog sessions reevaluate` would: a run with no recorded stop
    /// ends at its last frame (`communication lost`), with the results its samples give.
    private func closeSessionsLeftOpen() throws {
        // Only a session with no end overlaps the end of time: one query, however long the history.
        let open = try store.sessions(from: .distantFuture)
        let labRigs = Set(lab.rigs.map(\.id))
        for (rig, sessions) in Dictionary(grouping: open, by: \.rig) where labRigs.contains(rig) {
            try Reevaluation(store: store).run(rig: rig, period: TimePeriod(from: sessions.map(\.start).min()!))
        }
    }

    /// Stored frames ``begin()`` evaluated again to rebuild the sessions of the last run (all rigs).
    public var replayedFrames: Int { state.withLock { $0.replayedFrames } }

    /// Claims that arrived after the watermark had passed their time (applied at the watermark).
    public var lateInputs: Int { state.withLock { $0.late } }

    /// Session changes (openings, closings, restart gaps) waiting for a disk that refuses
    /// writes; written, in order, at the first evaluation after it takes them again.
    public var unrecordedChanges: Int { state.withLock { $0.rigs.reduce(0) { $0 + $1.unrecorded.count } } }

    public func write(_ samples: UnsafeBufferPointer<Sample>) throws {
        state.withLock { state in
            precondition(state.run != nil, "LiveEvaluator.begin() must be called before samples arrive")
            // A batch is mostly one rig's samples: its queue is looked up (and retained) once a run
            // of them, not once a sample.
            var pendingRig = -1
            var pending: PendingSamples?
            for sample in samples {
                let id = Int(sample.channel)
                guard id < state.channelRig.count else { continue }
                var rig = Int(state.channelRig[id])
                guard rig >= 0 else { continue }
                var copy = sample
                copy.time = sample.time.truncatedToMicroseconds
                // A reload's switch: what was read before it belongs to the rig as it was.
                if let (previous, until) = state.rigs[rig].replaces, copy.time < until { rig = previous }
                if state.rigs[rig].ended { continue }
                state.lastSample = Swift.max(state.lastSample, copy.time)
                if rig != pendingRig {
                    pendingRig = rig
                    pending = state.rigs[rig].pending
                }
                pending!.append(copy)
            }
        }
    }

    /// Reads new claims when due and evaluates everything up to `now - lag`.
    public func flush() throws {
        try state.withLock { state in
            guard state.run != nil, !state.closed else { return }
            let now = clock()
            if now - state.lastCheckinPoll >= configuration.checkinPoll.nanoseconds { try pollCheckins(&state, now: now) }
            if now - state.lastTimetableReload >= configuration.timetableReload.nanoseconds { try reloadTimetable(&state, now: now) }
            try advance(&state, to: (now - configuration.lag.nanoseconds).truncatedToMicroseconds)
        }
    }

    /// Evaluates everything left, closes open sessions `collector stopped` at the stop time and
    /// records the run's end.
    public func close() throws {
        try state.withLock { state in
            guard let run = state.run, !state.closed else { return }
            let stop = Swift.max(clock().truncatedToMicroseconds, state.lastSample, state.watermark, run.start)
            try pollCheckins(&state, now: stop)
            try reloadTimetable(&state, now: stop)
            try advance(&state, to: stop)
            var failure: (any Error)?
            for index in state.rigs.indices where !state.rigs[index].ended {
                let end = Swift.min(stop, state.rigs[index].endsAt ?? stop)
                let changes = state.rigs[index].tracker.collectorStopped(at: end)
                do { try record(changes, rig: index, &state) } catch { failure = failure ?? error }
            }
            state.closed = true
            try store.endCollectorRun(run.id, at: Timestamp(nanosecondsSince1970: stop))
            if let failure { throw failure }
        }
    }

    private func advance(_ state: inout State, to watermark: Int64) throws {
        guard watermark > state.evaluatedUntil else { return }
        state.watermark = Swift.max(state.watermark, watermark)
        state.evaluatedUntil = watermark
        var failure: (any Error)?
        // A rig a reload ended may still hold changes a refusing disk kept back.
        for index in state.rigs.indices where state.rigs[index].ended && !state.rigs[index].unrecorded.isEmpty {
            do { try record([], rig: index, &state) } catch { failure = failure ?? error }
        }
        for index in state.rigs.indices where !state.rigs[index].ended {
            var changes: [SessionChange]
            if let end = state.rigs[index].endsAt, end <= watermark {
                changes = state.rigs[index].advance(to: end)
                changes += state.rigs[index].tracker.collectorStopped(at: end)
                state.rigs[index].ended = true
            } else {
                changes = state.rigs[index].advance(to: watermark)
            }
            do { try record(changes, rig: index, &state) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    /// Applies a reloaded lab from `time` (ns, the wall clock of the switch): a removed or
    /// changed rig is evaluated up to `time` and its open session closed there as on shutdown
    /// (`collector stopped`); a changed or added rig is evaluated from `time` on with its new
    /// profile, from its stored channels (the collector registered them first). Unchanged rigs
    /// are not touched: their sessions go on. Samples still on their way that were read before
    /// `time` go to the rig as it was.
    ///
    /// Re-evaluation later uses the rig's one stored profile version (the new one) for the
    /// whole run, so it may decide the sessions before the switch differently.
    public func reload(lab next: LabConfig, changed: [String], added: [String], removed: [String], at time: Int64) throws {
        let time = time.truncatedToMicroseconds
        let silence = next.sessions.closeAfterSilence.nanoseconds
        var fresh: [(previous: Int?, rig: LiveRig)] = []
        let (current, slots) = state.withLock { ($0.rigIndex, $0.knownSlots) }
        // A new rig starts from the claims in force, as a run does: every check-in and the
        // timetable's slots that have not ended.
        let checkins = try store.checkins(after: 0)
        for id in changed + added {
            guard let rig = next.rig(id: id) else { continue }
            let record = try store.rig(id)
            let builder = RigFrameBuilder(profile: rig.profile, channels: record.channels)
            var live = LiveRig(
                id: id, builder: builder,
                tracker: try RigSessionTracker(rig: id, profile: rig.profile, silenceThreshold: silence, resumeWithin: next.sessions.resumeWithin.nanoseconds))
            let previous = current[id]
            if let previous { live.replaces = (previous, time) }
            for checkin in checkins where checkin.rig == id { live.add(RigInput(checkin)) }
            for entry in slots where entry.rig == id && TimetableSlot(entry).end > time {
                live.add(.slotStarted(TimetableSlot(entry)))
                live.add(.slotEnded(TimetableSlot(entry)))
            }
            fresh.append((previous, live))
        }
        state.withLock { state in
            for id in changed + removed {
                guard let index = state.rigIndex[id], state.rigs[index].endsAt == nil else { continue }
                state.rigs[index].endsAt = Swift.max(time, state.evaluatedUntil)
            }
            for id in removed { state.rigIndex[id] = nil }
            for (_, rig) in fresh {
                let index = state.rigs.count
                state.rigs.append(rig)
                state.rigIndex[rig.id] = index
                for channel in rig.builder.storedChannels {
                    let id = Int(channel.id)
                    if id >= state.channelRig.count { state.channelRig += Array(repeating: -1, count: id + 1 - state.channelRig.count) }
                    state.channelRig[id] = Int32(index)
                }
            }
        }
    }

    /// Writes opened and closed sessions, after those a refusing disk kept back. While the disk
    /// refuses writes (``StoreError/isUnwritable``) the changes wait, in order, and are written
    /// once it takes them again, as the chunk writer holds samples. After any other failure a
    /// session whose opening could not be stored is stored whole when it closes.
    private func record(_ changes: [SessionChange], rig index: Int, _ state: inout State) throws {
        var queue = state.rigs[index].unrecorded.isEmpty ? changes : state.rigs[index].unrecorded + changes
        state.rigs[index].unrecorded = []
        var next = 0
        do {
            while next < queue.count {
                try record(queue[next], rig: index, &state)
                next += 1
            }
        } catch let error as StoreError where error.isUnwritable {
            queue.removeFirst(next)
            state.rigs[index].unrecorded = queue
            throw error
        }
    }

    private func record(_ change: SessionChange, rig index: Int, _ state: inout State) throws {
        switch change {
        case .opened(let session):
            var row = state.rigs[index].records.opened(session, roster: state.roster)
            state.rigs[index].openSession = row
            row.id = try store.openSession(row)
            state.rigs[index].openSession = row
        case .closed(let session):
            let id = state.rigs[index].openSession?.id ?? 0
            let (row, results) = state.rigs[index].records.closed(session, id: id, roster: state.roster)
            // Cleared once written: a close the disk refused is tried again on the same row.
            if id != 0 { try store.closeSession(row, results: results) } else { try store.saveSession(row, results: results) }
            state.rigs[index].openSession = nil
        case .resumed(let session):
            // The stored session goes on (its row stays open); the restart is a gap of the rig.
            _ = try store.recordGap(
                rig: session.rig, start: Timestamp(nanosecondsSince1970: session.suspendedAt),
                end: Timestamp(nanosecondsSince1970: session.resumedAt), reason: Self.restartGapReason)
        }
    }

    /// The reason of the gap a resumed session gets between the runs.
    public static let restartGapReason = "collector restarted"

    /// Reads check-ins recorded since the last poll (and the roster, for badges named meanwhile).
    private func pollCheckins(_ state: inout State, now: Int64) throws {
        state.lastCheckinPoll = now
        for checkin in try store.checkins(after: state.lastCheckin) {
            state.lastCheckin = Swift.max(state.lastCheckin, checkin.id)
            guard let index = state.rigIndex[checkin.rig] else { continue }
            let input = RigInput(checkin)
            if input.time <= state.evaluatedUntil { state.late += 1 }
            state.rigs[index].add(input)
        }
        state.roster = try store.badges()
    }

    /// Reads timetable slots not seen yet that end after the run's start and the evaluated time.
    private func reloadTimetable(_ state: inout State, now: Int64) throws {
        state.lastTimetableReload = now
        // Slots that ended before the run or before what is evaluated can change nothing.
        let from = Swift.max(state.run?.start ?? .min, state.evaluatedUntil)
        for entry in try store.timetable(from: Timestamp(nanosecondsSince1970: from)) where entry.end > entry.start && !state.knownSlots.contains(entry) {
            state.knownSlots.insert(entry)
            guard let index = state.rigIndex[entry.rig] else { continue }
            let slot = TimetableSlot(entry)
            if slot.start <= state.evaluatedUntil { state.late += 1 }
            state.rigs[index].add(.slotStarted(slot))
            state.rigs[index].add(.slotEnded(slot))
        }
    }
}
