import Foundation

/// A large JSON spec read on every core, as `YAMLPieces` does for YAML: a pretty-printed object's
/// members are cut at the lines where they begin (descending into `paths`, `components`,
/// `schemas`…), `JSONReader` reads the runs of members side by side, and they are joined into the
/// tree the whole file reads as. JSON strings hold no line breaks, so a line that begins with a
/// quote at the members' column begins a member, or else a piece does not read and the whole file
/// is read as always (nil here).
enum JSONPieces {
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String, limits: ReadingLimits,
        cores: Int = ProcessInfo.processInfo.activeProcessorCount
    ) -> SpecNode? {
        guard let target = Pieces.target(bytes.count, cores: cores), let lines = Lines(bytes),
            let open = (0..<lines.count).first(where: lines.hasContent),
            let close = (0..<lines.count).last(where: lines.hasContent),
            lines.isExactly(open, indent: 0, "{"), lines.isExactly(close, indent: 0, "}")
        else { return nil }
        let planner = Planner(lines: lines, target: target, maxDepth: limits.maxDepth)
        guard let parts = planner.members(open + 1..<close, depth: 1), Pieces.cuts(parts) else { return nil }
        let root = SourceLocation(file: file, line: open + 1, column: 1)
        return Pieces.read(parts, bytes: bytes, file: file, rootStart: root) { slice, unit, file in
            guard
                let entries = try? JSONReader.members(
                    slice, file: file, limits: limits, lineOffset: unit.firstLine, depth: unit.depth,
                    endsWithComma: !unit.last),
                let first = entries.first
            else { return nil }
            return Pieces.Read(entries: entries, start: first.keyLocation)
        }
    }

    /// Each line's start, indentation, and first and last byte that is not blank.
    struct Lines {
        var starts: [Int] = []
        var indents: [Int] = []
        /// -1 for a blank line.
        var firsts: [Int] = []
        var lasts: [Int] = []
        let bytes: UnsafeBufferPointer<UInt8>

        var count: Int { starts.count }
        func offset(_ line: Int) -> Int { line < starts.count ? starts[line] : bytes.count }
        func hasContent(_ line: Int) -> Bool { firsts[line] >= 0 }

        /// nil for text the planner leaves whole (a byte-order mark, tabs in indentation).
        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            guard bytes.first != 0xEF else { return nil }
            var starts: [Int] = [], indents: [Int] = [], firsts: [Int] = [], lasts: [Int] = []
            let whole = Pieces.eachLine(bytes) { start, end, first in
                var last = end - 1
                while last >= first, [0x20, 0x09, 0x0D].contains(bytes[last]) { last -= 1 }
                starts.append(start)
                indents.append(first - start)
                firsts.append(last >= first ? first : -1)
                lasts.append(last >= first ? last : -1)
                return true
            }
            guard whole else { return nil }
            (self.starts, self.indents, self.firsts, self.lasts) = (starts, indents, firsts, lasts)
        }

        /// Whether `line` holds exactly `text` at `indent` (trailing blanks aside).
        func isExactly(_ line: Int, indent: Int, _ text: String) -> Bool {
            hasContent(line) && indents[line] == indent && bytes[firsts[line]...lasts[line]].elementsEqual(text.utf8)
        }

        func endsWithComma(_ line: Int) -> Bool { hasContent(line) && bytes[lasts[line]] == UInt8(ascii: ",") }

        /// `"key": {` with a key of letters, digits and `_`: its key and the column of its brace.
        func openingMember(_ line: Int) -> (key: String, brace: Int)? {
            guard hasContent(line), bytes[firsts[line]] == UInt8(ascii: "\""), bytes[lasts[line]] == UInt8(ascii: "{")
            else { return nil }
            var position = firsts[line] + 1
            while position < lasts[line], bytes[position].isASCIIWordByte { position += 1 }
            let key = firsts[line] + 1..<position
            guard !key.isEmpty, bytes[position] == UInt8(ascii: "\""), bytes[position + 1] == UInt8(ascii: ":") else {
                return nil
            }
            var brace = position + 2
            while bytes[brace] == 0x20 { brace += 1 }
            guard brace == lasts[line] else { return nil }
            return (String(decoding: UnsafeBufferPointer(rebasing: bytes[key]), as: UTF8.self), brace - starts[line])
        }
    }

    struct Planner {
        let lines: Lines
        let target: Int
        /// `ReadingLimits.maxDepth`: an object it cuts is not read by JSONReader, which checks it.
        let maxDepth: Int

        /// The parts of the members on `range` (between an object's braces), `depth` objects deep;
        /// nil when they cannot be cut.
        func members(_ range: Range<Int>, depth: Int) -> [Pieces.Part]? {
            guard depth <= maxDepth, let first = range.first(where: lines.hasContent) else { return nil }
            let indent = lines.indents[first]
            var starts: [Int] = []
            for line in range where lines.hasContent(line) {
                if lines.indents[line] < indent { return nil }
                guard lines.indents[line] == indent else { continue }
                switch lines.bytes[lines.firsts[line]] {
                case UInt8(ascii: "\""): starts.append(line)
                case UInt8(ascii: "}"), UInt8(ascii: "]"): continue  // a member's closing brace
                default: return nil
                }
            }
            guard starts.first == first else { return nil }
            var parts: [Pieces.Part] = []
            var run: Range<Int>?
            func flush(last: Bool) {
                guard let lines = run else { return }
                let bytes = self.lines.offset(lines.lowerBound)..<self.lines.offset(lines.upperBound)
                parts.append(.entries(Pieces.Unit(bytes: bytes, firstLine: lines.lowerBound, depth: depth, last: last)))
                run = nil
            }
            for (index, line) in starts.enumerated() {
                let end = index + 1 < starts.count ? starts[index + 1] : range.upperBound
                let isLast = index + 1 == starts.count
                // A cut falls after the comma that ends a member.
                guard let closing = (line..<end).last(where: lines.hasContent), isLast || lines.endsWithComma(closing)
                else { return nil }
                if lines.offset(end) - lines.offset(line) > target,
                    let inner = descend(line, closing: closing, isLast: isLast, depth: depth)
                {
                    flush(last: false)
                    parts.append(inner)
                    continue
                }
                run = (run?.lowerBound ?? line)..<end
                if !isLast, let lines = run,
                    self.lines.offset(lines.upperBound) - self.lines.offset(lines.lowerBound) >= target
                {
                    flush(last: false)
                }
            }
            flush(last: true)
            return parts
        }

        /// The member on `line` as an object cut in turn: `"key": {` … `}` (or `},`) at its column.
        private func descend(_ line: Int, closing: Int, isLast: Bool, depth: Int) -> Pieces.Part? {
            let indent = lines.indents[line]
            guard let (key, brace) = lines.openingMember(line),
                lines.isExactly(closing, indent: indent, isLast ? "}" : "},"),
                let inner = members(line + 1..<closing, depth: depth + 1)
            else { return nil }
            let skipped = lines.offset(line)..<lines.offset(line + 1)
            return .mapping(
                key: key, line: line, column: indent, value: (line, brace), skipped: skipped, parts: inner)
        }
    }
}
