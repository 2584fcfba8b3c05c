import Foundation

/// The server's settings, from environment variables (names fixed: deployment tooling and the
/// tests depend on them).
public struct ServerConfiguration: Sendable {
    public enum Mode: Sendable, Equatable {
        case development
        case production
        /// Fixed values of API.md, `/_contract/state`, local fake providers.
        case contractTest
    }

    public var mode: Mode
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    public var jwtKey: String
    public var jwtIssuer: String
    public var jwtAudience: String
    /// Phone → fixed code; no SMS is sent to these.
    public var demoAccounts: [String: String]
    public var logLevel: String
    public var logFormat: String
    /// Development only: write one-time codes to the log.
    public var showCodesInLog: Bool
    /// Lines to log loudly at start-up (such as an ephemeral JWT key).
    public var warnings: [String] = []
    public var twilio: TwilioSettings?
    public var retell: RetellSettings?
    /// How long a provider call (Twilio, Retell) may take before it counts as failed.
    public var providerTimeoutMilliseconds = 10_000
    /// Authenticated requests a user may make per minute (nil: unlimited); beyond, RATE_LIMITED.
    public var apiRateLimitPerMinute: Int? = 600
    /// Apps that send an older `X-App-Version` are answered 426 APP_VERSION_UNSUPPORTED (nil: no floor).
    public var minimumAppVersion: String?
    /// Where the separate metrics listener binds; nil port: `/metrics` is on the public listener
    /// (development and contract-test mode only: production always has the separate listener).
    public var metricsHost = "127.0.0.1"
    public var metricsPort: Int?

    public var metricsOnPublicListener: Bool { metricsPort == nil }

    /// The metrics listener's port in production when `METRICS_PORT` is not set.
    public static let defaultProductionMetricsPort = 9464
    /// How many reverse proxies stand in front (`TRUST_PROXY`); 0: X-Forwarded-For is ignored.
    public var trustProxyHops = 0

    public struct TwilioSettings: Sendable {
        public var baseURL: String
        public var accountSID: String
        public var authToken: String
        public var fromNumber: String

        public init(baseURL: String, accountSID: String, authToken: String, fromNumber: String) {
            self.baseURL = baseURL
            self.accountSID = accountSID
            self.authToken = authToken
            self.fromNumber = fromNumber
        }
    }

    public struct RetellSettings: Sendable {
        public var baseURL: String
        public var apiKey: String
        public var agentID: String?
        public var fromNumber: String

        public init(baseURL: String, apiKey: String, agentID: String?, fromNumber: String) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.agentID = agentID
            self.fromNumber = fromNumber
        }
    }

    /// The fixed values recorded exchanges rely on (API.md).
    public enum ContractTest {
        public static let demoAccounts = ["+15555550100": "123456", "+15555550101": "123456"]
        public static let jwtIssuer = "https://api.todo-agent.test"
        public static let jwtAudience = "todo-agent-ios"
        public static let jwtKey = "contract-test-jwt-key-0123456789abcdef"
        public static let retellKey = "key_contract_test_retell"
        /// The first app release is 1.0.0: anything older is refused, so the exchanges can show the 426.
        public static let minimumAppVersion = "1.0.0"
    }

    /// Reads the environment. Production refuses to start on missing or weak secrets, with one
    /// clear line per problem.
    public static func fromEnvironment(_ env: [String: String], contractTest: Bool) throws -> ServerConfiguration {
        let mode: Mode = contractTest ? .contractTest : (env["APP_ENV"] == "production" ? .production : .development)
        var problems: [String] = []
        let portText = env["PORT"] ?? "8080"
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ConfigurationError("PORT must be a number from 0 to 65535, not '\(portText)'")
        }
        let databaseURL =
            env["DATABASE_URL"] ?? (mode == .contractTest ? "sqlite::memory:" : "sqlite://data/todo-agent.sqlite")
        let database = try DatabaseLocation(url: databaseURL)

        var warnings: [String] = []
        var jwtKey = env["JWT_KEY"] ?? ""
        switch mode {
        case .contractTest:
            jwtKey = ContractTest.jwtKey
        case .production:
            if jwtKey.isEmpty {
                problems.append("JWT_KEY is required in production")
            } else if jwtKey.utf8.count < 32 {
                problems.append("JWT_KEY must be at least 32 bytes")
            }
        case .development:
            if jwtKey.isEmpty {
                jwtKey = Secrets.randomToken()
                warnings.append("JWT_KEY is not set: using an ephemeral key; every token dies with this process")
            } else if jwtKey.utf8.count < 32 {
                warnings.append("JWT_KEY is shorter than 32 bytes; production refuses such a key")
            }
        }
        if mode == .production {
            for name in [
                "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER", "RETELL_API_KEY", "RETELL_AGENT_ID",
                "RETELL_FROM_NUMBER",
            ]
            where (env[name] ?? "").isEmpty {
                problems.append("\(name) is required in production")
            }
        }
        var providerTimeout = 10_000
        if let text = env["PROVIDER_TIMEOUT_MS"] {
            if let value = Int(text), (1...120_000).contains(value) {
                providerTimeout = value
            } else {
                problems.append("PROVIDER_TIMEOUT_MS must be milliseconds from 1 to 120000, not '\(text)'")
            }
        }
        var apiRate: Int? = 600
        if let text = env["API_RATE_LIMIT_PER_MINUTE"] {
            if let value = Int(text), value >= 0 {
                apiRate = value == 0 ? nil : value
            } else {
                problems.append("API_RATE_LIMIT_PER_MINUTE must be a whole number (0: unlimited), not '\(text)'")
            }
        }
        // Contract-test mode fixes a floor so the exchanges can show the 426; APP_MINIMUM_VERSION overrides it.
        var minimumAppVersion: String? = mode == .contractTest ? ContractTest.minimumAppVersion : nil
        if let text = env["APP_MINIMUM_VERSION"], !text.isEmpty {
            if text.range(of: "^[0-9]+(\\.[0-9]+)*$", options: .regularExpression) != nil {
                minimumAppVersion = text
            } else {
                problems.append("APP_MINIMUM_VERSION must be a version like 1.2.0, not '\(text)'")
            }
        }
        var metricsPort: Int? = mode == .production ? defaultProductionMetricsPort : nil
        if let text = env["METRICS_PORT"], !text.isEmpty {
            if let value = Int(text), (0...65535).contains(value) {
                metricsPort = value
            } else {
                problems.append("METRICS_PORT must be a number from 0 to 65535, not '\(text)'")
            }
        }
        let trustProxyHops = ClientAddress.hops(fromTrustProxy: env["TRUST_PROXY"], problems: &problems)
        if !problems.isEmpty { throw ConfigurationError(problems.joined(separator: "\n")) }

        let demo = mode == .contractTest ? ContractTest.demoAccounts : try parseDemoAccounts(env["DEMO_ACCOUNTS"] ?? "")
        var twilio: TwilioSettings?
        if let sid = env["TWILIO_ACCOUNT_SID"], let token = env["TWILIO_AUTH_TOKEN"],
            let from = env["TWILIO_FROM_NUMBER"], !sid.isEmpty
        {
            twilio = TwilioSettings(
                baseURL: env["TWILIO_BASE_URL"] ?? "https://api.twilio.com", accountSID: sid, authToken: token,
                fromNumber: from)
        }
        var retell: RetellSettings?
        if let key = env["RETELL_API_KEY"], let from = env["RETELL_FROM_NUMBER"], !key.isEmpty {
            retell = RetellSettings(
                baseURL: env["RETELL_BASE_URL"] ?? "https://api.retellai.com", apiKey: key,
                agentID: env["RETELL_AGENT_ID"],
                fromNumber: from)
        }
        if mode == .development && retell == nil {
            warnings.append(
                "RETELL_API_KEY/RETELL_FROM_NUMBER are not set: calls answer AI_AGENT_UNAVAILABLE "
                    + "and webhooks are refused")
        }
        var configuration = ServerConfiguration(
            mode: mode, host: env["HOST"] ?? "127.0.0.1", port: port, database: database, jwtKey: jwtKey,
            jwtIssuer: mode == .contractTest ? ContractTest.jwtIssuer : (env["JWT_ISSUER"] ?? "todo-agent"),
            jwtAudience: mode == .contractTest ? ContractTest.jwtAudience : (env["JWT_AUDIENCE"] ?? "todo-agent-ios"),
            demoAccounts: demo, logLevel: env["LOG_LEVEL"] ?? "info", logFormat: env["LOG_FORMAT"] ?? "json",
            showCodesInLog: mode == .development && env["DEV_SHOW_OTP"] == "1", warnings: warnings, twilio: twilio,
            retell: retell,
            providerTimeoutMilliseconds: providerTimeout, apiRateLimitPerMinute: apiRate,
            minimumAppVersion: minimumAppVersion)
        configuration.metricsHost = env["METRICS_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        configuration.metricsPort = metricsPort
        configuration.trustProxyHops = trustProxyHops
        return configuration
    }

    /// `+15555550100=123456,+15555550101=123456`.
    static func parseDemoAccounts(_ text: String) throws -> [String: String] {
        var accounts: [String: String] = [:]
        for entry in text.split(separator: ",") where !entry.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let phone = PhoneNumber.normalize(parts[0]),
                parts[1].count == 6, parts[1].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isNumber)
            else { throw ConfigurationError("DEMO_ACCOUNTS entries must look like +15555550100=123456") }
            accounts[phone] = parts[1]
        }
        return accounts
    }
}

enum PhoneNumber {
    /// E.164 after dropping spaces, dashes, dots and brackets; nil when it is not a phone number.
    static func normalize(_ text: String) -> String? {
        let compact = text.filter { !" -().\u{00A0}".contains($0) }
        guard compact.wholeMatch(of: /\+[1-9][0-9]{6,14}/) != nil else { return nil }
        return compact
    }
}
