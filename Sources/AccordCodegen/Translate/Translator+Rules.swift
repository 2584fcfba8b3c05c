import AccordSpec

extension Translator {
    // MARK: Validation rules

    mutating func rule(for schema: Schema) -> RuleExpr {
        var expr: SwiftExpr
        switch schema.kind {
        case .reference(let key):
            let name =
                ruleNames[key]
                ?? {
                    let base = names.camelCase(typeNames[key] ?? "schema")
                    var candidate = Naming.bare(base)
                    var n = 2
                    while usedRuleNames.contains(candidate) { candidate = Naming.bare(base) + String(n); n += 1 }
                    ruleNames[key] = candidate
                    usedRuleNames.insert(candidate)
                    ruleQueue.append(key)
                    return candidate
                }()
            expr = .atom(".reference { Rules.\(Naming.identifier(name)) }")
        case .any: expr = .atom(".any")
        case .null: expr = .atom(".null")
        case .boolean: expr = .atom(".boolean")
        case .string:
            var args: [SwiftExpr] = []
            let c = schema.constraints
            if let v = c.minLength { args.append(.atom("minLength: \(v)")) }
            if let v = c.maxLength { args.append(.atom("maxLength: \(v)")) }
            if let v = c.pattern { args.append(.atom("pattern: \(Text.literal(v))")) }
            if let f = schema.format, ["date-time", "uuid", "date", "byte"].contains(f) {
                args.append(.atom("format: \(Text.literal(f))"))
            }
            if let values = schema.stringEnumValues {
                args.append(.array(values.map { .atom(Text.literal($0)) }, label: "values: "))
            }
            expr = .call(".string(StringRule(", args, "))")
        case .integer, .number:
            var args: [SwiftExpr] = []
            let c = schema.constraints
            if let v = c.minimum { args.append(.atom("minimum: \(Self.number(v))")) }
            if let v = c.maximum { args.append(.atom("maximum: \(Self.number(v))")) }
            if let v = c.exclusiveMinimum { args.append(.atom("exclusiveMinimum: \(Self.number(v))")) }
            if let v = c.exclusiveMaximum { args.append(.atom("exclusiveMaximum: \(Self.number(v))")) }
            if let v = c.multipleOf { args.append(.atom("multipleOf: \(Self.number(v))")) }
            let kind = if case .integer = schema.kind { "integer" } else { "number" }
            expr = .call(".\(kind)(NumberRule(", args, "))")
        case .array(let items):
            var args = [rule(for: items).expr]
            if let v = schema.constraints.minItems { args.append(.atom("minItems: \(v)")) }
            if let v = schema.constraints.maxItems { args.append(.atom("maxItems: \(v)")) }
            expr = .call(".array(", args)
        case .object(let object):
            expr = objectRule(object)
        case .allOf(let parts):
            var merged: [ObjectSchema.Property] = []
            var extra: ObjectSchema.AdditionalProperties = .unspecified
            flatten(parts, into: &merged, additional: &extra, seen: [])
            expr = objectRule(ObjectSchema(properties: merged, additionalProperties: extra))
        case .oneOf(let branches, _), .anyOf(let branches):
            expr = .call(".anyOf(", [.array(branches.map { rule(for: $0).expr })])
        }
        if schema.isNullable { expr = .call(".nullable(", [expr]) }
        return RuleExpr(expr)
    }

    mutating func objectRule(_ object: ObjectSchema) -> SwiftExpr {
        // A property is `("name", rule)`, the name kept on the opening line when the rule wraps.
        let props = object.properties.map { SwiftExpr.call("(\(Text.literal($0.name)), ", [rule(for: $0.schema).expr]) }
        let required = object.properties.filter(\.isRequired).map { SwiftExpr.atom(Text.literal($0.name)) }
        var args = [SwiftExpr.array(props, label: "properties: ")]
        if !required.isEmpty { args.append(.array(required, label: "required: ")) }
        if case .schema(let extra) = object.additionalProperties, object.properties.isEmpty {
            args.append(rule(for: extra).expr.prefixed("additionalProperties: "))
        }
        return .call(".object(", args)
    }

    static func number(_ v: Double) -> String {
        if v.rounded() == v && abs(v) < 1e15 { return String(Int(v)) }
        return String(v)
    }

    // MARK: Catalog

    mutating func catalogDecl(_ operations: [OperationDecl]) -> CatalogDecl? {
        guard let catalog = document.errorCatalog, let name = typeNames[catalog.schemaKey] else { return nil }
        var scope = Naming.Scope(reserved: Self.reservedEnumCaseNames)
        let base = catalog.typeBase ?? "urn:problem:"
        var decl = CatalogDecl(
            typeName: name, typeBase: base,
            entries: catalog.entries.map { entry in
                CatalogDecl.Entry(
                    code: entry.code, caseName: scope.claim(Naming.camelCase(entry.code)), status: entry.status,
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
        var needed: [ErrorRole] = [
            .notFound, .methodNotAllowed, .malformedRequest, .unsupportedMediaType,
            .payloadTooLarge, .validationFailed, .internalError,
        ]
        if options.appVersionHeader != nil { needed.append(.appVersionUnsupported) }
        if operations.contains(where: { !$0.isWebhook && $0.clientCredential == .bearer }) {
            needed.append(.tokenExpired)
        }
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
                log.warning(
                    "no catalog entry has 'role: \(role.rawValue)'; the server stubs use \(sameStatus[0].code), "
                        + "the only \(role.status) code (add the role to say so)", at: at)
            } else if role == .tokenExpired {
                log.warning(
                    "no catalog entry has 'role: token-expired': the client will not refresh a bearer token "
                        + "and retry", at: at)
            } else {
                log.warning(
                    "no catalog entry has 'role: \(role.rawValue)': the server stubs answer it with status "
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
                if case .reference(let key) = schema.kind, let name = typeNames[key] {
                    names.insert(name)
                } else {
                    return nil
                }
            }
        }
        return any && names.count == 1 ? names.first : nil
    }
}
