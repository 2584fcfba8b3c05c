import Crypto
import Foundation
import JWTKit
import TodoAgentAPI

/// Access tokens: HS256 JWTs with `sub`, `iat`, `exp`, `iss`, `aud`, `jti`. The algorithm is
/// pinned: a token whose header names any other (`none` included) is refused before any check.
public struct AccessTokens: Sendable {
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var iat: IssuedAtClaim
        var exp: ExpirationClaim
        var iss: IssuerClaim
        var aud: AudienceClaim
        var jti: IDClaim
        /// The sign-in session (refresh-token family): revoking it (logout, reuse) revokes the token.
        var sid: String?

        // Claims are checked by `verify(_:)` so each failure maps to its own code.
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    public enum Failure: Error, Equatable { case invalid, expired }

    public let issuer: String
    public let audience: String
    public let lifetime: TimeInterval
    private let keys: JWTKeyCollection

    public init(key: String, issuer: String, audience: String, lifetime: TimeInterval = 15 * 60) async {
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Data(key.utf8)), digestAlgorithm: .sha256)
    }

    public func issue(userID: String, sessionID: String? = nil, now: Date = Date()) async throws -> String {
        let claims = Claims(
            sub: .init(value: userID), iat: .init(value: now), exp: .init(value: now.addingTimeInterval(lifetime)),
            iss: .init(value: issuer), aud: .init(value: [audience]), jti: .init(value: UUID().uuidString.lowercased()),
            sid: sessionID)
        return try await keys.sign(claims)
    }

    /// The user id of a valid token.
    public func verify(_ token: String, now: Date = Date()) async throws(Failure) -> String {
        try await verifySession(token, now: now).userID
    }

    /// The user id and sign-in session (nil for tokens issued without one) of a valid token.
    public func verifySession(
        _ token: String, now: Date = Date()
    ) async throws(Failure) -> (userID: String, sessionID: String?) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Self.base64URLDecode(parts[0]),
            let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
            header["alg"] as? String == "HS256"
        else { throw .invalid }
        let claims: Claims
        do { claims = try await keys.verify(token, as: Claims.self) } catch { throw .invalid }
        guard claims.iss.value == issuer, claims.aud.value.contains(audience) else { throw .invalid }
        guard claims.exp.value > now else { throw .expired }
        return (claims.sub.value, claims.sid)
    }

    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

/// Hashing and comparing secrets (one-time codes, refresh tokens): only hashes are stored.
enum Secrets {
    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A keyed hash for one-time codes: six digits are too few to store as a plain hash.
    static func codeHash(_ code: String, phone: String, pepper: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(phone):\(code)".utf8), using: SymmetricKey(data: Data(pepper.utf8)))
        return Data(mac).map { String(format: "%02x", $0) }.joined()
    }

    static func hmacHex(key: String, message: Data) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(key.utf8)))
        return Data(mac).map { String(format: "%02x", $0) }.joined()
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }

    /// An opaque random token (256 bits, URL-safe).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func randomCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(format: "%06d", Int.random(in: 0..<1_000_000, using: &generator))
    }

    /// `+15555550100` → `+1******0100`: enough to recognise, never the whole number.
    static func maskedPhone(_ phone: String) -> String {
        guard phone.count > 6 else { return "***" }
        return String(phone.prefix(2)) + String(repeating: "*", count: phone.count - 6) + String(phone.suffix(4))
    }
}
