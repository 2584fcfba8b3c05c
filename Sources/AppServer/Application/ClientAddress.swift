import Foundation
import HTTPTypes
import TodoAgentServer

/// Which address a request came from, for the per-IP sign-in limit. Behind reverse proxies
/// the connection's peer is the nearest proxy; the client is in `X-Forwarded-For`, which only
/// the proxies themselves can be believed about: each appends the address it saw, so with N
/// trusted proxies the client is the N-th entry from the right. Anything further left was
/// written by the client and is ignored. Without `TRUST_PROXY` the header is never read.
public enum ClientAddress {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// `TRUST_PROXY`: unset, empty, `0` or `false`: no proxy; `true`: one; a number: that many.
    public static func hops(fromTrustProxy text: String?, problems: inout [String]) -> Int {
        guard let text = text?.trimmingCharacters(in: .whitespaces).lowercased(), !text.isEmpty else { return 0 }
        switch text {
        case "false": return 0
        case "true": return 1
        default:
            if let hops = Int(text), (0...10).contains(hops) { return hops }
            problems.append(
                "TRUST_PROXY must be the number of reverse proxies in front (0 to 10, or true/false), not '\(text)'")
            return 0
        }
    }

    /// The client's address: the peer's, or with `hops` trusted proxies the address the
    /// outermost of them saw.
    public static func resolve(peer: String?, forwardedFor: [String], hops: Int) -> String {
        let peerHost = peer.map(host) ?? "unknown"
        guard hops > 0 else { return peerHost }
        let entries = forwardedFor.flatMap { $0.split(separator: ",") }
            .map { host(String($0).trimmingCharacters(in: .whitespaces)) }
            .filter { !$0.isEmpty }
        let chain = entries + [peerHost]
        return chain[max(0, chain.count - 1 - hops)]
    }

    /// `203.0.113.5:51234` / `[::1]:51234` / `::1` → the host part.
    static func host(_ address: String) -> String {
        if address.hasPrefix("["), let end = address.firstIndex(of: "]") {
            return String(address[address.index(after: address.startIndex)..<end])
        }
        if address.filter({ $0 == ":" }).count == 1, let colon = address.lastIndex(of: ":") {
            return String(address[..<colon])
        }
        return address
    }
}

extension AuthService {
    /// The address the per-IP sign-in limit counts this request under.
    func clientAddress(of request: RequestInfo) -> String {
        ClientAddress.resolve(
            peer: request.remoteAddress, forwardedFor: request.headers[values: ClientAddress.forwardedFor],
            hops: trustProxyHops)
    }
}
