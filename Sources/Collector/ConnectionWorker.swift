public import Ingest
public import Modbus
import RigProfiles
import Synchronization
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
/// The worker only reads: its readers cannot write.
public final class ConnectionWorker: Sendable {
    public let endpoint: ModbusEndpoint
    public let rigs: [CompiledRig]
    public let ring: SampleRing
    /// One per rig, in the order of ``rigs``.
    public let statistics: [RigStatistics]
    private let options: ModbusClientOptions
    /// Reports the frames of the traced rigs on this connection; nil when none is traced.
    package let tracer: FrameTracer?
    private let events: CollectorEventQueue
    private let stopRequested = Atomic<Bool>(false)
    private let thread = Mutex<DedicatedThread?>(nil)

    /// - Parameter tracer: reports every frame of the units it names (`collect --trace`).
    public init(endpoint: ModbusEndpoint, rigs: [CompiledRig], ring: SampleRing, events: CollectorEventQueue,
                options: ModbusClientOptions = ModbusClientOptions(), tracer: FrameTracer? = nil) {
        self.tracer = tracer
        self.endpoint = endpoint
        self.rigs = rigs
        self.ring = ring
        self.events = events
        // A bus's own timeouts (its URL's timeout= and byte_timeout=) replace the collector's.
        var options = options
        if let timing = endpoint.busTiming {
            if let t = timing.responseTimeout { options.responseTimeout = t }
            if let t = timing.byteTimeout { options.byteTimeout = t }
        }
        self.options = options
        statistics = rigs.map { RigStatistics(rig: $0.id) }
    }

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
