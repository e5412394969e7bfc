public import Ingest
public import Modbus
public import RigProfiles
public import Store

/// One rig, resolved once at start-up so the hot path touches no profile data: every planned
/// request with, per field, where it sits in the response, how it is decoded and the channel id
/// it is stored under.
public struct CompiledRig: Sendable {
    public struct Field: Sendable {
        public var offset: Int
        public var type: ValueType
        public var order: WordOrder
        public var channel: UInt32
        public var kind: Sample.Kind
        /// True for the operator (badge) register.
        public var isOperator: Bool

        package init(offset: Int, type: ValueType, order: WordOrder, channel: UInt32, kind: Sample.Kind, isOperator: Bool) {
            self.offset = offset
            self.type = type
            self.order = order
            self.channel = channel
            self.kind = kind
            self.isOperator = isOperator
        }
    }

    /// A text channel (`string N`) of a request: compared in place with its last registers
    /// on every answer, decoded and posted only when they change (never a sample).
    public struct TextField: Sendable {
        public var offset: Int
        public var count: Int
        public var order: WordOrder
        public var channel: UInt32

        package init(offset: Int, count: Int, order: WordOrder, channel: UInt32) {
            self.offset = offset
            self.count = count
            self.order = order
            self.channel = channel
        }
    }

    public struct Request: Sendable {
        public var kind: RegisterKind
        public var start: Int
        public var count: Int
        public var interval: Duration
        /// The fields that become samples, in frame order.
        public var fields: [Field]
        /// The text channels it reads.
        public var texts: [TextField]

        package init(kind: RegisterKind, start: Int, count: Int, interval: Duration, fields: [Field], texts: [TextField] = []) {
            self.kind = kind
            self.start = start
            self.count = count
            self.interval = interval
            self.fields = fields
            self.texts = texts
        }
    }

    public var id: String
    public var unit: UInt8
    /// The unit id the device always answers with (`reply_unit:`), if not ``unit``.
    public var replyUnit: UInt8?
    /// How long to wait for this rig's replies; nil takes the connection's.
    public var timeout: Duration?
    public var requests: [Request]
    public var limits: DeviceLimits

    /// The channels the store registers for `rig`: the profile's, then `operator` when the
    /// profile has a badge register (sessions are rebuilt from it, live and offline).
    public static func channelDefinitions(of rig: Rig) -> [ChannelDefinition] {
        var definitions = rig.profile.channels.map { channel in
            ChannelDefinition(name: channel.name, unit: channel.unit, type: channel.type.description,
                              kind: sampleKind(of: channel.type), scale: channel.scale, offset: channel.offset)
        }
        if let badge = rig.profile.operatorRegister {
            definitions.append(ChannelDefinition(name: "operator", unit: "badge", type: badge.type.description, kind: .integer))
        }
        return definitions
    }

    /// A rig from its parts (tests build rigs without a profile).
    package init(id: String, unit: UInt8, requests: [Request], limits: DeviceLimits) {
        self.id = id
        self.unit = unit
        self.requests = requests
        self.limits = limits
    }

    /// Resolves `rig` against the channel ids the store returned for ``channelDefinitions(of:)``.
    public init(rig: Rig, channelIDs: [UInt32]) {
        let profile = rig.profile
        precondition(channelIDs.count == profile.channels.count + (profile.operatorRegister == nil ? 0 : 1))
        id = rig.id
        unit = UInt8(rig.unit)
        replyUnit = rig.replyUnit.map(UInt8.init)
        timeout = rig.timeout ?? rig.endpoint.responseTimeout
        limits = profile.limits
        requests = rig.requestPlan.requests.map { planned in
            var fields: [Field] = [], texts: [TextField] = []
            for field in planned.fields {
                let layout = profile.layout(of: field)
                switch field.target {
                case .channel(let index, _) where layout.type.isText:
                    texts.append(TextField(offset: field.offset, count: layout.type.registerCount, order: layout.order, channel: channelIDs[index]))
                case .channel(let index, _):
                    fields.append(Field(offset: field.offset, type: layout.type, order: layout.order, channel: channelIDs[index],
                                        kind: Self.sampleKind(of: layout.type), isOperator: false))
                case .operatorBadge:
                    fields.append(Field(offset: field.offset, type: layout.type, order: layout.order,
                                        channel: channelIDs[profile.channels.count], kind: .integer, isOperator: true))
                }
            }
            return Request(kind: planned.kind, start: planned.start, count: planned.count, interval: planned.interval, fields: fields, texts: texts)
        }
    }

    /// How samples of `type` are stored. Text has no samples (its changes are events); its
    /// channel row says `.integer`, which nothing reads.
    static func sampleKind(of type: ValueType) -> Sample.Kind {
        if type.isBoolean { return .boolean }
        return type.isIntegral || type.isText ? .integer : .float
    }
}

extension CompiledRig.Field {
    /// The sample for this field of a register response.
    @inlinable
    func sample(from registers: UnsafeBufferPointer<UInt16>, time: Int64) -> Sample {
        let value = ValueCodec.decode(type, order: order, from: UnsafeBufferPointer(rebasing: registers[offset...]))
        switch kind {
        case .float: return Sample(channel: channel, time: time, value: value.doubleValue)
        case .boolean: return Sample(channel: channel, time: time, bool: value.doubleValue != 0)
        case .integer: return Sample(channel: channel, time: time, raw: value.rawInteger ?? 0)
        }
    }
}
