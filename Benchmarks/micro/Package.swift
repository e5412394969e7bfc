// swift-tools-version: 6.1
//
// riglog's in-process micro-benchmarks (ordo-one/benchmark): ring push/pop (beside a C ring of the
// same design), chunk encoding, value decoding, with malloc counts per operation. A separate
// package so that `make test` and `swift build` of riglog never build the benchmark framework;
// `make bench` runs it (Benchmarks/run.py, section `micro`), or by hand:
//
//     swift package --package-path Benchmarks/micro benchmark
//
// The framework's plugin looks for benchmark targets under ./Benchmarks/ of this package.
//
// `make bench` also builds riglog's `riglog` and `riglog-bench` executables through this package
// (`swift build --package-path Benchmarks/micro --product riglog`), so one scratch folder compiles
// riglog's modules once for them and for the micro-benchmarks, and runs the framework's
// BenchmarkTool itself rather than through the plugin (Benchmarks/run.py, `run_micro`).
import Foundation
import PackageDescription

// SwiftPM names a path dependency after its folder (`main`, `riglog`, a worktree's name...), not
// after its manifest, and products are looked up by that name.
let riglog = URL(fileURLWithPath: Context.packageDirectory)
    .deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "riglog-micro",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),  // riglog: its Ingest, Store and Modbus library products
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "RiglogMicro",
            dependencies: [
                "CRingBaseline",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Ingest", package: riglog),
                .product(name: "Store", package: riglog),
                .product(name: "Modbus", package: riglog),
            ],
            path: "Benchmarks/RiglogMicro",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The C ring of Benchmarks/ring/c_ring.h, measured by the framework beside SampleRing.
        .target(name: "CRingBaseline", path: "CRingBaseline"),
    ]
)
