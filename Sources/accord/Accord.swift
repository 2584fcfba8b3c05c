import AccordCodegen
import AccordContract
import AccordSpec
import ArgumentParser
import Foundation

@main
struct Accord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord",
        abstract: "One OpenAPI spec drives the models, the client SDK, the server stubs and the error catalog.",
        subcommands: [
            Generate.self, Lint.self, Diff.self, Release.self, Verify.self, Coverage.self, Record.self, ImportHAR.self,
        ])
}

/// Prints diagnostics like a compiler and says whether any was an error.
func report(_ diagnostics: [Diagnostic], relativeTo base: String = FileManager.default.currentDirectoryPath) -> Bool {
    // One write for all: a large spec has hundreds of warnings.
    var text = ""
    for d in diagnostics.sorted() {
        var d = d
        if let file = d.location?.file, file.hasPrefix(base + "/") {
            d.location?.file = String(file.dropFirst(base.count + 1))
        }
        text += d.description + "\n"
    }
    if !text.isEmpty { FileHandle.standardError.write(Data(text.utf8)) }
    return diagnostics.contains { $0.severity == .error }
}

/// Loads accord.yaml, or reports why not and exits 1.
func loadProject(_ path: String) throws -> ProjectConfiguration {
    let result = Result { () throws(Diagnostic) -> ProjectConfiguration in try ProjectConfiguration.load(path) }
    switch result {
    case .success(let project): return project
    case .failure(let diagnostic):
        _ = report([diagnostic])
        throw ExitCode.failure
    }
}

/// Loads a spec, or reports why not and exits 1.
func loadSpec(_ path: String) throws -> SpecDocuments {
    let result = Result { () throws(Diagnostic) -> SpecDocuments in try SpecDocuments.load(path: path) }
    switch result {
    case .success(let docs): return docs
    case .failure(let diagnostic):
        _ = report([diagnostic])
        throw ExitCode.failure
    }
}

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check a spec (OpenAPI structure and Accord's rules) and the recorded exchanges against it.")

    @Argument(help: "The spec to check (default: the spec named in accord.yaml).")
    var spec: String?

    @Option(
        help: "Also check the recorded exchanges in this folder against the spec (default with no SPEC: accord.yaml's)."
    )
    var exchanges: String?

    @Option(help: "The configuration file.")
    var config = "accord.yaml"

    func run() throws {
        var path = spec ?? ""
        var exchangesPath = exchanges
        var settings: ContractSettings?
        if spec == nil {
            let project = try loadProject(config)
            settings = project.contract
            path = project.spec
            if exchangesPath == nil, FileManager.default.fileExists(atPath: project.exchanges) {
                exchangesPath = project.exchanges
            }
        }
        let docs = try loadSpec(path)
        var (document, diagnostics) = AccordSpec.Lint.run(docs)
        var checked = path
        if let exchangesPath, let document {
            let (scenarios, log) = ScenarioLoader.loadFolder(exchangesPath)
            var exchangeLog = log
            ExchangeLint.check(scenarios, document: document, settings: settings, into: &exchangeLog)
            diagnostics += exchangeLog.all
            checked += ", \(exchangesPath) (\(scenarios.count) scenarios)"
        }
        if report(diagnostics) { throw ExitCode.failure }
        let warnings = diagnostics.count
        print("\(checked): ok\(warnings > 0 ? " (\(warnings) warning\(warnings == 1 ? "" : "s"))" : "")")
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate Swift models, client, server stubs and the error catalog from a spec.",
        discussion: """
            With no options, reads accord.yaml and writes the project's Generated/ folder.
            With --spec and --output, generates a stand-alone Swift package for any spec.
            """)

    @Flag(help: "Write nothing; exit 1 and name each stale file when the output is not what the spec produces.")
    var check = false

    @Option(help: "A spec to generate from, instead of accord.yaml's.")
    var spec: String?

    @Option(help: "With --spec: the folder that becomes a Swift package.")
    var output: String?

    @Option(help: "With --spec: the base name of the modules (NAME → NAMEAPI, NAMEClient, NAMEServer).")
    var name: String?

    @Option(help: "The configuration file.")
    var config = "accord.yaml"

    func validate() throws {
        if (spec == nil) != (output == nil) {
            throw ValidationError("--spec and --output go together")
        }
        if name != nil && spec == nil { throw ValidationError("--name needs --spec and --output") }
        // Checked by hand rather than by a regular expression, whose engine costs a small spec's whole run to start.
        if let name, !name.isSwiftIdentifier {
            throw ValidationError("--name must be a Swift identifier")
        }
    }

    func run() throws {
        let specPath: String, outputRoot: String, configuration: GeneratorConfiguration, options: GeneratorOptions
        var packageName: String?
        if let spec, let output {
            let base = name ?? Self.defaultName(for: spec)
            specPath = spec
            outputRoot = output
            var c = GeneratorConfiguration(specPath: (spec as NSString).lastPathComponent, baseName: base)
            c.modelsDirectory = "Sources/" + c.modelsModule
            c.clientDirectory = "Sources/" + c.clientModule
            c.serverDirectory = "Sources/" + c.serverModule
            c.replayDirectory = "Sources/" + c.replayModule
            configuration = c
            options = GeneratorOptions()
            packageName = base
        } else {
            let project = try loadProject(config)
            specPath = project.spec
            outputRoot = project.output
            configuration = project.generatorConfiguration
            options = project.generatorOptions
        }

        let docs = try loadSpec(specPath)
        let (document, readLog) = DocumentReader.read(docs)
        guard let document, !readLog.hasErrors else {
            _ = report(readLog.all)
            throw ExitCode.failure
        }
        var (files, log) = Generator.generate(document, configuration: configuration, options: options)
        // The command ends once the files are written: the spec's node tree and document (hundreds
        // of thousands of objects on a large spec, a twentieth of its run to free one by one) are
        // left for the system to reclaim at exit.
        _ = Unmanaged.passRetained(KeptUntilExit(docs, document))
        log.append(contentsOf: readLog)
        if let packageName { files.append(Generator.packageManifest(configuration, name: packageName)) }
        _ = report(log.all)

        let writer = OutputWriter(root: outputRoot, ownedFolders: configuration.ownedFolders)
        if check {
            let stale = writer.staleFiles(files)
            if stale.isEmpty {
                print("\(outputRoot): up to date (\(files.count) files)")
                return
            }
            for path in stale { FileHandle.standardError.write(Data("stale: \(path)\n".utf8)) }
            let message = "error: \(stale.count) generated file(s) differ from what \(specPath) produces; "
            FileHandle.standardError.write(Data((message + "run `accord generate`\n").utf8))
            throw ExitCode.failure
        }
        let changed = try writer.write(files)
        print("\(outputRoot): \(files.count) files, \(changed) changed")
    }

    static func defaultName(for spec: String) -> String {
        let base = ((spec as NSString).lastPathComponent as NSString).deletingPathExtension
        let words = base.split { !$0.isLetter && !$0.isNumber }.map { $0.prefix(1).uppercased() + $0.dropFirst() }
        var name = words.joined()
        if name.first?.isNumber ?? true { name = "Spec" + name }
        return name
    }
}

/// Values a command keeps until the process exits, never freed one by one.
private final class KeptUntilExit {
    let values: [Any]
    init(_ values: Any...) { self.values = values }
}
