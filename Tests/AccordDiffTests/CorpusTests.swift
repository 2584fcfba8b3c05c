import AccordDiff
import AccordSpec
import Foundation
import Testing

/// Real specs nobody here wrote: against themselves no change; against a mutated copy, every
/// mutation reported. (`scripts/corpus-check` diffs every corpus spec against itself with the CLI.)
@Suite("accord diff on the corpus")
struct CorpusTests {
    static let corpus: String? = {
        let candidates = [
            BehaviourTests.repository.appendingPathComponent("../shared/specs-corpus").standardized.path,
            "/work/shared/specs-corpus",
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }()

    static let specs = [
        "oai-petstore-expanded.yaml", "fastapi-todo-otp.yaml", "fastapi-todo-otp.json", "twilio_lookups_v2.yaml",
        "twilio_verify_v2.yaml",
    ]

    /// A mutation made to a copy, and what `accord diff` must say about it.
    struct Expectation: CustomStringConvertible {
        var rule: String?
        var pointer: String?
        var what: String
        var description: String { what }
    }

    static func load(_ path: String) throws -> APIDocument {
        let docs = try SpecDocuments.load(path: path)
        let (document, log) = DocumentReader.read(docs)
        guard let document, !log.hasErrors else {
            throw FixtureError.unreadable(log.errors.map(\.description).joined(separator: "\n"))
        }
        return document
    }

    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// Mutates the spec (as JSON objects) in ways every API has room for; returns what each should report.
    static func mutate(_ root: inout [String: Any]) -> [Expectation] {
        var expectations: [Expectation] = []
        var paths = root["paths"] as? [String: Any] ?? [:]
        let methods = ["get", "put", "post", "delete", "patch"]
        var operations: [(path: String, method: String)] = []
        for path in paths.keys.sorted() {
            let item = paths[path] as? [String: Any] ?? [:]
            for method in methods where item[method] is [String: Any] { operations.append((path, method)) }
        }
        guard operations.count >= 4 else { return [] }

        func update(_ op: (path: String, method: String), _ change: (inout [String: Any]) -> Void) {
            var item = paths[op.path] as! [String: Any]
            var operation = item[op.method] as! [String: Any]
            change(&operation)
            item[op.method] = operation
            paths[op.path] = item
        }
        // 1. An operation removed.
        var removed = paths[operations[0].path] as! [String: Any]
        removed[operations[0].method] = nil
        paths[operations[0].path] = removed
        expectations.append(
            Expectation(
                rule: "operation-removed", pointer: "/paths/\(escape(operations[0].path))/\(operations[0].method)",
                what: "removed \(operations[0].method) \(operations[0].path)"))
        // 2. An operationId renamed.
        update(operations[1]) { op in op["operationId"] = ((op["operationId"] as? String) ?? "op") + "Renamed" }
        expectations.append(Expectation(rule: "operation-id-changed", pointer: nil, what: "renamed an operationId"))
        // 3. A required query parameter added.
        update(operations[2]) { op in
            var parameters = op["parameters"] as? [Any] ?? []
            parameters.append(["name": "accord_probe", "in": "query", "required": true, "schema": ["type": "string"]])
            op["parameters"] = parameters
        }
        expectations.append(
            Expectation(rule: "request-parameter-added-required", pointer: nil, what: "added a required parameter"))
        // 4. An operation added.
        paths["/accord-probe"] = [
            "get": ["operationId": "accordProbe", "responses": ["204": ["description": "Nothing."]]]
        ]
        expectations.append(Expectation(rule: "operation-added", pointer: nil, what: "added an operation"))
        // 5. A member of a schema some operation answers with, removed.
        var schemas = (root["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        search: for op in operations.dropFirst() {
            let operation = (paths[op.path] as? [String: Any])?[op.method] as? [String: Any] ?? [:]
            for (status, response) in (operation["responses"] as? [String: Any] ?? [:]) where status.hasPrefix("2") {
                let content = (response as? [String: Any])?["content"] as? [String: Any] ?? [:]
                for media in content.values {
                    guard let ref = ((media as? [String: Any])?["schema"] as? [String: Any])?["$ref"] as? String,
                        ref.hasPrefix("#/components/schemas/")
                    else { continue }
                    let name = String(ref.dropFirst("#/components/schemas/".count))
                    guard var schema = schemas[name] as? [String: Any],
                        var properties = schema["properties"] as? [String: Any],
                        let member = properties.keys.sorted().first
                    else { continue }
                    properties[member] = nil
                    schema["properties"] = properties
                    if let required = schema["required"] as? [String] {
                        schema["required"] = required.filter { $0 != member }
                    }
                    schemas[name] = schema
                    expectations.append(
                        Expectation(
                            rule: nil, pointer: "/components/schemas/\(escape(name))/properties/\(escape(member))",
                            what: "removed member \(member) of \(name)"))
                    break search
                }
            }
        }
        if var components = root["components"] as? [String: Any] {
            components["schemas"] = schemas
            root["components"] = components
        }
        root["paths"] = paths
        return expectations
    }

    @Test("each corpus spec against itself: no change; against a mutated copy (JSON): every mutation", arguments: specs)
    func corpus(_ name: String) throws {
        let corpus = try #require(Self.corpus, "the corpus is beside the project (../shared/specs-corpus)")
        let path = corpus + "/" + name
        let original = try Self.load(path)
        #expect(SpecDiff.compare(base: original, revision: original).isEmpty)

        let docs = try SpecDocuments.load(path: path)
        var root = try #require(try JSONSerialization.jsonObject(with: Data(docs.root.jsonText.utf8)) as? [String: Any])
        let expectations = Self.mutate(&root)
        #expect(expectations.count >= 4, "room for the mutations in \(name)")
        let text = String(
            decoding: try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]), as: UTF8.self)
        let mutated = try loadDocument(text, file: "mutated.json")
        let changes = SpecDiff.compare(base: original, revision: mutated)
        for expectation in expectations {
            let found = changes.contains { change in
                (expectation.rule.map { change.rule == $0 } ?? true)
                    && (expectation.pointer.map { change.pointer.hasPrefix($0) } ?? true)
            }
            let reported = changes.map { "\($0.rule) \($0.pointer)" }.joined(separator: "\n")
            #expect(found, "\(name): \(expectation) not reported; reported:\n\(reported)")
        }
    }
}
