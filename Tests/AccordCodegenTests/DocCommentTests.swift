import Foundation
import Testing

@testable import AccordCodegen

/// Doc comments from spec descriptions: the byte path taken for ASCII text writes exactly what the
/// character path writes.
@Suite struct DocCommentTests {
    /// Descriptions with what the wrapping treats specially: long prose, list items, indented code,
    /// tables, tabs, `*/`, blank and whitespace-only lines, trailing spaces, words longer than a line.
    static let descriptions: [String] = {
        let long = Array(repeating: "word", count: 40).joined(separator: " ")
        let veryLong = String(repeating: "x", count: 150)
        var texts = [
            "Short.", "  padded  \n\n", long, "- \(long)", "  - \(long)", "    \(long)", "| a | b | \(long)",
            "tab\there and */ closing", "line one\n\n   \nline three   ", "\(veryLong) then \(long)",
            "- ", "-\(long)", "  \n\t\n", "a  b   c \(long)", "*/", "ends with a star *", "\(long)\n- \(long)\n  code",
        ]
        // And every mix of two of them, each way round.
        let base = texts
        for a in base { for b in base.prefix(6) { texts.append(a + "\n" + b) } }
        return texts
    }()

    @Test func theByteAndCharacterPathsWriteTheSame() {
        for indent in ["", "    ", String(repeating: " ", count: 40)] {
            for text in Self.descriptions {
                let fast = Text.asciiDoc(text, indent: indent)
                #expect(fast == Text.characterDoc(text, indent: indent), "\(text.debugDescription) at \(indent.count)")
            }
        }
    }

    @Test func longProseAndListItemsWrapUnderTheirText() {
        let long = Array(repeating: "word", count: 40).joined(separator: " ")
        let lines = Text.doc("- " + long, indent: "    ").split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.count <= 120 })
        #expect(lines[1].hasPrefix("    ///   word"))
        // Text that is not ASCII takes the character path, with the same rules.
        #expect(Text.asciiDoc("café " + long, indent: "") == nil)
        #expect(Text.doc("café " + long, indent: "").split(separator: "\n").count == 2)
    }
}

@Suite struct TrimmingTests {
    @Test(arguments: [
        "", "   ", "\n\t x \r\n", "plain", "  two words  ", "\u{00A0}nbsp\u{00A0}", " \u{2028}sep\u{2028} ", "é ",
        " café", "\u{3000}ideographic", "a\nb\n\n",
    ])
    func trimmingWhitespaceIsFoundations(_ text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
