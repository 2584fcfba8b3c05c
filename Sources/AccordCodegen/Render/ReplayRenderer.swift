/// Stage 4e: renders the client-replay tool: a small executable that drives the generated client
/// with recorded exchanges (`accord verify` feeds it a plan on standard input) and reports the
/// request the client built and what it made of the recorded response.
struct ReplayRenderer {
    let api: GeneratedAPI
    let clientName: String
    let clientModule: String

    func render() -> [(name: String, contents: String)] {
        [("main.swift", main()), ("ReplaySupport.swift", RuntimeSources.replay(clientModule: clientModule))]
    }

    private func main() -> String {
        var out = """
        import Foundation
        import \(clientModule)

        // Reads a replay plan (JSON) on standard input, writes one report per step on standard output.
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let reports = await ClientReplay.run(input) { client, step, arguments in
            switch step.operationId {

        """
        for op in api.operations {
            out += "    case \(Text.literal(op.operationId)):\n"
            if let reason = unsupported(op) {
                let line = "        throw ReplayArgumentError(\(Text.literal(reason)))"
                out += line.count <= 120 ? line + "\n" : "        throw ReplayArgumentError(\n            \(Text.literal(reason)))\n"
                continue
            }
            out += "        arguments.pathTemplate = \(Text.literal(op.path))\n"
            var args: [String] = []
            for p in op.parameters where p.location == .path {
                args.append("\(p.name): try arguments.path(\(Text.literal(p.wireName)), as: \(p.type.unwrapped.code).self)")
            }
            if let body = op.body {
                let read = body.encoding == .json ? "jsonBody" : "textBody"
                let value = body.isRequired ? "try arguments.\(read)(\(body.type.unwrapped.code).self)"
                    : "try arguments.optional\(read.prefix(1).uppercased() + read.dropFirst())(\(body.type.unwrapped.code).self)"
                args.append(value)
            }
            let nonPath = op.parameters.filter { $0.location != .path }
            for p in nonPath.filter(\.isRequired) + nonPath.filter({ !$0.isRequired }) {
                args.append("\(p.name): try \(argument(p))")
            }
            let call = "        _ = try await client.\(op.methodName)(\(args.joined(separator: ", ")))"
            if call.count > 120 {
                out += "        _ = try await client.\(op.methodName)(\n" + args.map { "            \($0)" }.joined(separator: ",\n") + "\n        )\n"
            } else {
                out += call + "\n"
            }
        }
        out += """
            default:
                throw ReplayArgumentError("the client has no operation \\(step.operationId)")
            }
        } makeClient: { transport, \(api.clientUsesBearer ? "tokens" : "_"), \(usesArguments ? "arguments" : "_") in
            \(makeClient)
        } errorCode: { error in
            \(errorCodeExpression)
        }
        FileHandle.standardOutput.write(reports)

        """
        return out
    }

    /// The client as the app makes it; with an app-version header, with the version the recording sent.
    /// API keys are the ones the recording sent.
    private var makeClient: String {
        var arguments = ["baseURL: URL(string: \"http://replay.invalid\")!", "transport: transport"]
        if api.clientUsesBearer { arguments.append("tokenProvider: tokens") }
        if api.clientUsesAPIKeys {
            var keys: [String] = []
            var seen = Set<String>()
            for op in api.clientOperations {
                guard case .apiKey(let scheme, let name, let location) = op.clientCredential,
                      seen.insert(scheme).inserted else { continue }
                let read = location == .query
                    ? "(try? arguments.query(\(Text.literal(name)), as: String.self)) ?? nil"
                    : "arguments.rawHeader(\(Text.literal(name)))"
                keys.append("(\(Text.literal(scheme)), \(read))")
            }
            arguments.append("apiKeyProvider: StaticAPIKeys(Dictionary(uniqueKeysWithValues: [\(keys.joined(separator: ", "))]"
                             + ".compactMap { scheme, key in key.map { (scheme, $0) } }))")
        }
        if let header = api.appVersionHeader {
            arguments.append("appVersion: arguments.rawHeader(\(Text.literal(header)))")
        }
        return "\(clientName)(\n" + Text.argumentLines(arguments, indent: "        ") + ")"
    }

    private var usesArguments: Bool { api.appVersionHeader != nil || api.clientUsesAPIKeys }

    private var errorCodeExpression: String {
        api.catalog != nil
            ? "(error as? APIError).map { ($0.status, Optional($0.code.rawValue)) }"
            : "(error as? APIError).map { ($0.status, nil) }"
    }

    /// Operations the replay cannot call from recorded values (said in the report, not guessed).
    private func unsupported(_ op: OperationDecl) -> String? {
        if op.isWebhook {
            return "\(op.operationId) is a webhook: a provider calls it, the client has no method for it"
        }
        if let body = op.body, body.encoding == .form || body.encoding == .binary {
            return "\(op.operationId): \(body.contentType) bodies are not replayed through the client"
        }
        if op.parameters.contains(where: { $0.location == .cookie }) {
            return "\(op.operationId): cookie parameters are not replayed through the client"
        }
        if op.parameters.contains(where: { p in
            guard p.location == .query, case .named(let name) = p.type.unwrapped else { return false }
            return api.types.contains { t in if t.name == name, case .structure = t.kind { return true }; return false }
        }) {
            return "\(op.operationId): object-valued query parameters are not replayed through the client"
        }
        return nil
    }

    private func argument(_ p: ParameterDecl) -> String {
        let type = p.type.unwrapped
        let accessor: String
        switch p.location {
        case .query:
            if case .array(let element) = type {
                return "arguments.queryList(\(Text.literal(p.wireName)), as: \(element.code).self, explode: \(p.explode))"
                    + (p.isRequired ? " ?? []" : "")
            }
            accessor = "query"
        case .header: accessor = "header"
        default: accessor = "query"
        }
        let call = "arguments.\(accessor)(\(Text.literal(p.wireName)), as: \(type.code).self)"
        return p.isRequired ? "arguments.require(\(call), \(Text.literal(p.wireName)))" : call
    }
}
