import AccordContract
import AccordSpec
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Paths in this repository, and the spec and exchanges loaded from it.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static func path(_ relative: String) -> String { root + "/" + relative }

    static func document() throws -> APIDocument {
        let docs = try SpecDocuments.load(path: path("spec/api.yaml"))
        let (document, log) = DocumentReader.read(docs)
        guard let document, !log.hasErrors else { throw Failure("spec/api.yaml does not load: \(log.errors)") }
        return document
    }

    /// accord.yaml's signers and identity rules.
    static func settings() throws -> ContractSettings {
        try ContractSettings.load(path: path("accord.yaml"))
    }

    /// A replayer with accord.yaml's settings, as `accord verify` makes it.
    static func replayer() throws -> Replayer {
        var replayer = Replayer(document: try document())
        replayer.settings = try settings()
        return replayer
    }

    static func scenarios() throws -> [Scenario] {
        let (scenarios, log) = ScenarioLoader.loadFolder(path("spec/exchanges"))
        guard !log.hasErrors else { throw Failure("spec/exchanges do not load: \(log.errors)") }
        return scenarios
    }

    static func scenario(_ name: String) throws -> Scenario {
        guard let scenario = try scenarios().first(where: { $0.name == name }) else {
            throw Failure("no scenario \(name)")
        }
        return scenario
    }

    /// A scenario from YAML text, failing the test on any diagnostic.
    static func scenario(yaml: String, file: String = "inline.yaml") throws -> Scenario {
        var log = DiagnosticLog()
        guard let scenario = ScenarioLoader.load(yaml, file: file, into: &log), !log.hasErrors else {
            throw Failure("scenario does not load: \(log.all)")
        }
        return scenario
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The databases the contract server runs on: in-memory SQLite, and PostgreSQL when the test
/// command provides one (under scripts/test it always does).
enum ContractDatabase: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres

    static var available: [ContractDatabase] {
        ProcessInfo.processInfo.environment["TEST_CONTRACT_DATABASE_URL"] == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    var url: String {
        switch self {
        case .sqlite: "sqlite::memory:"
        case .postgres: ProcessInfo.processInfo.environment["TEST_CONTRACT_DATABASE_URL"]!
        }
    }

    var description: String { rawValue }
}

/// `app-server --contract-test` (the real binary) for the length of `body`.
func withContractServer(_ database: ContractDatabase = .sqlite, _ body: (String) async throws -> Void) async throws {
    let server = try await ServerProcess.start(
        command: Repo.path(".build/debug/app-server") + " --contract-test",
        environment: ["DATABASE_URL": database.url, "LOG_LEVEL": "warning"])
    do {
        try await body(server.baseURL)
    } catch {
        server.stop()
        throw error
    }
    server.stop()
}

/// A deliberately broken server: a real HTTP server in front of the contract server that
/// rewrites requests (to bypass auth) or responses (to break the contract).
final class BrokenServer: Sendable {
    typealias RequestRewrite = @Sendable (WireRequest, LiveServer) async throws -> WireRequest
    typealias ResponseRewrite = @Sendable (WireRequest, WireResponse) -> WireResponse

    let url: String
    private let task: Task<Void, any Error>

    private init(url: String, task: Task<Void, any Error>) {
        self.url = url
        self.task = task
    }

    static func start(
        upstream: String, request rewriteRequest: @escaping RequestRewrite = { request, _ in request },
        response rewriteResponse: @escaping ResponseRewrite = { $1 }
    ) async throws -> BrokenServer {
        let server = LiveServer(baseURL: upstream)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let wire = try await rewriteRequest(
                try await WireRequest.collecting(request, upTo: 8 * 1024 * 1024), server)
            return Response(wire: rewriteResponse(wire, try await server.send(wire)))
        }
        var logger = Logger(label: "broken-server")
        logger.logLevel = .critical
        // Port 0, and the port the server really bound: a port picked free beforehand could be handed
        // to a broken server of a test running beside this one, and this test would talk to that one.
        let (bound, boundPort) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                boundPort.yield(channel.localAddress?.port ?? 0)
                boundPort.finish()
            }, logger: logger)
        let task = Task {
            defer { boundPort.finish() }
            try await app.run()
        }
        var ports = bound.makeAsyncIterator()
        guard let port = await ports.next(), port > 0 else {
            task.cancel()
            throw DidNotStart()
        }
        let url = "http://127.0.0.1:\(port)"
        _ = await LiveServer(baseURL: url, timeoutSeconds: 2).waitUntilAnswering(within: .seconds(5))
        return BrokenServer(url: url, task: task)
    }

    func stop() { task.cancel() }

    struct DidNotStart: Error {}
}

/// JSON object surgery for the broken variants.
enum Surgery {
    static func rewriteJSON(_ response: WireResponse, _ change: (inout [String: Any]) -> Void) -> WireResponse {
        guard var object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] else {
            return response
        }
        change(&object)
        if var items = object["items"] as? [[String: Any]] {
            for index in items.indices { change(&items[index]) }
            object["items"] = items
        }
        var copy = response
        copy.body = (try? JSONSerialization.data(withJSONObject: object)) ?? response.body
        return copy
    }

    static func replacingHeader(_ response: WireResponse, _ name: String, _ value: String) -> WireResponse {
        var copy = response
        copy.headers = copy.headers.filter { $0.name.lowercased() != name.lowercased() } + [(name, value)]
        return copy
    }

    /// Signs in a demo account through the upstream server and returns its access token.
    static func token(for phone: String, via server: LiveServer) async throws -> String {
        let json = [("Content-Type", "application/json")]
        _ = try await server.send(
            WireRequest(
                method: "POST", target: "/v1/auth/otp/start", headers: json,
                body: Data(#"{"phone":"\#(phone)"}"#.utf8)))
        let answer = try await server.send(
            WireRequest(
                method: "POST", target: "/v1/auth/otp/verify", headers: json,
                body: Data(#"{"phone":"\#(phone)","code":"123456"}"#.utf8)))
        guard
            let token = (try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["access_token"]
                as? String
        else {
            throw Failure("sign-in for the broken server failed: \(answer.status)")
        }
        return token
    }
}

extension Replayer {
    /// Replays against a base URL with a fresh client.
    func run(_ scenario: Scenario, baseURL: String) async -> ScenarioResult {
        let server = LiveServer(baseURL: baseURL)
        let result = await run(scenario, against: server)
        await server.shutdown()
        return result
    }
}
