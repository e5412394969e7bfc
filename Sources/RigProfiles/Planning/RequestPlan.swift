public import Modbus

/// The Modbus read requests that cover a profile's channels, grouped by interval.
///
/// Built by `DeviceProfile.requestPlan(poll:)`. Every channel (and the operator register) is
/// served by exactly one request; a multi-register value is never split across two; a request
/// never mixes tables or intervals and never exceeds the device's limits.
public struct RequestPlan: Sendable, Hashable {
    public var requests: [PlannedRequest]
    /// The device's quirks the worker applies between requests (pauses).
    public var limits: DeviceLimits

    public init(requests: [PlannedRequest], limits: DeviceLimits) {
        self.requests = requests
        self.limits = limits
    }

    /// Plans `profile`, with `defaultPoll` replacing the profile's poll where given.
    public init(profile: DeviceProfile, defaultPoll: Duration? = nil) {
        let poll = defaultPoll ?? profile.poll
        var items = profile.channels.enumerated().map { index, channel in
            RequestPlanner.Item(
                target: .channel(index: index, name: channel.name), kind: channel.address.kind,
                address: channel.address.address, width: channel.width, interval: channel.poll ?? poll)
        }
        if let badge = profile.operatorRegister {
            items.append(RequestPlanner.Item(
                target: .operatorBadge, kind: badge.address.kind, address: badge.address.address,
                width: badge.type.registerCount, interval: poll))
        }
        self.init(requests: RequestPlanner.plan(items, limits: profile.limits), limits: profile.limits)
    }

    /// The distinct poll intervals, shortest first: the collector keeps one schedule for each.
    public var intervals: [Duration] {
        Array(Set(requests.map(\.interval))).sorted()
    }
}

/// One read request: a table, a start address and a count, repeated every `interval`.
public struct PlannedRequest: Sendable, Hashable {
    public var kind: RegisterKind
    /// The 0-based protocol address sent on the wire.
    public var start: Int
    /// Registers (or bits, for coils and discrete inputs) to read.
    public var count: Int
    public var interval: Duration
    /// What the response holds, in address order.
    public var fields: [PlannedField]
    /// Address ranges read only to join neighbours into one request; their values are ignored.
    public var gaps: [Range<Int>]

    public init(kind: RegisterKind, start: Int, count: Int, interval: Duration, fields: [PlannedField], gaps: [Range<Int>]) {
        self.kind = kind
        self.start = start
        self.count = count
        self.interval = interval
        self.fields = fields
        self.gaps = gaps
    }

    /// The function code that performs this read (1, 2, 3 or 4).
    public var functionCode: UInt8 { kind.readFunctionCode }
    /// The Modicon reference of `start`, as vendor manuals print it.
    public var modiconReference: Int { kind.modiconReference(ofAddress: start) }
    /// The addresses this request reads.
    public var addresses: Range<Int> { start..<(start + count) }
}

/// A value inside a planned request's response.
public struct PlannedField: Sendable, Hashable {
    /// What the value is.
    public enum Target: Sendable, Hashable {
        /// `profile.channels[index]`.
        case channel(index: Int, name: String)
        /// The profile's operator (badge) register.
        case operatorBadge
    }

    public var target: Target
    /// Position of the value's first register (or bit) in the response.
    public var offset: Int
    /// Registers (or bits) the value occupies.
    public var width: Int

    public init(target: Target, offset: Int, width: Int) {
        self.target = target
        self.offset = offset
        self.width = width
    }

    /// The channel name, or `operator`.
    public var name: String {
        switch target {
        case .channel(_, let name): name
        case .operatorBadge: "operator"
        }
    }
}
