import Ingest
import Modbus
import Testing
import Collector

/// A reload handing a connection's worker other rigs: taken by the poller at its next poll
/// boundary, without sockets or clocks.
extension ConnectionPollerTests {
    /// The gap events posted so far (badge reads left out).
    static func gaps(_ events: CollectorEventQueue) -> [CollectorEvent] {
        events.drain().filter { event in
            switch event {
            case .gapOpened, .gapClosed: true
            default: false
            }
        }
    }

    @Test("a reload's rigs are taken at the next poll boundary: the poll in flight finishes as it was, the kept rig keeps its statistics, the removed rig's gap closes, the added rig is polled")
    func reconfigurationAtAPollBoundary() throws {
        let (poller, worker, events) = Self.poller([Self.rig("a", unit: 1), Self.rig("b", unit: 2)])
        let statsOfA = worker.statistics[0]
        #expect(poller.next(now: Self.t0) == .connect)
        poller.connected(at: Self.t0)
        // b fails once: its gap opens.
        var polls: [ConnectionPoller.Poll] = []
        var now = Self.t0
        while polls.count < 2 {
            let poll = try Self.send(poller.next(now: now))
            polls.append(poll)
            if poller.request(of: poll).unit == 2 {
                poller.failed(poll, .timeout(poller.request(of: poll), Self.endpoint, after: .milliseconds(1)), now: now + Self.ms, wall: 3)
            } else {
                Self.answer(poller, poll, value: 1, at: now + Self.ms)
            }
            now += 5 * Self.ms
        }
        #expect(Self.gaps(events) == [.gapOpened(rig: "b", start: 3, reason: "timeout: no reply within 1ms")])

        // a's next poll is on the wire when the reload arrives: it is answered as a's.
        let inFlight = try Self.send(poller.next(now: Self.t0 + 10 * Self.ms))
        #expect(poller.request(of: inFlight).unit == 1)
        worker.reconfigure(rigs: [Self.rig("a", unit: 1), Self.rig("c", unit: 3)])
        #expect(worker.statistics.map(\.rig) == ["a", "c"], "the new rigs are shown at once")
        Self.answer(poller, inFlight, value: 2, at: Self.t0 + 11 * Self.ms)
        #expect(statsOfA.snapshot.polls == 2)

        // The boundary: b's open gap closes, then only a and c are polled, each once a period.
        var units: [UInt8] = []
        now = Self.t0 + 12 * Self.ms
        while now < Self.t0 + 40 * Self.ms {
            switch poller.next(now: now) {
            case .send(let poll):
                units.append(poller.request(of: poll).unit)
                Self.answer(poller, poll, value: 3, at: now)
            case .wait(let until):
                now = until
            case .connect:
                Issue.record("the connection was closed by the switch")
                return
            }
        }
        let closed = Self.gaps(events)
        #expect(closed.count == 1)
        if case .gapClosed(let rig, let start, _, _)? = closed.first {
            #expect(rig == "b" && start == 3)
        } else {
            Issue.record("b's gap did not close: \(closed)")
        }
        #expect(Set(units) == [1, 3])
        // Each request's first slot after the switch: c at 15 ms (its phase), a at 20 ms (its slot
        // at 10 ms was the one in flight): none polled twice for one slot.
        #expect(units == [3, 1, 3, 1, 3])
        #expect(worker.statistics[0] === statsOfA, "a's statistics go on")
        #expect(statsOfA.snapshot.polls == 4)
        #expect(worker.allStatistics.map(\.rig).sorted() == ["a", "b", "c"], "b's figures still count in the run's totals")
        #expect(statsOfA.snapshot.overruns == 0)
    }
}
