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
    /// Done over bytes: it runs on every `generate`, and splitting by characters cost more than a
    /// small spec's whole translation.
    private func renamed(_ source: String) -> String {
        let renames: [(from: String, to: String)] = [
            ("import AccordRuntimeModels", "import " + GeneratorConfiguration.runtime(of: modelsModule)),
            ("import AccordRuntimeClient", "import " + GeneratorConfiguration.runtime(of: clientModule)),
        ]
        let newline = UInt8(ascii: "\n")
        var output: [UInt8] = []
        output.reserveCapacity(source.utf8.count + 64)
        var source = source
        source.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: newline) ?? bytes.count
                let line = UnsafeBufferPointer(rebasing: bytes[start..<end])
                if let rename = renames.first(where: { $0.from.utf8.elementsEqual(line) }) {
                    output.append(contentsOf: rename.to.utf8)
                } else {
                    output.append(contentsOf: line)
                }
                if end < bytes.count { output.append(newline) }
                start = end + 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
