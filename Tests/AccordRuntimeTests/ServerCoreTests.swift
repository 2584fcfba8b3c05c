import AccordRuntimeModels
import AccordRuntimeServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A responder as a generated module declares one: its own headers, body limit and problem codes.
enum TestErrors: ProblemResponder {
    struct APIError: Error {
        var status: Int
        var code: String
        var retryAfter: Int? = nil
    }

    static let contract = ServerContract(
        requestIdHeader: "X-Trace", appVersionHeader: "X-Client-Version", defaultBodyLimit: 16)

    static func apiError(for failure: RequestFailure) -> APIError {
        switch failure {
        case .routeNotFound: APIError(status: 404, code: "NO_ROUTE")
        case .methodNotAllowed: APIError(status: 405, code: "WRONG_METHOD")
        case .malformedBody: APIError(status: 400, code: "UNREADABLE")
        case .unsupportedMediaType: APIError(status: 415, code: "WRONG_MEDIA")
        case .payloadTooLarge(let limit): APIError(status: 413, code: "OVER_\(limit)")
        case .invalid(let violations): APIError(status: 422, code: violations.map(\.field).joined(separator: ","))
        case .resourceNotFound(let code): APIError(status: 404, code: code ?? "NO_SUCH")
        case .appVersionUnsupported(let minimum): APIError(status: 426, code: "BELOW_\(minimum)")
        }
    }

    static var internalError: APIError { APIError(status: 500, code: "BROKEN") }

    static func response(for error: APIError, requestID: String) -> Response {
        let body = Data(#"{"code":"\#(error.code)","trace":"\#(requestID)"}"#.utf8)
        return ServerRuntime<TestErrors>.problemResponse(status: error.status, body: body, retryAfter: error.retryAfter)
    }
}

typealias Core = ServerRuntime<TestErrors>

/// Keeps what `onUnexpectedError` was told.
final class Unexpected: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [String] = []
    func add(_ entry: String) { lock.withLock { seen.append(entry) } }
    var all: [String] { lock.withLock { seen } }
}

struct Answer {
    var status: Int
    var headers: HTTPFields
    var body: String

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
    var code: String? {
        let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return json?["code"] as? String
    }
}

/// The shared server steps, run as generated routes run them: on a router, over HTTP requests.
@Suite struct ServerCoreTests {
    static let itemRule = SchemaRule.object(
        properties: [("name", .string(StringRule(minLength: 1)))], required: ["name"])

    func router(_ options: ServerOptions) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(
            middleware: ProblemMiddleware<BasicRequestContext, TestErrors>(
                options: options, routes: [("/items", ["POST"]), ("/items/{id}", ["GET"])]))
        router.on("/items", method: .post) { request, context in
            await Core.handle(
                request, context, operationId: "addItem", route: "/items", collectBody: true, checksAppVersion: true,
                options: options
            ) { info in
                var violations: [FieldViolation] = []
                let body = try Core.jsonBody(info, required: true, rule: Self.itemRule, violations: &violations)
                guard violations.isEmpty else { throw RequestFailure.invalid(violations) }
                return try Core.json(201, body)
            }
        }
        router.on("/items/{id}", method: .get) { request, context in
            await Core.handle(
                request, context, operationId: "getItem", route: "/items/{id}", collectBody: true, bodyLimit: 4,
                options: options
            ) { info in
                switch context.parameters.get("id") {
                case "gone": throw TestErrors.APIError(status: 410, code: "GONE", retryAfter: 3)
                case "crash": throw CancellationError()
                default: return Core.empty(204, headers: [("X-Seen", info.requestID), ("X-Absent", nil)])
                }
            }
        }
        return router
    }

    func send(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: [String: String] = [:],
        options: ServerOptions = ServerOptions()
    ) async throws -> Answer {
        var fields = HTTPFields()
        if body != nil { fields[.contentType] = "application/json" }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let sent = fields
        let app = Application(router: router(options))
        return try await app.test(.router) { client in
            try await client.execute(
                uri: uri, method: method, headers: sent, body: body.map { ByteBuffer(string: $0) }
            ) { response in
                Answer(
                    status: Int(response.status.code), headers: response.headers, body: String(buffer: response.body))
            }
        }
    }

    @Test func theRequestIdIsEchoedWhenUsableElseMinted() async throws {
        let echoed = try await send(.get, "/items/1", headers: ["X-Trace": "req-1.a:b"])
        #expect(echoed.status == 204)
        #expect(echoed.header("X-Trace") == "req-1.a:b")
        #expect(echoed.header("X-Seen") == "req-1.a:b")
        #expect(echoed.header("X-Absent") == nil)
        let minted = try await send(.get, "/items/1", headers: ["X-Trace": "not usable!"])
        #expect(minted.header("X-Trace")?.count == 36)
        #expect(minted.header("X-Trace") == minted.header("X-Seen"))
        #expect(Core.requestIdHeader == HTTPField.Name("X-Trace"))
    }

    @Test func unknownRoutesAndWrongMethodsAnswerTheResponderProblems() async throws {
        let unknown = try await send(.get, "/nowhere")
        #expect(unknown.status == 404)
        #expect(unknown.code == "NO_ROUTE")
        #expect(unknown.header("X-Trace") != nil)
        let wrong = try await send(.delete, "/items/7")
        #expect(wrong.status == 405)
        #expect(wrong.code == "WRONG_METHOD")
        #expect(wrong.header("Allow") == "GET")
        #expect(wrong.header("Content-Type") == "application/problem+json")
    }

    @Test func bodiesAreLimitedByTheContractUnlessOptionsOrTheOperationSay() async throws {
        let item = #"{"name": "a long enough name"}"#
        #expect(try await send(.post, "/items", body: item).code == "OVER_16")
        let raised = try await send(.post, "/items", body: item, options: ServerOptions(bodyLimit: 100))
        #expect(raised.status == 201)
        #expect(raised.body == #"{"name":"a long enough name"}"#)
        // The operation's own limit wins over both.
        let own = try await send(.get, "/items/1", body: "12345", options: ServerOptions(bodyLimit: 100))
        #expect(own.code == "OVER_4")
    }

    @Test func bodiesAreCheckedForMediaTypeSyntaxAndRules() async throws {
        let options = ServerOptions(bodyLimit: 100)
        #expect(try await send(.post, "/items", body: "{", options: options).code == "UNREADABLE")
        #expect(try await send(.post, "/items", body: "[]", options: options).code == "UNREADABLE")
        #expect(try await send(.post, "/items", options: options).code == "UNREADABLE")
        #expect(try await send(.post, "/items", body: #"{"name": ""}"#, options: options).code == "/name")
        let text = try await send(
            .post, "/items", body: #"{"name": "x"}"#, headers: ["Content-Type": "text/plain"], options: options)
        #expect(text.code == "WRONG_MEDIA")
    }

    @Test func oldAppsAreRefusedWhereTheOperationChecksTheVersion() async throws {
        let options = ServerOptions(bodyLimit: 100, minimumAppVersion: "1.10.0")
        let item = #"{"name": "x"}"#
        let old = try await send(.post, "/items", body: item, headers: ["X-Client-Version": "1.9.2"], options: options)
        #expect(old.status == 426)
        #expect(old.code == "BELOW_1.10.0")
        let current = try await send(
            .post, "/items", body: item, headers: ["X-Client-Version": "1.10"], options: options)
        #expect(current.status == 201)
        #expect(try await send(.post, "/items", body: item, options: options).status == 201)
        #expect(Core.isBelow("1.9.2", minimum: "1.10.0"))
        #expect(!Core.isBelow("2", minimum: "1.10.0"))
        #expect(!Core.isBelow("beta", minimum: "1.10.0"))
    }

    @Test func thrownErrorsAnswerAsTheResponderSaysAndStrayOnesAreReported() async throws {
        let gone = try await send(.get, "/items/gone")
        #expect(gone.status == 410)
        #expect(gone.code == "GONE")
        #expect(gone.header("Retry-After") == "3")
        let unexpected = Unexpected()
        let options = ServerOptions(onUnexpectedError: { error, info in unexpected.add("\(info.route) \(error)") })
        let crash = try await send(.get, "/items/crash", headers: ["X-Trace": "t-1"], options: options)
        #expect(crash.status == 500)
        #expect(crash.body == #"{"code":"BROKEN","trace":"t-1"}"#)
        #expect(unexpected.all == ["/items/{id} CancellationError()"])
    }
}
