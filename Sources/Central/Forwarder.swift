public import Logging
public import ServiceLifecycle
public import Store
import Threads
public import Timekeeping

/// Store-and-forward: copies everything the collector writes to its SQLite store into the
/// central PostgreSQL, in the background, as a `Service` beside the collector.
///
/// Polling never waits for it: the collector writes SQLite as always (the store is the outbox),
/// and this service reads the change logs (migration v8) on the cooperative pool while the
/// pollers and the drainer run on their own threads. Each batch is loaded with its progress
/// move in one PostgreSQL transaction, and the progress in PostgreSQL is the truth a restart
/// resumes from: after an outage, a crash or a kill -9 nothing is lost or loaded twice (rows
/// carry the collector id and their SQLite key; a replayed batch upserts the same rows).
///
/// While the central store is unreachable it retries with backoff (1 s doubling to 30 s) and
/// the logs grow; once it answers it forwards batch after batch until nothing waits, far faster
/// than real time. On graceful shutdown (placed before the collector in the group, it stops
/// after it) it forwards what the collector wrote last, for at most ``Configuration/finalDrain``.
///
/// ```swift
/// let forwarder = Forwarder(store: store, address: try CentralAddress(url: lab.central!), lab: lab.name)
/// try await ServiceGroup.run([forwarder, sessions, collector], ...)
/// forwarder.status.streams["chunks"]?.backlog   // log records waiting
/// ```
public final class Forwarder: Service, Sendable {
    public struct Configuration: Sendable {
        /// How long to wait when nothing is waiting before looking again.
        public var idle: Duration = .milliseconds(500)
        /// The first retry delay after a failure; doubles up to ``maxRetry``.
        public var retry: Duration = .seconds(1)
        public var maxRetry: Duration = .seconds(30)
        /// How long a graceful shutdown may spend forwarding what is left.
        public var finalDrain: Duration = .seconds(10)
        /// How long one batch may wait for the server before the connection is given up.
        public var answerTimeout: Duration = .seconds(120)
        public init() {}
    }

    /// The streams every collector forwards.
    public static var standardStreams: [any ForwardStream] { [ChangeStream(), ChunkStream(), RollupStream()] }

    let store: StoreDatabase
    let address: CentralAddress
    let lab: String
    let streams: [any ForwardStream]
    let configuration: Configuration
    let logger: Logger
    let collector: String
    private let state: Mutex<ForwardingStatus>

    public init(store: StoreDatabase, address: CentralAddress, lab: String, streams: [any ForwardStream] = Forwarder.standardStreams,
                configuration: Configuration = Configuration(), logger: Logger = Logger(label: "riglog.forward")) throws(StoreError) {
        self.store = store
        self.address = address
        self.lab = lab
        self.streams = streams
        self.configuration = configuration
        self.logger = logger
        collector = try store.collectorID()
        state = Mutex(ForwardingStatus(collector: collector, central: address.description, streams: [:]))
        // Only when it changes: the setting is itself forwarded, as a change.
        if try store.labSetting(.central) != address.description { try store.setLabSetting(.central, address.description) }
    }

    /// What has been forwarded and what waits: `/metrics` and the status line read it.
    public var status: ForwardingStatus { state.withLock { $0 } }

    public func run() async throws {
        var connection: CentralConnection?
        var retry = configuration.retry
        var drainDeadline: ContinuousClock.Instant?
        defer { if let connection { Task { await connection.close() } } }
        while !Task.isCancelled {
            let stopping = Task.isShuttingDownGracefully
            if stopping, drainDeadline == nil { drainDeadline = .now + configuration.finalDrain }
            if let drainDeadline, ContinuousClock.now > drainDeadline { return }
            do {
                if connection == nil { connection = try await open() }
                let moved = try await forwardRound(connection!)
                retry = configuration.retry
                if !moved {
                    if stopping { return }
                    await pause(configuration.idle)
                }
            } catch {
                let message = (error as? CentralError)?.description ?? CentralConnection.reason(error)
                logger.warning("forwarding failed; retrying", metadata: ["central": "\(address)", "error": "\(message)"])
                state.withLock { $0.connected = false; $0.lastError = message }
                refreshBacklog()
                if let open = connection { await open.close() }
                connection = nil
                if stopping { return }
                await pause(retry)
                retry = min(retry * 2, configuration.maxRetry)
            }
        }
    }

    /// Connects, migrates, registers this collector and reads where its streams stand.
    private func open() async throws -> CentralConnection {
        let connection = try await CentralConnection.connect(to: address, logger: logger)
        do {
            try await connection.migrate()
            try await connection.register(collector: collector, lab: lab, streams: streams.map(\.name))
            let now = MonthPartition(containing: Timestamp.now().microsecondsSince1970)
            for table in ForwardedTable.all where table.partitionTime != nil {
                try await connection.ensurePartitions(of: table, months: [now, now.next])
            }
            var positions: [String: Int64] = [:]
            for stream in streams {
                let position = try await connection.position(collector: collector, stream: stream.name)
                positions[stream.name] = position
                try stream.discard(in: store, through: position)
            }
            state.withLock { status in
                status.connected = true
                status.lastError = nil
                for (name, position) in positions { status.streams[name, default: StreamProgress()].position = position }
            }
            logger.info("forwarding", metadata: ["central": "\(address)", "collector": "\(collector)"])
            return connection
        } catch {
            await connection.close()
            throw error
        }
    }

    /// What waits while the central store does not answer: the logs grow (the collector keeps
    /// writing), and the board and `/metrics` show it. Local reads only; log records committed
    /// centrally are deleted, so counting from the start counts what waits.
    private func refreshBacklog() {
        for stream in streams {
            guard let backlog = try? stream.backlog(in: store, after: 0) else { continue }
            state.withLock { $0.streams[stream.name, default: StreamProgress()].backlog = backlog }
        }
    }

    /// One batch of each stream; true when any moved. A round that finds nothing waiting in any
    /// stream makes its start ``ForwardingStatus/forwardedUntil``: every log record written
    /// before it was read, so every row written before it is in the central store.
    private func forwardRound(_ connection: CentralConnection) async throws -> Bool {
        let started = Timestamp.now()
        var moved = false
        for stream in streams {
            if connection.isClosed { throw CentralError.unreachable(address.description, reason: "the server closed the connection") }
            let position = state.withLock { $0.streams[stream.name]?.position ?? 0 }
            guard let batch = try stream.batch(from: store, after: position) else {
                let backlog = try stream.backlog(in: store, after: position)
                state.withLock { $0.streams[stream.name, default: StreamProgress()].backlog = backlog }
                continue
            }
            let collector = self.collector, name = stream.name
            try await withAnswerDeadline(configuration.answerTimeout,
                                         timedOut: .unreachable(address.description, reason: "no answer within \(configuration.answerTimeout)")) {
                try await connection.load(batch, collector: collector, stream: name, from: position)
            }
            try stream.discard(in: store, through: batch.position)
            let backlog = try stream.backlog(in: store, after: batch.position)
            state.withLock { status in
                var progress = status.streams[stream.name, default: StreamProgress()]
                progress.position = batch.position
                progress.rows += batch.rows
                progress.samples += batch.samples
                progress.batches += 1
                progress.backlog = backlog
                status.streams[stream.name] = progress
            }
            moved = true
        }
        if !moved { state.withLock { $0.forwardedUntil = started } }
        return moved
    }

    /// Sleeps, woken early by a graceful shutdown (the loop then drains and stops).
    private func pause(_ duration: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }

    /// Forwards until nothing waits (tests, benchmarks, `store forward`): returns the batches
    /// loaded. Throws the first failure instead of retrying.
    public func forwardAll() async throws -> Int {
        let connection = try await open()
        defer { Task { await connection.close() } }
        var batches = 0
        while try await forwardRound(connection) { batches += 1 }
        return batches
    }
}

/// Where forwarding stands: `/metrics`, `store status` and the status line show it.
public struct ForwardingStatus: Sendable, Equatable {
    public var collector: String
    /// The central store's URL (no password).
    public var central: String
    /// True while the last attempt to reach the central store succeeded.
    public var connected = false
    /// The last failure, until a connection succeeds again.
    public var lastError: String?
    public var streams: [String: StreamProgress]
    /// Everything the collector wrote before this instant is in the central store: the start of
    /// the last round that found nothing waiting. Nil until this process first caught up; it
    /// stands still through an outage and moves again once the backlog is forwarded.
    public var forwardedUntil: Timestamp?

    /// Log records waiting to be forwarded, all streams together.
    public var waiting: Int { streams.values.reduce(0) { $0 + $1.backlog } }

    /// Prometheus text exposition lines (the collector's `/metrics` appends them).
    public func prometheus() -> String {
        var out = "# HELP riglog_central_connected 1 while the central store answers.\n# TYPE riglog_central_connected gauge\n"
        out += "riglog_central_connected \(connected ? 1 : 0)\n"
        let names = streams.keys.sorted()
        func family(_ name: String, _ type: String, _ help: String, _ value: (StreamProgress) -> Int64) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for stream in names { out += "\(name){stream=\"\(stream)\"} \(value(streams[stream]!))\n" }
        }
        family("riglog_central_backlog_records", "gauge", "Change-log records waiting to be forwarded, by stream.") { Int64($0.backlog) }
        family("riglog_central_position", "gauge", "The last change-log sequence number the central store committed, by stream.") { $0.position }
        family("riglog_central_forwarded_rows_total", "counter", "Rows loaded into the central store by this process, by stream.") { Int64($0.rows) }
        family("riglog_central_forwarded_samples_total", "counter", "Samples in the chunks loaded by this process, by stream.") { Int64($0.samples) }
        return out
    }
}

/// One stream's progress in this process.
public struct StreamProgress: Sendable, Equatable {
    public var position: Int64 = 0
    public var backlog = 0
    public var rows = 0
    public var samples = 0
    public var batches = 0
}
