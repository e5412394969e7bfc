public import Ingest
public import RigProfiles

/// Turns one rig's `Ingest.Sample`s into ``Frame``s for its ``SessionEvaluator``: the bridge
/// from a `SampleSink` batch (live) or a stored chunk (offline) to the evaluator.
///
/// Samples are mapped from the store's channel ids to profile positions and scaled
/// (`raw * scale + offset`, bools 0/1, floats as stored). Consecutive samples with the same
/// time become one frame, as one Modbus response does. Samples of channels not in the map
/// (other rigs in a shared batch) are skipped, so a sink can hand every batch to every rig's
/// assembler.
public struct FrameAssembler: Sendable {
    private struct Target: Sendable {
        var position: Int
        var scale: Double
        var offset: Double
        /// `u64` raw values are stored by bit pattern and must be read unsigned. (Matched by
        /// its profile spelling: Practice depends on RigProfiles, not on Modbus's `ValueType`.)
        var unsigned: Bool
    }

    private let targets: [UInt32: Target]

    /// An assembler for a rig with `profile`, whose channel `profile.channels[i]` the store
    /// registered with id `channelIDs[i]`.
    public init(profile: DeviceProfile, channelIDs: [UInt32]) {
        var targets: [UInt32: Target] = [:]
        for (position, (channel, id)) in zip(profile.channels, channelIDs).enumerated() {
            targets[id] = channel.isBoolean
                ? Target(position: position, scale: 1, offset: 0, unsigned: false)
                : Target(position: position, scale: channel.scale, offset: channel.offset, unsigned: String(describing: channel.type) == "u64")
        }
        self.targets = targets
    }

    /// The frames in `samples`, in order.
    public func frames(from samples: UnsafeBufferPointer<Sample>) -> [Frame] {
        var frames: [Frame] = []
        for sample in samples {
            guard let target = targets[sample.channel] else { continue }
            let value: Double =
                if target.unsigned, sample.kind == .integer {
                    Double(sample.payload) * target.scale + target.offset
                } else {
                    sample.value(scale: target.scale, offset: target.offset)
                }
            let update = Frame.Update(channel: target.position, value: value)
            if frames.last?.time == sample.time {
                frames[frames.count - 1].updates.append(update)
            } else {
                frames.append(Frame(time: sample.time, updates: [update]))
            }
        }
        return frames
    }

    /// The frames in `samples`, in order.
    public func frames(from samples: [Sample]) -> [Frame] {
        samples.withUnsafeBufferPointer { frames(from: $0) }
    }
}
