import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Anything with a list of headers, looked up without regard to case.
public protocol HeaderLookup {
    var headers: [(name: String, value: String)] { get }
}

extension HeaderLookup {
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// A request as it goes over the wire.
public struct WireRequest: Sendable, HeaderLookup {
    public var method: String
    /// Path and query string (`/v1/todos?limit=2`).
    public var target: String
    public var headers: [(name: String, value: String)]
    public var body: Data?

    public init(method: String, target: String, headers: [(name: String, value: String)], body: Data?) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

extension WireRequest {
    /// The target without its query string, as sent (percent-encoded).
    public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }

    /// The query's parameters in order, repeats kept, percent-decoded (`a=1&b=x%20y`).
    public var query: [(name: String, value: String)] {
        let parts = target.split(separator: "?", maxSplits: 1)
        guard parts.count == 2 else { return [] }
        return parts[1].split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (kv[0], kv.count > 1 ? kv[1] : "")
        }
    }
}

/// A response as it came over the wire.
public struct WireResponse: Sendable, HeaderLookup {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Where replayed requests go: a live server over HTTP, or anything else that answers.
public protocol HTTPExchanging: Sendable {
    func send(_ request: WireRequest) async throws -> WireResponse
}

/// A live server, over AsyncHTTPClient; redirects are not followed (a 3xx is an answer to check).
public final class LiveServer: HTTPExchanging {
    public let baseURL: String
    private let timeout: TimeAmount

    /// One process-wide client (like `HTTPClient.shared`, but never following redirects): it
    /// lives as long as the process, so no instance can be dropped without its shutdown.
    private static let client = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: .init(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5))))
    private var client: HTTPClient { Self.client }

    public init(baseURL: String, timeoutSeconds: Int64 = 30) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        timeout = .seconds(timeoutSeconds)
    }

    /// Nothing to release (the client is shared); kept so callers say when they are done.
    public func shutdown() async {}

    /// Polls until the server answers anything over HTTP, for at most `limit`, while `keepTrying` holds.
    public func waitUntilAnswering(within limit: Duration, while keepTrying: () -> Bool = { true }) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline && keepTrying() {
            if (try? await send(WireRequest(method: "GET", target: "/", headers: [], body: nil))) != nil { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    public struct Unreachable: Error, CustomStringConvertible {
        public var url: String
        public var reason: String
        public var description: String { "cannot reach \(url): \(reason)" }
    }

    public func send(_ request: WireRequest) async throws -> WireResponse {
        var outgoing = HTTPClientRequest(url: baseURL + request.target)
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(outgoing, timeout: timeout)
            let body = try await response.body.collect(upTo: 32 * 1024 * 1024)
            return WireResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                body: Data(body.readableBytesView))
        } catch {
            throw Unreachable(url: baseURL + request.target, reason: String(describing: error))
        }
    }
}
