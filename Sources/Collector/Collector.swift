public import Ingest
public import Modbus
public import RigProfiles
public import Store

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
public final class Collector: Sendable {
    public let lab: LabConfig
    public let store: StoreDatabase
    public let workers: [ConnectionWorker]
    public let events: CollectorEventQueue
    private let drainer: Drainer
    private let recorder: EventRecorder
    private let loops: [TCPEventLoop]
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
    public init(lab: LabConfig, store: StoreDatabase, options: ModbusClientOptions = ModbusClientOptions(),
                sinks: [any SampleSink] = [], onError: @escaping @Sendable (any Error) -> Void = { _ in },
                trace: FrameTraceSettings? = nil) throws(StoreError) {
        self.lab = lab
        self.store = store
        identificationOptions = options
        onStoreError = onError
        try store.setLabSetting(.timeZone, lab.timeZoneIdentifier)
        try store.setLabSetting(.labName, lab.name)
        try store.storeConfigVersion(kind: .lab, name: lab.name, content: lab.sourceText)
        var compiled: [String: CompiledRig] = [:]
        for rig in lab.rigs {
            let ids = try store.register(rig: RigDefinition(id: rig.id, name: rig.name, profile: rig.profile.name),
                                         channels: CompiledRig.channelDefinitions(of: rig))
            try store.recordProfileVersion(rig: rig.id, profile: rig.profile.name, content: rig.profile.sourceText)
            compiled[rig.id] = CompiledRig(rig: rig, channelIDs: ids)
        }
        let events = CollectorEventQueue()
        self.events = events
        workers = lab.connections.map { connection in
            let rigs = connection.rigs.map { compiled[$0.id]! }
            return ConnectionWorker(endpoint: connection.endpoint, rigs: rigs,
                                    ring: SampleRing(capacity: Self.ringCapacity(for: rigs)), events: events, options: options,
                                    tracer: trace?.tracer(for: connection.rigs))
        }
        let multiplexed = workers.filter(\.isMultiplexed)
        loops = stride(from: 0, to: multiplexed.count, by: Self.connectionsPerLoop).map { first in
            TCPEventLoop(workers: Array(multiplexed[first..<min(first + Self.connectionsPerLoop, multiplexed.count)]))
        }
        drainer = Drainer(sinks: [ChunkWriter(store: store)] + sinks, onError: onError)
        for worker in workers { drainer.register(worker.ring) }
        recorder = EventRecorder(queue: events, store: store, onError: onError)
    }

    /// Starts the drain loop, the event recorder and every worker.
    public func start() {
        drainer.start()
        recorder.start()
        for loop in loops { loop.start() }
        for worker in workers where !worker.isMultiplexed { worker.start() }
    }

    /// Stops cleanly: workers first (closing open gaps), then the event recorder, then the
    /// drainer, which empties every ring and flushes the last chunks.
    public func stop() {
        for loop in loops { loop.stop() }
        for worker in workers where !worker.isMultiplexed { worker.stop() }
        recorder.stop()
        drainer.stop()
    }

    /// Samples dropped because a ring was full, over all workers.
    public var droppedSamples: Int { workers.reduce(0) { $0 + $1.ring.droppedCount } }

    /// Samples handed to the sinks (the store) so far.
    public var storedSamples: Int { drainer.deliveredCount }

    /// Every rig's statistics.
    public var statistics: [RigStatistics] { workers.flatMap(\.statistics) }

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
