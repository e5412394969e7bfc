import Ingest
import Modbus

/// A register block as one Modbus response brings it, and the fields a profile decodes from it.
struct RegisterBlockFixture {
    struct Field {
        var offset: Int
        var type: ValueType
        var order: WordOrder
        var kind: Sample.Kind
    }

    let registers: UnsafeMutableBufferPointer<UInt16>
    let fields: [Field]
    let out: UnsafeMutableBufferPointer<Sample>

    init() {
        registers = .allocate(capacity: 125)
        for i in 0..<125 { registers[i] = UInt16(truncatingIfNeeded: i &* 40_503 &+ 17) }
        let layout: [(ValueType, WordOrder)] = [
            (.u16, .abcd), (.u16, .abcd), (.i16, .abcd), (.bit(3), .abcd), (.bool, .abcd), (.u16, .abcd),
            (.u32, .abcd), (.i32, .cdab), (.f32, .abcd), (.f32, .cdab), (.f32, .badc), (.u64, .abcd),
            (.f64, .dcba), (.i64, .abcd), (.u16, .abcd), (.f32, .abcd),
        ]
        var offset = 0
        var fields: [Field] = []
        while true {  // the layout repeated to fill 120 registers
            for (type, order) in layout {
                guard offset + type.registerCount <= 120 else { break }
                let kind: Sample.Kind = switch type {
                case .bool, .bit: .boolean
                case .f32, .f64: .float
                default: .integer
                }
                fields.append(Field(offset: offset, type: type, order: order, kind: kind))
                offset += type.registerCount
            }
            if offset + 4 > 120 { break }
        }
        self.fields = fields
        out = .allocate(capacity: fields.count)
    }

    /// Decodes every field into a sample, as the collector does with each response.
    @inline(never)
    func decodeAll(time: Int64) -> UInt64 {
        let block = UnsafeBufferPointer(registers)
        var check: UInt64 = 0
        for (i, field) in fields.enumerated() {
            let value = ValueCodec.decode(field.type, order: field.order, from: UnsafeBufferPointer(rebasing: block[field.offset...]))
            let sample: Sample = switch field.kind {
            case .float: Sample(channel: UInt32(i), time: time, value: value.doubleValue)
            case .boolean: Sample(channel: UInt32(i), time: time, bool: value.doubleValue != 0)
            case .integer: Sample(channel: UInt32(i), time: time, raw: value.rawInteger ?? 0)
            }
            out[i] = sample
            check &+= sample.payload
        }
        return check
    }
}
