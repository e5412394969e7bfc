/// How the lab's practice sessions are found (the lab config's optional `sessions:` mapping).
///
/// ```yaml
/// sessions:
///   close_after_silence: 2m   # a rig silent this long closes its session ("communication lost")
///   resume_within: 2m         # a restart this soon, same badge or student: the session goes on
/// ```
public struct SessionSettings: Sendable, Hashable {
    /// The default silence threshold: two minutes, far above a pulled cable or a rig restart
    /// (seconds), far below the time a student needs to leave and the next to arrive.
    public static let defaultCloseAfterSilence: Duration = .seconds(120)

    /// A rig that sends no frame for longer than this loses its session: it closes at the last
    /// frame before the silence, with reason `communication lost`.
    public var closeAfterSilence: Duration

    /// The default resume window: two minutes, time for a crashed or updated collector to come
    /// back (seconds), short of a student leaving and another arriving at the same badge.
    public static let defaultResumeWithin: Duration = .seconds(120)

    /// A session open when a collector run ends goes on in the next run when that run's first
    /// frame comes within this of the end and the same owner is still at the rig (the badge
    /// still shown, the student still checked in); zero closes it at the run's end.
    public var resumeWithin: Duration

    public init(
        closeAfterSilence: Duration = SessionSettings.defaultCloseAfterSilence, resumeWithin: Duration = SessionSettings.defaultResumeWithin
    ) {
        self.closeAfterSilence = closeAfterSilence
        self.resumeWithin = resumeWithin
    }
}

extension LabReader {
    static let sessionKeys = ["close_after_silence", "resume_within"]

    /// The `sessions:` mapping; its absence means the defaults.
    mutating func readSessionSettings(_ value: YAMLValue?) -> SessionSettings {
        var settings = SessionSettings()
        guard let value, !value.isNull,
            let map = yaml.mapping(value, allowed: Self.sessionKeys, expected: "a mapping such as {close_after_silence: 2m}")
        else { return settings }
        if let silence = map["close_after_silence"], let duration = yaml.duration(silence, positive: true) {
            settings.closeAfterSilence = duration
        }
        if let resume = map["resume_within"],
            let duration = yaml.duration(resume, expected: "a duration such as 2m, or 0s to close sessions when a run ends")
        {
            settings.resumeWithin = duration
        }
        return settings
    }
}
