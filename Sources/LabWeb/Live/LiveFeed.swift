import Practice
import Foundation
import Hummingbird
import Logging
public import ServiceLifecycle
import Threads

/// The lab board to every open browser as server-sent events (`GET /api/v1/live`).
///
/// Each connection starts with the whole board (`event: board`, the body of `GET /api/v1/rigs`);
/// then one task builds what changes (`event: values`: up, student, alarms, attempts and the
/// values as bare numbers in the board's channel order) at most every ``interval`` (only when a
/// sample arrived, or once a second for sessions and up/down) and hands the same bytes to every
/// subscriber, so twenty wall screens cost one encoding. A subscriber that lags gets only the
/// newest message (each stream buffers one): a slow browser never holds up the others or the
/// collector, and what waits for it is a tick of numbers, not the board. Browsers reconnect by
/// themselves (`retry:`), so the board survives a collector restart.
public final class LiveFeed: Service, Sendable {
    let reader: BoardReader
    /// How often the board is sent at most; a value reaches a browser within about this much
    /// of its poll.
    public let interval: Duration
    private let state = Mutex<(next: UInt64, subscribers: [UInt64: AsyncStream<ByteBuffer>.Continuation], stopped: Bool)>(
        (0, [:], false))
    /// The last board message and what it was built from, shared by the connections that open
    /// within one ``interval`` of it.
    private let board = Mutex<(built: ContinuousClock.Instant, message: ByteBuffer)?>(nil)

    init(reader: BoardReader, interval: Duration = .milliseconds(100)) {
        self.reader = reader
        self.interval = interval
    }

    /// Browsers listening now.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    public func run() async throws {
        var lastVersion: UInt64?
        var lastSent = ContinuousClock.now
        var generation = reader.generation
        var capacity = 1024
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let version = reader.live?.board.version ?? 0
            // Nobody listening: nothing to build (the collector's CPU is the lab's, not the web's).
            let listening = state.withLock { !$0.subscribers.isEmpty }
            let now = reader.generation
            if now != generation {
                // A reload changed the rigs: every browser gets the whole board again (a values
                // message only updates the rigs it already shows).
                generation = now
                board.withLock { $0 = nil }
                lastVersion = version
                lastSent = .now
                if listening, let message = try? boardMessage() { publish(message) }
            } else if !listening {
                lastVersion = nil
            } else if version != lastVersion || ContinuousClock.now - lastSent >= .seconds(1) {
                lastVersion = version
                lastSent = .now
                if let changes = try? reader.changes() {
                    publish(Self.values(LiveChanges(rigs: changes, central: reader.central(), store: reader.storeHealth()), capacity: &capacity))
                }
            }
            // A paced loop, not a wait for a condition: the board has no event to await.
            try? await Task.sleep(for: interval)
        }
        let subscribers = state.withLock { state in
            state.stopped = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    /// One server-sent event: its name and its data, a line of JSON.
    static func event(_ name: String, _ data: some Encodable, _ encoder: JSONEncoder) throws -> ByteBuffer {
        var message = ByteBuffer(string: "event: \(name)\ndata: ")
        message.writeBytes(try encoder.encode(data))
        message.writeString("\n\n")
        return message
    }

    /// A `values` event, written by ``LiveChanges/write(into:)`` into a buffer as large as the
    /// last one was (`capacity`), so a tick grows none.
    static func values(_ changes: LiveChanges, capacity: inout Int) -> ByteBuffer {
        var message = ByteBufferAllocator().buffer(capacity: capacity)
        message.writeStaticString("event: values\ndata: ")
        changes.write(into: &message)
        message.writeStaticString("\n\n")
        capacity = max(capacity, message.readableBytes)
        return message
    }

    private func publish(_ message: ByteBuffer) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(message) }
    }

    /// A stream of the `values` messages built from now on.
    func subscribe() -> (id: UInt64, messages: AsyncStream<ByteBuffer>) {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id: UInt64? = state.withLock { state in
            guard !state.stopped else { return nil }
            state.next += 1
            state.subscribers[state.next] = continuation
            return state.next
        }
        guard let id else {
            continuation.finish()
            return (0, stream)
        }
        return (id, stream)
    }

    func unsubscribe(_ id: UInt64) {
        let continuation = state.withLock { $0.subscribers.removeValue(forKey: id) }
        continuation?.finish()
    }

    /// The board message for a connection opening now: the one already built when it is
    /// younger than ``interval`` (as fresh as a `values` tick, which follows it anyway), else a
    /// new one.
    ///
    /// Built under the lock, so browsers that open together (the wall screens of a lab that
    /// just started, or reconnecting after a restart) wait for one encoding of the 124 KB board
    /// instead of each building their own at once, which cost the collector 4 MB at 20 browsers.
    /// Connections share the same bytes as they share the `values` messages.
    func boardMessage() throws -> ByteBuffer {
        try board.withLock { cached in
            if let cached, ContinuousClock.now - cached.built < interval {
                return cached.message
            }
            let message = try Self.event("board", reader.rigs(), APIJSON.encoder())
            cached = (.now, message)
            return message
        }
    }

    /// The response of `GET /api/v1/live`: the board, then its changes.
    func response() throws -> Response {
        // Subscribed before the board is read, so no change between the two is missed.
        let (id, messages) = subscribe()
        let board: ByteBuffer
        do {
            board = try boardMessage()
        } catch {
            unsubscribe(id)
            throw error
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody { [self] writer in
                defer { unsubscribe(id) }
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                try await writer.write(board)
                for await message in messages {
                    try await writer.write(message)
                }
                try await writer.finish(nil)
            })
    }
}

/// The data of an `event: values` message.
struct LiveChanges: Encodable, Sendable {
    /// Every rig, in the order of the board message.
    var rigs: [LiveRig]
    /// Forwarding to the central store; null when the lab does not forward.
    var central: BoardCentral?
    /// Whether the store takes the collector's writes; null when nothing is collecting.
    var store: BoardStore?

    enum CodingKeys: String, CodingKey { case rigs, central, store }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rigs, forKey: .rigs)
        try container.encode(central, forKey: .central)
        try container.encode(store, forKey: .store)
    }
}
