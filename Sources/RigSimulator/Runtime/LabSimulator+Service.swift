public import ServiceLifecycle
import Threads
import Modbus

extension LabSimulator: Service {
    /// Serves until the service group shuts down gracefully or the task is cancelled, then
    /// stops every server and the model thread.
    ///
    /// A simulator already started (``start(realTime:)``, to learn the ports chosen for port 0
    /// before the group runs) keeps serving; one not yet started is started here. Stopping
    /// joins threads, so it runs on a dedicated thread, never on the cooperative pool.
    public func run() async throws {
        if !isServing { try start() }
        try? await gracefulShutdown()
        _ = try? await DedicatedThread.run(name: "simulator.stop") { [self] in stop() }
    }
}
