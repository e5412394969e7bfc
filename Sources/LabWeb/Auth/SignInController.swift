import Accounts
import Foundation
import NIOPosix
import Hummingbird
import HummingbirdAuth
public import Store
import Timekeeping

/// `/signin` (the form), `/signout`, and one-time sign-in links (`/signin/link/TOKEN`, which
/// `riglog demo` prints). Failed sign-ins are throttled per user name and per address.
struct SignInController {
    let web: LabWeb

    struct SignInForm: Decodable {
        var name: String
        var password: String
        var csrf: String?
        var next: String?
    }

    struct FormToken: Decodable {
        var csrf: String?
    }

    /// The pre-sign-in form token's cookie (the session does not exist yet).
    static let formCookie = "riglog_signin"

    func add(to router: Router<WebContext>) {
        router.get("signin") { request, context in
            let next = Self.localPath(request.uri.queryParameters.get("next"))
            if context.user != nil { return Response(status: .seeOther, headers: [.location: next]) }
            return signInPage(next: next, error: nil, status: .ok)
        }
        router.post("signin") { request, context in
            let form = try await request.decode(as: SignInForm.self, context: context)
            let next = Self.localPath(form.next)
            guard let cookie = request.cookies[Self.formCookie]?.value, let token = form.csrf,
                  constantTimeEqual(Array(cookie.utf8), Array(token.utf8)) else {
                throw WebError.csrf(api: false)
            }
            if case .refuse(let wait) = web.throttle.check(user: form.name, address: context.peer) {
                throw WebError.tooManySignIns(retryAfter: wait)
            }
            // bcrypt takes a quarter of a second on purpose: off the event loop, or every other
            // request and the live feed would wait for it.
            let accounts = web.accounts
            let verified = try await NIOThreadPool.singleton.runIfActive { try accounts.verify(name: form.name, password: form.password) }
            guard let user = verified else {
                web.throttle.failed(user: form.name, address: context.peer)
                try? web.store.recordAudit(user: form.name, action: "sign-in refused", detail: "from \(context.peer)")
                return signInPage(next: next, error: "That user name and password do not match.", status: .unauthorized)
            }
            web.throttle.succeeded(user: form.name)
            endReplacedSession(request)
            context.sessions.createSession(WebSession(user: user), expiresIn: web.settings.sessionLength)
            try? web.store.recordAudit(user: user.name, action: "sign in", detail: "from \(context.peer)")
            return Response(status: .seeOther, headers: [.location: next])
        }
        router.post("signout") { request, context in
            let form = try await request.decode(as: FormToken.self, context: context)
            try context.checkFormToken(form.csrf, api: false)
            context.sessions.clearSession()
            return Response(status: .seeOther, headers: [.location: "/signin"])
        }
        router.get("signin/link/:token") { request, context in
            let token = try context.pathParameter("token")
            let key = "link." + token
            guard let bytes = try web.store.persistedValue(key: key, now: .now()),
                  let user = try Self.linkUser(String(decoding: bytes, as: UTF8.self), store: web.store) else {
                return signInPage(next: "/", error: "That sign-in link is used or expired; sign in with your password.", status: .unauthorized)
            }
            // One use only: the link is printed on a terminal and may be seen by others.
            try web.store.removePersistedValue(key: key)
            endReplacedSession(request)
            context.sessions.createSession(WebSession(user: user), expiresIn: web.settings.sessionLength)
            try? web.store.recordAudit(user: user.name, action: "sign in", detail: "by one-time link from \(context.peer)")
            return Response(status: .seeOther, headers: [.location: "/"])
        }
    }

    private func signInPage(next: String, error: String?, status: HTTPResponse.Status) -> Response {
        let token = randomToken()
        let html = web.pages.render("signin", title: "Sign in", values: ["next": next, "csrf": token, "error": error as Any], frame: [:])
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                                body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        response.setCookie(Cookie(name: Self.formCookie, value: token, path: "/signin", secure: web.settings.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }

    /// A redirect target on this site only (never `//host` or a full URL). Browsers drop tabs
    /// and line breaks from a URL, so `/<TAB>/host` would be `//host`: no whitespace or control
    /// character at all (the pages' own paths are percent-encoded and have none).
    static func localPath(_ path: String?) -> String {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"),
              !path.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) else { return "/" }
        return path
    }

    /// A sign-in replaces the browser's session: the one it had (perhaps planted by someone
    /// else, perhaps another user's) ends in the store, not only in this browser.
    private func endReplacedSession(_ request: Request) {
        if let old = request.cookies["riglog_session"]?.value, !old.isEmpty {
            try? web.store.removePersistedValue(key: "session." + old)
        }
    }

    /// What a sign-in link's stored value names: `ID ADDED` (the user's row id and when they
    /// were added, so a removed user's link does not pass to the next user given their id).
    static func linkUser(_ value: String, store: StoreDatabase) throws -> StoredUser? {
        let parts = value.split(separator: " ")
        guard parts.count == 2, let id = Int64(parts[0]), let added = Int64(parts[1]),
              let user = try store.user(id: id), user.createdAt.microsecondsSince1970 == added else { return nil }
        return user
    }
}

extension LabWeb {
    /// A one-time sign-in path for `user` (`/signin/link/TOKEN`), valid for `lifetime`: what
    /// `riglog demo` prints so nobody needs a default password.
    public func signInLink(for user: StoredUser, lifetime: Duration = .seconds(3600)) throws(StoreError) -> String {
        let token = randomToken()
        try store.setPersistedValue(key: "link." + token, value: Array("\(user.id) \(user.createdAt.microsecondsSince1970)".utf8), expiresAt: .now() + lifetime)
        return "/signin/link/" + token
    }
}
