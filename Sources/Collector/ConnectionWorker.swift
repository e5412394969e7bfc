public import Ingest
public import Modbus
import RigProfiles
import Synchronization

/// Polls every rig behind one connection (a TCP endpoint or a serial bus) on its own thread.
///
/// Requests of all its rigs share one ``PollSchedule`` and go out one at a time, keeping each
/// device's `pause_between_requests` between two requests to it (other units' requests may go
/// in between) and, on a serial line, the inter-frame gap between any two frames. Each response becomes one frame of samples stamped with the wall-clock time
/// it arrived, pushed into the worker's ring; a full ring drops and counts, the worker never
/// waits. Failures become gaps (``OutageTracker``): a connection failure stops every rig on it
/// and reconnects with ``ReconnectBackoff``; a rig that fails twice in a row while the
/// connection works (a dead unit behind a gateway) backs off alone, so it costs its neighbours
/// one timeout per backoff period, not one per poll.
///
/// The worker only reads: it holds a ``ModbusReader``, which cannot write.
public final class ConnectionWorker: Sendable {
    public let endpoint: ModbusEndpoint
    public let rigs: [CompiledRig]
    public let ring: SampleRing
    /// One per rig, in the order of ``rigs``.
    public let statistics: [RigStatistics]
    private let options: ModbusClientOptions
    private let events: CollectorEventQueue
    private let stopRequested = Atomic<Bool>(false)
    private let thread = Mutex<ModbusThread?>(nil)

    public init(endpoint: ModbusEndpoint, rigs: [CompiledRig], ring: SampleRing, events: CollectorEventQueue,
                options: ModbusClientOptions = ModbusClientOptions()) {
        self.endpoint = endpoint
        self.rigs = rigs
        self.ring = ring
        self.events = events
        self.options = options
        statistics = rigs.map { RigStatistics(rig: $0.id) }
    }

    /// Starts polling on a dedicated thread.
    public func start() {
        let started = ModbusThread(name: "rig \(rigs.first?.id ?? "?")") { [self] in
            var loop = PollLoop(worker: self)
            loop.run()
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

    var isStopping: Bool { stopRequested.load(ordering: .acquiring) }

    fileprivate func post(_ event: CollectorEvent) { events.post(event) }
    fileprivate var clientOptions: ModbusClientOptions { options }
}

/// The worker thread's state: everything here lives on that one thread.
private struct PollLoop {
    struct Scheduled {
        var rig: Int
        var request: Int
    }

    struct RigState {
        var outage = OutageTracker()
        var backoff = ReconnectBackoff()
        var retryAt: MonotonicInstant?
        var failuresInARow = 0
        var badge: Int64?
        /// The earliest time this rig's device takes its next request (`pause_between_requests`).
        var nextAllowed = MonotonicInstant(nanoseconds: 0)
    }

    let worker: ConnectionWorker
    let reader: ModbusReader
    var schedule: PollSchedule<MonotonicInstant>
    let order: [Scheduled]
    var states: [RigState]
    var connectionBackoff = ReconnectBackoff()
    var connectionRetryAt: MonotonicInstant?
    var random = SystemRandomNumberGenerator()
    let registers = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: 125)
    let bits = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 2000)
    let frame: UnsafeMutableBufferPointer<Sample>
    /// The earliest time the next request may go out on this connection (the serial frame gap).
    var nextAllowed = MonotonicInstant.now
    let frameGap: Duration

    init(worker: ConnectionWorker) {
        self.worker = worker
        reader = ModbusReader(endpoint: worker.endpoint, options: worker.clientOptions)
        order = worker.rigs.enumerated().flatMap { r, rig in rig.requests.indices.map { Scheduled(rig: r, request: $0) } }
        let intervals = order.map { worker.rigs[$0.rig].requests[$0.request].interval }
        schedule = PollSchedule(intervals: intervals, start: .now)
        states = Array(repeating: RigState(), count: worker.rigs.count)
        let widest = worker.rigs.flatMap(\.requests).map(\.fields.count).max() ?? 1
        frame = .allocate(capacity: max(widest, 1))
        if case .rtu(let line) = worker.endpoint {
            frameGap = .microseconds(line.interFrameGapMicroseconds)
        } else {
            frameGap = .zero
        }
    }

    mutating func run() {
        defer {
            registers.deallocate(); bits.deallocate(); frame.deallocate()
            reader.close()
            let now = WallClock.nanoseconds()
            for r in states.indices { if let e = states[r].outage.stop(at: now) { post(r, e) } }
        }
        guard !order.isEmpty else { return }
        while !worker.isStopping {
            if let retry = connectionRetryAt {
                guard wait(until: retry) else { return }
                connectionRetryAt = nil
            }
            if !reader.isConnected {
                guard connect() else { continue }
            }
            let (group, deadline) = schedule.nextDue()
            let job = order[group]
            guard wait(until: max(deadline, nextAllowed, states[job.rig].nextAllowed)) else { return }
            let now = MonotonicInstant.now
            if let retry = states[job.rig].retryAt, now < retry {
                schedule.resume(group: group, at: now)
                continue
            }
            poll(job, lateness: schedule.lateness(of: group, startingAt: now), started: now)
            let end = MonotonicInstant.now
            nextAllowed = end.advanced(by: frameGap)
            states[job.rig].nextAllowed = end.advanced(by: worker.rigs[job.rig].limits.pauseBetweenRequests)
            worker.statistics[job.rig].skipped(schedule.completed(group, at: end))
        }
    }

    /// Opens the connection, waits out the devices' `pause_after_connect`, and puts the
    /// schedule back on its grid: slots that passed while connecting are not overruns.
    mutating func connect() -> Bool {
        do {
            try reader.connect()
        } catch {
            failed(0, error, time: WallClock.nanoseconds())
            return false
        }
        let pause = worker.rigs.map(\.limits.pauseAfterConnect).max() ?? .zero
        if pause > .zero, !wait(until: MonotonicInstant.now.advanced(by: pause)) { return false }
        schedule.resume(at: .now)
        return true
    }

    /// Sleeps until `instant` in slices, so a stop request is honoured within 100 ms.
    /// Returns false when stopping.
    func wait(until instant: MonotonicInstant) -> Bool {
        while true {
            if worker.isStopping { return false }
            let now = MonotonicInstant.now
            if now >= instant { return true }
            min(instant, now.advanced(by: .milliseconds(100))).sleepUntil()
        }
    }

    mutating func poll(_ job: Scheduled, lateness: Duration, started: MonotonicInstant) {
        let rig = worker.rigs[job.rig]
        let request = rig.requests[job.request]
        do {
            let count: Int
            if request.kind.isBit {
                try reader.readBits(request.kind, unit: rig.unit, address: request.start, count: request.count, into: bits)
                count = frameFromBits(request, time: WallClock.nanoseconds())
            } else {
                try reader.readRegisters(request.kind, unit: rig.unit, address: request.start, count: request.count, into: registers)
                count = frameFromRegisters(request, rig: job.rig, time: WallClock.nanoseconds())
            }
            _ = worker.ring.push(frame: UnsafeBufferPointer(rebasing: frame[0..<count]))
            succeeded(job.rig, time: frame[0].time)
            worker.statistics[job.rig].polled(samples: count, latency: started.duration(to: .now),
                                              lateness: lateness, interval: request.interval)
        } catch {
            failed(job.rig, error, time: WallClock.nanoseconds())
        }
    }

    func frameFromBits(_ request: CompiledRig.Request, time: Int64) -> Int {
        for (i, field) in request.fields.enumerated() {
            frame[i] = Sample(channel: field.channel, time: time, bool: bits[field.offset] != 0)
        }
        return request.fields.count
    }

    mutating func frameFromRegisters(_ request: CompiledRig.Request, rig: Int, time: Int64) -> Int {
        let response = UnsafeBufferPointer(registers)
        for (i, field) in request.fields.enumerated() {
            let sample = field.sample(from: response, time: time)
            frame[i] = sample
            if field.isOperator, states[rig].badge != sample.raw {
                states[rig].badge = sample.raw
                worker.post(.operatorChanged(rig: worker.rigs[rig].id, badge: sample.raw, time: time))
            }
        }
        return request.fields.count
    }

    mutating func succeeded(_ rig: Int, time: Int64) {
        connectionBackoff.succeeded()
        states[rig].failuresInARow = 0
        states[rig].backoff.succeeded()
        states[rig].retryAt = nil
        if let event = states[rig].outage.succeeded(at: time) { post(rig, event) }
    }

    mutating func failed(_ rig: Int, _ error: ModbusError, time: Int64) {
        let reason = Self.reason(error)
        if error.category == .connection {
            // Nothing on this connection can be read: every rig is in the gap.
            reader.close()
            for r in states.indices {
                if let event = states[r].outage.failed(at: time, reason: reason) { post(r, event) }
                worker.statistics[r].failed(error.category.rawValue, down: true, degraded: connectionBackoff.isDegraded)
            }
            connectionRetryAt = MonotonicInstant.now.advanced(by: connectionBackoff.failed(using: &random))
            return
        }
        if let event = states[rig].outage.failed(at: time, reason: reason) { post(rig, event) }
        states[rig].failuresInARow += 1
        if states[rig].failuresInARow >= 2 {
            states[rig].retryAt = MonotonicInstant.now.advanced(by: states[rig].backoff.failed(using: &random))
        }
        worker.statistics[rig].failed(error.category.rawValue, down: true, degraded: states[rig].backoff.isDegraded)
    }

    func post(_ rig: Int, _ event: OutageTracker.Event) {
        let id = worker.rigs[rig].id
        switch event {
        case .opened(let start, let reason): worker.post(.gapOpened(rig: id, start: start, reason: reason))
        case .closed(let start, let end, let reason): worker.post(.gapClosed(rig: id, start: start, end: end, reason: reason))
        }
    }

    /// A short reason for the gap record: the kind of failure, then the detail.
    static func reason(_ error: ModbusError) -> String {
        switch error {
        case .timeout(_, _, let after): "timeout: no reply within \(after.riglogText)"
        case .connectionRefused: "connection refused"
        case .connectTimeout: "connect timeout"
        case .connectionLost: "connection lost"
        case .exception(let exception, _): "exception: \(exception.name)"
        case .badCRC: "bad CRC"
        case .wrongUnit: "reply from the wrong unit"
        case .mismatchedReply(_, _, let detail): "mismatched reply: \(detail)"
        default: "\(error.category.rawValue): \(error)"
        }
    }
}
