import Crypto
import Foundation
public import Store
import HummingbirdBcrypt

/// The people who sign in to the web face, and the API tokens of scripts: passwords hashed with
/// bcrypt, tokens stored only as their SHA-256, both over ``StoreDatabase``'s `users` and
/// `api_tokens` tables. `riglog users ...` and the web face's sign-in both go through here, so
/// the password rules and the hashing are one piece of code.
///
/// bcrypt is slow on purpose (about a quarter of a second at cost 12): call ``add(name:role:password:)``,
/// ``verify(name:password:)`` and ``changePassword(name:password:)`` off the cooperative pool
/// (e.g. in `NIOThreadPool.singleton.runIfActive`) in a server.
///
/// ```swift
/// let accounts = Accounts(store: try StoreDatabase.open(folder: "./riglog-data"))
/// try accounts.add(name: "a.petrova", role: .instructor, password: "correct horse battery")
/// let user = try accounts.verify(name: "a.petrova", password: "correct horse battery")  // StoredUser
/// let token = try accounts.issueToken(for: "a.petrova")  // "rlg_...": shown once
/// let same = try accounts.user(bearerToken: token)
/// ```
public struct Accounts: Sendable {
    /// Passwords shorter than this are refused.
    public static let minimumPasswordLength = 10
    /// bcrypt reads no further than this many bytes of a password.
    public static let maximumPasswordBytes = 72
    /// User names are at most this long.
    public static let maximumNameLength = 64
    /// What every API token starts with, so a leaked one is recognisable (and secret scanners can find it).
    public static let tokenPrefix = "rlg_"

    public let store: StoreDatabase
    /// bcrypt's cost (log2 of its rounds): 12 in use; tests may pass 4, the lowest bcrypt takes.
    public let cost: UInt8

    public init(store: StoreDatabase, cost: UInt8 = 12) {
        precondition((4...31).contains(cost), "bcrypt's cost is 4 to 31")
        self.store = store
        self.cost = cost
    }

    /// Adds a user with a password.
    ///
    /// - Throws: ``AccountError/invalidName(_:)``, a password rule, or
    ///   ``AccountError/store(_:)`` with ``StoreError/userNameTaken(_:)``.
    @discardableResult
    public func add(name: String, role: UserRole, password: String) throws(AccountError) -> StoredUser {
        try Self.checkName(name)
        try Self.checkPassword(password, name: name)
        let hash = Bcrypt.hash(password, cost: cost)
        do { return try store.addUser(name: name, role: role, passwordHash: hash) } catch { throw .store(error) }
    }

    /// The user when `password` is theirs, else nil (an unknown name, a wrong password, a user
    /// with no password set). An unknown name costs one bcrypt as well, so the time taken does
    /// not tell which names exist.
    public func verify(name: String, password: String) throws(AccountError) -> StoredUser? {
        guard let user = try existingUser(name), !user.passwordHash.isEmpty else {
            _ = Bcrypt.hash(password, cost: cost)  // the work a verify would have done
            return nil
        }
        return Bcrypt.verify(password, hash: user.passwordHash) ? user : nil
    }

    /// Sets a new password.
    ///
    /// - Throws: a password rule, or ``AccountError/store(_:)`` with ``StoreError/unknownUser(_:known:)``.
    public func changePassword(name: String, password: String) throws(AccountError) {
        try Self.checkPassword(password, name: name)
        _ = try knownUser(name)  // before the slow hash
        let hash = Bcrypt.hash(password, cost: cost)
        do { try store.setPasswordHash(userNamed: name, hash) } catch { throw .store(error) }
    }

    /// Removes a user and their API tokens.
    ///
    /// - Throws: ``AccountError/store(_:)`` with ``StoreError/unknownUser(_:known:)``.
    public func remove(name: String) throws(AccountError) {
        do { try store.removeUser(named: name) } catch { throw .store(error) }
    }

    /// Every user, by name.
    public func list() throws(AccountError) -> [StoredUser] {
        do { return try store.users() } catch { throw .store(error) }
    }

    /// A new API token for the user: `rlg_` and 32 random bytes in base64url. Only its SHA-256
    /// is stored, so this is the one time anyone sees it.
    ///
    /// - Throws: ``AccountError/store(_:)`` with ``StoreError/unknownUser(_:known:)``.
    public func issueToken(for name: String) throws(AccountError) -> String {
        let user = try knownUser(name)
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let token = Self.tokenPrefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        do { try store.addAPIToken(userID: user.id, tokenHash: Self.tokenHash(token)) } catch { throw .store(error) }
        return token
    }

    /// The user whose API token this is (the value after `Authorization: Bearer `), else nil.
    public func user(bearerToken token: String) throws(AccountError) -> StoredUser? {
        guard token.hasPrefix(Self.tokenPrefix) else { return nil }
        do { return try store.user(tokenHash: Self.tokenHash(token)) } catch { throw .store(error) }
    }

    /// The SHA-256 of a token, in lowercase hex: what `api_tokens.token_hash` holds.
    public static func tokenHash(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    // MARK: Rules

    /// User names: 1 to 64 letters, digits, `.`, `-` or `_`.
    public static func checkName(_ name: String) throws(AccountError) {
        let allowed = name.allSatisfy { $0.isLetter || ("0"..."9").contains($0) || $0 == "." || $0 == "-" || $0 == "_" }
        guard !name.isEmpty, name.count <= maximumNameLength, allowed else { throw .invalidName(name) }
    }

    /// Passwords: at least 10 characters, at most 72 bytes, not the user's name.
    public static func checkPassword(_ password: String, name: String) throws(AccountError) {
        guard password.count >= minimumPasswordLength else { throw .passwordTooShort(minimum: minimumPasswordLength) }
        guard password.utf8.count <= maximumPasswordBytes else { throw .passwordTooLong(maximumBytes: maximumPasswordBytes) }
        guard password.lowercased() != name.lowercased() else { throw .passwordIsName }
    }

    // MARK: Helpers

    private func existingUser(_ name: String) throws(AccountError) -> StoredUser? {
        do { return try store.user(named: name) } catch { throw .store(error) }
    }

    /// The user, or ``StoreError/unknownUser(_:known:)`` naming those there are.
    private func knownUser(_ name: String) throws(AccountError) -> StoredUser {
        if let user = try existingUser(name) { return user }
        throw .store(.unknownUser(name, known: try list().map(\.name)))
    }
}
