extension DocumentReader {
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
                if !resolvedSchemaRefs.contains(key) {
                    _ = try docs.followRefs(node, in: file)
                    resolvedSchemaRefs.insert(key)
                }
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
        for t in types where !Self.knownTypes.contains(t) {
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
                items.allSatisfy(Self.isConstraintOnly)
            {
                // `properties` + `anyOf: [{required: [a]}, {required: [b]}]`: the members are the object's;
                // the branches only say which must be present.
                log.warning(
                    "'\(keyword)' of member constraints only (`required`…) is not enforced by generated code",
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
                case "oneOf":
                    schema.kind = .oneOf(
                        branches,
                        discriminator: readDiscriminator(object["discriminator"], branches: branches, in: file))
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

    static let knownTypes: Set<String> = ["string", "integer", "number", "boolean", "array", "object", "null"]

    mutating func primitiveKind(_ type: String, _ object: SpecObject, in file: String) -> Schema.Kind {
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
            return .array(
                items: Schema(.any, at: object.keyLocation("type") ?? SourceLocation(file: file, line: 1, column: 1)))
        case "object":
            var properties: [ObjectSchema.Property] = []
            let requiredNames = object["required"]?.array?.compactMap(\.string) ?? []
            if let props = object["properties"], !isNoValueSlip(props, "properties") {
                if let props = props.object {
                    for entry in props.entries {
                        properties.append(
                            .init(
                                name: entry.key, schema: readSchema(entry.value, in: file),
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
                let first = patternProps.object?.entries.first
            {
                // Every key matches some pattern: a map of the (first) pattern's schema.
                additional = .schema(readSchema(first.value, in: file))
            }
            return .object(ObjectSchema(properties: properties, additionalProperties: additional))
        default:
            return .any
        }
    }

    mutating func readConstraints(_ object: SpecObject, into c: inout Constraints) {
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
        for (keyword, isMin) in Self.exclusiveBoundKeywords {
            guard let node = object[keyword] else { continue }
            if let flag = node.bool {
                if is31 {
                    log.warning(
                        "'\(keyword): \(flag)' is OpenAPI 3.0 style in a 3.1 document; read as 3.0", at: node.location)
                }
                if flag {
                    if isMin {
                        c.exclusiveMinimum = c.minimum; c.minimum = nil
                    } else {
                        c.exclusiveMaximum = c.maximum; c.maximum = nil
                    }
                }
            } else if let bound = node.double {
                if isMin { c.exclusiveMinimum = bound } else { c.exclusiveMaximum = bound }
            } else {
                log.error("'\(keyword)' must be a number or a boolean", at: node.location)
            }
        }
        for keyword in Self.boundKeywords {
            if case .double(let d)? = object[keyword]?.value, abs(d) > 9.3e18, d.rounded() == d {
                log.warning(
                    "'\(keyword)' \(object[keyword]!.jsonText) is outside the 64-bit integer range",
                    at: object[keyword]!.location)
            }
        }
        if let pattern = c.pattern, !compiles(pattern) {
            log.warning(
                "pattern '\(pattern)' is not a regular expression Swift can compile; it is not enforced",
                at: object["pattern"]!.location)
            c.pattern = nil
        }
    }

    // (Made once: the literals were arrays allocated for every schema.)
    static let exclusiveBoundKeywords = [("exclusiveMinimum", true), ("exclusiveMaximum", false)]
    static let boundKeywords = ["minimum", "maximum"]

    mutating func compiles(_ pattern: String) -> Bool {
        if let known = patternCompiles[pattern] { return known }
        let result = (try? Regex(pattern)) != nil
        patternCompiles[pattern] = result
        return result
    }

    mutating func readDiscriminator(_ node: SpecNode?, branches: [Schema], in file: String) -> Discriminator? {
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

    mutating func readProblemMember(_ node: SpecNode?) -> ProblemMemberRole? {
        guard let node else { return nil }
        if let role = node.string.flatMap(ProblemMemberRole.init(rawValue:)) { return role }
        let known = ProblemMemberRole.allCases.map(\.rawValue).joined(separator: ", ")
        log.error("'x-problem-member' must be one of \(known)", at: node.location)
        return nil
    }

    mutating func readErrorCatalog(_ node: SpecNode, schemaLocation: SourceLocation) -> ErrorCatalog? {
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
            // `^[A-Z][A-Z0-9_]*$`, by hand: a regular expression engine costs more to start than reading a spec.
            if !(code.utf8.first?.isASCIIUppercase ?? false)
                || !code.utf8.allSatisfy({ $0.isASCIIUppercase || $0.isASCIIDigit || $0 == UInt8(ascii: "_") })
            {
                log.error("error code '\(code)' must be UPPER_SNAKE_CASE", at: item["code"]!.location)
            }
            if !(400...599).contains(status) {
                log.error(
                    "error code '\(code)' has status \(status), not an error status", at: item["status"]!.location)
            }
            if entries.contains(where: { $0.code == code }) {
                log.error("error code '\(code)' is listed twice", at: item["code"]!.location)
                continue
            }
            entries.append(
                .init(
                    code: code, status: status, title: title, message: message, isRetryable: retryable,
                    description: description, role: role, location: item.location))
        }
        return ErrorCatalog(schemaKey: RefKey(file: "", pointer: []), schemaName: "", entries: entries)
    }
}
