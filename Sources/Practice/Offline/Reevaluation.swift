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

    /// - Parameters:
    ///   - profiles: profiles to evaluate with by rig id, replacing the stored ones (after an
    ///     instructor changed an exercise); other rigs use the profile the store holds.
    ///   - silenceThreshold: ns; default the lab's stored `close_after_silence`, else the default.
    public init(store: StoreDatabase, profiles: [String: DeviceProfile] = [:], silenceThreshold: Int64? = nil) {
        self.store = store
        self.profiles = profiles
        self.silenceThreshold = silenceThreshold
    }

    /// Re-evaluates `rig` (or every rig) for sessions starting in `period` (`from..<to`).
    /// `progress` is told (rigs done, rigs in all) after each rig.
    @discardableResult
    public func run(
        rig: String? = nil, period: TimePeriod = .all, progress: (Int, Int) -> Void = { _, _ in }
    ) throws(ReevaluationError) -> Summary {
        let threshold: Int64
        let rigs: [String]
        do throws(StoreError) {
            let stored = try store.sessionSilenceThreshold()?.nanoseconds
            threshold = silenceThreshold ?? stored ?? SessionSettings.defaultCloseAfterSilence.nanoseconds
            if let rig { rigs = [try store.rig(rig).id] } else { rigs = try store.rigIDs() }
        } catch { throw .store(error) }
        var summary = Summary()
        for (index, id) in rigs.enumerated() {
            let sessions = try evaluate(rig: id, period: period, threshold: threshold, summary: &summary)
            do throws(StoreError) {
                summary.replaced += try store.replaceSessions(rig: id, from: period.lowerBound, to: period.upperBound, with: sessions)
            } catch { throw .store(error) }
            summary.sessions += sessions.count
            summary.rigs += 1
            progress(index + 1, rigs.count)
        }
        return summary
    }

    private func evaluate(
        rig: String, period: TimePeriod, threshold: Int64, summary: inout Summary
    ) throws(ReevaluationError) -> [(StoredSession, SessionResults)] {
        do {
            let profile = try profiles[rig] ?? storedProfile(rig: rig)
            let record = try store.rig(rig)
            let builder = RigFrameBuilder(profile: profile, channels: record.channels)
            let records = SessionRecords(rig: rig, channelIDs: builder.channelIDs)
            let roster = try store.badges()
            var all = try store.collectorRuns()
            if all.isEmpty {
                // Data collected before collector runs were recorded: one run over all of it.
                all = [CollectorRun(id: 0, start: .distantPast, end: nil)]
            }
            var written: [(StoredSession, SessionResults)] = []
            for (index, run) in all.enumerated() where run.start < period.upperBound && (run.end ?? .distantFuture) >= period.lowerBound {
                summary.runIDs.insert(run.id)
                // A run without a recorded stop (a crash) ends where the next run begins at the latest.
                let dataEnd = run.end ?? (index + 1 < all.count ? all[index + 1].start - .microseconds(1) : nil)
                var tracker = try RigSessionTracker(rig: rig, profile: profile, silenceThreshold: threshold)
                let closed = try evaluate(run: run, dataEnd: dataEnd, rig: rig, builder: builder, tracker: &tracker, frames: &summary.frames)
                for session in closed where period.contains(Timestamp(nanosecondsSince1970: session.start)) {
                    written.append(records.closed(session, roster: roster))
                }
            }
            return written
        } catch let error as ReevaluationError {
            throw error
        } catch let error as StoreError {
            throw .store(error)
        } catch {
            throw .profile(rig: rig, "\(error)")
        }
    }

    /// Feeds one run's inputs, merged in order, and returns the sessions it closed.
    private func evaluate(
        run: CollectorRun, dataEnd: Timestamp?, rig: String, builder: RigFrameBuilder, tracker: inout RigSessionTracker, frames: inout Int
    ) throws -> [ClosedSession] {
        let runEnd = run.end?.nanosecondsSince1970
        var external = try externalInputs(rig: rig, run: run)
        var next = 0
        var closed: [ClosedSession] = []
        func take(_ changes: [SessionChange]) {
            for case .closed(let session) in changes { closed.append(session) }
        }
        var pending: [Sample] = []
        var lastFrame: Int64?
        func emit() {
            guard let time = pending.first?.time else { return }
            let frame = pending.withUnsafeBufferPointer { builder.frame(time: time, samples: $0) }
            pending.removeAll(keepingCapacity: true)
            let input = RigInput.frame(frame)
            while next < external.count, external[next].orderKey < input.orderKey {
                take(tracker.handle(external[next]))
                next += 1
            }
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
        while next < external.count, external[next].time <= horizon {
            take(tracker.handle(external[next]))
            next += 1
        }
        external.removeAll()
        if let runEnd {
            take(tracker.collectorStopped(at: runEnd))
        } else {
            take(tracker.dataEnded(at: horizon))
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
