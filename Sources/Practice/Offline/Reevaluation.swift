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
    public func resumption(rig: String, from: Timestamp) throws(ReevaluationError) -> Resumption {
        let settings: Settings
        do throws(StoreError) { settings = try self.settings() } catch { throw .store(error) }
        return try withRig(rig) { context in
            let runs = try storeRuns()
            let first = runs.lastIndex { $0.start <= from } ?? 0
            var tracker = try context.tracker(settings)
            var claims: RigInput.OrderKey?
            var closed: [ClosedSession] = []
            var frames = 0
            for index in runs.indices where index >= first {
                // The last stored run too: a new run is starting.
                let ending: RunEnding = .suspends
                closed += try evaluate(run: runs[index], dataEnd: dataEnd(of: index, in: runs), ending: ending, context: context, tracker: &tracker, claims: &claims, frames: &frames)
            }
            let start = from.nanosecondsSince1970
            return Resumption(closed: closed.filter { $0.start >= start }, tracker: tracker, claimsThrough: claims)
        }
    }

    /// What ``resumption(rig:from:)`` found.
    public struct Resumption: Sendable {
        /// Sessions the stored runs closed (as re-evaluation decides them).
        public var closed: [ClosedSession]
        /// The rig's tracker after the last stored run's end; its ``RigSessionTracker/suspended``
        /// session is the one a new run may resume.
        public var tracker: RigSessionTracker
        /// The last check-in or timetable input the tracker took: a new run skips those up to it.
        public var claimsThrough: RigInput.OrderKey?
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

    /// Feeds one run's inputs, merged in order, and returns the sessions it closed. `claims` is
    /// the last check-in or timetable input fed by earlier runs into the same tracker: those up
    /// to it are not fed again.
    private func evaluate(
        run: CollectorRun, dataEnd: Timestamp?, ending: RunEnding, context: RigContext, tracker: inout RigSessionTracker,
        claims: inout RigInput.OrderKey?, frames: inout Int
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
        try store.forEachSample(of: builder.storedChannels, from: run.start, to: dataEnd.map { $0 + .microseconds(1) }) { sample in
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
