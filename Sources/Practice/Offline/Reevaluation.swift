public import RigProfiles
public import Store
import Ingest
public import Timekeeping

/// Rebuilds sessions from stored data, exactly as the live evaluator found them: the stored
/// samples (with the operator channel), check-ins, timetable and collector runs go through the
/// same ``RigSessionTracker`` in the same order (``RigInput/orderKey``), and the result replaces
/// the stored sessions (`riglog sessions reevaluate`).
///
/// Each collector run is evaluated whole, from its start (the rig silent, claims as the
/// check-ins and timetable before it left them) to its recorded stop (`collector stopped`) or,
/// for a run with no recorded stop (a crash), to its last frame (`communication lost`). Only
/// sessions that start in the requested range are replaced, so a range cut through a run gives
/// the same sessions as the whole run.
///
/// With the lab's `resume_within` (stored by the collector), runs are chained as the collector
/// ran them: one tracker goes through them in order, a run's end suspending its open session
/// and the next run's first frame resuming or closing it. A range starts at the earliest run no
/// session can have come into (after a clean stop longer than the window before the next run).
public struct Reevaluation: Sendable {
    /// What one re-evaluation did.
    public struct Summary: Sendable, Hashable {
        public var rigs = 0
        /// Collector runs evaluated (each counted once, however many rigs it had).
        public var runs: Int { runIDs.count }
        var runIDs: Set<Int64> = []
        public var frames = 0
        /// Sessions written and the stored sessions they replaced.
        public var sessions = 0
        public var replaced = 0
    }

    private let store: StoreDatabase
    private let profiles: [String: DeviceProfile]
    private let silenceThreshold: Int64?
    private let resumeWithin: Int64?

    /// - Parameters:
    ///   - profiles: profiles to evaluate with by rig id, replacing the stored ones (after an
    ///     instructor changed an exercise); other rigs use the profile the store holds.
    ///   - silenceThreshold: ns; default the lab's stored `close_after_silence`, else the default.
    ///   - resumeWithin: ns; default the lab's stored `resume_within`, else 0 (data collected
    ///     before sessions could resume: every run ended its sessions).
    public init(store: StoreDatabase, profiles: [String: DeviceProfile] = [:], silenceThreshold: Int64? = nil, resumeWithin: Int64? = nil) {
        self.store = store
        self.profiles = profiles
        self.silenceThreshold = silenceThreshold
        self.resumeWithin = resumeWithin
    }

    /// Re-evaluates `rig` (or every rig) for sessions starting in `period` (`from..<to`).
    /// `progress` is told (rigs done, rigs in all) after each rig.
    @discardableResult
    public func run(
        rig: String? = nil, period: TimePeriod = .all, progress: (Int, Int) -> Void = { _, _ in }
    ) throws(ReevaluationError) -> Summary {
        let settings: Settings
        let rigs: [String]
        do throws(StoreError) {
            settings = try self.settings()
            if let rig { rigs = [try store.rig(rig).id] } else { rigs = try store.rigIDs() }
        } catch { throw .store(error) }
        var summary = Summary()
        for (index, id) in rigs.enumerated() {
            let sessions = try evaluate(rig: id, period: period, settings: settings, summary: &summary)
            do throws(StoreError) {
                summary.replaced += try store.replaceSessions(rig: id, from: period.lowerBound, to: period.upperBound, with: sessions)
            } catch { throw .store(error) }
            summary.sessions += sessions.count
            summary.rigs += 1
            progress(index + 1, rigs.count)
        }
        return summary
    }

    /// Where the sessions of `rig` stood when the last stored run ended, for a new run to go on
    /// from (the live evaluator at its start, with the lab's `resume_within`): the runs from the
    /// one holding `from` on are evaluated, the last ending suspended (``RigSessionTracker/runEnded(at:clean:)``)
    /// instead of closed. Returns the sessions they closed that start at or after `from`, and
    /// the tracker with the session the end suspended, if any (its evaluator holds every sample
    /// stored, so a sample stored but not evaluated before a crash counts, and a condition
    /// already true before the restart is no new edge).
    ///
    /// `sessionsFrom` (later than `from`): only the sessions starting then or later are wanted
    /// (those the last run had not closed and stored for good). The replay then starts, when
    /// that is exact, at the last frame before it that read the operator register (any frame,
    /// for a rig without one) instead of at the run's start: see ``replay(from:context:runs:first:before:settings:)``.
    /// ``Resumption/sessionsFrom`` says which sessions the result holds.
    public func resumption(rig: String, from: Timestamp, sessionsFrom: Timestamp? = nil) throws(ReevaluationError) -> Resumption {
        let settings: Settings
        do throws(StoreError) { settings = try self.settings() } catch { throw .store(error) }
        return try withRig(rig) { context in
            let runs = try storeRuns()
            let first = runs.lastIndex { $0.start <= from } ?? 0
            if let sessionsFrom, sessionsFrom > from,
                let cheap = try replay(from: context, runs: runs, first: first, before: sessionsFrom, settings: settings)
            {
                return cheap
            }
            var tracker = try context.tracker(settings)
            var claims: RigInput.OrderKey?
            var closed: [ClosedSession] = []
            var frames = 0
            for index in runs.indices where index >= first {
                // The last stored run too: a new run is starting.
                closed += try evaluate(
                    run: runs[index], dataEnd: dataEnd(of: index, in: runs), ending: .suspends, context: context, tracker: &tracker, claims: &claims,
                    frames: &frames)
            }
            let start = from.nanosecondsSince1970
            return Resumption(
                closed: closed.filter { $0.start >= start }, tracker: tracker, claimsThrough: claims, sessionsFrom: from,
                replayedFrom: runs[first].start, frames: frames)
        }
    }

    /// The resumption replayed from a frame `F` shortly before `before` instead of from the start
    /// of `runs[first]`; nil when that would not be exact (then the whole runs are replayed).
    ///
    /// Why it is exact: `F` is the last frame before `before` that read the operator register (a
    /// rig without one: the last frame). After the whole-run tracker handles that frame, its
    /// state is a function of the inputs up to `F` that a tracker starting silent at `F` has
    /// too: the badge is the one `F` read (the register is never carried over a run's start, and
    /// `F` reads it), the check-in and slots in force are the claims up to `F` (every check-in
    /// and the slots overlapping the run are fed, silently, before `F`), the rig is live with
    /// its last frame at `F`, nothing is pending, and a suspended session has been decided (`F`
    /// reads the register, so nothing awaits it). Only the session open at `F` differs: the
    /// whole run knows its true start and evaluator, the replay starts it at `F` with nothing.
    /// Every session opened after `F` starts from a blank evaluator and the same frames, so it
    /// comes out the same; those before `before` are dropped. The session open at `F` must have
    /// closed by the end (if it is the one suspended, the replay does not know its start: the
    /// whole runs are replayed). Frames must come out as the whole replay sees them: not so
    /// after a wall clock stepped back across `F` (a sample before `F` read after one at or
    /// after it), which the read checks.
    private func replay(
        from context: RigContext, runs: [CollectorRun], first: Int, before: Timestamp, settings: Settings
    ) throws -> Resumption? {
        guard let frame = try lastRegisterFrame(of: context.builder, before: before, notBefore: runs[first].start) else { return nil }
        guard let startIndex = runs.lastIndex(where: { $0.start <= frame }), startIndex >= first,
            frame <= (dataEnd(of: startIndex, in: runs) ?? .distantFuture)
        else { return nil }
        guard try !store.chunksStepBack(of: context.builder.storedChannels, across: frame) else { return nil }
        var tracker = try context.tracker(settings)
        var claims: RigInput.OrderKey?
        var closed: [ClosedSession] = []
        var frames = 0
        var order = ReplayOrder()
        for index in runs.indices where index >= startIndex {
            closed += try evaluate(
                run: runs[index], dataEnd: dataEnd(of: index, in: runs), ending: .suspends, context: context, tracker: &tracker, claims: &claims,
                frames: &frames, replayFrom: index == startIndex ? frame : nil, order: &order)
        }
        if order.steppedBack || tracker.suspended?.start == frame.nanosecondsSince1970 { return nil }
        let start = before.nanosecondsSince1970
        return Resumption(
            closed: closed.filter { $0.start >= start }, tracker: tracker, claimsThrough: claims, sessionsFrom: before, replayedFrom: frame,
            frames: frames)
    }

    /// The time of the last frame before `before`, not before `notBefore`, that read the
    /// operator register (any frame when the rig has none); searched back from `before` in
    /// windows that double, so a rig polled every cycle costs a second of samples or so.
    private func lastRegisterFrame(of builder: RigFrameBuilder, before: Timestamp, notBefore: Timestamp) throws -> Timestamp? {
        let channels = builder.operatorChannel.map { id in builder.storedChannels.filter { $0.id == id } } ?? builder.storedChannels
        let (span, overflow) = before.microsecondsSince1970.subtractingReportingOverflow(notBefore.microsecondsSince1970)
        var window: Int64 = 1_000_000  // µs
        while true {
            let whole = overflow || window >= span
            let from = whole ? notBefore : before - .microseconds(window)
            var last: Int64?
            try store.forEachSample(of: channels, from: from, to: before) { last = Swift.max(last ?? .min, $0.time) }
            if let last { return Timestamp(nanosecondsSince1970: last) }
            if whole { return nil }
            window *= 2
        }
    }

    /// What ``resumption(rig:from:sessionsFrom:)`` found.
    public struct Resumption: Sendable {
        /// Sessions the stored runs closed (as re-evaluation decides them) that start at or after
        /// ``sessionsFrom``.
        public var closed: [ClosedSession]
        /// The rig's tracker after the last stored run's end; its ``RigSessionTracker/suspended``
        /// session is the one a new run may resume.
        public var tracker: RigSessionTracker
        /// The last check-in or timetable input the tracker took: a new run skips those up to it.
        public var claimsThrough: RigInput.OrderKey?
        /// Where the sessions this holds begin: stored sessions starting then or later are
        /// replaced by ``closed``.
        public var sessionsFrom: Timestamp
        /// Where the replay of the stored samples began: a run's start, or the frame shortly
        /// before ``sessionsFrom`` it could start from exactly.
        public var replayedFrom: Timestamp
        /// Frames replayed.
        public var frames: Int
    }

    /// Whether the samples a replay read came in time order (see ``replay(from:context:runs:first:before:settings:)``).
    struct ReplayOrder {
        var last: Int64 = .min
        var steppedBack = false

        mutating func see(_ time: Int64) {
            if time < last { steppedBack = true }
            last = Swift.max(last, time)
        }
    }

    private struct Settings {
        var threshold: Int64
        var window: Int64
    }

    private func settings() throws(StoreError) -> Settings {
        var settings = Settings(threshold: SessionSettings.defaultCloseAfterSilence.nanoseconds, window: 0)
        if let silenceThreshold { settings.threshold = silenceThreshold } else if let stored = try store.sessionSilenceThreshold() { settings.threshold = stored.nanoseconds }
        if let resumeWithin { settings.window = resumeWithin } else if let stored = try store.sessionResumeWindow() { settings.window = stored.nanoseconds }
        return settings
    }

    /// What evaluating one rig needs besides its runs.
    private struct RigContext {
        var rig: String
        var profile: DeviceProfile
        var builder: RigFrameBuilder
        var records: SessionRecords

        func tracker(_ settings: Settings) throws -> RigSessionTracker {
            try RigSessionTracker(rig: rig, profile: profile, silenceThreshold: settings.threshold, resumeWithin: settings.window)
        }
    }

    /// Runs `body` with the rig's profile and frame builder, turning every failure into a
    /// ``ReevaluationError``.
    private func withRig<T>(_ rig: String, _ body: (RigContext) throws -> T) throws(ReevaluationError) -> T {
        do {
            let profile = try profiles[rig] ?? storedProfile(rig: rig)
            let record = try store.rig(rig)
            let builder = RigFrameBuilder(profile: profile, channels: record.channels)
            return try body(RigContext(rig: rig, profile: profile, builder: builder, records: SessionRecords(rig: rig, channelIDs: builder.channelIDs)))
        } catch let error as ReevaluationError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .profile(rig: rig, "\(error)")
        }
    }

    /// The stored collector runs, oldest first.
    private func storeRuns() throws -> [CollectorRun] {
        let all = try store.collectorRuns()
        // Data collected before collector runs were recorded: one run over all of it.
        return all.isEmpty ? [CollectorRun(id: 0, start: .distantPast, end: nil)] : all
    }

    /// A run without a recorded stop (a crash) ends where the next run begins at the latest.
    private func dataEnd(of index: Int, in runs: [CollectorRun]) -> Timestamp? {
        runs[index].end ?? (index + 1 < runs.count ? runs[index + 1].start - .microseconds(1) : nil)
    }

    private func evaluate(
        rig: String, period: TimePeriod, settings: Settings, summary: inout Summary
    ) throws(ReevaluationError) -> [(StoredSession, SessionResults)] {
        try withRig(rig) { context in
            let roster = try store.badges()
            let runs = try storeRuns()
            guard var first = runs.firstIndex(where: { $0.start < period.upperBound && ($0.end ?? .distantFuture) >= period.lowerBound }) else { return [] }
            // A session suspended by an earlier run may go on into the period: start where no
            // session can come in (a run that began longer than the window after a clean stop).
            while settings.window > 0, first > 0, Self.resumable(from: runs[first - 1], to: runs[first], window: settings.window) { first -= 1 }
            var written: [(StoredSession, SessionResults)] = []
            var tracker = try context.tracker(settings)
            var claims: RigInput.OrderKey?
            for index in runs.indices where index >= first {
                let run = runs[index]
                // Past the period, only a session suspended into the next run still counts.
                guard run.start < period.upperBound || tracker.suspended != nil else { break }
                summary.runIDs.insert(run.id)
                let ending: RunEnding = settings.window > 0 && index + 1 < runs.count ? .suspends : .closes
                let closed = try evaluate(run: run, dataEnd: dataEnd(of: index, in: runs), ending: ending, context: context, tracker: &tracker, claims: &claims, frames: &summary.frames)
                for session in closed where period.contains(Timestamp(nanosecondsSince1970: session.start)) {
                    written.append(context.records.closed(session, roster: roster))
                }
                // Without a window every run starts afresh, as the collector started it.
                if ending == .closes {
                    tracker = try context.tracker(settings)
                    claims = nil
                }
            }
            return written
        }
    }

    /// True when a session open at the end of `earlier` could resume in `later`: a crash (its
    /// last frame is not known without reading it) or a clean stop within the window.
    static func resumable(from earlier: CollectorRun, to later: CollectorRun, window: Int64) -> Bool {
        guard let end = earlier.end else { return true }
        return later.start.nanosecondsSince1970 - end.nanosecondsSince1970 <= window
    }

    /// How a run's evaluation ends.
    private enum RunEnding {
        /// Nothing follows: open sessions close (`collector stopped`, or at the last frame).
        case closes
        /// Another run follows: the open session is suspended, to resume or close in it.
        case suspends
    }

    /// The whole run: see the next.
    private func evaluate(
        run: CollectorRun, dataEnd: Timestamp?, ending: RunEnding, context: RigContext, tracker: inout RigSessionTracker,
        claims: inout RigInput.OrderKey?, frames: inout Int
    ) throws -> [ClosedSession] {
        var order = ReplayOrder()
        return try evaluate(run: run, dataEnd: dataEnd, ending: ending, context: context, tracker: &tracker, claims: &claims, frames: &frames, order: &order)
    }

    /// Feeds one run's inputs, merged in order, and returns the sessions it closed. `claims` is
    /// the last check-in or timetable input fed by earlier runs into the same tracker: those up
    /// to it are not fed again.
    /// `replayFrom`: the run's samples are read from that frame on (``replay(from:context:runs:first:before:settings:)``),
    /// `order` told every sample's time, those skipped before it included.
    private func evaluate(
        run: CollectorRun, dataEnd: Timestamp?, ending: RunEnding, context: RigContext, tracker: inout RigSessionTracker,
        claims: inout RigInput.OrderKey?, frames: inout Int, replayFrom: Timestamp? = nil, order: inout ReplayOrder
    ) throws -> [ClosedSession] {
        let builder = context.builder
        let runEnd = run.end?.nanosecondsSince1970
        var external = try externalInputs(rig: context.rig, run: run)
        if let fed = claims { external.removeAll { $0.orderKey <= fed } }
        var next = 0
        var closed: [ClosedSession] = []
        func take(_ changes: [SessionChange]) {
            for case .closed(let session) in changes { closed.append(session) }
        }
        func feedClaim() {
            take(tracker.handle(external[next]))
            claims = external[next].orderKey
            next += 1
        }
        var pending: [Sample] = []
        var lastFrame: Int64?
        func emit() {
            guard let time = pending.first?.time else { return }
            let frame = pending.withUnsafeBufferPointer { builder.frame(time: time, samples: $0) }
            pending.removeAll(keepingCapacity: true)
            let input = RigInput.frame(frame)
            while next < external.count, external[next].orderKey < input.orderKey { feedClaim() }
            take(tracker.handle(input))
            lastFrame = time
            frames += 1
        }
        let checked = replayFrom != nil
        var seen = order
        defer { order = seen }
        try store.forEachSample(
            of: builder.storedChannels, from: replayFrom ?? run.start, to: dataEnd.map { $0 + .microseconds(1) },
            earlier: checked ? { seen.see($0.time) } : nil
        ) { sample in
            if checked { seen.see(sample.time) }
            if let first = pending.first, first.time != sample.time { emit() }
            pending.append(sample)
        }
        emit()
        // Claims after the last frame still matter up to the stop (a checkout closes the session
        // there); without a recorded stop the data's end is the last frame.
        let horizon = runEnd ?? lastFrame ?? .min
        while next < external.count, external[next].time <= horizon { feedClaim() }
        switch ending {
        case .closes:
            take(runEnd.map { tracker.collectorStopped(at: $0) } ?? tracker.dataEnded(at: horizon))
        case .suspends:
            take(tracker.runEnded(at: horizon, clean: runEnd != nil))
        }
        return closed
    }

    /// Check-ins and timetable slots up to the run's end, in input order. Those before the run
    /// only set the claims in force at its start (the rig is silent until its first frame).
    private func externalInputs(rig: String, run: CollectorRun) throws -> [RigInput] {
        let to = run.end.map { $0 + .microseconds(1) } ?? .distantFuture
        var inputs: [RigInput] = try store.checkins(rig: rig, to: to).map(RigInput.init)
        for entry in try store.timetable(rig: rig, from: run.start, to: to) where entry.end > entry.start {
            let slot = TimetableSlot(entry)
            inputs.append(.slotStarted(slot))
            inputs.append(.slotEnded(slot))
        }
        inputs.sort { $0.orderKey < $1.orderKey }
        return inputs
    }

    private func storedProfile(rig: String) throws -> DeviceProfile {
        guard let text = try store.storedProfile(rig: rig) else { throw ReevaluationError.noProfile(rig: rig) }
        return try ProfileLoader.parse(yaml: text.content, file: "\(text.name) (stored version \(text.id))")
    }
}

/// Why re-evaluation stopped; nothing of the rig being evaluated was replaced.
public enum ReevaluationError: Error, Sendable, CustomStringConvertible {
    case store(StoreError)
    /// The store keeps no profile for the rig (collected before profiles were stored).
    case noProfile(rig: String)
    /// The rig's profile does not load or compile.
    case profile(rig: String, String)

    public var description: String {
        switch self {
        case .store(let error): "\(error)"
        case .noProfile(let rig):
            "the store keeps no profile for rig \(rig); pass --devices DIR (or --lab LAB.yaml) to evaluate it with the profile files"
        case .profile(let rig, let message):
            "the profile of rig \(rig) cannot be evaluated: \(message). Fix it and pass --devices DIR, or run the collector with the fixed profile"
        }
    }
}
