public import ServiceLifecycle
import Logging
import UnixSignals

/// `--for DUR`: a service that returns after the duration. Added to a group with
/// `successTerminationBehavior: .gracefullyShutdownGroup`, its return shuts the group down
/// exactly as SIGTERM would.
public struct Deadline: Service {
    public let duration: Duration

    public init(duration: Duration) {
        self.duration = duration
    }

    public func run() async throws {
        // A signal or another service shutting the group down gracefully reaches this service
        // first (it is the last one in the group): it must return at once, not sleep out the
        // rest of `--for` while the run waits for it. Cancelled: return without error too.
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
    }
}

/// Tells the person at the terminal (or a test reading the output) that a run is up: a service
/// placed after the run's own, so it speaks only once the group has started, that is once
/// SIGINT and SIGTERM are the group's to handle. A line printed before would invite a signal
/// that still kills the process outright.
struct Announcement: Service {
    /// For the person at the terminal (the sign-in link, what is served).
    let lines: [String]
    let announce: @Sendable (String) -> Void
    /// For the log: that the run is up and how it stops.
    var logged: String?
    var logger: Logger?

    func run() async throws {
        for line in lines { announce(line) }
        if let logged { logger?.info("\(logged)") }
        // Nothing more to do: wait for the group's shutdown (or cancellation).
        try? await gracefulShutdown()
    }
}

extension ServiceGroup {
    /// Runs `services` as one group that SIGINT/SIGTERM (`signals`) or, given a `duration`, its
    /// ``Deadline`` shut down gracefully, in reverse order: what every run of riglog is.
    static func run(
        _ services: [ServiceGroupConfiguration.ServiceConfiguration], until duration: Duration?,
        signals: [UnixSignal], logger: Logger
    ) async throws {
        var services = services
        if let duration {
            services.append(.init(service: Deadline(duration: duration), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        try await ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: signals, logger: logger)).run()
    }
}
