import Central
import Foundation
import RiglogTesting
import Store
import Testing

@Suite struct StoreCommandTests {
    @Test func statusShowsTheCollectorWhatWaitsAndWhatTheCentralStoreHas() async throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let store = try StoreDatabase.open(folder: data.path, create: false)
        let collector = try store.collectorID()
        let local = try StoreCLIHarness.riglog(["store", "status", "--data", data.path])
        #expect(local.status == 0, "\(local.stderr)")
        let lines = local.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "collector \(collector) (this data folder)")
        #expect(lines.contains("central: none (lab.yaml has no central:)"))
        let waiting = try #require(lines.first { $0.hasPrefix("waiting here") })
        func count(_ stream: String) -> Int? {
            waiting.split(separator: ": ").last?.split(separator: ", ").first { $0.hasPrefix(stream + " ") }
                .flatMap { Int($0.dropFirst(stream.count + 1)) }
        }
        #expect((count("chunks") ?? 0) > 0 && (count("changes") ?? 0) > 0 && (count("rollups") ?? 0) > 0, "everything waits: \(waiting)")

        // Forwarded: nothing waits, and the central store lists this collector (the folder
        // remembers where it forwards, so --central is not needed again).
        let server = try TestPostgres.shared
        let url = server.url(database: try server.makeDatabase())
        _ = try await Forwarder(store: store, address: try CentralAddress(url: url), lab: "Fixture lab").forwardAll()
        let central = try StoreCLIHarness.riglog(["store", "status", "--data", data.path])
        #expect(central.status == 0, "\(central.stderr)")
        #expect(central.text.contains("central: \(try CentralAddress(url: url))"))
        #expect(central.text.contains("waiting here (change-log records not yet committed centrally): changes 0, chunks 0, rollups 0\n"))
        #expect(central.text.contains("collector\tlab\tstream\tforwarded through\trows\tsamples\tlast moved"))
        #expect(central.text.contains("\(collector) (this)\tFixture lab\tchunks\t"))
        #expect(central.text.contains("\(collector) (this)\tFixture lab\trollups\t"))

        let wrong = try StoreCLIHarness.riglog(["store", "status", "--data", data.path, "--central", "postgres://u:pw@h/db"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("central_password_file:") && !wrong.stderr.contains("pw@"))
    }

    @Test func statsListsEveryChannelWithBytesPerSample() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let result = try StoreCLIHarness.riglog(["store", "stats", "--data", data.path])
        #expect(result.status == 0)
        let lines = result.text.split(separator: "\n")
        #expect(lines[0] == "rig\tchannel\tsamples\tchunks\tbytes\tbytes/sample")
        #expect(lines.contains { $0.hasPrefix("brake-1\twheel_speed\t20\t") })
        #expect(lines.contains { $0.hasPrefix("total\t5 channels\t64\t") })
    }

    /// The fixture holds the other rig's samples at 08:00 (2026-11-29, UTC) and brake-1's at
    /// 08:00 and 09:00, in two chunks: 08:00:00.0-09:00:00.0 (a chunk spans up to an hour) and
    /// 09:00:00.1-09:00:00.9. Each retention period is chosen so its cutoff falls at a given
    /// time of that day whatever today's date; a chunk goes only when all of it is older.
    @Test func pruneKeepsRecentDataAndTheCatalog() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let fixtureDay = 1_795_939_200.0  // 2026-11-29T08:00:00Z
        /// `--older-than` putting the cutoff at `offset` seconds after 08:00; the run takes
        /// seconds, and every cutoff lies half an hour from the nearest chunk boundary.
        func olderThan(_ offset: Double) throws -> String {
            let age = Int((Date().timeIntervalSince1970 - (fixtureDay + offset)).rounded())
            try #require(age > 0, "the machine's clock is before the fixture's samples")
            return "\(age)s"
        }
        func prune(_ offset: Double) throws -> StoreCLIHarness.Result {
            let result = try StoreCLIHarness.riglog(["store", "prune", "--older-than", try olderThan(offset), "--data", data.path])
            #expect(result.status == 0, "\(result.stderr)")
            return result
        }
        func stats() throws -> [Substring] {
            try StoreCLIHarness.riglog(["store", "stats", "--data", data.path]).text.split(separator: "\n")
        }
        let evil = #"=HYPERLINK("http://x.example";"y")"#

        // A cutoff before every sample removes nothing.
        let none = try prune(-84_600).text  // 2026-11-28T08:30Z
        #expect(none.hasPrefix("removed 0 chunks (0 samples) older than 2026-11-28T08:"), "\(none)")

        // 08:30: the other rig's chunk (2 frames of 2 channels) goes; brake-1's first chunk
        // ends at 09:00:00.0, after the cutoff, so it stays whole.
        let other = try prune(1800).text
        #expect(other.hasPrefix("removed 1 chunks (4 samples) older than 2026-11-29T08:"), "\(other)")
        var lines = try stats()
        #expect(lines.contains(Substring(evil + "\t-delta\t0\t0\t0\t0.000")), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("brake-1\twheel_speed\t20\t2\t") }, "\(lines)")

        // 09:30: both of brake-1's chunks go (20 frames of 3 channels). The catalogue stays:
        // every rig and channel is still listed, so sessions and reports still name them.
        let brake = try prune(5400).text
        #expect(brake.hasPrefix("removed 2 chunks (60 samples) older than 2026-11-29T09:"), "\(brake)")
        lines = try stats()
        #expect(lines.contains("brake-1\twheel_speed\t0\t0\t0\t0.000"), "\(lines)")
        #expect(lines.contains { $0.hasPrefix("total\t5 channels\t0\t") }, "\(lines)")

        let bad = try StoreCLIHarness.riglog(["store", "prune", "--older-than", "soon", "--data", data.path])
        #expect(bad.status == 2)
    }

    /// The fixture's rollups: brake-1's three channels at 08:00:00 and 09:00:00, the other rig's
    /// two at 08:00:00 and 08:00:01 (2026-11-29, UTC): ten rows.
    @Test func pruneKeepsRollupsUnlessToldToDropThem() throws {
        let data = try StoreCLIHarness.FixtureFolder()
        let stats = try StoreCLIHarness.riglog(["store", "stats", "--data", data.path])
        #expect(stats.text.contains("\nrollups: 10 rows, "), "\(stats.text)")
        #expect(stats.text.contains("seconds 2026-11-29T08:00:00.000Z to 2026-11-29T09:00:00.000Z"), "\(stats.text)")

        // Everything is older than a day (the fixture lies in the past): the chunks go, the
        // rollups stay by default, and the audit row says so.
        let kept = try StoreCLIHarness.riglog(["store", "prune", "--older-than", "1d", "--data", data.path])
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.text.hasPrefix("removed 3 chunks (64 samples) older than "), "\(kept.text)")
        #expect(kept.text.contains("; rollups kept"), "\(kept.text)")
        #expect(try StoreCLIHarness.riglog(["store", "stats", "--data", data.path]).text.contains("\nrollups: 10 rows, "))
        let explicit = try StoreCLIHarness.riglog(["store", "prune", "--older-than", "1d", "--keep-rollups", "--data", data.path])
        #expect(explicit.text.contains("removed 0 chunks (0 samples)") && explicit.text.contains("; rollups kept"), "\(explicit.text)")
        // Charts still answer from the rollups.
        let store = try StoreDatabase.open(folder: data.path, create: false)
        #expect(try store.rollups(rig: "brake-1").map(\.count) == [10, 10, 10, 10, 10, 10])

        let dropped = try StoreCLIHarness.riglog(["store", "prune", "--older-than", "1d", "--drop-rollups", "--data", data.path])
        #expect(dropped.status == 0, "\(dropped.stderr)")
        #expect(dropped.text.contains("; 10 rollup rows removed"), "\(dropped.text)")
        #expect(try StoreCLIHarness.riglog(["store", "stats", "--data", data.path]).text.contains("\nrollups: 0 rows"))
        #expect(try store.rollups(rig: "brake-1").isEmpty)
        let audit = try StoreCLIHarness.riglog(["audit", "--json", "--data", data.path])
        #expect(audit.text.contains("10 rollup rows removed") && audit.text.contains("rollups kept"), "\(audit.text)")

        let both = try StoreCLIHarness.riglog(["store", "prune", "--older-than", "1d", "--keep-rollups", "--drop-rollups", "--data", data.path])
        #expect(both.status == 2)
    }

    @Test func pruneHelpTeachesWhatHappensToRollups() throws {
        let help = try StoreCLIHarness.riglog(["store", "prune", "--help"])
        #expect(help.status == 0)
        // The help wraps at the terminal's width: compare with single spaces.
        let text = help.text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for phrase in ["--keep-rollups", "--drop-rollups", "Per-second rollups", "charts of the period still answer"] {
            #expect(text.contains(phrase), "\(phrase) missing from:\n\(help.text)")
        }
    }
}
