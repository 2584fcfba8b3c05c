extension Translator {
    /// Structs that contain each other by value cannot exist; the property that closes each
    /// cycle is stored through `Indirect` (arrays, dictionaries and unions already add a box).
    func boxCycles(_ types: [TypeDecl]) -> [TypeDecl] {
        // Every struct's full name first, so that a property naming a nested struct declared after it
        // resolves to that struct.
        var structNames = Set<String>()
        func name(_ decl: TypeDecl, prefix: String) {
            let full = prefix.isEmpty ? decl.name : prefix + "." + decl.name
            if case .structure = decl.kind { structNames.insert(full) }
            for n in decl.nested { name(n, prefix: full) }
        }
        for t in types { name(t, prefix: "") }
        // The last part of every struct's name: a property's type that ends otherwise (`String`, an
        // enum) is no struct, and needs no lookup through the enclosing scopes.
        var structLeaves = Set<Substring>()
        for full in structNames { structLeaves.insert(full.split(separator: ".").last ?? Substring(full)) }
        func resolveName(_ name: String, from scope: String) -> String {
            let leaf = name.lastIndex(of: ".").map { name[name.index(after: $0)...] } ?? Substring(name)
            guard structLeaves.contains(leaf) else { return name }
            // A nested name is looked up in the enclosing scopes first, innermost first (without
            // splitting and joining the scope for every property: Stripe has many thousands).
            guard !scope.isEmpty else { return name }
            var end = scope.endIndex
            while true {
                let candidate = scope[..<end] + "." + name
                if structNames.contains(candidate) { return candidate }
                guard let dot = scope[..<end].lastIndex(of: ".") else { return name }
                end = dot
            }
        }
        // Each struct's properties: the struct each one holds by name, resolved once.
        var targets: [String: [String?]] = [:]
        func collect(_ decl: TypeDecl, prefix: String) {
            let full = prefix.isEmpty ? decl.name : prefix + "." + decl.name
            if case .structure(let props, _) = decl.kind {
                targets[full] = props.map { prop in
                    if case .named(let n) = prop.baseType { return resolveName(n, from: full) }
                    return nil
                }
            }
            for n in decl.nested { collect(n, prefix: full) }
        }
        for t in types { collect(t, prefix: "") }

        var boxed = Set<String>()  // "Type#Target"
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        func visit(_ type: String) {
            state[type] = 1
            for case let target? in targets[type] ?? [] where structNames.contains(target) {
                if state[target] == 1 {
                    boxed.insert("\(type)#\(target)")
                } else if state[target] == nil {
                    visit(target)
                }
            }
            state[type] = 2
        }
        for name in structNames.sorted() where state[name] == nil { visit(name) }
        guard !boxed.isEmpty else { return types }

        func apply(_ decl: TypeDecl, prefix: String) -> TypeDecl {
            var decl = decl
            let full = prefix.isEmpty ? decl.name : prefix + "." + decl.name
            if case .structure(var props, let extra) = decl.kind, let resolved = targets[full] {
                for i in props.indices {
                    if let target = resolved[i], boxed.contains("\(full)#\(target)") {
                        props[i].isBoxed = true
                    }
                }
                decl.kind = .structure(props, additionalProperties: extra)
            }
            decl.nested = decl.nested.map { apply($0, prefix: full) }
            return decl
        }
        return types.map { apply($0, prefix: "") }
    }
}
