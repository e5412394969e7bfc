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

    private var column = BitWriter()
    private var body = BitWriter()
    private var header = BitWriter()
    private var mantissas: UnsafeMutablePointer<Int64>
    private var mantissaCapacity: Int
    /// The encoded chunk after ``encode(times:columns:kinds:)``.
    private(set) var output: [UInt8] = []
    /// Byte length of each value column in ``output`` (for per-channel size statistics).
    private(set) var columnBytes: [Int] = []
    /// Byte length of the header and the time column.
    private(set) var sharedBytes = 0

    init() {
        mantissaCapacity = 1024
        mantissas = .allocate(capacity: mantissaCapacity)
    }

    deinit {
        mantissas.deallocate()
    }

    /// Encodes `frames` frames: `times[i]` (µs) and `values[c * stride + i]` for column `c`.
    func encode(
        times: UnsafeBufferPointer<Int64>,
        values: UnsafePointer<UInt64>,
        stride: Int,
        kinds: [Sample.Kind]
    ) {
        let n = times.count
        if n > mantissaCapacity {
            mantissas.deallocate()
            mantissaCapacity = max(n, mantissaCapacity * 2)
            mantissas = .allocate(capacity: mantissaCapacity)
        }
        body.reset()
        columnBytes.removeAll(keepingCapacity: true)
        header.reset()
        header.write(UInt64(Self.formatVersion), bits: 8)
        header.writeVarint(UInt64(n))
        header.writeVarint(UInt64(kinds.count))

        column.reset()
        IntegerColumn.encode(times, order: 2, into: &column)
        column.alignToByte()
        header.writeVarint(UInt64(column.bytes.count))
        body.appendBytes(column.bytes)
        let timeBytes = column.bytes.count

        for (c, kind) in kinds.enumerated() {
            column.reset()
            let bits = UnsafeBufferPointer(start: values + c * stride, count: n)
            let mode = encodeColumn(bits, kind: kind)
            column.alignToByte()
            header.write(UInt64(mode.rawValue), bits: 8)
            header.writeVarint(UInt64(column.bytes.count))
            body.appendBytes(column.bytes)
            columnBytes.append(column.bytes.count)
        }
        header.alignToByte()
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: header.bytes)
        output.append(contentsOf: body.bytes)
        sharedBytes = header.bytes.count + timeBytes
    }

    private func encodeColumn(_ bits: UnsafeBufferPointer<UInt64>, kind: Sample.Kind) -> Mode {
        switch kind {
        case .integer, .boolean:
            bits.withMemoryRebound(to: Int64.self) { IntegerColumn.encode($0, order: 1, into: &column) }
            return .integer
        case .float:
            if let k = DecimalColumn.fit(bits, precision: .double, mantissas: mantissas) {
                column.write(UInt64(k), bits: 8)
                IntegerColumn.encode(UnsafeBufferPointer(start: mantissas, count: bits.count), order: 1, into: &column)
                return .decimalDouble
            }
            if let k = DecimalColumn.fit(bits, precision: .float, mantissas: mantissas) {
                column.write(UInt64(k), bits: 8)
                IntegerColumn.encode(UnsafeBufferPointer(start: mantissas, count: bits.count), order: 1, into: &column)
                return .decimalFloat
            }
            FloatColumn.encode(bits, into: &column)
            return .xorFloat
        }
    }
}

extension BitWriter {
    /// Appends whole bytes (the writer must be byte-aligned).
    mutating func appendBytes(_ other: [UInt8]) {
        alignToByte()
        bytes.append(contentsOf: other)
    }
}
