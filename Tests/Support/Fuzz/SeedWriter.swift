import Foundation
import GRDB
import Ingest
import Modbus
import Store
#if canImport(Glibc)
import Glibc
#endif

/// The seeds that are not text files: chunks as a real store writes them, Modbus replies as a
/// real server (libmodbus, through riglog's ModbusServer) sends them. `riglog-fuzz
/// --write-seeds Tests/ReliabilityTests/Fuzz/Corpus` rewrites them; the text seeds (profiles,
/// labs, CSVs, forms) are copies of the repository's files.
enum SeedWriter {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func writeAll(root: String) throws -> Int {
        try chunks(into: root + "/chunk") + modbus(root: root)
    }

    /// Chunks of a store's writer over an integer, a scaled decimal, a float and a boolean
    /// channel: a ramp, noise, steps and toggles, in 64-frame chunks and a short last one.
    static func chunks(into folder: String) throws -> Int {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-fuzz-seeds-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let store = try StoreDatabase.open(path: scratch + "/store.sqlite")
        let ids = try store.register(
            rig: RigDefinition(id: "brake-1", name: "Brake trainer", profile: "brake-trainer"),
            channels: [
                ChannelDefinition(name: "wheel_speed", unit: "km/h", type: "u16", scale: 0.1),
                ChannelDefinition(name: "brake_pressure", unit: "bar", type: "f32"),
                ChannelDefinition(name: "pedal", type: "bool"),
                ChannelDefinition(name: "odometer", unit: "m", type: "i32"),
            ])
        var samples: [Sample] = []
        let t0: Int64 = 1_795_939_200_000_000_000  // 2026-11-29T08:00:00Z, ns
        for i in 0..<150 {
            let t = t0 + Int64(i) * 100_000_000 + Int64(i % 3) * 7_000
            samples.append(Sample(channel: ids[0], time: t, raw: Int64(2048 + (i * 37) % 9 - 4)))
            samples.append(Sample(channel: ids[1], time: t, value: Double(Float(i) * 0.25) + (i % 10 == 0 ? .pi : 0)))
            samples.append(Sample(channel: ids[2], time: t, bool: (i / 7) % 2 == 1))
            samples.append(Sample(channel: ids[3], time: t, raw: Int64(i) * 1_000_003 - 40_000_000))
        }
        let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: 64))
        try samples.withUnsafeBufferPointer { try writer.write($0) }
        try writer.close()
        let blobs = try DatabaseQueue(path: scratch + "/store.sqlite").read { db in
            try Data.fetchAll(db, sql: "SELECT data FROM chunks ORDER BY id")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (i, blob) in blobs.enumerated() {
            _ = FileManager.default.createFile(atPath: "\(folder)/store-chunk-\(i + 1).bin", contents: blob)
        }
        return blobs.count
    }

    /// A read as the Modbus targets' first 6 bytes describe it.
    struct Read {
        var kind: RegisterKind
        var unit: UInt8
        var address: Int
        var count: Int
        var name: String

        var header: [UInt8] {
            let index: UInt8 = switch kind { case .coil: 0; case .discrete: 1; case .holding: 2; case .input: 3 }
            return [index, unit, UInt8((count - 1) >> 8), UInt8((count - 1) & 0xFF), UInt8(address >> 8), UInt8(address & 0xFF)]
        }

        var pdu: [UInt8] {
            [kind.readFunctionCode, UInt8(address >> 8), UInt8(address & 0xFF), UInt8(count >> 8), UInt8(count & 0xFF)]
        }
    }

    /// Replies of a served map to reads (registers, bits, the longest read, an exception for an
    /// address past the map) and to a device identification request; each saved as a TCP seed
    /// (MBAP as received) and an RTU seed (the same unit and PDU with a CRC).
    static func modbus(root: String) throws -> Int {
        let map = RegisterMap(coils: 64, discreteInputs: 64, holdingRegisters: 200, inputRegisters: 200)
        map.set(.holding, at: 0, to: (0..<200).map { UInt16(truncatingIfNeeded: $0 &* 2_654_435_761) })
        map.set(.input, at: 0, to: (0..<200).map { UInt16($0 * 321 % 65_521) })
        map.set(.coil, at: 0, to: (0..<64).map { UInt16($0 % 3 == 0 ? 1 : 0) })
        map.set(.discrete, at: 0, to: (0..<64).map { UInt16($0 % 5 == 1 ? 1 : 0) })
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), units: [1: map, 2: map])
        server.setIdentification(DeviceIdentification(vendor: "Luban Labs", productCode: "BT-200", revision: "1.4.2"), unit: 1)
        try server.start()
        defer { server.stop() }
        let reads = [
            Read(kind: .holding, unit: 1, address: 0, count: 10, name: "holding-10"),
            Read(kind: .holding, unit: 2, address: 75, count: 125, name: "holding-125"),
            Read(kind: .input, unit: 1, address: 5, count: 3, name: "input-3"),
            Read(kind: .input, unit: 1, address: 195, count: 10, name: "exception-address"),
            Read(kind: .coil, unit: 1, address: 0, count: 19, name: "coils-19"),
            Read(kind: .discrete, unit: 2, address: 3, count: 8, name: "discrete-8"),
            Read(kind: .coil, unit: 9, address: 0, count: 1, name: "exception-unit"),
        ]
        var written = 0
        let fd = try connect(port: server.port)
        defer { close(fd) }
        for read in reads {
            let reply = try exchange(fd, unit: read.unit, pdu: read.pdu)
            written += save(root: root, name: read.name, header: read.header, reply: reply)
        }
        let identify = Read(kind: .holding, unit: 1, address: 0, count: 1, name: "identification")
        let reply = try exchange(fd, unit: 1, pdu: DeviceIdentificationPDU.request())
        written += save(root: root, name: identify.name, header: identify.header, reply: reply)
        return written
    }

    /// Saves `reply` (an MBAP frame) as a TCP seed and as the RTU frame of the same PDU.
    static func save(root: String, name: String, header: [UInt8], reply: [UInt8]) -> Int {
        let files = FileManager.default
        try? files.createDirectory(atPath: root + "/modbus-tcp", withIntermediateDirectories: true)
        try? files.createDirectory(atPath: root + "/modbus-rtu", withIntermediateDirectories: true)
        _ = files.createFile(atPath: "\(root)/modbus-tcp/server-\(name).bin", contents: Data(header + reply))
        let rtu = Array(reply[6...])
        let crc = ModbusCRC.compute(rtu)
        _ = files.createFile(atPath: "\(root)/modbus-rtu/server-\(name).bin", contents: Data(header + rtu + [UInt8(crc & 0xFF), UInt8(crc >> 8)]))
        return 2
    }

    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, rc == 0 else { throw Failure(description: "cannot connect to the Modbus server on port \(port): errno \(errno)") }
        return fd
    }

    /// Sends one request with transaction id 1 (the id the targets frame) and reads its reply.
    static func exchange(_ fd: Int32, unit: UInt8, pdu: [UInt8]) throws -> [UInt8] {
        let length = pdu.count + 1
        let frame: [UInt8] = [0, 1, 0, 0, UInt8(length >> 8), UInt8(length & 0xFF), unit] + pdu
        guard send(fd, frame, frame.count, Int32(MSG_NOSIGNAL)) == frame.count else { throw Failure(description: "send failed: errno \(errno)") }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 300)
        while reply.count < 6 || reply.count < 6 + (Int(reply[4]) << 8 | Int(reply[5])) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 5_000) == 1 else { throw Failure(description: "no reply from the Modbus server to \(pdu)") }
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { throw Failure(description: "the Modbus server closed the connection") }
            reply += buffer[0..<n]
        }
        return reply
    }
}
