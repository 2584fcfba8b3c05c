import AccordSpec
import Foundation

/// What became of one step of a scenario.
public struct StepResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case passed
        case failed([String])
        /// An earlier step failed; later steps depend on it.
        case notRun
    }
    /// 0 for a scenario's `state`, else the step's position in `steps` (from 1).
    public var number: Int
    public var name: String?
    public var label: String
    public var outcome: Outcome

    public init(number: Int, name: String?, label: String, outcome: Outcome) {
        self.number = number
        self.name = name
        self.label = label
        self.outcome = outcome
    }
}

/// One exchange as it happened: what was sent and what the server answered.
public struct ObservedExchange: Sendable {
    public var number: Int
    public var step: Scenario.Step
    public var request: WireRequest
    public var response: WireResponse
}

public struct ScenarioResult: Sendable {
    public var scenario: String
    public var file: String
    public var steps: [StepResult]
    public var seconds: Double
    /// The exchanges as they happened, when the replayer was asked to keep them.
    public var observed: [ObservedExchange] = []

    public init(scenario: String, file: String, steps: [StepResult], seconds: Double) {
        self.scenario = scenario
        self.file = file
        self.steps = steps
        self.seconds = seconds
    }

    public var passed: Bool { steps.allSatisfy { $0.outcome == .passed } }

    /// "todos-crud step 3: /items/0/due_at: expected string (date-time), got integer", one per difference.
    public var failureLines: [String] {
        steps.flatMap { step -> [String] in
            guard case .failed(let messages) = step.outcome else { return [] }
            let label = step.number == 0 ? "\(scenario) state" : "\(scenario) step \(step.number)"
            return messages.map { "\(label): \($0)" }
        }
    }
}

/// Replays scenarios against a server and checks every answer against its recording and the spec.
public struct Replayer: Sendable {
    public let document: APIDocument
    let index: OperationIndex
    let validator: SchemaValidator
    /// The route that sets provider states.
    public var stateRoute = "/_contract/state"
    /// Judge answers as an older generated client reads them: extra members, unknown enum values
    /// and error codes pass (a shipped release's exchanges against today's server).
    public var tolerantReader = false
    /// Keep every exchange as it happened (`ScenarioResult.observed`), to decode the live answers
    /// through a client afterwards.
    public var keepsExchanges = false
    /// Go on after a failing step (`accord verify --update` rewrites every failing answer at once).
    public var continuesAfterFailure = false
    /// accord.yaml's signers and identity rules.
    public var settings = ContractSettings()
    /// Where signer keys given as `{env: NAME}` are read.
    public var environment = ProcessInfo.processInfo.environment

    public init(document: APIDocument) {
        self.document = document
        index = OperationIndex(document: document)
        validator = SchemaValidator(document: document)
    }

    public func run(_ scenario: Scenario, against server: some HTTPExchanging) async -> ScenarioResult {
        let clock = ContinuousClock()
        let start = clock.now
        var variables = Variables(seededBy: scenario)
        var results: [StepResult] = []
        var observed: [ObservedExchange] = []
        var failed = false
        var steps = scenario.steps.map { (number: 0, step: $0) }
        for i in steps.indices { steps[i].number = i + 1 }
        if let state = scenario.state {
            steps.insert(
                (
                    0,
                    Scenario.Step(
                        name: nil, action: .providerState(state), captures: [], matchers: [:],
                        location: scenario.location)
                ), at: 0)
        }
        for (number, step) in steps {
            let label = Self.label(step)
            if failed {
                results.append(StepResult(number: number, name: step.name, label: label, outcome: .notRun))
                continue
            }
            let messages: [String]
            switch step.action {
            case .providerState(let state):
                messages = await setState(state, on: server)
            case .exchange(let request, let response):
                let outcome = await exchange(step, request, response, variables: &variables, server: server)
                messages = outcome.messages
                if keepsExchanges, let sent = outcome.sent, let answer = outcome.answer {
                    observed.append(ObservedExchange(number: number, step: step, request: sent, response: answer))
                }
            }
            failed = !messages.isEmpty && !continuesAfterFailure
            results.append(
                StepResult(
                    number: number, name: step.name, label: label,
                    outcome: messages.isEmpty ? .passed : .failed(messages)))
        }
        let elapsed = clock.now - start
        var result = ScenarioResult(
            scenario: scenario.name, file: scenario.file, steps: results,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        result.observed = observed
        return result
    }

    static func label(_ step: Scenario.Step) -> String {
        switch step.action {
        case .providerState(let state): return "state \"\(state)\""
        case .exchange(let request, let response): return "\(request.method) \(request.path) → \(response.status)"
        }
    }

    private func setState(_ state: String, on server: some HTTPExchanging) async -> [String] {
        let body = Data(("{\"state\":" + SpecNode(.string(state), at: JSON.nowhere).jsonText + "}").utf8)
        let request = WireRequest(
            method: "POST", target: stateRoute, headers: [("Content-Type", "application/json")], body: body)
        do {
            let response = try await server.send(request)
            if response.status == 204 || response.status == 200 { return [] }
            return [
                "provider state \"\(state)\" was not accepted: status \(response.status) (is the server in "
                    + "contract-test mode?)"
            ]
        } catch {
            return ["provider state \"\(state)\": \(error)"]
        }
    }

    private func exchange(
        _ step: Scenario.Step, _ request: Scenario.RecordedRequest, _ response: Scenario.RecordedResponse,
        variables: inout Variables, server: some HTTPExchanging
    ) async
        -> (messages: [String], sent: WireRequest?, answer: WireResponse?)
    {
        let wire: WireRequest
        do {
            wire = try Self.wireRequest(
                request, variables: variables, signers: settings.signers,
                environment: environment)
        } catch {
            return (["\(error)"], nil, nil)
        }
        let actual: WireResponse
        do {
            actual = try await server.send(wire)
        } catch {
            return (["\(error)"], wire, nil)
        }
        // Parsed once: the captures, the checks and the messages all read it.
        let body = JSON.parse(actual.body)
        // Captures first: a response may refer to its own values (`Location: /v1/todos/${id}`).
        let missing = variables.capture(step.captures, body: body, headers: actual)
        let operation = index.operation(method: request.method, path: wire.target)
        var check = ResponseCheck(
            operation: operation, validator: validator, catalog: document.errorCatalog, variables: variables,
            step: step, request: request, recorded: response, sent: wire, settings: settings)
        check.tolerantReader = tolerantReader
        return (check.differences(actual, body: body) + missing, wire, actual)
    }

    /// The request to send: variables substituted, body serialised, signature computed by the
    /// signer its `sign` directive names (`signers: nil` leaves it unsigned).
    public static func wireRequest(
        _ request: Scenario.RecordedRequest, variables: Variables,
        signers: [String: RequestSigner]?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        now: Date = Date()
    ) throws -> WireRequest {
        var target = try variables.substitute(request.path)
        if !request.query.isEmpty {
            var items: [String] = []
            for (name, value) in request.query {
                items.append(percentEncode(name) + "=" + percentEncode(try variables.substitute(value)))
            }
            target += "?" + items.joined(separator: "&")
        }
        var headers: [(name: String, value: String)] = []
        for (name, value) in request.headers { headers.append((name, try variables.substitute(value))) }
        var body: Data?
        switch request.body {
        case .json(let node): body = Data(try variables.substitute(node).jsonText.utf8)
        case .raw(let text): body = Data(try variables.substitute(text).utf8)
        case .filler(let count):
            let prefix = #"{"filler":""#, suffix = #""}"#
            body = Data(
                (prefix + String(repeating: "a", count: max(0, count - prefix.count - suffix.count)) + suffix).utf8)
        case nil: break
        }
        var isRaw = false
        if case .raw = request.body { isRaw = true }
        if body != nil, !isRaw, request.header("Content-Type") == nil {
            headers.append(("Content-Type", "application/json"))
        }
        if let directive = request.signature, let signers {
            let signer = try Self.signer(for: directive, in: signers)
            // The directive's own key (and its place, for errors) wins over accord.yaml's.
            let keyLocation = directive.key == nil ? signer.keyLocation : directive.keyLocation ?? directive.location
            let key = try RequestSigner.keyBytes(
                directive.key ?? signer.key, at: keyLocation, signer: signer.name,
                environment: environment)
            // A signature the recording carried is stale: the fresh one replaces it.
            headers.removeAll { $0.name.caseInsensitiveCompare(signer.header) == .orderedSame }
            headers.append(signer.signedHeader(body: body, method: request.method, target: target, now: now, key: key))
        }
        return WireRequest(method: request.method, target: target, headers: headers, body: body)
    }

    /// The signer a `sign` directive names; an unknown name is an error at the directive.
    public static func signer(
        for directive: Scenario.SignDirective, in signers: [String: RequestSigner]
    )
        throws(SigningFailure) -> RequestSigner
    {
        guard let signer = signers[directive.signer] else {
            let known =
                signers.isEmpty
                ? "accord.yaml declares no signers"
                : "accord.yaml's signers: " + signers.keys.sorted().joined(separator: ", ")
            throw SigningFailure(
                message: "unknown signer '\(directive.signer)' (\(known))",
                location: directive.location)
        }
        return signer
    }

    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
