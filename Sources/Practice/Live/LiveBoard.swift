public import Ingest
public import RigProfiles
public import Store
import Threads

/// What every rig is doing this moment, for the lab board and the rig pages: the latest value of
/// each channel, the alarms firing and the exercise step in progress.
///
/// A `SampleSink` beside the store's writer and the ``LiveEvaluator``. The evaluator decides the
/// stored sessions, attempts and alarms a fixed lag behind the wall clock (so that check-ins from
/// other processes land in order); a wall board cannot wait that long, so the board runs the same
/// ``AlarmTracker`` and ``AttemptTracker`` rules on each frame as it arrives. What it shows is a
/// preview: the stored records, which the reports read, remain the evaluator's.
///
/// ``write(_:)`` allocates nothing: values go into fixed per-rig arrays, and the trackers compare
/// those arrays in place. Readers take a copy with ``rigs()``; ``version`` changes with every batch
/// so a publisher can skip unchanged states.
public final class LiveBoard: SampleSink {
    /// One alarm whose condition holds now (past its hold time).
    public struct FiringAlarm: Sendable, Hashable {
        public var alarm: String
        public var severity: Alarm.Severity
        /// When its condition became true (ns since 1970).
        public var since: Int64
        /// When it fired: the frame that completed its hold time (ns since 1970).
        public var fired: Int64
    }

    /// An exercise attempt under way: its first step reached at `since`, `reached` of `steps` done.
    public struct AttemptProgress: Sendable, Hashable {
        public var exercise: String
        public var reached: Int
        public var steps: Int
        public var since: Int64
    }

    /// One rig now.
    public struct RigState: Sendable {
        public var rig: String
        /// The profile's channel names, in profile order (the order of ``values``).
        public var channels: [String]
        /// The latest value of each channel in engineering units; NaN before the first sample.
        public var values: [Double]
        /// The time of the latest sample (ns since 1970); nil before the first.
        public var time: Int64?
        public var alarms: [FiringAlarm]
        public var attempts: [AttemptProgress]
    }

    private struct Slot {
        var rig: Int32
        var position: Int32
        var scale: Double
        var offset: Double
    }

    private struct RigNow {
        var state: RigState
        var alarmTrackers: [AlarmTracker]
        var attemptTrackers: [AttemptTracker]
        /// The frame being assembled: samples of one response share their time.
        var frameTime: Int64 = .min
    }

    private struct State {
        /// The lab the rigs are of: the run's, then each reload's.
        var lab: LabConfig
        var rigs: [RigNow]
        /// By store channel id; rig -1 for a channel the board does not show (the operator badge).
        var slots: [Slot]
        /// The rigs the current batch brought samples of (a batch is one connection's: one rig,
        /// or the units of one bus), whose last frame is evaluated at its end; kept, not
        /// reallocated, between batches.
        var touched: [Int] = []
        var version: UInt64 = 0
        var generation: UInt64 = 0
    }

    private let state: Mutex<State>

    /// A board for `lab`'s rigs; it shows nothing until ``begin(store:)``.
    public init(lab: LabConfig) {
        state = Mutex(State(lab: lab, rigs: [], slots: []))
    }

    /// The lab whose rigs the board shows now, in the order of ``rigs()``.
    public var lab: LabConfig { state.withLock { $0.lab } }

    /// Changes with every reload that changed the rigs: the board's rig list is another one.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// The lab, its generation and every rig's state, taken together (so the rigs' order and the
    /// lab's agree even while a reload switches them).
    public func snapshot() -> (lab: LabConfig, generation: UInt64, rigs: [RigState]) {
        state.withLock { ($0.lab, $0.generation, $0.rigs.map(\.state)) }
    }

    /// Maps the store's channel ids to the rigs' channels. Call it after the collector
    /// registered the rigs (its `init`) and before it starts, as ``LiveEvaluator/begin()``.
    public func begin(store: StoreDatabase) throws {
        let lab = state.withLock { $0.lab }
        let (rigs, slots) = try Self.build(lab, store: store, keeping: [:])
        state.withLock { state in
            state.rigs = rigs
            state.slots = slots
        }
    }

    /// Switches the board to a reloaded lab (`riglog reload`): the rigs in `unchanged` keep what
    /// they show (values, alarms firing, attempts under way); changed and added rigs start
    /// empty, removed rigs go. Call it once the collector registered the new rigs in the store
    /// (``Collector/prepareReload(to:)``) and before their samples flow.
    public func reload(lab next: LabConfig, store: StoreDatabase, unchanged: Set<String>) throws {
        let kept = state.withLock { state in
            Dictionary(state.rigs.filter { unchanged.contains($0.state.rig) }.map { ($0.state.rig, $0) }, uniquingKeysWith: { first, _ in first })
        }
        let (rigs, slots) = try Self.build(next, store: store, keeping: kept)
        state.withLock { state in
            state.lab = next
            state.rigs = rigs
            state.slots = slots
            state.generation &+= 1
            state.version &+= 1
        }
    }

    /// Every rig of `lab` (those in `keeping` as they are) and the channel slots of all of them.
    private static func build(_ lab: LabConfig, store: StoreDatabase, keeping: [String: RigNow]) throws -> ([RigNow], [Slot]) {
        var rigs: [RigNow] = []
        var slots: [Slot] = []
        for rig in lab.rigs {
            let record = try store.rig(rig.id)
            let byName = Dictionary(record.channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let names = rig.profile.channels.map(\.name)
            for (position, channel) in rig.profile.channels.enumerated() {
                guard let stored = byName[channel.name] else { continue }
                let id = Int(stored.id)
                if id >= slots.count { slots += Array(repeating: Slot(rig: -1, position: -1, scale: 1, offset: 0), count: id + 1 - slots.count) }
                slots[id] = Slot(rig: Int32(rigs.count), position: Int32(position), scale: channel.scale, offset: channel.offset)
            }
            if let kept = keeping[rig.id] {
                rigs.append(kept)
                continue
            }
            rigs.append(RigNow(
                state: RigState(rig: rig.id, channels: names, values: Array(repeating: .nan, count: names.count), time: nil, alarms: [], attempts: []),
                alarmTrackers: try rig.profile.alarms.map { try AlarmTracker($0, channelNames: names) },
                attemptTrackers: try rig.profile.exercises.map { try AttemptTracker($0, channelNames: names) }))
        }
        return (rigs, slots)
    }

    /// Every rig's state now, in lab order.
    public func rigs() -> [RigState] { state.withLock { $0.rigs.map(\.state) } }

    /// Changes with every batch of samples.
    public var version: UInt64 { state.withLock { $0.version } }

    public func write(_ samples: UnsafeBufferPointer<Sample>) throws {
        state.withLock { state in
            for sample in samples {
                let id = Int(sample.channel)
                guard id < state.slots.count else { continue }
                let slot = state.slots[id]
                guard slot.rig >= 0 else { continue }
                let rig = Int(slot.rig)
                if state.rigs[rig].frameTime != sample.time {
                    Self.evaluate(&state.rigs[rig])
                    state.rigs[rig].frameTime = sample.time
                }
                // A batch's samples come rig by rig, so the last one listed is nearly always this one.
                if state.touched.last != rig && !state.touched.contains(rig) { state.touched.append(rig) }
                state.rigs[rig].state.values[Int(slot.position)] = sample.value(scale: slot.scale, offset: slot.offset)
            }
            // Only the rigs of this batch: every rig of the lab, for each connection's batch,
            // cost 64 x 64 checks a poll period at 64 rigs.
            for rig in state.touched { Self.evaluate(&state.rigs[rig]) }
            state.touched.removeAll(keepingCapacity: true)
            state.version &+= 1
        }
    }

    /// Runs the alarm and exercise rules on the rig's frame being assembled, once.
    private static func evaluate(_ rig: inout RigNow) {
        let time = rig.frameTime
        guard time != .min, rig.state.time != time else { return }
        rig.state.time = time
        for index in rig.alarmTrackers.indices {
            switch rig.alarmTrackers[index].observe(time: time, values: rig.state.values) {
            case .fired(let start, let at)?:
                let tracker = rig.alarmTrackers[index]
                rig.state.alarms.append(FiringAlarm(alarm: tracker.alarm, severity: tracker.severity, since: start, fired: at))
            case .ended(let record)?:
                rig.state.alarms.removeAll { $0.alarm == record.alarm }
            case nil:
                break
            }
        }
        for index in rig.attemptTrackers.indices {
            _ = rig.attemptTrackers[index].observe(time: time, values: rig.state.values)
        }
        // The list is rebuilt only when progress changed, so a steady frame allocates nothing.
        // Compared in place, field by field: copying each tracker (or building its progress) to
        // compare it retained its name and arrays, for every rig's every frame.
        var unchanged = true
        var listed = 0
        for index in rig.attemptTrackers.indices {
            guard let progress = rig.attemptTrackers[index].progress else { continue }
            guard listed < rig.state.attempts.count,
                  rig.state.attempts[listed].reached == progress.stepsReached,
                  rig.state.attempts[listed].since == progress.start,
                  rig.state.attempts[listed].steps == rig.attemptTrackers[index].stepCount,
                  rig.state.attempts[listed].exercise == rig.attemptTrackers[index].exercise
            else { unchanged = false; break }
            listed += 1
        }
        if unchanged && listed == rig.state.attempts.count { return }
        rig.state.attempts = rig.attemptTrackers.compactMap { tracker in
            tracker.progress.map { AttemptProgress(exercise: tracker.exercise, reached: $0.stepsReached, steps: tracker.stepCount, since: $0.start) }
        }
    }
}
