/// How the problem type's members map onto RFC 9457 and the catalog: what the models, client and
/// server renderers need to know about the problem body.
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
        // `problem` is optional either way, so the member's own optionality does not matter.
        if let detail = property("detail") { return "problem?.\(detail.name) ?? code.title" }
        return "code.title"
    }

    /// The arguments of the problem a server-side error builds (`type: code.typeURI`…), or nil
    /// when a required member of the problem cannot be filled in.
    func serverInitArguments() -> [String]? {
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
        return args
    }
}
