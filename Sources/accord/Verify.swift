import AccordContract
import AccordSpec
import ArgumentParser
import Foundation

/// Loads the spec and the scenarios, or reports why not and exits 1. `readLog` keeps the
/// spec's warnings for a lint that follows.
func loadContract(
    spec: String, exchanges: String
) throws -> (document: APIDocument, readLog: DiagnosticLog, scenarios: [Scenario]) {
    let docs = try loadSpec(spec)
    let (document, readLog) = DocumentReader.read(docs)
    guard let document, !readLog.hasErrors else {
        _ = report(readLog.all)
        throw ExitCode.failure
    }
    let (scenarios, log) = ScenarioLoader.loadFolder(exchanges)
    if report(log.all) { throw ExitCode.failure }
    if scenarios.isEmpty {
        FileHandle.standardError.write(Data("error: no scenarios in \(exchanges)\n".utf8))
        throw ExitCode.failure
    }
    return (document, readLog, scenarios)
}

struct Coverage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract:
            "Print which operations, documented statuses and error codes the recorded exchanges cover; exit 1 below "
            + "100%."
    )

    @Option(help: "The exchanges folder (default: accord.yaml's).")
    var exchanges: String?

    @Option(help: "The spec (default: accord.yaml's).")
    var spec: String?

    @Option(help: "The configuration file.")
    var config = "accord.yaml"

    func run() throws {
        let project = (spec == nil || exchanges == nil) ? try loadProject(config) : nil
        let (document, _, scenarios) = try loadContract(
            spec: spec ?? project!.spec, exchanges: exchanges ?? project!.exchanges)
        let coverage = AccordContract.Coverage(document: document, scenarios: scenarios)
        print(coverage.table())
        if !coverage.isComplete { throw ExitCode.failure }
    }
}

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Replay the recorded exchanges against a live server (and the generated client) and report every "
            + "difference.",
        discussion: """
            With --base-url: replays every scenario against that server, any language.

            With no arguments (the main job): checks Generated/ is fresh, lints the spec and the exchanges, replays \
            the exchanges through the generated client, starts accord.yaml's server command on a free port, replays \
            every scenario against it, stops it, and prints the summary.
            """)

    @Option(help: "A running server to replay against (e.g. http://127.0.0.1:8080).")
    var baseURL: String?

    @Option(help: "The exchanges folder (default: accord.yaml's).")
    var exchanges: String?

    @Option(help: "The spec (default: accord.yaml's).")
    var spec: String?

    @Option(help: "Also write the results as JUnit XML to this file.")
    var junit: String?

    @Flag(
        help: """
            With --base-url: also replay the exchanges through the generated client (accord.yaml's clientReplay, \
            built).
            """)
    var client = false

    @Option(help: "Only the scenarios with these names (repeatable).")
    var scenario: [String] = []

    @Flag(
        help: """
            The deploy gate: main's exchanges, then every supported release's exchanges (tolerant reader) and frozen \
            client, against the server; exit 1 when a blocking release fails.
            """)
    var releases = false

    @Option(help: "With --releases: text, markdown, json or junit.")
    var format = "text"

    @Flag(
        help: """
            After an intended change: replay main's exchanges and rewrite each failing step's recorded answer in place \
            with the live one (keeping descriptions, matchers, captures, variables and comments around it); \
            refuses answers that break the spec; prints what changed.
            """)
    var update = false

    @Option(help: "The configuration file.")
    var config = "accord.yaml"

    func run() async throws {
        if update {
            try await ExchangeUpdating(project: try loadProject(config)).run(baseURL: baseURL)
            return
        }
        if releases {
            guard ["text", "markdown", "json", "junit"].contains(format) else {
                throw ValidationError("--format must be text, markdown, json or junit")
            }
            let matrix = try await ReleaseVerification(project: try loadProject(config), config: config).run(
                baseURL: baseURL)
            let rendered =
                switch format {
                case "markdown": matrix.markdown()
                case "json": matrix.json()
                case "junit": matrix.junit()
                default: matrix.text()
                }
            print(rendered, terminator: "")
            if let junit { try matrix.junit().write(toFile: junit, atomically: true, encoding: .utf8) }
            if !matrix.deployable { throw ExitCode.failure }
            return
        }
        let project = (spec == nil || exchanges == nil || baseURL == nil) ? try loadProject(config) : nil
        let specPath = spec ?? project!.spec
        let exchangesPath = exchanges ?? project!.exchanges
        var (document, readLog, scenarios) = try loadContract(spec: specPath, exchanges: exchangesPath)
        if !scenario.isEmpty {
            let unknown = scenario.filter { name in !scenarios.contains { $0.name == name } }
            if !unknown.isEmpty { throw ValidationError("no scenario named \(unknown.joined(separator: ", "))") }
            scenarios = scenarios.filter { scenario.contains($0.name) }
        }
        var ok = true

        if let baseURL {
            var clientResults: [ScenarioResult] = []
            if client {
                guard let tool = try loadProject(config).clientReplay else {
                    throw ValidationError("--client needs accord.yaml's clientReplay (the built replay tool)")
                }
                (ok, clientResults) = try replayThroughClient(scenarios, document: document, tool: tool)
            }
            let server = LiveServer(baseURL: baseURL)
            do {
                _ = try await server.send(WireRequest(method: "GET", target: "/", headers: [], body: nil))
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode.failure
            }
            // Signers and identity rules: accord.yaml's, when there is one (a foreign spec may have none).
            let settings =
                try project?.contract
                ?? (FileManager.default.fileExists(atPath: config) ? loadProject(config).contract : ContractSettings())
            if report(settings.diagnostics(against: document)) { throw ExitCode.failure }
            let results = await replay(scenarios, document: document, settings: settings, server: server)
            await server.shutdown()
            let serverOK = finish(
                results + clientResults, title: "Replayed \(exchangesPath) against \(baseURL)", summarized: results)
            if !(ok && serverOK) { throw ExitCode.failure }
            return
        }

        guard let project else { return }
        print("== Generated code is fresh")
        try Generate.parse(["--check", "--config", config]).run()

        print("== Lint: spec and exchanges")
        // The spec read above, checked by Accord's rules: no second load.
        var lintLog = readLog
        AccordSpec.Lint.check(document, into: &lintLog)
        ExchangeLint.check(scenarios, document: document, settings: project.contract, into: &lintLog)
        if report(lintLog.all) { throw ExitCode.failure }
        print("\(specPath), \(exchangesPath): ok (\(scenarios.count) scenarios)")

        guard let command = project.serverCommand else {
            throw ValidationError(
                "accord.yaml names no serverCommand; pass --base-url to replay against a running server")
        }
        if let build = project.build {
            print("== Build: \(build)")
            try runCommand(build)
        }
        var clientResults: [ScenarioResult] = []
        if let tool = project.clientReplay {
            (ok, clientResults) = try replayThroughClient(scenarios, document: document, tool: tool)
        }
        print("== Server: \(command)")
        fflush(nil)
        let server: ServerProcess
        do {
            server = try await ServerProcess.start(command: command)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let live = LiveServer(baseURL: server.baseURL)
        let results = await replay(scenarios, document: document, settings: project.contract, server: live)
        await live.shutdown()
        server.stop()
        let serverOK = finish(
            results + clientResults, title: "Replayed \(exchangesPath) against \(command) on port \(server.port)",
            summarized: results)
        if !(ok && serverOK) { throw ExitCode.failure }
    }

    /// The exchanges through the generated client; prints its summary and differences.
    private func replayThroughClient(
        _ scenarios: [Scenario], document: APIDocument, tool: String
    ) throws -> (Bool, [ScenarioResult]) {
        print("== Client: the exchanges through the generated client (\(tool))")
        do {
            let outcome = try ClientReplay(document: document).run(scenarios, tool: tool)
            let results = outcome.results.filter { !$0.steps.isEmpty }
            let failures = results.flatMap(\.failureLines)
            print(
                "\(outcome.checked) steps checked, \(failures.count) difference(s); \(outcome.notExpressible.count) "
                    + "steps have no typed form "
                    + "(malformed or oversize bodies, undeclared routes, ids that are not UUIDs)")
            for line in failures { print("  " + line) }
            return (failures.isEmpty, results)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func replay(
        _ scenarios: [Scenario], document: APIDocument, settings: ContractSettings,
        server: some HTTPExchanging
    ) async -> [ScenarioResult] {
        var replayer = Replayer(document: document)
        replayer.settings = settings
        var results: [ScenarioResult] = []
        for scenario in scenarios { results.append(await replayer.run(scenario, against: server)) }
        return results
    }

    /// Prints the summary, writes JUnit when asked, and says whether everything passed.
    private func finish(_ results: [ScenarioResult], title: String, summarized: [ScenarioResult]? = nil) -> Bool {
        print(Report.summary(summarized ?? results, title: title))
        if let junit {
            do {
                try Report.junit(results, suite: "accord verify").write(
                    toFile: junit, atomically: true, encoding: .utf8)
            } catch {
                FileHandle.standardError.write(Data("error: cannot write \(junit): \(error)\n".utf8))
                return false
            }
        }
        return results.allSatisfy(\.passed)
    }
}

/// Runs a shell-free command (words separated by spaces) and fails when it does.
func runCommand(_ command: String) throws {
    fflush(nil)  // our buffered lines first, then the child's
    let words = command.split(separator: " ").map(String.init)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = words
    try process.run()
    process.waitUntilExit()
    if process.terminationStatus != 0 {
        FileHandle.standardError.write(
            Data("error: '\(command)' failed with status \(process.terminationStatus)\n".utf8))
        throw ExitCode.failure
    }
}
