import Foundation
import Testing
import TodoAgentAPI
import TodoAgentClient

/// A transport that answers from a script and records what the client sent.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var responses: [TransportResponse]
    private(set) var requests: [TransportRequest] = []

    init(_ responses: [TransportResponse]) { self.responses = responses }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        lock.withLock {
            requests.append(request)
            return responses.isEmpty ? TransportResponse(status: 599) : responses.removeFirst()
        }
    }
}

actor TestTokens: TokenProvider {
    var token: String
    var refreshes = 0

    init(_ token: String) { self.token = token }

    func accessToken() async throws -> String? { token }

    func refreshedAccessToken() async throws -> String? {
        refreshes += 1
        token = "fresh-token"
        return token
    }
}

func problem(_ status: Int, _ code: String, extra: String = "") -> TransportResponse {
    let body = """
        {"type":"https://todo-agent.app/errors/x","title":"t","status":\(status),"detail":"d","code":"\(code)","request_id":"req-1"\(extra)}
        """
    return TransportResponse(status: status, headers: ["Content-Type": "application/problem+json"], body: Data(body.utf8))
}

let sampleTodo = """
    {"id":"6f1c2a8e-2b1d-4c5e-9f00-3a7d5b9c1e24","title":"Call mum","notes":null,"completed":false,"due_at":null,
     "completed_at":null,"created_at":"2026-11-27T15:04:05Z","updated_at":"2026-11-27T15:04:05Z"}
    """

@Suite struct ClientTests {
    let base = URL(string: "https://api.example.test")!

    @Test func buildsTheRequestTheSpecDescribes() async throws {
        let transport = ScriptedTransport([TransportResponse(status: 201, headers: ["Location": "/v1/todos/x"], body: Data(sampleTodo.utf8))])
        let client = TodoAgentClient(baseURL: base, transport: transport, tokenProvider: TestTokens("tok"))
        let created = try await client.createTodo(TodoCreate(title: "Call mum"), idempotencyKey: "key-1")
        #expect(created.value.title == "Call mum")
        // The 201's Location, resolved against the request's URL.
        #expect(created.location?.absoluteString == "https://api.example.test/v1/todos/x")
        let sent = try #require(transport.requests.first)
        #expect(sent.method == "POST")
        #expect(sent.url.absoluteString == "https://api.example.test/v1/todos")
        #expect(sent.header("authorization") == "Bearer tok")
        #expect(sent.header("Idempotency-Key") == "key-1")
        #expect(sent.header("Content-Type") == "application/json")
        #expect(UUID(uuidString: sent.header("X-Request-ID") ?? "") != nil)
        #expect(String(decoding: sent.body ?? Data(), as: UTF8.self) == #"{"title":"Call mum"}"#)
    }

    @Test func sendsTheAppVersionOnEveryRequestAndReadsTheUpgradeAnswerAsATypedError() async throws {
        let transport = ScriptedTransport([TransportResponse(status: 204), problem(426, "APP_VERSION_UNSUPPORTED")])
        let client = TodoAgentClient(baseURL: base, transport: transport, tokenProvider: TestTokens("tok"), appVersion: "1.4.2")
        try await client.deleteTodo(todoID: UUID())
        await #expect(throws: APIError.self) { _ = try await client.getMe() }
        #expect(transport.requests.map { $0.header("X-App-Version") } == ["1.4.2", "1.4.2"])
        let unversioned = ScriptedTransport([problem(426, "APP_VERSION_UNSUPPORTED")])
        do {
            _ = try await TodoAgentClient(baseURL: base, transport: unversioned).getMe()
            Issue.record("a 426 must throw")
        } catch let error as APIError {
            #expect(error.code == .appVersionUnsupported)
            #expect(error.status == 426)
            #expect(!error.code.userMessage.isEmpty)
        }
        #expect(unversioned.requests.first?.header("X-App-Version") == nil, "no version given: no header")
    }

    @Test func encodesPathAndQuery() async throws {
        let page = #"{"items":[],"next_cursor":null}"#
        let transport = ScriptedTransport([TransportResponse(status: 200, body: Data(page.utf8)), TransportResponse(status: 204)])
        let client = TodoAgentClient(baseURL: base, transport: transport, tokenProvider: TestTokens("tok"))
        _ = try await client.listTodos(limit: 10, cursor: "a+b/c", status: .open)
        try await client.deleteTodo(todoID: UUID(uuidString: "6F1C2A8E-2B1D-4C5E-9F00-3A7D5B9C1E24")!)
        #expect(transport.requests[0].url.absoluteString == "https://api.example.test/v1/todos?limit=10&cursor=a%2Bb/c&status=open")
        #expect(transport.requests[1].url.path == "/v1/todos/6f1c2a8e-2b1d-4c5e-9f00-3a7d5b9c1e24")
        #expect(transport.requests[1].method == "DELETE")
    }

    @Test func refreshesOnceAndRetriesOnExpiredToken() async throws {
        let transport = ScriptedTransport([problem(401, "TOKEN_EXPIRED"), TransportResponse(status: 200, body: Data(sampleTodo.utf8))])
        let tokens = TestTokens("stale-token")
        let client = TodoAgentClient(baseURL: base, transport: transport, tokenProvider: tokens)
        let todo = try await client.getTodo(todoID: UUID())
        #expect(todo.title == "Call mum")
        #expect(transport.requests.count == 2)
        #expect(transport.requests[0].header("Authorization") == "Bearer stale-token")
        #expect(transport.requests[1].header("Authorization") == "Bearer fresh-token")
        // The retry is the same request, with the same request id.
        #expect(transport.requests[0].header("X-Request-ID") == transport.requests[1].header("X-Request-ID"))
        #expect(await tokens.refreshes == 1)
    }

    @Test func doesNotRetryMoreThanOnce() async throws {
        let transport = ScriptedTransport([problem(401, "TOKEN_EXPIRED"), problem(401, "TOKEN_EXPIRED"), problem(401, "TOKEN_EXPIRED")])
        let tokens = TestTokens("t")
        let client = TodoAgentClient(baseURL: base, transport: transport, tokenProvider: tokens)
        await #expect(throws: APIError.self) { try await client.getMe() }
        #expect(transport.requests.count == 2)
        #expect(await tokens.refreshes == 1)
    }

    @Test func otherAuthErrorsAreNotRetried() async throws {
        let transport = ScriptedTransport([problem(401, "TOKEN_INVALID")])
        let tokens = TestTokens("t")
        let client = TodoAgentClient(baseURL: base, transport: transport, tokenProvider: tokens)
        do {
            _ = try await client.getMe()
            Issue.record("expected an error")
        } catch let error as APIError {
            #expect(error.code == .tokenInvalid)
            #expect(error.status == 401)
        }
        #expect(transport.requests.count == 1)
        #expect(await tokens.refreshes == 0)
    }

    @Test func mapsProblemsToTypedErrors() async throws {
        var busy = problem(503, "AI_AGENT_BUSY", extra: #","retry_after":60"#)
        busy.headers["Retry-After"] = "60"
        let invalid = problem(422, "VALIDATION_FAILED", extra: #","errors":[{"field":"/title","code":"max_length","message":"too long"}]"#)
        let otp = problem(400, "OTP_INVALID", extra: #","attempts_remaining":4"#)
        let transport = ScriptedTransport([busy, invalid, otp, TransportResponse(status: 502, body: Data("<html>".utf8))])
        let client = TodoAgentClient(baseURL: base, transport: transport, tokenProvider: TestTokens("t"))

        let e1 = await #expect(throws: APIError.self) { try await client.createCall(CallCreate()) }
        #expect(e1?.code == .aiAgentBusy)
        #expect(e1?.retryAfter == 60)
        #expect(e1?.problem?.requestID == "req-1")

        let e2 = await #expect(throws: APIError.self) { try await client.createTodo(TodoCreate(title: String(repeating: "x", count: 201))) }
        #expect(e2?.code == .validationFailed)
        #expect(e2?.problem?.errors?.first?.field == "/title")

        let e3 = await #expect(throws: APIError.self) { try await client.verifyOTP(OtpVerifyRequest(phone: "+15555550100", code: "000000")) }
        #expect(e3?.code == .otpInvalid)
        #expect(e3?.problem?.attemptsRemaining == 4)

        // Not a problem body (a proxy's page): still an APIError, with its status.
        let e4 = await #expect(throws: APIError.self) { try await client.getMe() }
        #expect(e4?.status == 502)
        #expect(e4?.problem == nil)
        #expect(e4?.code == .undocumented(""))
    }

    @Test func transportFailuresAreClientErrors() async throws {
        struct Down: HTTPTransport {
            func send(_ request: TransportRequest) async throws -> TransportResponse { throw URLError(.cannotConnectToHost) }
        }
        let client = TodoAgentClient(baseURL: base, transport: Down())
        await #expect(throws: ClientError.self) { try await client.checkHealth() }
    }

    @Test func undeclaredSuccessBodiesAreReported() async throws {
        let transport = ScriptedTransport([TransportResponse(status: 200, body: Data(#"{"status": 5}"#.utf8))])
        let client = TodoAgentClient(baseURL: base, transport: transport)
        await #expect(throws: ClientError.self) { try await client.checkHealth() }
    }
}
