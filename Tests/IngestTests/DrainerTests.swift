import Foundation
import Ingest
import Threads
import Testing

/// A sink that remembers everything, for checking what the drainer delivers.
final class CollectingSink: SampleSink {
    struct Log {
        var samples: [Sample] = []
        var flushes = 0
        var closed = 0
    }
    let log = Mutex(Log())

    func write(_ samples: UnsafeBufferPointer<Sample>) throws {
        log.withLock { $0.samples.append(contentsOf: samples) }
    }
    func flush() throws { log.withLock { $0.flushes += 1 } }
    func close() throws { log.withLock { $0.closed += 1 } }
}

/// A sink that signals each delivery, so a test can wait for one instead of sleeping.
final class SignallingSink: SampleSink {
    let delivered = DispatchSemaphore(value: 0)

    func write(_ samples: UnsafeBufferPointer<Sample>) throws {
        delivered.signal()
    }
}

/// A sink that fails every write, to check the drainer keeps going.
final class FailingSink: SampleSink {
    struct Failure: Error {}
    func write(_ samples: UnsafeBufferPointer<Sample>) throws { throw Failure() }
}

@Suite struct DrainerTests {
    @Test func anIdleDrainerWakesUpForNewSamples() {
        let sink = SignallingSink()
        let drainer = Drainer(sinks: [sink])
        let ring = SampleRing(capacity: 64)
        drainer.register(ring)
        drainer.start()
        for round in 0..<3 {
            ring.push(Sample(channel: 1, time: Int64(round), raw: 0))
            // The timeout only turns a hang into a failure; it asserts nothing about speed.
            #expect(sink.delivered.wait(timeout: .now() + 30) == .success)
        }
        drainer.stop()
    }

    @Test func sinkErrorsAreReportedAndOtherSinksStillGetEverything() {
        let reported = Mutex(0)
        let good = CollectingSink()
        let drainer = Drainer(sinks: [FailingSink(), good], onError: { _ in reported.withLock { $0 += 1 } })
        let ring = SampleRing(capacity: 1024)
        drainer.register(ring)
        drainer.start()
        for i in 0..<100 { ring.push(Sample(channel: 1, time: Int64(i), raw: 0)) }
        drainer.stop()
        #expect(good.log.withLock { $0.samples.count } == 100)
        #expect(reported.withLock { $0 } >= 1)
    }

    @Test func stopDrainsEveryRingFlushesAndClosesSinks() {
        let sink = CollectingSink()
        let drainer = Drainer(sinks: [sink])
        let rings = (0..<3).map { _ in SampleRing(capacity: 1 << 16) }
        rings.forEach(drainer.register)
        drainer.start()
        for (r, ring) in rings.enumerated() {
            for i in 0..<10_000 { ring.push(Sample(channel: UInt32(r), time: Int64(i), raw: Int64(i))) }
        }
        drainer.stop()
        let log = sink.log.withLock { $0 }
        #expect(log.samples.count == 30_000)
        #expect(log.closed == 1)
        #expect(log.flushes >= 1)
        for r in 0..<3 {
            let mine = log.samples.filter { $0.channel == UInt32(r) }.map(\.raw)
            #expect(mine == (0..<10_000).map { Int64($0) })
        }
        #expect(drainer.deliveredCount == 30_000)
    }

    @Test func ringsRegisteredWhileRunningAreDrained() {
        let sink = CollectingSink()
        let drainer = Drainer(sinks: [sink])
        drainer.start()
        let ring = SampleRing(capacity: 1024)
        drainer.register(ring)
        for i in 0..<500 { ring.push(Sample(channel: 9, time: Int64(i), raw: 1)) }
        drainer.stop()
        #expect(sink.log.withLock { $0.samples.count } == 500)
    }
}
