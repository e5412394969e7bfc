import HummingbirdAuth
import Foundation
import HTTPTypes
import Accounts
import Hummingbird
import NIOCore
import Store

/// Finds who made a request: an `Authorization: Bearer` API token, else the session cookie's
/// user. It decides nothing; routes call ``WebContext/require(_:api:path:)``.
struct IdentifyUser: RouterMiddleware {
    typealias Context = WebContext
    let store: StoreDatabase
    let accounts: Accounts

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        if let authorization = request.headers[.authorization] {
            // A token that does not match is no identity at all, not a fall-back to the cookie.
            if authorization.lowercased().hasPrefix("bearer "),
               let user = try accounts.user(bearerToken: String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)) {
                context.user = user
                context.viaToken = true
            }
        } else if let session = context.sessions.session, let user = try? store.user(id: session.userID), session.belongs(to: user) {
            context.user = user
        }
        return try await next(request, context)
    }
}

/// Headers every response carries: no framing by other sites, no MIME sniffing, no referrer to
/// other sites, and a content policy that allows only riglog's own scripts and styles.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = WebContext
    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) } catch let error as HTTPError {
            // Hummingbird's own refusals (no such route, a body that does not decode) in riglog's
            // shape: `{"error": "..."}` for the API (as openapi.yaml documents), a page otherwise.
            let refusal = WebError(error, api: request.uri.path.hasPrefix("/api/"), path: request.uri.path)
            response = try refusal.response(from: request, context: context)
            response.headers.append(contentsOf: error.headers)
        } catch is NIOTooManyBytesError {
            // A body past the context's limit (a form's, an API change's): say which limit.
            let refusal = WebError.tooLarge(api: request.uri.path.hasPrefix("/api/"), what: "the request", limit: context.maxUploadSize)
            response = try refusal.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.riglogFrameOptions] = "DENY"
        response.headers[.riglogContentTypeOptions] = "nosniff"
        response.headers[.riglogReferrerPolicy] = "same-origin"
        if response.headers[.riglogContentSecurityPolicy] == nil {
            response.headers[.riglogContentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
        }
        return response
    }
}

extension HTTPField.Name {
    static let riglogFrameOptions = Self("X-Frame-Options")!
    static let riglogContentTypeOptions = Self("X-Content-Type-Options")!
    static let riglogReferrerPolicy = Self("Referrer-Policy")!
    static let riglogContentSecurityPolicy = Self("Content-Security-Policy")!
}
