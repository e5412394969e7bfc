import Testing
import Collector
import RiglogTesting

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    @Test("delays double from 100 ms to 30 s, each within [step/2, step]")
    func exponentialWithJitter() {
        var rng = SplitMix64(seed: 7)
        var backoff = ReconnectBackoff(degradeAfter: 100)
        let steps: [Duration] = [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                                 .milliseconds(1600), .milliseconds(3200), .milliseconds(6400), .milliseconds(12800),
                                 .milliseconds(25600), .seconds(30), .seconds(30)]
        for step in steps {
            let delay = backoff.failed(using: &rng)
            #expect(delay >= step / 2 && delay <= step, "\(delay) outside [\(step / 2), \(step)]")
        }
    }

    @Test("a lab of dead rigs spreads its reconnects instead of striking together")
    func noStorm() {
        var rng = SplitMix64(seed: 99)
        var delays: [Duration] = []
        for _ in 0..<64 {
            var backoff = ReconnectBackoff()
            for _ in 0..<5 { _ = backoff.failed(using: &rng) }
            delays.append(backoff.failed(using: &rng))   // the 6th attempt: step 3.2 s
        }
        // Spread across the window: no 100 ms bucket holds more than a handful of the 64.
        let buckets = Dictionary(grouping: delays) { $0 / .milliseconds(100) }
        #expect(buckets.values.map(\.count).max()! <= 8)
        #expect(Set(delays).count == 64)
    }

    @Test("repeated failures degrade to slow probing; one success restores the fast path")
    func degradeAndRecover() {
        var rng = SplitMix64(seed: 3)
        var backoff = ReconnectBackoff(degradeAfter: 4)
        for _ in 0..<3 { _ = backoff.failed(using: &rng) }
        #expect(!backoff.isDegraded)
        let degradedDelay = backoff.failed(using: &rng)
        #expect(backoff.isDegraded)
        #expect(degradedDelay >= .seconds(15) && degradedDelay <= .seconds(30))
        backoff.succeeded()
        #expect(!backoff.isDegraded && backoff.consecutiveFailures == 0)
        let fresh = backoff.failed(using: &rng)
        #expect(fresh >= .milliseconds(50) && fresh <= .milliseconds(100))
    }

    @Test("thousands of failures neither overflow nor exceed the cap")
    func longOutage() {
        var rng = SplitMix64(seed: 11)
        var backoff = ReconnectBackoff()
        for _ in 0..<10_000 {
            let delay = backoff.failed(using: &rng)
            #expect(delay <= .seconds(30) && delay >= .seconds(15) || backoff.consecutiveFailures < 10)
        }
    }
}
