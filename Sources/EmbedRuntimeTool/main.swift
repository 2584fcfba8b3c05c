import Foundation

// Writes the runtime that generated packages carry as a Swift file of string constants, one per
// runtime module: `EmbedRuntimeTool OUTPUT NAME=FILE[,FILE…]…`. Run by the EmbedRuntime build
// plugin, so the generator embeds exactly the runtime sources the package compiles and tests.
let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedRuntimeTool OUTPUT NAME=FILE[,FILE...]...\n".utf8))
    exit(2)
}
var swift = """
    // Written by EmbedRuntimeTool from Sources/AccordRuntime at build time. Do not edit.

    /// The runtime sources, as the generator copies them into generated packages.
    enum EmbeddedRuntime {

    """
for group in arguments.dropFirst() {
    let parts = group.split(separator: "=", maxSplits: 1)
    guard parts.count == 2 else {
        FileHandle.standardError.write(Data("EmbedRuntimeTool: expected NAME=FILES, got \(group)\n".utf8))
        exit(2)
    }
    // Several files become one: their imports go first, once each, in the order they appear.
    var imports: [Substring] = []
    var bodies = ""
    for path in parts[1].split(separator: ",") {
        let source = try String(contentsOfFile: String(path), encoding: .utf8)
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let first = lines.first, first.hasPrefix("import ") {
            if !imports.contains(first) { imports.append(first) }
            lines = lines.dropFirst()
        }
        bodies += lines.joined(separator: "\n")
    }
    let text = imports.map { $0 + "\n" }.joined() + bodies
    // A raw string with more `#`s than any `"#…` run inside the text.
    var hashes = "#"
    while text.contains("\"" + hashes) { hashes += "#" }
    swift += "    static let \(parts[0]) = \(hashes)\"\"\"\n\(text)\"\"\"\(hashes)\n\n"
}
swift += "}\n"
try swift.write(toFile: output, atomically: true, encoding: .utf8)
