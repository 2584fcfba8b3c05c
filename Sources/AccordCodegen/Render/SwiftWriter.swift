/// Writes Swift source for the renderers: each line at the current depth, scopes that indent
/// their body and close themselves, doc comments and argument lists that wrap at 120 columns.
/// Renderers say what to write; where it goes on the line is decided here, once.
struct SwiftWriter {
    /// No generated line is longer (an identifier or literal longer than this cannot be helped).
    static let width = 120
    static let unit = "    "

    /// What has been written so far.
    private(set) var text = ""
    /// The current indentation.
    private(set) var indent = ""
    /// Doc comments already wrapped, by depth and description: large specs repeat descriptions
    /// ("Unique identifier for the object.") thousands of times.
    private var wrappedDocs: [DocKey: String] = [:]

    private struct DocKey: Hashable {
        var depth: Int
        var description: String
    }

    init(reservingCapacity capacity: Int = 4096) {
        text.reserveCapacity(capacity)
    }

    /// Columns left on a line at the current depth.
    var room: Int { Self.width - indent.utf8.count }

    /// One line at the current depth; an empty string writes an empty line.
    mutating func line(_ content: String) {
        if !content.isEmpty {
            text += indent
            text += content
        }
        text += "\n"
    }

    /// An empty line.
    mutating func blank() { text += "\n" }

    /// Every line of a block (a multi-line literal), each at the current depth.
    mutating func lines(_ block: String) {
        for piece in block.split(separator: "\n", omittingEmptySubsequences: false) {
            line(String(piece))
        }
    }

    /// `body` one level deeper.
    mutating func indented(_ body: (inout SwiftWriter) -> Void) {
        let outer = indent
        indent += Self.unit
        body(&self)
        indent = outer
    }

    /// `header {`, the body one level deeper, then `closing`.
    mutating func scope(_ header: String, closing: String = "}", _ body: (inout SwiftWriter) -> Void) {
        line(header + " {")
        indented(body)
        line(closing)
    }

    /// `switch subject {`, the cases at the switch's own depth (Swift's usual style), then `}`.
    mutating func switchScope(_ subject: String, _ cases: (inout SwiftWriter) -> Void) {
        line("switch " + subject + " {")
        cases(&self)
        line("}")
    }

    /// A declaration whose parameters wrap: `open` + parameters + `close` (such as `public init(`,
    /// `) {`) on one line when it fits, else the parameters on their own lines below `open`,
    /// as many to a line as fit, and `close` on a line of its own.
    mutating func list(_ open: String, _ items: [String], _ close: String) {
        let single = open + items.joined(separator: ", ") + close
        if single.columns <= room {
            line(single)
            return
        }
        line(open)
        indented { $0.packed(items) }
        line(close)
    }

    /// A scope opened by a declaration whose parameters wrap (see `list`): `close` is the rest of the
    /// header after the parameters, such as `) async throws -> Todo`.
    mutating func scope(_ open: String, _ items: [String], _ close: String, _ body: (inout SwiftWriter) -> Void) {
        list(open, items, close + " {")
        indented(body)
        line("}")
    }

    /// A call whose arguments wrap: on one line when it fits, else the arguments packed on the lines
    /// below and the closing parenthesis after the last (`core = ClientCore(` … `appVersion: v)`).
    mutating func call(_ open: String, _ items: [String], _ close: String = ")") {
        let single = open + items.joined(separator: ", ") + close
        if single.columns <= room {
            line(single)
            return
        }
        line(open)
        indented { writer in
            var packed = items
            if let last = packed.popLast() { packed.append(last + close) }
            writer.packed(packed)
        }
    }

    /// `case a, b: body` on one line when it fits, else the body on the line below (and the
    /// patterns packed when they alone do not fit). `below`, when given, writes the body there
    /// instead (such as a call whose arguments wrap).
    mutating func caseLine(_ patterns: [String], _ body: String, below: ((inout SwiftWriter) -> Void)? = nil) {
        let head = "case " + patterns.joined(separator: ", ") + ":"
        if head.columns + 1 + body.columns <= room {
            line(head + " " + body)
            return
        }
        if head.columns <= room {
            line(head)
        } else {
            // `case "a", "b",` then the other patterns packed one level deeper.
            var first = "case "
            var rest = patterns[...]
            while let pattern = rest.first, first.columns + pattern.columns + 1 <= room || first == "case " {
                first += pattern + (rest.count == 1 ? ":" : ", ")
                rest = rest.dropFirst()
            }
            line(first.trimmingTrailingSpaces())
            if !rest.isEmpty {
                indented { w in
                    var last = Array(rest)
                    last[last.count - 1] += ":"
                    w.packed(last)
                }
            }
        }
        indented { w in
            if let below { below(&w) } else { w.line(body) }
        }
    }

    /// `header { statement }` on one line when it fits, else a scope around the statement.
    mutating func compactScope(_ header: String, _ statement: String) {
        let single = header + " { " + statement + " }"
        if single.columns <= room {
            line(single)
        } else {
            scope(header) { $0.line(statement) }
        }
    }

    /// Comma-separated items on as few lines as fit.
    mutating func packed(_ items: [String]) {
        var current = ""
        for (index, item) in items.enumerated() {
            let piece = index == items.count - 1 ? item : item + ","
            if !current.isEmpty, current.columns + 1 + piece.columns > room {
                line(current)
                current = piece
            } else {
                current += current.isEmpty ? piece : " " + piece
            }
        }
        if !current.isEmpty { line(current) }
    }

    /// `///` lines from a spec description (whole paragraphs, wrapped); nothing for nil or blank.
    mutating func doc(_ description: String?) {
        guard let description else { return }
        let key = DocKey(depth: indent.count, description: description)
        if let wrapped = wrappedDocs[key] {
            text += wrapped
            return
        }
        let wrapped = Text.doc(description, indent: indent)
        wrappedDocs[key] = wrapped
        text += wrapped
    }

    /// A `//` comment, wrapped.
    mutating func comment(_ content: String) {
        for piece in Text.wrapped(content, width: room - 3) { line("// " + piece) }
    }

    /// Appends what another writer wrote, at this writer's depth.
    mutating func append(_ other: SwiftWriter) {
        if indent.isEmpty {
            text += other.text
        } else {
            lines(String(other.text.dropLast()))
        }
    }
}

extension StringProtocol {
    /// The columns the text takes: its characters, counted over the bytes when all are ASCII (as
    /// generated code nearly always is: counting characters applies Unicode's grapheme rules to every
    /// byte, and widths are measured for every line written).
    var columns: Int {
        let ascii = utf8.withContiguousStorageIfAvailable { $0.allSatisfy { $0 < 0x80 } ? $0.count : nil }
        return (ascii ?? nil) ?? count
    }
}
