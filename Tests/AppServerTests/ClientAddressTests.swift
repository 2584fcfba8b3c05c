import AppServer
import Testing

/// TRUST_PROXY: X-Forwarded-For is read only when the server is told proxies stand in front,
/// and then only the entries those proxies wrote.
@Suite struct ClientAddressTests {
    @Test func withoutTrustTheHeaderIsIgnored() {
        #expect(ClientAddress.resolve(peer: "192.0.2.10:5123", forwardedFor: ["198.51.100.7"], hops: 0) == "192.0.2.10")
        #expect(ClientAddress.resolve(peer: nil, forwardedFor: ["198.51.100.7"], hops: 0) == "unknown")
        #expect(ClientAddress.resolve(peer: "[2001:db8::1]:443", forwardedFor: [], hops: 0) == "2001:db8::1")
    }

    @Test func oneTrustedProxyGivesTheAddressItSaw() {
        // The proxy appended the client's address; what the client wrote further left is ignored.
        #expect(ClientAddress.resolve(peer: "127.0.0.1:40000", forwardedFor: ["203.0.113.9"], hops: 1) == "203.0.113.9")
        #expect(
            ClientAddress.resolve(peer: "127.0.0.1:40000", forwardedFor: ["6.6.6.6, 203.0.113.9"], hops: 1)
                == "203.0.113.9")
        #expect(
            ClientAddress.resolve(peer: "127.0.0.1:40000", forwardedFor: ["6.6.6.6", "203.0.113.9"], hops: 1)
                == "203.0.113.9")
        // Two proxies: the outer one's entry.
        #expect(
            ClientAddress.resolve(peer: "10.0.0.2:1", forwardedFor: ["6.6.6.6, 203.0.113.9, 10.0.0.1"], hops: 2)
                == "203.0.113.9")
        // Fewer entries than proxies: the leftmost there is.
        #expect(ClientAddress.resolve(peer: "10.0.0.2:1", forwardedFor: [], hops: 2) == "10.0.0.2")
    }

    @Test func trustProxyIsReadStrictly() {
        var problems: [String] = []
        #expect(ClientAddress.hops(fromTrustProxy: nil, problems: &problems) == 0)
        #expect(ClientAddress.hops(fromTrustProxy: "false", problems: &problems) == 0)
        #expect(ClientAddress.hops(fromTrustProxy: "true", problems: &problems) == 1)
        #expect(ClientAddress.hops(fromTrustProxy: "2", problems: &problems) == 2)
        #expect(problems.isEmpty)
        #expect(ClientAddress.hops(fromTrustProxy: "yes please", problems: &problems) == 0)
        #expect(problems.count == 1)
    }
}
