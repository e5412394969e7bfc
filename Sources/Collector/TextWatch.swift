import Ingest
import Modbus

/// The last registers of every text channel (`string N`) of one connection, so a poll's answer
/// is compared with them in place and a text is decoded, allocated and posted only when it
/// changed: a text is stored as an event on change, never as a sample per poll.
///
/// Confined to its poller's thread, like the poller; its buffer is allocated once, at start.
final class TextWatch {
    /// Where each request's first text channel keeps its registers in ``last``, by rig, then
    /// request (later text channels of the request follow it).
    private let base: [[Int]]
    private let last: UnsafeMutableBufferPointer<UInt16>
    /// Whether the text at that slot was read since the run started (the first read is posted).
    private var known: [Bool]
    private let slots: [[Int]]

    init(rigs: [CompiledRig]) {
        var base: [[Int]] = [], slots: [[Int]] = [], total = 0, count = 0
        for rig in rigs {
            base.append(rig.requests.map { request in
                defer { total += request.texts.reduce(0) { $0 + $1.count } }
                return total
            })
            slots.append(rig.requests.map { request in
                defer { count += request.texts.count }
                return count
            })
        }
        self.base = base
        self.slots = slots
        last = .allocate(capacity: max(total, 1))
        last.initialize(repeating: 0)
        known = Array(repeating: false, count: count)
    }

    deinit { last.deallocate() }

    /// Compares `request`'s text channels in `registers` (the answer) with their last value and
    /// calls `changed` with the new text of each that differs.
    @inline(__always)
    func check(_ request: CompiledRig.Request, rig: Int, index: Int, registers: UnsafeBufferPointer<UInt16>,
               changed: (_ channel: UInt32, _ text: String) -> Void) {
        guard !request.texts.isEmpty else { return }
        var at = base[rig][index], slot = slots[rig][index]
        for text in request.texts {
            var same = known[slot]
            if same {
                for i in 0..<text.count where last[at + i] != registers[text.offset + i] {
                    same = false
                    break
                }
            }
            if !same {
                for i in 0..<text.count { last[at + i] = registers[text.offset + i] }
                known[slot] = true
                changed(text.channel, ValueCodec.text(of: UnsafeBufferPointer(rebasing: registers[text.offset...]), count: text.count, order: text.order))
            }
            at += text.count
            slot += 1
        }
    }
}
