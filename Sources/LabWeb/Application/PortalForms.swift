import Hummingbird

/// The forms the portal's pages post, decoded from one `application/x-www-form-urlencoded` body
/// as ``WebRequestDecoder`` decodes them for the routes (Hummingbird's `URLEncodedFormDecoder`):
/// for the fuzz harness (`riglog-fuzz form`), which must find no body that traps where a route
/// answers 400.
package enum PortalForms {
    /// Decodes `body` as each of the portal's forms; returns how many accepted it. The sign-in
    /// form's `next` goes through the same check the route makes before redirecting to it.
    package static func decodeEach(_ body: String) -> Int {
        let decoder = URLEncodedFormDecoder()
        var accepted = 0
        if let form = try? decoder.decode(SignInController.SignInForm.self, from: body) {
            _ = SignInController.localPath(form.next)
            accepted += 1
        }
        if (try? decoder.decode(SignInController.FormToken.self, from: body)) != nil { accepted += 1 }
        if (try? decoder.decode(DeskPages.CheckForm.self, from: body)) != nil { accepted += 1 }
        if (try? decoder.decode(PortalPages.ReloadForm.self, from: body)) != nil { accepted += 1 }
        if (try? decoder.decode(PortalPages.TraceForm.self, from: body)) != nil { accepted += 1 }
        if (try? decoder.decode(APIController.AckForm.self, from: body)) != nil { accepted += 1 }
        return accepted
    }
}
