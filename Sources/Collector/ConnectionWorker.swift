import Dispatch
public import Ingest
public import Modbus
import RigProfiles
import struct Synchronization.Atomic
import Threads

/// Polls every rig behind one connection (a TCP endpoint or a serial bus).
///
/// Requests of all its rigs share one ``PollSchedule`` and go out one at a time, keeping each
/// device's `pause_between_requests` between two requests to it (other units' requests may go
/// in between) and, on a serial line, the inter-frame gap between any two frames. Each response
/// becomes one frame of samples stamped with the wall-clock time it arrived, pushed into the
/// worker's ring; a full ring drops and counts, the worker never waits. Failures become gaps
/// (``OutageTracker``): a connection failure stops every rig on it and reconnects with
/// ``ReconnectBackoff``; a rig that fails twice in a row while the connection works (a dead unit
/// behind a gateway) backs off alone, so it costs its neighbours one timeout per backoff period,
/// not one per poll.
///
/// The ``Collector`` runs the workers of TCP endpoints given by IP address
/// (``isMultiplexed``) together on a few event-loop threads; ``start()`` runs this one alone on
/// a dedicated thread with a blocking ``ModbusReader``, which is how serial lines (and TCP
/// endpoints given by host name, whose lookup blocks) are polled. Either way the logic is the
/// same ``ConnectionPoller``.
///
/// A reload hands the worker other rigs with ``reconfigure(rigs:)``; its poller takes them at
/// its next poll boundary, keeping the connection open (DESIGN.md, "Reload").
///
/// The worker only reads: its readers cannot write.
public final class ConnectionWorker: Sendable {
    /// The rigs and their statistics as last handed to the worker.
    struct Configuration: Sendable {
        var rigs: [CompiledRig]
        var statistics: [RigStatistics]
    }

    public let endpoint: ModbusEndpoint
    public let ring: SampleRing
    private let configuration: Mutex<Configuration>
    /// Rigs given by a reload that the poller has not taken yet.
    private let pending = Mutex<Configuration?>(nil)
    private let hasPending = Atomic<Bool>(false)
    /// Statistics of rigs a reload took off this connection (they still count in totals).
    private let retired = Mutex<[RigStatistics]>([])
    /// Signalled by an event loop once it has let go of this connection after ``retire()``.
    private let released = DispatchSemaphore(value: 0)
    private let options: ModbusClientOptions
    /// Reports the frames of the traced rigs on this connection; nil when none is traced.
    package var tracer: FrameTracer? { tracing.withLock { $0 } }
    private let tracing: Mutex<FrameTracer?>
    /// Set when ``setTracer(_:)`` gave a tracer the driver has not taken yet.
    private let tracerChanged = Atomic<Bool>(false)
    private let events: CollectorEventQueue
    private let stopRequested = Atomic<Bool>(false)
    private let thread = Mutex<DedicatedThread?>(nil)

    /// - Parameter tracer: reports every frame of the units it names (`collect --trace`).
    public init(endpoint: ModbusEndpoint, rigs: [CompiledRig], ring: SampleRing, events: CollectorEventQueue,
                options: ModbusClientOptions = ModbusClientOptions(), tracer: FrameTracer? = nil) {
        tracing = Mutex(tracer)
        self.endpoint = endpoint
        self.ring = ring
        self.events = events
        // A bus's own timeouts (its URL's timeout= and byte_timeout=) replace the collector's.
        var options = options
        if let timing = endpoint.busTiming {
            if let t = timing.responseTimeout { options.responseTimeout = t }
            if let t = timing.byteTimeout { options.byteTimeout = t }
        }
        self.options = options
        configuration = Mutex(Configuration(rigs: rigs, statistics: rigs.map { RigStatistics(rig: $0.id) }))
    }

    /// The rigs behind this connection, as last configured.
    public var rigs: [CompiledRig] { configuration.withLock { $0.rigs } }

    /// One per rig, in the order of ``rigs``.
    public var statistics: [RigStatistics] { configuration.withLock { $0.statistics } }

    /// Statistics of every rig this worker ever polled, those a reload took off included.
    public var allStatistics: [RigStatistics] { statistics + retired.withLock { $0 } }

    var current: Configuration { configuration.withLock { $0 } }

    /// Polls `rigs` from the next poll boundary on: a rig of the same id keeps its statistics
    /// (and, in the poller, its gap and backoff state); a rig no longer given stops, its open
    /// gap closed. The connection stays open.
    public func reconfigure(rigs: [CompiledRig]) {
        let next = configuration.withLock { configuration in
            let byID = Dictionary(configuration.statistics.map { ($0.rig, $0) }, uniquingKeysWith: { first, _ in first })
            let kept = Set(rigs.map(\.id))
            let dropped = configuration.statistics.filter { !kept.contains($0.rig) }
            retired.withLock { $0 += dropped }
            configuration = Configuration(rigs: rigs, statistics: rigs.map { byID[$0.id] ?? RigStatistics(rig: $0.id) })
            return configuration
        }
        pending.withLock { $0 = next }
        hasPending.store(true, ordering: .releasing)
    }

    /// What a reload handed over since the poller last asked; nil when nothing (one atomic
    /// load: the poller asks at every poll boundary).
    func takeReconfiguration() -> Configuration? {
        guard hasPending.load(ordering: .acquiring) else { return nil }
        return pending.withLock { p in
            defer { p = nil }
            hasPending.store(false, ordering: .releasing)
            return p
        }
    }

    /// A tracer a driver hands its reader between two requests.
    struct TracerChange {
        var tracer: FrameTracer?
    }

    /// Traces this connection's frames with `tracer` (nil: none) from its next poll boundary:
    /// the admin's toggle, applied without a restart.
    func setTracer(_ tracer: FrameTracer?) {
        tracing.withLock { $0 = tracer }
        tracerChanged.store(true, ordering: .releasing)
    }

    /// The tracer ``setTracer(_:)`` gave since the driver last asked; nil when none (one
    /// atomic load: drivers ask between requests).
    func takeTracerChange() -> TracerChange? {
        guard tracerChanged.load(ordering: .acquiring) else { return nil }
        tracerChanged.store(false, ordering: .releasing)
        return TracerChange(tracer: tracer)
    }

    /// True once ``stop()`` or ``retire()`` was asked.
    var isStopRequested: Bool { stopRequested.load(ordering: .acquiring) }

    /// Stops this one connection while the rest of the collector runs (a reload removed it):
    /// after the request in flight is answered or times out, so no answered poll is dropped;
    /// its open gaps close. Blocks until then.
    public func retire() {
        if isMultiplexed {
            stopRequested.store(true, ordering: .releasing)
            // The loop lets go at its next wake-up (at most its longest wait plus a timeout).
            _ = released.wait(timeout: .now() + .seconds(30))
        } else {
            stop()
        }
    }

    /// Called by the event loop once it has closed this connection after ``retire()``.
    func releasedByLoop() { released.signal() }

    /// True for a TCP endpoint given by IP address: it can share an event-loop thread, since
    /// nothing about it blocks (a host name needs a lookup, a serial line blocking reads).
    public var isMultiplexed: Bool {
        if case .tcp(let host, _) = endpoint { NonblockingTCPReader.isNumericHost(host) } else { false }
    }

    /// Starts polling on a dedicated thread.
    public func start() {
        let started = DedicatedThread(name: "rig \(rigs.first?.id ?? "?")") { [self] in
            runBlocking()
        }
        thread.withLock { $0 = started }
    }

    /// Stops polling, closes the rigs' open gaps at the stop time and waits for the thread.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        let running = thread.withLock { t in
            defer { t = nil }
            return t
        }
        running?.join()
    }

    func post(_ event: CollectorEvent) { events.post(event) }
    package var clientOptions: ModbusClientOptions { options }

    /// The dedicated thread's loop: the poller's actions, done with blocking calls. A wait is
    /// slept in slices, so a stop request is honoured within 100 ms.
    private func runBlocking() {
        let poller = ConnectionPoller(worker: self, start: MonotonicInstant.now.nanoseconds)
        let reader = ModbusReader(endpoint: endpoint, options: options, tracer: tracer)
        defer {
            reader.close()
            poller.stop(wall: WallClock.nanoseconds())
        }
        while !stopRequested.load(ordering: .acquiring) {
            if let change = takeTracerChange() { reader.tracer = change.tracer }
            let now = MonotonicInstant.now.nanoseconds
            switch poller.next(now: now) {
            case .wait(let until):
                MonotonicInstant(nanoseconds: min(until, now + 100_000_000)).sleepUntil()
            case .connect:
                do {
                    try reader.connect()
                    poller.connected(at: MonotonicInstant.now.nanoseconds)
                } catch {
                    poller.connectFailed(error, now: MonotonicInstant.now.nanoseconds, wall: WallClock.nanoseconds())
                }
            case .send(let poll):
                let request = poller.request(of: poll)
                do {
                    if request.kind.isBit {
                        try reader.readBits(request, timeout: poller.timeout(of: poll), into: poller.bits)
                    } else {
                        try reader.readRegisters(request, timeout: poller.timeout(of: poll), into: poller.registers)
                    }
                    poller.answered(poll, now: MonotonicInstant.now.nanoseconds, wall: WallClock.nanoseconds())
                } catch {
                    poller.failed(poll, error, now: MonotonicInstant.now.nanoseconds, wall: WallClock.nanoseconds())
                    // A timeout or mismatch closes a TCP reader: the next action reconnects.
                    if !reader.isConnected { poller.connectionClosed() }
                    if !poller.isConnected { reader.close() }
                }
            }
        }
    }
}
