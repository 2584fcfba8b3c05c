import AccordCodegen
import AccordSpec

/// The broad shape of a schema: a change between shapes is a type change.
enum ValueShape: String {
    case string, integer, number, boolean, array, object, union, any, null
}

extension Comparison {
    func shape(_ schema: Schema) -> ValueShape {
        switch schema.kind {
        case .reference: .any  // resolved before this is asked
        case .any: .any
        case .string: .string
        case .integer: .integer
        case .number: .number
        case .boolean: .boolean
        case .null: .null
        case .array: .array
        case .object, .allOf: .object
        case .oneOf, .anyOf: .union
        }
    }

    /// `T` and `T?` spelled alike, primitives by name; generated types are equal here (a rename
    /// is its own change, found where the reference is compared).
    static func sameSwiftShape(_ a: SwiftType?, _ b: SwiftType?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        switch (a, b) {
        case let (.named(x), .named(y)):
            let primitives: Set<String> = [
                "String", "Int", "Int32", "Int64", "Double", "Float", "Bool", "Date", "UUID",
                "Data", "JSONValue", "URL",
            ]
            return x == y || !(primitives.contains(x) || primitives.contains(y))
        case let (.array(x), .array(y)), let (.dictionary(x), .dictionary(y)), let (.optional(x), .optional(y)),
            let (.nullable(x), .nullable(y)):
            return sameSwiftShape(x, y)
        default: return false
        }
    }

    /// An object's properties with `allOf` parts merged, as the generator merges them.
    func flattened(_ schema: Schema, _ side: Side) -> ObjectSchema? {
        let schema = side.resolved(schema)
        switch schema.kind {
        case .object(let object): return object
        case .allOf(let parts):
            var merged = ObjectSchema(properties: [], additionalProperties: .unspecified)
            var seen = Set<RefKey>()
            func add(_ parts: [Schema]) {
                for part in parts {
                    if case .reference(let key) = part.kind, !seen.insert(key).inserted { continue }
                    let target = side.resolved(part)
                    switch target.kind {
                    case .object(let object):
                        for p in object.properties {
                            if let i = merged.properties.firstIndex(where: { $0.name == p.name }) {
                                let required = merged.properties[i].isRequired || p.isRequired
                                merged.properties[i] = p
                                merged.properties[i].isRequired = required
                            } else {
                                merged.properties.append(p)
                            }
                        }
                        if case .unspecified = object.additionalProperties {
                        } else {
                            merged.additionalProperties = object.additionalProperties
                        }
                    case .allOf(let nested): add(nested)
                    default: continue
                    }
                }
            }
            add(parts)
            return merged
        default: return nil
        }
    }

    /// Compares two schemas at the same place. `what` names the place for messages.
    mutating func compareValue(
        _ old: Schema, _ new: Schema, _ direction: Direction, at place: Place,
        swift: (SwiftPlace, SwiftPlace), what: String, nullabilityJudged: Bool = false
    ) {
        var place = place
        var swift = swift
        // References: compare what they resolve to, each pair of shared schemas once.
        let oldKey: RefKey? = if case .reference(let k) = old.kind { k } else { nil }
        let newKey: RefKey? = if case .reference(let k) = new.kind { k } else { nil }
        if let oldKey, let newKey {
            let oldName = swift.0.declaration(in: base.surface)?.name,
                newName = swift.1.declaration(in: revision.surface)?.name
            // The old name still compiles when the revision keeps it (as the type or as an alias of it).
            let oldNameKept = oldName.map { revision.surface.types[$0] != nil } ?? true
            if let oldName, let newName, oldName != newName, !oldNameKept,
                renamedTypes.insert(oldName + ">" + newName).inserted
            {
                emit(
                    "type-renamed", at: place, "type `\(oldName)` is now `\(newName)`",
                    base: base.document.namedSchema(oldKey)?.schema.location,
                    revision: revision.document.namedSchema(newKey)?.schema.location)
            }
            let shared = "\(oldKey)|\(newKey)|\(direction.rawValue)"
            if let parent = place.sharedSchema { parents[shared, default: []].insert(parent) }
            if let op = place.operation { users[shared, default: []].insert(op) }
            guard visited.insert(shared).inserted else { return }
            place = Place(operation: place.operation, pointer: "", sharedSchema: shared)
            place.pointer =
                newKey.pointer.isEmpty
                ? "" : Place(operation: nil, pointer: "").appending(contentsOf: newKey.pointer).pointer
            swift = (
                SwiftPlace(type: swift.0.declaration(in: base.surface).map { .named($0.name) }, scope: oldName),
                SwiftPlace(type: swift.1.declaration(in: revision.surface).map { .named($0.name) }, scope: newName)
            )
        }
        let a = base.resolved(old), b = revision.resolved(new)
        let swiftChanged = !Self.sameSwiftShape(swift.0.type, swift.1.type)

        if !nullabilityJudged && a.isNullable != b.isNullable {
            compareNullability(
                a.isNullable, b.isNullable, direction, at: place, what: what, old: a, new: b,
                swiftChanged: swiftChanged)
        }
        if !a.isDeprecated && b.isDeprecated {
            emit("deprecated", at: place, "\(what) is deprecated", base: a.location, revision: b.location)
        }
        let oldShape = shape(a), newShape = shape(b)
        if oldShape != newShape {
            compareShapes(
                oldShape, newShape, direction, at: place, what: what, old: a, new: b, swiftChanged: swiftChanged)
            return
        }
        switch (a.kind, b.kind) {
        case (.string, .string):
            compareFormat(a, b, direction, at: place, what: what, swift: swift, swiftChanged: swiftChanged)
            compareEnum(a, b, direction, at: place, what: what, swift: swift)
            compareConstraints(a, b, direction, at: place, what: what)
        case (.integer, .integer), (.number, .number):
            compareFormat(a, b, direction, at: place, what: what, swift: swift, swiftChanged: swiftChanged)
            compareConstraints(a, b, direction, at: place, what: what)
        case (.array(let x), .array(let y)):
            compareConstraints(a, b, direction, at: place, what: what)
            compareValue(
                x, y, direction, at: place.appending("items"), swift: (swift.0.element, swift.1.element),
                what: "the items of \(what)")
        case (.oneOf(let x, let dx), .oneOf(let y, let dy)):
            compareUnion(x, y, open: dx != nil && dy != nil, direction, at: place, what: what, swift: swift)
        case (.anyOf(let x), .anyOf(let y)), (.oneOf(let x, _), .anyOf(let y)), (.anyOf(let x), .oneOf(let y, _)):
            compareUnion(x, y, open: false, direction, at: place, what: what, swift: swift)
        default:
            if oldShape == .object, let x = flattened(a, base), let y = flattened(b, revision) {
                compareObject(x, y, direction, at: place, swift: swift, what: what)
            }
        }
    }

    private mutating func compareNullability(
        _ was: Bool, _ now: Bool, _ direction: Direction, at place: Place, what: String,
        old: Schema, new: Schema, swiftChanged: Bool
    ) {
        switch (direction, now) {
        case (.request, true):
            emit(
                "request-became-nullable", at: place, "\(what) now accepts null", base: old.location,
                revision: new.location,
                swiftChanged: swiftChanged)
        case (.request, false):
            emit(
                "request-became-non-nullable", at: place, "\(what) no longer accepts null", base: old.location,
                revision: new.location, swiftChanged: swiftChanged)
        case (.response, true):
            emit(
                "response-required-became-nullable", at: place, "\(what) may now be null", base: old.location,
                revision: new.location, swiftChanged: swiftChanged)
        case (.response, false):
            emit(
                "response-became-required", at: place, "\(what) is no longer null", base: old.location,
                revision: new.location, swiftChanged: swiftChanged)
        }
    }

    private mutating func compareShapes(
        _ was: ValueShape, _ now: ValueShape, _ direction: Direction, at place: Place,
        what: String, old: Schema, new: Schema, swiftChanged: Bool
    ) {
        let message = "\(what) is \(now.rawValue), was \(was.rawValue)"
        switch direction {
        case .request:
            let widened = (was == .integer && now == .number) || now == .any
            emit(
                widened ? "request-type-widened" : "request-type-changed", at: place, message, base: old.location,
                revision: new.location, swiftChanged: swiftChanged)
        case .response:
            let narrowed = (was == .number && now == .integer) || was == .any
            emit(
                narrowed ? "response-type-narrowed" : "response-type-changed", at: place, message, base: old.location,
                revision: new.location, swiftChanged: swiftChanged)
        }
    }

    /// Swift types whose decoding checks the format: a value of another format fails to decode.
    static let formatDecodedTypes: Set<String> = ["Date", "UUID", "Data", "Int32"]

    private mutating func compareFormat(
        _ a: Schema, _ b: Schema, _ direction: Direction, at place: Place, what: String,
        swift: (SwiftPlace, SwiftPlace), swiftChanged: Bool
    ) {
        guard a.format != b.format else { return }
        let message =
            "the format of \(what) is \(b.format.map { "`\($0)`" } ?? "none"), "
            + "was \(a.format.map { "`\($0)`" } ?? "none")"
        switch direction {
        case .request:
            emit(
                b.format == nil ? "request-type-widened" : "request-type-changed", at: place, message,
                base: a.location, revision: b.location, swiftChanged: swiftChanged)
        case .response:
            let oldType: String? = if case .named(let n)? = swift.0.type?.unwrapped { n } else { nil }
            let strict = oldType.map { Self.formatDecodedTypes.contains($0) } ?? (a.format != nil)
            let rule =
                !strict
                ? "response-format-changed" : (a.format == nil ? "response-type-narrowed" : "response-type-changed")
            emit(rule, at: place, message, base: a.location, revision: b.location, swiftChanged: swiftChanged)
        }
    }

    private mutating func compareEnum(
        _ a: Schema, _ b: Schema, _ direction: Direction, at place: Place, what: String,
        swift: (SwiftPlace, SwiftPlace)
    ) {
        let oldValues = a.stringEnumValues, newValues = b.stringEnumValues
        guard oldValues != newValues else { return }
        let prefix = direction == .request ? "request" : "response"
        guard let oldValues else {
            // Any string became a closed list.
            emit(
                direction == .request ? "request-constraint-narrowed" : "response-constraint-changed", at: place,
                "\(what) is limited to \(newValues!.map { "`\($0)`" }.joined(separator: ", "))",
                base: a.location, revision: b.location)
            return
        }
        guard let newValues else {
            emit(
                direction == .request ? "request-constraint-widened" : "response-enum-value-added", at: place,
                "\(what) is any string now, was one of \(oldValues.count) values", base: a.location,
                revision: b.location)
            return
        }
        let oldCases = swift.0.declaration(in: base.surface), newCases = swift.1.declaration(in: revision.surface)
        for value in oldValues where !newValues.contains(value) {
            let name = oldCases?.cases.first { $0.wireValue == value }?.name
            emit(
                "\(prefix)-enum-value-removed", at: place,
                "\(what) no longer has `\(value)`"
                    + (name.map { " (`.\($0)`)" } ?? ""), base: a.location, revision: b.location)
        }
        for value in newValues where !oldValues.contains(value) {
            let name = newCases?.cases.first { $0.wireValue == value }?.name
            emit(
                "\(prefix)-enum-value-added", at: place,
                "\(what) has a new value `\(value)`"
                    + (name.map { " (`.\($0)`)" } ?? ""), base: a.location, revision: b.location)
        }
    }

    private mutating func compareUnion(
        _ x: [Schema], _ y: [Schema], open: Bool, _ direction: Direction, at place: Place,
        what: String, swift: (SwiftPlace, SwiftPlace)
    ) {
        // Branches are matched by the schema they name, else by position.
        func identity(_ s: Schema, _ i: Int) -> String {
            if case .reference(let key) = s.kind { return key.pointer.last ?? key.description }
            return "#\(i)"
        }
        let oldIDs = x.enumerated().map { identity($1, $0) }, newIDs = y.enumerated().map { identity($1, $0) }
        let oldUnion = swift.0.declaration(in: base.surface), newUnion = swift.1.declaration(in: revision.surface)
        for (i, id) in oldIDs.enumerated() {
            if let j = newIDs.firstIndex(of: id) {
                let oldCase = oldUnion?.unionTypes.indices.contains(i) == true ? oldUnion!.unionTypes[i] : nil
                let newCase = newUnion?.unionTypes.indices.contains(j) == true ? newUnion!.unionTypes[j] : nil
                compareValue(
                    x[i], y[j], direction, at: place.appending("oneOf", String(j)),
                    swift: (
                        SwiftPlace(type: oldCase, scope: oldUnion?.name),
                        SwiftPlace(type: newCase, scope: newUnion?.name)
                    ),
                    what: "variant \(j + 1) of \(what)")
            } else {
                emit(
                    "\(direction.rawValue)-union-variant-removed", at: place.appending("oneOf", String(i)),
                    "\(what) no longer has variant `\(id)`", base: x[i].location, revision: nil)
            }
        }
        for (j, id) in newIDs.enumerated() where !oldIDs.contains(id) {
            let rule =
                direction == .request
                ? "request-union-variant-added"
                : (open ? "response-open-union-variant-added" : "response-union-variant-added")
            emit(
                rule, at: place.appending("oneOf", String(j)), "\(what) has a new variant `\(id)`",
                base: nil, revision: y[j].location)
        }
    }

    private mutating func compareConstraints(
        _ a: Schema, _ b: Schema, _ direction: Direction, at place: Place, what: String
    ) {
        let x = a.constraints, y = b.constraints
        guard x != y else { return }
        var narrowed: [String] = [], widened: [String] = []
        func lower<T: Comparable>(_ name: String, _ old: T?, _ new: T?) {
            // A lower bound narrows when it appears or rises.
            switch (old, new) {
            case (nil, let n?): narrowed.append("\(name) \(n)")
            case (let o?, nil): widened.append("no \(name) (was \(o))")
            case let (o?, n?) where n > o: narrowed.append("\(name) \(n) (was \(o))")
            case let (o?, n?) where n < o: widened.append("\(name) \(n) (was \(o))")
            default: break
            }
        }
        func upper<T: Comparable>(_ name: String, _ old: T?, _ new: T?) {
            switch (old, new) {
            case (nil, let n?): narrowed.append("\(name) \(n)")
            case (let o?, nil): widened.append("no \(name) (was \(o))")
            case let (o?, n?) where n < o: narrowed.append("\(name) \(n) (was \(o))")
            case let (o?, n?) where n > o: widened.append("\(name) \(n) (was \(o))")
            default: break
            }
        }
        lower("minLength", x.minLength, y.minLength)
        upper("maxLength", x.maxLength, y.maxLength)
        lower("minimum", x.minimum, y.minimum)
        upper("maximum", x.maximum, y.maximum)
        lower("exclusiveMinimum", x.exclusiveMinimum, y.exclusiveMinimum)
        upper("exclusiveMaximum", x.exclusiveMaximum, y.exclusiveMaximum)
        lower("minItems", x.minItems, y.minItems)
        upper("maxItems", x.maxItems, y.maxItems)
        lower("minProperties", x.minProperties, y.minProperties)
        upper("maxProperties", x.maxProperties, y.maxProperties)
        if x.pattern != y.pattern {
            if let p = y.pattern {
                narrowed.append("pattern `\(p)`" + (x.pattern.map { " (was `\($0)`)" } ?? ""))
            } else {
                widened.append("no pattern (was `\(x.pattern!)`)")
            }
        }
        if x.multipleOf != y.multipleOf {
            if let m = y.multipleOf { narrowed.append("multipleOf \(m)") } else { widened.append("no multipleOf") }
        }
        if !x.uniqueItems && y.uniqueItems { narrowed.append("uniqueItems") }
        if x.uniqueItems && !y.uniqueItems { widened.append("items need not be unique") }
        switch direction {
        case .request:
            if !narrowed.isEmpty {
                emit(
                    "request-constraint-narrowed", at: place, "\(what): \(narrowed.joined(separator: ", "))",
                    base: a.location, revision: b.location)
            }
            if !widened.isEmpty {
                emit(
                    "request-constraint-widened", at: place, "\(what): \(widened.joined(separator: ", "))",
                    base: a.location, revision: b.location)
            }
        case .response:
            emit(
                "response-constraint-changed", at: place, "\(what): \((narrowed + widened).joined(separator: ", "))",
                base: a.location, revision: b.location)
        }
    }
}

extension Place {
    func appending(contentsOf tokens: [String]) -> Place {
        var copy = self
        for token in tokens { copy = copy.appending(token) }
        return copy
    }
}
