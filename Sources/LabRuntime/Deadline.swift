public import ServiceLifecycle

/// `--for DUR`: a service that returns after the duration. Added to a group with
/// `successTerminationBehavior: .gracefullyShutdownGroup`, its return shuts the group down
/// exactly as SIGTERM would.
public struct Deadline: Service {
    public let duration: Duration

    public init(duration: Duration) {
        self.duration = duration
    }

    public func run() async throws {
        // Cancelled (the group stops for another reason): return at once, without error.
        try? await Task.sleep(for: duration)
    }
}
