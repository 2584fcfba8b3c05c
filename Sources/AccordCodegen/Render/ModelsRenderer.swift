/// Stage 4a: renders the models module (types, the error catalog enum, `APIError`).
struct ModelsRenderer {
    let api: GeneratedAPI
    /// The models' runtime module, which the models import and re-export.
    let runtimeModule: String
    /// About how many lines one models file holds (`files`).
    var linesPerFile = Self.linesPerFile

    /// Models are most of a large spec's output: they are rendered in `slices` pieces, each a run of
    /// whole declarations, and written in several files when they are long (`files`).
    func render(slices: Int) -> [PendingFile] {
        let types = api.types
        let files = Self.files(types, linesPerFile: linesPerFile)
        let models = files.enumerated().map { number, range in
            // Each file its share of the slices, at least one.
            let share = max(1, slices * range.count / max(types.count, 1))
            return PendingFile(
                number == 0 ? "Models.swift" : "Models\(number + 1).swift", start: .early,
                pieces: pieces(range, slices: share, first: number == 0))
        }
        return models + [PendingFile("APIError.swift") { apiError() }]
    }

    /// About how many lines one models file holds. The compiler makes an object file of each source
    /// file, and its work on one grows faster than the file: OpenAI's models took a fifth less CPU
    /// and a quarter of the memory in eight files than in one (BENCHMARKS.md); and several files
    /// compile side by side.
    static let linesPerFile = 6_000

    /// The runs of `types` that go in one file each. Where a file ends depends on the spec alone,
    /// never on the machine, so every machine writes the same files.
    static func files(_ types: [TypeDecl], linesPerFile: Int) -> [Range<Int>] {
        var files: [Range<Int>] = []
        var start = 0, lines = 0
        for index in types.indices {
            lines += estimatedLines(types[index])
            if lines >= linesPerFile, index + 1 < types.count {
                files.append(start..<index + 1)
                start = index + 1
                lines = 0
            }
        }
        files.append(start..<types.count)
        return files
    }

    /// Roughly the lines a declaration is written in (its members, initialiser and coding keys).
    static func estimatedLines(_ type: TypeDecl) -> Int {
        var lines = 4
        switch type.kind {
        case .structure(let properties, _): lines += 5 * properties.count
        case .openEnum(let cases): lines += 4 + cases.count
        case .union(let cases, _): lines += 10 + 4 * cases.count
        case .alias: break
        }
        return type.nested.reduce(lines) { $0 + estimatedLines($1) }
    }

    /// A file's declarations in about `slices` pieces; the first piece imports what they use.
    private func pieces(_ range: Range<Int>, slices: Int, first: Bool) -> [@Sendable () -> String] {
        let types = api.types
        let size = max(1, (range.count + slices - 1) / max(1, slices))
        return stride(from: range.lowerBound, to: max(range.upperBound, range.lowerBound + 1), by: size).map { start in
            { [self] in
                let end = min(start + size, range.upperBound)
                var models = SwiftWriter(reservingCapacity: 64 + (end - start) * 2048)
                if start == range.lowerBound {
                    models.line("import Foundation")
                    // The runtime's public types (`Nullable`, `JSONValue`…) are the models' vocabulary;
                    // the first file re-exports them for the client's and the app's use.
                    models.line((first ? "@_exported import " : "import ") + runtimeModule)
                }
                for type in types[start..<end] {
                    models.blank()
                    declaration(type, &models)
                }
                return models.text
            }
        }
    }

    // MARK: Declarations

    /// `case a, b, c` on as few lines as fit.
    private func packedCases(_ names: [String], _ w: inout SwiftWriter) {
        var line = ""
        for name in names {
            if !line.isEmpty, line.columns + 2 + name.columns > w.room {
                w.line(line)
                line = ""
            }
            line += line.isEmpty ? "case " + name : ", " + name
        }
        if !line.isEmpty { w.line(line) }
    }

    func declaration(_ type: TypeDecl, _ w: inout SwiftWriter) {
        w.doc(type.doc)
        if type.isDeprecated { w.line("@available(*, deprecated)") }
        if let original = type.sameAs {
            w.line("public typealias \(type.name) = \(original)")
            return
        }
        switch type.kind {
        case .alias(let target):
            w.line("public typealias \(type.name) = \(target.code)")
        case .openEnum(let cases):
            openEnum(type.name, cases, &w)
        case .structure(let properties, let extra):
            structure(type, properties, extra, &w)
        case .union(let cases, let discriminator):
            union(type, cases, discriminator, &w)
        }
    }

    /// The cases, then their wire values as one table (`OpenEnum` turns it into `init(rawValue:)` and `rawValue`).
    private func openEnum(_ name: String, _ cases: [EnumCase], _ w: inout SwiftWriter) {
        typeScope("public enum \(name)", "OpenEnum", &w) { w in
            packedCases(cases.map(\.name), &w)
            w.line("/// A value this version of the API does not know.")
            w.line("case undocumented(String)")
            w.blank()
            let table = "public static let wireValues: WireValues<Self> = ["
            if cases.isEmpty {
                w.line(table + ":]")
            } else {
                w.call(table, cases.map { ".\($0.name): \(Text.literal($0.rawValue))" }, "]")
            }
            w.compactScope(
                "public var undocumentedValue: String?",
                "if case .undocumented(let value) = self { value } else { nil }")
        }
    }

    private func structure(
        _ type: TypeDecl, _ properties: [PropertyDecl], _ extra: SwiftType?, _ w: inout SwiftWriter
    ) {
        typeScope("public struct \(type.name)", "Codable, Hashable, Sendable", &w) { w in
            for nested in type.nested {
                declaration(nested, &w)
                w.blank()
            }
            for p in properties { storedProperty(p, &w) }
            if let extra {
                w.line("/// Members the spec does not name.")
                w.line("public var additionalProperties: [String: \(extra.code)]")
            }
            w.blank()
            memberwiseInit(properties, extra, &w)

            let needsDecode = extra != nil || properties.contains { $0.isBoxed || $0.presence == .optionalNullable }
            let needsEncode = extra != nil || properties.contains { $0.isBoxed || $0.presence == .requiredNullable }
            let renamed = properties.contains { Naming.bare($0.name) != $0.wireName }
            if !properties.isEmpty && (renamed || needsDecode || needsEncode) {
                w.blank()
                w.scope("enum CodingKeys: String, CodingKey") { w in
                    // Keys spelled as on the wire share lines; a renamed key has its own.
                    var plain: [String] = []
                    for p in properties {
                        if Naming.bare(p.name) == p.wireName {
                            plain.append(p.name)
                            continue
                        }
                        packedCases(plain, &w)
                        plain = []
                        w.line("case \(p.name) = \(Text.literal(p.wireName))")
                    }
                    packedCases(plain, &w)
                }
            }
            if needsDecode {
                w.blank()
                decoder(properties, extra, &w)
            }
            if needsEncode {
                w.blank()
                encoder(properties, extra, &w)
            }
        }
    }

    private func storedProperty(_ p: PropertyDecl, _ w: inout SwiftWriter) {
        w.doc(p.doc)
        if p.isDeprecated { w.line("@available(*, deprecated)") }
        guard p.isBoxed else {
            w.line("public var \(p.name): \(p.type.code)")
            return
        }
        let storage = "_" + Naming.bare(p.name)
        w.scope("public var \(p.name): \(p.type.code)") { w in
            w.line("get { \(storage)\(p.type.isOptional ? "?" : "").value }")
            w.line("set { \(storage) = \(p.type.isOptional ? "newValue.map(Indirect.init)" : "Indirect(newValue)") }")
        }
        w.line("private var \(storage): Indirect<\(p.baseType.code)>\(p.type.isOptional ? "?" : "")")
    }

    private func memberwiseInit(_ properties: [PropertyDecl], _ extra: SwiftType?, _ w: inout SwiftWriter) {
        var params = properties.map { p in "\(p.name): \(p.type.code)\(p.type.isOptional ? " = nil" : "")" }
        if let extra { params.append("additionalProperties: [String: \(extra.code)] = [:]") }
        w.scope("public init(", params, ")") { w in
            for p in properties {
                if p.isBoxed {
                    let boxed = p.type.isOptional ? "\(p.name).map(Indirect.init)" : "Indirect(\(p.name))"
                    w.line("_\(Naming.bare(p.name)) = \(boxed)")
                } else {
                    w.line("self.\(Naming.bare(p.name)) = \(p.name)")
                }
            }
            if extra != nil { w.line("self.additionalProperties = additionalProperties") }
        }
    }

    private func decoder(_ properties: [PropertyDecl], _ extra: SwiftType?, _ w: inout SwiftWriter) {
        w.scope("public init(from decoder: any Decoder) throws") { w in
            if !properties.isEmpty { w.line("let container = try decoder.container(keyedBy: CodingKeys.self)") }
            for p in properties {
                let key = Naming.bare(p.name)
                let method =
                    switch p.presence {
                    case .required: "decode"
                    case .requiredNullable, .optional: "decodeIfPresent"
                    case .optionalNullable: "decodeNullable"
                    }
                let arguments = ["\(p.baseType.code).self", "forKey: .\(key)"]
                if !p.isBoxed {
                    w.call("self.\(key) = try container.\(method)(", arguments)
                } else if p.type.isOptional {
                    w.call("_\(key) = (try container.\(method)(", arguments, ")).map(Indirect.init)")
                } else {
                    w.call("_\(key) = Indirect(try container.\(method)(", arguments, "))")
                }
            }
            if let extra {
                w.line("additionalProperties = try decoder.container(keyedBy: AnyCodingKey.self)")
                w.indented { w in
                    w.call(
                        ".decodeAdditional(\(extra.code).self, known: [", properties.map { Text.literal($0.wireName) },
                        "])")
                }
            }
        }
    }

    private func encoder(_ properties: [PropertyDecl], _ extra: SwiftType?, _ w: inout SwiftWriter) {
        w.scope("public func encode(to encoder: any Encoder) throws") { w in
            if !properties.isEmpty { w.line("var container = encoder.container(keyedBy: CodingKeys.self)") }
            for p in properties {
                let method =
                    switch p.presence {
                    case .required, .requiredNullable: "encode"
                    case .optional, .optionalNullable: "encodeIfPresent"
                    }
                w.call("try container.\(method)(", [p.name, "forKey: .\(Naming.bare(p.name))"])
            }
            if extra != nil {
                w.line("var extra = encoder.container(keyedBy: AnyCodingKey.self)")
                w.compactScope(
                    "for (key, value) in additionalProperties", "try extra.encode(value, forKey: AnyCodingKey(key))")
            }
        }
    }

    private func union(_ type: TypeDecl, _ cases: [UnionCase], _ discriminator: String?, _ w: inout SwiftWriter) {
        typeScope("public indirect enum \(type.name)", "Codable, Hashable, Sendable", &w) { w in
            for nested in type.nested {
                declaration(nested, &w)
                w.blank()
            }
            for c in cases { w.call("case \(c.name)(", [c.type.code]) }
            if discriminator != nil {
                w.line("/// A kind this version of the API does not know.")
                w.line("case undocumented(JSONValue)")
            }
            w.blank()
            w.scope("public init(from decoder: any Decoder) throws") { w in
                if let discriminator {
                    w.call(
                        "let tag = try decoder.container(keyedBy: AnyCodingKey.self).decode(",
                        ["String.self", "forKey: AnyCodingKey(\(Text.literal(discriminator)))"])
                    w.line("let value = try decoder.singleValueContainer()")
                    w.switchScope("tag") { w in
                        for c in cases where !c.tags.isEmpty {
                            let decode = "try value.decode(\(c.type.code).self)"
                            w.caseLine(c.tags.map(Text.literal), "self = .\(c.name)(\(decode))") { w in
                                w.call("self = .\(c.name)(", [decode])
                            }
                        }
                        w.line("default: self = .undocumented(try value.decode(JSONValue.self))")
                    }
                } else {
                    w.line("let value = try decoder.singleValueContainer()")
                    for c in cases {
                        let attempt = "if let decoded = try? value.decode(\(c.type.code).self)"
                        let body = "self = .\(c.name)(decoded)"
                        if attempt.columns + body.columns + 13 <= w.room {
                            w.line(attempt + " { " + body + "; return }")
                        } else {
                            w.scope(attempt) { w in
                                w.line(body)
                                w.line("return")
                            }
                        }
                    }
                    w.call(
                        "throw DecodingError.dataCorruptedError(",
                        ["in: value", "debugDescription: \(Text.literal("matches none of \(type.name)'s schemas"))"])
                }
            }
            w.blank()
            w.scope("public func encode(to encoder: any Encoder) throws") { w in
                w.line("var container = encoder.singleValueContainer()")
                w.switchScope("self") { w in
                    for c in cases { w.caseLine([".\(c.name)(let value)"], "try container.encode(value)") }
                    if discriminator != nil { w.line("case .undocumented(let value): try container.encode(value)") }
                }
            }
        }
    }

    /// `declaration: conformances {`, the conformances on a line of their own when a long type
    /// name leaves no room for them.
    private func typeScope(
        _ declaration: String, _ conformances: String, _ w: inout SwiftWriter, _ body: (inout SwiftWriter) -> Void
    ) {
        let header = declaration + ": " + conformances
        if header.columns + 2 <= w.room {
            w.scope(header, body)
            return
        }
        w.line(declaration + ":")
        w.indented { $0.line(conformances) }
        w.line("{")
        w.indented(body)
        w.line("}")
    }
}
