import Ingest
import Modbus
import RigProfiles
import Testing
import Collector

/// The connection's polling logic without sockets or clocks: time is whatever the test says.
@Suite("Connection poller")
struct ConnectionPollerTests {
    static let ms: Int64 = 1_000_000
    static let t0: Int64 = 1_000_000 * ms
    static let endpoint = ModbusEndpoint.tcp(host: "127.0.0.1", port: 5020)
    static let refused = ModbusError.connectionRefused(endpoint)

    /// A rig whose requests each read a value (channel 10 * unit) and an operator badge register, every `poll`.
    static func rig(_ id: String, unit: UInt8, poll: Duration = .milliseconds(10), requests: Int = 1,
                    limits: DeviceLimits = DeviceLimits()) -> CompiledRig {
        let base = UInt32(10 * unit)
        let fields = [
            CompiledRig.Field(offset: 0, type: .u16, order: .abcd, channel: base, kind: .integer, isOperator: false),
            CompiledRig.Field(offset: 1, type: .u16, order: .abcd, channel: base + 1, kind: .integer, isOperator: true),
        ]
        let request = CompiledRig.Request(kind: .holding, start: 0, count: 2, interval: poll, fields: fields)
        return CompiledRig(id: id, unit: unit, requests: Array(repeating: request, count: requests), limits: limits)
    }

    static func poller(_ rigs: [CompiledRig], endpoint: ModbusEndpoint = endpoint) -> (ConnectionPoller, ConnectionWorker, CollectorEventQueue) {
        let events = CollectorEventQueue()
        let worker = ConnectionWorker(endpoint: endpoint, rigs: rigs, ring: SampleRing(capacity: 64), events: events)
        return (ConnectionPoller(worker: worker, start: t0), worker, events)
    }

    static func send(_ action: ConnectionPoller.Action) throws -> ConnectionPoller.Poll {
        guard case .send(let poll) = action else { throw Unexpected(action: action) }
        return poll
    }

    struct Unexpected: Error { var action: ConnectionPoller.Action }

    static func answer(_ poller: ConnectionPoller, _ poll: ConnectionPoller.Poll, value: UInt16, badge: UInt16 = 0, at now: Int64) {
        poller.registers[0] = value
        poller.registers[1] = badge
        poller.answered(poll, now: now, wall: now + 7)
    }

    @Test("connect first; then each request at its deadline, lateness measured from it; samples into the ring stamped with the wall clock")
    func connectThenPollOnTheGrid() throws {
        let (poller, worker, _) = Self.poller([Self.rig("a", unit: 1)])
        #expect(poller.next(now: Self.t0) == .connect)
        poller.connected(at: Self.t0)
        let first = try Self.send(poller.next(now: Self.t0 + 1 * Self.ms))
        #expect(first.lateness == 1 * Self.ms)
        #expect(poller.request(of: first) == ReadRequest(kind: .holding, unit: 1, address: 0, count: 2))
        Self.answer(poller, first, value: 42, at: Self.t0 + 2 * Self.ms)
        #expect(poller.next(now: Self.t0 + 3 * Self.ms) == .wait(until: Self.t0 + 10 * Self.ms))
        let second = try Self.send(poller.next(now: Self.t0 + 10 * Self.ms))
        #expect(second.lateness == 0)

        var samples = [Sample](repeating: Sample(channel: 0, time: 0, raw: 0), count: 8)
        let n = samples.withUnsafeMutableBufferPointer { worker.ring.pop(into: $0) }
        #expect(n == 2)
        #expect(samples[0] == Sample(channel: 10, time: Self.t0 + 2 * Self.ms + 7, raw: 42))
        let stats = worker.statistics[0].snapshot
        #expect(stats.polls == 1 && stats.up && stats.samples == 2)
    }

    @Test("a failed connect puts every rig in one gap and backs off; the reconnect waits for it")
    func connectFailureBacksOff() throws {
        let (poller, worker, events) = Self.poller([Self.rig("a", unit: 1), Self.rig("b", unit: 2)])
        #expect(poller.next(now: Self.t0) == .connect)
        poller.connectFailed(Self.refused, now: Self.t0, wall: 5)
        #expect(events.drain() == [.gapOpened(rig: "a", start: 5, reason: "connection refused"),
                                   .gapOpened(rig: "b", start: 5, reason: "connection refused")])
        guard case .wait(let retry) = poller.next(now: Self.t0) else { Issue.record("no backoff"); return }
        // The first backoff step is 100 ms with equal jitter: 50...100 ms.
        #expect(retry >= Self.t0 + 50 * Self.ms && retry <= Self.t0 + 100 * Self.ms)
        #expect(poller.next(now: retry) == .connect)
        poller.connected(at: retry)
        // Slots that passed while the connection was down are neither polled nor overruns.
        let poll = try Self.send(poller.next(now: retry))
        #expect(poll.lateness < 10 * Self.ms)
        Self.answer(poller, poll, value: 1, at: retry + Self.ms)
        let id = poll.job.rig == 0 ? "a" : "b"
        #expect(events.drain() == [.operatorChanged(rig: id, badge: 0, time: retry + Self.ms + 7),
                                   .gapClosed(rig: id, start: 5, end: retry + Self.ms + 7, reason: "connection refused")])
        #expect(worker.statistics.allSatisfy { $0.snapshot.overruns == 0 })
        #expect(worker.statistics[1 - poll.job.rig].snapshot.errors == ["connection": 1])
    }

    @Test("a timeout closes the transport: the next action reconnects at once, without backoff")
    func timeoutReconnectsAtOnce() throws {
        let (poller, _, events) = Self.poller([Self.rig("a", unit: 1)])
        _ = poller.next(now: Self.t0)
        poller.connected(at: Self.t0)
        let poll = try Self.send(poller.next(now: Self.t0))
        poller.failed(poll, .timeout(poller.request(of: poll), Self.endpoint, after: .milliseconds(500)), now: Self.t0 + 500 * Self.ms, wall: 9)
        poller.connectionClosed()
        #expect(events.drain() == [.gapOpened(rig: "a", start: 9, reason: "timeout: no reply within 500ms")])
        #expect(poller.next(now: Self.t0 + 500 * Self.ms) == .connect)
    }

    @Test("a unit that fails twice in a row backs off alone; its neighbour keeps its slots")
    func deadUnitBacksOffAlone() throws {
        let (poller, worker, _) = Self.poller([Self.rig("dead", unit: 1), Self.rig("alive", unit: 2)])
        _ = poller.next(now: Self.t0)
        poller.connected(at: Self.t0)
        var now = Self.t0
        var deadPolls = 0, alivePolls = 0
        // 100 slots of 10 ms: the dead unit answers with an exception every time it is asked.
        while now < Self.t0 + 1000 * Self.ms {
            switch poller.next(now: now) {
            case .wait(let until):
                now = until
            case .send(let poll):
                if poll.job.rig == 0 {
                    deadPolls += 1
                    poller.failed(poll, .exception(.gatewayTargetFailedToRespond, poller.request(of: poll)), now: now + Self.ms, wall: now)
                } else {
                    alivePolls += 1
                    Self.answer(poller, poll, value: 3, at: now + Self.ms)
                }
                now += Self.ms
            case .connect:
                Issue.record("the connection was not lost")
                return
            }
        }
        #expect(alivePolls == 100)
        // Two failures, then backoff of 50-100 ms, 100-200 ms, 200-400 ms, ... within one second.
        #expect(deadPolls >= 4 && deadPolls <= 7, "\(deadPolls)")
        #expect(worker.statistics[0].snapshot.overruns == 0 && worker.statistics[1].snapshot.overruns == 0)
        #expect(!worker.statistics[0].snapshot.up && worker.statistics[1].snapshot.up)
    }

    @Test("pause_after_connect, the serial frame gap between any two frames, pause_between_requests per device")
    func pauses() throws {
        let limits = DeviceLimits(pauseBetweenRequests: .milliseconds(40), pauseAfterConnect: .milliseconds(30))
        let line = SerialLine(device: "/dev/ttyUSB0", baud: 19_200)
        // Three requests of 100 ms on the line, spread to 0, 33.3 and 66.7 ms.
        let (poller, _, _) = Self.poller([Self.rig("b", unit: 2, poll: .milliseconds(100)),
                                          Self.rig("a", unit: 1, poll: .milliseconds(100), requests: 2, limits: limits)],
                                         endpoint: .rtu(line))
        _ = poller.next(now: Self.t0)
        poller.connected(at: Self.t0)
        #expect(poller.next(now: Self.t0) == .wait(until: Self.t0 + 30 * Self.ms))
        let gap = Int64(line.interFrameGapMicroseconds) * 1000
        let b = try Self.send(poller.next(now: Self.t0 + 30 * Self.ms))
        #expect(b.job == .init(rig: 0, request: 0))
        let now = Self.t0 + 32 * Self.ms
        Self.answer(poller, b, value: 0, at: now)
        // Unit a's first request (due at 33.3 ms) waits for the line's frame gap ...
        #expect(poller.next(now: now) == .wait(until: now + gap))
        let a = try Self.send(poller.next(now: now + gap))
        #expect(a.job == .init(rig: 1, request: 0))
        Self.answer(poller, a, value: 0, at: now + gap)
        // ... and its second (due at 66.7 ms) for the device's own pause after the first.
        #expect(poller.next(now: now + gap) == .wait(until: now + gap + 40 * Self.ms))
        #expect(try Self.send(poller.next(now: now + gap + 40 * Self.ms)).job == .init(rig: 1, request: 1))
    }

    @Test("a converter's bus keeps its inter-frame gap, plus the bus's pause= after each frame; the bus's timeouts replace the collector's")
    func converterGapAndBusPause() throws {
        let endpoint = try ModbusEndpoint(url: "rtu+tcp://10.0.0.9:4001?baud=9600&pause=5ms&timeout=250ms&byte_timeout=20ms")
        let (poller, worker, _) = Self.poller([Self.rig("a", unit: 1, poll: .milliseconds(100)), Self.rig("b", unit: 2, poll: .milliseconds(100))],
                                              endpoint: endpoint)
        #expect(worker.clientOptions.responseTimeout == .milliseconds(250) && worker.clientOptions.byteTimeout == .milliseconds(20))
        _ = poller.next(now: Self.t0)
        poller.connected(at: Self.t0)
        let a = try Self.send(poller.next(now: Self.t0))
        Self.answer(poller, a, value: 0, at: Self.t0 + 49 * Self.ms)
        // b is due at 50 ms; the 9600-baud gap (4011 µs) and the 5 ms pause hold it back.
        #expect(poller.next(now: Self.t0 + 50 * Self.ms) == .wait(until: Self.t0 + 49 * Self.ms + 4_011_000 + 5 * Self.ms))
    }

    @Test("a rig's own timeout and reply unit go with its requests; others take the connection's")
    func perRigTimeoutAndReplyUnit() throws {
        var slow = Self.rig("slow", unit: 25)
        slow.timeout = .milliseconds(1500)
        slow.replyUnit = 1
        let (poller, _, _) = Self.poller([slow, Self.rig("quick", unit: 2)])
        _ = poller.next(now: Self.t0)
        poller.connected(at: Self.t0)
        let first = try Self.send(poller.next(now: Self.t0))
        #expect(poller.timeout(of: first) == .milliseconds(1500))
        #expect(poller.request(of: first) == ReadRequest(kind: .holding, unit: 25, address: 0, count: 2, replyUnit: 1))
        Self.answer(poller, first, value: 0, at: Self.t0 + 1 * Self.ms)
        let second = try Self.send(poller.next(now: Self.t0 + 5 * Self.ms))
        #expect(poller.timeout(of: second) == nil)
        #expect(poller.request(of: second).replyUnit == nil)
    }

    @Test("a badge change posts an operator event; stopping closes the open gaps")
    func badgeAndStop() throws {
        let (poller, _, events) = Self.poller([Self.rig("a", unit: 1), Self.rig("b", unit: 2)])
        _ = poller.next(now: Self.t0)
        poller.connected(at: Self.t0)
        let poll = try Self.send(poller.next(now: Self.t0))
        Self.answer(poller, poll, value: 1, badge: 77, at: Self.t0)
        // Unit b's request is spread to the middle of the period.
        let failed = try Self.send(poller.next(now: Self.t0 + 5 * Self.ms))
        poller.failed(failed, .badCRC(poller.request(of: failed), Self.endpoint), now: Self.t0, wall: 11)
        poller.stop(wall: 99)
        #expect(events.drain() == [.operatorChanged(rig: "a", badge: 77, time: Self.t0 + 7),
                                   .gapOpened(rig: "b", start: 11, reason: "bad CRC"),
                                   .gapClosed(rig: "b", start: 11, end: 99, reason: "bad CRC")])
    }

    @Test("text channels: posted at the first answer and at each change, in every rig, never as samples")
    func textChannelsPostOnChange() throws {
        // Each rig reads a u16 at 0 and two texts: 2 registers at 1 (ABCD), 1 register at 3 (BADC).
        func rig(_ id: String, unit: UInt8) -> CompiledRig {
            let base = UInt32(10 * unit)
            let request = CompiledRig.Request(
                kind: .holding, start: 0, count: 4, interval: .milliseconds(10),
                fields: [CompiledRig.Field(offset: 0, type: .u16, order: .abcd, channel: base, kind: .integer, isOperator: false)],
                texts: [CompiledRig.TextField(offset: 1, count: 2, order: .abcd, channel: base + 1),
                        CompiledRig.TextField(offset: 3, count: 1, order: .badc, channel: base + 2)])
            return CompiledRig(id: id, unit: unit, requests: [request], limits: DeviceLimits())
        }
        let (poller, worker, events) = Self.poller([rig("a", unit: 1), rig("b", unit: 2)])
        _ = poller.next(now: Self.t0)
        poller.connected(at: Self.t0)
        var now = Self.t0
        func answer(_ words: [UInt16]) throws {
            let poll = try Self.send(poller.next(now: now))
            for (i, w) in words.enumerated() { poller.registers[i] = w }
            poller.answered(poll, now: now, wall: now)
            now += 5 * Self.ms
        }
        try answer([1, 0x4142, 0x4300, 0x5958])   // a: "ABC", "XY"
        try answer([2, 0x4142, 0x4300, 0x5958])   // b: the same texts, its own first read
        try answer([3, 0x4142, 0x4300, 0x5958])   // a: unchanged
        try answer([4, 0x4142, 0x4344, 0x5958])   // b: "ABCD"
        try answer([5, 0x4142, 0x4300, 0x5900])   // a: the second text "" (BADC: the NUL comes first)
        #expect(events.drain() == [
            .textChanged(rig: "a", channel: 11, text: "ABC", time: Self.t0), .textChanged(rig: "a", channel: 12, text: "XY", time: Self.t0),
            .textChanged(rig: "b", channel: 21, text: "ABC", time: Self.t0 + 5 * Self.ms),
            .textChanged(rig: "b", channel: 22, text: "XY", time: Self.t0 + 5 * Self.ms),
            .textChanged(rig: "b", channel: 21, text: "ABCD", time: Self.t0 + 15 * Self.ms),
            .textChanged(rig: "a", channel: 12, text: "", time: Self.t0 + 20 * Self.ms),
        ])
        // Only the u16 of each answer went into the ring.
        let out = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 16)
        defer { out.deallocate() }
        let drained = worker.ring.pop(into: out)
        #expect(Array(out[0..<drained]).map(\.channel) == [10, 20, 10, 20, 10])
    }
}
