import Foundation

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
    /// How many cores paths and schemas are read on.
    var cores = ProcessInfo.processInfo.activeProcessorCount

    public init(_ docs: SpecDocuments) { self.docs = docs }

    /// Reads the document; the result is nil only when the root is not an OpenAPI document at all.
    public static func read(_ docs: SpecDocuments) -> (document: APIDocument?, diagnostics: DiagnosticLog) {
        read(docs, cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    static func read(_ docs: SpecDocuments, cores: Int) -> (document: APIDocument?, diagnostics: DiagnosticLog) {
        var reader = DocumentReader(docs)
        reader.cores = cores
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
                let schemes = securitySchemes
                operations = inOrder(paths.entries) { reader, entry in
                    reader.readPathItem(
                        entry.key, entry.value, keyLocation: entry.keyLocation, in: file,
                        globalSecurity: globalSecurity, schemes: schemes)
                }.flatMap { $0 }
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

    /// Reads every named schema registered so far and those they refer to, breadth first: each
    /// wave is the schemas the one before found (read on several cores), in the order found.
    mutating func drainPendingNamed() {
        var next = 0
        while next < pendingNamed.count {
            // (`index(forKey:)`: comparing `namedSchemas[key]` with nil copied the schema out.)
            let wave = pendingNamed[next...].filter { namedSchemas.index(forKey: $0) == nil }
            next = pendingNamed.count
            let read = inOrder(wave) { reader, key -> NamedSchema? in
                let location = SourceLocation(file: key.file, line: 1, column: 1)
                let node: SpecNode
                do throws(Diagnostic) { node = try reader.docs.node(at: key, referencedAt: location) } catch {
                    reader.log.add(error)
                    return nil
                }
                let name = key.pointer.last ?? key.file.lastPathComponentWithoutExtension
                return NamedSchema(name: name, key: key, schema: reader.readSchema(node, in: key.file))
            }
            for (key, schema) in zip(wave, read) {
                guard let schema else { continue }
                namedSchemas[key] = schema
                namedOrder.append(key)
            }
        }
    }

    // MARK: On several cores

    /// Below this many items a wave is read on one core: starting branches would cost more.
    static let parallelThreshold = 48

    /// `work` on each of `items`: on several cores when there are enough of them, each run of items
    /// on a copy of the reader whose diagnostics and findings are taken back in order. The results
    /// and every effect on the reader are those of doing them one after another.
    mutating func inOrder<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ work: @escaping @Sendable (inout DocumentReader, Item) -> Result
    ) -> [Result] {
        guard cores > 1, items.count >= Self.parallelThreshold else {
            var results: [Result] = []
            results.reserveCapacity(items.count)
            for item in items { results.append(work(&self, item)) }
            return results
        }
        // A few runs a core, so that the cores stay busy to the end.
        let runs = min(cores * 4, items.count / (Self.parallelThreshold / 4))
        let bounds = (0...runs).map { $0 * items.count / runs }
        let start = Branch(self)
        let done = ParallelWork.map(Array(0..<runs)) { run -> (results: [Result], branch: Branch) in
            var reader = start.reader
            reader.log = DiagnosticLog()
            reader.pendingNamed = []
            let results = items[bounds[run]..<bounds[run + 1]].map { work(&reader, $0) }
            return (results, Branch(reader))
        }
        var results: [Result] = []
        results.reserveCapacity(items.count)
        for (runResults, branch) in done {
            results += runResults
            absorb(branch.reader)
        }
        return results
    }

    /// Takes back what a branch did, as if this reader had: its diagnostics and the schemas it
    /// found in the order met, and what it learnt about refs and patterns.
    private mutating func absorb(_ branch: DocumentReader) {
        log.append(contentsOf: branch.log)
        for key in branch.pendingNamed { registerNamed(key) }
        resolvedSchemaRefs.formUnion(branch.resolvedSchemaRefs)
        patternCompiles.merge(branch.patternCompiles) { known, _ in known }
    }

    /// A reader handed to another core. Its documents are shared and guard their own caches; the
    /// rest is values, copied.
    private struct Branch: @unchecked Sendable {
        var reader: DocumentReader
        init(_ reader: DocumentReader) { self.reader = reader }
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
