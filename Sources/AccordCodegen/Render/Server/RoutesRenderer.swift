import AccordSpec

/// `registerRoutes`: every operation on a Hummingbird router, its parameters and body decoded and
/// checked against the spec before the handler runs, its output written as the spec says.
struct RoutesRenderer {
    let api: GeneratedAPI
    let handlerName: String
    let modelsModule: String
    let runtimeModule: String

    func render() -> String {
        var w = ServerRenderer.writer(importing: ["Foundation", "Hummingbird", modelsModule, runtimeModule])
        w.scope("extension \(handlerName)") { w in
            w.doc(
                "Adds every operation of the spec to `router`, plus a middleware that answers unknown routes, wrong "
                    + "methods and unexpected errors with problems and sets `\(api.requestIdHeader ?? "X-Request-ID")`."
            )
            w.line("public func registerRoutes<Context: RequestContext, Auth: Authenticator>(")
            w.line("    on router: Router<Context>, authenticator: Auth, options: ServerOptions = ServerOptions()")
            w.scope(") where Auth.Principal == Principal") { w in
                w.line(
                    "router.add(middleware: ProblemMiddleware<Context, ServerErrors>(options: options, "
                        + "routes: Self.routeTable))")
                for op in api.operations {
                    w.blank()
                    route(op, &w)
                }
            }
            w.blank()
            routeTable(&w)
        }
        return w.text
    }

    /// Every path with its methods, in the order the spec lists them.
    private func routeTable(_ w: inout SwiftWriter) {
        var methods: [String: [String]] = [:]
        var order: [String] = []
        for op in api.operations {
            if methods[op.path] == nil { order.append(op.path) }
            methods[op.path, default: []].append(op.httpMethod)
        }
        w.line("/// Every path template with its methods (for `405 Method Not Allowed` and `Allow`).")
        w.scope("public static var routeTable: [(path: String, methods: [String])]") { w in
            w.line("[")
            w.indented { w in
                for path in order {
                    let list = SwiftExpr.array(methods[path]!.map { .atom(Text.literal($0)) })
                    w.expression("", .call("(", [.atom(Text.literal(path)), list]), ",")
                }
            }
            w.line("]")
        }
    }

    private func route(_ op: OperationDecl, _ w: inout SwiftWriter) {
        let on = SwiftExpr.call(
            "router.on(",
            [.atom(Text.literal(op.path)), .atom("method: .init(rawValue: \(Text.literal(op.httpMethod)))!")])
        w.expression("", on, " { request, context in")
        w.indented { w in
            var handle = [
                "request", "context", "operationId: \(Text.literal(op.operationId))", "route: \(Text.literal(op.path))",
                "collectBody: \(op.body != nil)",
            ]
            if let limit = op.bodyLimit { handle.append("bodyLimit: \(limit)") }
            if op.takesAppVersion { handle.append("checksAppVersion: true") }
            handle.append("options: options")
            w.list("await ServerCore.handle(", handle, ") { info in")
            w.indented { w in
                authenticate(op, &w)
                decode(op, &w)
                respond(op, &w)
            }
            w.line("}")
        }
        w.line("}")
    }

    private func authenticate(_ op: OperationDecl, _ w: inout SwiftWriter) {
        func call(_ schemes: [String]) -> SwiftExpr {
            .call(
                "try await authenticator.authenticate(",
                [
                    .array(schemes.map { .atom(Text.literal($0)) }, label: "schemes: "), .atom("request: info"),
                    .atom("context: context"),
                ])
        }
        switch op.security {
        case .none: break
        case .required(let schemes):
            w.expression("let principal = ", call(schemes))
        case .optional(let schemes):
            w.line("let principal: Principal? =")
            w.indented { w in
                w.line("ServerCore.hasCredentials(info)")
                w.expression("? ", call(schemes), " : nil")
            }
        }
    }

    /// Parameters, then the body: violations are collected, and answered together, before the handler runs.
    private func decode(_ op: OperationDecl, _ w: inout SwiftWriter) {
        let params = op.serverParameters
        // Path values that cannot name anything answer 404, as an unknown id would.
        for p in params where p.location == .path {
            let text = "context.parameters.get(\(Text.literal(p.wireName)))?.removingPercentEncoding"
            guard api.serverParsable(p.type) else {
                ServerRenderer.assign("let \(p.name) =", "\(text) ?? \"\"", &w)
                continue
            }
            let violations = "\(Naming.bare(p.name))Violations"
            w.line("var \(violations): [FieldViolation] = []")
            let parse = parsing(
                "RequestDecoding.parameter(", text, p.type, p, pointer: "/path/" + p.wireName, required: true,
                violations: violations)
            let head = "guard let \(p.name) = "
            if head.columns + parse.width + 7 <= w.room {
                w.line(head + parse.code + " else {")
            } else {
                // Wrapped, the condition sits below `guard` so that the body stands apart from it.
                w.line("guard")
                w.indented { $0.expression("let \(p.name) = ", parse) }
                w.line("else {")
            }
            w.indented { w in
                w.line(
                    "throw RequestFailure.resourceNotFound(notFoundCode: \(op.notFoundCode.map(Text.literal) ?? "nil"))"
                )
            }
            w.line("}")
        }
        let others = params.filter { $0.location != .path }
        if !others.isEmpty || op.body != nil {
            w.line("var violations: [FieldViolation] = []")
        }
        for p in others {
            let pointer = "/\(p.location.rawValue)/\(p.wireName)"
            let name = Text.literal(p.wireName)
            if p.type.isArray {
                let raw =
                    p.location == .query
                    ? "ServerCore.queryValues(request, \(name))" : "info.header(\(name)).map { [$0] } ?? []"
                // What the stubs cannot parse (objects) reaches the handler as the raw texts, but a
                // required one must still be there.
                let parsable = api.serverParsable(p.type)
                let element: SwiftType = if case .array(let element) = p.type, parsable { element } else { .string }
                let parse = parsing(
                    "RequestDecoding.parameters(", raw, element, p, pointer: pointer, required: p.isRequired,
                    rule: parsable ? p.rule.expr : .atom(".any"))
                w.expression("let \(p.name) = ", parse)
            } else {
                let raw = p.location == .query ? "request.uri.queryParameters.get(\(name))" : "info.header(\(name))"
                let parsable = api.serverParsable(p.type)
                let parse = parsing(
                    "RequestDecoding.parameter(", raw, parsable ? p.type : .string, p, pointer: pointer,
                    required: p.isRequired, rule: parsable ? p.rule.expr : .atom(".any"))
                w.expression("let \(p.name) = ", parse)
            }
        }
        let checked = "guard violations.isEmpty else { throw RequestFailure.invalid(violations) }"
        guard let body = op.body else {
            if !others.isEmpty { w.line(checked) }
            return
        }
        switch body.encoding {
        case .json, .form:
            let read = body.encoding == .json ? "try ServerCore.jsonBody(" : "try ServerCore.formBody("
            let rule = body.rule?.expr ?? .atom(".any")
            w.expression(
                "let body = ",
                .call(
                    read,
                    [
                        .atom("info"), .atom("required: \(body.isRequired)"), rule.prefixed("rule: "),
                        .atom("violations: &violations"),
                    ]))
            w.line(checked)
            w.expression(
                "let decodedBody = ",
                .call(
                    "try body.map { try RequestDecoding.decode(", [.atom("\(body.type.code).self"), .atom("from: $0")],
                    ") }"))
        case .text:
            w.line(checked)
            w.line("let decodedBody: String? = info.body.isEmpty ? nil : String(decoding: info.body, as: UTF8.self)")
        case .binary:
            w.line(checked)
            w.line("let decodedBody: Data? = info.body.isEmpty ? nil : info.body")
        }
        if body.isRequired {
            w.line("guard let decodedBody else { throw RequestFailure.malformedBody(\"a body is required\") }")
        }
    }

    /// `RequestDecoding.parameter(text, as: T.self, rule: …, pointer: …, required: …, violations: &…)`.
    private func parsing(
        _ open: String, _ text: String, _ type: SwiftType, _ p: ParameterDecl, pointer: String, required: Bool,
        rule: SwiftExpr? = nil, violations: String = "violations"
    ) -> SwiftExpr {
        .call(
            open,
            [
                .atom(text), .atom("as: \(type.code).self"), (rule ?? p.rule.expr).prefixed("rule: "),
                .atom("pointer: \(Text.literal(pointer))"), .atom("required: \(required)"),
                .atom("violations: &\(violations)"),
            ])
    }

    /// Calls the handler and writes its output.
    private func respond(_ op: OperationDecl, _ w: inout SwiftWriter) {
        var args: [SwiftExpr] = []
        if op.hasServerInput {
            var fields = op.serverParameters.map { p -> SwiftExpr in
                // Every parameter but the path's is read as optional, a missing required one a violation.
                let unwrap = p.isRequired && p.location != .path ? "!" : ""
                return .atom("\(Naming.bare(p.name)): \(p.name)\(unwrap)")
            }
            if op.body != nil { fields.append(.atom("body: decodedBody")) }
            args.append(.call("Operations.\(op.typeName).Input(", fields))
        }
        if op.security != .none { args.append(.atom("principal: principal")) }
        args.append(.atom("request: info"))
        w.expression("let output = ", .call("try await self.\(op.methodName)(", args))
        // Case labels sit at the depth of their switch.
        w.line("switch output {")
        let successes = op.successResponses
        for r in successes { answer(r, &w) }
        if successes.isEmpty { w.line("case .noContent: return ServerCore.empty(204)") }
        w.line("}")
    }

    private func answer(_ r: ResponseDecl, _ w: inout SwiftWriter) {
        var bindings: [String] = []
        if r.body != nil { bindings.append("let body") }
        for h in r.headers { bindings.append("let \(h.name)") }
        let pattern =
            bindings.isEmpty
            ? SwiftExpr.atom("case .\(r.caseName):") : .call("case .\(r.caseName)(", bindings.map(SwiftExpr.atom), "):")
        let status: Int =
            switch r.status {
            case .code(let c): c
            case .range(let first): first * 100
            case .default: 200
            }
        var args: [SwiftExpr] = [.atom(String(status))]
        let write: String
        if let body = r.body {
            switch body.encoding {
            case .json, .form:
                write = "try ServerCore.json("
                args.append(.atom("body"))
            case .text:
                write = "ServerCore.raw("
                args += [
                    .atom("Data(body.utf8)"),
                    .atom("contentType: \(Text.literal(body.contentType + "; charset=utf-8"))"),
                ]
            case .binary:
                write = "ServerCore.raw("
                args += [.atom("body"), .atom("contentType: \(Text.literal(body.contentType))")]
            }
        } else {
            write = "ServerCore.empty("
        }
        if !r.headers.isEmpty {
            let headers = r.headers.map { h -> SwiftExpr in
                .atom("(\(Text.literal(h.wireName)), \(h.name)\(h.isRequired ? "" : "?").parameterText)")
            }
            args.append(.array(headers, label: "headers: "))
        }
        let call = SwiftExpr.call(write, args)
        if pattern.width + 8 + call.width <= w.room {
            w.line(pattern.code + " return " + call.code)
        } else {
            w.expression("", pattern)
            w.indented { $0.expression("return ", call) }
        }
    }
}
