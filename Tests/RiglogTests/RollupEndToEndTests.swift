import Foundation
import Ingest
import RiglogTesting
import Store
import Testing
import Timekeeping

/// Per-second rollups over a real run: `riglog demo` (simulated rigs on real sockets, the real
/// collector, its drainer and chunk writer) into a real SQLite file, then every channel's
/// rollups against the raw samples read back from its chunks.
@Suite struct RollupEndToEndTests {
    static let devices = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Devices").standardizedFileURL.path

    static func close(_ a: Double, _ b: Double) -> Bool {
        a == b || abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    }

    /// The collector flushes every 500 ms, so each whole second of the run was committed in at
    /// least two flushes while it was open: a row that equals the raw samples of its second is
    /// a second that spanned a flush and was still written as one correct row.
    @Test func rollupsOfADemoRunEqualItsRawSamples() throws {
        let folder = NSTemporaryDirectory() + "riglog-rollups-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try StoreCLIHarness.riglog(["demo", "--rigs", "3", "--for", "6s", "--no-http", "--data", folder, "--devices", Self.devices])
        try #require(result.status == 0, "\(result.stderr)")
        let store = try StoreDatabase.open(folder: folder, create: false)

        var kinds: Set<Sample.Kind> = []
        var fullSeconds = 0
        for id in try store.rigIDs() {
            for channel in try store.rig(id).channels {
                let rollups = try store.rollups(of: channel)
                // The newest finite reading of each second, from the chunks.
                var last: [Timestamp: (time: Int64, value: Double)] = [:]
                try store.forEachSample(of: [channel]) { sample in
                    let value = channel.value(of: sample)
                    guard value.isFinite else { return }
                    let second = Timestamp(microsecondsSince1970: sample.time / 1_000_000_000 * 1_000_000)
                    if sample.time >= last[second]?.time ?? .min { last[second] = (sample.time, value) }
                }
                try #require(!rollups.isEmpty || last.isEmpty, "\(id).\(channel.name): samples but no rollups")
                guard let first = rollups.first?.start, let end = rollups.last.map({ $0.start + .seconds(1) }) else { continue }
                kinds.insert(channel.definition.kind)
                // What a chart draws from the raw samples, one bucket a second.
                let buckets = try store.series(of: channel, from: first, to: end,
                                               buckets: Int((end.microsecondsSince1970 - first.microsecondsSince1970) / 1_000_000))
                #expect(rollups.map(\.start) == buckets.map(\.start), "\(id).\(channel.name): seconds differ")
                #expect(Set(rollups.map(\.start)) == Set(last.keys), "\(id).\(channel.name): seconds differ from the samples'")
                for (rollup, bucket) in zip(rollups, buckets) {
                    let what = "\(id).\(channel.name) at \(rollup.start.iso8601)"
                    #expect(rollup.count == bucket.count, "\(what): count")
                    #expect(rollup.min == bucket.min, "\(what): min")
                    #expect(rollup.max == bucket.max, "\(what): max")
                    #expect(Self.close(rollup.mean, bucket.mean), "\(what): mean \(rollup.mean) != \(bucket.mean)")
                    #expect(rollup.last == last[rollup.start]?.value, "\(what): last")
                    #expect(rollup.lastTime.microsecondsSince1970 * 1000 == last[rollup.start]?.time, "\(what): time of last")
                }
                fullSeconds += rollups.dropFirst().dropLast().filter { $0.count > 1 }.count
            }
        }
        #expect(kinds == [.integer, .float, .boolean], "the demo's rigs should have integral, float and boolean channels")
        #expect(fullSeconds > 0)
        let stats = try StoreCLIHarness.riglog(["store", "stats", "--data", folder])
        #expect(stats.text.contains("rollups: \(try store.rollupStorage().rows) rows, "), "\(stats.text)")
    }
}
