/// Accord's own rules on top of OpenAPI's structure: what the app team relies on.
public enum Lint {
    /// Loads, resolves and checks a spec; the diagnostics are sorted by location.
    public static func run(_ docs: SpecDocuments) -> (document: APIDocument?, diagnostics: [Diagnostic]) {
        var (document, log) = DocumentReader.read(docs)
        if let document { check(document, into: &log) }
        return (document, log.sorted)
    }

    public static func check(_ document: APIDocument, into log: inout DiagnosticLog) {
        let catalog = document.errorCatalog
        for op in document.operations {
            let name = "\(op.method.rawValue.uppercased()) \(op.path)"
            if op.isOperationIdDerived {
                log.error("\(name) has no operationId (generated method names come from it)", at: op.location)
            }
            if op.responses.isEmpty {
                log.error("\(name) declares no responses", at: op.location)
            }
            for response in op.responses where response.status.isError {
                guard let content = response.content, content.mediaType.isProblemJSON else {
                    log.error(
                        "\(name) response \(response.status) must be 'application/problem+json' (RFC 9457)",
                        at: response.location)
                    continue
                }
            }
            guard !op.errorCodes.isEmpty || catalog != nil else { continue }
            guard let catalog else {
                log.error(
                    "\(name) lists 'x-error-codes' but no schema carries 'x-error-catalog'",
                    at: op.errorCodes[0].location)
                continue
            }
            var seen = Set<String>()
            for (code, location) in op.errorCodes {
                if !seen.insert(code).inserted { log.warning("error code '\(code)' is listed twice", at: location) }
                guard let entry = catalog.entry(code) else {
                    log.error("error code '\(code)' is not in the error catalog", at: location)
                    continue
                }
                let declared = op.responses.contains { r in
                    switch r.status {
                    case .code(let c): c == entry.status
                    case .range(let first): first == entry.status / 100
                    case .default: true
                    }
                }
                if !declared {
                    log.error(
                        "\(name) can answer '\(code)' (status \(entry.status)) but declares no \(entry.status) "
                            + "response",
                        at: location)
                }
            }
            // Every declared error status should have at least one code behind it.
            for response in op.responses where response.status.isError {
                if case .code(let status) = response.status,
                    !op.errorCodes.contains(where: { catalog.entry($0.code)?.status == status })
                {
                    // At the operation: a shared response component is not where the fix goes.
                    log.error(
                        "\(name) declares \(status) but lists no error code with that status in 'x-error-codes'",
                        at: op.errorCodes.first?.location ?? op.location)
                }
            }
        }
    }
}
