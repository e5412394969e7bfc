import Practice
import RigProfiles

/// A small training rig for the practice tests: an emergency-stop exercise, two alarms and an
/// active state, with frames written in milliseconds.
enum PracticeRig {
    static let yaml = """
        profile: practice-rig
        title: {en: Practice test rig}
        poll: 100ms
        channels:
          - {name: speed, source: input 0, type: u16}
          - {name: pressure, source: input 1, type: i16}
          - {name: temp, source: input 2, type: u16}
          - {name: door, source: coil 0, type: bool}
        states:
          active: speed > 0.5
        exercises:
          - id: emergency-stop
            title: {en: Emergency stop}
            steps:
              - reach: speed >= 55
              - reach: pressure >= 60
                within: 3s
              - reach: speed < 1
                within: 8s
        alarms:
          - id: overpressure
            when: pressure > 120
            for: 500ms
            severity: critical
          - id: vacuum
            when: pressure < -100
            for: 0ms
            severity: warning
        """

    static func profile() throws -> DeviceProfile {
        try ProfileLoader.parse(yaml: yaml, file: "practice-rig.yaml")
    }

    static func evaluator() throws -> SessionEvaluator {
        try SessionEvaluator(profile: profile())
    }

    /// Milliseconds to sample-time nanoseconds.
    static func ms(_ milliseconds: Int64) -> Int64 { milliseconds * 1_000_000 }

    /// A frame at `milliseconds` with the given channels updated (the others keep their value).
    static func frame(_ milliseconds: Int64, speed: Double? = nil, pressure: Double? = nil, temp: Double? = nil, door: Bool? = nil) -> Frame {
        frame(nanoseconds: ms(milliseconds), speed: speed, pressure: pressure, temp: temp, door: door)
    }

    static func frame(nanoseconds: Int64, speed: Double? = nil, pressure: Double? = nil, temp: Double? = nil, door: Bool? = nil) -> Frame {
        var updates: [Frame.Update] = []
        if let speed { updates.append(.init(channel: 0, value: speed)) }
        if let pressure { updates.append(.init(channel: 1, value: pressure)) }
        if let temp { updates.append(.init(channel: 2, value: temp)) }
        if let door { updates.append(.init(channel: 3, value: door ? 1 : 0)) }
        return Frame(time: nanoseconds, updates: updates)
    }
}

extension SessionEvaluator {
    /// Consumes `frames` in order and returns every event.
    mutating func consume(_ frames: [Frame]) throws -> [SessionEvent] {
        var events: [SessionEvent] = []
        for frame in frames { events += try consume(frame) }
        return events
    }
}
