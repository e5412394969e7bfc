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
    /// The encoded chunk: a range of ``ChunkWriterState/chunkBytes``.
    var bytes: Range<Int>
    /// Bytes attributed to each channel (its column plus an equal share of header and times): a
    /// range of ``ChunkWriterState/channelBytes``.
    var channelBytes: Range<Int>
    /// The row the flush under way inserted, recorded once it commits.
    var insertedRow: Int64?
    /// Frames of this chunk that its row (``rowID``) holds already.
    var storedFrames = 0
}

/// Everything the ``ChunkWriter`` changes, behind its one lock.
struct ChunkWriterState {
    private let framesPerChunk: Int
    private var groups: [OpenGroup] = []
    /// Open group by the first channel of its frames.
    private var groupByFirstChannel = ChannelMap()
    /// The group whose open chunk holds each channel. Invariant: a channel is in at most one
    /// non-empty group, so a channel's chunks never overlap in time and reads stay in order.
    private var groupOfChannel = ChannelMap()
    private let encoder: ChunkEncoder
    /// Where a column is widened to 64 bits for the encoder: one column, allocated once.
    private let scratch: ColumnScratch
    private(set) var pending: [PendingChunk] = []
    /// The pending chunks' bytes, one after another; kept (with its capacity) between flushes,
    /// so encoding a chunk allocates nothing once it has grown to a flush's worth.
    private(set) var chunkBytes: [UInt8] = []
    /// The pending chunks' per-channel byte counts, one after another.
    private(set) var channelBytes: [Int] = []
    /// Bytes of sealed chunks waiting for a flush.
    private(set) var pendingBytes = 0
    var lastFlush = ContinuousClock.now
    /// After a flush the disk refused: no flush before this.
    var retryAt: ContinuousClock.Instant?
    private var newestTime: Int64?
    private(set) var committedThrough: Int64?
    /// SQL texts that depend on a chunk's column count, by count (built once each).
    private var statementTexts: [Int: String] = [:]
    /// Per-second rollups of every channel, written with the chunks; `nil` when they are off.
    /// A chunk's frames are rolled up when it is encoded (sealed, or flushed while open), from
    /// the columns the encoder reads: one pass per column, its channel's slot in registers.
    var rollups: RollupAccumulator?
    /// How each channel's samples are read for its rollups.
    private let conversions: RollupConversions
    /// The frame times of the chunk being encoded, kept beside the column scratch for the rollups.
    private let timeScratch: ColumnScratch
    /// Scratch for the slow path, kept to avoid allocating per frame.
    private var frameChannels: [UInt32] = []
    private var frameKinds: [Sample.Kind] = []

    init(configuration: ChunkWriter.Configuration, store: StoreDatabase) {
        framesPerChunk = configuration.framesPerChunk
        encoder = ChunkEncoder(frames: framesPerChunk)
        scratch = ColumnScratch(capacity: framesPerChunk)
        timeScratch = ColumnScratch(capacity: framesPerChunk)
        rollups = configuration.rollups ? RollupAccumulator() : nil
        conversions = RollupConversions(store: store)
        // Room for a few groups up front, so a new writer's first chunks need not grow these.
        groups.reserveCapacity(16)
        pending.reserveCapacity(16)
        chunkBytes.reserveCapacity(16 * framesPerChunk)
        channelBytes.reserveCapacity(128)
        frameChannels.reserveCapacity(64)
        frameKinds.reserveCapacity(64)
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
        encode(group, openGroup: nil)
        pendingBytes += pending[pending.count - 1].bytes.count
        group.reset()
    }

    /// Adds the current state of every open group with new frames to ``pending``.
    mutating func snapshotOpenGroups() {
        if pending.contains(where: { $0.openGroup != nil }) { dropStaleSnapshots() }
        for (index, group) in groups.enumerated() where group.dirty && group.count > 0 {
            encode(group, openGroup: index)
        }
    }

    /// Encodes the group's chunk as it stands, through the scratch column, and adds it to
    /// ``pending``.
    private mutating func encode(_ group: OpenGroup, openGroup: Int?) {
        let n = group.count
        let width = group.channels.count
        let column = scratch.values
        let times = timeScratch.values
        let from = group.rolledUp
        let conversions = conversions
        encoder.begin(frames: n, columns: width)
        group.loadTimes(into: times)
        times.withMemoryRebound(to: Int64.self, capacity: n) { encoder.addTimes(UnsafeBufferPointer(start: $0, count: n)) }
        for c in 0..<width {
            group.loadColumn(c, into: column)
            encoder.addColumn(UnsafeBufferPointer(start: column, count: n), kind: group.kinds[c])
            if from < n {
                rollups?.add(channel: group.channels[c], kind: group.kinds[c], times: times + from, payloads: column + from,
                             count: n - from) { conversions.conversion(of: $0) }
            }
        }
        group.rolledUp = n
        let start = chunkBytes.count
        encoder.finish(appendingTo: &chunkBytes)
        let share = encoder.sharedBytes / max(width, 1)
        let first = channelBytes.count
        for bytes in encoder.columnBytes { channelBytes.append(bytes + share) }
        // A chunk's frames are in time order (a clock stepped back starts a new chunk): its range is its first and last frame.
        pending.append(PendingChunk(
            rowID: group.rowID, openGroup: openGroup, channels: group.channels,
            tFirst: group.earliest, tLast: group.latest, count: n,
            bytes: start..<chunkBytes.count, channelBytes: first..<channelBytes.count, storedFrames: group.storedFrames))
    }

    /// Snapshots left by a failed flush are stale (the groups are snapshotted again): drops
    /// them and closes the gaps they leave in the byte buffers. Only after a failed flush.
    private mutating func dropStaleSnapshots() {
        pending.removeAll { $0.openGroup != nil }
        compactBuffers()
    }

    /// After a flush the disk refused: drops the oldest sealed chunks until at most `limit`
    /// bytes of them are held, and returns the samples lost with them (a frame's channels each
    /// count). Open chunks are kept: they are the newest frames, and rewritten at every flush.
    /// A dropped chunk that was stored while open keeps its last stored state: only the frames
    /// after it count as lost.
    mutating func dropOldestSealed(keepingAtMost limit: Int) -> Int {
        guard pendingBytes > limit else { return 0 }
        var dropped = 0
        var kept: [PendingChunk] = []
        kept.reserveCapacity(pending.count)
        for chunk in pending {
            if chunk.openGroup == nil && pendingBytes > limit {
                pendingBytes -= chunk.bytes.count
                dropped += (chunk.count - chunk.storedFrames) * chunk.channels.count
            } else {
                kept.append(chunk)
            }
        }
        pending = kept
        compactBuffers()
        return dropped
    }

    /// Moves the pending chunks' bytes together after some were removed from ``pending``.
    private mutating func compactBuffers() {
        var byteEnd = 0
        var countEnd = 0
        for i in pending.indices {
            let chunk = pending[i]
            for k in chunk.bytes { chunkBytes[byteEnd + k - chunk.bytes.lowerBound] = chunkBytes[k] }
            for k in chunk.channelBytes { channelBytes[countEnd + k - chunk.channelBytes.lowerBound] = channelBytes[k] }
            pending[i].bytes = byteEnd..<(byteEnd + chunk.bytes.count)
            pending[i].channelBytes = countEnd..<(countEnd + chunk.channelBytes.count)
            byteEnd += chunk.bytes.count
            countEnd += chunk.channelBytes.count
        }
        chunkBytes.removeSubrange(byteEnd...)
        channelBytes.removeSubrange(countEnd...)
    }

    /// The SQL text `build(n)` makes for chunks of `n` columns, built once per `n`.
    mutating func statementText(for n: Int, build: (Int) -> String) -> String {
        if let text = statementTexts[n] { return text }
        let text = build(n)
        statementTexts[n] = text
        return text
    }

    /// Notes that the flush under way inserted pending chunk `i` as `row` (`nil`: updated).
    mutating func recordSave(of i: Int, insertedAs row: Int64?) {
        pending[i].insertedRow = row
    }

    /// Records a successful commit of ``pending`` (with the rows it inserted).
    mutating func committed() {
        for chunk in pending {
            if let index = chunk.openGroup {
                let group = groups[index]
                group.dirty = false
                group.storedFrames = chunk.count
                if let row = chunk.insertedRow { group.rowID = row }
            }
        }
        pending.removeAll(keepingCapacity: true)
        chunkBytes.removeAll(keepingCapacity: true)
        channelBytes.removeAll(keepingCapacity: true)
        pendingBytes = 0
        rollups?.written()
        committedThrough = newestTime
    }
}
