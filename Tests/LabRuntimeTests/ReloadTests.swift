import Collector
import Foundation
import Ingest
import LabRuntime
import Logging
import Modbus
import RigProfiles
import RiglogTesting
import Store
import Threads
import Testing
import Timekeeping

/// Reload without a restart, end to end: real Modbus servers on loopback ports, a real run with
/// its SQLite store, sessions opened by a badge, and the lab config rewritten on disk while the
/// run collects.
///
/// Every server puts a sequence number in holding 0 that counts the read requests it has
/// answered (the observer runs before the reply is composed), so the stored `sequence` samples
/// of a rig must be 1, 2, 3 ... without a hole: a poll answered but not stored anywhere across
/// the reload would show as one.
@Suite("Reload", .serialized)
struct ReloadTests {
    /// One rig's device: a register map served on a free port, counting what it answers.
    final class Device: Sendable {
        final class Tally: Sendable {
            let value = Mutex(0)
            func next() -> Int { value.withLock { $0 += 1; return $0 } }
        }

        let map = RegisterMap(size: 16)
        private let tally = Tally()
        let server: ModbusServer

        /// Read requests answered so far.
        var answered: Int { tally.value.withLock { $0 } }

        init(badge: UInt32) throws {
            let map = self.map
            let tally = self.tally
            map.set(.holding, at: 2, to: [UInt16(badge >> 16), UInt16(badge & 0xFFFF)])
            map.set(.holding, at: 1, to: [123])
            map.set(.holding, at: 4, to: [77])
            server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map, observer: { request in
                guard request.functionCode == 3 else { return }
                let n = tally.next()
                map.set(.holding, at: 0, to: [UInt16(truncatingIfNeeded: n)])
            })
            try server.start()
        }

        var url: String { "tcp://127.0.0.1:\(server.port)" }
    }

    static func profile(_ name: String, pressure: Bool = false) -> String {
        """
        profile: \(name)
        title: {en: Counter rig}
        poll: 20ms
        operator: {source: holding 2, type: u32}
        channels:
          - {name: sequence, source: holding 0, type: u16}
          - {name: speed, source: holding 1, type: u16}
        \(pressure ? "  - {name: pressure, source: holding 4, type: u16}" : "")
        """
    }

    /// The board open to anyone, so the test reads `GET /api/v1/rigs` without signing in.
    static let web = "web: {public_board: true}\n"

    static func writeLab(_ folder: String, _ rigs: [(id: String, profile: String, url: String)], extra: String = "") throws {
        var text = "lab: Reload lab\ntimezone: Asia/Almaty\nrigs:\n"
        for rig in rigs { text += "  - {id: \(rig.id), profile: \(rig.profile), connection: \"\(rig.url)\", unit: 1}\n" }
        try (text + extra).write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
    }

    /// The stored raw values of `channel` of `rig`, with their times, in time order.
    static func values(_ store: StoreDatabase, rig: String, channel: String) throws -> [(time: Int64, raw: Int64)] {
        let channels = try store.rig(rig).channels.filter { $0.name == channel }
        var values: [(time: Int64, raw: Int64)] = []
        try store.forEachSample(of: channels) { values.append(($0.time, $0.raw)) }
        return values
    }

    @Test func aReloadKeepsUnchangedSessionsSwitchesChangedRigsAndLosesNoSample() async throws {
        let folder = NSTemporaryDirectory() + "riglog-reload-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let steady = try Device(badge: 4242), tuned = try Device(badge: 5151), gone = try Device(badge: 6161), extra = try Device(badge: 7171)
        defer { for device in [steady, tuned, gone, extra] { device.server.stop() } }
        try Self.profile("steady-rig").write(toFile: folder + "/Devices/steady-rig.yaml", atomically: true, encoding: .utf8)
        try Self.profile("tuned-rig").write(toFile: folder + "/Devices/tuned-rig.yaml", atomically: true, encoding: .utf8)
        try Self.writeLab(folder, [("steady", "steady-rig", steady.url), ("tuned", "tuned-rig", tuned.url), ("gone", "steady-rig", gone.url)], extra: Self.web)
        let lab = try LabRun.loadLab(path: folder + "/lab.yaml", devices: folder + "/Devices")
        let data = folder + "/data"

        let reloaderBox = Mutex<LabReloader?>(nil)
        let port = ExternalPeers.freePort()
        var run = LabRun(config: lab, dataFolder: data, http: HTTPAddress(host: "127.0.0.1", port: port), duration: .seconds(30), signals: [])
        run.reloadFrom = LabRun.LabSource(path: folder + "/lab.yaml", devices: folder + "/Devices")
        run.reloadSignals = []
        run.onReloader = { reloader in reloaderBox.withLock { $0 = reloader } }
        let running = Task { try await run.run() }

        // Sessions open once the evaluator (2 s behind) has seen the badges.
        let store = try await {
            // The pid file is written once the group runs: the store is made and migrated by then.
            try await ExternalPeers.waitUntil("the run's pid file", timeout: .seconds(60)) { FileManager.default.fileExists(atPath: data + "/collector.pid") }
            return try StoreDatabase.open(folder: data, create: false)
        }()
        try await ExternalPeers.waitUntil("the steady rig's session", timeout: .seconds(60)) {
            ((try? store.sessions(rig: "steady")) ?? []).count == 1 && ((try? store.sessions(rig: "gone")) ?? []).count == 1
        }
        let reloader = try #require(reloaderBox.withLock { $0 })
        let oldVersion = try #require(try store.storedProfile(rig: "tuned"))

        // A broken config: refused whole, every error with its file:line, nothing changed.
        try Self.writeLab(folder, [("steady", "steady-rig", steady.url), ("tuned", "no-such-profile", tuned.url),
                                   ("gone", "steady-rig", "tcp://127.0.0.1:99999")], extra: Self.web)
        let refused = try await reloader.reload(requestedBy: "test")
        #expect(!refused.applied)
        #expect(refused.lines.count >= 2, "every error, not the first: \(refused.lines)")
        #expect(refused.lines.allSatisfy { $0.contains("lab.yaml:") }, "\(refused.lines)")
        #expect(try store.storedProfile(rig: "tuned") == oldVersion)
        let answeredBefore = tuned.answered
        try await ExternalPeers.waitUntil("polling to go on after the refused reload") {
            tuned.answered > answeredBefore + 10
        }

        // A good one: tuned's profile gains a channel, gone is removed, extra is added.
        try Self.profile("tuned-rig", pressure: true).write(toFile: folder + "/Devices/tuned-rig.yaml", atomically: true, encoding: .utf8)
        try Self.writeLab(folder, [("steady", "steady-rig", steady.url), ("tuned", "tuned-rig", tuned.url), ("extra", "steady-rig", extra.url)], extra: Self.web)
        let switchedAt = Timestamp.wallClockNanoseconds()
        let applied = try await reloader.reload(requestedBy: "test")
        #expect(applied.applied, "\(applied)")
        #expect(applied.lines == ["changed: tuned; added: extra; removed: gone; unchanged: 1 rig"])
        #expect(applied.sequence == 2)
        #expect(LabReloader.currentOutcome(dataFolder: data)?.description == applied.description, "reload.status holds what riglog reload prints")
        let goneAnswered = gone.answered
        // The web's board shows the reloaded rigs: extra in, gone out.
        let board = try await ExternalPeers.capture("/usr/bin/curl", ["-sS", "-f", "http://127.0.0.1:\(port)/api/v1/rigs"])
        #expect(board.status == 0, "\(board.stderr)")
        let shown = (try? JSONSerialization.jsonObject(with: board.stdout) as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        #expect(shown.sorted() == ["extra", "steady", "tuned"], "GET /api/v1/rigs after the reload: \(board.text.prefix(300))")

        let summary = try await running.value
        #expect(summary.lost == 0)

        // The unchanged rig: one session over the whole run, closed when the run stopped.
        let steadySessions = try store.sessions(rig: "steady")
        #expect(steadySessions.count == 1, "not split by the reload: \(steadySessions.map { ($0.start, $0.end, $0.endReason) })")
        #expect(steadySessions.first?.endReason == .collectorStopped)

        // The changed rig: its new profile version recorded, the new channel only after the switch.
        let newVersion = try #require(try store.storedProfile(rig: "tuned"))
        #expect(newVersion.id != oldVersion.id)
        #expect(newVersion.content == Self.profile("tuned-rig", pressure: true))
        let pressure = try Self.values(store, rig: "tuned", channel: "pressure")
        let tunedSequence = try Self.values(store, rig: "tuned", channel: "sequence")
        #expect(!pressure.isEmpty)
        #expect(pressure.allSatisfy { $0.raw == 77 })
        #expect(pressure.first.map { $0.time >= switchedAt } ?? false, "no frame of the new version before the reload")
        // Every frame after the first pressure sample has one: the switch is one boundary.
        let framesAfter = tunedSequence.filter { $0.time >= pressure[0].time }
        #expect(framesAfter.count == pressure.count)
        #expect(try store.sessions(rig: "tuned").count == 2, "closed at the switch, reopened under the new version")

        // No sample lost: each rig's sequence runs 1, 2, 3 ... across the reload.
        for rig in ["steady", "tuned", "gone", "extra"] {
            let sequence = try Self.values(store, rig: rig, channel: "sequence").map(\.raw)
            #expect(!sequence.isEmpty, "\(rig) stored nothing")
            #expect(sequence == Array(1...Int64(sequence.count)), "\(rig): a hole in the stored sequence")
        }
        // The removed rig stopped after its last answer was stored: every poll it answered is there.
        #expect(try Self.values(store, rig: "gone", channel: "sequence").count == goneAnswered)
        #expect(gone.answered == goneAnswered, "polling the removed rig stopped")
        let goneSessions = try store.sessions(rig: "gone")
        #expect(goneSessions.count == 1 && goneSessions[0].endReason == .collectorStopped, "closed as on shutdown")
        #expect(try store.sessions(rig: "extra").count == 1, "the added rig's badge opened a session")
        #expect(try store.auditEntries(limit: 10).filter { $0.action == "reload" }.count == 2)
    }
}
