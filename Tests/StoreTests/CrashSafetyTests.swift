import Foundation
import Ingest
import Store
import RiglogTesting
import Testing

/// Kills a process writing at full speed with SIGKILL at random moments and checks what is left.
@Suite struct CrashSafetyTests {
    /// `riglog-store-writer`, built next to the test bundle.
    static func writerExecutable() -> String? {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundle.appendingPathComponent("riglog-store-writer").path,
            FileManager.default.currentDirectoryPath + "/.build/debug/riglog-store-writer",
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func wallClockNanoseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1e9).rounded())
    }

    @Test func killedWriterLeavesAnIntactDatabaseMissingAtMostTheLastSecond() throws {
        guard let executable = Self.writerExecutable() else {
            Issue.record("riglog-store-writer is not built next to the tests; run `swift build` first")
            return
        }
        var rng = SeededGenerator(seed: UInt64(Self.wallClockNanoseconds()))
        for round in 0..<5 {
            let folder = try TemporaryFolder()
            let path = folder.path + "/crash.sqlite"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()

            // Wait for a random number of commits, then a random extra moment, then kill.
            let commitsBeforeKill = Int.random(in: 2...12, using: &rng)
            var committed: Int64 = 0
            var lines = 0
            var pending = ""
            let reader = output.fileHandleForReading
            while lines < commitsBeforeKill {
                let data = reader.availableData
                guard !data.isEmpty else { break }  // the writer died on its own
                pending += String(decoding: data, as: UTF8.self)
                while let newline = pending.firstIndex(of: "\n") {
                    let line = pending[..<newline].split(separator: " ")
                    pending = String(pending[pending.index(after: newline)...])
                    if line.count == 3, line[0] == "committed", let t = Int64(line[1]) {
                        committed = t
                        lines += 1
                    }
                }
            }
            #expect(lines == commitsBeforeKill, "round \(round): the writer stopped early")
            // Not synchronisation: this picks the random moment of the kill.
            usleep(UInt32.random(in: 0..<400_000, using: &rng))
            let killedAt = Self.wallClockNanoseconds()
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)

            let store = try StoreDatabase.open(path: path)
            #expect(try store.integrityCheck() == ["ok"], "round \(round)")
            let rig = try store.rig("crash-rig")
            var expected: Int64 = 0
            var holes = 0
            var newest = Int64.min
            try store.forEachSample(of: [rig.channels[0]]) { sample in
                if sample.raw != expected { holes += 1 }
                expected = sample.raw + 1
                newest = max(newest, sample.time)
            }
            #expect(holes == 0, "round \(round): stored frames are not contiguous")
            #expect(newest >= committed / 1000 * 1000, "round \(round): a reported commit was lost")
            #expect(newest >= killedAt - 1_000_000_000, "round \(round): more than the last second was lost")
        }
    }
}
