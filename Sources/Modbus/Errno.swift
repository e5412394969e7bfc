#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum Errno {
    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}

extension Duration {
    /// (seconds, microseconds) as libmodbus's timeout setters take them.
    var secondsAndMicroseconds: (UInt32, UInt32) {
        let c = components
        let micros = c.attoseconds / 1_000_000_000_000
        return (UInt32(clamping: c.seconds), UInt32(clamping: micros))
    }

    var microseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
}
