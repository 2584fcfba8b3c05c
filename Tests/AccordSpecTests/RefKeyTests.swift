import AccordSpec
import Testing

/// Refs are split once per text and file; keys that share a last token stay apart.
@Suite struct RefKeyTests {
    func documents() throws -> SpecDocuments {
        try SpecDocuments(rootFile: "dir/root.yaml") { _ in "openapi: 3.1.0\n" }
    }

    @Test func refsSplitIntoFileAndPointer() throws {
        let docs = try documents()
        let at = SourceLocation(file: "dir/root.yaml", line: 1, column: 1)
        let local = try docs.key(for: "#/components/schemas/a~1b%20c", in: "dir/root.yaml", at: at)
        #expect(local == RefKey(file: "dir/root.yaml", pointer: ["components", "schemas", "a/b c"]))
        #expect(try docs.key(for: "#/components/schemas/a~1b%20c", in: "dir/root.yaml", at: at) == local)
        #expect(try docs.key(for: "#/", in: "dir/root.yaml", at: at).pointer == [""])
        #expect(try docs.key(for: "#", in: "dir/root.yaml", at: at).pointer == [])
        let other = try docs.key(for: "other.yaml#/components/schemas/a~1b%20c", in: "dir/root.yaml", at: at)
        #expect(other.file == "dir/other.yaml")
        #expect(Set([local, other]).count == 2)
        #expect(throws: Diagnostic.self) { try docs.key(for: "#anchor", in: "dir/root.yaml", at: at) }
    }
}
