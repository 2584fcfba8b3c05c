import AccordSpec
import AppServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TodoAgentAPI
import TodoAgentClient

/// What the server answers is what spec/api.yaml declares: the per-user rate limit, request
/// ids, Retell events it cannot apply, and where /metrics is served.
@Suite struct SpecHonestyTests {
    static let specPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("spec/api.yaml").path

    @Test func everyAuthenticatedOperationDeclaresRateLimited() throws {
        let docs = try SpecDocuments.load(path: Self.specPath)
        let document = try #require(DocumentReader.read(docs).document)
        let authenticated = document.operations.filter { $0.security.contains { $0.contains("bearerAuth") } }
        #expect(authenticated.count == 11)
        for operation in authenticated {
            #expect(
                operation.responses.contains { $0.status == .code(429) }, "\(operation.operationId) declares no 429")
            #expect(
                operation.errorCodes.contains { $0.code == "RATE_LIMITED" },
                "\(operation.operationId) lists no RATE_LIMITED")
        }
    }

    @Test(arguments: Backend.available)
    func rateLimitAnswers429OnAuthenticatedOperations(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (client, pair) = try await server.signIn()
            let todo = try await client.createTodo(TodoCreate(title: "Before the limit")).value
            try await server.state("api rate limit reached")
            let bearer = ["Authorization": "Bearer \(pair.accessToken)"]
            let requests: [(String, String, String?)] = [
                ("GET", "/v1/me", nil), ("GET", "/v1/todos", nil), ("POST", "/v1/todos", #"{"title":"x"}"#),
                ("GET", "/v1/todos/\(todo.id.parameterText)", nil),
                ("PATCH", "/v1/todos/\(todo.id.parameterText)", "{}"),
                ("POST", "/v1/calls", "{}"), ("GET", "/v1/transcripts", nil),
                ("POST", "/v1/auth/logout", #"{"refresh_token":"\#(pair.refreshToken)"}"#),
            ]
            for (method, path, body) in requests {
                let response = try await server.raw(method, path, body: body, headers: bearer)
                #expect(response.status == 429, "\(method) \(path)")
                #expect(APIError(response: response).code == .rateLimited, "\(method) \(path)")
                let wait = Int(response.header("Retry-After") ?? "") ?? 0
                #expect((1...120).contains(wait), "\(method) \(path): Retry-After \(wait)")
            }
            // Routes without a token are not counted, and the limit spared the to-do.
            #expect(try await server.raw("GET", "/healthz", headers: bearer).status == 200)
            _ = try await server.client.refreshTokens(RefreshRequest(refreshToken: pair.refreshToken))
            try await server.state("reset")
        }
    }

    @Test(arguments: Backend.available)
    func requestIDsAreEchoedOrReplacedNeverRefused(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let usable = "client-trace.42:a_b-C"
            let echoed = try await server.raw("GET", "/healthz", headers: ["X-Request-ID": usable])
            #expect(echoed.status == 200)
            #expect(echoed.header("X-Request-ID") == usable)
            for unusable in ["has spaces", "semi;colon", String(repeating: "a", count: 129), "ümlaut"] {
                let response = try await server.raw("GET", "/healthz", headers: ["X-Request-ID": unusable])
                #expect(response.status == 200, "\(unusable)")
                let id = try #require(response.header("X-Request-ID"))
                #expect(id != unusable)
                #expect(id.wholeMatch(of: /[A-Za-z0-9._:-]{1,128}/) != nil, "\(id)")
            }
            // An error body repeats the id the response header carries.
            let refused = try await server.raw("GET", "/v1/me", headers: ["X-Request-ID": "has spaces"])
            #expect(refused.status == 401)
            #expect(APIError(response: refused).problem?.requestID == refused.header("X-Request-ID"))
            let kept = try await server.raw("GET", "/v1/me", headers: ["X-Request-ID": usable])
            #expect(APIError(response: kept).problem?.requestID == usable)
        }
    }

    @Test(arguments: Backend.available)
    func retellEventsItCannotApplyAre204AndChangeNothing(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (client, _) = try await server.signIn()
            let key = ServerConfiguration.ContractTest.retellKey
            for json in [
                #"{"event":"chat_ended","chat":{"chat_id":"chat_1","chat_status":"ended"}}"#,
                #"{"event":"chat_started"}"#, #"{"event":"call_ended"}"#,
            ] {
                let signature = RetellSignature.header(body: Data(json.utf8), apiKey: key)
                let response = try await server.raw(
                    "POST", "/v1/webhooks/retell", body: json, headers: ["x-retell-signature": signature])
                #expect(response.status == 204, "\(json)")
            }
            #expect(try await client.listTranscripts().items.isEmpty)
            // No call was marked or reserved: a call can be placed.
            #expect(try await client.createCall(CallCreate()).status == .registered)
            // Unsigned, it is still refused.
            let unsigned = try await server.raw("POST", "/v1/webhooks/retell", body: #"{"event":"chat_ended"}"#)
            #expect(unsigned.status == 401)
        }
    }

    @Test(arguments: Backend.available)
    func expiryFollowsTheServersClock(_ backend: Backend) async throws {
        let time = SettableTime()
        try await withServer(backend, time: time) { server in
            let (client, pair) = try await server.signIn()
            time.advance(by: 15 * 60 - 1)
            _ = try await client.getMe()
            time.advance(by: 2)
            let expired = await #expect(throws: APIError.self) { try await client.getMe() }
            #expect(expired?.code == .tokenExpired)
            // The refresh token lives 30 days: it still trades for a working pair.
            let fresh = try await server.client.refreshTokens(RefreshRequest(refreshToken: pair.refreshToken))
            let again = TodoAgentClient(baseURL: server.baseURL, tokenProvider: FixedToken(fresh.accessToken))
            #expect(try await again.getMe().id == pair.user.id)

            // A code lives five minutes; the next send waits 30 seconds.
            _ = try await server.client.startOTP(OtpStartRequest(phone: "+15555550101"))
            let resend = await #expect(throws: APIError.self) {
                try await server.client.startOTP(OtpStartRequest(phone: "+15555550101"))
            }
            #expect(resend?.code == .rateLimited)
            time.advance(by: 301)
            let stale = await #expect(throws: APIError.self) {
                try await server.client.verifyOTP(OtpVerifyRequest(phone: "+15555550101", code: "123456"))
            }
            #expect(stale?.code == .otpExpired)

            // A webhook signed now is refused once the server's clock is six minutes on.
            let json = #"{"event":"chat_ended"}"#
            let signature = RetellSignature.header(
                body: Data(json.utf8), apiKey: ServerConfiguration.ContractTest.retellKey,
                now: time.now())
            time.advance(by: 360)
            let late = try await server.raw(
                "POST", "/v1/webhooks/retell", body: json, headers: ["x-retell-signature": signature])
            #expect(APIError(response: late).code == .webhookSignatureInvalid)
        }
    }

    /// Production: `/metrics` is not on the public listener (it answers as an unknown path) but
    /// on the metrics listener.
    @Test func productionServesMetricsOnlyOnTheMetricsListener() async throws {
        let environment = [
            "APP_ENV": "production", "DATABASE_URL": "sqlite::memory:", "JWT_KEY": String(repeating: "k", count: 40),
            "TWILIO_ACCOUNT_SID": "AC0", "TWILIO_AUTH_TOKEN": "t", "TWILIO_FROM_NUMBER": "+15555550000",
            "RETELL_API_KEY": "key", "RETELL_AGENT_ID": "agent", "RETELL_FROM_NUMBER": "+15555550000",
            "METRICS_PORT": "0",
        ]
        let configuration = try ServerConfiguration.fromEnvironment(environment, contractTest: false)
        #expect(!configuration.metricsOnPublicListener)
        var defaulted = environment
        defaulted["METRICS_PORT"] = nil
        #expect(
            try ServerConfiguration.fromEnvironment(defaulted, contractTest: false).metricsPort
                == ServerConfiguration.defaultProductionMetricsPort)

        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let server = try await TodoAgentApp.make(configuration, logger: logger)
        let listener = try #require(server.metricsListener)
        try await server.application().test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let transport = URLSessionTransport()
            let health = try await transport.send(TransportRequest(method: "GET", url: URL(string: base + "/healthz")!))
            #expect(health.status == 200)
            let refused = try await transport.send(
                TransportRequest(method: "GET", url: URL(string: base + "/metrics")!))
            #expect(refused.status == 404)
            #expect(APIError(response: refused).code == .notFound)
            #expect(!String(decoding: refused.body, as: UTF8.self).contains("http_requests_total"))

            let port = await listener.boundPort()
            let scraped = try await transport.send(
                TransportRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/metrics")!))
            #expect(scraped.status == 200)
            #expect(String(decoding: scraped.body, as: UTF8.self).contains("http_requests_total"))
        }
    }
}
