import Foundation
import Modbus
import RigProfiles
import RigSimulator
import Testing
import RiglogTesting

/// Whole labs served over real sockets and serial lines: shared endpoints, the demo lab,
/// writes from a client, the real-time model thread.
@Suite("Lab simulator", .serialized)
struct LabSimulatorTests {
    static func reader(_ endpoint: ModbusEndpoint) -> ModbusReader {
        ModbusReader(endpoint: endpoint, options: .init(connectTimeout: .seconds(1), responseTimeout: .milliseconds(300)))
    }

    @Test func rigsSharingAPortAreUnitsBehindOneServer() throws {
        let port = ExternalPeers.freePort()
        let demo = try DemoLab.generate(rigs: 3, basePort: port, unitsPerPort: 3, devicesFolder: Fixtures.devices)
        let lab = try demo.simulator(seed: 1)
        #expect(lab.served.map(\.endpoint) == Array(repeating: .tcp(host: "127.0.0.1", port: port), count: 3))
        #expect(lab.served.map(\.unit) == [1, 2, 3])
        try lab.start(realTime: false)
        defer { lab.stop() }
        lab.advance(to: 0.5)  // the EV scenario sets the charge to 62 % at its start
        let reader = Self.reader(.tcp(host: "127.0.0.1", port: port))
        // Unit 3 is the EV trainer: soc at input 3, 0.1 %.
        #expect(try reader.read(ReadRequest(kind: .input, unit: 3, address: 3, count: 1)) == [620])
        // Unit 2 is the engine stand at rest, unit 1 the brake trainer: both answer.
        #expect(try reader.read(ReadRequest(kind: .input, unit: 2, address: 0, count: 1)) == [0])
        #expect(try reader.read(ReadRequest(kind: .input, unit: 1, address: 0, count: 12)).count == 12)
        // An absent unit behind a shared endpoint is a gateway's exception, not someone else's values.
        #expect(throws: ModbusError.self) { _ = try reader.read(ReadRequest(kind: .input, unit: 4, address: 0, count: 1)) }
    }

    @Test func twoRigsOnOneUnitAreRefused() throws {
        let profile = try Fixtures.profile("brake-trainer")
        let endpoint = ModbusEndpoint.tcp(host: "127.0.0.1", port: 15999)
        let a = try SimulatedRig(id: "brake-1", profile: profile, endpoint: endpoint, unit: 1)
        let b = try SimulatedRig(id: "brake-2", profile: profile, endpoint: endpoint, unit: 1)
        #expect { _ = try LabSimulator(rigs: [a, b]) } throws: { error in
            "\(error)" == "brake-1 and brake-2 both use unit 1 on tcp://127.0.0.1:15999; give each rig on one connection its own unit id"
        }
    }

    @Test func aClientFlippingAFaultCoilMovesTheModel() throws {
        let profile = try Fixtures.profile("brake-trainer")
        let lab = try LabSimulator(rigs: [try SimulatedRig(id: "brake-1", profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0))])
        try lab.start(realTime: false)
        defer { lab.stop() }
        guard case .tcp(_, let port) = lab.endpoint(of: "brake-1")! else { return }
        lab.advance(to: 0.1)
        // The instructor opens the front-left sensor from a tool: coil 0.
        let write = try ExternalPeers.run("mbpoll", ["-m", "tcp", "-p", "\(port)", "-0", "-r", "0", "-t", "0", "127.0.0.1", "1"])
        #expect(write.status == 0, "\(write.error)")
        lab.advance(to: 0.2)
        #expect(lab.withRig("brake-1") { $0.model.values["fault_sensor_fl"] } == 1)
        let status = try Self.reader(.tcp(host: "127.0.0.1", port: port)).read(ReadRequest(kind: .input, unit: 1, address: 11, count: 1))
        #expect(status[0] & 0b10 != 0, "the ABS warning lamp answers the fault switch")
    }

    @Test func aRigOnASerialLineIsReadFromTheOtherEnd() async throws {
        let pty = try await PtyPair()
        let profile = try Fixtures.profile("ev-battery-trainer")
        let line = SerialLine(device: pty.a, baud: 19_200, parity: .even, dataBits: 8, stopBits: 1)
        var rig = try SimulatedRig(id: "ev-1", profile: profile, endpoint: .rtu(line), unit: 3)
        rig.set("soc", to: 47.3)
        rig.advance(to: 1)
        let lab = try LabSimulator(rigs: [rig])
        try lab.start(realTime: false)
        defer { lab.stop() }
        var other = line
        other.device = pty.b
        let reader = Self.reader(.rtu(other))
        let words = try reader.read(ReadRequest(kind: .input, unit: 3, address: 0, count: 12))
        let values = lab.withRig("ev-1") { $0.channelValues }!
        #expect(words[3] == 473, "soc, 0.1 %")
        #expect(Double(words[0]) == (values["pack_voltage"]! * 10).rounded(), "pack voltage, 0.1 V")
        #expect(words[11] & 0b100_0000 != 0, "HV interlock closed (bit 6)")
        // Another unit on the line stays silent, as an absent device does.
        #expect(throws: ModbusError.self) { _ = try reader.read(ReadRequest(kind: .input, unit: 4, address: 0, count: 1)) }
    }

    @Test("two rigs behind one simulated converter (rtu+tcp): one server answers each unit in RTU frames; another unit is silent")
    func rigsBehindAConverter() throws {
        let profile = try Fixtures.profile("ev-battery-trainer")
        let converter = ModbusEndpoint.rtuOverTCP(SerialGateway(host: "127.0.0.1", port: ExternalPeers.freePort(), baud: 38_400))
        var first = try SimulatedRig(id: "ev-1", profile: profile, endpoint: converter, unit: 3)
        var second = try SimulatedRig(id: "ev-2", profile: profile, endpoint: converter, unit: 4)
        first.set("soc", to: 47.3)
        second.set("soc", to: 81.2)
        first.advance(to: 1)
        second.advance(to: 1)
        let lab = try LabSimulator(rigs: [first, second])
        try lab.start(realTime: false)
        defer { lab.stop() }
        #expect(lab.served.map(\.endpoint) == [converter, converter])
        let reader = Self.reader(converter)
        #expect(try reader.read(ReadRequest(kind: .input, unit: 3, address: 3, count: 1)) == [473])
        #expect(try reader.read(ReadRequest(kind: .input, unit: 4, address: 3, count: 1)) == [812])
        #expect(throws: ModbusError.self) { _ = try reader.read(ReadRequest(kind: .input, unit: 5, address: 0, count: 1)) }
        #expect(try reader.read(ReadRequest(kind: .input, unit: 3, address: 3, count: 1)) == [473])
    }

    @Test func theModelThreadRunsInRealTimeUntilStopped() async throws {
        let lab = try DemoLab.generate(rigs: 6, basePort: 0, devicesFolder: Fixtures.devices).simulator()
        try lab.start()
        try await ExternalPeers.waitUntil("simulated time to pass half a second") { lab.time >= 0.5 }
        lab.stop()
        let stoppedAt = lab.time
        #expect(lab.time == stoppedAt, "nothing steps after stop")
        #expect(lab.served.count == 6)
    }

    @Test func theShippedDemoLabLoads() throws {
        let demo = try DemoLab.load(devicesFolder: Fixtures.devices)
        #expect(demo.rigs.count >= 6)
        #expect(demo.students.count >= 12)
        #expect(Set(demo.students.map(\.group)).count == 2)
        #expect(demo.students.contains { $0.name == "Айгерим Нұрланқызы" } && demo.students.contains { $0.name == "王伟" })
        for kind in DemoLab.rigKinds { #expect(demo.rigs.contains { $0.profile.name == kind.profile && $0.scenario != nil }, "\(kind.profile)") }
        // Every badge a demo scenario uses is a student of the roster.
        let badges = Set(demo.students.map(\.badge))
        for rig in demo.rigs {
            for event in rig.scenario?.events ?? [] {
                if case .badge(let b) = event.action, b != 0 { #expect(badges.contains(b), "\(rig.id): badge \(b)") }
            }
        }
        _ = try demo.simulator()
    }

    @Test func aGeneratedLabIsAValidLabConfig() throws {
        let demo = try DemoLab.generate(rigs: 64, basePort: 16000, devicesFolder: Fixtures.devices)
        #expect(demo.rigs.count == 64)
        #expect(Set(demo.rigs.map(\.id)).count == 64)
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/lab.yaml"
        try demo.labYAML().write(toFile: path, atomically: true, encoding: .utf8)
        let lab = try LabLoader.load(path: path, devicesFolder: Fixtures.devices)
        #expect(lab.rigs.count == 64)
        #expect(lab.connections.count == 64)
        // Copies of one rig kind have students take turns from the roster, starting later.
        let brakes = demo.rigs.filter { $0.profile.name == "brake-trainer" }
        #expect(brakes[1].scenario?.practice != nil && demo.students.count == 14)
        #expect(brakes[1].startDelay > 0)
    }
}
