import ArgumentParser
import Foundation
import CSV
import Store

/// `--from`, `--to`, `--excel` and `-o`: what every export takes.
struct ExportOptions: ParsableArguments {
    @OptionGroup var period: PeriodOptions

    @Flag(help: "UTF-8 with BOM, ';' delimiter and decimal comma for spreadsheets.")
    var excel = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    var dialect: CSVWriter.Dialect { excel ? .excel : .rfc4180 }

    /// The file to write (`-o FILE`), or standard output.
    func open() throws -> FileHandle {
        guard let output else { return FileHandle.standardOutput }
        guard FileManager.default.createFile(atPath: output, contents: nil),
              let file = FileHandle(forWritingAtPath: output)
        else { throw CommandFailure.runtime("cannot write \(output): check the folder exists and is writable") }
        return file
    }
}

extension PeriodOptions {
    /// `from T to T` as the user wrote them (`-` when open), for the audit table.
    var auditText: String { "from \(from?.text ?? "-") to \(to?.text ?? "-")" }
}
