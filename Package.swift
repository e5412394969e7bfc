// swift-tools-version: 6.1
//
// riglog: telemetry collector for vocational equipment labs.
//
// Modules depend downwards only, in this order from the bottom (DESIGN.md, "Layout"):
//   CModbus -> Modbus -> RigProfiles -> Ingest -> CSV -> Store -> Practice -> Collector -> Reports -> LabWeb -> riglog
// RigSimulator sits beside the Collector on Modbus and RigProfiles. Targets are added here as
// their issue lands; the order above is fixed.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
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
    ],
    targets: [
        // libmodbus through pkg-config; `make deps` installs Debian's libmodbus-dev.
        .systemLibrary(
            name: "CModbus",
            pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]
        ),
        .target(name: "Modbus", dependencies: ["CModbus"], swiftSettings: strict),
        .target(
            name: "RigProfiles",
            dependencies: ["Modbus", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(name: "Ingest", swiftSettings: strict),
        // CSV as DESIGN.md's file formats write it (and read it): no dependencies, below everything that uses it.
        .target(name: "CSV", swiftSettings: strict),
        .target(
            name: "Store",
            dependencies: ["RigProfiles", "Ingest", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // Sessions, exercise attempts, alarms and statistics: one evaluator, live and offline.
        .target(name: "Practice", dependencies: ["RigProfiles", "Ingest", "Store"], swiftSettings: strict),
        // Practice logs for people: text, HTML and JSON reports, assessment exports, translations.
        .target(name: "Reports", dependencies: ["Modbus", "RigProfiles", "CSV", "Store", "Practice"], swiftSettings: strict),
        // Rig workers: schedules, reconnects, gaps, and the wiring of rings, store and evaluator.
        .target(
            name: "Collector",
            dependencies: ["Modbus", "RigProfiles", "Ingest", "Store", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // HTTP: /healthz and /metrics now; dashboards, the instructor portal and the JSON API later.
        .target(
            name: "LabWeb",
            dependencies: ["Collector", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strict
        ),
        // Simulated training rigs served over Modbus: beside the Collector, on Modbus and RigProfiles.
        .target(
            name: "RigSimulator",
            dependencies: ["Modbus", "RigProfiles", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "riglog",
            dependencies: [
                "Modbus", "RigProfiles", "Ingest", "CSV", "Store", "RigSimulator", "Collector", "LabWeb", "Practice", "Reports",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // `make bench`: in-process measurements that need the Swift modules (see Benchmarks/README.md).
        .executableTarget(
            name: "riglog-bench",
            dependencies: [
                "Modbus", "RigProfiles", "Ingest", "CSV", "Store", "RigSimulator", "Practice", "Reports",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/riglog-bench",
            swiftSettings: strict
        ),
        // A child process for the store's crash-safety test: writes samples until it is killed.
        .executableTarget(
            name: "riglog-store-writer",
            dependencies: ["Ingest", "Store"],
            path: "Tests/Support/StoreWriter",
            swiftSettings: strict
        ),
        // What the test targets share: spawning peers (socat, pymodbus, mbpoll), free ports, waits.
        .target(name: "RiglogTesting", path: "Tests/Support/RiglogTesting", swiftSettings: strict),
        .testTarget(name: "ModbusTests", dependencies: ["Modbus", "RiglogTesting"], exclude: ["Peers"], swiftSettings: strict),
        .testTarget(name: "RigProfilesTests", dependencies: ["RigProfiles", "RiglogTesting"], exclude: ["Broken"], swiftSettings: strict),
        .testTarget(name: "PracticeTests", dependencies: ["Practice", "RigProfiles", "Ingest", "Store", "RiglogTesting"], swiftSettings: strict),
        .testTarget(name: "CollectorTests", dependencies: ["Collector", "Modbus", "RigProfiles", "Ingest", "Store", "RiglogTesting"], swiftSettings: strict),
        .testTarget(name: "LabWebTests", dependencies: ["LabWeb", "Collector", .product(name: "HummingbirdTesting", package: "hummingbird")], swiftSettings: strict),
        .testTarget(name: "RigSimulatorTests", dependencies: ["RigSimulator", "Modbus", "RigProfiles", "Practice", "RiglogTesting"], swiftSettings: strict),
        .testTarget(name: "IngestTests", dependencies: ["Ingest"], swiftSettings: strict),
        .testTarget(name: "CSVTests", dependencies: ["CSV"], swiftSettings: strict),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "CSV", "Modbus", "Store", "Practice", "RigProfiles", "RiglogTesting"], exclude: ["Golden", "Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "Ingest", "RigProfiles", "RiglogTesting", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // End-to-end tests of the built `riglog` binary: exit codes, stderr, output formats.
        .testTarget(name: "RiglogTests", dependencies: ["Modbus", "Store", "Ingest", "Practice", "RigProfiles", "RiglogTesting"], swiftSettings: strict),
    ]
)
