/// A condition an instructor wants flagged, when it holds for at least `duration`.
public struct Alarm: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, Codable, CaseIterable {
        case info, warning, critical
    }

    public var id: String
    public var title: LocalizedText
    public var when: Expression
    /// How long `when` must hold before the alarm fires (`for:` in YAML).
    public var duration: Duration
    public var severity: Severity

    public init(id: String, title: LocalizedText? = nil, when: Expression, duration: Duration = .zero, severity: Severity) {
        self.id = id
        self.title = title ?? LocalizedText(en: id)
        self.when = when
        self.duration = duration
        self.severity = severity
    }
}
