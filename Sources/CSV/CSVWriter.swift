/// Writes CSV exactly as DESIGN.md's contract says, into a byte buffer handed out in blocks.
///
/// Hand-written rather than a CSV library: the contract has three rules no general writer has
/// (a `'` before text that starts like a formula, numbers never prefixed, a decimal comma in
/// Excel mode), and the rest of RFC 4180 is a dozen lines.
public struct CSVWriter {
    /// RFC 4180 (`,` and `.`) or the Excel dialect of most lab PCs here (`;` and `,`).
    public enum Dialect: Sendable {
        case rfc4180
        case excel

        var delimiter: UInt8 { self == .excel ? UInt8(ascii: ";") : UInt8(ascii: ",") }
    }

    /// Delimiter and decimal separator in use.
    public let dialect: Dialect
    private var buffer: [UInt8] = []
    private var fieldsInRow = 0
    private let blockSize: Int
    private let output: ([UInt8]) throws -> Void

    /// - Parameters:
    ///   - output: receives the bytes in blocks of about 64 KiB (and the rest on ``finish()``).
    public init(dialect: Dialect, blockSize: Int = 1 << 16, output: @escaping ([UInt8]) throws -> Void) {
        self.dialect = dialect
        self.blockSize = blockSize
        self.output = output
        buffer.reserveCapacity(blockSize + 1024)
        if dialect == .excel { buffer.append(contentsOf: [0xEF, 0xBB, 0xBF]) }  // UTF-8 BOM
    }

    /// A text field: prefixed with `'` when it begins with `= + - @`, tab or CR (so a spreadsheet
    /// does not run it as a formula), quoted when it holds a delimiter, quote or line break.
    public mutating func text(_ value: String) {
        separate()
        var utf8 = Array(value.utf8)
        if Self.startsLikeFormula(utf8) { utf8.insert(UInt8(ascii: "'"), at: 0) }
        append(utf8, quoted: needsQuotes(utf8))
    }

    /// An identifier field (a student id, an email address, an LMS login): written exactly as
    /// given, never prefixed, because an LMS matches it byte for byte and `'-007` is nobody.
    /// Quoted when it begins with `= + - @`, tab or CR (a CSV reader then takes it as text) or
    /// holds a delimiter, quote or line break.
    ///
    /// Quoting is not the formula-injection defence ``text(_:)`` gives: a spreadsheet that
    /// opens the file may still read a quoted `=...` as a formula. Identifiers come from the
    /// school's roster and are meant for the LMS's importer, which takes them verbatim.
    public mutating func identifier(_ value: String) {
        separate()
        let utf8 = Array(value.utf8)
        append(utf8, quoted: Self.startsLikeFormula(utf8) || needsQuotes(utf8))
    }

    /// A number already formatted with `.` as decimal point: written as is (never prefixed), with
    /// `,` as the decimal separator in Excel mode. An empty string is an empty field.
    public mutating func number(_ formatted: String) {
        separate()
        for byte in formatted.utf8 {
            buffer.append(dialect == .excel && byte == UInt8(ascii: ".") ? UInt8(ascii: ",") : byte)
        }
    }

    /// An empty field.
    public mutating func empty() {
        separate()
    }

    /// Ends the row (CRLF, as RFC 4180 says) and hands out a block when the buffer is full.
    public mutating func endRow() throws {
        buffer.append(0x0D)
        buffer.append(0x0A)
        fieldsInRow = 0
        if buffer.count >= blockSize {
            try output(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Hands out what is left.
    public mutating func finish() throws {
        if !buffer.isEmpty {
            try output(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// `= + - @`, tab or CR first: what a spreadsheet may take for a formula.
    private static func startsLikeFormula(_ utf8: [UInt8]) -> Bool {
        guard let first = utf8.first else { return false }
        return [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D].contains(first)
    }

    private func needsQuotes(_ utf8: [UInt8]) -> Bool {
        utf8.contains { $0 == dialect.delimiter || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
    }

    /// The field's bytes, in double quotes (inner quotes doubled) when `quoted`.
    private mutating func append(_ utf8: [UInt8], quoted: Bool) {
        guard quoted else {
            buffer.append(contentsOf: utf8)
            return
        }
        let quote = UInt8(ascii: "\"")
        buffer.append(quote)
        for byte in utf8 {
            if byte == quote { buffer.append(quote) }
            buffer.append(byte)
        }
        buffer.append(quote)
    }

    private mutating func separate() {
        if fieldsInRow > 0 { buffer.append(dialect.delimiter) }
        fieldsInRow += 1
    }
}
