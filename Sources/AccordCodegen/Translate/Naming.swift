import Foundation

/// Turning wire names into Swift identifiers that read as if written by hand.
enum Naming {
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
        "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
        "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
        "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return",
        "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self",
        "super", "throws", "true", "try", "Type", "Protocol", "some", "any", "consume", "copy", "borrowing",
        "consuming", "package",
    ]

    /// Type names the generated code itself uses; a schema with one of these names gets a suffix.
    static let reservedTypeNames: Set<String> = [
        "Any", "Array", "Bool", "Codable", "Data", "Date", "Decodable", "Decoder", "Dictionary", "Double",
        "Encodable", "Encoder", "Equatable", "Error", "Float", "Hashable", "Int", "Int32", "Int64", "JSONValue",
        "Nullable", "Optional", "Protocol", "Result", "Self", "Sendable", "Set", "String", "Type", "URL",
        "UUID", "Void", "Never", "Character", "Substring", "Indirect", "Operations", "Foundation", "Task",
        "APIError", "ClientError", "HTTPRequest", "HTTPResponse", "TransportRequest", "TransportResponse",
        "HTTPTransport", "TokenProvider",
        "RequestInfo", "Router", "Request", "Response", "Validation", "SchemaRule", "FieldViolation",
        "ParameterValue", "FormEncoding", "ISO8601", "Created",
        // Hummingbird's, HTTPTypes' and NIO's, which the server module imports beside the models.
        "ByteBuffer", "HTTPError", "HTTPField", "HTTPFields", "RemoteAddressRequestContext", "RequestBody",
        "RequestContext", "ResponseBody", "RouterMiddleware", "Application", "Logger", "ResponseGenerator",
        "MiddlewareProtocol", "WireValues",
    ]

    /// Splits `snake_case`, `kebab-case`, `camelCase`, `dotted.names` and `HTTPHeader` into words.
    static func words(_ text: String) -> [String] {
        // Most names are ASCII: split them over bytes (the same rules, without Unicode properties).
        let bytes = Array(text.utf8)
        if bytes.allSatisfy({ $0 < 0x80 }) { return asciiWords(bytes) }
        var words: [String] = []
        var current = ""
        let chars = Array(text)
        for (i, c) in chars.enumerated() {
            if !(c.isLetter || c.isNumber) || !c.isASCII {
                if !current.isEmpty { words.append(current); current = "" }
                continue
            }
            if !current.isEmpty, let last = current.last {
                let next = i + 1 < chars.count ? chars[i + 1] : nil
                let lowerToUpper = (last.isLowercase || last.isNumber) && c.isUppercase
                let acronymEnd = last.isUppercase && c.isUppercase && (next?.isLowercase ?? false)
                if lowerToUpper || acronymEnd { words.append(current); current = "" }
            }
            current.append(c)
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `words` for ASCII text: letters and digits make words, anything else separates them.
    private static func asciiWords(_ bytes: [UInt8]) -> [String] {
        asciiWordRanges(bytes).map { String(decoding: bytes[$0], as: UTF8.self) }
    }

    /// Where each word of ASCII text is (see `words`).
    private static func asciiWordRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start: Int?
        for i in bytes.indices {
            let c = bytes[i]
            guard isUpper(c) || isLower(c) || isDigit(c) else {
                if let begun = start { words.append(begun..<i); start = nil }
                continue
            }
            if let begun = start {
                let last = bytes[i - 1]
                let nextIsLower = i + 1 < bytes.count && isLower(bytes[i + 1])
                let lowerToUpper = (isLower(last) || isDigit(last)) && isUpper(c)
                let acronymEnd = isUpper(last) && isUpper(c) && nextIsLower
                if lowerToUpper || acronymEnd {
                    words.append(begun..<i)
                    start = i
                }
            } else {
                start = i
            }
        }
        if let begun = start { words.append(begun..<bytes.count) }
        return words
    }

    private static func isUpper(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }
    private static func isLower(_ b: UInt8) -> Bool { b >= 97 && b <= 122 }
    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    private static func lowered(_ b: UInt8) -> UInt8 { isUpper(b) ? b + 32 : b }
    private static func uppered(_ b: UInt8) -> UInt8 { isLower(b) ? b - 32 : b }

    /// Acronyms of the web that every spec shares; an API's own (`OTP`, `SMS`…) come from
    /// accord.yaml's `acronyms:` through `extraAcronyms`.
    static let standardAcronyms: Set<String> = ["id", "url", "uri", "uuid", "http", "https", "json", "api", "ip"]
    /// The spec's own acronyms (lower-cased) for the generation under way.
    @TaskLocal static var extraAcronyms: Set<String> = []

    static func isAcronym(_ lower: String) -> Bool {
        standardAcronyms.contains(lower) || (!extraAcronyms.isEmpty && extraAcronyms.contains(lower))
    }

    private static func capitalized(_ word: String, acronymsUpper: Bool) -> String {
        let lower = word.lowercased()
        if acronymsUpper && isAcronym(lower) { return lower.uppercased() }
        if word == word.uppercased() && word.count > 1 { return lower.prefix(1).uppercased() + lower.dropFirst() }
        return word.prefix(1).uppercased() + word.dropFirst()
    }

    /// `todo_id` → `todoID`, `created_at` → `createdAt`, `X-Request-ID` → `xRequestID`.
    static func camelCase(_ text: String) -> String {
        let bytes = Array(text.utf8)
        if bytes.allSatisfy({ $0 < 0x80 }) { return asciiCamelCase(bytes) }
        let parts = words(text)
        guard let first = parts.first else { return "value" }
        var result =
            first == first.uppercased() && first.count > 1 && !isAcronym(first.lowercased())
            ? first.lowercased() : lowerFirst(first)
        if isAcronym(first.lowercased()) { result = first.lowercased() }
        for word in parts.dropFirst() { result += capitalized(word, acronymsUpper: true) }
        return identifier(result)
    }

    /// `camelCase` of ASCII text, the same rules over bytes (every member, case and method name
    /// goes through here: no string per word and per case change).
    private static func asciiCamelCase(_ bytes: [UInt8]) -> String {
        let words = asciiWordRanges(bytes)
        guard !words.isEmpty else { return "value" }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 1)
        for (position, range) in words.enumerated() {
            let word = bytes[range]
            let isFirst = position == 0
            let lower = word.map { lowered($0) }
            if isAcronym(String(decoding: lower, as: UTF8.self)) {
                // `id` → `id` first, `ID` after.
                result.append(contentsOf: isFirst ? lower : word.map { uppered($0) })
            } else if word.count > 1 && !word.contains(where: { isLower($0) }) {
                // `HTTP` → `http` first, `Http` after.
                result.append(isFirst ? lower[0] : word[range.lowerBound])
                result.append(contentsOf: lower.dropFirst())
            } else {
                result.append(isFirst ? lower[0] : uppered(word[range.lowerBound]))
                result.append(contentsOf: word.dropFirst())
            }
        }
        return identifier(String(decoding: result, as: UTF8.self))
    }

    /// `todo_status` → `TodoStatus`, `basic-error` → `BasicError`.
    static func pascalCase(_ text: String) -> String {
        let parts = words(text)
        guard !parts.isEmpty else { return "Value" }
        var result = parts.map { capitalized($0, acronymsUpper: false) }.joined()
        if let first = result.first, first.isNumber { result = "_" + result }
        return result
    }

    /// A type name; a spec name that already is a Swift type name is kept as written.
    static func typeName(_ text: String) -> String {
        // `^[A-Z][A-Za-z0-9]*$`, without a regular expression (this runs for every name).
        let isIdentifier =
            text.utf8.first.map { $0 >= 65 && $0 <= 90 } == true
            && text.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) }
        let name = isIdentifier ? text : pascalCase(text)
        return reservedTypeNames.contains(name) ? name + "Model" : name
    }

    private static func lowerFirst(_ word: String) -> String {
        word.prefix(1).lowercased() + word.dropFirst()
    }

    /// Escapes keywords and fixes a leading digit.
    static func identifier(_ name: String) -> String {
        var name = name
        if let first = name.first, first.isNumber { name = "_" + name }
        if name.isEmpty { name = "value" }
        // A member named `self` cannot be reached (`x.self` is `x`), and a parameter of that name hides `self`.
        if name == "self" { return "selfValue" }
        return keywords.contains(name) ? "`\(name)`" : name
    }

    /// The identifier without backticks (for composing other names).
    static func bare(_ name: String) -> String {
        // (Over the contiguous bytes: this runs for every name claimed.)
        let hasBacktick =
            name.utf8.withContiguousStorageIfAvailable { $0.contains(UInt8(ascii: "`")) }
            ?? name.utf8.contains(UInt8(ascii: "`"))
        return hasBacktick ? name.replacingOccurrences(of: "`", with: "") : name
    }

    /// A crude singular for naming array item types (`words` → `Word`).
    static func singular(_ name: String) -> String {
        if name.hasSuffix("ies") { return String(name.dropLast(3)) + "y" }
        if name.hasSuffix("sses") { return String(name.dropLast(2)) }
        if name.hasSuffix("s") && !name.hasSuffix("ss") && name.count > 3 { return String(name.dropLast()) }
        return name + "Item"
    }

    /// Makes names unique within a scope by numbering later ones.
    struct Scope {
        private var used: Set<String>
        /// Per base name (lower-cased): every numbered variant below this is taken. Many schemas
        /// share a base name (`Type`, `Item`), and counting up from 2 each time grew with their number.
        private var firstFree: [String: Int] = [:]

        /// `expectedCount`: about how many names will be claimed (the set grows once, not by doubling).
        init(reserved: Set<String> = [], expectedCount: Int = 0) {
            used = reserved
            if expectedCount > 0 { used.reserveCapacity(reserved.count + expectedCount) }
        }

        /// A free name like `name`; `avoiding` adds names this one must not take (lower-cased).
        mutating func claim(_ name: String, avoiding: Set<String> = []) -> String {
            let key = bare(name).lowercased()
            // (One hash of the key when the name is free.)
            if avoiding.isEmpty || !avoiding.contains(key), used.insert(key).inserted { return name }
            let base = bare(name)
            func numbered(_ n: Int) -> (name: String, key: String) {
                let candidate = identifier(base + String(n))
                return (candidate, bare(candidate).lowercased())
            }
            let known = firstFree[key] ?? 2
            var n = known
            var candidate = numbered(n)
            while used.contains(candidate.key) || avoiding.contains(candidate.key) {
                n += 1
                candidate = numbered(n)
            }
            used.insert(candidate.key)
            var free = known
            while used.contains(numbered(free).key) { free += 1 }
            firstFree[key] = free
            return candidate.name
        }
    }
}
