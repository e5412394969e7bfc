import RigProfiles

extension ScenarioLoader {
    static let practiceKeys = ["routines", "pause", "strangers", "leave", "rest"]

    /// `routines:`: a mapping of names to event lists, times counting from the routine's start.
    static func readRoutines(_ value: YAMLValue, _ y: inout YAMLReader) -> [Routine] {
        guard let entries = y.fields(value, allowed: nil, expected: "a mapping of routine names to lists of events, e.g. emergency-stop: [{after: 5s, set: {drive: 0.55}}]")
        else { return [] }
        var routines: [Routine] = []
        for entry in entries {
            guard let list = y.sequence(entry.value, expected: "a list of events, each starting with \"- after: 2s\"") else { continue }
            var events: [ScenarioEvent] = []
            var previous = 0.0
            for item in list {
                guard let event = readEvent(item, previous: previous, &y) else { continue }
                if case .badge = event.action {
                    y.report(.conflict("badges come and go with the students' turns; a routine holds only what a student or the instructor does"), at: item)
                    continue
                }
                events.append(event)
                previous = event.time
            }
            if list.isEmpty { y.report(.missing(expected: "at least one event"), at: entry.value) }
            routines.append(Routine(name: entry.key, events: events))
        }
        return routines
    }

    /// `practice:`: how students take turns (see ``PracticeTurns``).
    static func readPractice(_ value: YAMLValue, _ y: inout YAMLReader) -> PracticeTurns? {
        guard let entries = y.fields(value, allowed: practiceKeys, expected: "how students take turns, e.g. {routines: 3, pause: 20s, strangers: 0.1, leave: 0.2}")
        else { return nil }
        var turns = PracticeTurns()
        for entry in entries {
            switch entry.key {
            case "routines":
                guard let n = y.number(entry.value, in: 1...20, expected: "the most routines a student works through in a turn, 1 to 20") else { break }
                if n == n.rounded() { turns.routinesPerTurn = Int(n) } else {
                    y.report(.invalid(found: entry.value.found, expected: "a whole number of routines, 1 to 20"), at: entry.value)
                }
            case "pause": turns.pause = y.seconds(entry.value) ?? turns.pause
            case "strangers": turns.strangers = y.number(entry.value, in: 0...1, expected: "a share from 0 to 1, e.g. 0.1 for one turn in ten") ?? turns.strangers
            case "leave": turns.leave = y.number(entry.value, in: 0...1, expected: "a chance from 0 to 1, e.g. 0.2 for one student in five") ?? turns.leave
            default: turns.rest = readSettings(entry.value, &y) ?? []
            }
        }
        return turns
    }
}
