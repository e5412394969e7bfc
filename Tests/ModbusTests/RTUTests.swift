import Foundation
import Testing
import Modbus
import RiglogTesting
import Threads

/// Modbus RTU over a real serial line: a socat pty pair, one end served, the other read.
@Suite("RTU over a pty pair", .serialized)
struct RTUTests {
    static func line(_ path: String) -> ModbusEndpoint {
        .rtu(SerialLine(device: path, baud: 19_200, parity: .even, dataBits: 8, stopBits: 1))
    }

    @Test("two unit ids on one line, each with its own values; an absent unit stays silent")
    func twoUnitsOnOneLine() async throws {
        let pty = try await PtyPair()
        let unit1 = RegisterMap(size: 50), unit2 = RegisterMap(size: 50)
        unit1.set(.holding, at: 0, to: [11, 12, 13])
        unit2.set(.holding, at: 0, to: [21, 22, 23])
        unit2.set(.discrete, at: 8, to: [1, 0, 1])
        let server = ModbusServer(endpoint: Self.line(pty.a), units: [1: unit1, 2: unit2])
        try server.start()
        defer { server.stop() }

        let reader = ModbusReader(endpoint: Self.line(pty.b), options: .init(responseTimeout: .milliseconds(200)))
        for _ in 0..<20 {
            #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 3)) == [11, 12, 13])
            #expect(try reader.read(ReadRequest(kind: .holding, unit: 2, address: 0, count: 3)) == [21, 22, 23])
        }
        #expect(try reader.read(ReadRequest(kind: .discrete, unit: 2, address: 8, count: 3)) == [1, 0, 1])
        let absent = ReadRequest(kind: .holding, unit: 3, address: 0, count: 1)
        #expect(throws: ModbusError.timeout(absent, reader.endpoint, after: .milliseconds(200))) { _ = try reader.read(absent) }
        // The line is usable again after the silence.
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 1, address: 1, count: 1)) == [12])
    }

    @Test("a reply with a bad CRC, then one from the wrong unit, then a good one")
    func badCRCAndWrongUnit() async throws {
        let pty = try await PtyPair()
        // A hand-made faulty device on the far end of the cable.
        let device = try RawSerialDevice(path: pty.a)
        let reader = ModbusReader(endpoint: Self.line(pty.b), options: .init(responseTimeout: .milliseconds(300)))
        let request = ReadRequest(kind: .holding, unit: 1, address: 0, count: 1)

        let replies: [[UInt8]] = [
            RawSerialDevice.withCRC([1, 3, 2, 0x00, 0x2A], corrupt: true),
            RawSerialDevice.withCRC([5, 3, 2, 0x00, 0x2A]),
            RawSerialDevice.withCRC([1, 3, 2, 0x00, 0x2A]),
        ]
        // The device blocks in read(): it gets its own thread, started now, never a pool task.
        let seen = Mutex<[[UInt8]]>([])
        let deviceThread = DedicatedThread(name: "raw-device") {
            let requests = (try? device.answer(replies)) ?? []
            seen.withLock { $0 = requests }
        }
        #expect(throws: ModbusError.badCRC(request, reader.endpoint)) { _ = try reader.read(request) }
        #expect { _ = try reader.read(request) } throws: { ($0 as? ModbusError) == .wrongUnit(request, reader.endpoint, got: 5) }
        #expect(try reader.read(request) == [42])
        deviceThread.join()
        let requestsSeen = seen.withLock { $0 }
        #expect(requestsSeen.count == 3)
        #expect(requestsSeen.allSatisfy { $0 == RawSerialDevice.withCRC([1, 3, 0, 0, 0, 1]) })
    }

    @Test("a missing serial device says how to find it")
    func missingDevice() {
        let reader = ModbusReader(endpoint: Self.line("/dev/ttyUSB-riglog-none"))
        #expect {
            try reader.connect()
        } throws: { error in
            "\(error)".contains("is the USB-RS485 adapter plugged in?")
        }
    }
}

/// Reads request frames off a pty and writes back prepared replies, byte for byte.
struct RawSerialDevice: Sendable {
    let fd: Int32

    init(path: String) throws {
        fd = open(path, O_RDWR | O_NOCTTY)
        guard fd >= 0 else { throw ExternalPeers.PeerMissing(name: path) }
        var tio = termios()
        tcgetattr(fd, &tio)
        cfmakeraw(&tio)
        tcsetattr(fd, TCSANOW, &tio)
    }

    static func withCRC(_ frame: [UInt8], corrupt: Bool = false) -> [UInt8] {
        let crc = ModbusCRC.compute(frame) ^ (corrupt ? 0x0101 : 0)
        return frame + [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    }

    /// Answers one 8-byte read request with each reply in turn; returns the requests seen.
    func answer(_ replies: [[UInt8]]) throws -> [[UInt8]] {
        defer { close(fd) }
        var seen: [[UInt8]] = []
        for reply in replies {
            var request = [UInt8](repeating: 0, count: 8)
            var got = 0
            while got < 8 {
                let n = request.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, 8 - got) }
                guard n > 0 else { return seen }
                got += n
            }
            seen.append(request)
            _ = reply.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }
        return seen
    }
}
