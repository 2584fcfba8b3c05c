import AppServer
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TodoAgentAPI
import TodoAgentClient

/// Providers that never answer, a database that goes away, and what the logs say.
@Suite struct ResilienceTests {
    @Test func providerTimeoutsAnswerUnavailableQuickly() async throws {
        try await withServer(.sqlite, environment: ["PROVIDER_TIMEOUT_MS": "300"]) { server in
            let fakes = try #require(server.fakes)
            fakes.sms = .slow
            let clock = ContinuousClock()
            var start = clock.now
            let sms = try await server.raw("POST", "/v1/auth/otp/start", body: #"{"phone":"+15555550177"}"#)
            #expect(sms.status == 503)
            #expect(String(decoding: sms.body, as: UTF8.self).contains("\"SMS_UNAVAILABLE\""))
            #expect(clock.now - start < .seconds(5), "the 300 ms timeout, not the fake's 30 s")

            let (client, _) = try await server.signIn()
            fakes.agent = .slow
            start = clock.now
            await #expect(throws: APIError.self) { _ = try await client.createCall(CallCreate()) }
            do {
                _ = try await client.createCall(CallCreate())
            } catch let error as APIError {
                #expect(error.code == .aiAgentUnavailable)
            }
            #expect(clock.now - start < .seconds(10))
        }
    }

    @Test(arguments: Backend.available)
    func perUserAPIRateLimit(_ backend: Backend) async throws {
        try await withServer(backend, environment: ["API_RATE_LIMIT_PER_MINUTE": "5"]) { server in
            let (alice, _) = try await server.signIn("+15555550100")
            let (bob, _) = try await server.signIn("+15555550101")
            var answered = 0
            var limited: APIError?
            for _ in 0..<12 {
                do {
                    _ = try await alice.getMe()
                    answered += 1
                } catch let error as APIError {
                    limited = error
                    break
                }
            }
            // Five a minute; the requests can straddle two windows, so up to ten may pass.
            #expect((5...10).contains(answered), "answered \(answered)")
            let error = try #require(limited, "the sixth to eleventh request is refused")
            #expect(error.code == .rateLimited)
            #expect(error.status == 429)
            #expect((1...60).contains(error.retryAfter ?? 0))
            _ = try await bob.getMe()  // another user's budget is their own
        }
    }

    @Test func requestLogLinesCarryTheUserAndNoSecrets() async throws {
        let sink = LogSink()
        var logger = Logger(label: "test") { _ in sink }
        logger.logLevel = .info
        try await withServer(.sqlite, logger: logger) { server in
            let (client, pair) = try await server.signIn()
            _ = try await client.getMe()
            let lines = sink.entries
            let me = lines.filter { $0.message == "request" && $0.metadata["route"] == "/v1/me" }
            #expect(me.count == 1)
            #expect(me.first?.metadata["user_id"] == pair.user.id.uuidString.lowercased())
            #expect(me.first?.metadata["status"] == "200")
            let everything = lines.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
            #expect(!everything.contains(pair.accessToken))
            #expect(!everything.contains(pair.refreshToken))
            #expect(!everything.contains("+15555550100"))
            #expect(!everything.contains("123456"))
        }
    }

    /// PostgreSQL goes away (the relay in front of it drops every connection and refuses new
    /// ones): routes answer SERVICE_UNAVAILABLE, /readyz 503; when it returns, so does the server.
    @Test func lostPostgresAnswersServiceUnavailableAndRecovers() async throws {
        guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"],
            let components = URLComponents(string: url), let host = components.host, let port = components.port
        else { return }
        let relay = TCPRelay(upstreamHost: host, upstreamPort: port)
        try await relay.open()
        var relayed = components
        relayed.port = relay.port
        try await withServer(.postgres, environment: ["DATABASE_URL": relayed.string!]) { server in
            let (client, _) = try await server.signIn()
            _ = try await client.createTodo(TodoCreate(title: "Before the outage"))

            try await relay.cut()
            var status = 0
            for _ in 0..<30 {
                status = Int(try await server.raw("GET", "/readyz").status)
                if status == 503 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(status == 503)
            do {
                _ = try await client.listTodos()
                Issue.record("listing to-dos without a database succeeded")
            } catch let error as APIError {
                #expect(error.code == .serviceUnavailable)
                #expect(error.status == 503)
            }

            try await relay.open()
            var recovered = false
            for _ in 0..<60 {
                if (try? await server.raw("GET", "/readyz").status) == 200, (try? await client.listTodos()) != nil {
                    recovered = true
                    break
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(recovered, "the server answers again once PostgreSQL is back")
            let page = try await client.listTodos()
            #expect(page.items.map(\.title) == ["Before the outage"])
        }
        try await relay.cut()
    }
}

/// Collects log entries (for assertions on what reaches the logs).
final class LogSink: LogHandler, @unchecked Sendable {
    struct Entry { var message: String; var metadata: [String: String] }
    private let lock = NSLock()
    private var _entries: [Entry] = []
    var entries: [Entry] { lock.withLock { _entries } }
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }.mapValues { "\($0)" }
        lock.withLock { _entries.append(Entry(message: event.message.description, metadata: merged)) }
    }
}

/// A TCP relay on a fixed loopback port that can be cut (every connection dropped, new ones
/// refused) and opened again: a database outage without touching the database.
final class TCPRelay: @unchecked Sendable {
    let upstreamHost: String
    let upstreamPort: Int
    private(set) var port = 0
    private let lock = NSLock()
    private var listener: Channel?
    private var connections: [Channel] = []

    init(upstreamHost: String, upstreamPort: Int) {
        self.upstreamHost = upstreamHost
        self.upstreamPort = upstreamPort
    }

    func open() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let (host, upstreamPort) = (upstreamHost, self.upstreamPort)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.autoRead, value: false)
            .childChannelInitializer { inbound in
                self.track(inbound)
                return ClientBootstrap(group: inbound.eventLoop).connect(host: host, port: upstreamPort).flatMap {
                    outbound in
                    self.track(outbound)
                    return inbound.pipeline.addHandler(RelayHandler(partner: outbound)).flatMap {
                        outbound.pipeline.addHandler(RelayHandler(partner: inbound))
                    }.flatMap { inbound.setOption(ChannelOptions.autoRead, value: true) }
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        lock.withLock {
            listener = channel
            port = channel.localAddress?.port ?? 0
        }
    }

    private func track(_ channel: Channel) { lock.withLock { connections.append(channel) } }

    func cut() async throws {
        let (listener, connections) = lock.withLock { () -> (Channel?, [Channel]) in
            defer { self.listener = nil; self.connections = [] }
            return (self.listener, self.connections)
        }
        try? await listener?.close()
        for channel in connections { try? await channel.close() }
    }
}

private final class RelayHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let partner: Channel

    init(partner: Channel) { self.partner = partner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
