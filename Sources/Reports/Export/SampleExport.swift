public import CSV
import Ingest
import RigProfiles
public import Timekeeping
public import Store

/// `riglog export samples`: the samples of one rig as CSV (DESIGN.md, "File formats").
public struct SampleExport: Sendable {
    /// `time,rig,channel,value,unit` per sample, or `time` and a column per channel.
    public enum Layout: Sendable {
        case long
        case wide
    }

    /// The rig id.
    public var rig: String
    /// Channel names; empty for every channel of the rig.
    public var channels: [String]
    /// Inclusive start, exclusive end; `nil` is unbounded.
    public var from: Timestamp?
    public var to: Timestamp?
    /// Long (row per sample) or wide (row per timestamp).
    public var layout: Layout
    /// RFC 4180 or Excel.
    public var dialect: CSVWriter.Dialect
    /// Adds the names of enumerated channels' values (`enum:` in the rig's stored profile): a
    /// last column `name` in the long layout, a column `channel (name)` after each enumerated
    /// channel in the wide one. Empty where a value has no name.
    public var valueNames: Bool

    public init(rig: String, channels: [String] = [], from: Timestamp? = nil, to: Timestamp? = nil,
                layout: Layout = .long, dialect: CSVWriter.Dialect = .rfc4180, valueNames: Bool = false) {
        self.rig = rig
        self.channels = channels
        self.from = from
        self.to = to
        self.layout = layout
        self.dialect = dialect
        self.valueNames = valueNames
    }

    /// What an export wrote.
    public struct Summary: Sendable {
        /// Samples written.
        public var samples: Int
        /// CSV rows written, header excluded.
        public var rows: Int
    }

    /// The rig's channels this export covers, in the order asked for.
    ///
    /// - Throws: ``StoreError/unknownRig(_:known:)``, ``StoreError/unknownChannel(rig:channel:known:)``.
    public func selectedChannels(in store: StoreDatabase) throws(StoreError) -> [ChannelRecord] {
        let rig = try store.rig(rig)
        guard !channels.isEmpty else { return rig.channels }
        return try channels.map { (name) throws(StoreError) -> ChannelRecord in
            guard let channel = rig.channels.first(where: { $0.name == name }) else {
                throw .unknownChannel(rig: rig.id, channel: name, known: rig.channels.map(\.name))
            }
            return channel
        }
    }

    /// Streams the CSV to `output` in blocks; `progress(done, estimatedTotal)` is called now and
    /// then. Memory stays flat whatever the range.
    public func run(
        store: StoreDatabase,
        output: @escaping ([UInt8]) throws -> Void,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> Summary {
        let selected = try selectedChannels(in: store)
        let total = try store.estimatedSampleCount(of: selected, from: from, to: to)
        var csv = CSVWriter(dialect: dialect, output: output)
        let formats = selected.map(ValueText.init)
        var column: [UInt32: Int] = [:]
        for (index, channel) in selected.enumerated() { column[channel.id] = index }
        var summary = Summary(samples: 0, rows: 0)
        // The enumerations of the profile the rig is collected with, by selected channel.
        var enumerations = [Channel?](repeating: nil, count: selected.count)
        if valueNames {
            var profiles = ReportProfiles()
            try profiles.load(rig: rig, from: store)
            let profile = profiles.profile(ofRig: rig)
            for (index, channel) in selected.enumerated() {
                enumerations[index] = profile?.channel(named: channel.name).flatMap { $0.names.isEmpty ? nil : $0 }
            }
        }
        func name(_ sample: Sample, _ index: Int) -> String {
            enumerations[index]?.name(of: selected[index].value(of: sample))?.en ?? ""
        }

        switch layout {
        case .long:
            for name in ["time", "rig", "channel", "value", "unit"] + (valueNames ? ["name"] : []) { csv.text(name) }
            try csv.endRow()
            try store.forEachSample(of: selected, from: from, to: to) { sample in
                let index = column[sample.channel]!
                let channel = selected[index]
                csv.text(Timestamp(nanosecondsSince1970: sample.time).iso8601)
                csv.text(rig)
                csv.text(channel.name)
                csv.number(formats[index].format(sample))
                csv.text(channel.unit)
                if valueNames { csv.text(name(sample, index)) }
                try csv.endRow()
                summary.samples += 1
                summary.rows += 1
                if summary.samples % 65_536 == 0 { progress(summary.samples, total) }
            }
        case .wide:
            csv.text("time")
            for (index, channel) in selected.enumerated() {
                csv.text(channel.unit.isEmpty ? channel.name : "\(channel.name) [\(channel.unit)]")
                if enumerations[index] != nil { csv.text("\(channel.name) (name)") }
            }
            try csv.endRow()
            var cells = [String?](repeating: nil, count: selected.count)
            var names = [String](repeating: "", count: selected.count)
            var rowTime: Int64?
            func emitRow() throws {
                guard let time = rowTime else { return }
                csv.text(Timestamp(nanosecondsSince1970: time).iso8601)
                for index in cells.indices {
                    if let cell = cells[index] { csv.number(cell) } else { csv.empty() }
                    if enumerations[index] != nil {
                        if cells[index] != nil { csv.text(names[index]) } else { csv.empty() }
                    }
                    cells[index] = nil
                }
                try csv.endRow()
                summary.rows += 1
                rowTime = nil
            }
            try store.forEachSample(of: selected, from: from, to: to) { sample in
                let index = column[sample.channel]!
                // A new row when the time changes, or when a channel repeats at the same time.
                if rowTime != sample.time || cells[index] != nil { try emitRow() }
                rowTime = sample.time
                cells[index] = formats[index].format(sample)
                if enumerations[index] != nil { names[index] = name(sample, index) }
                summary.samples += 1
                if summary.samples % 65_536 == 0 { progress(summary.samples, total) }
            }
            try emitRow()
        }
        try csv.finish()
        progress(summary.samples, max(total, summary.samples))
        return summary
    }
}
