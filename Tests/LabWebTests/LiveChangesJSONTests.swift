@testable import Central
import Foundation
@testable import LabWeb
import NIOCore
@testable import Store
import Testing
import Timekeeping

/// The live feed's `values` message, written by hand for speed, is byte for byte what the API's
/// one JSON encoder writes for the same changes (values are finite or null: the board reader
/// makes them so): the contract stays the encoder's.
@Suite struct LiveChangesJSONTests {
    static func rig(_ n: Int, name: String) -> LiveRig {
        LiveRig(
            id: "rig-\(n)", up: n % 3 != 0, time: n % 4 == 0 ? nil : "2026-12-04T10:00:0\(n % 10).250Z",
            student: n % 2 == 0 ? .init(id: "s\(n)", name: name) : nil, since: n % 2 == 0 ? "2026-12-04T09:58:00Z" : nil,
            alarms: n % 2 == 1 ? [] : [.init(alarm: "over_pressure", severity: "critical", since: "2026-12-04T09:59:00Z", fired: "2026-12-04T09:59:01Z"),
                                       .init(alarm: "low \"fluid\"", severity: "warning", since: "2026-12-04T09:59:02Z", fired: "2026-12-04T09:59:03Z")],
            attempts: n % 3 == 0 ? [] : [.init(exercise: "abs-stop", step: n % 4, steps: 4, since: "2026-12-04T09:58:30Z")],
            values: [0, -0.0, 1, -1, 12.5, 0.1, 1.0 / 3, 1e-7, 2.5e-5, 123_456_789_012, 1e21, 6.02e23, -273.15, nil, Double(n), 99.99999999999999, 5e-324, 1.7976931348623157e308],
            labels: n % 2 == 0 ? ["3": "Off", "10": "On / ready", "2": "Fault"] : [:])
    }

    static let names = ["Ana", "Zhāng Wěi", "O'Brien / \"Bob\"", "tab\there", "line\nbreak\r\u{1}\u{1f}\u{7f}", "back\\slash", "emoji 🚆", ""]

    static func check(_ changes: LiveChanges) throws {
        var written = ByteBuffer()
        changes.write(into: &written)
        let encoded = try APIJSON.encoder().encode(changes)
        #expect(String(buffer: written) == String(decoding: encoded, as: UTF8.self))
    }

    @Test("a lab's changes: names that need escaping, every kind of number, no value, nothing forwarded")
    func sameBytes() throws {
        let rigs = (0..<16).map { Self.rig($0, name: Self.names[$0 % Self.names.count]) }
        try Self.check(LiveChanges(rigs: rigs, central: nil, store: nil))
        try Self.check(LiveChanges(rigs: [], central: nil, store: nil))
    }

    @Test("with forwarding and the store's health, failing and not")
    func withStatus() throws {
        var forwarding = ForwardingStatus(collector: "lab-1", central: "postgres://central/riglog", streams: [:])
        var health = StoreHealth.Snapshot()
        try Self.check(LiveChanges(rigs: [Self.rig(2, name: "Ana")], central: BoardCentral(forwarding), store: BoardStore(health)))
        forwarding.connected = true
        forwarding.lastError = "connection refused: is the central PostgreSQL up? /etc/riglog"
        forwarding.forwardedUntil = Timestamp(nanosecondsSince1970: 1_764_842_400_000_000_000)
        health.writable = false
        health.failingSince = Timestamp(nanosecondsSince1970: 1_764_842_401_000_000_000)
        health.lastError = "the disk is full: free space on /var/lib/riglog"
        health.droppedSamples = 12_345
        try Self.check(LiveChanges(rigs: [Self.rig(1, name: "Bo")], central: BoardCentral(forwarding), store: BoardStore(health)))
    }
}
