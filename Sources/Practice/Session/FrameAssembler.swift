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
///
/// ## Cost
///
/// This runs for every sample the lab collects, so it neither hashes nor allocates per sample:
/// the store registers a rig's channels with consecutive ids, so a channel id indexes a table
/// directly (ids spread too far apart fall back to a dictionary). ``frames(from:)`` allocates
/// each frame's updates once, at their final size; ``forEachFrame(in:_:)`` (the live path)
/// reuses one frame's storage and allocates nothing once warm.
public struct FrameAssembler: Sendable {
    private struct Target: Sendable {
        /// The channel's position in the profile; -1 for an id that is not this rig's.
        var position: Int
        var scale: Double
        var offset: Double
        /// `u64` raw values are stored by bit pattern and must be read unsigned. (Matched by
        /// its profile spelling: Practice depends on RigProfiles, not on Modbus's `ValueType`.)
        var unsigned: Bool

        static let absent = Target(position: -1, scale: 1, offset: 0, unsigned: false)

        @inline(__always)
        func value(of sample: Sample) -> Double {
            if unsigned, sample.kind == .integer { return Double(sample.payload) * scale + offset }
            return sample.value(scale: scale, offset: offset)
        }
    }

    /// `table[id - firstID]` for ids in range; absent entries have position -1.
    private let firstID: UInt32
    private let table: [Target]
    /// Used instead of `table` when the rig's ids are too far apart for one.
    private let sparse: [UInt32: Target]?
    /// The frame ``forEachFrame(in:_:)`` fills and hands out, kept for its storage.
    private var scratch = Frame(time: 0, updates: [])

    /// An assembler for a rig with `profile`, whose channel `profile.channels[i]` the store
    /// registered with id `channelIDs[i]`.
    public init(profile: DeviceProfile, channelIDs: [UInt32]) {
        var targets: [UInt32: Target] = [:]
        for (position, (channel, id)) in zip(profile.channels, channelIDs).enumerated() {
            targets[id] = channel.isBoolean
                ? Target(position: position, scale: 1, offset: 0, unsigned: false)
                : Target(position: position, scale: channel.scale, offset: channel.offset, unsigned: String(describing: channel.type) == "u64")
        }
        let low = targets.keys.min() ?? 0
        let span = Int(targets.keys.max() ?? 0) - Int(low) + 1
        if targets.isEmpty || span <= 4 * targets.count + 1024 {
            var table = Array(repeating: Target.absent, count: targets.isEmpty ? 0 : span)
            for (id, target) in targets { table[Int(id - low)] = target }
            self.firstID = low
            self.table = table
            self.sparse = nil
        } else {
            self.firstID = 0
            self.table = []
            self.sparse = targets
        }
        scratch.updates.reserveCapacity(targets.count)
    }

    @inline(__always)
    private func target(of channel: UInt32) -> Target? {
        if let sparse { return sparse[channel] }
        let index = Int(channel &- firstID)  // wraps below firstID to a huge index
        guard index < table.count else { return nil }
        let target = table[index]
        return target.position < 0 ? nil : target
    }

    /// The frames in `samples`, in order.
    public func frames(from samples: UnsafeBufferPointer<Sample>) -> [Frame] {
        var frames: [Frame] = []
        let width = sparse?.count ?? table.count
        for (index, sample) in samples.enumerated() {
            guard let target = target(of: sample.channel) else { continue }
            let update = Frame.Update(channel: target.position, value: target.value(of: sample))
            if frames.last?.time == sample.time {
                frames[frames.count - 1].updates.append(update)
            } else {
                var updates: [Frame.Update] = []
                updates.reserveCapacity(Swift.min(width, samples.count - index))
                updates.append(update)
                frames.append(Frame(time: sample.time, updates: updates))
            }
        }
        return frames
    }

    /// The frames in `samples`, in order.
    public func frames(from samples: [Sample]) -> [Frame] {
        samples.withUnsafeBufferPointer { frames(from: $0) }
    }

    /// Calls `body` with each frame in `samples`, in order: the same frames as
    /// ``frames(from:)-(UnsafeBufferPointer<Sample>)``, without allocating once the assembler has
    /// seen a full frame. The frame's storage is reused for the next one: copy what must
    /// outlive the call.
    public mutating func forEachFrame<E: Error>(in samples: UnsafeBufferPointer<Sample>, _ body: (Frame) throws(E) -> Void) throws(E) {
        // Consecutive samples of this rig with one time are one frame, as in frames(from:).
        var open = false
        scratch.updates.removeAll(keepingCapacity: true)  // left over if `body` threw last time
        for sample in samples {
            guard let target = target(of: sample.channel) else { continue }
            if open, scratch.time != sample.time {
                try body(scratch)
                scratch.updates.removeAll(keepingCapacity: true)
            }
            scratch.time = sample.time
            open = true
            scratch.updates.append(Frame.Update(channel: target.position, value: target.value(of: sample)))
        }
        if open { try body(scratch) }
    }
}
