@testable import Central
import Foundation
import NIOCore
import Ingest
import LabRuntime
import RigProfiles
import RiglogTesting
import Store
import Timekeeping

/// A lab PC's data folder with rigs, samples (through the real chunk writer), a roster, sessions
/// with results, a gap and an audit row: every forwarded table has rows.
struct LabPC {
    let folder: String
    let store: StoreDatabase
    let channels: [UInt32]

    /// `start` is µs since 1970; `frames` frames of three channels, one a second.
    init(folder: String? = nil, rigs: Int = 2, frames: Int = 3000, start: Int64 = 1_795_939_200_000_000, seed: Int = 1,
         rigPrefix: String = "rig-", framesPerChunk: Int = 1024) throws {
        self.folder = folder ?? NSTemporaryDirectory() + "riglog-central-" + UUID().uuidString
        store = try StoreDatabase.open(folder: self.folder)
        var ids: [UInt32] = []
        for r in 0..<rigs {
            ids += try store.register(
                rig: RigDefinition(id: "\(rigPrefix)\(r)", name: "Rig \(r)\ttab \\ backslash", profile: "test"),
                channels: [ChannelDefinition(name: "speed", unit: "km/h", type: "u16", scale: 0.1),
                           ChannelDefinition(name: "temp", type: "f32"), ChannelDefinition(name: "on", type: "bool")])
        }
        channels = ids
        try write(frames: frames, start: start, seed: seed, framesPerChunk: framesPerChunk)
        _ = try store.importRoster([Student(id: "s1", name: "Айгерим\nNew line", group: "G1", badge: "B1"),
                                    Student(id: "s2", name: "Li Wei", group: "G2")])
        let open = try store.openSession(StoredSession(rig: "\(rigPrefix)0", student: "s1", start: Timestamp(microsecondsSince1970: start), source: .checkin))
        var closed = StoredSession(id: open, rig: "\(rigPrefix)0", student: "s1", start: Timestamp(microsecondsSince1970: start), source: .checkin)
        closed.end = Timestamp(microsecondsSince1970: start + 60_000_000)
        closed.endReason = .checkout
        try store.closeSession(closed, results: SessionResults(
            attempts: [StoredAttempt(exercise: "brake", result: .passed, start: closed.start, seconds: 12.5)],
            alarms: [StoredAlarm(rig: "\(rigPrefix)0", alarm: "overheat", severity: .warning, start: closed.start, seconds: 1.25, peak: 0.1)],
            statistics: [StoredChannelStatistics(channel: ids[0], count: 60, min: 0, max: 1e-7, mean: 3.3333333333333335, alarmSeconds: 0)]))
        _ = try store.recordGap(rig: "\(rigPrefix)\(rigs - 1)", start: Timestamp(microsecondsSince1970: start + 5_000_000), end: nil, reason: "timeout")
        try store.recordAudit(user: "tech", action: "export", detail: "all")
        try store.recordText(channel: ids[0], at: Timestamp(microsecondsSince1970: start), text: "firmware 2.1\tbeta")
        try store.recordIdentity(StoredIdentity(rig: "\(rigPrefix)0", at: Timestamp(microsecondsSince1970: start), outcome: .identified,
                                                vendor: "Lab Ltd", productCode: "BT-1", revision: "3", others: [0x80: "x"], detail: "identified"))
        try store.setLabSetting(.timeZone, "Asia/Almaty")
    }

    /// More frames through the chunk writer (each rig one frame a second).
    func write(frames: Int, start: Int64, seed: Int = 1, framesPerChunk: Int = 1024) throws {
        let writer = ChunkWriter(store: store, configuration: ChunkWriter.Configuration(framesPerChunk: framesPerChunk))
        var frame = [Sample](repeating: Sample(channel: 0, time: 0, raw: 0), count: 3)
        for i in 0..<frames {
            let t = (start + Int64(i) * 1_000_000) * 1000
            for r in 0..<(channels.count / 3) {
                frame[0] = Sample(channel: channels[3 * r], time: t, raw: Int64((i * seed + r) % 4096))
                frame[1] = Sample(channel: channels[3 * r + 1], time: t, value: Double(i) / 8)
                frame[2] = Sample(channel: channels[3 * r + 2], time: t, bool: i % 7 == 0)
                try frame.withUnsafeBufferPointer { try writer.write($0) }
            }
        }
        try writer.close()
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

/// What the central store holds, read back with psql as COPY text, compared with SQLite's rows.
enum CentralContents {
    /// The rows of `table` for `collector`, in key order, as fields.
    static func rows(_ server: TestPostgres, database: String, table: ForwardedTable, collector: String) throws -> [[String]] {
        let columns = table.columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let order = table.key.map { "\"\($0)\"" }.joined(separator: ", ")
        let out = try server.psql(database: database, "COPY (SELECT \(columns) FROM \(table.name) WHERE collector_id = '\(collector)' ORDER BY \(order)) TO STDOUT")
        return out.split(separator: "\n", omittingEmptySubsequences: true).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// SQLite's rows of `table` as COPY text fields (the forwarder's own encoding).
    static func expected(_ store: StoreDatabase, table: ForwardedTable) throws -> [[String]] {
        try store.forwardedRows(of: table).map { row in
            var text = CopyText()
            text.append(collector: "", row)
            let line = String(buffer: text.buffer).dropLast()
            return line.split(separator: "\t", omittingEmptySubsequences: false).dropFirst().map(String.init)
        }
    }

    /// Fields equal as text, or as numbers (PostgreSQL prints 1 where Swift prints 1.0).
    static func same(_ a: [[String]], _ b: [[String]]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.count == y.count else { return false }
            for (u, v) in zip(x, y) where u != v {
                guard let p = Double(u), let q = Double(v), p == q else { return false }
            }
        }
        return true
    }
}

extension LabRun {
    /// This run with its forwarder's drain at the stop lengthened by ``TestPatience``: for the
    /// tests that check that everything was forwarded by the end of the run.
    func patientForwarding() -> LabRun {
        var run = self
        run.forwarding.finalDrain = TestPatience.scaled(run.forwarding.finalDrain)
        return run
    }
}
