import Accounts
import Foundation
import Timekeeping
public import Hummingbird
public import HummingbirdAuth
public import Store

/// What a signed-in browser's session cookie stands for: the user and the form token that every
/// form they post must carry.
public struct WebSession: Codable, Sendable, Hashable {
    public var userID: Int64
    /// When that user was added (microseconds): the store reuses the row id of a removed user
    /// for the next one added, so the id alone would pass a removed user's session to them.
    public var userAdded: Int64
    /// The CSRF token of this session (a form without it is refused).
    public var csrf: String
    /// A digest of the user's password hash at sign-in (``passwordStamp(of:)``): a new password
    /// (`riglog users passwd`, run when one has leaked) ends every session signed in with the old
    /// one. Optional so that a session stored before it existed still decodes, and ends.
    public var passwordStamp: String?

    /// A new session of `user` with a fresh form token.
    init(user: StoredUser) {
        userID = user.id
        userAdded = user.createdAt.microsecondsSince1970
        csrf = randomToken()
        passwordStamp = Self.passwordStamp(of: user)
    }

    /// Whether `user` (read by ``userID``) is still the user this session was made for, with the
    /// password it was signed in with.
    func belongs(to user: StoredUser) -> Bool {
        user.id == userID && user.createdAt.microsecondsSince1970 == userAdded && passwordStamp == Self.passwordStamp(of: user)
    }

    /// The first 16 hex digits of the SHA-256 of the user's bcrypt hash, which a new password
    /// changes (a new salt each time). The session row holds this, never the hash itself.
    static func passwordStamp(of user: StoredUser) -> String {
        String(Accounts.tokenHash(user.passwordHash).prefix(16))
    }
}

/// The request context of the lab web: Hummingbird's core context, the cookie session
/// (hummingbird-auth), and the user the request was made by, if any.
public struct WebContext: SessionRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let sessions: SessionContext<WebSession>
    /// Who made the request: from the session cookie or an `Authorization: Bearer` token.
    public var user: StoredUser?
    /// The request carried a bearer token: no cookie, so no form token to check.
    public var viaToken = false
    /// The peer's address, for sign-in throttling.
    public var peer: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        sessions = .init()
        peer = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// A path parameter as written before percent-encoding (a group `ТЭ-21` arrives as
    /// `%D0%A2%D0%AD-21`).
    public func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// Forms arrive URL-encoded, API bodies as JSON.
    public var requestDecoder: WebRequestDecoder { WebRequestDecoder() }
}

/// Decodes `application/x-www-form-urlencoded` bodies as forms, anything else as JSON.
public struct WebRequestDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        if request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
            return try await URLEncodedFormDecoder().decode(type, from: request, context: context)
        }
        return try await JSONDecoder().decode(type, from: request, context: context)
    }
}
