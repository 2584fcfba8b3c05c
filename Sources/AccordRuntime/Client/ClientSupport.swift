import AccordRuntimeModels
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP request, as the client builds it.
public struct TransportRequest: Sendable, Hashable {
    public var method: String
    public var url: URL
    /// Header names as written; look-ups ignore case.
    public var headers: [String: String]
    public var body: Data?

    public init(method: String, url: URL, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// One HTTP response, as a transport hands it back.
public struct TransportResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// A success answer that declares a `Location` header, such as `201 Created`: the answer's body
/// and the URL of the resource it names.
public struct Created<Value: Sendable>: Sendable {
    /// The answer's body.
    public var value: Value
    /// The `Location` header resolved against the request's URL (servers often send a path);
    /// nil when the answer had none or it is not a URL.
    public var location: URL?

    public init(_ value: Value, location: URL?) {
        self.value = value
        self.location = location
    }
}

extension Created: Equatable where Value: Equatable {}
extension Created: Hashable where Value: Hashable {}

/// Sends requests. `URLSessionTransport` in apps; tests and replays plug in their own.
public protocol HTTPTransport: Sendable {
    func send(_ request: TransportRequest) async throws -> TransportResponse
}

/// The default transport.
public struct URLSessionTransport: HTTPTransport {
    public var session: URLSession

    public init(session: URLSession = .shared) { self.session = session }

    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        let (data, response) = try await session.data(for: urlRequest)
        guard let http = response as? HTTPURLResponse else { throw ClientError.transport("not an HTTP response") }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        return TransportResponse(status: http.statusCode, headers: headers, body: data)
    }
}

/// Supplies the bearer token. After an expired-token answer the client asks for a refreshed
/// token once and retries the request once.
public protocol TokenProvider: Sendable {
    /// The current access token, or nil when signed out.
    func accessToken() async throws -> String?
    /// A new access token after the server said the current one expired; nil gives up.
    func refreshedAccessToken() async throws -> String?
}

/// Supplies API keys, asked for by the name of the security scheme that declares them.
public protocol APIKeyProvider: Sendable {
    /// The key for the scheme, or nil to send the request without one.
    func apiKey(forScheme scheme: String) async throws -> String?
}

/// Keys known up front, by scheme name (a staff system's key from its configuration).
public struct StaticAPIKeys: APIKeyProvider {
    public var keys: [String: String]

    public init(_ keys: [String: String]) { self.keys = keys }

    public func apiKey(forScheme scheme: String) async throws -> String? { keys[scheme] }
}

/// How an operation authenticates, as its security scheme says.
package enum RequestCredential: Sendable, Hashable {
    case none
    /// `Authorization: Bearer` from the token provider, refreshed once when `isExpired` says so.
    case bearer
    /// A key from the key provider, in the named header or query parameter.
    case apiKey(scheme: String, name: String, inQuery: Bool)
}

/// The request could not be sent, or the answer could not be read.
public enum ClientError: Swift.Error, Sendable, Hashable, CustomStringConvertible {
    case transport(String)
    case invalidURL(String)
    /// A success status whose body did not decode as the spec says.
    case undecodableResponse(status: Int, reason: String)
    /// A status the spec does not declare for this operation.
    case unexpectedStatus(Int)

    public var description: String {
        switch self {
        case .transport(let reason): "transport failed: \(reason)"
        case .invalidURL(let url): "invalid URL: \(url)"
        case .undecodableResponse(let status, let reason): "cannot decode the \(status) response: \(reason)"
        case .unexpectedStatus(let status): "unexpected status \(status)"
        }
    }
}

/// Builds requests from typed operation inputs.
package struct RequestBuilder: Sendable {
    package var method: String
    package var path: String
    package var query: [URLQueryItem] = []
    package var headers: [String: String] = [:]
    package var body: Data?

    package init(method: String, path: String) {
        self.method = method
        self.path = path
    }

    /// Replaces `{name}` in the path with the percent-encoded value.
    package mutating func path(_ name: String, _ value: some ParameterValue) {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        let encoded = value.parameterText.addingPercentEncoding(withAllowedCharacters: allowed) ?? value.parameterText
        path = path.replacingOccurrences(of: "{\(name)}", with: encoded)
    }

    package mutating func query(_ name: String, _ value: (some ParameterValue)?) {
        if let value { query.append(URLQueryItem(name: name, value: value.parameterText)) }
    }

    package mutating func query(_ name: String, _ values: [some ParameterValue]?, explode: Bool) {
        guard let values else { return }
        if explode {
            for value in values { query.append(URLQueryItem(name: name, value: value.parameterText)) }
        } else {
            query.append(URLQueryItem(name: name, value: values.map(\.parameterText).joined(separator: ",")))
        }
    }

    /// Objects in a query: `name[key]=value` (deepObject).
    package mutating func query(_ name: String, object: (some Encodable)?) throws {
        guard let object else { return }
        for (key, value) in try FormEncoding.pairs(JSONValue(encoding: object), prefix: name) {
            query.append(URLQueryItem(name: key, value: value))
        }
    }

    package mutating func header(_ name: String, _ value: (some ParameterValue)?) {
        if let value { headers[name] = value.parameterText }
    }

    package mutating func header(_ name: String, _ values: [some ParameterValue]?) {
        if let values { headers[name] = values.map(\.parameterText).joined(separator: ",") }
    }

    /// An object in a header, simple style (RFC 6570, OpenAPI's only style for headers): `k,v,k2,v2`,
    /// or `k=v,k2=v2` exploded, keys sorted. A nested value goes as its JSON text: the style has none.
    package mutating func header(_ name: String, object: (some Encodable)?, explode: Bool) throws {
        guard let object else { return }
        func text(_ value: JSONValue) throws -> String {
            if let scalar = FormEncoding.text(value) { return scalar }
            return value == .null ? "" : String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
        }
        switch try JSONValue(encoding: object) {
        case .object(let members):
            // A null member is left out, as an absent one.
            let pairs = try members.keys.sorted().filter { members[$0] != .null }.map { key in
                (key, try text(members[key]!))
            }
            headers[name] = pairs.map { explode ? "\($0.0)=\($0.1)" : "\($0.0),\($0.1)" }.joined(separator: ",")
        case .array(let items):
            headers[name] = try items.map(text).joined(separator: ",")
        case let value:
            headers[name] = try text(value)
        }
    }

    package mutating func json(_ value: some Encodable) throws {
        body = try JSONCoding.encoder.encode(value)
        headers["Content-Type"] = "application/json"
    }

    package mutating func form(_ value: some Encodable) throws {
        var components = URLComponents()
        components.queryItems = try FormEncoding.pairs(JSONValue(encoding: value), prefix: nil).map {
            URLQueryItem(name: $0.0, value: $0.1)
        }
        // URLComponents leaves `+` alone, which a form decoder reads as a space.
        let encoded = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        body = Data(encoded.utf8)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    }

    package mutating func raw(_ data: Data, contentType: String) {
        body = data
        headers["Content-Type"] = contentType
    }

    package mutating func text(_ text: String, contentType: String) {
        body = Data(text.utf8)
        headers["Content-Type"] = contentType + "; charset=utf-8"
    }

    package func request(baseURL: URL) throws -> TransportRequest {
        let base =
            baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString
        guard var components = URLComponents(string: base + path) else { throw ClientError.invalidURL(base + path) }
        if !query.isEmpty {
            components.queryItems = query
            components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        }
        guard let url = components.url else { throw ClientError.invalidURL(base + path) }
        return TransportRequest(method: method, url: url, headers: headers, body: body)
    }
}

/// Form (`application/x-www-form-urlencoded`) and deepObject flattening of JSON values.
package enum FormEncoding {
    /// A scalar's text as forms and headers carry it; nil for null, arrays and objects.
    package static func text(_ value: JSONValue) -> String? {
        switch value {
        case .bool(let b): b ? "true" : "false"
        case .integer(let i): String(i)
        case .number(let d): String(d)
        case .string(let s): s
        case .null, .array, .object: nil
        }
    }

    package static func pairs(_ value: JSONValue, prefix: String?) -> [(String, String)] {
        switch value {
        case .null: return []
        case .bool, .integer, .number, .string: return prefix.map { [($0, text(value)!)] } ?? []
        case .array(let items):
            // Repeated names, as form bodies and Twilio expect (`Tags=a&Tags=b`).
            return items.flatMap { pairs($0, prefix: prefix) }
        case .object(let members):
            return members.keys.sorted().flatMap { key in
                pairs(members[key]!, prefix: prefix.map { "\($0)[\(key)]" } ?? key)
            }
        }
    }
}

/// What the generated operations share: sending, auth, the request id and the one retry.
/// `package`: plumbing of the generated client, not part of the API an app sees.
package struct ClientCore: Sendable {
    package var baseURL: URL
    package var transport: any HTTPTransport
    package var tokenProvider: (any TokenProvider)?
    package var apiKeyProvider: (any APIKeyProvider)?
    /// The header that carries the request id (set on every request), if the API has one.
    package var requestIdHeader: String?
    /// The app's version and the header it travels in (set on every request), when the app gives one.
    package var appVersion: (header: String, value: String)?

    package init(
        baseURL: URL, transport: any HTTPTransport, tokenProvider: (any TokenProvider)? = nil,
        apiKeyProvider: (any APIKeyProvider)? = nil, requestIdHeader: String?,
        appVersion: (header: String, value: String)? = nil
    ) {
        self.baseURL = baseURL
        self.transport = transport
        self.tokenProvider = tokenProvider
        self.apiKeyProvider = apiKeyProvider
        self.requestIdHeader = requestIdHeader
        self.appVersion = appVersion
    }

    /// Sends the request with the operation's credential; after a bearer token that `isExpired`
    /// says expired, refreshes it and retries once.
    package func send(
        _ builder: RequestBuilder, credential: RequestCredential,
        isExpired: @Sendable (TransportResponse) -> Bool
    ) async throws -> TransportResponse {
        var builder = builder
        var keyHeader: (name: String, value: String)?
        if case .apiKey(let scheme, let name, let inQuery) = credential,
            let key = try await apiKeyProvider?.apiKey(forScheme: scheme)
        {
            if inQuery { builder.query(name, key) } else { keyHeader = (name, key) }
        }
        var request = try builder.request(baseURL: baseURL)
        if let keyHeader { request.headers[keyHeader.name] = keyHeader.value }
        if let requestIdHeader, request.header(requestIdHeader) == nil {
            request.headers[requestIdHeader] = UUID().uuidString.lowercased()
        }
        if let appVersion { request.headers[appVersion.header] = appVersion.value }
        request.headers["Accept"] = "application/json, application/problem+json"
        guard credential == .bearer, let tokenProvider else { return try await transmit(request) }
        if let token = try await tokenProvider.accessToken() {
            request.headers["Authorization"] = "Bearer \(token)"
        }
        let response = try await transmit(request)
        guard isExpired(response), let fresh = try await tokenProvider.refreshedAccessToken() else { return response }
        request.headers["Authorization"] = "Bearer \(fresh)"
        return try await transmit(request)
    }

    private func transmit(_ request: TransportRequest) async throws -> TransportResponse {
        do {
            return try await transport.send(request)
        } catch let error as ClientError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ClientError.transport(String(describing: error))
        }
    }

    package func decode<T: Decodable>(_ type: T.Type, from response: TransportResponse) throws -> T {
        do {
            return try JSONCoding.decoder.decode(T.self, from: response.body)
        } catch {
            throw ClientError.undecodableResponse(status: response.status, reason: String(describing: error))
        }
    }

    package func text(from response: TransportResponse) -> String {
        String(decoding: response.body, as: UTF8.self)
    }

    /// The answer's `Location`, resolved against the URL the request went to (RFC 9110 allows a
    /// relative reference).
    package func location(of response: TransportResponse, for request: RequestBuilder) -> URL? {
        guard let value = response.header("Location")?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return nil
        }
        let target = try? request.request(baseURL: baseURL).url
        return URL(string: value, relativeTo: target)?.absoluteURL
    }

    /// The body decoded as `T`, with the answer's `Location`.
    package func created<T: Decodable & Sendable>(
        _ type: T.Type, from response: TransportResponse, for request: RequestBuilder
    ) throws -> Created<T> {
        Created(try decode(T.self, from: response), location: location(of: response, for: request))
    }
}
