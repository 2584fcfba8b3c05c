import Foundation

/// A large YAML spec read on every core. Its block mappings (the top level, `paths`,
/// `components`, `schemas`…) are cut at the lines where their entries begin; libyaml reads each
/// piece as a document of its own, and the pieces' trees are joined into the tree the whole file
/// reads as, locations included. Reading was the longest sequential stage of a large spec.
///
/// Only what certainly reads the same is cut: mappings whose every line at the keys' column is a
/// key, in a file with no directives, document markers, tabs in indentation or byte-order mark.
/// Anything else (a piece that does not read, defines an anchor or uses an alias, which may reach
/// across pieces; a key in two pieces) returns nil, and the caller reads the whole file as always:
/// the same tree, or the same diagnostic.
enum YAMLPieces {
    typealias Part = Pieces.Part

    /// The root's tree, or nil when the file must be read whole.
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String, limits: ReadingLimits,
        cores: Int = ProcessInfo.processInfo.activeProcessorCount
    ) -> SpecNode? {
        guard let target = Pieces.target(bytes.count, cores: cores), let lines = Lines(bytes) else { return nil }
        guard let parts = Planner(lines: lines, target: target).plan(0..<lines.count, indent: 0, depth: 0),
            Pieces.cuts(parts), parts.allSatisfy({ isPlainTextSkipped($0, bytes) })
        else { return nil }
        return Pieces.read(parts, bytes: bytes, file: file) { slice, unit, file in
            let read = YAMLEventReader.read(
                slice, file: file, limits: limits, lineOffset: unit.firstLine, depthOffset: unit.depth)
            guard case .success(let (root?, usedAnchors)) = read, !usedAnchors, let object = root.object else {
                return nil
            }
            return Pieces.Read(entries: object.entries, start: root.location)
        }
    }

    /// What no piece holds must still be what libyaml accepts and passes over.
    private static func isPlainTextSkipped(_ part: Part, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard case .mapping(_, _, _, _, let skipped, let inner) = part else { return true }
        return isPlainText(bytes[skipped]) && inner.allSatisfy { isPlainTextSkipped($0, bytes) }
    }

    /// No control characters (libyaml refuses them) or DEL. (The line breaks and byte-order mark
    /// of `hasOtherBreaks` are refused for the whole file before planning.)
    static func isPlainText(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        !bytes.contains { byte in byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D || byte == 0x7F }
    }

    /// Each line's start, indentation and what begins it.
    struct Lines {
        enum Kind: UInt8 {
            case blank, comment, other
            /// `key:` followed by a value on the same line.
            case key
            /// `key:` and nothing after it but a comment: the value, if any, is on the lines below.
            case bareKey
            /// `- `: an item of a block sequence (one at its key's column is that key's value).
            case item
            /// `? key` and `: value`: an explicit key (what PyYAML writes for keys over 128 characters).
            case explicitKey, explicitValue
            /// Something on the line, not looked at yet: the planner asks only about the lines at
            /// the column it cuts at (looking at every line took longer than reading a piece).
            case content
        }
        var starts: [Int] = []
        var indents: [Int] = []
        /// `.blank`, `.comment` or `.content`: see `kind(_:)`.
        private var kinds: [Kind] = []
        let bytes: UnsafeBufferPointer<UInt8>

        func hasContent(_ line: Int) -> Bool { kinds[line] == .content }

        func kind(_ line: Int) -> Kind {
            guard kinds[line] == .content else { return kinds[line] }
            let end =
                line + 1 < starts.count ? starts[line + 1] - 1 : bytes.last == 0x0A ? bytes.count - 1 : bytes.count
            return Self.kind(bytes, from: starts[line] + indents[line], to: end)
        }

        var count: Int { starts.count }
        /// Where `line` starts; the end of the file for the line after the last.
        func offset(_ line: Int) -> Int { line < starts.count ? starts[line] : bytes.count }
        func end(_ line: Int) -> Int { offset(line + 1) }

        /// nil for a file the planner leaves whole.
        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            // Lines are counted at newlines: a file with any other line break (or a byte-order
            // mark, which libyaml skips at the start of a piece) is read whole.
            guard !Self.hasOtherBreaks(bytes) else { return nil }
            var starts: [Int] = [], indents: [Int] = [], kinds: [Kind] = []
            starts.reserveCapacity(bytes.count / 24)
            indents.reserveCapacity(bytes.count / 24)
            kinds.reserveCapacity(bytes.count / 24)
            let whole = Pieces.eachLine(bytes) { start, end, position in
                let kind: Kind
                if position == end || (bytes[position] == 0x0D && position + 1 == end) {
                    kind = .blank
                } else if bytes[position] == UInt8(ascii: "#") {
                    kind = .comment
                } else {
                    if position == start, Self.isMarker(bytes, at: start, end: end) { return false }
                    kind = .content
                }
                starts.append(start)
                indents.append(position - start)
                kinds.append(kind)
                return true
            }
            guard whole else { return nil }
            (self.starts, self.indents, self.kinds) = (starts, indents, kinds)
        }

        /// A carriage return not before a newline, NEL (U+0085), LS (U+2028), PS (U+2029) or U+FEFF:
        /// libyaml breaks lines at the first four, and skips the last at the start of a piece.
        static func hasOtherBreaks(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let base = bytes.baseAddress else { return false }
            func found(_ lead: UInt8, _ matches: (Int) -> Bool) -> Bool {
                var start = 0
                while start < bytes.count, let hit = memchr(base + start, Int32(lead), bytes.count - start) {
                    let index = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                    if matches(index) { return true }
                    start = index + 1
                }
                return false
            }
            func byte(_ index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }
            return found(0x0D) { byte($0 + 1) != 0x0A }
                || found(0xC2) { byte($0 + 1) == 0x85 }
                || found(0xE2) { byte($0 + 1) == 0x80 && (byte($0 + 2) == 0xA8 || byte($0 + 2) == 0xA9) }
                || found(0xEF) { byte($0 + 1) == 0xBB && byte($0 + 2) == 0xBF }
        }

        /// `%` directives and `---` / `...` document markers.
        private static func isMarker(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) -> Bool {
            if bytes[start] == UInt8(ascii: "%") { return true }
            guard end - start >= 3 else { return false }
            let first = bytes[start]
            return (first == UInt8(ascii: "-") || first == UInt8(ascii: ".")) && bytes[start + 1] == first
                && bytes[start + 2] == first
        }

        /// A key is a plain, single- or double-quoted scalar on one line followed by `: ` or `:` at the end.
        private static func kind(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Kind {
            var position = start
            let first = bytes[start]
            if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
                position += 1
                while position < end {
                    let byte = bytes[position]
                    if first == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") {
                        position += 2
                        continue
                    }
                    if byte == first {
                        // '' inside a single-quoted scalar is a quote.
                        if first == UInt8(ascii: "'"), position + 1 < end, bytes[position + 1] == first {
                            position += 2
                            continue
                        }
                        break
                    }
                    position += 1
                }
                position += 1
                guard position < end, bytes[position] == UInt8(ascii: ":") else { return .other }
            } else {
                // Indicators that begin something other than a plain key: sequences, explicit keys,
                // flow collections, anchors, aliases, tags, block scalars, reserved characters.
                if first == UInt8(ascii: "-") || first == UInt8(ascii: "?") || first == UInt8(ascii: ":"),
                    start + 1 == end || bytes[start + 1] == 0x20 || bytes[start + 1] == 0x0D
                {
                    return first == UInt8(ascii: "-")
                        ? .item : first == UInt8(ascii: "?") ? .explicitKey : .explicitValue
                }
                if "-?{}[],&*!|>@`#'\"%".utf8.contains(first) { return .other }
                while position < end {
                    let byte = bytes[position]
                    if byte == UInt8(ascii: ":"),
                        position + 1 == end || bytes[position + 1] == 0x20 || bytes[position + 1] == 0x0D
                    {
                        break
                    }
                    if byte == UInt8(ascii: "#"), bytes[position - 1] == 0x20 { return .other }
                    position += 1
                }
                guard position < end else { return .other }
            }
            // After the colon: nothing, or only a comment, makes a bare key.
            var rest = position + 1
            while rest < end, bytes[rest] == 0x20 || bytes[rest] == 0x0D { rest += 1 }
            return rest == end || bytes[rest] == UInt8(ascii: "#") ? .bareKey : .key
        }

        /// The key of a bare key line at `line` when it is a simple plain word (what the planner
        /// descends into: `paths`, `components`, `schemas`).
        func simpleKey(_ line: Int) -> String? {
            let start = starts[line] + indents[line]
            // The first colon, and it must end the key (`components:v0:` is one key).
            guard let colon = bytes[start..<end(line)].firstIndex(of: UInt8(ascii: ":")), colon > start,
                colon + 1 == bytes.count || [0x20, 0x0D, 0x0A].contains(bytes[colon + 1])
            else { return nil }
            let key = bytes[start..<colon]
            guard key.allSatisfy(\.isASCIIWordByte) else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: key), as: UTF8.self)
        }
    }

    struct Planner {
        let lines: Lines
        /// The size pieces are cut to, in bytes.
        let target: Int

        /// The parts of the block mapping on `range` whose keys sit at column `indent`, `depth`
        /// mappings deep; nil when it cannot be cut.
        func plan(_ range: Range<Int>, indent: Int, depth: Int) -> [Part]? {
            var entryLines: [Int] = []
            // Items at the keys' column are the value of the bare key above them (an indentless sequence).
            var inIndentlessSequence = false
            var previous: Int?  // the line before with something on it
            for line in range where lines.hasContent(line) {
                defer { previous = line }
                let lineIndent = lines.indents[line]
                // (Anything before the first key would be left out of every piece.)
                if lineIndent < indent || entryLines.isEmpty && lineIndent != indent { return nil }
                guard lineIndent == indent else { continue }
                switch lines.kind(line) {
                case .key, .bareKey, .explicitKey:
                    entryLines.append(line)
                    inIndentlessSequence = false
                case .explicitValue:
                    // The value of the explicit key above, on its own line.
                    guard let entry = entryLines.last, lines.kind(entry) == .explicitKey, !inIndentlessSequence else {
                        return nil
                    }
                case .item:
                    let afterBareKey = previous.map { lines.indents[$0] == indent && lines.kind($0) == .bareKey }
                    guard inIndentlessSequence || afterBareKey == true else { return nil }
                    inIndentlessSequence = true
                default: return nil
                }
            }
            guard !entryLines.isEmpty else { return nil }
            // A piece must not end with an empty value: libyaml places the null at the token after
            // it, which a piece does not have. Explicit keys are never the last of a piece either.
            func endsEmpty(_ index: Int) -> Bool {
                let line = entryLines[index]
                switch lines.kind(line) {
                case .explicitKey: return true
                case .bareKey:
                    let next = index + 1 < entryLines.count ? entryLines[index + 1] : range.upperBound
                    return !(line + 1..<next).contains(where: lines.hasContent)
                default: return false
                }
            }
            let endsFile = range.upperBound == lines.count
            if !endsFile, endsEmpty(entryLines.count - 1) { return nil }
            var parts: [Part] = []
            var run: Range<Int>?  // lines of entries not yet given to a part
            func flush(last: Bool = false) {
                guard let lineRange = run else { return }
                let bytes = lines.offset(lineRange.lowerBound)..<lines.offset(lineRange.upperBound)
                parts.append(
                    .entries(Pieces.Unit(bytes: bytes, firstLine: lineRange.lowerBound, depth: depth, last: last)))
                run = nil
            }
            for (index, line) in entryLines.enumerated() {
                // The first entry takes the comments before it; each takes those after it.
                let first = index == 0 ? range.lowerBound : line
                let last = index + 1 < entryLines.count ? entryLines[index + 1] : range.upperBound
                if lines.offset(last) - lines.offset(first) > target, index == 0 || !endsEmpty(index - 1),
                    let inner = descend(line, until: last, from: first, depth: depth)
                {
                    flush()
                    parts.append(inner)
                    continue
                }
                run = (run?.lowerBound ?? first)..<last
                if let lineRange = run, !endsEmpty(index),
                    lines.offset(lineRange.upperBound) - lines.offset(lineRange.lowerBound) >= target
                {
                    flush()
                }
            }
            flush(last: true)
            return parts
        }

        /// The entry on `line` as a mapping cut in turn, when its value is a block mapping below a bare key.
        /// (`from`: the first line the entry takes, comments before it included.)
        private func descend(_ line: Int, until end: Int, from: Int, depth: Int) -> Part? {
            guard lines.kind(line) == .bareKey, let key = lines.simpleKey(line) else { return nil }
            guard
                let child = (line + 1..<end).first(where: lines.hasContent),
                lines.indents[child] > lines.indents[line],
                [.key, .bareKey, .explicitKey].contains(lines.kind(child)),
                let parts = plan(child..<end, indent: lines.indents[child], depth: depth + 1)
            else { return nil }
            let skipped = lines.offset(from)..<lines.offset(child)
            return .mapping(
                key: key, line: line, column: lines.indents[line], value: nil, skipped: skipped, parts: parts)
        }
    }
}
