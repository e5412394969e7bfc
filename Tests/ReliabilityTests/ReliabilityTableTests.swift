import Foundation
import RiglogTesting
import Testing

/// The table `make reliability` prints (scripts/reliability-table.py) from the rows the scenarios
/// record: every row shown, and a failing exit status when one is not within the promise.
@Suite("Reliability table")
struct ReliabilityTableTests {
    private func rows(_ rows: [Reliability.Row]) throws -> String {
        let path = NSTemporaryDirectory() + "riglog-rows-\(UUID().uuidString).jsonl"
        let encoder = JSONEncoder()
        let lines = try rows.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private var script: String { RiglogBinary.root.appendingPathComponent("scripts/reliability-table.py").path }

    @Test func everyRowIsPrintedAndAllWithinThePromiseExitsZero() throws {
        let path = try rows([
            Reliability.Row(scenario: "wrong transaction id", inputs: "412 polls", outcome: "no crash; 412 errors", lost: "0 samples", ok: true),
            Reliability.Row(scenario: "kill -9 soak", inputs: "50 cycles", outcome: "store check passed 50 times", lost: "<= 0.5 s", ok: true),
        ])
        defer { unlink(path) }
        let result = try ExternalPeers.capture("python3", [script, path, "--markdown"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.text.contains("| wrong transaction id | 412 polls | no crash; 412 errors | 0 samples | yes |"))
        #expect(result.text.contains("2 scenarios, 2 within riglog's promise"))
    }

    @Test func aRowOutsideThePromiseFailsTheRunAndIsNamed() throws {
        let path = try rows([
            Reliability.Row(scenario: "disk full", inputs: "1 fill", outcome: "store corrupted", lost: "all", ok: false),
            Reliability.Row(scenario: "stall", inputs: "100 polls", outcome: "no crash", lost: "0", ok: true),
        ])
        defer { unlink(path) }
        let result = try ExternalPeers.capture("python3", [script, path])
        #expect(result.status == 1)
        #expect(result.text.contains("NOT: disk full"))
        #expect(result.text.contains("disk full") && result.text.contains("NO"))
    }

    @Test func noRowsAtAllIsAFailureNotAnEmptyTable() throws {
        let path = try rows([])
        defer { unlink(path) }
        let result = try ExternalPeers.capture("python3", [script, path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no reliability rows"))
    }
}
