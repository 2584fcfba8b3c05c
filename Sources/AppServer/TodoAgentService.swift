import Foundation
import Logging
import TodoAgentAPI
import TodoAgentServer

/// The Todo Agent API: implements the generated handler protocol; every method is a plain
/// async function over the typed input and output.
struct TodoAgentService: TodoAgentAPIHandler {
    typealias Principal = AuthenticatedUser

    let auth: AuthService
    let todos: TodoService
    let calls: CallService
    let db: AppDatabase
    let faults: FaultInjector

    func startOTP(_ input: Operations.StartOTP.Input, request: RequestInfo) async throws -> Operations.StartOTP.Output {
        try faults.check()
        return .accepted(try await auth.startOTP(phone: input.body.phone, clientIP: auth.clientAddress(of: request)))
    }

    func verifyOTP(_ input: Operations.VerifyOTP.Input, request: RequestInfo) async throws -> Operations.VerifyOTP.Output {
        try faults.check()
        return .ok(try await auth.verifyOTP(phone: input.body.phone, code: input.body.code))
    }

    func refreshTokens(_ input: Operations.RefreshTokens.Input, request: RequestInfo) async throws -> Operations.RefreshTokens.Output {
        try faults.check()
        return .ok(try await auth.refresh(input.body.refreshToken))
    }

    func logout(_ input: Operations.Logout.Input, principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.Logout.Output {
        try faults.check()
        try await auth.logout(input.body.refreshToken, userID: principal.id)
        return .noContent
    }

    func getMe(principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.GetMe.Output {
        try faults.check()
        return .ok(try await auth.user(principal.id))
    }

    func deleteMe(principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.DeleteMe.Output {
        try faults.check()
        try await auth.deleteUser(principal.id)
        return .noContent
    }

    func listTodos(_ input: Operations.ListTodos.Input, principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.ListTodos.Output {
        try faults.check()
        return .ok(try await todos.list(userID: principal.id, limit: input.limit ?? 50, cursor: input.cursor, status: input.status ?? .all))
    }

    func createTodo(_ input: Operations.CreateTodo.Input, principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.CreateTodo.Output {
        try faults.check()
        let todo = try await todos.create(userID: principal.id, body: input.body, idempotencyKey: input.idempotencyKey)
        return .created(todo, location: "/v1/todos/\(todo.id.parameterText)")
    }

    func getTodo(_ input: Operations.GetTodo.Input, principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.GetTodo.Output {
        try faults.check()
        return .ok(try await todos.get(userID: principal.id, id: input.todoID))
    }

    func updateTodo(_ input: Operations.UpdateTodo.Input, principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.UpdateTodo.Output {
        try faults.check()
        return .ok(try await todos.update(userID: principal.id, id: input.todoID, change: input.body))
    }

    func deleteTodo(_ input: Operations.DeleteTodo.Input, principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.DeleteTodo.Output {
        try faults.check()
        try await todos.delete(userID: principal.id, id: input.todoID)
        return .noContent
    }

    func createCall(_ input: Operations.CreateCall.Input, principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.CreateCall.Output {
        try faults.check()
        return .accepted(try await calls.createCall(userID: principal.id))
    }

    func listTranscripts(_ input: Operations.ListTranscripts.Input, principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.ListTranscripts.Output {
        try faults.check()
        return .ok(try await calls.list(userID: principal.id, limit: input.limit ?? 50, cursor: input.cursor))
    }

    func getTranscript(_ input: Operations.GetTranscript.Input, principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.GetTranscript.Output {
        try faults.check()
        return .ok(try await calls.get(userID: principal.id, id: input.transcriptID))
    }

    func receiveRetellWebhook(_ input: Operations.ReceiveRetellWebhook.Input, principal: AuthenticatedUser, request: RequestInfo) async throws -> Operations.ReceiveRetellWebhook.Output {
        try faults.check()
        try await calls.apply(input.body)
        return .noContent
    }

    func getMetrics(request: RequestInfo) async throws -> Operations.GetMetrics.Output {
        .ok(Observability.emit())
    }

    func checkHealth(request: RequestInfo) async throws -> Operations.CheckHealth.Output {
        .ok(HealthStatus(status: .ok))
    }

    func checkReadiness(request: RequestInfo) async throws -> Operations.CheckReadiness.Output {
        guard !faults.databaseDown, await db.ping() else {
            throw APIError(.serviceUnavailable, detail: "The database is unreachable.", retryAfter: 5)
        }
        return .ok(HealthStatus(status: .ok))
    }

    /// `203.0.113.5:51234` / `[::1]:51234` → the host part (rate limits count per address).
    static func host(_ address: String) -> String {
        if address.hasPrefix("["), let end = address.firstIndex(of: "]") { return String(address[address.index(after: address.startIndex)..<end]) }
        if address.filter({ $0 == ":" }).count == 1, let colon = address.lastIndex(of: ":") { return String(address[..<colon]) }
        return address
    }
}

/// Checks the credentials of each request for the spec's security schemes.
struct TodoAgentAuthenticator: Authenticator {
    let auth: AuthService
    let faults: FaultInjector
    /// The Retell API key, which also signs webhooks; without it no webhook is accepted.
    let retellKey: String?

    func authenticate(schemes: [String], request: RequestInfo) async throws -> AuthenticatedUser {
        try faults.check()
        if schemes.contains("bearerAuth") {
            let user = try await auth.authenticate(bearer: request.header("Authorization"))
            RequestUser.current?.id = user.id
            return user
        }
        if schemes.contains("retellSignature") {
            guard let retellKey, RetellSignature.isValid(header: request.header("x-retell-signature"), body: request.body, apiKey: retellKey) else {
                throw APIError(.webhookSignatureInvalid, detail: "The webhook signature is missing, wrong or too old.")
            }
            return AuthenticatedUser(id: "retell")
        }
        throw APIError(.authRequired, detail: "This route needs credentials.")
    }
}

/// Contract-test states that make failures happen on demand ("database down", "internal error").
final class FaultInjector: @unchecked Sendable {
    private let lock = NSLock()
    private var _databaseDown = false
    private var _internalErrorPending = false

    var databaseDown: Bool {
        get { lock.withLock { _databaseDown } }
        set { lock.withLock { _databaseDown = newValue } }
    }

    func failNextRequest() { lock.withLock { _internalErrorPending = true } }

    func reset() {
        lock.withLock {
            _databaseDown = false
            _internalErrorPending = false
        }
    }

    struct InjectedFailure: Error {}

    /// Throws the failure a contract-test state asks for.
    func check() throws {
        let (down, fail) = lock.withLock { () -> (Bool, Bool) in
            let fail = _internalErrorPending
            _internalErrorPending = false
            return (_databaseDown, fail)
        }
        if down { throw APIError(.serviceUnavailable, detail: "The database is unreachable.", retryAfter: 5) }
        if fail { throw InjectedFailure() }
    }
}
