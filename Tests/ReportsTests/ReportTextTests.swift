import Foundation
import Practice
import Reports
import Store
import Testing

@Suite struct ReportTextTests {
    /// The value after a totals label in the text report (`  Sessions       2`).
    static func total(_ text: String, _ label: String) -> String? {
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(label + " ") { return trimmed.dropFirst(label.count).trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    static func seconds(clock: String) -> Double {
        let parts = clock.split(separator: ":").compactMap { Double($0) }
        return parts.count == 3 ? parts[0] * 3600 + parts[1] * 60 + parts[2] : -1
    }

    @Test func totalsEqualTheJSONTotals() throws {
        let fixture = try ReportFixture(samples: false)
        for student in ["s001", "s002", "s003"] {
            let text = String(decoding: try ReportGenerator.generate(ReportRequest(subject: .student(student)), store: fixture.store), as: UTF8.self)
            let json = try ReportGenerator.generate(ReportRequest(subject: .student(student), format: .json), store: fixture.store)
            let totals = try #require((try JSONSerialization.jsonObject(with: json) as? [String: Any])?["totals"] as? [String: Any])
            for (label, key) in [("Sessions", "sessions"), ("Attempts", "attempts"), ("Passed", "passed"), ("Alarms", "alarms"),
                                 ("Lost samples", "lost_samples")] {
                #expect(Self.total(text, label).flatMap { Int($0) } == totals[key] as? Int, "\(student) \(label)")
            }
            for (label, key) in [("Practice time", "practice_seconds"), ("Active time", "active_seconds")] {
                let value = try #require(Self.total(text, label))
                #expect(Self.seconds(clock: value) == ((totals[key] as? Double) ?? -2).rounded(), "\(student) \(label)")
            }
        }
    }

    @Test func sessionsAndExercisesAreListed() throws {
        let fixture = try ReportFixture(samples: false)
        let text = String(decoding: try ReportGenerator.generate(ReportRequest(subject: .student("s001")), store: fixture.store), as: UTF8.self)
        #expect(text.contains("Emergency stop from 60 km/h"))
        #expect(text.contains("Overpressure"))
        // Sessions in the lab's time zone: 03:00Z is 08:00 in Almaty.
        #expect(text.contains("08:00  08:05  brake-1"))
        #expect(!text.contains("\u{1B}["), "no colour unless asked")
        let coloured = String(decoding: try ReportGenerator.generate(ReportRequest(subject: .student("s001"), color: true), store: fixture.store), as: UTF8.self)
        #expect(coloured.contains("\u{1B}[32m"))
    }

    @Test func columnsAlignWithCyrillicAndChinese() throws {
        #expect(DisplayWidth.of("王芳") == 4)
        #expect(DisplayWidth.of("Айгерим") == 7)
        #expect(DisplayWidth.of("é") == 1)
        let fixture = try ReportFixture(samples: false)
        for language in ReportLanguage.allCases {
            let text = String(decoding: try ReportGenerator.generate(ReportRequest(subject: .group(ReportFixture.group), language: language),
                                                                     store: fixture.store), as: UTF8.self)
            // The totals table ends in a right-aligned column, so every line of it is equally wide.
            let lines = text.split(separator: "\n").map(String.init)
            let start = try #require(lines.firstIndex { $0.hasPrefix("  ") })
            let table = lines[start...].prefix { $0.hasPrefix("  ") }
            #expect(table.count == 5, "header, rule, three students")
            #expect(Set(table.map(DisplayWidth.of)).count == 1, "\(language): \(table)")
        }
    }
}
