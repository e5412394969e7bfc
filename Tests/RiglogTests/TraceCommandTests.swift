import RiglogTesting
import Foundation
import Modbus
import Synchronization
import Testing

/// `riglog trace LAB RIG` and `collect --trace`: the built binary against riglog's own server.
@Suite("riglog trace", .serialized)
struct TraceCommandTests {
    @Test("trace polls the rig alone for --for and logs every request and reply; nothing is stored")
    func tracesOneRig() throws {
        let (server, answered) = try CollectCommandTests.serve()
        defer { server.stop() }
        let folder = try CollectCommandTests.labFolder(url: "tcp://127.0.0.1:\(server.port)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try StoreCLIHarness.riglog(["trace", folder + "/lab.yaml", "rig-1", "--for", "500ms"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        let sent = lines.filter { $0.contains(" rig-1 -> ") }, received = lines.filter { $0.contains(" rig-1 <- ") }
        #expect(sent.count >= 2 && received.count >= 2)
        // A read of input 0..1 of unit 1, transaction id aside; the reply carries 654 and -123.
        #expect(sent.allSatisfy { $0.hasSuffix(" 00 00 00 06 01 04 00 00 00 02") })
        #expect(received.allSatisfy { $0.contains(" 00 00 00 07 01 04 04 02 8E FF 85 +") && $0.hasSuffix("us") })
        #expect(answered.count >= received.count)
        #expect(result.text.contains("rig-1: \(received.count) polls answered") || result.text.contains("polls answered"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/data"))
    }

    @Test("collect --trace logs the traced rig's frames on stderr while it collects and stores as usual")
    func collectTraces() throws {
        let (server, _) = try CollectCommandTests.serve()
        defer { server.stop() }
        let folder = try CollectCommandTests.labFolder(url: "tcp://127.0.0.1:\(server.port)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try StoreCLIHarness.riglog(["collect", folder + "/lab.yaml", "--no-http", "--data", folder + "/data",
                                                 "--for", "1s", "--trace", "rig-1"])
        #expect(result.status == 0, "\(result.stderr)")
        let replies = result.stderr.split(separator: "\n").filter { $0.contains(" rig-1 <- ") }
        #expect(replies.count >= 5)
        #expect(replies.allSatisfy { $0.contains(" 00 00 00 07 01 04 04 02 8E FF 85 +") })
        #expect(FileManager.default.fileExists(atPath: folder + "/data"))
    }

    @Test("an unknown rig is a usage error naming the rigs there are, for trace and collect --trace")
    func unknownRig() throws {
        let folder = try CollectCommandTests.labFolder(url: "tcp://127.0.0.1:1502")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let trace = try StoreCLIHarness.riglog(["trace", folder + "/lab.yaml", "rig-9"])
        #expect(trace.status == 2)
        #expect(trace.stderr.contains("the lab has no rig \"rig-9\"; its rigs are rig-1"))
        let collect = try StoreCLIHarness.riglog(["collect", folder + "/lab.yaml", "--no-http", "--data", folder + "/data", "--trace", "rig-1,rig-9"])
        #expect(collect.status == 2)
        #expect(collect.stderr.contains("--trace rig-9: the lab has no rig \"rig-9\""))
        #expect(!FileManager.default.fileExists(atPath: folder + "/data"))
    }

    @Test("a rig that never answers: trace says so and exits 1")
    func silentRig() throws {
        let port = ExternalPeers.freePort()
        let folder = try CollectCommandTests.labFolder(url: "tcp://127.0.0.1:\(port)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try StoreCLIHarness.riglog(["trace", folder + "/lab.yaml", "rig-1", "--for", "300ms"])
        #expect(result.status == 1)
        #expect(result.text.contains("rig-1: 0 polls answered, failed:"))
        #expect(result.stderr.contains("rig-1 answered no poll in 300ms"))
    }
}
