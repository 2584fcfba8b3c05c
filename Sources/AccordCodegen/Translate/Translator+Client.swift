import AccordSpec

/// The client's decisions, made once here so that the client, the replay tool and the app-facing
/// surface (`accord diff`) read the same answer.
extension Translator {
    /// How the client calls an operation: its credential, its arguments and what it returns.
    mutating func clientMethod(_ decl: inout OperationDecl, for op: Operation) {
        decl.clientCredential = clientCredential(for: op)
        decl.clientArguments = Self.clientArguments(decl.parameters, body: decl.body)
        decl.clientReturn = Self.clientReturn(decl.successResponses, typeName: decl.typeName)
    }

    /// Path parameters (in path order), then the body, then the required and the optional other
    /// parameters: what a call cannot do without comes first, what it can leave out last.
    static func clientArguments(_ parameters: [ParameterDecl], body: BodyDecl?) -> [ClientArgument] {
        func argument(_ p: ParameterDecl, optional: Bool) -> ClientArgument {
            ClientArgument(
                label: p.name, name: p.name, type: optional ? .optional(p.type) : p.type, hasDefault: optional,
                wireName: p.wireName, location: p.location, explode: p.explode)
        }
        var arguments = parameters.filter { $0.location == .path }.map { argument($0, optional: false) }
        if let body {
            arguments.append(
                ClientArgument(
                    label: "_", name: "body", type: body.isRequired ? body.type : .optional(body.type),
                    hasDefault: !body.isRequired, wireName: nil, location: nil))
        }
        let others = parameters.filter { $0.location != .path }
        arguments += others.filter(\.isRequired).map { argument($0, optional: false) }
        arguments += others.filter { !$0.isRequired }.map { argument($0, optional: true) }
        return arguments
    }

    /// Nothing when no success has a body, the body when every success has the same one, else
    /// `<Operation>Result`.
    static func clientReturn(_ successes: [ResponseDecl], typeName: String) -> ClientReturn {
        let bodies = Set(successes.map { $0.body?.type })
        if successes.isEmpty || bodies == [nil] { return .none }
        if bodies.count == 1, let only = bodies.first, let type = only { return .single(type) }
        return .result(typeName: "\(typeName)Result")
    }

    /// The first security alternative the client can satisfy by itself: a bearer token (HTTP
    /// bearer, OAuth 2, OpenID Connect) or an API key in a header or the query.
    mutating func clientCredential(for op: Operation) -> ClientCredential {
        var unsupported: [String] = []
        for alternative in op.security {
            guard alternative.count == 1, let name = alternative.first else {
                if alternative.count > 1 { unsupported.append(alternative.joined(separator: " + ")) }
                continue
            }
            switch document.securitySchemes[name] {
            case .httpBearer, .oauth2, .openIdConnect: return .bearer
            case .apiKey(let keyName, let location) where location == .header || location == .query:
                return .apiKey(scheme: name, name: keyName, location: location)
            default: unsupported.append(name)
            }
        }
        if !unsupported.isEmpty, !op.security.contains(where: \.isEmpty) {
            log.warning(
                "the client sends no credentials for \(op.operationId) (scheme \(unsupported.joined(separator: ", ")) "
                    + "is not a bearer token or an API key); set them through the transport", at: op.location)
        }
        return .none
    }

    /// The problem type's members by what they carry; nil unless the catalog's code is one of them.
    func problemDecl(types: [TypeDecl], catalog: CatalogDecl?, typeName: String?) -> ProblemDecl? {
        guard let catalog, let typeName, let decl = types.first(where: { $0.name == typeName }),
            case .structure(let properties, _) = decl.kind,
            let code = properties.first(where: { $0.baseType == .named(catalog.typeName) })
        else { return nil }
        func member(_ role: ProblemMemberRole) -> PropertyDecl? { properties.first { $0.problemMember == role } }
        return ProblemDecl(
            typeName: typeName, properties: properties, code: code, requestId: member(.requestId),
            retryAfter: member(.retryAfter), fieldErrors: member(.fieldErrors))
    }
}
