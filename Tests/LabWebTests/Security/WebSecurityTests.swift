import Accounts
import Collector
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LabWeb
import Logging
import RiglogTesting
import Store
import Testing
import Timekeeping

/// The web's defences against a hostile browser or client, through the real router over a real
/// store (issue 19): every route without or with bad credentials, form tokens, session ids,
/// cookie flags, path traversal, markup and formulas in every field a student's data reaches,
/// oversize bodies and password guessing. Each group records one reliability-table row.
enum WebAttack {
    /// Who may call a route (DESIGN.md "Web"). ``access`` must name exactly the router's routes,
    /// so a route added without a place here fails ``WebSecurityAccessTests``.
    enum Needs: Sendable { case anyone, signedIn, instructor, admin }

    static let access: [String: Needs] = [
        "GET /": .signedIn, "GET /rigs/{id}": .signedIn, "GET /rigs/{id}/panels/{index}": .signedIn,
        "GET /students": .instructor, "GET /students/{id}": .instructor, "GET /sessions/{id}": .instructor,
        "GET /groups/{group}": .instructor, "GET /admin/audit": .admin, "POST /rigs/{id}/trace": .admin,
        "GET /admin/lab": .admin, "POST /admin/lab/reload": .admin,
        "GET /desk": .signedIn, "POST /desk": .signedIn, "GET /kiosk": .signedIn, "POST /kiosk": .signedIn,
        "GET /signin": .anyone, "POST /signin": .anyone, "POST /signout": .anyone, "GET /signin/link/{token}": .anyone,
        "GET /favicon.ico": .anyone, "GET /assets/{file}": .anyone, "GET /assets/dygraphs/{file}": .anyone,
        "GET /api/v1/openapi.yaml": .anyone,
        "GET /api/v1/me": .signedIn, "GET /api/v1/rigs": .signedIn, "GET /api/v1/live": .signedIn,
        "GET /api/v1/students": .instructor, "GET /api/v1/students/{id}/report": .instructor,
        "GET /api/v1/groups/{group}/assessment": .instructor, "GET /api/v1/rigs/{rig}/samples": .instructor,
        "GET /api/v1/audit": .admin, "POST /api/v1/rigs/{rig}/ack": .instructor,
        "POST /api/v1/roster": .signedIn, "POST /api/v1/timetable": .signedIn,
        "GET /healthz": .anyone, "GET /metrics": .anyone,
    ]

    /// The routes only a web with a running lab has (`collect`, `demo`).
    static let liveOnly: Set<String> = ["GET /healthz", "GET /metrics"]

    /// Every route the router has, as `METHOD /path/{param}`.
    static func routes(_ web: LabWeb) -> [String] {
        web.router().routes.map { route in
            let path = route.path.description
            return "\(route.method) \(path.hasPrefix("/") ? path : "/" + path)"
        }.sorted()
    }

    /// A route's path with its parameters filled: real ones by default, `override` for one.
    static func uri(_ route: String, override: (name: String, value: String)? = nil) -> String {
        let path = String(route.split(separator: " ", maxSplits: 1)[1])
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            guard segment.hasPrefix("{") else { return String(segment) }
            let name = String(segment.dropFirst().dropLast())
            if let override, override.name == name { return override.value }
            switch (name, path.hasPrefix("/students") || path.hasPrefix("/api/v1/students"), path.hasPrefix("/sessions")) {
            case ("id", true, _): return "s001"
            case ("id", _, true): return "1"
            case ("id", _, _), ("rig", _, _): return "brake-1"
            case ("group", _, _): return "%D0%A2%D0%AD-21"
            case ("index", _, _): return "0"
            case ("token", _, _): return "0123456789abcdef"
            case ("file", _, _): return path.contains("dygraphs") ? "dygraph.js" : "riglog.css"
            default:
                Issue.record("\(route): no value for the parameter \(name); add one to WebAttack.uri")
                return "x"
            }
        }
        return segments.joined(separator: "/")
    }

    /// A plausible body for each change, so a refusal is never the body's fault.
    static func body(_ route: String, csrf: String? = nil) -> (type: String, text: String) {
        let token = csrf.map { "&csrf=\($0)" } ?? ""
        switch route {
        case "POST /api/v1/rigs/{rig}/ack":
            return ("application/json", #"{"alarm":"overpressure","since":"2026-11-29T03:03:20.000Z","note":"attack"}"#)
        case "POST /api/v1/roster": return ("text/csv", "id,name,group,badge\ns900,Injected Student,ТЭ-21,\n")
        case "POST /api/v1/timetable": return ("text/csv", "rig,student,start,end\nbrake-1,s001,2026-12-01T09:00,2026-12-01T10:00\n")
        case "POST /desk", "POST /kiosk": return ("application/x-www-form-urlencoded", "rig=brake-1&who=s001&action=in" + token)
        case "POST /rigs/{id}/trace": return ("application/x-www-form-urlencoded", "trace=on" + token)
        case "POST /signin": return ("application/x-www-form-urlencoded", "name=ada&password=correct+horse+battery&next=/" + token)
        default: return ("application/x-www-form-urlencoded", String(token.dropFirst()))
        }
    }

    /// Sends `route` (filled by ``uri(_:override:)``) with `headers` and its plausible body.
    static func send(_ client: some TestClientProtocol, _ route: String, headers: HTTPFields = [:], csrf: String? = nil,
                     uri: String? = nil) async throws -> TestResponse {
        let post = route.hasPrefix("POST ")
        var fields = headers
        let (type, text) = body(route, csrf: csrf)
        if post { fields[.contentType] = type }
        return try await client.execute(uri: uri ?? Self.uri(route), method: post ? .post : .get, headers: fields,
                                        body: post ? ByteBuffer(string: text) : nil)
    }

    /// What must never reach someone refused: the fixture's students' names, ids and badges.
    static let studentData = ["Айгерим", "Bobby", "s001", "s002", "4100101", "4100102"]

    static func leaks(_ response: TestResponse) -> [String] {
        let text = String(buffer: response.body)
        return studentData.filter { text.contains($0) }
    }

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// A path segment as the pages write one.
    static func pathPart(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? text
    }

    /// Signs in through the form from a browser that carries `planted` as its session cookie
    /// (put there by someone else); returns the answer and the browser's cookies after it.
    static func signIn(_ client: some TestClientProtocol, name: String, planted: String? = nil, next: String = "/") async throws -> (TestResponse, Browser) {
        var browser = Browser()
        let page = try await client.execute(uri: "/signin", method: .get)
        browser.keep(page)
        let token = try #require(Browser.hidden("csrf", in: String(buffer: page.body)))
        if let planted { browser.cookies["riglog_session"] = planted }
        var headers = browser.headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = "name=\(name)&password=\(WebFixture.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&csrf=\(token)&next=\(next)"
        let response = try await client.execute(uri: "/signin", method: .post, headers: headers, body: ByteBuffer(string: body))
        browser.keep(response)
        return (response, browser)
    }

    /// A cookie session stored for `userID` that expired a minute ago (what a browser left open
    /// past the session's length still sends).
    static func expiredSession(_ store: StoreDatabase, userID: Int64) throws -> String {
        let id = "expired-\(UUID().uuidString)"
        try store.setPersistedValue(key: "session." + id, value: Array(#"{"userID":\#(userID),"csrf":"x"}"#.utf8),
                                    expiresAt: Timestamp.now() - .seconds(60))
        return id
    }

    /// A `Set-Cookie` line of `name`, if the response has one.
    static func setCookie(_ response: TestResponse, _ name: String) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }

    static func cookieValue(_ line: String?) -> String? {
        line.map { String($0.split(separator: ";")[0].split(separator: "=", maxSplits: 1).last ?? "") }
    }
}

@Suite struct WebSecurityAccessTests {
    @Test func theAccessTableNamesEveryRoute() async throws {
        let fixture = try WebFixture()
        #expect(WebAttack.routes(try fixture.web()) == WebAttack.access.keys.filter { !WebAttack.liveOnly.contains($0) }.sorted())
        let (_, collector, board) = try liveLab(in: fixture)
        let live = try LabWeb(store: fixture.store, live: LiveLab(collector: collector, board: board))
        #expect(WebAttack.routes(live) == WebAttack.access.keys.sorted())
        // What a lab's web shows anyone carries no student data.
        let app = Application(router: live.router())
        try await app.test(.router) { client in
            for route in WebAttack.liveOnly.sorted() {
                let response = try await WebAttack.send(client, route)
                #expect(response.status == .ok, "\(route)")
                #expect(WebAttack.leaks(response).isEmpty, "\(route) shows \(WebAttack.leaks(response))")
            }
        }
    }

    /// Every route under every kind of missing or bad credential: refused the way its kind is
    /// (401 JSON for the API, a redirect to the sign-in form for pages), no student data, and
    /// the same routes answer an admin (so a refusal is the credential's doing).
    @Test func everyRouteRefusesEveryBadCredential() async throws {
        let fixture = try WebFixture()
        let web = try fixture.web()
        let routes = WebAttack.routes(web)
        let ada = try #require(try fixture.store.user(named: "ada"))
        _ = try fixture.accounts.add(name: "gone", role: .admin, password: WebFixture.password)
        let goneToken = try fixture.accounts.issueToken(for: "gone")
        let adaToken = try fixture.accounts.issueToken(for: "ada")
        let expired = try WebAttack.expiredSession(fixture.store, userID: ada.id)
        let app = Application(router: web.router())
        let (checked, credentials) = try await app.test(.router) { client in
            var gone = Browser()
            _ = try await gone.signIn(client, name: "gone")
            var signedOut = Browser()
            _ = try await signedOut.signIn(client, name: "ada")
            var form = signedOut.headers
            form[.contentType] = "application/x-www-form-urlencoded"
            #expect(try await client.execute(uri: "/signout", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(signedOut.csrf)")).status == .seeOther)
            try fixture.accounts.remove(name: "gone")
            var adaBrowser = Browser()
            _ = try await adaBrowser.signIn(client, name: "ada")
            let forged = "rlg_" + String(repeating: "A", count: 43)
            let bad: [(String, HTTPFields)] = [
                ("none", [:]),
                ("a made-up session cookie", [.cookie: "riglog_session=bm90LWEtc2Vzc2lvbg=="]),
                ("an expired session cookie", [.cookie: "riglog_session=\(expired)"]),
                ("a signed-out session cookie", signedOut.headers),
                ("a removed user's session cookie", gone.headers),
                ("a forged bearer token", [.authorization: "Bearer \(forged)"]),
                ("a removed user's bearer token", [.authorization: "Bearer \(goneToken)"]),
                ("a bearer token without its prefix", [.authorization: "Bearer \(adaToken.dropFirst(4))"]),
                ("basic auth with the right password", [.authorization: "Basic " + Data("ada:\(WebFixture.password)".utf8).base64EncodedString()]),
                ("a forged bearer token beside an admin's cookie", { var h = adaBrowser.headers; h[.authorization] = "Bearer \(forged)"; return h }()),
            ]
            var checked = 0
            for route in routes {
                let needs = try #require(WebAttack.access[route], "\(route) has no entry in WebAttack.access")
                for (what, headers) in bad {
                    let response = try await WebAttack.send(client, route, headers: headers)
                    #expect(WebAttack.leaks(response).isEmpty, "\(route) with \(what) shows \(WebAttack.leaks(response))")
                    // Refusals too are never framed or sniffed, and run no script from elsewhere.
                    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(route) with \(what)")
                    #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(route) with \(what)")
                    #expect(response.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'self'") == true, "\(route) with \(what)")
                    guard needs != .anyone else { continue }
                    if route.contains(" /api/") {
                        #expect(response.status == .unauthorized, "\(route) with \(what): \(response.status)")
                        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(route) with \(what)")
                        #expect(String(buffer: response.body).contains(#""error":"sign in first"#), "\(route) with \(what)")
                    } else {
                        #expect(response.status == .seeOther, "\(route) with \(what): \(response.status)")
                        #expect(response.headers[.location]?.hasPrefix("/signin?next=/") == true, "\(route) with \(what)")
                    }
                    checked += 1
                }
                // The control: an admin's token opens every read (the endless live feed aside).
                if needs != .anyone, route.hasPrefix("GET "), !route.hasSuffix("/live") {
                    let answer = try await WebAttack.send(client, route, headers: [.authorization: "Bearer \(adaToken)"])
                    #expect(answer.status == .ok, "\(route) as admin: \(answer.status)")
                }
            }
            return (checked, bad.count)
        }
        let protected = WebAttack.access.values.filter { $0 != .anyone }.count
        #expect(checked == protected * credentials)
        // Nothing those requests carried changed anything.
        #expect(try fixture.store.student(id: "s900") == nil)
        #expect(try fixture.store.alarmAcknowledgements(rig: "brake-1").isEmpty)
        #expect(try fixture.store.checkins(rig: "brake-1").isEmpty)
        Reliability.record(scenario: "web: every route without valid credentials", inputs: "\(routes.count) routes (\(protected) protected) x \(credentials) credentials",
                           outcome: "all refused (401 JSON / 303 to /signin), no student data in any body; an admin's token opens every read",
                           lost: "-", ok: checked == protected * credentials)
    }

    @Test func lowerRolesAreRefusedHigherRoutes() async throws {
        let fixture = try WebFixture()
        let web = try fixture.web()
        let routes = WebAttack.routes(web)
        let tomToken = try fixture.accounts.issueToken(for: "tom")
        let app = Application(router: web.router())
        let refused = try await app.test(.router) { client in
            var tom = Browser()
            _ = try await tom.signIn(client, name: "tom")
            var ivan = Browser()
            _ = try await ivan.signIn(client, name: "ivan")
            let users: [(String, HTTPFields, Set<WebAttack.Needs>, String)] = [
                ("technician (cookie)", tom.headers, [.instructor, .admin], tom.csrf),
                ("technician (token)", [.authorization: "Bearer \(tomToken)"], [.instructor, .admin], ""),
                ("instructor (cookie)", ivan.headers, [.admin], ivan.csrf),
            ]
            var refused = 0
            for route in routes {
                let needs = try #require(WebAttack.access[route])
                for (who, headers, above, csrf) in users where above.contains(needs) {
                    var fields = headers
                    if !csrf.isEmpty { fields[WebAttack.csrfHeader] = csrf }
                    // With the form token too: the role, not the token, is what refuses.
                    let response = try await WebAttack.send(client, route, headers: fields, csrf: csrf.isEmpty ? nil : csrf)
                    #expect(response.status == .forbidden, "\(route) as \(who): \(response.status)")
                    #expect(String(buffer: response.body).contains("your role may not do this"), "\(route) as \(who)")
                    #expect(WebAttack.leaks(response).isEmpty, "\(route) as \(who) shows \(WebAttack.leaks(response))")
                    refused += 1
                }
            }
            return refused
        }
        #expect(refused >= 30)
        #expect(try fixture.store.alarmAcknowledgements(rig: "brake-1").isEmpty)
        Reliability.record(scenario: "web: a lower role on instructor and admin routes", inputs: "\(refused) requests (technician by cookie and token, instructor)",
                           outcome: "all 403 with the role named, no student data", lost: "-", ok: refused >= 30)
    }
}

@Suite struct WebSecurityCSRFTests {
    /// Every change (every POST route) without the form token, with another session's, and with
    /// it in a field the route does not read: 403, nothing in the store changed, no audit row.
    @Test func everyChangeRefusesAMissingOrForeignToken() async throws {
        let fixture = try WebFixture()
        let web = try fixture.web()
        let changes = WebAttack.routes(web).filter { $0.hasPrefix("POST ") }
        let app = Application(router: web.router())
        let auditBefore = try await app.test(.router) { client -> Int in
            var mine = Browser()
            _ = try await mine.signIn(client, name: "ada")
            var other = Browser()
            _ = try await other.signIn(client, name: "ada")
            #expect(mine.csrf != other.csrf, "each session has its own form token")
            let audit = try fixture.store.auditEntries().count
            for route in changes {
                // The sign-in and kiosk forms carry a cookie-bound token: another browser's page gives another.
                let cookieBound = route == "POST /signin" || route == "POST /kiosk"
                var foreign = other.csrf
                if cookieBound {
                    // (Signed in, /signin sends the browser on: the form comes to a browser without a session.)
                    let page = try await client.execute(uri: route == "POST /signin" ? "/signin" : "/kiosk", method: .get,
                                                        headers: route == "POST /signin" ? [:] : other.headers)
                    foreign = try #require(Browser.hidden("csrf", in: String(buffer: page.body)))
                }
                var wrongField = mine.headers
                if route.contains("/api/") {
                    wrongField[WebAttack.csrfHeader] = nil
                } else {
                    wrongField[WebAttack.csrfHeader] = mine.csrf   // forms read the form field only
                }
                let attempts: [(String, HTTPFields, String?, String?)] = [
                    ("no token", mine.headers, nil, nil),
                    ("another session's token", { var h = mine.headers; h[WebAttack.csrfHeader] = foreign; return h }(), foreign, nil),
                    ("the token in the query string", wrongField, nil, WebAttack.uri(route) + "?csrf=\(mine.csrf)&X-CSRF-Token=\(mine.csrf)"),
                    ("the token in a cookie", { var h = mine.headers; h[.cookie] = (h[.cookie] ?? "") + "; csrf=\(mine.csrf)"; return h }(), nil, nil),
                ]
                for (what, headers, token, uri) in attempts {
                    let response = try await WebAttack.send(client, route, headers: headers, csrf: token, uri: uri)
                    #expect(response.status == .forbidden, "\(route) with \(what): \(response.status)")
                    #expect(String(buffer: response.body).contains("form token"), "\(route) with \(what)")
                    #expect(WebAttack.setCookie(response, "riglog_session") == nil, "\(route) with \(what) made or ended a session")
                }
            }
            // Still signed in: the refused sign-outs ended nothing.
            #expect(try await client.execute(uri: "/students", method: .get, headers: mine.headers).status == .ok)
            // The control: with its token in its place each change gets past the token check.
            var headers = mine.headers
            headers[WebAttack.csrfHeader] = mine.csrf
            let ack = try await WebAttack.send(client, "POST /api/v1/rigs/{rig}/ack", headers: headers)
            #expect(ack.status == .ok, "\(String(buffer: ack.body))")
            let desk = try await WebAttack.send(client, "POST /desk", headers: mine.headers, csrf: mine.csrf)
            #expect(String(buffer: desk.body).contains("Checked in s001"))
            return audit
        }
        // Only the two controls changed the store.
        let audit = try fixture.store.auditEntries()
        #expect(audit.count == auditBefore + 2, "\(audit.prefix(4).map(\.action))")
        #expect(try fixture.store.alarmAcknowledgements(rig: "brake-1").map(\.note) == ["attack"])
        #expect(try fixture.store.checkins(rig: "brake-1").count == 1)
        #expect(try fixture.store.student(id: "s900") == nil)
        #expect(try fixture.store.timetable().isEmpty)
        #expect(!audit.contains { ["import roster", "import timetable", "trace on", "reload", "check-out"].contains($0.action) })
        Reliability.record(scenario: "web: forms and API changes without their form token", inputs: "\(changes.count) POST routes x 4 (none, another session's, query string, cookie)",
                           outcome: "all 403 \"form token\", no session made or ended", lost: "0 changes, 0 audit rows", ok: audit.count == auditBefore + 2)
    }
}

@Suite struct WebSecuritySessionTests {
    /// A session id planted before sign-in (a made-up one, or a real one of the attacker's) is
    /// never the one after; the sign-in ends the session it replaces, and sign-out ends it in
    /// the store, so an old cookie opens nothing.
    @Test func signInMakesANewSessionAndSignOutEndsIt() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        let held = try await app.test(.router) { client -> Bool in
            let (signIn, victimAfter) = try await WebAttack.signIn(client, name: "ivan", planted: "planted-by-someone-else")
            #expect(signIn.status == .seeOther)
            let issued = try #require(WebAttack.cookieValue(WebAttack.setCookie(signIn, "riglog_session")))
            #expect(issued != "planted-by-someone-else")
            #expect(try fixture.store.persistedValue(key: "session.planted-by-someone-else") == nil)
            var victim = victimAfter
            victim.csrf = Browser.hidden("csrf", in: String(buffer: try await client.execute(uri: "/desk", method: .get, headers: victim.headers).body)) ?? ""

            // The attacker's own live session handed to the victim.
            var attacker = Browser()
            _ = try await attacker.signIn(client, name: "tom")
            let planted = try #require(attacker.cookies["riglog_session"])
            let (second, fixed) = try await WebAttack.signIn(client, name: "ivan", planted: planted)
            let after = try #require(WebAttack.cookieValue(WebAttack.setCookie(second, "riglog_session")))
            #expect(after != planted)
            #expect(try await client.execute(uri: "/students", method: .get, headers: fixed.headers).status == .ok)
            let replaced = try await client.execute(uri: "/api/v1/me", method: .get, headers: attacker.headers)
            #expect(replaced.status == .unauthorized, "the session a sign-in replaced still works: \(String(buffer: replaced.body))")

            // Sign-out: the row is gone and the old cookie opens nothing.
            let old = victim.headers
            let id = try #require(victim.cookies["riglog_session"])
            #expect(try fixture.store.persistedValue(key: "session." + id) != nil)
            var form = victim.headers
            form[.contentType] = "application/x-www-form-urlencoded"
            let out = try await client.execute(uri: "/signout", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(victim.csrf)"))
            #expect(out.status == .seeOther)
            #expect(WebAttack.setCookie(out, "riglog_session")?.contains("Max-Age=0") == true
                || WebAttack.setCookie(out, "riglog_session")?.contains("Expires=") == true)
            #expect(try fixture.store.persistedValue(key: "session." + id) == nil)
            let oldPage = try await client.execute(uri: "/students", method: .get, headers: old).status
            let oldAPI = try await client.execute(uri: "/api/v1/me", method: .get, headers: old).status
            #expect(oldPage == .seeOther)
            #expect(oldAPI == .unauthorized)
            return issued != "planted-by-someone-else" && after != planted && replaced.status == .unauthorized && oldPage == .seeOther && oldAPI == .unauthorized
        }
        Reliability.record(scenario: "web: session fixation and sign-out", inputs: "a planted unknown id, a planted live session, a signed-out cookie",
                           outcome: "a new id at every sign-in, the replaced and the signed-out session refused", lost: "-", ok: held)
    }

    /// Store row ids are reused after the highest one is deleted: a removed user's session must
    /// not become the session of the next user added (who may be an admin).
    @Test func aRemovedUsersSessionDoesNotPassToTheNextUser() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        _ = try fixture.accounts.add(name: "leaver", role: .technician, password: WebFixture.password)
        let link = try fixture.web().signInLink(for: try #require(try fixture.store.user(named: "leaver")))
        let held = try await app.test(.router) { client -> Bool in
            var leaver = Browser()
            _ = try await leaver.signIn(client, name: "leaver")
            let before = try #require(try fixture.store.user(named: "leaver"))
            try fixture.accounts.remove(name: "leaver")
            let heir = try fixture.accounts.add(name: "heir", role: .admin, password: WebFixture.password)
            if heir.id != before.id { Issue.record("the store did not reuse the id; this test checks nothing") }
            let me = try await client.execute(uri: "/api/v1/me", method: .get, headers: leaver.headers)
            #expect(me.status == .unauthorized, "the removed technician's cookie is now: \(String(buffer: me.body))")
            #expect(try await client.execute(uri: "/admin/audit", method: .get, headers: leaver.headers).status == .seeOther)
            // A sign-in link printed for the removed user signs nobody in either.
            let used = try await client.execute(uri: link, method: .get)
            #expect(used.status == .unauthorized)
            #expect(WebAttack.setCookie(used, "riglog_session") == nil)
            return me.status == .unauthorized && used.status == .unauthorized
        }
        Reliability.record(scenario: "web: a removed user's session when their row id is reused", inputs: "1 cookie, 1 sign-in link",
                           outcome: "both refused; the next user's rights never pass to them", lost: "-", ok: held)
    }

    /// `riglog users passwd` is what a technician runs when a password has leaked: every browser
    /// signed in with the old password is signed out, and only the new password signs in.
    @Test func aNewPasswordSignsOutTheSessionsOfTheOldOne() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        _ = try fixture.accounts.add(name: "leaked", role: .admin, password: WebFixture.password)
        let newPassword = "another-long-password-42"
        let held = try await app.test(.router) { client -> Bool in
            var thief = Browser(), other = Browser()
            _ = try await thief.signIn(client, name: "leaked")
            _ = try await other.signIn(client, name: "ivan")
            let before = try await client.execute(uri: "/api/v1/me", method: .get, headers: thief.headers)
            try #require(before.status == .ok, "signed in before the change: \(before.status)")
            try fixture.accounts.changePassword(name: "leaked", password: newPassword)
            let api = try await client.execute(uri: "/api/v1/me", method: .get, headers: thief.headers)
            #expect(api.status == .unauthorized, "the old password's cookie after passwd: \(String(buffer: api.body))")
            let page = try await client.execute(uri: "/admin/audit", method: .get, headers: thief.headers)
            #expect(page.status == .seeOther && page.headers[.location]?.hasPrefix("/signin") == true, "a page: \(page.status)")
            // Another user's session is not touched, and the new password signs in.
            let others = try await client.execute(uri: "/api/v1/me", method: .get, headers: other.headers)
            #expect(others.status == .ok)
            var owner = Browser()
            _ = try await owner.signIn(client, name: "leaked", password: newPassword)
            let again = try await client.execute(uri: "/api/v1/me", method: .get, headers: owner.headers)
            #expect(again.status == .ok, "signed in with the new password: \(again.status)")
            return api.status == .unauthorized && others.status == .ok && again.status == .ok
        }
        Reliability.record(scenario: "web: a session signed in with a password since changed", inputs: "1 cookie of the old password, 1 of another user",
                           outcome: "the old password's refused (API 401, page to /signin), the other kept, the new password signs in", lost: "-", ok: held)
    }

    /// After sign-in the browser goes only to a path on this site: never another host, however
    /// the form's `next` is written (browsers drop tabs and line breaks from a URL).
    @Test func signInRedirectsStayOnThisSite() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        let hostile = ["//evil.example", "/\\evil.example", "https://evil.example", "/%09/evil.example", "/%0A/evil.example",
                       "/%0D%0ASet-Cookie:%20planted=1", "%09//evil.example", "/%E3%80%80/evil.example", "javascript:alert(1)", "/%00/evil.example"]
        let offSite = try await app.test(.router) { client -> Int in
            var offSite = 0
            for next in hostile {
                let (response, browser) = try await WebAttack.signIn(client, name: "ivan", next: next)
                #expect(response.status == .seeOther, "\(next)")
                #expect(response.headers[.location] == "/", "\(next) -> \(response.headers[.location] ?? "")")
                #expect(WebAttack.setCookie(response, "planted") == nil)
                // Signed in already, the form's page sends the browser on: the same rule.
                let page = try await client.execute(uri: "/signin?next=\(next)", method: .get, headers: browser.headers)
                #expect(page.headers[.location] == "/", "GET \(next) -> \(page.headers[.location] ?? "")")
                if response.headers[.location] != "/" || page.headers[.location] != "/" { offSite += 1 }
            }
            let (fine, _) = try await WebAttack.signIn(client, name: "ivan", next: "/students/s001?from=2026-11-01")
            #expect(fine.headers[.location] == "/students/s001?from=2026-11-01")
            return offSite
        }
        Reliability.record(scenario: "web: open redirect through the sign-in's next", inputs: "\(hostile.count) hostile next values, by form and by query",
                           outcome: "\(hostile.count - offSite) of \(hostile.count) sent to /, a local path kept", lost: "-", ok: offSite == 0)
    }

    @Test func cookiesAreHttpOnlyStrictAndScoped() async throws {
        let fixture = try WebFixture()
        for secure in [false, true] {
            let app = Application(router: try fixture.web(WebSettings(kiosk: true, secureCookies: secure)).router())
            try await app.test(.router) { client in
                var browser = Browser()
                let signIn = try await browser.signIn(client, name: "ivan")
                let page = try await client.execute(uri: "/signin", method: .get)
                let kiosk = try await client.execute(uri: "/kiosk", method: .get)
                let cookies = [("riglog_session", WebAttack.setCookie(signIn, "riglog_session"), "/"),
                               ("riglog_signin", WebAttack.setCookie(page, "riglog_signin"), "/signin"),
                               ("riglog_kiosk", WebAttack.setCookie(kiosk, "riglog_kiosk"), "/kiosk")]
                for (name, line, path) in cookies {
                    let line = try #require(line, "\(name) not set")
                    let attributes = Set(line.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
                    #expect(attributes.contains("httponly"), "\(line)")
                    #expect(attributes.contains("samesite=strict"), "\(line)")
                    #expect(attributes.contains("path=\(path)"), "\(line)")
                    #expect(attributes.contains("secure") == secure, "\(line)")
                    #expect(!attributes.contains { $0.hasPrefix("domain=") }, "\(line)")
                }
            }
        }
    }

    /// Over real HTTPS (the TLS options), the session cookie carries `Secure`.
    @Test func overTLSTheSessionCookieIsSecure() async throws {
        let fixture = try WebFixture()
        let openssl = try ExternalPeers.which("openssl")
        let made = try await ExternalPeers.run(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                                                   "-keyout", fixture.folder + "/key.pem", "-out", fixture.folder + "/cert.pem"])
        try #require(made.status == 0, "\(made.error)")
        let web = try fixture.web(WebSettings(tls: TLSFiles(certificate: fixture.folder + "/cert.pem", key: fixture.folder + "/key.pem")))
        let app = try web.application(host: "127.0.0.1", port: 0, logger: Logger(label: "websec-tls"))
        let curl = try ExternalPeers.which("curl")
        let secure = try await app.test(.ahc(.https)) { client -> Bool in
            // The form over HTTPS; the post by curl, which (unlike this client) does not follow the redirect.
            let page = try await client.execute(uri: "/signin", method: .get)
            let formCookie = try #require(WebAttack.setCookie(page, "riglog_signin"))
            #expect(formCookie.contains("Secure"), "\(formCookie)")
            let token = try #require(Browser.hidden("csrf", in: String(buffer: page.body)))
            let port = try #require(client.port)
            let password = WebFixture.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let arguments = ["-sk", "-o", "/dev/null", "-D", "-", "-H", "Cookie: riglog_signin=\(WebAttack.cookieValue(formCookie) ?? "")",
                             "--data", "name=ivan&password=\(password)&csrf=\(token)&next=/", "https://127.0.0.1:\(port)/signin"]
            let posted = try await ExternalPeers.run(curl, arguments)
            let head = posted.output.lowercased()
            #expect(head.hasPrefix("http/1.1 303"), "\(posted.output) \(posted.error)")
            let line = try #require(head.split(separator: "\r\n").first { $0.hasPrefix("set-cookie: riglog_session=") }, "\(posted.output)")
            let attributes = Set(line.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(attributes.isSuperset(of: ["secure", "httponly", "samesite=strict", "path=/"]), "\(line)")
            return attributes.isSuperset(of: ["secure", "httponly", "samesite=strict", "path=/"]) && formCookie.contains("Secure")
        }
        Reliability.record(scenario: "web: cookie flags", inputs: "3 cookies over HTTP, with secure cookies, and over real TLS",
                           outcome: "HttpOnly, SameSite=Strict, own Path, no Domain; Secure exactly when secure or TLS", lost: "-", ok: secure)
    }
}

@Suite struct WebSecurityTraversalTests {
    /// Ways out of a folder, as one path segment.
    static let escapes = [
        "..", "%2e%2e", "..%2Fcanary.txt", "%2e%2e%2fcanary.txt", "%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", "..%5Ccanary.txt", "%2Fetc%2Fpasswd", "%2fetc%2fpasswd",
        "....%2F%2Fcanary.txt", "%252e%252e%252fcanary.txt", "%c0%ae%c0%ae%2fcanary.txt", "riglog.css%00", "riglog.css%00.txt",
        "dygraph.js%00", "%00", "..%00%2Fcanary.txt", ".canary", "..%2Ftemplates%2Flayout.mustache", "..%2F..%2Ftemplates%2Flayout.mustache",
        "%2Fproc%2Fself%2Fenviron", "~%2F.bashrc",
    ]

    /// Every GET route with a path parameter, each parameter in turn replaced by each escape:
    /// 404 (400 where the parameter must be a number, 401 for a used sign-in link), never a
    /// byte of a file outside the served folders.
    @Test func noRouteServesAFileOutsideItsFolder() async throws {
        let fixture = try WebFixture()
        // A site folder and a dygraphs folder with a canary beside each (what `../` would reach).
        let site = fixture.folder + "/site", dygraphs = fixture.folder + "/js/dygraphs"
        for folder in [site + "/assets", site + "/templates", dygraphs] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try "/* site */".write(toFile: site + "/assets/site.css", atomically: true, encoding: .utf8)
        try "var Dygraph;".write(toFile: dygraphs + "/dygraph.js", atomically: true, encoding: .utf8)
        for path in [site + "/canary.txt", fixture.folder + "/js/canary.txt", site + "/assets/.canary", fixture.folder + "/canary.txt"] {
            try "CANARY-OUTSIDE".write(toFile: path, atomically: true, encoding: .utf8)
        }
        let web = try fixture.web(WebSettings(dygraphsFolder: dygraphs, siteFolder: site))
        let token = try fixture.accounts.issueToken(for: "ada")
        let routes = WebAttack.routes(web).filter { $0.hasPrefix("GET ") && $0.contains("{") && !$0.hasSuffix("/live") }
        let app = Application(router: web.router())
        let (tried, escaped) = try await app.test(.router) { client in
            var tried = 0, escaped = 0
            for route in routes {
                let names = route.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
                for name in names {
                    for escape in Self.escapes {
                        let uri = WebAttack.uri(route, override: (name, escape))
                        let response = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"])
                        let text = String(buffer: response.body)
                        let allowed: Set<HTTPResponse.Status> = route.contains("link") ? [.unauthorized] : [.notFound, .badRequest]
                        #expect(allowed.contains(response.status), "\(uri): \(response.status)")
                        #expect(!text.contains("CANARY-OUTSIDE") && !text.contains("root:x:0:0") && !text.contains("{{{body}}}"), "\(uri) served a file outside")
                        if !allowed.contains(response.status) || text.contains("CANARY-OUTSIDE") || text.contains("root:x:0:0") { escaped += 1 }
                        tried += 1
                    }
                }
            }
            // Dot segments and doubled slashes as the client sends them, before any routing.
            for uri in ["/assets/../canary.txt", "/assets/dygraphs/../../canary.txt", "/assets//etc/passwd", "/assets/%2e%2e/%2e%2e/canary.txt",
                        "/assets/./../canary.txt", "/../../../etc/passwd", "/assets/dygraphs/..%2F..%2Fcanary.txt"] {
                let response = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"])
                #expect(response.status == .notFound, "\(uri): \(response.status)")
                #expect(!String(buffer: response.body).contains("CANARY-OUTSIDE"), "\(uri)")
                if response.status != .notFound { escaped += 1 }
                tried += 1
            }
            // The control: what is inside is served.
            #expect(try await client.execute(uri: "/assets/site.css", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/assets/dygraphs/dygraph.js", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/assets/riglog.css", method: .get).status == .ok)
            return (tried, escaped)
        }
        Reliability.record(scenario: "web: path traversal in every route with a path parameter", inputs: "\(routes.count) routes, \(tried) requests (../, %2e%2e%2f, encoded slashes, absolute paths, NUL)",
                           outcome: escaped == 0 ? "all 404/400 (401 for a sign-in link), no byte of a file outside" : "\(escaped) answered otherwise", lost: "-", ok: escaped == 0)
    }
}

@Suite struct WebSecurityInjectionTests {
    /// Students whose every field is an attack: markup, SQL, spreadsheet formulas, unicode.
    static let hostile: [Student] = [
        Student(id: "x001", name: "<script>alert(1)</script>", group: WebFixture.group, badge: nil),
        Student(id: "x002", name: "'; DROP TABLE students; --", group: WebFixture.group, badge: nil),
        Student(id: "x003", name: #"=HYPERLINK("http://x","y")"#, group: WebFixture.group, badge: nil),
        Student(id: "x004", name: "+cmd|' /C calc'!A0", group: WebFixture.group, badge: nil),
        Student(id: "x005", name: "@SUM(1)", group: WebFixture.group, badge: nil),
        Student(id: "=1+1", name: "-2+3 Student", group: WebFixture.group, badge: nil),
        Student(id: "<img src=x onerror=alert(2)>", name: "Ünïcödé 学生 🚀 \u{202E}evil", group: WebFixture.group, badge: nil),
        Student(id: "x' OR '1'='1", name: "Robert'); DROP TABLE users;--", group: "<script>alert(3)</script>", badge: nil),
    ]

    static func csvField(_ text: String) -> String {
        text.contains(where: { ",\"\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// Splits RFC 4180 rows; each field with whether it was quoted.
    static func fields(_ csv: String, delimiter: Character) -> [[(text: String, quoted: Bool)]] {
        var rows: [[(String, Bool)]] = [], row: [(String, Bool)] = [], field = "", quoted = false, inQuotes = false
        var characters = Array(csv.hasPrefix("\u{FEFF}") ? String(csv.dropFirst()) : csv)[...]
        while let c = characters.popFirst() {
            if inQuotes {
                if c == "\"" { if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { inQuotes = false } } else { field.append(c) }
            } else if c == "\"" && field.isEmpty { inQuotes = true; quoted = true
            } else if c == delimiter { row.append((field, quoted)); field = ""; quoted = false
            } else if c == "\r\n" || c == "\n" { row.append((field, quoted)); rows.append(row); row = []; field = ""; quoted = false
            } else { field.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append((field, quoted)); rows.append(row) }
        return rows
    }

    @Test func hostileNamesAreTextEverywhereAndFormulasAreDefused() async throws {
        let fixture = try WebFixture()
        let web = try fixture.web()
        let roster = "id,name,group,badge\n" + Self.hostile.map { [$0.id, $0.name, $0.group, ""].map(Self.csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
        let labTime = try fixture.store.labTime()
        let today = String(labTime.format(.now()).prefix(10))
        let timetable = "rig,student,start,end\n" + "brake-1,\(Self.csvField(Self.hostile[6].id)),\(today)T00:00,\(today)T23:59\n"
        // A session of each of two hostile students this week: the rig page and session page show them.
        var sessionIDs: [Int64] = []
        for (offset, student) in [Self.hostile[0], Self.hostile[2]].enumerated() {
            let start = Timestamp.now() - .seconds(7200 - 1800 * offset)
            sessionIDs.append(try fixture.store.saveSession(StoredSession(rig: "brake-1", student: student.id, start: start, end: start + .seconds(600),
                                                                          source: .checkin, endReason: .checkout, lostSamples: 0, activeSeconds: 60),
                                                            results: SessionResults(attempts: [], alarms: [])))
        }
        let routes = WebAttack.routes(web)
        let sessions = sessionIDs
        let app = Application(router: web.router())
        let (pagesChecked, rawMarkup) = try await app.test(.router) { client in
            var rawMarkup = 0
            var browser = Browser()
            _ = try await browser.signIn(client, name: "ada")
            var headers = browser.headers
            headers[.contentType] = "text/csv"
            headers[WebAttack.csrfHeader] = browser.csrf
            let hostileFile = "%3Cscript%3Ealert(4)%3C%2Fscript%3E.csv"
            let imported = try await client.execute(uri: "/api/v1/roster?file=\(hostileFile)", method: .post, headers: headers, body: ByteBuffer(string: roster))
            #expect(imported.status == .ok, "\(String(buffer: imported.body))")
            #expect(String(buffer: imported.body).contains(#""students":8"#))
            let slots = try await client.execute(uri: "/api/v1/timetable?file=\(hostileFile)", method: .post, headers: headers, body: ByteBuffer(string: timetable))
            #expect(slots.status == .ok, "\(String(buffer: slots.body))")
            // An acknowledgement whose note is markup (the report and the session page show it), and
            // a check-in of a "student" whose id is markup (the desk says it is not on the roster).
            headers[.contentType] = "application/json"
            let ack = try await client.execute(uri: "/api/v1/rigs/brake-1/ack", method: .post, headers: headers, body: ByteBuffer(string:
                #"{"alarm":"overpressure","since":"2026-11-29T03:03:20.000Z","note":"<script>alert(8)</script>"}"#))
            #expect(ack.status == .ok, "\(String(buffer: ack.body))")
            var form = browser.headers
            form[.contentType] = "application/x-www-form-urlencoded"
            let desk = try await client.execute(uri: "/desk", method: .post, headers: form,
                                                body: ByteBuffer(string: "rig=brake-1&who=%3Cscript%3Ealert(10)%3C%2Fscript%3E&action=in&csrf=\(browser.csrf)"))
            #expect(!String(buffer: desk.body).contains("<script>alert"), "\(String(buffer: desk.body))")
            // Every page, each parameter filled with every hostile id and group too.
            let signInPage = String(buffer: try await client.execute(uri: "/signin?next=/%22%3E%3Cscript%3Ealert(5)%3C/script%3E", method: .get).body)
            #expect(signInPage.contains("value=\"/&quot;&gt;&lt;script&gt;alert(5)"), "\(signInPage)")
            var uris = ["/students?q=%3Cscript%3E", "/students?q='%20OR%20'1'%3D'1",
                        "/students/%3Cscript%3Ealert(6)%3C%2Fscript%3E", "/groups/%3Cscript%3Ealert(7)%3C%2Fscript%3E"]
            uris += sessions.map { "/sessions/\($0)" }
            for route in routes where route.hasPrefix("GET ") && !route.contains("/api/") && !route.contains("/assets/") && !route.contains("favicon") {
                uris.append(WebAttack.uri(route))
                if route.contains("{id}") && route.contains("students") {
                    uris += Self.hostile.map { WebAttack.uri(route, override: ("id", WebAttack.pathPart($0.id))) }
                }
                if route.contains("{group}") { uris.append(WebAttack.uri(route, override: ("group", WebAttack.pathPart(Self.hostile[7].group)))) }
            }
            var pages: [String: String] = [:]
            for uri in uris {
                let response = try await client.execute(uri: uri, method: .get, headers: browser.headers)
                let html = String(buffer: response.body)
                #expect([.ok, .notFound, .seeOther, .unauthorized].contains(response.status), "\(uri): \(response.status)")
                for raw in ["<script>alert", "<img src=x", "<script>alert(\"x\")"] {
                    #expect(!html.contains(raw), "\(uri) has raw \(raw)")
                    if html.contains(raw) { rawMarkup += 1 }
                }
                pages[uri] = html
            }
            // The names are there, as text.
            let students = pages["/students"] ?? ""
            #expect(students.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(students.contains("Ünïcödé 学生 🚀"))
            #expect(students.contains("Robert&#39;); DROP TABLE users;--") || students.contains("Robert&#x27;); DROP TABLE users;--")
                    || students.contains("Robert'); DROP TABLE users;--"))
            #expect(pages["/rigs/brake-1"]?.contains("&lt;script&gt;alert(1)") == true, "the rig page lists the session")
            #expect(pages["/desk"]?.contains("Ünïcödé 学生") == true, "the desk lists today's slot")
            #expect(pages["/admin/audit"]?.contains("&lt;script&gt;alert(4)") == true, "the audit page shows the file's name")
            #expect(pages["/students/s001"]?.contains("&lt;script&gt;alert(8)") == true, "the report shows the acknowledgement's note")
            #expect(pages["/students?q='%20OR%20'1'%3D'1"]?.contains("/students/s001") == false, "a quote in the search is text")

            // The exports: names defused with ', identifiers verbatim (quoted when they start like a formula).
            let ids = Set(Self.hostile.map(\.id) + ["s001", "s002"])
            for query in ["format=csv", "format=csv&excel=1", "format=moodle", "format=canvas&excel=1"] {
                let download = try await client.execute(uri: "/api/v1/groups/%D0%A2%D0%AD-21/assessment?\(query)", method: .get, headers: browser.headers)
                #expect(download.status == .ok, "\(query): \(String(buffer: download.body))")
                let csv = String(buffer: download.body)
                let rows = Self.fields(csv, delimiter: query.contains("excel") ? ";" : ",")
                for field in rows.dropFirst().flatMap({ $0 }) where field.text.first.map({ "=+-@\t\r".contains($0) }) == true {
                    #expect(field.quoted && ids.contains(field.text), "\(query): \(field.text) starts like a formula")
                }
                let cells = Set(rows.flatMap { $0.map(\.text) })
                if query.hasPrefix("format=csv") {
                    #expect(cells.contains("=1+1"), "\(query): the id kept as it is")
                    #expect(cells.contains(#"'=HYPERLINK("http://x","y")"#), "\(query)")
                    #expect(cells.contains("'+cmd|' /C calc'!A0") && cells.contains("'@SUM(1)") && cells.contains("'-2+3 Student"), "\(query)")
                    #expect(cells.contains("<img src=x onerror=alert(2)>") && cells.contains("'; DROP TABLE students; --"), "\(query)")
                }
            }
            let evilGroup = try await client.execute(uri: "/api/v1/groups/\(WebAttack.pathPart(Self.hostile[7].group))/assessment?format=csv", method: .get, headers: browser.headers)
            #expect(evilGroup.status == .ok)
            #expect(evilGroup.headers[.contentDisposition]?.contains("<") == false, "\(evilGroup.headers[.contentDisposition] ?? "")")
            #expect(Self.fields(String(buffer: evilGroup.body), delimiter: ",").contains { $0.first?.text == "x' OR '1'='1" })
            return (uris.count, rawMarkup)
        }
        // SQL text stayed text: every student as written, every table still there.
        for student in Self.hostile {
            let stored = try #require(try fixture.store.student(id: student.id), "\(student.id)")
            #expect(stored.name == student.name && stored.group == student.group)
        }
        #expect(try fixture.store.students().count == 10)
        #expect(try fixture.store.users().count == 3)
        #expect(try fixture.store.timetable().count == 1)
        #expect(try fixture.store.auditEntries().contains { $0.detail.hasPrefix("<script>alert(4)</script>.csv (web)") })
        Reliability.record(scenario: "web: SQL, markup and formulas in every field and upload", inputs: "8 hostile students (ids, names, a group, a file name), \(pagesChecked) pages, 5 exports",
                           outcome: "no raw markup in any page, every name stored as written, exports prefix ' to names and keep ids verbatim (quoted)",
                           lost: "-", ok: try rawMarkup == 0 && fixture.store.students().count == 10)
    }
}

extension WebSecurityInjectionTests {
    /// Every query parameter the routes read, alone, on every read route: SQL, markup, NUL and
    /// a path in it are text or a 400, never a server error, and change nothing in the store.
    @Test func hostileQueryParametersAreTextOrRefused() async throws {
        let fixture = try WebFixture()
        let web = try fixture.web()
        let token = try fixture.accounts.issueToken(for: "ada")
        let routes = WebAttack.routes(web).filter { $0.hasPrefix("GET ") && !$0.hasSuffix("/live") }
        let parameters = ["q", "from", "to", "at", "next", "format", "excel", "grades", "match", "skip_unmatched", "channels", "wide", "limit", "file", "replace"]
        let payloads = ["'%20OR%20'1'%3D'1", "1%3B%20DROP%20TABLE%20students%3B%20--", "%22%3E%3Cscript%3Ealert(9)%3C%2Fscript%3E", "%00", "..%2F..%2Fetc%2Fpasswd"]
        let before = (try fixture.store.students().count, try fixture.store.auditEntries().count)
        let app = Application(router: web.router())
        let (sent, downloads, broken) = try await app.test(.router) { client in
            var sent = 0, downloads = 0, broken = 0
            for route in routes {
                for parameter in parameters {
                    for payload in payloads {
                        let uri = WebAttack.uri(route) + "?\(parameter)=\(payload)"
                        let response = try await client.execute(uri: uri, method: .get, headers: [.authorization: "Bearer \(token)"])
                        #expect(response.status.code < 500, "\(uri): \(response.status)")
                        if response.status.code >= 500 { broken += 1 }
                        if response.headers[.contentType]?.hasPrefix("text/html") == true {
                            #expect(!String(buffer: response.body).contains("<script>alert(9)"), "\(uri)")
                        }
                        #expect(!String(buffer: response.body).contains("root:x:0:0"), "\(uri)")
                        if response.status == .ok && response.headers[.contentDisposition] != nil { downloads += 1 }
                        sent += 1
                    }
                }
            }
            return (sent, downloads, broken)
        }
        // Downloads are audited; nothing else was written, and every table still answers.
        #expect(try fixture.store.students().count == before.0)
        #expect(try fixture.store.auditEntries().count == before.1 + downloads)
        #expect(try fixture.store.users().count == 3)
        Reliability.record(scenario: "web: SQL, markup, NUL and paths in every query parameter", inputs: "\(routes.count) read routes x \(parameters.count) parameters x \(payloads.count) payloads = \(sent) requests",
                           outcome: "no 5xx, no raw markup in a page, no file content; only the \(downloads) downloads wrote (their audit rows)", lost: "-",
                           ok: try broken == 0 && fixture.store.students().count == before.0)
    }
}

extension WebSecurityInjectionTests {
    static let sql = ["'; DROP TABLE alarm_acks; --", "x' OR '1'='1", "1); DELETE FROM students; --", "\\'; SELECT sqlite_version(); --", "<script>alert(11)</script>"]

    /// SQL and markup in every field of the changes (the acknowledgement's JSON, the desk's form):
    /// stored as written or refused with a 4xx, never run, never a server error.
    @Test func hostileFieldsOfChangesAreText() async throws {
        let fixture = try WebFixture()
        let token = try fixture.accounts.issueToken(for: "ivan")
        let app = Application(router: try fixture.web().router())
        let statuses = try await app.test(.router) { client -> [Int: Int] in
            var statuses: [Int: Int] = [:]
            for payload in Self.sql {
                let quoted = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
                let encoded = payload.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
                var form = headers
                form[.contentType] = "application/x-www-form-urlencoded"
                let requests: [(String, HTTPFields, String)] = [
                    ("/api/v1/rigs/brake-1/ack", headers, #"{"alarm":\#(quoted),"since":"2026-11-29T03:03:20.000Z","note":\#(quoted)}"#),
                    ("/api/v1/rigs/brake-1/ack", headers, #"{"alarm":"overpressure","since":\#(quoted)}"#),
                    ("/api/v1/rigs/\(encoded)/ack", headers, #"{"alarm":"overpressure","since":"2026-11-29T03:03:20.000Z"}"#),
                    ("/desk", form, "rig=\(encoded)&who=s001&action=in"),
                    ("/desk", form, "rig=brake-1&who=\(encoded)&action=in"),
                    ("/desk", form, "rig=brake-1&who=s001&action=\(encoded)"),
                ]
                for (uri, fields, body) in requests {
                    let response = try await client.execute(uri: uri, method: .post, headers: fields, body: ByteBuffer(string: body))
                    #expect(response.status.code < 500, "\(uri) \(body): \(response.status)")
                    if response.headers[.contentType]?.hasPrefix("text/html") == true {
                        #expect(!String(buffer: response.body).contains("<script>alert(11)"), "\(uri) \(body)")
                    }
                    statuses[response.status.code, default: 0] += 1
                }
                // A check-in that worked (action "in" is the default) is closed again for the next.
                _ = try await client.execute(uri: "/desk", method: .post, headers: form, body: ByteBuffer(string: "rig=brake-1&action=out"))
            }
            return statuses
        }
        // What was stored is what was sent, byte for byte; every table still answers.
        let acks = try fixture.store.alarmAcknowledgements(rig: "brake-1")
        for payload in Self.sql {
            #expect(acks.contains { $0.alarm == payload && $0.note == payload }, "\(payload)")
        }
        #expect(try fixture.store.students().count == 2)
        #expect(try fixture.store.users().count == 3)
        Reliability.record(scenario: "web: SQL and markup in the fields of changes", inputs: "\(Self.sql.count) payloads x 6 fields (acknowledgement JSON, desk form)",
                           outcome: "answers \(statuses.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ")); stored as written, tables intact",
                           lost: "-", ok: try statuses.keys.allSatisfy { $0 < 500 } && fixture.store.students().count == 2)
    }
}

@Suite struct WebSecurityUploadTests {
    /// Bodies past the limits over a real socket: 413 with what the limit is and what to do,
    /// nothing imported, and the server answers the next request.
    @Test func oversizeBodiesAreRefusedAndTheServerGoesOn() async throws {
        let fixture = try WebFixture()
        let web = try fixture.web()
        let app = try web.application(host: "127.0.0.1", port: 0, logger: Logger(label: "websec-upload"))
        let roster = "id,name,group,badge\n" + String(repeating: "s777,Big File Student,ТЭ-21,\n", count: (16 << 20) / 29 + 2)
        let timetable = "rig,student,start,end\n" + String(repeating: "brake-1,s001,2026-12-01T09:00,2026-12-01T10:00\n", count: (16 << 20) / 46 + 2)
        let form = "rig=brake-1&who=" + String(repeating: "s", count: 3 << 20) + "&action=in"
        let json = #"{"alarm":"overpressure","since":"2026-11-29T03:03:20.000Z","note":""# + String(repeating: "n", count: 3 << 20) + #""}"#
        let auditBefore = try fixture.store.auditEntries().count
        let refused = try await app.test(.live) { client in
            var browser = Browser()
            _ = try await browser.signIn(client, name: "ivan")
            let cases: [(String, String, String, Bool)] = [
                ("/api/v1/roster", "text/csv", roster, true), ("/api/v1/timetable", "text/csv", timetable, true),
                ("/api/v1/rigs/brake-1/ack", "application/json", json, true), ("/desk", "application/x-www-form-urlencoded", form + "&csrf=\(browser.csrf)", false),
                ("/signin", "application/x-www-form-urlencoded", "name=ivan&password=" + String(repeating: "p", count: 3 << 20), false),
            ]
            var refused = 0
            for (uri, type, body, api) in cases {
                var headers = browser.headers
                headers[.contentType] = type
                headers[WebAttack.csrfHeader] = browser.csrf
                let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(response.status == .contentTooLarge, "\(uri): \(response.status)")
                let text = String(buffer: response.body)
                #expect(text.contains("MB") && text.contains("larger than"), "\(uri): \(text)")
                #expect(response.headers[.contentType]?.hasPrefix(api ? "application/json" : "text/html") == true, "\(uri)")
                if response.status == .contentTooLarge { refused += 1 }
                if uri == "/api/v1/roster" { #expect(text.contains("16 MB"), "\(text)") }
                // The server still answers.
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: browser.headers).status == .ok, "after \(uri)")
            }
            return refused
        }
        #expect(try fixture.store.student(id: "s777") == nil)
        #expect(try fixture.store.timetable().isEmpty)
        #expect(try fixture.store.alarmAcknowledgements(rig: "brake-1").isEmpty)
        #expect(try fixture.store.checkins(rig: "brake-1").isEmpty)
        #expect(try fixture.store.auditEntries().count == auditBefore + 1, "the sign-in only")
        Reliability.record(scenario: "web: oversize uploads and bodies", inputs: "roster and timetable of 16 MB + 1 line, 3 MB form, JSON and sign-in (real socket)",
                           outcome: "\(refused) of 5 refused 413 naming the limit; the server answered each next request", lost: "0 rows imported", ok: refused == 5)
    }
}

@Suite struct WebSecurityBruteForceTests {
    static func attempt(_ client: some TestClientProtocol, name: String, password: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var browser = Browser()
        let page = try await client.execute(uri: "/signin", method: .get)
        browser.keep(page)
        let token = try #require(Browser.hidden("csrf", in: String(buffer: page.body)))
        var headers = browser.headers
        for field in extra { headers.append(field) }
        headers[.contentType] = "application/x-www-form-urlencoded"
        let body = "name=\(name)&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&csrf=\(token)&next=/"
        return try await client.execute(uri: "/signin", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// A user's five failures lock that name (any case) for every later try, the right password
    /// included; other users can still sign in from the same address.
    @Test func aGuessedUserStaysLockedAcrossManyAttempts() async throws {
        let fixture = try WebFixture()
        let app = Application(router: try fixture.web().router())
        let attempts = Reliability.scale(bounded: 40, long: 400)
        let refused = try await app.test(.router) { client in
            for n in 0..<5 {
                #expect(try await Self.attempt(client, name: "ivan", password: "guess number \(n)").status == .unauthorized)
            }
            var refused = 0
            for n in 0..<attempts {
                let name = ["ivan", "IVAN", "Ivan"][n % 3]
                let password = n % 4 == 0 ? WebFixture.password : "guess number \(n + 5)"
                let response = try await Self.attempt(client, name: name, password: password)
                #expect(response.status == .tooManyRequests, "attempt \(n) as \(name)")
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 > 0)
                #expect(WebAttack.setCookie(response, "riglog_session") == nil)
                if response.status == .tooManyRequests { refused += 1 }
            }
            #expect(try await Self.attempt(client, name: "ada", password: WebFixture.password).status == .seeOther)
            // A wrong password and a name nobody has get the same page: no way to list the users.
            let token = /name="csrf" value="[0-9a-f]+"/
            let wrong = String(buffer: try await Self.attempt(client, name: "tom", password: "not the password").body).replacing(token, with: "")
            let nobody = String(buffer: try await Self.attempt(client, name: "nobody", password: "not the password").body).replacing(token, with: "")
            #expect(wrong == nobody)
            return refused
        }
        // Five guesses at ivan and the two wrong passwords above; the locked tries never reach a password check.
        #expect(try fixture.store.auditEntries().filter { $0.action == "sign-in refused" }.count == 7)
        Reliability.record(scenario: "web: password guessing on one user", inputs: "5 failures, then \(attempts) tries (any case, 1 in 4 the right password)",
                           outcome: "\(refused) of \(attempts) refused 429 with Retry-After; another user signs in", lost: "-", ok: refused == attempts)
    }

    /// Twenty failures from one address over several names lock the address, the right password
    /// of users none of whom reached their own limit included; a forwarded-for header does not make a new address.
    @Test func anAddressGuessingManyNamesIsLocked() async throws {
        let fixture = try WebFixture()
        // Over a real socket: the address is the peer's (127.0.0.1), as a server sees it.
        let app = try fixture.web().application(host: "127.0.0.1", port: 0, logger: Logger(label: "websec-guessing"))
        let attempts = Reliability.scale(bounded: 30, long: 300)
        // Real users (a quick hash each): an unknown name costs a full-cost bcrypt by design.
        for name in ["una", "uwe"] { _ = try fixture.accounts.add(name: name, role: .technician, password: WebFixture.password) }
        let names = ["ada", "ivan", "tom", "una", "uwe"]
        let refused = try await app.test(.live) { client in
            // Four failures on each of five users: no user reaches five, the address reaches twenty.
            for n in 0..<20 {
                #expect(try await Self.attempt(client, name: names[n % 5], password: "guess number \(n)").status == .unauthorized)
            }
            var refused = 0
            for n in 0..<attempts {
                let spoof: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "10.0.\(n / 250).\(n % 250)", HTTPField.Name("X-Real-IP")!: "10.1.0.\(n % 250)"]
                let response = try await Self.attempt(client, name: names[n % 5], password: WebFixture.password, headers: spoof)
                #expect(response.status == .tooManyRequests, "attempt \(n)")
                if response.status == .tooManyRequests { refused += 1 }
            }
            return refused
        }
        let refusals = try fixture.store.auditEntries().filter { $0.action == "sign-in refused" }
        #expect(refusals.count == 20)
        #expect(refusals.allSatisfy { $0.detail == "from 127.0.0.1" }, "\(refusals.first?.detail ?? "")")
        #expect(try fixture.store.auditEntries().allSatisfy { $0.action != "sign in" })
        Reliability.record(scenario: "web: password guessing from one address", inputs: "20 failures over 5 names, then \(attempts) tries with forged X-Forwarded-For (real socket)",
                           outcome: "\(refused) of \(attempts) refused 429, the right passwords too", lost: "-", ok: refused == attempts)
    }
}
