import AccordCodegen
import AccordSpec
import Foundation

/// Compares two versions of a spec the way the generated client sees them. Pure.
public enum SpecDiff {
    public static func compare(
        base: APIDocument, revision: APIDocument, options: GeneratorOptions = GeneratorOptions(),
        behaviour: ClientBehaviour = .current
    ) -> [SpecChange] {
        var comparison = Comparison(base: base, revision: revision, options: options, behaviour: behaviour)
        comparison.run()
        return comparison.finished()
    }
}

/// Which way a value travels: judged differently, since the app writes requests and reads responses.
enum Direction: String, Hashable {
    case request, response
}

/// One side of a comparison: the document and the client surface generated from it.
struct Side {
    let document: APIDocument
    let surface: ClientSurface

    func resolved(_ schema: Schema) -> Schema {
        var current = schema
        var seen = Set<RefKey>()
        while case .reference(let key) = current.kind, seen.insert(key).inserted, let named = document.namedSchema(key)
        {
            let nullable = current.isNullable
            current = named.schema
            current.isNullable = current.isNullable || nullable
        }
        return current
    }
}

/// The Swift type at a place being compared, and the type it is declared in (for nested names).
struct SwiftPlace {
    var type: SwiftType?
    var scope: String?

    static let unknown = SwiftPlace(type: nil, scope: nil)

    /// The declaration the type names, with optionality and arrays looked through.
    func declaration(in surface: ClientSurface) -> ClientSurface.TypeInfo? {
        guard var type else { return nil }
        while true {
            switch type {
            case .optional(let w), .nullable(let w): type = w
            case .named(let name):
                guard let info = surface.lookup(name, from: scope) else { return nil }
                if case .alias(let target) = info.kind, target != type {
                    return SwiftPlace(type: target, scope: nil).declaration(in: surface)
                }
                return info
            default: return nil
            }
        }
    }

    /// The element type, when this place is an array.
    var element: SwiftPlace {
        var t = type
        while case .optional(let w)? = t { t = w }
        if case .nullable(let w)? = t { t = w }
        if case .array(let e)? = t { return SwiftPlace(type: e, scope: scope) }
        return .unknown
    }

    /// The value type, when this place is a dictionary.
    var dictionaryValue: SwiftPlace {
        var t = type
        while case .optional(let w)? = t { t = w }
        if case .dictionary(let v)? = t { return SwiftPlace(type: v, scope: scope) }
        return .unknown
    }
}

/// Where a comparison is: the operation it started from and the JSON pointer it has reached.
struct Place {
    var operation: String?
    var pointer: String
    /// The shared schema (base key, revision key, direction) this place is inside, if any.
    var sharedSchema: String?

    func appending(_ tokens: String...) -> Place {
        var copy = self
        for token in tokens {
            copy.pointer += "/" + RefKey.escape(token)
        }
        return copy
    }
}

struct Comparison {
    let base: Side
    let revision: Side
    let behaviour: ClientBehaviour
    let rules: [String: DiffRule]
    var changes: [(change: SpecChange, shared: String?)] = []
    /// Shared schemas already compared, and the operations that reach each.
    var visited: Set<String> = []
    var users: [String: Set<String>] = [:]
    var parents: [String: Set<String>] = [:]
    var renamedTypes: Set<String> = []

    init(base: APIDocument, revision: APIDocument, options: GeneratorOptions, behaviour: ClientBehaviour) {
        let surfaces = Self.surfaces(of: [base, revision], options: options)
        self.base = Side(document: base, surface: surfaces[0])
        self.revision = Side(document: revision, surface: surfaces[1])
        self.behaviour = behaviour
        rules = Dictionary(DiffRule.table(behaviour).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Both sides' client surfaces, translated side by side (each is a whole translation of its spec).
    static func surfaces(of documents: [APIDocument], options: GeneratorOptions) -> [ClientSurface] {
        final class Slots: @unchecked Sendable {
            let lock = NSLock()
            var values: [Int: ClientSurface] = [:]
        }
        let slots = Slots()
        DispatchQueue.concurrentPerform(iterations: documents.count) { i in
            let surface = ClientSurface.build(documents[i], options: options)
            slots.lock.withLock { slots.values[i] = surface }
        }
        return documents.indices.map { slots.values[$0]! }
    }

    /// Records a change under `ruleID`. `swiftChanged` decides the source verdict of rules judged
    /// by the Swift declaration.
    mutating func emit(
        _ ruleID: String, at place: Place, _ message: String, base: SourceLocation?,
        revision: SourceLocation?, swiftChanged: Bool = true
    ) {
        guard let rule = rules[ruleID] else { preconditionFailure("no rule '\(ruleID)' in the table") }
        let source: Verdict =
            switch rule.source {
            case .fixed(let v): v
            case .whenSwiftChanges: swiftChanged ? .breaking : .safe
            }
        let change = SpecChange(
            rule: rule.id, kind: rule.kind, wire: rule.wire, source: source,
            operation: place.operation, pointer: place.pointer, message: message,
            base: base, revision: revision)
        changes.append((change, place.sharedSchema))
        if let shared = place.sharedSchema, let op = place.operation { users[shared, default: []].insert(op) }
    }

    mutating func run() {
        compareServers()
        compareOperations()
        compareCatalog()
    }

    /// Changes in order, each shared-schema change once, with every operation that reaches it.
    func finished() -> [SpecChange] {
        func allUsers(_ shared: String, _ seen: inout Set<String>) -> Set<String> {
            guard seen.insert(shared).inserted else { return [] }
            var result = users[shared] ?? []
            for parent in parents[shared] ?? [] { result.formUnion(allUsers(parent, &seen)) }
            return result
        }
        // A schema used both ways is walked twice; what does not depend on the direction is said once.
        var endpoints: [String: String] = [:]
        for op in base.document.operations + revision.document.operations {
            endpoints[op.operationId] = "\(op.method.rawValue.uppercased()) \(op.path)"
        }
        var said = Set<String>()
        var result: [SpecChange] = []
        for entry in changes {
            var change = entry.change
            change.endpoint = change.operation.flatMap { endpoints[$0] }
            guard said.insert("\(change.rule)|\(change.pointer)|\(change.message)").inserted else { continue }
            if let shared = entry.shared {
                var seen = Set<String>()
                let everyone = allUsers(shared, &seen)
                change.alsoAffects = everyone.subtracting([change.operation].compactMap { $0 }).sorted()
            }
            result.append(change)
        }
        return result
    }

    // MARK: Document

    private mutating func compareServers() {
        let place = Place(operation: nil, pointer: "/servers")
        let baseServers = base.document.servers, revisionServers = revision.document.servers
        for url in baseServers where !revisionServers.contains(url) {
            emit("server-url-removed", at: place, "server `\(url)` is gone", base: nil, revision: nil)
        }
        for url in revisionServers where !baseServers.contains(url) {
            emit("server-url-added", at: place, "server `\(url)` is new", base: nil, revision: nil)
        }
    }
}
