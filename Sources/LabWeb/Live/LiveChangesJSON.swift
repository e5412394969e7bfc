import NIOCore

/// The live feed's `values` message written straight into a buffer: byte for byte what
/// ``APIJSON``'s encoder writes for a ``LiveChanges`` (keys sorted, `/` escaped, whole numbers
/// without `.0`), which the tests check against it.
///
/// Why not the encoder: the message goes out ten times a second while the lab polls, and
/// Foundation's `JSONEncoder` took 2.3 ms for a 64-rig board (13.6 KB), through boxes for every
/// value and key, on the collector's CPU. Only this message is written by hand; the board
/// message and every API body stay with the encoder.
extension LiveChanges {
    func write(into out: inout ByteBuffer) {
        out.writeStaticString("{\"central\":")
        if let central {
            out.writeStaticString("{\"connected\":")
            out.writeJSON(central.connected)
            out.writeStaticString(",\"forwarded_until\":")
            out.writeJSON(central.forwardedUntil)
            out.writeStaticString(",\"last_error\":")
            out.writeJSON(central.lastError)
            out.writeStaticString(",\"waiting\":")
            out.writeString(String(central.waiting))
            out.writeStaticString("}")
        } else {
            out.writeStaticString("null")
        }
        out.writeStaticString(",\"rigs\":[")
        for (index, rig) in rigs.enumerated() {
            if index > 0 { out.writeStaticString(",") }
            rig.write(into: &out)
        }
        out.writeStaticString("],\"store\":")
        if let store {
            out.writeStaticString("{\"dropped_samples\":")
            out.writeString(String(store.droppedSamples))
            out.writeStaticString(",\"error\":")
            out.writeJSON(store.error)
            out.writeStaticString(",\"failing_since\":")
            out.writeJSON(store.failingSince)
            out.writeStaticString(",\"writable\":")
            out.writeJSON(store.writable)
            out.writeStaticString("}")
        } else {
            out.writeStaticString("null")
        }
        out.writeStaticString("}")
    }
}

extension LiveRig {
    /// The rig's object, its keys in sorted order as the encoder writes them.
    func write(into out: inout ByteBuffer) {
        out.writeStaticString("{\"alarms\":[")
        for (index, alarm) in alarms.enumerated() {
            out.writeStaticString(index > 0 ? ",{\"alarm\":" : "{\"alarm\":")
            out.writeJSON(alarm.alarm)
            out.writeStaticString(",\"fired\":")
            out.writeJSON(alarm.fired)
            out.writeStaticString(",\"severity\":")
            out.writeJSON(alarm.severity)
            out.writeStaticString(",\"since\":")
            out.writeJSON(alarm.since)
            out.writeStaticString("}")
        }
        out.writeStaticString("],\"attempts\":[")
        for (index, attempt) in attempts.enumerated() {
            out.writeStaticString(index > 0 ? ",{\"exercise\":" : "{\"exercise\":")
            out.writeJSON(attempt.exercise)
            out.writeStaticString(",\"since\":")
            out.writeJSON(attempt.since)
            out.writeStaticString(",\"step\":")
            out.writeString(String(attempt.step))
            out.writeStaticString(",\"steps\":")
            out.writeString(String(attempt.steps))
            out.writeStaticString("}")
        }
        out.writeStaticString("],\"id\":")
        out.writeJSON(id)
        out.writeStaticString(",\"labels\":{")
        for (index, key) in labels.keys.sorted().enumerated() {
            if index > 0 { out.writeStaticString(",") }
            out.writeJSON(key)
            out.writeStaticString(":")
            out.writeJSON(labels[key])
        }
        out.writeStaticString("},\"since\":")
        out.writeJSON(since)
        out.writeStaticString(",\"student\":")
        if let student {
            out.writeStaticString("{\"id\":")
            out.writeJSON(student.id)
            out.writeStaticString(",\"name\":")
            out.writeJSON(student.name)
            out.writeStaticString("}")
        } else {
            out.writeStaticString("null")
        }
        out.writeStaticString(",\"time\":")
        out.writeJSON(time)
        out.writeStaticString(",\"up\":")
        out.writeJSON(up)
        out.writeStaticString(",\"values\":[")
        for (index, value) in values.enumerated() {
            if index > 0 { out.writeStaticString(",") }
            if let value, value.isFinite {
                // As the encoder: the shortest text that reads back as the same double, a
                // whole number without its ".0".
                var text = value.description
                if text.hasSuffix(".0") { text.removeLast(2) }
                out.writeString(text)
            } else {
                out.writeStaticString("null")
            }
        }
        out.writeStaticString("]}")
    }
}

extension ByteBuffer {
    mutating func writeJSON(_ value: Bool) {
        writeStaticString(value ? "true" : "false")
    }

    /// A JSON string (or null), escaped as Foundation's encoder escapes it.
    mutating func writeJSON(_ value: String?) {
        guard let value else {
            writeStaticString("null")
            return
        }
        writeInteger(UInt8(ascii: "\""))
        var plain = value.utf8.startIndex
        let utf8 = value.utf8
        var index = plain
        while index != utf8.endIndex {
            let byte = utf8[index]
            let escape: StaticString? = switch byte {
            case UInt8(ascii: "\""): "\\\""
            case UInt8(ascii: "\\"): "\\\\"
            case UInt8(ascii: "/"): "\\/"
            case 0x0A: "\\n"
            case 0x0D: "\\r"
            case 0x09: "\\t"
            case 0x08: "\\b"
            case 0x0C: "\\f"
            default: nil
            }
            if escape != nil || byte < 0x20 {
                writeBytes(utf8[plain..<index])
                if let escape {
                    writeStaticString(escape)
                } else {
                    writeStaticString("\\u00")
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    writeInteger(hex[Int(byte >> 4)])
                    writeInteger(hex[Int(byte & 0x0F)])
                }
                plain = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        writeBytes(utf8[plain..<utf8.endIndex])
        writeInteger(UInt8(ascii: "\""))
    }
}
