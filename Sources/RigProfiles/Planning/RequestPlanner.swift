public import Modbus

/// Merges values into as few requests as the device allows.
///
/// Values of one table and one interval are sorted by address and joined greedily: the next
/// value joins the current request when the request stays within the table's limit and the
/// unused addresses between them are at most `maxGapFill`. A value is atomic, so it is never
/// split; bit channels of one status word share their register.
public enum RequestPlanner {
    /// One value to read.
    public struct Item: Sendable, Hashable {
        public var target: PlannedField.Target
        public var kind: RegisterKind
        public var address: Int
        /// Registers (or bits) the value occupies.
        public var width: Int
        public var interval: Duration

        public init(target: PlannedField.Target, kind: RegisterKind, address: Int, width: Int, interval: Duration) {
            self.target = target
            self.kind = kind
            self.address = address
            self.width = width
            self.interval = interval
        }
    }

    /// The requests for `items`, ordered by interval, function code and address.
    public static func plan(_ items: [Item], limits: DeviceLimits) -> [PlannedRequest] {
        struct GroupKey: Hashable {
            var interval: Duration
            var kind: RegisterKind
        }
        let groups = Dictionary(grouping: items) { GroupKey(interval: $0.interval, kind: $0.kind) }
        var requests: [PlannedRequest] = []
        for (key, group) in groups {
            let limit = key.kind.isBit ? limits.maxBitsPerRequest : limits.maxRegistersPerRequest
            let sorted = group.sorted { ($0.address, $0.width) < ($1.address, $1.width) }
            var current: PlannedRequest?
            for item in sorted {
                let itemEnd = item.address + item.width
                if var request = current, !limits.oneRequestPerField {
                    let end = request.start + request.count
                    let gap = item.address - end
                    let newEnd = max(end, itemEnd)
                    if gap <= limits.maxGapFill, newEnd - request.start <= limit {
                        if gap > 0 { request.gaps.append(end..<item.address) }
                        request.count = newEnd - request.start
                        request.fields.append(PlannedField(target: item.target, offset: item.address - request.start, width: item.width))
                        current = request
                        continue
                    }
                }
                if let done = current { requests.append(done) }
                current = PlannedRequest(
                    kind: key.kind, start: item.address, count: item.width, interval: key.interval,
                    fields: [PlannedField(target: item.target, offset: 0, width: item.width)], gaps: [])
            }
            if let done = current { requests.append(done) }
        }
        return requests.sorted {
            ($0.interval, $0.functionCode, $0.start, $0.count) < ($1.interval, $1.functionCode, $1.start, $1.count)
        }
    }
}
