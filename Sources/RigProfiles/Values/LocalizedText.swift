/// A label or title in the lab's languages, with English as the fallback.
///
/// Written in YAML either as a plain string (English) or as a mapping
/// `{en: Wheel speed, ru: Скорость колеса, kk: Дөңгелек жылдамдығы, zh: 轮速}`; `en` is required
/// so every report has something to show.
public struct LocalizedText: Sendable, Hashable, CustomStringConvertible {
    /// The languages reports and the web UI are translated into.
    public static let languages = ["en", "ru", "kk", "zh"]

    /// The text by language code; always contains "en".
    public private(set) var translations: [String: String]

    /// English text, with optional translations.
    public init(en: String, ru: String? = nil, kk: String? = nil, zh: String? = nil) {
        translations = ["en": en]
        translations["ru"] = ru
        translations["kk"] = kk
        translations["zh"] = zh
    }

    init(translations: [String: String]) {
        self.translations = translations
    }

    /// The English text.
    public var en: String { translations["en"] ?? "" }

    /// The text in `language`, or English when there is no translation.
    public func text(for language: String) -> String {
        translations[language] ?? en
    }

    public var description: String { en }
}
