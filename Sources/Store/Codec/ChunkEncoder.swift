import Ingest

/// Encodes a chunk: a run of frames (one timestamp, one value per channel) of a fixed set of
/// channels.
///
/// ## Format (version 1)
///
/// ```
/// u8      format version (1)
/// varint  frame count
/// varint  column count
/// varint  byte length of the time column
/// per column: u8 mode, varint byte length
/// the time column, then each value column, each starting on a byte boundary
/// ```
///
/// - **Time** is kept in whole **microseconds** since 1970 UTC: a Modbus response time jitters by
///   tens of microseconds, so nanosecond digits are noise that would cost bits in every
///   delta-of-delta, while milliseconds would blur kHz sampling. Timestamps are delta-of-delta
///   coded (``IntegerColumn``, order 2).
/// - **One timestamp column per frame group.** All channels read in one Modbus response share
///   one time, so a chunk holds several channels with one time column; at 100 Hz with jitter the
///   time column costs about 8 bits per frame, shared by every channel of the response.
/// - Integer and boolean columns: ``IntegerColumn`` (mode 0). Float columns: ``DecimalColumn``
///   when every value is an exact decimal (modes 2, 3: `Double` or `Float` arithmetic, then a
///   scale byte and an integer column), otherwise Gorilla XOR (``FloatColumn``, mode 1).
///
/// Columns are added one at a time (``begin(frames:columns:)``, ``addTimes(_:)``,
/// ``addColumn(_:kind:)``, ``finish(appendingTo:)``), so a caller can hand each over from its own
/// storage through one scratch buffer. Each column is encoded straight into the body; only
/// ``finish(appendingTo:)`` copies, header then body, into the caller's buffer.
///
/// Not thread-safe (`@unchecked Sendable` so a lock-guarded owner can hold it).
/// The encoder keeps its scratch buffers between calls, so encoding allocates nothing per
/// sample; buffers grow only to the largest chunk seen.
final class ChunkEncoder: @unchecked Sendable {
    static let formatVersion: UInt8 = 1

    enum Mode: UInt8 {
        case integer = 0
        case xorFloat = 1
        case decimalDouble = 2
        case decimalFloat = 3
    }

    private var body: BitWriter
    private var header = BitWriter(capacity: 256)
    private var mantissas: UnsafeMutablePointer<Int64>
    private var mantissaCapacity: Int
    private var frames = 0
    private var modes: [Mode] = []
    private var timeBytes = 0
    /// The chunk after ``encode(times:values:stride:kinds:)``.
    private(set) var output: [UInt8] = []
    /// Byte length of each value column of the last chunk (for per-channel size statistics).
    private(set) var columnBytes: [Int] = []
    /// Byte length of the last chunk's header and time column.
    private(set) var sharedBytes = 0

    /// An encoder whose buffers fit chunks of `frames` frames and `columns` columns without growing.
    init(frames: Int = 1024, columns: Int = 16) {
        mantissaCapacity = max(frames, 1)
        mantissas = .allocate(capacity: mantissaCapacity)
        body = BitWriter(capacity: frames * (columns + 2) + 256)
        modes.reserveCapacity(columns)
        columnBytes.reserveCapacity(columns)
    }

    deinit {
        mantissas.deallocate()
    }

    /// Encodes `frames` frames: `times[i]` (µs) and `values[c * stride + i]` for column `c`, into
    /// ``output``.
    func encode(
        times: UnsafeBufferPointer<Int64>,
        values: UnsafePointer<UInt64>,
        stride: Int,
        kinds: [Sample.Kind]
    ) {
        let n = times.count
        begin(frames: n, columns: kinds.count)
        addTimes(times)
        for (c, kind) in kinds.enumerated() {
            addColumn(UnsafeBufferPointer(start: values + c * stride, count: n), kind: kind)
        }
        output.removeAll(keepingCapacity: true)
        finish(appendingTo: &output)
    }

    /// Starts a chunk of `frames` frames; add its times, then `columns` value columns.
    func begin(frames n: Int, columns: Int) {
        if n > mantissaCapacity {
            mantissas.deallocate()
            mantissaCapacity = max(n, mantissaCapacity * 2)
            mantissas = .allocate(capacity: mantissaCapacity)
        }
        frames = n
        body.reset()
        modes.removeAll(keepingCapacity: true)
        columnBytes.removeAll(keepingCapacity: true)
    }

    /// The chunk's frame times (µs), ``begin(frames:columns:)``'s count of them.
    func addTimes(_ times: UnsafeBufferPointer<Int64>) {
        precondition(times.count == frames && body.byteCount == 0)
        IntegerColumn.encode(times, order: 2, into: &body)
        body.alignToByte()
        timeBytes = body.byteCount
    }

    /// The next value column: payloads (raw integers or `Double` bits) of a channel of `kind`.
    func addColumn(_ bits: UnsafeBufferPointer<UInt64>, kind: Sample.Kind) {
        precondition(bits.count == frames)
        let start = body.byteCount
        modes.append(encodeColumn(bits, kind: kind))
        body.alignToByte()
        columnBytes.append(body.byteCount - start)
    }

    /// Appends the chunk (header, then the columns) to `out`; sets ``columnBytes`` and
    /// ``sharedBytes``.
    func finish(appendingTo out: inout [UInt8]) {
        header.reset()
        header.write(UInt64(Self.formatVersion), bits: 8)
        header.writeVarint(UInt64(frames))
        header.writeVarint(UInt64(modes.count))
        header.writeVarint(UInt64(timeBytes))
        for (mode, length) in zip(modes, columnBytes) {
            header.write(UInt64(mode.rawValue), bits: 8)
            header.writeVarint(UInt64(length))
        }
        let headerBytes = header.withBytes { bytes in
            out.append(contentsOf: bytes)
            return bytes.count
        }
        body.withBytes { out.append(contentsOf: $0) }
        sharedBytes = headerBytes + timeBytes
    }

    private func encodeColumn(_ bits: UnsafeBufferPointer<UInt64>, kind: Sample.Kind) -> Mode {
        switch kind {
        case .integer, .boolean:
            bits.withMemoryRebound(to: Int64.self) { IntegerColumn.encode($0, order: 1, into: &body) }
            return .integer
        case .float:
            if let k = DecimalColumn.fit(bits, precision: .double, mantissas: mantissas) {
                body.write(UInt64(k), bits: 8)
                IntegerColumn.encode(UnsafeBufferPointer(start: mantissas, count: bits.count), order: 1, into: &body)
                return .decimalDouble
            }
            if let k = DecimalColumn.fit(bits, precision: .float, mantissas: mantissas) {
                body.write(UInt64(k), bits: 8)
                IntegerColumn.encode(UnsafeBufferPointer(start: mantissas, count: bits.count), order: 1, into: &body)
                return .decimalFloat
            }
            FloatColumn.encode(bits, into: &body)
            return .xorFloat
        }
    }
}
