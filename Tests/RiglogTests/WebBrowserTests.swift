import Foundation
import RiglogTesting
import Testing

/// The web UI in a real browser: Debian's chromium, headless, driven over the DevTools protocol
/// by Browser/web_check.py against a running `riglog demo`. Screenshots land in
/// .build/test-artifacts/browser/.
@Suite struct WebBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path

    @Test func aBrowserSignsInAndWatchesTheLab() async throws {
        let folder = NSTemporaryDirectory() + "riglog-browser-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let port = ExternalPeers.freePort()
        let log = folder + "/demo.out"
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        let arguments = ["demo", "--rigs", "6", "--for", "10m", "--http", "127.0.0.1:\(port)", "--data", folder + "/data", "--devices", Self.root + "/Devices"]
        let riglog = try StoreCLIHarness.product("riglog")
        let demo = try ChildProcess(riglog, arguments, stdout: fd, stderr: fd)
        defer { demo.stop() }
        var link = ""
        try await ExternalPeers.waitUntil("the demo printing its sign-in link", timeout: .seconds(60)) {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Sign in as demo-instructor: ") }),
                  let url = line.split(separator: " ").first(where: { $0.hasPrefix("http://") }) else { return demo.hasExited }
            link = String(url)
            return true
        }
        try #require(!link.isEmpty, "the demo stopped: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let base = "http://127.0.0.1:\(port)"
        #expect(link.hasPrefix(base + "/signin/link/"))
        let artifacts = Self.root + "/.build/test-artifacts/browser"
        // Midway the script stops this demo (SIGTERM) and starts it again on the same address and
        // data, and the open board must reconnect by itself.
        let check = try StoreCLIHarness.run("python3", [Self.root + "/Tests/RiglogTests/Browser/web_check.py", base,
                                                        String(link.dropFirst(base.count)), artifacts, "--restart", "\(demo.pid)", "--", riglog] + arguments)
        let findings = check.text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(check.status == 0, "\(findings)\n\(check.stderr)")
        #expect(findings.contains(#""tiles": 6"#), "\(findings)")
        #expect(findings.contains(#""failures": []"#), "\(findings)")
        #expect(findings.contains(#""reconnected": true"#), "\(findings)")
        #expect(findings.contains(#""restarted_exit": 0"#), "\(findings)")
        for shot in ["board.png", "rig.png", "student.png"] {
            #expect(FileManager.default.fileExists(atPath: artifacts + "/" + shot), "\(shot)")
        }
        // The first demo was stopped by the script's SIGTERM, cleanly.
        #expect(demo.wait() == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }
}
