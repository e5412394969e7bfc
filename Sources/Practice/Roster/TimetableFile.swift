import CSV
public import Foundation
public import Store
public import Timekeeping

/// A timetable CSV (`rig,student,start,end`), checked whole against the store before anything is
/// imported.
///
/// `start` and `end` are ISO 8601 date-times, in the lab's time zone unless they carry an offset
/// or `Z`. Slots of one rig may touch (one ends at 10:00, the next starts at 10:00) but not
/// overlap, in the file or with a slot already stored; a slot identical to a stored one is
/// already there and is kept once.
public struct TimetableFile: Sendable, Hashable {
    /// The slots, in file order.
    public var entries: [TimetableEntry]
    /// Header fields that are not timetable columns.
    public var ignoredColumns: [String]

    static let required = ["rig", "student", "start", "end"]

    /// Reads and checks a timetable file.
    ///
    /// - Parameter replacing: true when the import will replace the stored slots of the file's
    ///   rigs in its span (`--replace`), so overlaps with them are not problems.
    /// - Throws: ``CSVImportError`` listing every problem (unreadable file, missing column, bad
    ///   time, end not after start, unknown rig or student, overlapping slots), or a
    ///   ``StoreError`` when the store cannot be read.
    public static func load(path: String, labTime: LabTime, store: StoreDatabase, replacing: Bool = false) throws -> TimetableFile {
        try parse(data: try CSVFile.read(path), file: CSVFile.displayName(path), labTime: labTime, store: store, replacing: replacing)
    }

    /// Checks a timetable file's bytes; `file` names it in the errors.
    public static func parse(data: Data, file: String, labTime: LabTime, store: StoreDatabase, replacing: Bool = false) throws -> TimetableFile {
        let table = try CSVTable(data: data, file: file)
        let (columns, ignored) = try table.columns(required: required, file: file)
        let rigs = try store.rigIDs()
        let students = Set(try store.students().map(\.id))
        var problems: [CSVImportError.Problem] = []
        var slots: [Slot] = []
        var unknownRigs = Set<String>()
        for record in table.records {
            guard let fields = CSVFile.fields(of: record, columns: table.header.count, delimiter: table.delimiter, problems: &problems) else { continue }
            func value(_ name: String) -> String { fields[columns[name]!] }
            let line = record.line
            var rowOK = true
            func problem(_ message: String) {
                problems.append(.init(line: line, message: message))
                rowOK = false
            }
            let rig = value("rig"), student = value("student")
            if rig.isEmpty {
                problem("rig is empty")
            } else if !rigs.contains(rig) {
                unknownRigs.insert(rig)
                problem(rigs.isEmpty
                    ? "no rig \"\(rig)\" in this data folder (it holds no rigs yet: run `riglog collect` with the lab config once, or check --data)"
                    : "no rig \"\(rig)\" in this data folder; known rigs: \(rigs.joined(separator: ", "))")
            }
            if student.isEmpty {
                problem("student is empty")
            } else if !students.contains(student) {
                problem("no student \"\(student)\" in the roster; import the roster first (riglog students import FILE.csv)")
            }
            let start = time(value("start"), column: "start", labTime: labTime, problem: problem)
            let end = time(value("end"), column: "end", labTime: labTime, problem: problem)
            if let start, let end, end <= start {
                problem("end \(value("end")) is not after start \(value("start"))")
            }
            if rowOK, let start, let end {
                slots.append(Slot(line: line, entry: TimetableEntry(rig: rig, student: student, start: start, end: end)))
            }
        }
        problems += overlapsInFile(slots, labTime: labTime)
        if !replacing {
            problems += try overlapsWithStore(slots, store: store, labTime: labTime)
        }
        if !problems.isEmpty { throw CSVImportError(file: file, problems: problems) }
        return TimetableFile(entries: slots.map(\.entry), ignoredColumns: ignored)
    }

    /// What storing the file did.
    public struct ImportOutcome: Sendable, Hashable {
        /// Slots stored that were not there before.
        public var added: Int
        /// With `replacing`: the rigs whose stored slots in ``span`` the file replaced, and how
        /// many stored slots that removed; empty and 0 otherwise.
        public var replacedRigs: [String] = []
        public var deleted = 0
    }

    /// Stores the slots, all or nothing. With `replacing` (`--replace`) the file's slots replace
    /// the stored slots of its rigs within its span (a corrected week); otherwise a slot already
    /// stored is kept once.
    public func store(into store: StoreDatabase, replacing: Bool) throws(StoreError) -> ImportOutcome {
        guard replacing, let span else { return ImportOutcome(added: try store.addTimetable(entries)) }
        let rigs = Array(Set(entries.map(\.rig))).sorted()
        let (deleted, added) = try store.replaceTimetable(rigs: rigs, from: span.from, to: span.to, with: entries)
        return ImportOutcome(added: added, replacedRigs: rigs, deleted: deleted)
    }

    /// The span the file covers, for `--replace`: from its first start to its last end.
    public var span: (from: Timestamp, to: Timestamp)? {
        guard let from = entries.map(\.start).min(), let to = entries.map(\.end).max() else { return nil }
        return (from, to)
    }

    struct Slot: Hashable {
        var line: Int
        var entry: TimetableEntry
    }

    private static func time(_ text: String, column: String, labTime: LabTime, problem: (String) -> Void) -> Timestamp? {
        if text.isEmpty {
            problem("\(column) is empty; \(LabTime.examples)")
            return nil
        }
        guard let value = labTime.dateTime(text) else {
            problem("\(column) \"\(text)\" is not an ISO 8601 date-time; \(LabTime.examples)")
            return nil
        }
        return value
    }

    private static func describe(_ entry: TimetableEntry, _ labTime: LabTime) -> String {
        "\(labTime.format(entry.start))–\(labTime.format(entry.end).suffix(5)) (\(entry.student))"
    }

    /// Each slot against the ones of its rig that start before it in the file.
    static func overlapsInFile(_ slots: [Slot], labTime: LabTime) -> [CSVImportError.Problem] {
        var problems: [CSVImportError.Problem] = []
        for (rig, ofRig) in Dictionary(grouping: slots, by: \.entry.rig) {
            let sorted = ofRig.sorted { ($0.entry.start, $0.line) < ($1.entry.start, $1.line) }
            var latest: Slot?  // the earlier slot reaching furthest
            for slot in sorted {
                if let previous = latest, previous.entry.end > slot.entry.start {
                    let (first, second) = previous.line < slot.line ? (previous, slot) : (slot, previous)
                    let same = first.entry == second.entry
                    problems.append(.init(
                        line: second.line,
                        message: same
                            ? "the same slot as line \(first.line) (\(rig) \(describe(first.entry, labTime)))"
                            : "\(rig) \(describe(second.entry, labTime)) overlaps line \(first.line): \(describe(first.entry, labTime))"))
                }
                if latest == nil || slot.entry.end > latest!.entry.end { latest = slot }
            }
        }
        return problems
    }

    /// Each slot against the stored slots of its rig; an identical stored slot is no conflict.
    static func overlapsWithStore(_ slots: [Slot], store: StoreDatabase, labTime: LabTime) throws -> [CSVImportError.Problem] {
        var problems: [CSVImportError.Problem] = []
        for (rig, ofRig) in Dictionary(grouping: slots, by: \.entry.rig) {
            guard let from = ofRig.map(\.entry.start).min(), let to = ofRig.map(\.entry.end).max() else { continue }
            let stored = try store.timetable(rig: rig, from: from, to: to)
            for slot in ofRig {
                for other in stored where other != slot.entry && other.start < slot.entry.end && other.end > slot.entry.start {
                    problems.append(.init(
                        line: slot.line,
                        message: "\(rig) \(describe(slot.entry, labTime)) overlaps the stored slot \(describe(other, labTime)); import with --replace to replace the stored slots of this file's rigs and span"))
                }
            }
        }
        return problems
    }
}
