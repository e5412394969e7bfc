import Foundation
import RiglogTesting
import Testing

/// The fuzz corpus replayed through every parser by the built `riglog-fuzz` (the harness in
/// Tests/Support/Fuzz): every corpus file, then seeded mutations of them, with no trap. Bounded
/// in `make test` (a few hundred mutations a target), long under `make reliability`; the
/// coverage-guided libFuzzer runs are scripts/fuzz.sh's.
@Suite("Fuzz corpus", .serialized)
struct FuzzCorpusTests {
    /// The harness built next to the test bundle, else in `.build/debug`.
    static func harness() throws -> String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("riglog-fuzz"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("riglog-fuzz"),
            RiglogBinary.root.appendingPathComponent(".build/debug/riglog-fuzz"),
        ]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw ExternalPeers.PeerMissing(name: "riglog-fuzz (build it first: swift build --build-tests)")
        }
        return found.path
    }

    static let corpus = RiglogBinary.root.appendingPathComponent("Tests/ReliabilityTests/Fuzz/Corpus").path

    static let targets = ["profile", "lab", "expression", "chunk", "roster", "timetable", "modbus-tcp", "modbus-rtu", "form", "upload"]

    /// Mutations per target: the slow parsers (whole profiles and labs, whose rigs load real
    /// profiles) get fewer, so the bounded run stays within seconds a target on a loaded machine.
    static func mutations(_ target: String) -> Int {
        let bounded = target == "lab" ? 150 : target == "profile" ? 300 : 2000
        return Reliability.scale(bounded: bounded, long: bounded * 50)
    }

    @Test(arguments: targets)
    func everyCorpusFileAndMutationIsRefusedOrAcceptedWithoutATrap(target: String) throws {
        let folder = Self.corpus + "/" + target
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }
        #expect(files.count >= 4, "the \(target) corpus has \(files.count) files")
        let mutations = Self.mutations(target)
        let result = try ExternalPeers.capture(try Self.harness(), [target, "--mutations", "\(mutations)", "--seed", "19", folder],
                                               directory: RiglogBinary.root.path)
        let total = files.count + mutations
        let ok = result.status == 0 && result.text.contains("riglog-fuzz \(target): \(total) inputs")
        Reliability.record(scenario: "fuzz corpus replay: \(target)", inputs: "\(total) inputs (\(files.count) corpus files, \(mutations) mutations)",
                           outcome: ok ? "no trap; " + (result.text.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "")
                                       : "exit \(result.status): \(result.stderr.suffix(300))",
                           lost: "-", ok: ok)
        #expect(result.status == 0, "riglog-fuzz \(target) exited \(result.status): \(result.stderr.suffix(2000))")
        #expect(result.text.contains("riglog-fuzz \(target): \(total) inputs (\(files.count) corpus files, \(mutations) mutations, seed 19)"),
                "\(result.text)")
        // The seeds reach past the first check: some are accepted whole (a real profile, a
        // server's reply, a portal form), so mutations explore the parser, not just its header.
        let accepted = result.text.split(separator: " ").firstIndex(of: "accepted,").map { result.text.split(separator: " ")[$0 - 1] }
        #expect(accepted.flatMap { Int($0.trimmingCharacters(in: .punctuationCharacters)) }.map { $0 > 0 } == true, "\(result.text)")
    }

    /// The same seed gives the same inputs: a failure in CI replays here.
    @Test func mutationsAreDeterministicBySeed() throws {
        let folder = Self.corpus + "/expression"
        func run(_ seed: Int) throws -> String {
            try ExternalPeers.capture(try Self.harness(), ["expression", "--mutations", "300", "--seed", "\(seed)", folder]).text
        }
        let first = try run(7)
        #expect(first.contains("300 mutations, seed 7"))
        #expect(try run(7) == first)
    }

    /// Usage errors exit 2 and say what is expected.
    @Test func anUnknownTargetOrNoCorpusIsAUsageError() throws {
        let unknown = try ExternalPeers.capture(try Self.harness(), ["yaml", Self.corpus + "/profile"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("targets: profile, lab, expression, chunk, roster, timetable, modbus-tcp, modbus-rtu, form, upload"))
        let empty = try ExternalPeers.capture(try Self.harness(), ["form"])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("name at least one corpus folder"))
    }
}
