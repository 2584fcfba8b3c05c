import AccordRuntimeClient
import AccordRuntimeModels
import AccordRuntimeServer
import Foundation
import Testing

/// The runtime generated packages carry, tested as the modules it is compiled into here (the
/// generator embeds these very sources).
@Suite struct ModelsRuntimeTests {
    @Test func timestampsRoundTripWithAndWithoutFractions() throws {
        let date = try #require(JSONCoding.parseTimestamp("2026-12-02T12:34:56.789Z"))
        #expect(JSONCoding.formatTimestamp(date) == "2026-12-02T12:34:56.789Z")
        #expect(JSONCoding.parseTimestamp("2026-12-02T12:34:56Z") != nil)
        #expect(JSONCoding.parseTimestamp("2026-02-30T00:00:00Z") == nil)
        #expect(JSONCoding.parseTimestamp("yesterday") == nil)
    }

    @Test func nullableTellsNullFromAValue() throws {
        struct Patch: Codable { var note: Nullable<String>? }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(Patch(note: .null)), as: UTF8.self) == #"{"note":null}"#)
        #expect(String(decoding: try encoder.encode(Patch(note: nil)), as: UTF8.self) == "{}")
        let decoded = try JSONDecoder().decode(Nullable<String>.self, from: Data(#""x""#.utf8))
        #expect(decoded == .value("x"))
    }

    /// An open enum as the generator writes one: its cases and one table of wire values.
    enum Tax: OpenEnum {
        case exclusive, inclusive, alsoExclusive
        case undocumented(String)

        static let wireValues: WireValues<Self> = [
            .exclusive: "exclusive", .inclusive: "inclusive", .alsoExclusive: "exclusive",
        ]
        var undocumentedValue: String? { if case .undocumented(let value) = self { value } else { nil } }
    }

    @Test func openEnumsReadTheirTableAndKeepUnknownValues() throws {
        #expect(Tax(rawValue: "inclusive") == .inclusive)
        #expect(Tax(rawValue: "reverse") == .undocumented("reverse"))
        #expect(Tax.undocumented("reverse").rawValue == "reverse")
        // A value listed twice reads as its first case; each case keeps its own value.
        #expect(Tax(rawValue: "exclusive") == .exclusive)
        #expect(Tax.alsoExclusive.rawValue == "exclusive")
        let data = try JSONEncoder().encode([Tax.inclusive, .undocumented("x")])
        #expect(String(decoding: data, as: UTF8.self) == #"["inclusive","x"]"#)
        #expect(try JSONDecoder().decode([Tax].self, from: data) == [.inclusive, .undocumented("x")])
        #expect(Tax.inclusive.description == "inclusive" && Tax.inclusive.parameterText == "inclusive")
    }

    @Test func jsonValueKeepsWhatItDoesNotKnow() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"a": [1, 2.5, null, true, "s"]}"#.utf8))
        #expect(value == .object(["a": .array([.integer(1), .number(2.5), .null, .bool(true), .string("s")])]))
    }
}

/// Answers from a script and keeps what was sent.
actor ScriptedTransport: HTTPTransport {
    var answers: [TransportResponse]
    var sent: [TransportRequest] = []

    init(_ answers: [TransportResponse]) { self.answers = answers }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        sent.append(request)
        return answers.removeFirst()
    }
}

actor Tokens: TokenProvider {
    var refreshes = 0

    func accessToken() async throws -> String? { refreshes == 0 ? "old" : "new" }

    func refreshedAccessToken() async throws -> String? {
        refreshes += 1
        return "new"
    }
}

@Suite struct ClientRuntimeTests {
    let base = URL(string: "https://api.example.com/v2")!

    func core(_ transport: ScriptedTransport, tokens: Tokens? = nil, keys: [String: String] = [:]) -> ClientCore {
        ClientCore(
            baseURL: base, transport: transport, tokenProvider: tokens, apiKeyProvider: StaticAPIKeys(keys),
            requestIdHeader: "X-Trace")
    }

    @Test func bearerIsRefreshedOnceWhenTheAnswerSaysExpired() async throws {
        let transport = ScriptedTransport([TransportResponse(status: 401), TransportResponse(status: 401)])
        let tokens = Tokens()
        let response = try await core(transport, tokens: tokens).send(
            RequestBuilder(method: "GET", path: "/items"), credential: .bearer, isExpired: { $0.status == 401 })
        #expect(response.status == 401)
        #expect(await tokens.refreshes == 1)
        let sent = await transport.sent
        #expect(sent.map { $0.header("Authorization") } == ["Bearer old", "Bearer new"])
        #expect(sent.allSatisfy { $0.header("X-Trace") != nil })
        #expect(sent[0].url.absoluteString == "https://api.example.com/v2/items")
    }

    @Test func apiKeysGoWhereTheSchemeSaysAndNeverWithTheBearer() async throws {
        let transport = ScriptedTransport([TransportResponse(status: 200), TransportResponse(status: 200)])
        let client = core(transport, tokens: Tokens(), keys: ["staff": "k1", "partner": "k2"])
        _ = try await client.send(
            RequestBuilder(method: "GET", path: "/a"),
            credential: .apiKey(scheme: "staff", name: "X-Staff-Key", inQuery: false),
            isExpired: { _ in true })
        _ = try await client.send(
            RequestBuilder(method: "GET", path: "/b"),
            credential: .apiKey(scheme: "partner", name: "api_key", inQuery: true),
            isExpired: { _ in true })
        let sent = await transport.sent
        #expect(sent[0].header("X-Staff-Key") == "k1")
        #expect(sent.allSatisfy { $0.header("Authorization") == nil })
        #expect(sent[1].url.query == "api_key=k2")
    }

    @Test func publicOperationsSendNoCredentials() async throws {
        let transport = ScriptedTransport([TransportResponse(status: 204)])
        _ = try await core(transport, tokens: Tokens(), keys: ["staff": "k"]).send(
            RequestBuilder(method: "POST", path: "/ping"), credential: .none, isExpired: { _ in true })
        let request = try #require(await transport.sent.first)
        #expect(request.header("Authorization") == nil)
        #expect(request.header("X-Staff-Key") == nil)
    }

    struct Item: Decodable, Sendable, Hashable { var id: Int }

    struct Shelf: Encodable { var branch: String; var shelf: Int; var tags: [String]? }

    @Test func objectsInHeadersUseTheSimpleStyle() throws {
        var request = RequestBuilder(method: "GET", path: "/loans")
        try request.header("X-Branch", object: Shelf(branch: "north", shelf: 3, tags: nil), explode: false)
        #expect(request.headers["X-Branch"] == "branch,north,shelf,3")
        try request.header("X-Branch", object: Shelf(branch: "north", shelf: 3, tags: ["a"]), explode: true)
        #expect(request.headers["X-Branch"] == #"branch=north,shelf=3,tags=["a"]"#)
        try request.header("X-None", object: Shelf?.none, explode: true)
        #expect(request.headers["X-None"] == nil)
    }

    @Test func createdCarriesTheLocationResolvedAgainstTheRequest() throws {
        let client = core(ScriptedTransport([]))
        let request = RequestBuilder(method: "POST", path: "/items")
        func answer(_ location: String?) -> TransportResponse {
            let headers = location.map { ["location": $0] } ?? [:]
            return TransportResponse(status: 201, headers: headers, body: Data(#"{"id": 42}"#.utf8))
        }
        func resolved(_ location: String?) -> String? {
            client.location(of: answer(location), for: request)?.absoluteString
        }
        let created = try client.created(Item.self, from: answer("/v2/items/42"), for: request)
        #expect(created.value == Item(id: 42))
        #expect(created.location?.absoluteString == "https://api.example.com/v2/items/42")
        // A relative reference resolves against the request's URL; an absolute one stays.
        #expect(resolved("items/7") == "https://api.example.com/v2/items/7")
        #expect(resolved("https://cdn.example.com/i/42") == "https://cdn.example.com/i/42")
        #expect(resolved(nil) == nil)
        #expect(resolved(" ") == nil)
    }

    @Test func pathAndQueryAreEscaped() throws {
        var builder = RequestBuilder(method: "GET", path: "/items/{id}")
        builder.path("id", "a b/c")
        builder.query("tag", ["x", "y&z"], explode: true)
        builder.query("limit", 5)
        let request = try builder.request(baseURL: base)
        #expect(request.url.absoluteString == "https://api.example.com/v2/items/a%20b%2Fc?tag=x&tag=y%26z&limit=5")
    }
}

@Suite struct ServerRuntimeTests {
    @Test func violationsArePointersWithRuleCodes() {
        let rule = SchemaRule.object(
            properties: [
                ("title", .string(StringRule(minLength: 1, maxLength: 3))), ("count", .integer(NumberRule(minimum: 0))),
            ],
            required: ["title"])
        let found =
            rule.violations(of: .object(["count": .integer(-1)]))
            + rule.violations(of: .object(["title": .string("long")]))
        #expect(found.map(\.field).sorted() == ["/count", "/title", "/title"])
        #expect(Set(found.map(\.code)).isSuperset(of: ["required", "max_length", "minimum"]))
    }
}
