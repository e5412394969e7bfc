public import Store
public import Logging

/// `riglog store status`: this data folder's collector and what waits in its logs, and, when the
/// central store answers, every collector's progress there.
public struct CentralStatus: Sendable {
    public var collector: String
    /// The central store this folder last forwarded to (`central:` of its lab config), if any.
    public var central: String?
    /// Log records waiting locally (not yet committed centrally), by stream.
    public var waiting: [(stream: String, records: Int)]
    /// Every collector's progress in the central store; nil when there is none or it did not answer.
    public var progress: [CentralProgress]?
    /// Why the central store could not be read.
    public var centralError: String?

    /// Reads the local store, then the central one if `address` (or the stored `central:`) names it.
    public static func read(store: StoreDatabase, address: CentralAddress?, logger: Logger = Logger(label: "riglog.status")) async throws(StoreError) -> CentralStatus {
        let collector = try store.collectorID()
        var waiting: [(String, Int)] = []
        for stream in Forwarder.standardStreams { waiting.append((stream.name, try stream.backlog(in: store, after: 0))) }
        var status = CentralStatus(collector: collector, central: try store.labSetting(.central), waiting: waiting)
        guard let address else { return status }
        status.central = address.description
        do {
            let connection = try await CentralConnection.connect(to: address, logger: logger)
            defer { Task { await connection.close() } }
            status.progress = try await connection.progress()
        } catch {
            status.centralError = (error as? CentralError)?.description ?? CentralConnection.reason(error)
        }
        return status
    }
}
