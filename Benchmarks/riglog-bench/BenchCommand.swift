import Foundation

/// What every `riglog-bench` subcommand shares: running when named, and reading its options.
enum BenchCommand {
    /// Runs `body` and exits when `arguments[1]` is one of `names` (and there are at least
    /// `minimumCount` arguments): 0 when it returns, 1 with the error on standard output when it
    /// throws. Returns without doing anything otherwise, so main.swift can try each subcommand.
    static func run(_ arguments: [String], when names: String..., minimumCount: Int = 2, _ body: () throws -> Void) {
        guard arguments.count >= max(2, minimumCount), names.contains(arguments[1]) else { return }
        do {
            try body()
        } catch {
            print("riglog-bench: \(error)")
            exit(1)
        }
        exit(0)
    }

    /// The integer after `--name` in `arguments`, or `value` when it is absent or not a number.
    static func option(_ name: String, in arguments: [String], default value: Int) -> Int {
        guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let n = Int(arguments[i + 1]) else { return value }
        return n
    }
}
