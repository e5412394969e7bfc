import Foundation
import RiglogTesting
import Store
import Testing

/// `riglog serve` through the binary: the portal over a data folder, refused on the network
/// while nobody can sign in, over HTTPS with a certificate, and API tokens from `users token`.
@Suite struct ServeCommandTests {
    /// A data folder with a store (a roster) and, when asked, an instructor with a token.
    static func folder(withUser: Bool) throws -> (folder: String, token: String?) {
        let folder = NSTemporaryDirectory() + "riglog-serve-" + UUID().uuidString
        let store = try StoreDatabase.open(folder: folder, create: true)
        _ = try store.importRoster([Student(id: "s001", name: "Айгерим", group: "ТЭ-21", badge: nil)])
        guard withUser else { return (folder, nil) }
        try "a long enough password\n".write(toFile: folder + "/password", atomically: true, encoding: .utf8)
        let add = try StoreCLIHarness.riglog(["users", "add", "ivan", "--role", "instructor", "--password-file", folder + "/password", "--data", folder])
        #expect(add.status == 0, "\(add.stderr)")
        let token = try StoreCLIHarness.riglog(["users", "token", "ivan", "--data", folder])
        return (folder, token.text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("rlg_") }.map(String.init))
    }

    @Test func aNetworkAddressWithoutUsersIsRefusedWithWhatToDo() throws {
        let (folder, _) = try Self.folder(withUser: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try StoreCLIHarness.riglog(["serve", "--data", folder, "--http", "0.0.0.0:\(ExternalPeers.freePort())", "--for", "5s"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("nobody can sign in yet"))
        #expect(result.stderr.contains("riglog users add NAME --role instructor"))
    }

    @Test func tlsNeedsBothFiles() throws {
        let result = try StoreCLIHarness.riglog(["serve", "--tls-cert", "/nonexistent.pem"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--tls-cert and --tls-key go together"))
    }

    @Test func servesHTTPSWithSecureCookiesAndTheAPIToTokens() async throws {
        let (folder, token) = try Self.folder(withUser: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let token_ = try #require(token, "riglog users token printed no token")
        let openssl = try ExternalPeers.which("openssl")
        let made = try StoreCLIHarness.run(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                                                     "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem"])
        try #require(made.status == 0, "\(made.stderr)")
        // On a port of its own, started again on another if one was taken since it was found free.
        // No short --for: in CI this test's task may wait minutes for a thread between the start
        // and the requests (the rest of the suite blocks the process's few threads), and a serve
        // that had stopped by itself meanwhile refused every request (seen twice).
        let riglog = try StoreCLIHarness.product("riglog")
        let (serve, port) = try await onOwnThread {
            try ExternalPeers.startServer("riglog serve", riglog) { port in
                ["serve", "--data", folder, "--http", "127.0.0.1:\(port)", "--tls-cert", folder + "/cert.pem", "--tls-key", folder + "/key.pem", "--for", "15m"]
            }
        }
        defer { serve.stop(SIGKILL) }
        let curl = try ExternalPeers.which("curl")
        let page = try StoreCLIHarness.run(curl, ["-sk", "-D", "-", "-o", "/dev/null", "https://127.0.0.1:\(port)/signin"])
        let headers = page.text.lowercased()
        #expect(headers.hasPrefix("http/1.1 200"), "\(page.text)")
        #expect(headers.contains("set-cookie: riglog_signin="))
        #expect(headers.contains("; secure"), "cookies over HTTPS only: \(page.text)")
        let plain = try StoreCLIHarness.run(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/signin"])
        #expect(plain.text != "200", "plain HTTP is not served on a TLS port")
        let students = try StoreCLIHarness.run(curl, ["-sk", "-H", "Authorization: Bearer \(token_)", "https://127.0.0.1:\(port)/api/v1/students"])
        #expect(students.text.contains(#""id" : "s001""#) || students.text.contains(#""id":"s001""#), "\(students.text)")
        let refused = try StoreCLIHarness.run(curl, ["-sk", "-w", "%{http_code}", "https://127.0.0.1:\(port)/api/v1/students"])
        #expect(refused.text.hasSuffix("401"))
        #expect(serve.stop(SIGTERM, grace: .seconds(30)) == 0)
    }
}
