import AccordSpec
import Foundation
import Testing

/// The readers under the loader: YAML from libyaml's events, JSON on its own, and the limits
/// that keep a small hostile file from expanding into billions of nodes.
@Suite struct ReadingTests {
    /// Nine levels of nine aliases each: 9^9 (387 million) strings once expanded.
    static let aliasBomb = """
        openapi: 3.1.0
        info: {title: bomb, version: '1'}
        paths: {}
        components:
          schemas:
            a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
            f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
            g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
            h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
            i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]

        """

    @Test func anAliasBombIsRefusedAtTheAliasThatCrossesTheBudget() {
        do {
            _ = try documents(["/spec/api.yaml": Self.aliasBomb])
            Issue.record("expected a diagnostic")
        } catch {
            #expect(error.severity == .error)
            #expect(error.message.contains("YAML alias '*f' expands the document past 1000000 nodes"), "\(error)")
            // g's row is the first whose aliases add more than the budget: 9 × 9^5 on top of what came before.
            #expect(error.location == SourceLocation(file: "/spec/api.yaml", line: 12, column: 12))
        }
    }

    @Test func theBudgetIsAdjustable() throws {
        let yaml = "a: &a [1, 2, 3]\nb: [*a, *a]\n"
        let fine = try SpecParser.parse(yaml, file: "f.yaml", limits: ReadingLimits(maxAliasNodes: 8))
        #expect(fine["b"]?.array?.count == 2)
        #expect(throws: Diagnostic.self) {
            try SpecParser.parse(yaml, file: "f.yaml", limits: ReadingLimits(maxAliasNodes: 7))
        }
    }

    @Test func deepNestingIsRefusedInYAMLAndJSON() {
        let depth = 600
        let yaml = "a: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let json = "{\"a\": " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        for (text, file) in [(yaml, "deep.yaml"), (json, "deep.json")] {
            do {
                _ = try SpecParser.parse(text, file: file)
                Issue.record("expected a diagnostic for \(file)")
            } catch {
                #expect(error.message == "the document nests deeper than 512 levels")
                #expect(error.location?.file == file)
                #expect(error.location?.line == 1)
            }
        }
        // An alias that would carry a deep subtree deeper still counts its height.
        let nested =
            "a: &a " + String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
            + "\nb: " + String(repeating: "[", count: 300) + "*a" + String(repeating: "]", count: 300) + "\n"
        do {
            _ = try SpecParser.parse(nested, file: "alias.yaml")
            Issue.record("expected a diagnostic")
        } catch {
            #expect(error.message.contains("YAML alias '*a' nests the document deeper than 512 levels"), "\(error)")
            #expect(error.location?.line == 2)
        }
    }

    @Test func aliasesWithinTheBudgetReadAsTheAnchoredNode() throws {
        let root = try SpecParser.parse(
            """
            shared: &shared {type: string, maxLength: 3}
            use: *shared
            key: &k name
            map: {*k : 1}
            """, file: "f.yaml")
        #expect(root["use"]?["maxLength"]?.int == 3)
        #expect(root["use"]?.location.line == 1)  // where the anchored node is written
        #expect(root["map"]?["name"]?.int == 1)
    }

    @Test func yamlMistakesAreLocatedErrors() {
        let cases: [(String, String, Int)] = [
            ("a: *nowhere\n", "YAML alias '*nowhere' names no anchor defined before it", 1),
            ("base: &b {x: 1}\nother:\n  <<: *b\n", "YAML merge keys (`<<`) are not supported", 3),
            ("a: 1\n---\nb: 2\n", "more than one YAML document", 2),
            ("? [a, b]\n: 1\n", "a mapping key must be a plain string", 1),
            ("a:\n  b: 1\n  c: 2\n  b: 3\n", "duplicate key 'b' (again at line 4, column 3)", 2),
        ]
        for (yaml, message, line) in cases {
            do {
                _ = try SpecParser.parse(yaml, file: "f.yaml")
                Issue.record("expected a diagnostic for \(yaml)")
            } catch {
                #expect(error.message.contains(message), "\(error)")
                #expect(error.location?.line == line, "\(error)")
            }
        }
    }

    @Test func quotedAndTaggedScalarsStayStrings() throws {
        let root = try SpecParser.parse("a: !!str 12\nb: \"12\"\nc: 12\n'200': ok\n200x: ok\n", file: "f.yaml")
        #expect(root["a"]?.string == "12")
        #expect(root["b"]?.string == "12")
        #expect(root["c"]?.int == 12)
        #expect(root.object?.keys == ["a", "b", "c", "200", "200x"])
    }

    @Test func jsonReadsLikeTheSameTextAsYAML() throws {
        let json = """
            {
              "a": [1, -2.5e3, 1E2, true, false, null, "x\\u00e9\\ud83d\\ude00\\n\\"q\\""],
              "é": {"k": {}},
              "big": 9223372036854775808,
              "list": []
            }
            """
        let root = try SpecParser.parse(json, file: "f.json")
        let items = try #require(root["a"]?.array)
        #expect(items[0].int == 1)
        #expect(items[1].double == -2500)
        #expect(items[2].double == 100)
        #expect(items[3].bool == true && items[4].bool == false && items[5].isNull)
        #expect(items[6].string == "xé😀\n\"q\"")
        #expect(items[6].location == SourceLocation(file: "f.json", line: 2, column: 44))
        // Columns count characters, as libyaml's do: 'é' is two bytes and one column.
        #expect(root["é"]?["k"]?.location == SourceLocation(file: "f.json", line: 3, column: 14))
        #expect(root.object?.keyLocation("é") == SourceLocation(file: "f.json", line: 3, column: 3))
        #expect(root["big"]?.double == 9223372036854775808)
        #expect(root["list"]?.array?.isEmpty == true)
        do {
            _ = try SpecParser.parse("{\"a\": 1, \"a\": 2}", file: "f.json")
            Issue.record("expected a duplicate key")
        } catch {
            #expect(error.message.hasPrefix("duplicate key 'a'"))
            #expect(error.location == SourceLocation(file: "f.json", line: 1, column: 2))
        }
    }

    @Test func textThatIsNotStrictJSONIsReadAsYAML() throws {
        // Flow-style YAML, a comment, a trailing comma: not JSON, fine YAML.
        let root = try SpecParser.parse("{openapi: 3.1.0, tags: [a, b,]} # flow style\n", file: "f.yaml")
        #expect(root["openapi"]?.string == "3.1.0")
        #expect(root["tags"]?.array?.count == 2)
        // Broken JSON still gets the YAML reader's located error.
        do {
            _ = try SpecParser.parse("{\n  \"a\": [1, 2\n}\n", file: "f.json")
            Issue.record("expected a diagnostic")
        } catch {
            #expect(error.message.hasPrefix("malformed YAML"))
            #expect(error.location?.line == 3)
        }
    }
}

/// The alias bomb through the command a user runs: `accord lint` and `accord generate` both end
/// with the located error (they used to run for minutes, or abort).
@Suite("alias bomb through the accord command", .serialized)
struct AliasBombCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func run(_ arguments: [String]) throws -> (status: Int32, err: String) {
        let accord = Self.repository.appendingPathComponent(".build/debug/accord").path
        try #require(FileManager.default.isExecutableFile(atPath: accord), "build the accord product first")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: accord)
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func lintAndGenerateEndWithTheLocatedError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("accord-bomb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("bomb.yaml").path
        try ReadingTests.aliasBomb.write(toFile: spec, atomically: true, encoding: .utf8)
        let expected = "\(spec):12:12: error: YAML alias '*f' expands the document past 1000000 nodes"
        let lint = try run(["lint", spec])
        #expect(lint.status == 1)
        #expect(lint.err.contains(expected), "\(lint.err)")
        let generate = try run([
            "generate", "--spec", spec, "--output", dir.appendingPathComponent("out").path,
            "--name", "Bomb",
        ])
        #expect(generate.status == 1)
        #expect(generate.err.contains(expected), "\(generate.err)")
        // A module name that is not a Swift identifier is refused before the spec is read.
        for bad in ["9Bomb", "Bomb-Shelter", "Bömb", ""] {
            let refused = try run(["generate", "--spec", spec, "--output", dir.path + "/bad", "--name", bad])
            #expect(refused.status != 0)
            #expect(refused.err.contains("--name must be a Swift identifier"), "\(bad): \(refused.err)")
        }
    }
}
