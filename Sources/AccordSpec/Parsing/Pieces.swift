import Foundation

/// A large spec's mappings read in pieces on every core and joined in file order, for the YAML and
/// the JSON reader alike (`YAMLPieces`, `JSONPieces`): each decides where its text may be cut.
enum Pieces {
    /// Files smaller than this are read whole: cutting would cost more than it saves.
    static let minimumSize = 256 * 1024

    /// The size pieces are cut to, in bytes; nil when a file of `count` bytes is read whole (small,
    /// or one core). Several pieces a core, so that the cores stay busy to the end.
    static func target(_ count: Int, cores: Int) -> Int? {
        guard cores > 1, count >= minimumSize else { return nil }
        return max(count / (cores * 6), 16 * 1024)
    }

    /// A part of a mapping: a run of whole entries read as a mapping of their own, or one entry
    /// whose value is a mapping cut in turn.
    indirect enum Part {
        case entries(Unit)
        /// `value`: where the mapping starts when that is not its first key (JSON's brace);
        /// `skipped`: the bytes no piece holds (the key's line, the comments around it).
        case mapping(
            key: String, line: Int, column: Int, value: (line: Int, column: Int)?, skipped: Range<Int>,
            parts: [Part])
    }

    struct Unit: Sendable {
        var bytes: Range<Int>
        /// Lines before it in the file, and mappings it is nested in.
        var firstLine: Int
        var depth: Int
        /// The run ends its mapping.
        var last: Bool
    }

    /// A unit read: its entries, and where the mapping holding them starts when they are its first.
    struct Read: Sendable {
        var entries: [SpecObject.Entry]
        var start: SourceLocation
    }

    /// The file's bytes, read by every worker and alive until they are done.
    struct SharedBytes: @unchecked Sendable {
        let bytes: UnsafeBufferPointer<UInt8>
    }

    /// Calls `body` with each line's start, end (its newline or the end of the text) and first
    /// byte after its leading spaces; false from `body`, or a tab in a line's indentation, stops
    /// the walk and gives false.
    static func eachLine(
        _ bytes: UnsafeBufferPointer<UInt8>, _ body: (_ start: Int, _ end: Int, _ content: Int) -> Bool
    ) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var start = 0
        while start < bytes.count {
            var end = bytes.count
            if let newline = memchr(base + start, 0x0A, bytes.count - start) {
                end = UnsafeRawPointer(newline) - UnsafeRawPointer(base)
            }
            var content = start
            while content < end, bytes[content] == 0x20 { content += 1 }
            if content < end, bytes[content] == 0x09 { return false }
            guard body(start, end, content) else { return false }
            start = end + 1
        }
        return true
    }

    static func units(_ parts: [Part]) -> [Unit] {
        parts.flatMap { part -> [Unit] in
            switch part {
            case .entries(let unit): [unit]
            case .mapping(_, _, _, _, _, let inner): units(inner)
            }
        }
    }

    /// Whether the plan cuts anything at all.
    static func cuts(_ parts: [Part]) -> Bool {
        parts.count > 1 || parts.contains { if case .mapping = $0 { true } else { false } }
    }

    /// Reads each unit on the machine's cores with `read`, and joins what they give; nil when one
    /// gives nil or a key repeats across them.
    /// `rootStart`: where the root mapping starts, when that is not its first key (JSON's brace).
    static func read(
        _ parts: [Part], bytes: UnsafeBufferPointer<UInt8>, file: String, rootStart: SourceLocation? = nil,
        _ read: @escaping @Sendable (UnsafeBufferPointer<UInt8>, Unit, String) -> Read?
    ) -> SpecNode? {
        let shared = SharedBytes(bytes: bytes)
        let results = ParallelWork.map(units(parts)) { unit -> Read? in
            // Every location holds the file's name: one string shared by all workers had its
            // reference count bounced between cores at every node, which cost more than the reading.
            let ownFile = String(decoding: Array(file.utf8), as: UTF8.self)
            return read(UnsafeBufferPointer(rebasing: shared.bytes[unit.bytes]), unit, ownFile)
        }
        var next = 0
        return join(parts, results: results, next: &next, file: file, start: rootStart)
    }

    /// The pieces' mappings joined in file order.
    private static func join(
        _ parts: [Part], results: [Read?], next: inout Int, file: String, start: SourceLocation?
    ) -> SpecNode? {
        var entries: [SpecObject.Entry] = []
        var keys = Set<String>()
        var start = start
        for part in parts {
            switch part {
            case .entries:
                guard let read = results[next] else { return nil }
                next += 1
                if start == nil { start = read.start }
                for entry in read.entries {
                    guard keys.insert(entry.key).inserted else { return nil }
                    entries.append(entry)
                }
            case .mapping(let key, let line, let column, let value, _, let inner):
                let keyLocation = SourceLocation(file: file, line: line + 1, column: column + 1)
                if start == nil { start = keyLocation }
                let valueStart = value.map { SourceLocation(file: file, line: $0.line + 1, column: $0.column + 1) }
                guard keys.insert(key).inserted,
                    let node = join(inner, results: results, next: &next, file: file, start: valueStart)
                else { return nil }
                entries.append(SpecObject.Entry(key: key, keyLocation: keyLocation, value: node))
            }
        }
        guard let start else { return nil }
        return SpecNode(.object(SpecObject(entries)), at: start)
    }
}
