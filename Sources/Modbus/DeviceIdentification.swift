/// What a device says it is: Modbus function 43, MEI type 14 (Read Device Identification).
///
/// The basic objects every device offering the function must have are the vendor name (object
/// 0), product code (1) and major/minor revision (2); the regular ones (3 vendor URL, 4 product
/// name, 5 model name, 6 user application name) and private ones (0x80 and up) land in
/// ``others``.
public struct DeviceIdentification: Sendable, Hashable {
    /// Object 0, VendorName.
    public var vendor: String
    /// Object 1, ProductCode.
    public var productCode: String
    /// Object 2, MajorMinorRevision.
    public var revision: String
    /// Every other object the device sent, by object id.
    public var others: [UInt8: String]

    public init(vendor: String, productCode: String, revision: String, others: [UInt8: String] = [:]) {
        self.vendor = vendor
        self.productCode = productCode
        self.revision = revision
        self.others = others
    }

    /// From the objects of a reply (missing basic objects read as empty).
    public init(objects: [UInt8: String]) {
        var others = objects
        vendor = others.removeValue(forKey: 0) ?? ""
        productCode = others.removeValue(forKey: 1) ?? ""
        revision = others.removeValue(forKey: 2) ?? ""
        self.others = others
    }

    /// Every object, basic ones included, by id.
    public var objects: [UInt8: String] {
        var all = others
        all[0] = vendor
        all[1] = productCode
        all[2] = revision
        return all
    }

    /// The specification's name of an object id (`VendorName` ... `UserApplicationName`), or
    /// `object 0x80` for a private one.
    public static func objectName(_ id: UInt8) -> String {
        switch id {
        case 0: "VendorName"
        case 1: "ProductCode"
        case 2: "MajorMinorRevision"
        case 3: "VendorUrl"
        case 4: "ProductName"
        case 5: "ModelName"
        case 6: "UserApplicationName"
        default: "object 0x" + String(id, radix: 16, uppercase: true)
        }
    }
}

/// What asking a device for its identification came to.
public enum DeviceIdentificationResult: Sendable, Hashable, CustomStringConvertible {
    /// The device answered with its objects.
    case identified(DeviceIdentification)
    /// The device answered with an exception; `.illegalFunction` means it does not offer device
    /// identification (most simple devices), `.gatewayTargetFailedToRespond` that a gateway
    /// found no such unit.
    case exception(ModbusException)
    /// No reply within the response timeout: some devices stay silent on a function they lack.
    case noReply(after: Duration)
    /// A reply that is not a well-formed identification (the detail says what was wrong).
    case malformed(String)

    /// The identification, when there is one.
    public var identification: DeviceIdentification? {
        if case .identified(let identification) = self { identification } else { nil }
    }

    /// One line for a technician: what the device is, or why it did not say.
    public var description: String {
        switch self {
        case .identified(let id):
            return "\(id.vendor) \(id.productCode), revision \(id.revision)"
        case .exception(.illegalFunction):
            return "does not offer device identification (exception 01 illegal function: it has no function 43/14; "
                + "identify it from its label or manual)"
        case .exception(let exception):
            return "refused device identification (exception \(String(format2: exception.rawValue)) \(exception.name.lowercased()))"
        case .noReply(let after):
            return "no reply to device identification within \(after.riglogText) (a device without function 43 may stay silent; "
                + "if it answers reads, it does not offer identification)"
        case .malformed(let detail):
            return "answered device identification with a malformed reply: \(detail)"
        }
    }
}

extension String {
    /// Two hex digits.
    init(format2 byte: UInt8) {
        let digits = String(byte, radix: 16, uppercase: true)
        self = digits.count == 1 ? "0" + digits : digits
    }
}

/// The protocol data units of Read Device Identification, framed and parsed by riglog: libmodbus
/// 3.1 has no call for function 43 and its receive cannot size the reply.
public enum DeviceIdentificationPDU {
    public static let functionCode: UInt8 = 0x2B
    public static let meiType: UInt8 = 0x0E
    /// The read device id codes: 1 basic (objects 0-2), 2 regular (0-6), 3 extended (0-255),
    /// 4 one specific object.
    public static let basic: UInt8 = 1, regular: UInt8 = 2, extended: UInt8 = 3, specific: UInt8 = 4
    /// The most a reply's PDU may hold (a Modbus PDU is at most 253 bytes).
    static let maximumPDU = 253

    /// A request for the objects of `category` from `objectID` on.
    public static func request(category: UInt8 = basic, from objectID: UInt8 = 0) -> [UInt8] {
        [functionCode, meiType, category, objectID]
    }

    /// One reply: some objects, and where to go on when they did not all fit.
    public struct Reply: Sendable, Hashable {
        public var category: UInt8
        public var conformity: UInt8
        public var moreFollows: Bool
        public var nextObject: UInt8
        public var objects: [(id: UInt8, value: String)]

        public static func == (a: Reply, b: Reply) -> Bool {
            a.category == b.category && a.conformity == b.conformity && a.moreFollows == b.moreFollows && a.nextObject == b.nextObject
                && a.objects.map(\.id) == b.objects.map(\.id) && a.objects.map(\.value) == b.objects.map(\.value)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(objects.map(\.id))
            hasher.combine(objects.map(\.value))
        }
    }

    public enum Parsed: Sendable, Hashable {
        case reply(Reply)
        case exception(UInt8)
        case malformed(String)
    }

    /// Parses a reply PDU (function code first). Object values are read as UTF-8 (the standard
    /// says ASCII; bytes that are not UTF-8 become U+FFFD).
    public static func parse(_ pdu: [UInt8]) -> Parsed {
        guard let function = pdu.first else { return .malformed("an empty reply") }
        if function == functionCode | 0x80 {
            return pdu.count == 2 ? .exception(pdu[1]) : .malformed("an exception reply of \(pdu.count) bytes")
        }
        guard function == functionCode else { return .malformed("function code \(function) in the reply, not 43") }
        guard pdu.count >= 7 else { return .malformed("a reply of \(pdu.count) bytes, shorter than its header") }
        guard pdu[1] == meiType else { return .malformed("MEI type \(pdu[1]) in the reply, not 14") }
        guard pdu[4] == 0x00 || pdu[4] == 0xFF else { return .malformed("more-follows byte \(pdu[4]), not 00 or FF") }
        var objects: [(id: UInt8, value: String)] = []
        var at = 7
        for _ in 0..<Int(pdu[6]) {
            guard at + 2 <= pdu.count, at + 2 + Int(pdu[at + 1]) <= pdu.count else {
                return .malformed("object \(objects.count + 1) of \(pdu[6]) runs past the end of the reply")
            }
            let length = Int(pdu[at + 1])
            objects.append((pdu[at], String(decoding: pdu[(at + 2)..<(at + 2 + length)], as: UTF8.self)))
            at += 2 + length
        }
        guard at == pdu.count else { return .malformed("\(pdu.count - at) bytes after the last object") }
        return .reply(Reply(category: pdu[2], conformity: pdu[3], moreFollows: pdu[4] == 0xFF, nextObject: pdu[5], objects: objects))
    }

    /// The length of an RTU reply frame (unit, PDU, CRC) from its first `count` bytes, or nil
    /// while it is not yet known.
    package static func rtuFrameLength(_ frame: [UInt8], count: Int) -> Int? {
        guard count >= 2 else { return nil }
        if frame[1] & 0x80 != 0 { return 5 }
        guard count >= 8 else { return nil }
        var at = 8  // unit, then the PDU's header of 7 bytes
        for _ in 0..<Int(frame[7]) {
            guard count >= at + 2 else { return nil }
            at += 2 + Int(frame[at + 1])
        }
        return at + 2
    }

    /// The server's reply PDU to a request PDU, from a device's objects: the objects of the
    /// category asked for from the object asked for (a stream starting at an object the device
    /// does not have starts at 0, as the specification says), as many as fit, with more-follows
    /// set when they do not all fit. An exception PDU for a request it cannot answer.
    public static func reply(to request: [UInt8], objects: [UInt8: String]) -> [UInt8] {
        func exception(_ e: ModbusException) -> [UInt8] { [functionCode | 0x80, e.rawValue] }
        guard request.count == 4, request[0] == functionCode, request[1] == meiType else { return exception(.illegalDataValue) }
        let category = request[2], first = request[3]
        let range: ClosedRange<UInt8>
        switch category {
        case basic: range = 0...2
        case regular: range = 0...0x7F
        case extended: range = 0...0xFF
        case specific:
            guard let value = objects[first] else { return exception(.illegalDataAddress) }
            return [functionCode, meiType, category, conformity(objects), 0, 0, 1, first] + encoded(value)
        default: return exception(.illegalDataValue)
        }
        var start = first
        if objects[start] == nil || !range.contains(start) { start = 0 }
        let ids = objects.keys.filter { range.contains($0) && $0 >= start }.sorted()
        var body: [UInt8] = [], count: UInt8 = 0, next: UInt8 = 0, more = false
        for id in ids {
            let item = [id] + encoded(objects[id]!)
            if 7 + body.count + item.count > maximumPDU {
                more = true
                next = id
                break
            }
            body += item
            count += 1
        }
        return [functionCode, meiType, category, conformity(objects), more ? 0xFF : 0, next, count] + body
    }

    /// The conformity level a device with these objects declares: stream and individual access
    /// (0x80) to the highest category it has.
    static func conformity(_ objects: [UInt8: String]) -> UInt8 {
        objects.keys.contains { $0 >= 0x80 } ? 0x83 : objects.keys.contains { $0 > 2 } ? 0x82 : 0x81
    }

    /// An object's value: its UTF-8 bytes (at most 245), with their length first.
    static func encoded(_ value: String) -> [UInt8] {
        let bytes = Array(value.utf8.prefix(245))
        return [UInt8(bytes.count)] + bytes
    }
}
