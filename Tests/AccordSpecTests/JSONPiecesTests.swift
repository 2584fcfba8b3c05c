import Foundation
import Testing

@testable import AccordSpec

/// A large JSON spec read in pieces on several cores gives exactly the tree the whole file reads as.
@Suite struct JSONPiecesTests {
    func read(_ text: String, file: String = "spec.json") -> (whole: SpecNode?, pieces: SpecNode?) {
        var text = text
        return text.withUTF8 { bytes in
            (
                try? JSONReader.read(bytes, file: file, limits: .standard),
                JSONPieces.read(bytes, file: file, limits: .standard, cores: 2)
            )
        }
    }

    func expectSame(_ text: String, _ what: String, cut: Bool = true) throws {
        let (whole, pieces) = read(text)
        if cut {
            let pieces = try #require(pieces, "\(what): not cut")
            var found: [String] = []
            YAMLPiecesTests().differences(try #require(whole, "\(what): not JSON"), pieces, into: &found)
            #expect(found.isEmpty, "\(what): \(found.prefix(3))")
        } else {
            #expect(pieces == nil, "\(what): cut")
        }
    }

    @Test func githubsSpecReadsTheSameInPieces() throws {
        let corpus = try #require(YAMLPiecesTests.corpus, "the corpus is beside the project")
        try expectSame(
            try String(contentsOfFile: corpus + "/github-api.github.com-2020-09.json", encoding: .utf8), "GitHub")
    }

    /// A spec big enough to be cut, written as JSON pretty-printers write it.
    static func spec(count: Int = 2500, paths: String = "paths", lastMember: String = "") -> String {
        var text = "{\n  \"openapi\": \"3.1.0\",\n  \"info\": {\"title\": \"t\", \"version\": \"1\"},\n"
        text += "  \"\(paths)\": {\n"
        for index in 0..<count {
            text += "    \"/items/\(index)\": {\n      \"get\": {\n        \"operationId\": \"get\(index)\",\n"
            text += "        \"description\": \"Gets item \(index) \\u00e9\\n \\\"quoted\\\" – ünïcode\",\n"
            text += "        \"tags\": [\n          \"items\",\n          \"more\"\n        ],\n"
            text += "        \"responses\": {\"200\": {\"description\": \"ok\"}}\n      }\n    }"
            text += index + 1 < count ? ",\n" : "\n"
        }
        text += "  },\n  \"components\": {\n    \"schemas\": {\n"
        for index in 0..<count {
            text += "      \"Item\(index)\": {\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"string\"}}}"
            text += index + 1 < count ? ",\n" : "\n"
        }
        text += "    }\n  }\(lastMember)\n}\n"
        return text
    }

    @Test func aPrettyPrintedSpecIsCutAndReadsTheSame() throws {
        try expectSame(Self.spec(), "spec")
        try expectSame(Self.spec().replacingOccurrences(of: "\n", with: "\r\n"), "CRLF")
        // A key that is not a plain word is not descended into, and the rest is still cut.
        try expectSame(Self.spec(paths: "pa-ths"), "a key with a dash")
    }

    @Test(
        "what is not the whole file's tree is not given",
        arguments: [
            ("a key twice across pieces", "  },\n  \"components\"", "  },\n  \"paths\": {},\n  \"components\""),
            ("a trailing comma", "    }\n  }\n}\n", "    }\n  },\n}\n"),
            ("a comment", "  },\n  \"components\"", "  },\n  // a comment\n  \"components\""),
            ("text after the root", "    }\n  }\n}\n", "    }\n  }\n}\n}\n"),
            ("a missing comma", "\"get1\",\n", "\"get1\"\n"),
        ])
    func notCutWhenNotTheSame(_ what: String, _ original: String, _ replacement: String) throws {
        let text = Self.spec()
        let range = try #require(text.range(of: original), "\(what)")
        let changed = text.replacingCharacters(in: range, with: replacement)
        let (whole, pieces) = read(changed)
        #expect(whole == nil, "\(what): the whole file is not strict JSON either")
        #expect(pieces == nil, "\(what)")
    }

    @Test func anObjectDeeperThanTheLimitIsLeftToTheWholeFileReader() throws {
        // Found by review: the objects the pieces are cut from are not read by JSONReader, which
        // checks the depth; with one level allowed, `big` (strings only) is one too deep.
        var text = "{\n  \"big\": {\n"
        for index in 0..<30_000 { text += "    \"k\(index)\": \"v\",\n" }
        text += "    \"last\": \"v\"\n  }\n}\n"
        let limits = ReadingLimits(maxDepth: 1)
        let pieces = text.withUTF8 { JSONPieces.read($0, file: "spec.json", limits: limits, cores: 2) }
        #expect(pieces == nil)
        #expect(throws: Diagnostic.self) { try SpecParser.parse(text, file: "spec.json", limits: limits) }
    }
}
