import HTTPTypes
import CSV
import Foundation
import Hummingbird
import NIOCore
import Practice
import Store
import Timekeeping

/// The desk: check-in and check-out at a rig by staff, roster and timetable uploads (checked
/// exactly as `riglog students import` and `riglog timetable import` check them: every problem
/// with its line, nothing imported on error), and today's timetable. The kiosk: the check-in form
/// alone, for students with their badge number or student id, without sign-in when the lab
/// config's `web: kiosk: true` allows it.
struct DeskPages {
    let web: LabWeb

    struct CheckForm: Decodable {
        var rig: String
        /// A student id or a badge number.
        var who: String?
        var action: String
        var csrf: String?
    }

    /// The kiosk's form token before anyone signs in (as the sign-in form's).
    static let kioskCookie = "riglog_kiosk"

    /// The largest roster or timetable file taken (16 MB: a school's whole roster is well under 1 MB).
    static let uploadLimit = 16 << 20

    /// The uploaded file's bytes, or a 413 that says the limit.
    static func upload(_ request: Request, what: String) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: uploadLimit)
        } catch is NIOTooManyBytesError {
            throw WebError.tooLarge(api: true, what: what, limit: uploadLimit)
        }
    }

    func add(to router: Router<WebContext>) {
        router.get("desk") { request, context in
            _ = try context.require(.signedIn, api: false, path: request.uri.path)
            return try desk(context, message: nil, problems: [])
        }
        router.post("desk") { request, context in
            _ = try context.require(.signedIn, api: false, path: request.uri.path)
            let form = try await request.decode(as: CheckForm.self, context: context)
            try context.checkFormToken(form.csrf, api: false)
            let message = try check(form, by: web.auditUser(context) + " (desk)")
            return try desk(context, message: message, problems: [])
        }
        router.get("kiosk") { request, context in
            if !web.settings.kiosk { _ = try context.require(.signedIn, api: false, path: request.uri.path) }
            return try kiosk(context, message: nil)
        }
        router.post("kiosk") { request, context in
            if !web.settings.kiosk { _ = try context.require(.signedIn, api: false, path: request.uri.path) }
            let form = try await request.decode(as: CheckForm.self, context: context)
            guard let cookie = request.cookies[Self.kioskCookie]?.value, let token = form.csrf,
                  constantTimeEqual(Array(cookie.utf8), Array(token.utf8)) else { throw WebError.csrf(api: false) }
            let message = try check(form, by: context.user.map { $0.name + " (kiosk)" } ?? "kiosk")
            return try kiosk(context, message: message)
        }
    }

    /// The uploads' API routes (the desk page's script posts the file as it is).
    func addAPI(to api: RecordingGroup) {
        api.post("roster") { request, context in
            _ = try context.require(.signedIn, api: true, path: request.uri.path)
            try context.checkFormToken(request.headers[.riglogCSRF], api: true)
            let name = request.uri.queryParameters.get("file") ?? "roster.csv"
            let body = try await Self.upload(request, what: "the roster file \(name)")
            let roster: RosterFile
            do throws(CSVImportError) { roster = try RosterFile.parse(data: Data(body.readableBytesView), file: name) } catch {
                return try problems(error)
            }
            let result = try web.store.importRoster(roster.students)
            try web.store.recordAudit(user: web.auditUser(context), action: "import roster",
                                      detail: "\(name) (web): \(roster.students.count) students, \(result.added) added, \(result.updated) updated")
            return try APIController(web: web).json(["students": roster.students.count, "added": result.added, "updated": result.updated])
        }
        api.post("timetable") { request, context in
            _ = try context.require(.signedIn, api: true, path: request.uri.path)
            try context.checkFormToken(request.headers[.riglogCSRF], api: true)
            let name = request.uri.queryParameters.get("file") ?? "timetable.csv"
            let body = try await Self.upload(request, what: "the timetable file \(name)")
            let replacing = request.uri.queryParameters.get("replace") == "1"
            let file: TimetableFile
            do {
                file = try TimetableFile.parse(data: Data(body.readableBytesView), file: name, labTime: try web.store.labTime(), store: web.store, replacing: replacing)
            } catch let error as CSVImportError {
                return try problems(error)
            }
            let outcome = try file.store(into: web.store, replacing: replacing)
            try web.store.recordAudit(user: web.auditUser(context), action: "import timetable",
                                      detail: "\(name) (web)\(replacing ? " replacing" : ""): \(outcome.added) slots added, \(outcome.deleted) replaced")
            return try APIController(web: web).json(["slots": file.entries.count, "added": outcome.added, "replaced": outcome.deleted])
        }
    }

    /// A refused file's answer: 422 with every problem and its line, as the CLI prints them.
    struct Refusal: Encodable {
        var error: String
        var problems: [String]
    }

    func problems(_ error: CSVImportError) throws -> Response {
        let lines = error.problems.map { problem in
            problem.line.map { "\(error.file):\($0): \(problem.message)" } ?? "\(error.file): \(problem.message)"
        }
        let refusal = Refusal(error: "\(error.file) was not imported: \(lines.count) problem\(lines.count == 1 ? "" : "s"); fix them and upload it again",
                              problems: lines)
        return Response(status: .unprocessableContent, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(refusal))))
    }

    /// Records a check-in or check-out; returns what happened, for the person at the desk.
    func check(_ form: CheckForm, by user: String) throws -> String {
        let desk = CheckinDesk(store: web.store)
        let labTime = try web.store.labTime()
        let now = Timestamp.now()
        guard try web.store.rigIDs().contains(form.rig) else { throw WebError.badRequest(api: false, message: "no rig \(form.rig) in this lab") }
        do {
            if form.action == "out" {
                let student = try desk.checkOut(rig: form.rig, at: now)
                try web.store.recordAudit(user: user, action: "check-out", detail: "\(student) from \(form.rig)")
                return "Checked out \(student) from \(form.rig) at \(labTime.format(now, seconds: true))."
            }
            let who = (form.who ?? "").trimmingCharacters(in: .whitespaces)
            let badge = who.drop { $0 == "0" }
            let student = try web.store.badges()[String(badge)] ?? who
            let outcome = try desk.checkIn(rig: form.rig, student: student, at: now)
            if outcome.alreadyCheckedIn { return "\(student) is already checked in on \(form.rig)." }
            try web.store.recordAudit(user: user, action: "check-in", detail: "\(student) on \(form.rig)")
            return "Checked in \(student) on \(form.rig) at \(labTime.format(now, seconds: true))."
        } catch let error as CheckinError {
            throw WebError.badRequest(api: false, message: error.description)
        }
    }

    func rigOptions() throws -> [[String: Any]] {
        try web.store.rigIDs().map { id in ["id": id, "name": (try? web.store.rig(id).definition.name) ?? id] }
    }

    func desk(_ context: WebContext, message: String?, problems: [String]) throws -> Response {
        let labTime = try web.store.labTime()
        let today = labTime.instant(String(labTime.format(.now()).prefix(10))) ?? .now()
        let names = Dictionary(try web.store.students().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let slots: [[String: Any]] = try web.store.timetable(from: today, to: today + .seconds(86_400)).map {
            ["rig": $0.rig, "student": names[$0.student] ?? $0.student, "start": labTime.format($0.start), "end": labTime.format($0.end)]
        }
        return PortalPages(web: web).page(context, "desk", title: "Desk", values: [
            "rigs": try rigOptions(), "message": message as Any, "slots": slots, "hasSlots": !slots.isEmpty,
        ])
    }

    func kiosk(_ context: WebContext, message: String?) throws -> Response {
        let token = randomToken()
        var response = PortalPages(web: web).page(context, "kiosk", title: "Check in", values: [
            "rigs": try rigOptions(), "message": message as Any, "kioskToken": token,
        ])
        response.setCookie(Cookie(name: Self.kioskCookie, value: token, path: "/kiosk", secure: web.settings.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }
}
