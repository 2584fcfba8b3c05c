extension SwiftWriter {
    /// `prefix`, an expression and `suffix`, on one line when they fit; else broken at the
    /// expression's commas: a call's arguments packed on the lines below with the closing
    /// parenthesis after the last, an array's items one a line (packed when they are all atoms)
    /// with a trailing comma and the bracket on a line of its own. A lone argument that is itself
    /// broken stays on the opening line (`.nullable(.object(` … `))`).
    mutating func expression(_ prefix: String, _ expr: SwiftExpr, _ suffix: String = "") {
        guard case .group(let open, let items, let close, let isCollection) = expr, !items.isEmpty,
            prefix.columns + expr.width + suffix.columns > room
        else {
            line(prefix + expr.code + suffix)
            return
        }
        if !isCollection, items.count == 1, !items[0].isAtom {
            expression(prefix + open, items[0], close + suffix)
            return
        }
        line(prefix + open)
        indented { writer in
            if isCollection {
                if items.allSatisfy(\.isAtom) {
                    writer.packed(items.indices.map { items[$0].code + ($0 == items.count - 1 ? "," : "") })
                } else {
                    for item in items { writer.expression("", item, ",") }
                }
            } else {
                writer.arguments(items, last: close + suffix)
            }
        }
        if isCollection { line(close + suffix) }
    }

    /// Call arguments as many to a line as fit; one too long for a line of its own is broken.
    private mutating func arguments(_ items: [SwiftExpr], last: String) {
        var current = ""
        for (index, item) in items.enumerated() {
            let separator = index == items.count - 1 ? last : ","
            guard item.width + separator.columns <= room else {
                if !current.isEmpty { line(current) }
                current = ""
                expression("", item, separator)
                continue
            }
            let piece = item.code + separator
            if !current.isEmpty, current.columns + 1 + piece.columns > room {
                line(current)
                current = piece
            } else {
                current += current.isEmpty ? piece : " " + piece
            }
        }
        if !current.isEmpty { line(current) }
    }
}
