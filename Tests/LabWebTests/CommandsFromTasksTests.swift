import Foundation
import Hummingbird
import HummingbirdTesting
import RiglogTesting
import Testing

/// The test support's commands, awaited from tasks, against a server of the test's own process.
///
/// A Hummingbird handler runs on the cooperative pool, which has one thread a core. A task that
/// blocked its pool thread on a `curl` to such a server held one of the threads the answer
/// needed. On two cores, two such tests at once in one process (the reload test's board and the
/// Grafana test's `/metrics`, run together under one `--filter`) waited for each other until
/// they were killed, twenty minutes later.
@Suite("Commands from tasks")
struct CommandsFromTasksTests {
    @Test("more curls at once than the pool has threads, each to a handler that awaits: every one answered")
    func moreCommandsThanPoolThreadsAreAllAnswered() async throws {
        let router = Router()
        router.get("/slow") { _, _ -> String in
            try await Task.sleep(for: .milliseconds(100))
            return "answered"
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let curl = try ExternalPeers.which("curl")
        // Two more than the pool's threads: with blocking waits, none would be left to answer.
        let count = ProcessInfo.processInfo.activeProcessorCount + 2
        let bodies = try await app.test(.live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))/slow"
            return try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<count {
                    // A bounded wait: were the pool starved, curl gives up and the test fails instead of hanging.
                    group.addTask { try await ExternalPeers.run(curl, ["-s", "-m", "15", url]).output }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
        }
        #expect(bodies == Array(repeating: "answered", count: count))
    }
}
