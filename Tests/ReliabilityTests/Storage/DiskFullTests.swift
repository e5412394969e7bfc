import Foundation
import RiglogTesting
import Store
import Timekeeping
import Testing

/// The data folder's disk fills up under a running collector, then space returns: the
/// collector says so (log, /metrics, /healthz, the board's live feed), polls on, holds what it
/// cannot write, writes it all once there is room, and the store checks clean.
@Suite("Storage: disk full", .serialized)
struct DiskFullTests {
    @Test(.enabled(if: ScratchDisk.unavailable == nil, "\(ScratchDisk.unavailable ?? "")"))
    func aFullDiskIsReportedPollingGoesOnAndEverySampleIsWrittenOnceThereIsRoom() async throws {
        let outage = Reliability.scale(bounded: Duration.seconds(3), long: .seconds(45))
        let lab = try LabUnderTest(rigs: 2, name: "disk-full")
        let disk = try ScratchDisk(tmpfs: 24)
        let data = disk.mountPoint + "/data"
        let port = ExternalPeers.freePort()
        let collector = try lab.collect(data: data, port: port)
        try await ExternalPeers.waitUntil("the collector's first samples", timeout: .seconds(60)) {
            (CollectorWeb.metrics(port)?["riglog_samples_stored_total"] ?? 0) > 500
        }
        // Full while the WAL is still growing (before SQLite's first checkpoint), so the next
        // flush needs space that is not there.
        let filler = try disk.fill()
        try await ExternalPeers.waitUntil("/metrics to say the store cannot write", timeout: .seconds(60)) {
            CollectorWeb.metrics(port)?["riglog_store_writable"] == 0
        }
        let healthz = try #require(CollectorWeb.get(port, "/healthz"))
        #expect(healthz.status == 503, "\(healthz.body)")
        #expect(healthz.body.contains("is full"), "\(healthz.body)")
        let store = try #require(CollectorWeb.liveValues(port)?["store"] as? [String: Any], "the live feed's store status")
        #expect(store["writable"] as? Bool == false)
        #expect((store["error"] as? String)?.contains("free space") == true, "\(store)")
        #expect(collector.output.contains("is full"), "logged once: \(collector.output)")

        // Polling goes on meanwhile.
        let polledAtFull = CollectorWeb.metrics(port)?["riglog_polls_total{rig=\"rig-1\"}"] ?? 0
        try await Task.sleep(for: outage)
        let polledLater = CollectorWeb.metrics(port)?["riglog_polls_total{rig=\"rig-1\"}"] ?? 0
        #expect(polledLater > polledAtFull, "polls go on while the store cannot write")
        #expect(CollectorWeb.metrics(port)?["riglog_store_writable"] == 0)

        unlink(filler)
        try await ExternalPeers.waitUntil("/metrics to say the store writes again", timeout: .seconds(30)) {
            CollectorWeb.metrics(port)?["riglog_store_writable"] == 1
        }
        let metrics = try #require(CollectorWeb.metrics(port))
        let dropped = Int(metrics["riglog_store_dropped_samples_total"] ?? -1)
        #expect(dropped == 0, "an outage of seconds is held in memory, not dropped")
        #expect((metrics["riglog_store_failed_writes_total"] ?? 0) >= 1)
        #expect(CollectorWeb.get(port, "/healthz")?.status == 200)
        try await ExternalPeers.waitUntil("the recovery in the log") { collector.output.contains("writing again after") }
        #expect(collector.output.components(separatedBy: "store: the disk of the data folder").count - 1 == 1, "the outage is logged once, not at every retry: \(collector.output)")

        #expect(collector.stop(SIGTERM) == 0, "\(collector.output)")
        // Every sample the collector read is stored: the summary's count against the store's.
        let collected = try #require(Self.collectedSamples(in: collector.output), "\(collector.output)")
        let reopened = try StoreDatabase.open(folder: data, create: false)
        var stored = 0
        for rig in lab.rigs { stored += try LabUnderTest.storedTimes(reopened, rig: rig).values.reduce(0) { $0 + $1.count } }
        #expect(stored == collected, "stored \(stored) of \(collected) samples")
        let check = try await RiglogBinary.run(["store", "check", "--data", data])
        #expect(check.status == 0, "\(check.text)\(check.stderr)")

        Reliability.record(
            scenario: "data folder's disk full for \(DurationText.format(outage)), then space freed",
            inputs: "\(collected) samples, \(Int(metrics["riglog_store_failed_writes_total"] ?? 0)) refused writes",
            outcome: "polling went on; said so in log (once), /metrics, /healthz 503, board; wrote everything once freed; store check passed",
            lost: "\(collected - stored) samples (\(dropped) dropped)", ok: stored == collected && check.status == 0)
    }

    /// The count in the collector's closing line: "collected N samples from P polls; ...".
    static func collectedSamples(in output: String) -> Int? {
        guard let range = output.range(of: "collected ") else { return nil }
        return Int(output[range.upperBound...].prefix { $0.isNumber })
    }
}
