public import RigProfiles
public import Store

/// The device profiles of the rigs a report mentions, parsed from the versions the store kept
/// (never from the Devices folder), with their titles and labels in the report's language.
///
/// A rig without a stored profile, or whose stored text no longer parses, still reports: its
/// exercises, alarms and channels show their ids.
public struct ReportProfiles: Sendable {
    /// Parsed profiles by profile name.
    public private(set) var byName: [String: DeviceProfile] = [:]
    /// The profile name of each rig seen.
    public private(set) var profileOfRig: [String: String] = [:]

    public init() {}

    /// Loads the stored profile of `rig` once.
    public mutating func load(rig: String, from store: StoreDatabase) throws(StoreError) {
        guard profileOfRig[rig] == nil else { return }
        guard let stored = try store.storedProfile(rig: rig) else {
            profileOfRig[rig] = ""
            return
        }
        profileOfRig[rig] = stored.name
        if byName[stored.name] == nil, let profile = try? ProfileLoader.parse(yaml: stored.content, file: "\(stored.name) (stored)") {
            byName[stored.name] = profile
        }
    }

    /// The profile a rig is collected with, if the store has it.
    public func profile(ofRig rig: String) -> DeviceProfile? {
        profileOfRig[rig].flatMap { byName[$0] }
    }

    /// A profile's title, else its name.
    public func profileTitle(_ profile: String, language: ReportLanguage) -> String {
        byName[profile].map { Self.text($0.title, language) } ?? profile
    }

    /// An exercise's title in `language`, else in English, else its id.
    public func exerciseTitle(profile: String, exercise: String, language: ReportLanguage) -> String {
        guard let found = byName[profile]?.exercises.first(where: { $0.id == exercise }) else { return exercise }
        return Self.text(found.title, language, fallback: exercise)
    }

    /// An alarm's title in `language`, else in English, else its id.
    public func alarmTitle(profile: String, alarm: String, language: ReportLanguage) -> String {
        guard let found = byName[profile]?.alarms.first(where: { $0.id == alarm }) else { return alarm }
        return Self.text(found.title, language, fallback: alarm)
    }

    /// A channel's label in `language`, else in English, else its name.
    public func channelLabel(profile: String, channel: String, language: ReportLanguage) -> String {
        guard let found = byName[profile]?.channel(named: channel) else { return channel }
        return Self.text(found.label, language, fallback: channel)
    }

    /// The index of an exercise in its profile (for a stable order), else `Int.max`.
    func exerciseOrder(profile: String, exercise: String) -> Int {
        byName[profile]?.exercises.firstIndex { $0.id == exercise } ?? .max
    }

    private static func text(_ text: LocalizedText, _ language: ReportLanguage, fallback: String = "") -> String {
        let found = text.text(for: language.rawValue)
        return found.isEmpty ? fallback : found
    }
}
