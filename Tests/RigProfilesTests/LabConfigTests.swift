import Timekeeping
import Foundation
import Testing
import Modbus

import RigProfiles

/// Connection URLs in a lab config are parsed by Modbus.ModbusEndpoint (one parser for the
/// collector, the simulator, `probe` and the loader).
struct ConnectionEndpointTests {
    @Test func tcpDefaultsToPort502() throws {
        #expect(try ModbusEndpoint(url: "tcp://192.168.10.21") == .tcp(host: "192.168.10.21", port: 502))
        #expect(try ModbusEndpoint(url: "tcp://gw.lab:1502") == .tcp(host: "gw.lab", port: 1502))
        #expect(try ModbusEndpoint(url: "tcp://[fe80::1]:502") == .tcp(host: "fe80::1", port: 502))
    }

    @Test func rtuDefaultsTo19200EvenParity() throws {
        let endpoint = try ModbusEndpoint(url: "rtu:///dev/ttyUSB0")
        #expect(endpoint == .rtu(SerialLine(device: "/dev/ttyUSB0", baud: 19200, parity: .even, dataBits: 8, stopBits: 1)))
        #expect(endpoint.description == "rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1")
        let custom = try ModbusEndpoint(url: "rtu:///dev/ttyS1?baud=9600&parity=N&stop=2")
        #expect(custom == .rtu(SerialLine(device: "/dev/ttyS1", baud: 9600, parity: .none, dataBits: 8, stopBits: 2)))
    }

    @Test(arguments: [
        "192.168.10.21:502", "tcp://", "tcp://host:0", "tcp://host:port", "rtu://ttyUSB0", "rtu:///dev/ttyUSB0?baud=12345",
        "rtu:///dev/ttyUSB0?speed=9600", "rtu:///dev/ttyUSB0?data=9", "rtu:///dev/ttyUSB0?baud=9600&baud=19200", "udp://host", "tcp://fe80::1",
    ])
    func refuses(text: String) {
        #expect { _ = try ModbusEndpoint(url: text) } throws: { error in
            if case .invalidURL = error as? ModbusError { true } else { false }
        }
    }
}

struct LabLoaderTests {
    private func withLab(_ yaml: String, _ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-lab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("lab.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        try body(path)
    }

    @Test func rigsOnOneGatewayShareAConnection() throws {
        try withLab("""
            lab: Test lab
            timezone: UTC
            rigs:
              - {id: a, profile: brake-trainer, connection: "tcp://10.0.0.1", unit: 1}
              - {id: b, profile: engine-trainer, connection: "tcp://10.0.0.2", unit: 1}
              - {id: c, profile: brake-trainer, connection: "tcp://10.0.0.1:502", unit: 2}
            """) { path in
            let lab = try LabLoader.load(path: path, devicesFolder: RepoPaths.devices)
            #expect(lab.connections.map { $0.rigs.map(\.id) } == [["a", "c"], ["b"]])
            #expect(lab.rig(id: "a")?.name == "a")
            #expect(lab.profiles.keys.sorted() == ["brake-trainer", "engine-trainer"])
            #expect(lab.dataPath.hasSuffix("riglog-data"))
            #expect(lab.rig(id: "c")?.requestPlan.requests.isEmpty == false)
        }
    }

    /// The lab config of DESIGN.md ("Lab config"), verbatim: the contract's own example loads.
    @Test func theDesignExampleLoads() throws {
        try withLab("""
            lab: Luban Workshop, transportation equipment lab
            timezone: Asia/Almaty            # reports use it; storage is UTC
            data: ./riglog-data              # SQLite folder (default)
            central: postgres://riglog@db.example/riglog   # optional: forward to PostgreSQL
            students: students.csv           # roster: id,name,group,badge[,email]
            rigs:
              - id: brake-1                  # stable id used everywhere
                name: Brake system trainer 1
                profile: brake-trainer       # Devices/brake-trainer.yaml, or a path relative to this file
                connection: tcp://192.168.10.21:502
                unit: 1
                poll: 50ms                   # overrides the profile
              - id: ev-1
                profile: ev-battery-trainer
                connection: rtu:///dev/ttyUSB0?baud=19200&parity=E&data=8&stop=1&timeout=60ms
                unit: 3
              - id: gearbox-1                # a bus behind a serial-to-Ethernet converter (transparent mode)
                profile: transmission-trainer
                connection: rtu+tcp://192.168.10.40:4001?baud=9600
                unit: 4
              - id: meter-1                  # a TCP device addressed by its IP: polled as unit 255
                profile: schneider-pm5100
                connection: tcp://192.168.10.31
                timeout: 800ms               # this rig's replies may be slow (default: its bus's, else --timeout)
                reply_unit: 1                # it answers as unit 1 whatever is asked (TCP only; default: the unit asked)
            """) { path in
            let lab = try LabLoader.load(path: path, devicesFolder: RepoPaths.devices)
            #expect(lab.name == "Luban Workshop, transportation equipment lab")
            #expect(lab.central == "postgres://riglog@db.example/riglog")
            #expect(lab.studentsPath?.hasSuffix("/students.csv") == true)
            #expect(lab.rigs.map(\.id) == ["brake-1", "ev-1", "gearbox-1", "meter-1"])
            #expect(lab.rigs[0].poll == .milliseconds(50))
            #expect(lab.rigs[1].endpoint == .rtu(SerialLine(device: "/dev/ttyUSB0", timing: BusTiming(responseTimeout: .milliseconds(60)))))
            #expect(lab.rigs[2].endpoint == .rtuOverTCP(SerialGateway(host: "192.168.10.40", port: 4001, baud: 9600)))
            #expect(lab.rigs[3].unit == 255 && lab.rigs[3].replyUnit == 1 && lab.rigs[3].timeout == .milliseconds(800))
            #expect(lab.rigs[0].unit == 1 && lab.rigs[0].replyUnit == nil && lab.rigs[0].timeout == nil)
            #expect(lab.connections.count == 4)
        }
    }

    @Test("unit ids: 0 and 255 over TCP, 255 when none is given; a serial bus needs 1-247; a converter's rigs share one connection")
    func unitIds() throws {
        try withLab("""
            lab: Test lab
            timezone: UTC
            rigs:
              - {id: a, profile: brake-trainer, connection: "tcp://10.0.0.1"}
              - {id: b, profile: brake-trainer, connection: "tcp://10.0.0.2", unit: 0}
              - {id: c, profile: eastron-sdm630, connection: "rtu+tcp://10.0.0.9:4001?baud=19200", unit: 1}
              - {id: d, profile: eastron-sdm630, connection: "rtu+tcp://10.0.0.9:4001", unit: 247}
            """) { path in
            let lab = try LabLoader.load(path: path, devicesFolder: RepoPaths.devices)
            #expect(lab.rigs.map(\.unit) == [255, 0, 1, 247])
            #expect(lab.connections.map { $0.rigs.map(\.id) } == [["a"], ["b"], ["c", "d"]])
        }
        try withLab("""
            lab: Test lab
            timezone: UTC
            rigs:
              - {id: a, profile: brake-trainer, connection: "rtu+tcp://10.0.0.9:4001"}
            """) { path in
            #expect { _ = try LabLoader.load(path: path, devicesFolder: RepoPaths.devices) } throws: {
                "\($0)".contains("rigs[0].unit: missing, expected the Modbus unit id (slave address) of the device on the bus, 1-247")
            }
        }
    }

    @Test func aPasswordInTheCentralURLIsRefusedWithWhatToDoInstead() throws {
        try withLab("""
            lab: L
            timezone: UTC
            central: postgres://riglog:s3cret@db.example/riglog
            rigs:
              - {id: a, profile: brake-trainer, connection: "tcp://h", unit: 1}
            """) { path in
            do throws(ConfigErrors) {
                _ = try LabLoader.load(path: path, devicesFolder: RepoPaths.devices)
                Issue.record("loaded")
            } catch {
                #expect(error.issues.count == 1)
                #expect(error.issues.first?.location.file == path)
                let message = error.issues.first?.message ?? ""
                #expect(message.hasPrefix("3:10: central: a password in the central URL is refused"), "\(message)")
                #expect(message.contains("central_password_file:") && message.contains("PGPASSWORD"))
                #expect(!message.contains("s3cret"), "the password is not repeated")
            }
        }
    }

    @Test func theCentralPasswordFileIsRelativeToTheLabFile() throws {
        try withLab("""
            lab: L
            timezone: UTC
            central: postgres://riglog@db.example:5433/riglog
            central_password_file: secrets/central.txt
            rigs:
              - {id: a, profile: brake-trainer, connection: "tcp://h", unit: 1}
            """) { path in
            let lab = try LabLoader.load(path: path, devicesFolder: RepoPaths.devices)
            #expect(lab.central == "postgres://riglog@db.example:5433/riglog")
            #expect(lab.centralPasswordFile == (path as NSString).deletingLastPathComponent + "/secrets/central.txt")
        }
    }

    @Test func aPathProfileIsRelativeToTheLabFile() throws {
        try withLab("""
            lab: Test lab
            timezone: Asia/Shanghai
            rigs:
              - {id: a, profile: \(RepoPaths.devices)/adam-6050.yaml, connection: "tcp://10.0.0.1", unit: 1}
            """) { path in
            let lab = try LabLoader.load(path: path, devicesFolder: "/nonexistent")
            #expect(lab.rigs[0].profile.name == "adam-6050")
        }
    }

    @Test func aBrokenProfileIsReportedInItsOwnFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("riglog-devices-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let profilePath = folder.appendingPathComponent("bad.yaml").path
        try "profile: bad\ntitle: Bad\nchannels:\n  - {name: x, source: input 0, type: u61}\n".write(toFile: profilePath, atomically: true, encoding: .utf8)
        try withLab("lab: L\ntimezone: UTC\nrigs:\n  - {id: a, profile: bad, connection: \"tcp://h\", unit: 1}\n") { path in
            do throws(ConfigErrors) {
                _ = try LabLoader.load(path: path, devicesFolder: folder.path)
                Issue.record("loaded")
            } catch {
                #expect(error.issues.count == 2)
                #expect(error.issues[0].location.file == path)
                #expect(error.issues[1].location.file == profilePath)
                #expect(error.issues[1].message.hasPrefix("4:38: channels[0].type: found \"u61\""))
            }
        }
    }

    @Test func theDevicesFolderIsFoundAroundTheLab() {
        #expect(LabLoader.defaultDevicesFolder(forLabAt: RepoPaths.devices + "/examples/lab.yaml") == RepoPaths.devices)
        #expect(PathText.join("Devices/examples", "../brake.yaml") == "Devices/brake.yaml")
        #expect(PathText.join("/a/b", "../../c") == "/c")
    }
}
