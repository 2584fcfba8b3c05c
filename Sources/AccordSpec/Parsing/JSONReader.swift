/// Reads a JSON spec straight into the located `SpecNode` tree, without going through a YAML parser.
///
/// The tree is the one the YAML reader builds for the same text (JSON is YAML): the same scalar
/// types (numbers through `SpecParser.plainScalar`), the same `line:column` on every node
/// (columns count Unicode scalars, as libyaml does), the same duplicate-key error. Text that is not
/// strict JSON (comments, trailing commas, YAML flow style) is left to the YAML reader, which
/// accepts it or reports where it goes wrong.
struct JSONReader {
    enum Failure: Error {
        /// Not strict JSON: read it as YAML instead.
        case notJSON
        case diagnostic(Diagnostic)
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let file: String
    private let limits: ReadingLimits
    private var position = 0
    private var line = 1
    private var lineStart = 0
    /// Column counting resumes from the last place asked for on the line (places only move forward).
    private var columnOffset = 0
    private var column = 1

    private init(_ bytes: UnsafeBufferPointer<UInt8>, file: String, limits: ReadingLimits) {
        self.bytes = bytes
        self.file = file
        self.limits = limits
    }

    /// Whether the text looks like JSON at all: its first non-blank byte opens an object or array.
    static func looksLikeJSON(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF: continue  // blanks and a byte-order mark
            case UInt8(ascii: "{"), UInt8(ascii: "["): return true
            default: return false
            }
        }
        return false
    }

    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String,
        limits: ReadingLimits
    ) throws(Failure) -> SpecNode {
        var reader = JSONReader(bytes, file: file, limits: limits)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            reader.position = 3
            reader.lineStart = 3
            reader.columnOffset = 3
        }
        reader.skipBlanks()
        let root = try reader.value(depth: 0)
        reader.skipBlanks()
        guard reader.position == bytes.count else { throw .notJSON }
        return root
    }

    /// The members of an object written from `bytes`' start to its end (`"a": 1, "b": 2`): a piece
    /// of a larger object that begins on line `lineOffset + 1`, inside objects `depth` deep.
    /// `endsWithComma`: the piece is not the object's last, and its last member is followed by the
    /// comma that separates it from the next piece's first. A key twice in the piece is not read
    /// here (the whole file is read again and reports it).
    static func members(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String, limits: ReadingLimits, lineOffset: Int, depth: Int,
        endsWithComma: Bool
    ) throws(Failure) -> [SpecObject.Entry] {
        var reader = JSONReader(bytes, file: file, limits: limits)
        reader.line = lineOffset + 1
        var entries: [SpecObject.Entry] = []
        var keys = Set<String>()
        while true {
            reader.skipBlanks()
            let (key, keyLocation) = try reader.memberKey()
            guard keys.insert(key).inserted else { throw .notJSON }
            try reader.memberColon()
            entries.append(SpecObject.Entry(key: key, keyLocation: keyLocation, value: try reader.value(depth: depth)))
            reader.skipBlanks()
            if reader.position == bytes.count, !endsWithComma { return entries }
            guard reader.position < bytes.count, bytes[reader.position] == UInt8(ascii: ",") else { throw .notJSON }
            reader.position += 1
            reader.skipBlanks()
            if reader.position == bytes.count, endsWithComma { return entries }
        }
    }

    private var here: SourceLocation {
        mutating get {
            if columnOffset < lineStart {
                columnOffset = lineStart
                column = 1
            }
            while columnOffset < position {
                if bytes[columnOffset] & 0xC0 != 0x80 { column += 1 }
                columnOffset += 1
            }
            return SourceLocation(file: file, line: line, column: column)
        }
    }

    private mutating func skipBlanks() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0D: position += 1
            case 0x0A:
                position += 1
                line += 1
                lineStart = position
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(Failure) -> SpecNode {
        guard position < bytes.count else { throw .notJSON }
        let location = here
        switch bytes[position] {
        case UInt8(ascii: "{"):
            return try object(at: location, depth: depth + 1)
        case UInt8(ascii: "["):
            guard depth + 1 <= limits.maxDepth else { throw tooDeep(location) }
            position += 1
            var items: [SpecNode] = []
            skipBlanks()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return SpecNode(.array(items), at: location)
            }
            while true {
                skipBlanks()
                items.append(try value(depth: depth + 1))
                skipBlanks()
                guard position < bytes.count else { throw .notJSON }
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "]") { break }
                guard byte == UInt8(ascii: ",") else { throw .notJSON }
            }
            return SpecNode(.array(items), at: location)
        case UInt8(ascii: "\""):
            return SpecNode(.string(try string()), at: location)
        case UInt8(ascii: "t"):
            try literal("true")
            return SpecNode(.bool(true), at: location)
        case UInt8(ascii: "f"):
            try literal("false")
            return SpecNode(.bool(false), at: location)
        case UInt8(ascii: "n"):
            try literal("null")
            return SpecNode(.null, at: location)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = position
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                    UInt8(ascii: "e"), UInt8(ascii: "E"):
                    position += 1
                default:
                    let number = SpecParser.plainScalar(text(start..<position))
                    if case .string = number { throw .notJSON }
                    return SpecNode(number, at: location)
                }
            }
            throw .notJSON
        default:
            throw .notJSON
        }
    }

    private mutating func object(at location: SourceLocation, depth: Int) throws(Failure) -> SpecNode {
        guard depth <= limits.maxDepth else { throw tooDeep(location) }
        position += 1
        var entries: [SpecObject.Entry] = []
        var keySet: Set<String>?
        skipBlanks()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return SpecNode(.object(SpecObject(entries)), at: location)
        }
        while true {
            skipBlanks()
            let (key, keyLocation) = try memberKey()
            // The same duplicate rule as the YAML reader: small objects searched, large ones indexed.
            if entries.count < 16 {
                if let first = entries.first(where: { $0.key == key }) {
                    throw .diagnostic(SpecParser.duplicateKey(key, first: first.keyLocation, again: keyLocation))
                }
            } else {
                if keySet == nil { keySet = Set(entries.map(\.key)) }
                if keySet?.insert(key).inserted == false {
                    let first = entries.first { $0.key == key }?.keyLocation ?? keyLocation
                    throw .diagnostic(SpecParser.duplicateKey(key, first: first, again: keyLocation))
                }
            }
            try memberColon()
            entries.append(SpecObject.Entry(key: key, keyLocation: keyLocation, value: try value(depth: depth)))
            skipBlanks()
            guard position < bytes.count else { throw .notJSON }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "}") { break }
            guard byte == UInt8(ascii: ",") else { throw .notJSON }
        }
        return SpecNode(.object(SpecObject(entries)), at: location)
    }

    /// A member's key at `position`, and where it is written.
    private mutating func memberKey() throws(Failure) -> (String, SourceLocation) {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw .notJSON }
        let keyLocation = here
        return (try string(), keyLocation)
    }

    /// The `:` after a member's key; leaves `position` at the value.
    private mutating func memberColon() throws(Failure) {
        skipBlanks()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw .notJSON }
        position += 1
        skipBlanks()
    }

    private func tooDeep(_ location: SourceLocation) -> Failure {
        .diagnostic(.error("the document nests deeper than \(limits.maxDepth) levels", at: location))
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw .notJSON }
        for i in 0..<count where bytes[position + i] != word.utf8Start[i] { throw .notJSON }
        position += count
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// A string at `position` (its opening quote); leaves `position` after the closing quote.
    private mutating func string() throws(Failure) -> String {
        position += 1
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return text(start..<(position - 1))
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw .notJSON }
            position += 1
        }
        // Escapes: decode into a buffer from here on.
        var buffer = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { throw .notJSON }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escape)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A surrogate pair: the low half must follow.
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                            bytes[position + 1] == UInt8(ascii: "u")
                        else { throw .notJSON }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw .notJSON }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw .notJSON }
                    buffer.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw .notJSON
                }
            default:
                if byte < 0x20 { throw .notJSON }
                buffer.append(byte)
            }
        }
        throw .notJSON
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard position + 4 <= bytes.count else { throw .notJSON }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            position += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .notJSON
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
