import Threads

/// What one rig's worker has done: the figures behind `/metrics` and the status line.
///
/// Updated by the worker under an uncontended lock once per poll (no allocation: the latency
/// histogram has fixed buckets); read by whoever renders metrics.
public final class RigStatistics: Sendable {
    /// Upper bounds (seconds) of the poll-latency histogram buckets, Prometheus style.
    public static let latencyBuckets: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]
    /// Upper bounds (seconds) of the lateness histogram (how late a poll started).
    public static let latenessBuckets: [Double] = [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1]

    public struct Snapshot: Sendable, Hashable {
        public var polls = 0
        public var samples = 0
        /// Failed polls by ``Modbus/ModbusError/Category`` raw value.
        public var errors: [String: Int] = [:]
        public var overruns = 0
        public var up = false
        public var degraded = false
        /// Cumulative counts per latency bucket, then the total (the `+Inf` bucket).
        public var latencyCounts = [Int](repeating: 0, count: RigStatistics.latencyBuckets.count + 1)
        public var latencySum = 0.0
        public var latenessCounts = [Int](repeating: 0, count: RigStatistics.latenessBuckets.count + 1)
        public var latenessSum = 0.0
        /// Polls that started within their period (the lateness below the interval).
        public var onTime = 0
    }

    public let rig: String
    private let state = Mutex(Snapshot())

    public init(rig: String) { self.rig = rig }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func polled(samples: Int, latency: Duration, lateness: Duration, interval: Duration) {
        let seconds = latency.seconds, late = lateness.seconds
        state.withLock { s in
            s.polls += 1
            s.samples += samples
            s.up = true
            s.degraded = false
            Self.observe(seconds, in: Self.latencyBuckets, counts: &s.latencyCounts)
            s.latencySum += seconds
            Self.observe(late, in: Self.latenessBuckets, counts: &s.latenessCounts)
            s.latenessSum += late
            if lateness < interval { s.onTime += 1 }
        }
    }

    func failed(_ category: String, down: Bool, degraded: Bool) {
        state.withLock { s in
            s.errors[category, default: 0] += 1
            if down { s.up = false }
            s.degraded = degraded
        }
    }

    func connectionLost() {
        state.withLock { $0.up = false }
    }

    func skipped(_ count: Int) {
        guard count > 0 else { return }
        state.withLock { $0.overruns += count }
    }

    private static func observe(_ value: Double, in buckets: [Double], counts: inout [Int]) {
        for (i, bound) in buckets.enumerated() where value <= bound { counts[i] += 1 }
        counts[buckets.count] += 1
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
