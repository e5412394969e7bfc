import Foundation
import RiglogTesting
import Testing

/// How the `riglog` binary is linked (Package.swift's `lean`, DESIGN.md "Memory"): what the loader
/// reads at every start stays small, because it stays resident in the collector. The toolchain's
/// link exported every symbol of riglog's modules (54,000) and wrote 144,000 relocations; both
/// cost the collector 7 MB at 64 rigs.
@Suite("riglog's link")
struct BinaryLinkTests {
    /// `readelf` on the built binary, its output as text.
    static func readelf(_ arguments: [String]) throws -> String {
        let result = try ExternalPeers.capture(try ExternalPeers.which("readelf"), arguments + [try RiglogBinary.url().path])
        try #require(result.status == 0, "readelf \(arguments) exited \(result.status): \(result.stderr)")
        return result.text
    }

    @Test func relativeRelocationsArePacked() throws {
        let dynamic = try Self.readelf(["-dW"])
        #expect(dynamic.contains("(RELR)"), "no DT_RELR in the dynamic section:\n\(dynamic)")
        let relocations = try Self.readelf(["-rW"])
        let relative = relocations.split(separator: "\n").filter { $0.contains("_RELATIVE") }.count
        // Packed, they are a bitmap the loader walks (readelf lists them under .relr.dyn, not as RELA entries).
        #expect(relative < 1_000, "\(relative) RELA relative relocations: the binary was linked without -z pack-relative-relocs")
    }

    @Test func onlyImportsAreInTheDynamicSymbolTable() throws {
        let symbols = try Self.readelf(["--dyn-syms", "-W"]).split(separator: "\n")
        // A symbol's row: Num: Value Size Type Bind Vis Ndx Name; Ndx is UND for an import.
        let defined = symbols.compactMap { line -> String? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 8, fields[0].hasSuffix(":"), fields[6] != "UND", fields[0] != "0:" else { return nil }
            return String(fields[7])
        }
        #expect(defined.count < 50, "\(defined.count) symbols exported, e.g. \(defined.prefix(5)): linked with --export-dynamic")
        #expect(!defined.contains { $0.hasPrefix("$s") }, "Swift symbols exported: \(defined.filter { $0.hasPrefix("$s") }.prefix(5))")
    }
}
