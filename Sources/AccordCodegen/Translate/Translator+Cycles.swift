extension Translator {
    /// Structs that contain each other by value cannot exist; the property that closes each
    /// cycle is stored through `Indirect` (arrays, dictionaries and unions already add a box).
    ///
    /// Structs are numbered once and the search runs over the numbers: Stripe declares thousands of
    /// structs, and keying every step by full names (`A.B.C`) was a fifth of translating.
    func boxCycles(_ types: [TypeDecl]) -> [TypeDecl] {
        var graph = StructGraph()
        for index in types.indices { graph.add(types[index], prefix: "") }
        let targets = graph.resolveTargets()
        let boxed = Self.cycleClosingEdges(names: graph.names, targets: targets)
        guard !boxed.isEmpty else { return types }

        // Declarations are visited in the order `add` numbered them; a subtree without a struct that
        // boxes a member is left alone (and not copied).
        var boxesBefore = [0]
        boxesBefore.reserveCapacity(graph.structIDs.count + 1)
        func boxesAMember(_ id: Int) -> Bool {
            targets[id].contains { target in target.map { boxed.contains(Edge(from: id, to: $0)) } ?? false }
        }
        for id in graph.structIDs {
            boxesBefore.append(boxesBefore.last! + (id.map(boxesAMember) == true ? 1 : 0))
        }
        func hasBoxes(from start: Int) -> Bool { boxesBefore[graph.subtreeEnds[start]] > boxesBefore[start] }
        func apply(_ decl: inout TypeDecl, at position: Int) {
            if let id = graph.structIDs[position], case .structure(var properties, let extra) = decl.kind {
                for index in properties.indices {
                    if let target = targets[id][index], boxed.contains(Edge(from: id, to: target)) {
                        properties[index].isBoxed = true
                    }
                }
                decl.kind = .structure(properties, additionalProperties: extra)
            }
            var child = position + 1
            for index in decl.nested.indices {
                if hasBoxes(from: child) { apply(&decl.nested[index], at: child) }
                child = graph.subtreeEnds[child]
            }
        }
        var types = types
        var position = 0
        for index in types.indices {
            if hasBoxes(from: position) { apply(&types[index], at: position) }
            position = graph.subtreeEnds[position]
        }
        return types
    }

    /// A property of struct `from` that holds struct `to` by value.
    struct Edge: Hashable {
        var from: Int
        var to: Int
    }

    /// The edges that close a cycle, found depth first from each struct in the order of their full
    /// names: every property of `from` that holds `to` is boxed.
    static func cycleClosingEdges(names: [String], targets: [[Int?]]) -> Set<Edge> {
        enum State { case unvisited, visiting, done }
        var state = [State](repeating: .unvisited, count: names.count)
        var boxed = Set<Edge>()
        func visit(_ id: Int) {
            state[id] = .visiting
            for case let target? in targets[id] {
                switch state[target] {
                case .visiting: boxed.insert(Edge(from: id, to: target))
                case .unvisited: visit(target)
                case .done: break
                }
            }
            state[id] = .done
        }
        for id in names.indices.sorted(by: { names[$0] < names[$1] }) where state[id] == .unvisited { visit(id) }
        return boxed
    }
}

/// Every struct declaration by full name, numbered, with the names its properties' types spell.
private struct StructGraph {
    /// Full name (`A.B`) → number; `names` is the reverse.
    var ids: [String: Int] = [:]
    var names: [String] = []
    /// The last part of every struct's name: a type that ends otherwise (`String`, an enum) is no
    /// struct, and needs no lookup through the enclosing scopes.
    var leaves = Set<Substring>()
    /// Per declaration, in the order visited (each before its nested ones): its struct number, or
    /// nil; and the position just after its nested declarations.
    var structIDs: [Int?] = []
    var subtreeEnds: [Int] = []
    /// Per struct declaration, in the order visited: its number, full name, and each property's
    /// named type (nil when the type is not a bare name).
    private var properties: [(id: Int, scope: String, named: [String?])] = []

    mutating func add(_ decl: TypeDecl, prefix: String) {
        let full = prefix.isEmpty ? decl.name : prefix + "." + decl.name
        let position = structIDs.count
        structIDs.append(nil)
        subtreeEnds.append(0)
        if case .structure(let props, _) = decl.kind {
            let id: Int
            if let known = ids[full] {
                id = known
            } else {
                id = names.count
                ids[full] = id
                names.append(full)
                leaves.insert(Self.leaf(full))
            }
            structIDs[position] = id
            properties.append(
                (
                    id, full,
                    props.map { prop in
                        if case .named(let name) = prop.baseType { return name }
                        return nil
                    }
                ))
        }
        for index in decl.nested.indices { add(decl.nested[index], prefix: full) }
        subtreeEnds[position] = structIDs.count
    }

    /// Per struct number, the struct each property holds by name (a later declaration of the
    /// same full name wins).
    func resolveTargets() -> [[Int?]] {
        var targets = [[Int?]](repeating: [], count: names.count)
        for entry in properties {
            targets[entry.id] = entry.named.map { name in name.flatMap { ids[resolve($0, from: entry.scope)] } }
        }
        return targets
    }

    /// The last part of a full name (type names are ASCII: the last `.` byte is the last `.`).
    private static func leaf(_ name: String) -> Substring {
        name.utf8.lastIndex(of: UInt8(ascii: ".")).map { name[name.index(after: $0)...] } ?? Substring(name)
    }

    /// A nested name is looked up in the enclosing scopes first, innermost first (without
    /// splitting and joining the scope for every property).
    private func resolve(_ name: String, from scope: String) -> String {
        guard leaves.contains(Self.leaf(name)), !scope.isEmpty else { return name }
        var end = scope.endIndex
        while true {
            let candidate = scope[..<end] + "." + name
            if ids[candidate] != nil { return candidate }
            guard let dot = scope.utf8[..<end].lastIndex(of: UInt8(ascii: ".")) else { return name }
            end = dot
        }
    }
}
