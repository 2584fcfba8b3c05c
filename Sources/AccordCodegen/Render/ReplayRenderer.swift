import AccordSpec

/// Stage 4e: renders the client-replay tool: a small executable that drives the generated client
/// with recorded exchanges (`accord verify` feeds it a plan on standard input) and reports the
/// request the client built and what it made of the recorded response.
struct ReplayRenderer {
    let api: GeneratedAPI
    let clientName: String
    let clientModule: String
    let replayModule: String

    func render() -> [PendingFile] {
        [
            PendingFile("main.swift", start: .early) { main() }
        ]
    }

    private func main() -> String {
        var w = SwiftWriter(reservingCapacity: 2048 + 256 * api.operations.count)
        w.lines(
            """
            import Foundation
            import \(clientModule)
            import \(GeneratorConfiguration.runtime(of: replayModule))

            // Reads a replay plan (JSON) on standard input, writes one report per step on standard output.
            let input = FileHandle.standardInput.readDataToEndOfFile()
            """)
        // One function an operation, and a dispatcher that only picks one: a single closure holding
        // every call made the compiler hold all of them at once (gigabytes on a large spec).
        w.line("let reports = await ClientReplay.run(input) { client, step, arguments in")
        w.indented { $0.line("try await replay(step.operationId)(client, arguments)") }
        let tokens = api.clientUsesBearer ? "tokens" : "_", arguments = usesArguments ? "arguments" : "_"
        // The result type is written out: a multi-statement closure (API keys) does not give it to the
        // replay closure's `client` by inference.
        w.line("} makeClient: { (transport, \(tokens), \(arguments)) -> \(clientName) in")
        w.indented { makeClient(&$0) }
        w.line("} errorCode: { error in")
        w.indented { w in
            w.line(
                api.catalog != nil
                    ? "(error as? APIError).map { ($0.status, Optional($0.code.rawValue)) }"
                    : "(error as? APIError).map { ($0.status, nil) }")
        }
        w.line("}")
        w.line("FileHandle.standardOutput.write(reports)")
        w.blank()
        dispatcher(&w)
        for op in api.operations where unsupported(op) == nil {
            w.blank()
            function(op, &w)
        }
        return w.text
    }

    /// The replay of an operation, by its id; operations the replay cannot call throw why.
    private func dispatcher(_ w: inout SwiftWriter) {
        w.line("/// The call of each operation, by its id.")
        w.scope("func replay(_ operationId: String) throws -> (\(clientName), ReplayArguments) async throws -> Void") {
            w in
            w.switchScope("operationId") { w in
                for op in api.operations {
                    let id = Text.literal(op.operationId)
                    if let reason = unsupported(op) {
                        // The operation's id comes from the step: the literal stays short.
                        let message = "\"\\(operationId)" + Text.literal(reason).dropFirst()
                        w.caseLine([id], "throw ReplayArgumentError(\(message))") {
                            $0.call("throw ReplayArgumentError(", [message])
                        }
                    } else {
                        w.caseLine([id], "return replay\(op.typeName)")
                    }
                }
                w.line("default: throw ReplayArgumentError(\"the client has no operation \\(operationId)\")")
            }
        }
    }

    /// One operation: the client method called with the recorded values, in the order the client
    /// declares its arguments.
    private func function(_ op: OperationDecl, _ w: inout SwiftWriter) {
        w.scope(
            "func replay\(op.typeName)(", ["_ client: \(clientName)", "_ arguments: ReplayArguments"], ") async throws"
        ) { w in
            let template = "arguments.pathTemplate = \(Text.literal(op.path))"
            if template.columns <= w.room {
                w.line(template)
            } else {
                w.line("arguments.pathTemplate =")
                w.indented { $0.line(Text.literal(op.path)) }
            }
            let arguments = op.clientArguments.map { argument in
                let value = read(argument, op)
                return argument.isBody ? value : "\(argument.label): \(value)"
            }
            w.call("_ = try await client.\(op.methodName)(", arguments)
        }
    }

    /// The recorded value of one argument, read as its type (the call's `try` covers the reading).
    private func read(_ argument: ClientArgument, _ op: OperationDecl) -> String {
        let type = argument.type.unwrapped
        let wire = argument.wireName.map(Text.literal) ?? ""
        let isRequired = !argument.hasDefault
        guard let location = argument.location else {
            let json = op.body?.encoding == .json
            let method =
                isRequired ? (json ? "jsonBody" : "textBody") : (json ? "optionalJsonBody" : "optionalTextBody")
            return "arguments.\(method)(\(type.code).self)"
        }
        if location == .path { return "arguments.path(\(wire), as: \(type.code).self)" }
        if location == .query, case .array(let element) = type {
            return "arguments.queryList(\(wire), as: \(element.code).self, explode: \(argument.explode))"
                + (isRequired ? " ?? []" : "")
        }
        let call = "arguments.\(location == .header ? "header" : "query")(\(wire), as: \(type.code).self)"
        return isRequired ? "arguments.require(\(call), \(wire))" : call
    }

    /// The client as the app makes it; with an app-version header, with the version the recording sent.
    /// API keys are the ones the recording sent.
    private func makeClient(_ w: inout SwiftWriter) {
        var arguments = ["baseURL: URL(string: \"http://replay.invalid\")!", "transport: transport"]
        if api.clientUsesBearer { arguments.append("tokenProvider: tokens") }
        if api.clientUsesAPIKeys {
            // A key the recording did not send stays out (a nil assigned to a dictionary adds nothing).
            w.line("var apiKeys: [String: String] = [:]")
            var seen = Set<String>()
            for op in api.clientOperations {
                guard case .apiKey(let scheme, let name, let location) = op.clientCredential,
                    seen.insert(scheme).inserted
                else { continue }
                let read =
                    location == .query
                    ? "(try? arguments.query(\(Text.literal(name)), as: String.self)) ?? nil"
                    : "arguments.rawHeader(\(Text.literal(name)))"
                w.line("apiKeys[\(Text.literal(scheme))] = \(read)")
            }
            arguments.append("apiKeyProvider: StaticAPIKeys(apiKeys)")
        }
        if let header = api.appVersionHeader {
            arguments.append("appVersion: arguments.rawHeader(\(Text.literal(header)))")
        }
        w.call((api.clientUsesAPIKeys ? "return " : "") + "\(clientName)(", arguments)
    }

    private var usesArguments: Bool { api.appVersionHeader != nil || api.clientUsesAPIKeys }

    /// Operations the replay cannot call from recorded values (said in the report, not guessed): why,
    /// to follow the operation's id.
    private func unsupported(_ op: OperationDecl) -> String? {
        if op.isWebhook {
            return " is a webhook: a provider calls it, the client has no method for it"
        }
        if let body = op.body, body.encoding == .form || body.encoding == .binary {
            return ": \(body.contentType) bodies are not replayed through the client"
        }
        if op.parameters.contains(where: { $0.location == .cookie }) {
            return ": cookie parameters are not replayed through the client"
        }
        // The translated parameter's shape decides, as it does for the client that sends it.
        for location in [Parameter.Location.query, .header]
        where op.parameters.contains(where: { $0.location == location && $0.shape == .object }) {
            return ": object-valued \(location.rawValue) parameters are not replayed through the client"
        }
        return nil
    }
}
