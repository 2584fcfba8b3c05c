import AppServer
import AppServerContractTest
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TodoAgentAPI
import TodoAgentClient

/// The databases the server tests run on: SQLite always; PostgreSQL when scripts/test started
/// one (TEST_DATABASE_URL). Under scripts/test a missing PostgreSQL is a failure, not a skip.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var available: [Backend] {
        ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    var testDescription: String { rawValue }

    var databaseURL: String {
        switch self {
        case .sqlite: "sqlite::memory:"
        case .postgres: ProcessInfo.processInfo.environment["TEST_DATABASE_URL"]!
        }
    }
}

/// PostgreSQL tests share one database: they take turns, each starting from `reset`.
actor PostgresTurns {
    static let shared = PostgresTurns()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}

struct Harness {
    let baseURL: URL
    let client: TodoAgentClient
    let fakes: FakeProviders?

    /// A raw request (for what the typed client cannot send on purpose).
    func raw(
        _ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]
    ) async throws -> TransportResponse {
        var request = TransportRequest(
            method: method, url: URL(string: baseURL.absoluteString + path)!, headers: headers,
            body: body.map { Data($0.utf8) })
        if body != nil && request.header("Content-Type") == nil { request.headers["Content-Type"] = "application/json" }
        return try await URLSessionTransport().send(request)
    }

    func state(_ name: String) async throws {
        let response = try await raw("POST", "/_contract/state", body: #"{"state":"\#(name)"}"#)
        #expect(response.status == 204)
    }

    /// Signs in a demo account and returns a client that carries its token.
    func signIn(_ phone: String = "+15555550100") async throws -> (TodoAgentClient, TokenPair) {
        _ = try await client.startOTP(OtpStartRequest(phone: phone))
        let pair = try await client.verifyOTP(OtpVerifyRequest(phone: phone, code: "123456"))
        return (TodoAgentClient(baseURL: baseURL, tokenProvider: FixedToken(pair.accessToken)), pair)
    }
}

struct FixedToken: TokenProvider {
    let token: String
    init(_ token: String) { self.token = token }
    func accessToken() async throws -> String? { token }
    func refreshedAccessToken() async throws -> String? { nil }
}

/// Runs `body` against `app-server --contract-test` on `backend`, over real HTTP; `time` is the
/// server's clock (the system's unless a test sets one).
func withServer(
    _ backend: Backend, environment: [String: String] = [:], logger custom: Logger? = nil,
    time: any TimeSource = SystemTime(), _ body: @Sendable (Harness) async throws -> Void
) async throws {
    if backend == .postgres { await PostgresTurns.shared.acquire() }
    defer { if backend == .postgres { Task { await PostgresTurns.shared.release() } } }
    var env = ["DATABASE_URL": backend.databaseURL]
    env.merge(environment) { $1 }
    var configuration = try ServerConfiguration.fromEnvironment(env, contractTest: true)
    configuration.port = 0
    var logger = custom ?? Logger(label: "test")
    if custom == nil { logger.logLevel = .warning }
    let contract = ContractTestAddition()
    let server = try await TodoAgentApp.make(configuration, logger: logger, additions: [contract], timeSource: time)
    let app = try await server.application()
    let fakes = contract.fakes
    try await app.test(.live) { client in
        let base = URL(string: "http://127.0.0.1:\(client.port!)")!
        let harness = Harness(baseURL: base, client: TodoAgentClient(baseURL: base), fakes: fakes)
        if backend == .postgres { try await harness.state("reset") }
        try await body(harness)
    }
}

@Suite struct BackendAvailability {
    /// scripts/test sets ACCORD_REQUIRE_POSTGRES=1: there, PostgreSQL tests must run.
    @Test func postgresRunsWhereItIsRequired() {
        if ProcessInfo.processInfo.environment["ACCORD_REQUIRE_POSTGRES"] == "1" {
            #expect(Backend.available.contains(.postgres), "scripts/test must provide TEST_DATABASE_URL")
        }
    }
}
