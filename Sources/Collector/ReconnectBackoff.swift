/// How long a worker waits before reconnecting to a device that failed: exponential backoff
/// with jitter, so a lab of dead rigs is no reconnect storm.
///
/// The n-th consecutive failure waits a random time in `[d/2, d]` with `d = base * 2^(n-1)`
/// capped at ``cap`` ("equal jitter": never less than half the step, so the backoff still
/// grows, never in lock-step with the other workers). After ``degradeAfter`` failures in a row
/// the device counts as degraded: it is probed only every `cap/2 ... cap` until it answers, and
/// one success brings it straight back to its normal schedule.
public struct ReconnectBackoff: Sendable, Hashable {
    /// The first delay (before jitter).
    public var base: Duration
    /// The longest delay.
    public var cap: Duration
    /// Consecutive failures after which the device is degraded to slow probing.
    public var degradeAfter: Int
    /// Failures since the last success.
    public private(set) var consecutiveFailures = 0

    public init(base: Duration = .milliseconds(100), cap: Duration = .seconds(30), degradeAfter: Int = 8) {
        precondition(base > .zero && cap >= base && degradeAfter > 0)
        self.base = base
        self.cap = cap
        self.degradeAfter = degradeAfter
    }

    /// True while the device is probed slowly.
    public var isDegraded: Bool { consecutiveFailures >= degradeAfter }

    /// Records a failure and returns how long to wait before trying again.
    public mutating func failed(using random: inout some RandomNumberGenerator) -> Duration {
        consecutiveFailures += 1
        let step = isDegraded ? cap : ceiling(after: consecutiveFailures)
        let half = step / 2
        let jitterNanoseconds = Int64.random(in: 0...(step - half).nanosecondCount, using: &random)
        return half + .nanoseconds(jitterNanoseconds)
    }

    /// Records a success: the next failure starts again from ``base``.
    public mutating func succeeded() {
        consecutiveFailures = 0
    }

    /// `base * 2^(n-1)`, capped, without overflowing for large n.
    private func ceiling(after n: Int) -> Duration {
        var d = base
        for _ in 1..<n {
            if d >= cap / 2 { return cap }
            d *= 2
        }
        return min(d, cap)
    }
}
