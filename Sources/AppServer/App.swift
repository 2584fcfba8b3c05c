import AsyncHTTPClient
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import ServiceLifecycle
import TodoAgentAPI
import TodoAgentServer

/// Builds the whole server from a configuration: database, services, routes.
public struct TodoAgentApp {
    public let configuration: ServerConfiguration
    public let logger: Logger
    let db: AppDatabase
    let tokens: AccessTokens
    let faults = FaultInjector()
    /// The local fake providers (contract-test mode only).
    public let fakes: FakeProviders?

    public static func make(_ configuration: ServerConfiguration, logger: Logger) async throws -> TodoAgentApp {
        Observability.bootstrap()
        var configuration = configuration
        var fakes: FakeProviders?
        if configuration.mode == .contractTest {
            let providers = FakeProviders()
            let base = try await providers.start(logger: logger)
            configuration.twilio = .init(baseURL: base, accountSID: FakeProviders.accountSID, authToken: FakeProviders.authToken,
                                         fromNumber: FakeProviders.fromNumber)
            configuration.retell = .init(baseURL: base, apiKey: ServerConfiguration.ContractTest.retellKey, agentID: FakeProviders.agentID,
                                         fromNumber: FakeProviders.fromNumber)
            fakes = providers
        }
        let db = try await AppDatabase.open(configuration.database, logger: logger)
        let tokens = await AccessTokens(key: configuration.jwtKey, issuer: configuration.jwtIssuer, audience: configuration.jwtAudience)
        return TodoAgentApp(configuration: configuration, logger: logger, db: db, tokens: tokens, fakes: fakes)
    }

    /// The router with every route of the spec (plus `/_contract/state` in contract-test mode).
    func router() -> Router<BasicRequestContext> {
        let logger = self.logger
        let http = HTTPClient.shared
        let timeout = TimeAmount.milliseconds(Int64(configuration.providerTimeoutMilliseconds))
        var sms: any SMSSender = LogSMSSender(logger: logger, showCode: configuration.showCodesInLog)
        if let twilio = configuration.twilio {
            var sender = TwilioSMSSender(baseURL: twilio.baseURL, accountSID: twilio.accountSID, authToken: twilio.authToken,
                                         fromNumber: twilio.fromNumber, http: http, logger: logger)
            sender.timeout = timeout
            sms = sender
        }
        let retell = configuration.retell.map {
            var client = RetellClient(baseURL: $0.baseURL, apiKey: $0.apiKey, agentID: $0.agentID, fromNumber: $0.fromNumber, http: http, logger: logger)
            client.timeout = timeout
            return client
        }
        var auth = AuthService(db: db, tokens: tokens, sms: sms, demoAccounts: configuration.demoAccounts, codePepper: configuration.jwtKey)
        auth.apiRateLimitPerMinute = configuration.apiRateLimitPerMinute
        auth.trustProxyHops = configuration.trustProxyHops
        let service = TodoAgentService(auth: auth, todos: TodoService(db: db), calls: CallService(db: db, retell: retell, logger: logger),
                                       db: db, faults: faults)
        let router = Router()
        router.add(middleware: RequestLogMiddleware(logger: logger))
        service.registerRoutes(on: router, authenticator: TodoAgentAuthenticator(auth: auth, faults: faults, retellKey: configuration.retell?.apiKey),
                               options: ServerOptions(onUnexpectedError: { error, info in
                                   logger.error("unexpected error", metadata: [
                                       "request_id": .string(info.requestID), "operation": .string(info.operationId),
                                       "error": .string(String(describing: type(of: error))),
                                   ])
                               }, minimumAppVersion: configuration.minimumAppVersion))
        if configuration.mode == .contractTest { addContractStateRoute(router) }
        return router
    }

    /// `POST /_contract/state {"state": NAME}`: puts the server into a known state (API.md).
    private func addContractStateRoute(_ router: Router<BasicRequestContext>) {
        let faults = self.faults, db = self.db, fakes = self.fakes
        router.post("/_contract/state") { request, context -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 4096)
            let json = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
            switch json?["state"] as? String {
            case "reset":
                faults.reset()
                fakes?.reset()
                try await Storage.wipe(db)
            case "database down": faults.databaseDown = true
            case "internal error": faults.failNextRequest()
            case "sms provider down": fakes?.sms = .down
            case "ai agent busy": fakes?.agent = .busy
            case "ai agent down": fakes?.agent = .down
            case "ai agent ok": fakes?.agent = .ok
            default:
                return ServerErrors.response(for: APIError(.validationFailed, detail: "Unknown provider state.") {
                    $0.errors = [FieldError(field: "/state", code: "enum", message: "is not a known state")]
                }, requestID: ServerCore.requestID(request))
            }
            return Response(status: .noContent)
        }
    }

    /// Runs until SIGTERM/SIGINT, then shuts down gracefully.
    public func run() async throws {
        try await Migrations.apply(db)
        for warning in configuration.warnings { logger.warning("\(warning)") }
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "app-server"),
            services: [DatabaseService(db: db)],
            logger: logger)
        logger.notice("app-server listening", metadata: [
            "address": .string("\(configuration.host):\(configuration.port)"), "database": .string(configuration.database.redacted),
            "mode": .string("\(configuration.mode)"),
        ])
        try await app.runService()
    }

    /// For tests: an application on the given router (migrations applied).
    public func application() async throws -> some ApplicationProtocol {
        try await Migrations.apply(db)
        return Application(router: router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                           services: [DatabaseService(db: db)], logger: logger)
    }
}

/// Closes the database when the server shuts down.
struct DatabaseService: Service {
    let db: AppDatabase

    func run() async throws {
        try? await gracefulShutdown()
        // Close even when the group was cancelled: an unstructured task is not.
        await Task { await db.close() }.value
    }
}

enum Storage {
    /// Deletes every row (contract-test `reset`).
    static func wipe(_ db: AppDatabase) async throws {
        try await db.transaction { sql in
            for table in ["webhook_events", "transcripts", "calls", "idempotency_keys", "todos", "refresh_tokens", "otp_sends", "otp_codes",
                          "api_usage", "users"] {
                try await sql.raw("DELETE FROM \(unsafeRaw: table)").run()
            }
        }
    }
}

/// Who a request turned out to be: the authenticator fills it in, the request log line reads it.
final class RequestUser: @unchecked Sendable {
    @TaskLocal static var current: RequestUser?
    private let lock = NSLock()
    private var _id: String?

    var id: String? {
        get { lock.withLock { _id } }
        set { lock.withLock { _id = newValue } }
    }
}

/// One JSON log line per request: id, method, route template, status, duration, user id. Never
/// bodies, tokens or phone numbers.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let who = RequestUser()
        let response = try await RequestUser.$current.withValue(who) { try await next(request, context) }
        let elapsed = ContinuousClock.now - start
        let millis = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        Observability.recordRequest(method: request.method.rawValue, route: context.endpointPath ?? "unmatched",
                                    status: response.status.code, duration: elapsed)
        logger.info("request", metadata: [
            "request_id": .string(response.headers[ServerCore.requestIdHeader] ?? ""),
            "method": .string(request.method.rawValue),
            "route": .string(context.endpointPath ?? "unmatched"),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.2f", millis)),
            "user_id": .string(who.id ?? "-"),
        ])
        return response
    }
}
