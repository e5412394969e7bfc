import HTTPTypes
import Accounts
import Foundation
import Hummingbird
import HummingbirdTesting
import Ingest
import LabWeb
import Store
import Testing
import Timekeeping

/// The portal's routes through Hummingbird's test client, against a real store: who may see what,
/// form tokens, audit rows, sign-in throttling and API tokens.
@Suite struct PortalRouteTests {
    static let groupPath = "/groups/%D0%A2%D0%AD-21"
    static let pages = ["/", "/rigs/brake-1", "/students", "/students?q=s00", "/students/s001", "/sessions/1", groupPath, "/desk", "/admin/audit"]
    static let studentPages = ["/students", "/students/s001", "/sessions/1", groupPath]
    static let apiReads = ["/api/v1/me", "/api/v1/rigs", "/api/v1/students", "/api/v1/students/s001/report",
                           "/api/v1" + groupPath + "/assessment?format=moodle", "/api/v1/audit", "/api/v1/live"]

    @Test func unsignedRequestsGetNoStudentData() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        try await app.test(.router) { client in
            for uri in Self.apiReads {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .unauthorized, "\(uri)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(uri)")
                #expect(String(buffer: response.body).contains(#""error":"sign in first"#), "\(uri)")
            }
            let ack = try await client.execute(uri: "/api/v1/rigs/brake-1/ack", method: .post, headers: [.contentType: "application/json"],
                                               body: ByteBuffer(string: #"{"alarm":"overpressure","since":"2026-11-29T03:03:20.000Z"}"#))
            #expect(ack.status == .unauthorized)
            for uri in Self.pages {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .seeOther, "\(uri)")
                #expect(response.headers[.location]?.hasPrefix("/signin?next=/") == true, "\(uri)")
                #expect(!String(buffer: response.body).contains("Айгерим"), "\(uri)")
            }
            // What needs no sign-in: the form itself, the assets, the API description.
            for uri in ["/signin", "/assets/riglog.css", "/assets/board.js", "/api/v1/openapi.yaml"] {
                #expect(try await client.execute(uri: uri, method: .get).status == .ok, "\(uri)")
            }
        }
    }

    @Test func theBoardIsPublicOnlyWhenConfiguredSo() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web(WebSettings(publicBoard: true)).router())
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/", method: .get).status == .ok)
            let rigs = try await client.execute(uri: "/api/v1/rigs", method: .get)
            #expect(rigs.status == .ok)
            #expect(String(buffer: rigs.body).contains(#""id":"brake-1""#))
            // The rest stays behind sign-in.
            #expect(try await client.execute(uri: "/api/v1/students", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/students", method: .get).status == .seeOther)
        }
    }

    @Test func everyPageAndReadAnswersAnAdmin() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        try await app.test(.router) { client in
            var browser = Browser()
            let signIn = try await browser.signIn(client, name: "ada")
            #expect(signIn.status == .seeOther)
            #expect(signIn.headers[values: .setCookie].contains { $0.hasPrefix("riglog_session=") && $0.contains("HttpOnly") && $0.contains("SameSite=Strict") })
            for uri in Self.pages {
                let response = try await client.execute(uri: uri, method: .get, headers: browser.headers)
                #expect(response.status == .ok, "\(uri)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(uri)")
                let html = String(buffer: response.body)
                // Names are text, never markup.
                #expect(!html.contains("<script>alert"), "\(uri)")
            }
            let students = String(buffer: try await client.execute(uri: "/students", method: .get, headers: browser.headers).body)
            #expect(students.contains("Айгерим Нұрланқызы"))
            #expect(students.contains("&lt;script&gt;alert"))
            let group = String(buffer: try await client.execute(uri: Self.groupPath, method: .get, headers: browser.headers).body)
            #expect(group.contains("Emergency stop"))
            #expect(group.contains("1/1"))
            for uri in Self.apiReads where uri != "/api/v1/live" {
                let response = try await client.execute(uri: uri, method: .get, headers: browser.headers)
                #expect(response.status == .ok, "\(uri)")
            }
            let report = String(buffer: try await client.execute(uri: "/api/v1/students/s001/report?from=2026-11-29&to=2026-11-30", method: .get, headers: browser.headers).body)
            #expect(report.contains(#""exercise":"emergency-stop""#) || report.contains(#""exercise" : "emergency-stop""#))
            let badPeriod = try await client.execute(uri: "/api/v1/students/s001/report?from=yesterday", method: .get, headers: browser.headers)
            #expect(badPeriod.status == .badRequest)
            #expect(try await client.execute(uri: "/api/v1/students/nobody/report", method: .get, headers: browser.headers).status == .notFound)
            #expect(try await client.execute(uri: "/rigs/nothing", method: .get, headers: browser.headers).status == .notFound)
        }
    }

    @Test func rolesLimitWhatAUserSees() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        try await app.test(.router) { client in
            var technician = Browser()
            _ = try await technician.signIn(client, name: "tom")
            #expect(try await client.execute(uri: "/", method: .get, headers: technician.headers).status == .ok)
            #expect(try await client.execute(uri: "/rigs/brake-1", method: .get, headers: technician.headers).status == .ok)
            for uri in Self.studentPages + ["/admin/audit"] {
                #expect(try await client.execute(uri: uri, method: .get, headers: technician.headers).status == .forbidden, "\(uri)")
            }
            #expect(try await client.execute(uri: "/api/v1/students", method: .get, headers: technician.headers).status == .forbidden)
            var instructor = Browser()
            _ = try await instructor.signIn(client, name: "ivan")
            #expect(try await client.execute(uri: "/students", method: .get, headers: instructor.headers).status == .ok)
            #expect(try await client.execute(uri: "/admin/audit", method: .get, headers: instructor.headers).status == .forbidden)
            #expect(try await client.execute(uri: "/api/v1/audit", method: .get, headers: instructor.headers).status == .forbidden)
        }
    }

    @Test func formsWithoutTheirTokenAreRefused() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        try await app.test(.router) { client in
            // Sign-in without the form's token (a cross-site post) is refused before any password check.
            let forged = try await client.execute(uri: "/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: "name=ivan&password=correct+horse+battery&next=/"))
            #expect(forged.status == .forbidden)
            #expect(!forged.headers[values: .setCookie].contains { $0.hasPrefix("riglog_session=") })
            var browser = Browser()
            _ = try await browser.signIn(client, name: "ivan")
            #expect(!browser.csrf.isEmpty)
            var headers = browser.headers
            headers[.contentType] = "application/json"
            let body = ByteBuffer(string: #"{"alarm":"overpressure","since":"2026-11-29T03:03:20.000Z","note":"checked the valve"}"#)
            #expect(try await client.execute(uri: "/api/v1/rigs/brake-1/ack", method: .post, headers: headers, body: body).status == .forbidden)
            var wrong = headers
            wrong[HTTPField.Name("X-CSRF-Token")!] = String(browser.csrf.reversed())
            #expect(try await client.execute(uri: "/api/v1/rigs/brake-1/ack", method: .post, headers: wrong, body: body).status == .forbidden)
            var form = browser.headers
            form[.contentType] = "application/x-www-form-urlencoded"
            #expect(try await client.execute(uri: "/signout", method: .post, headers: form, body: ByteBuffer(string: "")).status == .forbidden)
            // Still signed in: the refused sign-out changed nothing.
            #expect(try await client.execute(uri: "/students", method: .get, headers: browser.headers).status == .ok)
            let out = try await client.execute(uri: "/signout", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(browser.csrf)"))
            #expect(out.status == .seeOther)
            #expect(try await client.execute(uri: "/students", method: .get, headers: browser.headers).status == .seeOther)
        }
        #expect(try fixture.store.auditEntries().allSatisfy { $0.action != "acknowledge alarm" })
    }

    @Test func downloadsAndAcknowledgementsAreAudited() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        try await app.test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, name: "ivan")
            let download = try await client.execute(uri: "/api/v1" + Self.groupPath + "/assessment?format=canvas&excel=1", method: .get, headers: browser.headers)
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(download.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
            var headers = browser.headers
            headers[.contentType] = "application/json"
            headers[HTTPField.Name("X-CSRF-Token")!] = browser.csrf
            let ack = try await client.execute(uri: "/api/v1/rigs/brake-1/ack", method: .post, headers: headers,
                                               body: ByteBuffer(string: #"{"alarm":"overpressure","since":"2026-11-29T03:03:20.000Z","note":"checked the valve"}"#))
            #expect(ack.status == .ok)
            #expect(String(buffer: ack.body).contains(#""by":"ivan""#))
        }
        let audit = try fixture.store.auditEntries()
        let download = try #require(audit.first { $0.action == "export assessment" })
        #expect(download.user == "ivan")
        #expect(download.detail.contains("group ТЭ-21 format canvas excel"))
        let ack = try #require(audit.first { $0.action == "acknowledge alarm" })
        #expect(ack.user == "ivan")
        #expect(ack.detail.contains("rig brake-1 alarm overpressure"))
        #expect(audit.first?.action == "acknowledge alarm", "newest first")
        let acks = try fixture.store.alarmAcknowledgements(rig: "brake-1")
        #expect(acks.map(\.user) == ["ivan"])
        #expect(acks.map(\.note) == ["checked the valve"])
    }

    @Test func samplesDownloadAsTheCLIWritesThemAndAreAudited() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        try await app.test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, name: "ivan")
            let csv = try await client.execute(uri: "/api/v1/rigs/brake-1/samples?from=2026-11-29&to=2026-11-30&channels=speed", method: .get, headers: browser.headers)
            #expect(csv.status == .ok)
            let lines = String(buffer: csv.body).split(separator: "\r\n", omittingEmptySubsequences: true).map(String.init)
            #expect(lines.first == "time,rig,channel,value,unit")
            #expect(lines.count == 11)
            #expect(lines.dropFirst().first == "2026-11-29T03:00:00.000Z,brake-1,speed,30.0,km/h")
            let excel = try await client.execute(uri: "/api/v1/rigs/brake-1/samples?wide=1&excel=1", method: .get, headers: browser.headers)
            #expect(String(buffer: excel.body).hasPrefix("\u{FEFF}time;speed [km/h];pressure [bar]"))
            #expect(try await client.execute(uri: "/api/v1/rigs/brake-1/samples?channels=nothing", method: .get, headers: browser.headers).status == .badRequest)
            #expect(try await client.execute(uri: "/api/v1/rigs/nowhere/samples", method: .get, headers: browser.headers).status == .notFound)
            var technician = Browser()
            _ = try await technician.signIn(client, name: "tom")
            #expect(try await client.execute(uri: "/api/v1/rigs/brake-1/samples", method: .get, headers: technician.headers).status == .forbidden)
        }
        let downloads = try fixture.store.auditEntries().filter { $0.action == "export samples" }
        #expect(downloads.map(\.detail) == ["rig brake-1 channels all from - to -: 20 samples (web)",
                                            "rig brake-1 channels speed from 2026-11-29 to 2026-11-30: 10 samples (web)"])
        #expect(downloads.allSatisfy { $0.user == "ivan" })
    }

    @Test func signInIsThrottledPerUser() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        try await app.test(.router) { client in
            for _ in 0..<5 {
                var guesser = Browser()
                #expect(try await guesser.signIn(client, name: "ivan", password: "wrong password").status == .unauthorized)
            }
            // The right password no longer helps within the window; another user is not locked out.
            var late = Browser()
            let refused = try await late.signIn(client, name: "ivan")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] != nil)
            var other = Browser()
            #expect(try await other.signIn(client, name: "ada").status == .seeOther)
        }
        #expect(try fixture.store.auditEntries().filter { $0.action == "sign-in refused" }.count == 5)
    }

    @Test func apiTokensAuthenticateWithoutCookies() async throws {
        let fixture = try WebFixture()
        let token = try fixture.accounts.issueToken(for: "ivan")
        let app = Application(router: try fixture.web().router())
        try await app.test(.router) { client in
            let students = try await client.execute(uri: "/api/v1/students", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(students.status == .ok)
            #expect(String(buffer: students.body).contains("s001"))
            #expect(try await client.execute(uri: "/api/v1/students", method: .get, headers: [.authorization: "Bearer \(token)x"]).status == .unauthorized)
            // A token needs no form token: no cookie, so no cross-site request can carry it.
            let ack = try await client.execute(uri: "/api/v1/rigs/brake-1/ack", method: .post,
                                               headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                               body: ByteBuffer(string: #"{"alarm":"overpressure","since":"2026-11-29T03:03:20.000Z"}"#))
            #expect(ack.status == .ok)
        }
        #expect(try fixture.store.auditEntries().first?.user == "ivan (token)")
    }

    @Test func aSignInLinkWorksOnce() async throws {
        let fixture = try WebFixture()
        let web = try fixture.web()
        let link = try web.signInLink(for: try #require(try fixture.store.user(named: "ivan")))
        let app = Application(router: web.router())
        try await app.test(.router) { client in
            var browser = Browser()
            let first = try await client.execute(uri: link, method: .get)
            #expect(first.status == .seeOther)
            browser.keep(first)
            #expect(try await client.execute(uri: "/students", method: .get, headers: browser.headers).status == .ok)
            let second = try await client.execute(uri: link, method: .get)
            #expect(second.status == .unauthorized)
            #expect(!second.headers[values: .setCookie].contains { $0.hasPrefix("riglog_session=") })
        }
    }

    @Test func throttleStateMachine() {
        var throttle = SignInThrottle(policy: .init(perUser: 3, perAddress: 5, window: 60))
        for t in 0..<3 {
            #expect(throttle.check(user: "Ivan", address: "10.0.0.1", now: Int64(t)) == .allow)
            throttle.failed(user: "Ivan", address: "10.0.0.1", now: Int64(t))
        }
        // Names are matched without case; the lock lasts until the oldest failure leaves the window.
        #expect(throttle.check(user: "ivan", address: "10.0.0.2", now: 10) == .refuse(retryAfter: 50))
        #expect(throttle.check(user: "ivan", address: "10.0.0.2", now: 60) == .allow)
        for t in 0..<2 { throttle.failed(user: "other\(t)", address: "10.0.0.1", now: 61) }
        #expect(throttle.check(user: "someone", address: "10.0.0.1", now: 62) == .allow, "3 of 5 left the window at 60")
        throttle.failed(user: "x", address: "10.0.0.1", now: 62)
        throttle.failed(user: "y", address: "10.0.0.1", now: 62)
        throttle.failed(user: "z", address: "10.0.0.1", now: 62)
        #expect(throttle.check(user: "someone", address: "10.0.0.1", now: 63) == .refuse(retryAfter: 58))
        throttle.succeeded(user: "x")
        #expect(throttle.check(user: "someone", address: "10.0.0.1", now: 63) == .refuse(retryAfter: 58), "success clears the user, not the address")
    }
}

/// The desk's uploads and check-ins, and the kiosk.
@Suite struct DeskRouteTests {
    @Test func aRosterWithProblemsImportsNothingAndSaysWhere() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        try await app.test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, name: "tom")
            var headers = browser.headers
            headers[.contentType] = "text/csv"
            headers[HTTPField.Name("X-CSRF-Token")!] = browser.csrf
            let bad = "id,name,group,badge\ns010,Ok Student,ТЭ-21,5\n,No Id,ТЭ-21,\ns011,Bad Badge,ТЭ-21,12ab\n"
            let refused = try await client.execute(uri: "/api/v1/roster?file=new.csv", method: .post, headers: headers, body: ByteBuffer(string: bad))
            #expect(refused.status == .unprocessableContent)
            let text = String(buffer: refused.body)
            #expect(text.contains("new.csv:3: id is empty"))
            #expect(text.contains("new.csv:4:"))
            #expect(try fixture.store.student(id: "s010") == nil, "nothing imported from a file with problems")
            let good = "id,name,group,badge\ns010,Ok Student,ТЭ-21,5\n"
            #expect(try await client.execute(uri: "/api/v1/roster?file=new.csv", method: .post, headers: headers, body: ByteBuffer(string: good)).status == .ok)
            #expect(try fixture.store.student(id: "s010")?.name == "Ok Student")
            // Without the form token a cookie upload is refused.
            headers[HTTPField.Name("X-CSRF-Token")!] = nil
            #expect(try await client.execute(uri: "/api/v1/roster", method: .post, headers: headers, body: ByteBuffer(string: good)).status == .forbidden)
        }
        #expect(try fixture.store.auditEntries().first { $0.action == "import roster" }?.detail.contains("new.csv (web): 1 students") == true)
    }

    @Test func staffCheckStudentsInByBadgeAndTheAuditSaysWho() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        try await app.test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, name: "tom")
            var form = browser.headers
            form[.contentType] = "application/x-www-form-urlencoded"
            let checkin = try await client.execute(uri: "/desk", method: .post, headers: form,
                                                   body: ByteBuffer(string: "rig=brake-1&who=004100102&action=in&csrf=\(browser.csrf)"))
            #expect(checkin.status == .ok)
            #expect(String(buffer: checkin.body).contains("Checked in s002 on brake-1"))
            let forged = try await client.execute(uri: "/desk", method: .post, headers: form, body: ByteBuffer(string: "rig=brake-1&action=out"))
            #expect(forged.status == .forbidden)
            let out = try await client.execute(uri: "/desk", method: .post, headers: form,
                                               body: ByteBuffer(string: "rig=brake-1&action=out&csrf=\(browser.csrf)"))
            #expect(String(buffer: out.body).contains("Checked out s002 from brake-1"))
        }
        let audit = try fixture.store.auditEntries()
        #expect(audit.first { $0.action == "check-in" }?.user == "tom (desk)")
        #expect(try fixture.store.checkins(rig: "brake-1").map(\.student) == ["s002", nil])
    }

    @Test func theKioskNeedsSignInUnlessTheLabAllowsIt() async throws {
        let fixture = try WebFixture()
        let closed = Application(router: try fixture.web().router())
        try await closed.test(.router) { client in
            let page = try await client.execute(uri: "/kiosk", method: .get)
            #expect(page.status == .seeOther)
        }
        let open = Application(router: try fixture.web(WebSettings(kiosk: true)).router())
        try await open.test(.router) { client in
            var browser = Browser()
            let page = try await client.execute(uri: "/kiosk", method: .get)
            #expect(page.status == .ok)
            browser.keep(page)
            let token = try #require(Browser.hidden("csrf", in: String(buffer: page.body)))
            var form = browser.headers
            form[.contentType] = "application/x-www-form-urlencoded"
            let done = try await client.execute(uri: "/kiosk", method: .post, headers: form,
                                                body: ByteBuffer(string: "rig=brake-1&who=s001&action=in&csrf=\(token)"))
            #expect(String(buffer: done.body).contains("Checked in s001 on brake-1"))
            // The kiosk opens check-in only: the rest still needs sign-in.
            #expect(try await client.execute(uri: "/students", method: .get, headers: browser.headers).status == .seeOther)
            #expect(try await client.execute(uri: "/desk", method: .get, headers: browser.headers).status == .seeOther)
        }
        #expect(try fixture.store.auditEntries().first { $0.action == "check-in" }?.user == "kiosk")
    }
}

/// Without Debian's dygraphs the rig page's panels are drawn by the server.
@Suite struct PanelFallbackTests {
    @Test func aPanelIsDrawnFromTheStoredSamples() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        try await app.test(.router) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, name: "tom")
            // The fixture's ten frames end 0.9 s after its start: a window ending 1 s after holds them all.
            let at = (WebFixture.start + .seconds(1)).iso8601
            let svg = try await client.execute(uri: "/rigs/brake-1/panels/0?at=\(at)", method: .get, headers: browser.headers)
            #expect(svg.status == .ok)
            #expect(svg.headers[.contentType] == "image/svg+xml")
            let text = String(buffer: svg.body)
            #expect(text.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            // The standard dashboard: one panel per unit, so speed (km/h) alone in the first.
            #expect(text.contains("aria-label=\"speed\" data-points=\"10\""), "\(text.prefix(300))")
            #expect(text.contains("<polyline class=\"series s0\""))
            #expect(text.contains(">speed</text>"))
            // A window with nothing in it is an empty chart, not an error.
            let empty = String(buffer: try await client.execute(uri: "/rigs/brake-1/panels/0", method: .get, headers: browser.headers).body)
            #expect(empty.contains("data-points=\"0\""))
            #expect(try await client.execute(uri: "/rigs/brake-1/panels/99", method: .get, headers: browser.headers).status == .notFound)
            #expect(try await client.execute(uri: "/rigs/brake-1/panels/0", method: .get).status == .seeOther)
        }
    }
}

/// Reports are kept while nothing they read changes, and only then.
@Suite struct ReportCacheTests {
    @Test func aKeptReportFollowsTheData() async throws {
        let fixture = try WebFixture()
        let token = try fixture.accounts.issueToken(for: "ivan")
        let app = Application(router: try fixture.web().router())
        let generation = try fixture.store.practiceGeneration()
        try await app.test(.router) { client in
            let headers: HTTPFields = [.authorization: "Bearer \(token)"]
            let first = String(buffer: try await client.execute(uri: "/api/v1/students/s001/report", method: .get, headers: headers).body)
            #expect(first.contains(#""acknowledged" : null"#) || first.contains(#""acknowledged":null"#), "\(first.prefix(400))")
            // Samples do not move the generation; an acknowledgement does.
            let writer = ChunkWriter(store: fixture.store)
            let more = [Sample(channel: 1, time: (WebFixture.start + .seconds(2)).nanosecondsSince1970, raw: 1)]
            try more.withUnsafeBufferPointer { try writer.write($0) }
            try writer.close()
            #expect(try fixture.store.practiceGeneration() == generation)
            try fixture.store.acknowledgeAlarm(rig: "brake-1", alarm: "overpressure", start: WebFixture.start + .seconds(200),
                                               user: "ivan", note: "valve", at: WebFixture.start + .seconds(400))
            #expect(try fixture.store.practiceGeneration() > generation)
            let second = String(buffer: try await client.execute(uri: "/api/v1/students/s001/report", method: .get, headers: headers).body)
            #expect(second.contains("\"valve\""), "the kept report was replaced: \(second.prefix(400))")
        }
    }
}
