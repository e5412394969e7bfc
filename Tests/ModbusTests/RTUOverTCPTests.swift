import Foundation
import Testing
import Modbus
import RiglogTesting
import Threads

/// RTU frames on a TCP stream (`rtu+tcp://`), against independent peers: pymodbus's server in
/// its RTU framer, and socat bridging TCP to a pty with riglog's RTU server (or a hand-made
/// device) on the far side. Faults come from a relay that spoils some replies on the way.
@Suite("RTU over TCP", .serialized)
struct RTUOverTCPTests {
    static let peers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers")
    static let pymodbus = peers.appendingPathComponent("pymodbus_server.py").path
    static let relay = peers.appendingPathComponent("rtu_relay.py").path

    static func length(_ bytes: [UInt8]) -> RTUFraming.Length {
        bytes.withUnsafeBufferPointer { RTUFraming.replyLength(of: $0) }
    }

    static func endpoint(_ port: Int) -> ModbusEndpoint { .rtuOverTCP(SerialGateway(host: "127.0.0.1", port: port)) }

    static let options = ModbusClientOptions(connectTimeout: .seconds(2), responseTimeout: .seconds(1),
                                             byteTimeout: .milliseconds(30))

    /// pymodbus serving RTU over TCP on a fresh port (units 1 and 2).
    static func startPymodbus() throws -> (ChildProcess, Int) {
        try ExternalPeers.startServer("pymodbus", "python3") { [pymodbus, String($0), "rtu"] }
    }

    /// rtu_relay.py in front of `upstream`, spoiling every `every`th reply the `mode` way.
    static func startRelay(to upstream: Int, mode: String, every: Int) throws -> (ChildProcess, Int) {
        try ExternalPeers.startServer("the relay", "python3") { [relay, String($0), String(upstream), mode, String(every)] }
    }

    @Test("a reply's end is found from its function code and byte count")
    func framing() {
        #expect(Self.length([]) == .needMore)
        #expect(Self.length([1]) == .needMore)
        #expect(Self.length([1, 3]) == .needMore)
        #expect(Self.length([1, 3, 4]) == .frame(9))
        #expect(Self.length([1, 0x83, 2]) == .frame(5))
        #expect(Self.length([1, 1, 1, 5]) == .frame(6))
        #expect(Self.length([1, 16, 0]) == .invalid("function code 16 in a reply to a read"))
    }

    @Test("an identification reply is read a byte at a time until sized, then to its end, and never past the largest RTU frame")
    func rawReplyFraming() {
        let length = DeviceIdentificationPDU.rtuFrameLength
        // Unit 1, 43/14 basic, one 3-byte object ("abc"), then the CRC: 15 bytes in all.
        var sized = [UInt8](repeating: 0, count: RawReplyFraming.capacity)
        sized.replaceSubrange(0..<13, with: [1, 0x2B, 0x0E, 1, 0x81, 0, 0, 1, 0, 3, 0x61, 0x62, 0x63])
        #expect(RawReplyFraming.next(sized, received: 0, length: length) == .read(1))
        #expect(RawReplyFraming.next(sized, received: 9, length: length) == .read(1))
        #expect(RawReplyFraming.next(sized, received: 10, length: length) == .read(5))
        #expect(RawReplyFraming.next(sized, received: 15, length: length) == .complete)
        #expect(RawReplyFraming.next([1, 0xAB, 1, 0, 0], received: 2, length: length) == .read(3))
        var long = sized
        long[9] = 250  // an object of 250 bytes: 262 in all
        #expect(RawReplyFraming.next(long, received: 10, length: length) == .tooLong("a reply of 262 bytes, longer than an RTU frame can be"))
    }

    /// Found by fuzzing (Tests/ReliabilityTests/Fuzz/Corpus/modbus-rtu/crash-identification-unsized-past-256.bin):
    /// a reply announcing 255 objects whose 14th header starts at byte 256 is still unsized when
    /// the 256-byte buffer is full; the link read one byte more into it, past its end.
    @Test("an identification reply still unsized at 256 bytes is refused, not read past the buffer")
    func rawReplyUnsizedAtTheLargestFrame() {
        var reply = [UInt8](repeating: 0, count: RawReplyFraming.capacity)
        reply.replaceSubrange(0..<8, with: [1, 0x2B, 0x0E, 1, 0x81, 0, 0, 255])
        for k in 0..<13 {  // 13 objects of 2 + 17 bytes end at byte 255
            reply[8 + 19 * k] = UInt8(k)
            reply[8 + 19 * k + 1] = 17
        }
        let length = DeviceIdentificationPDU.rtuFrameLength
        #expect(length(reply, 256) == nil)
        #expect(RawReplyFraming.next(reply, received: 255, length: length) == .read(1))
        #expect(RawReplyFraming.next(reply, received: 256, length: length)
            == .tooLong("a reply still unsized after 256 bytes, longer than an RTU frame can be"))
    }

    @Test("two units behind pymodbus's RTU-over-TCP server, polled in turn on one connection; another unit's exception leaves the stream in step")
    func pymodbusUnits() throws {
        let (server, port) = try Self.startPymodbus()
        defer { server.stop() }
        let reader = ModbusReader(endpoint: Self.endpoint(port), options: Self.options)
        for _ in 0..<10 {
            // Values encoded by pymodbus_server.py: holding 0 = 51234, 1 = -1234; input i = 7i (unit 1), 11i (unit 2).
            #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 2)) == [51234, UInt16(bitPattern: -1234)])
            #expect(try reader.read(ReadRequest(kind: .input, unit: 2, address: 10, count: 2)) == [110, 121])
            #expect(try reader.read(ReadRequest(kind: .input, unit: 1, address: 10, count: 1)) == [70])
        }
        #expect(try reader.read(ReadRequest(kind: .coil, unit: 2, address: 2, count: 3)) == [0, 1, 0])
        #expect(try reader.read(ReadRequest(kind: .discrete, unit: 1, address: 4, count: 3)) == [0, 1, 0])
        // pymodbus answers a unit it does not serve with exception 4 (an absent unit's silence
        // is tested through the socat bridge below).
        let absent = ReadRequest(kind: .holding, unit: 3, address: 0, count: 1)
        #expect(throws: ModbusError.exception(.serverDeviceFailure, absent)) { _ = try reader.read(absent) }
        #expect(try reader.read(ReadRequest(kind: .input, unit: 2, address: 1, count: 1)) == [11])
        #expect(reader.isConnected)
    }

    @Test("an exception from a unit behind the converter is the device's answer: no resynchronisation, the next read goes on")
    func exception() throws {
        let (server, port) = try Self.startPymodbus()
        defer { server.stop() }
        let reader = ModbusReader(endpoint: Self.endpoint(port), options: Self.options)
        let outside = ReadRequest(kind: .holding, unit: 1, address: 1000, count: 2)
        #expect(throws: ModbusError.exception(.illegalDataAddress, outside)) { _ = try reader.read(outside) }
        #expect(try reader.read(ReadRequest(kind: .input, unit: 1, address: 3, count: 1)) == [21])
    }

    @Test("replies corrupted on the line fail their CRC check, are counted as such, and the next read is in step")
    func corruptedReplies() throws {
        let (server, upstream) = try Self.startPymodbus()
        defer { server.stop() }
        let (relay, port) = try Self.startRelay(to: upstream, mode: "crc", every: 3)
        defer { relay.stop() }
        let reader = ModbusReader(endpoint: Self.endpoint(port), options: Self.options)
        let request = ReadRequest(kind: .input, unit: 2, address: 4, count: 3)
        var outcomes: [String] = []
        for _ in 0..<12 {
            do {
                #expect(try reader.read(request) == [44, 55, 66])
                outcomes.append("ok")
            } catch {
                #expect(error == .badCRC(request, reader.endpoint))
                outcomes.append("crc")
            }
        }
        // The relay spoils its 3rd, 6th, 9th and 12th reply, and only those.
        #expect(outcomes == Array(repeating: ["ok", "ok", "crc"], count: 4).flatMap { $0 })
        #expect(reader.isConnected)
    }

    @Test("a converter answering for another unit is refused (its values are not the asked unit's), and the stream stays in step")
    func wrongUnit() throws {
        let (server, upstream) = try Self.startPymodbus()
        defer { server.stop() }
        let (relay, port) = try Self.startRelay(to: upstream, mode: "unit", every: 2)
        defer { relay.stop() }
        let reader = ModbusReader(endpoint: Self.endpoint(port), options: Self.options)
        let request = ReadRequest(kind: .input, unit: 1, address: 2, count: 1)
        for _ in 0..<5 {
            #expect(try reader.read(request) == [14])
            #expect { _ = try reader.read(request) } throws: { ($0 as? ModbusError) == .wrongUnit(request, reader.endpoint, got: 9) }
        }
    }

    @Test("stray bytes after a reply are dropped until the stream is quiet; every value read is right")
    func strayBytes() throws {
        let (server, upstream) = try Self.startPymodbus()
        defer { server.stop() }
        let (relay, port) = try Self.startRelay(to: upstream, mode: "noise", every: 2)
        defer { relay.stop() }
        let reader = ModbusReader(endpoint: Self.endpoint(port), options: Self.options)
        let request = ReadRequest(kind: .input, unit: 1, address: 5, count: 2)
        var good = 0, crc = 0
        for _ in 0..<12 {
            do {
                #expect(try reader.read(request) == [35, 42])
                good += 1
            } catch {
                // The noise starts the next reply's frame: its CRC cannot match.
                #expect(error == .badCRC(request, reader.endpoint))
                crc += 1
            }
        }
        #expect(good >= 6 && crc >= 3, "\(good) good, \(crc) bad CRC")
    }

    @Test("device identification (43/14) through the converter: pymodbus's RTU-framer server's identity reads back as given, and the stream stays in step for reads")
    func identificationThroughPymodbus() throws {
        let (server, port) = try Self.startPymodbus()
        defer { server.stop() }
        let reader = ModbusReader(endpoint: Self.endpoint(port), options: Self.options)
        // IDENTITY in pymodbus_server.py.
        #expect(try reader.identify(unit: 1) == .identified(DeviceIdentification(vendor: "Pymodbus Peer", productCode: "PM-3", revision: "3.16")))
        let regular = try reader.identify(unit: 1, category: DeviceIdentificationPDU.regular).identification
        #expect(regular?.others[4] == "riglog peer server" && regular?.others[5] == "peer-model")
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 2)) == [51234, UInt16(bitPattern: -1234)])
    }

    @Test("device identification through riglog's RTU-over-TCP server: a unit identified in several replies, one without the function, an absent one silent; only 43 and reads sent")
    func identificationThroughRiglogServer() throws {
        let functionCodes = Mutex<[UInt8]>([])
        let server = ModbusServer(endpoint: .rtuOverTCP(SerialGateway(host: "127.0.0.1", port: ExternalPeers.freePort())),
                                  units: [1: RegisterMap(size: 4), 2: RegisterMap(size: 4)],
                                  observer: { r in functionCodes.withLock { $0.append(r.functionCode) } })
        var others: [UInt8: String] = [:]
        for id in UInt8(0x80)...UInt8(0x83) { others[id] = String(repeating: Character(UnicodeScalar(id - 0x80 + 65)), count: 100) }
        let big = DeviceIdentification(vendor: "Luban Lab Systems", productCode: "BT-200", revision: "2.1", others: others)
        server.setIdentification(big, unit: 1)
        try server.start()
        defer { server.stop() }
        let reader = ModbusReader(endpoint: Self.endpoint(server.port), options: Self.options)
        #expect(try reader.identify(unit: 1, category: DeviceIdentificationPDU.extended).identification == big)
        #expect(try reader.identify(unit: 2) == .exception(.illegalFunction))
        #expect(try reader.identify(unit: 3) == .noReply(after: Self.options.responseTimeout))
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 2, address: 0, count: 1)) == [0])
        let codes = functionCodes.withLock { $0 }
        #expect(codes.count >= 4 && Set(codes) == [43, 3], "\(codes)")
    }

    @Test("riglog's own RTU-over-TCP server (the simulator's) answers pymodbus's RTU-framer client and riglog's reader; an unknown unit is silent, as on a bus")
    func riglogServer() throws {
        let unit1 = RegisterMap(size: 20), unit2 = RegisterMap(size: 20)
        unit1.set(.holding, at: 0, to: [101, 102, 103])
        unit2.set(.input, at: 5, to: [205])
        let server = ModbusServer(endpoint: .rtuOverTCP(SerialGateway(host: "127.0.0.1", port: ExternalPeers.freePort())),
                                  units: [1: unit1, 2: unit2])
        try server.start()
        defer { server.stop() }
        let client = """
            import sys
            from pymodbus import FramerType
            from pymodbus.client import ModbusTcpClient
            c = ModbusTcpClient("127.0.0.1", port=int(sys.argv[1]), framer=FramerType.RTU, timeout=2)
            assert c.connect()
            print(c.read_holding_registers(0, count=3, device_id=1).registers)
            print(c.read_input_registers(5, count=1, device_id=2).registers)
            """
        let result = try ExternalPeers.run("python3", ["-c", client, String(server.port)])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "[101, 102, 103]\n[205]\n")

        let reader = ModbusReader(endpoint: .rtuOverTCP(SerialGateway(host: "127.0.0.1", port: server.port)), options: Self.options)
        for _ in 0..<5 {
            #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 1, count: 2)) == [102, 103])
            #expect(try reader.read(ReadRequest(kind: .input, unit: 2, address: 5, count: 1)) == [205])
        }
        let absent = ReadRequest(kind: .holding, unit: 3, address: 0, count: 1)
        #expect(throws: ModbusError.timeout(absent, reader.endpoint, after: Self.options.responseTimeout)) { _ = try reader.read(absent) }
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 1)) == [101])
    }

    @Test("through socat from TCP to a pty served by riglog's RTU server: several units in turn, the gap kept, an absent unit recovered from")
    func socatBridgeToRiglogServer() async throws {
        let bridge = try await SocatBridge()
        defer { withExtendedLifetime(bridge) {} }
        let (bus, port) = (bridge.bus, bridge.port)

        let unit1 = RegisterMap(size: 20), unit2 = RegisterMap(size: 20)
        unit1.set(.holding, at: 0, to: [101, 102, 103])
        unit2.set(.holding, at: 0, to: [201, 202, 203])
        let seen = Mutex<[ServedRequest]>([])
        let server = ModbusServer(endpoint: .rtu(SerialLine(device: bus, baud: 9600)), units: [1: unit1, 2: unit2],
                                  observer: { request in seen.withLock { $0.append(request) } })
        try server.start()
        defer { server.stop() }

        let endpoint = try ModbusEndpoint(url: "rtu+tcp://127.0.0.1:\(port)?baud=9600")
        let reader = ModbusReader(endpoint: endpoint, options: Self.options)
        // socat serves one client: connect once it listens (a refused try costs nothing).
        try await ExternalPeers.waitUntil("the bridge connected") { (try? reader.connect()) != nil }
        for _ in 0..<10 {
            #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 3)) == [101, 102, 103])
            #expect(try reader.read(ReadRequest(kind: .holding, unit: 2, address: 1, count: 2)) == [202, 203])
        }
        let absent = ReadRequest(kind: .holding, unit: 7, address: 0, count: 1)
        #expect(throws: ModbusError.timeout(absent, endpoint, after: Self.options.responseTimeout)) { _ = try reader.read(absent) }
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 2, address: 0, count: 1)) == [201])
        let requests = seen.withLock { $0 }
        #expect(requests.count == 22)
        #expect(requests.allSatisfy { [3].contains($0.functionCode) })
        #expect(requests.filter { $0.unit == 1 }.count == 10)
    }
}

/// The frame trace of an RTU-over-TCP reader is the bytes on the line: compared with what a
/// hand-made device behind a socat bridge read and wrote.
@Suite("RTU over TCP trace", .serialized)
struct RTUOverTCPTraceTests {
    @Test("requests traced are the bytes the device read; replies traced are the bytes it wrote, bad CRC included")
    func traceIsTheWire() async throws {
        let bridge = try await SocatBridge()
        defer { withExtendedLifetime(bridge) {} }
        let (bus, port) = (bridge.bus, bridge.port)
        let device = try RawSerialDevice(path: bus)
        let replies: [[UInt8]] = [
            RawSerialDevice.withCRC([1, 3, 2, 0x00, 0x2A]),
            RawSerialDevice.withCRC([1, 3, 2, 0x00, 0x2B], corrupt: true),
            RawSerialDevice.withCRC([1, 3, 2, 0x01, 0x00]),
        ]
        let seen = Mutex<[[UInt8]]>([])
        let deviceThread = DedicatedThread(name: "raw-device") {
            let requests = (try? device.answer(replies)) ?? []
            seen.withLock { $0 = requests }
        }
        let frames = Mutex<[FrameTracer.Frame]>([])
        let reader = ModbusReader(endpoint: RTUOverTCPTests.endpoint(port), options: RTUOverTCPTests.options,
                                  tracer: FrameTracer(units: [1: "ev-1"]) { frame in frames.withLock { $0.append(frame) } })
        try await ExternalPeers.waitUntil("the bridge connected") { (try? reader.connect()) != nil }
        let request = ReadRequest(kind: .holding, unit: 1, address: 0, count: 1)
        #expect(try reader.read(request) == [42])
        #expect(throws: ModbusError.badCRC(request, reader.endpoint)) { _ = try reader.read(request) }
        #expect(try reader.read(request) == [256])
        deviceThread.join()

        let traced = frames.withLock { $0 }
        #expect(traced.map(\.direction) == [.sent, .received, .sent, .received, .sent, .received])
        #expect(traced.allSatisfy { $0.rig == "ev-1" })
        #expect(traced.filter { $0.direction == .sent }.map(\.bytes) == seen.withLock { $0 })
        #expect(traced.filter { $0.direction == .received }.map(\.bytes) == replies)
    }
}

/// A serial-to-Ethernet converter made of socat: a pty (the bus side, at ``bus``) bridged to a
/// TCP listener on ``port`` that takes one client.
final class SocatBridge {
    let folder: URL
    let bus: String
    let port: Int
    let process: ChildProcess

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-bridge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = ExternalPeers.freePort()
        bus = folder.appendingPathComponent("bus").path
        // The pty first, then the listener: socat opens its addresses in order.
        process = try ExternalPeers.start("socat", ["pty,raw,echo=0,link=\(bus)", "TCP-LISTEN:\(port),reuseaddr"])
        let bus = self.bus
        try await ExternalPeers.waitUntil("socat's pty") { FileManager.default.fileExists(atPath: bus) }
    }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}
