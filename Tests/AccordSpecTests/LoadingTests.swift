import Foundation
import AccordSpec
import Testing

/// In-memory files for the loader.
func documents(_ files: [String: String], root: String = "/spec/api.yaml") throws(Diagnostic) -> SpecDocuments {
    try SpecDocuments(rootFile: root) { path in
        guard let text = files[path] else { throw MissingFile() }
        return text
    }
}

struct MissingFile: Error {}

func read(_ yaml: String, extra: [String: String] = [:]) throws -> (APIDocument?, [Diagnostic]) {
    var files = extra
    files["/spec/api.yaml"] = yaml
    let (document, log) = DocumentReader.read(try documents(files))
    return (document, log.sorted)
}

@Suite struct LoadingTests {
    @Test func malformedYAMLNamesTheLine() throws {
        let yaml = "openapi: 3.1.0\ninfo:\n  title: x\n  summary: Liveness: up\n"
        #expect(throws: Diagnostic.self) { try documents(["/spec/api.yaml": yaml]) }
        do {
            _ = try documents(["/spec/api.yaml": yaml])
        } catch {
            #expect(error.location?.line == 4)
            #expect(error.description.hasPrefix("/spec/api.yaml:4:"))
            #expect(error.message.contains("malformed YAML"))
        }
    }

    @Test(
        "a file that is not UTF-8 is refused, however its bytes go wrong",
        arguments: [
            [0x63, 0x61, 0x66, 0xE9],  // Latin-1 é
            [0x61, 0xF0, 0x9F, 0x98],  // a four-byte sequence cut to three (replaced by as many bytes)
            [0xC0, 0xAF],  // an overlong slash
            [0xED, 0xA0, 0x80],  // a surrogate
        ] as [[UInt8]])
    func notUTF8(_ bad: [UInt8]) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("accord-\(UUID().uuidString).yaml")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = Array("openapi: 3.1.0\ninfo: {title: '".utf8) + bad + Array("', version: '1'}\npaths: {}\n".utf8)
        try Data(text).write(to: URL(fileURLWithPath: path))
        #expect(throws: Diagnostic.self) { try SpecDocuments.load(path: path) }
        do { _ = try SpecDocuments.load(path: path) } catch {
            #expect(error.message == "cannot read the spec: the file is not UTF-8 text")
        }
        // The same with good UTF-8 in that place loads, text intact.
        let good = Array("openapi: 3.1.0\ninfo: {title: 'café 😀', version: '1'}\npaths: {}\n".utf8)
        try Data(good).write(to: URL(fileURLWithPath: path))
        #expect(try SpecDocuments.load(path: path).root["info"]?["title"]?.string == "café 😀")
    }

    @Test func missingFileAndEmptyFile() {
        do {
            _ = try documents([:])
            Issue.record("expected a diagnostic")
        } catch {
            #expect(error.message.contains("cannot read the spec"))
        }
        do {
            _ = try documents(["/spec/api.yaml": "  \n"])
            Issue.record("expected a diagnostic")
        } catch {
            #expect(error.message == "the file is empty")
        }
    }

    @Test func duplicateKeysAreErrors() {
        do {
            _ = try documents(["/spec/api.yaml": "openapi: 3.1.0\nopenapi: 3.0.0\n"])
            Issue.record("expected a diagnostic")
        } catch {
            #expect(error.message.contains("duplicate key 'openapi'"))
            #expect(error.location?.line == 1)  // where the key is first written
        }
    }

    @Test func scalarsFollowYAML12CoreSchema() throws {
        let docs = try documents([
            "/spec/api.yaml": "a: yes\nb: '1'\nc: 1\nd: 1.5\ne: true\nf: null\ng: 9223372036854776000\nh: 2026-11-27\n"
        ])
        let root = docs.root
        #expect(root["a"]?.string == "yes")
        #expect(root["b"]?.string == "1")
        #expect(root["c"]?.int == 1)
        #expect(root["d"]?.double == 1.5)
        #expect(root["e"]?.bool == true)
        #expect(root["f"]?.isNull == true)
        #expect(root["g"]?.double == 9.223372036854776e18)
        #expect(root["h"]?.string == "2026-11-27")
    }

    @Test func jsonLoadsWithLocations() throws {
        let docs = try documents(
            ["/spec/api.json": "{\n  \"openapi\": \"3.0.3\",\n  \"x\": [1, 2.5, \"a\\/b\"]\n}"], root: "/spec/api.json")
        #expect(docs.root["openapi"]?.string == "3.0.3")
        #expect(docs.root["openapi"]?.location.line == 2)
        #expect(docs.root["x"]?.array?.last?.string == "a/b")
    }

    @Test func unresolvedRefIsReportedWhereItIsWritten() throws {
        let (_, diagnostics) = try read(
            """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                A:
                  type: object
                  properties:
                    b: {$ref: '#/components/schemas/Missing'}
            """)
        let error = try #require(diagnostics.first { $0.severity == .error })
        #expect(error.message.contains("unresolved $ref '/spec/api.yaml#/components/schemas/Missing'"))
        #expect(error.location?.line == 9)
    }

    @Test func refCyclesAreErrorsButRecursiveSchemasAreFine() throws {
        let (_, cycle) = try read(
            """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                A: {$ref: '#/components/schemas/B'}
                B: {$ref: '#/components/schemas/A'}
            """)
        #expect(cycle.contains { $0.severity == .error && $0.message.contains("$ref cycle") })

        let (doc, recursive) = try read(
            """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                Node:
                  type: object
                  properties:
                    children: {type: array, items: {$ref: '#/components/schemas/Node'}}
                    parent: {$ref: '#/components/schemas/Node'}
            """)
        #expect(recursive.filter { $0.severity == .error }.isEmpty)
        #expect(doc?.namedSchemas.map(\.name) == ["Node"])
    }

    @Test func relativeFileRefsLoadTheOtherFile() throws {
        let (doc, diagnostics) = try read(
            """
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths:
              /pets:
                get:
                  operationId: listPets
                  responses:
                    '200':
                      description: ok
                      content:
                        application/json:
                          schema: {$ref: 'schemas/pet.yaml#/Pet'}
            """,
            extra: [
                "/spec/schemas/pet.yaml":
                    "Pet:\n  type: object\n  properties:\n    tag: {$ref: '#/Tag'}\nTag:\n  type: string\n  "
                    + "nullable: true\n"
            ])
        #expect(diagnostics.isEmpty)
        #expect(doc?.namedSchemas.map(\.name) == ["Pet", "Tag"])
        #expect(doc?.namedSchemas.last?.schema.isNullable == true)
        #expect(doc?.namedSchemas.last?.key.file == "/spec/schemas/pet.yaml")
    }

    @Test func nullableFormsOf30And31() throws {
        let (doc, _) = try read(
            """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            paths: {}
            components:
              schemas:
                A: {type: [string, 'null']}
                B:
                  anyOf:
                    - {type: integer}
                    - {type: 'null'}
                C: {type: string, nullable: true}
                D: {type: integer, minimum: 1, exclusiveMinimum: true}
            """)
        let schemas = try #require(doc?.namedSchemas)
        #expect(schemas.map(\.schema.isNullable) == [true, true, true, false])
        if case .integer = schemas[1].schema.kind {
        } else {
            Issue.record("anyOf [integer, null] should be a nullable integer")
        }
        #expect(schemas[3].schema.constraints.exclusiveMinimum == 1)
        #expect(schemas[3].schema.constraints.minimum == nil)
    }

    @Test func structuralErrors() throws {
        let (_, diagnostics) = try read(
            """
            openapi: 3.1.0
            info: {title: t}
            paths:
              /todos/{id}:
                get:
                  operationId: getTodo
                  responses:
                    '200': {description: ok}
              /other:
                get:
                  operationId: getTodo
                  parameters:
                    - {name: q, in: body}
                  responses:
                    'abc': {description: ok}
            """)
        let messages = diagnostics.map(\.message)
        #expect(messages.contains("'info' needs a 'version' string"))
        #expect(messages.contains("path parameter '{id}' of '/todos/{id}' is not declared"))
        #expect(messages.contains { $0.hasPrefix("operationId 'getTodo' is used twice") })
        #expect(messages.contains("parameter 'q' needs 'in' (path, query, header or cookie)"))
        #expect(messages.contains("'abc' is not a response status code"))
    }

    @Test func swagger2AndUnknownVersionsAreRefused() throws {
        #expect(
            try read("swagger: '2.0'\n").1.first?.message
                == "Swagger 2.0 is not supported; convert it to OpenAPI 3 first")
        #expect(try read("openapi: 4.0.0\n").1.first?.message.contains("unsupported OpenAPI version") == true)
    }
}
