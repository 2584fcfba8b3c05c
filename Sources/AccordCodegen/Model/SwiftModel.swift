import AccordSpec

/// A Swift type as it is spelled where it is used.
public indirect enum SwiftType: Hashable, Sendable {
    case named(String)
    case array(SwiftType)
    case dictionary(SwiftType)
    case optional(SwiftType)
    /// `Nullable<T>`: an explicit JSON `null` or a value (wrapped in an optional for "absent").
    case nullable(SwiftType)

    public var code: String {
        switch self {
        case .named(let name): name
        case .array(let element): "[\(element.code)]"
        case .dictionary(let value): "[String: \(value.code)]"
        case .optional(let wrapped): wrapped.isOptional ? wrapped.code : "\(wrapped.code)?"
        case .nullable(let wrapped): "Nullable<\(wrapped.code)>"
        }
    }

    /// This type with the named type `old` (not a nested one) spelled `new`.
    func renaming(_ old: String, to new: String) -> SwiftType {
        switch self {
        case .named(let name): name == old ? .named(new) : self
        case .array(let element): .array(element.renaming(old, to: new))
        case .dictionary(let value): .dictionary(value.renaming(old, to: new))
        case .optional(let wrapped): .optional(wrapped.renaming(old, to: new))
        case .nullable(let wrapped): .nullable(wrapped.renaming(old, to: new))
        }
    }

    public var isOptional: Bool { if case .optional = self { return true }; return false }

    public var unwrapped: SwiftType { if case .optional(let w) = self { return w.unwrapped }; return self }

    static let string = SwiftType.named("String")
    static let json = SwiftType.named("JSONValue")
    static let data = SwiftType.named("Data")
}

/// A type declaration to emit.
struct TypeDecl: Sendable {
    enum Kind: Sendable {
        case structure([PropertyDecl], additionalProperties: SwiftType?)
        case openEnum([EnumCase])
        case union([UnionCase], discriminator: String?)
        case alias(SwiftType)
    }

    var name: String
    var doc: String?
    var kind: Kind
    var nested: [TypeDecl] = []
    var isDeprecated = false
    /// An enum declared the same elsewhere (its full name): this one is a type alias of it.
    var sameAs: String?
}

struct EnumCase: Sendable, Hashable {
    var name: String
    var rawValue: String
}

struct UnionCase: Sendable {
    var name: String
    var type: SwiftType
    /// The discriminator values that select this case.
    var tags: [String]
}

struct PropertyDecl: Sendable {
    enum Presence: Sendable {
        /// Always present, never null: `T`.
        case required
        /// Always present, may be null: `T?`, encoded as `null` when nil.
        case requiredNullable
        /// May be absent: `T?`, omitted when nil.
        case optional
        /// May be absent or null, and the difference matters (PATCH): `Nullable<T>?`.
        case optionalNullable
    }

    var name: String
    var wireName: String
    /// The type without optionality.
    var baseType: SwiftType
    var presence: Presence
    var doc: String?
    var isDeprecated = false
    /// Stored through `Indirect` because it closes a cycle of structs.
    var isBoxed = false
    /// `x-problem-member`: what this member carries when its type is the problem type.
    var problemMember: ProblemMemberRole?

    var type: SwiftType {
        switch presence {
        case .required: baseType
        case .requiredNullable, .optional: .optional(baseType)
        case .optionalNullable: .optional(.nullable(baseType))
        }
    }
}

/// How a body travels on the wire.
enum BodyEncoding: Sendable, Equatable {
    case json
    case form
    case text
    case binary
}

struct ParameterDecl: Sendable {
    var name: String
    var wireName: String
    var location: Parameter.Location
    var type: SwiftType
    var isRequired: Bool
    var explode: Bool
    var doc: String?
    var rule: RuleExpr
    /// How the client writes the value into the URL, decided from the schema (the Swift type may be an alias).
    var shape: ParameterShape = .value

    enum ParameterShape: Sendable {
        /// One text value (`ParameterValue`).
        case value
        /// A list of text values, exploded or comma-separated.
        case list
        /// Anything else, sent as deepObject (`name[key]=value`).
        case object
    }
}

struct BodyDecl: Sendable {
    var type: SwiftType
    var isRequired: Bool
    var encoding: BodyEncoding
    var contentType: String
    var doc: String?
    var rule: RuleExpr?
}

struct ResponseHeaderDecl: Sendable {
    var name: String
    var wireName: String
    var type: SwiftType
    var isRequired: Bool
    var doc: String?
}

struct ResponseDecl: Sendable {
    var status: StatusCode
    var caseName: String
    var body: (type: SwiftType, encoding: BodyEncoding, contentType: String)?
    var headers: [ResponseHeaderDecl]
    var doc: String?
    /// What the client method gives back for this answer (a success's), decided by the translator.
    var clientPayload: ClientPayload?
}

enum SecurityDecl: Sendable, Equatable {
    case none
    case required(schemes: [String])
    case optional(schemes: [String])
}

struct OperationDecl: Sendable {
    var operationId: String
    var methodName: String
    var typeName: String
    var httpMethod: String
    var path: String
    var doc: String?
    var isDeprecated: Bool
    var parameters: [ParameterDecl]
    var body: BodyDecl?
    var responses: [ResponseDecl]
    var security: SecurityDecl
    var errorCodes: [String]
    /// The catalog code a 404 of this operation answers (a path id that names nothing).
    var notFoundCode: String?
    var bodyLimit: Int?
    /// Only a provider calls it: routed by the server stubs, absent from the client.
    var isWebhook = false
    /// It declares the app-version header: the stubs check the version floor on it (and only there).
    var takesAppVersion = false
    /// What the client sends to authenticate it.
    var clientCredential: ClientCredential = .none
    /// The client method's arguments and what it returns (see `ClientModel.swift`): decided once
    /// by the translator, read by the client, the replay tool and the app-facing surface alike.
    var clientArguments: [ClientArgument] = []
    var clientReturn: ClientReturn = .none

    var successResponses: [ResponseDecl] { responses.filter(\.status.isSuccess) }
}

/// A validation rule as a Swift expression (`SchemaRule` in the generated runtime), kept as a
/// tree so the server stubs can wrap it.
struct RuleExpr: Sendable, Hashable {
    var expr: SwiftExpr

    init(_ expr: SwiftExpr) { self.expr = expr }

    init(code: String) { expr = .atom(code) }

    var code: String { expr.code }
}

/// Everything the renderers need: the product of translation.
struct GeneratedAPI: Sendable {
    var title: String
    var version: String
    var description: String?
    var types: [TypeDecl]
    var operations: [OperationDecl]
    /// Named validation rules: (Swift name, rule source).
    var rules: [(name: String, rule: RuleExpr)]
    var catalog: CatalogDecl?
    var problemType: String?
    /// The problem type's members by what they carry, when the catalog's code is one of them.
    var problem: ProblemDecl?
    var requestIdHeader: String?
    var appVersionHeader: String?
    var securitySchemes: [String: SecurityScheme]
    /// The server stubs' body limit for operations without `x-body-limit`.
    var defaultBodyLimit = 64 * 1024

    /// The operations the client calls (webhooks are left to the server).
    var clientOperations: [OperationDecl] { operations.filter { !$0.isWebhook } }
    var clientUsesBearer: Bool { clientOperations.contains { $0.clientCredential == .bearer } }
    var clientUsesAPIKeys: Bool {
        clientOperations.contains { if case .apiKey = $0.clientCredential { true } else { false } }
    }
}

/// How the generated client authenticates an operation, decided by the kind of its security
/// scheme (never "any security means a bearer token").
enum ClientCredential: Sendable, Hashable {
    case none
    /// `Authorization: Bearer` from the token provider; refreshed once on the token-expired role.
    case bearer
    /// A key from the key provider, asked for by scheme name, sent as the scheme says.
    case apiKey(scheme: String, name: String, location: Parameter.Location)
}

struct CatalogDecl: Sendable {
    struct Entry: Sendable {
        var code: String
        var caseName: String
        var status: Int
        var title: String
        var message: String
        var isRetryable: Bool
        var description: String
        /// The operations that list this code.
        var operations: [String]
    }

    var typeName: String
    var typeBase: String
    var entries: [Entry]

    /// The code that plays each role (declared, or the only code with the role's status).
    var roles: [ErrorRole: String] = [:]

    func caseName(_ code: String) -> String? { entries.first { $0.code == code }?.caseName }

    func entry(role: ErrorRole) -> Entry? { roles[role].flatMap { code in entries.first { $0.code == code } } }
}

/// The problem type (RFC 9457) when an error catalog's code is one of its members: its members by
/// what they carry, found once by the translator for every renderer.
struct ProblemDecl: Sendable {
    var typeName: String
    var properties: [PropertyDecl]
    /// The member whose type is the catalog's code enum.
    var code: PropertyDecl
    /// The members the spec marks with `x-problem-member` (RFC 9457 has no such members).
    var requestId: PropertyDecl?
    var retryAfter: PropertyDecl?
    var fieldErrors: PropertyDecl?

    func property(wireName: String) -> PropertyDecl? { properties.first { $0.wireName == wireName } }
}
