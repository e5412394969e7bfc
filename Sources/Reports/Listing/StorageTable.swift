import Foundation
public import Store
import Timekeeping

/// What `riglog store stats` prints: samples, chunks and bytes per channel, tab-separated (for
/// `cut` and spreadsheets), then the totals, the rollups and the database file's size; then, when
/// text channels recorded anything, their changes and latest texts. `fileBytes` nil: read from
/// the central store, where a lab PC's file sizes (the database's, the rollups' pages) have no
/// meaning; those lines say so instead.
public enum StorageTable {
    public static func render(_ rows: [ChannelStorage], texts: [TextChannelStorage] = [], rollups: RollupStorage, fileBytes: Int?) -> String {
        var lines = ["rig\tchannel\tsamples\tchunks\tbytes\tbytes/sample"]
        for row in rows {
            lines.append("\(row.channel.rig)\t\(row.channel.name)\t\(row.samples)\t\(row.chunks)\t\(row.bytes)\t\(String(format: "%.3f", row.bytesPerSample))")
        }
        let samples = rows.reduce(0) { $0 + $1.samples }
        let bytes = rows.reduce(0) { $0 + $1.bytes }
        let perSample = samples == 0 ? 0 : Double(bytes) / Double(samples)
        lines.append("total\t\(rows.count) channels\t\(samples)\t-\t\(bytes)\t\(String(format: "%.3f", perSample))")
        var rollupLine = "rollups: \(rollups.rows) rows"
        if let bytes = rollups.bytes, fileBytes != nil { rollupLine += ", \(bytes) bytes" }
        if let first = rollups.first, let last = rollups.last { rollupLine += ", seconds \(first.iso8601) to \(last.iso8601)" }
        lines.append(rollupLine)
        lines.append(fileBytes.map { "database file: \($0) bytes" } ?? "database file: none (read from the central store)")
        if !texts.isEmpty {
            lines.append("")
            lines.append("rig\ttext channel\tchanges\tlatest\tsince")
            for row in texts {
                lines.append("\(row.channel.rig)\t\(row.channel.name)\t\(row.changes)\t\(quoted(row.latest.text))\t\(row.latest.at.iso8601)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension StorageTable {
    /// A text in double quotes, with tabs, line breaks and quotes escaped so a row stays one line.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
