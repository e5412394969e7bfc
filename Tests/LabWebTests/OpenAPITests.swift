import Accounts
import HTTPTypes
import Foundation
import Hummingbird
import HummingbirdTesting
import LabWeb
import Testing
import Yams

/// `openapi.yaml` against the routes: the same set of routes, and every JSON answer of the
/// signed-in API in the shape the file gives (required keys, no others where it says so, types,
/// nullability, enums).
@Suite struct OpenAPITests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/LabWeb/Resources/openapi.yaml").path

    static func document() throws -> [String: Any] {
        try #require(try Yams.load(yaml: String(contentsOfFile: file, encoding: .utf8)) as? [String: Any])
    }

    @Test func theFileListsExactlyTheRoutes() throws {
        let paths = try #require(try Self.document()["paths"] as? [String: Any])
        var documented: [String] = []
        for (path, methods) in paths {
            for method in (methods as? [String: Any] ?? [:]).keys { documented.append(method.uppercased() + " " + path) }
        }
        let fixture = try WebFixture()
        #expect(documented.sorted() == (try fixture.web().apiRoutes))
    }

    /// One documented operation, as the test sends it.
    struct Call: Sendable {
        var method: String
        var path: String
        var uri: String
        var documents401: Bool
    }

    @Test func everyAnswerHasTheDocumentedShape() async throws {
        let document = try Self.document()
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let responses = try #require((document["components"] as? [String: Any])?["responses"] as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let values = ["rig": "brake-1", "id": "s001", "group": "%D0%A2%D0%AD-21"]
        var calls: [Call] = []
        for (path, methods) in paths {
            for (method, operation) in methods as? [String: Any] ?? [:] {
                var uri = path
                for (name, value) in values { uri = uri.replacingOccurrences(of: "{\(name)}", with: value) }
                let documented = (operation as? [String: Any])?["responses"] as? [String: Any] ?? [:]
                calls.append(Call(method: method, path: path, uri: uri, documents401: documented["401"] != nil))
            }
        }
        let fixture = try WebFixture()
        let token = try fixture.accounts.issueToken(for: "ada")
        let app = Application(router: try fixture.web().router())
        let toSend = calls
        let answers = try await app.test(.router) { client in
            var answers: [(call: Call, refused: TestResponse?, answer: TestResponse?)] = []
            for call in toSend {
                let method: HTTPRequest.Method = call.method == "post" ? .post : .get
                // Unsigned: the documented 401.
                let refused = call.documents401 ? try await client.execute(uri: call.uri, method: method) : nil
                if call.path.hasSuffix("/live") {
                    answers.append((call, refused, nil))   // endless; the browser test reads it
                    continue
                }
                let (body, type) = Self.bodies[call.path] ?? (#"{"alarm":"overpressure","since":"2026-11-29T03:03:20.000Z","note":"ok"}"#, "application/json")
                let answer = try await client.execute(uri: call.uri, method: method, headers: [.authorization: "Bearer \(token)", .contentType: type],
                                                      body: method == .post ? ByteBuffer(string: body) : nil)
                answers.append((call, refused, answer))
            }
            return answers
        }
        var checked = 0
        for (call, refused, answer) in answers {
            let operation = (paths[call.path] as? [String: Any])?[call.method] as? [String: Any] ?? [:]
            let documented = operation["responses"] as? [String: Any] ?? [:]
            if let refused {
                #expect(refused.status == .unauthorized, "\(call.method) \(call.path)")
                try Self.check(refused, against: Self.resolve(documented["401"], responses: responses), schemas: schemas, where: "401 \(call.path)")
            }
            guard let answer else { continue }
            #expect(answer.status == .ok, "\(call.method) \(call.path): \(String(buffer: answer.body))")
            try Self.check(answer, against: documented["200"], schemas: schemas, where: "200 \(call.path)")
            checked += 1
        }
        #expect(checked >= 9)
    }

    /// What the uploads are sent: files that import.
    static let bodies: [String: (String, String)] = [
        "/api/v1/roster": ("id,name,group,badge\ns001,Айгерим Нұрланқызы,ТЭ-21,4100101\ns009,New Student,ТЭ-21,\n", "text/csv"),
        "/api/v1/timetable": ("rig,student,start,end\nbrake-1,s001,2026-12-01T09:00,2026-12-01T10:00\n", "text/csv"),
    ]

    static func resolve(_ value: Any?, responses: [String: Any]) -> Any? {
        guard let ref = (value as? [String: Any])?["$ref"] as? String else { return value }
        return responses[String(ref.split(separator: "/").last!)]
    }

    static func check(_ response: TestResponse, against documented: Any?, schemas: [String: Any], where place: String) throws {
        let content = try #require((documented as? [String: Any])?["content"] as? [String: Any], "\(place): no content documented")
        guard let json = content["application/json"] as? [String: Any] else {
            // A CSV or text answer: its type is what the file says.
            let type = try #require(content.keys.first)
            #expect(response.headers[.contentType]?.hasPrefix(type) == true, "\(place)")
            return
        }
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(place)")
        let value = try JSONDecoder().decode(JSON.self, from: Data(response.body.readableBytesView))
        var problems: [String] = []
        validate(value, json["schema"], schemas: schemas, at: "$", problems: &problems)
        #expect(problems.isEmpty, "\(place): \(problems.joined(separator: "; "))")
    }

    /// A JSON value as JSONDecoder reads it: booleans and numbers kept apart.
    enum JSON: Decodable {
        case null, bool(Bool), number(Double), string(String), array([JSON]), object([String: JSON])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let value = try? container.decode(Bool.self) { self = .bool(value) }
            else if let value = try? container.decode(Double.self) { self = .number(value) }
            else if let value = try? container.decode(String.self) { self = .string(value) }
            else if let value = try? container.decode([JSON].self) { self = .array(value) }
            else { self = .object(try container.decode([String: JSON].self)) }
        }

        var text: String {
            switch self {
            case .null: "null"
            case .bool(let value): "\(value)"
            case .number(let value): "\(value)"
            case .string(let value): value
            case .array: "[...]"
            case .object: "{...}"
            }
        }
    }

    /// The subset of JSON Schema the file uses.
    static func validate(_ value: JSON, _ schema: Any?, schemas: [String: Any], at path: String, problems: inout [String]) {
        guard var schema = schema as? [String: Any] else { return }
        // `{$ref, nullable: true}`: the reference may be null where it is used.
        var nullable = schema["nullable"] as? Bool == true
        if let ref = schema["$ref"] as? String {
            schema = schemas[String(ref.split(separator: "/").last!)] as? [String: Any] ?? [:]
            nullable = nullable || schema["nullable"] as? Bool == true
        }
        if case .null = value {
            if !nullable { problems.append("\(path) is null") }
            return
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { "\($0)" == value.text }) {
            problems.append("\(path) = \(value.text) is not one of \(options)")
        }
        switch (schema["type"] as? String, value) {
        case ("object", .object(let object)):
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { problems.append("\(path).\(key) is missing") }
            if schema["additionalProperties"] as? Bool == false {
                for key in object.keys where properties[key] == nil { problems.append("\(path).\(key) is not documented") }
            }
            for (key, item) in object { validate(item, properties[key], schemas: schemas, at: "\(path).\(key)", problems: &problems) }
        case ("array", .array(let array)):
            for (index, item) in array.enumerated() { validate(item, schema["items"], schemas: schemas, at: "\(path)[\(index)]", problems: &problems) }
        case ("string", .string), ("number", .number), ("boolean", .bool), (nil, _):
            break
        case ("integer", .number(let number)) where number == number.rounded():
            break
        case (let type?, _):
            problems.append("\(path) = \(value.text) is not \(type == "integer" ? "an" : "a") \(type)")
        }
    }
}
