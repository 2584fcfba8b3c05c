import Foundation
import PackagePlugin

/// Embeds Sources/AccordRuntime/<Module>/*.swift into the generator as string constants
/// (`EmbeddedRuntime.models`, `.client`, `.server`, `.replay`): the runtime generated packages carry
/// is the code this package compiles and tests, not a copy kept by hand.
@main struct EmbedRuntime: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let root = context.package.directoryURL.appending(path: "Sources/AccordRuntime")
        var groups: [String] = []
        var inputs: [URL] = []
        for module in ["Models", "Client", "Server", "Replay"] {
            let folder = root.appending(path: module)
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix(".swift") }.sorted().map { folder.appending(path: $0) }
            inputs += files
            groups.append("\(module.lowercased())=" + files.map(\.path).joined(separator: ","))
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedRuntime.swift")
        return [
            .buildCommand(
                displayName: "Embedding the generated packages' runtime",
                executable: try context.tool(named: "EmbedRuntimeTool").url,
                arguments: [output.path] + groups, inputFiles: inputs, outputFiles: [output])
        ]
    }
}
