import Testing
import Modbus
import RiglogTesting

/// The types of issue 17 (bytes, halves, bits of 32-bit values, text) against Python's struct
/// module as the independent encoder; the wire round trip through pymodbus is in `PeerTests`.
@Suite("Value codecs: bytes, halves, bits of u32, text")
struct ValueCodecIssue17Tests {
    /// Runs a Python snippet and returns its output lines.
    static func python(_ script: String) throws -> [Substring] {
        let result = try ExternalPeers.run("python3", ["-c", script])
        guard result.status == 0 else { throw ExternalPeers.PeerMissing(name: "python3 (\(result.error))") }
        return result.output.split(separator: "\n")
    }

    @Test("every f16 bit pattern decodes to the value Python's struct unpacks")
    func halvesDecodeAsStructDoes() throws {
        let lines = try Self.python("""
            import struct
            for bits in range(65536):
                print(repr(struct.unpack('>e', bits.to_bytes(2, 'big'))[0]))
            """)
        #expect(lines.count == 65536)
        for (bits, line) in lines.enumerated() {
            let ours = ValueCodec.halfToDouble(UInt16(bits))
            if line == "nan" {
                #expect(ours.isNaN, "0x\(String(bits, radix: 16))")
            } else {
                let theirs = line == "inf" ? Double.infinity : line == "-inf" ? -.infinity : Double(String(line))!
                #expect(ours == theirs && ours.sign == theirs.sign, "0x\(String(bits, radix: 16)): \(ours) != \(line)")
                if ours == theirs, !ours.isNaN { #expect(ValueCodec.doubleToHalf(ours) == UInt16(bits), "round trip of 0x\(String(bits, radix: 16))") }
            }
        }
    }

    @Test("doubles round to the half Python's struct packs (ties to even, overflow to infinity)")
    func halvesEncodeAsStructDoes() throws {
        var rng = SplitMix64(seed: 0xF16)
        var values: [Double] = [0, -0.0, 1, 65504, 65519.99, 65520, 1e9, -1e9, 0x1p-24, 0x1p-25, 0x1.8p-25, 0x1p-26, 6.1e-5,
                                1 + 0x1p-11, 1 + 0x1.8p-10, 2049, 2051, 0.1, -273.15, 3.14159]
        for _ in 0..<3000 {
            let bits = rng.next()
            // Random magnitudes across the half range and its edges, either sign.
            let magnitude = Double(bits >> 11) / Double(1 << 53) * pow2(Int(bits % 44) - 28)
            values.append(bits & 1 == 0 ? magnitude : -magnitude)
        }
        let script = """
            import struct, sys
            for line in sys.stdin.read().split():
                try: print(struct.unpack('>H', struct.pack('>e', float.fromhex(line)))[0])
                except OverflowError: print('overflow')
            """
        let input = values.map(\.hexText).joined(separator: " ")
        let lines = try Self.python("import sys, io; sys.stdin = io.StringIO(\(pythonString(input)))\n" + script)
        #expect(lines.count == values.count)
        for (value, line) in zip(values, lines) {
            let ours = ValueCodec.doubleToHalf(value)
            if line == "overflow" {
                #expect(ours & 0x7FFF == 0x7C00, "\(value) should overflow to infinity, got 0x\(String(ours, radix: 16))")
            } else {
                #expect(ours == UInt16(line)!, "\(value): ours 0x\(String(ours, radix: 16)), struct's 0x\(String(UInt16(line)!, radix: 16))")
            }
        }
    }

    @Test("bytes of a register: each byte its own channel, encoding leaves the other byte alone")
    func registerBytes() {
        var words: [UInt16] = [0]
        ValueCodec.encode(.unsigned(0xAB), as: .u8(.high), into: &words)
        ValueCodec.encode(.signed(-2), as: .i8(.low), into: &words)
        #expect(words == [0xABFE])
        #expect(ValueCodec.decode(.u8(.high), registers: words) == .unsigned(0xAB))
        #expect(ValueCodec.decode(.u8(.low), registers: words) == .unsigned(0xFE))
        #expect(ValueCodec.decode(.i8(.low), registers: words) == .signed(-2))
        #expect(ValueCodec.decode(.i8(.high), registers: words) == .signed(-85))
    }

    @Test("a bit of a u32 follows the word order, and encoding one bit keeps the others")
    func bitsOfU32() {
        // 0x00010000: bit 16 set; in CDAB the low word comes first.
        #expect(ValueCodec.decode(.bit32(16), order: .abcd, registers: [0x0001, 0x0000]) == .bool(true))
        #expect(ValueCodec.decode(.bit32(16), order: .cdab, registers: [0x0001, 0x0000]) == .bool(false))
        #expect(ValueCodec.decode(.bit32(0), order: .cdab, registers: [0x0001, 0x0000]) == .bool(true))
        #expect(ValueCodec.decode(.bit32(24), order: .badc, registers: [0x0001, 0x0000]) == .bool(true))
        for order in WordOrder.allCases {
            var words: [UInt16] = [0, 0]
            for n in [31, 16, 2] { ValueCodec.encode(.bool(true), as: .bit32(n), order: order, into: &words) }
            #expect(ValueCodec.decode(.u32, order: order, registers: words) == .unsigned(0x8001_0004), "\(order)")
            ValueCodec.encode(.bool(false), as: .bit32(16), order: order, into: &words)
            #expect(ValueCodec.decode(.u32, order: order, registers: words) == .unsigned(0x8000_0004), "\(order)")
        }
    }

    /// The text of `registers` read as `string N` in `order`.
    static func text(_ registers: [UInt16], order: WordOrder = .abcd) -> String {
        registers.withUnsafeBufferPointer { ValueCodec.text(of: $0, count: $0.count, order: order) }
    }

    @Test("text: trimmed at the first NUL, cut at the registers' bytes, bad UTF-8 replaced")
    func text() {
        #expect(Self.text([0x4142, 0x4300, 0x4445]) == "ABC")
        #expect(Self.text([0x4241, 0x0043, 0x4544], order: .badc) == "ABC")
        #expect(Self.text([0x4344, 0x4142], order: .cdab) == "ABCD")
        #expect(Self.text([0x0041]) == "")
        #expect(Self.text([0xFF41]) == "\u{FFFD}A")
        var words = [UInt16](repeating: 0xFFFF, count: 2)
        words.withUnsafeMutableBufferPointer { ValueCodec.store(text: "ABCDEF", count: 2, order: .abcd, into: $0) }
        #expect(words == [0x4142, 0x4344])
        words.withUnsafeMutableBufferPointer { ValueCodec.store(text: "A", count: 2, order: .dcba, into: $0) }
        #expect(words == [0x0000, 0x0041])
        // Text is no number: decoding it as one gives 0, encoding one leaves the registers alone.
        #expect(ValueCodec.decode(.string(2), registers: [0x4142, 0x4344]) == .unsigned(0))
        ValueCodec.encode(.unsigned(7), as: .string(2), into: &words)
        #expect(words == [0x0000, 0x0041])
    }

    @Test("profile spellings of the new types")
    func spellings() {
        #expect(ValueType(profileName: "u8 high") == .u8(.high))
        #expect(ValueType(profileName: "i8  low") == .i8(.low))
        #expect(ValueType(profileName: "u8") == nil)
        #expect(ValueType(profileName: "f16") == .f16)
        #expect(ValueType(profileName: "bit 31 of u32") == .bit32(31))
        #expect(ValueType(profileName: "bit 32 of u32") == nil)
        #expect(ValueType(profileName: "bit 3 of u16") == nil)
        #expect(ValueType(profileName: "string 8") == .string(8))
        #expect(ValueType(profileName: "string 0") == nil)
        #expect(ValueType(profileName: "string 126") == nil)
        #expect(ValueType(profileName: "bit7") == .bit(7))
        for type in [ValueType.u8(.low), .i8(.high), .f16, .bit32(5), .string(12)] {
            #expect(ValueType(profileName: type.description) == type)
        }
        #expect(ValueType.string(12).orderName(.cdab) == "CDAB")
        #expect(ValueType.string(1).hasWordOrder)
    }
}

private func pow2(_ n: Int) -> Double { Double(sign: .plus, exponent: n, significand: 1) }

private func pythonString(_ s: String) -> String { "'" + s + "'" }

private extension Double {
    /// The exact hexadecimal spelling Python's `float.fromhex` reads.
    var hexText: String {
        if self == 0 { return sign == .minus ? "-0x0p+0" : "0x0p+0" }
        let m = significandBitPattern, e = Int(exponent)
        let digits = String(m << 0, radix: 16)
        let padded = String(repeating: "0", count: 13 - digits.count) + digits
        return (sign == .minus ? "-" : "") + "0x1.\(padded)p\(e >= 0 ? "+" : "")\(e)"
    }
}
