import AccordSpec
import Foundation

/// JSON helpers over `SpecNode`, the one value tree Accord uses for specs, exchanges and bodies.
public enum JSON {
    static let nowhere = SourceLocation(file: "response", line: 0, column: 0)

    /// Parses a JSON body strictly (JSON, not YAML), keeping integers apart from numbers.
    public static func parse(_ data: Data) -> SpecNode? {
        guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil,
            let text = String(data: data, encoding: .utf8),
            let node = try? SpecParser.parse(text, file: "response")
        else { return nil }
        return node
    }

    /// Compact JSON text, members in written order.
    public static func text(_ node: SpecNode) -> String { node.jsonText }

    public static func equal(_ a: SpecNode, _ b: SpecNode) -> Bool {
        switch (a.value, b.value) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.int, .double), (.double, .int), (.double, .double): return a.double == b.double
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count
                && x.entries.allSatisfy { entry in y[entry.key].map { equal(entry.value, $0) } ?? false }
        default: return false
        }
    }

    /// The value at a JSON pointer (RFC 6901), or nil.
    public static func value(at pointer: String, in node: SpecNode) -> SpecNode? {
        if pointer.isEmpty { return node }
        var current = node
        for token in tokens(pointer) {
            switch current.value {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            default: return nil
            }
        }
        return current
    }

    static func tokens(_ pointer: String) -> [String] {
        pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            .map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
    }

    public static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// A short description of a value for messages: `"open"`, `42`, `object`.
    static func describe(_ node: SpecNode) -> String {
        switch node.value {
        case .array, .object: return node.typeName
        default:
            let text = node.jsonText
            return text.count > 60 ? String(text.prefix(57)) + "…" : text
        }
    }
}

/// Values captured from responses (and fixed per run), substituted into later requests as `${name}`.
public struct Variables: Sendable {
    public private(set) var values: [String: SpecNode] = [:]

    public init() {}

    /// The scenario's `variables`, fixed for one run (`$uuid` makes a fresh one).
    public init(seededBy scenario: Scenario) {
        for (name, source) in scenario.variables {
            switch source {
            case .literal(let node): values[name] = node
            case .freshUUID: values[name] = SpecNode(.string(UUID().uuidString.lowercased()), at: JSON.nowhere)
            }
        }
    }

    /// Takes each capture's value from a response; says which ones the response does not have.
    public mutating func capture(
        _ captures: [Scenario.Capture], body: SpecNode?, headers: some HeaderLookup
    ) -> [String] {
        var missing: [String] = []
        for capture in captures {
            switch capture.source {
            case .body(let pointer):
                if let body, let value = JSON.value(at: pointer, in: body) {
                    values[capture.variable] = value
                } else {
                    missing.append("capture \(capture.variable): the response has no value at \(pointer)")
                }
            case .header(let name):
                if let value = headers.header(name) {
                    values[capture.variable] = SpecNode(.string(value), at: JSON.nowhere)
                } else {
                    missing.append("capture \(capture.variable): the response has no header \(name)")
                }
            }
        }
        return missing
    }

    public subscript(name: String) -> SpecNode? {
        get { values[name] }
        set { values[name] = newValue }
    }

    public struct Undefined: Error, CustomStringConvertible {
        public var name: String
        public var description: String {
            "variable '${\(name)}' is not defined (no earlier capture or 'variables' entry sets it)"
        }
    }

    /// Every `${name}` in the text replaced by its value (strings as they are, other values as JSON).
    public func substitute(_ text: String) throws(Undefined) -> String {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let name = String(rest[open.upperBound..<close])
            guard let value = values[name] else { throw Undefined(name: name) }
            out += value.string ?? value.jsonText
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// The names a text refers to.
    public static func references(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "${"), let close = rest[open.upperBound...].firstIndex(of: "}") {
            names.append(String(rest[open.upperBound..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return names
    }

    /// A whole-string reference (`"${id}"`): its name, so the value keeps its JSON type.
    static func wholeReference(_ text: String) -> String? {
        guard text.hasPrefix("${"), text.hasSuffix("}"), text.count > 3 else { return nil }
        let name = text.dropFirst(2).dropLast()
        return name.contains("}") || name.contains("${") ? nil : String(name)
    }

    /// A JSON tree with every reference substituted.
    public func substitute(_ node: SpecNode) throws(Undefined) -> SpecNode {
        switch node.value {
        case .string(let text):
            if let name = Self.wholeReference(text) {
                guard let value = values[name] else { throw Undefined(name: name) }
                return SpecNode(value.value, at: node.location)
            }
            return SpecNode(.string(try substitute(text)), at: node.location)
        case .array(let items):
            var out: [SpecNode] = []
            for item in items { out.append(try substitute(item)) }
            return SpecNode(.array(out), at: node.location)
        case .object(let object):
            var entries: [SpecObject.Entry] = []
            for entry in object.entries {
                entries.append(
                    .init(key: entry.key, keyLocation: entry.keyLocation, value: try substitute(entry.value)))
            }
            return SpecNode(.object(SpecObject(entries)), at: node.location)
        default:
            return node
        }
    }
}
