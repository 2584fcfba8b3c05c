import AccordSpec
import Foundation

/// The escape hatch, proven per release: a request from a version below the server's floor is
/// answered 426, and that release's frozen client turns the answer into a typed error (so the
/// app can ask its user to update), even though the release predates the error code.
public enum UpgradeCheck {
    /// A version below any floor a server can set.
    public static let ancientVersion = "0"

    /// Sends the release's first plain `GET` (no parameters) that `current` (today's spec) still
    /// has with `header: 0`, and decodes the answer through `tool`. Returns how many answers were
    /// decoded and what failed.
    public static func run(
        document: APIDocument, current: APIDocument, server: some HTTPExchanging, header: String,
        tool: String?
    ) async -> (decoded: Int, failures: [ReleaseMatrix.Failure]) {
        let scenario = "(app version below the floor)"
        func failure(_ message: String) -> (Int, [ReleaseMatrix.Failure]) {
            (0, [ReleaseMatrix.Failure(scenario: scenario, step: 1, pointer: "", message: message, stage: "upgrade")])
        }
        guard
            let operation = document.operations.first(where: { op in
                op.method == .get && !op.path.contains("{") && !op.parameters.contains(where: \.isRequired)
                    && current.operations.contains { $0.method == .get && $0.path == op.path }
            })
        else { return failure("the release has no GET operation without parameters that the server still serves") }
        let request = WireRequest(method: "GET", target: operation.path, headers: [(header, ancientVersion)], body: nil)
        let response: WireResponse
        do {
            response = try await server.send(request)
        } catch {
            return failure("GET \(operation.path): \(error)")
        }
        guard response.status == 426 else {
            return failure(
                "GET \(operation.path) with \(header): \(ancientVersion) answered \(response.status), expected 426: "
                    + "the server does not turn away versions below its floor")
        }
        guard let tool else { return (0, []) }
        let recordedRequest = Scenario.RecordedRequest(
            method: "GET", path: operation.path, query: [],
            headers: [(header, ancientVersion)], body: nil, signature: nil,
            location: operation.location)
        let recordedResponse = Scenario.RecordedResponse(
            status: response.status, headers: [], body: JSON.parse(response.body),
            location: operation.location)
        let step = Scenario.Step(
            name: "below the floor", action: .exchange(recordedRequest, recordedResponse), captures: [],
            matchers: [:], location: operation.location)
        var result = ScenarioResult(scenario: scenario, file: "", steps: [], seconds: 0)
        result.observed = [ObservedExchange(number: 1, step: step, request: request, response: response)]
        do {
            let outcome = try ClientReplay(document: document).run(observed: [result], tool: tool)
            let failures = ReleaseMatrix.failures(outcome.results, stage: "upgrade")
            return (outcome.checked, failures)
        } catch {
            return failure("\(error)")
        }
    }
}
