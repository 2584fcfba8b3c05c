import AccordSpec

/// Which operations, documented statuses and catalog codes a set of scenarios exercises.
public struct Coverage: Sendable {
    public struct OperationRow: Sendable {
        public var operationId: String
        public var method: String
        public var path: String
        /// Each documented status and how many recorded steps answer it.
        public var statuses: [(status: StatusCode, steps: Int)]
    }

    public var operations: [OperationRow]
    /// Each catalog code and how many recorded steps answer it.
    public var errorCodes: [(code: String, steps: Int)]
    /// Recorded steps whose request matches no operation (unknown routes, wrong methods).
    public var unmatchedSteps: Int

    public init(document: APIDocument, scenarios: [Scenario]) {
        let index = OperationIndex(document: document)
        var statusCounts: [String: [StatusCode: Int]] = [:]
        var codeCounts: [String: Int] = [:]
        var unmatched = 0
        for scenario in scenarios {
            for step in scenario.steps {
                guard let request = step.request, let response = step.response else { continue }
                if response.status >= 400,
                    let code = response.body?[document.errorCatalog?.codeMember ?? "code"]?.string
                {
                    codeCounts[code, default: 0] += 1
                }
                guard let operation = index.operation(method: request.method, path: request.path),
                    let declared = OperationIndex.response(for: response.status, in: operation)
                else {
                    unmatched += 1
                    continue
                }
                statusCounts[operation.operationId, default: [:]][declared.status, default: 0] += 1
            }
        }
        operations = document.operations.map { operation in
            OperationRow(
                operationId: operation.operationId, method: operation.method.rawValue.uppercased(),
                path: operation.path,
                statuses: operation.responses.map { ($0.status, statusCounts[operation.operationId]?[$0.status] ?? 0) })
        }
        errorCodes = (document.errorCatalog?.entries ?? []).map { ($0.code, codeCounts[$0.code] ?? 0) }
        unmatchedSteps = unmatched
    }

    public var operationsCovered: Int { operations.filter { $0.statuses.contains { $0.steps > 0 } }.count }
    public var statusesTotal: Int { operations.reduce(0) { $0 + $1.statuses.count } }
    public var statusesCovered: Int { operations.reduce(0) { $0 + $1.statuses.filter { $0.steps > 0 }.count } }
    public var codesCovered: Int { errorCodes.filter { $0.steps > 0 }.count }

    public var isComplete: Bool {
        operationsCovered == operations.count && statusesCovered == statusesTotal && codesCovered == errorCodes.count
    }

    /// The table `accord coverage` prints.
    public func table() -> String {
        var lines: [String] = []
        let idWidth = max(9, operations.map(\.operationId.count).max() ?? 0)
        let routeWidth = max(5, operations.map { $0.method.count + 1 + $0.path.count }.max() ?? 0)
        lines.append(pad("operation", idWidth) + "  " + pad("route", routeWidth) + "  statuses (steps)")
        for row in operations {
            let cells = row.statuses.map { "\($0.steps > 0 ? "✓" : "✗") \($0.status) (\($0.steps))" }
            lines.append(
                pad(row.operationId, idWidth) + "  " + pad(row.method + " " + row.path, routeWidth) + "  "
                    + cells.joined(separator: "  "))
        }
        if !errorCodes.isEmpty {
            lines.append("")
            lines.append("error code                  steps")
            for (code, steps) in errorCodes {
                lines.append("\(steps > 0 ? "✓" : "✗") " + pad(code, 26) + " \(steps)")
            }
        }
        lines.append("")
        lines.append(
            "operations \(operationsCovered)/\(operations.count) (\(percent(operationsCovered, operations.count))), "
                + "statuses \(statusesCovered)/\(statusesTotal) (\(percent(statusesCovered, statusesTotal))), "
                + "error codes \(codesCovered)/\(errorCodes.count) (\(percent(codesCovered, errorCodes.count)))"
                + (unmatchedSteps > 0 ? "; \(unmatchedSteps) step(s) on routes the spec does not declare" : ""))
        return lines.joined(separator: "\n")
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "100%" : "\(part * 100 / whole)%"
    }
}
