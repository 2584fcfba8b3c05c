import AccordSpec
import Foundation

/// Client verification: every recorded exchange goes through the generated client (via the
/// generated `<Name>ClientReplay` tool). The request the client builds must equal the recorded
/// one, and the client must turn the recorded response into its typed result or typed error.
public struct ClientReplay: Sendable {
    public let document: APIDocument
    let index: OperationIndex
    let validator: SchemaValidator
    /// The header the generated client stamps with its own id on every request (accord.yaml's
    /// `requestIdHeader`): a recorded value cannot come out of the client, so it is not compared.
    let requestIdHeader: String?

    public init(document: APIDocument, requestIdHeader: String? = "X-Request-ID") {
        self.document = document
        self.requestIdHeader = requestIdHeader
        index = OperationIndex(document: document)
        validator = SchemaValidator(document: document)
    }

    struct PlannedStep {
        var scenario: String
        var number: Int
        var step: Scenario.Step
        var operation: AccordSpec.Operation
        var wire: WireRequest
        var answer: WireResponse
        var recordedBody: SpecNode?
    }

    /// Binds every variable from the recorded responses (the client sees what the recording saw).
    func plan(_ scenarios: [Scenario]) -> (steps: [PlannedStep], skipped: [(String, Int, String)]) {
        var steps: [PlannedStep] = []
        var skipped: [(String, Int, String)] = []
        for scenario in scenarios {
            var variables = Variables(seededBy: scenario)
            for (offset, step) in scenario.steps.enumerated() {
                guard let request = step.request, let response = step.response else { continue }
                let number = offset + 1
                // Unsigned: a signature is the caller's, not part of what a typed client builds.
                guard let wire = try? Replayer.wireRequest(request, variables: variables, signers: nil) else {
                    skipped.append((scenario.name, number, "uses a variable the recording does not define"))
                    continue
                }
                let body = response.body.flatMap { try? variables.substitute($0) }
                var headers: [(name: String, value: String)] = []
                for (name, value) in response.headers {
                    headers.append((name, (try? variables.substitute(value)) ?? value))
                }
                let answer = WireResponse(
                    status: response.status, headers: headers, body: Data((body?.jsonText ?? "").utf8))
                // Captures from the recorded answer, for the steps after this one (lint reports missing ones).
                _ = variables.capture(step.captures, body: body, headers: answer)
                guard let operation = index.operation(method: request.method, path: wire.target) else {
                    skipped.append(
                        (scenario.name, number, "\(request.method) \(request.path) is no operation of the spec"))
                    continue
                }
                steps.append(
                    PlannedStep(
                        scenario: scenario.name, number: number, step: step, operation: operation, wire: wire,
                        answer: answer, recordedBody: body))
            }
        }
        return (steps, skipped)
    }

    /// Exchanges as they happened against a live server: the client must build the request that
    /// was sent and read the answer the server gave.
    func plan(observed results: [ScenarioResult]) -> (steps: [PlannedStep], skipped: [(String, Int, String)]) {
        var steps: [PlannedStep] = []
        var skipped: [(String, Int, String)] = []
        for result in results {
            for exchange in result.observed {
                guard let operation = index.operation(method: exchange.request.method, path: exchange.request.target)
                else {
                    skipped.append(
                        (
                            result.scenario, exchange.number,
                            "\(exchange.request.method) \(exchange.request.path) is no operation of the spec"
                        ))
                    continue
                }
                steps.append(
                    PlannedStep(
                        scenario: result.scenario, number: exchange.number, step: exchange.step, operation: operation,
                        wire: exchange.request, answer: exchange.response,
                        recordedBody: JSON.parse(exchange.response.body)))
            }
        }
        return (steps, skipped)
    }

    /// The JSON the replay tool reads.
    func planJSON(_ steps: [PlannedStep]) -> Data {
        func pairs(_ list: [(name: String, value: String)]) -> [[String]] { list.map { [$0.name, $0.value] } }
        let items: [[String: Any]] = steps.map { planned in
            var item: [String: Any] = [
                "id": "\(planned.scenario)#\(planned.number)",
                "operationId": planned.operation.operationId,
                "method": planned.wire.method,
                "path": planned.wire.path,
                "query": pairs(planned.wire.query),
                "headers": pairs(planned.wire.headers),
                "response": [
                    "status": planned.answer.status,
                    "headers": pairs(planned.answer.headers),
                    "body": String(decoding: planned.answer.body, as: UTF8.self),
                ] as [String: Any],
            ]
            if let body = planned.wire.body { item["body"] = String(decoding: body, as: UTF8.self) }
            return item
        }
        return (try? JSONSerialization.data(withJSONObject: ["steps": items], options: [.sortedKeys])) ?? Data()
    }

    public struct Outcome: Sendable {
        public var results: [ScenarioResult]
        /// Steps the client cannot express (malformed bodies, undeclared routes, invalid ids): not failures.
        public var notExpressible: [String]
        public var checked: Int
    }

    public struct ToolFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs the replay tool on every scenario and checks its reports.
    public func run(_ scenarios: [Scenario], tool: String) throws -> Outcome {
        let (steps, skipped) = plan(scenarios)
        return try run(steps, skipped: skipped, names: scenarios.map { ($0.name, $0.file) }, tool: tool)
    }

    /// Decodes what a live server answered (`Replayer.keepsExchanges`) through the client the tool was built from.
    public func run(observed results: [ScenarioResult], tool: String) throws -> Outcome {
        let (steps, skipped) = plan(observed: results)
        return try run(steps, skipped: skipped, names: results.map { ($0.scenario, $0.file) }, tool: tool)
    }

    private func run(
        _ steps: [PlannedStep], skipped: [(String, Int, String)], names: [(String, String)], tool: String
    ) throws -> Outcome {
        let reportsData = try invoke(tool: tool, input: planJSON(steps))
        guard let reports = JSON.parse(reportsData)?.array else {
            let text = String(decoding: reportsData.prefix(500), as: UTF8.self)
            throw ToolFailure(description: "\(tool) did not answer a report list: \(text)")
        }
        var byID: [String: SpecNode] = [:]
        for report in reports { if let id = report["id"]?.string { byID[id] = report } }
        var notExpressible = skipped.map { "\($0.0) step \($0.1): \($0.2)" }
        var perScenario: [String: [StepResult]] = [:]
        var checked = 0
        for planned in steps {
            let id = "\(planned.scenario)#\(planned.number)"
            let label = "client: " + Replayer.label(planned.step)
            guard let report = byID[id] else {
                perScenario[planned.scenario, default: []].append(
                    StepResult(
                        number: planned.number, name: planned.step.name, label: label,
                        outcome: .failed(["the replay tool reported nothing for this step"])))
                continue
            }
            if report["outcome"]?.string == "notExpressible" {
                notExpressible.append(
                    "\(planned.scenario) step \(planned.number): \(report["message"]?.string ?? "not expressible")")
                continue
            }
            checked += 1
            let messages = differences(planned, report)
            perScenario[planned.scenario, default: []].append(
                StepResult(
                    number: planned.number, name: planned.step.name, label: label,
                    outcome: messages.isEmpty ? .passed : .failed(messages)))
        }
        let results = names.map { name, file in
            ScenarioResult(scenario: name, file: file, steps: perScenario[name] ?? [], seconds: 0)
        }
        return Outcome(results: results, notExpressible: notExpressible, checked: checked)
    }

    private func invoke(tool: String, input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch { throw ToolFailure(description: "cannot run \(tool): \(error)") }
        // Write on another thread: a large plan must not dead-lock against a full output pipe.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw ToolFailure(
                description:
                    "\(tool) failed with status \(process.terminationStatus): "
                    + "\(String(decoding: errors.prefix(1500), as: UTF8.self))"
            )
        }
        return output
    }

    func differences(_ planned: PlannedStep, _ report: SpecNode) -> [String] {
        var out: [String] = []
        let status = planned.answer.status
        let recordedCode = planned.recordedBody?["code"]?.string
        switch report["outcome"]?.string {
        case "success":
            if status >= 400 {
                out.append("the client returned success for a recorded \(status)\(recordedCode.map { " \($0)" } ?? "")")
            }
        case "apiError":
            if status < 400 {
                out.append("the client threw \(report["code"]?.string ?? "an error") for a recorded \(status)")
            } else if let recordedCode, let code = report["code"]?.string, code != recordedCode {
                out.append("the client decoded error code \(code), the recording says \(recordedCode)")
            }
        default:
            out.append(
                "the client failed on the recorded \(status) response: "
                    + "\(report["message"]?.string ?? "unknown failure")"
            )
        }
        guard let built = report["request"] else {
            out.append("the client sent no request")
            return out
        }
        out += requestDifferences(planned, built)
        return out
    }

    private func requestDifferences(_ planned: PlannedStep, _ built: SpecNode) -> [String] {
        var out: [String] = []
        let expected = planned.wire
        if built["method"]?.string != expected.method {
            out.append("client request: method \(built["method"]?.string ?? "?"), recorded \(expected.method)")
        }
        let url = URLComponents(string: built["url"]?.string ?? "")
        let expectedPath = expected.path.removingPercentEncoding ?? ""
        if let url, url.path != expectedPath {
            out.append("client request: path \(url.path), recorded \(expectedPath)")
        }
        let builtQuery = (url?.queryItems ?? []).map { "\($0.name)=\($0.value ?? "")" }.sorted()
        let expectedQuery = expected.query.map { "\($0.name)=\($0.value)" }.sorted()
        if builtQuery != expectedQuery {
            out.append(
                "client request: query \(builtQuery.joined(separator: "&")), recorded "
                    + "\(expectedQuery.joined(separator: "&"))"
            )
        }
        let headers = built["headers"]?.array ?? []
        func builtHeader(_ name: String) -> String? {
            headers.first { $0.array?.first?.string?.caseInsensitiveCompare(name) == .orderedSame }?.array?.last?.string
        }
        if usesBearer(planned.operation) {
            let sent = builtHeader("Authorization"), recorded = expected.header("Authorization")
            if sent != recorded {
                out.append(
                    "client request: Authorization \(sent == nil ? "missing" : "differs"), recorded "
                        + "\(recorded == nil ? "none" : "one")"
                )
            }
        }
        // Header parameters the recording sent must come out the same; the client may add its own (a request id).
        for parameter in planned.operation.parameters
        where parameter.location == .header && expected.header(parameter.name) != nil
            && parameter.name.caseInsensitiveCompare(requestIdHeader ?? "") != .orderedSame
        {
            if builtHeader(parameter.name) != expected.header(parameter.name) {
                out.append(
                    "client request: header \(parameter.name) \(builtHeader(parameter.name) ?? "missing"), recorded "
                        + "\(expected.header(parameter.name) ?? "none")"
                )
            }
        }
        let builtBody = built["body"]?.string.flatMap { JSON.parse(Data($0.utf8)) }
        let recordedBody = expected.body.flatMap(JSON.parse)
        if let recordedBody {
            let declared = declaredOnly(recordedBody, for: planned.operation)
            if let builtBody {
                var comparison = BodyComparison(variables: Variables(), matchers: [:], captured: [], isProblem: false)
                comparison.compare(declared, builtBody, "")
                out += comparison.mismatches.map { "client request body: \($0)" }
            } else {
                out.append("client request: no body, the recording has one")
            }
        }
        return out
    }

    private func usesBearer(_ operation: AccordSpec.Operation) -> Bool {
        operation.security.flatMap { $0 }.contains { name in
            if case .httpBearer = document.securitySchemes[name] { return true }
            return false
        }
    }

    /// The recorded body without the members its schema does not declare: a typed client
    /// cannot send those (mass-assignment probes), and ignoring them is its correct behaviour.
    private func declaredOnly(_ body: SpecNode, for operation: AccordSpec.Operation) -> SpecNode {
        guard let schema = operation.requestBody?.content.schema, let object = body.object,
            let names = validator.declaredMembers(of: schema)
        else { return body }
        return SpecNode(.object(SpecObject(object.entries.filter { names.contains($0.key) })), at: body.location)
    }
}
