import Foundation
import Testing

@testable import AccordSpec

/// A large YAML file read in pieces on several cores gives exactly the tree the whole file reads
/// as, locations included; whatever it cannot cut safely it leaves to the whole-file reader.
@Suite struct YAMLPiecesTests {
    static let corpus: String? = {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            repository.appendingPathComponent("../shared/specs-corpus").standardized.path,
            "/work/shared/specs-corpus",
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }()

    /// (whole-file tree, tree read in pieces or nil when the file was left whole)
    func read(_ text: String, file: String = "spec.yaml") -> (whole: Result<SpecNode?, Diagnostic>, pieces: SpecNode?) {
        var text = text
        return text.withUTF8 { bytes in
            (
                YAMLEventReader.read(bytes, file: file, limits: .standard),
                YAMLPieces.read(bytes, file: file, limits: .standard, cores: 2)
            )
        }
    }

    /// Every difference between two trees, by path: value, node location, key and key location.
    func differences(_ a: SpecNode, _ b: SpecNode, path: String = "", into found: inout [String]) {
        if a.location != b.location { found.append("\(path): at \(a.location) and \(b.location)") }
        switch (a.value, b.value) {
        case (.object(let x), .object(let y)):
            guard x.entries.count == y.entries.count else {
                found.append("\(path): \(x.entries.count) and \(y.entries.count) entries")
                return
            }
            for (p, q) in zip(x.entries, y.entries) {
                if p.key != q.key || p.keyLocation != q.keyLocation {
                    found.append("\(path): key \(p.key) at \(p.keyLocation) and \(q.key) at \(q.keyLocation)")
                }
                differences(p.value, q.value, path: path + "/" + p.key, into: &found)
            }
        case (.array(let x), .array(let y)):
            guard x.count == y.count else {
                found.append("\(path): \(x.count) and \(y.count) items")
                return
            }
            for (index, (p, q)) in zip(x, y).enumerated() {
                differences(p, q, path: path + "/\(index)", into: &found)
            }
        default:
            if a.jsonText != b.jsonText { found.append("\(path): \(a.jsonText) and \(b.jsonText)") }
        }
    }

    @Test(
        "the corpus's large YAML specs read the same in pieces",
        arguments: [
            "openai-openapi.3_1-fixed.yaml", "stripe-spec3-2023-09.yaml", "twilio_api_v2010.yaml",
            "twilio_verify_v2.yaml",
        ])
    func corpus(_ name: String) throws {
        let corpus = try #require(Self.corpus, "the corpus is beside the project (../shared/specs-corpus)")
        let text = try String(contentsOfFile: corpus + "/" + name, encoding: .utf8)
        let (whole, pieces) = read(text, file: name)
        let expected = try #require(try whole.get())
        let cut = try #require(pieces, "\(name) was not cut")
        var found: [String] = []
        differences(expected, cut, into: &found)
        #expect(found.isEmpty, "\(found.prefix(5))")
    }

    /// A spec big enough to be cut: `count` paths and schemas, with `extra` lines written where asked.
    static func spec(count: Int = 3000, head: String = "", atPath: Int = -1, pathExtra: String = "") -> String {
        var text = head + "openapi: 3.1.0\ninfo:\n  title: t\n  version: '1'\n# paths follow\npaths:\n"
        for index in 0..<count {
            text += "  \"/items/\(index)\":\n    get:\n      operationId: get\(index)\n"
            text += "      description: 'Gets item \(index): it''s here'\n      responses:\n"
            text +=
                "        '200': {description: ok}   # inline\n      parameters:\n      - name: q\n        in: query\n"
            if index == atPath { text += pathExtra }
            // A long key written explicitly, as PyYAML writes keys over 128 characters.
            if index % 500 == 7 { text += "  ? /explicit/\(index)\n  : get: {operationId: explicit\(index)}\n" }
        }
        text += "components:\n  schemas:\n"
        for index in 0..<count {
            text += "    Item\(index):\n      type: object\n      properties:\n        id: {type: string}\n"
            text += "        note:\n          type: string\n          description: |\n            Line one\n\n"
            text += "            line three\n"
        }
        // An indentless sequence at the keys' column, as Twilio's specs write them.
        return text + "servers:\n- url: https://example.com\n- url: https://example.org\ntags:\n- name: items\n"
    }

    @Test func aSpecWithQuotedKeysCommentsAndBlockScalarsIsCutAndReadsTheSame() throws {
        let text = Self.spec()
        #expect(text.utf8.count > Pieces.minimumSize)
        let (whole, pieces) = read(text)
        let cut = try #require(pieces)
        var found: [String] = []
        differences(try #require(try whole.get()), cut, into: &found)
        #expect(found.isEmpty, "\(found.prefix(5))")
        // And through the parser every reader uses.
        let parsed = try SpecParser.parse(text, file: "spec.yaml")
        found = []
        differences(parsed, cut, into: &found)
        #expect(found.isEmpty)
    }

    @Test func crlfLineEndingsReadTheSame() throws {
        let text = Self.spec().replacingOccurrences(of: "\n", with: "\r\n")
        let (whole, pieces) = read(text)
        let cut = try #require(pieces)
        var found: [String] = []
        differences(try #require(try whole.get()), cut, into: &found)
        #expect(found.isEmpty, "\(found.prefix(5))")
    }

    @Test(
        "what cannot be cut safely is read whole",
        arguments: [
            ("an anchor used across pieces", "", 1, "      x-shared: &shared {a: 1}\n", true),
            ("a document marker", "---\n", -1, "", false),
            ("a directive", "%YAML 1.2\n---\n", -1, "", false),
            ("a byte-order mark", "\u{FEFF}", -1, "", false),
            ("a sequence at the keys' column", "", 5, "  - oops\n", false),
            ("a tab in the indentation", "", 5, "\t  x: 1\n", false),
        ])
    func leftWhole(_ what: String, head: String, atPath: Int, extra: String, alias: Bool) throws {
        var text = Self.spec(head: head, atPath: atPath, pathExtra: extra)
        if alias { text += "    Shared:\n      x-copy: *shared\n" }
        let (_, pieces) = read(text)
        #expect(pieces == nil, "\(what)")
    }

    @Test func aDuplicateKeyAcrossPiecesGetsTheWholeFileDiagnostic() throws {
        // "/items/1" again, far from the first: in another piece.
        let text = Self.spec(atPath: 2900, pathExtra: "  \"/items/1\":\n    get: {operationId: again}\n")
        let (whole, pieces) = read(text)
        #expect(pieces == nil)
        do {
            _ = try SpecParser.parse(text, file: "spec.yaml")
            Issue.record("expected the duplicate key")
        } catch {
            guard case .failure(let expected) = whole else {
                Issue.record("the whole file read")
                return
            }
            #expect(error.description == expected.description)
            #expect(error.message.contains("/items/1"), "\(error)")
        }
    }

    @Test func aQuotedScalarCutAcrossPiecesIsReadWhole() throws {
        // A double-quoted scalar running on to a line that looks like a key at the keys' column.
        let text = Self.spec(
            atPath: 1500, pathExtra: "      x-note: \"starts here\n  \"/looks/like/a/key\": and ends here\"\n")
        let (whole, pieces) = read(text)
        #expect(pieces == nil)
        // The parser gives what the whole file reads as, tree or diagnostic.
        switch (whole, Result { () throws(Diagnostic) in try SpecParser.parse(text, file: "spec.yaml") }) {
        case (.success(let expected?), .success(let parsed)):
            var found: [String] = []
            differences(expected, parsed, into: &found)
            #expect(found.isEmpty)
        case (.failure(let expected), .failure(let error)): #expect(error.description == expected.description)
        default: Issue.record("the parser and the whole-file reader disagree")
        }
    }

    /// What the parser gives for `text` is what the whole file reads as: the same tree, locations
    /// included, or the same diagnostic.
    func expectWholeFileOutcome(_ text: String, _ what: String) throws {
        let (whole, _) = read(text)
        switch (whole, Result { () throws(Diagnostic) in try SpecParser.parse(text, file: "spec.yaml") }) {
        case (.success(let expected?), .success(let parsed)):
            var found: [String] = []
            differences(expected, parsed, into: &found)
            #expect(found.isEmpty, "\(what): \(found.prefix(3))")
        case (.failure(let expected), .failure(let error)):
            #expect(error.description == expected.description, "\(what)")
        default: Issue.record("\(what): the parser and the whole-file reader disagree")
        }
    }

    /// Found by review: each of these once read differently in pieces.
    @Test(
        "cases that once read differently in pieces",
        arguments: [
            // A key whose first colon does not end it, above a mapping.
            ("a colon inside a key", "components:\n  schemas:\n", "components:v0:\n  schemas:\n"),
            // Lines before the first key (a piece would have left them out).
            (
                "text before the first key", "openapi: 3.1.0\ninfo:\n  title: t\n  version: '1'\n# paths follow\n",
                "  junk: 1\n"
            ),
            // A control character in the comment of a key no piece holds.
            ("a control character in a comment", "paths:\n", "paths: # \u{01}\n"),
            ("a form feed in a comment line", "paths:\n", "paths:\n# \u{0C}\n"),
            // Line breaks libyaml counts and a newline count does not.
            ("a line separator", "operationId: get10\n", "operationId: \"get\u{2028}10\"\n"),
            ("a next-line character", "operationId: get10\n", "operationId: \"get\u{85}10\"\n"),
            ("a lone carriage return", "operationId: get10\n", "operationId: \"get\r10\"\n"),
            // A byte-order mark after the start (libyaml skips one at the start of a piece).
            ("a byte-order mark inside", "components:\n", "\u{FEFF}components:\n"),
        ])
    func onceReadDifferently(_ what: String, _ original: String, _ replacement: String) throws {
        let text = Self.spec()
        guard let range = text.range(of: original) else {
            Issue.record("\(what): '\(original)' is not in the spec")
            return
        }
        try expectWholeFileOutcome(text.replacingCharacters(in: range, with: replacement), what)
    }

    @Test(
        "a piece never ends with an empty value (libyaml places the null at the token after it)",
        arguments: ["    Empty:\n", "    ? Empty\n"])
    func emptyValues(_ empty: String) throws {
        // After every schema: wherever a cut falls, it would follow one.
        var text = ""
        for line in Self.spec().split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("    Item") {
                text += empty.replacingOccurrences(of: "Empty", with: "Empty" + line.dropFirst(8).dropLast())
            }
            text += line + "\n"
        }
        try expectWholeFileOutcome(text, "empty values")
        #expect(read(text).pieces != nil, "still cut")
    }
}
