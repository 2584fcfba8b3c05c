import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TodoAgentAPI
import TodoAgentServer

/// A handler with just enough behaviour to exercise the generated routes.
struct StubHandler: TodoAgentAPIHandler {
    typealias Principal = String
    struct Boom: Error {}
    let lastUpdate = Recorder<Operations.UpdateTodo.Input>()

    func startOTP(_ input: Operations.StartOTP.Input, request: RequestInfo) async throws -> Operations.StartOTP.Output {
        .accepted(OtpStartResponse(phone: input.body.phone, expiresIn: 300, resendAfter: 30))
    }
    func verifyOTP(_ input: Operations.VerifyOTP.Input, request: RequestInfo) async throws -> Operations.VerifyOTP.Output {
        throw APIError(.otpInvalid, detail: "Wrong code.") { $0.attemptsRemaining = 4 }
    }
    func refreshTokens(_ input: Operations.RefreshTokens.Input, request: RequestInfo) async throws -> Operations.RefreshTokens.Output {
        throw Boom()
    }
    func logout(_ input: Operations.Logout.Input, principal: String, request: RequestInfo) async throws -> Operations.Logout.Output { .noContent }
    func getMe(principal: String, request: RequestInfo) async throws -> Operations.GetMe.Output {
        .ok(User(id: UUID(uuidString: "00000000-0000-0000-0000-00000000000A")!, phone: "+15555550100", createdAt: Date(timeIntervalSince1970: 0)))
    }
    func deleteMe(principal: String, request: RequestInfo) async throws -> Operations.DeleteMe.Output { .noContent }
    func listTodos(_ input: Operations.ListTodos.Input, principal: String, request: RequestInfo) async throws -> Operations.ListTodos.Output {
        .ok(TodoPage(items: [], nextCursor: input.cursor.map { $0 + "-next" }))
    }
    func createTodo(_ input: Operations.CreateTodo.Input, principal: String, request: RequestInfo) async throws -> Operations.CreateTodo.Output {
        let id = UUID(uuidString: "6F1C2A8E-2B1D-4C5E-9F00-3A7D5B9C1E24")!
        let now = Date(timeIntervalSince1970: 1_795_791_845)
        return .created(Todo(id: id, title: input.body.title, notes: input.body.notes, completed: false, dueAt: input.body.dueAt,
                             completedAt: nil, createdAt: now, updatedAt: now), location: "/v1/todos/\(id.parameterText)")
    }
    func getTodo(_ input: Operations.GetTodo.Input, principal: String, request: RequestInfo) async throws -> Operations.GetTodo.Output {
        throw APIError(.todoNotFound, detail: "No such to-do.")
    }
    func updateTodo(_ input: Operations.UpdateTodo.Input, principal: String, request: RequestInfo) async throws -> Operations.UpdateTodo.Output {
        await lastUpdate.set(input)
        throw APIError(.todoNotFound, detail: "No such to-do.")
    }
    func deleteTodo(_ input: Operations.DeleteTodo.Input, principal: String, request: RequestInfo) async throws -> Operations.DeleteTodo.Output { .noContent }
    func createCall(_ input: Operations.CreateCall.Input, principal: String, request: RequestInfo) async throws -> Operations.CreateCall.Output {
        throw APIError(.aiAgentBusy, detail: "AI agent is busy, please try again in a minute.", retryAfter: 60)
    }
    func listTranscripts(_ input: Operations.ListTranscripts.Input, principal: String, request: RequestInfo) async throws -> Operations.ListTranscripts.Output {
        .ok(TranscriptPage(items: [], nextCursor: nil))
    }
    func getTranscript(_ input: Operations.GetTranscript.Input, principal: String, request: RequestInfo) async throws -> Operations.GetTranscript.Output {
        throw APIError(.transcriptNotFound, detail: "No such transcript.")
    }
    func receiveRetellWebhook(_ input: Operations.ReceiveRetellWebhook.Input, principal: String, request: RequestInfo) async throws -> Operations.ReceiveRetellWebhook.Output {
        .noContent
    }
    func checkHealth(request: RequestInfo) async throws -> Operations.CheckHealth.Output { .ok(HealthStatus(status: .ok)) }
    func getMetrics(request: RequestInfo) async throws -> Operations.GetMetrics.Output { .ok("up 1\n") }
    func checkReadiness(request: RequestInfo) async throws -> Operations.CheckReadiness.Output { .ok(HealthStatus(status: .ok)) }
}

actor Recorder<Value: Sendable> {
    var value: Value?
    func set(_ value: Value) { self.value = value }
}

/// Bearer `good` is user `u1`; the webhook signature `valid` passes.
struct StubAuthenticator: Authenticator {
    func authenticate<Context: RequestContext>(schemes: [String], request: RequestInfo, context: Context) async throws -> String {
        if schemes.contains("retellSignature") {
            guard request.header("x-retell-signature") == "valid" else { throw APIError(.webhookSignatureInvalid, detail: "Bad signature.") }
            return "retell"
        }
        guard let header = request.header("Authorization") else { throw APIError(.authRequired, detail: "Sign in first.") }
        guard header == "Bearer good" else { throw APIError(.tokenInvalid, detail: "Bad token.") }
        return "u1"
    }
}

final class ErrorLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []
    func add(_ s: String) { lock.withLock { entries.append(s) } }
    var all: [String] { lock.withLock { entries } }
}

struct Answer {
    var status: Int
    var headers: HTTPFields
    var json: [String: Any]

    var code: String? { json["code"] as? String }
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

@Suite struct ServerStubTests {
    let handler = StubHandler()
    let errors = ErrorLog()

    func withServer(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router()
        let errors = self.errors
        handler.registerRoutes(on: router, authenticator: StubAuthenticator(),
                               options: ServerOptions(onUnexpectedError: { error, info in errors.add("\(info.requestID): \(error)") }))
        try await Application(router: router).test(.router, body)
    }

    func send(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, body: String? = nil,
              headers: [String: String] = [:], token: String? = "good") async throws -> Answer {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        if body != nil { fields[.contentType] = "application/json" }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        return try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) }) { response in
            let json = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
            return Answer(status: Int(response.status.code), headers: response.headers, json: json)
        }
    }

    func expectProblem(_ answer: Answer, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == status, sourceLocation: sourceLocation)
        #expect(answer.code == code, sourceLocation: sourceLocation)
        #expect(answer.header("Content-Type") == "application/problem+json", sourceLocation: sourceLocation)
        #expect(answer.json["status"] as? Int == status, sourceLocation: sourceLocation)
        #expect(answer.json["type"] as? String == "https://todo-agent.app/errors/" + code.lowercased().replacingOccurrences(of: "_", with: "-"),
                sourceLocation: sourceLocation)
        let requestID = answer.header("X-Request-ID")
        #expect(requestID != nil && answer.json["request_id"] as? String == requestID, sourceLocation: sourceLocation)
    }

    @Test func successAnswersCarryBodyHeadersAndRequestId() async throws {
        try await withServer { client in
            let answer = try await send(client, .post, "/v1/todos", body: #"{"title":"Buy milk","id":"spoofed","user_id":"x"}"#,
                                        headers: ["X-Request-ID": "req-abc"])
            #expect(answer.status == 201)
            #expect(answer.header("Location") == "/v1/todos/6f1c2a8e-2b1d-4c5e-9f00-3a7d5b9c1e24")
            #expect(answer.header("X-Request-ID") == "req-abc")
            #expect(answer.json["title"] as? String == "Buy milk")
            #expect(answer.json["id"] as? String == "6f1c2a8e-2b1d-4c5e-9f00-3a7d5b9c1e24")
            #expect(answer.json["notes"] is NSNull)
        }
    }

    @Test func textResponsesKeepTheirMediaType() async throws {
        try await withServer { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
                #expect(String(buffer: response.body) == "up 1\n")
            }
        }
    }

    @Test func unknownRouteAndWrongMethod() async throws {
        try await withServer { client in
            expectProblem(try await send(client, .get, "/v1/nothing-here"), 404, "NOT_FOUND")
            let wrongMethod = try await send(client, .put, "/v1/todos")
            expectProblem(wrongMethod, 405, "METHOD_NOT_ALLOWED")
            #expect(wrongMethod.header("Allow") == "GET, POST")
        }
    }

    @Test func authIsRequiredAndXPhoneIsNotIdentity() async throws {
        try await withServer { client in
            expectProblem(try await send(client, .get, "/v1/me", token: nil), 401, "AUTH_REQUIRED")
            expectProblem(try await send(client, .get, "/v1/me", headers: ["x-phone": "+15555550100"], token: nil), 401, "AUTH_REQUIRED")
            expectProblem(try await send(client, .get, "/v1/me", token: "garbage"), 401, "TOKEN_INVALID")
            #expect(try await send(client, .get, "/v1/me").status == 200)
        }
    }

    @Test func bodyProblems() async throws {
        try await withServer { client in
            expectProblem(try await send(client, .post, "/v1/todos", body: "{not json"), 400, "MALFORMED_REQUEST")
            expectProblem(try await send(client, .post, "/v1/todos", body: "[]"), 400, "MALFORMED_REQUEST")
            expectProblem(try await send(client, .post, "/v1/todos"), 400, "MALFORMED_REQUEST")
            expectProblem(try await send(client, .post, "/v1/todos", body: "title=x", headers: ["Content-Type": "text/plain"]), 415, "UNSUPPORTED_MEDIA_TYPE")
            let big = #"{"title":"x","notes":""# + String(repeating: "a", count: 70_000) + #""}"#
            expectProblem(try await send(client, .post, "/v1/todos", body: big), 413, "PAYLOAD_TOO_LARGE")
        }
    }

    @Test func validationListsEveryViolationAsAPointer() async throws {
        try await withServer { client in
            let answer = try await send(client, .post, "/v1/todos",
                                        body: #"{"title":"\#(String(repeating: "x", count: 201))","notes":5,"due_at":"tomorrow"}"#)
            expectProblem(answer, 422, "VALIDATION_FAILED")
            let errors = (answer.json["errors"] as? [[String: Any]] ?? []).map { "\($0["field"]!) \($0["code"]!)" }
            #expect(errors == ["/title max_length", "/notes type", "/due_at format"])

            let missing = try await send(client, .post, "/v1/todos", body: #"{"notes":"n"}"#)
            #expect((missing.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "/title")

            let blank = try await send(client, .post, "/v1/todos", body: #"{"title":"   "}"#)
            #expect((blank.json["errors"] as? [[String: Any]])?.first?["code"] as? String == "pattern")

            let query = try await send(client, .get, "/v1/todos?limit=0&status=someday")
            expectProblem(query, 422, "VALIDATION_FAILED")
            let fields = (query.json["errors"] as? [[String: Any]] ?? []).map { "\($0["field"]!) \($0["code"]!)" }
            #expect(fields == ["/query/limit minimum", "/query/status enum"])
            expectProblem(try await send(client, .get, "/v1/todos?limit=abc"), 422, "VALIDATION_FAILED")
            #expect(try await send(client, .get, "/v1/todos?limit=100&cursor=c1").json["next_cursor"] as? String == "c1-next")
        }
    }

    @Test func pathIdsThatAreNotUUIDsAnswerTheOperationsNotFound() async throws {
        try await withServer { client in
            expectProblem(try await send(client, .get, "/v1/todos/not-a-uuid"), 404, "TODO_NOT_FOUND")
            expectProblem(try await send(client, .get, "/v1/transcripts/123"), 404, "TRANSCRIPT_NOT_FOUND")
            // Authentication comes first: no existence leak to strangers.
            expectProblem(try await send(client, .get, "/v1/todos/not-a-uuid", token: nil), 401, "AUTH_REQUIRED")
        }
    }

    @Test func patchKeepsNullAndAbsentApart() async throws {
        try await withServer { client in
            _ = try await send(client, .patch, "/v1/todos/6f1c2a8e-2b1d-4c5e-9f00-3a7d5b9c1e24", body: #"{"due_at":null}"#)
            let input = try #require(await handler.lastUpdate.value)
            #expect(input.body.dueAt == .null)
            #expect(input.body.notes == nil)
            #expect(input.todoID == UUID(uuidString: "6f1c2a8e-2b1d-4c5e-9f00-3a7d5b9c1e24"))
        }
    }

    @Test func thrownErrorsBecomeProblems() async throws {
        try await withServer { client in
            let otp = try await send(client, .post, "/v1/auth/otp/verify", body: #"{"phone":"+15555550100","code":"000000"}"#)
            expectProblem(otp, 400, "OTP_INVALID")
            #expect(otp.json["attempts_remaining"] as? Int == 4)

            let busy = try await send(client, .post, "/v1/calls", body: "{}")
            expectProblem(busy, 503, "AI_AGENT_BUSY")
            #expect(busy.header("Retry-After") == "60")
            #expect(busy.json["retry_after"] as? Int == 60)

            let boom = try await send(client, .post, "/v1/auth/refresh", body: #"{"refresh_token":"r"}"#, headers: ["X-Request-ID": "req-boom"])
            expectProblem(boom, 500, "INTERNAL_ERROR")
            #expect(!(boom.json["detail"] as? String ?? "").contains("Boom"))
            #expect(errors.all == ["req-boom: Boom()"])
        }
    }

    @Test func webhookUsesItsOwnSchemeAndLimit() async throws {
        try await withServer { client in
            let event = #"{"event":"call_ended","call":{"call_id":"c1"}}"#
            expectProblem(try await send(client, .post, "/v1/webhooks/retell", body: event, token: nil), 401, "WEBHOOK_SIGNATURE_INVALID")
            #expect(try await send(client, .post, "/v1/webhooks/retell", body: event, headers: ["x-retell-signature": "valid"], token: nil).status == 204)
            // Webhooks may carry up to 1 MiB (x-body-limit); app routes only 64 KiB.
            let transcript = String(repeating: "a", count: 500_000)
            let large = #"{"event":"call_ended","call":{"call_id":"c1","transcript":"\#(transcript)"}}"#
            #expect(try await send(client, .post, "/v1/webhooks/retell", body: large, headers: ["x-retell-signature": "valid"], token: nil).status == 204)
            let tooLarge = #"{"event":"call_ended","call":{"call_id":"c1","transcript":"\#(transcript + transcript + transcript)"}}"#
            expectProblem(try await send(client, .post, "/v1/webhooks/retell", body: tooLarge, headers: ["x-retell-signature": "valid"], token: nil),
                          413, "PAYLOAD_TOO_LARGE")
        }
    }
}
