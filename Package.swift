// swift-tools-version: 6.1
//
// riglog: telemetry collector for vocational equipment labs.
//
// Modules depend downwards only, in this order from the bottom (DESIGN.md, "Layout"):
//   Threads, CSV, Timekeeping, CModbus -> Modbus -> RigProfiles -> Ingest -> Store -> Practice, Accounts -> Collector -> Reports
//   -> LabWeb -> LabRuntime -> riglog
// RigSimulator sits beside the Collector on Modbus and RigProfiles; Accounts (sign-in users and API
// tokens) sits beside Practice, on Store only. Targets are added here as
// their issue lands; the order above is fixed.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// How the riglog binary is linked on Linux (DESIGN.md, "Memory"): by lld, with relative
// relocations packed (RELR) and only the symbols it imports in its dynamic symbol table. The
// toolchain's --static-swift-stdlib link exports every symbol of riglog's own modules (54,000) and
// writes 144,000 relocations (3.4 MB) that the loader reads at every start; both stayed resident,
// 7 MB of the collector's 66 MB. Nothing looks riglog's symbols up by name: the Swift runtime finds
// types and conformances through its metadata sections, and the static runtime libraries' own
// symbols were never exported (--exclude-libs ALL). RELR needs glibc 2.36 (Debian 12) or later.
let lean: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
                 .when(platforms: [.linux])),
]

let package = Package(
    name: "riglog",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "riglog", targets: ["riglog"]),
        .library(name: "Modbus", targets: ["Modbus"]),
        // For Benchmarks/micro (a separate package that depends on this one by path).
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "Store", targets: ["Store"]),
        // make bench builds riglog and this through Benchmarks/micro, in one scratch folder with it.
        .executable(name: "riglog-bench", targets: ["riglog-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // libmodbus through pkg-config; `make deps` installs Debian's libmodbus-dev.
        .systemLibrary(
            name: "CModbus",
            pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]
        ),
        // glibc's mallopt, to cap malloc's arenas in the long-running commands (DESIGN.md "Memory").
        .systemLibrary(name: "CMalloc"),
        // Dedicated OS threads for blocking work (Modbus I/O, the event loop, the simulator's models).
        .target(name: "Threads", swiftSettings: strict),
        .target(name: "Modbus", dependencies: ["CModbus", "Threads"], swiftSettings: strict),
        // CSV as spreadsheets and LMS exports write and read it.
        .target(name: "CSV", swiftSettings: strict),
        // The one time type (Timestamp, µs since 1970 UTC) and the one reading of durations, dates and periods.
        .target(name: "Timekeeping", swiftSettings: strict),
        .target(
            name: "RigProfiles",
            dependencies: ["Modbus", "Timekeeping", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "Ingest", dependencies: ["Threads"], swiftSettings: strict),
        .target(
            name: "Store",
            dependencies: ["RigProfiles", "Ingest", "Timekeeping", .product(name: "GRDB", package: "GRDB.swift"),
                           // SQLite's C API under GRDB: the rollup rows are bound without boxing each value.
                           .product(name: "GRDBSQLite", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // Sessions, exercise attempts, alarms and statistics: one evaluator, live and offline.
        .target(
            name: "Practice",
            dependencies: ["CSV", "RigProfiles", "Ingest", "Store", "Timekeeping", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        // Sign-in users (bcrypt passwords) and API tokens (stored as SHA-256) over the store's tables.
        .target(
            name: "Accounts",
            dependencies: [
                "Store", "Timekeeping", .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The central PostgreSQL store many collectors forward to (schema, monthly partitions, COPY
        // loading) and the store-and-forward service: beside Practice, on Store only.
        .target(
            name: "Central",
            dependencies: [
                "Store", "Timekeeping", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Practice logs for people: text, HTML and JSON reports, assessment exports, translations.
        .target(name: "Reports", dependencies: ["Modbus", "RigProfiles", "CSV", "Store", "Practice", "Central", "Timekeeping"], swiftSettings: strict),
        // Rig workers: schedules, reconnects, gaps, and the wiring of rings, store and evaluator.
        .target(
            name: "Collector",
            dependencies: [
                "Threads", "Modbus", "RigProfiles", "Ingest", "Store", "Timekeeping", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The web face: lab board, rig pages, instructor portal, sign-in, the JSON API, /metrics.
        // Templates, scripts, styles and openapi.yaml are resources a site can replace.
        .target(
            name: "LabWeb",
            dependencies: [
                "Accounts", "CSV", "Central", "Collector", "Ingest", "Practice", "Reports", "RigProfiles", "Store", "Timekeeping",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        // Simulated training rigs served over Modbus: beside the Collector, on Modbus and RigProfiles.
        .target(
            name: "RigSimulator",
            dependencies: ["Threads", "CSV", "Modbus", "RigProfiles", "Timekeeping", .product(name: "Yams", package: "Yams"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        // The composition of a run (collect, demo, simulate, re-evaluation's profiles) as services,
        // driven by the CLI and by tests without the binary: above LabWeb, below riglog.
        .target(
            name: "LabRuntime",
            dependencies: [
                "Threads", "CSV", "Modbus", "RigProfiles", "Store", "Accounts", "Practice", "Collector", "Reports", "LabWeb", "RigSimulator", "Timekeeping",
                "Central",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "riglog",
            dependencies: [
                "Threads", "CSV", "Modbus", "RigProfiles", "Ingest", "Store", "RigSimulator", "Collector", "LabWeb", "Practice", "Reports",
                "LabRuntime", "Accounts", "Timekeeping", "Central", "CMalloc",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            linkerSettings: lean
        ),
        // `make bench`: in-process measurements that need the Swift modules (see Benchmarks/README.md).
        .executableTarget(
            name: "riglog-bench",
            dependencies: [
                "Threads", "Modbus", "RigProfiles", "Ingest", "CSV", "Store", "RigSimulator", "Practice", "Reports", "Timekeeping", "Central",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/riglog-bench",
            swiftSettings: strict
        ),
        // A tuning aid for the simulator: a demo scenario's channels over simulated time.
        .executableTarget(
            name: "riglog-trace",
            dependencies: ["Modbus", "RigProfiles", "RigSimulator", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "scripts/riglog-trace",
            swiftSettings: strict
        ),
        // A child process for the store's crash-safety test: writes samples until it is killed.
        .executableTarget(
            name: "riglog-store-writer",
            dependencies: ["Ingest", "Store"],
            path: "Tests/Support/StoreWriter",
            swiftSettings: strict
        ),
        // Fuzz harness: one target per parser (scripts/fuzz.sh, DESIGN.md "Fuzzing"). Built normally it
        // replays a corpus and seeded mutations of it (`make test`); built with -sanitize=fuzzer and
        // -DFUZZING it is a libFuzzer binary.
        .executableTarget(
            name: "riglog-fuzz",
            dependencies: [
                "Modbus", "RigProfiles", "Ingest", "Store", "Practice", "LabWeb", "Timekeeping", "RiglogTesting",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/Support/Fuzz",
            swiftSettings: strict
        ),
        // What the test targets share: spawning peers (socat, pymodbus, mbpoll), free ports, waits.
        .target(name: "RiglogTesting", dependencies: ["Timekeeping"], path: "Tests/Support/RiglogTesting", swiftSettings: strict),
        .testTarget(name: "ThreadsTests", dependencies: ["Threads"], swiftSettings: strict),
        .testTarget(name: "CSVTests", dependencies: ["CSV"], swiftSettings: strict),
        .testTarget(name: "ModbusTests", dependencies: ["Modbus", "Threads", "RiglogTesting"], exclude: ["Peers"], swiftSettings: strict),
        .testTarget(name: "RigProfilesTests", dependencies: ["Timekeeping", "RigProfiles", "RiglogTesting"], exclude: ["Broken", "BrokenDashboards"], swiftSettings: strict),
        .testTarget(name: "PracticeTests", dependencies: ["Timekeeping", "CSV", "Practice", "RigProfiles", "Ingest", "Store", "RiglogTesting"], swiftSettings: strict),
        .testTarget(name: "CollectorTests", dependencies: ["Timekeeping", "Collector", "Modbus", "RigProfiles", "Ingest", "Store", "RiglogTesting"], swiftSettings: strict),
        .testTarget(
            name: "LabWebTests",
            dependencies: ["LabWeb", "Accounts", "Collector", "Ingest", "Modbus", "RigProfiles", "RiglogTesting", "Store", "Timekeeping",
                           .product(name: "HummingbirdTesting", package: "hummingbird"), .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .testTarget(name: "RigSimulatorTests", dependencies: ["Timekeeping", "RigSimulator", "Modbus", "RigProfiles", "Practice", "RiglogTesting"], swiftSettings: strict),
        .testTarget(
            name: "LabRuntimeTests",
            dependencies: ["LabRuntime", "Collector", "Ingest", "Timekeeping", "Store", "RigProfiles", "RigSimulator", "Modbus", "Practice", "RiglogTesting",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(name: "TimekeepingTests", dependencies: ["Timekeeping"], swiftSettings: strict),
        .testTarget(name: "IngestTests", dependencies: ["Ingest"], swiftSettings: strict),
        .testTarget(name: "ReportsTests", dependencies: ["Timekeeping", "Reports", "CSV", "Modbus", "Store", "Practice", "RigProfiles", "RiglogTesting"], exclude: ["Golden", "Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "CentralTests",
            dependencies: ["Central", "Store", "Ingest", "RigProfiles", "Timekeeping", "RiglogTesting", "LabRuntime", "RigSimulator",
                           .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        .testTarget(name: "AccountsTests", dependencies: ["Accounts", "Store", "Timekeeping"], swiftSettings: strict),
        .testTarget(name: "StoreTests", dependencies: ["Timekeeping", "Store", "Ingest", "RigProfiles", "RiglogTesting", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strict),
        // The Debian package built, linted and installed into a debootstrapped root (scripts/test.sh
        // runs it in a test process of its own: it waits minutes on child processes).
        .testTarget(name: "PackagingTests", dependencies: ["RiglogTesting"], swiftSettings: strict),
        // End-to-end tests of the built `riglog` binary: exit codes, stderr, output formats.
        // Faults, crashes, full disks, clock steps and fuzz corpora (`make test` runs them bounded,
        // `make reliability` long, printing its table: scripts/reliability.sh).
        .testTarget(
            name: "ReliabilityTests",
            dependencies: ["Timekeeping", "Modbus", "Store", "Ingest", "Practice", "RigProfiles", "RiglogTesting", "Collector",
                           .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Peers", "Fuzz/Corpus", "Fuzz/Crashes"], swiftSettings: strict),
        .testTarget(name: "RiglogTests", dependencies: ["Timekeeping", "Modbus", "Store", "Ingest", "Practice", "RigProfiles", "RiglogTesting", "Central"], exclude: ["Browser"], swiftSettings: strict),
    ]
)
