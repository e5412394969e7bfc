import GRDB
public import Timekeeping

/// Sign-in users and their API tokens. Passwords and tokens reach the store only as hashes: the
/// `Accounts` module hashes them, this file keeps and finds the rows. Every write method is one
/// transaction.
extension StoreDatabase {
    // MARK: Users

    /// Adds a user.
    ///
    /// - Throws: ``StoreError/userNameTaken(_:)`` when a user of that name exists.
    @discardableResult
    public func addUser(name: String, role: UserRole, passwordHash: String, at createdAt: Timestamp = .now()) throws(StoreError) -> StoredUser {
        try write { db in
            guard try StoredUser.filter(StoredUser.Columns.name == name).fetchCount(db) == 0 else {
                throw StoreError.userNameTaken(name)
            }
            var user = StoredUser(name: name, role: role, passwordHash: passwordHash, createdAt: createdAt)
            try user.insert(db)
            user.id = db.lastInsertedRowID
            return user
        }
    }

    /// The user of this sign-in name, if any.
    public func user(named name: String) throws(StoreError) -> StoredUser? {
        try read { db in try StoredUser.filter(StoredUser.Columns.name == name).fetchOne(db) }
    }

    /// The user with this row id, if any.
    public func user(id: Int64) throws(StoreError) -> StoredUser? {
        try read { db in try StoredUser.fetchOne(db, key: id) }
    }

    /// Every user, by name.
    public func users() throws(StoreError) -> [StoredUser] {
        try read { db in try StoredUser.order(StoredUser.Columns.name).fetchAll(db) }
    }

    /// How many users there are: a web face on a non-loopback address refuses to start with none.
    public func userCount() throws(StoreError) -> Int {
        try read { db in try StoredUser.fetchCount(db) }
    }

    /// Replaces the password hash of a user.
    ///
    /// - Throws: ``StoreError/unknownUser(_:known:)``.
    public func setPasswordHash(userNamed name: String, _ passwordHash: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE users SET password_hash = ? WHERE name = ?", arguments: [passwordHash, name])
            if db.changesCount == 0 { throw try Self.unknownUser(name, db) }
        }
    }

    /// Deletes a user and their API tokens (web sessions they hold end at the next request,
    /// when the web face finds no user behind them).
    ///
    /// - Throws: ``StoreError/unknownUser(_:known:)``.
    public func removeUser(named name: String) throws(StoreError) {
        try write { db in
            // The foreign key cascades too; said here so it holds with foreign keys off.
            try db.execute(sql: "DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE name = ?)", arguments: [name])
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw try Self.unknownUser(name, db) }
        }
    }

    private static func unknownUser(_ name: String, _ db: Database) throws -> StoreError {
        .unknownUser(name, known: try StoredUser.select(StoredUser.Columns.name, as: String.self).order(StoredUser.Columns.name).fetchAll(db))
    }

    // MARK: API tokens

    /// Stores the hash of a new API token of a user (the token itself is shown once and never
    /// stored).
    ///
    /// - Throws: ``StoreError/database(_:)`` when `userID` names no user.
    public func addAPIToken(userID: Int64, tokenHash: String, at createdAt: Timestamp = .now()) throws(StoreError) {
        try write { db in
            guard try StoredUser.fetchOne(db, key: userID) != nil else {
                throw StoreError.database("no user with id \(userID) for the new API token")
            }
            try db.execute(
                sql: "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)",
                arguments: [userID, tokenHash, createdAt])
        }
    }

    /// The user an API token belongs to, found by the token's hash; records that the token was
    /// used at `now`.
    public func user(tokenHash: String, now: Timestamp = .now()) throws(StoreError) -> StoredUser? {
        try write { db in
            guard let userID = try Int64.fetchOne(db, sql: "SELECT user_id FROM api_tokens WHERE token_hash = ?", arguments: [tokenHash]) else {
                return nil
            }
            try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?", arguments: [now, tokenHash])
            return try StoredUser.fetchOne(db, key: userID)
        }
    }

    /// How many API tokens a user has.
    public func apiTokenCount(userID: Int64) throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM api_tokens WHERE user_id = ?", arguments: [userID]) ?? 0 }
    }
}
