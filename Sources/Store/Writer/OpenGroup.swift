import Ingest

/// The chunk being filled for one frame group (the channels of one Modbus response), with its
/// frames kept unencoded until the chunk is sealed or flushed.
///
/// Frames live in one block allocated per group and reused for every chunk the group fills:
/// the times (µs after the chunk's first frame, 32 bits while the chunk spans under 35 minutes),
/// then one ``NarrowColumn`` per channel, each only as wide as its values so far need. A value
/// that does not fit widens its column, which moves the block once; columns never narrow
/// again, so a group settles at the widths its channels need and stops reallocating.
///
/// `@unchecked Sendable`: only touched under the ``ChunkWriter``'s lock.
final class OpenGroup: @unchecked Sendable {
    private(set) var channels: [UInt32]
    private(set) var kinds: [Sample.Kind]
    let capacity: Int
    /// Column 0 holds the frame times as offsets from ``timeBase``, column `1 + c` channel `c`.
    private var columns: UnsafeMutablePointer<NarrowColumn>
    private var columnCapacity: Int
    private var block: UnsafeMutableRawPointer
    private var blockBytes: Int
    /// The first frame's time (µs) of the chunk.
    private var timeBase: Int64 = 0
    private(set) var count = 0
    /// Earliest and latest frame time (µs) in the chunk.
    private(set) var earliest = Int64.max
    private(set) var latest = Int64.min
    /// The chunk row holding the last flushed state of this chunk, once flushed.
    var rowID: Int64?
    /// Frames the row holds (its last committed state).
    var storedFrames = 0
    /// Frames were added since the last flush.
    var dirty = false
    /// Frames of the chunk already added to the rollups (they are rolled up when the chunk is
    /// encoded, whole or as flushed so far).
    var rolledUp = 0

    init(channels: [UInt32], kinds: [Sample.Kind], capacity: Int) {
        self.channels = channels
        self.kinds = kinds
        self.capacity = capacity
        columnCapacity = channels.count + 1
        columns = .allocate(capacity: columnCapacity)
        blockBytes = Self.bytes(of: kinds, capacity: capacity)
        block = .allocate(byteCount: blockBytes, alignment: 8)
        layOut()
    }

    deinit {
        columns.deallocate()
        block.deallocate()
    }

    var isFull: Bool { count == capacity }

    /// Bytes the block holds (for tests of the narrow layout).
    var allocatedBytes: Int { blockBytes }

    /// The form channel `c` is kept in now.
    func form(ofChannel c: Int) -> ColumnForm { columns[1 + c].form }

    /// The form the times are kept in now.
    var timeForm: ColumnForm { columns[0].form }

    /// Changes the channel set; the group must be empty (sealed) first. Columns start narrow
    /// again; the block is kept when it is large enough.
    func reconfigure(channels: [UInt32], kinds: [Sample.Kind]) {
        precondition(count == 0)
        if channels.count + 1 > columnCapacity {
            columns.deallocate()
            columnCapacity = channels.count + 1
            columns = .allocate(capacity: columnCapacity)
        }
        let needed = Self.bytes(of: kinds, capacity: capacity)
        if needed > blockBytes {
            block.deallocate()
            blockBytes = needed
            block = .allocate(byteCount: blockBytes, alignment: 8)
        }
        self.channels = channels
        self.kinds = kinds
        layOut()
        rowID = nil
        rolledUp = 0
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

    /// Whether a frame at `time` (µs) can join the chunk: not earlier than its latest frame (a
    /// wall clock stepped back starts a new chunk, so every chunk's frames are in time order and
    /// its first and last frames are its range), and within ``StoreDatabase/maxChunkSpan``
    /// (reads rely on that bound to find the chunks of a range with an index seek).
    @inline(__always)
    func accepts(_ time: Int64) -> Bool {
        count == 0 || (time >= latest && time &- earliest <= StoreDatabase.maxChunkSpan)
    }

    /// Appends the frame at `samples[start..<start + channels.count]`.
    @inline(__always)
    func append(_ samples: UnsafeBufferPointer<Sample>, at start: Int) {
        let time = Self.microseconds(samples[start].time)
        if count == 0 { timeBase = time }
        earliest = min(earliest, time)
        latest = max(latest, time)
        let i = count
        set(column: 0, UInt64(bitPattern: time &- timeBase), at: i)
        for j in 0..<channels.count {
            set(column: 1 + j, samples[start + j].payload, at: i)
        }
        count = i + 1
        dirty = true
    }

    /// The frame times (µs) of the chunk, into `out` (``count`` values).
    func loadTimes(into out: UnsafeMutablePointer<UInt64>) {
        columns[0].load(count: count, adding: UInt64(bitPattern: timeBase), into: out)
    }

    /// Channel `c`'s payloads in the chunk, into `out` (``count`` values).
    func loadColumn(_ c: Int, into out: UnsafeMutablePointer<UInt64>) {
        columns[1 + c].load(count: count, into: out)
    }

    /// Forgets the frames after the chunk was sealed.
    func reset() {
        count = 0
        earliest = .max
        latest = .min
        rowID = nil
        storedFrames = 0
        dirty = false
        rolledUp = 0
    }

    /// Nanoseconds to whole microseconds, rounding down (also before 1970).
    @inline(__always)
    static func microseconds(_ ns: Int64) -> Int64 {
        let q = ns / 1000
        return (ns % 1000 < 0) ? q - 1 : q
    }

    @inline(__always)
    private func set(column k: Int, _ bits: UInt64, at i: Int) {
        if !columns[k].store(bits, at: i) {
            widen(column: k, toHold: bits, frame: i)
            _ = columns[k].store(bits, at: i)
        }
    }

    /// Moves the frames to a new block in which column `k` is wide enough for `bits`, during
    /// the append of frame `i` (whose columns before `k` are already stored).
    @inline(never)
    private func widen(column k: Int, toHold bits: UInt64, frame i: Int) {
        let n = channels.count + 1
        let form = columns[k].form.widened(toHold: bits)
        var total = 0
        for j in 0..<n { total += NarrowColumn.bytes(j == k ? form : columns[j].form, capacity: capacity) }
        let moved = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: 8)
        var offset = 0
        for j in 0..<n {
            let old = columns[j]
            let new = NarrowColumn(form: j == k ? form : old.form, base: moved + offset)
            if j == k {
                for f in 0..<i { _ = new.store(old.load(f), at: f) }
            } else {
                new.base.copyMemory(from: old.base, byteCount: (i + 1) * old.form.width)
            }
            columns[j] = new
            offset += NarrowColumn.bytes(new.form, capacity: capacity)
        }
        block.deallocate()
        block = moved
        blockBytes = total
    }

    /// Columns in their initial forms, one after another in the block.
    private func layOut() {
        columns[0] = NarrowColumn(form: .int32, base: block)
        var offset = NarrowColumn.bytes(.int32, capacity: capacity)
        for (c, kind) in kinds.enumerated() {
            let form = ColumnForm.initial(for: kind)
            columns[1 + c] = NarrowColumn(form: form, base: block + offset)
            offset += NarrowColumn.bytes(form, capacity: capacity)
        }
    }

    private static func bytes(of kinds: [Sample.Kind], capacity: Int) -> Int {
        kinds.reduce(NarrowColumn.bytes(.int32, capacity: capacity)) {
            $0 + NarrowColumn.bytes(ColumnForm.initial(for: $1), capacity: capacity)
        }
    }
}
