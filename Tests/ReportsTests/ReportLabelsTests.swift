import RiglogTesting
import Timekeeping
import Foundation
import Reports
import Store
import Testing

@Suite struct ReportLabelsTests {
    @Test func everyLabelHasEveryLanguage() {
        for label in ReportLabel.allCases {
            for language in ReportLanguage.allCases {
                let text = ReportLabels(language)[label]
                #expect(!text.isEmpty && !text.hasPrefix(ReportLabels.missingMarker), "\(label) in \(language)")
            }
            // A label left in English by mistake would look the same in Russian.
            if label != .secondsUnit { #expect(ReportLabels(.ru)[label] != ReportLabels(.en)[label], "\(label) untranslated in ru") }
        }
    }

    @Test func fourLanguagesRenderWithoutAMissingLabel() throws {
        let fixture = try ReportFixture()
        let expected: [ReportLanguage: (title: String, exercise: String, channel: String)] = [
            .en: ("Practice log", "Emergency stop from 60 km/h", "Vehicle speed"),
            .ru: ("Журнал практики", "Экстренное торможение с 60 км/ч", "Скорость"),
            .kk: ("Практика журналы", "60 км/сағ жылдамдықтан апаттық тежеу", "Жылдамдық"),
            .zh: ("实训记录", "60 km/h 紧急制动", "车速"),
        ]
        for language in ReportLanguage.allCases {
            for format in ReportRequest.Format.allCases {
                for subject in [ReportRequest.Subject.student("s001"), .group(ReportFixture.group)] {
                    let output = String(decoding: try ReportGenerator.generate(
                        ReportRequest(subject: subject, format: format, language: language), store: fixture.store), as: UTF8.self)
                    #expect(!output.contains(ReportLabels.missingMarker), "\(language) \(format) \(subject)")
                    guard format != .json, case .student = subject else { continue }
                    #expect(output.contains(expected[language]!.title), "\(language) \(format)")
                    #expect(output.contains(expected[language]!.exercise), "\(language) \(format)")
                    if format == .html { #expect(output.contains(expected[language]!.channel), "\(language) channel label") }
                }
            }
        }
    }

    @Test func untranslatedTitlesFallBackToEnglishThenToTheID() throws {
        let fixture = try ReportFixture(samples: false)
        var builder = ReportBuilder(store: fixture.store)
        _ = try builder.student("s001", period: TimePeriod())
        let profiles = builder.profiles
        #expect(profiles.exerciseTitle(profile: "test-brake", exercise: "service-braking", language: .kk) == "Service braking")
        #expect(profiles.exerciseTitle(profile: "test-brake", exercise: "service-braking", language: .ru) == "Служебное торможение")
        #expect(profiles.exerciseTitle(profile: "test-brake", exercise: "gone", language: .zh) == "gone")
        #expect(profiles.channelLabel(profile: "test-brake", channel: "pressure", language: .zh) == "制动压力")
        #expect(profiles.profileTitle("unknown-profile", language: .ru) == "unknown-profile")
    }
}
