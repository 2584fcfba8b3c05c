import AccordCodegen
import AccordDiff
import Foundation
import Testing

/// Shapes of real specs that once went wrong (found by diffing mutated copies of the corpus).
@Suite("accord diff: real-world shapes")
struct RegressionTests {
    /// GitHub's `PATCH /gists/{gist_id}`: members plus `anyOf` of `required` lists.
    static let gist = """
        openapi: 3.1.0
        info: { title: G, version: '1' }
        paths:
          /gists/{id}:
            patch:
              operationId: updateGist
              parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
              requestBody:
                content:
                  application/json:
                    schema:
                      type: object
                      properties:
                        description: { type: string }
                        files: { type: object }
                      anyOf: [{ required: [description] }, { required: [files] }]
              responses: { '204': { description: Done. } }
        """

    @Test("an object whose anyOf only lists required members keeps its members, and their changes are reported")
    func constraintOnlyAnyOf() throws {
        let revision = Self.gist.replacingOccurrences(
            of: "description: { type: string }", with: "description: { type: integer }")
        let changes = try diff(Self.gist, revision)
        #expect(changes.map(\.rule) == ["request-type-changed"])
        #expect(changes.first?.source == .breaking)
    }

    /// Stripe's expandable fields: `anyOf: [string, $ref B]` in a member named like the schema it refers to.
    static let expandable = """
        openapi: 3.1.0
        info: { title: S, version: '1' }
        paths:
          /a:
            get:
              operationId: getA
              responses:
                '200': { description: A.,
                  content: { application/json: { schema: { $ref: '#/components/schemas/A' } } } }
          /b:
            get:
              operationId: getB
              responses:
                '200': { description: B.,
                  content: { application/json: { schema: { $ref: '#/components/schemas/B' } } } }
        components:
          schemas:
            A:
              type: object
              properties:
                b: { anyOf: [{ type: string }, { $ref: '#/components/schemas/B' }] }
            B:
              type: object
              required: [x]
              properties:
                x: { type: string }
        """

    @Test("a nested union does not shadow the schema it holds (A.B2 holds B), and verdicts do not depend on the path")
    func expandableField() throws {
        let document = try loadDocument(Self.expandable, file: "s.yaml")
        let (files, _) = Generator.generate(
            document, configuration: GeneratorConfiguration(specPath: "s.yaml", baseName: "S"))
        let models = try #require(files.first { $0.path == "SAPI/Models.swift" }?.contents)
        #expect(models.contains("public indirect enum B2: Codable, Hashable, Sendable {"))
        #expect(models.contains("case b(B)"))

        let revision = Self.expandable.replacingOccurrences(of: "x: { type: string }", with: "x: { type: integer }")
        let changes = try diff(Self.expandable, revision)
        #expect(changes.map(\.rule) == ["response-type-changed"])
        #expect(changes.first?.source == .breaking)
        #expect(changes.first?.message == "member `x` of `B` is integer, was string")
        #expect(changes.first?.operation == "getA")
        #expect(changes.first?.alsoAffects == ["getB"])
    }
}
