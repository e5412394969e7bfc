import Foundation
import Testing
import RiglogTesting
import Ingest
@testable import Store
import Timekeeping

/// `riglog store backup | restore | check` on a real store: a backup taken while `riglog demo`
/// collects, restored into another folder and compared with the source; a damaged copy found
/// by `check` and refused by `restore`; a restore under a running collector refused.
@Suite(.serialized) struct StoreBackupTests {
    static let devices = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Devices").path

    /// A demo run of `seconds`, with a backup taken in its middle: (data folder, backup file).
    static func backupDuringDemo(_ folder: String) throws -> (data: String, backup: String) {
        let data = folder + "/data", backup = folder + "/backup.sqlite"
        let logPath = folder + "/demo.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = open(logPath, O_WRONLY | O_TRUNC)
        let demo = try ChildProcess(try StoreCLIHarness.product("riglog"),
                                    ["demo", "--rigs", "3", "--for", "12s", "--no-http", "--data", data, "--devices", devices], stderr: log)
        close(log)
        func demoLog() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        try ExternalPeers.waitUntilBlocking("the demo collecting", timeout: .seconds(90)) { demo.hasExited || demoLog().contains("collecting") }
        try #require(!demo.hasExited, "the demo stopped early:\n\(demoLog())")
        let roster = try StoreCLIHarness.riglog(["students", "import", devices + "/demo/students.csv", "--data", data])
        #expect(roster.status == 0, "\(roster.stderr)")
        // Chunks flushed and sessions open: the collector is mid-run, writing every second.
        try ExternalPeers.waitUntilBlocking("chunks and sessions in the store", timeout: .seconds(60)) {
            guard let store = try? StoreDatabase.open(folder: data, create: false) else { return false }
            return ((try? store.chunkRows().count) ?? 0) >= 3 && !((try? store.sessions()) ?? []).isEmpty
        }
        let result = try StoreCLIHarness.riglog(["store", "backup", backup, "--data", data])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("backed up \(data) to \(backup)"))
        #expect(!demo.hasExited, "the backup should have been taken while the demo collected")
        #expect(demo.wait() == 0, "\(demoLog())")
        return (data, backup)
    }

    @Test func aBackupTakenWhileCollectingRestoresEqualToTheSource() throws {
        let folder = NSTemporaryDirectory() + "riglog-backup-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (data, backup) = try Self.backupDuringDemo(folder)
        #expect(!FileManager.default.fileExists(atPath: backup + ".partial"))

        let checked = try StoreCLIHarness.riglog(["store", "check", "--file", backup])
        #expect(checked.status == 0, "\(checked.text)\(checked.stderr)")
        #expect(checked.text.contains("\(backup): sound ("))

        let restoredFolder = folder + "/restored"
        let restored = try StoreCLIHarness.riglog(["store", "restore", backup, "--data", restoredFolder])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(try StoreCLIHarness.riglog(["store", "check", "--data", restoredFolder]).status == 0)

        let source = try StoreDatabase.open(folder: data, create: false)
        let copy = try StoreDatabase.open(folder: restoredFolder, create: false)
        // Students: all of them, as imported before the backup.
        #expect(try copy.students() == source.students())
        #expect(try copy.students().count >= 10)
        // Chunks: each as the source has it, or (a chunk the collector was still filling,
        // flushed so far) the same chunk with fewer frames, which the source then extended.
        let sourceChunks = Dictionary(uniqueKeysWithValues: try source.chunkRows().map { ($0.fields[0], $0) })
        let copied = try copy.chunkRows()
        #expect(copied.count >= 3)
        for chunk in copied {
            let later = try #require(sourceChunks[chunk.fields[0]], "chunk \(chunk.fields[0]) of the backup is not in the source")
            #expect(chunk == later || (chunk.fields[1] == later.fields[1] && chunk.fields[3] < later.fields[3]),
                    "chunk \(chunk.fields[0]) differs from the source's and is not an earlier flush of it")
        }
        // And every sample of the copy is the source's, up to where every chunk of the copy reaches.
        let reach = Timestamp(microsecondsSince1970: try #require(copied.map { $0.fields[2] }.min()) + 1)
        for rig in try copy.rigIDs() {
            func samples(_ store: StoreDatabase) throws -> [Sample] {
                var out: [Sample] = []
                try store.forEachSample(of: try store.rig(rig).channels, to: reach) { out.append($0) }
                return out
            }
            let mine = try samples(copy), theirs = try samples(source)
            #expect(!mine.isEmpty && mine == theirs, "rig \(rig)")
        }
        // Sessions: those closed by the backup equal the source's; open ones opened as the source's.
        let sourceSessions = Dictionary(uniqueKeysWithValues: try source.sessions().map { ($0.id, $0) })
        let sessions = try copy.sessions()
        #expect(!sessions.isEmpty)
        for session in sessions {
            let later = try #require(sourceSessions[session.id])
            if session.end != nil { #expect(session == later) } else { #expect(session.start == later.start && session.rig == later.rig) }
        }
        // The backup is audited in the source.
        #expect(try StoreCLIHarness.riglog(["audit", "--json", "--data", data]).text.contains("store backup"))
    }

    @Test func checkFindsDamageAndRestoreRefusesItLeavingTheFolderAsItWas() throws {
        let folder = NSTemporaryDirectory() + "riglog-backup-damage-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (data, backup) = try Self.backupDuringDemo(folder)
        let again = try StoreCLIHarness.riglog(["store", "backup", backup, "--data", data])
        #expect(again.status == 2 && again.stderr.contains("exists already and a backup never overwrites one"), "\(again.stderr)")

        // A chunk whose format byte is damaged: found by decoding, not by SQLite.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: backup))
        let chunk = try #require(try StoreDatabase.open(path: backup).chunkRows().last)
        let head = Data(chunk.data.prefix(24))
        let at = try #require(bytes.range(of: head)?.lowerBound, "the chunk's bytes are not where SQLite keeps them whole")
        bytes[at] = 0xEE
        let damagedChunk = folder + "/damaged-chunk.sqlite"
        try bytes.write(to: URL(fileURLWithPath: damagedChunk))
        let found = try StoreCLIHarness.riglog(["store", "check", "--file", damagedChunk])
        #expect(found.status == 1)
        #expect(found.text.contains("chunk \(chunk.fields[0]) does not decode"), "\(found.text)")

        // A page of the file overwritten: SQLite's integrity check says so.
        var pages = try Data(contentsOf: URL(fileURLWithPath: backup))
        let middle = (pages.count / 4096 / 2) * 4096
        pages.replaceSubrange(middle..<(middle + 4096), with: Data(repeating: 0x55, count: 4096))
        let damagedPage = folder + "/damaged-page.sqlite"
        try pages.write(to: URL(fileURLWithPath: damagedPage))
        let broken = try StoreCLIHarness.riglog(["store", "check", "--file", damagedPage])
        #expect(broken.status == 1, "\(broken.text)")

        // Restoring the damaged copy is refused; the folder's store stays as it was.
        let before = try StoreDatabase.open(folder: data, create: false).chunkRows()
        let refused = try StoreCLIHarness.riglog(["store", "restore", damagedChunk, "--data", data])
        #expect(refused.status == 2 && refused.stderr.contains("fails its check"), "\(refused.stderr)")
        #expect(try StoreDatabase.open(folder: data, create: false).chunkRows() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: data).allSatisfy { !$0.contains("before-restore") && !$0.contains("restoring") })
        let foreign = folder + "/notes.txt"
        try "not a store".write(toFile: foreign, atomically: true, encoding: .utf8)
        let notAStore = try StoreCLIHarness.riglog(["store", "restore", foreign, "--data", data])
        #expect(notAStore.status == 2 && notAStore.stderr.contains("is not a riglog store"), "\(notAStore.stderr)")

        // Restoring the good backup over the folder keeps the store it replaces beside it.
        let restored = try StoreCLIHarness.riglog(["store", "restore", backup, "--data", data])
        #expect(restored.status == 0, "\(restored.stderr)")
        let kept = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix("riglog.sqlite.before-restore-") }
        #expect(kept.count == 1)
        if let kept = kept.first {
            #expect(try StoreDatabase.open(path: data + "/" + kept).chunkRows() == before)
        }
    }

    @Test func restoreIsRefusedWhileACollectorRuns() throws {
        let folder = NSTemporaryDirectory() + "riglog-restore-running-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // This test process stands for the collector that wrote its pid.
        try "\(getpid())\n".write(toFile: folder + "/collector.pid", atomically: true, encoding: .utf8)
        let refused = try StoreCLIHarness.riglog(["store", "restore", folder + "/any.sqlite", "--data", folder])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("a collector is running on \(folder) (process \(getpid())"), "\(refused.stderr)")
    }
}
