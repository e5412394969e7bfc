public import Modbus

/// How a value inside a planned request is laid out: what the collector decodes and the
/// simulator encodes.
public struct FieldLayout: Sendable, Hashable {
    public var type: ValueType
    public var order: WordOrder
    public var scale: Double
    public var offset: Double

    public init(type: ValueType, order: WordOrder = .abcd, scale: Double = 1, offset: Double = 0) {
        self.type = type
        self.order = order
        self.scale = scale
        self.offset = offset
    }
}

extension DeviceProfile {
    /// The type, word order and scaling of a planned field (the operator badge is unscaled).
    public func layout(of field: PlannedField) -> FieldLayout {
        switch field.target {
        case .channel(let index, _):
            let channel = channels[index]
            return FieldLayout(type: channel.type, order: channel.order, scale: channel.scale, offset: channel.offset)
        case .operatorBadge:
            let badge = operatorRegister!
            return FieldLayout(type: badge.type, order: badge.order)
        }
    }

    /// Decodes one field of a response. `response` holds the request's registers, or for coils
    /// and discrete inputs one element (0 or 1) per bit read.
    @inlinable
    public func decode(_ field: PlannedField, in response: UnsafeBufferPointer<UInt16>) -> DecodedValue {
        let layout = layout(of: field)
        let words = UnsafeBufferPointer(rebasing: response[field.offset..<(field.offset + field.width)])
        return ValueCodec.decode(layout.type, order: layout.order, from: words)
    }
}
