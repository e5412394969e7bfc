public import Collector
import Foundation
public import Logging
import Modbus
public import Practice
import RigProfiles
public import ServiceLifecycle
import Store
import Threads
import Timekeeping
public import UnixSignals

/// Reload without a restart: re-reads the lab config and its profiles, checks them, and applies
/// them to the running collection (DESIGN.md, "Reload").
///
/// A service of ``LabRun`` after the collector (so it stops first). SIGHUP reaches it through
/// service-lifecycle's `UnixSignalsSequence`, the same signal machinery the group uses for
/// SIGINT/SIGTERM: one handler per signal, none installed by hand. Once SIGHUP is trapped it
/// writes the process id to the data folder's `collector.pid`, which `riglog reload` signals;
/// after every reload it writes the outcome to `reload.status` there, which `riglog reload`
/// waits for. The web's admin button calls ``reload(requestedBy:)`` directly.
///
/// Reloads run one at a time on a dedicated thread (applying one blocks until removed
/// connections have let go). A config with any error, or with a lab setting only a restart
/// applies, is refused whole: every error is logged, written to the status file and returned,
/// and the running lab stays as it was.
public final class LabReloader: Service, Sendable {
    /// Where the lab config is read from again.
    public let labPath: String
    /// The Devices folder profile names are looked up in (nil: the one nearest the lab file).
    public let devices: String?
    /// Where `collector.pid` and `reload.status` are written.
    public let dataFolder: String
    private let collector: Collector
    private let evaluator: LiveEvaluator
    /// The web's lab board, when the run serves one: it shows the reloaded rigs.
    private let board: LiveBoard?
    private let signals: [UnixSignal]
    private let logger: Logger
    /// The number of the last reload; held while a reload runs, so reloads never overlap.
    private let gate = Mutex<Int>(0)
    /// The last outcome, for readers that must not wait for a reload under way (the web page).
    private let latest = Mutex<ReloadOutcome?>(nil)

    /// The process id file `riglog reload` signals.
    public static func pidFile(in dataFolder: String) -> String { dataFolder + "/collector.pid" }
    /// The outcome of the last reload, as ``ReloadOutcome/description``.
    public static func statusFile(in dataFolder: String) -> String { dataFolder + "/reload.status" }

    public init(labPath: String, devices: String?, dataFolder: String, collector: Collector, evaluator: LiveEvaluator,
                board: LiveBoard? = nil, signals: [UnixSignal] = [.sighup], logger: Logger) {
        self.board = board
        self.labPath = labPath
        self.devices = devices
        self.dataFolder = dataFolder
        self.collector = collector
        self.evaluator = evaluator
        self.signals = signals
        self.logger = logger
    }

    /// The last reload's outcome; nil before the first.
    public var last: ReloadOutcome? { latest.withLock { $0 } }

    public func run() async throws {
        let requests = await UnixSignalsSequence(trapping: signals)
        // Only now does SIGHUP reload rather than kill: say where to send it.
        let pidFile = Self.pidFile(in: dataFolder)
        // An earlier run's outcome would count higher than this run's first reload.
        try? FileManager.default.removeItem(atPath: Self.statusFile(in: dataFolder))
        do { try "\(getpid())\n".write(toFile: pidFile, atomically: true, encoding: .utf8) } catch {
            logger.error("cannot write \(pidFile): \(error); riglog reload will not find this collector (SIGHUP still reloads)")
        }
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        // Returning early would end the whole group: without signals (tests), wait for its end.
        guard !signals.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            for await _ in requests {
                _ = try? await self.reload(requestedBy: "SIGHUP")
            }
        }
    }

    /// Re-reads, checks and applies the lab config; returns what happened (also logged and
    /// written to `reload.status`).
    public func reload(requestedBy: String) async throws -> ReloadOutcome {
        try await DedicatedThread.run(name: "riglog.reload") {
            // Below the pollers: reading and checking every file again takes CPU that the event
            // loops need for their deadlines on a two-core lab PC (on Linux the nice value is per thread).
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            return self.reloadBlocking(requestedBy: requestedBy)
        }
    }

    private func reloadBlocking(requestedBy: String) -> ReloadOutcome {
        gate.withLock { count in
            count += 1
            let sequence = count
            let at = Timestamp.now()
            let (applied, lines) = apply()
            let outcome = ReloadOutcome(sequence: sequence, at: at, requestedBy: requestedBy, applied: applied, lines: lines)
            latest.withLock { $0 = outcome }
            if applied {
                logger.info("lab config reloaded", metadata: ["reload": "\(sequence)", "by": "\(requestedBy)", "changes": "\(lines.joined(separator: "; "))"])
            } else {
                logger.error("lab config reload refused; the running config stays", metadata: ["reload": "\(sequence)", "by": "\(requestedBy)"])
                for line in lines { logger.error("\(line)") }
            }
            do {
                try outcome.description.write(toFile: Self.statusFile(in: dataFolder), atomically: true, encoding: .utf8)
                try collector.store.recordAudit(user: requestedBy, action: "reload", detail: outcome.description)
            } catch {
                logger.error("cannot record the reload: \(error)")
            }
            return outcome
        }
    }

    /// Loads, plans and applies; (applied, lines).
    private func apply() -> (Bool, [String]) {
        let next: LabConfig
        do { next = try LabLoader.load(path: labPath, devicesFolder: devices) } catch {
            return (false, error.issues.map(\.description))
        }
        let plan = LabReloadPlan(running: collector.lab, next: next)
        if !plan.needsRestart.isEmpty {
            return (false, plan.needsRestart.map { "\($0): only a restart of riglog collect applies this; change it back or restart" })
        }
        if plan.isEmpty { return (true, ["nothing changed"]) }
        do {
            let prepared = try collector.prepareReload(to: next)
            // The evaluator learns the new rigs (their channel ids) before any of their samples.
            try evaluator.reload(lab: next, changed: plan.changed, added: plan.added, removed: plan.removed,
                                 at: Timestamp.wallClockNanoseconds())
            // So does the board, and the browsers get the new rig list.
            try board?.reload(lab: next, store: collector.store, unchanged: Set(plan.unchanged))
            collector.applyReload(prepared)
        } catch {
            return (false, ["the store refused the new rigs: \(error)"])
        }
        return (true, [plan.summary])
    }
}

/// Why `riglog reload` could not get an answer from a collector.
public enum ReloadRequestError: Error, CustomStringConvertible {
    /// No `collector.pid` in the data folder.
    case noCollector(dataFolder: String)
    /// The process the pid file names is gone (the collector was killed, or the PC restarted).
    case stalePidFile(path: String, pid: Int32)
    /// The collector did not write an outcome in time.
    case noAnswer(dataFolder: String, waited: Duration)

    public var description: String {
        switch self {
        case .noCollector(let folder):
            "no collector is running on \(folder) (no collector.pid there): start one with riglog collect LAB.yaml, or give its folder with --data"
        case .stalePidFile(let path, let pid):
            "\(path) names process \(pid), which is not running: the collector stopped without removing it; start riglog collect again"
        case .noAnswer(let folder, let waited):
            "the collector on \(folder) did not answer within \(waited.riglogText); see its log for the reload's outcome"
        }
    }
}

extension LabReloader {
    /// What `riglog reload` does: signals the collector running on `dataFolder` (SIGHUP to the
    /// process in its `collector.pid`) and waits up to `timeout` for the outcome of that reload
    /// in its `reload.status`.
    public static func request(dataFolder: String, timeout: Duration = .seconds(30)) async throws(ReloadRequestError) -> ReloadOutcome {
        let pidPath = pidFile(in: dataFolder)
        guard let pid = recordedPid(in: dataFolder) else { throw .noCollector(dataFolder: dataFolder) }
        let before = currentOutcome(dataFolder: dataFolder)?.sequence ?? 0
        guard kill(pid, SIGHUP) == 0 else { throw .stalePidFile(path: pidPath, pid: pid) }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let outcome = currentOutcome(dataFolder: dataFolder), outcome.sequence > before { return outcome }
            try? await Task.sleep(for: .milliseconds(50))
        }
        throw .noAnswer(dataFolder: dataFolder, waited: timeout)
    }

    /// The process id in the data folder's `collector.pid`, if any.
    static func recordedPid(in dataFolder: String) -> Int32? {
        guard let text = try? String(contentsOfFile: pidFile(in: dataFolder), encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The collector running on `dataFolder` (the live process its `collector.pid` names), if
    /// any: what must be stopped before the store is replaced.
    public static func runningCollector(in dataFolder: String) -> Int32? {
        guard let pid = recordedPid(in: dataFolder), pid > 0 else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM ? pid : nil
    }

    /// The outcome in `reload.status`, if any.
    public static func currentOutcome(dataFolder: String) -> ReloadOutcome? {
        (try? String(contentsOfFile: statusFile(in: dataFolder), encoding: .utf8)).flatMap(ReloadOutcome.init(statusText:))
    }
}
