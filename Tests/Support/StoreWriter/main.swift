// riglog-store-writer: a child process for the store's crash-safety test, and the maker of the
// small data folder the CLI tests export from.
//
//     riglog-store-writer DATABASE.sqlite
//     riglog-store-writer --fixture DATA_FOLDER
//
// Registers rig `crash-rig` (channels seq, a, b, temp) and writes frames at full speed, stamped
// with the wall clock, until it is killed. Channel `seq` counts frames 0, 1, 2, ... so the test
// can tell a hole from a clean end. After every commit it prints
//
//     committed <ns of the newest committed sample> <frames written so far>
//
// unbuffered, so the test knows what must survive a kill.
import Foundation
import Ingest
import Store

let arguments = CommandLine.arguments
if arguments.count == 3 && arguments[1] == "--fixture" {
    do {
        try writeFixture(folder: arguments[2])
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("riglog-store-writer: \(error)\n".utf8))
        exit(1)
    }
}
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: riglog-store-writer DATABASE.sqlite | --fixture DATA_FOLDER\n".utf8))
    exit(2)
}

do {
    let store = try StoreDatabase.open(path: arguments[1])
    let ids = try store.register(
        rig: RigDefinition(id: "crash-rig", name: "Crash test rig", profile: "crash"),
        channels: [
            ChannelDefinition(name: "seq", type: "u32"),
            ChannelDefinition(name: "a", type: "u16"),
            ChannelDefinition(name: "b", type: "i16"),
            ChannelDefinition(name: "temp", unit: "°C", type: "f64"),
        ])
    let writer = ChunkWriter(store: store, configuration: .init(framesPerChunk: 1024, flushInterval: .milliseconds(200)))
    let framesPerBatch = 64
    var batch = [Sample](repeating: Sample(channel: 0, time: 0, raw: 0), count: framesPerBatch * ids.count)
    var sequence: Int64 = 0
    var lastReport = ContinuousClock.now
    var generator = SystemRandomNumberGenerator()
    while true {
        for f in 0..<framesPerBatch {
            let now = Int64((Date().timeIntervalSince1970 * 1e9).rounded())
            let base = f * ids.count
            batch[base] = Sample(channel: ids[0], time: now, raw: sequence)
            batch[base + 1] = Sample(channel: ids[1], time: now, raw: Int64(sequence % 4096))
            batch[base + 2] = Sample(channel: ids[2], time: now, raw: Int64.random(in: -8...8, using: &generator))
            batch[base + 3] = Sample(channel: ids[3], time: now, value: 20 + Double(sequence % 100) / 10)
            sequence += 1
        }
        try batch.withUnsafeBufferPointer { try writer.write($0) }
        if ContinuousClock.now - lastReport >= .milliseconds(100) {
            try writer.flush()
            lastReport = .now
            // Written straight to the pipe (no stdio buffer) so a kill never hides a report.
            FileHandle.standardOutput.write(Data("committed \(writer.committedThrough ?? 0) \(sequence)\n".utf8))
        }
    }
} catch {
    FileHandle.standardError.write(Data("riglog-store-writer: \(error)\n".utf8))
    exit(1)
}
