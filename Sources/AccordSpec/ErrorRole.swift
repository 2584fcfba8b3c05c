/// What a catalog entry means to the generated code and the contract tester, declared in the spec
/// (`role:` on an `x-error-catalog` entry) so that neither needs to know the API's code names.
public enum ErrorRole: String, CaseIterable, Sendable {
    /// The access token expired: the client refreshes it once and retries.
    case tokenExpired = "token-expired"
    /// No route matches the path (and, unless an operation names its own, no resource has the id).
    case notFound = "not-found"
    /// The path exists but not with this method.
    case methodNotAllowed = "method-not-allowed"
    /// The body cannot be read as the declared media type.
    case malformedRequest = "malformed-request"
    /// The body's media type is not the declared one.
    case unsupportedMediaType = "unsupported-media-type"
    /// The body is over the operation's limit.
    case payloadTooLarge = "payload-too-large"
    /// The request breaks the spec's constraints.
    case validationFailed = "validation-failed"
    /// A handler failed unexpectedly.
    case internalError = "internal-error"
    /// The app version header names a version below the server's floor.
    case appVersionUnsupported = "app-version-unsupported"
    /// Credentials are missing (the tester expects it where a caller is identified only by an
    /// untrusted header).
    case authRequired = "auth-required"

    /// The status the generated server answers with for this role.
    public var status: Int {
        switch self {
        case .tokenExpired, .authRequired: 401
        case .notFound: 404
        case .methodNotAllowed: 405
        case .malformedRequest: 400
        case .unsupportedMediaType: 415
        case .payloadTooLarge: 413
        case .validationFailed: 422
        case .internalError: 500
        case .appVersionUnsupported: 426
        }
    }
}

/// What a member of the problem schema carries (`x-problem-member:` on the property), beyond
/// RFC 9457's own `type`, `title`, `status`, `detail` and `instance`.
public enum ProblemMemberRole: String, CaseIterable, Sendable {
    /// The request id the server answered with (also sent as the request-id header).
    case requestId = "request-id"
    /// Seconds to wait before retrying (as `Retry-After`).
    case retryAfter = "retry-after"
    /// The list of field violations of a validation failure.
    case fieldErrors = "field-errors"
}
