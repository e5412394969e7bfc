import HummingbirdAuth
import Hummingbird
import Store

/// Who may do what in the lab web.
public enum Access: Sendable, Hashable {
    /// Any signed-in user (every role is staff): the board, rig pages, the desk.
    case signedIn
    /// Instructors and admins: student data, reports, exports, acknowledgements.
    case instructor
    /// Admins: the audit log.
    case admin

    func allows(_ role: UserRole) -> Bool {
        switch self {
        case .signedIn: true
        case .instructor: role == .instructor || role == .admin
        case .admin: role == .admin
        }
    }

    var needed: String {
        switch self {
        case .signedIn: "a signed-in user"
        case .instructor: "an instructor or admin"
        case .admin: "an admin"
        }
    }
}

extension WebContext {
    /// The signed-in user if their role allows `access`; else the refusal (401 or a redirect to
    /// `/signin` without a user, 403 with one).
    func require(_ access: Access, api: Bool, path: String) throws(WebError) -> StoredUser {
        guard let user else { throw .signInRequired(api: api, path: path) }
        guard access.allows(user.role) else { throw .forbidden(api: api, needed: access.needed) }
        return user
    }

    /// Refuses a change whose form token is not this session's. Bearer requests carry no cookie,
    /// so a forged cross-site request cannot use them: they need no token.
    func checkFormToken(_ token: String?, api: Bool) throws(WebError) {
        if viaToken { return }
        guard let expected = sessions.session?.csrf, let token, !token.isEmpty,
              constantTimeEqual(Array(token.utf8), Array(expected.utf8)) else { throw .csrf(api: api) }
    }
}

/// Equal bytes, compared without an early exit (a token guessed byte by byte shows no timing).
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
}

/// A random token for forms and sign-in links: 32 bytes from the system's CSPRNG, hex.
func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<32).map { _ in String(format2: UInt8.random(in: .min ... .max, using: &generator)) }.joined()
}

extension String {
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
