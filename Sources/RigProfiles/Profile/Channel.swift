public import Modbus

/// One value a device exposes, and everything needed to read and decode it.
///
/// Decoding a channel: read `type.registerCount` registers (or one bit) at `address`, decode
/// them with `ValueCodec.decode(type, order: order, ...)`, then `value(fromRaw:)` applies
/// `raw * scale + offset`.
public struct Channel: Sendable, Hashable {
    /// `[a-z][a-z0-9_]*`, unique in the profile; what expressions and reports use.
    public var name: String
    /// The label shown to people; falls back to the name.
    public var label: LocalizedText
    /// The unit of the scaled value (`km/h`, `bar`), empty when dimensionless.
    public var unit: String
    public var address: RegisterAddress
    public var type: ValueType
    public var order: WordOrder
    public var scale: Double
    public var offset: Double
    /// This channel's own poll interval, overriding the profile's (and a rig's) default.
    public var poll: Duration?
    /// An enumeration (`enum:` in the profile): the names of the channel's integer values,
    /// ordered by value. Empty for an ordinary channel.
    public var names: [ValueName]

    public init(
        name: String, label: LocalizedText? = nil, unit: String = "", address: RegisterAddress, type: ValueType,
        order: WordOrder = .abcd, scale: Double = 1, offset: Double = 0, poll: Duration? = nil, names: [ValueName] = []
    ) {
        self.name = name
        self.label = label ?? LocalizedText(en: name)
        self.unit = unit
        self.address = address
        self.type = type
        self.order = order
        self.scale = scale
        self.offset = offset
        self.poll = poll
        self.names = names.sorted { $0.value < $1.value }
    }

    /// True for bool and bit channels: they are conditions in expressions, 0/1 in CSV.
    public var isBoolean: Bool { type.isBoolean }

    /// True for text channels (`string N`): recorded when they change, never sampled, not in
    /// expressions or charts.
    public var isText: Bool { type.isText }

    /// True for channels that have numbers to chart: neither true/false nor text.
    public var isNumeric: Bool { !isBoolean && !isText }

    /// The name of `value` in the channel's enumeration, nil when it has none or the value is
    /// not listed (a device reporting a state its profile does not know).
    public func name(of value: Double) -> LocalizedText? {
        guard !names.isEmpty, value.isFinite, value == value.rounded(), abs(value) < 0x1p63 else { return nil }
        let raw = Int64(value)
        var low = 0, high = names.count
        while low < high {
            let mid = (low + high) / 2
            if names[mid].value < raw { low = mid + 1 } else { high = mid }
        }
        return low < names.count && names[low].value == raw ? names[low].name : nil
    }

    /// The channel's type in the expression language.
    public var expressionType: ExpressionType { isBoolean ? .boolean : .number }

    /// How many items (registers, or bits for coils and discrete inputs) one read of it covers.
    public var width: Int { address.kind.isBit ? 1 : type.registerCount }

    /// The scaled value of a decoded raw value: `raw * scale + offset` (bools stay 0 or 1).
    public func value(fromRaw raw: DecodedValue) -> Double {
        isBoolean ? raw.doubleValue : raw.doubleValue * scale + offset
    }
}

/// One value of an enumerated channel and its name (`enum: {0: stopped, 1: running}`).
public struct ValueName: Sendable, Hashable {
    /// The raw integer the device reports (enumerated channels are not scaled).
    public var value: Int64
    public var name: LocalizedText

    public init(value: Int64, name: LocalizedText) {
        self.value = value
        self.name = name
    }
}

/// The register that says who is at the rig (a badge reader or an HMI login); 0 means nobody.
public struct OperatorRegister: Sendable, Hashable {
    public var address: RegisterAddress
    /// An unsigned integer type: u16, u32 or u64.
    public var type: ValueType
    public var order: WordOrder

    public init(address: RegisterAddress, type: ValueType = .u32, order: WordOrder = .abcd) {
        self.address = address
        self.type = type
        self.order = order
    }
}

extension Channel {
    /// The raw value that decodes to `value`: `(value - offset) / scale`, for the simulator to
    /// encode with `ValueCodec.encode(_:as:order:into:)` (which rounds integers to the nearest).
    public func rawValue(for value: Double) -> DecodedValue {
        isBoolean ? .bool(value != 0) : .float((value - offset) / scale)
    }
}
