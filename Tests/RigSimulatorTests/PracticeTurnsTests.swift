import Modbus
import RigProfiles
import RigSimulator
import Testing

/// `practice:` and `routines:` in scenario files: how they are read and refused, and the turns
/// the simulator generates from them (badge in, routines, badge out, reset; strangers; students
/// walking off; skills by badge).
@Suite("Practice turns")
struct PracticeTurnsTests {
    static let roster: [UInt64] = [4_100_101, 4_100_102, 4_100_103, 4_100_104, 4_100_105]

    static let yaml = """
        scenario: Turns
        profile: brake-trainer
        students:
          - {badge: 4100101, reaction: 100ms, accuracy: 1}
        practice:
          routines: 2
          pause: 10s
          strangers: 0.2
          leave: 0.3
          rest: {drive: 0, pedal: 0}
        routines:
          stop:
            - {after: 2s, set: {drive: 0.5}}
            - {after: 5s, set: {drive: 0}}
            - {after: 0s, set: {pedal: 0.7}}
            - {after: 4s, set: {pedal: 0}}
        """

    /// The operator register's values in order (each change), over `seconds` of simulated time.
    static func badges(seed: UInt64, seconds: Double) throws -> [UInt64] {
        let profile = try Fixtures.profile("brake-trainer")
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "turns.scenario")
        var rig = try SimulatedRig(id: "brake-1", profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0),
                                   scenario: scenario, seed: seed, roster: roster)
        var seen: [UInt64] = [0]
        var t = 0.0
        while t < seconds {
            t += 0.1
            rig.advance(to: t)
            if rig.badge != seen.last { seen.append(rig.badge) }
        }
        return seen
    }

    @Test func practiceAndRoutinesAreRead() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.yaml, file: "turns.scenario")
        let practice = try #require(scenario.practice)
        #expect(practice.routinesPerTurn == 2 && practice.pause == 10 && practice.strangers == 0.2 && practice.leave == 0.3)
        #expect(practice.rest.map(\.control) == ["drive", "pedal"])
        #expect(scenario.routines.map(\.name) == ["stop"])
        #expect(scenario.routines[0].events.map(\.time) == [2, 7, 7, 11])
        #expect(scenario.events.isEmpty)  // no timeline needed with practice:
    }

    @Test func turnsAlternateBadgesWithNobodyAndBringStrangers() throws {
        let badges = try Self.badges(seed: 3, seconds: 1800)
        // Every badge in is followed by nobody before the next student.
        for (index, badge) in badges.enumerated() where badge != 0 {
            #expect(index + 1 == badges.count || badges[index + 1] == 0, "\(badges)")
        }
        let students = badges.filter { $0 != 0 }
        #expect(students.count >= 20, "\(badges)")
        #expect(Set(students.filter { Self.roster.contains($0) }).count == Self.roster.count, "\(badges)")
        let strangers = students.filter { !Self.roster.contains($0) }
        #expect(!strangers.isEmpty && strangers.count < students.count / 2, "\(badges)")
        #expect(strangers.allSatisfy { PracticeTurns.strangerBadges.contains($0) })
    }

    @Test func turnsAreTheSameForTheSameSeed() throws {
        #expect(try Self.badges(seed: 5, seconds: 600) == Self.badges(seed: 5, seconds: 600))
        #expect(try Self.badges(seed: 5, seconds: 600) != Self.badges(seed: 6, seconds: 600))
    }

    @Test func skillsDrawnFromBadgesRangeFromStrongToWeak() {
        let skills = (4_100_000..<4_100_400).map { StudentSkill.drawn(for: UInt64($0)) }
        #expect(skills.allSatisfy { (0.3...3.0).contains($0.reaction) && (0.8...1).contains($0.accuracy) })
        #expect(skills.contains { $0.reaction < 0.6 } && skills.contains { $0.reaction > 2 })
        #expect(StudentSkill.drawn(for: 4_100_101) == StudentSkill.drawn(for: 4_100_101))
    }

    @Test func mistakesInPracticeAndRoutinesAreRefusedWithTheirLines() throws {
        let issues = try ScenarioErrorTests.errors("""
            scenario: Broken turns
            profile: brake-trainer
            repeat: 10m
            practice:
              routines: 2.5
              leave: 2
              rest: {drvie: 0}
            routines:
              stop:
                - {after: 2s, badge: 4100101}
                - {after: 1s, set: {pedl: 0.5}}
            """, check: "brake-trainer")
        let text = issues.joined(separator: "\n")
        #expect(issues.contains { $0.contains("broken.scenario:3:9") && $0.contains("repeat: and practice:") }, "\(text)")
        #expect(issues.contains { $0.contains(":5:13") && $0.contains("whole number") }, "\(text)")
        #expect(issues.contains { $0.contains(":6:10") && $0.contains("from 0 to 1") }, "\(text)")
        #expect(issues.contains { $0.contains(":10:7") && $0.contains("badges come and go") }, "\(text)")
        // Controls are checked against the model once the file reads cleanly.
        let unknown = try ScenarioErrorTests.errors("""
            scenario: Broken controls
            practice: {rest: {drvie: 0}}
            routines:
              stop:
                - {after: 1s, set: {pedl: 0.5}}
            """, check: "brake-trainer")
        #expect(unknown.contains { $0.contains(":2:19") && $0.contains("practice.rest.drvie") && $0.contains("drive") }, "\(unknown)")
        #expect(unknown.contains { $0.contains(":5:25") && $0.contains("routines.stop[0].pedl") && $0.contains("pedal") }, "\(unknown)")
        let empty = try ScenarioErrorTests.errors("scenario: No routines\npractice: {pause: 5s}\n")
        #expect(empty.contains { $0.contains("routines") }, "\(empty)")
    }
}
