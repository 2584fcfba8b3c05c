import AccordSpec

/// The client's decisions, made once here so that the client, the replay tool and the app-facing
/// surface (`accord diff`) read the same answer.
extension Translator {
    /// How the client calls an operation: its credential, its arguments and what it returns.
    mutating func clientMethod(_ decl: inout OperationDecl, for op: Operation) {
        decl.clientCredential = clientCredential(for: op)
        decl.clientArguments = Self.clientArguments(decl.parameters, body: decl.body)
        for index in decl.responses.indices where decl.responses[index].status.isSuccess {
            decl.responses[index].clientPayload = Self.clientPayload(decl.responses[index])
        }
        decl.clientReturn = Self.clientReturn(decl.successResponses, typeName: decl.typeName)
    }

    /// The body; with a `Location` declared, the body and the location (a created resource's URL
    /// is what a caller usually wants next), or the location alone.
    static func clientPayload(_ response: ResponseDecl) -> ClientPayload? {
        let hasLocation = response.headers.contains { $0.wireName.lowercased() == "location" }
        switch (response.body, hasLocation) {
        case (let body?, false): return .body(body.type)
        case (let body?, true): return .created(body.type)
        case (nil, true): return .location
        case (nil, false): return nil
        }
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

    /// Nothing when no success gives anything back, the one payload when every success gives the
    /// same, else `<Operation>Result`.
    static func clientReturn(_ successes: [ResponseDecl], typeName: String) -> ClientReturn {
        let payloads = Set(successes.map(\.clientPayload))
        if successes.isEmpty || payloads == [nil] { return .none }
        if payloads.count == 1, let only = payloads.first, let payload = only { return .single(payload.type) }
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
