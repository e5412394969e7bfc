import Testing
import Modbus
import RiglogTesting

@Suite("Value codecs")
struct ValueCodecTests {
    // Known vectors: the big-endian value and where its registers land in each order.
    static let u32Vectors: [(WordOrder, [UInt16])] = [
        (.abcd, [0x1234, 0x5678]), (.cdab, [0x5678, 0x1234]),
        (.badc, [0x3412, 0x7856]), (.dcba, [0x7856, 0x3412]),
    ]
    static let u64Vectors: [(WordOrder, [UInt16])] = [
        (.abcd, [0x0123, 0x4567, 0x89AB, 0xCDEF]), (.cdab, [0xCDEF, 0x89AB, 0x4567, 0x0123]),
        (.badc, [0x2301, 0x6745, 0xAB89, 0xEFCD]), (.dcba, [0xEFCD, 0xAB89, 0x6745, 0x2301]),
    ]

    @Test("u32 and i32 in every word order", arguments: u32Vectors)
    func thirtyTwoBitIntegers(order: WordOrder, registers: [UInt16]) {
        #expect(ValueCodec.decode(.u32, order: order, registers: registers) == .unsigned(0x1234_5678))
        #expect(ValueCodec.decode(.i32, order: order, registers: registers) == .signed(0x1234_5678))
        var out = [UInt16](repeating: 0, count: 2)
        ValueCodec.encode(.unsigned(0x1234_5678), as: .u32, order: order, into: &out)
        #expect(out == registers)
    }

    @Test("u64 and i64 in every word order", arguments: u64Vectors)
    func sixtyFourBitIntegers(order: WordOrder, registers: [UInt16]) {
        #expect(ValueCodec.decode(.u64, order: order, registers: registers) == .unsigned(0x0123_4567_89AB_CDEF))
        #expect(ValueCodec.decode(.i64, order: order, registers: registers) == .signed(0x0123_4567_89AB_CDEF))
        var out = [UInt16](repeating: 0, count: 4)
        ValueCodec.encode(.signed(0x0123_4567_89AB_CDEF), as: .i64, order: order, into: &out)
        #expect(out == registers)
    }

    @Test("f32 123.456 (0x42F6E979) in every word order")
    func float32() {
        let expected: [WordOrder: [UInt16]] = [
            .abcd: [0x42F6, 0xE979], .cdab: [0xE979, 0x42F6], .badc: [0xF642, 0x79E9], .dcba: [0x79E9, 0xF642],
        ]
        for (order, regs) in expected {
            #expect(ValueCodec.decode(.f32, order: order, registers: regs) == .float(Double(Float(123.456))))
            var out = [UInt16](repeating: 0, count: 2)
            ValueCodec.encode(.float(123.456), as: .f32, order: order, into: &out)
            #expect(out == regs, "\(order)")
        }
    }

    @Test("f64 -2.5 (0xC004000000000000) in every word order")
    func float64() {
        let expected: [WordOrder: [UInt16]] = [
            .abcd: [0xC004, 0, 0, 0], .cdab: [0, 0, 0, 0xC004], .badc: [0x04C0, 0, 0, 0], .dcba: [0, 0, 0, 0x04C0],
        ]
        for (order, regs) in expected {
            #expect(ValueCodec.decode(.f64, order: order, registers: regs) == .float(-2.5))
            var out = [UInt16](repeating: 0xFFFF, count: 4)
            ValueCodec.encode(.float(-2.5), as: .f64, order: order, into: &out)
            #expect(out == regs, "\(order)")
        }
    }

    @Test("16-bit, bool and bit N")
    func singleRegister() {
        #expect(ValueCodec.decode(.u16, registers: [0xFFFE]) == .unsigned(65534))
        #expect(ValueCodec.decode(.i16, registers: [0xFFFE]) == .signed(-2))
        #expect(ValueCodec.decode(.i16, registers: [0x8000]) == .signed(-32768))
        #expect(ValueCodec.decode(.bool, registers: [0]) == .bool(false))
        #expect(ValueCodec.decode(.bool, registers: [7]) == .bool(true))
        for n in 0..<16 {
            #expect(ValueCodec.decode(.bit(n), registers: [UInt16(1) << UInt16(n)]) == .bool(true))
            #expect(ValueCodec.decode(.bit(n), registers: [~(UInt16(1) << UInt16(n))]) == .bool(false))
        }
        // Setting one bit keeps its neighbours.
        var word: [UInt16] = [0b1010_0000_0000_0001]
        ValueCodec.encode(.bool(true), as: .bit(3), into: &word)
        ValueCodec.encode(.bool(false), as: .bit(0), into: &word)
        #expect(word == [0b1010_0000_0000_1000])
    }

    @Test("i32 and i64 negatives; i16 encode truncates to 16 bits")
    func negatives() {
        #expect(ValueCodec.decode(.i32, order: .abcd, registers: [0xFFFF, 0xFFFE]) == .signed(-2))
        #expect(ValueCodec.decode(.i32, order: .cdab, registers: [0xFFFE, 0xFFFF]) == .signed(-2))
        #expect(ValueCodec.decode(.i64, order: .abcd, registers: [0x8000, 0, 0, 0]) == .signed(.min))
        var out: [UInt16] = [0]
        ValueCodec.encode(.signed(-300), as: .i16, into: &out)
        #expect(ValueCodec.decode(.i16, registers: out) == .signed(-300))
    }

    @Test("round trips over every type and order with a seeded generator")
    func roundTrips() {
        var rng = SplitMix64(seed: 0x5EED)
        let types: [ValueType] = [.u16, .i16, .u32, .i32, .u64, .i64, .f32, .f64]
        for _ in 0..<2_000 {
            for type in types {
                for order in WordOrder.allCases {
                    let bits = rng.next()
                    let value: DecodedValue = switch type {
                    case .u16: .unsigned(bits & 0xFFFF)
                    case .i16: .signed(Int64(Int16(truncatingIfNeeded: bits)))
                    case .u32: .unsigned(bits & 0xFFFF_FFFF)
                    case .i32: .signed(Int64(Int32(truncatingIfNeeded: bits)))
                    case .u64: .unsigned(bits)
                    case .i64: .signed(Int64(bitPattern: bits))
                    case .f32: .float(Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits))))
                    default: .float(Double(bitPattern: bits))
                    }
                    var regs = [UInt16](repeating: 0, count: type.registerCount)
                    ValueCodec.encode(value, as: type, order: order, into: &regs)
                    let back = ValueCodec.decode(type, order: order, registers: regs)
                    if case .float(let f) = value, f.isNaN {
                        guard case .float(let g) = back else { Issue.record("not a float"); continue }
                        #expect(g.isNaN)
                    } else {
                        #expect(back == value, "\(type) \(order)")
                    }
                }
            }
        }
    }

    @Test("profile spellings of types and orders")
    func spellings() {
        #expect(ValueType(profileName: "bit 15") == .bit(15))
        #expect(ValueType(profileName: "bit 16") == nil)
        #expect(ValueType(profileName: "f32") == .f32)
        #expect(ValueType(profileName: "float") == nil)
        #expect(WordOrder(profileName: "GHEFCDAB") == .cdab)
        #expect(WordOrder(profileName: "dcba") == .dcba)
        #expect(WordOrder(profileName: "ACBD") == nil)
        #expect(WordOrder.badc.name(registerCount: 4) == "BADCFEHG")
    }

    @Test("Modicon references both ways")
    func modicon() {
        #expect(RegisterKind.input.modiconReference(ofAddress: 100) == 30101)
        #expect(RegisterKind.holding.modiconReference(ofAddress: 0) == 40001)
        #expect(RegisterKind.coil.modiconReference(ofAddress: 9) == 10)
        #expect(RegisterKind.input.modiconReference(ofAddress: 10_000) == 310_001)
        #expect(RegisterKind.fromModiconReference(30001)! == (.input, 0))
        #expect(RegisterKind.fromModiconReference(400_101)! == (.holding, 100))
        #expect(RegisterKind.fromModiconReference(20001) == nil)
        #expect(RegisterKind.fromModiconReference(30000) == nil)
    }
}
