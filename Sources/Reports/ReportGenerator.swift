public import Timekeeping
public import Foundation
public import Store

/// What `riglog report` asks for.
public struct ReportRequest: Sendable, Hashable {
    public enum Subject: Sendable, Hashable {
        case student(String)
        case group(String)
    }

    public enum Format: String, Sendable, Hashable, CaseIterable {
        case text, html, json
    }

    public var subject: Subject
    public var period: TimePeriod
    public var format: Format
    public var language: ReportLanguage
    /// ANSI colour in the text format (the CLI sets it only for a terminal without NO_COLOR).
    public var color: Bool

    public init(subject: Subject, period: TimePeriod = TimePeriod(), format: Format = .text,
                language: ReportLanguage = .en, color: Bool = false) {
        self.subject = subject
        self.period = period
        self.format = format
        self.language = language
        self.color = color
    }
}

/// Builds and renders a report from the store alone: the one call behind `riglog report`.
public enum ReportGenerator {
    /// The report as UTF-8 bytes.
    ///
    /// - Throws: ``ReportError`` for an unknown student or group, ``StoreError`` for the store.
    public static func generate(_ request: ReportRequest, store: StoreDatabase) throws -> Data {
        var builder = ReportBuilder(store: store)
        let format = ReportFormatter(language: request.language, timeZone: try store.labTime().zone)
        switch request.subject {
        case .student(let id):
            let report = try builder.student(id, period: request.period)
            switch request.format {
            case .json: return try ReportJSON.encode(report)
            case .text:
                return Data(TextReportRenderer(format: format, profiles: builder.profiles, color: request.color).render(report).utf8)
            case .html:
                var traces = TraceBuilder(store: store, profiles: builder.profiles)
                let html = HTMLReportRenderer(format: format, profiles: builder.profiles).render(report, traces: try traces.traces(for: report))
                return Data(html.utf8)
            }
        case .group(let name):
            let report = try builder.group(name, period: request.period)
            switch request.format {
            case .json: return try ReportJSON.encode(report)
            case .text:
                return Data(TextReportRenderer(format: format, profiles: builder.profiles, color: request.color).render(report).utf8)
            case .html: return Data(HTMLReportRenderer(format: format, profiles: builder.profiles).render(report).utf8)
            }
        }
    }
}
