// riglog-fuzz: one fuzz target per parser (FuzzTarget), in two builds of the same code.
//
// Normal build (`swift build`), the bounded run `make test` does (FuzzCorpusTests):
//
//     riglog-fuzz TARGET [--mutations N] [--seed S] CORPUS_DIR...
//
// feeds every file of the corpus folders to the target, then N seeded mutations of them, and
// prints how many inputs it tried. A parser that traps kills the process: the exit status says
// so. RIGLOG_FUZZ_LAST=FILE writes each input to FILE before it runs (the reproducer of a trap).
//
//     riglog-fuzz --write-seeds CORPUS_ROOT
//
// writes the generated seeds: chunks from a real store, Modbus replies from a real server.
//
// libFuzzer build (scripts/fuzz.sh: -sanitize=fuzzer,address -DFUZZING): RIGLOG_FUZZ_TARGET
// names the target; the arguments are libFuzzer's. SwiftPM links an executable's entry point
// as `main` itself, so main hands over to libFuzzer's driver (LLVMFuzzerRunDriver) rather than
// leaving main to libFuzzer.
import Foundation

@main struct FuzzMain {
    static func main() {
        #if FUZZING
        LibFuzzerEntry.run()
        #else
        exit(ReplayDriver.run(Array(CommandLine.arguments.dropFirst())))
        #endif
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The target and fixture of this libFuzzer process, set before the driver starts.
nonisolated(unsafe) private var entryTarget = FuzzTarget.profile
nonisolated(unsafe) private var entryFixture: FuzzFixture?

/// libFuzzer's entry: one input to the chosen target.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = entryTarget.run(Array(UnsafeBufferPointer(start: data, count: size)), entryFixture!)
    return 0
}

enum LibFuzzerEntry {
    static func run() -> Never {
        let name = ProcessInfo.processInfo.environment["RIGLOG_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("riglog-fuzz: set RIGLOG_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        do {
            entryFixture = try FuzzFixture()
        } catch {
            FileHandle.standardError.write(Data("riglog-fuzz: cannot make the fixture: \(error)\n".utf8))
            exit(1)
        }
        entryTarget = target
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput))
    }
}
#endif

/// The replay build's command line.
enum ReplayDriver {
    static let usage = """
        usage: riglog-fuzz TARGET [--mutations N] [--seed S] CORPUS_DIR...
               riglog-fuzz --write-seeds CORPUS_ROOT
        targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))

        """

    static func run(_ arguments: [String]) -> Int32 {
        if arguments.count == 2, arguments[0] == "--write-seeds" {
            do {
                let written = try SeedWriter.writeAll(root: arguments[1])
                print("riglog-fuzz: wrote \(written) seed files under \(arguments[1])")
                return 0
            } catch {
                return fail("cannot write the seeds: \(error)")
            }
        }
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else { return fail(nil) }
        var mutations = 0
        var seed: UInt64 = 1
        var folders: [String] = []
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--mutations":
                guard let value = rest.popFirst().flatMap(Int.init), value >= 0 else { return fail("--mutations takes a count") }
                mutations = value
            case "--seed":
                guard let value = rest.popFirst().flatMap(UInt64.init) else { return fail("--seed takes a number") }
                seed = value
            default:
                folders.append(argument)
            }
        }
        guard !folders.isEmpty else { return fail("name at least one corpus folder") }
        var corpus: [[UInt8]] = []
        for folder in folders {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return fail("cannot read the corpus folder \(folder)") }
            for name in names.sorted() where !name.hasPrefix(".") {
                guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { continue }
                corpus.append(Array(data))
            }
        }
        guard !corpus.isEmpty else { return fail("no corpus files in \(folders.joined(separator: ", "))") }
        let fixture: FuzzFixture
        do { fixture = try FuzzFixture() } catch { return fail("cannot make the fixture: \(error)") }
        let last = ProcessInfo.processInfo.environment["RIGLOG_FUZZ_LAST"]
        var accepted = 0
        func feed(_ input: [UInt8]) {
            if let last { _ = FileManager.default.createFile(atPath: last, contents: Data(input)) }
            if target.run(input, fixture) { accepted += 1 }
        }
        corpus.forEach(feed)
        var mutator = Mutator(seed: seed)
        for i in 0..<mutations {
            let base = corpus[i % corpus.count]
            feed(mutator.mutate(base, other: corpus[mutator.below(corpus.count)]))
        }
        let total = corpus.count + mutations
        print("riglog-fuzz \(target.rawValue): \(total) inputs (\(corpus.count) corpus files, \(mutations) mutations, seed \(seed)): "
            + "\(accepted) accepted, \(total - accepted) refused")
        return 0
    }

    private static func fail(_ message: String?) -> Int32 {
        FileHandle.standardError.write(Data(((message.map { "riglog-fuzz: \($0)\n" } ?? "") + usage).utf8))
        return 2
    }
}
