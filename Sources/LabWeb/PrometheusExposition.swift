public import Collector
public import Store

/// The collector's figures in the Prometheus text exposition format (version 0.0.4).
///
/// Written here rather than through swift-prometheus: the workers keep their counts in one
/// lock-protected snapshot per rig (read consistently, nothing allocated per poll), and this
/// renders those snapshots at scrape time; a second set of counters updated on the hot path would
/// only duplicate them. `promtool check metrics` validates the output in the tests.
public struct PrometheusExposition: Sendable {
    public var statistics: [RigStatistics]
    public var droppedSamples: Int
    public var storedSamples: Int
    /// Whether the store's writes succeed (nil: not shown).
    public var store: StoreHealth.Snapshot?

    public init(statistics: [RigStatistics], droppedSamples: Int, storedSamples: Int, store: StoreHealth.Snapshot? = nil) {
        self.statistics = statistics
        self.droppedSamples = droppedSamples
        self.storedSamples = storedSamples
        self.store = store
    }

    public func render() -> String {
        let rigs = statistics.map { ($0.rig, $0.snapshot) }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        family("riglog_polls_total", "counter", "Polls answered, by rig.")
        for (rig, s) in rigs { out += "riglog_polls_total{rig=\"\(escape(rig))\"} \(s.polls)\n" }
        family("riglog_poll_errors_total", "counter", "Failed polls, by rig and kind (timeout, connection, exception, crc, mismatch).")
        for (rig, s) in rigs {
            for kind in s.errors.keys.sorted() {
                out += "riglog_poll_errors_total{rig=\"\(escape(rig))\",kind=\"\(escape(kind))\"} \(s.errors[kind]!)\n"
            }
        }
        family("riglog_rig_up", "gauge", "1 while the rig's last poll was answered, else 0.")
        for (rig, s) in rigs { out += "riglog_rig_up{rig=\"\(escape(rig))\"} \(s.up ? 1 : 0)\n" }
        family("riglog_rig_degraded", "gauge", "1 while a rig that keeps failing is probed slowly.")
        for (rig, s) in rigs { out += "riglog_rig_degraded{rig=\"\(escape(rig))\"} \(s.degraded ? 1 : 0)\n" }
        family("riglog_schedule_overruns_total", "counter", "Poll slots skipped because the worker was late.")
        for (rig, s) in rigs { out += "riglog_schedule_overruns_total{rig=\"\(escape(rig))\"} \(s.overruns)\n" }
        family("riglog_samples_collected_total", "counter", "Samples decoded from answered polls, by rig.")
        for (rig, s) in rigs { out += "riglog_samples_collected_total{rig=\"\(escape(rig))\"} \(s.samples)\n" }
        histogram(&out, "riglog_poll_duration_seconds", "Time from sending a request to decoding its reply.",
                  rigs.map { ($0.0, $0.1.latencyCounts, $0.1.latencySum) }, RigStatistics.latencyBuckets)
        histogram(&out, "riglog_poll_lateness_seconds", "How late each poll started after its deadline.",
                  rigs.map { ($0.0, $0.1.latenessCounts, $0.1.latenessSum) }, RigStatistics.latenessBuckets)
        family("riglog_samples_stored_total", "counter", "Samples handed to the store.")
        out += "riglog_samples_stored_total \(storedSamples)\n"
        family("riglog_samples_dropped_total", "counter", "Samples dropped because a worker's ring was full.")
        out += "riglog_samples_dropped_total \(droppedSamples)\n"
        if let store {
            family("riglog_store_writable", "gauge", "1 while the data folder's disk takes the store's writes, 0 while it refuses them (full, read-only).")
            out += "riglog_store_writable \(store.writable ? 1 : 0)\n"
            family("riglog_store_failed_writes_total", "counter", "Store writes the disk refused.")
            out += "riglog_store_failed_writes_total \(store.failedWrites)\n"
            family("riglog_store_outages_total", "counter", "Times the store stopped being writable.")
            out += "riglog_store_outages_total \(store.outages)\n"
            family("riglog_store_dropped_samples_total", "counter", "Samples dropped because the store could not write them for too long.")
            out += "riglog_store_dropped_samples_total \(store.droppedSamples)\n"
        }
        return out
    }

    private func histogram(_ out: inout String, _ name: String, _ help: String,
                           _ rows: [(String, [Int], Double)], _ bounds: [Double]) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (rig, counts, sum) in rows {
            let label = "rig=\"\(escape(rig))\""
            for (i, bound) in bounds.enumerated() {
                out += "\(name)_bucket{\(label),le=\"\(bound)\"} \(counts[i])\n"
            }
            out += "\(name)_bucket{\(label),le=\"+Inf\"} \(counts[bounds.count])\n"
            out += "\(name)_sum{\(label)} \(sum)\n"
            out += "\(name)_count{\(label)} \(counts[bounds.count])\n"
        }
    }

    /// Label values escape backslash, double quote and newline.
    private func escape(_ value: String) -> String {
        value.replacingAll("\\", "\\\\").replacingAll("\"", "\\\"").replacingAll("\n", "\\n")
    }
}

extension String {
    func replacingAll(_ target: Character, _ replacement: String) -> String {
        var result = ""
        for c in self { if c == target { result += replacement } else { result.append(c) } }
        return result
    }
}
