import Ingest

/// The chunk being filled for one frame group (the channels of one Modbus response), with its
/// frames kept unencoded until the chunk is sealed or flushed.
///
/// Storage is allocated once per group and reused for every chunk the group fills.
/// `@unchecked Sendable`: only touched under the ``ChunkWriter``'s lock.
final class OpenGroup: @unchecked Sendable {
    private(set) var channels: [UInt32]
    private(set) var kinds: [Sample.Kind]
    let capacity: Int
    private(set) var times: UnsafeMutablePointer<Int64>
    /// Column-major: column `c` starts at `values + c * capacity`.
    private(set) var values: UnsafeMutablePointer<UInt64>
    private(set) var count = 0
    /// Earliest and latest frame time (µs) in the chunk.
    private(set) var earliest = Int64.max
    private(set) var latest = Int64.min
    /// The chunk row holding the last flushed state of this chunk, once flushed.
    var rowID: Int64?
    /// Frames were added since the last flush.
    var dirty = false

    init(channels: [UInt32], kinds: [Sample.Kind], capacity: Int) {
        self.channels = channels
        self.kinds = kinds
        self.capacity = capacity
        self.times = .allocate(capacity: capacity)
        self.values = .allocate(capacity: capacity * max(channels.count, 1))
    }

    deinit {
        times.deallocate()
        values.deallocate()
    }

    var isFull: Bool { count == capacity }

    /// Changes the channel set; the group must be empty (sealed) first.
    func reconfigure(channels: [UInt32], kinds: [Sample.Kind]) {
        precondition(count == 0)
        if channels.count > self.channels.count {
            values.deallocate()
            values = .allocate(capacity: capacity * channels.count)
        }
        self.channels = channels
        self.kinds = kinds
        rowID = nil
    }

    /// Whether `samples[start...]` begins with one frame of exactly this group's channels.
    @inline(__always)
    func matches(_ samples: UnsafeBufferPointer<Sample>, at start: Int) -> Bool {
        let width = channels.count
        guard start + width <= samples.count else { return false }
        let time = samples[start].time
        for j in 0..<width {
            let s = samples[start + j]
            if s.channel != channels[j] || s.time != time || s.kind != kinds[j] { return false }
        }
        return true
    }

    /// Whether a frame at `time` (µs) keeps the chunk within ``StoreDatabase/maxChunkSpan``.
    /// Reads rely on that bound to find the chunks of a range with an index seek.
    @inline(__always)
    func accepts(_ time: Int64) -> Bool {
        count == 0 || (max(latest, time) &- min(earliest, time)) <= StoreDatabase.maxChunkSpan
    }

    /// Appends the frame at `samples[start..<start + channels.count]`.
    @inline(__always)
    func append(_ samples: UnsafeBufferPointer<Sample>, at start: Int) {
        let time = Self.microseconds(samples[start].time)
        earliest = min(earliest, time)
        latest = max(latest, time)
        times[count] = time
        for j in 0..<channels.count {
            values[j * capacity + count] = samples[start + j].payload
        }
        count += 1
        dirty = true
    }

    /// Forgets the frames after the chunk was sealed.
    func reset() {
        count = 0
        earliest = .max
        latest = .min
        rowID = nil
        dirty = false
    }

    /// Nanoseconds to whole microseconds, rounding down (also before 1970).
    @inline(__always)
    static func microseconds(_ ns: Int64) -> Int64 {
        let q = ns / 1000
        return (ns % 1000 < 0) ? q - 1 : q
    }
}
