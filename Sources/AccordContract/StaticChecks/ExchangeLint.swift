import AccordSpec

/// Checks recorded scenarios against the spec without a server: routes, declared statuses,
/// request and response bodies against their schemas, catalog codes, variables used before set.
public enum ExchangeLint {
    /// `settings`: accord.yaml's, to check every `sign` directive names one of its signers (nil: not checked).
    public static func check(
        _ scenarios: [Scenario], document: APIDocument, settings: ContractSettings? = nil,
        into log: inout DiagnosticLog
    ) {
        if let settings {
            for diagnostic in settings.diagnostics(against: document) { log.add(diagnostic) }
            for scenario in scenarios {
                for step in scenario.steps {
                    guard let directive = step.request?.signature else { continue }
                    do {
                        _ = try Replayer.signer(for: directive, in: settings.signers)
                    } catch {
                        log.error(error.message, at: error.location)
                    }
                }
            }
        }
        let index = OperationIndex(document: document)
        let validator = SchemaValidator(document: document, acceptsReferences: true)
        let catalog = document.errorCatalog
        for scenario in scenarios {
            var defined = Set(scenario.variables.map(\.name))
            if let known = document.providerStates {
                var states: [(String, SourceLocation)] = scenario.state.map { [($0, scenario.location)] } ?? []
                for step in scenario.steps {
                    if case .providerState(let name) = step.action { states.append((name, step.location)) }
                }
                for (name, location) in states where !known.contains(name) {
                    log.error(
                        "'\(name)' is not a provider state of the spec (x-provider-states: "
                            + "\(known.joined(separator: ", ")))",
                        at: location)
                }
            }
            for step in scenario.steps {
                guard let request = step.request, let response = step.response else { continue }
                for name in referencedVariables(request) where !defined.contains(name) {
                    log.error(
                        "variable '${\(name)}' is used before any capture or 'variables' entry sets it",
                        at: request.location)
                }
                for capture in step.captures {
                    if case .body(let pointer) = capture.source, let body = response.body,
                        JSON.value(at: pointer, in: body) == nil
                    {
                        log.error(
                            "capture '\(capture.variable)': the recorded body has no value at \(pointer)",
                            at: capture.location)
                    }
                    defined.insert(capture.variable)
                }
                let code = response.body?[catalog?.codeMember ?? "code"]?.string
                if response.status >= 400 {
                    if let code {
                        if let entry = catalog?.entry(code) {
                            if entry.status != response.status {
                                log.error(
                                    "\(code) is a \(entry.status) error, recorded with status \(response.status)",
                                    at: response.body?[catalog?.codeMember ?? "code"]?.location)
                            }
                        } else if catalog != nil {
                            log.error(
                                "unknown error code '\(code)' (not in the catalog)",
                                at: response.body?[catalog?.codeMember ?? "code"]?.location)
                        }
                    }
                    if let type = response.header("Content-Type"), !MediaType(type).isProblemJSON {
                        log.error(
                            "an error response is recorded as \(type), not application/problem+json",
                            at: response.location)
                    }
                }
                guard let operation = index.operation(method: request.method, path: request.path) else {
                    if !(response.status == 404 || response.status == 405) {
                        log.error(
                            "no operation of the spec matches \(request.method) \(request.path)", at: request.location)
                    }
                    continue
                }
                guard let declared = OperationIndex.response(for: response.status, in: operation) else {
                    let statuses = operation.responses.map(\.status.description).joined(separator: ", ")
                    log.error(
                        "status \(response.status) is not declared for \(operation.operationId) (declared: "
                            + "\(statuses))",
                        at: response.location)
                    continue
                }
                let listed = operation.errorCodes
                if let code, catalog?.entry(code) != nil, !listed.isEmpty, !listed.contains(where: { $0.code == code })
                {
                    log.error(
                        "\(code) is not one of the codes \(operation.operationId) lists in x-error-codes",
                        at: response.body?[catalog?.codeMember ?? "code"]?.location)
                }
                if let body = response.body, let schema = declared.content?.schema {
                    for mismatch in validator.validate(body, against: schema)
                    where step.matchers[mismatch.pointer] == nil {
                        let at = JSON.value(at: mismatch.pointer, in: body)?.location ?? body.location
                        log.error("recorded response: \(mismatch)", at: at)
                    }
                }
                // Requests of successful steps must be valid; failing steps may be invalid on purpose.
                if (200..<300).contains(response.status), case .json(let body) = request.body,
                    let schema = operation.requestBody?.content.schema
                {
                    for mismatch in validator.validate(body, against: schema) {
                        let at = JSON.value(at: mismatch.pointer, in: body)?.location ?? body.location
                        log.error("recorded request: \(mismatch)", at: at)
                    }
                }
            }
        }
    }

    static func referencedVariables(_ request: Scenario.RecordedRequest) -> [String] {
        var names = Variables.references(in: request.path)
        for (_, value) in request.query { names += Variables.references(in: value) }
        for (_, value) in request.headers { names += Variables.references(in: value) }
        switch request.body {
        case .json(let node): names += references(in: node)
        case .raw(let text): names += Variables.references(in: text)
        default: break
        }
        return names
    }

    static func references(in node: SpecNode) -> [String] {
        switch node.value {
        case .string(let text): return Variables.references(in: text)
        case .array(let items): return items.flatMap { references(in: $0) }
        case .object(let object): return object.entries.flatMap { references(in: $0.value) }
        default: return []
        }
    }
}
