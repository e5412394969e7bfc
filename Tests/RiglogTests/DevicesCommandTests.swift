import Foundation
import Testing
import RiglogTesting

/// End-to-end tests of `riglog devices`: the built binary, its exit status and its stderr.
struct DevicesCommandTests {
    /// The repository root, from this file, so the tests run from any directory.
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `riglog` built next to the test bundle, else in `.build/debug`.
    static func binary() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("riglog"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("riglog"),
            root.appendingPathComponent(".build/debug/riglog"),
        ]
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "riglog is not built")
    }

    static func riglog(_ arguments: [String]) throws -> Output {
        let captured = try ExternalPeers.capture(try binary().path, arguments, directory: root.path)
        return Output(status: captured.status, stdout: captured.text, stderr: captured.stderr)
    }

    @Test func theShippedDevicesFolderChecksClean() throws {
        let result = try Self.riglog(["devices", "check", "Devices"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout.contains("OK Devices/brake-trainer.yaml: profile brake-trainer"))
        #expect(result.stdout.contains("OK Devices/examples/lab.yaml: lab \"Luban Workshop, transportation equipment lab\""))
        // One OK line per file; a lab lists its connections under it, indented.
        #expect(result.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("OK ") || $0.hasPrefix("   ") })
        #expect(result.stdout.contains("   tcp://192.168.10.20:502: brake-1 (unit 1, brake-trainer), brake-2 (unit 2, brake-trainer), air-brake-1 (unit 3, air-brake-trainer)"))
        #expect(result.stdout.contains("   rtu:///dev/ttyUSB0?baud=38400&parity=E&data=8&stop=1: ev-1 (unit 3"))
    }

    @Test func aBrokenFileExitsTwoWithEveryErrorOnStderr() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-devices-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("brake.yaml").path
        try """
            profile: brake
            title: Brake
            channels:
              - name: speed
                source: input 0
                type: u61
              - name: speed
                source: input 1
                type: u16
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try Self.riglog(["devices", "check", file])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("riglog: 2 errors in 1 file:"))
        #expect(result.stderr.contains(#"\#(file):6:11: channels[0].type: found "u61", expected one of bool, u16, i16, u32, i32, u64, i64, f16, f32, f64, "u8 high", "u8 low", "i8 high", "i8 low", "bit N" (N 0-15), "bit N of u32" (N 0-31) or "string N" (N registers, 1-125)"#))
        #expect(result.stderr.contains(#"\#(file):7:11: channels[1].name: channel name "speed" is already used on line 4"#))
    }

    @Test func goodAndBrokenFilesTogetherStillFail() throws {
        let result = try Self.riglog(["devices", "check", "Devices/adam-6050.yaml", "Tests/RigProfilesTests/Broken/l03-duplicate-unit.yaml", "--devices", "Devices"])
        #expect(result.status == 2)
        #expect(result.stdout.contains("OK Devices/adam-6050.yaml"))
        #expect(result.stderr.contains("l03-duplicate-unit.yaml:13:11: rigs[1].unit: unit 1 is already used by rig \"brake-1\""))
    }

    @Test func aMissingPathIsAUsageError() throws {
        let result = try Self.riglog(["devices", "check", "no-such-folder"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no-such-folder: no such file or folder"))
    }

    @Test func planShowsAddressesReferencesAndChannels() throws {
        let result = try Self.riglog(["devices", "plan", "brake-trainer", "--poll", "50ms"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("KIND") && $0.contains("FC") && $0.contains("REF") && $0.contains("GAPS FILLED") })
        #expect(lines.contains { $0.hasPrefix("input     04  0        30001") && $0.contains("50ms") && $0.contains("vehicle_speed@0") })
        #expect(lines.contains { $0.hasPrefix("holding   03  100      40101") && $0.contains("operator@0") })
        #expect(lines.contains { $0.hasPrefix("coil      01  0        00001") })
    }

    @Test func planSaysHowARefWasUnderstood() throws {
        let result = try Self.riglog(["devices", "plan", "Devices/schneider-pm5100.yaml"])
        #expect(result.status == 0)
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("current_a ") }
        #expect(line?.split(separator: " ", omittingEmptySubsequences: true).prefix(5) == ["current_a", "ref:", "43000", "holding", "2999"])
    }

    @Test func planOfABrokenProfileIsAUsageError() throws {
        let result = try Self.riglog(["devices", "plan", "Tests/RigProfilesTests/Broken/p01-bad-type.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("p01-bad-type.yaml:8:11: channels[0].type"))
    }
}
