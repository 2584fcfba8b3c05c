import AppServer
import Foundation
import Testing
import TodoAgentAPI
import TodoAgentClient

/// Every test runs over real HTTP against `app-server --contract-test`, on SQLite and (under
/// scripts/test) on PostgreSQL.
@Suite struct AuthAndTodoTests {
    @Test(arguments: Backend.available)
    func signInRefreshRotationAndReuseDetection(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let started = try await server.client.startOTP(OtpStartRequest(phone: "+1 (555) 555-0100"))
            #expect(started.phone == "+15555550100")
            #expect(started.expiresIn == 300)
            #expect(started.resendAfter == 30)
            let pair = try await server.client.verifyOTP(OtpVerifyRequest(phone: "+15555550100", code: "123456"))
            let client = TodoAgentClient(baseURL: server.baseURL, tokenProvider: FixedToken(pair.accessToken))
            #expect(pair.tokenType == .bearer)
            #expect(pair.expiresIn == 900)
            #expect(try await client.getMe().phone == "+15555550100")

            let rotated = try await server.client.refreshTokens(RefreshRequest(refreshToken: pair.refreshToken))
            #expect(rotated.refreshToken != pair.refreshToken)
            // The old one is spent; presenting it again revokes the whole family.
            let reuse = await #expect(throws: APIError.self) {
                try await server.client.refreshTokens(RefreshRequest(refreshToken: pair.refreshToken))
            }
            #expect(reuse?.code == .refreshTokenInvalid)
            let family = await #expect(throws: APIError.self) {
                try await server.client.refreshTokens(RefreshRequest(refreshToken: rotated.refreshToken))
            }
            #expect(family?.code == .refreshTokenInvalid)
        }
    }

    @Test(arguments: Backend.available)
    func logoutRevokesTheFamily(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (client, pair) = try await server.signIn()
            try await client.logout(LogoutRequest(refreshToken: pair.refreshToken))
            let error = await #expect(throws: APIError.self) {
                try await server.client.refreshTokens(RefreshRequest(refreshToken: pair.refreshToken))
            }
            #expect(error?.code == .refreshTokenInvalid)
        }
    }

    @Test(arguments: Backend.available)
    func wrongCodesCountDownThenBurnTheCode(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            _ = try await server.client.startOTP(OtpStartRequest(phone: "+15555550101"))
            for remaining in [4, 3, 2, 1] {
                let error = await #expect(throws: APIError.self) {
                    try await server.client.verifyOTP(OtpVerifyRequest(phone: "+15555550101", code: "000000"))
                }
                #expect(error?.code == .otpInvalid)
                #expect(error?.problem?.attemptsRemaining == remaining)
            }
            let burnt = await #expect(throws: APIError.self) {
                try await server.client.verifyOTP(OtpVerifyRequest(phone: "+15555550101", code: "000000"))
            }
            #expect(burnt?.code == .otpAttemptsExceeded)
            #expect(burnt?.status == 429)
            // Even the right code no longer works.
            let after = await #expect(throws: APIError.self) {
                try await server.client.verifyOTP(OtpVerifyRequest(phone: "+15555550101", code: "123456"))
            }
            #expect(after?.code == .otpAttemptsExceeded)

            let resend = await #expect(throws: APIError.self) {
                try await server.client.startOTP(OtpStartRequest(phone: "+15555550101"))
            }
            #expect(resend?.code == .rateLimited)
            #expect((resend?.retryAfter ?? 0) > 0)

            let noCode = await #expect(throws: APIError.self) {
                try await server.client.verifyOTP(OtpVerifyRequest(phone: "+15555550199", code: "123456"))
            }
            #expect(noCode?.code == .otpExpired)
            let badPhone = await #expect(throws: APIError.self) {
                try await server.client.startOTP(OtpStartRequest(phone: "12345"))
            }
            #expect(badPhone?.code == .phoneInvalid)
        }
    }

    @Test(arguments: Backend.available)
    func refusedTokens(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (_, pair) = try await server.signIn()
            let userID = pair.user.id.parameterText
            let fixed = ServerConfiguration.ContractTest.self
            let wrongKey = try await AccessTokens(
                key: "another-key-0123456789abcdefghijklmnop", issuer: fixed.jwtIssuer, audience: fixed.jwtAudience
            )
            .issue(userID: userID)
            let wrongIssuer = try await AccessTokens(
                key: fixed.jwtKey, issuer: "https://evil.test", audience: fixed.jwtAudience
            ).issue(userID: userID)
            let wrongAudience = try await AccessTokens(
                key: fixed.jwtKey, issuer: fixed.jwtIssuer, audience: "other-app"
            ).issue(userID: userID)
            let parts = pair.accessToken.split(separator: ".")
            let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
            let tampered = parts[0] + "." + parts[1] + "x." + parts[2]

            func code(_ headers: [String: String]) async throws -> String? {
                let response = try await server.raw("GET", "/v1/me", headers: headers)
                #expect(response.header("Content-Type") == "application/problem+json")
                return APIError(response: response).code.rawValue
            }
            #expect(try await code([:]) == "AUTH_REQUIRED")
            #expect(try await code(["x-phone": "+15555550100"]) == "AUTH_REQUIRED")
            #expect(try await code(["Authorization": "Bearer garbage"]) == "TOKEN_INVALID")
            #expect(try await code(["Authorization": "Bearer \(wrongKey)"]) == "TOKEN_INVALID")
            #expect(try await code(["Authorization": "Bearer \(wrongIssuer)"]) == "TOKEN_INVALID")
            #expect(try await code(["Authorization": "Bearer \(wrongAudience)"]) == "TOKEN_INVALID")
            #expect(try await code(["Authorization": "Bearer \(none)"]) == "TOKEN_INVALID")
            #expect(try await code(["Authorization": "Bearer \(tampered)"]) == "TOKEN_INVALID")
            #expect(
                try await server.raw("GET", "/v1/me", headers: ["Authorization": "Bearer \(pair.accessToken)"]).status
                    == 200)
        }
    }

    @Test(arguments: Backend.available)
    func todoLifecycle(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (client, _) = try await server.signIn()
            let due = Date(timeIntervalSince1970: 1_800_000_000)
            let answer = try await client.createTodo(
                TodoCreate(title: "  Call mum  ", notes: "about Sunday", dueAt: due))
            let created = answer.value
            #expect(answer.location?.path == "/v1/todos/\(created.id.parameterText)")
            #expect(created.title == "Call mum")
            #expect(created.dueAt == due)
            #expect(!created.completed && created.completedAt == nil)

            let done = try await client.updateTodo(todoID: created.id, TodoUpdate(completed: true))
            #expect(done.completed && done.completedAt != nil)
            #expect(done.notes == "about Sunday")
            let cleared = try await client.updateTodo(
                todoID: created.id, TodoUpdate(notes: .null, dueAt: .null, completed: false))
            #expect(cleared.notes == nil && cleared.dueAt == nil && cleared.completedAt == nil)
            let kept = try await client.updateTodo(todoID: created.id, TodoUpdate(title: "Call dad"))
            #expect(kept.title == "Call dad" && kept.notes == nil)
            #expect(try await client.getTodo(todoID: created.id) == kept)

            try await client.deleteTodo(todoID: created.id)
            let gone = await #expect(throws: APIError.self) { try await client.getTodo(todoID: created.id) }
            #expect(gone?.code == .todoNotFound)
            let again = await #expect(throws: APIError.self) { try await client.deleteTodo(todoID: created.id) }
            #expect(again?.code == .todoNotFound)
        }
    }

    @Test(arguments: Backend.available)
    func paginationAndFilters(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (client, _) = try await server.signIn()
            var ids: [UUID] = []
            for i in 1...5 { ids.append(try await client.createTodo(TodoCreate(title: "todo \(i)")).value.id) }
            _ = try await client.updateTodo(todoID: ids[0], TodoUpdate(completed: true))
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.listTodos(limit: 2, cursor: cursor)
                #expect(page.items.count <= 2)
                seen += page.items.map(\.title)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == ["todo 5", "todo 4", "todo 3", "todo 2", "todo 1"])
            #expect(try await client.listTodos(status: .completed).items.map(\.title) == ["todo 1"])
            #expect(try await client.listTodos(status: .open).items.count == 4)
            let badCursor = await #expect(throws: APIError.self) { try await client.listTodos(cursor: "not-a-cursor") }
            #expect(badCursor?.code == .validationFailed)
        }
    }

    @Test(arguments: Backend.available)
    func idempotentCreate(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (client, _) = try await server.signIn()
            let first = try await client.createTodo(TodoCreate(title: "Once"), idempotencyKey: "key-1")
            let second = try await client.createTodo(TodoCreate(title: "Once"), idempotencyKey: "key-1")
            #expect(first == second)
            #expect(try await client.listTodos().items.count == 1)
            let reused = await #expect(throws: APIError.self) {
                try await client.createTodo(TodoCreate(title: "Twice"), idempotencyKey: "key-1")
            }
            #expect(reused?.code == .idempotencyKeyReused)
        }
    }

    @Test(arguments: Backend.available)
    func usersOnlySeeTheirOwnTodos(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (alice, _) = try await server.signIn("+15555550100")
            let (bob, _) = try await server.signIn("+15555550101")
            let secret = try await alice.createTodo(TodoCreate(title: "Alice's")).value
            for attempt in [
                { _ = try await bob.getTodo(todoID: secret.id) },
                { _ = try await bob.updateTodo(todoID: secret.id, TodoUpdate(title: "mine now")) },
                { try await bob.deleteTodo(todoID: secret.id) },
            ] as [@Sendable () async throws -> Void] {
                let error = await #expect(throws: APIError.self) { try await attempt() }
                #expect(error?.code == .todoNotFound)
            }
            #expect(try await bob.listTodos().items.isEmpty)
            #expect(try await alice.getTodo(todoID: secret.id).title == "Alice's")
        }
    }

    @Test(arguments: Backend.available)
    func deletingTheAccountInvalidatesItsTokens(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (client, pair) = try await server.signIn()
            _ = try await client.createTodo(TodoCreate(title: "x"))
            try await client.deleteMe()
            let error = await #expect(throws: APIError.self) { try await client.getMe() }
            #expect(error?.code == .tokenInvalid)
            let refresh = await #expect(throws: APIError.self) {
                try await server.client.refreshTokens(RefreshRequest(refreshToken: pair.refreshToken))
            }
            #expect(refresh?.code == .refreshTokenInvalid)
            // Signing in again makes a new, empty account.
            let (fresh, freshPair) = try await server.signIn()
            #expect(freshPair.user.id != pair.user.id)
            #expect(try await fresh.listTodos().items.isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func contractStates(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (client, _) = try await server.signIn()
            try await server.state("database down")
            let down = await #expect(throws: APIError.self) { try await client.listTodos() }
            #expect(down?.code == .serviceUnavailable)
            #expect(down?.retryAfter != nil)
            let ready = try await server.raw("GET", "/readyz")
            #expect(ready.status == 503)
            try await server.state("reset")
            #expect(try await server.raw("GET", "/readyz").status == 200)

            try await server.state("internal error")
            let failure = await #expect(throws: APIError.self) {
                try await server.client.startOTP(OtpStartRequest(phone: "+15555550100"))
            }
            #expect(failure?.code == .internalError)
            #expect(failure?.problem?.requestID.isEmpty == false)
            // Only the next request fails.
            _ = try await server.client.startOTP(OtpStartRequest(phone: "+15555550100"))

            let unknown = try await server.raw("POST", "/_contract/state", body: #"{"state":"no such state"}"#)
            #expect(unknown.status == 422)
        }
    }

    @Test(arguments: Backend.available)
    func concurrentWritersLoseNothing(_ backend: Backend) async throws {
        try await withServer(backend) { server in
            let (client, _) = try await server.signIn()
            let created = try await withThrowingTaskGroup(of: UUID.self) { group in
                for i in 0..<40 {
                    group.addTask { try await client.createTodo(TodoCreate(title: "parallel \(i)")).value.id }
                }
                return try await group.reduce(into: Set<UUID>()) { $0.insert($1) }
            }
            #expect(created.count == 40)
            let listed = try await client.listTodos(limit: 100).items.map(\.id)
            #expect(Set(listed) == created)
        }
    }
}
