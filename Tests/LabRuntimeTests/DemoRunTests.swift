import Foundation
import LabRuntime
import Store
import Testing

/// `riglog demo`'s composition without the binary: simulated rigs, the collector, the reports,
/// and the hints it prints.
@Suite("DemoRun", .serialized)
struct DemoRunTests {
    static let devices: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/Devices"
    }()

    @Test func theHintsCallRiglogByThePathItWasRunByAndWorkAsPrinted() async throws {
        let root = NSTemporaryDirectory() + "riglog demo " + UUID().uuidString  // a space, as in a home folder
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = root + "/data"

        let outcome = try await DemoRun(rigs: 2, dataFolder: data, devices: Self.devices, duration: .seconds(3),
                                        command: ".build/debug/riglog").run()

        #expect(outcome.summary.samples > 0)
        #expect(outcome.summary.lost == 0)
        #expect(outcome.summary.stored == outcome.summary.samples)
        #expect(outcome.text.hasPrefix("Demo data in \(data)."))
        #expect(outcome.text.contains("  .build/debug/riglog sessions --data '\(data)'"), "\(outcome.text)")
        #expect(outcome.text.contains("  .build/debug/riglog store stats --data '\(data)'"))
        #expect(!outcome.text.contains("  riglog "), "no hint relies on riglog being on the PATH")
        #expect(outcome.reports != nil, "the reports step ran (written, or why not)")
        let store = try StoreDatabase.open(folder: data, create: false)
        #expect(try store.storage().reduce(0) { $0 + $1.samples } == outcome.summary.stored)
        #expect(try store.students().count > 0, "the demo roster was imported")
    }

    @Test func aDevicesFolderWithoutTheDemoIsRefused() async throws {
        let root = NSTemporaryDirectory() + "riglog-demo-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }

        let error = await #expect(throws: LabRunError.self) {
            try await DemoRun(rigs: 1, dataFolder: root + "/data", devices: root + "/NoDevices", duration: .seconds(1)).run()
        }

        #expect(error?.isUsage == false, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: root + "/data/riglog.sqlite"))
    }
}
