import AppServer
import Foundation
import Testing
import TodoAgentAPI
import TodoAgentClient

@Suite struct RetellSignatureTests {
    @Test func officialTestVector() {
        let body = Data(#"{"event":"call_ended"}"#.utf8)
        #expect(
            RetellSignature.digest(body: body, timestamp: "1700000000000", apiKey: "test-api-key")
                == "07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e")
        let at = Date(timeIntervalSince1970: 1_700_000_000)
        let header = "v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e"
        #expect(RetellSignature.isValid(header: header, body: body, apiKey: "test-api-key", now: at))
        // Five minutes either way, boundary inclusive.
        #expect(
            RetellSignature.isValid(header: header, body: body, apiKey: "test-api-key", now: at.addingTimeInterval(300))
        )
        #expect(
            RetellSignature.isValid(
                header: header, body: body, apiKey: "test-api-key", now: at.addingTimeInterval(-300)))
        #expect(
            !RetellSignature.isValid(
                header: header, body: body, apiKey: "test-api-key", now: at.addingTimeInterval(300.001)))
    }

    @Test func malformedHeadersAreRefused() {
        let body = Data(#"{"event":"call_ended"}"#.utf8)
        let at = Date(timeIntervalSince1970: 1_700_000_000)
        let digest = "07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e"
        for header in [
            "d=\(digest),v=1700000000000", "v=1700000000000,d=\(digest),x=1", " v=1700000000000,d=\(digest)",
            "v=1700000000000,d=\(digest.uppercased())", "v=1700000000000,d=\(digest.dropLast())",
            "v=-1700000000000,d=\(digest)",
            "v=1700000000000,d=\(digest) ", "",
        ] {
            #expect(!RetellSignature.isValid(header: header, body: body, apiKey: "test-api-key", now: at), "\(header)")
        }
        #expect(!RetellSignature.isValid(header: nil, body: body, apiKey: "test-api-key", now: at))
        // Another body, another key.
        #expect(
            !RetellSignature.isValid(
                header: "v=1700000000000,d=\(digest)", body: Data("{}".utf8), apiKey: "test-api-key", now: at))
        #expect(
            !RetellSignature.isValid(header: "v=1700000000000,d=\(digest)", body: body, apiKey: "other-key", now: at))
    }
}

@Suite struct CallsAndWebhooksTests {
    let key = ServerConfiguration.ContractTest.retellKey

    func deliver(_ server: Harness, _ json: String, signature: String? = nil) async throws -> TransportResponse {
        let body = Data(json.utf8)
        return try await server.raw(
            "POST", "/v1/webhooks/retell", body: json,
            headers: ["x-retell-signature": signature ?? RetellSignature.header(body: body, apiKey: key)])
    }

    @Test(arguments: Backend.available)
    func callThenWebhooksThenTranscript(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (client, pair) = try await server.signIn()
            _ = try await client.createTodo(TodoCreate(title: "Buy milk"))
            let call = try await client.createCall(CallCreate())
            #expect(call.status == .registered)
            let again = await #expect(throws: APIError.self) { try await client.createCall(CallCreate()) }
            #expect(again?.code == .callInProgress)

            let userID = pair.user.id.parameterText
            let started =
                #"""
                {"event":"call_started","call":{"call_id":"\#(call.id)","call_status":"ongoing",
                "direction":"outbound","to_number":"+15555550100","start_timestamp":1795791845000,
                "metadata":{"user_id":"\#(userID)"}}}
                """#
            let ended =
                #"""
                {"event":"call_ended","call":{"call_id":"\#(call.id)","call_status":"ended",
                "direction":"outbound","start_timestamp":1795791845000,"end_timestamp":1795791905500,
                "disconnection_reason":"user_hangup","metadata":{"user_id":"\#(userID)"},
                "transcript_object":[{"role":"agent","content":"Hi! You have one open to-do.",
                "words":[{"word":"Hi","start":0.5,"end":0.9},{"word":"to-do",
                "start":1.0,"end":2.25}]},{"role":"user","content":"Thanks","words":[]}],
                "unknown_new_field":true}}
                """#
            let analyzed =
                #"""
                {"event":"call_analyzed","call":{"call_id":"\#(call.id)","call_status":"ended",
                "metadata":{"user_id":"\#(userID)"},"call_analysis":{"call_summary":"Reminded about milk.",
                "user_sentiment":"Positive","call_successful":true}}}
                """#
            for event in [started, ended, analyzed] { #expect(try await deliver(server, event).status == 204) }
            // Redelivery and unknown events change nothing.
            #expect(try await deliver(server, ended).status == 204)
            #expect(
                try await deliver(server, #"{"event":"transfer_started","call":{"call_id":"\#(call.id)"}}"#).status
                    == 204)

            let page = try await client.listTranscripts()
            #expect(page.items.count == 1)
            let summary = try #require(page.items.first)
            #expect(summary.callID == call.id)
            #expect(summary.status == .ended)
            #expect(summary.durationSeconds == 60.5)
            #expect(summary.summary == "Reminded about milk.")
            let transcript = try await client.getTranscript(transcriptID: summary.id)
            #expect(transcript.userSentiment == .positive)
            #expect(transcript.callSuccessful == true)
            #expect(transcript.disconnectionReason == "user_hangup")
            #expect(transcript.turns.map(\.role) == [.agent, .user])
            #expect(transcript.turns.first?.startSeconds == 0.5)
            #expect(transcript.turns.first?.endSeconds == 2.25)
            #expect(transcript.turns.last?.startSeconds == nil)

            // The call has ended: another one may start.
            _ = try await client.createCall(CallCreate())
            let placed = try #require(server.fakes?.placedCalls.first)
            #expect((placed["metadata"] as? [String: String])?["user_id"] == userID)
            #expect(
                ((placed["retell_llm_dynamic_variables"] as? [String: String])?["open_todos"] ?? "").contains(
                    "Buy milk"))
            #expect(placed["to_number"] as? String == "+15555550100")

            // Another user cannot read it.
            let (bob, _) = try await server.signIn("+15555550101")
            let hidden = await #expect(throws: APIError.self) { try await bob.getTranscript(transcriptID: summary.id) }
            #expect(hidden?.code == .transcriptNotFound)
            #expect(try await bob.listTranscripts().items.isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func forgedStaleAndUnsignedWebhooksAreRefused(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let json = #"{"event":"call_ended","call":{"call_id":"c1"}}"#
            let stale = RetellSignature.header(body: Data(json.utf8), apiKey: key, now: Date().addingTimeInterval(-301))
            let forged = RetellSignature.header(body: Data(json.utf8), apiKey: "not-the-key")
            for signature in [stale, forged, "v=1,d=abc"] {
                let response = try await deliver(server, json, signature: signature)
                #expect(response.status == 401)
                #expect(APIError(response: response).code == .webhookSignatureInvalid)
            }
            let unsigned = try await server.raw("POST", "/v1/webhooks/retell", body: json)
            #expect(APIError(response: unsigned).code == .webhookSignatureInvalid)
            // The signature covers the exact bytes: re-serialised JSON does not match.
            let signedCompact = RetellSignature.header(body: Data(json.utf8), apiKey: key)
            let spaced = json.replacingOccurrences(of: ":", with: ": ")
            #expect(try await deliver(server, spaced, signature: signedCompact).status == 401)
        }
    }

    @Test(arguments: Backend.available)
    func providerOutages(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (client, _) = try await server.signIn()
            try await server.state("ai agent busy")
            let busy = await #expect(throws: APIError.self) { try await client.createCall(CallCreate()) }
            #expect(busy?.code == .aiAgentBusy)
            #expect(busy?.retryAfter == 60)
            #expect(busy?.problem?.detail == "AI agent is busy, please try again in a minute.")
            try await server.state("ai agent down")
            let down = await #expect(throws: APIError.self) { try await client.createCall(CallCreate()) }
            #expect(down?.code == .aiAgentUnavailable)
            try await server.state("ai agent ok")
            #expect(try await client.createCall(CallCreate()).status == .registered)

            // A number that is not a demo account gets a real (fake) SMS.
            _ = try await server.client.startOTP(OtpStartRequest(phone: "+15555550177"))
            try await server.state("sms provider down")
            let sms = await #expect(throws: APIError.self) {
                try await server.client.startOTP(OtpStartRequest(phone: "+15555550178"))
            }
            #expect(sms?.code == .smsUnavailable)
            #expect(sms?.status == 503)
        }
    }
}

@Suite struct MetricsTests {
    @Test func metricsCountRequestsPerRouteAndStatus() async throws {
        try await withServer(.sqlite) { server in
            _ = try await server.client.checkHealth()
            _ = try await server.raw("GET", "/v1/me")
            let text = try await server.client.getMetrics()
            #expect(text.contains(#"http_requests_total{method="GET",route="/healthz",status="200"}"#))
            #expect(text.contains(#"route="/v1/me",status="401""#))
            #expect(text.contains("http_request_duration_seconds_bucket"))
            #expect(!text.contains("+1555"))
        }
    }
}
