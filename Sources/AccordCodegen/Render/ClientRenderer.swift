import Foundation

/// Stage 4b: renders the client SDK module: one async method per operation.
struct ClientRenderer {
    let api: GeneratedAPI
    let clientName: String
    let modelsModule: String

    func render() -> [(name: String, contents: String)] {
        [("\(clientName).swift", client()), ("ClientSupport.swift", RuntimeSources.client(modelsModule: modelsModule))]
    }

    private var problem: ProblemShape? { ProblemShape(api: api) }

    private func client() -> String {
        var out = """
        import Foundation
        #if canImport(FoundationNetworking)
        import FoundationNetworking
        #endif
        @_exported import \(modelsModule)


        """
        out += Text.doc(clientDoc, indent: "")
        out += """
        public struct \(clientName): Sendable {
            package var core: ClientCore

            /// - Parameters:
            ///   - baseURL: The server, such as `https://api.example.com`.
            ///   - transport: How requests are sent; `URLSessionTransport` unless a test replays exchanges.
        \(credentialDoc)\(appVersionDoc)\(initializer)

        """
        for op in api.clientOperations {
            out += "\n" + method(op)
        }
        out += "\n" + expiredCheck() + "}\n"
        out += "\n" + resultEnums()
        out += "\n" + errorDecoding()
        return out
    }

    /// With an app-version header, the client takes the app's version once and sends it on every request.
    private var appVersionDoc: String {
        guard let header = api.appVersionHeader else { return "" }
        return "    ///   - appVersion: The app's version (`CFBundleShortVersionString`), sent as `\(header)`: a server\n"
            + "    ///     that no longer supports it answers with a typed error asking the user to update.\n"
    }

    /// The credentials the client's operations need, by scheme kind.
    private var credentialDoc: String {
        var doc = ""
        if api.clientUsesBearer {
            doc += "    ///   - tokenProvider: Supplies (and refreshes) the bearer token for operations that need one.\n"
        }
        if api.clientUsesAPIKeys {
            doc += "    ///   - apiKeyProvider: Supplies API keys, by security scheme name, for operations that need one.\n"
        }
        return doc
    }

    /// The client's initializer: a credential provider per scheme kind the operations use, and
    /// with an app-version header, the app's version.
    private var initializer: String {
        var parameters = ["baseURL: URL", "transport: any HTTPTransport = URLSessionTransport()"]
        var arguments = ["baseURL: baseURL", "transport: transport"]
        if api.clientUsesBearer {
            parameters.append("tokenProvider: (any TokenProvider)? = nil")
            arguments.append("tokenProvider: tokenProvider")
        }
        if api.clientUsesAPIKeys {
            parameters.append("apiKeyProvider: (any APIKeyProvider)? = nil")
            arguments.append("apiKeyProvider: apiKeyProvider")
        }
        arguments.append("requestIdHeader: \(api.requestIdHeader.map(Text.literal) ?? "nil")")
        if let header = api.appVersionHeader {
            parameters.append("appVersion: String? = nil")
            arguments.append("appVersion: appVersion.map { (\(Text.literal(header)), $0) }")
        }
        let i2 = "    ", i3 = "        "
        var out = "\(i2)public init(\n"
        out += Text.argumentLines(parameters, indent: i3) + "\n\(i2)) {\n"
        out += "\(i3)core = ClientCore(\n" + Text.argumentLines(arguments, indent: i3 + "    ") + ")\n"
        out += "\(i2)}"
        return out
    }


    private var clientDoc: String {
        var doc = "A client of \(api.title) \(api.version)."
        // The whole first paragraph: its first line alone can stop mid-sentence.
        if let paragraph = api.description?.components(separatedBy: "\n\n").first?
            .split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }).joined(separator: " "),
           !paragraph.isEmpty {
            doc += "\n\n" + paragraph
        }
        return doc
    }

    private func successResponses(_ op: OperationDecl) -> [ResponseDecl] { op.successResponses }

    private func returnType(_ op: OperationDecl) -> String? { op.clientReturnType }

    private func method(_ op: OperationDecl) -> String {
        let i2 = "    ", i3 = "        "
        var doc = op.doc ?? ""
        let documented = op.parameters.filter { $0.doc != nil }
        if !documented.isEmpty || op.body?.doc != nil {
            doc += "\n\n- Parameters:"
            for p in op.parameters where p.location == .path { doc += paramDoc(p) }
            if let body = op.body { doc += "\n  - body: \((body.doc ?? "The request body.").split(separator: "\n").joined(separator: " "))" }
            for p in op.parameters where p.location != .path { doc += paramDoc(p) }
        }
        var out = Text.doc(doc, indent: i2)
        if op.isDeprecated { out += "\(i2)@available(*, deprecated)\n" }

        let params = op.clientArguments.map(\.declaration)
        let returns = returnType(op).map { " -> \($0)" } ?? ""
        let signature = "public func \(op.methodName)(\(params.joined(separator: ", "))) async throws\(returns)"
        if signature.count > 110 {
            out += "\(i2)public func \(op.methodName)(\n" + params.map { "\(i3)\($0)" }.joined(separator: ",\n") + "\n\(i2)) async throws\(returns) {\n"
        } else {
            out += "\(i2)\(signature) {\n"
        }

        let mutates = !op.parameters.isEmpty || op.body != nil
        out += "\(i3)\(mutates ? "var" : "let") request = RequestBuilder(method: \(Text.literal(op.httpMethod)), path: \(Text.literal(op.path)))\n"
        for p in op.parameters {
            switch p.location {
            case .path: out += "\(i3)request.path(\(Text.literal(p.wireName)), \(p.name))\n"
            case .query:
                if case .array = p.type {
                    out += "\(i3)request.query(\(Text.literal(p.wireName)), \(p.name), explode: \(p.explode))\n"
                } else if isObject(p.type) {
                    out += "\(i3)try request.query(\(Text.literal(p.wireName)), object: \(p.name))\n"
                } else {
                    out += "\(i3)request.query(\(Text.literal(p.wireName)), \(p.name))\n"
                }
            case .header:
                out += "\(i3)request.header(\(Text.literal(p.wireName)), \(p.name))\n"
            case .cookie: break
            }
        }
        if let body = op.body {
            let call: String = switch body.encoding {
            case .json: "try request.json(body)"
            case .form: "try request.form(body)"
            case .text: "request.text(body, contentType: \(Text.literal(body.contentType)))"
            case .binary: "request.raw(body, contentType: \(Text.literal(body.contentType)))"
            }
            out += body.isRequired ? "\(i3)\(call)\n" : "\(i3)if let body { \(call) }\n"
        }
        let credential: String = switch op.clientCredential {
        case .none: ".none"
        case .bearer: ".bearer"
        case .apiKey(let scheme, let name, let location):
            ".apiKey(scheme: \(Text.literal(scheme)), name: \(Text.literal(name)), inQuery: \(location == .query))"
        }
        let send = "\(i3)let response = try await core.send(request, credential: \(credential), isExpired: Self.isExpiredToken)"
        out += send.count <= 120 ? send + "\n"
            : "\(i3)let response = try await core.send(\n\(i3)    request, credential: \(credential), isExpired: Self.isExpiredToken)\n"
        out += "\(i3)switch response.status {\n"
        let successes = successResponses(op)
        let multi = returnType(op) == "\(op.typeName)Result"
        for r in successes {
            let pattern: String = switch r.status {
            case .code(let c): String(c)
            case .range(let first): "\(first * 100)..<\(first * 100 + 100)"
            case .default: "_"
            }
            let decoded: String? = r.body.map { body in
                switch body.encoding {
                case .json, .form: "try core.decode(\(body.type.code).self, from: response)"
                case .text: "core.text(from: response)"
                case .binary: "response.body"
                }
            }
            if multi {
                out += "\(i3)case \(pattern): return .\(r.caseName)\(decoded.map { "(\($0))" } ?? "")\n"
            } else if let decoded, returnType(op) != nil {
                out += "\(i3)case \(pattern): return \(decoded)\n"
            } else {
                out += "\(i3)case \(pattern): return\n"
            }
        }
        let failure = "throw APIError(response: response)"
        out += "\(i3)case 400...599: \(failure)\n"
        out += "\(i3)default: throw ClientError.unexpectedStatus(response.status)\n"
        out += "\(i3)}\n\(i2)}\n"
        return out
    }

    private func isObject(_ type: SwiftType) -> Bool {
        guard case .named(let name) = type else { if case .dictionary = type { return true }; return false }
        return api.types.contains { t in
            if t.name == name, case .structure = t.kind { return true }
            return false
        }
    }

    private func paramDoc(_ p: ParameterDecl) -> String {
        "\n  - \(p.name): \((p.doc ?? "").split(separator: "\n").joined(separator: " "))"
    }

    private func expiredCheck() -> String {
        if let problem, let catalog = api.catalog {
            guard let expired = catalog.entry(role: .tokenExpired) else {
                // The catalog names no token-expired code (the translator warned): no 401 is taken for one.
                return """
                    /// The catalog has no token-expired code: the client never refreshes and retries.
                    @Sendable static func isExpiredToken(_ response: TransportResponse) -> Bool { false }

                """
            }
            return """
                /// An access token past its expiry answers `\(expired.code)`: refresh and retry once.
                @Sendable static func isExpiredToken(_ response: TransportResponse) -> Bool {
                    guard response.status == \(expired.status) else { return false }
                    let problem = try? JSONCoding.decoder.decode(\(problem.typeName).self, from: response.body)
                    return problem?.\(problem.codeProperty.name) == .\(expired.caseName)
                }

            """
        }
        return """
            /// A 401 means the token was refused: refresh and retry once.
            @Sendable static func isExpiredToken(_ response: TransportResponse) -> Bool { response.status == 401 }

        """
    }

    private func resultEnums() -> String {
        var out = ""
        for op in api.clientOperations where returnType(op) == "\(op.typeName)Result" {
            out += "extension \(clientName) {\n    /// The success answers of `\(op.methodName)`.\n"
            out += "    public enum \(op.typeName)Result: Sendable, Hashable {\n"
            for r in successResponses(op) {
                out += Text.doc(r.doc, indent: "        ")
                out += "        case \(r.caseName)\(r.body.map { "(\($0.type.code))" } ?? "")\n"
            }
            out += "    }\n}\n\n"
        }
        return out
    }

    private func errorDecoding() -> String {
        if let problem, let catalog = api.catalog {
            let retry = problem.retryAfterWire.flatMap { problem.property($0) }
            let retryExpr = retry.map { "problem?.\($0.name)" } ?? "nil"
            return """
            extension APIError {
                /// Reads an error answer: the problem body when there is one, else just the status.
                public init(response: TransportResponse) {
                    let problem = try? JSONCoding.decoder.decode(\(problem.typeName).self, from: response.body)
                    let retryAfter = response.header("Retry-After").flatMap { Int($0) } ?? \(retryExpr)
                    let code = problem?.\(problem.codeProperty.name) ?? .undocumented("")
                    self.init(status: response.status, code: code, problem: problem, retryAfter: retryAfter)
                }
            }

            """
            + (catalog.entries.isEmpty ? "" : "")
        }
        return """
        extension APIError {
            /// Reads an error answer: its status and, when JSON, its body.
            public init(response: TransportResponse) {
                let body = try? JSONCoding.decoder.decode(JSONValue.self, from: response.body)
                self.init(status: response.status, body: body, retryAfter: response.header("Retry-After").flatMap { Int($0) })
            }
        }

        """
    }
}
