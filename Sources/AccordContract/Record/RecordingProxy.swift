import Foundation
import Hummingbird
import Logging
import NIOCore

/// `accord record`: a proxy the app talks to instead of the server. Every exchange is forwarded
/// to the upstream server unchanged and the session is rewritten as a scenario file after each
/// one, so stopping the proxy (or losing it) loses nothing already answered.
public final class RecordingProxy: Sendable {
    public let upstream: String
    public let outputFile: String
    public let scenarioName: String
    let writer: ScenarioWriter
    // NSLock, not Synchronization's Mutex: the package declares macOS 14, Mutex needs 15.
    private let exchanges = LockedExchanges()

    public init(upstream: String, outputFile: String, scenarioName: String, writer: ScenarioWriter) {
        self.upstream = upstream
        self.outputFile = outputFile
        self.scenarioName = scenarioName
        self.writer = writer
    }

    public var recordedCount: Int { exchanges.withLock { $0.count } }

    /// Serves on `host:port` until SIGINT/SIGTERM; `onRunning` gets the bound port (useful with port 0).
    public func run(
        host: String = "127.0.0.1", port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let server = LiveServer(baseURL: upstream, timeoutSeconds: 60)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await self.forward(request, to: server)
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: "accord-record"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
        defer { Task { await server.shutdown() } }
        try await app.runService()
    }

    func forward(_ request: Request, to server: LiveServer) async throws -> Response {
        let wire = try await WireRequest.collecting(request, upTo: 32 * 1024 * 1024)
        let answer: WireResponse
        do {
            answer = try await server.send(wire)
        } catch {
            return Response(
                status: .badGateway, headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "accord record: \(error)\n")))
        }
        let all = exchanges.withLock { list -> [(WireRequest, WireResponse)] in
            list.append((wire, answer))
            return list
        }
        save(all)
        return Response(wire: answer)
    }

    private func save(_ all: [(WireRequest, WireResponse)]) {
        let text = writer.render(
            name: scenarioName, description: "Recorded by accord record from \(upstream).", exchanges: all)
        try? text.write(toFile: outputFile, atomically: true, encoding: .utf8)
    }
}

/// The exchanges recorded so far, behind a lock.
private final class LockedExchanges: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [(WireRequest, WireResponse)] = []

    func withLock<T>(_ body: (inout [(WireRequest, WireResponse)]) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&list)
    }
}
