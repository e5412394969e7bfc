extension ProfileReader {
    mutating func readStates(_ value: YAMLValue) -> Expression? {
        guard let map = yaml.mapping(value, allowed: ["active"], expected: "a mapping such as {active: wheel_speed > 0.5}") else { return nil }
        return map["active"].flatMap { readExpression($0) }
    }

    mutating func readExercises(_ value: YAMLValue) -> [Exercise] {
        guard let list = yaml.sequence(value, expected: "a list of exercises (each starting with \"- id:\")") else { return [] }
        var exercises: [Exercise] = []
        var firstLine: [String: Int] = [:]
        for item in list {
            guard let map = yaml.mapping(item, allowed: ["id", "title", "steps"], expected: "an exercise mapping (id:, title:, steps:)") else { continue }
            let before = yaml.issues.count
            let id = readID(map, kind: "exercise id", firstLine: &firstLine)
            let title = yaml.required(map, "title", expected: "a title, e.g. {en: Emergency stop from 60 km/h}").flatMap { yaml.localizedText($0) }
            var steps: [Exercise.Step] = []
            if let stepList = yaml.required(map, "steps", expected: "a list of steps (- reach: ...)").flatMap({ yaml.sequence($0, expected: "a list of steps (- reach: ...)") }) {
                if stepList.isEmpty { yaml.report(.missing(expected: "at least one step"), at: map["steps"]!) }
                for (index, stepValue) in stepList.enumerated() {
                    if let step = readStep(stepValue, isFirst: index == 0) { steps.append(step) }
                }
            }
            if let id, let title, yaml.issues.count == before {
                exercises.append(Exercise(id: id, title: title, steps: steps))
            }
        }
        return exercises
    }

    private mutating func readStep(_ value: YAMLValue, isFirst: Bool) -> Exercise.Step? {
        guard let map = yaml.mapping(value, allowed: ["reach", "within"], expected: "a step such as {reach: wheel_speed >= 55, within: 3s}") else { return nil }
        let reach = yaml.required(map, "reach", expected: "a condition such as wheel_speed >= 55").flatMap { readExpression($0) }
        var within: Duration?
        if let w = map["within"] {
            if isFirst {
                yaml.report(.conflict("the first step starts the attempt, so it has no time limit; put within: on a later step"), at: w)
                return nil
            }
            guard let d = yaml.duration(w, positive: true) else { return nil }
            within = d
        }
        return reach.map { Exercise.Step(reach: $0, within: within) }
    }

    mutating func readAlarms(_ value: YAMLValue) -> [Alarm] {
        guard let list = yaml.sequence(value, expected: "a list of alarms (each starting with \"- id:\")") else { return [] }
        var alarms: [Alarm] = []
        var firstLine: [String: Int] = [:]
        let severities = Alarm.Severity.allCases.map(\.rawValue)
        for item in list {
            guard let map = yaml.mapping(item, allowed: ["id", "title", "when", "for", "severity"], expected: "an alarm mapping (id:, when:, for:, severity:)") else { continue }
            let before = yaml.issues.count
            let id = readID(map, kind: "alarm id", firstLine: &firstLine)
            let title = map["title"].flatMap { yaml.localizedText($0) }
            let when = yaml.required(map, "when", expected: "a condition such as brake_pressure > 120").flatMap { readExpression($0) }
            let duration = map["for"].map { yaml.duration($0) } ?? .zero
            let severity = yaml.required(map, "severity", expected: "info, warning or critical")
                .flatMap { yaml.string($0, expected: "info, warning or critical", where: severities.contains) }
                .flatMap(Alarm.Severity.init(rawValue:))
            if let id, let when, let duration, let severity, yaml.issues.count == before {
                alarms.append(Alarm(id: id, title: title, when: when, duration: duration, severity: severity))
            }
        }
        return alarms
    }

    private mutating func readID(_ map: YAMLMapping, kind: String, firstLine: inout [String: Int]) -> String? {
        guard let value = yaml.required(map, "id", expected: Self.idExpected),
            let id = yaml.string(value, expected: Self.idExpected, where: Self.isID)
        else { return nil }
        if let line = firstLine[id] {
            yaml.report(.duplicate(kind: kind, name: id, firstLine: line), at: value)
            return nil
        }
        firstLine[id] = value.line
        return id
    }
}
