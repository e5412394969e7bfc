import Foundation
import GRDB
public import Timekeeping

/// A small expiring key/value table (`web_sessions`): what the web face stores its sign-in
/// sessions in, as Hummingbird's `PersistDriver` over the store, so sessions survive a restart
/// of `riglog serve` and are shared by every process on the data folder.
///
/// A row whose `expires_at` is at or before `now` counts as absent; expired rows are deleted
/// lazily, when they are read or replaced, and by ``removeExpiredPersistedValues(now:)``.
extension StoreDatabase {
    /// The value stored under `key`, or nil when there is none or it has expired.
    public func persistedValue(key: String, now: Timestamp = .now()) throws(StoreError) -> [UInt8]? {
        let row: (value: [UInt8], expiresAt: Timestamp?)? = try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT value, expires_at FROM web_sessions WHERE key = ?", arguments: [key]) else {
                return nil
            }
            let data: Data = row["value"]
            return ([UInt8](data), row["expires_at"])
        }
        guard let row else { return nil }
        if let expiresAt = row.expiresAt, expiresAt <= now {
            try write { db in
                try db.execute(sql: "DELETE FROM web_sessions WHERE key = ? AND expires_at <= ?", arguments: [key, now])
            }
            return nil
        }
        return row.value
    }

    /// Stores `value` under `key`, replacing what was there; `expiresAt` nil keeps it until it
    /// is removed.
    public func setPersistedValue(key: String, value: [UInt8], expiresAt: Timestamp?) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO web_sessions (key, value, expires_at) VALUES (?, ?, ?)",
                arguments: [key, Data(value), expiresAt])
        }
    }

    /// Stores `value` under a new `key`.
    ///
    /// - Throws: ``StoreError/persistedKeyExists(_:)`` when `key` holds a value that has not
    ///   expired at `now` (an expired one is replaced).
    public func createPersistedValue(key: String, value: [UInt8], expiresAt: Timestamp?, now: Timestamp = .now()) throws(StoreError) {
        try write { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE key = ? AND expires_at <= ?", arguments: [key, now])
            try db.execute(
                sql: "INSERT OR IGNORE INTO web_sessions (key, value, expires_at) VALUES (?, ?, ?)",
                arguments: [key, Data(value), expiresAt])
            if db.changesCount == 0 { throw StoreError.persistedKeyExists(key) }
        }
    }

    /// Removes the value under `key`, if any.
    public func removePersistedValue(key: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE key = ?", arguments: [key])
        }
    }

    /// Deletes every value expired at `now`; returns how many.
    @discardableResult
    public func removeExpiredPersistedValues(now: Timestamp = .now()) throws(StoreError) -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM web_sessions WHERE expires_at <= ?", arguments: [now])
            return db.changesCount
        }
    }
}
