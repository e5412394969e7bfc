import NIOCore
import Store

/// Rows in PostgreSQL's COPY text format: tab between columns, newline after a row, `\N` for
/// NULL, backslash escapes for backslash, tab, newline and carriage return, and `bytea` in hex
/// (`\\x0a1b`: the hex form's own backslash escaped). Doubles print in Swift's shortest
/// round-trip form, which PostgreSQL reads back to the same bits.
struct CopyText {
    var buffer: ByteBuffer

    init(capacity: Int = 1 << 16) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Appends one row: `collector` first, then the values.
    mutating func append(collector: String, _ row: ForwardRow) {
        buffer.writeString(collector)
        for value in row {
            buffer.writeInteger(UInt8(ascii: "\t"))
            append(value)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    private mutating func append(_ value: ForwardValue) {
        switch value {
        case .null:
            buffer.writeStaticString("\\N")
        case .integer(let n):
            buffer.writeString(String(n))
        case .real(let x):
            if x.isNaN { buffer.writeStaticString("NaN") } else if x.isInfinite { buffer.writeStaticString(x < 0 ? "-Infinity" : "Infinity") } else {
                buffer.writeString(x.description)
            }
        case .text(let text):
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        case .blob(let bytes):
            buffer.writeStaticString("\\\\x")
            buffer.reserveCapacity(minimumWritableBytes: bytes.count * 2)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bytes.count * 2) { out in
                for (i, byte) in bytes.enumerated() {
                    out[2 * i] = Self.hex[Int(byte >> 4)]
                    out[2 * i + 1] = Self.hex[Int(byte & 0x0F)]
                }
                return bytes.count * 2
            }
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)
}
