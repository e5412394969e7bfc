import Foundation
public import Timekeeping

/// What one reload of the lab config did: applied (with what changed) or refused (with every
/// reason, the running config untouched). The log, `riglog reload` (through the data folder's
/// `reload.status`) and the admin page show the same text.
public struct ReloadOutcome: Sendable, Hashable, CustomStringConvertible {
    /// 1 for a run's first reload, then counting up: `riglog reload` waits for the next one.
    public var sequence: Int
    public var at: Timestamp
    /// Who asked: `SIGHUP` (`riglog reload` sends it), or `admin NAME` from the web.
    public var requestedBy: String
    public var applied: Bool
    /// Applied: what changed. Refused: every error (`file:line: ...`) or setting that needs a
    /// restart, one a line.
    public var lines: [String]

    public init(sequence: Int, at: Timestamp, requestedBy: String, applied: Bool, lines: [String]) {
        self.sequence = sequence
        self.at = at
        self.requestedBy = requestedBy
        self.applied = applied
        self.lines = lines
    }

    /// `reload 2 applied at 2026-12-03T05:40:00Z (SIGHUP)` and the lines below it.
    public var description: String {
        ([headline] + lines).joined(separator: "\n")
    }

    public var headline: String {
        "reload \(sequence) \(applied ? "applied" : "refused, the running config stays") at \(at.iso8601) (\(requestedBy))"
    }

    /// Reads ``description`` back (the status file); nil for anything else.
    public init?(statusText: String) {
        let all = statusText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let first = all.first, first.hasPrefix("reload ") else { return nil }
        let words = first.split(separator: " ")
        guard words.count >= 3, let sequence = Int(words[1]) else { return nil }
        self.sequence = sequence
        applied = words[2] == "applied"
        let atWord = words.firstIndex(of: "at").map { words.index(after: $0) }
        at = atWord.flatMap { $0 < words.endIndex ? Timestamp(iso8601: String(words[$0]), in: TimeZone(identifier: "UTC")!) : nil } ?? .distantPast
        requestedBy = first.firstIndex(of: "(").map { String(first[first.index(after: $0)...].dropLast()) } ?? ""
        lines = all.dropFirst().filter { !$0.isEmpty }
    }
}
