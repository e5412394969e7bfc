public import Timekeeping
public import Ingest

/// A rig as the lab config names it.
public struct RigDefinition: Sendable, Hashable {
    /// Stable id used everywhere (`brake-1`).
    public var id: String
    /// Display name (`Brake system trainer 1`).
    public var name: String
    /// Profile name (`brake-trainer`).
    public var profile: String

    public init(id: String, name: String, profile: String) {
        self.id = id
        self.name = name
        self.profile = profile
    }
}

/// A channel of a rig as its profile defines it.
public struct ChannelDefinition: Sendable, Hashable {
    /// `[a-z][a-z0-9_]*`, unique in the rig.
    public var name: String
    /// Engineering unit (`km/h`), may be empty.
    public var unit: String
    /// Register type as in the profile: `bool u16 i16 u32 i32 u64 i64 f32 f64` or `bit N`.
    public var type: String
    /// How samples of this channel carry their value (inferred from ``type`` when not given).
    public var kind: Sample.Kind
    /// `value = raw * scale + offset` for integral channels.
    public var scale: Double
    /// Added after scaling: `value = raw * scale + offset`.
    public var offset: Double

    public init(name: String, unit: String = "", type: String, kind: Sample.Kind? = nil, scale: Double = 1, offset: Double = 0) {
        self.name = name
        self.unit = unit
        self.type = type
        self.kind = kind ?? (type == "bool" || type.hasPrefix("bit") ? .boolean : type.hasPrefix("f") ? .float : .integer)
        self.scale = scale
        self.offset = offset
    }
}

/// A registered channel: its definition and the id samples carry.
public struct ChannelRecord: Sendable, Hashable {
    /// The id to put in ``Sample/channel``.
    public var id: UInt32
    /// The id of the rig the channel belongs to.
    public var rig: String
    /// Name, unit, type, scale and offset from the latest profile.
    public var definition: ChannelDefinition

    /// The channel name (`wheel_speed`).
    public var name: String { definition.name }
    /// The engineering unit, possibly empty.
    public var unit: String { definition.unit }

    /// The value in engineering units of a stored sample of this channel.
    ///
    /// A `u64` channel's raw value is kept as its bit pattern (so values above `Int64.max`
    /// survive exactly); it is read back as unsigned here.
    public func value(of sample: Sample) -> Double {
        if sample.kind == .integer, definition.type == "u64" {
            return Double(sample.payload) * definition.scale + definition.offset
        }
        return sample.value(scale: definition.scale, offset: definition.offset)
    }
}

/// A registered rig.
public struct RigRecord: Sendable, Hashable {
    /// Id, name and profile.
    public var definition: RigDefinition
    /// Channels in profile order.
    public var channels: [ChannelRecord]

    /// The stable rig id (`brake-1`).
    public var id: String { definition.id }
}

/// A span in which a rig did not answer: recorded, never filled with invented values.
public struct Gap: Sendable, Hashable {
    /// Row id, for ``StoreDatabase/closeGap(_:end:)``.
    public var id: Int64
    /// The rig id.
    public var rig: String
    /// When the rig stopped answering.
    public var start: Timestamp
    /// When it answered again; `nil` while the gap lasts.
    public var end: Timestamp?
    /// Why (`timeout`, `connection refused`, ...).
    public var reason: String
}
