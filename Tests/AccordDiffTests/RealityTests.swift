import AccordCodegen
import AccordDiff
import AccordSpec
import AccordTestSupport
import Foundation
import Testing

/// The verdicts checked against what really happens, not against the table: the base's client is
/// generated and compiled, app-like code is compiled against it and against the revision's
/// client (source), and the revision's responses are decoded by the base's models (wire).
@Suite("accord diff verdicts against compiled clients", .serialized)
struct RealityTests {
    /// App code that uses what the fixture changes, as an app would; it compiles against the base.
    struct SourceCase: Sendable, CustomStringConvertible {
        var rule: String
        var note = ""
        var snippet: String
        var description: String { note.isEmpty ? rule : "\(rule) (\(note))" }
    }

    /// A response the revision's server may send, decoded by the base's models.
    struct WireCase: Sendable, CustomStringConvertible {
        var rule: String
        var note = ""
        var type: String
        var json: String
        var description: String { note.isEmpty ? rule : "\(rule) (\(note))" }
    }

    static let call = "import FixtureClient\n\nfunc app(_ client: FixtureClient) async throws {\n"

    static let sourceCases: [SourceCase] = [
        SourceCase(
            rule: "operation-id-changed", snippet: call + "    _ = try await client.getItem(itemID: \"1\")\n}\n"),
        SourceCase(
            rule: "operation-id-changed", note: "the Swift name stays getItem",
            snippet: call + "    _ = try await client.getItem(itemID: \"1\")\n}\n"),
        SourceCase(
            rule: "request-parameter-added-required",
            snippet: call + "    _ = try await client.getItem(itemID: \"1\", verbose: true)\n}\n"),
        SourceCase(
            rule: "request-parameter-added-optional",
            snippet: call + "    _ = try await client.getItem(itemID: \"1\", verbose: true)\n}\n"),
        SourceCase(
            rule: "method-signature-changed", note: "two optional arguments swap",
            snippet: call + "    _ = try await client.getItem(itemID: \"1\", verbose: true, page: 2)\n}\n"),
        SourceCase(
            rule: "path-parameter-renamed", snippet: call + "    _ = try await client.getItem(itemID: \"1\")\n}\n"),
        SourceCase(
            rule: "request-property-added-required",
            snippet: call + "    _ = try await client.createItem(ItemCreate(name: \"x\"))\n}\n"),
        SourceCase(
            rule: "request-constraint-narrowed",
            snippet: call + "    _ = try await client.createItem(ItemCreate(name: \"x\"))\n}\n"),
        SourceCase(
            rule: "response-location-added",
            snippet: call
                + "    let item = try await client.createItem(ItemCreate(name: \"x\"))\n"
                + "    print(item.name)\n}\n"),
        SourceCase(
            rule: "response-location-removed",
            snippet: call
                + "    let created = try await client.createItem(ItemCreate(name: \"x\"))\n"
                + "    print(created.location as Any)\n}\n"),
        SourceCase(
            rule: "response-property-added", note: "optional: a new initializer argument with a default",
            snippet: "import FixtureClient\n\nlet item = Item(id: \"a\", name: \"b\", count: 1)\n"),
        SourceCase(
            rule: "response-property-added", note: "required: a new initializer argument without a default",
            snippet: "import FixtureClient\n\nlet item = Item(id: \"a\", name: \"b\", count: 1)\n"),
        SourceCase(
            rule: "response-optional-became-nullable",
            note: "decodeIfPresent reads null as absent; oasdiff calls this an error",
            snippet:
                "import FixtureClient\n\nfunc note(_ item: Item) -> String { "
                + "if let n = item.note { return n }; return \"\" }\n"
        ),
        SourceCase(
            rule: "response-became-required",
            snippet:
                "import FixtureClient\n\nfunc note(_ item: Item) -> String { "
                + "if let n = item.note { return n }; return \"\" }\n"
        ),
        SourceCase(
            rule: "response-enum-value-added",
            snippet: """
                import FixtureClient

                func describe(_ kind: Item.Kind) -> String {
                    switch kind {
                    case .small: "small"
                    case .large: "large"
                    case .undocumented(let value): value
                    }
                }

                """),
        SourceCase(
            rule: "error-code-added",
            snippet: """
                import FixtureClient

                func retry(_ code: ErrorCode) -> Bool {
                    switch code {
                    case .itemNotFound, .validationFailed: false
                    case .busy: true
                    case .undocumented: false
                    }
                }

                """),
        SourceCase(
            rule: "type-renamed", snippet: "import FixtureClient\n\nfunc show(_ item: Item) -> String { item.name }\n"),
        SourceCase(
            rule: "request-type-widened",
            snippet: call
                + "    let amount: Int = 3\n"
                + "    _ = try await client.createItem(ItemCreate(name: \"x\", amount: amount))\n}\n"
        ),
        SourceCase(
            rule: "response-format-changed", note: "the old client decodes Int either way",
            snippet: "import FixtureClient\n\nfunc count(_ item: Item) -> Int { item.count }\n"),
    ]

    static let wireCases: [WireCase] = [
        WireCase(rule: "response-required-property-removed", type: "Item", json: #"{"id": "a", "count": 1}"#),
        WireCase(
            rule: "response-optional-property-removed", type: "Item", json: #"{"id": "a", "name": "b", "count": 1}"#),
        WireCase(
            rule: "response-property-added", note: "required: a new initializer argument without a default",
            type: "Item",
            json: #"{"id": "a", "name": "b", "count": 1, "color": "red"}"#),
        WireCase(rule: "response-property-became-optional", type: "Item", json: #"{"id": "a", "count": 1}"#),
        WireCase(
            rule: "response-required-became-nullable", type: "Item", json: #"{"id": "a", "name": null, "count": 1}"#),
        WireCase(
            rule: "response-optional-became-nullable",
            note: "decodeIfPresent reads null as absent; oasdiff calls this an error",
            type: "Item", json: #"{"id": "a", "name": "b", "note": null, "count": 1}"#),
        WireCase(
            rule: "response-nullable-became-optional", type: "Item", json: #"{"id": "a", "name": "b", "count": 1}"#),
        WireCase(
            rule: "response-type-changed", note: "date-time → date: the old client's Date cannot decode a day",
            type: "Item",
            json: #"{"id": "a", "name": "b", "count": 1, "note": "2026-12-02"}"#),
        WireCase(rule: "response-type-changed", type: "Item", json: #"{"id": "a", "name": "b", "count": "7"}"#),
        WireCase(
            rule: "response-type-narrowed", type: "Item", json: #"{"id": "a", "name": "b", "count": 1, "weight": 3}"#),
        WireCase(
            rule: "response-enum-value-added", type: "Item",
            json: #"{"id": "a", "name": "b", "count": 1, "kind": "huge"}"#),
        WireCase(
            rule: "response-union-variant-added", type: "Item",
            json: #"{"id": "a", "name": "b", "count": 1, "shape": {"kind": "triangle", "base": 2}}"#),
        WireCase(
            rule: "response-open-union-variant-added", type: "Item",
            json: #"{"id": "a", "name": "b", "count": 1, "tagged": {"kind": "Triangle", "base": 2}}"#),
        WireCase(
            rule: "error-code-added", type: "Problem",
            json: #"{"type": "about:blank", "title": "Closed", "status": 503, "code": "CLOSED"}"#),
        WireCase(
            rule: "response-format-changed", note: "the old client decodes String", type: "Item",
            json: #"{"id": "a", "name": "b", "count": 1, "note": "someone@example.com"}"#),
    ]

    static func fixture(_ rule: String, _ note: String) throws -> RuleFixture {
        guard let found = ruleFixtures.first(where: { $0.rule == rule && $0.note == note }) else {
            throw FixtureError.unreadable("no fixture \(rule) \(note)")
        }
        return found
    }

    /// The generated package of a spec, written to a fresh folder, as `accord generate --spec … --output …`
    /// writes it.
    static func generate(_ text: String) throws -> String {
        let document = try loadDocument(text, file: "fixture.yaml")
        var configuration = GeneratorConfiguration(specPath: "fixture.yaml", baseName: "Fixture")
        configuration.modelsDirectory = "Sources/FixtureAPI"
        configuration.clientDirectory = "Sources/FixtureClient"
        configuration.serverDirectory = "Sources/FixtureServer"
        configuration.replayDirectory = "Sources/FixtureClientReplay"
        let (files, _) = Generator.generate(document, configuration: configuration)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("accord-diff-\(UUID().uuidString)")
            .path
        for file in files {
            let path = root + "/" + file.path
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try file.contents.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test(
        """
        source verdicts: app code compiles against the base and, against the revision, \
        exactly when the verdict is safe
        """,
        arguments: sourceCases)
    func source(_ check: SourceCase) throws {
        let fixture = try Self.fixture(check.rule, check.note)
        let baseText = try fixtureSpec(.v31, edits: fixture.base)
        let revisionText = try fixtureSpec(.v31, edits: fixture.base + fixture.revision)
        let verdict = try diff(baseText, revisionText).first { $0.rule == check.rule }?.source
        #expect(verdict == fixture.source)

        let base = try Self.generate(baseText), revision = try Self.generate(revisionText)
        defer {
            try? FileManager.default.removeItem(atPath: base)
            try? FileManager.default.removeItem(atPath: revision)
        }
        let before = try SwiftTypecheck.check(packageRoot: base, name: "Fixture", snippet: check.snippet)
        #expect(before.compiles, "the snippet must compile against the base:\n\(before.output)")
        let after = try SwiftTypecheck.check(packageRoot: revision, name: "Fixture", snippet: check.snippet)
        #expect(
            after.compiles == (fixture.source == .safe),
            """
            source verdict \(fixture.source) but the snippet \(after.compiles ? "compiles" : "does not compile"):
            \(after.output)
            """
        )
    }

    @Test(
        "wire verdicts: the base's models decode the revision's response exactly when the verdict is safe",
        arguments: wireCases)
    func wire(_ check: WireCase) throws {
        let fixture = try Self.fixture(check.rule, check.note)
        let baseText = try fixtureSpec(.v31, edits: fixture.base)
        let revisionText = try fixtureSpec(.v31, edits: fixture.base + fixture.revision)
        let verdict = try diff(baseText, revisionText).first { $0.rule == check.rule }?.wire
        #expect(verdict == fixture.wire)

        // The example is valid for the revision: the revision's own models decode it.
        let revision = try Self.generate(revisionText), base = try Self.generate(baseText)
        defer {
            try? FileManager.default.removeItem(atPath: base)
            try? FileManager.default.removeItem(atPath: revision)
        }
        let now = try SwiftTypecheck.decode(packageRoot: revision, name: "Fixture", type: check.type, json: check.json)
        #expect(now.compiles, "the example must decode with the revision's models:\n\(now.output)")
        let old = try SwiftTypecheck.decode(packageRoot: base, name: "Fixture", type: check.type, json: check.json)
        #expect(
            old.compiles == (fixture.wire == .safe),
            """
            wire verdict \(fixture.wire) but the base's models \(old.compiles ? "decode" : "do not decode") it:
            \(old.output)
            """
        )
    }
}
