import Foundation

/// Where a `$ref` points: a file and a JSON pointer inside it (RFC 6901 tokens, unescaped).
public struct RefKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var pointer: [String]

    public init(file: String, pointer: [String]) {
        self.file = file
        self.pointer = pointer
    }

    public var description: String {
        "\(file)#/"
            + pointer.map(RefKey.escape)
            .joined(separator: "/")
    }

    public static func < (lhs: RefKey, rhs: RefKey) -> Bool { lhs.description < rhs.description }

    /// The last token and the depth only: the keys of a spec mostly differ in their last token, and
    /// hashing the file path and every token made the reader's and translator's lookups cost more.
    /// (Equality still compares the file and every token.)
    public func hash(into hasher: inout Hasher) {
        hasher.combine(pointer.count)
        hasher.combine(pointer.last)
    }

    /// A JSON pointer token (RFC 6901): `~` → `~0`, `/` → `~1`; most tokens have neither.
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

/// The loaded files of one spec: the root document and every file a relative `$ref` reaches.
///
/// Reading files goes through `readFile`, so tests (and other callers) can supply text from
/// memory; everything else here is pure.
public final class SpecDocuments: @unchecked Sendable {
    public let rootFile: String
    public let root: SpecNode
    private var documents: [String: SpecNode]
    private let readFile: (String) throws -> String
    /// Every `$ref` text read so far, split: a large spec writes the same few thousand refs tens of
    /// thousands of times.
    private var refKeys: [RefSite: RefKey] = [:]
    /// Guards `documents` and `refKeys`: a large spec is read on several cores (`DocumentReader`).
    private let lock = NSLock()

    /// A `$ref` text and the file it is written in.
    private struct RefSite: Hashable {
        var ref: String
        var file: String

        /// The text only: most refs are written in the root file, and equality compares the file.
        func hash(into hasher: inout Hasher) { hasher.combine(ref) }
    }

    /// Loads the root document. `readFile` receives paths built from the root file's directory.
    public init(rootFile: String, readFile: @escaping (String) throws -> String) throws(Diagnostic) {
        self.rootFile = rootFile
        self.readFile = readFile
        let text: String
        do { text = try readFile(rootFile) } catch {
            throw .error(
                "cannot read the spec: \(Self.describe(error))", at: SourceLocation(file: rootFile, line: 1, column: 1))
        }
        root = try SpecParser.parse(text, file: rootFile)
        documents = [rootFile: root]
    }

    /// Loads a spec from disk.
    public static func load(path: String) throws(Diagnostic) -> SpecDocuments {
        try SpecDocuments(rootFile: path) { path in
            guard FileManager.default.fileExists(atPath: path) else {
                throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
            }
            return try readUTF8(path)
        }
    }

    /// The file's text, refused when it is not UTF-8. (Decoded by the standard library and checked
    /// byte for byte: Foundation's `String(contentsOfFile:encoding:)` took twice as long on a large spec.)
    static func readUTF8(_ path: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let text = String(decoding: data, as: UTF8.self)
        // Invalid bytes are replaced while decoding, so the text then differs from the file.
        var decoded = text
        let same = decoded.withUTF8 { utf8 in
            data.withUnsafeBytes { raw in
                utf8.count == raw.count && (raw.isEmpty || memcmp(utf8.baseAddress!, raw.baseAddress!, raw.count) == 0)
            }
        }
        guard same else { throw CocoaError(.fileReadInapplicableStringEncoding, userInfo: [NSFilePathErrorKey: path]) }
        return decoded
    }

    static func describe(_ error: Error) -> String {
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileReadNoSuchFile, .fileNoSuchFile: return "no such file"
            case .fileReadInapplicableStringEncoding: return "the file is not UTF-8 text"
            case .fileReadNoPermission: return "permission denied"
            default: break
            }
        }
        return error.localizedDescription
    }

    /// The document at `file`, loading it on first use.
    public func document(_ file: String, referencedAt location: SourceLocation) throws(Diagnostic) -> SpecNode {
        lock.lock()
        defer { lock.unlock() }
        if let doc = documents[file] { return doc }
        let text: String
        do { text = try readFile(file) } catch {
            throw .error("cannot read '\(file)' referenced here: \(Self.describe(error))", at: location)
        }
        let doc = try SpecParser.parse(text, file: file)
        documents[file] = doc
        return doc
    }

    /// Splits a `$ref` value into the file and pointer it names, relative to the file it is in.
    public func key(for ref: String, in file: String, at location: SourceLocation) throws(Diagnostic) -> RefKey {
        let site = RefSite(ref: ref, file: file)
        if let known = lock.withLock({ refKeys[site] }) { return known }
        // (A ref that cannot be split is not remembered: each place it is written is reported.)
        let key = try splitRef(ref, in: file, at: location)
        lock.withLock { refKeys[site] = key }
        return key
    }

    private func splitRef(_ ref: String, in file: String, at location: SourceLocation) throws(Diagnostic) -> RefKey {
        // Split over the bytes (`#` and `/` are ASCII): splitting by characters was most of reading a ref.
        let hash = ref.utf8.firstIndex(of: UInt8(ascii: "#"))
        let filePart = String(ref[..<(hash ?? ref.endIndex)])
        let fragment = hash.map { ref[ref.utf8.index(after: $0)...] } ?? ""
        var target = file
        if !filePart.isEmpty {
            if filePart.contains("://") {
                throw .error(
                    "remote $ref '\(ref)' is not supported; download the file and refer to it by a relative path",
                    at: location)
            }
            let decoded = filePart.removingPercentEncoding ?? filePart
            if decoded.hasPrefix("/") {
                target = decoded
            } else {
                let base = (file as NSString).deletingLastPathComponent
                target = ((base.isEmpty ? decoded : base + "/" + decoded) as NSString).standardizingPath
            }
        }
        if fragment.isEmpty { return RefKey(file: target, pointer: []) }
        guard fragment.hasPrefix("/") else {
            throw .error(
                "$ref '\(ref)' has a fragment that is not a JSON pointer (anchors are not supported)", at: location)
        }
        var tokens: [String] = []
        let bytes = fragment.utf8
        var start = bytes.index(after: bytes.startIndex)
        for index in bytes.indices[start...] where bytes[index] == UInt8(ascii: "/") {
            tokens.append(Self.pointerToken(fragment[start..<index]))
            start = bytes.index(after: index)
        }
        tokens.append(Self.pointerToken(fragment[start...]))
        return RefKey(file: target, pointer: tokens)
    }

    /// A JSON pointer token as written in a ref, decoded.
    private static func pointerToken(_ token: Substring) -> String {
        // Most tokens have neither `%` nor `~`: nothing to decode.
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "~") }) else {
            return String(token)
        }
        let unescaped = (String(token).removingPercentEncoding ?? String(token))
        return unescaped.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    /// The node a key names.
    public func node(at key: RefKey, referencedAt location: SourceLocation) throws(Diagnostic) -> SpecNode {
        var node = try document(key.file, referencedAt: location)
        for (depth, token) in key.pointer.enumerated() {
            let next: SpecNode?
            switch node.value {
            case .object(let object): next = object[token]
            case .array(let items): next = Int(token).flatMap { $0 >= 0 && $0 < items.count ? items[$0] : nil }
            default: next = nil
            }
            guard let next else {
                let prefix = RefKey(file: key.file, pointer: Array(key.pointer.prefix(depth + 1)))
                throw .error("unresolved $ref '\(key)': nothing at '\(prefix)'", at: location)
            }
            node = next
        }
        return node
    }

    /// Follows `$ref` chains from `node` (written in `file`) to the first node that is not a
    /// bare reference. Returns that node, its key (nil when `node` was not a reference) and the
    /// file it is in. A chain that comes back to itself is an error.
    public func followRefs(
        _ node: SpecNode, in file: String
    ) throws(Diagnostic) -> (node: SpecNode, key: RefKey?, file: String) {
        var current = node
        var currentFile = file
        var key: RefKey?
        var visited: [RefKey] = []
        while let ref = current["$ref"] {
            guard let refText = ref.string else { throw .error("$ref must be a string", at: ref.location) }
            let next = try self.key(for: refText, in: currentFile, at: ref.location)
            if visited.contains(next) {
                let chain = (visited + [next]).map(\.description).joined(separator: " -> ")
                throw .error("$ref cycle: \(chain)", at: ref.location)
            }
            visited.append(next)
            current = try self.node(at: next, referencedAt: ref.location)
            currentFile = next.file
            key = next
        }
        return (current, key, currentFile)
    }
}
