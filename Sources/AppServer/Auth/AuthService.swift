import Foundation
import Logging
import SQLKit
import TodoAgentAPI
import TodoAgentServer

/// Sends the sign-in code. Twilio in production; the log in development (masked number, code
/// only with DEV_SHOW_OTP=1).
public protocol SMSSender: Sendable {
    func sendCode(_ code: String, to phone: String) async throws
}

public struct LogSMSSender: SMSSender {
    let logger: Logger
    let showCode: Bool

    public func sendCode(_ code: String, to phone: String) async throws {
        let shown = showCode ? ": your code is \(code)" : " (set DEV_SHOW_OTP=1 to log codes)"
        logger.notice("SMS to \(Secrets.maskedPhone(phone))\(shown)")
    }
}

/// The OTP, token and account rules of API.md, over the database.
struct AuthService: Sendable {
    let db: AppDatabase
    let tokens: AccessTokens
    let sms: any SMSSender
    let demoAccounts: [String: String]
    let codePepper: String
    let timeSource: any TimeSource
    var codeLifetime: Int64 = 5 * 60 * 1000
    var resendAfter: Int64 = 30 * 1000
    var maxAttempts = 5
    var perPhonePerHour = 5
    var perIPPerHour = 20
    /// Authenticated requests per user and minute (nil: unlimited).
    var apiRateLimitPerMinute: Int? = 600
    var refreshLifetime: Int64 = 30 * 24 * 3600 * 1000
    /// Reverse proxies in front whose X-Forwarded-For is believed (TRUST_PROXY).
    var trustProxyHops = 0

    // MARK: OTP

    func startOTP(phone raw: String, clientIP: String) async throws -> OtpStartResponse {
        guard let phone = PhoneNumber.normalize(raw) else {
            throw APIError(.phoneInvalid, detail: "The phone number must be in E.164 form, such as +15555550100.")
        }
        let now = timeSource.nowMillis
        let hourAgo = now - 3600 * 1000
        let isDemo = demoAccounts[phone] != nil
        let code = demoAccounts[phone] ?? Secrets.randomCode()
        let hash = Secrets.codeHash(code, phone: phone, pepper: codePepper)
        let resendAfter = self.resendAfter, perPhone = perPhonePerHour, perIP = perIPPerHour, lifetime = codeLifetime
        try await db.transaction { sql in
            if let last = try await sql.raw("SELECT sent_at FROM otp_codes WHERE phone = \(bind: phone)").first(
                decodingColumn: "sent_at", as: Int64.self),
                now - last < resendAfter
            {
                let wait = Int((resendAfter - (now - last) + 999) / 1000)
                throw APIError(.rateLimited, detail: "A code was sent less than 30 seconds ago.", retryAfter: wait)
            }
            let phoneSends =
                try await sql.raw(
                    "SELECT COUNT(*) AS n FROM otp_sends WHERE phone = \(bind: phone) AND sent_at > \(bind: hourAgo)"
                )
                .first(decodingColumn: "n", as: Int.self) ?? 0
            if phoneSends >= perPhone {
                throw APIError(
                    .rateLimited, detail: "Too many codes for this phone number in the last hour.", retryAfter: 3600)
            }
            let ipSends =
                try await sql.raw(
                    """
                    SELECT COUNT(*) AS n FROM otp_sends
                    WHERE client_ip = \(bind: clientIP) AND sent_at > \(bind: hourAgo)
                    """
                )
                .first(decodingColumn: "n", as: Int.self) ?? 0
            if ipSends >= perIP {
                throw APIError(
                    .rateLimited, detail: "Too many codes requested from this network in the last hour.",
                    retryAfter: 3600)
            }
            try await sql.raw("DELETE FROM otp_codes WHERE phone = \(bind: phone)").run()
            try await sql.raw(
                """
                INSERT INTO otp_codes (phone, code_hash, expires_at, failed_attempts, sent_at)
                VALUES (\(bind: phone), \(bind: hash), \(bind: now + lifetime), 0, \(bind: now))
                """
            ).run()
            try await sql.raw(
                """
                INSERT INTO otp_sends (id, phone, client_ip, sent_at)
                VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: phone), \(bind: clientIP), \(bind: now))
                """
            ).run()
        }
        if !isDemo {
            do {
                try await sms.sendCode(code, to: phone)
            } catch let error as APIError {
                throw error
            } catch {
                // The code stays valid: a retry after the outage can reuse the send slot.
                try? await db.withSQL { sql in
                    try await sql.raw("DELETE FROM otp_codes WHERE phone = \(bind: phone)").run()
                }
                throw APIError(
                    .smsUnavailable, detail: "The code could not be sent; try again in a minute.", retryAfter: 60)
            }
        }
        return OtpStartResponse(phone: phone, expiresIn: Int(codeLifetime / 1000), resendAfter: Int(resendAfter / 1000))
    }

    func verifyOTP(phone raw: String, code: String) async throws -> TokenPair {
        guard let phone = PhoneNumber.normalize(raw) else {
            throw APIError(.phoneInvalid, detail: "The phone number must be in E.164 form, such as +15555550100.")
        }
        let now = timeSource.nowMillis
        let hash = Secrets.codeHash(code, phone: phone, pepper: codePepper)
        let maxAttempts = self.maxAttempts
        enum Outcome: Sendable { case success(userID: String), wrong(remaining: Int), burnt }
        let outcome: Outcome = try await db.transaction { sql in
            guard
                let row = try await sql.raw(
                    "SELECT code_hash, expires_at, failed_attempts FROM otp_codes WHERE phone = \(bind: phone)"
                ).first(),
                try row.decode(column: "expires_at", as: Int64.self) > now
            else {
                throw APIError(.otpExpired, detail: "There is no live code for this phone number; request a new one.")
            }
            let failed = try row.decode(column: "failed_attempts", as: Int.self)
            if failed >= maxAttempts { return .burnt }
            guard Secrets.constantTimeEquals(try row.decode(column: "code_hash", as: String.self), hash) else {
                let nowFailed = failed + 1
                try await sql.raw(
                    "UPDATE otp_codes SET failed_attempts = \(bind: nowFailed) WHERE phone = \(bind: phone)"
                ).run()
                return nowFailed >= maxAttempts ? .burnt : .wrong(remaining: maxAttempts - nowFailed)
            }
            try await sql.raw("DELETE FROM otp_codes WHERE phone = \(bind: phone)").run()
            if let existing = try await sql.raw("SELECT id FROM users WHERE phone = \(bind: phone)").first(
                decodingColumn: "id", as: String.self)
            {
                return .success(userID: existing)
            }
            let id = UUID().uuidString.lowercased()
            try await sql.raw(
                "INSERT INTO users (id, phone, created_at) VALUES (\(bind: id), \(bind: phone), \(bind: now))"
            ).run()
            return .success(userID: id)
        }
        switch outcome {
        case .wrong(let remaining):
            throw APIError(.otpInvalid, detail: "That code is wrong.") { $0.attemptsRemaining = remaining }
        case .burnt:
            throw APIError(
                .otpAttemptsExceeded, detail: "Too many wrong codes; request a new code.",
                retryAfter: Int(resendAfter / 1000))
        case .success(let userID):
            return try await issuePair(userID: userID, family: UUID().uuidString.lowercased())
        }
    }

    // MARK: Tokens

    private func issuePair(userID: String, family: String, replacing oldHash: String? = nil) async throws -> TokenPair {
        let refresh = Secrets.randomToken()
        let now = timeSource.nowMillis
        let refreshLifetime = self.refreshLifetime
        let user = try await db.transaction { sql -> User in
            if let oldHash {
                try await sql.raw(
                    "UPDATE refresh_tokens SET used_at = \(bind: now) WHERE token_hash = \(bind: oldHash)"
                ).run()
            }
            try await sql.raw(
                """
                INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at, used_at, revoked)
                VALUES (
                    \(bind: Secrets.sha256(refresh)), \(bind: userID), \(bind: family),
                    \(bind: now + refreshLifetime), NULL, 0
                )
                """
            ).run()
            guard
                let row = try await sql.raw("SELECT id, phone, created_at FROM users WHERE id = \(bind: userID)")
                    .first()
            else {
                throw APIError(.refreshTokenInvalid, detail: "The account no longer exists.")
            }
            return try Self.user(row)
        }
        let access = try await tokens.issue(userID: userID, sessionID: family, now: timeSource.now())
        return TokenPair(
            accessToken: access, tokenType: .bearer, expiresIn: Int(tokens.lifetime), refreshToken: refresh,
            refreshExpiresIn: Int(refreshLifetime / 1000), user: user)
    }

    func refresh(_ token: String) async throws -> TokenPair {
        let hash = Secrets.sha256(token)
        let now = timeSource.nowMillis
        let found: (userID: String, family: String)? = try await db.transaction { sql in
            guard
                let row = try await sql.raw(
                    """
                    SELECT user_id, family_id, expires_at, used_at, revoked FROM refresh_tokens
                    WHERE token_hash = \(bind: hash)
                    """
                ).first()
            else { return nil }
            let family = try row.decode(column: "family_id", as: String.self)
            if try row.decode(column: "used_at", as: Int64?.self) != nil {
                // A used token came back: it was copied. Revoke everything descended from that sign-in.
                try await sql.raw("UPDATE refresh_tokens SET revoked = 1 WHERE family_id = \(bind: family)").run()
                return nil
            }
            guard try row.decode(column: "revoked", as: Int.self) == 0,
                try row.decode(column: "expires_at", as: Int64.self) > now
            else { return nil }
            return (try row.decode(column: "user_id", as: String.self), family)
        }
        guard let found else {
            throw APIError(
                .refreshTokenInvalid, detail: "The refresh token is unknown, expired, revoked or was already used.")
        }
        return try await issuePair(userID: found.userID, family: found.family, replacing: hash)
    }

    func logout(_ token: String, userID: String) async throws {
        let hash = Secrets.sha256(token)
        try await db.transaction { sql in
            if let family = try await sql.raw(
                "SELECT family_id FROM refresh_tokens WHERE token_hash = \(bind: hash) AND user_id = \(bind: userID)"
            )
            .first(decodingColumn: "family_id", as: String.self) {
                try await sql.raw("UPDATE refresh_tokens SET revoked = 1 WHERE family_id = \(bind: family)").run()
            }
        }
    }

    /// Admits the user a checked access token names: a deleted user's tokens are invalid, and
    /// each admitted request counts against the user's rate.
    func admit(_ token: AccessTokenCheck) async throws -> String {
        let userID: String, sessionID: String?
        switch token {
        case .absent: throw APIError(.authRequired, detail: "This route needs 'Authorization: Bearer <access token>'.")
        case .expired: throw APIError(.tokenExpired, detail: "The access token has expired; refresh it and retry.")
        case .invalid: throw APIError(.tokenInvalid, detail: "The access token is not valid.")
        case .valid(let id, let session): (userID, sessionID) = (id, session)
        }
        // Counts the request in this minute's window, shared by every instance, and checks that
        // the user still exists and the session was not revoked (RequestCounter).
        let now = timeSource.nowMillis
        let window = now - now % 60_000
        guard let count = try await db.requestCounter.count(userID: userID, sessionID: sessionID, window: window)
        else {
            throw APIError(.tokenInvalid, detail: "The access token is not valid.")
        }
        if let limit = apiRateLimitPerMinute, count > limit {
            let wait = Int((window + 60_000 - now + 999) / 1000)
            throw APIError(
                .rateLimited, detail: "Too many requests for this account; slow down.", retryAfter: max(1, wait))
        }
        return userID
    }

    func user(_ id: String) async throws -> User {
        let row = try await db.withSQL { sql in
            try await sql.raw("SELECT id, phone, created_at FROM users WHERE id = \(bind: id)").first()
        }
        guard let row else { throw APIError(.tokenInvalid, detail: "The account no longer exists.") }
        return try Self.user(row)
    }

    func deleteUser(_ id: String) async throws {
        try await db.transaction { sql in
            // Children first: not every SQLite build enforces ON DELETE CASCADE.
            for table in ["transcripts", "calls", "todos", "idempotency_keys", "refresh_tokens", "api_usage"] {
                try await sql.raw("DELETE FROM \(unsafeRaw: table) WHERE user_id = \(bind: id)").run()
            }
            try await sql.raw("DELETE FROM users WHERE id = \(bind: id)").run()
        }
    }

    static func user(_ row: any SQLRow) throws -> User {
        User(
            id: UUID(uuidString: try row.decode(column: "id", as: String.self))!,
            phone: try row.decode(column: "phone", as: String.self),
            createdAt: Date(millis: try row.decode(column: "created_at", as: Int64.self)))
    }
}

extension Date {
    init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
    var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
