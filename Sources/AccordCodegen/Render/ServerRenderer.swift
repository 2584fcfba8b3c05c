import AccordSpec

/// Stage 4c: renders the server stubs: framework-free handler protocol, typed inputs and
/// outputs, and Hummingbird 2 route registration that validates requests against the spec.
struct ServerRenderer {
    let api: GeneratedAPI
    let handlerName: String
    let modelsModule: String
    let defaultBodyLimit: Int

    func render() -> [(name: String, contents: String)] {
        [("\(handlerName).swift", handlerFile()), ("Routes.swift", routesFile()), ("ServerErrors.swift", errorsFile()),
         ("Rules.swift", rulesFile()), ("ServerSupport.swift", RuntimeSources.server(modelsModule: modelsModule))]
    }

    private var problem: ProblemShape? { ProblemShape(api: api) }

    // MARK: Handler protocol and operation types

    private func hasInput(_ op: OperationDecl) -> Bool { !serverParameters(op).isEmpty || op.body != nil }

    private func serverParameters(_ op: OperationDecl) -> [ParameterDecl] { op.parameters.filter { $0.location != .cookie } }

    private func principalType(_ op: OperationDecl) -> String? {
        switch op.security {
        case .none: nil
        case .required: "Principal"
        case .optional: "Principal?"
        }
    }

    private func handlerSignature(_ op: OperationDecl) -> String {
        var params: [String] = []
        if hasInput(op) { params.append("_ input: Operations.\(op.typeName).Input") }
        if let principal = principalType(op) { params.append("principal: \(principal)") }
        params.append("request: RequestInfo")
        let line = "func \(op.methodName)(\(params.joined(separator: ", "))) async throws -> Operations.\(op.typeName).Output"
        guard line.count + 4 > 120 else { return line }
        return "func \(op.methodName)(\n" + Text.argumentLines(params, indent: "        ")
            + "\n    ) async throws -> Operations.\(op.typeName).Output"
    }

    private func handlerFile() -> String {
        var out = "import Foundation\nimport Hummingbird\nimport \(modelsModule)\n\n"
        out += Text.doc("""
        The operations of \(api.title), one method each. Implement it and call `registerRoutes` to serve the API.

        Inputs arrive decoded and checked against the spec's constraints; throw `APIError` for an error answer.
        """, indent: "")
        out += "public protocol \(handlerName): Sendable {\n"
        out += "    /// Who is calling, as your `Authenticator` says.\n    associatedtype Principal: Sendable\n"
        for op in api.operations {
            out += "\n" + Text.doc(op.doc, indent: "    ")
            out += "    \(handlerSignature(op))\n"
        }
        out += "}\n\n/// The typed inputs and outputs of each operation.\npublic enum Operations {\n"
        for op in api.operations {
            out += "    public enum \(op.typeName) {\n"
            if hasInput(op) { out += input(op) }
            out += output(op)
            out += "    }\n"
        }
        out += "}\n"
        return out
    }

    private func inputType(_ p: ParameterDecl) -> SwiftType {
        serverParsable(p.type) ? p.type : (isArray(p.type) ? .array(.string) : .string)
    }

    private func input(_ op: OperationDecl) -> String {
        let i = "            "
        var fields: [(String, String, Bool, String?)] = []  // name, type, optional, doc
        for p in serverParameters(op) {
            fields.append((p.name, inputType(p).code, !p.isRequired, p.doc))
        }
        if let body = op.body { fields.append(("body", body.type.code, !body.isRequired, body.doc)) }
        var out = "        public struct Input: Sendable {\n"
        for f in fields {
            out += Text.doc(f.3, indent: i)
            out += "\(i)public var \(f.0): \(f.1)\(f.2 ? "?" : "")\n"
        }
        let params = fields.map { "\($0.0): \($0.1)\($0.2 ? "? = nil" : "")" }.joined(separator: ", ")
        out += "\n\(i)public init(\(params)) {\n"
        for f in fields { out += "\(i)    self.\(Naming.bare(f.0)) = \(f.0)\n" }
        out += "\(i)}\n        }\n"
        return out
    }

    private func outputCase(_ r: ResponseDecl) -> String {
        var values: [String] = []
        if let body = r.body { values.append(body.type.code) }
        for h in r.headers { values.append("\(h.name): \(h.type.code)\(h.isRequired ? "" : "? = nil")") }
        return "case \(r.caseName)\(values.isEmpty ? "" : "(\(values.joined(separator: ", ")))")"
    }

    private func successResponses(_ op: OperationDecl) -> [ResponseDecl] { op.responses.filter(\.status.isSuccess) }

    private func output(_ op: OperationDecl) -> String {
        var out = "        public enum Output: Sendable {\n"
        let successes = successResponses(op)
        for r in successes {
            out += Text.doc(r.doc, indent: "            ")
            out += "            \(outputCase(r))\n"
        }
        if successes.isEmpty {
            out += "            /// The spec declares no success answer; this answers 204.\n            case noContent\n"
        }
        return out + "        }\n"
    }

    // MARK: Routes

    private func routesFile() -> String {
        var out = "import Foundation\nimport Hummingbird\nimport \(modelsModule)\n\n"
        out += "extension \(handlerName) {\n"
        out += """
            /// Adds every operation of the spec to `router`, plus a middleware that answers unknown
            /// routes, wrong methods and unexpected errors with problems and sets `\(api.requestIdHeader ?? "X-Request-ID")`.
            public func registerRoutes<Context: RequestContext, Auth: Authenticator>(
                on router: Router<Context>, authenticator: Auth, options: ServerOptions = ServerOptions()
            ) where Auth.Principal == Principal {
                router.add(middleware: ProblemMiddleware<Context, ServerErrors>(options: options, routes: Self.routeTable))

        """
        for op in api.operations { out += route(op) }
        out += "    }\n\n"
        // The route table for 405 answers.
        var table: [String: [String]] = [:]
        var order: [String] = []
        for op in api.operations {
            if table[op.path] == nil { order.append(op.path) }
            table[op.path, default: []].append(op.httpMethod)
        }
        out += "    /// Every path template with its methods (for `405 Method Not Allowed` and `Allow`).\n"
        out += "    public static var routeTable: [(path: String, methods: [String])] {\n        [\n"
        for path in order {
            out += "            (\(Text.literal(path)), [\(table[path]!.map(Text.literal).joined(separator: ", "))]),\n"
        }
        out += "        ]\n    }\n}\n"
        return out
    }

    private func hummingbirdPath(_ path: String) -> String { path }

    private func route(_ op: OperationDecl) -> String {
        let i3 = "        ", i4 = "            ", i5 = "                "
        var out = "\n\(i3)router.on(\(Text.literal(hummingbirdPath(op.path))), method: .init(rawValue: \(Text.literal(op.httpMethod)))!) { request, context in\n"
        var handleArguments = [
            "request", "context", "operationId: \(Text.literal(op.operationId))", "route: \(Text.literal(op.path))",
            "collectBody: \(op.body != nil)",
        ]
        if let limit = op.bodyLimit { handleArguments.append("bodyLimit: \(limit)") }
        if op.takesAppVersion { handleArguments.append("checksAppVersion: true") }
        handleArguments.append("options: options")
        out += "\(i4)await ServerCore.handle(\n" + Text.argumentLines(handleArguments, indent: i5) + "\n\(i4)) { info in\n"
        switch op.security {
        case .none: break
        case .required(let schemes):
            let names = schemes.map(Text.literal).joined(separator: ", ")
            out += "\(i5)let principal = try await authenticator.authenticate(\n"
            out += "\(i5)    schemes: [\(names)], request: info, context: context)\n"
        case .optional(let schemes):
            let names = schemes.map(Text.literal).joined(separator: ", ")
            out += "\(i5)let principal: Principal? =\n"
            out += "\(i5)    ServerCore.hasCredentials(info)\n"
            out += "\(i5)    ? try await authenticator.authenticate(schemes: [\(names)], request: info, context: context) : nil\n"
        }
        let params = serverParameters(op)
        // Path values that cannot name anything answer 404, as an unknown id would.
        for p in params where p.location == .path {
            let text = "context.parameters.get(\(Text.literal(p.wireName)))?.removingPercentEncoding"
            if serverParsable(p.type) {
                out += "\(i5)var \(Naming.bare(p.name))Violations: [FieldViolation] = []\n"
                out += "\(i5)guard let \(p.name) = RequestDecoding.parameter(\(text), as: \(p.type.code).self, rule: \(p.rule.code), pointer: \(Text.literal("/path/" + p.wireName)), required: true, violations: &\(Naming.bare(p.name))Violations) else {\n"
                out += "\(i5)    throw RequestFailure.resourceNotFound(notFoundCode: \(op.notFoundCode.map(Text.literal) ?? "nil"))\n\(i5)}\n"
            } else {
                out += "\(i5)let \(p.name) = \(text) ?? \"\"\n"
            }
        }
        let others = params.filter { $0.location != .path }
        if !others.isEmpty || op.body?.rule != nil || op.body != nil {
            out += "\(i5)var violations: [FieldViolation] = []\n"
        }
        for p in others {
            let pointer = Text.literal("/\(p.location.rawValue)/\(p.wireName)")
            let raw: String
            if isArray(p.type) {
                raw = p.location == .query ? "ServerCore.queryValues(request, \(Text.literal(p.wireName)))" : "info.header(\(Text.literal(p.wireName))).map { [$0] } ?? []"
                if serverParsable(p.type), case .array(let element) = p.type {
                    out += "\(i5)let \(p.name) = RequestDecoding.parameters(\(raw), as: \(element.code).self, rule: \(p.rule.code), pointer: \(pointer), required: \(p.isRequired), violations: &violations)\n"
                } else {
                    out += "\(i5)let \(p.name): [String]? = \(raw)\n"
                }
            } else {
                raw = p.location == .query ? "request.uri.queryParameters.get(\(Text.literal(p.wireName)))" : "info.header(\(Text.literal(p.wireName)))"
                if serverParsable(p.type) {
                    out += "\(i5)let \(p.name) = RequestDecoding.parameter(\(raw), as: \(p.type.code).self, rule: \(p.rule.code), pointer: \(pointer), required: \(p.isRequired), violations: &violations)\n"
                } else {
                    out += "\(i5)let \(p.name) = \(raw)\n"
                }
            }
        }
        if let body = op.body {
            switch body.encoding {
            case .json:
                out += "\(i5)let body = try ServerCore.jsonBody(info, required: \(body.isRequired), rule: \(body.rule?.code ?? ".any"), violations: &violations)\n"
                out += "\(i5)guard violations.isEmpty else { throw RequestFailure.invalid(violations) }\n"
                out += "\(i5)let decodedBody = try body.map { try RequestDecoding.decode(\(body.type.code).self, from: $0) }\n"
            case .form:
                out += "\(i5)let body = try ServerCore.formBody(info, required: \(body.isRequired), rule: \(body.rule?.code ?? ".any"), violations: &violations)\n"
                out += "\(i5)guard violations.isEmpty else { throw RequestFailure.invalid(violations) }\n"
                out += "\(i5)let decodedBody = try body.map { try RequestDecoding.decode(\(body.type.code).self, from: $0) }\n"
            case .text:
                out += "\(i5)guard violations.isEmpty else { throw RequestFailure.invalid(violations) }\n"
                out += "\(i5)let decodedBody: String? = info.body.isEmpty ? nil : String(decoding: info.body, as: UTF8.self)\n"
            case .binary:
                out += "\(i5)guard violations.isEmpty else { throw RequestFailure.invalid(violations) }\n"
                out += "\(i5)let decodedBody: Data? = info.body.isEmpty ? nil : info.body\n"
            }
            if body.isRequired {
                out += "\(i5)guard let decodedBody else { throw RequestFailure.malformedBody(\"a body is required\") }\n"
            }
        } else if !others.isEmpty {
            out += "\(i5)guard violations.isEmpty else { throw RequestFailure.invalid(violations) }\n"
        }

        var args: [String] = []
        if hasInput(op) {
            var fields = params.map { p -> String in
                let unwrap = p.isRequired && p.location != .path && serverParsable(p.type) ? "!" : ""
                return "\(Naming.bare(p.name)): \(p.name)\(unwrap)"
            }
            if op.body != nil { fields.append("body: decodedBody") }
            args.append("Operations.\(op.typeName).Input(\(fields.joined(separator: ", ")))")
        }
        if op.security != .none { args.append("principal: principal") }
        args.append("request: info")
        out += "\(i5)let output = try await self.\(op.methodName)(\(args.joined(separator: ", ")))\n"
        out += "\(i5)switch output {\n"
        let successes = successResponses(op)
        for r in successes {
            var bindings: [String] = []
            if r.body != nil { bindings.append("let body") }
            for h in r.headers { bindings.append("let \(h.name)") }
            let pattern = ".\(r.caseName)" + (bindings.isEmpty ? "" : "(\(bindings.joined(separator: ", ")))")
            var headers: [String] = []
            for h in r.headers {
                headers.append("(\(Text.literal(h.wireName)), \(h.isRequired ? "\(h.name).parameterText" : "\(h.name)?.parameterText"))")
            }
            let status: Int = switch r.status {
            case .code(let c): c
            case .range(let first): first * 100
            case .default: 200
            }
            let headerArg = headers.isEmpty ? "" : ", headers: [\(headers.joined(separator: ", "))]"
            let write: String
            if let body = r.body {
                switch body.encoding {
                case .json, .form: write = "try ServerCore.json(\(status), body\(headerArg))"
                case .text: write = "ServerCore.raw(\(status), Data(body.utf8), contentType: \(Text.literal(body.contentType + "; charset=utf-8"))\(headerArg))"
                case .binary: write = "ServerCore.raw(\(status), body, contentType: \(Text.literal(body.contentType))\(headerArg))"
                }
            } else {
                write = "ServerCore.empty(\(status)\(headerArg))"
            }
            out += "\(i5)case \(pattern): return \(write)\n"
        }
        if successes.isEmpty { out += "\(i5)case .noContent: return ServerCore.empty(204)\n" }
        out += "\(i5)}\n\(i4)}\n\(i3)}\n"
        return out
    }

    private func isArray(_ type: SwiftType) -> Bool { if case .array = type { return true }; return false }

    /// Whether the stubs can parse the type from text (`ParameterValue`).
    func serverParsable(_ type: SwiftType) -> Bool {
        switch type {
        case .array(let element): return serverParsable(element)
        case .named(let name):
            if ["String", "Int", "Int32", "Double", "Bool", "UUID", "Date"].contains(name) { return true }
            guard let decl = api.types.first(where: { $0.name == name }) else { return false }
            switch decl.kind {
            case .openEnum: return true
            case .alias(let target): return serverParsable(target)
            default: return false
            }
        default: return false
        }
    }

    private func rulesFile() -> String {
        var out = "import \(modelsModule)\n\n/// The spec's constraints on request bodies, checked before handlers run.\nenum Rules {\n"
        for (name, rule) in api.rules {
            out += "    static let \(Naming.identifier(name)): SchemaRule = \(rule.code)\n"
        }
        return out + "}\n"
    }

    // MARK: Errors

    private func errorsFile() -> String {
        var out = "import Foundation\nimport HTTPTypes\nimport Hummingbird\nimport \(modelsModule)\n\n"
        out += "/// The steps every route shares, answering failures as `ServerErrors` says.\n"
        out += "public typealias ServerCore = ServerRuntime<ServerErrors>\n"
        if let problem, let catalog = api.catalog {
            out += catalogErrors(problem, catalog)
        } else {
            out += ServerCoreSource.genericErrors
        }
        return out.replacingOccurrences(of: "public enum ServerErrors {\n", with: "public enum ServerErrors: ProblemResponder {\n" + contract)
    }

    /// The spec's values the shared server steps use.
    private var contract: String {
        var values = ["requestIdHeader: \(Text.literal(api.requestIdHeader ?? "X-Request-ID"))"]
        if let header = api.appVersionHeader { values.append("appVersionHeader: \(Text.literal(header))") }
        values.append("defaultBodyLimit: \(api.defaultBodyLimit)")
        return "    /// The spec's request-id header, app-version header and default body limit.\n"
            + "    public static let contract = ServerContract(\(values.joined(separator: ", ")))\n\n"
    }

    private func catalogErrors(_ problem: ProblemShape, _ catalog: CatalogDecl) -> String {
        // The code that plays the role; without one, the role's status with an empty code (the
        // translator warned).
        func code(_ role: ErrorRole) -> String {
            catalog.entry(role: role).map { ".\($0.caseName)" } ?? ".undocumented(\"\"), status: \(role.status)"
        }
        let requestIdAssign = problem.requestIdProperty.map { "problem.\($0.name) = requestID" } ?? ""
        let errorsProp = problem.errorsProperty
        var errorsAssign = ""
        if let errorsProp, case .array(.named(let fieldType)) = errorsProp.baseType {
            errorsAssign = "$0.\(errorsProp.name) = violations.map { \(fieldType)(field: $0.field, code: $0.code, message: $0.message) }"
        }
        let retryProp = problem.retryAfterWire.flatMap { problem.property($0) }
        return """

        /// Turns every failure into the API's problem answer.
        public enum ServerErrors {
            /// The catalog error for a failure the stubs detected.
            public static func apiError(for failure: RequestFailure) -> APIError {
                switch failure {
                case .routeNotFound:
                    return APIError(\(code(.notFound)), detail: "No route matches this path.")
                case .methodNotAllowed(let allowed):
                    return APIError(\(code(.methodNotAllowed)), detail: "This path answers only \\(allowed.joined(separator: ", ")).")
                case .malformedBody(let reason):
                    return APIError(\(code(.malformedRequest)), detail: "The request cannot be read: \\(reason).")
                case .unsupportedMediaType(let type):
                    return APIError(\(code(.unsupportedMediaType)), detail: "The body must be application/json, not \\(type ?? "untyped").")
                case .payloadTooLarge(let limit):
                    return APIError(\(code(.payloadTooLarge)), detail: "The body is over the limit of \\(limit) bytes.")
                case .invalid(let violations):
                    let summary = violations.map { "\\($0.field) \\($0.message)" }.joined(separator: "; ")
                    return APIError(\(code(.validationFailed)), detail: summary) { \(errorsAssign.isEmpty ? "_ in" : errorsAssign) }
                case .resourceNotFound(let notFoundCode):
                    return APIError(notFoundCode.map(\(catalog.typeName).init(rawValue:)) ?? \(code(.notFound)), detail: "Nothing has this id.")
                \(appVersionCase(code))
                }
            }

            /// The catalog error for an unexpected failure.
            public static var internalError: APIError {
                APIError(\(code(.internalError)), detail: "Something unexpected went wrong; quote the request id when reporting it.")
            }

            /// Writes an error as `application/problem+json`.
            public static func response(for error: APIError, requestID: String) -> Response {
                var problem = error.problem ?? \(problem.typeName)(\(problemFallbackArgs(problem)))
                \(requestIdAssign)
                \(retryProp.map { "if let retryAfter = error.retryAfter, problem.\($0.name) == nil { problem.\($0.name) = retryAfter }" } ?? "")
                let body = (try? JSONCoding.encoder.encode(problem)) ?? Data()
                return ServerCore.problemResponse(status: error.status, body: body, retryAfter: error.retryAfter ?? \(retryProp.map { "problem.\($0.name)" } ?? "nil"))
            }
        }

        """
    }

    /// The stubs check app versions only when the API has an app-version header.
    private func appVersionCase(_ code: (ErrorRole) -> String) -> String {
        guard api.appVersionHeader != nil else {
            return "case .appVersionUnsupported: return internalError  // never raised: the API has no app-version header"
        }
        return "case .appVersionUnsupported(let minimum):\n            return APIError(\(code(.appVersionUnsupported)), "
            + "detail: \"This app version is no longer supported; \\(minimum) or later is.\")"
    }

    private func problemFallbackArgs(_ problem: ProblemShape) -> String {
        problem.properties.compactMap { p -> String? in
            switch p.wireName {
            case "type": return "\(Naming.bare(p.name)): error.code.typeURI"
            case "title": return "\(Naming.bare(p.name)): error.code.title"
            case "status": return "\(Naming.bare(p.name)): error.status"
            case "detail": return "\(Naming.bare(p.name)): error.detail"
            case problem.codeProperty.wireName: return "\(Naming.bare(p.name)): error.code"
            default:
                if p.problemMember == .requestId { return "\(Naming.bare(p.name)): \"\"" }
                return p.type.isOptional ? nil : "\(Naming.bare(p.name)): .init()"
            }
        }.joined(separator: ", ")
    }
}

/// The answers of a spec without a catalog, rendered into the generated server module.
enum ServerCoreSource {
    static let genericErrors = """

    /// Turns every failure into an RFC 9457 problem answer.
    public enum ServerErrors {
        public static func apiError(for failure: RequestFailure) -> APIError {
            switch failure {
            case .routeNotFound: return APIError(status: 404, detail: "No route matches this path.")
            case .methodNotAllowed(let allowed): return APIError(status: 405, detail: "This path answers only \\(allowed.joined(separator: ", ")).")
            case .malformedBody(let reason): return APIError(status: 400, detail: "The request cannot be read: \\(reason).")
            case .unsupportedMediaType(let type): return APIError(status: 415, detail: "Unsupported media type \\(type ?? "(none)").")
            case .payloadTooLarge(let limit): return APIError(status: 413, detail: "The body is over the limit of \\(limit) bytes.")
            case .invalid(let violations):
                var error = APIError(status: 422, detail: violations.map { "\\($0.field) \\($0.message)" }.joined(separator: "; "))
                if case .object(var members)? = error.body {
                    members["errors"] = .array(violations.map { .object(["field": .string($0.field), "code": .string($0.code), "message": .string($0.message)]) })
                    error.body = .object(members)
                }
                return error
            case .resourceNotFound: return APIError(status: 404, detail: "Nothing has this id.")
            case .appVersionUnsupported(let minimum):
                return APIError(status: 426, detail: "This app version is no longer supported; \\(minimum) or later is.")
            }
        }

        public static var internalError: APIError { APIError(status: 500, detail: "Something unexpected went wrong.") }

        public static func response(for error: APIError, requestID: String) -> Response {
            // The request id travels in the header: a spec without a problem schema names no member for it.
            let body = error.body ?? .object(["status": .integer(error.status)])
            let data = (try? JSONCoding.encoder.encode(body)) ?? Data()
            return ServerCore.problemResponse(status: error.status, body: data, retryAfter: error.retryAfter)
        }
    }

    """
}
