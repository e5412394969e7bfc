import RigProfiles
import HummingbirdAuth
import Collector
import Foundation
import Ingest
import Hummingbird
import Reports
import Store
import Timekeeping

/// The pages: the lab board, rig pages, students and their practice logs, groups, the audit log.
/// Each page is a template filled from the store; live parts are drawn by the page's script from
/// the JSON API and the live feed, so a page and the API never disagree.
struct PortalPages {
    let web: LabWeb

    func add(to router: Router<WebContext>) {
        router.get("/") { request, context in
            if !web.settings.publicBoard { _ = try context.require(.signedIn, api: false, path: request.uri.path) }
            return page(context, "board", title: "Lab board", values: ["public": web.settings.publicBoard])
        }
        router.get("rigs/:id") { request, context in
            _ = try context.require(.signedIn, api: false, path: request.uri.path)
            let id = try context.pathParameter("id")
            guard let rig = try web.rigPage(id) else { throw WebError.notFound(api: false, what: "rig \(id)") }
            return page(context, "rig", title: rig["name"] as? String ?? id, values: rig)
        }
        router.get("rigs/:id/panels/:index") { request, context in
            _ = try context.require(.signedIn, api: false, path: request.uri.path)
            let id = try context.pathParameter("id")
            guard let index = Int(try context.pathParameter("index")), let dashboard = try web.dashboard(forRig: id),
                  dashboard.panels.indices.contains(index) else { throw WebError.notFound(api: false, what: "that chart") }
            var at = Timestamp.now()
            if let text = request.uri.queryParameters.get("at") {
                guard let time = Timestamp(iso8601: String(text), in: LabTime.utc.zone) else {
                    throw WebError.badRequest(api: false, message: "at must be an ISO 8601 time such as 2026-12-02T09:00:00Z")
                }
                at = time
            }
            let svg = try web.panelSVG(rig: id, panel: dashboard.panels[index], window: dashboard.window, at: at)
            return Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: svg)))
        }
        router.get("students") { request, context in
            _ = try context.require(.instructor, api: false, path: request.uri.path)
            let query = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespaces)
            let students = try web.store.students().filter { student in
                query.isEmpty || [student.id, student.name, student.group].contains { $0.localizedCaseInsensitiveContains(query) }
            }
            let rows: [[String: Any]] = students.map { ["id": $0.id, "name": $0.name, "group": $0.group, "path": "/students/" + Self.pathPart($0.id), "groupPath": "/groups/" + Self.pathPart($0.group)] }
            return page(context, "students", title: "Students", values: ["q": query, "students": rows, "count": rows.count, "groups": try web.store.groups().map { ["name": $0, "path": "/groups/" + Self.pathPart($0)] }])
        }
        router.get("students/:id") { request, context in
            _ = try context.require(.instructor, api: false, path: request.uri.path)
            let id = try context.pathParameter("id")
            let period = try web.period(request, api: false)
            return reportPage(try web.studentReport(id, period: period, format: .html, api: false), back: ("/students", "← Students"))
        }
        router.get("sessions/:id") { request, context in
            _ = try context.require(.instructor, api: false, path: request.uri.path)
            guard let id = Int64(try context.pathParameter("id")), let session = try web.store.session(id: id) else {
                throw WebError.notFound(api: false, what: "session \(try context.pathParameter("id"))")
            }
            // The practice log narrowed to this session's span: its attempts' traces with the
            // steps and alarms marked, drawn by the report's own renderer.
            let end = session.end ?? .now()
            let period = TimePeriod(from: session.start, to: end + .microseconds(1))
            let html: Data
            do {
                html = try ReportGenerator.generate(ReportRequest(subject: .student(session.student), period: period, format: .html), store: web.store)
            } catch let error as ReportError {
                throw WebError.notFound(api: false, what: error.description)
            }
            let samples = "/api/v1/rigs/\(Self.pathPart(session.rig))/samples?from=\(session.start.iso8601)&to=\((end + .microseconds(1)).iso8601)"
            return reportPage(html, back: ("/rigs/" + Self.pathPart(session.rig), "← \(session.rig)"),
                              links: [(samples, "Samples CSV"), (samples + "&excel=1", "Samples CSV for Excel")])
        }
        router.get("groups/:group") { request, context in
            _ = try context.require(.instructor, api: false, path: request.uri.path)
            let group = try context.pathParameter("group")
            let period = try web.period(request, api: false)
            return page(context, body: try web.groupMatrix(group: group, period: period), title: "Group \(group)")
        }
        router.get("admin/audit") { request, context in
            _ = try context.require(.admin, api: false, path: request.uri.path)
            let labTime = try web.store.labTime()
            let rows: [[String: Any]] = try web.store.auditEntries(limit: 500).map {
                ["at": labTime.format($0.at, seconds: true), "user": $0.user, "action": $0.action, "detail": $0.detail]
            }
            return page(context, "audit", title: "Audit log", values: ["rows": rows])
        }
        router.post("rigs/:id/trace") { request, context in
            _ = try context.require(.admin, api: false, path: request.uri.path)
            let id = try context.pathParameter("id")
            let form = try await request.decode(as: TraceForm.self, context: context)
            try context.checkFormToken(form.csrf, api: false)
            guard let collector = web.live?.collector, form.trace == "on" || form.trace == "off" else {
                throw WebError.badRequest(api: false, message: "trace must be on or off, on a server that collects")
            }
            guard collector.setTrace(rig: id, on: form.trace == "on") else { throw WebError.notFound(api: false, what: "rig \(id)") }
            try web.store.recordAudit(user: web.auditUser(context), action: "trace \(form.trace)",
                                      detail: "\(id): every frame in the collector's log")
            return Response(status: .seeOther, headers: [.location: "/rigs/" + Self.pathPart(id)])
        }
        router.get("admin/lab") { request, context in
            _ = try context.require(.admin, api: false, path: request.uri.path)
            return labPage(context, outcome: web.live?.lastReload?())
        }
        router.post("admin/lab/reload") { request, context in
            _ = try context.require(.admin, api: false, path: request.uri.path)
            let form = try await request.decode(as: ReloadForm.self, context: context)
            try context.checkFormToken(form.csrf, api: false)
            guard let reload = web.live?.reload else { throw WebError.notFound(api: false, what: "a lab config to reload (this run has none)") }
            // The reloader records the audit row (who, and the outcome with every error).
            let outcome = try await reload("admin " + web.auditUser(context))
            return labPage(context, outcome: outcome)
        }
    }

    struct ReloadForm: Decodable {
        var csrf: String?
    }

    struct TraceForm: Decodable {
        /// `on` or `off`.
        var trace: String
        var csrf: String?
    }

    /// The admin's lab config page: the reload button and the last reload's outcome (every
    /// error of a refused one, file:line).
    func labPage(_ context: WebContext, outcome: ReloadOutcome?) -> Response {
        var values: [String: Any] = ["available": web.live?.reload != nil]
        if let outcome {
            values["outcome"] = ["headline": outcome.headline, "applied": outcome.applied, "lines": outcome.lines.map { ["line": $0] }]
        }
        return page(context, "lab", title: "Lab config", values: values)
    }

    /// A report page: the report is a whole printable page; the portal adds only its way back.
    func reportPage(_ html: Data, back: (path: String, label: String), links: [(path: String, label: String)] = []) -> Response {
        var text = String(decoding: html, as: UTF8.self)
        if let body = text.range(of: "<body>") {
            let all = [back] + links
            let nav = all.map { "<a href=\"\(HTMLText.escape($0.path))\">\(HTMLText.escape($0.label))</a>" }.joined(separator: " · ")
            text.insert(contentsOf: "<nav class=\"portal\">\(nav)</nav>", at: body.upperBound)
        }
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A page whose own part is rendered already (a kept group matrix).
    func page(_ context: WebContext, body: String, title: String) -> Response {
        html(web.pages.wrap(body, title: title, frame: frame(context)))
    }

    /// The layout's values: who is signed in, what they may open, their form token.
    func frame(_ context: WebContext) -> [String: Any] {
        var frame: [String: Any] = ["signedIn": context.user != nil]
        if let user = context.user {
            frame["user"] = user.name
            frame["role"] = user.role.rawValue
            frame["instructor"] = Access.instructor.allows(user.role)
            frame["admin"] = user.role == .admin
        }
        frame["csrf"] = context.sessions.session?.csrf ?? ""
        return frame
    }

    func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func page(_ context: WebContext, _ name: String, title: String, values: [String: Any]) -> Response {
        let frame = frame(context)
        var values = values
        values["csrf"] = frame["csrf"]
        values["instructor"] = frame["instructor"] ?? false
        values["admin"] = frame["admin"] ?? false
        return html(web.pages.render(name, title: title, values: values, frame: frame))
    }

    /// A path segment for an id that may hold spaces or Cyrillic (group `ТЭ-21`).
    static func pathPart(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? text
    }
}

extension LabWeb {
    /// One panel over `window` up to `at`, drawn from the stored samples: what the rig page shows
    /// when the browser has no chart library.
    func panelSVG(rig: String, panel: Panel, window: Duration, at: Timestamp) throws -> String {
        let channels = try store.rig(rig).channels.filter { panel.channels.contains($0.name) }
        var points: [UInt32: [(seconds: Double, value: Double)]] = [:]
        try store.forEachSample(of: channels, from: at - window, to: at) { sample in
            guard let channel = channels.first(where: { $0.id == sample.channel }) else { return }
            let seconds = Double(Timestamp(nanosecondsSince1970: sample.time).microsecondsSince1970 - at.microsecondsSince1970) / 1e6
            points[sample.channel, default: []].append((seconds, channel.value(of: sample)))
        }
        let series = panel.channels.compactMap { name in
            channels.first { $0.name == name }.map { PanelSVG.Series(channel: name, points: points[$0.id] ?? []) }
        }
        return PanelSVG(title: panel.title.en, window: Double(window.milliseconds) / 1000, range: panel.range, limits: panel.thresholds.map(\.value))
            .render(series)
    }

    /// A student's report, from the cache while nothing it reads has changed; an unknown student
    /// is a 404.
    func studentReport(_ id: String, period: TimePeriod, format: ReportRequest.Format, api: Bool) throws -> Data {
        let key = ReportCache<Data>.Key(kind: "student " + format.rawValue, subject: id, from: period.from?.microsecondsSince1970,
                                        to: period.to?.microsecondsSince1970)
        // Only a session with no end overlaps the end of time: the open ones, in one small query.
        let open = try store.sessions(student: id, from: .distantFuture).contains { $0.start < period.upperBound }
        do {
            return try reports.value(key, generation: try store.practiceGeneration(), keep: !open) {
                try ReportGenerator.generate(ReportRequest(subject: .student(id), period: period, format: format), store: store)
            }
        } catch let error as ReportError {
            throw WebError.notFound(api: api, what: error.description)
        }
    }

    /// The group page's own part (the students-by-exercises matrix and the downloads), kept as
    /// the reports are; an unknown group is a 404 that lists the known ones.
    func groupMatrix(group: String, period: TimePeriod) throws -> String {
        let key = ReportCache<Data>.Key(kind: "group matrix", subject: group, from: period.from?.microsecondsSince1970,
                                        to: period.to?.microsecondsSince1970)
        let open = try store.sessions(group: group, from: .distantFuture).contains { $0.start < period.upperBound }
        let body = try reports.value(key, generation: try store.practiceGeneration(), keep: !open) {
            let assessment: Assessment
            do {
                assessment = try Assessment(store: store, group: group, period: period)
            } catch let error as AssessmentError {
                if case .unknownGroup(let name, let known) = error {
                    throw WebError.notFound(api: false, what: AssessmentError.unknownGroup(name, known: known).description)
                }
                throw error
            }
            let exercises = assessment.exercises.map { ["title": $0.title, "id": $0.id] }
            let rows: [[String: Any]] = assessment.rows.map { row in
                ["id": row.student.id, "name": row.student.name, "path": "/students/" + PortalPages.pathPart(row.student.id),
                 "sessions": row.sessions, "minutes": String(format: "%.0f", row.practiceSeconds / 60),
                 "cells": assessment.exercises.map { exercise -> [String: Any] in
                     let result = row.exercises[exercise.id]
                     return ["passed": result?.passed ?? 0, "attempts": result?.attempts ?? 0, "ok": (result?.passed ?? 0) > 0]
                 }]
            }
            let base = "/api/v1/groups/" + PortalPages.pathPart(group) + "/assessment"
            let downloads = [("Assessment CSV", "?format=csv"), ("CSV for Excel", "?format=csv&excel=1"), ("Moodle", "?format=moodle"),
                             ("Moodle, points out of 100", "?format=moodle&grades=points"), ("Canvas", "?format=canvas"),
                             ("Canvas, points out of 100", "?format=canvas&grades=points")]
            return Data(pages.body("group", values: [
                "group": group, "exercises": exercises, "rows": rows,
                "downloads": downloads.map { ["label": $0.0, "href": base + $0.1] },
            ]).utf8)
        }
        return String(decoding: body, as: UTF8.self)
    }

    /// `from`/`to` query parameters, read as the CLI reads `--from`/`--to`.
    func period(_ request: Request, api: Bool) throws -> TimePeriod {
        let query = request.uri.queryParameters
        do {
            return try TimePeriod(from: query.get("from"), to: query.get("to"), in: try store.labTime())
        } catch let error as TimePeriodError {
            throw WebError.badRequest(api: api, message: error.description)
        }
    }

    /// The rig's dashboard: the lab's (`Dashboards/`) when collecting, else the standard one of
    /// the profile version stored with the rig; nil when there is neither.
    func dashboard(forRig id: String) throws -> Dashboard? {
        if let live {
            return live.lab.rig(id: id).map { live.dashboards.dashboard(forProfile: $0.profile) }
        }
        var profiles = ReportProfiles()
        try profiles.load(rig: id, from: store)
        return profiles.profile(ofRig: id).map(Dashboard.standard(for:))
    }

    /// What a rig page shows: the rig, its chart panels, recent sessions and today's gaps.
    func rigPage(_ id: String) throws -> [String: Any]? {
        guard try store.rigIDs().contains(id) else { return nil }
        let record = try store.rig(id)
        let labTime = try store.labTime()
        // The panels of the rig's dashboard (`Dashboards/<profile>.yaml`, else the standard one).
        let dashboardJSON = try dashboard(forRig: id).map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) } ?? "null"
        let weekAgo = Timestamp.now() - .seconds(7 * 86400)
        let names = Dictionary(try store.students().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let sessions: [[String: Any]] = try store.sessions(rig: id, from: weekAgo).reversed().prefix(20).map { session in
            ["student": names[session.student] ?? session.student, "start": labTime.format(session.start), "path": "/sessions/\(session.id)",
             "end": session.end.map { labTime.format($0) } ?? "now", "reason": session.endReason?.rawValue ?? ""]
        }
        let today = labTime.instant(String(labTime.format(.now()).prefix(10))) ?? weekAgo
        let gaps: [[String: Any]] = try store.gaps(rig: id, from: today).map {
            ["start": labTime.format($0.start, seconds: true), "end": $0.end.map { labTime.format($0, seconds: true) } ?? "now", "reason": $0.reason]
        }
        // The collector's poll errors since it started, by kind (timeouts, exceptions, ...).
        let errors: [[String: Any]] = (live?.collector.statistics.first { $0.rig == id }?.snapshot.errors ?? [:])
            .sorted { $0.key < $1.key }.map { ["kind": $0.key, "count": $0.value] }
        let samples = "/api/v1/rigs/\(PortalPages.pathPart(id))/samples?from=\(today.iso8601)"
        // What the device said it is at the collector's start (Modbus 43/14), or why it did not.
        let device: String = try store.latestIdentities(rig: id)[id].map { identity in
            let said = identity.outcome == .identified
                ? "\(identity.vendor) \(identity.productCode) \(identity.revision)" : identity.detail
            return "\(said) (asked \(labTime.format(identity.at)))"
        } ?? "not asked yet"
        return ["errors": errors, "device": device, "hasErrors": !errors.isEmpty, "samplesToday": samples, "samplesTodayExcel": samples + "&excel=1",
                "id": id, "name": record.definition.name, "profile": record.definition.profile, "dashboard": dashboardJSON, "sessions": sessions, "gaps": gaps,
                "hasGaps": !gaps.isEmpty, "live": live != nil, "traced": live?.collector.tracedRigs.contains(id) ?? false]
    }
}
