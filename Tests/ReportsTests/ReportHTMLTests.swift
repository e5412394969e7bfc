import Timekeeping
import Foundation
import Reports
import RiglogTesting
import Store
import Testing

/// The HTML report parsed by Python's html.parser (an independent parser, in a child process).
@Suite struct ReportHTMLTests {
    /// Reads an HTML file; prints one JSON object: sessions and students present, every chart's
    /// declared and drawn points, references to anything outside the file, parse problems.
    static let checker = #"""
        import json, re, sys
        from html.parser import HTMLParser

        class Check(HTMLParser):
            def __init__(self):
                super().__init__()
                self.sessions, self.students, self.charts, self.external, self.stack = [], [], [], [], []
                self.chart = None
                self.in_style = False
                self.css = ""
            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "tr" and "data-session" in a: self.sessions.append(a["data-session"])
                if tag == "section" and a.get("id", "").startswith("student-"): self.students.append(a["id"][8:])
                if tag == "svg":
                    self.chart = {"kind": a.get("data-chart"), "declared": int(a.get("data-points", "0")), "drawn": 0}
                    self.charts.append(self.chart)
                if self.chart is not None and tag in ("polyline", "circle", "rect", "polygon") and a.get("class") not in ("frame",):
                    self.chart["drawn"] += 1
                for name in ("src", "href", "xlink:href", "srcset", "action", "data"):
                    if name in a: self.external.append(f"{tag} {name}={a[name]}")
                if tag in ("script", "link", "img", "iframe", "object", "embed", "base"): self.external.append(tag)
                if tag == "style": self.in_style = True
            def handle_endtag(self, tag):
                if tag == "svg": self.chart = None
                if tag == "style": self.in_style = False
            def handle_data(self, data):
                if self.in_style: self.css += data

        text = open(sys.argv[1], encoding="utf-8").read()
        c = Check()
        c.feed(text)
        c.close()
        if "@import" in c.css or "url(" in c.css: c.external.append("css")
        if re.search(r"https?:", text): c.external.append("http")
        print(json.dumps({"sessions": c.sessions, "students": c.students, "charts": c.charts, "external": c.external,
                          "doctype": text.startswith("<!DOCTYPE html>")}))
        """#

    struct Summary: Decodable {
        struct Chart: Decodable { var kind: String?; var declared: Int; var drawn: Int }
        var sessions: [String]
        var students: [String]
        var charts: [Chart]
        var external: [String]
        var doctype: Bool
    }

    static func check(_ html: Data) throws -> Summary {
        let path = NSTemporaryDirectory() + "riglog-report-\(UUID().uuidString).html"
        try html.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try ExternalPeers.capture(try ExternalPeers.which("python3"), ["-c", checker, path])
        guard result.status == 0 else { throw CheckFailed(message: result.stderr) }
        return try JSONDecoder().decode(Summary.self, from: result.stdout)
    }

    struct CheckFailed: Error { var message: String }

    @Test func studentReportHasEverySessionAndChartsWithData() throws {
        let fixture = try ReportFixture()
        let html = try ReportGenerator.generate(ReportRequest(subject: .student("s001"), format: .html), store: fixture.store)
        let summary = try Self.check(html)
        let ids = try fixture.store.sessions(student: "s001").map { String($0.id) }
        #expect(summary.doctype)
        #expect(summary.sessions == ids)
        #expect(summary.external.isEmpty, "\(summary.external)")
        let kinds = summary.charts.map { $0.kind ?? "" }
        #expect(kinds.filter { $0 == "timeline" }.count == 1)
        #expect(kinds.filter { $0 == "progress" }.count == 2, "one per exercise practised")
        // emergency-stop: best and latest are different attempts; service-braking: one attempt, both.
        #expect(kinds.filter { $0 == "trace" }.count == 3)
        for chart in summary.charts {
            #expect(chart.declared > 0 && chart.drawn > 0, "\(chart)")
        }
    }

    @Test func traceStepsAreFoundAgainOnTheSeries() throws {
        let fixture = try ReportFixture()
        var builder = ReportBuilder(store: fixture.store)
        let report = try builder.student("s001", period: TimePeriod())
        var traces = TraceBuilder(store: fixture.store, profiles: builder.profiles)
        let emergency = try #require(try traces.traces(for: report).first { $0.exercise == "emergency-stop" })
        let best = try #require(emergency.traces.first { $0.role == .best })
        #expect(best.channels.map(\.name) == ["speed", "pressure"])
        #expect(best.stepTimes.count == 3, "all three steps of the passed attempt")
        #expect(abs((best.stepTimes[0] - best.attempt.start).seconds) <= 0.2, "step 1 within two buckets of the stored start")
        #expect(best.stepTimes == best.stepTimes.sorted())
    }

    @Test func groupReportHasEveryStudentSessionAndTheMatrix() throws {
        let fixture = try ReportFixture(samples: false)
        let html = try ReportGenerator.generate(ReportRequest(subject: .group(ReportFixture.group), format: .html), store: fixture.store)
        let summary = try Self.check(html)
        #expect(Set(summary.students) == ["s001", "s002", "s003"])
        #expect(summary.sessions.count == ReportFixture.plan.count)
        #expect(summary.external.isEmpty)
        let text = String(decoding: html, as: UTF8.self)
        #expect(text.contains(#"data-cell="2/4""#), "s001 passed 2 of 4 emergency stops")
        #expect(text.contains(#"data-cell="0/0""#), "s003 never practised")
    }

    @Test func studentNamesAreEscaped() throws {
        let fixture = try ReportFixture(samples: false)
        for subject in [ReportRequest.Subject.student("s002"), .group(ReportFixture.group)] {
            let html = String(decoding: try ReportGenerator.generate(ReportRequest(subject: subject, format: .html), store: fixture.store), as: UTF8.self)
            #expect(!html.contains("<script"))
            #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Bobby &amp; &#39;Tables&#39;"))
        }
    }
}
