import Collector
import Foundation
import Modbus
import RigProfiles
import Testing

/// What a reload changes, decided from two loaded lab configs: no sockets, no store.
@Suite("LabReloadPlan")
struct LabReloadPlanTests {
    static let meter = """
        profile: meter
        title: {en: Meter}
        poll: 20ms
        channels:
          - {name: speed, source: holding 0, type: u16}
        """
    static let tunedMeter = """
        profile: meter
        title: {en: Meter}
        poll: 20ms
        channels:
          - {name: speed, source: holding 0, type: u16}
          - {name: pressure, source: holding 1, type: u16}
        """

    let fixture: CollectorFixture

    init() throws {
        fixture = try CollectorFixture()
        try fixture.writeProfile("meter", Self.meter)
    }

    func lab(_ rigs: [(id: String, profile: String, connection: String, unit: Int)]) throws -> LabConfig {
        try fixture.lab(rigs)
    }

    @Test func theSameConfigChangesNothingAndKeepsEveryConnection() throws {
        let rigs = [(id: "a", profile: "meter", connection: "tcp://127.0.0.1:5020", unit: 1),
                    (id: "b", profile: "meter", connection: "tcp://127.0.0.1:5021", unit: 1)]
        let running = try lab(rigs)
        let plan = LabReloadPlan(running: running, next: try lab(rigs))

        #expect(plan.isEmpty)
        #expect(plan.unchanged == ["a", "b"])
        #expect(plan.needsRestart.isEmpty)
        #expect(plan.connections == running.connections.map { .keep($0.endpoint) })
    }

    @Test func aChangedProfileReconfiguresItsConnectionOnlyAndKeepsTheNeighbourUnchanged() throws {
        try fixture.writeProfile("other", Self.meter.replacingOccurrences(of: "profile: meter", with: "profile: other"))
        let rigs = [(id: "a", profile: "meter", connection: "tcp://127.0.0.1:5020", unit: 1),
                    (id: "b", profile: "other", connection: "tcp://127.0.0.1:5020", unit: 2),
                    (id: "c", profile: "other", connection: "tcp://127.0.0.1:5021", unit: 1)]
        let running = try lab(rigs)
        try fixture.writeProfile("meter", Self.tunedMeter)
        let next = try lab(rigs)
        let plan = LabReloadPlan(running: running, next: next)

        #expect(plan.changed == ["a"])
        #expect(plan.unchanged == ["b", "c"])
        #expect(plan.added.isEmpty && plan.removed.isEmpty)
        // The gateway shared by a and b keeps its connection and switches both at a poll boundary.
        #expect(plan.connections == [.reconfigure(next.connections[0]), .keep(next.connections[1].endpoint)])
        #expect(plan.summary == "changed: a; added: none; removed: none; unchanged: 2 rigs")
    }

    @Test func addedAndRemovedRigsStartAndStopTheirConnections() throws {
        let running = try lab([(id: "a", profile: "meter", connection: "tcp://127.0.0.1:5020", unit: 1),
                               (id: "gone", profile: "meter", connection: "tcp://127.0.0.1:5021", unit: 1)])
        let next = try lab([(id: "a", profile: "meter", connection: "tcp://127.0.0.1:5020", unit: 1),
                            (id: "new", profile: "meter", connection: "tcp://127.0.0.1:5022", unit: 1)])
        let plan = LabReloadPlan(running: running, next: next)

        #expect(plan.unchanged == ["a"])
        #expect(plan.added == ["new"])
        #expect(plan.removed == ["gone"])
        #expect(plan.connections == [.keep(next.connections[0].endpoint), .start(next.connections[1]),
                                     .stop(running.connections[1].endpoint)])
    }

    @Test func aRigLeavingASharedGatewayReconfiguresTheGatewayAndIsChanged() throws {
        let running = try lab([(id: "a", profile: "meter", connection: "tcp://127.0.0.1:5020", unit: 1),
                               (id: "b", profile: "meter", connection: "tcp://127.0.0.1:5020", unit: 2)])
        let next = try lab([(id: "a", profile: "meter", connection: "tcp://127.0.0.1:5020", unit: 1),
                            (id: "b", profile: "meter", connection: "tcp://127.0.0.1:5023", unit: 2)])
        let plan = LabReloadPlan(running: running, next: next)

        #expect(plan.changed == ["b"])
        #expect(plan.unchanged == ["a"])
        #expect(plan.connections == [.reconfigure(next.connections[0]), .start(next.connections[1])])
    }

    @Test func aProfileReadFromAnotherFileWithTheSameTextIsUnchanged() throws {
        let rigs = [(id: "a", profile: "meter", connection: "tcp://127.0.0.1:5020", unit: 1)]
        let running = try lab(rigs)
        var next = try lab(rigs)
        next.rigs[0].profilePath = "/elsewhere/meter.yaml"
        next.connections[0].rigs[0].profilePath = "/elsewhere/meter.yaml"

        #expect(LabReloadPlan(running: running, next: next).unchanged == ["a"])
    }

    @Test func settingsOnlyARestartAppliesAreListedWithTheirOldAndNewValues() throws {
        let rigs = [(id: "a", profile: "meter", connection: "tcp://127.0.0.1:5020", unit: 1)]
        let running = try lab(rigs)
        var next = try lab(rigs)
        next.timeZoneIdentifier = "Europe/Berlin"
        next.sessions.closeAfterSilence = .seconds(30)
        let plan = LabReloadPlan(running: running, next: next)

        #expect(plan.needsRestart == ["timezone: Asia/Almaty -> Europe/Berlin", "sessions: close_after_silence: 120s -> 30s"])
        #expect(plan.isEmpty, "the rigs themselves are as they were")
    }
}
