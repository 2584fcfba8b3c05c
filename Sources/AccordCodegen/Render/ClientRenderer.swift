import AccordSpec
import Foundation

/// Stage 4b: renders the client SDK module: one async method per operation.
struct ClientRenderer {
    let api: GeneratedAPI
    let clientName: String
    let modelsModule: String
    let clientModule: String

    func render() -> [PendingFile] {
        [
            PendingFile("\(clientName).swift", start: .early) { client() }
        ]
    }

    private func client() -> String {
        var w = SwiftWriter(reservingCapacity: 2048 + 1024 * api.operations.count)
        w.lines(
            """
            import Foundation
            #if canImport(FoundationNetworking)
            import FoundationNetworking
            #endif
            @_exported import \(modelsModule)
            @_exported import \(GeneratorConfiguration.runtime(of: clientModule))
            """)
        w.blank()
        w.doc(clientDoc)
        w.scope("public struct \(clientName): Sendable") { w in
            w.line("package var core: ClientCore")
            w.blank()
            initializer(&w)
            for op in api.clientOperations {
                w.blank()
                method(op, &w)
            }
            w.blank()
            expiredCheck(&w)
        }
        for op in api.clientOperations {
            guard case .result(let typeName) = op.clientReturn else { continue }
            w.blank()
            resultEnum(op, typeName: typeName, &w)
        }
        w.blank()
        errorDecoding(&w)
        return w.text
    }

    // MARK: The client

    private var clientDoc: String {
        var doc = "A client of \(api.title) \(api.version)."
        // The whole first paragraph: its first line alone can stop mid-sentence.
        if let paragraph = api.description?.components(separatedBy: "\n\n").first?
            .split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }).joined(separator: " "),
            !paragraph.isEmpty
        {
            doc += "\n\n" + paragraph
        }
        return doc
    }

    /// A credential provider per scheme kind the operations use and, with an app-version header,
    /// the app's version, given once.
    private func initializer(_ w: inout SwiftWriter) {
        var doc = """
            - Parameters:
              - baseURL: The server, such as `https://api.example.com`.
              - transport: How requests are sent; `URLSessionTransport` unless a test replays exchanges.
            """
        var parameters = ["baseURL: URL", "transport: any HTTPTransport = URLSessionTransport()"]
        var arguments = ["baseURL: baseURL", "transport: transport"]
        if api.clientUsesBearer {
            doc += "\n  - tokenProvider: Supplies (and refreshes) the bearer token for operations that need one."
            parameters.append("tokenProvider: (any TokenProvider)? = nil")
            arguments.append("tokenProvider: tokenProvider")
        }
        if api.clientUsesAPIKeys {
            doc += "\n  - apiKeyProvider: Supplies API keys, by security scheme name, for operations that need one."
            parameters.append("apiKeyProvider: (any APIKeyProvider)? = nil")
            arguments.append("apiKeyProvider: apiKeyProvider")
        }
        arguments.append("requestIdHeader: \(api.requestIdHeader.map(Text.literal) ?? "nil")")
        if let header = api.appVersionHeader {
            doc += "\n  - appVersion: The app's version (`CFBundleShortVersionString`), sent as `\(header)`: a server"
            doc += "\n    that no longer supports it answers with a typed error asking the user to update."
            parameters.append("appVersion: String? = nil")
            arguments.append("appVersion: appVersion.map { (\(Text.literal(header)), $0) }")
        }
        w.doc(doc)
        w.scope("public init(", parameters, ")") { w in
            w.call("core = ClientCore(", arguments)
        }
    }

    // MARK: Operations

    private func method(_ op: OperationDecl, _ w: inout SwiftWriter) {
        w.doc(methodDoc(op))
        if op.isDeprecated { w.line("@available(*, deprecated)") }
        let arguments = op.clientArguments.map(\.declaration)
        let returns = op.clientReturn.typeCode.map { " -> \($0)" } ?? ""
        w.scope("public func \(op.methodName)(", arguments, ") async throws\(returns)") { w in
            buildRequest(op, &w)
            let credential = "credential: \(credential(op.clientCredential))"
            w.call("let response = try await core.send(", ["request", credential, "isExpired: Self.isExpiredToken"])
            w.line("switch response.status {")
            for response in op.successResponses {
                statusCase(pattern(response.status), returning: returned(response, op.clientReturn), &w)
            }
            w.line("case 400...599: throw APIError(response: response)")
            w.line("default: throw ClientError.unexpectedStatus(response.status)")
            w.line("}")
        }
    }

    /// The operation's doc, then its parameters' when any has one.
    private func methodDoc(_ op: OperationDecl) -> String {
        var doc = op.doc ?? ""
        guard op.parameters.contains(where: { $0.doc != nil }) || op.body?.doc != nil else { return doc }
        func item(_ name: String, _ text: String?) {
            doc += "\n  - \(name): " + (text ?? "").split(separator: "\n").joined(separator: " ")
        }
        doc += "\n\n- Parameters:"
        for p in op.parameters where p.location == .path { item(p.name, p.doc) }
        if let body = op.body { item("body", body.doc ?? "The request body.") }
        for p in op.parameters where p.location != .path { item(p.name, p.doc) }
        return doc
    }

    /// The request, in the order the spec declares the parameters, then the body.
    private func buildRequest(_ op: OperationDecl, _ w: inout SwiftWriter) {
        let mutates = !op.parameters.isEmpty || op.body != nil
        w.call(
            "\(mutates ? "var" : "let") request = RequestBuilder(",
            ["method: \(Text.literal(op.httpMethod))", "path: \(Text.literal(op.path))"])
        for p in op.parameters {
            let wire = Text.literal(p.wireName)
            switch p.location {
            case .path: w.line("request.path(\(wire), \(p.name))")
            case .query:
                switch p.shape {
                case .list: w.line("request.query(\(wire), \(p.name), explode: \(p.explode))")
                case .object: w.line("try request.query(\(wire), object: \(p.name))")
                case .value: w.line("request.query(\(wire), \(p.name))")
                }
            case .header:
                switch p.shape {
                case .object: w.line("try request.header(\(wire), object: \(p.name), explode: \(p.explode))")
                case .list, .value: w.line("request.header(\(wire), \(p.name))")
                }
            case .cookie: break
            }
        }
        guard let body = op.body else { return }
        let call =
            switch body.encoding {
            case .json: "try request.json(body)"
            case .form: "try request.form(body)"
            case .text: "request.text(body, contentType: \(Text.literal(body.contentType)))"
            case .binary: "request.raw(body, contentType: \(Text.literal(body.contentType)))"
            }
        w.line(body.isRequired ? call : "if let body { \(call) }")
    }

    private func credential(_ credential: ClientCredential) -> String {
        switch credential {
        case .none: ".none"
        case .bearer: ".bearer"
        case .apiKey(let scheme, let name, let location):
            ".apiKey(scheme: \(Text.literal(scheme)), name: \(Text.literal(name)), inQuery: \(location == .query))"
        }
    }

    private func pattern(_ status: StatusCode) -> String {
        switch status {
        case .code(let c): String(c)
        case .range(let first): "\(first * 100)..<\(first * 100 + 100)"
        case .default: "_"
        }
    }

    /// A `return` whose value is a call: its arguments wrap when the line is too long.
    private struct Returned {
        var open: String
        var arguments: [String] = []
        var close = ""

        var single: String { open + arguments.joined(separator: ", ") + close }
    }

    /// What a success answer's `case` returns: the decoded body (with the location when the
    /// answer declares one), the `Result` case that carries it, or nothing.
    private func returned(_ response: ResponseDecl, _ returns: ClientReturn) -> Returned {
        guard let payload = response.clientPayload else {
            return Returned(open: returns == .none ? "return" : "return .\(response.caseName)")
        }
        let location = "location: core.location(of: response, for: request)"
        var value: Returned
        switch (payload, response.body?.encoding) {
        case (.location, _):
            value = Returned(open: "core.location(", arguments: ["of: response", "for: request"], close: ")")
        case (.body(let type), .json?), (.body(let type), .form?):
            value = Returned(open: "try core.decode(", arguments: ["\(type.code).self", "from: response"], close: ")")
        case (.created(let type), .json?), (.created(let type), .form?):
            value = Returned(
                open: "try core.created(", arguments: ["\(type.code).self", "from: response", "for: request"],
                close: ")")
        case (.created, .text?):
            value = Returned(open: "Created(", arguments: ["core.text(from: response)", location], close: ")")
        case (.created, _): value = Returned(open: "Created(", arguments: ["response.body", location], close: ")")
        case (_, .text?): value = Returned(open: "core.text(from: response)")
        case (_, _): value = Returned(open: "response.body")
        }
        if case .result = returns {
            value.open = ".\(response.caseName)(" + value.open
            value.close += ")"
        }
        value.open = "return " + value.open
        return value
    }

    /// `case 200: return …` on one line, or the statement below the label when that is too long.
    private func statusCase(_ pattern: String, returning statement: Returned, _ w: inout SwiftWriter) {
        let single = "case \(pattern): \(statement.single)"
        guard single.columns > w.room else { return w.line(single) }
        w.line("case \(pattern):")
        w.indented { w in
            if statement.arguments.isEmpty {
                w.line(statement.single)
            } else {
                w.call(statement.open, statement.arguments, statement.close)
            }
        }
    }

    // MARK: Errors and results

    private func expiredCheck(_ w: inout SwiftWriter) {
        let signature = "@Sendable static func isExpiredToken(_ response: TransportResponse) -> Bool"
        guard let problem = api.problem, let catalog = api.catalog else {
            w.line("/// A 401 means the token was refused: refresh and retry once.")
            w.line("\(signature) { response.status == 401 }")
            return
        }
        guard let expired = catalog.entry(role: .tokenExpired) else {
            // The catalog names no token-expired code (the translator warned): no 401 is taken for one.
            w.line("/// The catalog has no token-expired code: the client never refreshes and retries.")
            w.line("\(signature) { false }")
            return
        }
        w.line("/// An access token past its expiry answers `\(expired.code)`: refresh and retry once.")
        w.scope(signature) { w in
            w.line("guard response.status == \(expired.status) else { return false }")
            w.line("let problem = try? JSONCoding.decoder.decode(\(problem.typeName).self, from: response.body)")
            w.line("return problem?.\(problem.code.name) == .\(expired.caseName)")
        }
    }

    private func resultEnum(_ op: OperationDecl, typeName: String, _ w: inout SwiftWriter) {
        w.scope("extension \(clientName)") { w in
            w.line("/// The success answers of `\(op.methodName)`.")
            w.scope("public enum \(typeName): Sendable, Hashable") { w in
                for response in op.successResponses {
                    w.doc(response.doc)
                    w.line("case \(response.caseName)" + (response.clientPayload.map { "(\($0.type.code))" } ?? ""))
                }
            }
        }
    }

    private func errorDecoding(_ w: inout SwiftWriter) {
        w.scope("extension APIError") { w in
            guard let problem = api.problem, api.catalog != nil else {
                w.line("/// Reads an error answer: its status and, when JSON, its body.")
                w.scope("public init(response: TransportResponse)") { w in
                    w.line("let body = try? JSONCoding.decoder.decode(JSONValue.self, from: response.body)")
                    let retryAfter = "retryAfter: response.header(\"Retry-After\").flatMap { Int($0) }"
                    w.call("self.init(", ["status: response.status", "body: body", retryAfter])
                }
                return
            }
            let retryAfter = problem.retryAfter.map { "problem?.\($0.name)" } ?? "nil"
            w.line("/// Reads an error answer: the problem body when there is one, else just the status.")
            w.scope("public init(response: TransportResponse)") { w in
                w.line("let problem = try? JSONCoding.decoder.decode(\(problem.typeName).self, from: response.body)")
                w.line("let retryAfter = response.header(\"Retry-After\").flatMap { Int($0) } ?? \(retryAfter)")
                w.line("let code = problem?.\(problem.code.name) ?? .undocumented(\"\")")
                w.line("self.init(status: response.status, code: code, problem: problem, retryAfter: retryAfter)")
            }
        }
    }
}
