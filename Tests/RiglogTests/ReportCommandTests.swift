import RiglogTesting
import Timekeeping
import Foundation
import Store
import Testing

/// `riglog report` end to end: the built binary on a data folder made with the Store API.
@Suite struct ReportCommandTests {
    /// A data folder with one rig (its profile stored), two students and one session each.
    final class ReportFolder {
        let path = NSTemporaryDirectory() + "riglog-report-cli-" + UUID().uuidString

        init() throws {
            let store = try StoreDatabase.open(folder: path, create: true)
            try store.setLabSetting(.timeZone, "Asia/Almaty")
            let yaml = """
                profile: mini
                title: {en: Mini trainer, ru: Мини-стенд}
                channels:
                  - {name: speed, label: {en: Speed, ru: Скорость}, unit: km/h, source: input 0, type: u16, scale: 0.1}
                exercises:
                  - id: stop
                    title: {en: Stop, ru: Остановка, kk: Тоқтау, zh: 停车}
                    steps:
                      - reach: speed >= 50
                      - reach: speed < 1
                        within: 10s
                """
            let version = try store.storeConfigVersion(kind: .profile, name: "mini", content: yaml)
            try store.register(rig: RigDefinition(id: "rig-1", name: "Rig 1", profile: "mini"),
                               channels: [ChannelDefinition(name: "speed", unit: "km/h", type: "u16", scale: 0.1)], profileVersion: version)
            _ = try store.importRoster([Student(id: "s1", name: "Иван Петров", group: "G-1"), Student(id: "s2", name: "李明", group: "G-1")])
            let start: Timestamp = 1_795_921_200_000_000  // 2026-11-29T03:00:00Z
            for (i, student) in ["s1", "s2"].enumerated() {
                let begin = start + Int64(i) * 86_400_000_000
                try store.saveSession(
                    StoredSession(rig: "rig-1", student: student, start: begin, end: begin + 600_000_000, source: .checkin, activeSeconds: 300),
                    results: SessionResults(attempts: [
                        StoredAttempt(exercise: "stop", result: .passed, start: begin + 60_000_000, seconds: 7.5),
                        StoredAttempt(exercise: "stop", result: .failed, start: begin + 120_000_000, seconds: 10, failedStep: 2),
                    ]))
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    @Test func studentJSONHasTheTotals() throws {
        let folder = try ReportFolder()
        let result = try StoreCLIHarness.riglog(["report", "student", "s1", "--data", folder.path, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let totals = try #require(object["totals"] as? [String: Any])
        #expect(totals["sessions"] as? Int == 1 && totals["attempts"] as? Int == 2 && totals["passed"] as? Int == 1)
        #expect(totals["practice_seconds"] as? Double == 600)
        #expect((object["student"] as? [String: Any])?["name"] as? String == "Иван Петров")
    }

    @Test func textGoesToAPipeWithoutColourAndInTheLabsZone() throws {
        let folder = try ReportFolder()
        let result = try StoreCLIHarness.riglog(["report", "student", "s1", "--data", folder.path, "--lang", "ru"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.text.contains("\u{1B}["))
        #expect(result.text.contains("Журнал практики: Иван Петров (s1)"))
        #expect(result.text.contains("Остановка"))
        #expect(result.text.contains("08:00"), "03:00Z is 08:00 in Almaty")
    }

    @Test func periodAndGroupSelectSessions() throws {
        let folder = try ReportFolder()
        let result = try StoreCLIHarness.riglog(["report", "group", "G-1", "--data", folder.path, "--format", "json",
                                                 "--from", "2026-11-30", "--to", "2026-11-30"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(object["group"] as? String == "G-1")
        let students = try #require(object["students"] as? [[String: Any]])
        let sessions = students.map { (($0["totals"] as? [String: Any])?["sessions"] as? Int) ?? -1 }
        #expect(sessions.sorted() == [0, 1], "only s2's session is on the 30th in Almaty")
        #expect((object["period"] as? [String: Any])?["from"] as? String == "2026-11-29T19:00:00.000Z")
    }

    @Test func htmlGoesToTheOutputFile() throws {
        let folder = try ReportFolder()
        let file = folder.path + "/s2.html"
        let result = try StoreCLIHarness.riglog(["report", "student", "s2", "--data", folder.path, "--format", "html", "--lang", "zh", "-o", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("李明") && html.contains("停车"))
    }

    @Test func wrongInputIsAUsageError() throws {
        let folder = try ReportFolder()
        let unknown = try StoreCLIHarness.riglog(["report", "student", "s9", "--data", folder.path])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no student s9"))
        let group = try StoreCLIHarness.riglog(["report", "group", "nope", "--data", folder.path])
        #expect(group.status == 2 && group.stderr.contains("groups: G-1"))
        let language = try StoreCLIHarness.riglog(["report", "student", "s1", "--data", folder.path, "--lang", "de"])
        #expect(language.status == 2 && language.stderr.contains("Please provide one of 'en', 'ru', 'kk' or 'zh'"), "\(language.stderr)")
        let order = try StoreCLIHarness.riglog(["report", "student", "s1", "--data", folder.path, "--from", "2026-12-01", "--to", "2026-11-01"])
        #expect(order.status == 2 && order.stderr.contains("--to must be after --from"))
    }
}
