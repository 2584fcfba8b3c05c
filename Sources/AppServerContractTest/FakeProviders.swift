import AppServer
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Local fake Twilio and Retell servers for `--contract-test`: they speak the providers' real
/// wire formats (PROVIDERS.md) on a loopback port, so the real HTTP clients run; provider
/// states switch how they answer.
public final class FakeProviders: @unchecked Sendable {
    public enum SMSState: Sendable { case ok, down, slow }
    public enum AgentState: Sendable { case ok, busy, down, slow }

    /// How long a `slow` provider takes to answer (longer than any sane client timeout).
    public static let slowness = Duration.seconds(30)

    private let lock = NSLock()
    private var _sms = SMSState.ok
    private var _agent = AgentState.ok
    private var _placedCalls: [[String: Any]] = []

    public static let accountSID = "AC00000000000000000000000000000000"
    public static let authToken = "contract-test-twilio-token"
    public static let fromNumber = "+15555550000"
    public static let agentID = "agent_contract_test"

    public var sms: SMSState {
        get { lock.withLock { _sms } }
        set { lock.withLock { _sms = newValue } }
    }

    public var agent: AgentState {
        get { lock.withLock { _agent } }
        set { lock.withLock { _agent = newValue } }
    }

    /// The create-call bodies Retell received (for tests).
    public var placedCalls: [[String: Any]] { lock.withLock { _placedCalls } }

    public func reset() {
        lock.withLock {
            _sms = .ok
            _agent = .ok
            _placedCalls = []
        }
    }

    private func recordCall(_ body: [String: Any]) { lock.withLock { _placedCalls.append(body) } }

    public init() {}

    /// Starts the fakes on a free loopback port and returns their base URL.
    public func start(logger: Logger) async throws -> String {
        let router = Router()
        router.post("/2010-04-01/Accounts/{sid}/Messages.json") { request, context -> Response in
            let expected = "Basic " + Data("\(Self.accountSID):\(Self.authToken)".utf8).base64EncodedString()
            guard request.headers[.authorization] == expected else {
                return Self.json(
                    401,
                    [
                        "code": 20003, "message": "Authenticate",
                        "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401,
                    ])
            }
            if self.sms == .slow { try await Task.sleep(for: Self.slowness) }
            if self.sms == .down {
                return Self.json(
                    500,
                    [
                        "code": 20500, "message": "Internal Server Error",
                        "more_info": "https://www.twilio.com/docs/errors/20500", "status": 500,
                    ])
            }
            var request = request
            let form = String(buffer: try await request.collectBody(upTo: 16 * 1024))
            let to =
                form.split(separator: "&").first { $0.hasPrefix("To=") }.map {
                    String($0.dropFirst(3)).removingPercentEncoding ?? ""
                } ?? ""
            return Self.json(
                201,
                [
                    "sid": "SM" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(),
                    "status": "queued", "to": to,
                    "from": Self.fromNumber, "error_code": NSNull(), "num_segments": "1", "price": NSNull(),
                    "date_created": "Fri, 27 Nov 2026 15:04:05 +0000",
                ])
        }
        router.post("/v2/create-phone-call") { request, context -> Response in
            guard request.headers[.authorization] == "Bearer \(ServerConfiguration.ContractTest.retellKey)" else {
                return Self.json(401, ["status": "error", "message": "Unauthorized"])
            }
            switch self.agent {
            case .busy:
                return Self.json(
                    429, ["status": "error", "message": "Account rate limited, please throttle your requests."])
            case .down: return Self.json(500, ["status": "error", "message": "Internal server error"])
            case .slow: try await Task.sleep(for: Self.slowness)
            case .ok: break
            }
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            guard let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
                let to = json["to_number"] as? String, let from = json["from_number"] as? String
            else {
                return Self.json(400, ["status": "error", "message": "from_number and to_number are required"])
            }
            self.recordCall(json)
            var call: [String: Any] = [
                "call_type": "phone_call",
                "call_id": "call_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased(),
                "agent_id": json["override_agent_id"] as? String ?? Self.agentID, "call_status": "registered",
                "direction": "outbound", "from_number": from, "to_number": to,
            ]
            if let metadata = json["metadata"] { call["metadata"] = metadata }
            if let variables = json["retell_llm_dynamic_variables"] { call["retell_llm_dynamic_variables"] = variables }
            return Self.json(201, call)
        }
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fake-providers"),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        // The provider clients need the address before the server is built, so the fakes start
        // now; `FakeProvidersService` shuts them down with the server.
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { _ = try? await group.run() }
        lock.withLock { running = (group, task) }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            throw ConfigurationError("the fake providers did not start")
        }
        return "http://127.0.0.1:\(port)"
    }

    private var running: (group: ServiceGroup, task: Task<Void, Never>)?

    /// Shuts the fakes' listener down: requests in flight get a second to finish (a `slow` fake
    /// would hold one for 30), then it is cancelled.
    func stop() async {
        guard let (group, task) = lock.withLock({ running }) else { return }
        await group.triggerGracefulShutdown()
        let deadline = Task {
            try? await Task.sleep(for: .seconds(1))
            task.cancel()
        }
        await task.value
        deadline.cancel()
    }

    static func json(_ status: Int, _ body: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
