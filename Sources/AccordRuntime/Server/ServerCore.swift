import AccordRuntimeModels
import Foundation
import HTTPTypes
import Hummingbird

/// What the spec says that the shared server steps need to know; the generated module declares
/// its API's value (`ServerErrors.contract`).
public struct ServerContract: Sendable {
    /// The header a request id travels in, both ways.
    public var requestIdHeader: HTTPField.Name
    /// The header apps send their version in, if the API has one.
    public var appVersionHeader: HTTPField.Name?
    /// The body limit in bytes for operations without `x-body-limit`, unless `ServerOptions` sets another.
    public var defaultBodyLimit: Int

    /// Header names come from the spec, which the generator has checked: an invalid one is a bug there.
    public init(requestIdHeader: String, appVersionHeader: String? = nil, defaultBodyLimit: Int) {
        guard let requestId = HTTPField.Name(requestIdHeader) else {
            preconditionFailure("not a header name: \(requestIdHeader)")
        }
        self.requestIdHeader = requestId
        self.appVersionHeader = appVersionHeader.map { name in
            guard let field = HTTPField.Name(name) else { preconditionFailure("not a header name: \(name)") }
            return field
        }
        self.defaultBodyLimit = defaultBodyLimit
    }
}

/// How an API answers failures, with its own catalog codes and problem type: the generated
/// `ServerErrors` conforms, and the shared steps answer through it.
public protocol ProblemResponder {
    /// The API's error: handlers throw it and it is answered as it says. Named as the generated
    /// type is, so that the name inside `ServerErrors` cannot hide a type of the spec.
    associatedtype APIError: Swift.Error
    /// The spec's values the shared steps use.
    static var contract: ServerContract { get }
    /// The API's error for a failure the stubs detected.
    static func apiError(for failure: RequestFailure) -> APIError
    /// The API's error for an unexpected failure.
    static var internalError: APIError { get }
    /// The problem answer for an error, carrying the request id where the API's problem has a member for it.
    static func response(for error: APIError, requestID: String) -> Response
}

/// Settings of the generated routes.
public struct ServerOptions: Sendable {
    /// The request body limit in bytes, for operations without `x-body-limit`; nil for the spec's default.
    public var bodyLimit: Int?
    /// Called with every error a handler throws that is not the API's error (answered 500).
    public var onUnexpectedError: @Sendable (any Swift.Error, RequestInfo) -> Void
    /// Apps that send an older version than this (in the app-version header) are answered 426; a request
    /// without the header, or with one that is not a version, is not checked.
    public var minimumAppVersion: String?

    public init(
        bodyLimit: Int? = nil,
        onUnexpectedError: @escaping @Sendable (any Swift.Error, RequestInfo) -> Void = { _, _ in },
        minimumAppVersion: String? = nil
    ) {
        self.bodyLimit = bodyLimit
        self.onUnexpectedError = onUnexpectedError
        self.minimumAppVersion = minimumAppVersion
    }
}

/// The steps every generated route shares, answering failures through `Errors` (the generated
/// module names it `ServerCore`, for its `ServerErrors`). The steps are `package`: the generated
/// routes call them and a handler never does; the request id is the server's users' too.
public enum ServerRuntime<Errors: ProblemResponder> {
    public static var requestIdHeader: HTTPField.Name { Errors.contract.requestIdHeader }
    /// The header apps send their version in, if the API has one.
    public static var appVersionHeader: HTTPField.Name? { Errors.contract.appVersionHeader }

    /// The body limit of operations without their own.
    package static func bodyLimit(_ options: ServerOptions) -> Int {
        options.bodyLimit ?? Errors.contract.defaultBodyLimit
    }

    /// Whether `version` is a dotted number below `minimum` (`1.9.2` < `1.10.0`); anything else is not.
    package static func isBelow(_ version: String, minimum: String) -> Bool {
        func parts(_ text: String) -> [Int]? {
            let numbers = text.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
            return numbers.isEmpty || numbers.contains(nil) ? nil : numbers.map { $0! }
        }
        guard let a = parts(version), let b = parts(minimum) else { return false }
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            if x != y { return x < y }
        }
        return false
    }

    /// The request's id when it sent a usable one, else a new one.
    public static func requestID(_ request: Request) -> String {
        if let sent = request.headers[requestIdHeader], (1...128).contains(sent.count),
            sent.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._:-".contains($0)) })
        {
            return sent
        }
        return UUID().uuidString.lowercased()
    }

    /// Runs one operation: collects the body, calls `body`, and turns every thrown error into a problem.
    /// `bodyLimit` is the operation's own (`x-body-limit`); without one, the options' or the spec's applies.
    package static func handle<Context: RequestContext>(
        _ request: Request, _ context: Context, operationId: String, route: String, collectBody: Bool,
        bodyLimit: Int? = nil, checksAppVersion: Bool = false, options: ServerOptions,
        _ body: (RequestInfo) async throws -> Response
    ) async -> Response {
        var info = RequestInfo(
            requestID: requestID(request), method: request.method.rawValue, path: request.uri.path,
            route: route, operationId: operationId, headers: request.headers, body: Data(),
            remoteAddress: (context as? any RemoteAddressRequestContext)?.remoteAddress.map { "\($0)" })
        var response: Response
        do {
            // Only operations that declare the header answer 426 (the spec says so for them alone).
            if checksAppVersion, let floor = options.minimumAppVersion, let header = appVersionHeader,
                let sent = request.headers[header],
                isBelow(sent, minimum: floor)
            {
                throw RequestFailure.appVersionUnsupported(minimum: floor)
            }
            if collectBody {
                info.body = try await collect(
                    request.body, limit: bodyLimit ?? Self.bodyLimit(options),
                    declaredLength: request.headers[.contentLength])
            }
            response = try await body(info)
        } catch {
            response = errorResponse(error, info: info, options: options)
        }
        response.headers[requestIdHeader] = info.requestID
        return response
    }

    /// Reads the body, refusing more than `limit` bytes (413) without reading past it.
    static func collect(_ body: RequestBody, limit: Int, declaredLength: String?) async throws -> Data {
        if let declaredLength, let length = Int(declaredLength), length > limit {
            throw RequestFailure.payloadTooLarge(limit: limit)
        }
        var data = Data()
        for try await chunk in body {
            guard data.count + chunk.readableBytes <= limit else { throw RequestFailure.payloadTooLarge(limit: limit) }
            data.append(contentsOf: chunk.readableBytesView)
        }
        return data
    }

    /// The problem answer for anything a route or a later middleware threw.
    static func errorResponse(_ error: any Swift.Error, info: RequestInfo, options: ServerOptions) -> Response {
        switch error {
        case let error as Errors.APIError:
            return Errors.response(for: error, requestID: info.requestID)
        case let failure as RequestFailure:
            return Errors.response(for: Errors.apiError(for: failure), requestID: info.requestID)
        case let error as HTTPError where error.status == .contentTooLarge:
            let failure = Errors.apiError(for: .payloadTooLarge(limit: bodyLimit(options)))
            return Errors.response(for: failure, requestID: info.requestID)
        default:
            options.onUnexpectedError(error, info)
            return Errors.response(for: Errors.internalError, requestID: info.requestID)
        }
    }

    /// Whether the request carries any credentials (for operations where they are optional).
    package static func hasCredentials(_ info: RequestInfo) -> Bool {
        info.headers[.authorization] != nil
    }

    package static func queryValues(_ request: Request, _ name: String) -> [String] {
        request.uri.queryParameters.getAll(name)
    }

    /// The JSON body checked against `rule`: 415 for another media type, 400 for bad JSON,
    /// violations for constraint failures.
    package static func jsonBody(
        _ info: RequestInfo, required: Bool, rule: SchemaRule, violations: inout [FieldViolation]
    ) throws -> JSONValue? {
        if info.body.isEmpty && info.headers[.contentType] == nil {
            if required { throw RequestFailure.malformedBody("a JSON body is required") }
            return nil
        }
        guard RequestDecoding.hasContentType(info, "application/json") else {
            throw RequestFailure.unsupportedMediaType(info.headers[.contentType])
        }
        let value = try RequestDecoding.json(info.body, expecting: rule.topLevelKind)
        violations += rule.violations(of: value)
        return value
    }

    package static func formBody(
        _ info: RequestInfo, required: Bool, rule: SchemaRule, violations: inout [FieldViolation]
    ) throws -> JSONValue? {
        if info.body.isEmpty && info.headers[.contentType] == nil {
            if required { throw RequestFailure.malformedBody("a form body is required") }
            return nil
        }
        guard RequestDecoding.hasContentType(info, "application/x-www-form-urlencoded") else {
            throw RequestFailure.unsupportedMediaType(info.headers[.contentType])
        }
        let value = rule.formValue(RequestDecoding.formFields(info.body))
        violations += rule.violations(of: value)
        return value
    }

    package static func json(
        _ status: Int, _ body: some Encodable, headers: [(String, String?)] = []
    ) throws -> Response {
        let data = try JSONCoding.encoder.encode(body)
        return raw(status, data, contentType: "application/json", headers: headers)
    }

    package static func raw(
        _ status: Int, _ data: Data, contentType: String, headers: [(String, String?)] = []
    ) -> Response {
        var response = empty(status, headers: headers)
        response.headers[.contentType] = contentType
        response.headers[.contentLength] = String(data.count)
        response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        return response
    }

    package static func empty(_ status: Int, headers: [(String, String?)] = []) -> Response {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let value, let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(status: .init(code: status), headers: fields)
    }

    package static func problemResponse(status: Int, body: Data, retryAfter: Int?) -> Response {
        var response = raw(status, body, contentType: "application/problem+json")
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}

/// Answers unknown routes (404), wrong methods (405, with `Allow`) and stray errors with the API's problems.
public struct ProblemMiddleware<Context: RequestContext, Errors: ProblemResponder>: RouterMiddleware {
    let options: ServerOptions
    let routes: [(path: String, methods: [String])]

    public init(options: ServerOptions, routes: [(path: String, methods: [String])]) {
        self.options = options
        self.routes = routes
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let info = RequestInfo(
                requestID: ServerRuntime<Errors>.requestID(request), method: request.method.rawValue,
                path: request.uri.path, route: "", operationId: "", headers: request.headers, body: Data(),
                remoteAddress: nil)
            var response: Response
            if let http = error as? HTTPError, http.status == .notFound {
                let allowed = routes.first { Self.matches($0.path, request.uri.path) }?.methods
                if let allowed {
                    let failure = Errors.apiError(for: .methodNotAllowed(allowed: allowed))
                    response = Errors.response(for: failure, requestID: info.requestID)
                    response.headers[.allow] = allowed.joined(separator: ", ")
                } else {
                    response = Errors.response(for: Errors.apiError(for: .routeNotFound), requestID: info.requestID)
                }
            } else {
                response = ServerRuntime<Errors>.errorResponse(error, info: info, options: options)
            }
            response.headers[ServerRuntime<Errors>.requestIdHeader] = info.requestID
            return response
        }
    }

    static func matches(_ template: String, _ path: String) -> Bool {
        let t = template.split(separator: "/", omittingEmptySubsequences: false)
        let p = path.split(separator: "/", omittingEmptySubsequences: false)
        guard t.count == p.count else { return false }
        return zip(t, p).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }
}
