import Foundation

/// A one-line progress bar on stderr, shown only when stderr is a terminal and the export is
/// long enough to be worth watching.
final class ProgressBar {
    private let enabled = isatty(STDERR_FILENO) == 1
    private var shown = false

    func update(done: Int, total: Int) {
        guard enabled, total >= 200_000 else { return }
        let fraction = min(1, Double(done) / Double(max(total, 1)))
        let width = 30
        let filled = Int(fraction * Double(width))
        let line = "\rexporting [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(Int(fraction * 100))%"
        FileHandle.standardError.write(Data(line.utf8))
        shown = true
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

/// Progress on stderr: one line rewritten in place on a terminal, a line each otherwise.
final class ProgressLine {
    private let terminal = isatty(2) == 1

    func show(_ text: String) {
        FileHandle.standardError.write(Data((terminal ? "\r\(text)" : "\(text)\n").utf8))
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
