import Foundation

/// A place in a spec file, for diagnostics (`file:line:column`). Lines and columns count from 1.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// One value of a loaded YAML or JSON document, with the place it was written.
///
/// The whole loader works on this tree rather than on a decoded OpenAPI model so that every
/// later stage can point at the exact line a problem comes from.
public struct SpecNode: Sendable {
    public enum Value: Sendable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
        case array([SpecNode])
        case object(SpecObject)
    }

    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }

    public var string: String? { if case .string(let s) = value { return s }; return nil }
    public var bool: Bool? { if case .bool(let b) = value { return b }; return nil }
    public var int: Int? {
        switch value {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int(d)
        default: return nil
        }
    }
    public var double: Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    public var array: [SpecNode]? { if case .array(let a) = value { return a }; return nil }
    public var object: SpecObject? { if case .object(let o) = value { return o }; return nil }
    public var isNull: Bool { if case .null = value { return true }; return false }

    public subscript(key: String) -> SpecNode? { object?[key] }

    /// A short name of the node's JSON type, for messages.
    public var typeName: String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The value as plain JSON text (for examples, defaults and `const`).
    public var jsonText: String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? String(d) : "null"
        case .string(let s): return Self.quoted(s)
        case .array(let items): return "[" + items.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let object):
            return "{"
                + object.entries.map { Self.quoted($0.key) + ":" + $0.value.jsonText }
                .joined(separator: ",") + "}"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// An object's members in the order they were written (generated code follows that order).
public struct SpecObject: Sendable {
    public struct Entry: Sendable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: SpecNode

        public init(key: String, keyLocation: SourceLocation, value: SpecNode) {
            self.key = key
            self.keyLocation = keyLocation
            self.value = value
        }
    }

    public private(set) var entries: [Entry]
    private var index: [String: Int]

    /// Small objects (most of a spec) are searched in order; large ones get an index.
    private static let indexThreshold = 12

    public init(_ entries: [Entry]) {
        self.entries = entries
        var index: [String: Int] = [:]
        if entries.count > Self.indexThreshold {
            index.reserveCapacity(entries.count)
            for (i, entry) in entries.enumerated() where index[entry.key] == nil { index[entry.key] = i }
        }
        self.index = index
    }

    private func position(_ key: String) -> Int? {
        entries.count > Self.indexThreshold ? index[key] : entries.firstIndex { $0.key == key }
    }

    public subscript(key: String) -> SpecNode? {
        position(key).map { entries[$0].value }
    }

    public func keyLocation(_ key: String) -> SourceLocation? {
        position(key).map { entries[$0].keyLocation }
    }

    public var keys: [String] { entries.map(\.key) }
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
}
