/// A Modbus exception response: the device understood the request and refused it.
public enum ModbusException: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case illegalFunction = 0x01
    case illegalDataAddress = 0x02
    case illegalDataValue = 0x03
    case serverDeviceFailure = 0x04
    case acknowledge = 0x05
    case serverDeviceBusy = 0x06
    case negativeAcknowledge = 0x07
    case memoryParityError = 0x08
    case gatewayPathUnavailable = 0x0A
    case gatewayTargetFailedToRespond = 0x0B

    /// The name in the Modbus application protocol specification.
    public var name: String {
        switch self {
        case .illegalFunction: "ILLEGAL FUNCTION"
        case .illegalDataAddress: "ILLEGAL DATA ADDRESS"
        case .illegalDataValue: "ILLEGAL DATA VALUE"
        case .serverDeviceFailure: "SERVER DEVICE FAILURE"
        case .acknowledge: "ACKNOWLEDGE"
        case .serverDeviceBusy: "SERVER DEVICE BUSY"
        case .negativeAcknowledge: "NEGATIVE ACKNOWLEDGE"
        case .memoryParityError: "MEMORY PARITY ERROR"
        case .gatewayPathUnavailable: "GATEWAY PATH UNAVAILABLE"
        case .gatewayTargetFailedToRespond: "GATEWAY TARGET DEVICE FAILED TO RESPOND"
        }
    }

    public var description: String { "exception \(rawValue) (\(name))" }
}
