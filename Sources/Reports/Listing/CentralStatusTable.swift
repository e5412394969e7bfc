public import Central
import Timekeeping

/// What `riglog store status` prints: this folder's collector and what waits in its logs, then
/// (when the central store answered) every collector's progress there, tab-separated like
/// `store stats`.
public enum CentralStatusTable {
    public static func render(_ status: CentralStatus) -> String {
        var lines = ["collector \(status.collector) (this data folder)"]
        lines.append("central: " + (status.central ?? "none (lab.yaml has no central:)"))
        let waiting = status.waiting.map { "\($0.stream) \($0.records)" }.joined(separator: ", ")
        lines.append("waiting here (change-log records not yet committed centrally): \(waiting)")
        if let error = status.centralError { lines.append("central store not read: \(error)") }
        if let progress = status.progress {
            lines.append("")
            lines.append("collector\tlab\tstream\tforwarded through\trows\tsamples\tlast moved")
            for row in progress {
                let mark = row.collector == status.collector ? " (this)" : ""
                let moved = Timestamp(microsecondsSince1970: row.updatedMicros).iso8601
                lines.append("\(row.collector)\(mark)\t\(row.lab)\t\(row.stream)\t\(row.position)\t\(row.rows)\t\(row.samples)\t\(moved)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
