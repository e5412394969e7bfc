import Timekeeping

/// The lab board on the wall screen: its sections of rigs, the key values each profile's tile
/// shows, and how often it redraws. Read from `Dashboards/board.yaml`; whether the board may be
/// seen without sign-in is the lab config's business, not this file's.
///
/// Sections group profiles, not rigs: a rig appears in the section of its profile, in the lab
/// config's order (``arrange(_:)``), so adding a rig to the lab never needs this file changed.
public struct BoardLayout: Sendable, Hashable, Encodable {
    /// One heading on the board and the profiles whose rigs sit under it.
    public struct Section: Sendable, Hashable, Encodable {
        public var title: LocalizedText
        public var profiles: [String]

        public init(title: LocalizedText, profiles: [String]) {
            self.title = title
            self.profiles = profiles
        }
    }

    /// The rigs of one section, in lab order: what the board draws.
    public struct ArrangedSection: Sendable, Hashable {
        public var title: LocalizedText
        public var rigs: [Rig]
    }

    /// The board's heading; nil shows the lab's name.
    public var title: LocalizedText?
    /// How often a tile's values are redrawn (`refresh: 1s`); alarms show at once regardless.
    public var refresh: Duration
    public var sections: [Section]
    /// The channels a profile's tile shows, as the file gives them (``keyValues(for:)`` fills in
    /// the profiles it leaves out).
    public var keyValues: [String: [String]]
    /// The file it was read from; nil for the standard layout.
    public var file: String?

    /// The refresh when the file gives none.
    public static let defaultRefresh: Duration = .seconds(1)
    /// How many key values fit on a tile.
    public static let maximumKeyValues = 6
    /// How many a tile shows when the file names none for its profile.
    public static let standardKeyValueCount = 3

    public init(title: LocalizedText? = nil, refresh: Duration = BoardLayout.defaultRefresh, sections: [Section] = [], keyValues: [String: [String]] = [:], file: String? = nil) {
        self.title = title
        self.refresh = refresh
        self.sections = sections
        self.keyValues = keyValues
        self.file = file
    }

    /// The channels `profile`'s tile shows: the file's `key_values:` for it, else the first
    /// numeric channels its dashboard draws (``standardKeyValueCount`` of them).
    public func keyValues(for profile: DeviceProfile, dashboard: Dashboard? = nil) -> [String] {
        if let named = keyValues[profile.name] { return named }
        let drawn = (dashboard ?? Dashboard.standard(for: profile)).channels
        let numeric = drawn.filter { profile.channel(named: $0)?.isNumeric == true }
        return Array(numeric.prefix(Self.standardKeyValueCount))
    }

    /// The lab's rigs under the board's sections, each section's rigs in `rigs`' order; rigs
    /// whose profile no section names end in a last section, "Other rigs", and a section with no
    /// rig in this lab is left out.
    public func arrange(_ rigs: [Rig]) -> [ArrangedSection] {
        var placed: Set<String> = []
        var arranged: [ArrangedSection] = []
        for section in sections {
            let members = rigs.filter { section.profiles.contains($0.profile.name) }
            placed.formUnion(members.map(\.id))
            if !members.isEmpty { arranged.append(ArrangedSection(title: section.title, rigs: members)) }
        }
        let rest = rigs.filter { !placed.contains($0.id) }
        if !rest.isEmpty {
            let title = sections.isEmpty ? LocalizedText(en: "Rigs", ru: "Стенды", kk: "Стендтер", zh: "实训台")
                : LocalizedText(en: "Other rigs", ru: "Другие стенды", kk: "Басқа стендтер", zh: "其他实训台")
            arranged.append(ArrangedSection(title: title, rigs: rest))
        }
        return arranged
    }

    enum CodingKeys: String, CodingKey {
        case title, refresh, refreshSeconds, sections, keyValues
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(title, forKey: .title)
        try container.encode(DurationText.format(refresh), forKey: .refresh)
        try container.encode(Double(refresh.milliseconds) / 1000, forKey: .refreshSeconds)
        try container.encode(sections, forKey: .sections)
        try container.encode(keyValues, forKey: .keyValues)
    }
}
