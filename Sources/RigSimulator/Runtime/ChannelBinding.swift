package import Modbus
import RigProfiles

/// Where each of a model's outputs lands in a profile's registers, and how it is encoded.
///
/// Built once per rig: every profile channel is matched by name to a model output, so the
/// publishing loop does no lookups. Values are encoded exactly as the collector decodes them:
/// `Channel.rawValue(for:)`, clamped to what the type can hold (a simulated value never wraps
/// around), then `ValueCodec.encode` at the channel's address, type and word order.
package struct ChannelBinding: Sendable {
    struct Entry: Sendable {
        var channel: Channel
        /// The channel's index in the profile (what `overrides` are indexed by).
        var index: Int
        var output: Int
        var rawLow: Double
        var rawHigh: Double
        /// For coils and holding registers that are also model controls: clients may write them.
        var control: Int?
        /// Where this entry's last written words sit in `written`.
        var writtenOffset: Int
    }

    private(set) var entries: [Entry] = []
    /// Text channels (`string N`) and the registers they serve: the channel's English label,
    /// encoded once (a model's outputs are numbers).
    private(set) var texts: [(channel: Channel, words: [UInt16])] = []
    let operatorRegister: OperatorRegister?
    /// The words last published for writable entries, to tell a client's write from our own.
    private var written: [UInt16] = []
    private var hasPublished = false

    /// Binds `model`'s outputs to `profile`'s channels; throws the channels the model lacks.
    init(profile: DeviceProfile, model: any RigModel) throws(SimulatorError) {
        let names = model.outputNames
        var missing: [String] = []
        for (index, channel) in profile.channels.enumerated() {
            if channel.isText {
                var words = [UInt16](repeating: 0, count: channel.width)
                words.withUnsafeMutableBufferPointer {
                    ValueCodec.store(text: channel.label.en, count: channel.width, order: channel.order, into: $0)
                }
                texts.append((channel, words))
                continue
            }
            guard let output = names.firstIndex(of: channel.name) else {
                missing.append(channel.name)
                continue
            }
            let (low, high) = Self.rawRange(of: channel.type)
            let writable = channel.address.kind == .coil || channel.address.kind == .holding
            let control = writable ? model.controlIndex(named: channel.name) : nil
            entries.append(Entry(channel: channel, index: index, output: output, rawLow: low, rawHigh: high, control: control,
                                 writtenOffset: control == nil ? -1 : written.count))
            if control != nil { written += Array(repeating: 0, count: channel.width) }
        }
        guard missing.isEmpty else { throw .modelMissesChannels(profile: profile.name, channels: missing) }
        operatorRegister = profile.operatorRegister
    }

    package static func rawRange(of type: ValueType) -> (Double, Double) {
        switch type {
        case .bool, .bit, .bit32: (0, 1)
        case .u8: (0, 255)
        case .i8: (-128, 127)
        case .u16: (0, 65_535)
        case .i16: (-32_768, 32_767)
        case .u32: (0, 4_294_967_295)
        case .i32: (-2_147_483_648, 2_147_483_647)
        case .u64: (0, 0x1p64)
        case .i64: (-0x1p63, 9.223_372_036_854_774e18)  // below 2^63, which would wrap
        case .f32, .f64: (-.infinity, .infinity)
        case .f16: (-65_504, 65_504)  // the largest finite halves: a simulated value stays finite
        case .string: (0, 0)
        }
    }

    /// A register map large enough for every channel and the operator register.
    func makeMap() -> RegisterMap {
        var size: [RegisterKind: Int] = [:]
        for channel in entries.map(\.channel) + texts.map(\.channel) {
            let a = channel.address
            size[a.kind] = max(size[a.kind] ?? 0, a.address + channel.width)
        }
        if let badge = operatorRegister {
            size[badge.address.kind] = max(size[badge.address.kind] ?? 0, badge.address.address + badge.type.registerCount)
        }
        return RegisterMap(coils: size[.coil] ?? 0, discreteInputs: size[.discrete] ?? 0,
                           holdingRegisters: size[.holding] ?? 0, inputRegisters: size[.input] ?? 0)
    }

    /// The controls a client changed by writing coils or holding registers since the last
    /// publish, with their new values (the instructor flipping a fault switch from a tool).
    func clientWrites(in map: RegisterMap) -> [(control: Int, value: Double)] {
        guard hasPublished else { return [] }
        return map.withTables { t in
            var writes: [(control: Int, value: Double)] = []
            for entry in entries {
                guard let control = entry.control else { continue }
                let a = entry.channel.address
                var changed = false
                for i in 0..<entry.channel.width where t[a.kind, a.address + i] != written[entry.writtenOffset + i] {
                    changed = true
                }
                guard changed else { continue }
                let raw: DecodedValue
                if a.kind == .coil {
                    raw = .bool(t[.coil, a.address] != 0)
                } else {
                    raw = ValueCodec.decode(entry.channel.type, order: entry.channel.order,
                                            from: UnsafeBufferPointer(rebasing: t.holding[a.address..<(a.address + entry.channel.width)]))
                }
                writes.append((control, entry.channel.value(fromRaw: raw)))
            }
            return writes
        }
    }

    /// Encodes every output (or its fault override) and the badge into `map`, under one lock.
    mutating func publish(_ outputs: UnsafeBufferPointer<Double>, overrides: [Double?], badge: UInt64, into map: RegisterMap) {
        map.withTables { t in
            for entry in entries {
                let value = overrides[entry.index] ?? outputs[entry.output]
                let channel = entry.channel
                let a = channel.address
                switch a.kind {
                case .coil, .discrete:
                    t[a.kind, a.address] = value != 0 ? 1 : 0
                case .input, .holding:
                    let table = a.kind == .input ? t.input : t.holding
                    let slot = UnsafeMutableBufferPointer(rebasing: table[a.address..<(a.address + channel.type.registerCount)])
                    var raw = channel.rawValue(for: value)
                    if case .float(let f) = raw { raw = .float(f.isNaN ? 0 : min(max(f, entry.rawLow), entry.rawHigh)) }
                    ValueCodec.encode(raw, as: channel.type, order: channel.order, into: slot)
                }
                if entry.control != nil {
                    for i in 0..<channel.width { written[entry.writtenOffset + i] = t[a.kind, a.address + i] }
                }
            }
            for (channel, words) in texts {
                let a = channel.address
                let table = a.kind == .input ? t.input : t.holding
                for (i, word) in words.enumerated() { table[a.address + i] = word }
            }
            if let badgeRegister = operatorRegister {
                let a = badgeRegister.address
                let table = a.kind == .input ? t.input : t.holding
                let slot = UnsafeMutableBufferPointer(rebasing: table[a.address..<(a.address + badgeRegister.type.registerCount)])
                ValueCodec.encode(.unsigned(badge), as: badgeRegister.type, order: badgeRegister.order, into: slot)
            }
        }
        hasPublished = true
    }
}
