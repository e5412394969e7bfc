import Foundation
import Mustache

/// The page templates: the built-in ones from the module's resources (`Resources/templates`),
/// each replaceable by a file of the same name in a site's own folder, so a school can restyle
/// the portal without rebuilding riglog.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    init(override: String?) throws {
        var templates = try Self.templates(in: Self.resource("templates"))
        if let override, FileManager.default.fileExists(atPath: override) {
            templates.merge(try Self.templates(in: override)) { _, site in site }
        }
        library = MustacheLibrary(templates: templates)
    }

    /// `page` rendered with `values`, inside the layout (title, navigation, the user).
    func render(_ page: String, title: String, values: [String: Any], frame: [String: Any]) -> String {
        wrap(body(page, values: values), title: title, frame: frame)
    }

    /// The page's own part, without the layout (what a cache may keep: it holds no user's data).
    func body(_ page: String, values: [String: Any]) -> String {
        library.render(values, withTemplate: page) ?? ""
    }

    /// `body` inside the layout (title, navigation, the user and their form token).
    func wrap(_ body: String, title: String, frame: [String: Any]) -> String {
        var layout = frame
        layout["title"] = title
        layout["body"] = body
        return library.render(layout, withTemplate: "layout") ?? body
    }

    /// A file or folder of the module's resources.
    static func resource(_ name: String) -> String {
        // Foundation on Linux takes the bundle's `Resources` folder for its resource path;
        // elsewhere the copied folder sits inside the resource path.
        let base = Bundle.module.resourcePath ?? Bundle.module.bundlePath
        let nested = base + "/Resources"
        let folder = FileManager.default.fileExists(atPath: nested + "/templates") ? nested : base
        return folder + "/" + name
    }

    private static func templates(in folder: String) throws -> [String: MustacheTemplate] {
        var templates: [String: MustacheTemplate] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasSuffix(".mustache") {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            templates[String(file.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
        }
        return templates
    }
}
