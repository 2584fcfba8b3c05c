/// A Swift expression kept as a tree, so that the writer can break it at its commas when it does
/// not fit on a line (`SwiftWriter.expression`); `code` is the expression on one line.
indirect enum SwiftExpr: Sendable, Hashable {
    /// Written as it is: `.any`, `5`, `"title"`, `minLength: 1`.
    case atom(String)
    /// `open`, the items separated by commas, `close`: a call or a tuple (`.string(StringRule(` …
    /// `))`), or an array literal (`isCollection`: broken one item a line, with a trailing comma).
    case group(open: String, items: [SwiftExpr], close: String, isCollection: Bool)

    static func call(_ open: String, _ items: [SwiftExpr], _ close: String = ")") -> SwiftExpr {
        .group(open: open, items: items, close: close, isCollection: false)
    }

    /// An array literal, after `label` (such as `values: `).
    static func array(_ items: [SwiftExpr], label: String = "") -> SwiftExpr {
        .group(open: label + "[", items: items, close: "]", isCollection: true)
    }

    /// The expression after `prefix` (an argument label, `rule: `).
    func prefixed(_ prefix: String) -> SwiftExpr {
        switch self {
        case .atom(let text): .atom(prefix + text)
        case .group(let open, let items, let close, let isCollection):
            .group(open: prefix + open, items: items, close: close, isCollection: isCollection)
        }
    }

    var isAtom: Bool { if case .atom = self { true } else { false } }

    /// The expression on one line.
    var code: String {
        var text = ""
        write(into: &text)
        return text
    }

    /// The length of `code`, without building it.
    var width: Int {
        switch self {
        case .atom(let text): text.columns
        case .group(let open, let items, let close, _):
            open.columns + close.columns + items.reduce(max(0, 2 * (items.count - 1))) { $0 + $1.width }
        }
    }

    private func write(into text: inout String) {
        switch self {
        case .atom(let atom): text += atom
        case .group(let open, let items, let close, _):
            text += open
            for (index, item) in items.enumerated() {
                if index > 0 { text += ", " }
                item.write(into: &text)
            }
            text += close
        }
    }
}
