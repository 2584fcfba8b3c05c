import AccordSpec

extension Translator {
    // MARK: Operations

    mutating func translate(_ op: Operation, typeName: String) -> OperationDecl {
        var paramScope = Naming.Scope(reserved: ["body", "requestid"])
        var parameters: [ParameterDecl] = []
        var takesAppVersion = false
        for param in op.parameters {
            if param.location == .header, let rid = options.requestIdHeader, param.name.lowercased() == rid.lowercased()
            {
                continue
            }
            if param.location == .header, let app = options.appVersionHeader,
                param.name.lowercased() == app.lowercased()
            {
                takesAppVersion = true
                continue
            }
            if param.location == .header, ["accept", "content-type", "authorization"].contains(param.name.lowercased())
            {
                log.warning(
                    "header parameter '\(param.name)' is set by the client itself and not generated",
                    at: param.sourceLocation)
                continue
            }
            if param.location == .cookie {
                log.warning(
                    "cookie parameter '\(param.name)' is not generated; set the cookie through the transport",
                    at: param.sourceLocation)
                continue
            }
            let name = paramScope.claim(names.camelCase(param.name))
            let type = topLevelType(
                for: param.schema, suggestedName: typeName + names.typeName(param.name), keepsNull: false)
            // A header object goes in simple style (`k,v`), as specified; only the query's differs.
            if case .object = resolved(param.schema).kind, param.location == .query, param.style != "deepObject" {
                log.warning(
                    "object-valued parameter '\(param.name)' is sent as deepObject (`name[key]=value`)",
                    at: param.sourceLocation)
            }
            var decl = ParameterDecl(
                name: name, wireName: param.name, location: param.location, type: type,
                isRequired: param.isRequired, explode: param.explode, doc: param.description,
                rule: buildsRules ? rule(for: param.schema) : RuleExpr(code: ""))
            decl.shape = parameterShape(param.schema)
            parameters.append(decl)
        }

        var body: BodyDecl?
        if let requestBody = op.requestBody {
            let content = requestBody.content
            let encoding = Self.encoding(for: content.mediaType)
            if content.mediaType.isMultipart {
                log.warning(
                    "\(content.mediaType.essence) request body is passed through as bytes the caller encodes",
                    at: requestBody.location)
            }
            let type: SwiftType
            switch encoding {
            case .json, .form:
                type =
                    content.schema.map {
                        topLevelType(for: $0, suggestedName: typeName + "Request", keepsNull: Self.keepsNull(op))
                    } ?? .json
            case .text: type = .string
            case .binary: type = .data
            }
            body = BodyDecl(
                type: type, isRequired: requestBody.isRequired, encoding: encoding,
                contentType: content.mediaType.essence, doc: requestBody.description,
                rule: encoding == .json && buildsRules ? content.schema.map { rule(for: $0) } : nil)
        }

        var responses: [ResponseDecl] = []
        var caseScope = Naming.Scope()
        for response in op.responses where response.status.isSuccess || (!response.status.isError) {
            var responseBody: (SwiftType, BodyEncoding, String)?
            if let content = response.content {
                let encoding = Self.encoding(for: content.mediaType)
                switch encoding {
                case .json, .form:
                    let suffix = op.responses.filter(\.status.isSuccess).count > 1 ? response.status.description : ""
                    var type = SwiftType.json
                    if let schema = content.schema {
                        type = topLevelType(
                            for: schema, suggestedName: typeName + "Response" + suffix, keepsNull: false)
                    }
                    responseBody = (type, .json, content.mediaType.essence)
                case .text: responseBody = (.string, .text, content.mediaType.essence)
                case .binary: responseBody = (.data, .binary, content.mediaType.essence)
                }
            }
            var headerScope = Naming.Scope(reserved: ["body"])
            let headers: [ResponseHeaderDecl] = response.headers.compactMap { header in
                if let rid = options.requestIdHeader, header.name.lowercased() == rid.lowercased() { return nil }
                if header.name.lowercased() == "content-type" { return nil }
                let type = topLevelType(
                    for: header.schema, suggestedName: typeName + Naming.typeName(header.name), keepsNull: false)
                return ResponseHeaderDecl(
                    name: headerScope.claim(Naming.camelCase(header.name)), wireName: header.name,
                    type: type, isRequired: header.isRequired, doc: header.description)
            }
            responses.append(
                ResponseDecl(
                    status: response.status, caseName: caseScope.claim(Self.caseName(for: response.status)),
                    body: responseBody, headers: headers, doc: response.description))
        }

        let security: SecurityDecl
        let alternatives = op.security
        if alternatives.isEmpty {
            security = .none
        } else {
            let schemes = Array(Set(alternatives.flatMap { $0 })).sorted()
            security =
                alternatives.contains(where: \.isEmpty) ? .optional(schemes: schemes) : .required(schemes: schemes)
        }

        let notFound = op.errorCodes.map(\.code).first { document.errorCatalog?.entry($0)?.status == 404 }
        var doc = [op.summary, op.description].compactMap { $0?.trimmingWhitespace() }
            .filter { !$0.isEmpty }.joined(separator: "\n\n")
        if doc.isEmpty { doc = "`\(op.method.rawValue.uppercased()) \(op.path)`" }
        var decl = OperationDecl(
            operationId: op.operationId, methodName: Naming.camelCase(op.operationId), typeName: typeName,
            httpMethod: op.method.rawValue.uppercased(), path: op.path, doc: doc, isDeprecated: op.isDeprecated,
            parameters: parameters, body: body, responses: responses, security: security,
            errorCodes: op.errorCodes.map(\.code), notFoundCode: notFound, bodyLimit: op.bodyLimit)
        decl.isWebhook = op.isWebhook
        decl.takesAppVersion = takesAppVersion
        if !op.isWebhook { clientMethod(&decl, for: op) }
        return decl
    }

    static func encoding(for mediaType: MediaType) -> BodyEncoding {
        if mediaType.isJSON { return .json }
        if mediaType.isForm { return .form }
        if mediaType.isText || mediaType.essence == "application/xml" { return .text }
        return .binary
    }

    static func caseName(for status: StatusCode) -> String {
        switch status {
        case .code(let c):
            let names = [
                200: "ok", 201: "created", 202: "accepted", 203: "nonAuthoritative", 204: "noContent",
                205: "resetContent", 206: "partialContent", 207: "multiStatus", 301: "movedPermanently",
                302: "found", 303: "seeOther", 304: "notModified", 307: "temporaryRedirect", 308: "permanentRedirect",
            ]
            return names[c] ?? "status\(c)"
        case .range(let r): return "status\(r)xx"
        case .default: return "other"
        }
    }

    /// Text values and lists of them go into the URL as they are; everything else as an object.
    func parameterShape(_ schema: Schema) -> ParameterDecl.ParameterShape {
        func isText(_ schema: Schema) -> Bool {
            switch resolved(schema).kind {
            case .string, .integer, .number, .boolean: true
            default: false
            }
        }
        if isText(schema) { return .value }
        if case .array(let items) = resolved(schema).kind, isText(items) { return .list }
        return .object
    }
}
