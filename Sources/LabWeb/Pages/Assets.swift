import Foundation
import Hummingbird

/// riglog's own scripts and styles (`/assets/...`, from the module's resources) and Debian's
/// dygraphs (`/assets/dygraphs/...`, from where libjs-dygraphs installs it). Nothing comes from
/// the internet. A missing dygraphs answers 404 and the rig page says how to install it.
struct Assets {
    let dygraphsFolder: String
    /// The site's own assets, served before the built-in ones of the same name.
    let siteFolder: String?

    func add(to router: Router<WebContext>) {
        let own = PageRenderer.resource("assets")
        // Browsers ask for it on every page, the reports' too.
        router.get("favicon.ico") { _, _ in try Self.file(folder: own, name: "favicon.svg") }
        router.get("assets/dygraphs/:file") { _, context in
            try Self.file(folder: dygraphsFolder, name: context.pathParameter("file"))
        }
        router.get("assets/:file") { _, context in
            let name = try context.pathParameter("file")
            if let siteFolder, let response = try? Self.file(folder: siteFolder, name: name) { return response }
            return try Self.file(folder: own, name: name)
        }
    }

    static func file(folder: String, name: String) throws -> Response {
        // One plain file name: no folders, no way out of the folder, and no NUL or other control
        // character (the file system would read `riglog.css\0.txt` as `riglog.css`).
        guard !name.contains("/"), !name.hasPrefix("."), !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
              let data = FileManager.default.contents(atPath: folder + "/" + name) else {
            throw HTTPError(.notFound)
        }
        let type: String
        switch (name as NSString).pathExtension {
        case "js": type = "text/javascript; charset=utf-8"
        case "css": type = "text/css; charset=utf-8"
        case "svg": type = "image/svg+xml"
        case "yaml": type = "application/yaml; charset=utf-8"
        case "html": type = "text/html; charset=utf-8"
        case "png": type = "image/png"
        default: type = "application/octet-stream"
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
