import Foundation
import Modbus
import RigProfiles
import RigSimulator
import Testing
import RiglogTesting

/// mbpoll, a Modbus client riglog did not write, reads every profile of Devices/ from the
/// simulator and gets what the model holds: every channel, every data type and word order.
///
/// 16- and 32-bit ABCD/CDAB values are decoded by mbpoll itself (`:int`, `:float`, `-B`); the
/// other word orders and 64-bit values are read as raw words and decoded here, byte by byte,
/// without riglog's ValueCodec.
@Suite("Wire encoding (mbpoll)", .serialized)
struct WireEncodingTests {
    struct Pair: Hashable, CustomStringConvertible {
        var type: String
        var order: String
        var description: String { "\(type) \(order)" }
    }

    static func pair(_ channel: Channel) -> Pair {
        switch channel.type {
        case .bit: Pair(type: "bit", order: "-")
        case .bool: Pair(type: "bool", order: "-")
        default: Pair(type: "\(channel.type)", order: channel.type.hasWordOrder ? channel.order.name(registerCount: channel.type.registerCount) : "-")
        }
    }

    /// Runs mbpoll once and returns the values it printed by address.
    static func mbpoll(port: Int, table: String, address: Int, count: Int, bigEndian: Bool = false) throws -> [Int: String] {
        var arguments = ["-m", "tcp", "-p", "\(port)", "-0", "-r", "\(address)", "-c", "\(count)", "-t", table, "-1", "-o", "2"]
        if bigEndian { arguments.append("-B") }
        let result = try ExternalPeers.run("mbpoll", arguments + ["127.0.0.1"])
        guard result.status == 0 else { throw ExternalPeers.PeerMissing(name: "mbpoll answer (\(result.error))") }
        var values: [Int: String] = [:]
        for line in result.output.split(separator: "\n") where line.hasPrefix("[") {
            let parts = line.dropFirst().split(separator: "]", maxSplits: 1)
            guard parts.count == 2, let a = Int(parts[0]) else { continue }
            values[a] = parts[1].replacingOccurrences(of: ":", with: "").trimmingCharacters(in: .whitespaces)
                .split(separator: " ").first.map(String.init)
        }
        return values
    }

    /// Big-endian bytes of a value laid out in `words` with `order`, decoded independently.
    static func bytes(_ words: [UInt16], order: WordOrder) -> [UInt8] {
        let ordered = order == .cdab || order == .dcba ? words.reversed() : words
        return ordered.flatMap { w -> [UInt8] in
            let hi = UInt8(w >> 8), lo = UInt8(w & 0xFF)
            return order == .badc || order == .dcba ? [lo, hi] : [hi, lo]
        }
    }

    static func decode(_ words: [UInt16], _ channel: Channel) -> Double {
        let b = bytes(words, order: channel.order)
        let bits = b.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        switch channel.type {
        case .u32, .u64: return Double(bits)
        case .i32: return Double(Int32(bitPattern: UInt32(bits)))
        case .i64: return Double(Int64(bitPattern: bits))
        case .f32: return Double(Float(bitPattern: UInt32(bits)))
        case .f64: return Double(bitPattern: bits)
        default: return .nan
        }
    }

    /// The value a client should decode for `value`: rounded and limited as the type holds it.
    static func expected(_ value: Double, _ channel: Channel) -> Double {
        if channel.isBoolean { return value != 0 ? 1 : 0 }
        guard channel.type.isIntegral else { return Double(Float(value)) }
        let (low, high) = ChannelBinding.rawRange(of: channel.type)
        let raw = min(max(((value - channel.offset) / channel.scale).rounded(), low), high)
        return raw * channel.scale + channel.offset
    }

    @Test func everyProfileReadsBackThroughMbpoll() throws {
        var covered: Set<Pair> = []
        var used: Set<Pair> = []
        for profile in try Fixtures.allProfiles() {
            for channel in profile.channels { used.insert(Self.pair(channel)) }
            let scenario = RigModels.trainingRigProfiles.contains(profile.name) ? try Fixtures.demoScenario(profile.name) : nil
            var rig = try SimulatedRig(id: profile.name, profile: profile, endpoint: .tcp(host: "127.0.0.1", port: 0), scenario: scenario)
            rig.advance(to: 37.5)  // mid-exercise for the training rigs, mid-waveform for the rest
            let lab = try LabSimulator(rigs: [rig])
            try lab.start(realTime: false)  // values hold still while mbpoll reads them
            defer { lab.stop() }
            guard case .tcp(_, let port) = lab.endpoint(of: profile.name)! else { Issue.record("no port"); continue }
            let values = lab.withRig(profile.name) { $0.channelValues }!

            // Raw words of each register table, and bits of each bit table, in one read each.
            var words: [RegisterKind: [Int: UInt16]] = [:]
            var bits: [RegisterKind: [Int: Int]] = [:]
            for kind in RegisterKind.allCases {
                let addresses = profile.channels.filter { $0.address.kind == kind }.flatMap { $0.address.address..<($0.address.address + $0.width) }
                guard let low = addresses.min(), let high = addresses.max() else { continue }
                var start = low
                while start <= high {
                    let count = min(high - start + 1, 120)
                    let table = switch kind { case .coil: "0"; case .discrete: "1"; case .input: "3:hex"; case .holding: "4:hex" }
                    for (address, text) in try Self.mbpoll(port: port, table: table, address: start, count: count) {
                        if kind.isBit { bits[kind, default: [:]][address] = Int(text) } else { words[kind, default: [:]][address] = UInt16(text.dropFirst(2), radix: 16) }
                    }
                    start += count
                }
            }

            for channel in profile.channels {
                let a = channel.address
                let want = Self.expected(values[channel.name]!, channel)
                var got: Double
                switch channel.type {
                case .bool:
                    got = Double(bits[a.kind]?[a.address] ?? -1)
                case .bit(let n):
                    got = Double((words[a.kind]![a.address]! >> UInt16(n)) & 1)
                case .u16:
                    got = Double(words[a.kind]![a.address]!) * channel.scale + channel.offset
                case .i16:
                    got = Double(Int16(bitPattern: words[a.kind]![a.address]!)) * channel.scale + channel.offset
                case .u32 where channel.order == .abcd || channel.order == .cdab, .i32 where channel.order == .abcd || channel.order == .cdab,
                     .f32 where channel.order == .abcd || channel.order == .cdab:
                    // mbpoll decodes these itself: ":int" is signed 32-bit, "-B" is ABCD.
                    let table = (a.kind == .input ? "3" : "4") + (channel.type == .f32 ? ":float" : ":int")
                    let text = try Self.mbpoll(port: port, table: table, address: a.address, count: 1, bigEndian: channel.order == .abcd)[a.address] ?? "?"
                    var raw = Double(text) ?? .nan
                    if channel.type == .u32 && raw < 0 { raw += 4_294_967_296 }
                    got = channel.type == .f32 ? raw : raw * channel.scale + channel.offset
                default:
                    let raw = (0..<channel.type.registerCount).map { words[a.kind]![a.address + $0]! }
                    let decoded = Self.decode(raw, channel)
                    got = channel.type.isIntegral ? decoded * channel.scale + channel.offset : decoded
                }
                // mbpoll prints floats with six significant digits.
                let tolerance = channel.type.isIntegral ? abs(channel.scale) * 0.01 + 1e-9 : max(1e-5 * abs(want), 1e-5)
                #expect(abs(got - want) <= tolerance, "\(profile.name).\(channel.name) (\(channel.type) \(channel.order)): mbpoll read \(got), the model holds \(want)")
                if abs(got - want) <= tolerance { covered.insert(Self.pair(channel)) }
            }

            // The operator register: the badge of whoever is at the rig.
            if let badge = profile.operatorRegister, scenario != nil {
                let table = badge.address.kind == .input ? "3:int" : "4:int"
                let text = try Self.mbpoll(port: port, table: table, address: badge.address.address, count: 1, bigEndian: badge.order == .abcd)[badge.address.address]
                #expect(UInt64(text ?? "") == lab.withRig(profile.name) { $0.badge }, "\(profile.name) operator register")
            }
        }
        #expect(used.isSubset(of: covered), "pairs used in Devices/ but not read back: \(used.subtracting(covered))")
        #expect(used.count >= 10, "Devices/ uses \(used.sorted { $0.description < $1.description })")
    }
}
