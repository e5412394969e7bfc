import Collector
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import LabWeb
import Practice
import RigProfiles
import Store
import Threads
import Testing
import Timekeeping

/// The admin page's reload button: admins only, the form token required, the requester named,
/// the outcome shown with every error. The reload itself is `LabReloader`'s (tested end to end
/// in LabRuntimeTests); here the run's hook records who asked and answers as a refused reload.
@Suite struct AdminReloadTests {
    @Test func onlyAnAdminWithTheFormTokenReloadsAndSeesEveryError() async throws {
        let fixture = try WebFixture()
        let (lab, collector, board) = try liveLab(in: fixture)

        let asked = Mutex<[String]>([])
        var live = LiveLab(collector: collector, board: board)
        live.reload = { by in
            asked.withLock { $0.append(by) }
            return ReloadOutcome(sequence: 1, at: .now(), requestedBy: by, applied: false,
                                 lines: ["lab.yaml:4:29: rigs[0].connection: <bad> port", "lab.yaml:5:5: rigs[1].profile: no-such-profile"])
        }
        let app = Application(router: try LabWeb(store: fixture.store, live: live).router())
        try await app.test(.router) { client in
            var instructor = Browser()
            _ = try await instructor.signIn(client, name: "ivan")
            #expect(try await client.execute(uri: "/admin/lab", method: .get, headers: instructor.headers).status == .forbidden)
            var form = instructor.headers
            form[.contentType] = "application/x-www-form-urlencoded"
            #expect(try await client.execute(uri: "/admin/lab/reload", method: .post, headers: form,
                                             body: ByteBuffer(string: "csrf=\(instructor.csrf)")).status == .forbidden)

            var admin = Browser()
            _ = try await admin.signIn(client, name: "ada")
            let page = try await client.execute(uri: "/admin/lab", method: .get, headers: admin.headers)
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("action=\"/admin/lab/reload\""))
            #expect(String(buffer: page.body).contains("No reload since the collector started."))
            var adminForm = admin.headers
            adminForm[.contentType] = "application/x-www-form-urlencoded"
            #expect(try await client.execute(uri: "/admin/lab/reload", method: .post, headers: adminForm,
                                             body: ByteBuffer(string: "")).status == .forbidden, "no form token: no reload")
            #expect(asked.withLock { $0 }.isEmpty)

            let reloaded = try await client.execute(uri: "/admin/lab/reload", method: .post, headers: adminForm,
                                                    body: ByteBuffer(string: "csrf=\(admin.csrf)"))
            #expect(reloaded.status == .ok)
            let body = String(buffer: reloaded.body)
            #expect(body.contains("reload 1 refused, the running config stays"))
            #expect(body.contains("lab.yaml:4:29: rigs[0].connection: &lt;bad&gt; port"), "every error, escaped")
            #expect(body.contains("lab.yaml:5:5: rigs[1].profile: no-such-profile"))
        }
        #expect(asked.withLock { $0 } == ["admin ada"])
    }
}

/// The admin's frame trace toggle on a rig page: admins only, the form token required, audited,
/// applied to the running collector.
@Suite struct AdminTraceToggleTests {
    @Test func anAdminTurnsARigsFrameTraceOnAndOffFromItsPage() async throws {
        let fixture = try WebFixture()
        let (lab, collector, board) = try liveLab(in: fixture)
        let app = Application(router: try LabWeb(store: fixture.store, live: LiveLab(collector: collector, board: board)).router())
        try await app.test(.router) { client in
            var instructor = Browser()
            _ = try await instructor.signIn(client, name: "ivan")
            var form = instructor.headers
            form[.contentType] = "application/x-www-form-urlencoded"
            #expect(try await client.execute(uri: "/rigs/rig-a/trace", method: .post, headers: form,
                                             body: ByteBuffer(string: "trace=on&csrf=\(instructor.csrf)")).status == .forbidden)
            #expect(!String(buffer: try await client.execute(uri: "/rigs/rig-a", method: .get, headers: instructor.headers).body).contains("Trace frames"))

            var admin = Browser()
            _ = try await admin.signIn(client, name: "ada")
            #expect(String(buffer: try await client.execute(uri: "/rigs/rig-a", method: .get, headers: admin.headers).body).contains("Trace frames"))
            var adminForm = admin.headers
            adminForm[.contentType] = "application/x-www-form-urlencoded"
            #expect(try await client.execute(uri: "/rigs/rig-a/trace", method: .post, headers: adminForm,
                                             body: ByteBuffer(string: "trace=on")).status == .forbidden, "no form token")
            #expect(collector.tracedRigs.isEmpty)
            let on = try await client.execute(uri: "/rigs/rig-a/trace", method: .post, headers: adminForm,
                                              body: ByteBuffer(string: "trace=on&csrf=\(admin.csrf)"))
            #expect(on.status == .seeOther)
            #expect(on.headers[.location] == "/rigs/rig-a")
            #expect(collector.tracedRigs == ["rig-a"])
            #expect(collector.workers.first?.tracer != nil)
            #expect(String(buffer: try await client.execute(uri: "/rigs/rig-a", method: .get, headers: admin.headers).body).contains("Stop tracing frames"))
            let off = try await client.execute(uri: "/rigs/rig-a/trace", method: .post, headers: adminForm,
                                               body: ByteBuffer(string: "trace=off&csrf=\(admin.csrf)"))
            #expect(off.status == .seeOther)
            #expect(collector.tracedRigs.isEmpty)
            #expect(collector.workers.first?.tracer == nil)
        }
        let audit = try fixture.store.auditEntries().filter { $0.action.hasPrefix("trace") }
        #expect(audit.map(\.action) == ["trace off", "trace on"], "newest first")
        #expect(audit.allSatisfy { $0.user == "ada" && $0.detail.hasPrefix("rig-a") })
    }
}

/// The rig page says what device the rig is (Modbus 43/14, as the collector recorded it at its
/// start), or that it was not asked yet.
@Suite struct RigPageDeviceTests {
    @Test func theRigPageShowsTheDeviceTheCollectorIdentified() async throws {
        let fixture = try WebFixture()
        let (_, collector, board) = try liveLab(in: fixture)
        let app = Application(router: try LabWeb(store: fixture.store, live: LiveLab(collector: collector, board: board)).router())
        try await app.test(.router) { client in
            var instructor = Browser()
            _ = try await instructor.signIn(client, name: "ivan")
            let before = String(buffer: try await client.execute(uri: "/rigs/rig-a", method: .get, headers: instructor.headers).body)
            #expect(before.contains("Device: not asked yet"), "\(before.prefix(400))")
            try fixture.store.recordIdentity(StoredIdentity(rig: "rig-a", at: .now(), outcome: .identified, vendor: "Festo Didactic",
                                                            productCode: "BRK-2", revision: "1.4", detail: "identified"))
            let after = String(buffer: try await client.execute(uri: "/rigs/rig-a", method: .get, headers: instructor.headers).body)
            #expect(after.contains("Device: Festo Didactic BRK-2 1.4 (asked "), "\(after.prefix(400))")
        }
    }
}

/// A lab of one rig on a port nobody serves, registered in the fixture's store, with a collector
/// that is never started: what the web's live pages need.
func liveLab(in fixture: WebFixture) throws -> (LabConfig, Collector, LiveBoard) {
    try FileManager.default.createDirectory(atPath: fixture.folder + "/Devices", withIntermediateDirectories: true)
    try "profile: one\ntitle: {en: One}\npoll: 1s\nchannels:\n  - {name: level, source: input 0, type: u16}\n"
        .write(toFile: fixture.folder + "/Devices/one.yaml", atomically: true, encoding: .utf8)
    try "lab: Admin test\ntimezone: Asia/Almaty\nrigs:\n  - {id: rig-a, profile: one, connection: \"tcp://127.0.0.1:9\", unit: 1}\n"
        .write(toFile: fixture.folder + "/lab.yaml", atomically: true, encoding: .utf8)
    let lab = try LabLoader.load(path: fixture.folder + "/lab.yaml", devicesFolder: fixture.folder + "/Devices")
    let board = LiveBoard(lab: lab)
    let collector = try Collector(lab: lab, store: fixture.store, sinks: [board])
    try board.begin(store: fixture.store)
    return (lab, collector, board)
}
