import AccordSpec
import Foundation

/// One way a JSON value differs from what was expected, at a JSON pointer.
public struct Mismatch: Sendable, Equatable, CustomStringConvertible {
    public var pointer: String
    public var message: String
    /// A tolerant reader (an older generated client: open enums, unknown members ignored)
    /// absorbs this: an extra member, an enum value or error code it does not know.
    public var isAbsorbedByTolerantReader: Bool

    public init(_ pointer: String, _ message: String, absorbedByTolerantReader: Bool = false) {
        self.pointer = pointer
        self.message = message
        isAbsorbedByTolerantReader = absorbedByTolerantReader
    }

    public var description: String { pointer.isEmpty ? message : "\(pointer): \(message)" }
}

/// Checks a JSON value against a schema of a loaded spec: types, formats, required members,
/// enums, constraints, compositions. Unknown members are allowed unless the schema forbids them
/// (forward compatibility), exactly as the generated client decodes.
public struct SchemaValidator: Sendable {
    let document: APIDocument
    /// Accept `${variable}` strings anywhere (checking a recording, whose values come at run time).
    var acceptsReferences = false

    public init(document: APIDocument, acceptsReferences: Bool = false) {
        self.document = document
        self.acceptsReferences = acceptsReferences
    }

    public func validate(_ value: SpecNode, against schema: Schema, at pointer: String = "") -> [Mismatch] {
        var out: [Mismatch] = []
        check(value, schema, pointer, depth: 0, into: &out)
        return out
    }

    private func resolve(_ schema: Schema) -> Schema {
        var current = schema
        var hops = 0
        while case .reference(let key) = current.kind, let named = document.namedSchema(key), hops < 32 {
            let nullable = current.isNullable
            current = named.schema
            if nullable { current.isNullable = true }
            hops += 1
        }
        return current
    }

    private func check(_ value: SpecNode, _ raw: Schema, _ pointer: String, depth: Int, into out: inout [Mismatch]) {
        guard depth < 64 else { return }
        if acceptsReferences, let text = value.string, text.contains("${") { return }
        let schema = resolve(raw)
        if value.isNull {
            if schema.isNullable || isNullKind(schema) { return }
            if case .any = schema.kind { return }
            out.append(Mismatch(pointer, "expected \(describe(schema)), got null"))
            return
        }
        switch schema.kind {
        case .reference, .any:
            break
        case .null:
            out.append(Mismatch(pointer, "expected null, got \(value.typeName)"))
        case .string:
            guard let text = value.string else { return typeMismatch(schema, value, pointer, &out) }
            checkString(text, schema, pointer, &out)
        case .integer:
            guard let number = value.double, value.int != nil else { return typeMismatch(schema, value, pointer, &out) }
            checkNumber(number, schema, pointer, &out)
        case .number:
            guard let number = value.double else { return typeMismatch(schema, value, pointer, &out) }
            checkNumber(number, schema, pointer, &out)
        case .boolean:
            guard value.bool != nil else { return typeMismatch(schema, value, pointer, &out) }
        case .array(let items):
            guard let elements = value.array else { return typeMismatch(schema, value, pointer, &out) }
            if let min = schema.constraints.minItems, elements.count < min {
                out.append(Mismatch(pointer, "expected at least \(min) item(s), got \(elements.count)"))
            }
            if let max = schema.constraints.maxItems, elements.count > max {
                out.append(Mismatch(pointer, "expected at most \(max) item(s), got \(elements.count)"))
            }
            for (index, element) in elements.enumerated() {
                check(element, items, pointer + "/\(index)", depth: depth + 1, into: &out)
            }
        case .object(let object):
            guard let members = value.object else { return typeMismatch(schema, value, pointer, &out) }
            checkObject(members, object, pointer, depth: depth, into: &out)
        case .allOf(let parts):
            for part in parts { check(value, part, pointer, depth: depth + 1, into: &out) }
        case .anyOf(let branches):
            let results = branches.map { validate(value, against: $0, at: pointer) }
            if !results.contains(where: \.isEmpty) {
                out.append(contentsOf: results.min { $0.count < $1.count } ?? [])
            }
        case .oneOf(let branches, let discriminator):
            if let discriminator, let tag = value[discriminator.propertyName]?.string {
                if let target = discriminator.mapping.first(where: { $0.value == tag })?.target {
                    var branch = Schema(.reference(target), at: schema.location)
                    branch.isNullable = false
                    check(value, branch, pointer, depth: depth + 1, into: &out)
                } else {
                    let known = discriminator.mapping.map { "\"\($0.value)\"" }.joined(separator: ", ")
                    out.append(
                        Mismatch(
                            pointer + "/" + JSON.escape(discriminator.propertyName),
                            "\"\(tag)\" is not one of \(known)", absorbedByTolerantReader: true))
                }
                return
            }
            let results = branches.map { validate(value, against: $0, at: pointer) }
            let matching = results.filter(\.isEmpty).count
            if matching == 0 {
                out.append(contentsOf: results.min { $0.count < $1.count } ?? [])
            } else if matching > 1 && !branches.allSatisfy({ isObjectLike($0) }) {
                out.append(Mismatch(pointer, "matches \(matching) branches of a oneOf, expected exactly one"))
            }
        }
        if let allowed = schema.enumValues, !allowed.contains(where: { JSON.equal($0, value) }) {
            let list = allowed.filter { !$0.isNull }.map(\.jsonText).joined(separator: ", ")
            out.append(
                Mismatch(
                    pointer, "\(JSON.describe(value)) is not one of \(list)",
                    absorbedByTolerantReader: value.string != nil))
        }
    }

    private func isNullKind(_ schema: Schema) -> Bool {
        if case .null = schema.kind { return true }
        return false
    }

    /// Objects with open members often match several oneOf branches; only scalars must be exclusive.
    private func isObjectLike(_ schema: Schema) -> Bool {
        switch resolve(schema).kind {
        case .object, .allOf: return true
        default: return false
        }
    }

    private func checkObject(
        _ members: SpecObject, _ object: ObjectSchema, _ pointer: String, depth: Int, into out: inout [Mismatch]
    ) {
        for property in object.properties {
            let path = pointer + "/" + JSON.escape(property.name)
            guard let member = members[property.name] else {
                if property.isRequired { out.append(Mismatch(path, "missing required field")) }
                continue
            }
            check(member, property.schema, path, depth: depth + 1, into: &out)
        }
        let declared = Set(object.properties.map(\.name))
        for entry in members.entries where !declared.contains(entry.key) {
            let path = pointer + "/" + JSON.escape(entry.key)
            switch object.additionalProperties {
            case .unspecified: break
            case .forbidden:
                out.append(
                    Mismatch(
                        path, "unexpected field (the schema allows no other members)", absorbedByTolerantReader: true))
            case .schema(let extra): check(entry.value, extra, path, depth: depth + 1, into: &out)
            }
        }
    }

    private func checkString(_ text: String, _ schema: Schema, _ pointer: String, _ out: inout [Mismatch]) {
        let length = text.count
        if let min = schema.constraints.minLength, length < min {
            out.append(Mismatch(pointer, "expected at least \(min) character(s), got \(length)"))
        }
        if let max = schema.constraints.maxLength, length > max {
            out.append(Mismatch(pointer, "expected at most \(max) character(s), got \(length)"))
        }
        if let pattern = schema.constraints.pattern, let regex = try? NSRegularExpression(pattern: pattern),
            regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
        {
            out.append(
                Mismatch(
                    pointer,
                    "\(JSON.describe(SpecNode(.string(text), at: JSON.nowhere))) does not match pattern \(pattern)"))
        }
        if let format = schema.format, !Formats.isValid(text, format: format) {
            out.append(
                Mismatch(
                    pointer,
                    "expected string (\(format)), got \(JSON.describe(SpecNode(.string(text), at: JSON.nowhere)))"))
        }
    }

    private func checkNumber(_ number: Double, _ schema: Schema, _ pointer: String, _ out: inout [Mismatch]) {
        let c = schema.constraints
        func show(_ d: Double) -> String { d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : String(d) }
        if let min = c.minimum, number < min {
            out.append(Mismatch(pointer, "expected at least \(show(min)), got \(show(number))"))
        }
        if let max = c.maximum, number > max {
            out.append(Mismatch(pointer, "expected at most \(show(max)), got \(show(number))"))
        }
        if let min = c.exclusiveMinimum, number <= min {
            out.append(Mismatch(pointer, "expected more than \(show(min)), got \(show(number))"))
        }
        if let max = c.exclusiveMaximum, number >= max {
            out.append(Mismatch(pointer, "expected less than \(show(max)), got \(show(number))"))
        }
    }

    private func typeMismatch(_ schema: Schema, _ value: SpecNode, _ pointer: String, _ out: inout [Mismatch]) {
        out.append(Mismatch(pointer, "expected \(describe(schema)), got \(value.typeName)"))
    }

    /// The member names an object schema declares (nil when it takes any member).
    public func declaredMembers(of raw: Schema) -> Set<String>? {
        let schema = resolve(raw)
        switch schema.kind {
        case .object(let object):
            if case .schema = object.additionalProperties { return nil }
            return Set(object.properties.map(\.name))
        case .allOf(let parts):
            var names = Set<String>()
            for part in parts {
                guard let more = declaredMembers(of: part) else { return nil }
                names.formUnion(more)
            }
            return names
        default:
            return nil
        }
    }

    /// "string (date-time)", "integer or null", "object".
    func describe(_ raw: Schema) -> String {
        let schema = resolve(raw)
        var text: String
        switch schema.kind {
        case .reference, .any: text = "any value"
        case .null: text = "null"
        case .string: text = schema.format.map { "string (\($0))" } ?? "string"
        case .integer: text = "integer"
        case .number: text = "number"
        case .boolean: text = "boolean"
        case .array: text = "array"
        case .object, .allOf: text = "object"
        case .oneOf(let branches, _), .anyOf(let branches):
            text = Array(Set(branches.map { describe($0) })).sorted().joined(separator: " or ")
        }
        if schema.isNullable, !text.hasSuffix("null") { text += " or null" }
        return text
    }
}

/// The string formats Accord checks; any other format is accepted as a plain string.
enum Formats {
    static func isValid(_ text: String, format: String) -> Bool {
        switch format {
        case "date-time":
            return matches(text, #"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#)
        case "date": return matches(text, #"^\d{4}-\d{2}-\d{2}$"#)
        case "uuid":
            return matches(text, #"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"#)
        case "email": return matches(text, #"^[^@\s]+@[^@\s]+$"#)
        case "uri": return matches(text, #"^[A-Za-z][A-Za-z0-9+.-]*:\S*$"#)
        case "uri-reference": return !text.contains(" ")
        default: return true
        }
    }

    private static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }
}
