import Hummingbird
import Logging
import NIOCore

/// Who is calling, once the credentials of the operation's security scheme were checked.
public enum Caller: Sendable, Hashable {
    /// The user behind a valid access token.
    case user(id: String)
    /// Retell, proven by the webhook signature.
    case retellWebhook

    /// The user's id; nil for the webhook.
    public var userID: String? {
        if case .user(let id) = self { return id }
        return nil
    }
}

/// What the access token of a request said, as `AccessTokenMiddleware` found it.
public enum AccessTokenCheck: Sendable, Hashable {
    /// No `Authorization: Bearer` header.
    case absent
    /// Signature, algorithm, issuer, audience and expiry hold: the token names this user.
    case valid(userID: String, sessionID: String?)
    case expired
    case invalid
}

/// app-server's request context: Hummingbird's core storage, the client's address, and what
/// the request's access token proved. Middleware fills it in; the authenticator and the request
/// log read it.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var accessToken: AccessTokenCheck = .absent

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The user a valid token names (for logs; the route still checks the account and its rate).
    public var tokenUserID: String? {
        if case .valid(let id, _) = accessToken { return id }
        return nil
    }
}

/// Checks the bearer token of every request that carries one (signature, algorithm, claims,
/// expiry: no database) and puts the outcome in the context. Whether the route needs a token,
/// and whether the account still exists and is within its rate, is the authenticator's part.
struct AccessTokenMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tokens: AccessTokens
    let timeSource: any TimeSource

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.accessToken = await check(request.headers[.authorization])
        return try await next(request, context)
    }

    func check(_ header: String?) async -> AccessTokenCheck {
        guard let header, header.lowercased().hasPrefix("bearer ") else { return .absent }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        do {
            let verified = try await tokens.verifySession(token, now: timeSource.now())
            return .valid(userID: verified.userID, sessionID: verified.sessionID)
        } catch .expired {
            return .expired
        } catch {
            return .invalid
        }
    }
}
