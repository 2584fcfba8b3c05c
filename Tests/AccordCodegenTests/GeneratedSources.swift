import AccordCodegen
import Foundation

/// A generation's Swift files under `Sources/` of a new temporary folder, laid out as
/// `SwiftTypecheck` reads a package; the caller removes the folder.
func writeSwiftSources(_ files: [GeneratedFile], folderPrefix: String) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("\(folderPrefix)-\(UUID().uuidString)")
    for file in files where file.path.hasSuffix(".swift") {
        let url = root.appendingPathComponent("Sources").appendingPathComponent(file.path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try file.contents.write(to: url, atomically: true, encoding: .utf8)
    }
    return root
}
