/// Resolves and validates a loaded spec into an `APIDocument`.
///
/// It reads OpenAPI 3.0 and 3.1 alike (3.0 `nullable`, 3.1 type arrays and `null` branches,
/// both forms of `exclusiveMinimum`), follows `$ref`s across files, and records every problem
/// with its location instead of stopping at the first one. Constructs it cannot translate
/// faithfully are reported, never guessed at.
public struct DocumentReader {
    public internal(set) var log = DiagnosticLog()
    let docs: SpecDocuments
    var namedSchemas: [RefKey: NamedSchema] = [:]
    var namedOrder: [RefKey] = []
    var pendingNamed: [RefKey] = []
    var pendingSet: Set<RefKey> = []
    /// Schema refs already followed to the end without a problem (`readSchema` checks each ref
    /// where it is written; a chain that resolved once always does).
    var resolvedSchemaRefs: Set<RefKey> = []
    var is31 = false
    /// Whether each pattern seen compiles (specs repeat the same few patterns thousands of times).
    var patternCompiles: [String: Bool] = [:]

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
                log.error(
                    "Swagger 2.0 is not supported; convert it to OpenAPI 3 first", at: object.keyLocation("swagger"))
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
                    operations += readPathItem(
                        entry.key, entry.value, keyLocation: entry.keyLocation, in: file,
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
                    catalog = ErrorCatalog(
                        schemaKey: schema.key, schemaName: schema.name, entries: found.entries, typeBase: found.typeBase
                    )
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

    mutating func checkDuplicateOperationIds(_ operations: [Operation]) {
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

    mutating func registerNamed(_ key: RefKey) {
        // (Every key in `namedSchemas` went through `pendingSet` first.)
        guard pendingSet.insert(key).inserted else { return }
        pendingNamed.append(key)
    }

    mutating func drainPendingNamed() {
        var next = 0
        while next < pendingNamed.count {
            let key = pendingNamed[next]
            next += 1
            // (`index(forKey:)`: comparing `namedSchemas[key]` with nil copied the schema out.)
            guard namedSchemas.index(forKey: key) == nil else { continue }
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
