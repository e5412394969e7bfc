#if canImport(Glibc)
import Glibc
#endif
import Testing
import Collector

/// The event loop's wait, over a pipe: readiness is reported per descriptor in the order added.
@Suite("Readiness wait")
struct ReadinessWaitTests {
    @Test("a writable end is ready at once; a read end only once written to; a past deadline returns")
    func pipeReadiness() {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        var wait = ReadinessWait(capacity: 2)
        wait.add(ends[0], events: Int16(POLLIN))
        wait.add(ends[1], events: Int16(POLLOUT))
        wait.wait(until: MonotonicInstant.now.nanoseconds + 10_000_000_000)
        #expect(!wait.isReady(0) && wait.isReady(1))

        wait.removeAll()
        wait.add(ends[0], events: Int16(POLLIN))
        wait.wait(until: 0)
        #expect(wait.count == 1 && !wait.isReady(0))

        var byte: UInt8 = 1
        #expect(write(ends[1], &byte, 1) == 1)
        wait.wait(until: MonotonicInstant.now.nanoseconds + 10_000_000_000)
        #expect(wait.isReady(0))
    }
}
