import Foundation
import Testing

import RigProfiles

/// The lab config's optional `sessions:` mapping, checked like every other field.
struct LabSessionSettingsTests {
    private func load(_ sessions: String?) throws -> LabConfig {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-lab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("lab.yaml").path
        try """
            lab: Test lab
            timezone: UTC
            \(sessions.map { "sessions: \($0)" } ?? "")
            rigs:
              - {id: a, profile: brake-trainer, connection: "tcp://10.0.0.1", unit: 1}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return try LabLoader.load(path: path, devicesFolder: RepoPaths.devices)
    }

    @Test func withoutSessionsTheSilenceThresholdIsTwoMinutes() throws {
        #expect(try load(nil).sessions.closeAfterSilence == .seconds(120))
    }

    @Test func closeAfterSilenceTakesADuration() throws {
        #expect(try load("{close_after_silence: 45s}").sessions.closeAfterSilence == .seconds(45))
    }

    @Test func withoutResumeWithinARestartWithinTwoMinutesResumes() throws {
        #expect(try load(nil).sessions.resumeWithin == .seconds(120))
        #expect(try load("{close_after_silence: 45s}").sessions.resumeWithin == .seconds(120))
    }

    @Test func resumeWithinTakesADurationAndZeroTurnsItOff() throws {
        #expect(try load("{resume_within: 30s}").sessions.resumeWithin == .seconds(30))
        #expect(try load("{resume_within: 0s, close_after_silence: 1m}").sessions == SessionSettings(closeAfterSilence: .seconds(60), resumeWithin: .zero))
    }

    @Test(arguments: [
        ("{resume_within: -1s}", "sessions.resume_within", "0s to close sessions when a run ends"),
        ("{resume_within: later}", "sessions.resume_within", "a duration such as 2m"),
        ("{resume_witin: 2m}", "sessions.resume_witin", "resume_within"),
        ("{close_after_silence: soon}", "sessions.close_after_silence", "a duration above zero"),
        ("{close_after_silence: 0s}", "sessions.close_after_silence", "a duration above zero"),
        ("{close_after_silnce: 2m}", "sessions.close_after_silnce", "close_after_silence"),
        ("2m", "sessions", "{close_after_silence: 2m}"),
    ])
    func refusesWithTheFieldAndWhatWasExpected(sessions: String, field: String, expected: String) throws {
        #expect { _ = try load(sessions) } throws: { error in
            guard let errors = error as? ConfigErrors, errors.issues.count == 1 else { return false }
            let issue = errors.issues[0]
            return issue.field == field && "\(errors)".contains(expected) && issue.location.line == 3
        }
    }
}
