/// The runtime each generated module carries as a module of its own (`<module>Runtime`): the sources
/// of Sources/AccordRuntime (compiled and tested there as the AccordRuntime* modules), embedded at
/// build time by the EmbedRuntime plugin, with their imports of each other renamed to the generated
/// runtime modules. Nothing else in them changes.
struct RuntimeSources {
    let modelsModule: String, clientModule: String

    var models: String { renamed(EmbeddedRuntime.models) }
    var client: String { renamed(EmbeddedRuntime.client) }
    var server: String { renamed(EmbeddedRuntime.server) }
    var replay: String { renamed(EmbeddedRuntime.replay) }

    /// `import AccordRuntimeModels` becomes `import <models>Runtime`, and likewise for the client's.
    private func renamed(_ source: String) -> String {
        let renames = [
            "import AccordRuntimeModels": "import " + GeneratorConfiguration.runtime(of: modelsModule),
            "import AccordRuntimeClient": "import " + GeneratorConfiguration.runtime(of: clientModule),
        ]
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices { if let renamed = renames[lines[index]] { lines[index] = renamed } }
        return lines.joined(separator: "\n")
    }
}
