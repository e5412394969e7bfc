public import Collector
import Foundation
public import ServiceLifecycle

/// A one-line live status on a terminal's stderr: rigs online, polls a second, samples lost.
///
/// For a person watching `collect` or `demo`; the run adds it only when stderr is a terminal.
public struct StatusLine: Service {
    public let collector: Collector

    public init(collector: Collector) {
        self.collector = collector
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastPolls = 0
            var lastTime = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let stats = collector.statistics.map(\.snapshot)
                let polls = stats.reduce(0) { $0 + $1.polls }
                let now = ContinuousClock.now
                let rate = Double(polls - lastPolls) / (now - lastTime).seconds
                (lastPolls, lastTime) = (polls, now)
                let line = "\r\(stats.filter(\.up).count)/\(stats.count) rigs online · \(Int(rate.rounded())) polls/s · \(collector.droppedSamples) samples lost   "
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

extension Duration {
    /// The duration in seconds, fractions included.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
