import Foundation
import Store
import Testing

/// `riglog demo` end to end: simulated rigs and the collector in one process, into a store.
@Suite struct DemoCommandTests {
    static let devices = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Devices").standardizedFileURL.path

    @Test func aShortDemoFillsTheStoreAndSaysWhereItIs() throws {
        let folder = NSTemporaryDirectory() + "riglog-demo-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try StoreCLIHarness.riglog(["demo", "--rigs", "3", "--for", "3s", "--no-http", "--data", folder, "--devices", Self.devices])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("Demo data in \(folder)"))
        let store = try StoreDatabase.open(folder: folder, create: false)
        #expect(try store.rigIDs().sorted() == ["brake-1", "engine-1", "ev-1"])
        for id in try store.rigIDs() {
            let rig = try store.rig(id)
            #expect(try store.estimatedSampleCount(of: rig.channels) > 0, "no samples from \(id)")
            #expect(try store.gaps(rig: id).isEmpty, "\(id) had a gap")
        }
        #expect(result.stderr.contains("0 samples lost"))
    }

    @Test func withoutTheDevicesFolderItSaysWhereToRunIt() throws {
        let result = try StoreCLIHarness.riglog(["demo", "--devices", "/nonexistent/Devices", "--for", "1s"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("run the demo from the riglog folder, or pass --devices"))
    }
}
