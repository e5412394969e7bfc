import Foundation
import Modbus
import RigProfiles
import Store
import Threads
import Testing
import Collector
import RiglogTesting
import Timekeeping

/// The value types of issue 17 through the whole collector: an independent server (pymodbus,
/// values packed by Python's struct) or riglog's own, the real decoder, a real SQLite store.
@Suite("Collector: bytes, halves, bits of u32, text, enumerations", .serialized)
struct MoreValueTypesTests {
    /// Matches pymodbus_server.py's BYTES, HALVES, BITS32, TEXTS and ENUM.
    static let profile: String = {
        var lines = [
            "  - {name: u8_high, source: holding 80, type: u8 high}",
            "  - {name: u8_low, source: holding 80, type: u8 low}",
            "  - {name: i8_high, source: holding 81, type: i8 high}",
            "  - {name: i8_low, source: holding 81, type: i8 low}",
            "  - {name: f16_max, source: holding 82, type: f16}",
            "  - {name: f16_third, source: holding 83, type: f16}",
            "  - {name: f16_subnormal, source: holding 84, type: f16}",
            "  - {name: f16_minus_zero, source: holding 85, type: f16}",
            "  - {name: text_utf8, source: holding 126, type: string 4}",
            "  - {name: state, source: holding 130, type: u16, enum: {0: stopped, 1: running, 2: {en: fault, ru: авария}}}",
        ]
        for (i, order) in ["ABCD", "CDAB", "BADC", "DCBA"].enumerated() {
            for n in [31, 16, 2, 0] {
                lines.append("  - {name: bit\(n)_\(order.lowercased()), source: holding \(86 + 2 * i), type: bit \(n) of u32, order: \(order)}")
            }
            lines.append("  - {name: text_\(order.lowercased()), source: holding \(94 + 8 * i), type: string 8, order: \(order)}")
        }
        return """
            profile: pymodbus-more
            title: {en: The issue 17 values pymodbus_server.py serves}
            poll: 50ms
            channels:
            \(lines.joined(separator: "\n"))
            """
    }()

    /// Every text event of `rig`, by channel name.
    static func texts(_ store: StoreDatabase, rig: String) throws -> [String: [TextEvent]] {
        var texts: [String: [TextEvent]] = [:]
        for channel in try store.rig(rig).channels {
            let events = try store.texts(channel: channel.id)
            if !events.isEmpty { texts[channel.name] = events }
        }
        return texts
    }

    @Test("what pymodbus serves is stored as served: numbers as samples, text once as an event")
    func storedAsPymodbusServes() throws {
        let (fixture, lab, store) = try PymodbusPeerTests.collect(profile: "pymodbus-more", Self.profile)
        defer { withExtendedLifetime(fixture) {} }

        let values = try CollectorEndToEndTests.stored(store, rig: "peer")
        var expected: [String: Double] = [
            "u8_high": 200, "u8_low": 17, "i8_high": -100, "i8_low": -7,
            "f16_max": -65504, "f16_third": 0.333251953125, "f16_subnormal": 0x1p-20, "f16_minus_zero": -0.0, "state": 2,
        ]
        for order in ["abcd", "cdab", "badc", "dcba"] {
            for n in [31, 16, 2] { expected["bit\(n)_\(order)"] = 1 }
            expected["bit0_\(order)"] = 0
        }
        for (name, want) in expected {
            let got = try #require(values[name], "no samples of \(name)")
            #expect(got.count >= 10 && got.allSatisfy { $0 == want && $0.sign == want.sign }, "\(name): \(got.first ?? .nan) != \(want)")
        }
        // Text channels have no samples: one event each, the first read of the run.
        let texts = try Self.texts(store, rig: "peer")
        for order in ["abcd", "cdab", "badc", "dcba"] {
            #expect(values["text_\(order)"] == nil)
            #expect(texts["text_\(order)"]?.map(\.text) == ["RIG-7 v2.1"], "text_\(order)")
        }
        #expect(texts["text_utf8"]?.map(\.text) == ["Тест"])
        let state = try #require(lab.rigs[0].profile.channel(named: "state"))
        #expect(state.name(of: values["state"]![0])?.text(for: "ru") == "авария")
    }

    @Test("a text is stored when it changes, never per poll, and the poll's answer is compared in place")
    func textStoredOnChange() throws {
        let yaml = """
            profile: recipe-display
            title: {en: A recipe display}
            poll: 10ms
            channels:
              - {name: recipe, source: holding 0, type: string 8, order: BADC}
              - {name: step, source: holding 8, type: u16, enum: {1: heat, 2: hold, 3: cool}}
            """
        let fixture = try CollectorFixture()
        try fixture.writeProfile("recipe-display", yaml)
        let map = RegisterMap(size: 20)
        func show(_ text: String) {
            map.withTables { t in ValueCodec.store(text: text, count: 8, order: .badc, into: UnsafeMutableBufferPointer(rebasing: t.holding[0...])) }
        }
        show("Brake bleed")
        let functionCodes = Mutex<Set<UInt8>>([])
        let server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map,
                                  observer: { r in functionCodes.withLock { _ = $0.insert(r.functionCode) } })
        try server.start()
        defer { server.stop() }
        let lab = try fixture.lab([("display", "recipe-display", "tcp://127.0.0.1:\(server.port)", 1)])
        let store = try fixture.openStore()
        let collector = try Collector(lab: lab, store: store)
        collector.start()
        try CollectorFixture.waitUntil("20 polls") { collector.statistics[0].snapshot.polls >= 20 }
        show("Pad wear test")
        let afterChange = collector.statistics[0].snapshot.polls
        try CollectorFixture.waitUntil("20 more polls") { collector.statistics[0].snapshot.polls >= afterChange + 20 }
        show("")
        let afterClear = collector.statistics[0].snapshot.polls
        try CollectorFixture.waitUntil("20 more polls") { collector.statistics[0].snapshot.polls >= afterClear + 20 }
        collector.stop()

        let recipe = try #require(try store.rig("display").channels.first { $0.name == "recipe" })
        let events = try store.texts(channel: recipe.id)
        #expect(events.map(\.text) == ["Brake bleed", "Pad wear test", ""])
        #expect(events.map(\.at) == events.map(\.at).sorted())
        // A period starting after the second change still says which text was in force.
        let since = Timestamp(microsecondsSince1970: events[1].at.microsecondsSince1970 + 1)
        #expect(try store.texts(channel: recipe.id, from: since).map(\.text) == ["Pad wear test", ""])
        #expect(try CollectorEndToEndTests.stored(store, rig: "display")["recipe"] == nil)
        #expect(try store.textStorage(rig: "display").map(\.changes) == [3])
        #expect(functionCodes.withLock { $0 } == [3])
    }
}
