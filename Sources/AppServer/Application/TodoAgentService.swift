import Foundation
import Hummingbird
import Logging
import TodoAgentAPI
import TodoAgentServer

/// The Todo Agent API: implements the generated handler protocol; every method is a plain
/// async function over the typed input and output.
struct TodoAgentService: TodoAgentAPIHandler {
    typealias Principal = Caller

    let auth: AuthService
    let todos: TodoService
    let calls: CallService
    let db: AppDatabase
    /// Whether `/metrics` is served on this (the public) listener; otherwise it answers as an unknown route.
    let metricsOnPublicListener: Bool

    func startOTP(_ input: Operations.StartOTP.Input, request: RequestInfo) async throws -> Operations.StartOTP.Output {
        return .accepted(try await auth.startOTP(phone: input.body.phone, clientIP: auth.clientAddress(of: request)))
    }

    func verifyOTP(
        _ input: Operations.VerifyOTP.Input, request: RequestInfo
    ) async throws -> Operations.VerifyOTP.Output {
        .ok(try await auth.verifyOTP(phone: input.body.phone, code: input.body.code))
    }

    func refreshTokens(
        _ input: Operations.RefreshTokens.Input, request: RequestInfo
    ) async throws -> Operations.RefreshTokens.Output {
        .ok(try await auth.refresh(input.body.refreshToken))
    }

    func logout(
        _ input: Operations.Logout.Input, principal: Caller, request: RequestInfo
    ) async throws -> Operations.Logout.Output {
        try await auth.logout(input.body.refreshToken, userID: try principal.user())
        return .noContent
    }

    func getMe(principal: Caller, request: RequestInfo) async throws -> Operations.GetMe.Output {
        .ok(try await auth.user(try principal.user()))
    }

    func deleteMe(principal: Caller, request: RequestInfo) async throws -> Operations.DeleteMe.Output {
        try await auth.deleteUser(try principal.user())
        return .noContent
    }

    func listTodos(
        _ input: Operations.ListTodos.Input, principal: Caller, request: RequestInfo
    ) async throws -> Operations.ListTodos.Output {
        .ok(
            try await todos.list(
                userID: try principal.user(), limit: input.limit ?? 50, cursor: input.cursor,
                status: input.status ?? .all))
    }

    func createTodo(
        _ input: Operations.CreateTodo.Input, principal: Caller, request: RequestInfo
    ) async throws -> Operations.CreateTodo.Output {
        let todo = try await todos.create(
            userID: try principal.user(), body: input.body, idempotencyKey: input.idempotencyKey)
        return .created(todo, location: "/v1/todos/\(todo.id.parameterText)")
    }

    func getTodo(
        _ input: Operations.GetTodo.Input, principal: Caller, request: RequestInfo
    ) async throws -> Operations.GetTodo.Output {
        .ok(try await todos.get(userID: try principal.user(), id: input.todoID))
    }

    func updateTodo(
        _ input: Operations.UpdateTodo.Input, principal: Caller, request: RequestInfo
    ) async throws -> Operations.UpdateTodo.Output {
        .ok(try await todos.update(userID: try principal.user(), id: input.todoID, change: input.body))
    }

    func deleteTodo(
        _ input: Operations.DeleteTodo.Input, principal: Caller, request: RequestInfo
    ) async throws -> Operations.DeleteTodo.Output {
        try await todos.delete(userID: try principal.user(), id: input.todoID)
        return .noContent
    }

    func createCall(
        _ input: Operations.CreateCall.Input, principal: Caller, request: RequestInfo
    ) async throws -> Operations.CreateCall.Output {
        .accepted(try await calls.createCall(userID: try principal.user()))
    }

    func listTranscripts(
        _ input: Operations.ListTranscripts.Input, principal: Caller, request: RequestInfo
    ) async throws -> Operations.ListTranscripts.Output {
        .ok(try await calls.list(userID: try principal.user(), limit: input.limit ?? 50, cursor: input.cursor))
    }

    func getTranscript(
        _ input: Operations.GetTranscript.Input, principal: Caller, request: RequestInfo
    ) async throws -> Operations.GetTranscript.Output {
        .ok(try await calls.get(userID: try principal.user(), id: input.transcriptID))
    }

    func receiveRetellWebhook(
        _ input: Operations.ReceiveRetellWebhook.Input, principal: Caller, request: RequestInfo
    ) async throws -> Operations.ReceiveRetellWebhook.Output {
        guard principal == .retellWebhook else {
            throw APIError(.webhookSignatureInvalid, detail: "Only Retell posts here.")
        }
        try await calls.apply(input.body)
        return .noContent
    }

    func getMetrics(request: RequestInfo) async throws -> Operations.GetMetrics.Output {
        // Off this listener, the route answers exactly as a path the server does not have.
        guard metricsOnPublicListener else { throw APIError(.notFound, detail: "No route matches this path.") }
        return .ok(Observability.emit())
    }

    func checkHealth(request: RequestInfo) async throws -> Operations.CheckHealth.Output {
        .ok(HealthStatus(status: .ok))
    }

    func checkReadiness(request: RequestInfo) async throws -> Operations.CheckReadiness.Output {
        guard await db.ping() else {
            throw APIError(.serviceUnavailable, detail: "The database is unreachable.", retryAfter: 5)
        }
        return .ok(HealthStatus(status: .ok))
    }
}

extension Caller {
    /// The user id of a bearer-authenticated operation.
    func user() throws -> String {
        guard let userID else {
            throw APIError(.authRequired, detail: "This route needs 'Authorization: Bearer <access token>'.")
        }
        return userID
    }
}

/// Checks the credentials of each request for the spec's security schemes: the access token
/// as `AccessTokenMiddleware` put it in the context, the webhook signature over the raw body.
struct TodoAgentAuthenticator: Authenticator {
    let auth: AuthService
    /// The Retell API key, which also signs webhooks; without it no webhook is accepted.
    let retellKey: String?
    let timeSource: any TimeSource

    func authenticate<Context: RequestContext>(
        schemes: [String], request: RequestInfo, context: Context
    ) async throws -> Caller {
        if schemes.contains("bearerAuth") {
            guard let context = context as? AppRequestContext else {
                throw APIError(.authRequired, detail: "This route needs 'Authorization: Bearer <access token>'.")
            }
            return .user(id: try await auth.admit(context.accessToken))
        }
        if schemes.contains("retellSignature") {
            guard let retellKey,
                RetellSignature.isValid(
                    header: request.header("x-retell-signature"), body: request.body, apiKey: retellKey,
                    now: timeSource.now())
            else {
                throw APIError(.webhookSignatureInvalid, detail: "The webhook signature is missing, wrong or too old.")
            }
            return .retellWebhook
        }
        throw APIError(.authRequired, detail: "This route needs credentials.")
    }
}
