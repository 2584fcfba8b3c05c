import Testing

@testable import AccordCodegen

/// Expressions the writer breaks at their commas: rules and calls in the server stubs.
@Suite struct SwiftExprTests {
    static let rule = SwiftExpr.call(
        ".object(",
        [
            .array(
                [
                    .call(
                        "(\"title\", ",
                        [.call(".string(StringRule(", [.atom("minLength: 1"), .atom("maxLength: 200")], "))")]),
                    .call("(\"notes\", ", [.call(".nullable(", [.call(".string(StringRule(", [], "))")])]),
                ], label: "properties: "),
            .array([.atom("\"title\"")], label: "required: "),
        ])

    @Test func codeIsTheExpressionOnOneLineAndWidthItsLength() {
        let code =
            #".object(properties: [("title", .string(StringRule(minLength: 1, maxLength: 200))), "#
            + #"("notes", .nullable(.string(StringRule())))], required: ["title"])"#
        #expect(Self.rule.code == code)
        #expect(Self.rule.width == code.count)
        #expect(SwiftExpr.array([]).code == "[]")
        #expect(SwiftExpr.atom("x").prefixed("rule: ").code == "rule: x")
    }

    @Test func anExpressionThatFitsStaysOnOneLine() {
        var writer = SwiftWriter()
        writer.expression("static let a: SchemaRule = ", .call(".array(", [.atom(".any"), .atom("minItems: 1")]))
        #expect(writer.text == "static let a: SchemaRule = .array(.any, minItems: 1)\n")
    }

    @Test func aLongExpressionBreaksCallsPackedAndArraysOneItemALine() {
        var writer = SwiftWriter()
        writer.indented { $0.expression("static let todoCreateWithAVeryLongName: SchemaRule = ", Self.rule) }
        #expect(
            writer.text == """
                    static let todoCreateWithAVeryLongName: SchemaRule = .object(
                        properties: [
                            ("title", .string(StringRule(minLength: 1, maxLength: 200))),
                            ("notes", .nullable(.string(StringRule()))),
                        ],
                        required: ["title"])

                """)
    }

    @Test func aLoneArgumentThatBreaksStaysOnTheOpeningLine() {
        var writer = SwiftWriter()
        let values = (1...30).map { SwiftExpr.atom("\"value\($0)\"") }
        writer.expression(
            "let a = ", .call(".nullable(", [.call(".string(StringRule(", [.array(values, label: "values: ")], "))")]))
        let lines = writer.text.split(separator: "\n")
        #expect(lines.first == "let a = .nullable(.string(StringRule(values: [")
        #expect(lines.last == "])))")
        #expect(lines.allSatisfy { $0.count <= SwiftWriter.width })
        #expect(lines.dropFirst().dropLast().allSatisfy { $0.hasPrefix("    \"value") && $0.hasSuffix(",") })
    }

    @Test func callArgumentsPackAndOneTooLongBreaksOnItsOwn() {
        var writer = SwiftWriter()
        let long = SwiftExpr.call("Input(", (1...12).map { .atom("field\($0): value\($0)") })
        writer.expression("let output = ", .call("try await self.run(", [long, .atom("request: info")]), " else {")
        let lines = writer.text.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[0] == "let output = try await self.run(")
        #expect(lines[1] == "    Input(")
        #expect(lines[2].hasPrefix("        field1: value1, field2: value2,") && lines[2].hasSuffix("field7: value7,"))
        #expect(
            lines[3] == "        field8: value8, field9: value9, field10: value10, field11: value11, "
                + "field12: value12),")
        #expect(lines[4] == "    request: info) else {")
    }

    @Test func anAtomTooLongForAnyLineIsWrittenAsItIs() {
        var writer = SwiftWriter()
        let atom = String(repeating: "x", count: 130)
        writer.expression("", .call("f(", [.atom(atom)]))
        #expect(writer.text == "f(\n    \(atom))\n")
    }
}
