/// The parsers riglog-fuzz feeds, one target each. Every target takes any bytes: a thrown error
/// (a refused file, a malformed reply) is a fine outcome; a trap, an out-of-bounds read or a
/// hang is a bug to fix in the parser.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// A device profile (YAML), `ProfileLoader.parse`.
    case profile
    /// A lab config (YAML) whose rigs name the repository's profiles, `LabLoader.parse`.
    case lab
    /// A practice expression, `Expression.parse` then the checker over a sample channel set.
    case expression
    /// A stored chunk, every column decoded (`StoredChunk.decodeAll`).
    case chunk
    /// A roster CSV, `RosterFile.parse`.
    case roster
    /// A timetable CSV checked against a store with rigs and students, `TimetableFile.parse`.
    case timetable
    /// A Modbus TCP reply stream to a read request: MBAP framing, matching, register decoding.
    case modbusTCP = "modbus-tcp"
    /// An RTU-over-TCP reply stream: RTU framing, CRC, matching, and the identification reply.
    case modbusRTU = "modbus-rtu"
    /// A urlencoded body decoded as each of the portal's forms.
    case form
    /// A desk upload: the request target (query `file=`, `replace=`) on the first line, the
    /// CSV body after it, parsed as the upload routes parse it.
    case upload

    /// Feeds one input to the target's parser. Returns true when the parser accepted it, false
    /// when it refused it (threw, or reported a malformed frame).
    func run(_ bytes: [UInt8], _ fixture: FuzzFixture) -> Bool {
        switch self {
        case .profile: ConfigTargets.profile(bytes)
        case .lab: ConfigTargets.lab(bytes, devices: fixture.devicesFolder)
        case .expression: ConfigTargets.expression(bytes)
        case .chunk: StoreTargets.chunk(bytes)
        case .roster: StoreTargets.roster(bytes)
        case .timetable: StoreTargets.timetable(bytes, store: fixture.store)
        case .modbusTCP: ModbusTargets.tcp(bytes)
        case .modbusRTU: ModbusTargets.rtu(bytes)
        case .form: WebTargets.form(bytes)
        case .upload: WebTargets.upload(bytes, store: fixture.store)
        }
    }
}
