import Ingest
package import Modbus
import RigProfiles

/// What one connection does next and what its outcomes mean, without its I/O: the schedule,
/// the serial frame gap and each device's pause, reconnect backoff, per-rig backoff and
/// degraded probing, gap records, decoding and the ring. A driver owns the transport and asks
/// ``next(now:)`` what to do; it reports back with ``connected(at:)``, ``connectFailed(_:now:wall:)``,
/// ``answered(_:now:wall:)`` and ``failed(_:_:now:wall:)``.
///
/// Two drivers share it: ``ConnectionWorker``'s blocking thread (serial lines, and TCP
/// endpoints given by host name) and ``MultiplexedPoller``'s event loop (TCP endpoints given by
/// IP address, many per thread). Plain logic over CLOCK_MONOTONIC nanoseconds passed in, so it
/// is tested without sockets or sleeps.
///
/// Confined to its driver's thread. Its buffers are allocated once: answering a poll (decode,
/// ring push, statistics) allocates nothing.
package final class ConnectionPoller {
    /// One planned request of one rig.
    package struct Job: Sendable, Hashable {
        package var rig: Int
        package var request: Int

        package init(rig: Int, request: Int) {
            self.rig = rig
            self.request = request
        }
    }

    /// A request to send now, for a slot of the schedule.
    package struct Poll: Sendable, Hashable {
        var group: Int
        package var job: Job
        /// When it was sent (CLOCK_MONOTONIC ns).
        var started: Int64
        /// How late that was for its slot (ns, zero if on time).
        package var lateness: Int64
    }

    package enum Action: Sendable, Hashable {
        /// Open the connection now.
        case connect
        /// Send this request now.
        case send(Poll)
        /// Nothing to do before this instant (CLOCK_MONOTONIC ns).
        case wait(until: Int64)
    }

    /// One group's request, planned once per configuration.
    final class Plan {
        let request: CompiledRig.Request
        let read: ReadRequest

        init(rig: CompiledRig, request: CompiledRig.Request) {
            self.request = request
            read = ReadRequest(kind: request.kind, unit: rig.unit, address: request.start, count: request.count,
                               replyUnit: rig.replyUnit)
        }
    }

    struct RigState {
        var outage = OutageTracker()
        var backoff = ReconnectBackoff()
        var retryAt: Int64?
        var failuresInARow = 0
        var badge: Int64?
        /// The earliest time this rig's device takes its next request (`pause_between_requests`).
        var nextAllowed = Int64.min
    }

    let worker: ConnectionWorker
    /// The rigs polled now: the worker's, up to the poll boundary where a reload's are taken.
    package private(set) var rigs: [CompiledRig]
    /// One per rig of ``rigs``.
    private var statistics: [RigStatistics]
    private(set) var order: [Job]
    /// What each group of ``order`` reads, built once: answering a poll borrows it instead of
    /// copying the rig's request (whose arrays cost a retain and a release each, every poll).
    private var plans: [Plan]
    private(set) var schedule: PollSchedule<MonotonicInstant>
    private(set) var states: [RigState]
    /// True between a successful connect and a failure that closed the transport.
    private(set) var isConnected = false
    private var connectionBackoff = ReconnectBackoff()
    private var connectionRetryAt: Int64?
    private var pauseUntil: Int64?
    /// The earliest time the next request may go out on this connection (the serial frame gap).
    private var nextAllowed = Int64.min
    private let frameGap: Int64
    private var pauseAfterConnect: Int64
    private var pauses: [Int64]
    private var random = SystemRandomNumberGenerator()
    /// Where the driver puts a register reply before ``answered(_:now:wall:)``.
    package let registers = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: 125)
    /// Where the driver puts a bit reply (one byte per bit) before ``answered(_:now:wall:)``.
    let bits = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 2000)
    private var frame: UnsafeMutableBufferPointer<Sample>
    /// The text channels' last registers: a text is posted when it changes, not per poll.
    private var texts: TextWatch

    /// - Parameter start: where slot 0 of every request falls (CLOCK_MONOTONIC ns).
    package init(worker: ConnectionWorker, start: Int64) {
        self.worker = worker
        let configuration = worker.current
        rigs = configuration.rigs
        statistics = configuration.statistics
        order = Self.jobs(of: rigs)
        plans = Self.plans(of: rigs, order: order)
        let intervals = plans.map(\.request.interval)
        schedule = PollSchedule(intervals: intervals, phases: PollSchedule<MonotonicInstant>.spreadPhases(for: intervals),
                                start: MonotonicInstant(nanoseconds: start))
        states = Array(repeating: RigState(), count: rigs.count)
        frame = .allocate(capacity: Self.widestFrame(of: rigs))
        texts = TextWatch(rigs: rigs)
        // The bus's silence between frames, and the pause its devices need after each reply.
        frameGap = Int64(worker.endpoint.interFrameGapMicroseconds ?? 0) * 1000
            + (worker.endpoint.busTiming?.pauseAfterFrame ?? .zero).nanosecondCount
        pauseAfterConnect = (rigs.map(\.limits.pauseAfterConnect).max() ?? .zero).nanosecondCount
        pauses = rigs.map(\.limits.pauseBetweenRequests.nanosecondCount)
    }

    private static func jobs(of rigs: [CompiledRig]) -> [Job] {
        rigs.enumerated().flatMap { r, rig in rig.requests.indices.map { Job(rig: r, request: $0) } }
    }

    private static func plans(of rigs: [CompiledRig], order: [Job]) -> [Plan] {
        order.map { Plan(rig: rigs[$0.rig], request: rigs[$0.rig].requests[$0.request]) }
    }

    private static func widestFrame(of rigs: [CompiledRig]) -> Int {
        max(rigs.flatMap(\.requests).map(\.fields.count).max() ?? 1, 1)
    }

    /// Takes the rigs a reload handed the worker, at a poll boundary (nothing in flight): a
    /// rig of the same id keeps its gap, backoff and badge; a rig no longer polled has its open
    /// gap closed now. The schedule keeps its start (the same phases as every connection), and
    /// each request is next due at its first slot after `now`: nothing is polled twice for one
    /// slot, and slots passed while switching are not overruns.
    private func adopt(_ next: ConnectionWorker.Configuration, now: Int64) {
        let wall = WallClock.nanoseconds()
        let kept = Set(next.rigs.map(\.id))
        for (r, rig) in rigs.enumerated() where !kept.contains(rig.id) {
            if let event = states[r].outage.stop(at: wall) { post(r, event) }
        }
        let previous = Dictionary(rigs.enumerated().map { ($0.element.id, states[$0.offset]) }, uniquingKeysWith: { first, _ in first })
        states = next.rigs.map { previous[$0.id] ?? RigState() }
        rigs = next.rigs
        statistics = next.statistics
        order = Self.jobs(of: rigs)
        plans = Self.plans(of: rigs, order: order)
        let intervals = plans.map(\.request.interval)
        schedule = PollSchedule(intervals: intervals, phases: PollSchedule<MonotonicInstant>.spreadPhases(for: intervals),
                                start: schedule.start)
        for group in intervals.indices { schedule.resume(group: group, at: MonotonicInstant(nanoseconds: now)) }
        let widest = Self.widestFrame(of: rigs)
        if widest > frame.count {
            frame.deallocate()
            frame = .allocate(capacity: widest)
        }
        texts = TextWatch(rigs: rigs)
        pauseAfterConnect = (rigs.map(\.limits.pauseAfterConnect).max() ?? .zero).nanosecondCount
        pauses = rigs.map(\.limits.pauseBetweenRequests.nanosecondCount)
    }

    deinit {
        registers.deallocate()
        bits.deallocate()
        frame.deallocate()
    }

    /// The request `poll` sends.
    package func request(of poll: Poll) -> ReadRequest {
        plans[poll.group].read
    }

    /// True when `poll` reads coils or discrete inputs: its reply goes to ``bits``, not ``registers``.
    package func readsBits(_ poll: Poll) -> Bool {
        plans[poll.group].read.kind.isBit
    }

    /// How long to wait for the reply to `poll`: its rig's `timeout:` (or its bus's), else
    /// nil for the connection's.
    package func timeout(of poll: Poll) -> Duration? {
        rigs[poll.job.rig].timeout
    }

    /// What to do at `now`. A rig in backoff has its due slots skipped here (not counted as
    /// overruns: those polls were not wanted).
    package func next(now: Int64) -> Action {
        // A poll boundary: nothing is in flight when a driver asks what to do next.
        if let reconfiguration = worker.takeReconfiguration() { adopt(reconfiguration, now: now) }
        if !isConnected {
            if let retry = connectionRetryAt, now < retry { return .wait(until: retry) }
            connectionRetryAt = nil
            return .connect
        }
        if let until = pauseUntil {
            if now < until { return .wait(until: until) }
            pauseUntil = nil
            // Slots that passed while connecting are not overruns.
            schedule.resume(at: MonotonicInstant(nanoseconds: now))
        }
        guard !order.isEmpty else { return .wait(until: .max) }
        while true {
            let (group, deadline) = schedule.nextDue()
            let job = order[group]
            let due = max(deadline.nanoseconds, nextAllowed, states[job.rig].nextAllowed)
            if now < due { return .wait(until: due) }
            if let retry = states[job.rig].retryAt, now < retry {
                schedule.resume(group: group, at: MonotonicInstant(nanoseconds: now))
                continue
            }
            return .send(Poll(group: group, job: job, started: now, lateness: max(0, now - deadline.nanoseconds)))
        }
    }

    /// The connection opened at `now`; polling starts after the devices' `pause_after_connect`.
    package func connected(at now: Int64) {
        isConnected = true
        pauseUntil = now + pauseAfterConnect
    }

    /// The transport closed after a failed poll that is not a connection failure (a timeout or
    /// a mismatched reply on TCP): the next action reconnects, without backoff.
    package func connectionClosed() {
        isConnected = false
    }

    /// Connecting failed: every rig on the connection is in the gap, and reconnecting backs off.
    package func connectFailed(_ error: ModbusError, now: Int64, wall: Int64) {
        connectionFailed(error, now: now, wall: wall)
    }

    /// `poll` was answered at `now` (wall-clock `wall`), its reply in ``registers`` or ``bits``:
    /// one frame of samples into the ring, the rig back from any outage.
    package func answered(_ poll: Poll, now: Int64, wall: Int64) {
        let r = poll.job.rig
        let plan = plans[poll.group]
        let count = plan.read.kind.isBit ? frameFromBits(plan.request, time: wall) : frameFromRegisters(plan.request, rig: r, time: wall)
        texts.check(plan.request, rig: r, index: poll.job.request, registers: UnsafeBufferPointer(registers)) { channel, text in
            worker.post(.textChanged(rig: rigs[r].id, channel: channel, text: text, time: wall))
        }
        _ = worker.ring.push(frame: UnsafeBufferPointer(rebasing: frame[0..<count]))
        connectionBackoff.succeeded()
        states[r].failuresInARow = 0
        states[r].backoff.succeeded()
        states[r].retryAt = nil
        if let event = states[r].outage.succeeded(at: wall) { post(r, event) }
        statistics[r].polled(samples: count, latency: .nanoseconds(now - poll.started),
                                    lateness: .nanoseconds(poll.lateness), interval: plan.request.interval)
        finished(poll, at: now)
    }

    /// `poll` failed at `now`. A connection failure puts every rig in the gap and backs off the
    /// reconnect; any other failure is the rig's own, and a rig that fails twice in a row (a
    /// dead unit behind a gateway) backs off alone, costing its neighbours one timeout per
    /// backoff period, not one per poll.
    package func failed(_ poll: Poll, _ error: ModbusError, now: Int64, wall: Int64) {
        let r = poll.job.rig
        if error.category == .connection {
            connectionFailed(error, now: now, wall: wall)
        } else {
            if let event = states[r].outage.failed(at: wall, reason: Self.reason(error)) { post(r, event) }
            states[r].failuresInARow += 1
            if states[r].failuresInARow >= 2 {
                states[r].retryAt = now + states[r].backoff.failed(using: &random).nanosecondCount
            }
            statistics[r].failed(error.category.rawValue, down: true, degraded: states[r].backoff.isDegraded)
        }
        finished(poll, at: now)
    }

    /// The collector is stopping at `wall`: every open gap ends there.
    package func stop(wall: Int64) {
        for r in states.indices { if let e = states[r].outage.stop(at: wall) { post(r, e) } }
    }

    // MARK: - Internals

    private func connectionFailed(_ error: ModbusError, now: Int64, wall: Int64) {
        isConnected = false
        pauseUntil = nil
        let reason = Self.reason(error)
        // Nothing on this connection can be read: every rig is in the gap.
        for r in states.indices {
            if let event = states[r].outage.failed(at: wall, reason: reason) { post(r, event) }
            statistics[r].failed(error.category.rawValue, down: true, degraded: connectionBackoff.isDegraded)
        }
        connectionRetryAt = now + connectionBackoff.failed(using: &random).nanosecondCount
    }

    /// Moves `poll`'s group to its next slot and keeps the frame gap and the device's pause.
    private func finished(_ poll: Poll, at end: Int64) {
        nextAllowed = end + frameGap
        states[poll.job.rig].nextAllowed = end + pauses[poll.job.rig]
        statistics[poll.job.rig].skipped(schedule.completed(poll.group, at: MonotonicInstant(nanoseconds: end)))
    }

    private func frameFromBits(_ request: CompiledRig.Request, time: Int64) -> Int {
        for (i, field) in request.fields.enumerated() {
            frame[i] = Sample(channel: field.channel, time: time, bool: bits[field.offset] != 0)
        }
        return request.fields.count
    }

    private func frameFromRegisters(_ request: CompiledRig.Request, rig: Int, time: Int64) -> Int {
        let response = UnsafeBufferPointer(registers)
        for (i, field) in request.fields.enumerated() {
            let sample = field.sample(from: response, time: time)
            frame[i] = sample
            if field.isOperator, states[rig].badge != sample.raw {
                states[rig].badge = sample.raw
                worker.post(.operatorChanged(rig: rigs[rig].id, badge: sample.raw, time: time))
            }
        }
        return request.fields.count
    }

    private func post(_ rig: Int, _ event: OutageTracker.Event) {
        let id = rigs[rig].id
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
