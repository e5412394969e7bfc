import ServiceLifecycle
import Foundation
public import Hummingbird
public import Store
import Timekeeping

/// Hummingbird's key/value persistence over the store's `web_sessions` table, so sign-in
/// sessions survive a restart of riglog and live where the users do.
public struct StorePersistDriver: PersistDriver {
    let store: StoreDatabase

    public init(store: StoreDatabase) { self.store = store }

    public func run() async throws {
        // Nothing to run: expired rows are skipped on read and replaced on write.
        try await gracefulShutdown()
    }

    public func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        do {
            try store.createPersistedValue(key: key, value: try Self.encode(value), expiresAt: expires.map { Timestamp.now() + $0 })
        } catch {
            throw PersistError.duplicate
        }
    }

    public func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        try store.setPersistedValue(key: key, value: try Self.encode(value), expiresAt: expires.map { Timestamp.now() + $0 })
    }

    public func get<Object: Codable & Sendable>(key: String, as: Object.Type) async throws -> Object? {
        guard let bytes = try store.persistedValue(key: key, now: .now()) else { return nil }
        return try? JSONDecoder().decode(Object.self, from: Data(bytes))
    }

    public func remove(key: String) async throws {
        try store.removePersistedValue(key: key)
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] { Array(try JSONEncoder().encode(value)) }
}
