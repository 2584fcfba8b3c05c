extension Translator {
    /// Large specs repeat one inline enum in many schemas (Stripe's `tax_behavior` in dozens): every
    /// copy after the first, with the same name and the same cases, is declared as a type alias of the
    /// first (`public typealias TaxBehavior = Price.TaxBehavior`). Every name stays; the copies become
    /// one type. Only nested enums are shared (a top-level one cannot be named from inside a type of
    /// the same name), and only where the first one's outermost type is not hidden by a nested type of
    /// that name around the copy.
    static func shareIdenticalEnums(_ types: [TypeDecl]) -> [TypeDecl] {
        struct Shape: Hashable {
            var name: String
            var cases: [EnumCase]
            var isDeprecated: Bool
        }
        var firsts: [Shape: String] = [:]
        /// `path`: the full name of `decl`; `hidden`: nested type names in scope inside it.
        func share(_ decl: inout TypeDecl, path: String, hidden: Set<String>) {
            guard !decl.nested.isEmpty else { return }
            let hidden = hidden.union(decl.nested.map(\.name))
            for index in decl.nested.indices {
                let nested = decl.nested[index]
                let full = path + "." + nested.name
                guard case .openEnum(let cases) = nested.kind else {
                    share(&decl.nested[index], path: full, hidden: hidden)
                    continue
                }
                let shape = Shape(name: nested.name, cases: cases, isDeprecated: nested.isDeprecated)
                guard let first = firsts[shape] else {
                    firsts[shape] = full
                    continue
                }
                let firstRoot = first.prefix { $0 != "." }
                if !hidden.contains(String(firstRoot)) {
                    decl.nested[index].sameAs = first
                    // The property that holds it says what it means; the alias needs no copy of that.
                    decl.nested[index].doc = nil
                }
            }
        }
        var types = types
        for index in types.indices {
            share(&types[index], path: types[index].name, hidden: [])
        }
        return types
    }
}
