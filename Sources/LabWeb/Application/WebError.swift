import Foundation
public import Hummingbird
import Reports

/// Why the lab web refuses a request. API requests get a JSON body `{"error": "..."}`; page
/// requests get a page, or for a missing sign-in a redirect to `/signin`.
public enum WebError: Error, HTTPResponseError, Sendable {
    /// No valid session cookie or bearer token.
    case signInRequired(api: Bool, path: String)
    /// Signed in, but the role does not allow it.
    case forbidden(api: Bool, needed: String)
    /// A form or API change without the session's form token.
    case csrf(api: Bool)
    case notFound(api: Bool, what: String)
    case badRequest(api: Bool, message: String)
    case tooManySignIns(retryAfter: Int64)
    /// A body past the limit for it (an upload's or a form's), in bytes.
    case tooLarge(api: Bool, what: String, limit: Int)
    /// Any other refusal Hummingbird made (a body that does not decode), with its status.
    case refused(api: Bool, status: HTTPResponse.Status, message: String)
    /// The TLS certificate or key does not load (at start, never for a request).
    case tls(String)

    public var status: HTTPResponse.Status {
        switch self {
        case .signInRequired(let api, _): api ? .unauthorized : .seeOther
        case .forbidden: .forbidden
        case .csrf: .forbidden
        case .notFound: .notFound
        case .badRequest: .badRequest
        case .tooManySignIns: .tooManyRequests
        case .tooLarge: .contentTooLarge
        case .refused(_, let status, _): status
        case .tls: .internalServerError
        }
    }

    /// What the person is told.
    public var message: String {
        switch self {
        case .signInRequired: "sign in first: this needs a riglog user (riglog users add NAME --role instructor)"
        case .forbidden(_, let needed): "your role may not do this; it needs \(needed)"
        case .csrf: "the form token is missing or stale; reload the page and send the form again"
        case .notFound(_, let what): "\(what) not found"
        case .badRequest(_, let message): message
        case .tooManySignIns(let wait): "too many failed sign-ins; try again in \(max(1, (wait + 59) / 60)) min"
        case .tls(let message): "the TLS certificate or key does not load: \(message)"
        case .tooLarge(_, let what, let limit):
            "\(what) is larger than the \(limit >> 20) MB riglog accepts; nothing was imported or changed (split a roster or timetable into smaller files)"
        case .refused(_, _, let message): message
        }
    }

    var isAPI: Bool {
        switch self {
        case .signInRequired(let api, _), .forbidden(let api, _), .csrf(let api), .notFound(let api, _), .badRequest(let api, _), .tooLarge(let api, _, _),
             .refused(let api, _, _): api
        case .tooManySignIns, .tls: false
        }
    }

    /// Hummingbird's own `HTTPError` as riglog words it.
    init(_ error: HTTPError, api: Bool, path: String) {
        switch error.status {
        case .notFound: self = .notFound(api: api, what: error.body ?? path)
        case .badRequest: self = .badRequest(api: api, message: "the request is not understood: \(error.body ?? "its body does not decode")")
        default: self = .refused(api: api, status: error.status, message: error.body ?? error.status.reasonPhrase)
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        if case .signInRequired(false, let path) = self {
            let next = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_.~"))) ?? "/"
            return Response(status: .seeOther, headers: [.location: "/signin?next=\(next)"])
        }
        var headers: HTTPFields = [:]
        if case .tooManySignIns(let wait) = self { headers[.retryAfter] = String(wait) }
        if isAPI {
            headers[.contentType] = "application/json; charset=utf-8"
            let body = (try? JSONEncoder().encode(["error": message])) ?? Data()
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        headers[.contentType] = "text/html; charset=utf-8"
        let page = "<!doctype html><meta charset=utf-8><title>riglog</title><link rel=stylesheet href=/assets/riglog.css>"
            + "<main><h1>\(status.code) \(HTMLText.escape(status.reasonPhrase))</h1><p>\(HTMLText.escape(message))</p><p><a href=/>Lab board</a></p></main>"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
