import RiglogTesting
import Timekeeping
import Foundation
import Store
import Testing

/// A data folder with rigs registered through the Store API (no collector), the lab zone
/// Asia/Almaty (UTC+5) and optionally a roster: what the practice commands' tests start from.
final class PracticeDataFolder {
    let path: String

    init(rigs: [String] = ["brake-1", "ev-1"], roster: [Student] = []) throws {
        path = NSTemporaryDirectory() + "riglog-practice-tests-" + UUID().uuidString
        let store = try StoreDatabase.open(folder: path, create: true)
        for rig in rigs {
            try store.register(rig: RigDefinition(id: rig, name: rig, profile: "brake-trainer"), channels: [])
        }
        try store.setLabSetting(.timeZone, "Asia/Almaty")
        if !roster.isEmpty { _ = try store.importRoster(roster) }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func store() throws -> StoreDatabase { try StoreDatabase.open(folder: path, create: false) }

    /// Writes `bytes` to a file in the folder and returns its path.
    func file(_ name: String, _ bytes: Data) throws -> String {
        let file = path + "/" + name
        try bytes.write(to: URL(fileURLWithPath: file))
        return file
    }

    func file(_ name: String, _ text: String) throws -> String { try file(name, Data(text.utf8)) }

    /// `riglog ARGS --data <this folder>`.
    func riglog(_ arguments: [String]) throws -> StoreCLIHarness.Result {
        try StoreCLIHarness.riglog(arguments + ["--data", path])
    }

    static let twoStudents = [
        Student(id: "S1", name: "Ann", group: "ТЭ-21", badge: "10"),
        Student(id: "S2", name: "Bob", group: "ТЭ-22"),
    ]
}

@Suite struct StudentsCommandTests {
    @Test func importsAnExcelFileAndSaysWhatChanged() throws {
        let data = try PracticeDataFolder()
        let bytes = Data([0xEF, 0xBB, 0xBF]) + Data("""
            Name;ID;Group;Badge;Email;Phone\r
            "Абенов; Тимур";S2024-017;ТЭ-21;4711;t.abenov@example.edu;+7 700\r
            Bob;S2024-018;ТЭ-21;;;\r
            \r

            """.utf8)
        let file = try data.file("students.csv", bytes)
        let result = try data.riglog(["students", "import", file])
        #expect(result.status == 0)
        #expect(result.text.contains("2 students: 2 added, 0 updated, 0 unchanged"))
        #expect(result.text.contains("ignored columns: Phone"))
        #expect(try data.store().student(id: "S2024-017") == Student(id: "S2024-017", name: "Абенов; Тимур", group: "ТЭ-21", badge: "4711", email: "t.abenov@example.edu"))

        let again = try data.riglog(["students", "import", file])
        #expect(again.status == 0)
        #expect(again.text.contains("0 added, 0 updated, 2 unchanged"))
    }

    @Test func reattributesBadgeSessionsAndSaysSo() throws {
        let data = try PracticeDataFolder()
        try data.store().saveSession(
            StoredSession(rig: "brake-1", student: "badge:4711", start: 1_000, end: 2_000, source: .badge, badge: "4711"),
            results: SessionResults())
        let file = try data.file("students.csv", "id,name,group,badge\nS1,Ann,G,4711\n")
        let result = try data.riglog(["students", "import", file])
        #expect(result.status == 0)
        #expect(result.text.contains("1 session opened by a badge (badge:<number>) now name their student"))
        #expect(try data.store().sessions(student: "S1").count == 1)
    }

    @Test func aBadFileListsEveryProblemExitsTwoAndImportsNothing() throws {
        let data = try PracticeDataFolder()
        let file = try data.file("students.csv", "id,name,group,badge\nS1,Ann,G,10\nS2,Bob,G,12a\nS1,Cid,G,11\n,Dan,G,13\nS5,Eve,G,10\n")
        let result = try data.riglog(["students", "import", file])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("\(file) has 4 problems; nothing was imported"))
        #expect(result.stderr.contains("\(file):3: badge \"12a\" is not a number"))
        #expect(result.stderr.contains("\(file):4: id S1 is already on line 2"))
        #expect(result.stderr.contains("\(file):5: id is empty"))
        #expect(result.stderr.contains("\(file):6: badge 10 is already on line 2"))
        #expect(try data.store().students().isEmpty)
    }

    @Test func missingHeadersAndFilesAreUsageErrors() throws {
        let data = try PracticeDataFolder()
        let noHeader = try data.riglog(["students", "import", try data.file("s.csv", "S1,Ann,G,10\n")])
        #expect(noHeader.status == 2)
        #expect(noHeader.stderr.contains("id,name,group,badge[,email]"))
        let missing = try data.riglog(["students", "import", data.path + "/nope.csv"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no such file"))
        let good = try data.file("good.csv", "id,name,group,badge\nS1,Ann,G,10\n")
        // A roster is prepared before the first lesson: a folder without a store gets one.
        let newStore = try StoreCLIHarness.riglog(["students", "import", good, "--data", data.path + "/none"])
        #expect(newStore.status == 0, "\(newStore.stderr)")
        #expect(FileManager.default.fileExists(atPath: data.path + "/none/riglog.sqlite"))
    }

    @Test func listsAsTableAndJSONAndByGroup() throws {
        let data = try PracticeDataFolder(roster: PracticeDataFolder.twoStudents)
        let table = try data.riglog(["students", "list"])
        #expect(table.status == 0)
        #expect(table.text == """
            id  name  group  badge  email  login
            S1  Ann   ТЭ-21  10     -      -
            S2  Bob   ТЭ-22  -      -      -

            """)
        let json = try data.riglog(["students", "list", "--group", "ТЭ-22", "--json"])
        #expect(json.status == 0)
        let array = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]])
        #expect(array.count == 1)
        #expect(array[0]["id"] as? String == "S2")
        #expect(array[0]["badge"] is NSNull)
        #expect(array[0]["login"] is NSNull)
        let unknown = try data.riglog(["students", "list", "--group", "ТЭ-99"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("groups: ТЭ-21, ТЭ-22"))
    }
}
