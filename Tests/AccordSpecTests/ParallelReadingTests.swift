import Foundation
import Testing

@testable import AccordSpec

/// A large spec's paths and schemas are read on several cores; what comes out (document,
/// diagnostics and their order) is what one core reads.
@Suite struct ParallelReadingTests {
    /// 120 paths and schemas, with problems here and there and refs into a second file.
    static let files: [String: String] = {
        var spec = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n"
        for index in 0..<120 {
            spec += "  /items/\(index):\n    get:\n"
            // Every 7th operation repeats an id; every 11th answers with a schema that is not there.
            spec += "      operationId: \(index % 7 == 0 ? "shared" : "get\(index)")\n      responses:\n"
            let ref =
                index % 11 == 0
                ? "#/components/schemas/Missing\(index)"
                : index % 5 == 0 ? "other.yaml#/Extra\(index % 3)" : "#/components/schemas/Item\(index)"
            spec += "        '200':\n          description: ok\n          content:\n"
            spec += "            application/json: {schema: {$ref: '\(ref)'}}\n"
        }
        spec += "components:\n  schemas:\n"
        for index in 0..<120 {
            spec += "    Item\(index):\n      type: \(index % 13 == 0 ? "strange" : "object")\n"
            spec += "      properties:\n        id: {type: string, pattern: '\(index % 17 == 0 ? "([" : "^[a-z]+$")'}\n"
            spec += "        next: {$ref: '#/components/schemas/Item\((index + 1) % 120)'}\n"
            spec += "        more: {$ref: 'other.yaml#/Extra\(index % 3)'}\n"
        }
        var other = ""
        for index in 0..<3 {
            other += "Extra\(index):\n  type: object\n  properties: {n: {$ref: '#/Extra\((index + 1) % 3)'}}\n"
        }
        return ["/spec/api.yaml": spec, "/spec/other.yaml": other]
    }()

    @Test func severalCoresReadWhatOneCoreReads() throws {
        let one = DocumentReader.read(try documents(Self.files), cores: 1)
        let several = DocumentReader.read(try documents(Self.files), cores: 4)
        #expect(one.diagnostics.all.count > 10, "the spec has problems to report")
        #expect(several.diagnostics.all == one.diagnostics.all)
        let document = try #require(one.document)
        #expect(document.operations.count == 120)
        #expect(document.namedSchemas.count == 123)  // 120 items and 3 from the other file
        // (Described member by member: the document's index is a dictionary, described in no set order.)
        let parallel = try #require(several.document)
        #expect(String(describing: parallel.operations) == String(describing: document.operations), "operations")
        #expect(String(describing: parallel.namedSchemas) == String(describing: document.namedSchemas), "schemas")
    }
}
