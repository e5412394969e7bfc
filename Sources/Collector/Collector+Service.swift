public import ServiceLifecycle
import Threads
import Modbus

extension Collector: Service {
    /// Asks every rig for its device identification (``identifyRigs()``), then polls until the
    /// service group shuts down gracefully (SIGINT, SIGTERM, a `--for` deadline)
    /// or the task is cancelled, then stops cleanly: workers (open gaps closed), the event
    /// recorder, then the drainer, which empties every ring, writes the last chunks and closes
    /// the sinks (the live evaluator ends open sessions `collector stopped`).
    ///
    /// Returns only once all of that is on disk. In a `ServiceGroup` put the collector after
    /// the services that must outlive it (a simulator it polls, the live evaluator): the group
    /// shuts services down in reverse order, so the collector drains before they stop.
    ///
    /// Stopping joins threads and writes to the store, so it runs on a dedicated thread
    /// (``DedicatedThread/run(name:_:)``), never on the cooperative pool.
    public func run() async throws {
        // Each rig's device identification, before the first poll: a read like the polls, on
        // dedicated threads (it blocks up to a timeout per silent rig).
        _ = try? await DedicatedThread.run(name: "riglog.identify") { [self] in identifyRigs() }
        start()
        // Returns on graceful shutdown, throws on cancellation: either way, stop.
        try? await gracefulShutdown()
        _ = try? await DedicatedThread.run(name: "riglog.stop") { [self] in stop() }
    }
}
