public import Foundation
public import Logging
public import ServiceLifecycle
public import Store
import Timekeeping

/// `riglog serve --db`: a data folder kept as a mirror of the central store, so the web reads
/// what every lab PC forwarded. The folder's users, API tokens and web sessions are its own;
/// its forwarded tables are replaced with a fresh ``CentralSnapshot`` at start and then every
/// ``refresh`` (one transaction: a page never sees half a refresh). Chunks are copied for the
/// last ``history`` only (charts and traces of older sessions are empty; rows of every age are
/// there). A refresh that fails is logged and retried at the next one; the mirror keeps its
/// previous rows meanwhile.
public struct CentralMirror: Service {
    public var store: StoreDatabase
    public var folder: String
    public var snapshot: CentralSnapshot
    public var refresh: Duration
    public var history: Duration
    let logger: Logger

    public init(store: StoreDatabase, folder: String, snapshot: CentralSnapshot, refresh: Duration = .seconds(300),
                history: Duration = .seconds(7 * 86_400), logger: Logger = Logger(label: "riglog.mirror")) {
        self.store = store
        self.folder = folder
        self.snapshot = snapshot
        self.refresh = refresh
        self.history = history
        self.logger = logger
    }

    /// Refuses a folder with a lab PC's own data (rigs, and no mark of a mirror), marks the
    /// folder as this central store's mirror and fills it once.
    public func prepare() async throws(CentralError) {
        let mark: String?
        let rigs: [String]
        do {
            mark = try store.labSetting(.centralMirror)
            rigs = try store.rigIDs()
        } catch {
            throw .store(error.description)
        }
        if mark == nil, !rigs.isEmpty { throw .notAMirror(folder: folder) }
        if mark != snapshot.address.description {
            do { try store.setLabSetting(.centralMirror, snapshot.address.description) } catch { throw .store(error.description) }
        }
        try await refreshNow()
    }

    /// Replaces the mirror's rows with a fresh snapshot.
    public func refreshNow() async throws(CentralError) {
        let scratch = NSTemporaryDirectory() + "riglog-mirror-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        } catch {
            throw .store("cannot create \(scratch): \(error.localizedDescription)")
        }
        var fresh = snapshot
        let seconds = history.components.seconds
        fresh.samples = .range(from: Timestamp.now().microsecondsSince1970 - seconds * 1_000_000, to: nil)
        let path = scratch + "/" + StoreDatabase.fileName
        _ = try await fresh.make(path: path)
        do {
            try store.replaceRows(of: CentralSnapshot.copyOrder, from: path, keepSettings: [.centralMirror])
        } catch {
            throw .store(error.description)
        }
        logger.info("mirror refreshed from the central store", metadata: ["central": "\(snapshot.address)"])
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: refresh) }
            } catch {
                return
            }
            do {
                try await refreshNow()
            } catch {
                logger.warning("mirror refresh failed; kept the previous rows", metadata: ["error": "\(error.description)"])
            }
        }
    }
}
