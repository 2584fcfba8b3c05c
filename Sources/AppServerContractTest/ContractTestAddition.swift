import AppServer
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SQLKit
import TodoAgentAPI
import TodoAgentServer

/// Everything contract-test mode adds to the server (API.md): local fake Twilio and Retell
/// servers, `POST /_contract/state`, and the faults its states switch on. Only the
/// `app-server-contract-test` executable and the tests link it.
public struct ContractTestAddition: ServerAddition {
    public let fakes = FakeProviders()
    let faults = FaultSwitches()

    public init() {}

    public func prepare(_ configuration: inout ServerConfiguration, logger: Logger) async throws {
        let base = try await fakes.start(logger: logger)
        configuration.twilio = .init(
            baseURL: base, accountSID: FakeProviders.accountSID, authToken: FakeProviders.authToken,
            fromNumber: FakeProviders.fromNumber)
        configuration.retell = .init(
            baseURL: base, apiKey: ServerConfiguration.ContractTest.retellKey,
            agentID: FakeProviders.agentID, fromNumber: FakeProviders.fromNumber)
    }

    public func middleware(for app: TodoAgentApp) -> [any MiddlewareProtocol<Request, Response, AppRequestContext>] {
        [FaultMiddleware(faults: faults)]
    }

    public func services(for app: TodoAgentApp) -> [any Service] { [FakeProvidersService(fakes: fakes)] }

    /// `POST /_contract/state {"state": NAME}`: puts the server into a known state.
    public func addRoutes(to router: Router<AppRequestContext>, app: TodoAgentApp) {
        let faults = self.faults, fakes = self.fakes
        router.post("/_contract/state") { request, context -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 4096)
            let json = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
            switch json?["state"] as? String {
            case "reset":
                faults.reset()
                fakes.reset()
                try await app.wipeAllData()
            case "database down": faults.databaseDown = true
            case "internal error": faults.failNextRequest()
            case "sms provider down": fakes.sms = .down
            case "ai agent busy": fakes.agent = .busy
            case "ai agent down": fakes.agent = .down
            case "ai agent ok": fakes.agent = .ok
            case "api rate limit reached":
                guard try await Self.exhaustRateLimit(app) else {
                    return Self.refusal(
                        "The server runs without a per-user rate limit (API_RATE_LIMIT_PER_MINUTE=0).", request)
                }
            default:
                return Self.refusal("Unknown provider state.", request)
            }
            return Response(status: .noContent)
        }
    }

    static func refusal(_ detail: String, _ request: Request) -> Response {
        ServerErrors.response(
            for: APIError(.validationFailed, detail: detail) {
                $0.errors = [FieldError(field: "/state", code: "enum", message: "is not a state this server can take")]
            }, requestID: ServerCore.requestID(request))
    }

    /// Every existing user has used up this minute's and the next minute's request budget, in
    /// the database the real limit counts in; false when the server has no limit.
    static func exhaustRateLimit(_ app: TodoAgentApp) async throws -> Bool {
        guard let limit = app.configuration.apiRateLimitPerMinute else { return false }
        let now = app.timeSource.nowMillis
        let window = now - now % 60_000
        try await app.db.transaction { sql in
            for start in [window, window + 60_000] {
                try await sql.raw("DELETE FROM api_usage WHERE window_start = \(bind: start)").run()
                try await sql.raw(
                    """
                    INSERT INTO api_usage (user_id, window_start, requests)
                    SELECT id, \(bind: start), \(bind: limit) FROM users
                    """
                ).run()
            }
        }
        return true
    }
}

/// The contract states that make failures happen on demand.
final class FaultSwitches: @unchecked Sendable {
    private let lock = NSLock()
    private var _databaseDown = false
    private var internalErrorPending = false

    var databaseDown: Bool {
        get { lock.withLock { _databaseDown } }
        set { lock.withLock { _databaseDown = newValue } }
    }

    func failNextRequest() { lock.withLock { internalErrorPending = true } }

    /// Whether this request is the one to fail (only one is).
    func takeInternalError() -> Bool {
        lock.withLock {
            defer { internalErrorPending = false }
            return internalErrorPending
        }
    }

    func reset() {
        lock.withLock {
            _databaseDown = false
            internalErrorPending = false
        }
    }
}

/// `database down`: every `/v1` route and `/readyz` answer 503 SERVICE_UNAVAILABLE until `reset`.
/// `internal error`: the next `/v1` request answers 500 INTERNAL_ERROR. Unmatched paths, the
/// health probe and `/metrics` are left alone, as a lost database leaves them.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let faults: FaultSwitches

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let route = context.endpointPath, route.hasPrefix("/v1/") || route == "/readyz" else {
            return try await next(request, context)
        }
        let failure: APIError
        if faults.databaseDown {
            failure = APIError(.serviceUnavailable, detail: "The database is unreachable.", retryAfter: 5)
        } else if route.hasPrefix("/v1/"), faults.takeInternalError() {
            failure = ServerErrors.internalError
        } else {
            return try await next(request, context)
        }
        let requestID = ServerCore.requestID(request)
        var response = ServerErrors.response(for: failure, requestID: requestID)
        response.headers[ServerCore.requestIdHeader] = requestID
        return response
    }
}

/// Stops the fake providers when the server stops.
struct FakeProvidersService: Service {
    let fakes: FakeProviders

    func run() async throws {
        try? await gracefulShutdown()
        await fakes.stop()
    }
}
