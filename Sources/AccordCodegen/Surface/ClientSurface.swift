import AccordSpec

/// The app-facing Swift API of a generated models + client pair, as an app's code sees it:
/// method names, argument labels and types, result cases, type names, properties, initializer
/// arguments and enum cases.
///
/// `accord diff` compares two of these to tell whether regenerating would stop an app's existing
/// code from compiling. It is built from the same translation the renderers use, so when the
/// generator changes what it emits, the comparison changes with it.
public struct ClientSurface: Sendable {
    public struct Argument: Sendable, Equatable {
        /// `_` for the body.
        public var label: String
        /// As declared, optionality included.
        public var type: SwiftType
        public var hasDefault: Bool
        /// The parameter's wire name (nil for the body) and where it travels.
        public var wireName: String?
        public var location: String
    }

    public struct ResultCase: Sendable, Equatable {
        public var status: String
        public var name: String
        public var payload: SwiftType?
    }

    public struct Method: Sendable {
        public var operationId: String
        public var name: String
        public var arguments: [Argument]
        /// Nil when the method returns nothing.
        public var returnType: String?
        /// The cases of `<Operation>Result` when the method returns one.
        public var resultCases: [ResultCase]?
        public var isDeprecated: Bool
        /// Whether the client sends the app's credentials with this call.
        public var sendsCredentials: Bool
        /// The request body's Swift type, and each success status's, for walking into them.
        public var bodyType: SwiftType?
        public var responseTypes: [String: SwiftType]

        public var signature: String {
            "\(name)(" + arguments.map { "\($0.label):" }.joined() + ")"
        }
    }

    public struct Property: Sendable, Equatable {
        public var name: String
        public var wireName: String
        /// As declared: `String`, `Date?`, `Nullable<Date>?`.
        public var type: SwiftType
        /// The initializer takes it without a default (`T`, or `T?` without `= nil`).
        public var isRequiredInInitializer: Bool
        /// Decoding fails when the member is absent (a non-optional property).
        public var isRequiredWhenDecoding: Bool
    }

    public enum TypeKind: Sendable, Equatable {
        case structure
        /// A string enum with `.undocumented(String)` for values it does not know.
        case openEnum
        /// `oneOf`/`anyOf`; `isOpen` when unknown kinds decode as `.undocumented` (a discriminator).
        case union(isOpen: Bool)
        case alias(SwiftType)
    }

    public struct TypeInfo: Sendable {
        public var name: String
        public var kind: TypeKind
        public var properties: [Property]
        /// Enum cases (open enums) or union cases, by the wire value or branch they stand for.
        public var cases: [(name: String, wireValue: String)]
        /// A union's case payloads, in branch order.
        public var unionTypes: [SwiftType] = []

        public func property(wireName: String) -> Property? { properties.first { $0.wireName == wireName } }
    }

    /// By `ClientSurface.operationKey`.
    public var methods: [String: Method]
    /// By qualified name (`Cat.Color` for a nested type).
    public var types: [String: TypeInfo]
    /// Error catalog code → its `case` in the error-code enum.
    public var errorCodeCases: [String: String]
    public var errorCodeType: String?

    /// How an operation is known on the wire: the method and the path with parameter names blanked.
    public static func operationKey(method: String, path: String) -> String {
        var out = method.uppercased() + " "
        var inParameter = false
        for c in path {
            if c == "{" { inParameter = true; out += "{}"; continue }
            if c == "}" { inParameter = false; continue }
            if !inParameter { out.append(c) }
        }
        return out
    }

    /// The surface of the client `accord generate` would write for this document.
    public static func build(_ document: APIDocument, options: GeneratorOptions = GeneratorOptions()) -> ClientSurface {
        options.naming {
            let (api, _) = Translator.translate(document, options: options, withValidationRules: false)
            return ClientSurface(api: api)
        }
    }

    init(api: GeneratedAPI) {
        var types: [String: TypeInfo] = [:]
        func add(_ decl: TypeDecl, prefix: String) {
            let qualified = prefix.isEmpty ? decl.name : prefix + "." + decl.name
            switch decl.kind {
            case .structure(let props, _):
                let properties = props.map { p in
                    Property(
                        name: p.name, wireName: p.wireName, type: p.type, isRequiredInInitializer: !p.type.isOptional,
                        isRequiredWhenDecoding: p.presence == .required)
                }
                types[qualified] = TypeInfo(name: qualified, kind: .structure, properties: properties, cases: [])
            case .openEnum(let cases):
                types[qualified] = TypeInfo(
                    name: qualified, kind: .openEnum, properties: [],
                    cases: cases.map { ($0.name, $0.rawValue) })
            case .union(let cases, let discriminator):
                types[qualified] = TypeInfo(
                    name: qualified, kind: .union(isOpen: discriminator != nil), properties: [],
                    cases: cases.map { ($0.name, $0.type.code) }, unionTypes: cases.map(\.type))
            case .alias(let target):
                types[qualified] = TypeInfo(name: qualified, kind: .alias(target), properties: [], cases: [])
            }
            for nested in decl.nested { add(nested, prefix: qualified) }
        }
        for decl in api.types { add(decl, prefix: "") }
        self.types = types

        var methods: [String: Method] = [:]
        for op in api.clientOperations {
            let arguments = op.clientArguments.map {
                Argument(
                    label: $0.label, type: $0.type, hasDefault: $0.hasDefault, wireName: $0.wireName,
                    location: $0.location?.rawValue ?? "body")
            }
            var resultCases: [ResultCase]?
            if case .result = op.clientReturn {
                resultCases = op.successResponses.map {
                    ResultCase(status: $0.status.description, name: $0.caseName, payload: $0.clientPayload?.type)
                }
            }
            var responseTypes: [String: SwiftType] = [:]
            for r in op.responses { if let body = r.body { responseTypes[r.status.description] = body.type } }
            methods[Self.operationKey(method: op.httpMethod, path: op.path)] = Method(
                operationId: op.operationId, name: op.methodName, arguments: arguments,
                returnType: op.clientReturn.typeCode,
                resultCases: resultCases, isDeprecated: op.isDeprecated, sendsCredentials: op.security != .none,
                bodyType: op.body?.type, responseTypes: responseTypes)
        }
        self.methods = methods
        errorCodeType = api.catalog?.typeName
        errorCodeCases = Dictionary(
            api.catalog?.entries.map { ($0.code, $0.caseName) } ?? [], uniquingKeysWith: { a, _ in a })
    }

    /// The declaration a type name used inside `scope` refers to: nested types shadow outer ones.
    public func lookup(_ name: String, from scope: String?) -> TypeInfo? {
        var parts = scope?.split(separator: ".").map(String.init) ?? []
        while !parts.isEmpty {
            if let found = types[(parts + [name]).joined(separator: ".")] { return found }
            parts.removeLast()
        }
        return types[name]
    }
}

/// What the generated client does with what the server sends and what the app passes: the facts
/// `accord diff` judges changes by. Each is checked against the generator's output by a test, so
/// when the generator's behaviour changes, this must change with it, and the verdicts follow.
public struct ClientBehaviour: Sendable {
    /// String enums and the error-code enum keep values they do not know (`.undocumented`).
    public var enumsAreOpen: Bool
    /// A `oneOf` with a discriminator decodes an unknown kind as `.undocumented`.
    public var discriminatedUnionsAreOpen: Bool
    /// Members the client's types do not declare are ignored when decoding.
    public var ignoresUnknownMembers: Bool
    /// Optional members are read with `decodeIfPresent`: absent and `null` are the same.
    public var optionalMembersTolerateNull: Bool
    /// A success status the method does not declare throws `ClientError.unexpectedStatus`.
    public var undeclaredSuccessStatusThrows: Bool
    /// Every 4xx/5xx becomes an `APIError`, whatever the operation declares.
    public var anyErrorStatusIsAPIError: Bool
    /// The client checks no constraint (length, range, pattern) before sending.
    public var validatesRequests: Bool
    /// Credentials come from the app's `TokenProvider`; the client sends them where the spec asks.
    public var credentialsSuppliedByApp: Bool
    /// The app gives the base URL; the spec's `servers` are not compiled in.
    public var baseURLSuppliedByApp: Bool

    /// What the current generator does.
    public static let current = ClientBehaviour(
        enumsAreOpen: true, discriminatedUnionsAreOpen: true, ignoresUnknownMembers: true,
        optionalMembersTolerateNull: true, undeclaredSuccessStatusThrows: true, anyErrorStatusIsAPIError: true,
        validatesRequests: false, credentialsSuppliedByApp: true, baseURLSuppliedByApp: true)
}
