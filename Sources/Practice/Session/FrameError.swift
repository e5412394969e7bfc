/// Why the evaluator refused a frame. A refused frame changes nothing.
public enum FrameError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Frames must come in time order; equal times are fine.
    case outOfOrder(time: Int64, previous: Int64)
    /// An update named a channel position outside the profile's channel list.
    case unknownChannel(Int, channelCount: Int)

    public var description: String {
        switch self {
        case .outOfOrder(let time, let previous):
            "frame at \(time) ns came after one at \(previous) ns; the evaluator takes frames in time order"
        case .unknownChannel(let channel, let count):
            "channel position \(channel) is outside the profile's \(count) channels"
        }
    }
}
