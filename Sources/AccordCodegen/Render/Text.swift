import AccordSpec
import Foundation

/// Text helpers for rendering.
enum Text {
    /// A Swift string literal.
    static func literal(_ s: String) -> String {
        // Most strings need no escape at all: one pass over the bytes says so.
        if !s.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 == 0x7F }) { return "\"" + s + "\"" }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20 || c.value == 0x7F: out += "\\u{\(String(c.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `///` doc comment lines from a spec description, indented.
    static func doc(_ text: String?, indent: String) -> String {
        guard let text else { return "" }
        // Descriptions are long and many: ASCII text without carriage returns is done over bytes.
        return asciiDoc(text, indent: indent) ?? characterDoc(text, indent: indent)
    }

    /// `doc` over characters, for any text.
    static func characterDoc(_ text: String, indent: String) -> String {
        guard case let text = text.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in
                var line = String(line)
                if line.contains("\t") { line = line.replacingOccurrences(of: "\t", with: "    ") }
                if line.contains("*/") { line = line.replacingOccurrences(of: "*/", with: "* /") }
                if line.allSatisfy(\.isWhitespace) { return "\(indent)///" }
                return wrapped(line.trimmingTrailingSpaces(), width: 120 - indent.count - 4)
                    .map { "\(indent)/// \($0)" }.joined(separator: "\n")
            }
            .joined(separator: "\n") + "\n"
    }

    /// Prose and list items wrapped at word boundaries to `width` (a list item's continuation lines
    /// indented under its text); other indented lines (code, tables) stay as they are.
    static func wrapped(_ line: String, width: Int) -> [String] {
        let leadingCount = line.prefix { $0 == " " }.count
        let rest = line.dropFirst(leadingCount)
        let isListItem = rest.hasPrefix("- ")
        guard line.count > width, let first = rest.first, first != "|", leadingCount == 0 || isListItem else {
            return [line]
        }
        // Lengths are counted as words are added: `String.count` walks the whole string each time.
        let continuation = String(repeating: " ", count: leadingCount) + (isListItem ? "  " : "")
        let continuationCount = leadingCount + (isListItem ? 2 : 0)
        var lines: [String] = []
        var current = String(repeating: " ", count: leadingCount)
        var currentCount = leadingCount
        for word in rest.split(separator: " ") {
            let wordCount = word.count
            if currentCount > continuationCount, currentCount + 1 + wordCount > width {
                lines.append(current)
                current = continuation + word
                currentCount = continuationCount + wordCount
            } else if currentCount == leadingCount || (currentCount == continuationCount && current == continuation) {
                current += word
                currentCount += wordCount
            } else {
                current += " "
                current += word
                currentCount += 1 + wordCount
            }
        }
        if currentCount > continuationCount { lines.append(current) }
        return lines
    }

    /// `doc` for ASCII text with no `\r` (where bytes and characters are the same thing), over
    /// bytes into one buffer; nil for any other text.
    static func asciiDoc(_ text: String, indent: String) -> String? {
        var text = text
        return text.withUTF8 { bytes -> String? in
            guard bytes.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) else { return nil }
            // Lines longer than this are wrapped (in ASCII, bytes and characters count alike).
            let width = 120 - indent.utf8.count - 4
            guard let first = bytes.firstIndex(where: { !$0.isASCIIWhitespace }),
                let last = bytes.lastIndex(where: { !$0.isASCIIWhitespace })
            else { return "" }
            let slashes = Array(indent.utf8) + Array("///".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16 * (slashes.count + 1))
            var line: [UInt8] = []
            var lineStart = first
            while lineStart <= last + 1 {
                var lineEnd = lineStart
                while lineEnd <= last, bytes[lineEnd] != 0x0A { lineEnd += 1 }
                line.removeAll(keepingCapacity: true)
                var i = lineStart
                while i < lineEnd {
                    let b = bytes[i]
                    if b == 0x09 {
                        for _ in 0..<4 { line.append(0x20) }
                    } else if b == UInt8(ascii: "*"), i + 1 < lineEnd, bytes[i + 1] == UInt8(ascii: "/") {
                        line.append(UInt8(ascii: "*"))
                        line.append(0x20)
                        line.append(UInt8(ascii: "/"))
                        i += 1
                    } else {
                        line.append(b)
                    }
                    i += 1
                }
                if lineStart > first { out.append(0x0A) }
                if line.allSatisfy(\.isASCIIWhitespace) {
                    out.append(contentsOf: slashes)
                } else {
                    while line.last == 0x20 { line.removeLast() }
                    appendWrapped(line, width: width, after: slashes, into: &out)
                }
                lineStart = lineEnd + 1
            }
            out.append(0x0A)
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// `wrapped` over ASCII bytes: each line it makes written after `slashes` and a space, the
    /// lines joined by newlines.
    private static func appendWrapped(_ line: [UInt8], width: Int, after slashes: [UInt8], into out: inout [UInt8]) {
        var leading = 0
        while leading < line.count, line[leading] == 0x20 { leading += 1 }
        let rest = line[leading...]
        let isListItem = rest.starts(with: [UInt8(ascii: "-"), 0x20])
        func write(_ text: some Collection<UInt8>, first: Bool) {
            if !first { out.append(0x0A) }
            out.append(contentsOf: slashes)
            out.append(0x20)
            out.append(contentsOf: text)
        }
        guard line.count > width, let initial = rest.first, initial != UInt8(ascii: "|"), leading == 0 || isListItem
        else {
            write(line, first: true)
            return
        }
        let continuation = leading + (isListItem ? 2 : 0)
        var current = [UInt8](repeating: 0x20, count: leading)
        var wrote = false
        for word in rest.split(separator: 0x20) {
            if current.count > continuation, current.count + 1 + word.count > width {
                write(current, first: !wrote)
                wrote = true
                current = [UInt8](repeating: 0x20, count: continuation)
                current.append(contentsOf: word)
            } else if current.count == leading || (current.count == continuation && current.allSatisfy { $0 == 0x20 }) {
                current.append(contentsOf: word)
            } else {
                current.append(0x20)
                current.append(contentsOf: word)
            }
        }
        if current.count > continuation { write(current, first: !wrote) }
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, without Foundation when both ends are
    /// ASCII (Foundation's took a twentieth of translating a spec with a thousand operations).
    func trimmingWhitespace() -> String {
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !$0.isASCIIWhitespace }) else { return "" }
        let last = bytes.lastIndex(where: { !$0.isASCIIWhitespace })!
        guard bytes[first] < 0x80, bytes[last] < 0x80 else { return trimmingCharacters(in: .whitespacesAndNewlines) }
        if first == bytes.startIndex, last == bytes.index(before: bytes.endIndex) { return self }
        return String(self[first...last])
    }

    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while let last = s.last, last == " " { s = s.dropLast() }
        return String(s)
    }

}
