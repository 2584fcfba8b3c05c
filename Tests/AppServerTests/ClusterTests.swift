import Foundation
import Testing
import TodoAgentAPI
import TodoAgentClient

/// The auth rules across instances: two app-server processes on one PostgreSQL behind HAProxy
/// (`scripts/cluster`), requests alternating between them one by one. Each step checks which
/// instance answered, so "a request on A, the next on B" is what really happened.
/// Runs where scripts/cluster set CLUSTER_URL; under scripts/test (ACCORD_REQUIRE_CLUSTER=1) a
/// missing cluster is a failure.
@Suite(.serialized) struct ClusterTests {
    static let url = ProcessInfo.processInfo.environment["CLUSTER_URL"]
    static var rateLimit: Int { Int(ProcessInfo.processInfo.environment["CLUSTER_RATE_LIMIT"] ?? "") ?? 40 }

    @Test func clusterRunsWhereItIsRequired() {
        if ProcessInfo.processInfo.environment["ACCORD_REQUIRE_CLUSTER"] == "1" {
            #expect(Self.url != nil, "scripts/test must run the tests under scripts/cluster")
        }
    }

    /// Sends requests through the proxy and checks that consecutive ones reach different instances.
    final class Alternating: @unchecked Sendable {
        let harness: Harness
        private var last: String?

        init() async throws {
            let base = URL(string: try #require(ClusterTests.url))!
            harness = Harness(baseURL: base, client: TodoAgentClient(baseURL: base), fakes: nil)
            try await harness.state("reset")
        }

        @discardableResult
        func send(
            _ method: String, _ path: String, body: String? = nil, token: String? = nil,
            headers: [String: String] = [:],
            sourceLocation: SourceLocation = #_sourceLocation
        ) async throws -> TransportResponse {
            var headers = headers
            if let token { headers["Authorization"] = "Bearer \(token)" }
            let response = try await harness.raw(method, path, body: body, headers: headers)
            let instance = response.header("X-Accord-Instance")
            #expect(
                instance != nil, "the answer did not come through the cluster's proxy", sourceLocation: sourceLocation)
            if let last, let instance {
                #expect(
                    instance != last, "two requests in a row reached instance \(instance)",
                    sourceLocation: sourceLocation)
            }
            last = instance
            return response
        }

        func json(_ response: TransportResponse) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        }

        func code(_ response: TransportResponse) -> String? {
            (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any])?["code"] as? String
        }

        /// OTP sign-in of a demo account: start on one instance, verify on the other.
        func signIn(_ phone: String = "+15555550100") async throws -> (access: String, refresh: String) {
            let start = try await send("POST", "/v1/auth/otp/start", body: #"{"phone":"\#(phone)"}"#)
            try #require(start.status == 202)
            let verify = try await send("POST", "/v1/auth/otp/verify", body: #"{"phone":"\#(phone)","code":"123456"}"#)
            try #require(verify.status == 200)
            let pair = try json(verify)
            return (try #require(pair["access_token"] as? String), try #require(pair["refresh_token"] as? String))
        }
    }

    @Test(.enabled(if: ClusterTests.url != nil)) func otpLimitsHoldPerPhoneAndPerAddress() async throws {
        let cluster = try await Alternating()
        // Per phone: a second code within 30 s is refused, whichever instance sent the first.
        #expect(try await cluster.send("POST", "/v1/auth/otp/start", body: #"{"phone":"+15555550100"}"#).status == 202)
        let again = try await cluster.send("POST", "/v1/auth/otp/start", body: #"{"phone":"+15555550100"}"#)
        #expect(again.status == 429)
        #expect(cluster.code(again) == "RATE_LIMITED")
        // Per address: 20 codes an hour from one address, counted across both instances (the one
        // above included); a made-up X-Forwarded-For does not buy more, the proxy overwrites it.
        for index in 1..<20 {
            let response = try await cluster.send(
                "POST", "/v1/auth/otp/start", body: #"{"phone":"+1555555\#(2000 + index)"}"#,
                headers: ["X-Forwarded-For": "198.51.100.\(index)"])
            #expect(response.status == 202, "code \(index + 1) of 20")
        }
        let over = try await cluster.send(
            "POST", "/v1/auth/otp/start", body: #"{"phone":"+15555553999"}"#,
            headers: ["X-Forwarded-For": "203.0.113.99"])
        #expect(over.status == 429)
        #expect(cluster.code(over) == "RATE_LIMITED")
    }

    @Test(.enabled(if: ClusterTests.url != nil)) func aCodeWorksOnceAcrossInstances() async throws {
        let cluster = try await Alternating()
        #expect(try await cluster.send("POST", "/v1/auth/otp/start", body: #"{"phone":"+15555550100"}"#).status == 202)
        let body = #"{"phone":"+15555550100","code":"123456"}"#
        #expect(try await cluster.send("POST", "/v1/auth/otp/verify", body: body).status == 200)
        let second = try await cluster.send("POST", "/v1/auth/otp/verify", body: body)
        #expect(second.status == 400 || second.status == 401)
        #expect(cluster.code(second) == "OTP_EXPIRED")
    }

    @Test(.enabled(if: ClusterTests.url != nil)) func refreshTokenReuseRevokesTheFamilyEverywhere() async throws {
        let cluster = try await Alternating()
        let first = try await cluster.signIn()
        let rotated = try cluster.json(
            try await cluster.send(
                "POST", "/v1/auth/refresh",
                body: #"{"refresh_token":"\#(first.refresh)"}"#))
        let second = (
            access: try #require(rotated["access_token"] as? String),
            refresh: try #require(rotated["refresh_token"] as? String)
        )
        #expect(try await cluster.send("GET", "/v1/me", token: second.access).status == 200)
        // The spent token comes back on the other instance: reuse, the whole family is revoked.
        let reuse = try await cluster.send("POST", "/v1/auth/refresh", body: #"{"refresh_token":"\#(first.refresh)"}"#)
        #expect(reuse.status == 401)
        #expect(cluster.code(reuse) == "REFRESH_TOKEN_INVALID")
        let next = try await cluster.send("POST", "/v1/auth/refresh", body: #"{"refresh_token":"\#(second.refresh)"}"#)
        #expect(next.status == 401)
        // The family's access tokens die with it, on both instances.
        for _ in 0..<2 {
            let me = try await cluster.send("GET", "/v1/me", token: second.access)
            #expect(me.status == 401)
            #expect(cluster.code(me) == "TOKEN_INVALID")
        }
    }

    @Test(.enabled(if: ClusterTests.url != nil)) func logoutRevokesTheAccessTokenOnEveryInstance() async throws {
        let cluster = try await Alternating()
        let session = try await cluster.signIn()
        let other = try await cluster.signIn("+15555550101")
        #expect(try await cluster.send("GET", "/v1/me", token: session.access).status == 200)
        #expect(try await cluster.send("GET", "/v1/me", token: session.access).status == 200)
        let logout = try await cluster.send(
            "POST", "/v1/auth/logout", body: #"{"refresh_token":"\#(session.refresh)"}"#,
            token: session.access)
        #expect(logout.status == 204)
        for _ in 0..<2 {
            let me = try await cluster.send("GET", "/v1/me", token: session.access)
            #expect(me.status == 401)
            #expect(cluster.code(me) == "TOKEN_INVALID")
        }
        let refresh = try await cluster.send(
            "POST", "/v1/auth/refresh", body: #"{"refresh_token":"\#(session.refresh)"}"#)
        #expect(refresh.status == 401)
        // Another user's session is untouched.
        #expect(try await cluster.send("GET", "/v1/me", token: other.access).status == 200)
    }

    @Test(.enabled(if: ClusterTests.url != nil)) func idempotencyKeysHoldAcrossInstances() async throws {
        let cluster = try await Alternating()
        let session = try await cluster.signIn()
        let key = UUID().uuidString
        let first = try await cluster.send(
            "POST", "/v1/todos", body: #"{"title":"once"}"#, token: session.access,
            headers: ["Idempotency-Key": key])
        #expect(first.status == 201)
        let replay = try await cluster.send(
            "POST", "/v1/todos", body: #"{"title":"once"}"#, token: session.access,
            headers: ["Idempotency-Key": key])
        #expect(replay.status == 201)
        #expect(try cluster.json(replay)["id"] as? String == cluster.json(first)["id"] as? String)
        let other = try await cluster.send(
            "POST", "/v1/todos", body: #"{"title":"different"}"#, token: session.access,
            headers: ["Idempotency-Key": key])
        #expect(cluster.code(other) == "IDEMPOTENCY_KEY_REUSED")

        // The same new key on both instances at the same moment: one to-do, one answer.
        let raceKey = UUID().uuidString
        let harness = cluster.harness
        let answers = try await withThrowingTaskGroup(of: TransportResponse.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await harness.raw(
                        "POST", "/v1/todos", body: #"{"title":"raced"}"#,
                        headers: ["Authorization": "Bearer \(session.access)", "Idempotency-Key": raceKey])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0.status == 201 }, "\(answers.map(\.status))")
        #expect(Set(answers.map { $0.header("X-Accord-Instance") }).count == 2, "the race did not reach both instances")
        let ids = Set(try answers.map { try cluster.json($0)["id"] as? String })
        #expect(ids.count == 1)
        let page = try cluster.json(try await cluster.send("GET", "/v1/todos?limit=100", token: session.access))
        let titles = (page["items"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
        #expect(titles.filter { $0 == "raced" }.count == 1)
        #expect(titles.filter { $0 == "once" }.count == 1)
    }

    @Test(.enabled(if: ClusterTests.url != nil)) func theRateLimitCountsBothInstances() async throws {
        let cluster = try await Alternating()
        let session = try await cluster.signIn()
        // The limit counts per minute: a run that crosses a minute boundary is repeated once.
        for attempt in 1...2 {
            let minute = Int(Date().timeIntervalSince1970) / 60
            var statuses: [Int] = []
            for _ in 0..<(Self.rateLimit + 1) {
                statuses.append(try await cluster.send("GET", "/v1/todos", token: session.access).status)
            }
            guard minute == Int(Date().timeIntervalSince1970) / 60 else { continue }
            // The first run's window also holds nothing else of this user's; a repeated run may
            // start in a window the first run already used, so it only checks the refusal.
            if attempt == 1 {
                #expect(statuses.dropLast().allSatisfy { $0 == 200 }, "\(statuses)")
            }
            #expect(
                statuses.last == 429, "request \(Self.rateLimit + 1) of the minute, half on each instance: \(statuses)")
            return
        }
        Issue.record("two runs crossed a minute boundary")
    }
}
