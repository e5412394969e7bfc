public import RigProfiles
public import Store

/// Every fixed text of the reports, in every report language.
///
/// One table, so a missing translation is a test failure rather than an English word in a
/// Kazakh report; ``ReportLabelsTests`` checks that every key has every language.
public enum ReportLabel: String, Sendable, Hashable, CaseIterable {
    case studentTitle, groupTitle, student, group, period, timeZone, allTime
    case totals, sessions, practiceTime, activeTime, attempts, passed, alarms, lostSamples
    case exercises, exercise, rig, bestTime, latest, alarm, severity, count, duration, peak
    case date, start, end, source, gaps
    case resultPassed, resultFailed, resultAbandoned
    case sourceBadge, sourceCheckin, sourceTimetable
    case severityInfo, severityWarning, severityCritical
    case timeline, progress, traces, bestAttempt, latestAttempt, step, failedAtStep
    case noSessions, noSamples, matrix, matrixNote, secondsUnit, openSession, attemptDuration, time
    case acknowledgedAlarms, acknowledgedBy, acknowledgedAt

    /// en, ru, kk, zh.
    var translations: [ReportLanguage: String] {
        let t: (String, String, String, String) = switch self {
        case .studentTitle: ("Practice log", "Журнал практики", "Практика журналы", "实训记录")
        case .groupTitle: ("Group practice overview", "Обзор практики группы", "Топтың практикасына шолу", "班级实训概况")
        case .student: ("Student", "Студент", "Студент", "学生")
        case .group: ("Group", "Группа", "Топ", "班级")
        case .period: ("Period", "Период", "Кезең", "时间段")
        case .timeZone: ("Time zone", "Часовой пояс", "Уақыт белдеуі", "时区")
        case .allTime: ("all time", "за всё время", "барлық уақыт", "全部时间")
        case .totals: ("Totals", "Итоги", "Қорытынды", "汇总")
        case .sessions: ("Sessions", "Сеансы", "Сеанстар", "实训课次")
        case .practiceTime: ("Practice time", "Время практики", "Практика уақыты", "实训时长")
        case .activeTime: ("Active time", "Активное время", "Белсенді уақыт", "有效操作时长")
        case .attempts: ("Attempts", "Попытки", "Әрекеттер", "尝试次数")
        case .passed: ("Passed", "Зачтено", "Өтті", "通过")
        case .alarms: ("Alarms", "Тревоги", "Дабылдар", "报警")
        case .lostSamples: ("Lost samples", "Потерянные отсчёты", "Жоғалған өлшемдер", "丢失采样")
        case .exercises: ("Exercises", "Упражнения", "Жаттығулар", "练习项目")
        case .exercise: ("Exercise", "Упражнение", "Жаттығу", "练习")
        case .rig: ("Rig", "Стенд", "Стенд", "实训台")
        case .bestTime: ("Best time", "Лучшее время", "Ең жақсы уақыт", "最佳用时")
        case .latest: ("Latest", "Последняя", "Соңғы", "最近一次")
        case .alarm: ("Alarm", "Тревога", "Дабыл", "报警项")
        case .severity: ("Severity", "Важность", "Маңыздылығы", "级别")
        case .count: ("Count", "Кол-во", "Саны", "次数")
        case .duration: ("Duration", "Длительность", "Ұзақтығы", "持续时间")
        case .peak: ("Peak", "Пик", "Шың", "峰值")
        case .date: ("Date", "Дата", "Күні", "日期")
        case .start: ("Start", "Начало", "Басы", "开始")
        case .end: ("End", "Конец", "Соңы", "结束")
        case .source: ("Opened by", "Открыт", "Ашқан", "开启方式")
        case .gaps: ("Gaps", "Пропуски связи", "Байланыс үзілістері", "通信中断")
        case .resultPassed: ("passed", "зачтено", "өтті", "通过")
        case .resultFailed: ("failed", "не зачтено", "өтпеді", "未通过")
        case .resultAbandoned: ("abandoned", "прервано", "тоқтатылды", "中止")
        case .sourceBadge: ("badge", "пропуск", "бейдж", "刷卡")
        case .sourceCheckin: ("check-in", "регистрация", "тіркелу", "签到")
        case .sourceTimetable: ("timetable", "расписание", "кесте", "课表")
        case .severityInfo: ("info", "инфо", "ақпарат", "提示")
        case .severityWarning: ("warning", "предупреждение", "ескерту", "警告")
        case .severityCritical: ("critical", "критическая", "қауіпті", "严重")
        case .timeline: ("Practice timeline", "Хронология практики", "Практика хронологиясы", "实训时间线")
        case .progress: ("Progress per exercise", "Прогресс по упражнениям", "Жаттығулар бойынша үлгерім", "各练习进度")
        case .traces: ("Traces of the best and the latest attempt", "Графики лучшей и последней попытки",
                       "Ең жақсы және соңғы әрекеттің графиктері", "最佳与最近一次尝试曲线")
        case .bestAttempt: ("Best attempt", "Лучшая попытка", "Ең жақсы әрекет", "最佳尝试")
        case .latestAttempt: ("Latest attempt", "Последняя попытка", "Соңғы әрекет", "最近一次尝试")
        case .step: ("Step", "Шаг", "Қадам", "步骤")
        case .failedAtStep: ("failed at step", "не выполнен шаг", "орындалмаған қадам", "未完成步骤")
        case .noSessions: ("No practice sessions in this period.", "В этом периоде нет сеансов практики.",
                           "Бұл кезеңде практика сеанстары жоқ.", "该时间段内没有实训记录。")
        case .noSamples: ("No stored samples for this attempt.", "Нет сохранённых данных для этой попытки.",
                          "Бұл әрекет үшін сақталған деректер жоқ.", "该次尝试没有存储数据。")
        case .matrix: ("Students by exercises", "Студенты по упражнениям", "Студенттер жаттығулар бойынша", "学生 × 练习")
        case .matrixNote: ("passed / attempts", "зачтено / попыток", "өтті / әрекет", "通过 / 尝试")
        case .secondsUnit: ("s", "с", "с", "秒")
        case .openSession: ("open", "открыт", "ашық", "进行中")
        case .attemptDuration: ("Attempt duration", "Длительность попытки", "Әрекет ұзақтығы", "尝试用时")
        case .time: ("Time", "Время", "Уақыт", "时间")
        case .acknowledgedAlarms: ("Acknowledged alarms", "Подтверждённые тревоги", "Расталған дабылдар", "已确认的报警")
        case .acknowledgedBy: ("acknowledged by", "подтвердил(а)", "растаған", "确认人")
        case .acknowledgedAt: ("at", "в", "уақыты", "于")
        }
        return [.en: t.0, .ru: t.1, .kk: t.2, .zh: t.3]
    }
}

/// The fixed texts of one report language.
public struct ReportLabels: Sendable {
    public let language: ReportLanguage

    public init(_ language: ReportLanguage) {
        self.language = language
    }

    /// What marks a label without a translation in the output, so tests can find it.
    public static let missingMarker = "⟦missing⟧"

    public subscript(_ label: ReportLabel) -> String {
        guard let text = label.translations[language], !text.isEmpty else { return Self.missingMarker + label.rawValue }
        return text
    }

    public func result(_ result: AttemptResult) -> String {
        switch result {
        case .passed: self[.resultPassed]
        case .failed: self[.resultFailed]
        case .abandoned: self[.resultAbandoned]
        }
    }

    public func source(_ source: SessionSource) -> String {
        switch source {
        case .badge: self[.sourceBadge]
        case .checkin: self[.sourceCheckin]
        case .timetable: self[.sourceTimetable]
        }
    }

    /// `acknowledged by a.petrova at 2026-11-30 10:05: checked the valve` (no `: ` without a note).
    public func acknowledgement(_ ack: AlarmAcknowledgement, format: ReportFormatter) -> String {
        let text = "\(self[.acknowledgedBy]) \(ack.user) \(self[.acknowledgedAt]) \(format.dateTime(ack.at))"
        return ack.note.isEmpty ? text : "\(text): \(ack.note)"
    }

    public func severity(_ severity: Alarm.Severity) -> String {
        switch severity {
        case .info: self[.severityInfo]
        case .warning: self[.severityWarning]
        case .critical: self[.severityCritical]
        }
    }
}
