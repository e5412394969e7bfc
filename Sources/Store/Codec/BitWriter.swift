/// Appends bit fields, least significant bit first, to a reusable byte buffer.
///
/// The buffer keeps its capacity across ``reset()`` so a writer that encodes chunk after chunk
/// allocates only while its buffer grows to the largest chunk seen.
struct BitWriter {
    var bytes: [UInt8] = []
    private var pending: UInt64 = 0
    private var pendingBits = 0

    /// Empties the writer and keeps its capacity.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        pending = 0
        pendingBits = 0
    }

    /// Writes the low `width` bits of `value` (0...64).
    @inline(__always)
    mutating func write(_ value: UInt64, bits width: Int) {
        if width > 32 {
            write(value & 0xFFFF_FFFF, bits: 32)
            write(value >> 32, bits: width - 32)
            return
        }
        if width == 0 { return }
        let masked = value & ((1 << UInt64(width)) &- 1)
        pending |= masked << UInt64(pendingBits)
        pendingBits += width
        while pendingBits >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: pending))
            pending >>= 8
            pendingBits -= 8
        }
    }

    /// Writes a single bit.
    @inline(__always)
    mutating func write(bit: Bool) {
        write(bit ? 1 : 0, bits: 1)
    }

    /// Pads the last byte with zeros so the next field starts on a byte boundary.
    mutating func alignToByte() {
        if pendingBits > 0 {
            bytes.append(UInt8(truncatingIfNeeded: pending))
            pending = 0
            pendingBits = 0
        }
    }

    /// Appends an unsigned LEB128 varint (byte-aligned callers only).
    mutating func writeVarint(_ value: UInt64) {
        alignToByte()
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
}

/// Reads what ``BitWriter`` wrote. Every read is bounds-checked: a damaged chunk throws
/// ``ChunkCodecError`` instead of reading past its end.
struct BitReader {
    private let base: UnsafeRawBufferPointer
    private var offset: Int
    private let end: Int
    private var pending: UInt64 = 0
    private var pendingBits = 0

    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.base = bytes
        self.offset = range.lowerBound
        self.end = range.upperBound
    }

    /// Reads `width` bits (0...64).
    @inline(__always)
    mutating func read(bits width: Int) throws(ChunkCodecError) -> UInt64 {
        if width > 32 {
            let low = try read(bits: 32)
            let high = try read(bits: width - 32)
            return low | high << 32
        }
        if width == 0 { return 0 }
        while pendingBits < width {
            guard offset < end else { throw .truncated }
            pending |= UInt64(base[offset]) << UInt64(pendingBits)
            offset += 1
            pendingBits += 8
        }
        let value = pending & ((1 << UInt64(width)) &- 1)
        pending >>= UInt64(width)
        pendingBits -= width
        return value
    }

    @inline(__always)
    mutating func readBit() throws(ChunkCodecError) -> Bool {
        try read(bits: 1) == 1
    }

    /// Reads an unsigned LEB128 varint from the next byte boundary.
    mutating func readVarint() throws(ChunkCodecError) -> UInt64 {
        pending = 0
        pendingBits = 0
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end, shift < 64 else { throw .truncated }
            let byte = base[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// The byte offset after the last byte consumed.
    var byteOffset: Int { offset }
}

/// A chunk that cannot be decoded: the database file was damaged or written by a newer riglog.
public enum ChunkCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The chunk ends before its header says it should.
    case truncated
    /// The chunk's format version or a column mode is unknown.
    case unsupported(String)

    public var description: String {
        switch self {
        case .truncated:
            "a stored chunk is truncated; run `PRAGMA integrity_check` on the database and restore it from a backup if it fails"
        case .unsupported(let what):
            "a stored chunk uses \(what), which this riglog does not know; update riglog to read this data folder"
        }
    }
}
