import Foundation
import Modbus
import RigProfiles
import RiglogTesting
import Threads
import Testing
import Collector

/// `collect --trace RIG`: the frames logged are the bytes an independent peer (pymodbus, which
/// logs every packet it receives and sends) saw on the wire, and only the traced rig's.
@Suite("Frame trace", .serialized)
struct FrameTraceTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModbusTests/Peers/pymodbus_server.py").standardizedFileURL.path

    static let profile = """
        profile: traced
        title: {en: Two reads}
        poll: 30ms
        channels:
          - {name: holding_0, source: holding 0, type: u16}
          - {name: input_10, source: input 10, type: u16}
        """

    @Test("the traced rig's requests and replies are logged as pymodbus received and sent them, with timing; the other rig's connection has no tracer")
    func framesAreTheBytesOnTheWire() throws {
        let fixture = try CollectorFixture()
        let log = fixture.folder + "/pymodbus.log"
        let (peer, port) = try ExternalPeers.startServer("pymodbus", "python3") { [Self.script, String($0), "tcp", log] }
        defer { peer.stop() }
        let other = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: RegisterMap(size: 20))
        try other.start()
        defer { other.stop() }

        try fixture.writeProfile("traced", Self.profile)
        let lab = try fixture.lab([("a", "traced", "tcp://127.0.0.1:\(port)", 1), ("b", "traced", "tcp://127.0.0.1:\(other.port)", 1)])
        let frames = Mutex<[FrameTracer.Frame]>([])
        let collector = try Collector(lab: lab, store: try fixture.openStore(),
                                      trace: FrameTraceSettings(rigs: ["a"], output: { frame in frames.withLock { $0.append(frame) } }))
        #expect(collector.workers.map { $0.tracer != nil } == [true, false])
        collector.start()
        try CollectorFixture.waitUntil("10 polls of each rig") { collector.statistics.allSatisfy { $0.snapshot.polls >= 10 } }
        collector.stop()
        peer.stop()

        let traced = frames.withLock { $0 }
        #expect(traced.allSatisfy { $0.rig == "a" })
        let sent = traced.filter { $0.direction == .sent }, received = traced.filter { $0.direction == .received }
        #expect(sent.count >= 10 && received.count >= 10)
        #expect(received.allSatisfy { ($0.latency ?? -1) >= 0 } && sent.allSatisfy { $0.latency == nil })
        #expect(zip(traced, traced.dropFirst()).allSatisfy { $0.time <= $1.time })
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let peerReceived = lines.filter { $0.hasPrefix("recv ") }.map { String($0.dropFirst(5)) }
        let peerSent = lines.filter { $0.hasPrefix("send ") }.map { String($0.dropFirst(5)) }
        func hex(_ frame: FrameTracer.Frame) -> String { frame.bytes.map { String(format: "%02X", $0) }.joined() }
        // Every reply the collector read, byte for byte what pymodbus sent, in order (a reply
        // pymodbus sent too late, after a timeout closed the connection, is never read); every
        // request pymodbus received, byte for byte what the collector sent (the last request
        // may have left as the run stopped, unanswered).
        var unread = peerSent[...]
        for frame in received.map(hex) {
            guard let at = unread.firstIndex(of: frame) else { Issue.record("traced reply \(frame) was never sent by pymodbus"); break }
            unread = unread[(at + 1)...]
        }
        #expect(peerSent.count - received.count <= collector.statistics[0].snapshot.errors["timeout", default: 0] + 1)
        #expect(Array(sent.map(hex).prefix(peerReceived.count)) == peerReceived)
        #expect(sent.count - peerReceived.count <= 1)
        // The line a technician reads.
        let line = received[0].line
        let spaced = received[0].bytes.map { String(format: "%02X", $0) }.joined(separator: " ")
        #expect(line.hasSuffix("+\(received[0].latency!)us") && line.contains(" a <- \(spaced) +"))
        #expect(line.hasPrefix(String(Calendar(identifier: .gregorian).component(.year, from: Date()))) && line.contains("Z a <- "))
    }
}

/// The admin's toggle: tracing a rig of a running collector starts and stops without a restart,
/// at its connection's poll boundary, and touches no other connection.
@Suite("Frame trace toggle")
struct FrameTraceToggleTests {
    @Test func aRigsTraceStartsAndStopsWhileTheCollectorRuns() throws {
        let fixture = try CollectorFixture()
        try fixture.writeProfile("traced", FrameTraceTests.profile)
        let a = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: RegisterMap(size: 20))
        let b = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: RegisterMap(size: 20))
        try a.start()
        try b.start()
        defer { a.stop(); b.stop() }
        let lab = try fixture.lab([("a", "traced", "tcp://127.0.0.1:\(a.port)", 1), ("b", "traced", "tcp://127.0.0.1:\(b.port)", 1)])
        let frames = Mutex<[FrameTracer.Frame]>([])
        let collector = try Collector(lab: lab, store: try fixture.openStore(),
                                      trace: FrameTraceSettings(rigs: [], output: { frame in frames.withLock { $0.append(frame) } }))
        #expect(collector.workers.map { $0.tracer != nil } == [false, false])
        collector.start()
        defer { collector.stop() }
        func polls(_ rig: String) -> Int { collector.statistics.first { $0.rig == rig }?.snapshot.polls ?? 0 }
        try CollectorFixture.waitUntil("5 polls of a") { polls("a") >= 5 }
        #expect(frames.withLock { $0 }.isEmpty)

        #expect(collector.setTrace(rig: "a", on: true))
        #expect(collector.tracedRigs == ["a"])
        #expect(collector.workers.map { $0.tracer != nil } == [true, false], "b's connection does no tracing work")
        try CollectorFixture.waitUntil("10 frames of a") { frames.withLock { $0.count } >= 10 }
        #expect(frames.withLock { $0 }.allSatisfy { $0.rig == "a" })

        #expect(collector.setTrace(rig: "a", on: false))
        let atStop = frames.withLock { $0.count }
        let pollsAtStop = polls("a")
        try CollectorFixture.waitUntil("10 more polls of a") { polls("a") >= pollsAtStop + 10 }
        #expect(frames.withLock { $0.count } <= atStop + 1, "at most the reply of the request in flight is traced after the toggle")
        #expect(collector.tracedRigs.isEmpty)
        #expect(!collector.setTrace(rig: "no-such-rig", on: true))
    }
}
