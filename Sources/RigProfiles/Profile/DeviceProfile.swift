public import Modbus

/// A device described once: its channels, how to poll it, and what practice on it means.
///
/// Load one with `ProfileLoader`; a profile value is always complete and checked (every
/// expression names existing channels and is a condition, every name is unique).
public struct DeviceProfile: Sendable, Hashable {
    /// The profile's name (`brake-trainer`), normally its file name without `.yaml`.
    public var name: String
    public var title: LocalizedText
    /// The default poll interval of every channel without its own `poll`.
    public var poll: Duration
    public var limits: DeviceLimits
    public var channels: [Channel]
    public var operatorRegister: OperatorRegister?
    /// `states.active`: when true, time at the rig counts as active practice.
    public var activeState: Expression?
    public var exercises: [Exercise]
    public var alarms: [Alarm]
    /// What the device says it is (`identification:`, Modbus 43/14): served by the simulator,
    /// compared with the real device's answer by `riglog devices identify`. nil when not declared.
    public var identification: DeviceIdentification?
    /// SHA-256 (hex) of the file's bytes: the profile version the store keys samples by.
    public var contentHash: String
    /// The YAML text the profile was loaded from, so a store can keep each version and load it
    /// again later with `ProfileLoader.parse(yaml:file:)` without the Devices folder.
    public var sourceText: String

    public init(
        name: String, title: LocalizedText, poll: Duration = .seconds(1), limits: DeviceLimits = DeviceLimits(),
        channels: [Channel], operatorRegister: OperatorRegister? = nil, activeState: Expression? = nil,
        exercises: [Exercise] = [], alarms: [Alarm] = [], identification: DeviceIdentification? = nil, contentHash: String = "",
        sourceText: String = ""
    ) {
        self.name = name
        self.title = title
        self.poll = poll
        self.limits = limits
        self.channels = channels
        self.operatorRegister = operatorRegister
        self.activeState = activeState
        self.exercises = exercises
        self.alarms = alarms
        self.identification = identification
        self.contentHash = contentHash
        self.sourceText = sourceText
    }

    /// A short version for logs and reports: the first 12 hex digits of the content hash.
    public var version: String { String(contentHash.prefix(12)) }

    /// The channel called `name`.
    public func channel(named name: String) -> Channel? {
        channels.first { $0.name == name }
    }

    /// The Modbus requests that read this profile, at the profile's intervals or with
    /// `poll` replacing the profile default (a rig's override in the lab config).
    public func requestPlan(poll override: Duration? = nil) -> RequestPlan {
        RequestPlan(profile: self, defaultPoll: override)
    }
}
