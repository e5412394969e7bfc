import Ingest

/// An encoded chunk waiting for the next flush's transaction.
struct PendingChunk {
    /// The row to update, or `nil` to insert.
    var rowID: Int64?
    /// The open group this snapshot came from (its row id is set after an insert).
    var openGroup: Int?
    var channels: [UInt32]
    var tFirst: Int64
    var tLast: Int64
    var count: Int
    var bytes: [UInt8]
    /// Bytes attributed to each channel: its column plus an equal share of header and times.
    var channelBytes: [Int]
}

/// Everything the ``ChunkWriter`` changes, behind its one lock.
struct ChunkWriterState {
    private let framesPerChunk: Int
    private var groups: [OpenGroup] = []
    /// Open group by the first channel of its frames.
    private var groupByFirstChannel: [UInt32: Int] = [:]
    /// The group whose open chunk holds each channel. Invariant: a channel is in at most one
    /// non-empty group, so a channel's chunks never overlap in time and reads stay in order.
    private var groupOfChannel: [UInt32: Int] = [:]
    private let encoder = ChunkEncoder()
    private(set) var pending: [PendingChunk] = []
    private(set) var pendingBytes = 0
    var lastFlush = ContinuousClock.now
    private var newestTime: Int64?
    private(set) var committedThrough: Int64?
    private(set) var accepted = 0
    /// Scratch for the slow path, kept to avoid allocating per frame.
    private var frameChannels: [UInt32] = []
    private var frameKinds: [Sample.Kind] = []

    init(configuration: ChunkWriter.Configuration) {
        framesPerChunk = configuration.framesPerChunk
    }

    /// Splits `samples` into frames and appends each to its group.
    mutating func add(_ samples: UnsafeBufferPointer<Sample>) {
        let n = samples.count
        guard n > 0 else { return }
        var i = 0
        while i < n {
            let first = samples[i]
            if let index = groupByFirstChannel[first.channel] {
                let group = groups[index]
                if group.matches(samples, at: i) {
                    if !group.accepts(OpenGroup.microseconds(first.time)) { seal(group) }
                    if group.count == 0 { claimChannels(of: index) }
                    group.append(samples, at: i)
                    i += group.channels.count
                    if group.isFull { seal(group) }
                    continue
                }
            }
            i = addNewFrame(samples, at: i)
        }
        accepted += n
        var newest = newestTime ?? .min
        for s in samples where s.time > newest { newest = s.time }
        newestTime = newest
    }

    /// The slow path: a frame whose channel set differs from its group's (or a first frame).
    private mutating func addNewFrame(_ samples: UnsafeBufferPointer<Sample>, at start: Int) -> Int {
        let time = samples[start].time
        frameChannels.removeAll(keepingCapacity: true)
        frameKinds.removeAll(keepingCapacity: true)
        var end = start
        while end < samples.count, samples[end].time == time, !frameChannels.contains(samples[end].channel) {
            frameChannels.append(samples[end].channel)
            frameKinds.append(samples[end].kind)
            end += 1
        }
        let key = frameChannels[0]
        let group: OpenGroup
        let index: Int
        if let existing = groupByFirstChannel[key] {
            index = existing
            group = groups[index]
            if group.count > 0 { seal(group) }
            group.reconfigure(channels: frameChannels, kinds: frameKinds)
        } else {
            index = groups.count
            group = OpenGroup(channels: frameChannels, kinds: frameKinds, capacity: framesPerChunk)
            groupByFirstChannel[key] = index
            groups.append(group)
        }
        claimChannels(of: index)
        group.append(samples, at: start)  // an empty group accepts any time
        if group.isFull { seal(group) }
        return end
    }

    /// Before the (empty) group `index` starts a chunk: seals any other group whose open chunk
    /// holds one of its channels, and records the channels as this group's.
    private mutating func claimChannels(of index: Int) {
        for channel in groups[index].channels {
            if let other = groupOfChannel[channel], other != index {
                let holder = groups[other]
                if holder.count > 0 && holder.channels.contains(channel) { seal(holder) }
            }
            groupOfChannel[channel] = index
        }
    }

    /// Encodes a full (or reconfigured) group as a final chunk and empties it.
    private mutating func seal(_ group: OpenGroup) {
        pending.append(encode(group, openGroup: nil))
        pendingBytes += pending[pending.count - 1].bytes.count
        group.reset()
    }

    /// Adds the current state of every open group with new frames to ``pending``.
    mutating func snapshotOpenGroups() {
        // Snapshots left by a failed flush are stale: the groups are snapshotted again below.
        pending.removeAll { $0.openGroup != nil }
        for (index, group) in groups.enumerated() where group.dirty && group.count > 0 {
            pending.append(encode(group, openGroup: index))
        }
    }

    private func encode(_ group: OpenGroup, openGroup: Int?) -> PendingChunk {
        let n = group.count
        encoder.encode(
            times: UnsafeBufferPointer(start: group.times, count: n),
            values: group.values, stride: group.capacity, kinds: group.kinds)
        let share = encoder.sharedBytes / max(group.channels.count, 1)
        // Time may go backwards: the chunk's range covers every frame, not just first and last.
        return PendingChunk(
            rowID: group.rowID, openGroup: openGroup, channels: group.channels,
            tFirst: group.earliest, tLast: group.latest, count: n, bytes: encoder.output,
            channelBytes: encoder.columnBytes.map { $0 + share })
    }

    /// Records a successful commit of ``pending``; `inserted[i]` is the new row of chunk `i`.
    mutating func committed(inserted: [Int64?]) {
        for (chunk, row) in zip(pending, inserted) {
            if let index = chunk.openGroup {
                let group = groups[index]
                group.dirty = false
                if let row { group.rowID = row }
            }
        }
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
        committedThrough = newestTime
    }
}
