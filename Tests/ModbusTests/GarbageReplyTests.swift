import Foundation
import Testing
import Modbus
import RiglogTesting

/// A TCP "device" that answers every read with bytes that are no Modbus reply at all (an HTTP
/// error line: the wrong port, a web server), from the reliability suite's faulty rig: the
/// reader reports that, not a late reply to an earlier request (found by the fault injection
/// tests on the blocking reader, which matched the transaction id before the protocol id).
@Suite("Garbage replies")
struct GarbageReplyTests {
    static let script = RiglogBinary.root.appendingPathComponent("Tests/ReliabilityTests/Peers/faulty_rig.py").path

    @Test("bytes that are no Modbus reply are reported as such, not as a late reply")
    func garbageIsNoModbusReply() async throws {
        let (server, port) = try await onOwnThread {
            try ExternalPeers.startServer("faulty_rig.py --mode garbage", "python3") { [Self.script, "--mode", "garbage", "--every", "1", "--port", String($0)] }
        }
        defer { server.stop() }
        let endpoint = ModbusEndpoint.tcp(host: "127.0.0.1", port: port)
        let reader = ModbusReader(endpoint: endpoint, options: .init(responseTimeout: .seconds(2)))
        defer { reader.close() }
        let request = ReadRequest(kind: .input, unit: 1, address: 0, count: 2)
        let error = #expect(throws: ModbusError.self) { _ = try reader.read(request) }
        guard case .mismatchedReply(_, _, let detail) = error else {
            Issue.record("expected a mismatched reply, got \(String(describing: error))")
            return
        }
        #expect(detail.hasPrefix("not a Modbus reply"), "\(detail)")
        #expect(error?.category == .mismatch)
    }
}
