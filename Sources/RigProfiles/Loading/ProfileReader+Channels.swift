import Modbus

extension ProfileReader {
    static let channelKeys = ["name", "label", "unit", "source", "ref", "type", "order", "scale", "offset", "poll", "enum"]
    static let typeExpected = "one of \(ValueType.profileSpellings)"
    static let sourceExpected = "a table and a 0-based address such as \"input 0\" (tables: coil, discrete, input, holding; address 0-65535)"
    static let refExpected = "a Modicon reference such as 30001 (input 0), 40101 (holding 100) or 300001"

    mutating func readChannels(_ list: [YAMLValue]) -> [Channel] {
        var channels: [Channel] = []
        var firstLine: [String: Int] = [:]
        for item in list {
            guard let map = yaml.mapping(item, allowed: Self.channelKeys, expected: "a channel mapping (name:, source:, type: ...)") else { continue }
            let before = yaml.issues.count
            var name: String?
            if let value = yaml.required(map, "name", expected: Self.nameExpected),
                let text = yaml.string(value, expected: Self.nameExpected, where: Self.isName)
            {
                if Expression.reservedWords.contains(text) {
                    yaml.report(.invalid(found: value.found, expected: "a name that is not a word of the expression language (and, or, not, true, false, abs)"), at: value)
                } else if let line = firstLine[text] {
                    yaml.report(.duplicate(kind: "channel name", name: text, firstLine: line), at: value)
                } else {
                    firstLine[text] = value.line
                    name = text
                }
            }
            let channel = readChannelBody(map, name: name)
            if let channel, yaml.issues.count == before {
                channels.append(channel)
                addressFields[channel.name] = map["source"] ?? map["ref"]
            } else if let name {
                brokenChannels.insert(name)
            }
        }
        return channels
    }

    private mutating func readChannelBody(_ map: YAMLMapping, name: String?) -> Channel? {
        let label = map["label"].flatMap { yaml.localizedText($0) }
        let unit = map["unit"].flatMap { $0.isNull ? "" : yaml.string($0, expected: "a unit such as km/h, bar or V") } ?? ""
        let address = readAddress(map)
        let type = readType(map, kind: address?.kind)
        let order = readOrder(map, type: type)
        let scale = readScaling(map, key: "scale", type: type, default: 1)
        let offset = readScaling(map, key: "offset", type: type, default: 0)
        let names = readEnumeration(map, type: type)
        var poll: Duration?
        var pollIsValid = true
        if let value = map["poll"] {
            poll = yaml.duration(value, positive: true)
            pollIsValid = poll != nil
        }
        if let address, let type, address.address + (address.kind.isBit ? 1 : type.registerCount) - 1 > 65535 {
            let at = map["source"] ?? map["ref"]!
            yaml.report(.invalid(found: at.found, expected: "an address where all \(type.registerCount) registers of a \(type) fit below 65536"), at: at)
            return nil
        }
        guard let name, let address, let type, let order, let scale, let offset, let names, pollIsValid else { return nil }
        return Channel(name: name, label: label, unit: unit, address: address, type: type, order: order, scale: scale, offset: offset,
                       poll: poll, names: names)
    }

    /// `source: input 0` or `ref: 30001`, never both, never guessed.
    mutating func readAddress(_ map: YAMLMapping) -> RegisterAddress? {
        switch (map["source"], map["ref"]) {
        case (let source?, _?):
            yaml.report(.conflict("write either source (0-based protocol address) or ref (Modicon reference), not both"), at: source, field: map.value.child("ref"))
            return nil
        case (let source?, nil):
            guard let text = source.scalarText, let address = RegisterAddress.parseSource(text) else {
                yaml.report(.invalid(found: source.found, expected: Self.sourceExpected), at: source)
                return nil
            }
            return address
        case (nil, let ref?):
            guard let number = Int(ref.scalarText ?? ""), let (kind, address) = RegisterKind.fromModiconReference(number), address <= 65535 else {
                yaml.report(.invalid(found: ref.found, expected: Self.refExpected), at: ref)
                return nil
            }
            return RegisterAddress(kind: kind, address: address, spelling: .modiconReference)
        case (nil, nil):
            yaml.report(.missing(expected: "source (e.g. \"input 0\") or ref (e.g. 30001)"), line: map.value.line, column: map.value.column, field: map.value.child("source"))
            return nil
        }
    }

    mutating func readType(_ map: YAMLMapping, kind: RegisterKind?) -> ValueType? {
        guard let value = map["type"] else {
            if kind?.isBit == true { return .bool }
            yaml.report(.missing(expected: Self.typeExpected), line: map.value.line, column: map.value.column, field: map.value.child("type"))
            return nil
        }
        guard let text = value.scalarText, let type = ValueType(profileName: text) else {
            let words = (value.scalarText ?? "").split(separator: " ").map(String.init)
            if words.count == 1, let text = words.first, ["u8", "i8"].contains(text) {
                yaml.report(.invalid(found: value.found, expected: "\"\(text) high\" (bits 15-8, the byte sent first) or \"\(text) low\" (bits 7-0): which byte of the register"), at: value)
                return nil
            }
            if words == ["string"] {
                yaml.report(.invalid(found: value.found, expected: "\"string N\", N the registers the text fills (two bytes each, 1-\(ValueType.maximumStringRegisters))"), at: value)
                return nil
            }
            if let text = value.scalarText, let wide = ValueType(profileName: text + " of u32") {
                // `bit 20`: a bit of a 32-bit status word, written as if registers had 32 bits.
                yaml.report(.invalid(found: value.found, expected: "\"bit N\" with N 0-15 (a bit of one register), or \"\(wide)\" for a bit of a 32-bit value"), at: value)
                return nil
            }
            yaml.report(.invalid(found: value.found, expected: Self.typeExpected), at: value)
            return nil
        }
        if let kind, kind.isBit, type != .bool {
            yaml.report(.invalid(found: value.found, expected: "bool: \(kind == .coil ? "coils" : "discrete inputs") are single bits"), at: value)
            return nil
        }
        return type
    }

    mutating func readOrder(_ map: YAMLMapping, type: ValueType?) -> WordOrder? {
        guard let value = map["order"] else { return .abcd }
        guard let type else { return nil }
        guard type.hasWordOrder else {
            yaml.report(.invalid(found: value.found, expected: "no order: \(type) is a single register (order applies to 32- and 64-bit values and text)"), at: value)
            return nil
        }
        let names = WordOrder.allCases.map { type.orderName($0) }
        guard let text = value.scalarText, let order = WordOrder(profileName: text), names.contains(text.uppercased()) else {
            let what = type.isText
                ? "a \(type) (ABCD: bytes in reading order; BADC: the two bytes of each register swapped; CDAB, DCBA: registers last to first)"
                : "a \(type.registerCount)-register \(type)"
            yaml.report(.invalid(found: value.found, expected: "one of \(names.joined(separator: ", ")) for \(what)"), at: value)
            return nil
        }
        return order
    }

    mutating func readScaling(_ map: YAMLMapping, key: String, type: ValueType?, default: Double) -> Double? {
        guard let value = map[key] else { return `default` }
        if let type, type.isBoolean || type.isText {
            yaml.report(.invalid(found: value.found, expected: "no \(key): \(type) channels are \(type.isText ? "text" : "true/false")"), at: value)
            return nil
        }
        if map["enum"] != nil {
            yaml.report(.invalid(found: value.found, expected: "no \(key) on a channel with enum: its names are of the raw values"), at: value)
            return nil
        }
        guard let number = yaml.number(value) else { return nil }
        if key == "scale", number == 0 {
            yaml.report(.invalid(found: value.found, expected: "a scale other than 0 (value = raw * scale + offset)"), at: value)
            return nil
        }
        return number
    }

    static let enumExpected = "a mapping of the channel's integer values to names, such as {0: stopped, 1: running, 2: {en: fault, ru: авария}}"

    /// `enum: {0: stopped, 1: running}`: names for an integer channel's raw values. Empty when
    /// absent; nil after an error.
    mutating func readEnumeration(_ map: YAMLMapping, type: ValueType?) -> [ValueName]? {
        guard let value = map["enum"] else { return [] }
        guard let type else { return nil }
        guard type.isIntegral, !type.isBoolean else {
            yaml.report(.invalid(found: value.found, expected: "no enum: \(type) is not an integer type (enum names the values of u8 ... i64 channels)"), at: value)
            return nil
        }
        guard let entries = yaml.mapping(value, allowed: nil, expected: Self.enumExpected) else { return nil }
        guard !entries.fields.isEmpty else {
            yaml.report(.invalid(found: value.found, expected: Self.enumExpected), at: value)
            return nil
        }
        let range = ChannelRange(type)
        var names: [ValueName] = []
        var firstLine: [Int64: Int] = [:]
        var valid = true
        for field in entries.fields {
            guard let number = Int64(field.key), range.contains(number) else {
                yaml.report(.invalid(found: field.keyValue.found, expected: "an integer a \(type) holds (\(range.text))"), at: field.keyValue)
                valid = false
                continue
            }
            if let line = firstLine[number] {
                yaml.report(.duplicate(kind: "enum value", name: String(number), firstLine: line), at: field.keyValue)
                valid = false
                continue
            }
            firstLine[number] = field.keyValue.line
            guard let name = yaml.localizedText(field.value) else { valid = false; continue }
            names.append(ValueName(value: number, name: name))
        }
        return valid ? names : nil
    }

    mutating func readOperator(_ value: YAMLValue) -> OperatorRegister? {
        guard let map = yaml.mapping(value, allowed: ["source", "ref", "type", "order"], expected: "a mapping such as {source: holding 100, type: u32}") else { return nil }
        let address = readAddress(map)
        if let address, address.kind.isBit {
            yaml.report(.invalid(found: (map["source"] ?? map["ref"]!).found, expected: "an input or holding register (a badge number is not a bit)"), at: map["source"] ?? map["ref"]!)
            return nil
        }
        var type: ValueType? = .u32
        if let t = map["type"] {
            type = yaml.string(t, expected: "u16, u32 or u64 (a badge number)", where: { ["u16", "u32", "u64"].contains($0) }).flatMap { ValueType(profileName: $0) }
        }
        let order = readOrder(map, type: type)
        guard let address, let type, let order else { return nil }
        return OperatorRegister(address: address, type: type, order: order)
    }

    /// Two channels reading the same register would be decoded twice and stored twice; only
    /// channels of part of a register (`bit N`, `bit N of u32`, `u8`/`i8 high|low`) may share
    /// one (the bits of a status word, the two bytes of a register).
    mutating func checkOverlaps(_ channels: [Channel]) {
        var claimed: [(channel: Channel, range: Range<Int>)] = []
        for channel in channels {
            if channel.type.sharesRegister { continue }
            let range = channel.address.address..<(channel.address.address + channel.width)
            if let other = claimed.first(where: { $0.channel.address.kind == channel.address.kind && $0.range.overlaps(range) }) {
                let written = range.count == 1 ? "\(channel.address)" : "\(channel.address.kind) \(range.lowerBound)-\(range.upperBound - 1)"
                if let field = addressFields[channel.name] {
                    yaml.report(.overlap(channel: channel.name, other: other.channel.name, range: written), at: field)
                }
            }
            claimed.append((channel, range))
        }
    }
}

/// The integers a channel type holds, for checking enum values.
struct ChannelRange {
    let low: Int64
    let high: UInt64

    init(_ type: ValueType) {
        switch type {
        case .u8: (low, high) = (0, 255)
        case .i8: (low, high) = (-128, 127)
        case .u16: (low, high) = (0, 65_535)
        case .i16: (low, high) = (-32_768, 32_767)
        case .u32: (low, high) = (0, 4_294_967_295)
        case .i32: (low, high) = (-2_147_483_648, 2_147_483_647)
        case .u64: (low, high) = (0, UInt64(Int64.max))  // stored raw values are Int64
        default: (low, high) = (.min, UInt64(Int64.max))
        }
    }

    func contains(_ value: Int64) -> Bool { value >= low && (value < 0 || UInt64(value) <= high) }

    var text: String { "\(low) to \(high)" }
}
