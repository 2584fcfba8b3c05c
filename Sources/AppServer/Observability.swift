import Foundation
import Metrics
import Prometheus

/// Metrics go through swift-metrics; the Prometheus registry behind them is what `/metrics` shows.
public enum Observability {
    /// The process-wide registry (swift-metrics has one backend per process).
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
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
            .recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + Int64(duration.components.attoseconds / 1_000_000_000))
    }

    /// `provider`: twilio or retell; `outcome`: ok, busy, error, unreachable, refused.
    static func recordProviderCall(_ provider: String, _ outcome: String) {
        Counter(label: "provider_calls_total", dimensions: [("provider", provider), ("outcome", outcome)]).increment()
    }

    static func emit() -> String { registry.emitToString() }
}
