import Modbus
#if canImport(Glibc)
import Glibc
#endif

/// `riglog-bench modbus-server PORT` and `riglog-bench modbus-client PORT TRANSACTIONS COUNT`:
/// the Swift side of the Modbus transaction benchmark (Benchmarks/modbus/README.md).
enum ModbusBench {
    /// Serves 125 holding registers until standard input closes.
    static func serve(port: Int, rtuOverTCP: Bool = false) {
        let map = RegisterMap(holdingRegisters: 125)
        map.set(.holding, at: 0, to: (0..<125).map { UInt16($0) })
        let server = ModbusServer(endpoint: endpoint(port: port, rtuOverTCP: rtuOverTCP), map: map)
        do { try server.start() } catch { fail(error) }
        print("ready")
        fflush(nil)
        var byte: UInt8 = 0
        while read(0, &byte, 1) > 0 {}
        server.stop()
    }

    /// The collector's hot path: `readRegisters` into a buffer allocated once.
    static func client(port: Int, transactions: Int, count: Int, rtuOverTCP: Bool = false) {
        let reader = ModbusReader(endpoint: endpoint(port: port, rtuOverTCP: rtuOverTCP))
        let buffer = UnsafeMutableBufferPointer<UInt16>.allocate(capacity: 125)
        defer { buffer.deallocate() }
        do { try reader.connect() } catch { fail(error) }
        var checksum: UInt64 = 0
        let c0 = threadCPUNanoseconds(), t0 = monotonicNanoseconds()
        for _ in 0..<transactions {
            do {
                try reader.readRegisters(.holding, unit: 1, address: 0, count: count, into: buffer)
            } catch {
                fail(error)
            }
            checksum &+= UInt64(buffer[count - 1])
        }
        let t1 = monotonicNanoseconds(), c1 = threadCPUNanoseconds()
        print("{\"transactions\": \(transactions), \"wall_ns\": \(t1 - t0), \"cpu_ns\": \(c1 - c0), \"checksum\": \(checksum)}")
    }

    static func endpoint(port: Int, rtuOverTCP: Bool) -> ModbusEndpoint {
        rtuOverTCP ? .rtuOverTCP(SerialGateway(host: "127.0.0.1", port: port)) : .tcp(host: "127.0.0.1", port: port)
    }

    static func fail(_ error: any Error) -> Never {
        let text = "\(error)\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
        exit(1)
    }

    static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func threadCPUNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
