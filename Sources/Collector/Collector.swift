public import Ingest
public import Modbus
public import RigProfiles
public import Store
import Threads

/// A running lab: one worker per connection, their rings drained into the store.
///
/// TCP connections given by IP address are polled together from a few event-loop threads
/// (``TCPEventLoop``, up to ``connectionsPerLoop`` connections each); serial lines and TCP
/// endpoints given by host name each keep a dedicated thread (DESIGN.md, "Threads and
/// libmodbus").
///
/// ```swift
/// let lab = try LabLoader.load(path: "lab.yaml")
/// let store = try StoreDatabase.open(folder: lab.dataPath)
/// let collector = try Collector(lab: lab, store: store)
/// collector.start()
/// // ...
/// collector.stop()   // workers stopped, rings drained, chunks written, open gaps closed
/// ```
///
/// Everything is validated and registered in `init` (rigs, channels, the lab config and
/// profile texts the data is collected with), before anything connects.
///
/// A reload (``prepareReload(to:)`` then ``applyReload(_:)``) changes the running lab in
/// place: workers of unchanged connections are not touched, changed ones switch rigs at a poll
/// boundary, new connections get workers, and workers no rig uses any more are retired.
public final class Collector: Sendable {
    /// What runs now; a reload replaces it.
    private struct Running: Sendable {
        var lab: LabConfig
        var workers: [ConnectionWorker]
        var loops: [TCPEventLoop]
        /// Workers a reload stopped: their statistics still count in the run's totals.
        var retired: [ConnectionWorker] = []
        /// The rigs whose frames are traced (`--trace`, then the admin's toggle).
        var traced: Set<String>
        var started = false
    }

    public let store: StoreDatabase
    public let events: CollectorEventQueue
    private let drainer: Drainer
    private let recorder: EventRecorder
    private let running: Mutex<Running>
    private let options: ModbusClientOptions
    /// Where traced frames go (`--trace`'s output, else standard error).
    private let traceOutput: @Sendable (FrameTracer.Frame) -> Void
    /// The timeouts device identification asks with (the polls' own).
    let identificationOptions: ModbusClientOptions
    let onStoreError: @Sendable (any Error) -> Void
    /// How many connections one event-loop thread polls: 64 rigs get two threads, one per core
    /// of a lab PC. With one, the simulator's or devices' threads woken by its sends preempt it
    /// mid-burst and the last sends start late (64 rigs at 100 Hz: 89-91% of polls within 2 ms
    /// of their deadline with one loop, 92-94% with two, for 0.06 core more).
    static let connectionsPerLoop = 32

    /// - Parameters:
    ///   - sinks: more consumers of every sample batch (the practice evaluator, the web's live
    ///     feed), after the store's chunk writer.
    ///   - onError: told of store failures on the background threads.
    ///   - trace: the rigs whose every frame is traced (`collect --trace`), and where to.
    ///   - writer: the store's chunk writer's settings (rollups off only to measure their cost).
    public init(lab: LabConfig, store: StoreDatabase, options: ModbusClientOptions = ModbusClientOptions(),
                sinks: [any SampleSink] = [], onError: @escaping @Sendable (any Error) -> Void = { _ in },
                trace: FrameTraceSettings? = nil, writer: ChunkWriter.Configuration = ChunkWriter.Configuration()) throws(StoreError) {
        self.store = store
        identificationOptions = options
        onStoreError = onError
        try store.setLabSetting(.timeZone, lab.timeZoneIdentifier)
        try store.setLabSetting(.labName, lab.name)
        try store.storeConfigVersion(kind: .lab, name: lab.name, content: lab.sourceText)
        let compiled = try Self.register(lab.rigs, in: store)
        let events = CollectorEventQueue()
        self.events = events
        self.options = options
        traceOutput = trace?.output ?? FrameTracer.standardError
        let workers = lab.connections.map { connection in
            Self.worker(for: connection, compiled: compiled, events: events, options: options, trace: trace)
        }
        drainer = Drainer(sinks: [ChunkWriter(store: store, configuration: writer)] + sinks, onError: onError)
        for worker in workers { drainer.register(worker.ring) }
        recorder = EventRecorder(queue: events, store: store, onError: onError)
        running = Mutex(Running(lab: lab, workers: workers, loops: Self.loops(for: workers), traced: trace?.rigs ?? []))
    }

    /// The lab config being collected (the one last reloaded).
    public var lab: LabConfig { running.withLock { $0.lab } }

    /// One worker per connection of ``lab``.
    public var workers: [ConnectionWorker] { running.withLock { $0.workers } }

    /// Registers `rigs` (their channels and the profile version each is collected with).
    private static func register(_ rigs: [Rig], in store: StoreDatabase) throws(StoreError) -> [String: CompiledRig] {
        var compiled: [String: CompiledRig] = [:]
        for rig in rigs {
            let ids = try store.register(rig: RigDefinition(id: rig.id, name: rig.name, profile: rig.profile.name),
                                         channels: CompiledRig.channelDefinitions(of: rig))
            try store.recordProfileVersion(rig: rig.id, profile: rig.profile.name, content: rig.profile.sourceText)
            compiled[rig.id] = CompiledRig(rig: rig, channelIDs: ids)
        }
        return compiled
    }

    private static func worker(for connection: LabConnection, compiled: [String: CompiledRig], events: CollectorEventQueue,
                               options: ModbusClientOptions, trace: FrameTraceSettings?) -> ConnectionWorker {
        let rigs = connection.rigs.map { compiled[$0.id]! }
        return ConnectionWorker(endpoint: connection.endpoint, rigs: rigs,
                                ring: SampleRing(capacity: Self.ringCapacity(for: rigs)), events: events, options: options,
                                tracer: trace?.tracer(for: connection.rigs))
    }

    /// The event loops for the multiplexed ones of `workers`, ``connectionsPerLoop`` each.
    private static func loops(for workers: [ConnectionWorker]) -> [TCPEventLoop] {
        let multiplexed = workers.filter(\.isMultiplexed)
        return stride(from: 0, to: multiplexed.count, by: Self.connectionsPerLoop).map { first in
            TCPEventLoop(workers: Array(multiplexed[first..<min(first + Self.connectionsPerLoop, multiplexed.count)]))
        }
    }

    /// Starts the drain loop, the event recorder and every worker.
    public func start() {
        drainer.start()
        recorder.start()
        running.withLock { running in
            for loop in running.loops { loop.start() }
            for worker in running.workers where !worker.isMultiplexed { worker.start() }
            running.started = true
        }
    }

    /// Stops cleanly: workers first (closing open gaps), then the event recorder, then the
    /// drainer, which empties every ring and flushes the last chunks.
    public func stop() {
        let (loops, workers) = running.withLock { running in
            running.started = false
            return (running.loops, running.workers)
        }
        for loop in loops { loop.stop() }
        for worker in workers where !worker.isMultiplexed { worker.stop() }
        recorder.stop()
        drainer.stop()
    }

    // MARK: - Reload

    /// A reload checked against the running lab, its rigs registered in the store, ready for
    /// ``Collector/applyReload(_:)``.
    public struct PreparedReload: Sendable {
        public let plan: LabReloadPlan
        public let lab: LabConfig
        fileprivate let compiled: [String: CompiledRig]
    }

    /// Plans the switch to `next` and registers its changed and added rigs (new channels, the
    /// profile version they are collected with from now on) and the new lab config text. Nothing
    /// polls differently yet: the evaluator learns the new rigs in between (their channel ids),
    /// so their first samples have a rig to go to.
    ///
    /// Throws only store errors; a plan with ``LabReloadPlan/needsRestart`` is the caller's to
    /// refuse before calling this.
    public func prepareReload(to next: LabConfig) throws(StoreError) -> PreparedReload {
        let plan = LabReloadPlan(running: lab, next: next)
        let touched = Set(plan.changed + plan.added)
        let compiled = try Self.register(next.rigs.filter { touched.contains($0.id) }, in: store)
        if !plan.isEmpty { try store.storeConfigVersion(kind: .lab, name: next.name, content: next.sourceText) }
        return PreparedReload(plan: plan, lab: next, compiled: compiled)
    }

    /// Applies a prepared reload: connections whose rigs are all unchanged are not touched;
    /// changed ones switch at their next poll boundary; new ones start; unused ones stop after
    /// their request in flight (their open gaps closed, their samples drained as usual).
    ///
    /// Blocking (it waits for retired workers to let go): call it from a dedicated thread.
    public func applyReload(_ prepared: PreparedReload) {
        var compiled = prepared.compiled
        let current = workers
        for worker in current {
            for rig in worker.rigs where compiled[rig.id] == nil { compiled[rig.id] = rig }
        }
        let byEndpoint = Dictionary(current.map { ($0.endpoint, $0) }, uniquingKeysWith: { first, _ in first })
        let trace = FrameTraceSettings(rigs: tracedRigs, output: traceOutput)
        var started: [ConnectionWorker] = [], stopped: [ConnectionWorker] = []
        for action in prepared.plan.connections {
            switch action {
            case .keep:
                break
            case .reconfigure(let connection):
                let rigs = connection.rigs.map { compiled[$0.id]! }
                byEndpoint[connection.endpoint]?.reconfigure(rigs: rigs)
                byEndpoint[connection.endpoint]?.setTracer(trace.tracer(for: rigs))
            case .start(let connection):
                let worker = Self.worker(for: connection, compiled: compiled, events: events, options: options, trace: trace)
                drainer.register(worker.ring)
                started.append(worker)
            case .stop(let endpoint):
                if let worker = byEndpoint[endpoint] { stopped.append(worker) }
            }
        }
        for worker in stopped { worker.retire() }
        let gone = Set(stopped.map(ObjectIdentifier.init))
        running.withLock { running in
            running.lab = prepared.lab
            running.workers = running.workers.filter { !gone.contains(ObjectIdentifier($0)) } + started
            running.retired += stopped
            let loops = Self.loops(for: started)
            running.loops += loops
            if running.started {
                for loop in loops { loop.start() }
                for worker in started where !worker.isMultiplexed { worker.start() }
            }
        }
    }

    // MARK: - Live frame trace

    /// The rigs whose every frame is traced now.
    public var tracedRigs: Set<String> { running.withLock { $0.traced } }

    /// Starts or stops tracing `rig`'s frames (the admin's toggle on its page), from its
    /// connection's next poll boundary, without a restart. Only that connection's reader gets
    /// a tracer (or loses it); the others do no tracing work. Returns false for a rig the lab
    /// does not have.
    @discardableResult
    public func setTrace(rig: String, on: Bool) -> Bool {
        let found: (workers: [ConnectionWorker], traced: Set<String>)? = running.withLock { running in
            guard running.lab.rig(id: rig) != nil else { return nil }
            if on { running.traced.insert(rig) } else { running.traced.remove(rig) }
            return (running.workers, running.traced)
        }
        guard let (workers, traced) = found else { return false }
        let settings = FrameTraceSettings(rigs: traced, output: traceOutput)
        for worker in workers {
            let rigs = worker.rigs
            if rigs.contains(where: { $0.id == rig }) { worker.setTracer(settings.tracer(for: rigs)) }
        }
        return true
    }

    /// Samples dropped because a ring was full, over all workers (retired ones included).
    public var droppedSamples: Int { running.withLock { $0.workers + $0.retired }.reduce(0) { $0 + $1.ring.droppedCount } }

    /// Samples handed to the sinks (the store) so far.
    public var storedSamples: Int { drainer.deliveredCount }

    /// Every rig's statistics.
    public var statistics: [RigStatistics] { workers.flatMap(\.statistics) }

    /// The statistics of every rig polled in this run, those a reload removed included: the
    /// run's totals.
    public var allStatistics: [RigStatistics] {
        let (workers, retired) = running.withLock { ($0.workers, $0.retired) }
        return workers.flatMap(\.allStatistics) + retired.flatMap(\.allStatistics)
    }

    /// Two seconds of the connection's samples, as a power of two between 4096 and 65536: room
    /// for the drainer to fall behind briefly without a day-long ring on every worker.
    static func ringCapacity(for rigs: [CompiledRig]) -> Int {
        var perSecond = 0.0
        for rig in rigs {
            for request in rig.requests {
                perSecond += Double(request.fields.count) / max(request.interval.seconds, 0.000_1)
            }
        }
        var capacity = 4096
        while Double(capacity) < perSecond * 2 && capacity < 65_536 { capacity *= 2 }
        return capacity
    }
}
