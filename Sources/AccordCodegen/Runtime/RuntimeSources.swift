/// The runtime each generated module carries: the sources of Sources/AccordRuntime (compiled and
/// tested there as the AccordRuntime* modules), embedded at build time by the EmbedRuntime plugin,
/// with their imports of each other renamed to the generated modules.
enum RuntimeSources {
    static var models: String { EmbeddedRuntime.models }

    static func client(modelsModule: String) -> String {
        renaming(EmbeddedRuntime.client, "AccordRuntimeModels", to: modelsModule)
    }

    static func server(modelsModule: String) -> String {
        renaming(EmbeddedRuntime.server, "AccordRuntimeModels", to: modelsModule)
    }

    /// The generated client module re-exports the models, so the replay tool imports only the client.
    static func replay(clientModule: String) -> String {
        renaming(
            renaming(EmbeddedRuntime.replay, "AccordRuntimeClient", to: clientModule), "AccordRuntimeModels", to: nil)
    }

    /// `import module` becomes `import generated`, or goes when `generated` is nil.
    private static func renaming(_ source: String, _ module: String, to generated: String?) -> String {
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeAll { $0 == "import \(module)" && generated == nil }
        for index in lines.indices where lines[index] == "import \(module)" { lines[index] = "import \(generated!)" }
        return lines.joined(separator: "\n")
    }
}
