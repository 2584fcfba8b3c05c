import Testing

@testable import AccordCodegen

/// The writer every renderer writes through: depth, scopes, wrapping at 120 columns.
@Suite struct SwiftWriterTests {
    @Test func scopesIndentTheirBodyAndCloseThemselves() {
        var writer = SwiftWriter()
        writer.scope("public struct Loan") { body in
            body.line("public var id: String")
            body.blank()
            body.scope("public init(id: String)") { $0.line("self.id = id") }
        }
        #expect(
            writer.text == """
                public struct Loan {
                    public var id: String

                    public init(id: String) {
                        self.id = id
                    }
                }

                """)
    }

    @Test func aListThatFitsStaysOnOneLine() {
        var writer = SwiftWriter()
        writer.list("public init(", ["id: String", "title: String? = nil"], ") {")
        #expect(writer.text == "public init(id: String, title: String? = nil) {\n")
    }

    @Test func aLongListWrapsPackedUnderItsOpening() {
        var writer = SwiftWriter()
        let items = (1...12).map { "parameterNumber\($0): String" }
        writer.indented { $0.list("public func longOperation(", items, ") async throws") }
        let lines = writer.text.split(separator: "\n")
        #expect(lines.first == "    public func longOperation(")
        #expect(lines.last == "    ) async throws")
        #expect(lines.dropFirst().dropLast().allSatisfy { $0.hasPrefix("        parameterNumber") })
        #expect(lines.allSatisfy { $0.count <= SwiftWriter.width })
        // Nothing lost or reordered by packing.
        let rejoined = lines.dropFirst().dropLast().map { $0.drop { $0 == " " } }.joined(separator: " ")
        #expect(rejoined == items.joined(separator: ", "))
    }

    @Test func aLongCallClosesAfterItsLastArgument() {
        var writer = SwiftWriter()
        let items = (1...10).map { "argumentNumber\($0): value\($0)" }
        writer.call("core = ClientCore(", items)
        let lines = writer.text.split(separator: "\n")
        #expect(lines.first == "core = ClientCore(")
        #expect(lines.last?.hasSuffix("argumentNumber10: value10)") == true)
        #expect(lines.allSatisfy { $0.count <= SwiftWriter.width })
    }

    @Test func docCommentsWrapAtTheCurrentDepth() {
        var writer = SwiftWriter()
        let words = Array(repeating: "word", count: 60).joined(separator: " ")
        writer.indented { $0.indented { $0.doc(words) } }
        let lines = writer.text.split(separator: "\n")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.hasPrefix("        /// word") && $0.count <= SwiftWriter.width })
        writer = SwiftWriter()
        writer.doc(nil)
        writer.doc("  \n ")
        #expect(writer.text.isEmpty)
    }

    @Test func appendedWritersTakeTheCurrentDepth() {
        var inner = SwiftWriter()
        inner.scope("case .a") { $0.line("return 1") }
        var outer = SwiftWriter()
        outer.indented { $0.append(inner) }
        #expect(outer.text == "    case .a {\n        return 1\n    }\n")
    }

    @Test func aCaseFitsOnOneLineOrPutsItsBodyBelow() {
        var writer = SwiftWriter()
        writer.caseLine(["\"a\"", "\"b\""], "self = .a")
        #expect(writer.text == "case \"a\", \"b\": self = .a\n")
        writer = SwiftWriter()
        let body = "self = ." + String(repeating: "x", count: 110)
        writer.caseLine([".short"], body)
        #expect(writer.text == "case .short:\n    \(body)\n")
        writer = SwiftWriter()
        let patterns = (1...20).map { "\"pattern\($0)\"" }
        writer.caseLine(patterns, "self = .many")
        let lines = writer.text.split(separator: "\n")
        #expect(lines.first?.hasPrefix("case \"pattern1\", ") == true)
        #expect(lines.dropLast().last?.hasSuffix("\"pattern20\":") == true)
        #expect(lines.last == "    self = .many")
        #expect(lines.allSatisfy { $0.count <= SwiftWriter.width })
        writer = SwiftWriter()
        writer.caseLine([".long"], body) { $0.call("self = .long(", ["argument"]) }
        #expect(writer.text == "case .long:\n    self = .long(argument)\n")
    }

    @Test func aCompactScopeStaysOnOneLineWhenItFits() {
        var writer = SwiftWriter()
        writer.compactScope("for x in xs", "use(x)")
        #expect(writer.text == "for x in xs { use(x) }\n")
        writer = SwiftWriter()
        let statement = "use(" + String(repeating: "x", count: 110) + ")"
        writer.compactScope("for x in xs", statement)
        #expect(writer.text == "for x in xs {\n    \(statement)\n}\n")
    }

    @Test func switchCasesStayAtTheSwitchsDepth() {
        var writer = SwiftWriter()
        writer.indented { $0.switchScope("self") { $0.caseLine([".a"], "1") } }
        #expect(writer.text == "    switch self {\n    case .a: 1\n    }\n")
    }
}
