import Foundation
import RiglogTesting
import Testing

/// schemathesis (PyPI; `make deps` installs it) against a real `riglog serve` with the OpenAPI
/// file: generated requests to every API operation, positive and negative, with an admin's API
/// token; no answer may be a server error, undocumented, or other than its documented schema.
/// The file is the contract: a failure here is the server's bug or the file's.
@Suite struct WebSecuritySchemathesisTests {
    @Test func theAPIKeepsItsContractUnderGeneratedRequests() async throws {
        let schemathesis = try ExternalPeers.which("schemathesis")
        let fixture = try WebFixture()
        let issued = try await RiglogBinary.run(["users", "token", "ada", "--data", fixture.folder])
        let token = try #require(issued.text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("rlg_") }.map(String.init),
                                 "riglog users token printed no token: \(issued.text) \(issued.stderr)")
        let riglog = try RiglogBinary.url().path
        let folder = fixture.folder
        let (serve, port) = try await onOwnThread {
            try ExternalPeers.startServer("riglog serve", riglog) { port in
                ["serve", "--data", folder, "--http", "127.0.0.1:\(port)", "--for", "10m"]
            }
        }
        defer { serve.stop(SIGKILL) }
        let examples = Reliability.scale(bounded: 8, long: 200)
        // The fixture's real rig, students, group and dates, mixed into the generated values, so
        // requests reach the data behind the routes and not only their 404s.
        try """
            [dictionaries.rigs]
            values = ["brake-1"]
            [dictionaries.students]
            values = ["s001", "s002"]
            [dictionaries.groups]
            values = ["\(WebFixture.group)"]
            [dictionaries.times]
            values = ["2026-11-29", "2026-11-29T09:00", "2026-11-30", "2026-11-29T03:00:00Z"]
            [parameters]
            "path.rig" = { dictionary = "rigs", probability = 0.6 }
            "path.id" = { dictionary = "students", probability = 0.6 }
            "path.group" = { dictionary = "groups", probability = 0.6 }
            "query.from" = { dictionary = "times", probability = 0.5 }
            "query.to" = { dictionary = "times", probability = 0.5 }
            """.write(toFile: folder + "/schemathesis.toml", atomically: true, encoding: .utf8)
        let arguments = [
            "--config-file", folder + "/schemathesis.toml", "run", OpenAPITests.file, "--url", "http://127.0.0.1:\(port)", "-H", "Authorization: Bearer \(token)",
            "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance",
            "--max-examples", "\(examples)", "--seed", "19", "--workers", "1", "--request-timeout", "30",
            "--phases", "examples,coverage,fuzzing",
            // The live feed never ends; LiveFeedTests and the browser test read it.
            "--exclude-path", "/api/v1/live",
        ]
        let run = try await ExternalPeers.capture(schemathesis, arguments, directory: folder)
        let report = run.text + run.stderr
        #expect(run.status == 0, "schemathesis found problems:\n\(report.suffix(12_000))")
        #expect(!serve.hasExited, "riglog serve stopped during the run")
        // "Test cases:" then "  379 generated, 379 passed".
        let lines = report.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let cases = lines.first { $0.contains(" generated,") } ?? "?"
        let tested = lines.first { $0.hasPrefix("Tested:") } ?? "?"
        #expect(cases.contains("generated") && !cases.hasPrefix("0 "), "\(report.suffix(2000))")
        Reliability.record(scenario: "web: schemathesis against the OpenAPI file", inputs: "\(cases) (\(tested) operations, --max-examples \(examples), real ids mixed in)",
                           outcome: run.status == 0 ? "no 5xx, every status documented, every body in its schema" : "failures: see the test log",
                           lost: "-", ok: run.status == 0)
        #expect(serve.stop(SIGTERM, grace: .seconds(30)) == 0)
    }
}
