@testable import Central
import Foundation
import Logging
import PostgresNIO
import RiglogTesting
import ServiceLifecycle
import Store
import Testing
import Timekeeping

/// Forwarding real SQLite stores into a real PostgreSQL (started by the tests, see TestPostgres).
@Suite("forwarding to the central store")
struct ForwarderTests {
    static func forwarder(_ pc: LabPC, _ server: TestPostgres, _ database: String, lab: String = "Test lab") throws -> Forwarder {
        var configuration = Forwarder.Configuration()
        configuration.idle = .milliseconds(50)
        configuration.retry = .milliseconds(100)
        configuration.maxRetry = .milliseconds(400)
        return try Forwarder(store: pc.store, address: try CentralAddress(url: server.url(database: database)), lab: lab,
                             configuration: configuration)
    }

    /// Every forwarded table of `pc` is in the central store exactly as in SQLite.
    static func expectForwarded(_ store: StoreDatabase, _ server: TestPostgres, _ database: String,
                                sourceLocation: SourceLocation = #_sourceLocation) throws {
        let collector = try store.collectorID()
        for table in ForwardedTable.all {
            let expected = try CentralContents.expected(store, table: table)
            let actual = try CentralContents.rows(server, database: database, table: table, collector: collector)
            #expect(CentralContents.same(expected, actual), "\(table.name): \(expected.count) rows in SQLite, \(actual.count) in PostgreSQL",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func twoCollectorsForwardEveryRowOnceIntoOneDatabase() async throws {
        let server = try TestPostgres.shared
        let database = try server.makeDatabase()
        let a = try LabPC(seed: 1), b = try LabPC(rigs: 3, seed: 2)
        defer { a.remove(); b.remove() }
        #expect(try a.store.collectorID() != b.store.collectorID())
        let loaded = try await (Self.forwarder(a, server, database).forwardAll(), Self.forwarder(b, server, database).forwardAll())
        #expect(loaded.0 > 0 && loaded.1 > 0)
        try Self.expectForwarded(a.store, server, database)
        try Self.expectForwarded(b.store, server, database)
        // Nothing else is there: the two collectors' rows and no more.
        let chunks = try server.psql(database: database, "SELECT count(*), count(DISTINCT (collector_id, id)) FROM chunks")
        let local = try a.store.forwardedRows(of: .chunks).count + b.store.forwardedRows(of: .chunks).count
        #expect(chunks.trimmingCharacters(in: .whitespacesAndNewlines) == "\(local)|\(local)")
        // The logs were emptied once the central store committed them.
        #expect(try a.store.forwardBacklog(.chunks, after: 0) == 0)
        #expect(try a.store.forwardBacklog(.changes, after: 0) == 0)
        // Forwarding again finds nothing and changes nothing.
        #expect(try await Self.forwarder(a, server, database).forwardAll() == 0)
        try Self.expectForwarded(a.store, server, database)
    }

    @Test func aBatchLoadedTwiceChangesNothing() async throws {
        // A crash after the central commit but before the local log is trimmed replays the batch.
        let server = try TestPostgres.shared
        let database = try server.makeDatabase()
        let pc = try LabPC(frames: 500)
        defer { pc.remove() }
        let address = try CentralAddress(url: server.url(database: database))
        let logger = Logger(label: "test")
        let connection = try await CentralConnection.connect(to: address, logger: logger)
        try await connection.migrate()
        let collector = try pc.store.collectorID()
        try await connection.register(collector: collector, lab: "lab", streams: Forwarder.standardStreams.map(\.name))
        for stream in Forwarder.standardStreams {
            let batch = try #require(try stream.batch(from: pc.store, after: 0))
            try await connection.load(batch, collector: collector, stream: stream.name, from: 0)
            // The same batch again, from the position it started at, is refused: progress moved.
            await #expect(throws: CentralError.progressMoved(collector: collector, stream: stream.name)) {
                try await connection.load(batch, collector: collector, stream: stream.name, from: 0)
            }
        }
        await connection.close()
        // A fresh forwarder resumes from the central progress: it loads nothing twice.
        _ = try await Self.forwarder(pc, server, database).forwardAll()
        try Self.expectForwarded(pc.store, server, database)
    }

    @Test func changedAndDeletedRowsFollow() async throws {
        let server = try TestPostgres.shared
        let database = try server.makeDatabase()
        let pc = try LabPC(frames: 200)
        defer { pc.remove() }
        _ = try await Self.forwarder(pc, server, database).forwardAll()
        // Re-evaluation replaces the sessions (tombstones for the old rows), a gap closes, the
        // roster changes, and more samples arrive (open chunks rewritten).
        let start = Timestamp(microsecondsSince1970: 1_795_939_200_000_000)
        let replaced = try pc.store.replaceSessions(rig: nil, from: .distantPast, to: .distantFuture, with: [
            (StoredSession(rig: "rig-1", student: "s2", start: start, end: start + .seconds(30), source: .timetable, endReason: .timetableEnd),
             SessionResults(attempts: [StoredAttempt(exercise: "abs", result: .failed, start: start, seconds: 3, failedStep: 2)])),
        ])
        #expect(replaced == 1)
        try pc.store.closeGap(try #require(try pc.store.gaps(rig: "rig-1").first?.id), end: start + .seconds(9))
        _ = try pc.store.importRoster([Student(id: "s2", name: "Li Wei", group: "G3", email: "li@example.org")])
        try pc.write(frames: 100, start: 1_795_939_200_000_000 + 200_000_000)
        _ = try await Self.forwarder(pc, server, database).forwardAll()
        try Self.expectForwarded(pc.store, server, database)
        let sessions = try server.psql(database: database, "SELECT rig_id, source FROM sessions")
        #expect(sessions == "rig-1|timetable\n")
    }

    @Test func rollupsArriveAsSQLiteHoldsThemAndAMergedSecondIsReplacedNotAdded() async throws {
        let server = try TestPostgres.shared
        let database = try server.makeDatabase()
        let pc = try LabPC(frames: 400)
        defer { pc.remove() }
        let collector = try pc.store.collectorID()
        _ = try await Self.forwarder(pc, server, database).forwardAll()
        try Self.expectForwarded(pc.store, server, database)
        let local = try pc.store.forwardedRows(of: .rollups)
        #expect(local.count == 400 * 6, "a row per channel-second")
        func central(_ sql: String) throws -> String {
            try server.psql(database: database, sql).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try central("SELECT count(*), sum(count) FROM rollups WHERE collector_id = '\(collector)'") == "2400|2400")
        // A restart within the seconds already forwarded: the same seconds again, half a second
        // later. SQLite merges them (count 2); the central rows are replaced by the merged ones.
        try pc.write(frames: 400, start: 1_795_939_200_000_000 + 500_000)
        #expect(try pc.store.forwardBacklog(.rollups, after: 0) > 0, "the merged seconds logged")
        _ = try await Self.forwarder(pc, server, database).forwardAll()
        try Self.expectForwarded(pc.store, server, database)
        #expect(try central("SELECT count(*), sum(count), min(count), max(count) FROM rollups") == "2400|4800|2|2")
        // The generated mean is there for SQL readers, as in SQLite.
        #expect(try central("SELECT count(*) FROM rollups WHERE mean IS DISTINCT FROM sum / count") == "0")
        #expect(try central("SELECT count(*) > 0 FROM rollups_y2026m11") == "t", "in the month partition of 2026-11")
        // The key's index carries the values, so a chart's range read is index-only.
        #expect(try central("SELECT indexdef LIKE '%INCLUDE (count, min, max, sum, last, t_last)%' FROM pg_indexes WHERE indexname = 'rollups_pkey'") == "t")
    }

    @Test func olderDataGetsItsMonthPartitionOnDemand() async throws {
        let server = try TestPostgres.shared
        let database = try server.makeDatabase()
        // 2024-02-29 23:59:00 UTC: frames cross into March.
        let pc = try LabPC(rigs: 1, frames: 120, start: 1_709_251_140_000_000, framesPerChunk: 16)
        defer { pc.remove() }
        _ = try await Self.forwarder(pc, server, database).forwardAll()
        let partitions = try server.psql(database: database, """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname = 'chunks' ORDER BY 1
            """).split(separator: "\n").map(String.init)
        #expect(partitions.contains("chunks_y2024m02"))
        #expect(partitions.contains("chunks_y2024m03"))
        let now = MonthPartition(containing: Timestamp.now().microsecondsSince1970)
        #expect(partitions.contains(now.name(of: "chunks")) && partitions.contains(now.next.name(of: "chunks")), "made ahead: \(partitions)")
        try Self.expectForwarded(pc.store, server, database)
        // Rows sit in the partition of their month.
        let march = try server.psql(database: database, "SELECT count(*) > 0 FROM chunk_channels_y2024m03")
        #expect(march == "t\n")
    }

    @Test func anOutageLosesAndDoublesNothing() async throws {
        // Its own server: this test stops it.
        let server = try await onOwnThread { try TestPostgres() }
        defer { server.shutDown() }
        let database = try server.makeDatabase()
        let pc = try LabPC(frames: 300)
        defer { pc.remove() }
        let forwarder = try Self.forwarder(pc, server, database)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await forwarder.run() }
            try await ExternalPeers.waitUntil("the first rows forwarded", timeout: .seconds(300)) {
                Forwarder.standardStreams.allSatisfy { forwarder.status.streams[$0.name]?.backlog == 0 }
                    && forwarder.status.streams["rollups"]?.batches ?? 0 > 0
            }
            try await onOwnThread { server.stop() }
            // The collector goes on writing while the central store is down.
            try pc.write(frames: 600, start: 1_795_939_200_000_000 + 400_000_000)
            try pc.store.recordAudit(user: "tech", action: "prune", detail: "during the outage")
            try await ExternalPeers.waitUntil("the forwarder to notice the outage", timeout: .seconds(300)) { !forwarder.status.connected }
            #expect(try pc.store.forwardBacklog(.chunks, after: 0) > 0, "the log holds what waits")
            try await onOwnThread { try server.start() }
            try await ExternalPeers.waitUntil("the backlog forwarded after the outage", timeout: .seconds(300)) {
                forwarder.status.connected && ForwardLog.allCases.allSatisfy { (try? pc.store.forwardBacklog($0, after: 0)) == 0 }
            }
            group.cancelAll()
        }
        try Self.expectForwarded(pc.store, server, database)
    }

    @Test func tlsIsUsedWhenTheServerOffersIt() async throws {
        for offered in [true, false] {
            let server = offered ? try await onOwnThread { try TestPostgres(tls: true) } : try TestPostgres.shared
            defer { if offered { server.shutDown() } }
            let address = try CentralAddress(url: server.url(database: "postgres"))
            let connection = try await CentralConnection.connect(to: address, logger: Logger(label: "test"))
            var ssl: Bool?
            for try await value in try await connection.connection.query(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: Logger(label: "test")).decode(Bool.self) { ssl = value }
            await connection.close()
            #expect(ssl == offered, "TLS offered: \(offered)")
        }
    }

    @Test func forwardingProgressIsValidPrometheusText() async throws {
        let server = try TestPostgres.shared
        let database = try server.makeDatabase()
        let pc = try LabPC(frames: 300)
        defer { pc.remove() }
        let forwarder = try Self.forwarder(pc, server, database)
        _ = try await forwarder.forwardAll()
        let text = forwarder.status.prometheus()
        #expect(text.contains("riglog_central_backlog_records{stream=\"chunks\"} 0\n"))
        #expect(text.contains("riglog_central_forwarded_samples_total{stream=\"chunks\"} \(try pc.store.storage().reduce(0) { $0 + $1.samples })\n"))
        let path = NSTemporaryDirectory() + "riglog-central-metrics-\(UUID().uuidString).txt"
        defer { unlink(path) }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let check = try await ExternalPeers.run("/bin/sh", ["-c", "promtool check metrics < \(path)"])
        #expect(check.status == 0, "promtool: \(check.error) \(check.output)")
    }

    @Test func aStatementThatIsNeverAnsweredIsGivenUp() async throws {
        // As postgres-nio does with a statement written to a connection the server just closed.
        let timedOut = CentralError.unreachable("test", reason: "no answer")
        await #expect(throws: timedOut) {
            try await withAnswerDeadline(.milliseconds(100), timedOut: timedOut) {
                await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
            }
        }
        #expect(try await withAnswerDeadline(.seconds(60), timedOut: timedOut) { 42 } == 42)
        await #expect(throws: CentralError.progressMoved(collector: "c", stream: "s")) {
            try await withAnswerDeadline(.seconds(60), timedOut: timedOut) { throw CentralError.progressMoved(collector: "c", stream: "s") }
        }
    }

    @Test func aPasswordInTheURLIsRefused() {
        #expect(throws: CentralError.self) { try CentralAddress(url: "postgres://riglog:secret@db.example/riglog") }
        #expect(throws: CentralError.self) { try CentralAddress(url: "postgres://db.example/riglog") }
        let address = try? CentralAddress(url: "postgres://riglog@db.example/lab", password: "x")
        #expect(address?.port == 5432)
        #expect(address?.description == "postgres://riglog@db.example:5432/lab")
    }

    @Test func monthPartitionsFollowTheCalendar() {
        #expect(MonthPartition(containing: 0) == MonthPartition(year: 1970, month: 1))
        #expect(MonthPartition(containing: -1) == MonthPartition(year: 1969, month: 12))
        let leap = MonthPartition(year: 2024, month: 2)
        #expect(leap.next.start - leap.start == 29 * 86_400_000_000)
        #expect(MonthPartition(containing: leap.next.start) == MonthPartition(year: 2024, month: 3))
        #expect(MonthPartition(containing: leap.next.start - 1) == leap)
        #expect(MonthPartition(year: 2026, month: 12).next == MonthPartition(year: 2027, month: 1))
    }
}
