import AccordContract
import ArgumentParser
import Foundation
import Logging

/// Options shared by `record` and `import-har`: how captured traffic becomes a scenario.
struct ScenarioWritingOptions: ParsableArguments {
    @Option(help: "The folder the scenario file is written to.")
    var out: String

    @Option(help: "The scenario's name (and file name); default: a timestamped one.")
    var name: String?

    @Flag(help: "Keep bearer tokens, refresh tokens and one-time codes that are not variables (default: redacted).")
    var keepSecrets = false

    @Option(
        name: .customLong("public-value"),
        help: """
            A value that looks secret but is a public test fixture, such as a demo account's fixed code (repeatable; \
            accord.yaml's publicValues are added).
            """)
    var publicValues: [String] = []

    @Option(
        help: """
            The configuration file, when there is one: its publicValues are kept, and a request carrying one of its \
            signers' headers that the server accepted is written with a `sign` directive (a recorded signature \
            goes stale).
            """)
    var config = "accord.yaml"

    var writer: ScenarioWriter {
        get throws {
            var options = ScenarioWriter.Options()
            options.keepSecrets = keepSecrets
            options.publicValues = Set(publicValues)
            if FileManager.default.fileExists(atPath: config) {
                let project = try loadProject(config)
                options.publicValues.formUnion(project.publicValues)
                options.signers = project.contract.signers.values.sorted { $0.name < $1.name }
            }
            return ScenarioWriter(options: options)
        }
    }

    func scenarioName(default prefix: String) -> String {
        if let name { return name }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            .replacingOccurrences(of: "-", with: "")
        return "\(prefix)-\(stamp)"
    }

    func validateName() throws {
        if let name, name.isEmpty || name.contains("/") || name.hasPrefix(".") {
            throw ValidationError("--name must be a plain file name")
        }
    }

    /// The output path, refusing to overwrite an existing scenario (nothing lost).
    func outputFile(for name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let path = out + "/" + name + ".yaml"
        if FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) exists; choose another --name or remove it")
        }
        return path
    }
}

struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract:
            "Run a recording proxy: point the app at it; each exchange goes to --upstream and the session is written "
            + "as a scenario."
    )

    @Option(help: "The server the app would talk to (e.g. http://127.0.0.1:8080).")
    var upstream: String

    @Option(help: "The port to listen on (0: any free port, printed).")
    var port = 8081

    @Option(help: "The address to listen on (use 0.0.0.0 for a device on the same network).")
    var host = "127.0.0.1"

    @OptionGroup var scenario: ScenarioWritingOptions

    func validate() throws {
        try scenario.validateName()
        guard upstream.hasPrefix("http://") || upstream.hasPrefix("https://") else {
            throw ValidationError("--upstream must be an http:// or https:// URL")
        }
    }

    func run() async throws {
        let name = scenario.scenarioName(default: "session")
        let file = try scenario.outputFile(for: name)
        var logger = Logger(label: "accord-record")
        logger.logLevel = .warning
        let proxy = RecordingProxy(
            upstream: upstream, outputFile: file, scenarioName: name, writer: try scenario.writer)
        try await proxy.run(host: host, port: port, logger: logger) { port in
            FileHandle.standardOutput.write(
                Data("recording: http://\(host):\(port) → \(upstream); writing \(file) (Ctrl-C to stop)\n".utf8))
        }
        print("recorded \(proxy.recordedCount) exchange(s) in \(file)")
    }
}

struct ImportHAR: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-har",
        abstract: "Convert a HAR 1.2 file (Proxyman, Charles, Safari Web Inspector) into a scenario.")

    @Argument(help: "The HAR file.")
    var file: String

    @Option(help: "Only entries under this URL (the API's base URL); their paths are taken relative to it.")
    var baseURL: String?

    @OptionGroup var scenario: ScenarioWritingOptions

    func validate() throws { try scenario.validateName() }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        let exchanges: [(WireRequest, WireResponse)]
        do {
            exchanges = try HARImport.exchanges(data, file: file, baseURL: baseURL)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        guard !exchanges.isEmpty else {
            FileHandle.standardError.write(
                Data("error: \(file) has no answered entries\(baseURL.map { " under \($0)" } ?? "")\n".utf8))
            throw ExitCode.failure
        }
        let name = scenario.name ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let path = try scenario.outputFile(for: name)
        let text = try scenario.writer.render(
            name: name, description: "Imported by accord import-har from \((file as NSString).lastPathComponent).",
            exchanges: exchanges)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        print("wrote \(path) (\(exchanges.count) exchanges)")
    }
}
