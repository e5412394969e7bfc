public import Modbus
public import RigProfiles
import Ingest
import Threads

extension Collector {
    /// Polls `rig` alone for `duration` as the collector would (its plan, its connection's
    /// timing), reporting every frame to `output`, and stores nothing: `riglog trace`.
    ///
    /// Returns the rig's statistics for the run (polls, errors by kind).
    public static func trace(rig: Rig, for duration: Duration, options: ModbusClientOptions = ModbusClientOptions(),
                             output: @escaping @Sendable (FrameTracer.Frame) -> Void = FrameTracer.standardError)
        async throws -> RigStatistics.Snapshot
    {
        let channels = CompiledRig.channelDefinitions(of: rig).count
        let compiled = CompiledRig(rig: rig, channelIDs: (0..<channels).map { UInt32($0) })
        // Nobody drains the ring: once full it drops and counts, which costs the poller nothing.
        let worker = ConnectionWorker(endpoint: rig.endpoint, rigs: [compiled], ring: SampleRing(capacity: 4096),
                                      events: CollectorEventQueue(), options: options,
                                      tracer: FrameTraceSettings(rigs: [rig.id], output: output).tracer(for: [rig]))
        worker.start()
        do {
            try await Task.sleep(for: duration)
        } catch {
            try await DedicatedThread.run(name: "trace stop") { worker.stop() }
            throw error
        }
        try await DedicatedThread.run(name: "trace stop") { worker.stop() }
        return worker.statistics[0].snapshot
    }
}
