import Threads
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One reader's request and reply buffers, allocated once, and the rules that match a reply
/// to its request. `package` for the fuzz harness (`riglog-fuzz modbus-tcp`, `modbus-rtu`), which
/// frames a request and matches arbitrary reply bytes against it as the readers do.
package struct Transaction {
    /// The largest Modbus ADU (TCP: 7-byte header + 253-byte PDU).
    package static let capacity = 260

    package let request: UnsafeMutablePointer<UInt8>
    package let reply: UnsafeMutablePointer<UInt8>
    private var id: UInt16 = 0

    package init() {
        request = .allocate(capacity: Self.capacity)
        reply = .allocate(capacity: Self.capacity)
        request.initialize(repeating: 0, count: Self.capacity)
        reply.initialize(repeating: 0, count: Self.capacity)
    }

    package func deallocate() {
        request.deallocate()
        reply.deallocate()
    }

    package enum Match {
        case data(UnsafeBufferPointer<UInt8>)
        case exception(UInt8)
        case wrongUnit(UInt8)
        case mismatch(String)
    }

    /// Writes the request frame (MBAP header + PDU over TCP; unit + PDU on a serial line,
    /// where libmodbus appends the CRC) and returns its length.
    package mutating func frame(_ r: ReadRequest, tcp: Bool) -> Int {
        var i = 0
        if tcp {
            id &+= 1
            request[0] = UInt8(id >> 8); request[1] = UInt8(id & 0xFF)
            request[2] = 0; request[3] = 0          // protocol id: Modbus
            request[4] = 0; request[5] = 6          // bytes that follow
            i = 6
        }
        request[i] = r.unit
        request[i + 1] = r.kind.readFunctionCode
        request[i + 2] = UInt8(r.address >> 8); request[i + 3] = UInt8(r.address & 0xFF)
        request[i + 4] = UInt8(r.count >> 8); request[i + 5] = UInt8(r.count & 0xFF)
        return i + 6
    }

    /// Checks the `n`-byte reply against the request it should answer.
    package func match(_ r: ReadRequest, replyLength n: Int, tcp: Bool) -> Match {
        let header = tcp ? 7 : 1
        let checksum = tcp ? 0 : 2
        // libmodbus's serial reply filter reports a frame from another unit as an empty message.
        if n == 0 { return .wrongUnit(reply[0]) }
        guard n >= header + 2 else { return .mismatch("a reply of only \(n) bytes") }
        if tcp {
            // The protocol id first: bytes that are no Modbus reply at all (a web server's
            // answer, line noise) have no transaction id, and calling them a late reply would
            // send a technician looking for a second master.
            if reply[2] != 0 || reply[3] != 0 { return .mismatch("not a Modbus reply (protocol id \(reply[2]) \(reply[3]))") }
            let got = UInt16(reply[0]) << 8 | UInt16(reply[1])
            if got != id { return .mismatch("transaction \(got) instead of \(id): a late reply to an earlier request") }
        }
        if reply[header - 1] != r.replyUnit ?? r.unit { return .wrongUnit(reply[header - 1]) }
        let function = reply[header]
        let expectedFunction = r.kind.readFunctionCode
        if function == expectedFunction | 0x80 { return .exception(reply[header + 1]) }
        if function != expectedFunction { return .mismatch("function code \(function) instead of \(expectedFunction)") }
        let bytes = r.kind.isBit ? (r.count + 7) / 8 : 2 * r.count
        if Int(reply[header + 1]) != bytes || n != header + 2 + bytes + checksum {
            return .mismatch("\(reply[header + 1]) bytes of data instead of \(bytes)")
        }
        return .data(UnsafeBufferPointer(start: reply + header + 2, count: bytes))
    }
}

/// Which way a traced frame went.
public enum FrameDirection: String, Sendable, Hashable {
    case sent = "->"
    case received = "<-"
}

/// Where a reader reports every frame it sends and receives (`probe --trace`,
/// `collect --trace RIG`, `riglog trace`): the frame's bytes in hex, as they went on the wire
/// (MBAP header or CRC included), with the wall-clock time in microseconds, the rig and, for a
/// reply, the microseconds since its request left.
///
/// A reader without a tracer does no tracing work at all; one with a tracer formats a line per
/// frame of its traced units only, so tracing one rig never costs the others on its connection
/// more than a table look-up.
///
/// ```
/// 2026-12-03T02:41:07.120345Z brake-1 -> 00 2A 00 00 00 06 01 03 00 00 00 0A
/// 2026-12-03T02:41:07.120911Z brake-1 <- 00 2A 00 00 00 17 01 03 14 ... +566us
/// ```
public final class FrameTracer: Sendable {
    /// A traced frame, as the output receives it.
    public struct Frame: Sendable, Hashable {
        public var direction: FrameDirection
        /// Wall-clock microseconds since 1970 UTC.
        public var time: Int64
        /// The rig (or, for a probe, the unit) the frame belongs to.
        public var rig: String
        public var bytes: [UInt8]
        /// For a reply: microseconds since its request was sent.
        public var latency: Int64?

        /// The trace line (without a newline).
        public var line: String {
            var text = FrameTracer.iso8601(microseconds: time) + " " + rig + " " + direction.rawValue
            for b in bytes { text += " " + FrameTracer.hex(b) }
            if let latency { text += " +\(latency)us" }
            return text
        }
    }

    /// The rig name of each traced unit id; nil traces every unit under its number.
    public let units: [UInt8: String]?
    private let output: @Sendable (Frame) -> Void
    private let sentAt = Mutex<Int64>(0)

    /// - Parameters:
    ///   - units: the units to trace, with the rig name to show; nil for every unit.
    ///   - output: receives each frame; the default writes its line to standard error.
    public init(units: [UInt8: String]? = nil, output: @escaping @Sendable (Frame) -> Void = FrameTracer.standardError) {
        self.units = units
        self.output = output
    }

    /// Writes the frame's line to standard error in one `write`, so lines of several threads
    /// never interleave.
    public static let standardError: @Sendable (Frame) -> Void = { frame in
        let line = frame.line + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    /// Reports `count` bytes of a frame whose unit id is at `unitOffset` (6 over TCP, 0 in RTU).
    func frame(_ direction: FrameDirection, _ bytes: UnsafePointer<UInt8>, count: Int, unitOffset: Int) {
        let unit = count > unitOffset ? bytes[unitOffset] : 0
        let rig: String
        if let units {
            guard let name = units[unit] else { return }
            rig = name
        } else {
            rig = "unit \(unit)"
        }
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let now = Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
        var latency: Int64?
        switch direction {
        case .sent: sentAt.withLock { $0 = now }
        case .received: latency = now - sentAt.withLock { $0 }
        }
        clock_gettime(CLOCK_REALTIME, &ts)
        let wall = Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
        output(Frame(direction: direction, time: wall, rig: rig, bytes: Array(UnsafeBufferPointer(start: bytes, count: count)),
                     latency: latency))
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }

    /// `2026-12-03T02:41:07.120345Z`.
    static func iso8601(microseconds: Int64) -> String {
        var seconds = time_t(microseconds / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let fraction = String(microseconds % 1_000_000)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):"
            + "\(two(parts.tm_sec)).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)Z"
    }
}
