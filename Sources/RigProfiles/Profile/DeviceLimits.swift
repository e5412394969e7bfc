/// What a device tolerates on the wire: the quirks a field engineer sets per device.
///
/// Written in a profile's `limits:` mapping. Defaults are the Modbus specification's maximums
/// and no gap filling, which every conforming device accepts.
public struct DeviceLimits: Sendable, Hashable {
    /// Most registers in one read (1...125). Some gateways only manage 32 or 64.
    public var maxRegistersPerRequest: Int
    /// Most bits in one coil or discrete input read (1...2000).
    public var maxBitsPerRequest: Int
    /// Most unused registers (or bits) read to join two requests into one. Some devices answer
    /// an exception for unmapped addresses, so the default is 0: only adjacent values merge.
    public var maxGapFill: Int
    /// Quiet time between two requests on this device (slow serial devices need it).
    public var pauseBetweenRequests: Duration
    /// Time to wait after connecting before the first request (some gateways drop early frames).
    public var pauseAfterConnect: Duration
    /// Send one request per channel, never merged (devices that refuse multi-register reads).
    public var oneRequestPerField: Bool

    public init(
        maxRegistersPerRequest: Int = 125, maxBitsPerRequest: Int = 2000, maxGapFill: Int = 0,
        pauseBetweenRequests: Duration = .zero, pauseAfterConnect: Duration = .zero, oneRequestPerField: Bool = false
    ) {
        self.maxRegistersPerRequest = maxRegistersPerRequest
        self.maxBitsPerRequest = maxBitsPerRequest
        self.maxGapFill = maxGapFill
        self.pauseBetweenRequests = pauseBetweenRequests
        self.pauseAfterConnect = pauseAfterConnect
        self.oneRequestPerField = oneRequestPerField
    }
}
