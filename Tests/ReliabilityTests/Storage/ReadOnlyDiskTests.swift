import Foundation
import Ingest
import RiglogTesting
import Store
import Testing
import Timekeeping

/// The data folder's file system turns read-only under a running collector (ext4 with
/// `errors=remount-ro` meeting a disk error, as a lab PC's failing disk does): the collector says
/// so, polls on, and corrupts nothing; once a technician has stopped it, repaired the disk
/// (e2fsck) and mounted it again, every commit is there and the store checks clean. (A next run on
/// the repaired disk is not started here: beside the other tests in CI it was refused as
/// read-only, not understood yet; issue 19's note.)
@Suite("Storage: read-only data folder", .serialized)
struct ReadOnlyDiskTests {
    @Test(.enabled(if: ScratchDisk.unavailable == nil, "\(ScratchDisk.unavailable ?? "")"))
    func aDiskTurnedReadOnlyIsReportedPollingGoesOnAndTheRepairedStoreChecksClean() async throws {
        let outage = Reliability.scale(bounded: Duration.seconds(2), long: .seconds(30))
        let lab = try LabUnderTest(rigs: 2, name: "read-only")
        let disk = try ScratchDisk(ext4: 64)
        let data = disk.mountPoint + "/data"
        let port = ExternalPeers.freePort()
        let collector = try lab.collect(data: data, port: port)
        // Committed samples to lose, not only samples handed to the writer (its flush is every
        // 500 ms): the store is read in a scope of its own, so the disk can be unmounted later.
        func committed() -> Int {
            guard let store = try? StoreDatabase.open(folder: data, create: false),
                  let channels = try? store.rig("rig-1").channels else { return 0 }
            var count = 0
            try? store.forEachSample(of: channels) { _ in count += 1 }
            return count
        }
        try await ExternalPeers.waitUntil("the collector's first commits", timeout: .seconds(60)) { committed() > 1_000 }
        let committedBefore = committed()
        try disk.failLikeABadDisk()
        try await ExternalPeers.waitUntil("/metrics to say the store cannot write", timeout: .seconds(60)) {
            CollectorWeb.metrics(port)?["riglog_store_writable"] == 0
        }
        let healthz = try #require(CollectorWeb.get(port, "/healthz"))
        #expect(healthz.status == 503 && healthz.body.contains("read-only"), "\(healthz.body)")
        let store = try #require(CollectorWeb.liveValues(port)?["store"] as? [String: Any], "the live feed's store status")
        #expect(store["writable"] as? Bool == false && (store["error"] as? String)?.contains("read-only") == true, "\(store)")
        let polledAtFailure = CollectorWeb.metrics(port)?["riglog_polls_total{rig=\"rig-2\"}"] ?? 0
        try await Task.sleep(for: outage)
        #expect((CollectorWeb.metrics(port)?["riglog_polls_total{rig=\"rig-2\"}"] ?? 0) > polledAtFailure, "polls go on")
        #expect(collector.output.contains("has become read-only"), "\(collector.output)")
        // The technician stops it (the disk will not come back under it) ...
        let status = collector.stop(SIGTERM)
        #expect(status == 0 || status == 1, "stops on SIGTERM, whatever it could not write: \(collector.output)")

        // ... repairs the disk and mounts it again: the store is as the last commit left it.
        try disk.repairAndRemount()
        let check = try await RiglogBinary.run(["store", "check", "--data", data])
        #expect(check.status == 0, "\(check.text)\(check.stderr)")
        // What was read after the last commit is what the read-only disk cost.
        let collected = DiskFullTests.collectedSamples(in: collector.output) ?? 0
        var stored = 0
        // Read in a scope of its own: the next run starts with no other process holding the store.
        let rig1 = try { () throws -> Int in
            let repaired = try StoreDatabase.open(folder: data, create: false)
            for rig in lab.rigs { stored += try LabUnderTest.storedTimes(repaired, rig: rig).values.reduce(0) { $0 + $1.count } }
            return try LabUnderTest.storedTimes(repaired, rig: "rig-1").values.reduce(0) { $0 + $1.count }
        }()
        let files = (try? FileManager.default.contentsOfDirectory(atPath: data))?.sorted().map { name in
            "\(name) \(((try? FileManager.default.attributesOfItem(atPath: data + "/" + name))?[.size] as? Int) ?? -1)"
        } ?? []
        #expect(stored > 0 && stored < collected, "\(stored) of \(collected) stored; the folder: \(files)")
        // Every commit seen before the disk failed is still there (each commit is synced to the
        // disk: `synchronous = FULL` on the writer).
        #expect(rig1 >= committedBefore, "rig-1: \(rig1) samples after the repair, \(committedBefore) committed before the disk failed")
        let lost = collected - stored
        Reliability.record(
            scenario: "data folder's file system turned read-only (ext4 error, remount-ro) while collecting",
            inputs: "\(collected) samples read, \(DurationText.format(outage)) read-only",
            outcome: "polling went on; said so in log, /metrics, /healthz 503, board; after e2fsck and remount: every commit there, store check passed",
            lost: "\(lost) samples read after the last commit (the disk never came back while it ran; nothing committed was harmed)",
            ok: check.status == 0)
    }
}
