import Collector
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import LabWeb
import Modbus
import Practice
import RigProfiles
import RiglogTesting
import ServiceLifecycle
import Store
import Testing

/// `GET /api/v1/live` over a real socket, from a collector polling a real server: the board
/// first, then only what changes, in the shapes `openapi.yaml` gives, and a value changed on the
/// server reaches the stream through the numbers-only messages.
@Suite struct LiveFeedTests {
    /// A lab of one rig (`two`: level and flow) polled from a real server, its board, and the
    /// web serving the live feed on a free port.
    struct LiveRig {
        let folder = NSTemporaryDirectory() + "riglog-live-" + UUID().uuidString
        let map = RegisterMap(size: 4)
        let server: ModbusServer
        let lab: LabConfig
        let store: StoreDatabase
        let board: LiveBoard
        let collector: Collector
        let web: LabWeb

        init() throws {
            try FileManager.default.createDirectory(atPath: folder + "/Devices", withIntermediateDirectories: true)
            map.set(.input, at: 0, to: [42, 7])
            server = ModbusServer(endpoint: .tcp(host: "127.0.0.1", port: 0), map: map)
            try server.start()
            try """
                profile: two
                title: {en: Two}
                poll: 20ms
                channels:
                  - {name: level, source: input 0, type: u16, unit: bar}
                  - {name: flow, source: input 1, type: u16, unit: l/min}

                """.write(toFile: folder + "/Devices/two.yaml", atomically: true, encoding: .utf8)
            lab = try Self.lab(in: folder, rigs: ["rig-a"], port: server.port)
            store = try StoreDatabase.open(folder: folder + "/data")
            board = LiveBoard(lab: lab)
            collector = try Collector(lab: lab, store: store, sinks: [board])
            try board.begin(store: store)
            collector.start()
            var settings = WebSettings()
            settings.publicBoard = true
            web = try LabWeb(store: store, live: LiveLab(collector: collector, board: board), settings: settings)
        }

        /// A lab of `rigs`, all of profile `two` on the server, unit 1, 2 ...
        static func lab(in folder: String, rigs: [String], port: Int) throws -> LabConfig {
            var text = "lab: Live test\ntimezone: UTC\nrigs:\n"
            for (index, rig) in rigs.enumerated() {
                text += "  - {id: \(rig), profile: two, connection: \"tcp://127.0.0.1:\(port)\", unit: \(index + 1)}\n"
            }
            try text.write(toFile: folder + "/lab.yaml", atomically: true, encoding: .utf8)
            return try LabLoader.load(path: folder + "/lab.yaml", devicesFolder: folder + "/Devices")
        }

        func app() throws -> some ApplicationProtocol {
            Application(router: try web.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), services: [web.feed])
        }

        func stop() {
            collector.stop()
            server.stop()
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    @Test func theBoardFirstThenItsValuesAsNumbers() async throws {
        let live = try LiveRig()
        defer { live.stop() }
        let map = live.map
        let app = try live.app()
        let schemas = try #require((try OpenAPITests.document()["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let events = try await app.test(.live) { client in
            let port = try #require(client.port)
            return try await onOwnThread { try EventStreamReader(port: port).read(until: { events in
                // The board, and a values message after the server's register changed.
                if events.count == 2 { map.set(.input, at: 0, to: [43]) }
                return events.contains { $0.name == "values" && $0.data.contains("[43,7]") }
            }) }
        }
        do {

            let first = try #require(events.first)
            #expect(first.name == "board")
            let rigs = try JSONDecoder().decode(OpenAPITests.JSON.self, from: Data(first.data.utf8))
            var problems: [String] = []
            OpenAPITests.validate(rigs, ["type": "array", "items": ["$ref": "#/components/schemas/BoardRig"]], schemas: schemas, at: "board", problems: &problems)
            #expect(problems.isEmpty, "\(problems)")
            // The channels' names and units travel once, in the board.
            #expect(first.data.contains(#""channel":"level""#) && first.data.contains(#""unit":"l\/min""#))
            let values = events.dropFirst()
            #expect(!values.isEmpty && values.allSatisfy { $0.name == "values" })
            for event in values {
                let changes = try JSONDecoder().decode(OpenAPITests.JSON.self, from: Data(event.data.utf8))
                OpenAPITests.validate(changes, ["$ref": "#/components/schemas/LiveChanges"], schemas: schemas, at: "values", problems: &problems)
                #expect(!event.data.contains("level") && !event.data.contains("bar"), "a values message repeats the board: \(event.data)")
                #expect(event.data.hasPrefix(#"{"central":null,"#), "a lab without central: has no forwarding to show: \(event.data)")
            }
            #expect(problems.isEmpty, "\(problems)")
            // In the board's channel order: level, then flow.
            #expect(values.contains { $0.data.contains(#""values":[42,7]"#) })
        }
    }

    /// A reload that adds a rig (riglog reload, as LabReloader applies it): every open browser
    /// gets the whole board again, with the new rig, and `GET /api/v1/rigs` lists it.
    @Test func aReloadSendsTheBoardAgainWithTheNewRigs() async throws {
        let live = try LiveRig()
        defer { live.stop() }
        let next = try LiveRig.lab(in: live.folder, rigs: ["rig-a", "rig-b"], port: live.server.port)
        let (collector, board, store) = (live.collector, live.board, live.store)
        let events = try await try live.app().test(.live) { client in
            let port = try #require(client.port)
            return try await onOwnThread {
                var failed: (any Error)?
                let events = try EventStreamReader(port: port).read(until: { events in
                    if events.count == 2 {
                        do {
                            let prepared = try collector.prepareReload(to: next)
                            try board.reload(lab: next, store: store, unchanged: ["rig-a"])
                            collector.applyReload(prepared)
                        } catch {
                            failed = error
                            return true
                        }
                    }
                    return events.count > 2 && events.last?.name == "board"
                })
                if let failed { throw failed }
                return events
            }
        }
        #expect(events.first?.name == "board" && events.first?.data.contains(#""id":"rig-b""#) == false)
        let again = try #require(events.last)
        #expect(again.data.contains(#""id":"rig-a""#) && again.data.contains(#""id":"rig-b""#), "the board after the reload: \(again.data)")
        #expect(try live.web.reader.rigs().map(\.id) == ["rig-a", "rig-b"])
        #expect(live.board.generation == 1)
    }
}

/// Browsers that open the feed together (a lab's wall screens at start, or all of them
/// reconnecting after a restart) share one encoding of the board, as they share the values.
@Suite struct LiveFeedBoardMessageTests {
    @Test func connectionsWithinATickShareOneBoardMessage() throws {
        let folder = NSTemporaryDirectory() + "riglog-live-board-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try StoreDatabase.open(folder: folder)
        let reader = BoardReader(store: store, live: nil)
        let address = { (message: ByteBuffer) in message.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } }

        let held = LiveFeed(reader: reader, interval: .seconds(3600))
        let first = try held.boardMessage(), second = try held.boardMessage()
        #expect(String(buffer: first) == "event: board\ndata: []\n\n")
        #expect(address(first) == address(second), "a second connection within the tick encoded the board again")

        // Older than the tick: built again, from the board as it is now.
        let ticking = LiveFeed(reader: reader, interval: .zero)
        let early = try ticking.boardMessage(), late = try ticking.boardMessage()
        #expect(String(buffer: early) == String(buffer: late))
        #expect(address(early) != address(late))
    }
}

/// A browser's side of server-sent events: curl reading the stream as it comes, split into events.
struct EventStreamReader {
    struct Event: Sendable {
        var name: String
        var data: String
    }
    enum Failure: Error { case closed(String), tooLong(String) }

    let url: String

    init(port: Int) {
        url = "http://127.0.0.1:\(port)/api/v1/live"
    }

    /// Reads events until `done` says so (at most 200, for at most two minutes), then hangs up.
    func read(until done: ([Event]) -> Bool) throws -> [Event] {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-sN", "--max-time", "120", url]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        defer {
            // A browser closing its tab: the server sees the connection go.
            kill(curl.processIdentifier, SIGKILL)
            curl.waitUntilExit()
        }
        var text = ""
        var events: [Event] = []
        while true {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw Failure.closed(String(text.suffix(500))) }
            text += String(decoding: chunk, as: UTF8.self)
            while let end = text.range(of: "\n\n") {
                let block = text[..<end.lowerBound]
                text.removeSubrange(..<end.upperBound)
                var name = "", data = ""
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
                }
                guard !name.isEmpty else { continue }
                events.append(Event(name: name, data: data))
                if done(events) { return events }
                if events.count >= 200 { throw Failure.tooLong(events.map(\.data).suffix(3).joined(separator: "\n")) }
            }
        }
    }
}
