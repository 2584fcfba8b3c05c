/// Stage 4a: renders the models module (types, the error catalog enum, `APIError`).
struct ModelsRenderer {
    let api: GeneratedAPI

    func render() -> [(name: String, contents: String)] {
        var files: [(String, String)] = []
        var models = "import Foundation\n"
        for type in api.types {
            models += "\n" + declaration(type, indent: "")
        }
        files.append(("Models.swift", models))
        files.append(("APIError.swift", apiError()))
        files.append(("Support.swift", RuntimeSources.models))
        return files
    }

    // MARK: Declarations

    func declaration(_ type: TypeDecl, indent: String) -> String {
        var out = Text.doc(type.doc, indent: indent)
        if type.isDeprecated { out += "\(indent)@available(*, deprecated)\n" }
        switch type.kind {
        case .alias(let target):
            out += "\(indent)public typealias \(type.name) = \(target.code)\n"
        case .openEnum(let cases):
            out += openEnum(type.name, cases, indent: indent)
        case .structure(let properties, let extra):
            out += structure(type, properties, extra, indent: indent)
        case .union(let cases, let discriminator):
            out += union(type, cases, discriminator, indent: indent)
        }
        return out
    }

    private func openEnum(_ name: String, _ cases: [EnumCase], indent: String) -> String {
        let i2 = indent + "    ", i3 = i2 + "    "
        var out = "\(indent)public enum \(name): OpenEnum {\n"
        for c in cases {
            out += "\(i2)case \(c.name)\n"
        }
        out += "\(i2)/// A value this version of the API does not know.\n\(i2)case undocumented(String)\n\n"
        out += "\(i2)public init(rawValue: String) {\n\(i3)switch rawValue {\n"
        for c in cases { out += "\(i3)case \(Text.literal(c.rawValue)): self = .\(c.name)\n" }
        out += "\(i3)default: self = .undocumented(rawValue)\n\(i3)}\n\(i2)}\n\n"
        out += "\(i2)public var rawValue: String {\n\(i3)switch self {\n"
        for c in cases { out += "\(i3)case .\(c.name): \(Text.literal(c.rawValue))\n" }
        out += "\(i3)case .undocumented(let value): value\n\(i3)}\n\(i2)}\n"
        return out + "\(indent)}\n"
    }

    private func structure(_ type: TypeDecl, _ properties: [PropertyDecl], _ extra: SwiftType?, indent: String) -> String {
        let i2 = indent + "    ", i3 = i2 + "    "
        var out = "\(indent)public struct \(type.name): Codable, Hashable, Sendable {\n"
        for nested in type.nested { out += declaration(nested, indent: i2) + "\n" }
        for p in properties {
            out += Text.doc(p.doc, indent: i2)
            if p.isDeprecated { out += "\(i2)@available(*, deprecated)\n" }
            if p.isBoxed {
                let storage = p.type.isOptional ? "_\(Naming.bare(p.name))?.value" : "_\(Naming.bare(p.name)).value"
                let assign = p.type.isOptional ? "newValue.map(Indirect.init)" : "Indirect(newValue)"
                out += "\(i2)public var \(p.name): \(p.type.code) {\n\(i3)get { \(storage) }\n\(i3)set { _\(Naming.bare(p.name)) = \(assign) }\n\(i2)}\n"
                out += "\(i2)private var _\(Naming.bare(p.name)): Indirect<\(p.baseType.code)>\(p.type.isOptional ? "?" : "")\n"
            } else {
                out += "\(i2)public var \(p.name): \(p.type.code)\n"
            }
        }
        if let extra {
            out += "\(i2)/// Members the spec does not name.\n\(i2)public var additionalProperties: [String: \(extra.code)]\n"
        }

        // Memberwise initializer.
        var params = properties.map { p in "\(p.name): \(p.type.code)\(p.type.isOptional ? " = nil" : "")" }
        if let extra { params.append("additionalProperties: [String: \(extra.code)] = [:]") }
        let signature = params.joined(separator: ", ")
        out += "\n"
        if signature.count > 80 {
            out += "\(i2)public init(\n" + params.map { "\(i3)\($0)" }.joined(separator: ",\n") + "\n\(i2)) {\n"
        } else {
            out += "\(i2)public init(\(signature)) {\n"
        }
        for p in properties {
            if p.isBoxed {
                out += "\(i3)_\(Naming.bare(p.name)) = \(p.type.isOptional ? "\(p.name).map(Indirect.init)" : "Indirect(\(p.name))")\n"
            } else {
                out += "\(i3)self.\(Naming.bare(p.name)) = \(p.name)\n"
            }
        }
        if extra != nil { out += "\(i3)self.additionalProperties = additionalProperties\n" }
        out += "\(i2)}\n"

        let needsDecode = extra != nil || properties.contains { $0.isBoxed || $0.presence == .optionalNullable }
        let needsEncode = extra != nil || properties.contains { $0.isBoxed || $0.presence == .requiredNullable }
        let renamed = properties.contains { Naming.bare($0.name) != $0.wireName }
        if !properties.isEmpty && (renamed || needsDecode || needsEncode) {
            out += "\n\(i2)enum CodingKeys: String, CodingKey {\n"
            for p in properties {
                out += Naming.bare(p.name) == p.wireName ? "\(i3)case \(p.name)\n" : "\(i3)case \(p.name) = \(Text.literal(p.wireName))\n"
            }
            out += "\(i2)}\n"
        }
        if needsDecode {
            out += "\n\(i2)public init(from decoder: any Decoder) throws {\n"
            if !properties.isEmpty { out += "\(i3)let container = try decoder.container(keyedBy: CodingKeys.self)\n" }
            for p in properties {
                let target = p.isBoxed ? "_\(Naming.bare(p.name))" : "self.\(Naming.bare(p.name))"
                let base = p.baseType.code
                let value: String = switch p.presence {
                case .required: "try container.decode(\(base).self, forKey: .\(Naming.bare(p.name)))"
                case .requiredNullable, .optional: "try container.decodeIfPresent(\(base).self, forKey: .\(Naming.bare(p.name)))"
                case .optionalNullable: "try container.decodeNullable(\(base).self, forKey: .\(Naming.bare(p.name)))"
                }
                if p.isBoxed {
                    out += "\(i3)\(target) = \(p.type.isOptional ? "(\(value)).map(Indirect.init)" : "Indirect(\(value))")\n"
                } else {
                    out += "\(i3)\(target) = \(value)\n"
                }
            }
            if let extra {
                let known = properties.map { Text.literal($0.wireName) }.joined(separator: ", ")
                out += "\(i3)additionalProperties = try decoder.container(keyedBy: AnyCodingKey.self)\n"
                out += "\(i3)    .decodeAdditional(\(extra.code).self, known: [\(known)])\n"
            }
            out += "\(i2)}\n"
        }
        if needsEncode {
            out += "\n\(i2)public func encode(to encoder: any Encoder) throws {\n"
            if !properties.isEmpty { out += "\(i3)var container = encoder.container(keyedBy: CodingKeys.self)\n" }
            for p in properties {
                let key = ".\(Naming.bare(p.name))"
                switch p.presence {
                case .required, .requiredNullable: out += "\(i3)try container.encode(\(p.name), forKey: \(key))\n"
                case .optional, .optionalNullable: out += "\(i3)try container.encodeIfPresent(\(p.name), forKey: \(key))\n"
                }
            }
            if extra != nil {
                out += "\(i3)var extra = encoder.container(keyedBy: AnyCodingKey.self)\n"
                out += "\(i3)for (key, value) in additionalProperties { try extra.encode(value, forKey: AnyCodingKey(key)) }\n"
            }
            out += "\(i2)}\n"
        }
        return out + "\(indent)}\n"
    }

    private func union(_ type: TypeDecl, _ cases: [UnionCase], _ discriminator: String?, indent: String) -> String {
        let i2 = indent + "    ", i3 = i2 + "    ", i4 = i3 + "    "
        var out = "\(indent)public indirect enum \(type.name): Codable, Hashable, Sendable {\n"
        for nested in type.nested { out += declaration(nested, indent: i2) + "\n" }
        for c in cases { out += "\(i2)case \(c.name)(\(c.type.code))\n" }
        if discriminator != nil {
            out += "\(i2)/// A kind this version of the API does not know.\n\(i2)case undocumented(JSONValue)\n"
        }
        out += "\n\(i2)public init(from decoder: any Decoder) throws {\n"
        if let discriminator {
            out += "\(i3)let tag = try decoder.container(keyedBy: AnyCodingKey.self).decode(String.self, forKey: AnyCodingKey(\(Text.literal(discriminator))))\n"
            out += "\(i3)let value = try decoder.singleValueContainer()\n"
            out += "\(i3)switch tag {\n"
            for c in cases where !c.tags.isEmpty {
                out += "\(i3)case \(c.tags.map(Text.literal).joined(separator: ", ")): self = .\(c.name)(try value.decode(\(c.type.code).self))\n"
            }
            out += "\(i3)default: self = .undocumented(try value.decode(JSONValue.self))\n\(i3)}\n"
        } else {
            out += "\(i3)let value = try decoder.singleValueContainer()\n"
            for c in cases {
                out += "\(i3)if let decoded = try? value.decode(\(c.type.code).self) {\n\(i4)self = .\(c.name)(decoded)\n\(i4)return\n\(i3)}\n"
            }
            out += "\(i3)throw DecodingError.dataCorruptedError(in: value, debugDescription: \(Text.literal("matches none of \(type.name)'s schemas")))\n"
        }
        out += "\(i2)}\n\n\(i2)public func encode(to encoder: any Encoder) throws {\n"
        out += "\(i3)var container = encoder.singleValueContainer()\n\(i3)switch self {\n"
        for c in cases { out += "\(i3)case .\(c.name)(let value): try container.encode(value)\n" }
        if discriminator != nil { out += "\(i3)case .undocumented(let value): try container.encode(value)\n" }
        out += "\(i3)}\n\(i2)}\n"
        return out + "\(indent)}\n"
    }

    // MARK: Errors

    /// The problem type's properties, when the catalog variant of `APIError` applies.
    var problemShape: ProblemShape? { ProblemShape(api: api) }

    private func apiError() -> String {
        guard let shape = problemShape, let catalog = api.catalog else { return genericAPIError }
        var out = "import Foundation\n\n"
        out += catalogExtension(catalog)
        out += """

        /// An error answer of the API: the catalog code, plus every member of the problem body.
        ///
        /// Clients receive it from every operation; servers throw it from handlers. Switch on
        /// `code`; a code this version does not know arrives as `.undocumented` with its status.
        public struct APIError: Swift.Error, Sendable, Hashable, CustomStringConvertible {
            /// The HTTP status.
            public var status: Int
            public var code: \(catalog.typeName)
            /// The problem body (nil when the answer was not a problem, such as a proxy's error page).
            public var problem: \(shape.typeName)?
            /// Seconds to wait before retrying (`Retry-After`\(shape.retryAfterWire.map { ", or `\($0)`" } ?? "")).
            public var retryAfter: Int?

            public init(status: Int, code: \(catalog.typeName), problem: \(shape.typeName)?, retryAfter: Int?) {
                self.status = status
                self.code = code
                self.problem = problem
                self.retryAfter = retryAfter
            }

        """
        if let initBody = shape.serverInit(catalog: catalog) {
            out += initBody
        }
        out += """
            /// The problem's `detail`, else the catalog title.
            public var detail: String { \(shape.detailExpression) }

            public var description: String { "\\(status) \\(code.rawValue): \\(detail)" }
        }

        """
        return out
    }

    private func catalogExtension(_ catalog: CatalogDecl) -> String {
        func property(_ name: String, _ type: String, _ doc: String, _ value: (CatalogDecl.Entry) -> String, _ fallback: String) -> String {
            var out = "    /// \(doc)\n    public var \(name): \(type) {\n        switch self {\n"
            for e in catalog.entries { out += "        case .\(e.caseName): \(value(e))\n" }
            out += "        case .undocumented: \(fallback)\n        }\n    }\n"
            return out
        }
        var out = "extension \(catalog.typeName) {\n"
        out += property("status", "Int?", "The HTTP status that comes with the code (nil for a code this version does not know).", { String($0.status) }, "nil")
        out += "\n" + property("title", "String", "Short English title, the same for every occurrence.", { Text.literal($0.title) }, "\"Error\"")
        out += "\n" + property("userMessage", "String", "A message for the app's user, in English. `Localizable.xcstrings` has it under `localizationKey`.", { Text.literal($0.message) }, Text.literal("Something went wrong. Please try again."))
        out += "\n" + property("isRetryable", "Bool", "Whether the same request may succeed if sent again later.", { $0.isRetryable ? "true" : "false" }, "false")
        out += """

            /// The problem `type` URI of the code.
            public var typeURI: String {
                \(Text.literal(catalog.typeBase)) + rawValue.lowercased().replacingOccurrences(of: "_", with: "-")
            }

            /// The key of `userMessage` in `Localizable.xcstrings`.
            public var localizationKey: String { "error." + rawValue }
        }

        """
        return out
    }

    private var genericAPIError: String {
        """
        import Foundation

        /// An error answer of the API: its status and body.
        public struct APIError: Swift.Error, Sendable, Hashable, CustomStringConvertible {
            /// The HTTP status.
            public var status: Int
            /// The body, when it was JSON (RFC 9457 problems included).
            public var body: JSONValue?
            /// Seconds to wait before retrying (`Retry-After`).
            public var retryAfter: Int?

            public init(status: Int, body: JSONValue? = nil, retryAfter: Int? = nil) {
                self.status = status
                self.body = body
                self.retryAfter = retryAfter
            }

            /// For servers: an RFC 9457 problem with this status and detail.
            public init(status: Int, detail: String, retryAfter: Int? = nil) {
                self.init(status: status, body: .object([
                    "type": .string("about:blank"), "status": .integer(status), "detail": .string(detail),
                ]), retryAfter: retryAfter)
            }

            /// The body decoded as one of the spec's error schemas.
            public func decodeBody<T: Decodable>(as type: T.Type = T.self) throws -> T {
                try (body ?? .null).decode(as: T.self)
            }

            public var detail: String {
                if case .object(let members)? = body, case .string(let detail)? = members["detail"] ?? members["message"] { return detail }
                return "HTTP \\(status)"
            }

            public var description: String { "\\(status): \\(detail)" }
        }

        """
    }
}

/// How the problem type's members map onto RFC 9457 and the catalog.
struct ProblemShape {
    var typeName: String
    var properties: [PropertyDecl]
    var codeProperty: PropertyDecl
    var retryAfterWire: String?

    init?(api: GeneratedAPI) {
        guard let catalog = api.catalog, let name = api.problemType,
              let decl = api.types.first(where: { $0.name == name }),
              case .structure(let properties, _) = decl.kind,
              let code = properties.first(where: { $0.baseType == .named(catalog.typeName) })
        else { return nil }
        typeName = name
        self.properties = properties
        codeProperty = code
        retryAfterWire = properties.first { $0.problemMember == .retryAfter }?.wireName
    }

    func property(_ wire: String) -> PropertyDecl? { properties.first { $0.wireName == wire } }

    /// The members the spec marks with `x-problem-member` (RFC 9457 has no such members).
    var requestIdProperty: PropertyDecl? { properties.first { $0.problemMember == .requestId } }
    var errorsProperty: PropertyDecl? { properties.first { $0.problemMember == .fieldErrors } }

    var detailExpression: String {
        if let detail = property("detail") {
            let access = detail.type.isOptional ? "problem?.\(detail.name) ?? code.title" : "problem?.\(detail.name) ?? code.title"
            return access
        }
        return "code.title"
    }

    /// The server-side initializer, when every required member of the problem can be filled in.
    func serverInit(catalog: CatalogDecl) -> String? {
        var args: [String] = []
        for p in properties {
            let value: String?
            switch p.wireName {
            case "type": value = "code.typeURI"
            case "title": value = "code.title"
            case "status": value = p.baseType == .named("Int") ? "status" : nil
            case "detail": value = "detail"
            case codeProperty.wireName: value = "code"
            default:
                switch p.problemMember {
                case .requestId: value = "\"\""
                case .retryAfter: value = "retryAfter"
                case .fieldErrors, nil: value = nil
                }
            }
            if let value {
                args.append("\(Naming.bare(p.name)): \(value)")
            } else if !p.type.isOptional {
                return nil
            }
        }
        let problemArguments = "\n" + Text.argumentLines(args, indent: String(repeating: " ", count: 12)) + "\n        "
        return """
            /// For servers: an error of the catalog. `update` sets more problem members
            /// (the request id is filled in when the response is written). `status` is for a code
            /// the catalog does not hold; a catalog code brings its own.
            public init(
                _ code: \(catalog.typeName), status: Int? = nil, detail: String, retryAfter: Int? = nil,
                update: (inout \(typeName)) -> Void = { _ in }
            ) {
                let status = code.status ?? status ?? 500
                var problem = \(typeName)(\(problemArguments))
                update(&problem)
                self.init(status: status, code: code, problem: problem, retryAfter: retryAfter)
            }


        """
    }
}
