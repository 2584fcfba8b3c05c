import AccordCodegen
import AccordContract
import AccordDiff
import AccordSpec
import ArgumentParser
import Foundation

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract:
            "Report the changes between two versions of a spec, and which break installed apps or the app's code.",
        discussion: """
            BASE and REVISION are each a spec file, a git revision of accord.yaml's spec (main, HEAD~3) or \
            REV:PATH (v1.4.0:spec/api.yaml). REVISION defaults to the working tree, so `accord diff main` is the \
            pre-merge check. Every change gets two verdicts: wire (would an app already installed, built from BASE, \
            break against a server built from REVISION?) and source (would regenerating the client stop the app's \
            code from compiling?). The rules and their reasons are in docs/DIFF.md; `accept:` in accord.yaml \
            accepts a deliberate break.

            Exit status: 1 when a change is wire-breaking (or source-breaking with --fail-on source) and not \
            accepted, 2 when a spec cannot be read, else 0.
            """)

    @Argument(help: "The spec the installed apps were built from: a file, a git revision, or REV:PATH.")
    var base: String?

    @Argument(help: "The new spec (default: accord.yaml's spec in the working tree).")
    var revision: String?

    @Option(help: "text, json, markdown (a pull-request comment), junit, github (workflow annotations) or changelog.")
    var format: String = "text"

    @Option(
        name: .customLong("fail-on"), help: "wire (default) or source: source also fails on source-breaking changes.")
    var failOn: String = "wire"

    @Option(help: "Also write the report to this file (the format given by --format).")
    var output: String?

    @Option(help: "The configuration file (its spec, requestIdHeader and accept list).")
    var config = "accord.yaml"

    @Flag(help: "Print the rule table (docs/DIFF.md) and exit.")
    var rules = false

    @Flag(
        help: """
            Diff every supported release's spec (accord.yaml's releases policy) against REVISION, given as the one \
            argument (default: the working tree), and name the lowest release each change affects.
            """)
    var releases = false

    func validate() throws {
        if base == nil && !rules && !releases {
            throw ValidationError("give BASE (a spec file or a git revision), or --rules, or --releases")
        }
        if releases && revision != nil {
            throw ValidationError("with --releases, give only REVISION (the releases are the bases)")
        }
        guard DiffFormat(rawValue: format) != nil else {
            throw ValidationError(
                "--format must be one of \(DiffFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ["wire", "source"].contains(failOn) else { throw ValidationError("--fail-on must be wire or source") }
    }

    func run() throws {
        if rules {
            print(DiffRule.markdownTable(), terminator: "")
            return
        }
        let project: ProjectConfiguration?
        if FileManager.default.fileExists(atPath: config) {
            let loaded = Result { () throws(Diagnostic) -> ProjectConfiguration in try ProjectConfiguration.load(config)
            }
            switch loaded {
            case .success(let p): project = p
            case .failure(let d):
                _ = report([d])
                throw ExitCode(2)
            }
        } else {
            project = nil
        }
        let options = project?.generatorOptions ?? GeneratorOptions()
        if releases {
            guard let project else {
                throw ValidationError("--releases needs accord.yaml (its releases and their policy)")
            }
            try againstReleases(project, options: options)
            return
        }
        let (baseSide, revisionSide) = try loadBoth(base!, revision, project: project)

        let changes = SpecDiff.compare(base: baseSide.document, revision: revisionSide.document, options: options).map {
            change in
            var change = change
            change.base = change.base.map(GitFiles.displayed)
            change.revision = change.revision.map(GitFiles.displayed)
            return change
        }
        var result = DiffResult(changes: changes, baseName: baseSide.name, revisionName: revisionSide.name)
        result.apply(project?.accept ?? [])
        let text = DiffReport.render(result, as: DiffFormat(rawValue: format)!, failOnSource: failOn == "source")
        print(text, terminator: "")
        if let output { try text.write(toFile: output, atomically: true, encoding: .utf8) }
        let failed = result.wireBreaking || (failOn == "source" && result.sourceBreaking)
        // Both specs, their translations and the changes are freed by the process ending: tearing the
        // trees down value by value cost a tenth of a large diff.
        fflush(nil)
        Foundation.exit(failed ? 1 : 0)
    }

    /// Reads both sides at once (two files, two parses).
    private func loadBoth(
        _ first: String, _ second: String?, project: ProjectConfiguration?
    ) throws
        -> ((name: String, document: APIDocument), (name: String, document: APIDocument))
    {
        final class Slots: @unchecked Sendable {
            let lock = NSLock()
            var values: [Int: Result<(name: String, document: APIDocument), Error>] = [:]
        }
        let slots = Slots()
        let arguments = [first, second]
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let result = Result { try load(arguments[i], project: project) }
            slots.lock.withLock { slots.values[i] = result }
        }
        return (try slots.values[0]!.get(), try slots.values[1]!.get())
    }

    /// Reads one side: a file, or a spec at a git revision; exits 2 with a located diagnostic when it cannot.
    private func load(
        _ argument: String?, project: ProjectConfiguration?
    ) throws -> (name: String, document: APIDocument) {
        let docs: SpecDocuments
        let name: String
        let loaded: Result<SpecDocuments, Diagnostic>
        if let argument, !FileManager.default.fileExists(atPath: argument) || isGitRevisionOnly(argument) {
            var revision = argument, path = project?.spec ?? ""
            if let colon = argument.firstIndex(of: ":") {
                revision = String(argument[..<colon])
                path = String(argument[argument.index(after: colon)...])
            }
            guard !path.isEmpty else {
                _ = report([
                    .error(
                        "'\(argument)' is not a file; as a git revision it needs accord.yaml's spec or REV:PATH",
                        at: nil)
                ])
                throw ExitCode(2)
            }
            guard GitFiles.revisionExists(revision) else {
                _ = report([.error("'\(argument)' is neither a spec file nor a git revision", at: nil)])
                throw ExitCode(2)
            }
            name = argument.contains(":") ? argument : "\(revision) (\(path))"
            // The configured spec is relative to here; REV:PATH is relative to the repository's top, as git reads it.
            let inRepository = argument.contains(":") ? path : GitFiles.prefix() + path
            let root = GitFiles.virtualRoot(revision) + inRepository
            loaded = Result { () throws(Diagnostic) -> SpecDocuments in
                try SpecDocuments(rootFile: root) { file in try GitFiles.read(file, revision: revision) }
            }
        } else {
            let path = argument ?? project?.spec ?? ""
            guard !path.isEmpty else {
                _ = report([.error("no REVISION given and no accord.yaml names a spec", at: nil)])
                throw ExitCode(2)
            }
            name = argument ?? "working tree (\(path))"
            loaded = Result { () throws(Diagnostic) -> SpecDocuments in try SpecDocuments.load(path: path) }
        }
        switch loaded {
        case .success(let d): docs = d
        case .failure(let diagnostic):
            _ = report([GitFiles.displayed(diagnostic)])
            throw ExitCode(2)
        }
        let (document, log) = DocumentReader.read(docs)
        guard let document, !log.hasErrors else {
            _ = report(log.errors.map(GitFiles.displayed))
            throw ExitCode(2)
        }
        return (name, document)
    }

    /// `HEAD` could also be a file in the folder; a name with `~`, `^` or `@` is always a revision.
    private func isGitRevisionOnly(_ argument: String) -> Bool {
        argument.contains("~") || argument.contains("^") || argument.contains("@{")
    }
}

/// Spec files as they were at a git revision (`git show REV:PATH`).
enum GitFiles {
    static func revisionExists(_ revision: String) -> Bool {
        (try? git(["rev-parse", "--verify", "--quiet", "\(revision)^{commit}"])) != nil
    }

    /// Files at a revision are loaded under `/@REV/path`, an absolute folder of their own, so the
    /// loader resolves relative `$ref`s between them as between files on disk.
    static func virtualRoot(_ revision: String) -> String { "/@\(revision)/" }

    /// `file` is `/@REV/path` as the loader builds it from the root file and relative `$ref`s.
    static func read(_ file: String, revision: String) throws -> String {
        let root = virtualRoot(revision)
        let path = file.hasPrefix(root) ? String(file.dropFirst(root.count)) : file
        return try git(["show", "\(revision):\(path)"])
    }

    /// `/@REV/path` printed as git spells it, `REV:path`.
    static func displayed(_ location: SourceLocation) -> SourceLocation {
        guard location.file.hasPrefix("/@"), let slash = location.file.dropFirst(2).firstIndex(of: "/") else {
            return location
        }
        var shown = location
        shown.file =
            location.file[location.file.index(location.file.startIndex, offsetBy: 2)..<slash] + ":"
            + location.file[location.file.index(after: slash)...]
        return shown
    }

    static func displayed(_ diagnostic: Diagnostic) -> Diagnostic {
        var shown = diagnostic
        shown.location = diagnostic.location.map(displayed)
        return shown
    }

    /// The current folder relative to the repository's top (`git rev-parse --show-prefix`).
    static func prefix() -> String {
        ((try? git(["rev-parse", "--show-prefix"])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Failure: LocalizedError {
        var description: String
        var errorDescription: String? { description }
    }

    private static func git(_ arguments: [String]) throws -> String {
        let run = try Subprocess.run(["git"] + arguments)
        guard run.status == 0 else {
            let message = run.errors.trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(description: message.isEmpty ? "git \(arguments.joined(separator: " ")) failed" : message)
        }
        return run.output
    }
}

extension Diff {
    /// The static half of the deploy gate: each supported release's spec against REVISION; every
    /// change is reported once, with the lowest release it affects.
    private func againstReleases(_ project: ProjectConfiguration, options: GeneratorOptions) throws {
        let revisionSide = try load(base, project: project)
        var rows: [(release: ReleaseManifest, gate: ReleasePolicy.Decision, result: DiffResult)] = []
        for (manifest, folder) in try Release.loadReleases(project) {
            let gate = project.releasePolicy.decision(for: manifest)
            if case .skipped = gate { continue }
            let side = try load(folder + "/" + manifest.spec, project: project)
            var result = DiffResult(
                changes: SpecDiff.compare(base: side.document, revision: revisionSide.document, options: options),
                baseName: "\(manifest.app) \(manifest.version)", revisionName: revisionSide.name)
            result.apply(project.accept)
            rows.append((manifest, gate, result))
        }
        // One entry per change, with every release it shows up against (the lowest first).
        var order: [String] = []
        var affected: [String: (change: SpecChange, releases: [String])] = [:]
        for row in rows {
            for change in row.result.changes {
                let key = "\(change.rule)|\(change.pointer)|\(change.message)"
                if affected[key] == nil { order.append(key) }
                affected[key, default: (change, [])].releases.append("\(row.release.app) \(row.release.version)")
            }
        }
        let blockingBreak = rows.contains { row in
            if case .blocking = row.gate { return row.result.wireBreaking }
            return false
        }
        if format == "json" {
            let object: [String: Any] = [
                "revision": revisionSide.name, "wire_breaking": blockingBreak,
                "releases": rows.map { row -> [String: Any] in
                    [
                        "app": row.release.app, "version": row.release.version, "status": row.release.status.rawValue,
                        "changes": row.result.changes.count, "wire_breaking": row.result.wireBreaking,
                        "source_breaking": row.result.sourceBreaking,
                    ]
                },
                "changes": order.map { key -> [String: Any] in
                    let (c, releases) = affected[key]!
                    return [
                        "id": c.rule, "wire": c.wire.rawValue, "source": c.source.rawValue,
                        "operation": c.operation ?? NSNull(),
                        "pointer": c.pointer, "message": c.message, "lowest_release": releases.first ?? "",
                        "releases": releases, "accepted": c.isAccepted,
                    ]
                },
            ]
            let data = try JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            var out = "accord diff --releases → \(revisionSide.name)\n\n"
            for row in rows {
                let wire = row.result.changes.filter { $0.wire == .breaking && !$0.isAccepted }.count
                out +=
                    "  \(row.release.app) \(row.release.version) (\(row.release.status.rawValue)): "
                    + "\(row.result.changes.count) change(s), \(wire) wire-breaking\n"
            }
            if rows.isEmpty { out += "  no supported releases\n" }
            for key in order {
                let (c, releases) = affected[key]!
                out +=
                    "\n  \(c.rule) (wire \(c.wire.rawValue), source \(c.source.rawValue))"
                    + "\(c.isAccepted ? " [accepted]" : ""): \(c.operation.map { "\($0): " } ?? "")\(c.message)\n"
                    + "    affects \(releases.joined(separator: ", ")) (lowest: \(releases.first ?? "-"))\n"
            }
            print(out, terminator: "")
        }
        if blockingBreak { throw ExitCode.failure }
    }
}
