public import Ingest
public import RigProfiles
public import Store

/// Turns one rig's samples of one instant into a ``RigFrame``: the same code for samples from
/// the drainer (live) and from stored chunks (offline), so both evaluations see the same frames.
public struct RigFrameBuilder: Sendable {
    private let assembler: FrameAssembler
    /// The store's id of the rig's `operator` channel, if the profile has a badge register.
    public let operatorChannel: UInt32?
    /// The store's id of each profile channel, in profile order; nil for a channel the store
    /// never registered (a channel added to the profile after collection: it has no samples).
    public let channelIDs: [UInt32?]
    /// Every channel id of the rig the builder reads: the profile's and the operator's.
    public let storedChannels: [ChannelRecord]

    /// A builder for a rig with `profile`, whose stored channels are `channels` (matched by name).
    public init(profile: DeviceProfile, channels: [ChannelRecord]) {
        let byName = Dictionary(channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let ids = profile.channels.map { byName[$0.name]?.id }
        channelIDs = ids
        // Channels the store lacks get ids no sample carries, so the assembler skips nothing real.
        assembler = FrameAssembler(profile: profile, channelIDs: ids.enumerated().map { $0.element ?? (UInt32.max - UInt32($0.offset)) })
        operatorChannel = profile.operatorRegister == nil ? nil : byName["operator"]?.id
        storedChannels = profile.channels.compactMap { byName[$0.name] } + (operatorChannel == nil ? [] : [byName["operator"]!])
    }

    /// The frame of `samples`, which all have `time` (truncated to µs) and may include samples of
    /// other rigs (skipped).
    public func frame(time: Int64, samples: UnsafeBufferPointer<Sample>) -> RigFrame {
        var updates: [Frame.Update] = []
        for frame in assembler.frames(from: samples) { updates += frame.updates }
        var badge: Int64?
        if let operatorChannel {
            for sample in samples where sample.channel == operatorChannel { badge = sample.raw }
        }
        return RigFrame(time: time, updates: updates, badge: badge)
    }
}
