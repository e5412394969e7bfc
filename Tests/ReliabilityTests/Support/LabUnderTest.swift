import Foundation
import Ingest
import Modbus
import RiglogTesting
import Store

/// A small lab for the reliability scenarios: riglog's own Modbus server in the test process
/// holding `rigs` rigs (one unit each, eight input registers polled every 10 ms, so a few
/// seconds store thousands of frames, and a badge reader in holding 0-1: ``badge(_:rig:)``), a lab config for it, and the built `riglog collect`
/// started on it with its web on a free loopback port (the board public, for the live feed).
final class LabUnderTest {
    let folder: String
    let server: ModbusServer
    let maps: [RegisterMap]
    let rigs: [String]

    init(rigs count: Int = 2, name: String = "reliability") throws {
        folder = NSTemporaryDirectory() + "riglog-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
        maps = (0..<count).map { unit in
            let map = RegisterMap(holdingRegisters: 2, inputRegisters: 8)
            map.set(.input, at: 0, to: (0..<8).map { UInt16(unit * 100 + $0) })
            return map
        }
        var units: [UInt8: RegisterMap] = [:]
        for (i, map) in maps.enumerated() { units[UInt8(i + 1)] = map }
        server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), units: units)
        try server.start()
        rigs = (1...count).map { "rig-\($0)" }
        try """
            profile: fast
            title: {en: Fast test rig}
            poll: 10ms
            operator: {source: holding 0, type: u32}
            channels:
            \((0..<8).map { "  - {name: c\($0), source: input \($0), type: u16}" }.joined(separator: "\n"))
            """.write(toFile: folder + "/Devices/fast.yaml", atomically: true, encoding: .utf8)
        try """
            lab: Reliability lab
            timezone: UTC
            web:
              public_board: true
            rigs:
            \(rigs.enumerated().map { "  - {id: \($1), profile: fast, connection: \"tcp://127.0.0.1:\(server.port)\", unit: \($0 + 1)}" }.joined(separator: "\n"))
            """.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
    }

    /// Puts a badge on rig `index`'s reader (0: nobody).
    func badge(_ badge: UInt32, rig index: Int = 0) {
        maps[index].set(.holding, at: 0, to: [UInt16(badge >> 16), UInt16(badge & 0xFFFF)])
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// `riglog collect` on this lab into `data`, its web on `port`; `environment` (NAME=value)
    /// is set for it alone (through env(1)).
    func collect(data: String, port: Int, environment: [String] = []) throws -> RiglogProcess {
        let arguments = ["collect", folder + "/lab.yaml", "--data", data, "--http", "127.0.0.1:\(port)"]
        if environment.isEmpty { return try RiglogProcess(arguments) }
        return try RiglogProcess(environment + [try RiglogBinary.url().path] + arguments, executable: "/usr/bin/env")
    }

    /// Every stored sample's time (ns) of every channel of the lab, by channel name.
    static func storedTimes(_ store: StoreDatabase, rig: String) throws -> [String: [Int64]] {
        var result: [String: [Int64]] = [:]
        for channel in try store.rig(rig).channels {
            var times: [Int64] = []
            try store.forEachSample(of: [channel]) { times.append($0.time) }
            result[channel.name] = times
        }
        return result
    }
}

/// What the collector's web says: `/metrics` as numbers by series, `/healthz`, one live-feed
/// `values` message. Read with curl, as a monitoring system or a browser would.
enum CollectorWeb {
    static func get(_ port: Int, _ path: String, maxTime: Int = 5) -> (status: Int, body: String)? {
        let file = NSTemporaryDirectory() + "riglog-get-\(UUID().uuidString)"
        defer { unlink(file) }
        guard let result = try? ExternalPeers.capture("/usr/bin/curl", ["-s", "-m", "\(maxTime)", "-o", file, "-w", "%{http_code}", "http://127.0.0.1:\(port)\(path)"]),
              let status = Int(result.text), status > 0 else { return nil }
        return (status, (try? String(contentsOfFile: file, encoding: .utf8)) ?? "")
    }

    /// The exposition's samples by series (`name{labels}` as written), nil if it did not answer.
    static func metrics(_ port: Int) -> [String: Double]? {
        guard let (status, body) = get(port, "/metrics"), status == 200 else { return nil }
        var values: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }

    /// The first `event: values` message's data of the live feed, as JSON.
    static func liveValues(_ port: Int) -> [String: Any]? {
        guard let (_, body) = get(port, "/api/v1/live", maxTime: 3) else { return nil }
        var event = ""
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
            if line.hasPrefix("data: "), event == "values",
               let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any] {
                return object
            }
        }
        return nil
    }
}
