extension DocumentReader {
    // MARK: Paths and operations

    mutating func readPathItem(
        _ path: String, _ rawItem: SpecNode, keyLocation: SourceLocation, in rootFile: String,
        globalSecurity: [[String]], schemes: [String: SecurityScheme]
    ) -> [Operation] {
        if !path.hasPrefix("/") { log.error("path '\(path)' must start with '/'", at: keyLocation) }
        let item: SpecNode
        let file: String
        do { (item, _, file) = try docs.followRefs(rawItem, in: rootFile) } catch {
            log.add(error)
            return []
        }
        guard item.object != nil else {
            log.error("a path item must be an object", at: item.location)
            return []
        }
        let shared = readParameters(item["parameters"], in: file)
        var operations: [Operation] = []
        for method in HTTPMethod.allCases {
            guard let opNode = item[method.rawValue] else { continue }
            if let op = readOperation(
                method, path: path, opNode, shared: shared, in: file,
                globalSecurity: globalSecurity, schemes: schemes)
            {
                operations.append(op)
            }
        }
        return operations
    }

    mutating func readOperation(
        _ method: HTTPMethod, path: String, _ node: SpecNode, shared: [Parameter], in file: String,
        globalSecurity: [[String]], schemes: [String: SecurityScheme]
    ) -> Operation? {
        guard let object = node.object else {
            log.error("operation \(method.rawValue.uppercased()) \(path) must be an object", at: node.location)
            return nil
        }
        var operationId = object["operationId"]?.string ?? ""
        if operationId.isEmpty {
            log.warning(
                "\(method.rawValue.uppercased()) \(path) has no operationId; one is derived from the method and path",
                at: node.location)
            operationId = Self.derivedOperationId(method, path)
        }

        // Operation parameters override path-level ones with the same name and location.
        var parameters = shared
        for param in readParameters(object["parameters"], in: file) {
            parameters.removeAll { $0.name == param.name && $0.location == param.location }
            parameters.append(param)
        }
        checkPathTemplate(path, parameters, at: node.location)

        var requestBody: RequestBody?
        if let bodyNode = object["requestBody"] {
            requestBody = readRequestBody(bodyNode, in: file)
        }

        var responses: [Response] = []
        if let responsesNode = object["responses"]?.object {
            for entry in responsesNode.entries {
                guard let status = Self.statusCode(entry.key) else {
                    if !entry.key.hasPrefix("x-") {
                        log.error("'\(entry.key)' is not a response status code", at: entry.keyLocation)
                    }
                    continue
                }
                if let response = readResponse(status, entry.value, in: file) { responses.append(response) }
            }
        } else if !is31 {
            log.error("\(method.rawValue.uppercased()) \(path) has no 'responses'", at: node.location)
        }
        responses.sort { $0.status < $1.status }

        let security = readSecurityRequirements(object["security"], schemes: schemes) ?? globalSecurity
        let scopes = Self.securityScopes(object["security"] ?? docs.root["security"])
        var errorCodes: [(String, SourceLocation)] = []
        if let codes = object["x-error-codes"] {
            if let list = codes.array {
                for code in list {
                    if let text = code.string {
                        errorCodes.append((text, code.location))
                    } else {
                        log.error("'x-error-codes' entries must be strings", at: code.location)
                    }
                }
            } else {
                log.error("'x-error-codes' must be an array of catalog codes", at: codes.location)
            }
        }

        var bodyLimit: Int?
        if let limit = object["x-body-limit"] {
            if let bytes = limit.int, bytes > 0 {
                bodyLimit = bytes
            } else {
                log.error("'x-body-limit' must be a positive number of bytes", at: limit.location)
            }
        }
        var isWebhook = false
        if let webhook = object["x-webhook"] {
            if let flag = webhook.bool {
                isWebhook = flag
            } else {
                log.error("'x-webhook' must be true or false", at: webhook.location)
            }
        }
        var operation = Operation(
            operationId: operationId, isOperationIdDerived: object["operationId"]?.string == nil, method: method,
            path: path, summary: object["summary"]?.string,
            description: object["description"]?.string, tags: object["tags"]?.array?.compactMap(\.string) ?? [],
            isDeprecated: object["deprecated"]?.bool ?? false, parameters: parameters, requestBody: requestBody,
            responses: responses, security: security, securityScopes: scopes, bodyLimit: bodyLimit,
            errorCodes: errorCodes,
            location: node.location)
        operation.isWebhook = isWebhook
        return operation
    }

    /// A schema that only constrains an object's members (`required`, `minProperties`…), with no shape of its own.
    static func isConstraintOnly(_ node: SpecNode) -> Bool {
        guard let object = node.object else { return false }
        return !object.isEmpty && object.entries.allSatisfy { constraintKeywords.contains($0.key) }
    }

    private static let constraintKeywords: Set<String> = [
        "required", "minProperties", "maxProperties", "description", "title",
    ]

    /// Scheme name → the scopes its requirements list, over every alternative.
    static func securityScopes(_ node: SpecNode?) -> [String: Set<String>] {
        var scopes: [String: Set<String>] = [:]
        for requirement in node?.array ?? [] {
            for entry in requirement.object?.entries ?? [] {
                scopes[entry.key, default: []].formUnion(entry.value.array?.compactMap(\.string) ?? [])
            }
        }
        return scopes
    }

    static func derivedOperationId(_ method: HTTPMethod, _ path: String) -> String {
        let words = path.split(separator: "/").map {
            $0.replacingOccurrences(of: "{", with: "by_").replacingOccurrences(of: "}", with: "")
        }
        return ([method.rawValue] + words).joined(separator: "_")
    }

    static func statusCode(_ key: String) -> StatusCode? {
        if key == "default" { return .default }
        if let code = Int(key), (100...599).contains(code) { return .code(code) }
        let upper = key.uppercased()
        if upper.count == 3, upper.hasSuffix("XX"), let first = Int(upper.prefix(1)), (1...5).contains(first) {
            return .range(first)
        }
        return nil
    }

    mutating func checkPathTemplate(_ path: String, _ parameters: [Parameter], at location: SourceLocation) {
        var templated: [String] = []
        var rest = Substring(path)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                log.error("path '\(path)' has an unclosed '{'", at: location)
                return
            }
            templated.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        let declared = parameters.filter { $0.location == .path }
        for name in templated where !declared.contains(where: { $0.name == name }) {
            log.error("path parameter '{\(name)}' of '\(path)' is not declared", at: location)
        }
        for param in declared where !templated.contains(param.name) {
            log.error("path parameter '\(param.name)' does not appear in '\(path)'", at: param.sourceLocation)
        }
    }

    mutating func readParameters(_ node: SpecNode?, in file: String) -> [Parameter] {
        guard let node, !isNoValueSlip(node, "parameters") else { return [] }
        guard let list = node.array else {
            log.error("'parameters' must be an array", at: node.location)
            return []
        }
        var result: [Parameter] = []
        for raw in list {
            let item: SpecNode, itemFile: String
            do { (item, _, itemFile) = try docs.followRefs(raw, in: file) } catch { log.add(error); continue }
            guard let name = item["name"]?.string else {
                log.error("a parameter needs a 'name'", at: item.location)
                continue
            }
            guard let inText = item["in"]?.string, let location = Parameter.Location(rawValue: inText) else {
                log.error("parameter '\(name)' needs 'in' (path, query, header or cookie)", at: item.location)
                continue
            }
            var required = item["required"]?.bool ?? false
            if location == .path && !required {
                log.error("path parameter '\(name)' must say 'required: true'", at: item.location)
                required = true
            }
            var schema = Schema(.string, at: item.location)
            if let schemaNode = item["schema"] {
                schema = readSchema(schemaNode, in: itemFile)
            } else if let content = item["content"]?.object, let first = content.entries.first,
                let s = first.value["schema"]
            {
                schema = readSchema(s, in: itemFile)
            } else {
                log.warning("parameter '\(name)' has no schema; read as a string", at: item.location)
            }
            let style = item["style"]?.string ?? (location == .query || location == .cookie ? "form" : "simple")
            let isObject: Bool = if case .object = schema.kind { true } else { false }
            if style == "deepObject" && !isObject {
                log.warning(
                    "parameter '\(name)' uses style 'deepObject' but is not an object; it is sent as form",
                    at: item.location)
            } else if !["form", "simple", "deepObject"].contains(style) {
                log.warning(
                    "parameter '\(name)' uses style '\(style)'; it is sent as "
                        + "\(location == .query ? "form" : "simple")",
                    at: item.location)
            }
            result.append(
                Parameter(
                    name: name, location: location, isRequired: required, schema: schema,
                    description: item["description"]?.string, isDeprecated: item["deprecated"]?.bool ?? false,
                    explode: item["explode"]?.bool ?? (style == "form"), style: style, sourceLocation: item.location))
        }
        return result
    }

    mutating func readContent(_ node: SpecNode?, in file: String) -> (Content, [MediaType])? {
        guard let entries = node?.object?.entries, !entries.isEmpty else { return nil }
        let types = entries.map { MediaType($0.key) }
        // JSON first (problem+json counts), then form, then whatever comes first.
        let chosen = types.firstIndex { $0.isJSON } ?? types.firstIndex { $0.isForm } ?? 0
        let entry = entries[chosen]
        let schema = entry.value["schema"].map { readSchema($0, in: file) }
        let others = types.enumerated().filter { $0.offset != chosen }.map(\.element)
        return (Content(mediaType: types[chosen], schema: schema, example: entry.value["example"]), others)
    }

    mutating func readRequestBody(_ raw: SpecNode, in file: String) -> RequestBody? {
        let node: SpecNode, bodyFile: String
        do { (node, _, bodyFile) = try docs.followRefs(raw, in: file) } catch { log.add(error); return nil }
        guard let (content, others) = readContent(node["content"], in: bodyFile) else {
            log.error("a request body needs 'content'", at: node.location)
            return nil
        }
        return RequestBody(
            isRequired: node["required"]?.bool ?? false, description: node["description"]?.string,
            content: content, otherMediaTypes: others, location: node.location)
    }

    mutating func readResponse(_ status: StatusCode, _ raw: SpecNode, in file: String) -> Response? {
        let node: SpecNode, responseFile: String
        do { (node, _, responseFile) = try docs.followRefs(raw, in: file) } catch { log.add(error); return nil }
        var headers: [Header] = []
        if let headerNodes = node["headers"]?.object {
            for entry in headerNodes.entries {
                let header: SpecNode, headerFile: String
                do { (header, _, headerFile) = try docs.followRefs(entry.value, in: responseFile) } catch {
                    log.add(error); continue
                }
                let schema =
                    header["schema"].map { readSchema($0, in: headerFile) } ?? Schema(.string, at: header.location)
                headers.append(
                    Header(
                        name: entry.key, isRequired: header["required"]?.bool ?? false, schema: schema,
                        description: header["description"]?.string))
            }
        }
        return Response(
            status: status, description: node["description"]?.string,
            content: readContent(node["content"], in: responseFile)?.0, headers: headers, location: node.location)
    }
}
