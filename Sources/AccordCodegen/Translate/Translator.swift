import AccordSpec

/// Options that are not in the spec itself.
public struct GeneratorOptions: Sendable {
    /// Set on every request by the client and every response by the server; never a method parameter.
    public var requestIdHeader: String?
    /// Default request body limit of the server stubs, in bytes (`x-body-limit` overrides per operation).
    public var defaultBodyLimit: Int

    /// Carries the app's version on every request (set once on the client, checked by the server
    /// stubs against a floor); never a method parameter.
    public var appVersionHeader: String?
    /// The API's own acronyms (`OTP` → `startOTP`), besides the web's (`ID`, `URL`, `JSON`…).
    public var acronyms: [String]
    /// How many pieces the models are rendered in; nil: decided from the spec's size (tests set it
    /// to check that the pieces join into the same file).
    var modelSlices: Int?
    /// About how many lines one models file holds; nil: `ModelsRenderer.linesPerFile` (tests set it
    /// low to split small specs).
    var modelLinesPerFile: Int?

    public init(
        requestIdHeader: String? = "X-Request-ID", defaultBodyLimit: Int = 64 * 1024, appVersionHeader: String? = nil,
        acronyms: [String] = []
    ) {
        self.requestIdHeader = requestIdHeader
        self.appVersionHeader = appVersionHeader
        self.defaultBodyLimit = defaultBodyLimit
        self.acronyms = acronyms
    }

    /// Runs `body` with these options' acronyms in force for every name made.
    func naming<T>(_ body: () throws -> T) rethrows -> T {
        try Naming.$extraAcronyms.withValue(Set(acronyms.map { $0.lowercased() }), operation: body)
    }
}

/// Stage 3: translates a resolved `APIDocument` into `GeneratedAPI`, the model of the Swift to emit.
/// Pure: the same document always gives the same model.
struct Translator {
    let document: APIDocument
    let options: GeneratorOptions
    var log = DiagnosticLog()
    var typeNames: [RefKey: String] = [:]
    var topScope = Naming.Scope(
        reserved: Set(Naming.reservedTypeNames.union(Naming.foundationTypeNames).map { $0.lowercased() }))
    var patchReachable: Set<RefKey> = []
    var ruleNames: [RefKey: String] = [:]
    var usedRuleNames: Set<String> = []
    /// Schemas that got a rule name, in the (deterministic) order they were first referenced.
    var ruleQueue: [RefKey] = []
    var extraTopLevel: [TypeDecl] = []
    /// Named schemas' declarations, made once (see `namedDeclaration`), and those being made.
    var namedDeclarations: [RefKey: TypeDecl] = [:]
    var declaring: Set<RefKey> = []
    var buildsRules = true
    var names = NameMemo()
    /// `typeNames`, lower-cased (names a nested type must not take).
    var lowercasedTypeNames: [RefKey: String] = [:]

    init(document: APIDocument, options: GeneratorOptions) {
        self.document = document
        self.options = options
    }

    /// `withValidationRules: false` leaves out the server stubs' validation rules (the client
    /// surface does not need them, and they are a large part of the work).
    static func translate(
        _ document: APIDocument, options: GeneratorOptions,
        withValidationRules: Bool = true
    ) -> (GeneratedAPI, DiagnosticLog) {
        var translator = Translator(document: document, options: options)
        translator.buildsRules = withValidationRules
        let api = translator.run()
        return (api, translator.log)
    }

    private mutating func run() -> GeneratedAPI {
        for named in document.namedSchemas {
            let name = Naming.typeName(named.name)
            typeNames[named.key] = topScope.claim(Naming.foundationTypeNames.contains(name) ? name + "Model" : name)
        }
        lowercasedTypeNames = typeNames.mapValues { $0.lowercased() }
        // Operation namespaces share the module with the models, and inside `Operations.CreateResponse`
        // that name is the namespace: no operation may be named like a type.
        var opScope = topScope
        // `startOtp` → method `startOTP`, types `Operations.StartOTP`.
        let opNames = document.operations.map { op -> String in
            let method = Naming.bare(Naming.camelCase(op.operationId))
            return opScope.claim(method.prefix(1).uppercased() + method.dropFirst())
        }
        computePatchReachable()

        var types: [TypeDecl] = []
        for named in document.namedSchemas {
            let name = typeNames[named.key]!
            if let catalog = document.errorCatalog, catalog.schemaKey == named.key {
                types.append(catalogEnum(catalog, name: name, doc: named.schema.description))
                continue
            }
            if let decl = namedDeclaration(named.key) {
                types.append(decl)
            } else {
                let target = topLevelType(for: named.schema, suggestedName: name, keepsNull: false)
                types.append(TypeDecl(name: name, doc: named.schema.description, kind: .alias(target)))
            }
        }

        var operations: [OperationDecl] = []
        for (op, typeName) in zip(document.operations, opNames) {
            operations.append(translate(op, typeName: typeName))
        }
        types += extraTopLevel
        types = Self.shareIdenticalEnums(boxCycles(types))

        // Building a rule can name more schemas: work through them until none is left.
        var rules: [(String, RuleExpr)] = []
        var next = 0
        while next < ruleQueue.count {
            let key = ruleQueue[next]
            next += 1
            if let named = document.namedSchema(key) { rules.append((ruleNames[key]!, rule(for: named.schema))) }
        }
        rules.sort { $0.0 < $1.0 }

        let catalog = catalogDecl(operations), problemType = problemTypeName()
        var api = GeneratedAPI(
            title: document.title, version: document.version, description: document.description,
            types: types, operations: operations, rules: rules, catalog: catalog,
            problemType: problemType, requestIdHeader: options.requestIdHeader,
            appVersionHeader: options.appVersionHeader,
            securitySchemes: document.securitySchemes)
        api.problem = problemDecl(types: types, catalog: catalog, typeName: problemType)
        api.defaultBodyLimit = options.defaultBodyLimit
        return api
    }
}
