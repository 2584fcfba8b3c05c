import AccordContract
import AccordSpec
import ArgumentParser
import Foundation

/// `accord verify --update`: main's exchanges brought up to date with the server, in place.
struct ExchangeUpdating {
    let project: ProjectConfiguration

    func run(baseURL: String?) async throws {
        let (document, _, scenarios) = try loadContract(spec: project.spec, exchanges: project.exchanges)
        let server = try await ServerUnderTest.start(project, baseURL: baseURL)
        var changed: [String] = [], refused: [String] = [], stillFailing: [String] = []
        do {
            for scenario in scenarios {
                let outcome = try await update(scenario, document: document, server: server.live)
                changed += outcome.changes.map { "\(scenario.file): \($0)" }
                refused += outcome.refused.map { "\(scenario.file): \($0)" }
                stillFailing += outcome.failing
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        print("\n\(changed.count) recorded answer(s) rewritten:")
        for line in changed { print("  " + line) }
        if !refused.isEmpty {
            print("\n\(refused.count) step(s) refused:")
            for line in refused { print("  " + line) }
        }
        if !stillFailing.isEmpty {
            print("\nstill failing after the update:")
            for line in stillFailing { print("  " + line) }
        }
        print("\nReview the changes with `git diff \(project.exchanges)`.")
        if !refused.isEmpty || !stillFailing.isEmpty { throw ExitCode.failure }
    }

    /// Up to three rounds: replay (going on after failures), rewrite the failing answers, reload.
    private func update(
        _ original: Scenario, document: APIDocument, server: LiveServer
    ) async throws
        -> (changes: [String], refused: [String], failing: [String])
    {
        var scenario = original
        var replayer = Replayer(document: document)
        replayer.settings = project.contract
        replayer.keepsExchanges = true
        replayer.continuesAfterFailure = true
        let updater = ExchangeUpdate(document: document)
        var changes: [String] = [], refused: [String] = []
        for _ in 0..<3 {
            let result = await replayer.run(scenario, against: server)
            if result.passed { return (changes, refused, []) }
            let text = try String(contentsOfFile: scenario.file, encoding: .utf8)
            let outcome = updater.update(text: text, scenario: scenario, result: result)
            refused = outcome.refused
            guard outcome.text != text else { break }
            var log = DiagnosticLog()
            guard let reloaded = ScenarioLoader.load(outcome.text, file: scenario.file, into: &log), !log.hasErrors
            else {
                refused.append(
                    "the rewritten file would not load: \(log.errors.map(\.description).joined(separator: "; "))")
                break
            }
            try outcome.text.write(toFile: scenario.file, atomically: true, encoding: .utf8)
            changes += outcome.changes
            scenario = reloaded
        }
        var strict = Replayer(document: document)
        strict.settings = project.contract
        strict.continuesAfterFailure = false
        let final = await strict.run(scenario, against: server)
        return (changes, refused, final.failureLines)
    }
}
