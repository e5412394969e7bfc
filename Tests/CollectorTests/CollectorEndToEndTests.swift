import Timekeeping
import Foundation
import Ingest
import Modbus
import RigProfiles
import Store
import Threads
import Testing
import Collector
import RiglogTesting

/// The collector against real Modbus servers on the loopback, into a real SQLite store.
@Suite("Collector end to end", .serialized)
struct CollectorEndToEndTests {
    /// Reads every stored sample of `rig` as (channel name -> values).
    static func stored(_ store: StoreDatabase, rig: String) throws -> [String: [Double]] {
        let stored = try store.rig(rig)
        var values: [String: [Double]] = [:]
        let names = Dictionary(uniqueKeysWithValues: stored.channels.map { ($0.id, $0) })
        try store.forEachSample(of: stored.channels) { sample in
            let channel = names[sample.channel]!
            values[channel.definition.name, default: []].append(channel.value(of: sample))
        }
        return values
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        a == b || abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    }

    @Test("three units behind one TCP endpoint: every type and word order is stored as served; only reads are sent")
    func everyTypeBehindOneGateway() throws {
        let fixture = try CollectorFixture()
        try fixture.writeProfile("all-types", CollectorFixture.allTypesProfile)
        let profile = try ProfileLoader.parse(yaml: CollectorFixture.allTypesProfile, file: "all-types.yaml")
        var maps: [UInt8: RegisterMap] = [:]
        for unit in 1...3 {
            let map = RegisterMap(size: 200)
            CollectorFixture.serve(profile, in: map) { CollectorFixture.testValue($0, unit: unit) }
            map.withTables { t in ValueCodec.encode(.unsigned(4_000_000 + UInt64(unit)), as: .u32, into: UnsafeMutableBufferPointer(rebasing: t.holding[150...])) }
            maps[UInt8(unit)] = map
        }
        let functionCodes = Mutex<Set<UInt8>>([])
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), units: maps,
                                  observer: { r in functionCodes.withLock { _ = $0.insert(r.functionCode) } })
        // Unit 1 identifies itself (43/14); units 2 and 3 do not offer it (exception 01).
        server.setIdentification(DeviceIdentification(vendor: "Luban Lab Systems", productCode: "GW-3", revision: "1.0"), unit: 1)
        try server.start()
        defer { server.stop() }
        let url = "tcp://127.0.0.1:\(server.port)"
        let lab = try fixture.lab([("gw-1", "all-types", url, 1), ("gw-2", "all-types", url, 2), ("gw-3", "all-types", url, 3)])
        #expect(lab.connections.count == 1)

        let store = try fixture.openStore()
        let collector = try Collector(lab: lab, store: store)
        #expect(collector.workers.count == 1)
        collector.identifyRigs()
        collector.start()
        try CollectorFixture.waitUntil("20 polls of every request of every rig") {
            collector.statistics.allSatisfy { $0.snapshot.polls >= 20 * 6 }
        }
        collector.stop()

        for unit in 1...3 {
            let values = try Self.stored(store, rig: "gw-\(unit)")
            for channel in profile.channels {
                let expected = CollectorFixture.testValue(channel, unit: unit)
                let want = channel.type == .f32 ? Double(Float(expected)) : expected
                let got = try #require(values[channel.name], "no samples of \(channel.name)")
                #expect(got.count >= 20)
                #expect(got.allSatisfy { Self.close($0, want) }, "gw-\(unit) \(channel.name): \(got.first!) != \(want)")
            }
            #expect(values["operator"]?.allSatisfy { $0 == Double(4_000_000 + unit) } == true)
        }
        // Reads only: 1-4, and 43 (Read Device Identification) once per rig at start.
        #expect(functionCodes.withLock { $0 }.isSubset(of: [1, 2, 3, 4, 43]), "the collector sent a function code other than a read")
        #expect(functionCodes.withLock { $0 }.contains(43))
        let identities = try store.latestIdentities()
        #expect(identities["gw-1"]?.outcome == .identified && identities["gw-1"]?.productCode == "GW-3")
        #expect(identities["gw-2"]?.outcome == .exception && identities["gw-2"]?.detail.hasPrefix("does not offer device identification") == true)
        #expect(collector.droppedSamples == 0)
        #expect(try store.gaps(rig: "gw-1").isEmpty)
    }

    @Test("a rig's server killed and restarted: one gap from the first failed poll to the first sample after; the other rig unaffected")
    func serverKilledAndRestarted() throws {
        let fixture = try CollectorFixture()
        try fixture.writeProfile("all-types", CollectorFixture.allTypesProfile)
        let profile = try ProfileLoader.parse(yaml: CollectorFixture.allTypesProfile, file: "all-types.yaml")
        let mapA = RegisterMap(size: 200), mapB = RegisterMap(size: 200)
        CollectorFixture.serve(profile, in: mapA) { CollectorFixture.testValue($0, unit: 1) }
        CollectorFixture.serve(profile, in: mapB) { CollectorFixture.testValue($0, unit: 2) }
        var serverA = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: mapA)
        let serverB = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: mapB)
        try serverA.start()
        try serverB.start()
        defer { serverA.stop(); serverB.stop() }
        let portA = serverA.port
        let lab = try fixture.lab([("rig-a", "all-types", "tcp://127.0.0.1:\(portA)", 1),
                                   ("rig-b", "all-types", "tcp://127.0.0.1:\(serverB.port)", 1)])
        let store = try fixture.openStore()
        let collector = try Collector(lab: lab, store: store, options: ModbusClientOptions(connectTimeout: .milliseconds(200), responseTimeout: .milliseconds(200)))
        collector.start()
        let a = collector.statistics[0], b = collector.statistics[1]
        try CollectorFixture.waitUntil("rig-a polled") { a.snapshot.polls >= 30 }

        let killed = WallClock.nanoseconds()
        serverA.stop()
        try CollectorFixture.waitUntil("rig-a down") { !a.snapshot.up }
        // While rig-a is dead, rig-b keeps polling on its own thread.
        let bBefore = b.snapshot.polls
        try CollectorFixture.waitUntil("rig-b polling on while rig-a is down") { b.snapshot.polls >= bBefore + 60 }
        #expect(!a.snapshot.up)

        serverA = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: portA), map: mapA)
        try serverA.start()
        let restarted = WallClock.nanoseconds()
        let aBefore = a.snapshot.polls
        try CollectorFixture.waitUntil("rig-a back", timeout: .seconds(40)) { a.snapshot.up && a.snapshot.polls > aBefore + 10 }
        collector.stop()

        let gapsA = try store.gaps(rig: "rig-a")
        #expect(gapsA.count == 1)
        let gap = try #require(gapsA.first)
        let end = try #require(gap.end)
        #expect(gap.start >= Timestamp(nanosecondsSince1970: killed), "the gap starts after the server was killed")
        #expect(end >= Timestamp(nanosecondsSince1970: restarted), "the gap ends after the server came back")
        #expect(gap.reason.hasPrefix("connection") || gap.reason.hasPrefix("timeout"), "\(gap.reason)")
        // No sample of rig-a inside the gap, and the first sample after it is at its end.
        let stored = try store.rig("rig-a")
        var inside = 0
        var firstAfter: Timestamp?
        try store.forEachSample(of: stored.channels) { s in
            let time = Timestamp(nanosecondsSince1970: s.time)
            if time >= gap.start && time < end { inside += 1 }
            if time >= end && firstAfter == nil { firstAfter = time }
        }
        #expect(inside == 0)
        #expect(firstAfter == end)
        #expect(try store.gaps(rig: "rig-b").isEmpty)
        #expect(b.snapshot.errors.isEmpty)
    }

    @Test("a server that accepts and never answers, beside a healthy rig that keeps polling")
    func silentServerBesideHealthyRig() throws {
        let fixture = try CollectorFixture()
        try fixture.writeProfile("all-types", CollectorFixture.allTypesProfile)
        let profile = try ProfileLoader.parse(yaml: CollectorFixture.allTypesProfile, file: "all-types.yaml")
        let mapA = RegisterMap(size: 200), mapB = RegisterMap(size: 200)
        CollectorFixture.serve(profile, in: mapB) { CollectorFixture.testValue($0, unit: 2) }
        let silent = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: mapA)
        silent.setFaults { _ in .ignore }
        let healthy = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: mapB)
        try silent.start()
        try healthy.start()
        defer { silent.stop(); healthy.stop() }
        let lab = try fixture.lab([("silent", "all-types", "tcp://127.0.0.1:\(silent.port)", 1),
                                   ("healthy", "all-types", "tcp://127.0.0.1:\(healthy.port)", 1)])
        let store = try fixture.openStore()
        let collector = try Collector(lab: lab, store: store, options: ModbusClientOptions(responseTimeout: .milliseconds(300)))
        collector.start()
        let s = collector.statistics[0], h = collector.statistics[1]
        try CollectorFixture.waitUntil("three timeouts on the silent rig") { s.snapshot.errors["timeout", default: 0] >= 3 }
        try CollectorFixture.waitUntil("the healthy rig polling") { h.snapshot.polls >= 100 }
        collector.stop()
        #expect(s.snapshot.polls == 0)
        #expect(h.snapshot.errors.isEmpty)
        let gaps = try store.gaps(rig: "silent")
        #expect(gaps.count == 1)
        #expect(gaps.first?.reason == "timeout: no reply within 300ms")
        #expect(gaps.first?.end != nil, "stopping closes the open gap")
    }

    @Test("two units on one RTU line (a socat pty pair)")
    func twoUnitsOnOneSerialLine() async throws {
        let fixture = try CollectorFixture()
        let profileText = """
            profile: small
            title: {en: Small}
            poll: 50ms
            channels:
              - {name: speed, source: input 0, type: u16, scale: 0.1}
              - {name: temperature, source: input 1, type: i16, scale: 0.1}
              - {name: energy, source: input 2, type: f32, order: CDAB}
            """
        try fixture.writeProfile("small", profileText)
        let profile = try ProfileLoader.parse(yaml: profileText, file: "small.yaml")
        let pty = try await PtyPair()
        var maps: [UInt8: RegisterMap] = [:]
        for unit: UInt8 in [4, 7] {
            let map = RegisterMap(size: 10)
            CollectorFixture.serve(profile, in: map) { c in c.name == "speed" ? Double(unit) * 10 : c.name == "temperature" ? -Double(unit) : Double(unit) * 1.5 }
            maps[unit] = map
        }
        let server = ModbusServer(endpoint: .rtu(SerialLine(device: pty.a)), units: maps)
        try server.start()
        defer { server.stop() }
        let lab = try fixture.lab([("ev-1", "small", "rtu://\(pty.b)", 4), ("ev-2", "small", "rtu://\(pty.b)", 7)])
        #expect(lab.connections.count == 1)
        let store = try fixture.openStore()
        let collector = try Collector(lab: lab, store: store)
        collector.start()
        try CollectorFixture.waitUntil("10 polls of each unit") { collector.statistics.allSatisfy { $0.snapshot.polls >= 10 } }
        collector.stop()
        for (rig, unit) in [("ev-1", 4.0), ("ev-2", 7.0)] {
            let values = try Self.stored(store, rig: rig)
            #expect(values["speed"]?.allSatisfy { Self.close($0, unit * 10) } == true)
            #expect(values["temperature"]?.allSatisfy { Self.close($0, -unit) } == true)
            #expect(values["energy"]?.allSatisfy { $0 == unit * 1.5 } == true)
        }
    }
}
