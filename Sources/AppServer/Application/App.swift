import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import TodoAgentAPI
import TodoAgentServer

/// What a build of the server adds to it. Production adds nothing; the contract-test build
/// (`app-server-contract-test`, target AppServerContractTest) adds its fake providers, the
/// contract states and its faults, so none of that is linked into `app-server`.
public protocol ServerAddition: Sendable {
    /// Before anything is built: may point the configuration elsewhere (at local fakes).
    func prepare(_ configuration: inout ServerConfiguration, logger: Logger) async throws
    /// Middleware between the request log and the API's routes.
    func middleware(for app: TodoAgentApp) -> [any MiddlewareProtocol<Request, Response, AppRequestContext>]
    /// Routes beside the API's.
    func addRoutes(to router: Router<AppRequestContext>, app: TodoAgentApp)
    /// Services that live as long as the server.
    func services(for app: TodoAgentApp) -> [any Service]
}

/// Builds the whole server from a configuration: database, services, routes.
public struct TodoAgentApp: Sendable {
    public let configuration: ServerConfiguration
    public let logger: Logger
    package let db: AppDatabase
    package let timeSource: any TimeSource
    let tokens: AccessTokens
    let additions: [any ServerAddition]
    /// The separate metrics listener, when `/metrics` is not on the public one.
    public let metricsListener: MetricsListener?

    public static func make(
        _ configuration: ServerConfiguration, logger: Logger, additions: [any ServerAddition] = [],
        timeSource: any TimeSource = SystemTime()
    ) async throws -> TodoAgentApp {
        Observability.bootstrap()
        var configuration = configuration
        for addition in additions { try await addition.prepare(&configuration, logger: logger) }
        let db = try await AppDatabase.open(configuration.database, logger: logger)
        let tokens = await AccessTokens(
            key: configuration.jwtKey, issuer: configuration.jwtIssuer,
            audience: configuration.jwtAudience)
        let metrics =
            configuration.metricsOnPublicListener
            ? nil
            : MetricsListener(host: configuration.metricsHost, port: configuration.metricsPort ?? 0, logger: logger)
        return TodoAgentApp(
            configuration: configuration, logger: logger, db: db, timeSource: timeSource, tokens: tokens,
            additions: additions, metricsListener: metrics)
    }

    /// The public router: every route of the spec, plus what the additions bring.
    func router() -> Router<AppRequestContext> {
        let logger = self.logger
        let http = HTTPClient.shared
        let timeout = TimeAmount.milliseconds(Int64(configuration.providerTimeoutMilliseconds))
        var sms: any SMSSender = LogSMSSender(logger: logger, showCode: configuration.showCodesInLog)
        if let twilio = configuration.twilio {
            var sender = TwilioSMSSender(
                baseURL: twilio.baseURL, accountSID: twilio.accountSID, authToken: twilio.authToken,
                fromNumber: twilio.fromNumber, http: http, logger: logger)
            sender.timeout = timeout
            sms = sender
        }
        let retell = configuration.retell.map {
            var client = RetellClient(
                baseURL: $0.baseURL, apiKey: $0.apiKey, agentID: $0.agentID, fromNumber: $0.fromNumber,
                http: http, logger: logger)
            client.timeout = timeout
            return client
        }
        var auth = AuthService(
            db: db, tokens: tokens, sms: sms, demoAccounts: configuration.demoAccounts,
            codePepper: configuration.jwtKey, timeSource: timeSource)
        auth.apiRateLimitPerMinute = configuration.apiRateLimitPerMinute
        auth.trustProxyHops = configuration.trustProxyHops
        let service = TodoAgentService(
            auth: auth, todos: TodoService(db: db, timeSource: timeSource),
            calls: CallService(db: db, retell: retell, logger: logger, timeSource: timeSource), db: db,
            metricsOnPublicListener: configuration.metricsOnPublicListener)
        let router = Router(context: AppRequestContext.self)
        // Outermost first: the token check fills the context the request log reads.
        router.add(middleware: AccessTokenMiddleware(tokens: tokens, timeSource: timeSource))
        router.add(middleware: RequestLogMiddleware(logger: logger))
        for addition in additions {
            for middleware in addition.middleware(for: self) { router.add(middleware: middleware) }
        }
        let authenticator = TodoAgentAuthenticator(
            auth: auth, retellKey: configuration.retell?.apiKey, timeSource: timeSource)
        let options = ServerOptions(
            onUnexpectedError: { error, info in
                logger.error(
                    "unexpected error",
                    metadata: [
                        "request_id": .string(info.requestID), "operation": .string(info.operationId),
                        "error": .string(String(describing: type(of: error))),
                    ])
            }, minimumAppVersion: configuration.minimumAppVersion)
        service.registerRoutes(on: router, authenticator: authenticator, options: options)
        for addition in additions { addition.addRoutes(to: router, app: self) }
        return router
    }

    /// The server on `host:port`: migrations run once the database's services are up, before
    /// the listener opens.
    func application(host: String, port: Int) -> some ApplicationProtocol {
        var services: [any Service] = db.services + [DatabaseCloser(db: db)]
        if let metricsListener { services.append(metricsListener) }
        for addition in additions { services += addition.services(for: self) }
        var app = Application(
            router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "app-server"),
            services: services, logger: logger)
        let db = self.db, logger = self.logger, configuration = self.configuration
        app.beforeServerStarts {
            try await Migrations.apply(db)
            for warning in configuration.warnings { logger.warning("\(warning)") }
        }
        return app
    }

    /// Runs until SIGTERM/SIGINT, then shuts down gracefully.
    public func run() async throws {
        logger.notice(
            "app-server starting",
            metadata: [
                "address": .string("\(configuration.host):\(configuration.port)"),
                "database": .string(configuration.database.redacted),
                "mode": .string("\(configuration.mode)"),
                "metrics": .string(
                    configuration.metricsOnPublicListener
                        ? "public listener" : "\(configuration.metricsHost):\(configuration.metricsPort ?? 0)"),
            ])
        try await application(host: configuration.host, port: configuration.port).runService()
    }

    /// For tests: the server on a free loopback port.
    public func application() async throws -> some ApplicationProtocol {
        application(host: "127.0.0.1", port: 0)
    }
}

/// Closes the database when the server shuts down (SQLite's connection; PostgreSQL's client is
/// a service of its own).
struct DatabaseCloser: Service {
    let db: AppDatabase

    func run() async throws {
        try? await gracefulShutdown()
        // Close even when the group was cancelled: an unstructured task is not.
        await Task { await db.close() }.value
    }
}

enum Storage {
    /// Deletes every row (contract-test `reset`).
    package static func wipe(_ db: AppDatabase) async throws {
        try await db.transaction { sql in
            for table in [
                "webhook_events", "transcripts", "calls", "idempotency_keys", "todos", "refresh_tokens", "otp_sends",
                "otp_codes", "api_usage", "users",
            ] {
                try await sql.raw("DELETE FROM \(unsafeRaw: table)").run()
            }
        }
    }
}

extension TodoAgentApp {
    /// Deletes every row (the contract-test `reset` state).
    package func wipeAllData() async throws { try await Storage.wipe(db) }
}

/// One JSON log line per request: id, method, route template, status, duration, and the user a
/// valid access token named. Never bodies, tokens or phone numbers.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let millis = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        Observability.recordRequest(
            method: request.method.rawValue, route: context.endpointPath ?? "unmatched",
            status: response.status.code, duration: elapsed)
        logger.info(
            "request",
            metadata: [
                "request_id": .string(response.headers[ServerCore.requestIdHeader] ?? ""),
                "method": .string(request.method.rawValue),
                "route": .string(context.endpointPath ?? "unmatched"),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(String(format: "%.2f", millis)),
                "user_id": .string(context.tokenUserID ?? "-"),
            ])
        return response
    }
}
