/// The languages reports are written in (`--lang`).
public enum ReportLanguage: String, Sendable, Hashable, CaseIterable {
    case en, ru, kk, zh

    /// The ICU locale dates are formatted in.
    var localeIdentifier: String {
        switch self {
        case .en: "en_GB"
        case .ru: "ru_RU"
        case .kk: "kk_KZ"
        case .zh: "zh_Hans_CN"
        }
    }

    /// The `lang` attribute of the HTML report.
    var htmlCode: String { self == .zh ? "zh-Hans" : rawValue }
}
