import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle

/// Metrics go through swift-metrics; the Prometheus registry behind them is what `/metrics` shows.
public enum Observability {
    /// The process-wide registry (swift-metrics has one backend per process).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
            .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Installs the Prometheus backend (idempotent).
    public static func bootstrap() { _ = registry }

    static func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let dimensions = [("method", method), ("route", route), ("status", String(status))]
        Counter(label: "http_requests_total", dimensions: dimensions).increment()
        Metrics.Timer(label: "http_request_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
            .recordNanoseconds(
                Int64(duration.components.seconds) * 1_000_000_000
                    + Int64(duration.components.attoseconds / 1_000_000_000))
    }

    /// `provider`: twilio or retell; `outcome`: ok, busy, error, unreachable, refused.
    static func recordProviderCall(_ provider: String, _ outcome: String) {
        Counter(label: "provider_calls_total", dimensions: [("provider", provider), ("outcome", outcome)]).increment()
    }

    static func emit() -> String { registry.emitToString() }
}

/// `GET /metrics` on a listener of its own (loopback unless `METRICS_HOST` says otherwise), so
/// a production server does not show its metrics to the internet.
public final class MetricsListener: Service, @unchecked Sendable {
    let host: String
    let port: Int
    let logger: Logger
    private let lock = NSLock()
    private var bound: Int?
    private var waiters: [CheckedContinuation<Int, Never>] = []

    init(host: String, port: Int, logger: Logger) {
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// The port it listens on, once it does (port 0 asks for a free one).
    public func boundPort() async -> Int {
        await withCheckedContinuation { continuation in
            let ready: Int? = lock.withLock {
                if bound == nil { waiters.append(continuation) }
                return bound
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private func listening(on port: Int) {
        let waiting = lock.withLock { () -> [CheckedContinuation<Int, Never>] in
            bound = port
            defer { waiters = [] }
            return waiters
        }
        for waiter in waiting { waiter.resume(returning: port) }
    }

    public func run() async throws {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let text = ByteBuffer(string: Observability.emit())
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: text))
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "app-server-metrics"),
            onServerRunning: { [self] channel in listening(on: channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.run()
    }
}
