import AccordCodegen
import Foundation
import AccordDiff
import AccordSpec

/// A small API every rule fixture edits: two operations sharing a response schema, a request
/// schema, enums, unions with and without a discriminator, three security schemes and a catalog.
/// `NULLABLE(x)` is written in each version's own spelling (3.0 `nullable`, 3.1 `type: [x, 'null']`).
let fixtureTemplate = """
    openapi: VERSION
    info: { title: Fixture, version: '1' }
    servers: [{ url: 'https://api.example.com' }]
    paths:
      /items/{item_id}:
        get:
          operationId: getItem
          security: [{ bearer: [] }]
          parameters:
            - { name: item_id, in: path, required: true, schema: { type: string } }
            - { name: verbose, in: query, schema: { type: boolean } }
            - { name: page, in: query, schema: { type: integer } }
          responses:
            '200':
              description: The item.
              content: { application/json: { schema: { $ref: '#/components/schemas/Item' } } }
            '404':
              description: No such item.
              content: { application/problem+json: { schema: { $ref: '#/components/schemas/Problem' } } }
          x-error-codes: [ITEM_NOT_FOUND]
      /items:
        post:
          operationId: createItem
          requestBody:
            required: true
            content: { application/json: { schema: { $ref: '#/components/schemas/ItemCreate' } } }
          responses:
            '201':
              description: Created.
              content: { application/json: { schema: { $ref: '#/components/schemas/Item' } } }
            '422':
              description: Invalid.
              content: { application/problem+json: { schema: { $ref: '#/components/schemas/Problem' } } }
          x-error-codes: [VALIDATION_FAILED]
    components:
      securitySchemes:
        bearer: { type: http, scheme: bearer }
        key: { type: apiKey, name: X-Key, in: header }
        oauth:
          type: oauth2
          flows: { clientCredentials: { tokenUrl: 'https://example.com/token', scopes: { read: Read, write: Write } } }
      schemas:
        Item:
          type: object
          required: [id, name, count]
          properties:
            id: { type: string }
            name: { type: string }
            note: { type: string }
            count: { type: integer }
            weight: { type: number }
            kind: { type: string, enum: [small, large] }
            shape:
              oneOf: [{ $ref: '#/components/schemas/Circle' }, { $ref: '#/components/schemas/Square' }]
            tagged:
              oneOf: [{ $ref: '#/components/schemas/Circle' }, { $ref: '#/components/schemas/Square' }]
              discriminator: { propertyName: kind }
            label: NULLABLE(string)
        ItemCreate:
          type: object
          required: [name]
          properties:
            name: { type: string, maxLength: 50 }
            note: { type: string }
            amount: { type: integer }
            kind: { type: string, enum: [small, large] }
            comment: NULLABLE(string)
            outline:
              oneOf: [{ $ref: '#/components/schemas/Line' }, { $ref: '#/components/schemas/Dot' }]
        Circle:
          type: object
          required: [kind, r]
          properties: { kind: { type: string }, r: { type: number } }
        Square:
          type: object
          required: [kind, side]
          properties: { kind: { type: string }, side: { type: number } }
        Triangle:
          type: object
          required: [kind, base]
          properties: { kind: { type: string }, base: { type: number } }
        Line:
          type: object
          required: [length]
          properties: { length: { type: number } }
        Dot:
          type: object
          required: [x]
          properties: { x: { type: number } }
        Problem:
          type: object
          required: [type, title, status, code]
          properties:
            type: { type: string }
            title: { type: string }
            status: { type: integer }
            code: { $ref: '#/components/schemas/ErrorCode' }
        ErrorCode:
          type: string
          x-error-catalog:
            - { code: ITEM_NOT_FOUND, status: 404, title: Not found, message: That item is gone., retryable: false,
                description: No item. }
            - { code: VALIDATION_FAILED, status: 422, title: Invalid, message: Check your input., retryable: false,
                description: Bad. }
            - { code: BUSY, status: 503, title: Busy, message: Try again soon., retryable: true, description: Busy. }
    """

/// One rule, shown by an edit of the template: the rule it must report and both verdicts.
struct RuleFixture: Sendable, CustomStringConvertible {
    var rule: String
    var wire: Verdict
    var source: Verdict
    /// Edits applied to the template to make the base, then (on top) the revision.
    var base: [(String, String)] = []
    var revision: [(String, String)]
    /// How many changes the pair makes in all (most make exactly one).
    var expectedChanges = 1
    var note = ""

    var description: String { note.isEmpty ? rule : "\(rule) (\(note))" }
}

enum SpecVersion: String, Sendable, CaseIterable {
    case v30 = "3.0.3", v31 = "3.1.0"

    func nullable(_ type: String) -> String {
        switch self {
        case .v30: "{ type: \(type), nullable: true }"
        case .v31: "{ type: [\(type), 'null'] }"
        }
    }
}

/// The template in one version's spelling, with `NULLABLE(t)` expanded.
func fixtureSpec(_ version: SpecVersion, edits: [(String, String)]) throws -> String {
    var text = fixtureTemplate.replacingOccurrences(of: "VERSION", with: version.rawValue)
    for (old, new) in edits {
        // `ALL:text` replaces every occurrence; any other edit must match exactly once.
        if old.hasPrefix("ALL:") {
            let target = String(old.dropFirst(4))
            guard text.contains(target) else { throw FixtureError.editNotFound(target) }
            text = text.replacingOccurrences(of: target, with: new)
            continue
        }
        let parts = text.components(separatedBy: old)
        guard parts.count == 2 else {
            throw parts.count < 2 ? FixtureError.editNotFound(old) : FixtureError.editNotUnique(old)
        }
        text = parts.joined(separator: new)
    }
    for type in ["string", "integer"] {
        text = text.replacingOccurrences(of: "NULLABLE(\(type))", with: version.nullable(type))
    }
    return text
}

enum FixtureError: Error, CustomStringConvertible {
    case editNotFound(String)
    case editNotUnique(String)
    case unreadable(String)

    var description: String {
        switch self {
        case .editNotFound(let text): "the template has no '\(text)'"
        case .editNotUnique(let text): "the template has '\(text)' more than once"
        case .unreadable(let why): why
        }
    }
}

/// Loads spec text from memory the way `accord generate` loads a file.
func loadDocument(_ text: String, file: String) throws -> APIDocument {
    let docs = try SpecDocuments(rootFile: file) { _ in text }
    let (document, log) = DocumentReader.read(docs)
    guard let document, !log.hasErrors else {
        throw FixtureError.unreadable(log.errors.map(\.description).joined(separator: "\n"))
    }
    return document
}

func diff(_ base: String, _ revision: String) throws -> [SpecChange] {
    SpecDiff.compare(
        base: try loadDocument(base, file: "base.yaml"), revision: try loadDocument(revision, file: "revision.yaml"))
}
