import Foundation
import Modbus
import Testing
import RiglogTesting

/// End-to-end tests of `riglog simulate`: the built binary serves over real sockets, a client
/// reads it, and SIGTERM stops it cleanly with exit status 0.
@Suite("riglog simulate", .serialized)
struct SimulateCommandTests {
    /// `riglog` running in the background, its output collected in a file.
    final class Simulator {
        let process: ChildProcess
        let outputPath: String

        init(_ arguments: [String], executable: String? = nil) throws {
            let binary = try executable ?? DevicesCommandTests.binary().path
            outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-simulate-\(UUID().uuidString).out").path
            let fd = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            defer { close(fd) }
            process = try ChildProcess(binary, arguments, stdout: fd, stderr: fd)
        }

        var pid: pid_t { process.pid }
        var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

        /// Sends `signal` and waits for the exit status (128 + signal if killed by it); a child
        /// still running after ten seconds is killed, so a test can fail but never hang.
        func stop(_ signal: Int32 = SIGTERM) -> Int32 { process.stop(signal) }

        deinit {
            process.stop(SIGKILL)
            unlink(outputPath)
        }
    }

    static func freePort() -> Int { ExternalPeers.freePort() }

    /// Waits (checking every 20 ms, at most `timeout`) until `condition` holds.
    static func waitUntil(_ what: String, timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
        try await ExternalPeers.waitUntil(what, timeout: timeout, condition)
    }

    @Test func servesAProfileWithItsScenarioAndStopsOnSIGTERM() async throws {
        let port = Self.freePort()
        let devices = DevicesCommandTests.root.appendingPathComponent("Devices").path
        let simulator = try Simulator(["simulate", "brake-trainer", "--listen", "127.0.0.1:\(port)", "--devices", devices,
                                       "--scenario", "\(devices)/demo/scenarios/brake-trainer.scenario", "--seed", "3"])
        try await Self.waitUntil("riglog simulate to listen") { simulator.output.contains("simulating 1 rig") }
        let reader = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: port), options: .init(responseTimeout: .milliseconds(500)))
        // The scenario's first student badges in within seconds: holding 100-101, u32 ABCD, a
        // badge of the demo roster (41001xx, 41002xx) or a visitor's card (4109xxx). On a loaded
        // machine the first turn may be over before the first read: the next student comes
        // within the scenario's pause (at most 30 s).
        var badge: UInt32 = 0
        try await Self.waitUntil("a student to badge in", timeout: .seconds(90)) {
            guard let words = try? reader.read(ReadRequest(kind: .holding, unit: 1, address: 100, count: 2)) else { return false }
            badge = UInt32(words[0]) << 16 | UInt32(words[1])
            return badge != 0
        }
        #expect((4_100_101...4_100_299).contains(badge) || (4_109_000...4_109_999).contains(badge), "badge \(badge)")
        #expect(try reader.read(ReadRequest(kind: .input, unit: 1, address: 0, count: 16)).count == 16)
        #expect(try reader.read(ReadRequest(kind: .coil, unit: 1, address: 0, count: 2)) == [0, 0])
        reader.close()
        #expect(simulator.stop(SIGTERM) == 0, "\(simulator.output)")
        #expect(simulator.output.contains("serving brake-trainer (brake-trainer, model) on tcp://127.0.0.1:\(port) unit 1"), "\(simulator.output)")
        #expect(simulator.output.contains("\nstopped\n"), "the service group stopped it on SIGTERM: \(simulator.output)")
    }

    @Test func servesEveryRigOfALabAndStopsOnSIGINT() async throws {
        let (a, b) = (Self.freePort(), Self.freePort())
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-simulate-lab-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try """
            lab: Simulated bay
            timezone: Asia/Almaty
            rigs:
              - {id: brake-1, profile: brake-trainer, connection: "tcp://127.0.0.1:\(a)", unit: 1}
              - {id: air-1, profile: air-brake-trainer, connection: "tcp://127.0.0.1:\(a)", unit: 2}
              - {id: daq-1, profile: adam-6017, connection: "tcp://127.0.0.1:\(b)", unit: 1}
            """.write(toFile: "\(folder)/lab.yaml", atomically: true, encoding: .utf8)
        let devices = DevicesCommandTests.root.appendingPathComponent("Devices").path
        let simulator = try Simulator(["simulate", "--lab", "\(folder)/lab.yaml", "--devices", devices])
        try await Self.waitUntil("riglog simulate --lab to listen") { simulator.output.contains("simulating 3 rigs") }
        let reader = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: a), options: .init(responseTimeout: .milliseconds(500)))
        // Unit 2 is the air-brake board: its governor set points in holding 10-11 (0.01 bar).
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 2, address: 10, count: 2)) == [810, 700])
        let daq = ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: b), options: .init(responseTimeout: .milliseconds(500)))
        #expect(try daq.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 8)).count == 8)
        reader.close()
        daq.close()
        #expect(simulator.stop(SIGINT) == 0, "\(simulator.output)")
        #expect(simulator.output.contains("serving air-1 (air-brake-trainer, model) on tcp://127.0.0.1:\(a) unit 2"), "\(simulator.output)")
        #expect(simulator.output.contains("serving daq-1 (adam-6017, waveforms) on tcp://127.0.0.1:\(b) unit 1"))
        #expect(simulator.output.contains("\nstopped\n"), "the service group stopped it on SIGINT: \(simulator.output)")
    }

    @Test func servesARigOnASerialLine() async throws {
        // socat joins two pseudo-terminals: the simulator on one end, the reader on the other.
        guard let socat = ["/usr/bin/socat", "/bin/socat"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("socat is not installed; run `make deps`")
            return
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-simulate-pty-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pty = try Simulator(["pty,raw,echo=0,link=\(folder)/a", "pty,raw,echo=0,link=\(folder)/b"], executable: socat)
        defer { _ = pty.stop() }
        try await Self.waitUntil("socat's pty links") {
            FileManager.default.fileExists(atPath: "\(folder)/a") && FileManager.default.fileExists(atPath: "\(folder)/b")
        }
        let devices = DevicesCommandTests.root.appendingPathComponent("Devices").path
        let simulator = try Simulator(["simulate", "ev-battery-trainer", "--rtu", "\(folder)/a", "--baud", "38400", "--parity", "N",
                                       "--unit", "3", "--devices", devices])
        try await Self.waitUntil("riglog simulate to open the line") { simulator.output.contains("simulating 1 rig") }
        let line = SerialLine(device: "\(folder)/b", baud: 38_400, parity: .none, dataBits: 8, stopBits: 1)
        let reader = ModbusReader(endpoint: .rtu(line), options: .init(responseTimeout: .milliseconds(500)))
        // The pack at rest: 60 % charge (input 3, 0.1 %), the HV interlock closed (input 11, bit 6).
        let words = try reader.read(ReadRequest(kind: .input, unit: 3, address: 0, count: 12))
        #expect(words[3] == 600)
        #expect(words[11] & 0b100_0000 != 0)
        reader.close()
        #expect(simulator.stop(SIGTERM) == 0, "\(simulator.output)")
        #expect(simulator.output.contains("serving ev-battery-trainer (ev-battery-trainer, model) on rtu://\(folder)/a?baud=38400&parity=N&data=8&stop=1 unit 3"), "\(simulator.output)")
    }

    @Test func mistakesAreUsageErrors() throws {
        let noEndpoint = try DevicesCommandTests.riglog(["simulate", "brake-trainer"])
        #expect(noEndpoint.status == 2)
        #expect(noEndpoint.stderr.contains("Give exactly one of --listen HOST:PORT (Modbus TCP) or --rtu DEVICE (Modbus RTU)."), "\(noEndpoint.stderr)")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-simulate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "scenario: Broken\ntimeline:\n  - {at: 1s, set: {pdeal: 0.5}}\n".write(toFile: "\(folder)/b.scenario", atomically: true, encoding: .utf8)
        let broken = try DevicesCommandTests.riglog(["simulate", "brake-trainer", "--listen", "127.0.0.1:0", "--scenario", "\(folder)/b.scenario"])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("\(folder)/b.scenario:3:20: timeline[0].pdeal: unknown field \"pdeal\"; did you mean \"pedal\"?"), "\(broken.stderr)")
    }
}
