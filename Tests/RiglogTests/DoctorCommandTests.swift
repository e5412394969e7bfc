import Foundation
import Modbus
import Threads
import RiglogTesting
import Testing

/// `riglog doctor` against a lab with one rig that answers, one dead rig, one wrong unit id and
/// a serial port the service user cannot open, with the HTTP port taken: each named, with what
/// to do, and exit 1.
@Suite struct DoctorCommandTests {
    @Test func namesEveryProblemOfALabWithWhatToDo() async throws {
        let folder = NSTemporaryDirectory() + "riglog-doctor-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let map = RegisterMap(size: 4)
        map.set(.input, at: 0, to: [42, 7])
        let functionCodes = Mutex<Set<UInt8>>([])
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), units: [1: map],
                                  observer: { r in functionCodes.withLock { _ = $0.insert(r.functionCode) } })
        try server.start()
        defer { server.stop() }
        let pty = try await PtyPair()
        // The device as udev makes it for root alone: the service user may not open it.
        let device = try FileManager.default.destinationOfSymbolicLink(atPath: pty.a)
        #expect(chmod(device, 0o600) == 0)
        let dead = ExternalPeers.freePort()
        // The HTTP port, taken by another program.
        let taken = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(taken) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(taken, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(bound == 0 && listen(taken, 1) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(taken, $0, &length) } }
        let httpPort = Int(UInt16(bigEndian: addr.sin_port))

        try """
            profile: two
            title: {en: Two}
            poll: 100ms
            channels:
              - {name: level, source: input 0, type: u16}
              - {name: flow, source: input 1, type: u16}

            """.write(toFile: folder + "/Devices/two.yaml", atomically: true, encoding: .utf8)
        try """
            lab: Doctor test
            timezone: UTC
            rigs:
              - {id: good, profile: two, connection: "tcp://127.0.0.1:\(server.port)", unit: 1}
              - {id: wrong-unit, profile: two, connection: "tcp://127.0.0.1:\(server.port)", unit: 7}
              - {id: dead, profile: two, connection: "tcp://127.0.0.1:\(dead)", unit: 1}
              - {id: serial, profile: two, connection: "rtu://\(pty.a)?baud=19200", unit: 1}

            """.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        let result = try StoreCLIHarness.riglog(["doctor", folder + "/lab.yaml", "--devices", folder + "/Devices", "--data", folder + "/data",
                                                 "--user", "nobody", "--http", "127.0.0.1:\(httpPort)", "--timeout", "300ms"])
        let lines = result.text.split(separator: "\n").map(String.init)
        func line(_ subject: String) -> String { lines.first { $0.contains(" \(subject): ") } ?? "(no line for \(subject))\n\(result.text)" }
        #expect(result.status == 1, "\(result.text)\(result.stderr)")
        #expect(line("rig good").hasPrefix("ok ") && line("rig good").contains("answered its profile's first request"))
        #expect(line("rig wrong-unit").hasPrefix("PROBLEM") && line("rig wrong-unit").contains("has no unit 7") && line("rig wrong-unit").contains("correct unit:"))
        #expect(line("rig dead").hasPrefix("PROBLEM") && line("rig dead").contains("cannot reach tcp://127.0.0.1:\(dead)"))
        #expect(line("serial \(pty.a)").hasPrefix("PROBLEM") && line("serial \(pty.a)").contains("not readable and writable by nobody: add the user to group"))
        #expect(line("http 127.0.0.1:\(httpPort)").hasPrefix("PROBLEM") && line("http 127.0.0.1:\(httpPort)").contains("in use by another program"))
        #expect(line("disk").contains("days left"))
        #expect(line("store").hasPrefix("ok "))
        #expect(result.stderr.contains("need action: ") && result.stderr.contains("rig wrong-unit") && result.stderr.contains("rig dead"))
        #expect(!result.stderr.contains("rig good"))
        // Reads only: the server saw nothing but reads.
        #expect(!functionCodes.withLock { $0 }.isEmpty && functionCodes.withLock { $0 }.isSubset(of: [1, 2, 3, 4]))
    }

    @Test func aWrongConfigIsAUsageErrorNamingTheFile() throws {
        let folder = NSTemporaryDirectory() + "riglog-doctor-bad-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "lab: x\nrigs: 5\n".write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        let result = try StoreCLIHarness.riglog(["doctor", folder + "/lab.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("lab.yaml:"), "\(result.stderr)")
    }
}
