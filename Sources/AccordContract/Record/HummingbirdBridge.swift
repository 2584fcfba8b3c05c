import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Between Hummingbird's request/response and the wire messages the contract tester works on
/// (the recording proxy, and the tests' deliberately broken servers).
extension WireRequest {
    /// A request that reached a Hummingbird server, its body collected.
    public static func collecting(_ request: Request, upTo limit: Int) async throws -> WireRequest {
        var request = request
        let body = try await request.collectBody(upTo: limit)
        return WireRequest(
            method: request.method.rawValue, target: request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""),
            headers: request.headers.map { ($0.name.canonicalName, $0.value) },
            body: body.readableBytes > 0 ? Data(body.readableBytesView) : nil)
    }
}

extension Response {
    /// A wire response answered from a Hummingbird server; framing headers are the server's own.
    public init(wire: WireResponse) {
        var fields = HTTPFields()
        for (name, value) in wire.headers
        where !["content-length", "transfer-encoding", "connection"].contains(name.lowercased()) {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        self.init(
            status: .init(code: wire.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: wire.body)))
    }
}
