import ArgumentParser

/// `riglog-bench`: the in-process measurements behind `make bench` (Benchmarks/run.py runs
/// them; see Benchmarks/README.md). Each subcommand prints its figures, and with `--json` one
/// JSON object as its last line for run.py.
@main
struct RiglogBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "riglog-bench",
        abstract: "riglog's in-process benchmarks (run by Benchmarks/run.py).",
        subcommands: [Ring.self, StoreTraces.self, Gorilla.self, ModbusServe.self, ModbusClient.self, SimLoad.self,
                      Eval.self, Board.self, Resume.self, Reports.self, AssessmentExport.self, CentralForward.self, Rollups.self]
    )
}

/// `--json`: what every measuring subcommand takes.
struct JSONOutput: ParsableArguments {
    @Flag(help: "End with one line of JSON for Benchmarks/run.py.")
    var json = false
}

/// `--minutes N`: how long the traces are.
struct TraceLength: ParsableArguments {
    @Option(help: "Minutes of each rig trace (at least 1).")
    var minutes = 60
}

extension RiglogBench {
    struct Ring: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "SampleRing against the C ring (Benchmarks/bin/c_ring), rounds interleaved.")

        @Argument(help: "Rounds.")
        var rounds = 7

        @OptionGroup var output: JSONOutput

        func run() throws { try IngestStoreBench.ring(rounds: rounds, json: output.json) }
    }

    struct StoreTraces: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "store", abstract: "Rig traces through the chunk writer and the row-per-sample baseline.")

        @OptionGroup var length: TraceLength
        @OptionGroup var output: JSONOutput

        func run() throws { try IngestStoreBench.store(minutes: length.minutes, json: output.json) }
    }

    struct Gorilla: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rig traces as per-channel files for the Gorilla C baseline, and riglog's own figures.")

        @Argument(help: "The folder to write the traces to.")
        var folder: String

        @OptionGroup var length: TraceLength
        @OptionGroup var output: JSONOutput

        func run() throws { try GorillaBench.run(folder: folder, minutes: length.minutes, json: output.json) }
    }

    struct ModbusServe: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "modbus-server", abstract: "Serve 125 holding registers on the loopback until standard input closes.")

        @Argument(help: "The TCP port.")
        var port: Int

        @Flag(help: "Answer in RTU frames on the TCP stream, as the devices behind a serial-to-Ethernet converter do.")
        var rtuOverTcp = false

        func run() { ModbusBench.serve(port: port, rtuOverTCP: rtuOverTcp) }
    }

    struct ModbusClient: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "modbus-client", abstract: "Read holding registers from the loopback server as fast as it answers.")

        @Argument(help: "The TCP port.")
        var port: Int

        @Argument(help: "Transactions.")
        var transactions: Int

        @Argument(help: "Registers per read.")
        var count: Int

        @Flag(help: "Read RTU frames on the TCP stream (rtu+tcp://), as from a serial-to-Ethernet converter.")
        var rtuOverTcp = false

        func run() { ModbusBench.client(port: port, transactions: transactions, count: count, rtuOverTCP: rtuOverTcp) }
    }

    struct SimLoad: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sim-load", abstract: "The simulator's CPU under a lab's polling.")

        @Argument var rigs = 64
        @Argument(help: "Polls a second per rig.") var rate = 100
        @Argument var seconds = 10
        @Argument var unitsPerPort = 1
        @Argument(help: "planned, all (every request every poll) or process (riglog simulate as a child).") var mode = "planned"

        func run() {
            SimulatorBench.run(rigs: rigs, rate: rate, seconds: seconds, unitsPerPort: unitsPerPort,
                               everyRequestEveryPoll: mode == "all", childProcess: mode == "process")
        }
    }

    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The live evaluator's CPU against a fill-and-sum baseline.")

        @Option var rigs = 64
        @Option(help: "Channels per rig (at least 8).") var channels = 50
        @Option(help: "Frames a second per rig.") var rate = 100
        @Option(help: "Simulated seconds.") var seconds = 60
        @Option var framesPerBatch = 1
        @OptionGroup var output: JSONOutput

        func run() throws {
            try EvaluationBench.run(rigs: rigs, channels: channels, rate: rate, seconds: seconds, framesPerBatch: framesPerBatch, json: output.json)
        }
    }

    struct Board: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The lab board's preview (LiveBoard) against a fill-and-sum baseline.")

        @Option var rigs = 64
        @Option(help: "Simulated seconds.") var seconds = 60
        @OptionGroup var output: JSONOutput

        func run() throws { try BoardBench.run(rigs: rigs, seconds: seconds, json: output.json) }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A start after a killed run: rebuilding its open sessions against re-evaluating the run.")

        @Option var rigs = 8
        @Option(help: "Minutes of the killed run.") var minutes = 10
        @Option(help: "Seconds of the run's end the badge shows (default: the whole run).") var sessionSeconds: Int?
        @OptionGroup var output: JSONOutput

        func run() throws { try ResumeBench.run(rigs: rigs, minutes: minutes, sessionSeconds: sessionSeconds, json: output.json) }
    }

    struct CentralForward: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "central", abstract: "An hour of a lab forwarded into PostgreSQL.")

        @Option(help: "The PostgreSQL database (postgres://USER@HOST:PORT/DB).") var url: String
        @Option var rigs = 20
        @OptionGroup var length: TraceLength
        @Option(help: "Where to write the plain rows (channel, time, raw) for the psql COPY baseline.") var baselineFile: String
        @OptionGroup var output: JSONOutput

        func run() throws {
            try CentralBench.run(url: url, rigs: rigs, minutes: length.minutes, baselineFile: baselineFile, json: output.json)
        }
    }

    struct Reports: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Student and group reports over a filled store.")

        @Option var rounds = 9
        @OptionGroup var output: JSONOutput

        func run() throws { try ReportBench.run(rounds: rounds, json: output.json) }
    }

    struct AssessmentExport: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "assessment", abstract: "A group's assessment CSV over a filled store.")

        @Argument(help: "Runs.")
        var runs = 15

        @Option(help: ArgumentHelp("Keep the filled store in DIR (for run.py's plain-SQL baseline).", valueName: "DIR"))
        var store: String?

        @OptionGroup var output: JSONOutput

        func run() throws { try AssessmentBench.run(runs: runs, json: output.json, store: store) }
    }

    struct Rollups: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The chunk writer's CPU at 64 rigs x 100 Hz with and without per-second rollups.")

        @Option(help: "Rounds of each mode, alternating.") var rounds = 7
        @Option(help: "Seconds of the lab per round.") var seconds = 30
        @Option(help: ArgumentHelp("Run one mode once (on or off), for callgrind.", valueName: "MODE")) var once: String?
        @OptionGroup var output: JSONOutput

        func run() throws { try RollupBench.run(rounds: rounds, seconds: seconds, once: once, json: output.json) }
    }
}
