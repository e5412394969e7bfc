import Foundation
import GRDB

/// What ``StoreDatabase/check(progress:)`` found: what it read, and every problem, each a line
/// a technician can act on (empty when the store is sound).
public struct StoreCheckReport: Sendable, Hashable {
    public var chunks = 0
    public var samples = 0
    public var problems: [String] = []
}

extension StoreDatabase {
    /// Checks the store through and through: SQLite's `integrity_check` and
    /// `foreign_key_check`, every chunk decoded whole (its header, times and every column, its
    /// frame count and time range against its catalog row, each channel's catalog row against
    /// the chunk's columns), and sessions that end before they start. Reads only, in one
    /// snapshot, so it can run beside a collector. `progress` gets (chunks checked, chunks in
    /// all).
    public func check(progress: (Int, Int) -> Void = { _, _ in }) throws(StoreError) -> StoreCheckReport {
        try read { db in
            var report = StoreCheckReport()
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            if integrity != ["ok"] { report.problems += integrity.map { "SQLite integrity: \($0)" } }
            for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
                let table: String = row[0], rowid: Int64? = row[1], parent: String = row[2]
                report.problems.append("table \(table) row \(rowid.map(String.init) ?? "?") refers to a \(parent) row that is not there")
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, start, \"end\" FROM sessions WHERE \"end\" IS NOT NULL AND \"end\" < start") {
                report.problems.append("session \(row[0] as Int64) ends before it starts")
            }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM chunks") ?? 0
            var catalog: [Int64: [(column: Int, first: Int64, last: Int64)]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT chunk_id, column_index, t_first, t_last FROM chunk_channels") {
                catalog[row[0], default: []].append((row[1], row[2], row[3]))
            }
            var times: [Int64] = [], values: [UInt64] = []
            let chunks = try Row.fetchCursor(db, sql: "SELECT id, t_first, t_last, count, data FROM chunks ORDER BY id")
            while let row = try chunks.next() {
                let id: Int64 = row["id"], first: Int64 = row["t_first"], last: Int64 = row["t_last"], count: Int = row["count"]
                let data: Data = row["data"]
                do {
                    try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in
                        let decoder = try ChunkDecoder(bytes)
                        let n = decoder.frameCount
                        if times.count < n {
                            times = [Int64](repeating: 0, count: n)
                            values = [UInt64](repeating: 0, count: n)
                        }
                        try times.withUnsafeMutableBufferPointer { p in try decoder.decodeTimes(bytes, into: p.baseAddress!) }
                        for column in 0..<decoder.columnCount {
                            try values.withUnsafeMutableBufferPointer { p in try decoder.decodeColumn(column, bytes, into: p.baseAddress!) }
                        }
                        if n != count { report.problems.append("chunk \(id): \(n) frames decoded, its row says \(count)") }
                        if let back = (1..<max(n, 1)).first(where: { times[$0] < times[$0 - 1] }) {
                            report.problems.append("chunk \(id): frame \(back) is earlier than the frame before it (\(times[back]) < \(times[back - 1]) µs)")
                        }
                        if n > 0, times[0] != first || times[n - 1] != last {
                            report.problems.append("chunk \(id): its frames span \(times[0])...\(times[n - 1]) µs, its row says \(first)...\(last)")
                        }
                        let columns = catalog[id] ?? []
                        if Set(columns.map(\.column)) != Set(0..<decoder.columnCount) {
                            report.problems.append("chunk \(id): \(decoder.columnCount) columns, catalogued \(columns.map(\.column).sorted())")
                        }
                        for entry in columns where entry.first < first || entry.last > last {
                            report.problems.append("chunk \(id): column \(entry.column) catalogued at \(entry.first)...\(entry.last) µs, outside the chunk")
                        }
                        report.samples += n * decoder.columnCount
                    }
                } catch {
                    report.problems.append("chunk \(id) does not decode: \(error)")
                }
                report.chunks += 1
                if report.chunks % 256 == 0 || report.chunks == total { progress(report.chunks, total) }
            }
            return report
        }
    }
}
