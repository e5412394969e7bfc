import Foundation
import Store
import Testing

/// A technician prepares the roster, the timetable and check-ins before the first lesson, into
/// a data folder that does not exist yet: every command that writes creates the folder and its
/// store; only reading commands say there is nothing yet.
@Suite("A data folder that does not exist yet")
struct NewDataFolderTests {
    /// A path under a fresh temporary folder, not created.
    final class Missing {
        let root = NSTemporaryDirectory() + "riglog-new-" + UUID().uuidString
        var data: String { root + "/data" }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        func file(_ name: String, _ text: String) throws -> String {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try text.write(toFile: root + "/" + name, atomically: true, encoding: .utf8)
            return root + "/" + name
        }
    }

    @Test func studentsImportCreatesTheFolderAndItsStore() throws {
        let folder = Missing()
        let csv = try folder.file("students.csv", "id,name,group,badge\nS1,Aida,ТЭ-21,4711\nS2,Timur,ТЭ-21,\n")

        let result = try StoreCLIHarness.riglog(["students", "import", csv, "--data", folder.data])

        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("2 students: 2 added"))
        #expect(try StoreDatabase.open(folder: folder.data, create: false).students().map(\.id) == ["S1", "S2"])
    }

    @Test func timetableImportCreatesTheStoreAndThenChecksRigsAndStudents() throws {
        let folder = Missing()
        let csv = try folder.file("timetable.csv", "rig,student,start,end\nbrake-1,S1,2026-11-30T09:00,2026-11-30T10:30\n")

        let result = try StoreCLIHarness.riglog(["timetable", "import", csv, "--data", folder.data])

        // Not "no riglog data": the store exists now, and the file is judged on its content.
        #expect(!result.stderr.contains("no riglog data"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.data + "/riglog.sqlite"))
        #expect(result.status == 2 && result.stderr.contains("brake-1"), "no rig brake-1 is known yet: \(result.stderr)")
    }

    @Test func checkinCreatesTheStore() throws {
        let folder = Missing()

        let result = try StoreCLIHarness.riglog(["checkin", "brake-1", "S1", "--data", folder.data])

        #expect(!result.stderr.contains("no riglog data"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.data + "/riglog.sqlite"))
    }

    @Test func readingCommandsSayThereIsNothingYetAndCreateNothing() throws {
        let folder = Missing()

        for command in [["sessions"], ["students", "list"], ["store", "stats"], ["report", "group", "ТЭ-21"]] {
            let result = try StoreCLIHarness.riglog(command + ["--data", folder.data])
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.contains("no riglog data"), "\(command): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.data))
    }
}
