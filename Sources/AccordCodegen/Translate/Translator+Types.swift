import AccordSpec

extension Translator {
    // MARK: Reachability

    /// Only a partial update tells "absent" (keep) from `null` (clear): the schemas its body reaches
    /// get `Nullable<T>`; everywhere else an optional is enough (`nil` is sent as absent).
    static func keepsNull(_ op: Operation) -> Bool {
        op.method == .patch || op.requestBody?.content.mediaType.essence == "application/merge-patch+json"
    }

    mutating func computePatchReachable() {
        var stack: [Schema] = []
        for op in document.operations where Self.keepsNull(op) {
            if let s = op.requestBody?.content.schema { stack.append(s) }
        }
        while let schema = stack.popLast() {
            Self.forEachChild(schema) { child in
                if case .reference(let key) = child.kind, !patchReachable.contains(key) {
                    patchReachable.insert(key)
                    if let named = document.namedSchema(key) { stack.append(named.schema) }
                }
            }
        }
    }

    /// The (lower-cased) names of the named types a schema refers to, not following references.
    func referencedTypeNames(_ schema: Schema) -> Set<String> {
        switch schema.kind {
        case .string, .integer, .number, .boolean, .any, .null: return []
        case .reference(let key): return lowercasedTypeNames[key].map { [$0] } ?? []
        default: break
        }
        var found = Set<String>()
        let names = lowercasedTypeNames
        Self.forEachChild(schema) { child in
            if case .reference(let key) = child.kind, let name = names[key] { found.insert(name) }
        }
        return found
    }

    /// Calls `body` with the schema and every schema nested in it (not following references).
    /// Static: a closure that captured the translator copied all of it at every call.
    static func forEachChild(_ schema: Schema, _ body: (Schema) -> Void) {
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

    func resolved(_ schema: Schema) -> Schema {
        var current = schema
        var seen = Set<RefKey>()
        while case .reference(let key) = current.kind, seen.insert(key).inserted, let named = document.namedSchema(key)
        {
            current = named.schema
        }
        return current
    }

    /// The declaration a schema needs when it is given a name, or nil when a type alias does.
    mutating func declaration(for schema: Schema, name: String, keepsNull: Bool) -> TypeDecl? {
        switch schema.kind {
        case .string where schema.stringEnumValues != nil:
            return TypeDecl(
                name: name, doc: schema.description, kind: .openEnum(enumCases(schema.stringEnumValues!)),
                isDeprecated: schema.isDeprecated)
        case .object(let object) where !object.properties.isEmpty || !hasMapShape(object):
            var nested: [TypeDecl] = []
            let (props, extra) = properties(of: object, owner: name, nested: &nested, keepsNull: keepsNull)
            return TypeDecl(
                name: name, doc: schema.description, kind: .structure(props, additionalProperties: extra),
                nested: nested, isDeprecated: schema.isDeprecated)
        case .allOf(let parts):
            var merged: [ObjectSchema.Property] = []
            var extra: ObjectSchema.AdditionalProperties = .unspecified
            var origins: [String: RefKey] = [:]
            flatten(parts, into: &merged, additional: &extra, origins: &origins, from: nil, seen: [])
            var nested: [TypeDecl] = []
            let (props, extraType) = properties(
                of: ObjectSchema(properties: merged, additionalProperties: extra), owner: name,
                nested: &nested, keepsNull: keepsNull, origins: origins)
            return TypeDecl(
                name: name, doc: schema.description, kind: .structure(props, additionalProperties: extraType),
                nested: nested, isDeprecated: schema.isDeprecated)
        case .oneOf(let branches, let discriminator):
            return union(
                branches, discriminator: discriminator, name: name, doc: schema.description, keepsNull: keepsNull)
        case .anyOf(let branches):
            return union(branches, discriminator: nil, name: name, doc: schema.description, keepsNull: keepsNull)
        default:
            return nil
        }
    }

    func hasMapShape(_ object: ObjectSchema) -> Bool {
        if case .schema = object.additionalProperties { return object.properties.isEmpty }
        return false
    }

    mutating func flatten(
        _ parts: [Schema], into properties: inout [ObjectSchema.Property],
        additional: inout ObjectSchema.AdditionalProperties, seen: Set<RefKey>
    ) {
        var origins: [String: RefKey] = [:]
        flatten(parts, into: &properties, additional: &additional, origins: &origins, from: nil, seen: seen)
    }

    /// `origins`: for each merged property, the named schema (an `allOf` part, by reference) it
    /// comes from unchanged; a property a later inline part redefines has none.
    mutating func flatten(
        _ parts: [Schema], into properties: inout [ObjectSchema.Property],
        additional: inout ObjectSchema.AdditionalProperties, origins: inout [String: RefKey],
        from origin: RefKey?, seen: Set<RefKey>
    ) {
        for part in parts {
            var seen = seen
            var partOrigin = origin
            if case .reference(let key) = part.kind {
                guard seen.insert(key).inserted else { continue }
                partOrigin = origin ?? key
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
                    origins[property.name] = partOrigin
                }
                if case .schema = object.additionalProperties { additional = object.additionalProperties }
            case .allOf(let nestedParts):
                flatten(
                    nestedParts, into: &properties, additional: &additional, origins: &origins, from: partOrigin,
                    seen: seen)
            case .any:
                continue
            default:
                log.warning(
                    "allOf part is not an object; only object parts are merged, this one is not checked",
                    at: part.location)
            }
        }
    }

    /// `origins` (from `flatten`): members an `allOf` takes unchanged from a named part get that
    /// part's type, nested types included (`Pet.Status`), instead of declaring a copy of them here.
    mutating func properties(
        of object: ObjectSchema, owner: String, nested: inout [TypeDecl],
        keepsNull: Bool, origins: [String: RefKey] = [:]
    ) -> ([PropertyDecl], SwiftType?) {
        var scope = Naming.Scope(reserved: Self.reservedMemberNames, expectedCount: object.properties.count)
        var nestedScope = Naming.Scope(reserved: [owner.lowercased(), "codingkeys"])
        var result: [PropertyDecl] = []
        // Reused members: where their own nested types would have gone, should they be needed after all.
        var reused: [(property: Int, nestedAt: Int, name: String, schema: Schema)] = []
        var roots = Set<String>()
        for property in object.properties {
            let name = scope.claim(names.camelCase(property.name))
            // A nested type must not shadow a top-level type its own members name (`A.B` holding a `B`).
            let nestedName = nestedScope.claim(
                names.typeName(property.name), avoiding: referencedTypeNames(property.schema))
            let base: SwiftType
            if let key = origins[property.name], let type = reusedType(property.name, from: key, keepsNull: keepsNull) {
                base = type
                reused.append((result.count, nested.count, nestedName, property.schema))
                for named in Self.namedTypes(in: type) where named.utf8.contains(UInt8(ascii: ".")) {
                    roots.insert(String(named.prefix { $0 != "." }))
                }
            } else {
                base = swiftType(for: property.schema, suggestedName: nestedName, nested: &nested, keepsNull: keepsNull)
            }
            let nullable = property.schema.isNullable || resolved(property.schema).isNullable
            let presence: PropertyDecl.Presence =
                switch (property.isRequired, nullable) {
                case (true, false): .required
                case (true, true): .requiredNullable
                case (false, false): .optional
                case (false, true): keepsNull ? .optionalNullable : .optional
                }
            var decl = PropertyDecl(
                name: name, wireName: property.name, baseType: base, presence: presence,
                doc: property.schema.description, isDeprecated: property.schema.isDeprecated)
            decl.problemMember = property.schema.problemMember
            result.append(decl)
        }
        var extra: SwiftType?
        if case .schema(let schema) = object.additionalProperties, !object.properties.isEmpty {
            // Kept so nothing the server sends is lost.
            extra = swiftType(
                for: schema, suggestedName: nestedScope.claim("AdditionalProperty"), nested: &nested,
                keepsNull: keepsNull)
        }
        // A type declared here (or this one) named like the part would hide it (`Pet.Status` read as
        // this type's own `Pet`): then the reused members get their own nested types after all.
        if !roots.isEmpty, roots.contains(owner) || nested.contains(where: { roots.contains($0.name) }) {
            for entry in reused.reversed() {
                var own: [TypeDecl] = []
                result[entry.property].baseType = swiftType(
                    for: entry.schema, suggestedName: entry.name, nested: &own,
                    keepsNull: keepsNull)
                nested.insert(contentsOf: own, at: entry.nestedAt)
            }
        }
        return (result, extra)
    }

    /// The type of member `wireName` as the named schema `key` declares it, its nested types
    /// qualified (`Pet.Status`); nil when that schema is not declared as a structure, or is declared
    /// for a different `keepsNull` (its nested types would differ).
    mutating func reusedType(_ wireName: String, from key: RefKey, keepsNull: Bool) -> SwiftType? {
        guard patchReachable.contains(key) == keepsNull, let decl = namedDeclaration(key),
            case .structure(let properties, _) = decl.kind,
            let property = properties.first(where: { $0.wireName == wireName })
        else { return nil }
        func qualified(_ type: SwiftType) -> SwiftType {
            switch type {
            case .named(let name): decl.nested.contains { $0.name == name } ? .named(decl.name + "." + name) : type
            case .array(let element): .array(qualified(element))
            case .dictionary(let value): .dictionary(qualified(value))
            case .optional(let wrapped): .optional(qualified(wrapped))
            case .nullable(let wrapped): .nullable(qualified(wrapped))
            }
        }
        return qualified(property.baseType)
    }

    /// The declaration of a named schema, made once: an `allOf` that reuses a part's members asks
    /// for the part's declaration before its turn comes (nil while it is being made: a cycle).
    mutating func namedDeclaration(_ key: RefKey) -> TypeDecl? {
        if let made = namedDeclarations[key] { return made }
        guard let named = document.namedSchema(key), let name = typeNames[key], declaring.insert(key).inserted else {
            return nil
        }
        defer { declaring.remove(key) }
        let decl = declaration(for: named.schema, name: name, keepsNull: patchReachable.contains(key))
        namedDeclarations[key] = decl
        return decl
    }

    static func namedTypes(in type: SwiftType) -> [String] {
        switch type {
        case .named(let name): [name]
        case .array(let inner), .dictionary(let inner), .optional(let inner), .nullable(let inner):
            namedTypes(in: inner)
        }
    }

    mutating func union(
        _ branches: [Schema], discriminator: Discriminator?, name: String, doc: String?,
        keepsNull: Bool
    ) -> TypeDecl {
        var nested: [TypeDecl] = []
        var caseScope = Naming.Scope(reserved: Self.reservedUnionCaseNames)
        var nestedScope = Naming.Scope(reserved: [name.lowercased()])
        var cases: [UnionCase] = []
        for (i, branch) in branches.enumerated() {
            let label: String
            switch branch.kind {
            case .reference(let key): label = typeNames[key] ?? "option\(i + 1)"
            case .string:
                label =
                    branch.format == "date-time"
                    ? "date" : (branch.stringEnumValues != nil ? (branch.title ?? "option\(i + 1)") : "string")
            case .integer: label = "integer"
            case .number: label = "number"
            case .boolean: label = "boolean"
            case .array: label = "array"
            default: label = branch.title ?? "option\(i + 1)"
            }
            let type = swiftType(
                for: branch, suggestedName: nestedScope.claim(names.typeName(label)), nested: &nested,
                keepsNull: keepsNull)
            var tags: [String] = []
            if let discriminator, case .reference(let key) = branch.kind {
                tags = discriminator.mapping.filter { $0.target == key }.map(\.value)
            }
            cases.append(UnionCase(name: caseScope.claim(names.camelCase(label)), type: type, tags: tags))
        }
        return TypeDecl(
            name: name, doc: doc, kind: .union(cases, discriminator: discriminator?.propertyName), nested: nested)
    }

    // Names a scope starts with, made once (a set literal hashed its members at every declaration).
    static let reservedMemberNames: Set<String> = ["init", "encode", "codingkeys", "additionalproperties"]
    static let reservedUnionCaseNames: Set<String> = ["undocumented"]
    static let reservedEnumCaseNames: Set<String> = ["undocumented", "rawvalue", "init", "description"]

    mutating func enumCases(_ values: [String]) -> [EnumCase] {
        var scope = Naming.Scope(reserved: Self.reservedEnumCaseNames, expectedCount: values.count)
        var cases: [EnumCase] = []
        cases.reserveCapacity(values.count)
        for value in values {
            cases.append(EnumCase(name: scope.claim(value.isEmpty ? "empty" : names.camelCase(value)), rawValue: value))
        }
        return cases
    }

    func catalogEnum(_ catalog: ErrorCatalog, name: String, doc: String?) -> TypeDecl {
        var scope = Naming.Scope(reserved: Self.reservedEnumCaseNames)
        let cases = catalog.entries.map { EnumCase(name: scope.claim(Naming.camelCase($0.code)), rawValue: $0.code) }
        return TypeDecl(name: name, doc: doc, kind: .openEnum(cases))
    }

    /// The Swift type for a schema used at operation level; inline declarations become top-level types.
    mutating func topLevelType(for schema: Schema, suggestedName: String, keepsNull: Bool) -> SwiftType {
        var nested: [TypeDecl] = []
        var type = swiftType(for: schema, suggestedName: suggestedName, nested: &nested, keepsNull: keepsNull)
        // Top-level names share the module with the schemas': an array schema `ToolCalls` whose items are
        // declared inline must not name them like the schema `ToolCall`.
        for index in nested.indices {
            let name = nested[index].name
            let claimed = topScope.claim(name)
            guard claimed != name else { continue }
            nested[index].name = claimed
            type = type.renaming(name, to: claimed)
        }
        extraTopLevel += nested
        return type
    }

    /// The Swift type for a schema used in place; inline declarations go to `nested`.
    mutating func swiftType(
        for schema: Schema, suggestedName: String, nested: inout [TypeDecl], keepsNull: Bool
    ) -> SwiftType {
        switch schema.kind {
        case .reference(let key):
            return .named(typeNames[key] ?? "JSONValue")
        case .any, .null:
            return .json
        case .string:
            if schema.stringEnumValues != nil,
                let decl = declaration(for: schema, name: suggestedName, keepsNull: keepsNull)
            {
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
            return .array(
                swiftType(
                    for: items, suggestedName: Naming.singular(suggestedName), nested: &nested, keepsNull: keepsNull))
        case .object(let object):
            if object.properties.isEmpty {
                switch object.additionalProperties {
                case .schema(let value):
                    return .dictionary(
                        swiftType(
                            for: value, suggestedName: suggestedName + "Value", nested: &nested, keepsNull: keepsNull))
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
}
