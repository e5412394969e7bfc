#if canImport(Glibc)
import Glibc
#endif

/// CLOCK_MONOTONIC as an instant type, with an absolute sleep.
///
/// Workers wait for their deadlines with `clock_nanosleep(TIMER_ABSTIME)`: an absolute sleep
/// neither drifts nor adds the time spent computing the wait, and it wakes within tens of
/// microseconds on a lab PC.
public struct MonotonicInstant: InstantProtocol, Sendable, Hashable, Comparable {
    /// Nanoseconds on CLOCK_MONOTONIC.
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// Now.
    public static var now: MonotonicInstant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicInstant(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    public func advanced(by duration: Duration) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: nanoseconds + duration.nanosecondCount)
    }

    public func duration(to other: MonotonicInstant) -> Duration {
        .nanoseconds(other.nanoseconds - nanoseconds)
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// Sleeps until this instant (returns at once if it has passed).
    public func sleepUntil() {
        var ts = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}

/// Wall-clock time for sample stamps: nanoseconds since 1970 (CLOCK_REALTIME).
public enum WallClock {
    public static func nanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

extension Duration {
    /// The whole nanoseconds of this duration.
    var nanosecondCount: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
