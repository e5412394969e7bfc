import Foundation
import Testing

@Suite struct StoreCommandTests {
    @Test func statsListsEveryChannelWithBytesPerSample() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let result = try StoreCLIHarness.riglog(["store", "stats", "--data", data.path])
        #expect(result.status == 0)
        let lines = result.text.split(separator: "\n")
        #expect(lines[0] == "rig\tchannel\tsamples\tchunks\tbytes\tbytes/sample")
        #expect(lines.contains { $0.hasPrefix("brake-1\twheel_speed\t20\t") })
        #expect(lines.contains { $0.hasPrefix("total\t5 channels\t64\t") })
    }

    @Test func pruneKeepsRecentDataAndTheCatalog() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        // The fixture's samples are from 2026-11-29; a long period keeps them, a short one does not.
        let keep = try StoreCLIHarness.riglog(["store", "prune", "--older-than", "36500d", "--data", data.path])
        #expect(keep.status == 0)
        #expect(keep.text.hasPrefix("removed 0 chunks"))
        let now = Date().timeIntervalSince1970
        let fixtureTime = 1_795_939_200.0
        if now > fixtureTime + 3600 * 3 {  // only meaningful once the fixture lies in the past
            let drop = try StoreCLIHarness.riglog(["store", "prune", "--older-than", "1h", "--data", data.path])
            #expect(drop.status == 0)
            let stats = try StoreCLIHarness.riglog(["store", "stats", "--data", data.path])
            #expect(stats.text.contains("brake-1\twheel_speed\t0\t0"))
        }
        let bad = try StoreCLIHarness.riglog(["store", "prune", "--older-than", "soon", "--data", data.path])
        #expect(bad.status == 2)
    }
}
