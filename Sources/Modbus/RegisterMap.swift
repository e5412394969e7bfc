internal import CModbus
import Threads

/// The four tables a simulated device serves, safe to update while a server reads them.
///
/// Backed by libmodbus's own `modbus_mapping_t`, so requests are answered by libmodbus's reply
/// code. Every access goes through one lock: the server holds it while composing a reply, so
/// a multi-register value is never served half-updated.
public final class RegisterMap: @unchecked Sendable {
    private let mapping: Mutex<MappingPointer>

    /// Sizes of each table; addresses run from 0.
    public init(coils: Int = 0, discreteInputs: Int = 0, holdingRegisters: Int = 0, inputRegisters: Int = 0) {
        guard let m = modbus_mapping_new(Int32(coils), Int32(discreteInputs), Int32(holdingRegisters), Int32(inputRegisters)) else {
            fatalError("out of memory for a register map")
        }
        mapping = Mutex(MappingPointer(raw: m))
    }

    /// A map with `count` items in every table.
    public convenience init(size count: Int) {
        self.init(coils: count, discreteInputs: count, holdingRegisters: count, inputRegisters: count)
    }

    deinit {
        mapping.withLock { modbus_mapping_free($0.raw) }
    }

    /// Runs `body` with exclusive access to the tables: update several values atomically.
    public func withTables<R>(_ body: (inout RegisterTables) throws -> R) rethrows -> R {
        try mapping.withLock { m in
            var tables = RegisterTables(m.raw)
            return try body(&tables)
        }
    }

    /// Sets consecutive items of one table (bits as 0/1).
    public func set(_ kind: RegisterKind, at address: Int, to values: [UInt16]) {
        withTables { t in
            for (i, v) in values.enumerated() { t[kind, address + i] = v }
        }
    }

    /// Reads consecutive items of one table (bits as 0/1).
    public func values(_ kind: RegisterKind, at address: Int, count: Int) -> [UInt16] {
        withTables { t in (0..<count).map { t[kind, address + $0] } }
    }

    func withMapping<R>(_ body: (UnsafeMutablePointer<modbus_mapping_t>) -> R) -> R {
        mapping.withLock { body($0.raw) }
    }
}

struct MappingPointer: @unchecked Sendable {
    // Only dereferenced under the RegisterMap's lock.
    let raw: UnsafeMutablePointer<modbus_mapping_t>
}

/// Exclusive access to a ``RegisterMap``'s tables.
///
/// Valid only inside `withTables`: its buffers point into the map and must not escape the closure.
public struct RegisterTables {
    private let bits: UnsafeMutableBufferPointer<UInt8>
    private let inputBits: UnsafeMutableBufferPointer<UInt8>
    /// Holding registers, for encoding values in place with ``ValueCodec``.
    public let holding: UnsafeMutableBufferPointer<UInt16>
    /// Input registers, for encoding values in place with ``ValueCodec``.
    public let input: UnsafeMutableBufferPointer<UInt16>

    init(_ m: UnsafeMutablePointer<modbus_mapping_t>) {
        let p = m.pointee
        bits = UnsafeMutableBufferPointer(start: p.tab_bits, count: Int(p.nb_bits))
        inputBits = UnsafeMutableBufferPointer(start: p.tab_input_bits, count: Int(p.nb_input_bits))
        holding = UnsafeMutableBufferPointer(start: p.tab_registers, count: Int(p.nb_registers))
        input = UnsafeMutableBufferPointer(start: p.tab_input_registers, count: Int(p.nb_input_registers))
    }

    /// One item of a table (bits as 0/1); setting a bit stores any non-zero value as 1.
    public subscript(kind: RegisterKind, address: Int) -> UInt16 {
        get {
            switch kind {
            case .coil: UInt16(bits[address])
            case .discrete: UInt16(inputBits[address])
            case .holding: holding[address]
            case .input: input[address]
            }
        }
        nonmutating set {
            switch kind {
            case .coil: bits[address] = newValue != 0 ? 1 : 0
            case .discrete: inputBits[address] = newValue != 0 ? 1 : 0
            case .holding: holding[address] = newValue
            case .input: input[address] = newValue
            }
        }
    }

    /// The number of items in a table.
    public func count(of kind: RegisterKind) -> Int {
        switch kind {
        case .coil: bits.count
        case .discrete: inputBits.count
        case .holding: holding.count
        case .input: input.count
        }
    }
}
