import Modbus
import struct Synchronization.Atomic
import Threads

/// Polls many TCP connections from one thread: sends every request that is due, waits on all
/// their sockets at once until a reply arrives or the nearest deadline or timeout comes, and
/// reads replies as they arrive.
///
/// Each connection keeps its own ``ConnectionPoller`` (schedule, backoff, gaps) and its own
/// ``Modbus/NonblockingTCPReader``, so requests stay serialised per connection, and nothing a
/// connection does blocks: a silent rig holds only its own request until its timeout, a dead
/// one only its own connect. One thread instead of one per connection saves a wake-up and two
/// context switches per request, which at 64 rigs and 100 Hz was most of the collector's CPU.
final class TCPEventLoop: Sendable {
    let workers: [ConnectionWorker]
    private let stopRequested = Atomic<Bool>(false)
    private let thread = Mutex<DedicatedThread?>(nil)

    /// - Parameter workers: TCP connections only (``ConnectionWorker/isMultiplexed``).
    init(workers: [ConnectionWorker]) {
        precondition(workers.allSatisfy(\.isMultiplexed))
        self.workers = workers
    }

    var isStopping: Bool { stopRequested.load(ordering: .acquiring) }

    func start() {
        let started = DedicatedThread(name: "riglog.io") { [self] in
            var loop = Loop(owner: self)
            loop.run()
        }
        thread.withLock { $0 = started }
    }

    /// Stops polling, closes every open gap at the stop time and waits for the thread.
    func stop() {
        stopRequested.store(true, ordering: .releasing)
        let running = thread.withLock { t in
            defer { t = nil }
            return t
        }
        running?.join()
    }
}

/// The loop's state: everything here lives on its one thread.
private struct Loop {
    final class Connection {
        let poller: ConnectionPoller
        let reader: NonblockingTCPReader
        /// The request on the wire, if any.
        var inFlight: ConnectionPoller.Poll?
        /// When the connection next needs attention without I/O (a deadline, a timeout).
        var wakeAt = Int64.min

        init(poller: ConnectionPoller, reader: NonblockingTCPReader) {
            self.poller = poller
            self.reader = reader
        }
    }

    /// A stop request is honoured within this long even when nothing is due.
    static let longestWait: Int64 = 100_000_000
    /// After handling replies, while others are still outstanding, the loop sleeps this long
    /// (or until the next deadline, if sooner) before waiting on the sockets again. Replies to
    /// the requests sent at one deadline come back one by one over a fraction of a millisecond;
    /// waking for each costs two context switches, most of the loop's CPU. Gathering them
    /// delays a sample's stamp and the rig's next request by at most this much, and never a
    /// deadline: sends are due at deadlines, which cut the sleep short.
    static let coalescing: Int64 = 200_000

    let owner: TCPEventLoop
    /// Connections a reload retires are taken out between iterations.
    var connections: [Connection]
    var sockets: ReadinessWait
    /// `connections` index of each descriptor in `sockets`.
    var owners: [Int] = []
    /// True when the last wait found a socket ready.
    var handledReplies = false

    init(owner: TCPEventLoop) {
        self.owner = owner
        let start = MonotonicInstant.now.nanoseconds
        connections = owner.workers.map { worker in
            Connection(poller: ConnectionPoller(worker: worker, start: start),
                       reader: NonblockingTCPReader(endpoint: worker.endpoint, options: worker.clientOptions, tracer: worker.tracer)!)
        }
        sockets = ReadinessWait(capacity: connections.count)
        owners.reserveCapacity(connections.count)
    }

    mutating func run() {
        defer {
            let wall = WallClock.nanoseconds()
            for c in connections {
                c.reader.close()
                c.poller.stop(wall: wall)
            }
        }
        while !owner.isStopping {
            releaseRetired()
            var wake = MonotonicInstant.now.nanoseconds + Self.longestWait
            for c in connections {
                if MonotonicInstant.now.nanoseconds >= c.wakeAt { c.wakeAt = service(c) }
                wake = min(wake, c.wakeAt)
            }
            sockets.removeAll()
            owners.removeAll(keepingCapacity: true)
            for (i, c) in connections.enumerated() where c.reader.pollEvents != 0 {
                sockets.add(c.reader.fileDescriptor, events: c.reader.pollEvents)
                owners.append(i)
            }
            if handledReplies, sockets.count > 0 {
                // Let more replies gather before looking again (see `coalescing`).
                MonotonicInstant(nanoseconds: min(wake, MonotonicInstant.now.nanoseconds + Self.coalescing)).sleepUntil()
            }
            sockets.wait(until: wake)
            handledReplies = false
            for k in 0..<sockets.count where sockets.isReady(k) {
                let c = connections[owners[k]]
                handleReady(c)
                c.wakeAt = .min
                handledReplies = true
            }
        }
    }

    /// Lets go of the connections a reload retired (``ConnectionWorker/retire()``) once nothing
    /// of theirs is in flight: an answered poll is never dropped. Their open gaps close now.
    mutating func releaseRetired() {
        var index = 0
        while index < connections.count {
            let c = connections[index]
            if c.poller.worker.isStopRequested, c.inFlight == nil {
                c.reader.close()
                c.poller.stop(wall: WallClock.nanoseconds())
                connections.remove(at: index)
                c.poller.worker.releasedByLoop()
            } else {
                index += 1
            }
        }
    }

    /// Handles a passed timeout, then does whatever is due on `c` (connect, send), and
    /// returns when it next needs attention unless its socket becomes ready first.
    func service(_ c: Connection) -> Int64 {
        // Between two requests: the admin's trace toggle reaches the reader here.
        if c.inFlight == nil, let change = c.poller.worker.takeTracerChange() { c.reader.tracer = change.tracer }
        var now = MonotonicInstant.now.nanoseconds
        if now >= c.reader.deadline {
            let error = c.reader.timedOut()
            if let poll = c.inFlight {
                c.inFlight = nil
                fail(c, poll, error, now: now)
            } else {
                c.poller.connectFailed(error, now: now, wall: WallClock.nanoseconds())
            }
        }
        if c.reader.state == .connecting || c.reader.state == .awaitingReply { return c.reader.deadline }
        while true {
            switch c.poller.next(now: now) {
            case .wait(let until):
                return until
            case .connect:
                do {
                    if try c.reader.startConnect(now: now) {
                        c.poller.connected(at: now)
                    } else {
                        return c.reader.deadline
                    }
                } catch {
                    c.poller.connectFailed(error, now: now, wall: WallClock.nanoseconds())
                }
            case .send(let poll):
                do {
                    try c.reader.send(c.poller.request(of: poll), now: now, timeout: c.poller.timeout(of: poll))
                    c.inFlight = poll
                    return c.reader.deadline
                } catch {
                    fail(c, poll, error, now: now)
                }
            }
            now = MonotonicInstant.now.nanoseconds
        }
    }

    /// `c`'s socket is ready: a connect finished, or (part of) a reply arrived.
    func handleReady(_ c: Connection) {
        let now = MonotonicInstant.now.nanoseconds
        switch c.reader.state {
        case .connecting:
            do {
                try c.reader.finishConnect(now: now)
                if c.reader.state == .idle { c.poller.connected(at: now) }
            } catch {
                c.poller.connectFailed(error, now: now, wall: WallClock.nanoseconds())
            }
        case .awaitingReply:
            guard let poll = c.inFlight else { return }
            do {
                guard try c.reader.receive(now: now) == .complete else { return }
                if poll.job.request < 0 { return }
                if c.poller.readsBits(poll) {
                    c.reader.bits(into: c.poller.bits)
                } else {
                    c.reader.registers(into: c.poller.registers)
                }
                c.inFlight = nil
                c.poller.answered(poll, now: now, wall: WallClock.nanoseconds())
            } catch {
                c.inFlight = nil
                fail(c, poll, error, now: now)
            }
        case .closed, .idle:
            break
        }
    }

    /// A failed poll; the transport and the poller agree afterwards on whether it is open.
    func fail(_ c: Connection, _ poll: ConnectionPoller.Poll, _ error: ModbusError, now: Int64) {
        c.poller.failed(poll, error, now: now, wall: WallClock.nanoseconds())
        if c.reader.state == .closed { c.poller.connectionClosed() }
        if !c.poller.isConnected { c.reader.close() }
    }
}
