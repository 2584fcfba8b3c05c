import AccordContract
import AccordDiff
import AccordSpec
import ArgumentParser
import Foundation

/// `accord verify --releases`: main's exchanges, then every supported release's exchanges and
/// frozen client, against one server. The exit status is the deploy gate.
struct ReleaseVerification {
    let project: ProjectConfiguration
    let config: String

    /// One release to check: its manifest, folder, what the policy says, and its loaded contract.
    struct Candidate {
        var manifest: ReleaseManifest
        var folder: String
        var decision: ReleasePolicy.Decision
    }

    func run(baseURL: String?) async throws -> ReleaseMatrix {
        let (document, _, scenarios) = try loadContract(spec: project.spec, exchanges: project.exchanges)
        let candidates = try Release.loadReleases(project).map {
            Candidate(
                manifest: $0.manifest, folder: $0.folder, decision: project.releasePolicy.decision(for: $0.manifest))
        }

        // Frozen clients first, side by side (each is a small Foundation-only build, cached by content hash).
        let toVerify = candidates.filter { if case .skipped = $0.decision { false } else { true } }
        print("== Frozen clients: \(toVerify.count) release(s)")
        fflush(nil)
        let tools = await buildTools(toVerify)

        let server = try await ServerUnderTest.start(project, baseURL: baseURL)
        let live = server.live

        let rows: [ReleaseMatrix.Row]
        do {
            rows = try await verify(candidates, tools: tools, document: document, scenarios: scenarios, live: live)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
        return ReleaseMatrix(rows: rows)
    }

    private func verify(
        _ candidates: [Candidate], tools: [String: Result<String, Error>], document: APIDocument,
        scenarios: [Scenario], live: LiveServer
    ) async throws -> [ReleaseMatrix.Row] {
        var rows: [ReleaseMatrix.Row] = []
        // main: today's exchanges, strictly, and through today's generated client when it is built.
        var mainRow = ReleaseMatrix.Row(app: "*", version: "main", status: "main", verdict: .pass)
        let mainTool = project.clientReplay.flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
        try await check(
            &mainRow, document: document, current: document, scenarios: scenarios, server: live, tolerant: false,
            tool: mainTool)
        if !mainRow.failures.isEmpty { mainRow.verdict = .fail }
        rows.append(mainRow)

        for candidate in candidates {
            let m = candidate.manifest
            var row = ReleaseMatrix.Row(app: m.app, version: m.version, status: m.status.rawValue, verdict: .pass)
            switch candidate.decision {
            case .skipped(let why):
                row.verdict = .skipped
                row.note = why
                rows.append(row)
                continue
            case .warnOnly(let why): row.note = why
            case .blocking: break
            }
            print("== \(m.app) \(m.version)")
            fflush(nil)
            let specDocs = try loadSpec(candidate.folder + "/" + m.spec)
            let (releaseDocument, log) = DocumentReader.read(specDocs)
            guard let releaseDocument, !log.hasErrors else {
                _ = report(log.errors)
                throw ExitCode.failure
            }
            let (releaseScenarios, scenarioLog) = ScenarioLoader.loadFolder(candidate.folder + "/" + m.exchanges)
            if report(scenarioLog.all) { throw ExitCode.failure }
            switch tools[candidate.folder] {
            case .success(let tool)?:
                try await check(
                    &row, document: releaseDocument, current: document, scenarios: releaseScenarios, server: live,
                    tolerant: true, tool: tool)
            case .failure(let error)?:
                row.failures.append(
                    .init(scenario: "(build)", step: 0, pointer: "", message: "\(error)", stage: "decode"))
            case nil: break
            }
            if !row.failures.isEmpty {
                if case .warnOnly = candidate.decision { row.verdict = .warn } else { row.verdict = .fail }
            }
            row.analysis = compareWithDiff(row, release: releaseDocument, main: document)
            rows.append(row)
        }
        return rows
    }

    /// Replays the scenarios against the server, then decodes every live answer through `tool`.
    private func check(
        _ row: inout ReleaseMatrix.Row, document: APIDocument, current: APIDocument, scenarios: [Scenario],
        server: LiveServer, tolerant: Bool, tool: String?
    ) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        var replayer = Replayer(document: document)
        replayer.settings = project.contract
        replayer.tolerantReader = tolerant
        replayer.keepsExchanges = tool != nil
        var results: [ScenarioResult] = []
        for scenario in scenarios { results.append(await replayer.run(scenario, against: server)) }
        row.replayScenarios = results.count
        row.replayPassed = results.filter(\.passed).count
        row.replaySteps = results.map(\.steps.count).reduce(0, +)
        row.failures += ReleaseMatrix.failures(results, stage: "replay")
        if let tool {
            let outcome = try ClientReplay(document: document).run(observed: results, tool: tool)
            let decoded = ReleaseMatrix.failures(outcome.results, stage: "decode")
            row.decodeChecked = outcome.checked
            row.decodeFailed = Set(decoded.map { "\($0.scenario)#\($0.step)" }).count
            row.decodeNotExpressible = outcome.notExpressible.count
            row.failures += decoded
        }
        // The escape hatch: a version below the floor is turned away, and this client reads that as a typed error.
        if let header = project.appVersionHeader {
            let upgrade = await UpgradeCheck.run(
                document: document, current: current, server: server, header: header, tool: tool)
            row.decodeChecked += upgrade.decoded
            row.decodeFailed += upgrade.failures.isEmpty ? 0 : 1
            row.failures += upgrade.failures
        }
        let elapsed = clock.now - start
        row.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Where the static diff (the release's spec → main's) and the replay disagree: a breaking change
    /// no exchange of the release shows is a coverage gap; a replay failure with a clean diff is a
    /// server that drifted from its spec.
    private func compareWithDiff(_ row: ReleaseMatrix.Row, release: APIDocument, main: APIDocument) -> [String] {
        var result = DiffResult(
            changes: SpecDiff.compare(base: release, revision: main, options: project.generatorOptions),
            baseName: "\(row.app) \(row.version)", revisionName: "main")
        result.apply(project.accept)
        let breaking = result.changes.filter { $0.wire == .breaking && !$0.isAccepted }
        let replayFailed = row.failures.contains { $0.stage == "replay" }
        if replayFailed && breaking.isEmpty {
            return [
                "the replay fails although the spec changed nothing that breaks this release: the server departs "
                    + "from its spec (or the release's exchanges assert what its spec does not say)"
            ]
        }
        if !replayFailed && !breaking.isEmpty {
            return breaking.prefix(10).map { change in
                "coverage gap: no exchange of this release shows \(change.rule) "
                    + "(\(change.operation.map { "\($0): " } ?? "")\(change.message))"
            } + (breaking.count > 10 ? ["coverage gap: \(breaking.count - 10) more breaking change(s)"] : [])
        }
        return []
    }

    /// Builds (or finds in the cache) each release's frozen client, two at a time, once per content hash.
    private func buildTools(_ candidates: [Candidate]) async -> [String: Result<String, Error>] {
        let width = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))
        var byHash: [String: [Candidate]] = [:]
        var results: [String: Result<String, Error>] = [:]
        for candidate in candidates {
            let frozen = FrozenClient(release: candidate.manifest, folder: candidate.folder)
            do {
                byHash[try FrozenClient.hash(of: frozen.sourcesFolder), default: []].append(candidate)
            } catch {
                results[candidate.folder] = .failure(error)
            }
        }
        var built: [String: Result<String, Error>] = [:]
        await withTaskGroup(of: (String, Result<String, Error>).self) { group in
            var pending = byHash.keys.sorted()[...]
            func start() {
                guard let hash = pending.popFirst(), let first = byHash[hash]?.first else { return }
                let frozen = FrozenClient(release: first.manifest, folder: first.folder)
                group.addTask { (hash, Result { try frozen.tool() }) }
            }
            for _ in 0..<width { start() }
            for await (hash, result) in group {
                built[hash] = result
                start()
            }
        }
        for (hash, sharing) in byHash {
            for candidate in sharing { results[candidate.folder] = built[hash] }
        }
        return results
    }
}
