import Modbus

/// Whether a rig's planned requests fit its poll period on its connection, timeouts included.
///
/// One connection sends one request at a time, so in each period of an interval the rig's
/// requests of that interval need, one after the other: their frames on the wire (known on a
/// serial bus from the baud rate; negligible on Ethernet), the bus's inter-frame gap and pause,
/// and the device's `pause_between_requests`. A reply that never comes holds the connection for
/// the whole timeout instead of its reply's time, so with a timeout known from the lab config
/// (the rig's `timeout:` or its bus's `timeout=`) one timed-out request must fit as well:
/// otherwise a single lost reply makes the rig miss its next poll, every time.
///
/// The collector's `--timeout` is not known when a lab is checked, so a rig without a timeout
/// of its own is checked with its requests' wire time only.
public struct CycleBudget: Sendable, Hashable, CustomStringConvertible {
    public var rig: String
    /// The poll interval checked.
    public var interval: Duration
    /// Requests of the rig at that interval.
    public var requests: Int
    /// Their frames' time on the wire, all together (zero over Ethernet).
    public var wire: Duration
    /// Quiet time kept after each request: the bus's gap and pause, the device's pause.
    public var quietPerRequest: Duration
    /// The timeout from the lab config, if any.
    public var timeout: Duration?
    /// The shortest reply's wire time: a timeout replacing it costs the most.
    public var shortestReply: Duration

    /// What one period needs with every reply on time, or with one timed out.
    public var needed: Duration {
        let onTime = wire + quietPerRequest * requests
        guard let timeout else { return onTime }
        return onTime + max(.zero, timeout - shortestReply)
    }

    public var fits: Bool { needed <= interval }

    /// The numbers, as `devices check` prints them for a rig that does not fit.
    public var description: String {
        func ms(_ d: Duration) -> String {
            let value = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
            return value == value.rounded() ? "\(Int(value))ms" : "\((value * 10).rounded() / 10)ms"
        }
        var text = "\(requests) request\(requests == 1 ? "" : "s") every \(ms(interval)) need\(requests == 1 ? "s" : "") \(ms(needed)) on the connection: "
            + "\(ms(wire)) on the wire and \(ms(quietPerRequest)) quiet after each"
        if let timeout { text += ", plus \(ms(timeout - shortestReply)) when one reply times out (timeout \(ms(timeout)))" }
        return text + "; poll less often (poll:), shorten the timeout, or read fewer, larger blocks (max_gap_fill)"
    }

    /// The budget of each of `rig`'s poll intervals, shortest first.
    public static func budgets(for rig: Rig) -> [CycleBudget] {
        let plan = rig.requestPlan
        let endpoint = rig.endpoint
        let timeout = rig.timeout ?? endpoint.responseTimeout
        let quiet = Duration.microseconds(endpoint.interFrameGapMicroseconds ?? 0)
            + (endpoint.busTiming?.pauseAfterFrame ?? .zero) + plan.limits.pauseBetweenRequests
        return plan.intervals.map { interval in
            let requests = plan.requests.filter { $0.interval == interval }
            var wire = Duration.zero, shortestReply: Duration?
            for request in requests {
                let data = request.kind.isBit ? (request.count + 7) / 8 : 2 * request.count
                let reply = wireTime(characters: 5 + data, on: endpoint)
                wire += wireTime(characters: 8, on: endpoint) + reply
                shortestReply = min(shortestReply ?? reply, reply)
            }
            return CycleBudget(rig: rig.id, interval: interval, requests: requests.count, wire: wire, quietPerRequest: quiet,
                               timeout: timeout, shortestReply: shortestReply ?? .zero)
        }
    }

    /// The share of each second the requests of one interval keep the connection busy when
    /// every reply is on time (timeouts aside: one lost reply is the rig's own budget).
    public var load: Double {
        (wire + quietPerRequest * requests).secondsValue / interval.secondsValue
    }

    /// The share of each second `rigs` (the rigs of one connection) keep it busy; above 1 the
    /// bus cannot carry them, however each fits alone.
    public static func load(of rigs: [Rig]) -> Double {
        rigs.flatMap(budgets(for:)).reduce(0) { $0 + $1.load }
    }

    /// `characters` RTU characters at the bus's speed; zero over Ethernet.
    static func wireTime(characters: Int, on endpoint: ModbusEndpoint) -> Duration {
        let baud: Int, bits: Int
        switch endpoint {
        case .tcp: return .zero
        case .rtu(let line): (baud, bits) = (line.baud, 1 + line.dataBits + (line.parity == .none ? 0 : 1) + line.stopBits)
        case .rtuOverTCP(let gateway): (baud, bits) = (gateway.baud, 11)
        }
        return .microseconds(Int64(characters * bits) * 1_000_000 / Int64(baud))
    }
}

extension Duration {
    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
