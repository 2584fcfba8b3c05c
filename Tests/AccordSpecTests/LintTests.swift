import AccordSpec
import Foundation
import Testing

@Suite struct LintTests {
    func lint(_ yaml: String) throws -> [String] {
        let docs = try documents(["/spec/api.yaml": yaml])
        return Lint.run(docs).diagnostics.map(\.description)
    }

    static let header = """
        openapi: 3.1.0
        info: {title: t, version: '1'}
        components:
          schemas:
            ErrorCode:
              type: string
              x-error-catalog:
                - {code: NOT_FOUND, status: 404, title: Not found, message: Gone., retryable: false, description: d}
            Problem:
              type: object
              properties:
                code: {$ref: '#/components/schemas/ErrorCode'}
        """

    @Test func theProjectSpecIsClean() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let docs = try SpecDocuments.load(path: root.appendingPathComponent("spec/api.yaml").path)
        let (document, diagnostics) = Lint.run(docs)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(document?.operations.count == 18)
        #expect(document?.errorCatalog?.entries.count == 26)  // API.md's 25 and APP_VERSION_UNSUPPORTED
    }

    @Test(
        "catalog codes are UPPER_SNAKE_CASE",
        arguments: ["not-found", "_NOT_FOUND", "9_LIVES", "NOT FOUND", "Gone", ""])
    func catalogCodeSpelling(code: String) throws {
        let found = try lint(Self.header.replacingOccurrences(of: "{code: NOT_FOUND,", with: "{code: '\(code)',"))
        #expect(found.contains { $0.contains("error: error code '\(code)' must be UPPER_SNAKE_CASE") }, "\(found)")
    }

    @Test func accordRules() throws {
        let found = try lint(
            Self.header + """

                paths:
                  /a:
                    get:
                      responses:
                        '200': {description: ok}
                        '404':
                          description: missing
                          content:
                            application/json: {schema: {$ref: '#/components/schemas/Problem'}}
                  /b:
                    get:
                      operationId: getB
                      x-error-codes: [NOT_FOUND, NO_SUCH_CODE]
                      responses:
                        '200': {description: ok}
                        '500':
                          description: boom
                          content:
                            application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}
                """)
        #expect(
            found.contains { $0.hasSuffix("error: GET /a has no operationId (generated method names come from it)") })
        #expect(
            found.contains { $0.hasSuffix("error: GET /a response 404 must be 'application/problem+json' (RFC 9457)") })
        #expect(found.contains { $0.contains("error: error code 'NO_SUCH_CODE' is not in the error catalog") })
        #expect(
            found.contains {
                $0.contains("error: GET /b can answer 'NOT_FOUND' (status 404) but declares no 404 response")
            })
        #expect(found.contains { $0.contains("error: GET /b declares 500 but lists no error code with that status") })
        // Printed as path:line:column.
        #expect(
            found.allSatisfy {
                $0.range(of: #"^/spec/api\.yaml:\d+:\d+: (error|warning): "#, options: .regularExpression) != nil
            })
    }
}
