import Foundation
import Reports
import RiglogTesting
import Testing

/// Headless Chromium renders the HTML report to PNG (`make deps` installs chromium and the
/// DejaVu and Noto CJK fonts). Set RIGLOG_REPORT_PNG=DIR to keep the PNGs for a look.
@Suite struct ReportChromiumTests {
    static func chromium() throws -> String {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            if let path = try? ExternalPeers.which(name) { return path }
        }
        throw ExternalPeers.PeerMissing(name: "chromium")
    }

    @Test(arguments: [ReportLanguage.en, .zh])
    func rendersToPNGWithoutPageErrors(language: ReportLanguage) throws {
        let fixture = try ReportFixture()
        let html = try ReportGenerator.generate(ReportRequest(subject: .student("s001"), format: .html, language: language), store: fixture.store)
        let folder = ProcessInfo.processInfo.environment["RIGLOG_REPORT_PNG"] ?? fixture.folder
        let page = folder + "/report-\(language.rawValue).html"
        let png = folder + "/report-\(language.rawValue).png"
        try html.write(to: URL(fileURLWithPath: page))
        try? FileManager.default.removeItem(atPath: png)
        let result = try ExternalPeers.capture(try Self.chromium(), [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=900,2400",
            "--user-data-dir=\(fixture.folder)/chromium-profile", "--screenshot=\(png)", "file://\(page)",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
        #expect(bytes.count > 30_000, "a page with tables and charts, not a blank one")
        // Chromium logs about the machine (dbus, GPU) are fine; anything about the page is not.
        let pageErrors = result.stderr.split(separator: "\n").filter { line in
            ["CONSOLE", "Uncaught", "net::ERR", "Failed to load", "Refused to", "SyntaxError"].contains { line.contains($0) }
        }
        #expect(pageErrors.isEmpty, "\(pageErrors)")
    }
}
