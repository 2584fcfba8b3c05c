/// Resolves and validates a loaded spec into an `APIDocument`.
///
/// It reads OpenAPI 3.0 and 3.1 alike (3.0 `nullable`, 3.1 type arrays and `null` branches,
/// both forms of `exclusiveMinimum`), follows `$ref`s across files, and records every problem
/// with its location instead of stopping at the first one. Constructs it cannot translate
/// faithfully are reported, never guessed at.
public struct DocumentReader {
    public internal(set) var log = DiagnosticLog()
    let docs: SpecDocuments
    private var namedSchemas: [RefKey: NamedSchema] = [:]
    private var namedOrder: [RefKey] = []
    private var pendingNamed: [RefKey] = []
    private var pendingSet: Set<RefKey> = []
    private var is31 = false
    /// Whether each pattern seen compiles (specs repeat the same few patterns thousands of times).
    private var patternCompiles: [String: Bool] = [:]

    public init(_ docs: SpecDocuments) { self.docs = docs }

    /// Reads the document; the result is nil only when the root is not an OpenAPI document at all.
    public static func read(_ docs: SpecDocuments) -> (document: APIDocument?, diagnostics: DiagnosticLog) {
        var reader = DocumentReader(docs)
        let doc = reader.readDocument()
        return (doc, reader.log)
    }

    // MARK: Document

    mutating func readDocument() -> APIDocument? {
        let root = docs.root
        let file = docs.rootFile
        guard let object = root.object else {
            log.error("an OpenAPI document must be an object, found \(root.typeName)", at: root.location)
            return nil
        }
        guard let versionNode = root["openapi"] else {
            if root["swagger"] != nil {
                log.error("Swagger 2.0 is not supported; convert it to OpenAPI 3 first", at: object.keyLocation("swagger"))
            } else {
                log.error("missing 'openapi' version field", at: root.location)
            }
            return nil
        }
        // (A plain `3.0` in YAML is a number; its text is the version.)
        let version = versionNode.string ?? versionNode.jsonText
        if version.hasPrefix("3.1") || version.hasPrefix("3.2") {
            is31 = true
        } else if !version.hasPrefix("3.0") {
            log.error("unsupported OpenAPI version '\(version)' (3.0 and 3.1 are supported)", at: versionNode.location)
            return nil
        }

        let info = root["info"]
        if info == nil { log.error("missing 'info' object", at: root.location) }
        let title = info?["title"]?.string
        if info != nil, title == nil { log.error("'info' needs a 'title' string", at: info!.location) }
        let apiVersion = info?["version"]?.string ?? info?["version"]?.jsonText
        if info != nil, info?["version"] == nil { log.error("'info' needs a 'version' string", at: info!.location) }

        var securitySchemes: [String: SecurityScheme] = [:]
        if let schemes = root["components"]?["securitySchemes"]?.object {
            for entry in schemes.entries {
                if let scheme = readSecurityScheme(entry.value, in: file) { securitySchemes[entry.key] = scheme }
            }
        }

        // Components first, in written order, so generated files follow the spec's order.
        if let schemas = root["components"]?["schemas"], !isNoValueSlip(schemas, "components.schemas") {
            if let schemas = schemas.object {
                for entry in schemas.entries {
                    registerNamed(RefKey(file: file, pointer: ["components", "schemas", entry.key]))
                }
            } else {
                log.error("'components.schemas' must be an object", at: schemas.location)
            }
        }

        let globalSecurity = readSecurityRequirements(root["security"], schemes: securitySchemes) ?? []
        var operations: [Operation] = []
        if let paths = root["paths"] {
            if let paths = paths.object {
                for entry in paths.entries {
                    operations += readPathItem(entry.key, entry.value, keyLocation: entry.keyLocation, in: file,
                                               globalSecurity: globalSecurity, schemes: securitySchemes)
                }
            } else if !isNoValueSlip(paths, "paths") {
                log.error("'paths' must be an object", at: paths.location)
            }
        } else if !is31 {
            log.error("missing 'paths' object", at: root.location)
        }
        checkDuplicateOperationIds(operations)

        drainPendingNamed()
        let named = namedOrder.compactMap { namedSchemas[$0] }
        var catalog: ErrorCatalog?
        for schema in named {
            if let found = schema.schema.errorCatalog {
                if catalog != nil {
                    log.error("only one schema may carry 'x-error-catalog'", at: schema.schema.location)
                } else {
                    catalog = ErrorCatalog(schemaKey: schema.key, schemaName: schema.name, entries: found.entries, typeBase: found.typeBase)
                }
            }
        }
        // The problem's members the catalog relies on: the one that holds the code, and those
        // marked with `x-problem-member`.
        if let key = catalog?.schemaKey {
            for schema in named {
                guard case .object(let object) = schema.schema.kind else { continue }
                for property in object.properties {
                    if case .reference(key) = property.schema.kind, catalog?.codeMember == nil {
                        catalog?.codeMember = property.name
                    }
                    if let role = property.schema.problemMember { catalog?.problemMembers[role] = property.name }
                }
            }
        }

        var document = APIDocument(
            openAPIVersion: version, title: title ?? "API", version: apiVersion ?? "0",
            summary: info?["summary"]?.string, description: info?["description"]?.string,
            servers: root["servers"]?.array?.compactMap { $0["url"]?.string } ?? [],
            operations: operations, namedSchemas: named, securitySchemes: securitySchemes,
            errorCatalog: catalog)
        if let states = root["x-provider-states"] {
            let names = states.array?.compactMap(\.string) ?? []
            if names.isEmpty || names.count != states.array?.count {
                log.error("x-provider-states is a list of provider state names", at: states.location)
            } else {
                document.providerStates = names
            }
        }
        return document
    }

    private mutating func checkDuplicateOperationIds(_ operations: [Operation]) {
        var seen: [String: SourceLocation] = [:]
        for op in operations {
            if let first = seen[op.operationId] {
                log.error("operationId '\(op.operationId)' is used twice (first at \(first))", at: op.location)
            } else {
                seen[op.operationId] = op.location
            }
        }
    }

    // MARK: Named schemas

    private mutating func registerNamed(_ key: RefKey) {
        guard namedSchemas[key] == nil, pendingSet.insert(key).inserted else { return }
        pendingNamed.append(key)
    }

    private mutating func drainPendingNamed() {
        var next = 0
        while next < pendingNamed.count {
            let key = pendingNamed[next]
            next += 1
            guard namedSchemas[key] == nil else { continue }
            let location = SourceLocation(file: key.file, line: 1, column: 1)
            let node: SpecNode
            do { node = try docs.node(at: key, referencedAt: location) } catch {
                log.add(error)
                continue
            }
            // Placeholder first so a schema that refers to itself does not loop.
            let name = key.pointer.last ?? key.file.lastPathComponentWithoutExtension
            namedSchemas[key] = NamedSchema(name: name, key: key, schema: Schema(.any, at: node.location))
            namedOrder.append(key)
            let schema = readSchema(node, in: key.file)
            namedSchemas[key]?.schema = schema
        }
    }

    // MARK: Schemas

    mutating func readSchema(_ node: SpecNode, in file: String) -> Schema {
        if let bool = node.bool {
            // `true` accepts anything; `false` accepts nothing (kept as any, with a warning).
            if !bool { log.warning("schema 'false' is generated as any value", at: node.location) }
            return Schema(.any, at: node.location)
        }
        guard let object = node.object else {
            log.error("a schema must be an object, found \(node.typeName)", at: node.location)
            return Schema(.any, at: node.location)
        }

        if let ref = object["$ref"] {
            guard let refText = ref.string else {
                log.error("$ref must be a string", at: ref.location)
                return Schema(.any, at: node.location)
            }
            do {
                let key = try docs.key(for: refText, in: file, at: ref.location)
                // Resolve now to report a dangling ref where it is written.
                _ = try docs.followRefs(node, in: file)
                registerNamed(key)
                var schema = Schema(.reference(key), at: node.location)
                // 3.1 allows siblings next to $ref; keep the ones that document or widen it.
                schema.description = object["description"]?.string
                schema.isNullable = object["nullable"]?.bool ?? false
                schema.problemMember = readProblemMember(object["x-problem-member"])
                return schema
            } catch {
                log.add(error)
                return Schema(.any, at: node.location)
            }
        }

        var schema = Schema(.any, at: node.location)
        schema.title = object["title"]?.string
        schema.description = object["description"]?.string
        schema.isDeprecated = object["deprecated"]?.bool ?? false
        schema.isReadOnly = object["readOnly"]?.bool ?? false
        schema.isWriteOnly = object["writeOnly"]?.bool ?? false
        schema.defaultValue = object["default"]
        schema.format = object["format"]?.string
        schema.isNullable = object["nullable"]?.bool ?? false
        readConstraints(object, into: &schema.constraints)

        if let enumNode = object["enum"] {
            if let values = enumNode.array {
                schema.enumValues = values
                if values.contains(where: \.isNull) { schema.isNullable = true }
            } else {
                log.error("'enum' must be an array", at: enumNode.location)
            }
        }
        if let constNode = object["const"] {
            schema.enumValues = [constNode]
            if constNode.isNull { schema.isNullable = true }
        }

        // The declared type(s).
        var types: [String] = []
        if let typeNode = object["type"] {
            if let single = typeNode.string {
                types = [single]
            } else if let many = typeNode.array {
                types = readTypeList(many, at: typeNode.location)
            } else if typeNode.isNull {
                warnNoValue("type", at: typeNode.location, readAs: "the schema is read as untyped")
            } else {
                log.error("'type' must be a string or an array of strings", at: typeNode.location)
            }
        }
        let known: Set<String> = ["string", "integer", "number", "boolean", "array", "object", "null"]
        for t in types where !known.contains(t) {
            log.error("unknown type '\(t)'", at: object["type"]?.location)
        }
        if types.contains("null") {
            schema.isNullable = true
            types.removeAll { $0 == "null" }
            if types.isEmpty && object["type"] != nil { schema.kind = .null }
        }

        let hasObjectShape = object["properties"] != nil || object["additionalProperties"] != nil
        if types.count > 1 {
            // `type: [string, integer]`: one of those primitives.
            let branches = types.map { t -> Schema in
                var branch = Schema(primitiveKind(t, object, in: file), at: node.location)
                branch.format = schema.format
                return branch
            }
            schema.kind = .oneOf(branches, discriminator: nil)
        } else if let t = types.first {
            schema.kind = primitiveKind(t, object, in: file)
        } else if hasObjectShape {
            schema.kind = primitiveKind("object", object, in: file)
        } else if object["items"] != nil {
            schema.kind = primitiveKind("array", object, in: file)
        } else if schema.enumValues != nil, let first = schema.enumValues?.first(where: { !$0.isNull }) {
            switch first.value {
            case .string: schema.kind = .string
            case .int: schema.kind = .integer
            case .double: schema.kind = .number
            case .bool: schema.kind = .boolean
            default: break
            }
        }

        // Composition keywords.
        for keyword in ["oneOf", "anyOf", "allOf"] {
            guard let list = object[keyword] else { continue }
            guard let items = list.array, !items.isEmpty else {
                log.error("'\(keyword)' must be a non-empty array", at: list.location)
                continue
            }
            if keyword != "allOf", case .object(let own) = schema.kind, !own.properties.isEmpty,
               items.allSatisfy(Self.isConstraintOnly) {
                // `properties` + `anyOf: [{required: [a]}, {required: [b]}]`: the members are the object's;
                // the branches only say which must be present.
                log.warning("'\(keyword)' of member constraints only (`required`…) is not enforced by generated code",
                            at: list.location)
                continue
            }
            var branches: [Schema] = []
            for item in items {
                let branch = readSchema(item, in: file)
                if case .null = branch.kind, keyword != "allOf" {
                    schema.isNullable = true
                } else {
                    branches.append(branch)
                }
            }
            if keyword == "allOf", case .object(let own) = schema.kind, !own.properties.isEmpty {
                // `type: object` + `properties` + `allOf`: the object's own members are one more part.
                branches.append(Schema(schema.kind, at: node.location))
            }
            if branches.isEmpty {
                if case .any = schema.kind { schema.kind = .null }
            } else if branches.count == 1, schema.enumValues == nil {
                // `anyOf: [X, null]`, `allOf: [$ref]`: just X.
                let only = branches[0]
                let keepNullable = schema.isNullable || only.isNullable
                let keepDescription = schema.description ?? only.description
                let outer = schema
                schema = only
                schema.isNullable = keepNullable
                schema.description = keepDescription
                schema.defaultValue = outer.defaultValue ?? only.defaultValue
                schema.isDeprecated = outer.isDeprecated || only.isDeprecated
                schema.isReadOnly = outer.isReadOnly || only.isReadOnly
                schema.location = outer.location
            } else {
                switch keyword {
                case "oneOf": schema.kind = .oneOf(branches, discriminator: readDiscriminator(object["discriminator"], branches: branches, in: file))
                case "anyOf": schema.kind = .anyOf(branches)
                default: schema.kind = .allOf(branches)
                }
            }
        }
        if object["not"] != nil {
            log.warning("'not' is not enforced by generated code", at: object.keyLocation("not"))
        }

        if let catalogNode = object["x-error-catalog"] {
            schema.errorCatalog = readErrorCatalog(catalogNode, schemaLocation: node.location)
            schema.errorCatalog?.typeBase = object["x-error-type-base"]?.string
        }
        schema.problemMember = readProblemMember(object["x-problem-member"])
        return schema
    }

    private mutating func primitiveKind(_ type: String, _ object: SpecObject, in file: String) -> Schema.Kind {
        switch type {
        case "string": return .string
        case "integer": return .integer
        case "number": return .number
        case "boolean": return .boolean
        case "null": return .null
        case "array":
            if let items = object["items"] {
                if items.array != nil {
                    log.error("tuple-style 'items' arrays are not supported", at: items.location)
                    return .array(items: Schema(.any, at: items.location))
                }
                return .array(items: readSchema(items, in: file))
            }
            if let prefix = object["prefixItems"] {
                log.error("'prefixItems' (tuples) is not supported", at: prefix.location)
            }
            return .array(items: Schema(.any, at: object.keyLocation("type") ?? SourceLocation(file: file, line: 1, column: 1)))
        case "object":
            var properties: [ObjectSchema.Property] = []
            let requiredNames = object["required"]?.array?.compactMap(\.string) ?? []
            if let props = object["properties"], !isNoValueSlip(props, "properties") {
                if let props = props.object {
                    for entry in props.entries {
                        properties.append(.init(name: entry.key, schema: readSchema(entry.value, in: file),
                                                isRequired: requiredNames.contains(entry.key), location: entry.keyLocation))
                    }
                } else {
                    log.error("'properties' must be an object", at: props.location)
                }
            }
            if let required = object["required"], required.array == nil, !isNoValueSlip(required, "required") {
                log.error("'required' must be an array of property names", at: required.location)
            }
            var additional = ObjectSchema.AdditionalProperties.unspecified
            if let extra = object["additionalProperties"] {
                if let allowed = extra.bool {
                    additional = allowed ? .schema(Schema(.any, at: extra.location)) : .forbidden
                } else {
                    additional = .schema(readSchema(extra, in: file))
                }
            }
            if let patternProps = object["patternProperties"], additional.isUnspecified,
               let first = patternProps.object?.entries.first {
                // Every key matches some pattern: a map of the (first) pattern's schema.
                additional = .schema(readSchema(first.value, in: file))
            }
            return .object(ObjectSchema(properties: properties, additionalProperties: additional))
        default:
            return .any
        }
    }

    private mutating func readConstraints(_ object: SpecObject, into c: inout Constraints) {
        c.minLength = object["minLength"]?.int
        c.maxLength = object["maxLength"]?.int
        c.pattern = object["pattern"]?.string
        c.minimum = object["minimum"]?.double
        c.maximum = object["maximum"]?.double
        c.multipleOf = object["multipleOf"]?.double
        c.minItems = object["minItems"]?.int
        c.maxItems = object["maxItems"]?.int
        c.uniqueItems = object["uniqueItems"]?.bool ?? false
        c.minProperties = object["minProperties"]?.int
        c.maxProperties = object["maxProperties"]?.int
        // 3.0: a boolean that makes minimum/maximum exclusive; 3.1: the bound itself.
        for (keyword, isMin) in [("exclusiveMinimum", true), ("exclusiveMaximum", false)] {
            guard let node = object[keyword] else { continue }
            if let flag = node.bool {
                if is31 {
                    log.warning("'\(keyword): \(flag)' is OpenAPI 3.0 style in a 3.1 document; read as 3.0", at: node.location)
                }
                if flag {
                    if isMin { c.exclusiveMinimum = c.minimum; c.minimum = nil } else { c.exclusiveMaximum = c.maximum; c.maximum = nil }
                }
            } else if let bound = node.double {
                if isMin { c.exclusiveMinimum = bound } else { c.exclusiveMaximum = bound }
            } else {
                log.error("'\(keyword)' must be a number or a boolean", at: node.location)
            }
        }
        for keyword in ["minimum", "maximum"] {
            if case .double(let d)? = object[keyword]?.value, abs(d) > 9.3e18, d.rounded() == d {
                log.warning("'\(keyword)' \(object[keyword]!.jsonText) is outside the 64-bit integer range", at: object[keyword]!.location)
            }
        }
        if let pattern = c.pattern, !compiles(pattern) {
            log.warning("pattern '\(pattern)' is not a regular expression Swift can compile; it is not enforced", at: object["pattern"]!.location)
            c.pattern = nil
        }
    }

    private mutating func compiles(_ pattern: String) -> Bool {
        if let known = patternCompiles[pattern] { return known }
        let result = (try? Regex(pattern)) != nil
        patternCompiles[pattern] = result
        return result
    }

    private mutating func readDiscriminator(_ node: SpecNode?, branches: [Schema], in file: String) -> Discriminator? {
        guard let node, let property = node["propertyName"]?.string else { return nil }
        var mapping: [(String, RefKey)] = []
        if let explicit = node["mapping"]?.object {
            for entry in explicit.entries {
                guard let target = entry.value.string else { continue }
                let ref = target.contains("#") || target.contains("/") ? target : "#/components/schemas/\(target)"
                do {
                    let key = try docs.key(for: ref, in: file, at: entry.value.location)
                    _ = try docs.node(at: key, referencedAt: entry.value.location)
                    registerNamed(key)
                    mapping.append((entry.key, key))
                } catch { log.add(error) }
            }
        }
        for branch in branches {
            if case .reference(let key) = branch.kind, !mapping.contains(where: { $0.1 == key }) {
                mapping.append((key.pointer.last ?? "", key))
            }
        }
        return Discriminator(propertyName: property, mapping: mapping)
    }

    private mutating func readProblemMember(_ node: SpecNode?) -> ProblemMemberRole? {
        guard let node else { return nil }
        if let role = node.string.flatMap(ProblemMemberRole.init(rawValue:)) { return role }
        let known = ProblemMemberRole.allCases.map(\.rawValue).joined(separator: ", ")
        log.error("'x-problem-member' must be one of \(known)", at: node.location)
        return nil
    }

    private mutating func readErrorCatalog(_ node: SpecNode, schemaLocation: SourceLocation) -> ErrorCatalog? {
        guard let items = node.array else {
            log.error("'x-error-catalog' must be an array of entries", at: node.location)
            return nil
        }
        var entries: [ErrorCatalog.Entry] = []
        for item in items {
            // One error per entry naming every missing member, and the entry kept when it has a
            // code: a catalog short of one member must not turn into "not in the catalog" everywhere.
            let required: [(String, (SpecNode) -> Bool)] = [
                ("code", { $0.string != nil }), ("status", { $0.int != nil }), ("title", { $0.string != nil }),
                ("message", { $0.string != nil }), ("retryable", { $0.bool != nil }),
            ]
            let missing = required.filter { name, isValid in item[name].map { !isValid($0) } ?? true }.map(\.0)
            if !missing.isEmpty {
                let names = missing.map { "'\($0)'" }.joined(separator: ", ")
                log.error("error catalog entry needs \(names)", at: item.location)
            }
            guard let code = item["code"]?.string else { continue }
            let status = item["status"]?.int ?? 500
            let title = item["title"]?.string ?? code
            let message = item["message"]?.string ?? title
            let retryable = item["retryable"]?.bool ?? false
            let description = item["description"]?.string ?? ""
            var role: ErrorRole?
            if let roleNode = item["role"] {
                role = roleNode.string.flatMap(ErrorRole.init(rawValue:))
                if role == nil {
                    let known = ErrorRole.allCases.map(\.rawValue).joined(separator: ", ")
                    log.error("'role' must be one of \(known)", at: roleNode.location)
                } else if let role, let other = entries.first(where: { $0.role == role }) {
                    log.error("role '\(role.rawValue)' is already declared by '\(other.code)'", at: roleNode.location)
                }
            }
            if code.range(of: "^[A-Z][A-Z0-9_]*$", options: .regularExpression) == nil {
                log.error("error code '\(code)' must be UPPER_SNAKE_CASE", at: item["code"]!.location)
            }
            if !(400...599).contains(status) {
                log.error("error code '\(code)' has status \(status), not an error status", at: item["status"]!.location)
            }
            if entries.contains(where: { $0.code == code }) {
                log.error("error code '\(code)' is listed twice", at: item["code"]!.location)
                continue
            }
            entries.append(.init(code: code, status: status, title: title, message: message, isRetryable: retryable,
                                 description: description, role: role, location: item.location))
        }
        return ErrorCatalog(schemaKey: RefKey(file: "", pointer: []), schemaName: "", entries: entries)
    }

    // MARK: Paths and operations

    private mutating func readPathItem(_ path: String, _ rawItem: SpecNode, keyLocation: SourceLocation, in rootFile: String,
                                       globalSecurity: [[String]], schemes: [String: SecurityScheme]) -> [Operation] {
        if !path.hasPrefix("/") { log.error("path '\(path)' must start with '/'", at: keyLocation) }
        let item: SpecNode
        let file: String
        do { (item, _, file) = try docs.followRefs(rawItem, in: rootFile) } catch {
            log.add(error)
            return []
        }
        guard item.object != nil else {
            log.error("a path item must be an object", at: item.location)
            return []
        }
        let shared = readParameters(item["parameters"], in: file)
        var operations: [Operation] = []
        for method in HTTPMethod.allCases {
            guard let opNode = item[method.rawValue] else { continue }
            if let op = readOperation(method, path: path, opNode, shared: shared, in: file,
                                      globalSecurity: globalSecurity, schemes: schemes) {
                operations.append(op)
            }
        }
        return operations
    }

    private mutating func readOperation(_ method: HTTPMethod, path: String, _ node: SpecNode, shared: [Parameter], in file: String,
                                        globalSecurity: [[String]], schemes: [String: SecurityScheme]) -> Operation? {
        guard let object = node.object else {
            log.error("operation \(method.rawValue.uppercased()) \(path) must be an object", at: node.location)
            return nil
        }
        var operationId = object["operationId"]?.string ?? ""
        if operationId.isEmpty {
            log.warning("\(method.rawValue.uppercased()) \(path) has no operationId; one is derived from the method and path", at: node.location)
            operationId = Self.derivedOperationId(method, path)
        }

        // Operation parameters override path-level ones with the same name and location.
        var parameters = shared
        for param in readParameters(object["parameters"], in: file) {
            parameters.removeAll { $0.name == param.name && $0.location == param.location }
            parameters.append(param)
        }
        checkPathTemplate(path, parameters, at: node.location)

        var requestBody: RequestBody?
        if let bodyNode = object["requestBody"] {
            requestBody = readRequestBody(bodyNode, in: file)
        }

        var responses: [Response] = []
        if let responsesNode = object["responses"]?.object {
            for entry in responsesNode.entries {
                guard let status = Self.statusCode(entry.key) else {
                    if !entry.key.hasPrefix("x-") { log.error("'\(entry.key)' is not a response status code", at: entry.keyLocation) }
                    continue
                }
                if let response = readResponse(status, entry.value, in: file) { responses.append(response) }
            }
        } else if !is31 {
            log.error("\(method.rawValue.uppercased()) \(path) has no 'responses'", at: node.location)
        }
        responses.sort { $0.status < $1.status }

        let security = readSecurityRequirements(object["security"], schemes: schemes) ?? globalSecurity
        let scopes = Self.securityScopes(object["security"] ?? docs.root["security"])
        var errorCodes: [(String, SourceLocation)] = []
        if let codes = object["x-error-codes"] {
            if let list = codes.array {
                for code in list {
                    if let text = code.string { errorCodes.append((text, code.location)) } else {
                        log.error("'x-error-codes' entries must be strings", at: code.location)
                    }
                }
            } else {
                log.error("'x-error-codes' must be an array of catalog codes", at: codes.location)
            }
        }

        var bodyLimit: Int?
        if let limit = object["x-body-limit"] {
            if let bytes = limit.int, bytes > 0 { bodyLimit = bytes } else {
                log.error("'x-body-limit' must be a positive number of bytes", at: limit.location)
            }
        }
        var isWebhook = false
        if let webhook = object["x-webhook"] {
            if let flag = webhook.bool { isWebhook = flag } else {
                log.error("'x-webhook' must be true or false", at: webhook.location)
            }
        }
        var operation = Operation(
            operationId: operationId, isOperationIdDerived: object["operationId"]?.string == nil, method: method, path: path, summary: object["summary"]?.string,
            description: object["description"]?.string, tags: object["tags"]?.array?.compactMap(\.string) ?? [],
            isDeprecated: object["deprecated"]?.bool ?? false, parameters: parameters, requestBody: requestBody,
            responses: responses, security: security, securityScopes: scopes, bodyLimit: bodyLimit, errorCodes: errorCodes,
            location: node.location)
        operation.isWebhook = isWebhook
        return operation
    }

    /// A schema that only constrains an object's members (`required`, `minProperties`…), with no shape of its own.
    static func isConstraintOnly(_ node: SpecNode) -> Bool {
        guard let object = node.object else { return false }
        let constraints: Set<String> = ["required", "minProperties", "maxProperties", "description", "title"]
        return !object.isEmpty && object.keys.allSatisfy(constraints.contains)
    }

    /// Scheme name → the scopes its requirements list, over every alternative.
    static func securityScopes(_ node: SpecNode?) -> [String: Set<String>] {
        var scopes: [String: Set<String>] = [:]
        for requirement in node?.array ?? [] {
            for entry in requirement.object?.entries ?? [] {
                scopes[entry.key, default: []].formUnion(entry.value.array?.compactMap(\.string) ?? [])
            }
        }
        return scopes
    }

    static func derivedOperationId(_ method: HTTPMethod, _ path: String) -> String {
        let words = path.split(separator: "/").map { $0.replacingOccurrences(of: "{", with: "by_").replacingOccurrences(of: "}", with: "") }
        return ([method.rawValue] + words).joined(separator: "_")
    }

    static func statusCode(_ key: String) -> StatusCode? {
        if key == "default" { return .default }
        if let code = Int(key), (100...599).contains(code) { return .code(code) }
        let upper = key.uppercased()
        if upper.count == 3, upper.hasSuffix("XX"), let first = Int(upper.prefix(1)), (1...5).contains(first) { return .range(first) }
        return nil
    }

    private mutating func checkPathTemplate(_ path: String, _ parameters: [Parameter], at location: SourceLocation) {
        var templated: [String] = []
        var rest = Substring(path)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                log.error("path '\(path)' has an unclosed '{'", at: location)
                return
            }
            templated.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        let declared = parameters.filter { $0.location == .path }
        for name in templated where !declared.contains(where: { $0.name == name }) {
            log.error("path parameter '{\(name)}' of '\(path)' is not declared", at: location)
        }
        for param in declared where !templated.contains(param.name) {
            log.error("path parameter '\(param.name)' does not appear in '\(path)'", at: param.sourceLocation)
        }
    }

    private mutating func readParameters(_ node: SpecNode?, in file: String) -> [Parameter] {
        guard let node, !isNoValueSlip(node, "parameters") else { return [] }
        guard let list = node.array else {
            log.error("'parameters' must be an array", at: node.location)
            return []
        }
        var result: [Parameter] = []
        for raw in list {
            let item: SpecNode, itemFile: String
            do { (item, _, itemFile) = try docs.followRefs(raw, in: file) } catch { log.add(error); continue }
            guard let name = item["name"]?.string else {
                log.error("a parameter needs a 'name'", at: item.location)
                continue
            }
            guard let inText = item["in"]?.string, let location = Parameter.Location(rawValue: inText) else {
                log.error("parameter '\(name)' needs 'in' (path, query, header or cookie)", at: item.location)
                continue
            }
            var required = item["required"]?.bool ?? false
            if location == .path && !required {
                log.error("path parameter '\(name)' must say 'required: true'", at: item.location)
                required = true
            }
            var schema = Schema(.string, at: item.location)
            if let schemaNode = item["schema"] {
                schema = readSchema(schemaNode, in: itemFile)
            } else if let content = item["content"]?.object, let first = content.entries.first, let s = first.value["schema"] {
                schema = readSchema(s, in: itemFile)
            } else {
                log.warning("parameter '\(name)' has no schema; read as a string", at: item.location)
            }
            let style = item["style"]?.string ?? (location == .query || location == .cookie ? "form" : "simple")
            let isObject: Bool = if case .object = schema.kind { true } else { false }
            if style == "deepObject" && !isObject {
                log.warning("parameter '\(name)' uses style 'deepObject' but is not an object; it is sent as form", at: item.location)
            } else if !["form", "simple", "deepObject"].contains(style) {
                log.warning("parameter '\(name)' uses style '\(style)'; it is sent as \(location == .query ? "form" : "simple")", at: item.location)
            }
            result.append(Parameter(name: name, location: location, isRequired: required, schema: schema,
                                    description: item["description"]?.string, isDeprecated: item["deprecated"]?.bool ?? false,
                                    explode: item["explode"]?.bool ?? (style == "form"), style: style, sourceLocation: item.location))
        }
        return result
    }

    private mutating func readContent(_ node: SpecNode?, in file: String) -> (Content, [MediaType])? {
        guard let entries = node?.object?.entries, !entries.isEmpty else { return nil }
        let types = entries.map { MediaType($0.key) }
        // JSON first (problem+json counts), then form, then whatever comes first.
        let chosen = types.firstIndex { $0.isJSON } ?? types.firstIndex { $0.isForm } ?? 0
        let entry = entries[chosen]
        let schema = entry.value["schema"].map { readSchema($0, in: file) }
        let others = types.enumerated().filter { $0.offset != chosen }.map(\.element)
        return (Content(mediaType: types[chosen], schema: schema, example: entry.value["example"]), others)
    }

    private mutating func readRequestBody(_ raw: SpecNode, in file: String) -> RequestBody? {
        let node: SpecNode, bodyFile: String
        do { (node, _, bodyFile) = try docs.followRefs(raw, in: file) } catch { log.add(error); return nil }
        guard let (content, others) = readContent(node["content"], in: bodyFile) else {
            log.error("a request body needs 'content'", at: node.location)
            return nil
        }
        return RequestBody(isRequired: node["required"]?.bool ?? false, description: node["description"]?.string,
                           content: content, otherMediaTypes: others, location: node.location)
    }

    private mutating func readResponse(_ status: StatusCode, _ raw: SpecNode, in file: String) -> Response? {
        let node: SpecNode, responseFile: String
        do { (node, _, responseFile) = try docs.followRefs(raw, in: file) } catch { log.add(error); return nil }
        var headers: [Header] = []
        if let headerNodes = node["headers"]?.object {
            for entry in headerNodes.entries {
                let header: SpecNode, headerFile: String
                do { (header, _, headerFile) = try docs.followRefs(entry.value, in: responseFile) } catch { log.add(error); continue }
                let schema = header["schema"].map { readSchema($0, in: headerFile) } ?? Schema(.string, at: header.location)
                headers.append(Header(name: entry.key, isRequired: header["required"]?.bool ?? false, schema: schema,
                                      description: header["description"]?.string))
            }
        }
        return Response(status: status, description: node["description"]?.string,
                        content: readContent(node["content"], in: responseFile)?.0, headers: headers, location: node.location)
    }
}

extension ObjectSchema.AdditionalProperties {
    var isUnspecified: Bool { if case .unspecified = self { return true }; return false }
}

extension String {
    var lastPathComponentWithoutExtension: String {
        let last = split(separator: "/").last.map(String.init) ?? self
        return last.split(separator: ".").first.map(String.init) ?? last
    }
}
