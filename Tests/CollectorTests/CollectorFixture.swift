import Foundation
import Modbus
import RigProfiles
import RiglogTesting
import Store
import Testing
import Collector

/// A lab written to a temporary folder: profiles, a lab.yaml pointing at loopback servers, and a
/// store; plus helpers to serve a profile's channels with known values.
final class CollectorFixture {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "riglog-collector-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    /// A profile with one channel of every type and (for multi-register types) every word order.
    static let allTypesProfile: String = {
        var channels: [String] = []
        var address = 0
        func add(_ name: String, _ type: String, order: String? = nil, scale: Double? = nil, offset: Double? = nil, width: Int) {
            var line = "  - {name: \(name), source: holding \(address), type: \(type)"
            if let order { line += ", order: \(order)" }
            if let scale { line += ", scale: \(scale)" }
            if let offset { line += ", offset: \(offset)" }
            channels.append(line + "}")
            address += width
        }
        add("u16_scaled", "u16", scale: 0.1, width: 1)
        add("i16_offset", "i16", scale: 0.5, offset: -40, width: 1)
        for order in ["ABCD", "CDAB", "BADC", "DCBA"] {
            add("u32_\(order.lowercased())", "u32", order: order, width: 2)
            add("i32_\(order.lowercased())", "i32", order: order, width: 2)
            add("f32_\(order.lowercased())", "f32", order: order, width: 2)
        }
        for order in ["ABCDEFGH", "GHEFCDAB", "BADCFEHG", "HGFEDCBA"] {
            add("u64_\(order.lowercased())", "u64", order: order, width: 4)
            add("i64_\(order.lowercased())", "i64", order: order, width: 4)
            add("f64_\(order.lowercased())", "f64", order: order, width: 4)
        }
        channels.append("  - {name: status_bit3, source: holding \(address), type: bit 3}")
        channels.append("  - {name: status_bit15, source: holding \(address), type: bit 15}")
        channels.append("  - {name: relay, source: coil 4, type: bool}")
        channels.append("  - {name: door_closed, source: discrete 2, type: bool}")
        return """
            profile: all-types
            title: {en: Every type and word order}
            poll: 20ms
            operator: {source: holding 150, type: u32}
            channels:
            \(channels.joined(separator: "\n"))
            """
    }()

    func writeProfile(_ name: String, _ text: String) throws {
        try text.write(toFile: folder + "/Devices/\(name).yaml", atomically: true, encoding: .utf8)
    }

    /// Writes lab.yaml with `rigs` (id, profile, connection URL, unit) and loads it.
    func lab(_ rigs: [(id: String, profile: String, connection: String, unit: Int)], poll: String? = nil) throws -> LabConfig {
        var text = "lab: Test lab\ntimezone: Asia/Almaty\ndata: ./data\nrigs:\n"
        for rig in rigs {
            text += "  - {id: \(rig.id), profile: \(rig.profile), connection: \"\(rig.connection)\", unit: \(rig.unit)\(poll.map { ", poll: \($0)" } ?? "")}\n"
        }
        try text.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
        return try LabLoader.load(path: folder + "/lab.yaml", devicesFolder: folder + "/Devices")
    }

    func openStore() throws -> StoreDatabase { try StoreDatabase.open(folder: folder + "/data") }

    /// Puts `value(channel)` into `map` for every channel of `profile`, encoded as the profile
    /// says: the same codecs the collector decodes with, used the other way.
    static func serve(_ profile: DeviceProfile, in map: RegisterMap, value: (Channel) -> Double) {
        map.withTables { t in
            for channel in profile.channels {
                let raw = channel.rawValue(for: value(channel))
                let kind = channel.address.kind
                if kind.isBit {
                    t[kind, channel.address.address] = raw.doubleValue != 0 ? 1 : 0
                } else {
                    let table = kind == .holding ? t.holding : t.input
                    ValueCodec.encode(raw, as: channel.type, order: channel.order,
                                      into: UnsafeMutableBufferPointer(rebasing: table[channel.address.address...]))
                }
            }
        }
    }

    /// A value each channel of the all-types profile can carry exactly.
    static func testValue(_ channel: Channel, unit: Int) -> Double {
        let u = Double(unit)
        switch channel.type {
        case .bool, .bit: return unit % 2 == 0 ? 0 : 1
        case .u16: return 1234.5 + u          // scale 0.1: raw 12345 + 10u
        case .i16: return -12.5 + u           // raw (v + 40) / 0.5
        case .u32: return 3_000_000_000 + u
        case .i32: return -2_000_000_000 + u
        case .f32: return -273.15 * u
        case .u64: return 9_007_199_254_740_000 + u   // below 2^53: exact as a Double
        case .i64: return -9_007_199_254_740_000 + u
        case .f64: return 6.02214076e23 * u
        default: return 0  // not in the all-types profile (MoreValueTypesTests covers the rest)
        }
    }

    /// Waits (polling a condition, never a fixed sleep) until `condition` holds.
    static func waitUntil(_ what: String, timeout: Duration = .seconds(20), _ condition: () -> Bool) throws {
        try ExternalPeers.waitUntilBlocking(what, timeout: timeout, condition)
    }
}
