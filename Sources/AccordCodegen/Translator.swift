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

    public init(requestIdHeader: String? = "X-Request-ID", defaultBodyLimit: Int = 64 * 1024, appVersionHeader: String? = nil,
                acronyms: [String] = []) {
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
    private var typeNames: [RefKey: String] = [:]
    private var topScope = Naming.Scope(reserved: Set(Naming.reservedTypeNames.map { $0.lowercased() }))
    private var patchReachable: Set<RefKey> = []
    private var ruleNames: [RefKey: String] = [:]
    private var usedRuleNames: Set<String> = []
    /// Schemas that got a rule name, in the (deterministic) order they were first referenced.
    private var ruleQueue: [RefKey] = []
    private var extraTopLevel: [TypeDecl] = []
    private var buildsRules = true

    init(document: APIDocument, options: GeneratorOptions) {
        self.document = document
        self.options = options
    }

    /// `withValidationRules: false` leaves out the server stubs' validation rules (the client
    /// surface does not need them, and they are a large part of the work).
    static func translate(_ document: APIDocument, options: GeneratorOptions,
                          withValidationRules: Bool = true) -> (GeneratedAPI, DiagnosticLog) {
        var translator = Translator(document: document, options: options)
        translator.buildsRules = withValidationRules
        let api = translator.run()
        return (api, translator.log)
    }

    private mutating func run() -> GeneratedAPI {
        for named in document.namedSchemas {
            typeNames[named.key] = topScope.claim(Naming.typeName(named.name))
        }
        // Operation namespaces share the module with the models.
        var opScope = Naming.Scope()
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
            if let decl = declaration(for: named.schema, name: name, keepsNull: patchReachable.contains(named.key)) {
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
        types = boxCycles(types)

        // Building a rule can name more schemas: work through them until none is left.
        var rules: [(String, RuleExpr)] = []
        var next = 0
        while next < ruleQueue.count {
            let key = ruleQueue[next]
            next += 1
            if let named = document.namedSchema(key) { rules.append((ruleNames[key]!, rule(for: named.schema))) }
        }
        rules.sort { $0.0 < $1.0 }

        var api = GeneratedAPI(
            title: document.title, version: document.version, description: document.description,
            types: types, operations: operations, rules: rules, catalog: catalogDecl(operations),
            problemType: problemTypeName(), requestIdHeader: options.requestIdHeader, appVersionHeader: options.appVersionHeader,
            securitySchemes: document.securitySchemes)
        api.defaultBodyLimit = options.defaultBodyLimit
        return api
    }

    // MARK: Reachability

    /// Only a partial update tells "absent" (keep) from `null` (clear): the schemas its body reaches
    /// get `Nullable<T>`; everywhere else an optional is enough (`nil` is sent as absent).
    static func keepsNull(_ op: Operation) -> Bool {
        op.method == .patch || op.requestBody?.content.mediaType.essence == "application/merge-patch+json"
    }

    private mutating func computePatchReachable() {
        var stack: [Schema] = []
        for op in document.operations where Self.keepsNull(op) {
            if let s = op.requestBody?.content.schema { stack.append(s) }
        }
        while let schema = stack.popLast() {
            forEachChild(schema) { child in
                if case .reference(let key) = child.kind, !patchReachable.contains(key) {
                    patchReachable.insert(key)
                    if let named = document.namedSchema(key) { stack.append(named.schema) }
                }
            }
        }
    }

    /// The (lower-cased) names of the named types a schema refers to, not following references.
    private func referencedTypeNames(_ schema: Schema) -> Set<String> {
        var names = Set<String>()
        forEachChild(schema) { child in
            if case .reference(let key) = child.kind, let name = typeNames[key] { names.insert(name.lowercased()) }
        }
        return names
    }

    /// Calls `body` with the schema and every schema nested in it (not following references).
    private func forEachChild(_ schema: Schema, _ body: (Schema) -> Void) {
        body(schema)
        switch schema.kind {
        case .array(let items): forEachChild(items, body)
        case .object(let object):
            for p in object.properties { forEachChild(p.schema, body) }
            if case .schema(let extra) = object.additionalProperties { forEachChild(extra, body) }
        case .oneOf(let branches, _), .anyOf(let branches), .allOf(let branches):
            for b in branches { forEachChild(b, body) }
        default: break
        }
    }

    // MARK: Types

    private func resolved(_ schema: Schema) -> Schema {
        var current = schema
        var seen = Set<RefKey>()
        while case .reference(let key) = current.kind, seen.insert(key).inserted, let named = document.namedSchema(key) {
            current = named.schema
        }
        return current
    }

    /// The declaration a schema needs when it is given a name, or nil when a type alias does.
    private mutating func declaration(for schema: Schema, name: String, keepsNull: Bool) -> TypeDecl? {
        switch schema.kind {
        case .string where schema.stringEnumValues != nil:
            return TypeDecl(name: name, doc: schema.description, kind: .openEnum(enumCases(schema.stringEnumValues!)),
                            isDeprecated: schema.isDeprecated)
        case .object(let object) where !object.properties.isEmpty || !hasMapShape(object):
            var nested: [TypeDecl] = []
            let (props, extra) = properties(of: object, owner: name, nested: &nested, keepsNull: keepsNull)
            return TypeDecl(name: name, doc: schema.description, kind: .structure(props, additionalProperties: extra),
                            nested: nested, isDeprecated: schema.isDeprecated)
        case .allOf(let parts):
            var merged: [ObjectSchema.Property] = []
            var extra: ObjectSchema.AdditionalProperties = .unspecified
            flatten(parts, into: &merged, additional: &extra, seen: [])
            var nested: [TypeDecl] = []
            let (props, extraType) = properties(of: ObjectSchema(properties: merged, additionalProperties: extra), owner: name,
                                                nested: &nested, keepsNull: keepsNull)
            return TypeDecl(name: name, doc: schema.description, kind: .structure(props, additionalProperties: extraType),
                            nested: nested, isDeprecated: schema.isDeprecated)
        case .oneOf(let branches, let discriminator):
            return union(branches, discriminator: discriminator, name: name, doc: schema.description, keepsNull: keepsNull)
        case .anyOf(let branches):
            return union(branches, discriminator: nil, name: name, doc: schema.description, keepsNull: keepsNull)
        default:
            return nil
        }
    }

    private func hasMapShape(_ object: ObjectSchema) -> Bool {
        if case .schema = object.additionalProperties { return object.properties.isEmpty }
        return false
    }

    private mutating func flatten(_ parts: [Schema], into properties: inout [ObjectSchema.Property],
                                  additional: inout ObjectSchema.AdditionalProperties, seen: Set<RefKey>) {
        for part in parts {
            var seen = seen
            if case .reference(let key) = part.kind {
                guard seen.insert(key).inserted else { continue }
            }
            let target = resolved(part)
            switch target.kind {
            case .object(let object):
                for property in object.properties {
                    if let i = properties.firstIndex(where: { $0.name == property.name }) {
                        // A later part narrows an earlier one: keep the later schema, required if either says so.
                        let wasRequired = properties[i].isRequired
                        properties[i] = property
                        properties[i].isRequired = wasRequired || property.isRequired
                    } else {
                        properties.append(property)
                    }
                }
                if case .schema = object.additionalProperties { additional = object.additionalProperties }
            case .allOf(let nestedParts):
                flatten(nestedParts, into: &properties, additional: &additional, seen: seen)
            case .any:
                continue
            default:
                log.warning("allOf part is not an object; only object parts are merged, this one is not checked", at: part.location)
            }
        }
    }

    private mutating func properties(of object: ObjectSchema, owner: String, nested: inout [TypeDecl],
                                     keepsNull: Bool) -> ([PropertyDecl], SwiftType?) {
        var scope = Naming.Scope(reserved: ["init", "encode", "codingkeys", "additionalproperties"])
        var nestedScope = Naming.Scope(reserved: [owner.lowercased(), "codingkeys"])
        var result: [PropertyDecl] = []
        for property in object.properties {
            let name = scope.claim(Naming.camelCase(property.name))
            // A nested type must not shadow a top-level type its own members name (`A.B` holding a `B`).
            let nestedName = nestedScope.claim(Naming.typeName(property.name), avoiding: referencedTypeNames(property.schema))
            let base = swiftType(for: property.schema, suggestedName: nestedName, nested: &nested, keepsNull: keepsNull)
            let nullable = property.schema.isNullable || resolved(property.schema).isNullable
            let presence: PropertyDecl.Presence = switch (property.isRequired, nullable) {
            case (true, false): .required
            case (true, true): .requiredNullable
            case (false, false): .optional
            case (false, true): keepsNull ? .optionalNullable : .optional
            }
            var decl = PropertyDecl(name: name, wireName: property.name, baseType: base, presence: presence,
                                    doc: property.schema.description, isDeprecated: property.schema.isDeprecated)
            decl.problemMember = property.schema.problemMember
            result.append(decl)
        }
        var extra: SwiftType?
        if case .schema(let schema) = object.additionalProperties, !object.properties.isEmpty {
            // Kept so nothing the server sends is lost.
            extra = swiftType(for: schema, suggestedName: nestedScope.claim("AdditionalProperty"), nested: &nested, keepsNull: keepsNull)
        }
        return (result, extra)
    }

    private mutating func union(_ branches: [Schema], discriminator: Discriminator?, name: String, doc: String?,
                                keepsNull: Bool) -> TypeDecl {
        var nested: [TypeDecl] = []
        var caseScope = Naming.Scope(reserved: ["undocumented"])
        var nestedScope = Naming.Scope(reserved: [name.lowercased()])
        var cases: [UnionCase] = []
        for (i, branch) in branches.enumerated() {
            let label: String
            switch branch.kind {
            case .reference(let key): label = typeNames[key] ?? "option\(i + 1)"
            case .string: label = branch.format == "date-time" ? "date" : (branch.stringEnumValues != nil ? (branch.title ?? "option\(i + 1)") : "string")
            case .integer: label = "integer"
            case .number: label = "number"
            case .boolean: label = "boolean"
            case .array: label = "array"
            default: label = branch.title ?? "option\(i + 1)"
            }
            let type = swiftType(for: branch, suggestedName: nestedScope.claim(Naming.typeName(label)), nested: &nested, keepsNull: keepsNull)
            var tags: [String] = []
            if let discriminator, case .reference(let key) = branch.kind {
                tags = discriminator.mapping.filter { $0.target == key }.map(\.value)
            }
            cases.append(UnionCase(name: caseScope.claim(Naming.camelCase(label)), type: type, tags: tags))
        }
        return TypeDecl(name: name, doc: doc, kind: .union(cases, discriminator: discriminator?.propertyName), nested: nested)
    }

    private func enumCases(_ values: [String]) -> [EnumCase] {
        var scope = Naming.Scope(reserved: ["undocumented", "rawvalue", "init", "description"])
        return values.map { value in
            EnumCase(name: scope.claim(value.isEmpty ? "empty" : Naming.camelCase(value)), rawValue: value)
        }
    }

    private func catalogEnum(_ catalog: ErrorCatalog, name: String, doc: String?) -> TypeDecl {
        var scope = Naming.Scope(reserved: ["undocumented", "rawvalue", "init", "description"])
        let cases = catalog.entries.map { EnumCase(name: scope.claim(Naming.camelCase($0.code)), rawValue: $0.code) }
        return TypeDecl(name: name, doc: doc, kind: .openEnum(cases))
    }

    /// The Swift type for a schema used at operation level; inline declarations become top-level types.
    mutating func topLevelType(for schema: Schema, suggestedName: String, keepsNull: Bool) -> SwiftType {
        var nested: [TypeDecl] = []
        let type = swiftType(for: schema, suggestedName: suggestedName, nested: &nested, keepsNull: keepsNull)
        extraTopLevel += nested
        return type
    }

    /// The Swift type for a schema used in place; inline declarations go to `nested`.
    mutating func swiftType(for schema: Schema, suggestedName: String, nested: inout [TypeDecl], keepsNull: Bool) -> SwiftType {
        switch schema.kind {
        case .reference(let key):
            return .named(typeNames[key] ?? "JSONValue")
        case .any, .null:
            return .json
        case .string:
            if schema.stringEnumValues != nil, let decl = declaration(for: schema, name: suggestedName, keepsNull: keepsNull) {
                nested.append(decl)
                return .named(suggestedName)
            }
            switch schema.format {
            case "date-time": return .named("Date")
            case "uuid": return .named("UUID")
            case "byte": return .data
            case "binary": return .data
            default: return .string
            }
        case .integer:
            switch schema.format {
            case "int32": return .named("Int32")
            default: return .named("Int")
            }
        case .number:
            return .named("Double")
        case .boolean:
            return .named("Bool")
        case .array(let items):
            return .array(swiftType(for: items, suggestedName: Naming.singular(suggestedName), nested: &nested, keepsNull: keepsNull))
        case .object(let object):
            if object.properties.isEmpty {
                switch object.additionalProperties {
                case .schema(let value):
                    return .dictionary(swiftType(for: value, suggestedName: suggestedName + "Value", nested: &nested, keepsNull: keepsNull))
                case .unspecified, .forbidden:
                    return .dictionary(.json)
                }
            }
            fallthrough
        case .allOf, .oneOf, .anyOf:
            if let decl = declaration(for: schema, name: suggestedName, keepsNull: keepsNull) {
                nested.append(decl)
                return .named(suggestedName)
            }
            return .json
        }
    }

    // MARK: Cycles

    /// Structs that contain each other by value cannot exist; the property that closes each
    /// cycle is stored through `Indirect` (arrays, dictionaries and unions already add a box).
    private func boxCycles(_ types: [TypeDecl]) -> [TypeDecl] {
        var structProps: [String: [String]] = [:]
        func collect(_ decl: TypeDecl, prefix: String) {
            let full = prefix.isEmpty ? decl.name : prefix + "." + decl.name
            if case .structure(let props, _) = decl.kind {
                structProps[full] = props.compactMap { prop in
                    if case .named(let n) = prop.baseType { return resolveName(n, from: full) }
                    return nil
                }
            }
            for n in decl.nested { collect(n, prefix: full) }
        }
        func resolveName(_ name: String, from scope: String) -> String {
            // A nested name is looked up in the enclosing scopes first.
            var parts = scope.split(separator: ".").map(String.init)
            while !parts.isEmpty {
                let candidate = (parts + [name]).joined(separator: ".")
                if structProps[candidate] != nil { return candidate }
                parts.removeLast()
            }
            return name
        }
        for t in types { collect(t, prefix: "") }
        // Second pass now that every struct is known.
        structProps = [:]
        for t in types { collect(t, prefix: "") }

        var boxed = Set<String>()  // "Type.propertyIndex"
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        func visit(_ type: String) {
            state[type] = 1
            for (i, target) in (structProps[type] ?? []).enumerated() {
                _ = i
                guard structProps[target] != nil else { continue }
                if state[target] == 1 {
                    boxed.insert("\(type)#\(target)")
                } else if state[target] == nil {
                    visit(target)
                }
            }
            state[type] = 2
        }
        for name in structProps.keys.sorted() where state[name] == nil { visit(name) }
        guard !boxed.isEmpty else { return types }

        func apply(_ decl: TypeDecl, prefix: String) -> TypeDecl {
            var decl = decl
            let full = prefix.isEmpty ? decl.name : prefix + "." + decl.name
            if case .structure(var props, let extra) = decl.kind {
                for i in props.indices {
                    if case .named(let n) = props[i].baseType, boxed.contains("\(full)#\(resolveName(n, from: full))") {
                        props[i].isBoxed = true
                    }
                }
                decl.kind = .structure(props, additionalProperties: extra)
            }
            decl.nested = decl.nested.map { apply($0, prefix: full) }
            return decl
        }
        return types.map { apply($0, prefix: "") }
    }

    // MARK: Operations

    private mutating func translate(_ op: Operation, typeName: String) -> OperationDecl {
        var paramScope = Naming.Scope(reserved: ["body", "requestid"])
        var parameters: [ParameterDecl] = []
        var takesAppVersion = false
        for param in op.parameters {
            if param.location == .header, let rid = options.requestIdHeader, param.name.lowercased() == rid.lowercased() { continue }
            if param.location == .header, let app = options.appVersionHeader, param.name.lowercased() == app.lowercased() {
                takesAppVersion = true
                continue
            }
            if param.location == .header, ["accept", "content-type", "authorization"].contains(param.name.lowercased()) {
                log.warning("header parameter '\(param.name)' is set by the client itself and not generated", at: param.sourceLocation)
                continue
            }
            if param.location == .cookie {
                log.warning("cookie parameter '\(param.name)' is not generated; set the cookie through the transport", at: param.sourceLocation)
                continue
            }
            let name = paramScope.claim(Naming.camelCase(param.name))
            let type = topLevelType(for: param.schema, suggestedName: typeName + Naming.typeName(param.name), keepsNull: false)
            if case .object = resolved(param.schema).kind, param.style != "deepObject" {
                log.warning("object-valued parameter '\(param.name)' is sent as deepObject (`name[key]=value`)", at: param.sourceLocation)
            }
            parameters.append(ParameterDecl(name: name, wireName: param.name, location: param.location, type: type,
                                            isRequired: param.isRequired, explode: param.explode, doc: param.description,
                                            rule: buildsRules ? rule(for: param.schema) : RuleExpr(code: "")))
        }

        var body: BodyDecl?
        if let requestBody = op.requestBody {
            let content = requestBody.content
            let encoding = Self.encoding(for: content.mediaType)
            if content.mediaType.isMultipart {
                log.warning("\(content.mediaType.essence) request body is passed through as bytes the caller encodes", at: requestBody.location)
            }
            let type: SwiftType
            switch encoding {
            case .json, .form:
                type = content.schema.map {
                    topLevelType(for: $0, suggestedName: typeName + "Request", keepsNull: Self.keepsNull(op))
                } ?? .json
            case .text: type = .string
            case .binary: type = .data
            }
            body = BodyDecl(type: type, isRequired: requestBody.isRequired, encoding: encoding,
                            contentType: content.mediaType.essence, doc: requestBody.description,
                            rule: encoding == .json && buildsRules ? content.schema.map { rule(for: $0) } : nil)
        }

        var responses: [ResponseDecl] = []
        var caseScope = Naming.Scope()
        for response in op.responses where response.status.isSuccess || (!response.status.isError) {
            var responseBody: (SwiftType, BodyEncoding, String)?
            if let content = response.content {
                let encoding = Self.encoding(for: content.mediaType)
                switch encoding {
                case .json, .form:
                    let suffix = op.responses.filter(\.status.isSuccess).count > 1 ? response.status.description : ""
                    var type = SwiftType.json
                    if let schema = content.schema {
                        type = topLevelType(for: schema, suggestedName: typeName + "Response" + suffix, keepsNull: false)
                    }
                    responseBody = (type, .json, content.mediaType.essence)
                case .text: responseBody = (.string, .text, content.mediaType.essence)
                case .binary: responseBody = (.data, .binary, content.mediaType.essence)
                }
            }
            var headerScope = Naming.Scope(reserved: ["body"])
            let headers: [ResponseHeaderDecl] = response.headers.compactMap { header in
                if let rid = options.requestIdHeader, header.name.lowercased() == rid.lowercased() { return nil }
                if header.name.lowercased() == "content-type" { return nil }
                let type = topLevelType(for: header.schema, suggestedName: typeName + Naming.typeName(header.name), keepsNull: false)
                return ResponseHeaderDecl(name: headerScope.claim(Naming.camelCase(header.name)), wireName: header.name,
                                          type: type, isRequired: header.isRequired, doc: header.description)
            }
            responses.append(ResponseDecl(status: response.status, caseName: caseScope.claim(Self.caseName(for: response.status)),
                                          body: responseBody, headers: headers, doc: response.description))
        }

        let security: SecurityDecl
        let alternatives = op.security
        if alternatives.isEmpty {
            security = .none
        } else {
            let schemes = Array(Set(alternatives.flatMap { $0 })).sorted()
            security = alternatives.contains(where: \.isEmpty) ? .optional(schemes: schemes) : .required(schemes: schemes)
        }

        let notFound = op.errorCodes.map(\.code).first { document.errorCatalog?.entry($0)?.status == 404 }
        var doc = [op.summary, op.description].compactMap { $0?.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }.joined(separator: "\n\n")
        if doc.isEmpty { doc = "`\(op.method.rawValue.uppercased()) \(op.path)`" }
        var decl = OperationDecl(
            operationId: op.operationId, methodName: Naming.camelCase(op.operationId), typeName: typeName,
            httpMethod: op.method.rawValue.uppercased(), path: op.path, doc: doc, isDeprecated: op.isDeprecated,
            parameters: parameters, body: body, responses: responses, security: security,
            errorCodes: op.errorCodes.map(\.code), notFoundCode: notFound, bodyLimit: op.bodyLimit)
        decl.isWebhook = op.isWebhook
        decl.takesAppVersion = takesAppVersion
        if !op.isWebhook { decl.clientCredential = clientCredential(for: op) }
        return decl
    }

    /// The first security alternative the client can satisfy by itself: a bearer token (HTTP
    /// bearer, OAuth 2, OpenID Connect) or an API key in a header or the query.
    private mutating func clientCredential(for op: Operation) -> ClientCredential {
        var unsupported: [String] = []
        for alternative in op.security {
            guard alternative.count == 1, let name = alternative.first else {
                if alternative.count > 1 { unsupported.append(alternative.joined(separator: " + ")) }
                continue
            }
            switch document.securitySchemes[name] {
            case .httpBearer, .oauth2, .openIdConnect: return .bearer
            case .apiKey(let keyName, let location) where location == .header || location == .query:
                return .apiKey(scheme: name, name: keyName, location: location)
            default: unsupported.append(name)
            }
        }
        if !unsupported.isEmpty, !op.security.contains(where: \.isEmpty) {
            log.warning("the client sends no credentials for \(op.operationId) (scheme \(unsupported.joined(separator: ", ")) "
                        + "is not a bearer token or an API key); set them through the transport", at: op.location)
        }
        return .none
    }

    static func encoding(for mediaType: MediaType) -> BodyEncoding {
        if mediaType.isJSON { return .json }
        if mediaType.isForm { return .form }
        if mediaType.isText || mediaType.essence == "application/xml" { return .text }
        return .binary
    }

    static func caseName(for status: StatusCode) -> String {
        switch status {
        case .code(let c):
            let names = [200: "ok", 201: "created", 202: "accepted", 203: "nonAuthoritative", 204: "noContent",
                         205: "resetContent", 206: "partialContent", 207: "multiStatus", 301: "movedPermanently",
                         302: "found", 303: "seeOther", 304: "notModified", 307: "temporaryRedirect", 308: "permanentRedirect"]
            return names[c] ?? "status\(c)"
        case .range(let r): return "status\(r)xx"
        case .default: return "other"
        }
    }

    // MARK: Validation rules

    mutating func rule(for schema: Schema) -> RuleExpr {
        var code: String
        switch schema.kind {
        case .reference(let key):
            let name = ruleNames[key] ?? {
                let base = Naming.camelCase(typeNames[key] ?? "schema")
                var candidate = Naming.bare(base)
                var n = 2
                while usedRuleNames.contains(candidate) { candidate = Naming.bare(base) + String(n); n += 1 }
                ruleNames[key] = candidate
                usedRuleNames.insert(candidate)
                ruleQueue.append(key)
                return candidate
            }()
            code = ".reference { Rules.\(Naming.identifier(name)) }"
        case .any: code = ".any"
        case .null: code = ".null"
        case .boolean: code = ".boolean"
        case .string:
            var args: [String] = []
            let c = schema.constraints
            if let v = c.minLength { args.append("minLength: \(v)") }
            if let v = c.maxLength { args.append("maxLength: \(v)") }
            if let v = c.pattern { args.append("pattern: \(Text.literal(v))") }
            if let f = schema.format, ["date-time", "uuid", "date", "byte"].contains(f) { args.append("format: \(Text.literal(f))") }
            if let values = schema.stringEnumValues, document.errorCatalog?.schemaKey == nil || true {
                args.append("values: [\(values.map(Text.literal).joined(separator: ", "))]")
            }
            code = ".string(StringRule(\(args.joined(separator: ", "))))"
        case .integer, .number:
            var args: [String] = []
            let c = schema.constraints
            if let v = c.minimum { args.append("minimum: \(Self.number(v))") }
            if let v = c.maximum { args.append("maximum: \(Self.number(v))") }
            if let v = c.exclusiveMinimum { args.append("exclusiveMinimum: \(Self.number(v))") }
            if let v = c.exclusiveMaximum { args.append("exclusiveMaximum: \(Self.number(v))") }
            if let v = c.multipleOf { args.append("multipleOf: \(Self.number(v))") }
            let kind = if case .integer = schema.kind { "integer" } else { "number" }
            code = ".\(kind)(NumberRule(\(args.joined(separator: ", "))))"
        case .array(let items):
            var args = [rule(for: items).code]
            if let v = schema.constraints.minItems { args.append("minItems: \(v)") }
            if let v = schema.constraints.maxItems { args.append("maxItems: \(v)") }
            code = ".array(\(args.joined(separator: ", ")))"
        case .object(let object):
            code = objectRule(object)
        case .allOf(let parts):
            var merged: [ObjectSchema.Property] = []
            var extra: ObjectSchema.AdditionalProperties = .unspecified
            flatten(parts, into: &merged, additional: &extra, seen: [])
            code = objectRule(ObjectSchema(properties: merged, additionalProperties: extra))
        case .oneOf(let branches, _), .anyOf(let branches):
            code = ".anyOf([\(branches.map { rule(for: $0).code }.joined(separator: ", "))])"
        }
        if schema.isNullable { code = ".nullable(\(code))" }
        return RuleExpr(code: code)
    }

    private mutating func objectRule(_ object: ObjectSchema) -> String {
        let props = object.properties.map { "(\(Text.literal($0.name)), \(rule(for: $0.schema).code))" }
        let required = object.properties.filter(\.isRequired).map { Text.literal($0.name) }
        var args = ["properties: [\(props.joined(separator: ", "))]"]
        if !required.isEmpty { args.append("required: [\(required.joined(separator: ", "))]") }
        if case .schema(let extra) = object.additionalProperties, object.properties.isEmpty {
            args.append("additionalProperties: \(rule(for: extra).code)")
        }
        return ".object(\(args.joined(separator: ", ")))"
    }

    static func number(_ v: Double) -> String {
        if v.rounded() == v && abs(v) < 1e15 { return String(Int(v)) }
        return String(v)
    }

    // MARK: Catalog

    private mutating func catalogDecl(_ operations: [OperationDecl]) -> CatalogDecl? {
        guard let catalog = document.errorCatalog, let name = typeNames[catalog.schemaKey] else { return nil }
        var scope = Naming.Scope(reserved: ["undocumented", "rawvalue", "init", "description"])
        let base = catalog.typeBase ?? "urn:problem:"
        var decl = CatalogDecl(typeName: name, typeBase: base, entries: catalog.entries.map { entry in
            CatalogDecl.Entry(code: entry.code, caseName: scope.claim(Naming.camelCase(entry.code)), status: entry.status,
                              title: entry.title, message: entry.message, isRetryable: entry.isRetryable,
                              description: entry.description,
                              operations: operations.filter { $0.errorCodes.contains(entry.code) }.map(\.operationId))
        })
        decl.roles = catalogRoles(catalog, operations: operations)
        return decl
    }

    /// Which code plays each role the generated code needs: the entry that declares it, else the
    /// only entry with the role's status (said in a warning, so the spec can say it outright).
    private mutating func catalogRoles(_ catalog: ErrorCatalog, operations: [OperationDecl]) -> [ErrorRole: String] {
        var roles: [ErrorRole: String] = [:]
        var needed: [ErrorRole] = [.notFound, .methodNotAllowed, .malformedRequest, .unsupportedMediaType,
                                   .payloadTooLarge, .validationFailed, .internalError]
        if options.appVersionHeader != nil { needed.append(.appVersionUnsupported) }
        if operations.contains(where: { !$0.isWebhook && $0.clientCredential == .bearer }) { needed.append(.tokenExpired) }
        let at = catalog.entries.first?.location ?? document.namedSchema(catalog.schemaKey)?.schema.location
        for role in ErrorRole.allCases {
            if let entry = catalog.entry(role: role) {
                roles[role] = entry.code
                continue
            }
            guard needed.contains(role), let at else { continue }
            let sameStatus = catalog.entries.filter { $0.status == role.status && $0.role == nil }
            if role != .tokenExpired, sameStatus.count == 1 {
                roles[role] = sameStatus[0].code
                log.warning("no catalog entry has 'role: \(role.rawValue)'; the server stubs use \(sameStatus[0].code), "
                            + "the only \(role.status) code (add the role to say so)", at: at)
            } else if role == .tokenExpired {
                log.warning("no catalog entry has 'role: token-expired': the client will not refresh a bearer token "
                            + "and retry", at: at)
            } else {
                log.warning("no catalog entry has 'role: \(role.rawValue)': the server stubs answer it with status "
                            + "\(role.status) and a code outside the catalog", at: at)
            }
        }
        return roles
    }

    /// The named schema every error response uses, when there is exactly one (the problem type).
    private func problemTypeName() -> String? {
        var names = Set<String>()
        var any = false
        for op in document.operations {
            for response in op.responses where response.status.isError {
                guard let schema = response.content?.schema else { continue }
                any = true
                if case .reference(let key) = schema.kind, let name = typeNames[key] { names.insert(name) } else { return nil }
            }
        }
        return any && names.count == 1 ? names.first : nil
    }
}
