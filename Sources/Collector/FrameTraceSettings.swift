public import Modbus
import RigProfiles

/// Which rigs a run traces frame by frame (`riglog collect --trace RIG[,RIG]`, `riglog trace`),
/// and where the lines go.
///
/// Only the connections of traced rigs get a ``Modbus/FrameTracer``; every other connection's
/// reader has none and does no tracing work at all, so tracing one rig never slows the rest of
/// the lab. On a connection shared with untraced rigs, their frames cost a unit look-up each.
public struct FrameTraceSettings: Sendable {
    /// The ids of the rigs to trace.
    public var rigs: Set<String>
    /// Receives every traced frame; the default writes its line to standard error.
    public var output: @Sendable (FrameTracer.Frame) -> Void

    public init(rigs: Set<String>, output: @escaping @Sendable (FrameTracer.Frame) -> Void = FrameTracer.standardError) {
        self.rigs = rigs
        self.output = output
    }

    /// The tracer for a connection with `rigs`, or nil when none of them is traced.
    func tracer(for rigs: [Rig]) -> FrameTracer? {
        tracer(units: rigs.map { ($0.id, UInt8($0.unit), $0.replyUnit.map(UInt8.init)) })
    }

    /// The tracer for a running connection's `rigs` (the admin's toggle), or nil.
    func tracer(for rigs: [CompiledRig]) -> FrameTracer? {
        tracer(units: rigs.map { ($0.id, $0.unit, $0.replyUnit) })
    }

    private func tracer(units rigs: [(id: String, unit: UInt8, replyUnit: UInt8?)]) -> FrameTracer? {
        var units: [UInt8: String] = [:]
        for rig in rigs where self.rigs.contains(rig.id) {
            units[rig.unit] = rig.id
            // A device that answers with a fixed unit id: its replies carry that one.
            if let reply = rig.replyUnit, !rigs.contains(where: { $0.unit == reply }) { units[reply] = rig.id }
        }
        return units.isEmpty ? nil : FrameTracer(units: units, output: output)
    }
}
