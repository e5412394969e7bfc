/// How the lab's practice sessions are found (the lab config's optional `sessions:` mapping).
///
/// ```yaml
/// sessions:
///   close_after_silence: 2m   # a rig silent this long closes its session ("communication lost")
/// ```
public struct SessionSettings: Sendable, Hashable {
    /// The default silence threshold: two minutes, far above a pulled cable or a rig restart
    /// (seconds), far below the time a student needs to leave and the next to arrive.
    public static let defaultCloseAfterSilence: Duration = .seconds(120)

    /// A rig that sends no frame for longer than this loses its session: it closes at the last
    /// frame before the silence, with reason `communication lost`.
    public var closeAfterSilence: Duration

    public init(closeAfterSilence: Duration = SessionSettings.defaultCloseAfterSilence) {
        self.closeAfterSilence = closeAfterSilence
    }
}

extension LabReader {
    static let sessionKeys = ["close_after_silence"]

    /// The `sessions:` mapping; its absence means the defaults.
    mutating func readSessionSettings(_ value: YAMLValue?) -> SessionSettings {
        var settings = SessionSettings()
        guard let value, !value.isNull,
            let map = yaml.mapping(value, allowed: Self.sessionKeys, expected: "a mapping such as {close_after_silence: 2m}")
        else { return settings }
        if let silence = map["close_after_silence"], let duration = yaml.duration(silence, positive: true) {
            settings.closeAfterSilence = duration
        }
        return settings
    }
}
