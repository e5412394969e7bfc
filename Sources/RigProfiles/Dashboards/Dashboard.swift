import Timekeeping

/// How a rig's page draws a profile's live values: a rolling window and a list of chart panels.
///
/// Read from `Dashboards/<profile>.yaml` by ``DashboardSet/load(folder:profiles:)``, or made by
/// ``Dashboard/standard(for:)`` when a profile has no file, so every rig has a page. A dashboard
/// value is always checked against its profile: every channel exists, every range is ordered,
/// panel titles are unique. It encodes to JSON as the browser draws it (`window` as text and
/// as seconds, `range` as `[min, max]`).
public struct Dashboard: Sendable, Hashable, Encodable {
    /// The profile this dashboard draws (`brake-trainer`).
    public var profile: String
    /// The page's heading; the profile's title when the file gives none.
    public var title: LocalizedText
    /// How much recent time every chart shows (`window: 60s`).
    public var window: Duration
    public var panels: [Panel]
    /// The file it was read from; nil for a standard dashboard made from the profile alone.
    public var file: String?

    /// The window when a file gives none.
    public static let defaultWindow: Duration = .seconds(60)

    public init(profile: String, title: LocalizedText, window: Duration = Dashboard.defaultWindow, panels: [Panel], file: String? = nil) {
        self.profile = profile
        self.title = title
        self.window = window
        self.panels = panels
        self.file = file
    }

    /// Every channel the dashboard draws, each once, in panel order: what a live feed for the
    /// rig page has to carry.
    public var channels: [String] {
        var seen: Set<String> = []
        return panels.flatMap(\.channels).filter { seen.insert($0).inserted }
    }

    enum CodingKeys: String, CodingKey {
        case profile, title, window, windowSeconds, panels
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(profile, forKey: .profile)
        try container.encode(title, forKey: .title)
        try container.encode(DurationText.format(window), forKey: .window)
        try container.encode(Double(window.milliseconds) / 1000, forKey: .windowSeconds)
        try container.encode(panels, forKey: .panels)
    }
}

/// One chart on a rig page: some channels on one axis, with optional fixed range and limit lines.
public struct Panel: Sendable, Hashable, Encodable {
    public var title: LocalizedText
    /// Channel names of the profile, drawn in this order (true/false channels as 0/1 steps).
    public var channels: [String]
    /// The axis range; nil lets the chart scale to the data.
    public var range: ClosedRange<Double>?
    /// The axis unit: the file's `unit:`, else the unit the panel's numeric channels share.
    public var unit: String
    /// Limit lines: the file's `thresholds:`, else those derived from the profile's alarms on
    /// the panel's channels (``DeviceProfile/alarmThresholds(on:)``).
    public var thresholds: [Threshold]

    public init(title: LocalizedText, channels: [String], range: ClosedRange<Double>? = nil, unit: String = "", thresholds: [Threshold] = []) {
        self.title = title
        self.channels = channels
        self.range = range
        self.unit = unit
        self.thresholds = thresholds
    }
}

extension LocalizedText: Encodable {
    /// Encodes as `{"en": "...", "ru": "..."}`: the browser picks its language, English as fallback.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(translations)
    }
}
