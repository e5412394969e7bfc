import HTTPTypes
import CSV
import Foundation
import Hummingbird
import Reports
import Store
import Timekeeping

/// The JSON API under `/api/v1/`, documented in `openapi.yaml` (served at
/// `/api/v1/openapi.yaml`). Requests authenticate with the sign-in cookie or
/// `Authorization: Bearer TOKEN` (`riglog users token NAME`); without either the answer is 401
/// with `{"error": "..."}`.
struct APIController {
    let web: LabWeb

    struct AckForm: Decodable {
        var alarm: String
        /// The alarm's start as the board shows it (ISO 8601).
        var since: String
        var note: String?
        var csrf: String?
    }

    /// Registers every API route; returns them as `METHOD /api/v1/path` (with `{param}` as the
    /// OpenAPI file writes it), the list the tests compare with `openapi.yaml`.
    @discardableResult
    func add(to router: Router<WebContext>) -> [String] {
        var routes: [String] = []
        let api = RecordingGroup(group: router.group("api/v1"), prefix: "/api/v1") { routes.append($0) }
        // The description itself is not an API route of its own file.
        router.get("api/v1/openapi.yaml") { _, _ in try Assets.file(folder: PageRenderer.resource(""), name: "openapi.yaml") }
        api.get("me") { request, context in
            let user = try context.require(.signedIn, api: true, path: request.uri.path)
            return try json(["name": user.name, "role": user.role.rawValue])
        }
        api.get("rigs") { request, context in
            if !web.settings.publicBoard { _ = try context.require(.signedIn, api: true, path: request.uri.path) }
            return try json(web.reader.rigs())
        }
        api.get("live") { request, context in
            if !web.settings.publicBoard { _ = try context.require(.signedIn, api: true, path: request.uri.path) }
            return try web.feed.response()
        }
        api.get("students") { request, context in
            _ = try context.require(.instructor, api: true, path: request.uri.path)
            return jsonBytes(Data(try StudentJSON.encode(try web.store.students()).utf8))
        }
        api.get("students/:id/report") { request, context in
            _ = try context.require(.instructor, api: true, path: request.uri.path)
            let id = try context.pathParameter("id")
            let period = try web.period(request, api: true)
            return jsonBytes(try web.studentReport(id, period: period, format: .json, api: true))
        }
        api.get("groups/:group/assessment") { request, context in
            _ = try context.require(.instructor, api: true, path: request.uri.path)
            let group = try context.pathParameter("group")
            let period = try web.period(request, api: true)
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters where key != "from" && key != "to" { parameters[String(key)] = String(value) }
            // The CLI's one entry point: the same options give the same bytes and the same audit row.
            let export: AssessmentExport
            let result: AssessmentExportResult
            do throws(AssessmentError) {
                export = try AssessmentExport(group: group, period: period, parameters: parameters)
                result = try export.render(store: web.store)
            } catch .unknownGroup(let name, let known) {
                throw WebError.notFound(api: true, what: AssessmentError.unknownGroup(name, known: known).description)
            } catch .store(let error) {
                throw error
            } catch {
                throw WebError.badRequest(api: true, message: error.description)
            }
            try export.recordAudit(result, user: web.auditUser(context), store: web.store)
            let name = "assessment-\(group)-\(export.format.rawValue)\(export.excel ? "-excel" : "").csv"
            var headers: HTTPFields = [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"assessment.csv\"; filename*=UTF-8''\(PortalPages.pathPart(name))",
            ]
            // Who was left out (no LMS identifier) and what to create first in the LMS, for the page.
            if !result.leftOut.isEmpty { headers[.riglogLeftOut] = result.leftOut.map(\.id).joined(separator: ",").addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ",-_."))) }
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: result.bytes)))
        }
        api.get("rigs/:rig/samples") { request, context in
            _ = try context.require(.instructor, api: true, path: request.uri.path)
            let rig = try context.pathParameter("rig")
            let query = request.uri.queryParameters
            let period = try web.period(request, api: true)
            let channels = (query.get("channels") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard try web.store.rigIDs().contains(rig) else { throw WebError.notFound(api: true, what: "rig \(rig)") }
            let export = SampleExport(rig: rig, channels: channels, from: period.from, to: period.to,
                                      layout: query.get("wide") == "1" ? .wide : .long, dialect: query.get("excel") == "1" ? .excel : .rfc4180)
            let asked = "rig \(rig) channels \(channels.isEmpty ? "all" : channels.joined(separator: ",")) from \(query.get("from") ?? "-") to \(query.get("to") ?? "-")"
            do {
                return try SampleDownload(web: web, export: export, asked: asked, user: web.auditUser(context)).response()
            } catch let error as StoreError where error.isUsage {
                throw WebError.badRequest(api: true, message: error.description)
            }
        }
        api.get("audit") { request, context in
            _ = try context.require(.admin, api: true, path: request.uri.path)
            let limit = request.uri.queryParameters.get("limit").flatMap(Int.init) ?? 200
            let rows = try web.store.auditEntries(limit: max(1, min(limit, 5000))).map {
                ["at": $0.at.iso8601, "user": $0.user, "action": $0.action, "detail": $0.detail]
            }
            return try json(rows)
        }
        api.post("rigs/:rig/ack") { request, context in
            let user = try context.require(.instructor, api: true, path: request.uri.path)
            let rig = try context.pathParameter("rig")
            let form = try await request.decode(as: AckForm.self, context: context)
            try context.checkFormToken(form.csrf ?? request.headers[.riglogCSRF], api: true)
            guard let since = Timestamp(iso8601: form.since, in: LabTime.utc.zone) else {
                throw WebError.badRequest(api: true, message: "since must be the alarm's start as ISO 8601, e.g. 2026-12-02T09:00:00.000Z")
            }
            guard try web.store.rigIDs().contains(rig) else { throw WebError.notFound(api: true, what: "rig \(rig)") }
            let note = (form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let at = Timestamp.now()
            try web.store.acknowledgeAlarm(rig: rig, alarm: form.alarm, start: since, user: user.name, note: note, at: at)
            try web.store.recordAudit(user: web.auditUser(context), action: "acknowledge alarm",
                                      detail: "rig \(rig) alarm \(form.alarm) since \(form.since)\(note.isEmpty ? "" : ": \(note)")")
            return try json(["rig": rig, "alarm": form.alarm, "since": form.since, "by": user.name, "at": at.iso8601, "note": note])
        }
        DeskPages(web: web).addAPI(to: api)
        return routes
    }

    func json(_ value: some Encodable) throws -> Response {
        jsonBytes(try APIJSON.encoder().encode(value))
    }

    func jsonBytes(_ data: Data) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A router group that also writes down what it registers.
struct RecordingGroup {
    let group: RouterGroup<WebContext>
    let prefix: String
    let record: (String) -> Void

    func get(_ path: String, use handler: @escaping @Sendable (Request, WebContext) async throws -> Response) {
        record("GET " + Self.documented(prefix + "/" + path))
        group.get(RouterPath(path), use: handler)
    }

    func post(_ path: String, use handler: @escaping @Sendable (Request, WebContext) async throws -> Response) {
        record("POST " + Self.documented(prefix + "/" + path))
        group.post(RouterPath(path), use: handler)
    }

    /// `:id` as OpenAPI writes it, `{id}`.
    static func documented(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }
}

extension HTTPField.Name {
    /// The form token for API changes made from a page's script.
    static let riglogCSRF = Self("X-CSRF-Token")!
    /// The students an assessment export left out (no identifier for the LMS), percent-encoded.
    static let riglogLeftOut = Self("X-Riglog-Left-Out")!
}
