public import Modbus
public import RigProfiles

/// Why a simulation cannot start; each message says what to change.
public enum SimulatorError: Error, Sendable, CustomStringConvertible {
    /// A training-rig model does not publish every channel of the profile it is used for.
    case modelMissesChannels(profile: String, channels: [String])
    /// Two rigs on one endpoint share a unit id.
    case unitClash(endpoint: String, unit: Int, rigs: [String])
    /// A rig's connection is not one the simulator can serve.
    case badEndpoint(rig: String, reason: String)
    /// The server for an endpoint could not start (port in use, an address not of this PC, no
    /// such serial device...). `endpoint` is kept for callers that report it themselves.
    case serverFailed(endpoint: String, ModbusError)
    /// A scenario file (or several) is wrong.
    case scenario(ConfigErrors)
    /// A profile, lab config or roster could not be loaded.
    case config(ConfigErrors)
    /// A file the demo needs is missing or unreadable.
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .modelMissesChannels(let profile, let channels):
            return "the \(profile) model does not simulate channel\(channels.count == 1 ? "" : "s") "
                + channels.joined(separator: ", ")
                + "; the profile has channels its model does not know (was it edited?): restore their names, or save the profile "
                + "under another name to simulate it with waveforms"
        case .unitClash(let endpoint, let unit, let rigs):
            return "\(rigs.joined(separator: " and ")) both use unit \(unit) on \(endpoint); give each rig on one connection its own unit id"
        case .badEndpoint(let rig, let reason):
            return "rig \(rig): \(reason)"
        case .serverFailed(let endpoint, let error):
            // The Modbus error names the endpoint and says what to do; a lab config written for
            // the real rigs (their own IP addresses) needs one more hint.
            let local = ["tcp://127.", "tcp://0.0.0.0", "tcp://localhost", "tcp://[::", "rtu://"].contains { endpoint.hasPrefix($0) }
            let text = error.description
            return local ? text
                : "\(text.hasSuffix(".") ? String(text.dropLast()) : text); to simulate a lab written for the real rigs, give its rigs this PC's addresses (127.0.0.1) and free ports"
        case .scenario(let errors), .config(let errors):
            return errors.description
        case .unreadable(let path, let reason):
            return "cannot read \(path) (\(reason)); check the path"
        }
    }
}
