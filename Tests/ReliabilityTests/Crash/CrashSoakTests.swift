import Foundation
import Ingest
import RiglogTesting
import Store
import Testing
import Timekeeping

/// `riglog collect` killed with SIGKILL at random moments, cycle after cycle, at full rate
/// (rigs of eight channels polled every 10 ms): every restart resumes writing, the store
/// checks clean after every kill (`riglog store check`: integrity, every chunk decoded, the
/// catalog consistent), no sample is stored twice or out of order, and each kill loses only
/// the samples read since the last flush.
@Suite("Crash soak")
struct CrashSoakTests {
    /// DESIGN.md, Storage: the chunk writer commits at least once a second.
    static let promise = Duration.seconds(1)

    @Test func killedAtRandomMomentsTheCollectorResumesAndTheStoreChecksCleanEveryTime() async throws {
        let cycles = Reliability.scale(bounded: 3, long: 50)
        // Full rate: every rig polled every 10 ms; sixteen rigs (12,800 samples a second) in
        // the long run.
        let rigCount = Reliability.scale(bounded: 2, long: 16)
        let lab = try LabUnderTest(rigs: rigCount, name: "crash-soak")
        let data = lab.folder + "/data"
        var random = SplitMix64(seed: UInt64(Reliability.scale(bounded: 7, long: 1_234)))
        var losses: [Duration] = []
        var checks = 0
        for cycle in 0..<cycles {
            let started = Timestamp.now()
            let collector = try RiglogProcess(["collect", lab.folder + "/lab.yaml", "--data", data, "--no-http"])
            // Resumed: this run has stored samples (the store exists from the first run on).
            do {
                try await ExternalPeers.waitUntil("cycle \(cycle): the collector writing", timeout: .seconds(60)) {
                    guard let store = try? StoreDatabase.open(folder: data, create: false) else { return false }
                    return ((try? Self.newestSample(store, rigs: lab.rigs, since: started)) ?? 0) > started.nanosecondsSince1970
                }
            } catch {
                Issue.record("the collector said: \(collector.output)")
                throw error
            }
            // A random moment: anywhere within a few flushes, so kills land before, during and
            // after a flush's transaction.
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...2_500, using: &random)))
            let killedAt = Timestamp.wallClockNanoseconds()
            #expect(collector.stop(SIGKILL) == 128 + SIGKILL, "cycle \(cycle): \(collector.output)")

            let check = try await RiglogBinary.run(["store", "check", "--data", data])
            #expect(check.status == 0, "cycle \(cycle): store check after the kill: \(check.text)\(check.stderr)")
            if check.status == 0 { checks += 1 }
            let store = try StoreDatabase.open(folder: data, create: false)
            let newest = try Self.newestSample(store, rigs: lab.rigs, since: started)
            losses.append(.nanoseconds(max(0, killedAt - newest)))
        }

        // Every sample once, in order, across all the runs.
        let store = try StoreDatabase.open(folder: data, create: false)
        var samples = 0
        for rig in lab.rigs {
            for (channel, times) in try LabUnderTest.storedTimes(store, rig: rig) {
                samples += times.count
                #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "\(rig) \(channel): times strictly increasing")
            }
        }
        #expect(checks == cycles)
        let worst = losses.max() ?? .zero
        let mean = losses.isEmpty ? Duration.zero : losses.reduce(.zero, +) / losses.count
        Reliability.record(
            scenario: "collector killed -9 at random moments at full rate (\(rigCount) rigs x 8 channels at 100 Hz)",
            inputs: "\(cycles) kill -9 cycles, \(samples) samples stored",
            outcome: "resumed every time; store check passed \(checks)/\(cycles); no sample twice or out of order",
            lost: "per kill: mean \(Self.seconds(mean)), worst \(Self.seconds(worst)) of reading (promise: <= \(Self.seconds(Self.promise)))",
            ok: checks == cycles && worst <= Self.promise)
    }

    /// The newest stored sample time (ns) of the lab's rigs since `since` (0 when none): a range
    /// read, so it stays cheap however long the soak has run.
    static func newestSample(_ store: StoreDatabase, rigs: [String], since: Timestamp) throws -> Int64 {
        var newest: Int64 = 0
        for rig in rigs {
            try store.forEachSample(of: try store.rig(rig).channels, from: since) { newest = max(newest, $0.time) }
        }
        return newest
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.3f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
