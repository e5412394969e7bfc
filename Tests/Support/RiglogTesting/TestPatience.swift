public import Foundation

/// How much longer than usual the tests wait for a condition: `RIGLOG_TEST_PATIENCE` (a factor,
/// 1 when unset). `make tsan` and `make asan` set it, as a sanitized build runs several times
/// slower. Every bounded wait in the test support goes through ``scaled(_:)``; a wait ends as
/// soon as its condition holds, so a larger factor only lengthens a failure.
public enum TestPatience {
    public static let factor: Double = {
        guard let text = ProcessInfo.processInfo.environment["RIGLOG_TEST_PATIENCE"], let factor = Double(text), factor >= 1 else { return 1 }
        return factor
    }()

    /// `timeout` times ``factor``.
    public static func scaled(_ timeout: Duration) -> Duration { timeout * factor }
}
