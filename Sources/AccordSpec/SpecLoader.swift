import Foundation
import Yams

/// Parses YAML or JSON text into a `SpecNode` tree that remembers where each value was written.
///
/// Scalars follow the YAML 1.2 core schema (the one JSON and OpenAPI 3.1 assume): only
/// `true`/`false`, `null`/`~`, and plain numbers are typed; everything quoted is a string.
public enum SpecParser {
    public static func parse(_ text: String, file: String) throws(Diagnostic) -> SpecNode {
        // (Stops at the first non-blank byte: no copy of a multi-megabyte spec.)
        if text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw .error("the file is empty", at: SourceLocation(file: file, line: 1, column: 1))
        }
        let root: Node?
        do {
            // No implicit tag rules: this parser types plain scalars itself (YAML 1.2 core).
            root = try Yams.compose(yaml: text, .basic, .default)
        } catch let error as YamlError {
            throw diagnostic(for: error, file: file)
        } catch {
            throw .error("cannot parse: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
        guard let root else {
            throw .error("the file holds no document", at: SourceLocation(file: file, line: 1, column: 1))
        }
        return try convert(root, file: file)
    }

    private static func location(_ mark: Mark?, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private static func convert(_ node: Node, file: String) throws(Diagnostic) -> SpecNode {
        switch node {
        case .scalar(let scalar):
            let loc = location(scalar.mark, file)
            if scalar.style != .plain {
                return SpecNode(.string(scalar.string), at: loc)
            }
            return SpecNode(plainScalar(scalar.string), at: loc)
        case .sequence(let sequence):
            var items: [SpecNode] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try convert(item, file: file)) }
            return SpecNode(.array(items), at: location(sequence.mark, file))
        case .mapping(let mapping):
            var entries: [SpecObject.Entry] = []
            entries.reserveCapacity(mapping.count)
            var seen = Set<String>()
            for (key, value) in mapping {
                let keyLoc = location(key.mark, file)
                guard let keyText = key.scalar?.string else {
                    throw .error("a mapping key must be a plain string", at: keyLoc)
                }
                if keyText == "<<" {
                    throw .error("YAML merge keys (`<<`) are not supported; write the members out", at: keyLoc)
                }
                if !seen.insert(keyText).inserted {
                    throw .error("duplicate key '\(keyText)'", at: keyLoc)
                }
                entries.append(.init(key: keyText, keyLocation: keyLoc, value: try convert(value, file: file)))
            }
            return SpecNode(.object(SpecObject(entries)), at: location(mapping.mark, file))
        case .alias(let alias):
            throw .error("YAML aliases are not supported (alias '\(alias.anchor)')", at: location(alias.mark, file))
        }
    }

    static func plainScalar(_ text: String) -> SpecNode.Value {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        guard let first = text.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
        else { return .string(text) }
        if let i = Int(text) { return .int(i) }
        if text.hasPrefix("0x"), let i = Int(text.dropFirst(2), radix: 16) { return .int(i) }
        if text.hasPrefix("0o"), let i = Int(text.dropFirst(2), radix: 8) { return .int(i) }
        if isDecimalNumber(text), let d = Double(text) { return .double(d) }
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: return .string(text)
        }
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` without a regular expression:
    /// this runs for every plain scalar that starts like a number.
    static func isDecimalNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        let intDigits = bytes.prefix(while: isDigit).count
        bytes = bytes.dropFirst(intDigits)
        var fractionDigits = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fractionDigits = bytes.prefix(while: isDigit).count
            bytes = bytes.dropFirst(fractionDigits)
        }
        guard intDigits > 0 || fractionDigits > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            let exponentDigits = bytes.prefix(while: isDigit).count
            guard exponentDigits > 0 else { return false }
            bytes = bytes.dropFirst(exponentDigits)
        }
        return bytes.isEmpty
    }

    private static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
             .composer(_, let problem, let mark, _):
            return .error("malformed YAML: \(problem)", at: location(mark, file))
        case .reader(let problem, _, _, _):
            return .error("cannot read: \(problem)", at: location(nil, file))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .error("duplicate key '\(duplicates.joined(separator: "', '"))'", at: location(context.mark, file))
        default:
            return .error("malformed YAML: \(error)", at: location(nil, file))
        }
    }
}
