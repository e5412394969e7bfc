/// Reads one dashboard or board file through ``YAMLReader``, checking every name against the
/// profiles, so each mistake is reported at file:line:column with the field and what to write.
struct DashboardReader {
    var yaml: YAMLReader
    let profiles: [String: DeviceProfile]
    let scope: DashboardSet.ProfileScope
    /// Where the dashboard's `profile:` is written, for a clash found across files.
    private(set) var profileValue: YAMLValue?
    /// Set when the file names a profile that does not load (``DashboardSet/ProfileScope/folder(_:broken:)``):
    /// what depends on it is unchecked, so the file is neither kept nor called good.
    private(set) var namesBrokenProfile = false
    /// Set when a dashboard is for a profile the lab does not use (``DashboardSet/ProfileScope/lab``).
    private(set) var isForAnotherProfile = false

    static let dashboardKeys = ["profile", "title", "window", "panels"]
    static let panelKeys = ["title", "channels", "range", "unit", "thresholds"]
    static let thresholdKeys = ["alarm", "above", "below", "channel", "severity", "label"]
    static let boardKeys = ["title", "refresh", "sections", "key_values"]
    /// The longest rolling window: the browser keeps the whole window of every channel drawn.
    static let longestWindow: Duration = .seconds(3600)

    init(file: String, profiles: [String: DeviceProfile], scope: DashboardSet.ProfileScope) {
        yaml = YAMLReader(file: file)
        self.profiles = profiles
        self.scope = scope
    }

    /// The issues in line order (stable at one position), as the other loaders give them.
    var sortedIssues: [ConfigIssue] {
        yaml.issues.enumerated().sorted {
            ($0.element.location.line, $0.element.location.column, $0.offset) < ($1.element.location.line, $1.element.location.column, $1.offset)
        }.map(\.element)
    }

    // MARK: - Dashboard

    mutating func readDashboard(yaml text: String) -> Dashboard? {
        guard let root = yaml.root(of: text, content: "a dashboard (profile:, window:, panels:)"),
            let top = yaml.mapping(root, allowed: Self.dashboardKeys, expected: "a dashboard mapping (profile:, window:, panels:)")
        else { return nil }
        let (name, profile) = readProfileName(top)
        let title = top["title"].flatMap { yaml.localizedText($0) }
        let window = top["window"].map {
            readDuration($0, longest: Self.longestWindow, expected: "a rolling window above zero and at most 1h, such as 30s, 60s or 5m")
        } ?? Dashboard.defaultWindow
        var panels: [Panel] = []
        if let list = yaml.required(top, "panels", expected: "a list of panels (each starting with \"- title:\")")
            .flatMap({ yaml.sequence($0, expected: "a list of panels (each starting with \"- title:\")") })
        {
            if list.isEmpty { yaml.report(.missing(expected: "at least one panel"), at: top["panels"]!) }
            var firstLine: [String: Int] = [:]
            for item in list {
                if let panel = readPanel(item, profile: profile, titleLines: &firstLine) { panels.append(panel) }
            }
        }
        guard yaml.issues.isEmpty, !namesBrokenProfile, !isForAnotherProfile, let name, let window else { return nil }
        return Dashboard(profile: name, title: title ?? profile?.title ?? LocalizedText(en: name), window: window, panels: panels, file: yaml.file)
    }

    /// `profile:`: its name, and the profile when it is loaded (nil when it is unknown or broken,
    /// so its channels are not checked).
    private mutating func readProfileName(_ top: YAMLMapping) -> (String?, DeviceProfile?) {
        guard let value = yaml.required(top, "profile", expected: "the name of the profile this dashboard draws (e.g. brake-trainer)") else { return (nil, nil) }
        profileValue = value
        guard let name = yaml.string(value, expected: ProfileReader.idExpected, where: ProfileReader.isID) else { return (nil, nil) }
        if let profile = profiles[name] { return (name, profile) }
        switch scope {
        case .folder(_, let broken) where broken.contains(name): namesBrokenProfile = true
        case .folder: reportUnknownProfile(value, name: name)
        case .lab: isForAnotherProfile = true
        }
        return (name, nil)
    }

    private mutating func reportUnknownProfile(_ value: YAMLValue, name: String) {
        let known = profiles.keys.sorted()
        let near = Self.nearMatches(name, in: known)
        guard case .folder(let folder, _) = scope else { return }
        let place = "a profile in \(folder)"
        let hint = near.isEmpty ? " (profiles: \(known.joined(separator: ", ")))" : "; did you mean \(Self.quotedList(near))?"
        yaml.report(.invalid(found: value.found, expected: place + hint), at: value)
    }

    private mutating func readPanel(_ item: YAMLValue, profile: DeviceProfile?, titleLines: inout [String: Int]) -> Panel? {
        guard let map = yaml.mapping(item, allowed: Self.panelKeys, expected: "a panel mapping (title:, channels:, range:, thresholds:)") else { return nil }
        let before = yaml.issues.count
        var title: LocalizedText?
        if let value = yaml.required(map, "title", expected: "a title, e.g. {en: Brake pressure, ru: Давление}"), let text = yaml.localizedText(value) {
            let key = text.en.lowercased()
            if let line = titleLines[key] {
                yaml.report(.duplicate(kind: "panel title", name: text.en, firstLine: line), at: value)
            } else {
                titleLines[key] = value.line
                title = text
            }
        }
        let channelsValue = yaml.required(map, "channels", expected: "a list of channel names, e.g. [brake_pressure, master_pressure]")
        let channels = channelsValue.flatMap { readChannelList($0, profile: profile, field: "panel") } ?? []
        let range = map["range"].flatMap { readRange($0) }
        var unit = map["unit"].flatMap { $0.isNull ? "" : yaml.string($0, expected: "a unit such as km/h, bar or V") }
        if unit == nil, map["unit"] == nil, let profile, let channelsValue {
            unit = commonUnit(of: channels, profile: profile, at: channelsValue)
        }
        var thresholds: [Threshold]?
        if let value = map["thresholds"] {
            thresholds = readThresholds(value, channels: channels, profile: profile)
        } else if let profile {
            thresholds = profile.alarmThresholds(on: channels)
        }
        guard yaml.issues.count == before, let title else { return nil }
        return Panel(title: title, channels: channels, range: range, unit: unit ?? "", thresholds: thresholds ?? [])
    }

    /// The unit the panel's numeric channels share; two different units on one axis would
    /// mislead, so that is an issue unless `unit:` says what the axis shows.
    private mutating func commonUnit(of channels: [String], profile: DeviceProfile, at value: YAMLValue) -> String? {
        var units: [String] = []
        for name in channels {
            guard let channel = profile.channel(named: name), channel.isNumeric, !units.contains(channel.unit) else { continue }
            units.append(channel.unit)
        }
        guard units.count <= 1 else {
            let shown = units.map { $0.isEmpty ? "no unit" : $0 }.joined(separator: ", ")
            yaml.report(.conflict("these channels have different units (\(shown)); put them in separate panels, or write unit: to say what the axis shows"), at: value)
            return nil
        }
        return units.first ?? ""
    }

    /// A non-empty list of channel names of `profile` (unchecked when the profile is unknown).
    private mutating func readChannelList(_ value: YAMLValue, profile: DeviceProfile?, field: String) -> [String]? {
        let expected = "a list of channel names, e.g. [brake_pressure, master_pressure]"
        guard let list = yaml.sequence(value, expected: expected) else { return nil }
        if list.isEmpty {
            yaml.report(.missing(expected: "at least one channel in the \(field) (\(expected))"), at: value)
            return nil
        }
        var names: [String] = []
        var ok = true
        for item in list {
            guard let name = yaml.string(item, expected: "a channel name") else { ok = false; continue }
            if names.contains(name) {
                yaml.report(.conflict("channel \"\(name)\" is listed twice in this \(field); list it once"), at: item)
                ok = false
            } else if let profile, profile.channel(named: name) == nil {
                reportUnknownChannel(item, name: name, profile: profile)
                ok = false
            } else if let channel = profile?.channel(named: name), channel.isText {
                yaml.report(.invalid(found: item.found, expected: "a channel with samples: \(name) is text (\(channel.type)), recorded when it changes, never charted"), at: item)
                ok = false
            }
            names.append(name)
        }
        return ok ? names : nil
    }

    private mutating func reportUnknownChannel(_ value: YAMLValue, name: String, profile: DeviceProfile) {
        let near = Self.nearMatches(name, in: profile.channels.map(\.name))
        let hint = near.isEmpty
            ? " (`riglog devices plan \(profile.name)` lists them)"
            : "; did you mean \(Self.quotedList(near))?"
        yaml.report(.invalid(found: value.found, expected: "a channel of profile \"\(profile.name)\"" + hint), at: value)
    }

    /// `range: [min, max]`, numbers with min below max.
    private mutating func readRange(_ value: YAMLValue) -> ClosedRange<Double>? {
        let expected = "[min, max], two numbers with min below max, e.g. [0, 150]"
        guard let list = yaml.sequence(value, expected: expected) else { return nil }
        guard list.count == 2 else {
            yaml.report(.invalid(found: "\(list.count) value\(list.count == 1 ? "" : "s")", expected: expected), at: value)
            return nil
        }
        let low = yaml.number(list[0], expected: "a number (the bottom of the axis)")
        let high = yaml.number(list[1], expected: "a number (the top of the axis)")
        guard let low, let high else { return nil }
        guard low < high else {
            let (first, second) = (list[0].scalarText ?? "", list[1].scalarText ?? "")
            let hint = low == high ? "; both are \(first), so the axis would have no height" : ", e.g. [\(second), \(first)]"
            yaml.report(.invalid(found: "\"[\(first), \(second)]\"", expected: "a minimum below the maximum" + hint), at: value)
            return nil
        }
        return low...high
    }

    private mutating func readThresholds(_ value: YAMLValue, channels: [String], profile: DeviceProfile?) -> [Threshold]? {
        guard let list = yaml.sequence(value, expected: "a list of thresholds, e.g. [{alarm: overpressure}, {above: 100, severity: warning}], or [] for none")
        else { return nil }
        var thresholds: [Threshold] = []
        for item in list {
            guard let map = yaml.mapping(item, allowed: Self.thresholdKeys, expected: "a threshold: {alarm: ID} or {above: N} or {below: N}, with optional channel, severity, label")
            else { continue }
            if let alarm = map["alarm"] {
                for key in ["above", "below", "severity", "label"] where map[key] != nil {
                    yaml.report(.conflict("\(key) comes from the alarm; write either alarm: or your own above:/below:, not both"), at: map[key]!, field: map.value.child(key))
                }
                thresholds += readAlarmThreshold(alarm, channel: map["channel"], channels: channels, profile: profile)
            } else if let own = readOwnThreshold(map, channels: channels) {
                thresholds.append(own)
            }
        }
        return thresholds
    }

    /// `alarm: ID`: the limits that alarm puts on the panel's channels (or on `channel:`).
    private mutating func readAlarmThreshold(_ value: YAMLValue, channel: YAMLValue?, channels: [String], profile: DeviceProfile?) -> [Threshold] {
        guard let id = yaml.string(value, expected: ProfileReader.idExpected) else { return [] }
        let only = channel.flatMap { readPanelChannel($0, channels: channels) }
        guard let profile else { return [] }
        guard let alarm = profile.alarms.first(where: { $0.id == id }) else {
            let near = Self.nearMatches(id, in: profile.alarms.map(\.id))
            let hint = near.isEmpty ? " (alarms: \(profile.alarms.map(\.id).joined(separator: ", ")))" : "; did you mean \(Self.quotedList(near))?"
            yaml.report(.invalid(found: value.found, expected: "an alarm of profile \"\(profile.name)\"" + hint), at: value)
            return []
        }
        let wanted = only.map { [$0] } ?? channels
        let found = Threshold.derived(from: alarm).filter { $0.channel.map(wanted.contains) ?? false }
        if found.isEmpty {
            yaml.report(.conflict("alarm \"\(id)\" (\(alarm.when)) compares none of \(wanted.joined(separator: ", ")) with a number, so it gives no line here; "
                + "name an alarm on this panel's channels, or write your own {above: N} or {below: N}"), at: value)
        }
        return found
    }

    /// `{above: N}` or `{below: N}`, with optional `channel:`, `severity:` (warning) and `label:`.
    private mutating func readOwnThreshold(_ map: YAMLMapping, channels: [String]) -> Threshold? {
        let before = yaml.issues.count
        let direction: Threshold.Direction
        let limit: YAMLValue
        switch (map["above"], map["below"]) {
        case (let above?, nil): direction = .above; limit = above
        case (nil, let below?): direction = .below; limit = below
        case (_?, _?):
            yaml.report(.conflict("write above: or below:, not both; give a band as two thresholds"), at: map["below"]!, field: map.value.child("below"))
            return nil
        case (nil, nil):
            yaml.report(.missing(expected: "alarm: (an alarm of the profile), or above: or below: with a number"), at: map.value, field: map.value.child("above"))
            return nil
        }
        let value = yaml.number(limit, expected: "a number (where the line is drawn)")
        let channel = map["channel"].flatMap { readPanelChannel($0, channels: channels) }
        let severities = Alarm.Severity.allCases.map(\.rawValue)
        let severity = map["severity"].map {
            yaml.string($0, expected: "info, warning or critical", where: severities.contains).flatMap(Alarm.Severity.init(rawValue:))
        } ?? Alarm.Severity.warning
        let label = map["label"].map { yaml.localizedText($0) }
        guard yaml.issues.count == before, let value, let severity else { return nil }
        let text = limit.scalarText ?? ""
        return Threshold(channel: channel, value: value, direction: direction, severity: severity,
                         label: (label ?? nil) ?? LocalizedText(en: "\(direction.rawValue) \(text)"))
    }

    /// A threshold's `channel:`, one of the panel's channels.
    private mutating func readPanelChannel(_ value: YAMLValue, channels: [String]) -> String? {
        guard let name = yaml.string(value, expected: "a channel of this panel") else { return nil }
        guard channels.contains(name) else {
            yaml.report(.invalid(found: value.found, expected: "one of this panel's channels (\(channels.joined(separator: ", ")))"), at: value)
            return nil
        }
        return name
    }

    private mutating func readDuration(_ value: YAMLValue, longest: Duration, expected: String) -> Duration? {
        guard let duration = yaml.duration(value, positive: true, expected: expected) else { return nil }
        guard duration <= longest else {
            yaml.report(.invalid(found: value.found, expected: expected), at: value)
            return nil
        }
        return duration
    }

    // MARK: - Board

    mutating func readBoard(yaml text: String) -> BoardLayout? {
        guard let root = yaml.root(of: text, content: "a board layout (refresh:, sections:, key_values:)"),
            let top = yaml.mapping(root, allowed: Self.boardKeys, expected: "a board layout mapping (refresh:, sections:, key_values:)")
        else { return nil }
        let title = top["title"].flatMap { yaml.localizedText($0) }
        let refresh = top["refresh"].map {
            readDuration($0, longest: .seconds(60), expected: "how often tiles redraw, above zero and at most 1m, such as 500ms, 1s or 5s")
        } ?? BoardLayout.defaultRefresh
        var sections: [BoardLayout.Section] = []
        if let value = top["sections"], let list = yaml.sequence(value, expected: "a list of sections (each starting with \"- title:\")") {
            var profileLines: [String: Int] = [:]
            var titleLines: [String: Int] = [:]
            for item in list {
                if let section = readSection(item, profileLines: &profileLines, titleLines: &titleLines) { sections.append(section) }
            }
        }
        var keyValues: [String: [String]] = [:]
        if let value = top["key_values"], let map = yaml.mapping(value, allowed: nil, expected: "a mapping of profile names to channel lists, e.g. {brake-trainer: [vehicle_speed, brake_pressure]}") {
            for field in map.fields {
                let profile = checkedProfile(field.keyValue, name: field.key)
                guard let list = yaml.sequence(field.value, expected: "a list of channel names, e.g. [vehicle_speed, brake_pressure]") else { continue }
                if list.count > BoardLayout.maximumKeyValues {
                    yaml.report(.invalid(found: "\(list.count) channels", expected: "at most \(BoardLayout.maximumKeyValues) key values on a tile"), at: field.value)
                }
                if let names = readChannelList(field.value, profile: profile, field: "tile") { keyValues[field.key] = names }
            }
        }
        guard yaml.issues.isEmpty, !namesBrokenProfile, let refresh else { return nil }
        return BoardLayout(title: title, refresh: refresh, sections: sections, keyValues: keyValues, file: yaml.file)
    }

    private mutating func readSection(_ item: YAMLValue, profileLines: inout [String: Int], titleLines: inout [String: Int]) -> BoardLayout.Section? {
        guard let map = yaml.mapping(item, allowed: ["title", "profiles"], expected: "a section mapping (title:, profiles:)") else { return nil }
        let before = yaml.issues.count
        var title: LocalizedText?
        if let value = yaml.required(map, "title", expected: "a title, e.g. {en: Brakes, ru: Тормоза}"), let text = yaml.localizedText(value) {
            if let line = titleLines[text.en.lowercased()] {
                yaml.report(.duplicate(kind: "section title", name: text.en, firstLine: line), at: value)
            } else {
                titleLines[text.en.lowercased()] = value.line
                title = text
            }
        }
        var names: [String] = []
        let expected = "a list of profile names, e.g. [brake-trainer, air-brake-trainer]"
        if let list = yaml.required(map, "profiles", expected: expected).flatMap({ yaml.sequence($0, expected: expected) }) {
            if list.isEmpty { yaml.report(.missing(expected: "at least one profile in the section"), at: map["profiles"]!) }
            for value in list {
                guard let name = yaml.string(value, expected: ProfileReader.idExpected) else { continue }
                if let line = profileLines[name] {
                    yaml.report(.conflict("profile \"\(name)\" is already in the section on line \(line); a profile's rigs sit in one section"), at: value)
                    continue
                }
                profileLines[name] = value.line
                _ = checkedProfile(value, name: name)
                names.append(name)
            }
        }
        guard yaml.issues.count == before, let title else { return nil }
        return BoardLayout.Section(title: title, profiles: names)
    }

    /// The profile called `name` for the board, reporting it when unknown; nil, silently, when
    /// it is broken or the lab does not use it (the board keeps the name: no rig has it).
    private mutating func checkedProfile(_ value: YAMLValue, name: String) -> DeviceProfile? {
        if let profile = profiles[name] { return profile }
        switch scope {
        case .folder(_, let broken) where broken.contains(name): namesBrokenProfile = true
        case .folder: reportUnknownProfile(value, name: name)
        case .lab: break
        }
        return nil
    }

    // MARK: - Near matches

    /// Up to three names close to `word`: a likely typo, or a name containing the word
    /// (`speed` finds `vehicle_speed`, `wheel_speed`), closest first.
    static func nearMatches(_ word: String, in names: [String]) -> [String] {
        let scored = names.compactMap { name -> (String, Int)? in
            let distance = Suggestion.distance(word, name)
            let contains = word.count >= 3 && (name.contains(word) || (name.count >= 3 && word.contains(name)))
            return distance <= max(1, min(word.count, name.count) / 4) || contains ? (name, distance) : nil
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(3).map(\.0)
    }

    static func quotedList(_ names: [String]) -> String {
        let quoted = names.map { "\"\($0)\"" }
        return quoted.count <= 1 ? quoted.joined() : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }
}
