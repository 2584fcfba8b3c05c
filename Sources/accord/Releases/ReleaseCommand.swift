import AccordCodegen
import AccordContract
import AccordSpec
import ArgumentParser
import Crypto
import Foundation

struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Snapshot a shipped app release: the spec, the exchanges and the generated client as they were.",
        discussion: """
            Writes spec/releases/APP/VERSION/: release.yaml (version, builds, status, source commit, date, content \
            hashes), the spec bundled into one file, the exchanges, and the generated models, client and client-replay \
            tool (frozen: later generator changes cannot rewrite them). Refuses a version that exists, uncommitted \
            spec or exchanges (use --from), and a snapshot whose exchanges do not pass: linted against the snapshot's \
            spec and replayed through the snapshot's own client. `accord verify --releases` replays every supported \
            release.
            """)

    @Argument(help: "The app (ios, android, web…).")
    var app: String?

    @Argument(help: "The version as the store shows it (1.0.0).")
    var version: String?

    @Option(help: "Cut the release from this git revision instead of the working tree.")
    var from: String?

    @Option(help: "A build number of this version (repeatable).")
    var build: [String] = []

    @Option(help: "in-review, live (default) or retired.")
    var status: String = "live"

    @Flag(help: "Print the releases and what the policy in accord.yaml does with each.")
    var list = false

    @Option(help: "The configuration file.")
    var config = "accord.yaml"

    func validate() throws {
        if list { return }
        guard let app, let version else { throw ValidationError("give APP and VERSION, or --list") }
        guard app.range(of: "^[a-z][a-z0-9-]*$", options: .regularExpression) != nil else {
            throw ValidationError("APP must be lower-case letters, digits and dashes (ios, android)")
        }
        guard AppVersion(version) != nil else { throw ValidationError("VERSION must be numbers and dots, like 1.0.0") }
        guard ReleaseManifest.Status(rawValue: status) != nil else {
            throw ValidationError("--status must be in-review, live or retired")
        }
    }

    func run() throws {
        let project = try loadProject(config)
        if list {
            print(try Self.ledger(project), terminator: "")
            return
        }
        try cut(project, app: app!, version: version!)
    }

    // MARK: --list

    static func ledger(_ project: ProjectConfiguration) throws -> String {
        let releases = try loadReleases(project)
        guard !releases.isEmpty else { return "no releases in \(project.releases)\n" }
        var out =
            "\("app".padded(8)) \("version".padded(10)) \("status".padded(10)) \("builds".padded(10)) "
            + "\("date".padded(11)) \("commit".padded(12)) gate\n"
        for (release, _) in releases {
            let gate: String =
                switch project.releasePolicy.decision(for: release) {
                case .blocking: "blocking"
                case .warnOnly(let why): "warn only (\(why))"
                case .skipped(let why): "skipped (\(why))"
                }
            out +=
                "\(release.app.padded(8)) \(release.version.padded(10)) \(release.status.rawValue.padded(10)) "
                + "\(release.builds.joined(separator: ",").padded(10)) \(release.date.padded(11)) "
                + "\(String(release.commit.prefix(12)).padded(12)) "
                + "\(gate)\n"
        }
        return out
    }

    /// Every release.yaml under the releases folder, by app and version.
    static func loadReleases(_ project: ProjectConfiguration) throws -> [(manifest: ReleaseManifest, folder: String)] {
        var found: [(ReleaseManifest, String)] = []
        let root = project.releases
        for app in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted() {
            for version in ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + app)) ?? []) {
                let folder = "\(root)/\(app)/\(version)"
                guard FileManager.default.fileExists(atPath: folder + "/release.yaml") else { continue }
                let docs = try loadSpec(folder + "/release.yaml")
                let parsed = Result { () throws(Diagnostic) -> ReleaseManifest in try ReleaseManifest.parse(docs.root) }
                switch parsed {
                case .success(let manifest): found.append((manifest, folder))
                case .failure(let d):
                    _ = report([d])
                    throw ExitCode.failure
                }
            }
        }
        return found.sorted { ($0.0.app, AppVersion($0.0.version)!) < ($1.0.app, AppVersion($1.0.version)!) }
    }

    // MARK: Cutting a release

    private func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode.failure
    }

    private func cut(_ project: ProjectConfiguration, app: String, version: String) throws {
        let folder = "\(project.releases)/\(app)/\(version)"
        if FileManager.default.fileExists(atPath: folder) {
            throw fail("\(app) \(version) is already released (\(folder)); a release is never rewritten")
        }
        // The sources: the working tree (which must be committed) or a git revision, unpacked.
        let source: String
        var cleanup: String?
        let commit: String
        if let from {
            guard GitFiles.revisionExists(from) else { throw fail("'\(from)' is not a git revision") }
            commit = try shell(["git", "rev-parse", "\(from)^{commit}"])
            let temp = FileManager.default.temporaryDirectory.appendingPathComponent(
                "accord-release-\(UUID().uuidString)"
            ).path
            try FileManager.default.createDirectory(atPath: temp, withIntermediateDirectories: true)
            let prefix = GitFiles.prefix()
            _ = try shell(["sh", "-c", "git archive --format=tar \(from) | tar -x -C '\(temp)'"])
            source = temp + "/" + prefix
            cleanup = temp
        } else {
            let dirty = try shell(["git", "status", "--porcelain", "--", project.spec, project.exchanges])
            guard dirty.isEmpty else {
                throw fail(
                    "\(project.spec) or \(project.exchanges) has uncommitted changes; commit them, or cut from a "
                        + "revision with --from"
                )
            }
            commit = try shell(["git", "rev-parse", "HEAD"])
            source = FileManager.default.currentDirectoryPath + "/"
        }
        defer { if let cleanup { try? FileManager.default.removeItem(atPath: cleanup) } }

        let specPath = source + project.spec
        let docs = try loadSpec(specPath)
        let (document, readLog) = DocumentReader.read(docs)
        guard let document, !readLog.hasErrors else {
            _ = report(readLog.all)
            throw fail("the spec at \(from ?? "the working tree") does not load")
        }
        let (scenarios, scenarioLog) = ScenarioLoader.loadFolder(source + project.exchanges)
        var lint = scenarioLog
        ExchangeLint.check(scenarios, document: document, settings: project.contract, into: &lint)
        if report(lint.all) { throw fail("the exchanges do not pass against the spec: no release") }
        guard !scenarios.isEmpty else { throw fail("no exchanges in \(project.exchanges): a release needs them") }

        // Write into a staging folder; it becomes the release only when everything passed.
        let staging = folder + ".partial"
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.createDirectory(atPath: staging + "/exchanges", withIntermediateDirectories: true)
        var moved = false
        defer { if !moved { try? FileManager.default.removeItem(atPath: staging) } }

        let specName = (project.spec as NSString).lastPathComponent
        let specText: String
        if SpecBundle.isSingleFile(docs.root) {
            specText = try String(contentsOfFile: specPath, encoding: .utf8)
        } else {
            let bundled = Result { () throws(Diagnostic) -> SpecNode in try SpecBundle.bundle(docs) }
            switch bundled {
            case .success(let node): specText = SpecBundle.jsonText(node) + "\n"
            case .failure(let d):
                _ = report([d])
                throw ExitCode.failure
            }
        }
        let bundledName =
            SpecBundle.isSingleFile(docs.root) ? specName : (specName as NSString).deletingPathExtension + ".json"
        try specText.write(toFile: staging + "/" + bundledName, atomically: true, encoding: .utf8)
        for file in try FrozenClient.files(in: source + project.exchanges) {
            let destination = staging + "/exchanges/" + file
            try FileManager.default.createDirectory(
                atPath: (destination as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: source + project.exchanges + "/" + file, toPath: destination)
        }

        // The client the app shipped with: models, client and the replay tool with their runtimes, as generated now.
        var configuration = project.generatorConfiguration
        configuration.specPath = "\(project.releases)/\(app)/\(version)/\(bundledName)"
        let (files, _) = Generator.generate(
            document, configuration: configuration,
            options: project.generatorOptions)
        let clientFolders = [
            configuration.modelsDirectory, configuration.clientDirectory, configuration.replayDirectory,
        ]
        .flatMap { [$0, GeneratorConfiguration.runtime(of: $0)] }
        for file in files where clientFolders.contains(where: { file.path.hasPrefix($0 + "/") }) {
            let destination = staging + "/client/" + file.path
            try FileManager.default.createDirectory(
                atPath: (destination as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
            try file.contents.write(toFile: destination, atomically: true, encoding: .utf8)
        }

        let today = ISO8601DateFormatter.string(
            from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        let manifest = ReleaseManifest(
            app: app, version: version, builds: build, status: ReleaseManifest.Status(rawValue: status)!,
            commit: commit,
            date: today, spec: bundledName, exchanges: "exchanges", client: "client",
            modelsModule: configuration.modelsModule, clientModule: configuration.clientModule,
            replayModule: configuration.replayModule,
            hashes: [
                "spec": "sha256:" + sha256(Data(specText.utf8)),
                "exchanges": "sha256:" + (try FrozenClient.hash(of: staging + "/exchanges")),
                "client": "sha256:" + (try FrozenClient.hash(of: staging + "/client")),
            ])
        try manifest.yaml.write(toFile: staging + "/release.yaml", atomically: true, encoding: .utf8)

        // The exchanges must pass through the snapshot's own client before it is a release.
        print("== Building the frozen client of \(app) \(version)")
        let tool: String
        do {
            tool = try FrozenClient(release: manifest, folder: staging).tool()
        } catch {
            throw fail("\(error)")
        }
        let outcome = try ClientReplay(document: document).run(scenarios, tool: tool)
        let failures = outcome.results.flatMap(\.failureLines)
        if !failures.isEmpty {
            for line in failures { FileHandle.standardError.write(Data("  \(line)\n".utf8)) }
            throw fail("\(failures.count) exchange(s) do not pass through the snapshot's client: no release")
        }
        try FileManager.default.moveItem(atPath: staging, toPath: folder)
        moved = true
        print(
            "\(folder): \(app) \(version) (\(manifest.status.rawValue)) from \(String(commit.prefix(12))); "
                + "\(scenarios.count) scenarios, \(outcome.checked) steps through its client")
    }

    private func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    /// Runs a command and returns its output, trimmed; fails when it does.
    private func shell(_ arguments: [String]) throws -> String {
        let run = try Subprocess.run(arguments)
        guard run.status == 0 else { throw fail("'\(arguments.joined(separator: " "))' failed: \(run.errors)") }
        return run.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
