/// The resolved, validated form of an OpenAPI 3.0 or 3.1 document: what the generator reads.
///
/// References between schemas are kept as `RefKey`s pointing at `namedSchemas`, so recursive
/// schemas stay finite; every other `$ref` (parameters, bodies, responses, headers) is inlined.
public struct APIDocument: Sendable {
    public var openAPIVersion: String
    public var title: String
    public var version: String
    public var summary: String?
    public var description: String?
    public var servers: [String]
    public var operations: [Operation]
    /// Every schema a `$ref` names, components first in written order, then others by discovery.
    public var namedSchemas: [NamedSchema] {
        didSet { namedSchemaIndex = Self.index(namedSchemas) }
    }
    private var namedSchemaIndex: [RefKey: Int] = [:]
    public var securitySchemes: [String: SecurityScheme]
    /// The error catalog (`x-error-catalog` on a string schema), empty when the spec has none.
    public var errorCatalog: ErrorCatalog?
    /// `x-provider-states`: the names a recorded exchange may set through the contract-state route.
    public var providerStates: [String]?

    public init(
        openAPIVersion: String, title: String, version: String, summary: String?, description: String?,
        servers: [String], operations: [Operation], namedSchemas: [NamedSchema],
        securitySchemes: [String: SecurityScheme], errorCatalog: ErrorCatalog?
    ) {
        self.openAPIVersion = openAPIVersion
        self.title = title
        self.version = version
        self.summary = summary
        self.description = description
        self.servers = servers
        self.operations = operations
        self.namedSchemas = namedSchemas
        self.securitySchemes = securitySchemes
        self.errorCatalog = errorCatalog
        namedSchemaIndex = Self.index(namedSchemas)
    }

    private static func index(_ schemas: [NamedSchema]) -> [RefKey: Int] {
        Dictionary(schemas.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func namedSchema(_ key: RefKey) -> NamedSchema? {
        namedSchemaIndex[key].map { namedSchemas[$0] }
    }
}

public struct NamedSchema: Sendable {
    /// The name the spec gives it: the components key, or the last pointer token.
    public var name: String
    public var key: RefKey
    public var schema: Schema
}

public struct Schema: Sendable {
    public indirect enum Kind: Sendable {
        /// A schema defined elsewhere (a named schema).
        case reference(RefKey)
        /// Any JSON value (`{}`, or no type at all).
        case any
        case string
        case integer
        case number
        case boolean
        /// Only `null` (`type: 'null'`).
        case null
        case array(items: Schema)
        case object(ObjectSchema)
        /// Exactly one of these; `discriminator` names the property that tells which.
        case oneOf([Schema], discriminator: Discriminator?)
        /// One or more of these (generated like `oneOf`: the first that decodes wins).
        case anyOf([Schema])
        /// All of these at once (merged into one object).
        case allOf([Schema])
    }

    public var kind: Kind
    /// `null` is allowed (3.0 `nullable: true`, 3.1 `type: [T, 'null']`, or a `null` branch).
    public var isNullable = false
    public var format: String?
    public var enumValues: [SpecNode]?
    public var title: String?
    public var description: String?
    public var isDeprecated = false
    public var isReadOnly = false
    public var isWriteOnly = false
    public var defaultValue: SpecNode?
    public var constraints = Constraints()
    public var location: SourceLocation
    /// The error catalog, when this schema carries `x-error-catalog`.
    public var errorCatalog: ErrorCatalog?
    /// `x-problem-member`: what this member of a problem schema carries.
    public var problemMember: ProblemMemberRole?

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }

    public var stringEnumValues: [String]? {
        guard let enumValues else { return nil }
        let strings = enumValues.compactMap(\.string)
        return strings.count == enumValues.filter({ !$0.isNull }).count ? strings : nil
    }
}

public struct Constraints: Sendable, Equatable {
    public var minLength: Int?
    public var maxLength: Int?
    public var pattern: String?
    public var minimum: Double?
    public var maximum: Double?
    public var exclusiveMinimum: Double?
    public var exclusiveMaximum: Double?
    public var multipleOf: Double?
    public var minItems: Int?
    public var maxItems: Int?
    public var uniqueItems = false
    public var minProperties: Int?
    public var maxProperties: Int?

    public init() {}

    public var isEmpty: Bool { self == Constraints() }
}

public struct ObjectSchema: Sendable {
    public struct Property: Sendable {
        public var name: String
        public var schema: Schema
        public var isRequired: Bool
        public var location: SourceLocation
    }

    public enum AdditionalProperties: Sendable {
        /// Not said: unknown members are allowed and ignored.
        case unspecified
        case forbidden
        case schema(Schema)
    }

    public var properties: [Property]
    public var additionalProperties: AdditionalProperties

    public init(properties: [Property], additionalProperties: AdditionalProperties) {
        self.properties = properties
        self.additionalProperties = additionalProperties
    }
}

public struct Discriminator: Sendable {
    public var propertyName: String
    /// Wire value → schema; filled in from the branch names when the spec gives no mapping.
    public var mapping: [(value: String, target: RefKey)]
}

public enum HTTPMethod: String, Sendable, CaseIterable {
    case get, put, post, delete, options, head, patch, trace
}

public struct Operation: Sendable {
    public var operationId: String
    /// The spec gave no operationId; `operationId` was derived from the method and path.
    public var isOperationIdDerived: Bool
    public var method: HTTPMethod
    public var path: String
    public var summary: String?
    public var description: String?
    public var tags: [String]
    public var isDeprecated: Bool
    public var parameters: [Parameter]
    public var requestBody: RequestBody?
    public var responses: [Response]
    /// Alternatives: any one requirement satisfies the operation; an empty list means public.
    public var security: [[String]]
    /// The OAuth scopes each scheme's requirements name (all alternatives together).
    public var securityScopes: [String: Set<String>] = [:]
    /// `x-body-limit`: the largest request body the server accepts, in bytes.
    public var bodyLimit: Int?
    /// `x-error-codes`: the catalog codes this operation can answer with.
    public var errorCodes: [(code: String, location: SourceLocation)]
    /// `x-webhook: true`: only a provider calls it (the server routes it; clients never do).
    public var isWebhook = false
    public var location: SourceLocation
}

public struct Parameter: Sendable {
    public enum Location: String, Sendable {
        case path, query, header, cookie
    }

    public var name: String
    public var location: Location
    public var isRequired: Bool
    public var schema: Schema
    public var description: String?
    public var isDeprecated: Bool
    /// `explode` for arrays in a query (form style): `a=1&a=2` when true, `a=1,2` when false.
    public var explode: Bool
    /// `form`, `simple`, `deepObject`, …
    public var style: String
    public var sourceLocation: SourceLocation
}

public struct MediaType: Sendable, Equatable, CustomStringConvertible {
    public let type: String
    /// The type without parameters: `application/json; charset=utf-8` → `application/json`.
    public let essence: String

    public init(_ type: String) {
        self.type = type.lowercased()
        essence = String((self.type.split(separator: ";").first ?? "").filter { $0 != " " && $0 != "\t" })
    }
    public var isJSON: Bool { essence == "application/json" || essence.hasSuffix("+json") }
    public var isProblemJSON: Bool { essence == "application/problem+json" }
    public var isForm: Bool { essence == "application/x-www-form-urlencoded" }
    public var isMultipart: Bool { essence.hasPrefix("multipart/") }
    public var isText: Bool { essence.hasPrefix("text/") }
    public var description: String { type }
}

public struct Content: Sendable {
    public var mediaType: MediaType
    /// Nil when the media type declares no schema (the body is raw bytes).
    public var schema: Schema?
    public var example: SpecNode?
}

public struct RequestBody: Sendable {
    public var isRequired: Bool
    public var description: String?
    /// The content the generator uses (JSON first, then form, then others).
    public var content: Content
    public var otherMediaTypes: [MediaType]
    public var location: SourceLocation
}

public enum StatusCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    case code(Int)
    /// `2XX` and friends: the first digit.
    case range(Int)
    case `default`

    public var description: String {
        switch self {
        case .code(let c): String(c)
        case .range(let r): "\(r)XX"
        case .default: "default"
        }
    }

    public var isSuccess: Bool {
        switch self {
        case .code(let c): (200..<300).contains(c)
        case .range(let r): r == 2
        case .default: false
        }
    }

    public var isError: Bool {
        switch self {
        case .code(let c): c >= 400
        case .range(let r): r >= 4
        case .default: true
        }
    }

    private var sortKey: Int {
        switch self {
        case .code(let c): c * 10
        case .range(let r): r * 1000 + 999
        case .default: 100_000
        }
    }

    public static func < (lhs: StatusCode, rhs: StatusCode) -> Bool { lhs.sortKey < rhs.sortKey }
}

public struct Response: Sendable {
    public var status: StatusCode
    public var description: String?
    public var content: Content?
    public var headers: [Header]
    public var location: SourceLocation
}

public struct Header: Sendable {
    public var name: String
    public var isRequired: Bool
    public var schema: Schema
    public var description: String?
}

public enum SecurityScheme: Sendable {
    case httpBearer(format: String?)
    case httpBasic
    case apiKey(name: String, location: Parameter.Location)
    case oauth2
    case openIdConnect
    case other(String)
}

/// The catalog of stable error codes: held once in the spec, published by the generator.
public struct ErrorCatalog: Sendable {
    public struct Entry: Sendable {
        public var code: String
        public var status: Int
        public var title: String
        public var message: String
        public var isRetryable: Bool
        public var description: String
        /// `role:`: what the generated code and the tester may rely on this code to mean.
        public var role: ErrorRole?
        public var location: SourceLocation
    }

    /// The named schema that carries the catalog (its type is the error-code enum).
    public var schemaKey: RefKey
    public var schemaName: String
    public var entries: [Entry]
    /// `x-error-type-base`: problem `type` URIs are this plus the code in kebab case.
    public var typeBase: String?
    /// The problem member that holds the code (the property whose schema is the catalog's).
    public var codeMember: String?
    /// The problem members marked with `x-problem-member`, by what they carry.
    public var problemMembers: [ProblemMemberRole: String] = [:]

    public func entry(_ code: String) -> Entry? { entries.first { $0.code == code } }

    /// The entry that declares the role, if any.
    public func entry(role: ErrorRole) -> Entry? { entries.first { $0.role == role } }
}
