import AccordCodegen
import AccordDiff
import Foundation
import Testing

/// `ClientBehaviour` states what the generator emits; these tests hold it to the generator's real
/// output, and docs/DIFF.md to the rule table, so neither can drift from the verdicts.
@Suite("accord diff: the facts behind the verdicts")
struct BehaviourTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The generated models and client of the fixture template, each with its runtime module (what
    /// an app compiles), as one text per module.
    static func generated() throws -> (models: String, client: String) {
        let document = try loadDocument(try fixtureSpec(.v31, edits: []), file: "fixture.yaml")
        let (files, _) = Generator.generate(
            document, configuration: GeneratorConfiguration(specPath: "fixture.yaml", baseName: "Fixture"))
        func module(_ name: String) -> String {
            let folders = [name + "/", GeneratorConfiguration.runtime(of: name) + "/"]
            return files.filter { file in folders.contains { file.path.hasPrefix($0) } }.map(\.contents)
                .joined(separator: "\n")
        }
        return (module("FixtureAPI"), module("FixtureClient"))
    }

    @Test("ClientBehaviour.current says what the generated code does")
    func behaviourMatchesOutput() throws {
        let b = ClientBehaviour.current
        let (models, client) = try Self.generated()
        // Open string enums and error codes: an unknown value is kept.
        #expect(b.enumsAreOpen == models.contains("public enum Kind: OpenEnum"))
        let unknownKept = "self = Self.wireValues.documentedCase(rawValue) ?? .undocumented(rawValue)"
        #expect(b.enumsAreOpen == models.contains(unknownKept))
        // A discriminated union keeps unknown kinds; one without a discriminator throws.
        #expect(
            b.discriminatedUnionsAreOpen
                == models.contains("default: self = .undocumented(try value.decode(JSONValue.self))"))
        #expect(
            models.contains("matches none of Item.Shape's schemas")
                || models.contains("matches none of Shape's schemas"))
        // Statuses: an undeclared success throws; every 4xx/5xx is an APIError.
        #expect(
            b.undeclaredSuccessStatusThrows
                == client.contains("default: throw ClientError.unexpectedStatus(response.status)"))
        #expect(b.anyErrorStatusIsAPIError == client.contains("case 400...599: throw APIError(response: response)"))
        // No request validation in the client; the app supplies credentials and the base URL.
        #expect(b.validatesRequests == (client.contains("violations(") || client.contains("SchemaRule")))
        #expect(b.credentialsSuppliedByApp == client.contains("tokenProvider: (any TokenProvider)?"))
        #expect(
            b.baseURLSuppliedByApp
                == (client.contains("        baseURL: URL,") && !client.contains("https://api.example.com\"")))
        // Optional members: `T?` without a hand-written decoder is read with decodeIfPresent (synthesized),
        // which the wire reality tests exercise; required members are plain `T`.
        #expect(b.optionalMembersTolerateNull == models.contains("public var note: String?"))
        #expect(models.contains("public var name: String\n"))
    }

    @Test("docs/DIFF.md holds the rule table exactly as the code states it")
    func documentedTable() throws {
        let doc = try String(contentsOf: Self.repository.appendingPathComponent("docs/DIFF.md"), encoding: .utf8)
        let marker = try #require(doc.range(of: "<!-- rules:begin"))
        let begin = try #require(doc.range(of: "-->\n", range: marker.upperBound..<doc.endIndex))
        let end = try #require(doc.range(of: "<!-- rules:end -->"))
        #expect(
            String(doc[begin.upperBound..<end.lowerBound]) == DiffRule.markdownTable(),
            "docs/DIFF.md is stale: paste `accord diff --rules` between the markers")
    }

    @Test("a different client behaviour gives different verdicts (the table is computed, not written)")
    func verdictsFollowBehaviour() {
        var closed = ClientBehaviour.current
        closed.enumsAreOpen = false
        closed.discriminatedUnionsAreOpen = false
        #expect(DiffRule.rule("response-enum-value-added", closed)?.wire == .breaking)
        #expect(DiffRule.rule("response-enum-value-added")?.wire == .safe)
        #expect(DiffRule.rule("response-open-union-variant-added", closed)?.wire == .breaking)
        #expect(DiffRule.rule("response-open-union-variant-added")?.wire == .safe)
    }

    @Test("rule ids are unique")
    func uniqueIDs() {
        let ids = DiffRule.table().map(\.id)
        #expect(Set(ids).count == ids.count)
    }
}
