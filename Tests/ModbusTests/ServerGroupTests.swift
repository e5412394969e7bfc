import Foundation
import Testing
import Modbus
import RiglogTesting
import Threads
#if canImport(Glibc)
import Glibc
#endif

/// Servers sharing one thread (`ModbusServerGroup`, what the simulator serves a lab with), and the
/// server's own framing of Modbus TCP requests, over real sockets on the loopback.
@Suite("Servers sharing a thread")
struct ServerGroupTests {
    /// A map whose holding register `i` holds `base + i`.
    static func map(_ base: UInt16) -> RegisterMap {
        let map = RegisterMap(size: 20)
        map.set(.holding, at: 0, to: (0..<20).map { base + UInt16($0) })
        return map
    }

    /// A server of `map(base)`; with `threads`, each request adds the thread that serves it.
    static func server(_ base: UInt16, threads: Mutex<Set<pid_t>>? = nil) -> ModbusServer {
        var observer: ModbusServer.Observer?
        if let threads {
            observer = { _ in
                let tid = ServerGroupTests.currentThread()
                threads.withLock { _ = $0.insert(tid) }
            }
        }
        return ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map(base), observer: observer)
    }

    static func reader(_ port: Int) -> ModbusReader {
        ModbusReader(endpoint: .tcp(host: "127.0.0.1", port: port),
                     options: .init(connectTimeout: .seconds(2), responseTimeout: .seconds(2)))
    }

    /// The calling thread's id, as /proc names it ("PID/task/TID").
    static func currentThread() -> pid_t {
        pid_t((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"))?.split(separator: "/").last ?? "") ?? 0
    }

    /// Whether thread `tid` of this process still runs, and its name.
    static func thread(_ tid: pid_t) -> String? {
        (try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A read of holding registers (function 3) as Modbus TCP frames it.
    static func request(transaction: UInt16, address: UInt16, count: UInt16) -> [UInt8] {
        [UInt8(transaction >> 8), UInt8(transaction & 0xFF), 0, 0, 0, 6, 1, 3,
         UInt8(address >> 8), UInt8(address & 0xFF), UInt8(count >> 8), UInt8(count & 0xFF)]
    }

    @Test("a group's TCP servers share one thread, each answers from its own map, and stop closes them all")
    func sharedThread() throws {
        let threads = Mutex<Set<pid_t>>([])
        let group = ModbusServerGroup([Self.server(100, threads: threads), Self.server(200, threads: threads), Self.server(300, threads: threads)])
        try group.start()
        let ports = group.servers.map(\.port)
        #expect(Set(ports).count == 3 && !ports.contains(0))
        for (port, base) in zip(ports, [UInt16(100), 200, 300]) {
            #expect(try Self.reader(port).read(ReadRequest(kind: .holding, unit: 1, address: 2, count: 3)) == [base + 2, base + 3, base + 4])
        }
        let served = threads.withLock { $0 }
        #expect(served.count == 1)
        #expect(Self.thread(served.first!) == "modbus-server")
        group.stop()
        #expect(Self.thread(served.first!) == nil)
        for port in ports { #expect(!ExternalPeers.accepts(port: port)) }
    }

    @Test("a client that sends half a request holds up no other client of the thread; its request is answered once whole")
    func halfARequest() throws {
        let group = ModbusServerGroup([Self.server(100), Self.server(200)])
        try group.start()
        defer { group.stop() }
        let stalled = try RawClient(port: group.servers[0].port)
        let whole = Self.request(transaction: 7, address: 1, count: 2)
        try stalled.send(Array(whole[0..<5]))
        // Both servers of the thread answer others meanwhile (the old receive waited in the server's thread).
        #expect(try Self.reader(group.servers[1].port).read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 1)) == [200])
        #expect(try Self.reader(group.servers[0].port).read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 1)) == [100])
        try stalled.send(Array(whole[5...]))
        #expect(try stalled.receive(13) == [0, 7, 0, 0, 0, 7, 1, 3, 4, 0, 101, 0, 102])
    }

    @Test("two requests in one segment get two replies, in order; a request sent a byte at a time gets one")
    func framing() throws {
        let server = Self.server(500)
        try server.start()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(Self.request(transaction: 1, address: 0, count: 1) + Self.request(transaction: 2, address: 3, count: 1))
        #expect(try client.receive(11) == [0, 1, 0, 0, 0, 5, 1, 3, 2, 1, 244])
        #expect(try client.receive(11) == [0, 2, 0, 0, 0, 5, 1, 3, 2, 1, 247])
        for byte in Self.request(transaction: 3, address: 9, count: 1) { try client.send([byte]) }
        #expect(try client.receive(11) == [0, 3, 0, 0, 0, 5, 1, 3, 2, 1, 253])
    }

    @Test("a stream that is not Modbus TCP is dropped, as a device drops it, and the server serves the next client",
          arguments: [
              [0, 1, 0, 0, 0, 0, 1, 3, 0, 0, 0, 1],  // a length of 0
              [0, 1, 0, 0, 1, 0, 1, 3, 0, 0, 0, 1],  // a length of 256
              [0, 1, 0, 0, 0, 4, 1, 3, 0, 0],  // a read shorter than its address and count
          ] as [[UInt8]])
    func notModbus(frame: [UInt8]) throws {
        let server = Self.server(500)
        try server.start()
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        try client.send(frame)
        #expect(try client.receiveUntilClosed() == [])
        #expect(try Self.reader(server.port).read(ReadRequest(kind: .holding, unit: 1, address: 0, count: 1)) == [500])
    }

    @Test("RTU over TCP in a group keeps a thread of its own, beside the shared one")
    func rtuOverTCPInAGroup() throws {
        let shared = Mutex<Set<pid_t>>([]), own = Mutex<Set<pid_t>>([])
        let rtu = ModbusServer(endpoint: .rtuOverTCP(SerialGateway(host: "127.0.0.1", port: ExternalPeers.freePort())),
                               units: [4: Self.map(40)], observer: { _ in own.withLock { _ = $0.insert(ServerGroupTests.currentThread()) } })
        let group = ModbusServerGroup([Self.server(100, threads: shared), rtu, Self.server(200, threads: shared)])
        try group.start()
        defer { group.stop() }
        let reader = ModbusReader(endpoint: .rtuOverTCP(SerialGateway(host: "127.0.0.1", port: rtu.port)),
                                  options: .init(connectTimeout: .seconds(2), responseTimeout: .seconds(2)))
        #expect(try reader.read(ReadRequest(kind: .holding, unit: 4, address: 1, count: 1)) == [41])
        #expect(try Self.reader(group.servers[0].port).read(ReadRequest(kind: .holding, unit: 1, address: 1, count: 1)) == [101])
        #expect(try Self.reader(group.servers[2].port).read(ReadRequest(kind: .holding, unit: 1, address: 1, count: 1)) == [201])
        let (s, o) = (shared.withLock { $0 }, own.withLock { $0 })
        #expect(s.count == 1 && o.count == 1 && s != o)
    }

    @Test("a group that cannot start names the endpoint and leaves no server listening")
    func startFails() throws {
        let taken = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: Self.map(0))
        try taken.start()
        defer { taken.stop() }
        let first = Self.server(100)
        let clash = ModbusEndpoint.tcp(host: "127.0.0.1", port: taken.port)
        let group = ModbusServerGroup([first, ModbusServer(endpoint: clash, map: Self.map(0))])
        #expect {
            try group.start()
        } throws: { failure in
            guard let failure = failure as? ModbusServerGroup.Failure, failure.endpoint == clash,
                  case .cannotServe = failure.error else { return false }
            return true
        }
        #expect(first.port != 0 && !ExternalPeers.accepts(port: first.port))
    }
}

/// A plain TCP client that sends and receives bytes as given.
final class RawClient {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // A reply that never comes fails the test instead of hanging it.
        var wait = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        guard Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw POSIXError(.EPIPE) }
    }

    /// Exactly `count` bytes.
    func receive(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard recv(fd, &bytes, count, Int32(MSG_WAITALL)) == count else { throw POSIXError(.ETIMEDOUT) }
        return bytes
    }

    /// Whatever arrives until the server closes the connection.
    func receiveUntilClosed() throws -> [UInt8] {
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { return all }
            if n < 0 { throw POSIXError(.ETIMEDOUT) }
            all += chunk[0..<n]
        }
    }
}
