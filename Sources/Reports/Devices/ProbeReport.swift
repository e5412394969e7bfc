public import Modbus

/// The text `riglog probe` prints: raw registers, then every decoding that fits.
public struct ProbeReport: Sendable {
    public var endpoint: ModbusEndpoint
    public var request: ReadRequest
    /// The registers (or bits, as 0 and 1) read, from `request.address` on.
    public var values: [UInt16]
    /// How long the read took.
    public var elapsed: Duration

    public init(endpoint: ModbusEndpoint, request: ReadRequest, values: [UInt16], elapsed: Duration) {
        self.endpoint = endpoint
        self.request = request
        self.values = values
        self.elapsed = elapsed
    }

    /// The heading line, the raw table, and (for registers) every type and word order decoded.
    public func render() -> String {
        var lines = ["\(endpoint) unit \(request.unit): \(request.kind) \(rangeText) read in \(millisecondsText(elapsed))", ""]
        if request.kind.isBit {
            lines += table(header: ["address", "modicon", "value"], rows: values.enumerated().map { i, v in
                [String(request.address + i), modicon(i), String(v)]
            })
            return lines.joined(separator: "\n")
        }
        lines += table(header: ["address", "modicon", "dec", "i16", "hex", "binary"], rows: values.enumerated().map { i, v in
            [String(request.address + i), modicon(i), String(v), String(Int16(bitPattern: v)), hex(v), binary(v)]
        })
        lines += ["", "Decoded from \(request.kind) \(request.address) (Modicon \(request.kind.modiconReference(ofAddress: request.address))):"]
        var rows: [[String]] = []
        for type in ValueType.numericTypes where type.registerCount <= values.count {
            let orders: [WordOrder] = type.hasWordOrder ? WordOrder.allCases : [.abcd]
            for order in orders {
                let value = ValueCodec.decode(type, order: order, registers: values)
                rows.append([type.description, type.hasWordOrder ? order.name(registerCount: type.registerCount) : "-", show(value, type)])
            }
        }
        lines += table(header: ["type", "order", "value"], rows: rows)
        if values.count < 4 {
            lines.append("(read \(4 - values.count) more register\(values.count == 3 ? "" : "s") with --count 4 to see the 64-bit decodings)")
        }
        return lines.joined(separator: "\n")
    }

    private var rangeText: String {
        let last = request.address + request.count - 1
        return request.count == 1
            ? "\(request.address) (Modicon \(modicon(0)))"
            : "\(request.address)..\(last) (Modicon \(modicon(0))..\(modicon(request.count - 1)))"
    }

    private func modicon(_ i: Int) -> String { String(request.kind.modiconReference(ofAddress: request.address + i)) }

    private func hex(_ v: UInt16) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
    }

    private func binary(_ v: UInt16) -> String {
        let bits = String(v, radix: 2)
        let padded = String(repeating: "0", count: 16 - bits.count) + bits
        return stride(from: 0, to: 16, by: 4).map { i in
            String(padded[padded.index(padded.startIndex, offsetBy: i)..<padded.index(padded.startIndex, offsetBy: i + 4)])
        }.joined(separator: " ")
    }

    /// Floats at their own precision; tiny or huge ones flagged, since a wrong word order
    /// usually shows up as one of those.
    private func show(_ value: DecodedValue, _ type: ValueType) -> String {
        guard case .float(let f) = value else { return value.description }
        if f.isNaN { return "NaN" }
        if f.isInfinite { return f > 0 ? "+inf" : "-inf" }
        let text = type == .f32 ? Float(f).description : f.description
        let magnitude = abs(f)
        if magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e12) { return text + "  (implausible)" }
        return text
    }

    private func millisecondsText(_ d: Duration) -> String {
        let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return "\((ms * 10).rounded() / 10) ms"
    }

    /// Numbers right-aligned, words left-aligned, cell by cell: a decoded value column mixes
    /// `NaN` with numbers, and a word order such as `CDAB` is a word even where it looks like
    /// a number.
    private func table(header: [String], rows: [[String]]) -> [String] {
        var table = TextTable(header: header)
        for row in rows {
            table.add(row.enumerated().map { i, text in
                let numeric = text.first.map { $0.isNumber || $0 == "-" || $0 == "+" } == true && header[i] != "order"
                return TextTable.Cell(text, alignment: numeric ? .right : .left)
            })
        }
        return table.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
