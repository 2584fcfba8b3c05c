/// Parses YAML or JSON text into a `SpecNode` tree that remembers where each value was written.
///
/// Scalars follow the YAML 1.2 core schema (the one JSON and OpenAPI 3.1 assume): only
/// `true`/`false`, `null`/`~`, and plain numbers are typed; everything quoted is a string.
/// JSON is read by its own reader; YAML from libyaml's events (see `YAMLEventReader`). Both hold
/// the file to `ReadingLimits`.
public enum SpecParser {
    public static func parse(
        _ text: String, file: String, limits: ReadingLimits = .standard
    ) throws(Diagnostic) -> SpecNode {
        var text = text
        // Native strings are contiguous; this makes any other one so, once.
        text.makeContiguousUTF8()
        let result = text.utf8.withContiguousStorageIfAvailable { bytes in
            parse(bytes, file: file, limits: limits)
        }
        guard let result else {
            throw .error("cannot read the text", at: SourceLocation(file: file, line: 1, column: 1))
        }
        return try result.get()
    }

    static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String,
        limits: ReadingLimits
    ) -> Result<SpecNode, Diagnostic> {
        // (Stops at the first non-blank byte: no copy of a multi-megabyte spec.)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            return .failure(.error("the file is empty", at: SourceLocation(file: file, line: 1, column: 1)))
        }
        if JSONReader.looksLikeJSON(bytes) {
            // A large file is read in pieces on every core when it can be cut safely.
            if let root = JSONPieces.read(bytes, file: file, limits: limits) { return .success(root) }
            do {
                return .success(try JSONReader.read(bytes, file: file, limits: limits))
            } catch .diagnostic(let diagnostic) {
                return .failure(diagnostic)
            } catch {
                // Not strict JSON (YAML flow style, comments…): the YAML reader decides.
            }
        }
        // A large file is read in pieces on every core when it can be cut safely.
        if let root = YAMLPieces.read(bytes, file: file, limits: limits) { return .success(root) }
        switch YAMLEventReader.read(bytes, file: file, limits: limits) {
        case .success(let root?): return .success(root)
        case .success(nil):
            return .failure(.error("the file holds no document", at: SourceLocation(file: file, line: 1, column: 1)))
        case .failure(let diagnostic): return .failure(diagnostic)
        }
    }

    static func duplicateKey(_ key: String, first: SourceLocation, again: SourceLocation) -> Diagnostic {
        .error("duplicate key '\(key)' (again at line \(again.line), column \(again.column))", at: first)
    }

    static func plainScalar(_ text: String) -> SpecNode.Value {
        // Most plain scalars are words: one byte decides they are strings.
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
            UInt8(ascii: "f"), UInt8(ascii: "F"):
            switch text {
            case "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: return .string(text)
            }
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"): break
        default: return .string(text)
        }
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
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            bytes = bytes.dropFirst()
        }
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
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                bytes = bytes.dropFirst()
            }
            let exponentDigits = bytes.prefix(while: isDigit).count
            guard exponentDigits > 0 else { return false }
            bytes = bytes.dropFirst(exponentDigits)
        }
        return bytes.isEmpty
    }
}
