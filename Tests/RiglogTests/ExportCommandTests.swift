import Foundation
import Testing
import RiglogTesting

/// Runs the built `riglog` and `riglog-store-writer` binaries for the store and export tests.
enum StoreCLIHarness {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// The folder holding the built products (next to the test bundle).
    static func productsFolder() -> URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    static func product(_ name: String) throws -> String {
        let path = productsFolder().appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError(message: "\(name) is not built next to the tests (\(path)); run `swift build` first")
        }
        return path
    }

    struct HarnessError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Result {
        let captured = try ExternalPeers.capture(executable, arguments)
        return Result(status: captured.status, stdout: captured.stdout, stderr: captured.stderr)
    }

    static func riglog(_ arguments: [String]) throws -> Result {
        try run(try product("riglog"), arguments)
    }

    /// A data folder filled by `riglog-store-writer --fixture` (see Tests/Support/StoreWriter/Fixture.swift).
    final class FixtureFolder {
        let path: String

        init() throws {
            path = NSTemporaryDirectory() + "riglog-cli-tests-" + UUID().uuidString
            let result = try StoreCLIHarness.run(try StoreCLIHarness.product("riglog-store-writer"), ["--fixture", path])
            guard result.status == 0 else { throw HarnessError(message: "fixture failed: \(result.stderr)") }
        }

        deinit {
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}

@Suite struct ExportCommandTests {
    static let evilRig = #"=HYPERLINK("http://x.example";"y")"#

    @Test func longLayoutFollowsTheContract() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let result = try StoreCLIHarness.riglog(["export", "samples", "--data", data.path, "--rig", "brake-1",
                                                 "--to", "2026-11-29T08:00:00.200Z"])
        #expect(result.status == 0)
        #expect(result.text == """
            time,rig,channel,value,unit\r
            2026-11-29T08:00:00.000Z,brake-1,wheel_speed,0.5,km/h\r
            2026-11-29T08:00:00.000Z,brake-1,brake_pressure,0,bar\r
            2026-11-29T08:00:00.000Z,brake-1,pedal,0,\r
            2026-11-29T08:00:00.100Z,brake-1,wheel_speed,10.5,km/h\r
            2026-11-29T08:00:00.100Z,brake-1,brake_pressure,2.5,bar\r
            2026-11-29T08:00:00.100Z,brake-1,pedal,1,\r

            """)
    }

    @Test func wideLayoutHasAColumnPerChannel() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let result = try StoreCLIHarness.riglog(["export", "samples", "--data", data.path, "--rig", "brake-1", "--wide",
                                                 "--channels", "pedal,wheel_speed"])
        #expect(result.status == 0)
        let lines = result.text.components(separatedBy: "\r\n")
        #expect(lines[0] == "time,pedal,wheel_speed [km/h]")
        #expect(lines[1] == "2026-11-29T08:00:00.000Z,0,0.5")
        #expect(lines[2] == "2026-11-29T08:00:00.100Z,1,10.5")
        #expect(lines.count == 1 + 20 + 1)  // header, 20 timestamps, empty after the last CRLF
    }

    @Test func excelModeWritesBOMSemicolonsAndDecimalCommas() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let file = data.path + "/out.csv"
        let result = try StoreCLIHarness.riglog(["export", "samples", "--data", data.path, "--rig", "brake-1", "--wide",
                                                 "--excel", "-o", file, "--to", "2026-11-29T08:00:00.200Z"])
        #expect(result.status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: bytes.dropFirst(3), as: UTF8.self) == """
            time;wheel_speed [km/h];brake_pressure [bar];pedal\r
            2026-11-29T08:00:00.000Z;0,5;0;0\r
            2026-11-29T08:00:00.100Z;10,5;2,5;1\r

            """)
    }

    @Test func formulaLikeTextIsPrefixedAndNumbersAreNot() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let result = try StoreCLIHarness.riglog(["export", "samples", "--data", data.path, "--rig", Self.evilRig])
        #expect(result.status == 0)
        let lines = result.text.components(separatedBy: "\r\n")
        #expect(lines[1] == #"2026-11-29T08:00:00.000Z,"'=HYPERLINK(""http://x.example"";""y"")",'-delta,-5,'@home"#)
        #expect(lines[2] == #"2026-11-29T08:00:00.000Z,"'=HYPERLINK(""http://x.example"";""y"")",'+note,3,'=1+1"#)
        let wide = try StoreCLIHarness.riglog(["export", "samples", "--data", data.path, "--rig", Self.evilRig, "--wide", "--excel"])
        let wideLines = String(decoding: wide.stdout.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(wideLines[0] == "time;'-delta [@home];'+note [=1+1]")
        #expect(wideLines[1] == "2026-11-29T08:00:00.000Z;-5;3")
    }

    @Test func timesWithoutOffsetAreReadInTheStoredLabTimeZone() throws {
        let data = try StoreCLIHarness.FixtureFolder()  // lab zone Asia/Almaty, UTC+5
        let result = try StoreCLIHarness.riglog(["export", "samples", "--data", data.path, "--rig", "brake-1",
                                                 "--channels", "pedal", "--from", "2026-11-29T13:00:00.300",
                                                 "--to", "2026-11-29T13:00:00.500"])
        #expect(result.status == 0)
        #expect(result.text.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty } == [
            "2026-11-29T08:00:00.300Z,brake-1,pedal,1,",
            "2026-11-29T08:00:00.400Z,brake-1,pedal,0,",
        ])
    }

    @Test func aRangeWithNoDataWritesTheHeaderOnly() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let result = try StoreCLIHarness.riglog(["export", "samples", "--data", data.path, "--rig", "brake-1",
                                                 "--from", "2020-01-01", "--to", "2020-01-02"])
        #expect(result.status == 0)
        #expect(result.text == "time,rig,channel,value,unit\r\n")
        #expect(result.stderr.contains("no samples"))
    }

    @Test func anUnknownRigIsAUsageError() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let result = try StoreCLIHarness.riglog(["export", "samples", "--data", data.path, "--rig", "brake-9"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("no rig \"brake-9\""))
        #expect(result.stderr.contains("brake-1"))
    }

    @Test func badArgumentsAreUsageErrors() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let channel = try StoreCLIHarness.riglog(["export", "samples", "--data", data.path, "--rig", "brake-1", "--channels", "nope"])
        #expect(channel.status == 2)
        #expect(channel.stderr.contains("wheel_speed"))
        let time = try StoreCLIHarness.riglog(["export", "samples", "--data", data.path, "--rig", "brake-1", "--from", "yesterday"])
        #expect(time.status == 2)
        let folder = try StoreCLIHarness.riglog(["export", "samples", "--data", data.path + "/missing", "--rig", "brake-1"])
        #expect(folder.status == 2)
        #expect(folder.stderr.contains("--data"))
    }
}
