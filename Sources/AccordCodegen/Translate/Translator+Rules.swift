import AccordSpec

extension Translator {
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

    mutating func objectRule(_ object: ObjectSchema) -> String {
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

    mutating func catalogDecl(_ operations: [OperationDecl]) -> CatalogDecl? {
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
    mutating func catalogRoles(_ catalog: ErrorCatalog, operations: [OperationDecl]) -> [ErrorRole: String] {
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
    func problemTypeName() -> String? {
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
