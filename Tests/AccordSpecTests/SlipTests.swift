import AccordSpec
import Foundation
import Testing

/// Slips found in specs written elsewhere: read the way the most-used generator reads them, with a
/// located warning, so the spec still generates.
@Suite struct SlipTests {
    static let spec = """
        openapi: 3.0.3
        info: {title: t, version: '1'}
        paths:
          /things:
            parameters:
            get:
              operationId: listThings
              parameters:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: [array, null]
                        items:
                          type: object
                          properties:
                          required:
        """

    @Test func emptyFieldsAndBareNullTypesAreWarningsNotErrors() throws {
        let (document, diagnostics) = try read(Self.spec)
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        let warnings = diagnostics.map(\.description)
        #expect(
            warnings.contains { $0.hasPrefix("/spec/api.yaml:5:16: warning: 'parameters' has no value") }, "\(warnings)"
        )
        #expect(
            warnings.contains { $0.hasPrefix("/spec/api.yaml:8:18: warning: 'parameters' has no value") }, "\(warnings)"
        )
        #expect(
            warnings.contains {
                $0.hasPrefix("/spec/api.yaml:15:31: warning: a bare null in 'type' is YAML's null, not the type name")
            }, "\(warnings)")
        #expect(
            warnings.contains { $0.hasPrefix("/spec/api.yaml:18:30: warning: 'properties' has no value") },
            "\(warnings)")
        #expect(
            warnings.contains { $0.hasPrefix("/spec/api.yaml:19:28: warning: 'required' has no value") }, "\(warnings)")

        let operation = try #require(document?.operations.first)
        #expect(operation.parameters.isEmpty)
        let schema = try #require(operation.responses.first?.content?.schema)
        #expect(schema.isNullable)
        guard case .array(let items) = schema.kind, case .object(let object) = items.kind else {
            Issue.record("expected a nullable array of objects, got \(schema.kind)")
            return
        }
        #expect(object.properties.isEmpty)
    }

    @Test func otherNonStringTypeEntriesAreStillErrors() throws {
        let (_, diagnostics) = try read(
            """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                A: {type: [string, 3]}
                B: {type: }
            """)
        #expect(diagnostics.contains { $0.severity == .error && $0.message == "'type' entries must be strings" })
        #expect(
            diagnostics.contains {
                $0.severity == .warning && $0.message.hasPrefix("'type' has no value") && $0.location?.line == 7
            })
    }
}
