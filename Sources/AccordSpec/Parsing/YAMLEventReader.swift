internal import CYaml

/// Builds the located `SpecNode` tree straight from libyaml's event stream.
///
/// Yams' own node tree was most of the load time on large specs (every node built twice, once as a
/// Yams `Node` and again as a `SpecNode`), and Yams expands aliases without limit. This reader
/// builds each node once, keeps the same scalar typing (YAML 1.2 core schema, `SpecParser.plainScalar`),
/// and holds alias expansion and nesting to `ReadingLimits`.
struct YAMLEventReader {
    private let file: String
    private let limits: ReadingLimits
    /// Where the bytes read sit in the file, for a piece read on its own (`YAMLPieces`): lines
    /// before it, and the mappings it is nested in.
    private let lineOffset: Int
    private let depthOffset: Int
    /// An anchor was defined or an alias used: a piece that does either is read again with the whole file.
    private(set) var usedAnchors = false
    private var parser = yaml_parser_t()
    private var event = yaml_event_t()
    private var hasEvent = false

    /// An anchored node, with what one use of it adds to the document.
    private struct Anchored {
        var node: SpecNode
        /// The key text when the node is a scalar (a key may be an alias).
        var keyText: String?
        var size: Int
        var height: Int
    }

    /// A collection being read.
    private struct Frame {
        var isMapping: Bool
        var location: SourceLocation
        var anchor: String?
        var items: [SpecNode] = []
        var entries: [SpecObject.Entry] = []
        var pendingKey: (text: String, location: SourceLocation)?
        /// Large mappings get a key set for the duplicate check; small ones are searched.
        var keySet: Set<String>?
        var size = 1
        var height = 1
    }

    private var anchors: [String: Anchored] = [:]
    private var stack: [Frame] = []
    /// Nodes added by aliases so far (each use counts the whole anchored subtree).
    private var aliasNodes = 0

    init(file: String, limits: ReadingLimits, lineOffset: Int = 0, depthOffset: Int = 0) {
        self.file = file
        self.limits = limits
        self.lineOffset = lineOffset
        self.depthOffset = depthOffset
    }

    /// Reads the single document of `bytes` (UTF-8). `nil` when the stream holds no document.
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String,
        limits: ReadingLimits
    ) -> Result<SpecNode?, Diagnostic> {
        read(bytes, file: file, limits: limits, lineOffset: 0, depthOffset: 0).map(\.root)
    }

    /// Reads `bytes` as a document of its own that begins `lineOffset` lines into the file and
    /// `depthOffset` mappings deep (a piece of a larger file).
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>, file: String, limits: ReadingLimits, lineOffset: Int, depthOffset: Int
    ) -> Result<(root: SpecNode?, usedAnchors: Bool), Diagnostic> {
        var reader = YAMLEventReader(file: file, limits: limits, lineOffset: lineOffset, depthOffset: depthOffset)
        yaml_parser_initialize(&reader.parser)
        yaml_parser_set_encoding(&reader.parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(&reader.parser, bytes.baseAddress, bytes.count)
        defer {
            if reader.hasEvent { yaml_event_delete(&reader.event) }
            yaml_parser_delete(&reader.parser)
        }
        do {
            let root = try reader.readStream(bytes)
            return .success((root, reader.usedAnchors))
        } catch {
            return .failure(error)
        }
    }

    private mutating func next(_ bytes: UnsafeBufferPointer<UInt8>) throws(Diagnostic) -> yaml_event_type_t {
        if hasEvent {
            yaml_event_delete(&event)
            hasEvent = false
        }
        guard yaml_parser_parse(&parser, &event) == 1 else { throw parserError(bytes) }
        hasEvent = true
        return event.type
    }

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: lineOffset + Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private mutating func readStream(_ bytes: UnsafeBufferPointer<UInt8>) throws(Diagnostic) -> SpecNode? {
        _ = try next(bytes)  // STREAM-START
        guard try next(bytes) == YAML_DOCUMENT_START_EVENT else { return nil }
        var root: SpecNode?
        while root == nil {
            let type = try next(bytes)
            root = try handle(type)
        }
        _ = try next(bytes)  // DOCUMENT-END
        if try next(bytes) != YAML_STREAM_END_EVENT {
            throw .error(
                "the file holds more than one YAML document; a spec is one document",
                at: location(event.start_mark))
        }
        return root
    }

    /// Handles one node event; returns the root once the document's top node is complete.
    private mutating func handle(_ type: yaml_event_type_t) throws(Diagnostic) -> SpecNode? {
        let here = location(event.start_mark)
        switch type {
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE
            if let top = stack.last, top.isMapping, top.pendingKey == nil {
                if isPlain && text == "<<" {
                    throw .error("YAML merge keys (`<<`) are not supported; write the members out", at: here)
                }
                try setKey(text, at: here)
                if let anchor = Self.string(scalar.anchor) {
                    usedAnchors = true
                    anchors[anchor] = Anchored(
                        node: SpecNode(.string(text), at: here), keyText: text, size: 1, height: 1)
                }
                return nil
            }
            let value: SpecNode.Value
            if !isPlain || Self.isExplicitString(scalar.tag) {
                value = .string(text)
            } else {
                value = SpecParser.plainScalar(text)
            }
            let node = SpecNode(value, at: here)
            if let anchor = Self.string(scalar.anchor) {
                usedAnchors = true
                anchors[anchor] = Anchored(node: node, keyText: text, size: 1, height: 1)
            }
            return add(node, size: 1, height: 1)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            if let top = stack.last, top.isMapping, top.pendingKey == nil {
                throw .error("a mapping key must be a plain string", at: here)
            }
            if depthOffset + stack.count >= limits.maxDepth {
                throw .error("the document nests deeper than \(limits.maxDepth) levels", at: here)
            }
            let isMapping = type == YAML_MAPPING_START_EVENT
            let anchor = Self.string(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
            stack.append(Frame(isMapping: isMapping, location: here, anchor: anchor))
            return nil
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            let node =
                frame.isMapping
                ? SpecNode(.object(SpecObject(frame.entries)), at: frame.location)
                : SpecNode(.array(frame.items), at: frame.location)
            if let anchor = frame.anchor {
                usedAnchors = true
                anchors[anchor] = Anchored(node: node, keyText: nil, size: frame.size, height: frame.height)
            }
            return add(node, size: frame.size, height: frame.height)
        case YAML_ALIAS_EVENT:
            usedAnchors = true
            let name = Self.string(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                throw .error("YAML alias '*\(name)' names no anchor defined before it", at: here)
            }
            if let top = stack.last, top.isMapping, top.pendingKey == nil {
                guard let keyText = anchored.keyText else {
                    throw .error("a mapping key must be a plain string", at: here)
                }
                try setKey(keyText, at: here)
                return nil
            }
            aliasNodes += anchored.size
            if aliasNodes > limits.maxAliasNodes {
                throw .error(
                    """
                    YAML alias '*\(name)' expands the document past \(limits.maxAliasNodes) nodes made by aliases \
                    (an alias bomb?); refer to shared parts with $ref instead
                    """, at: here)
            }
            if depthOffset + stack.count + anchored.height > limits.maxDepth {
                throw .error("YAML alias '*\(name)' nests the document deeper than \(limits.maxDepth) levels", at: here)
            }
            // The subtree is shared, not copied: its arrays are copy-on-write.
            return add(
                SpecNode(anchored.node.value, at: anchored.node.location), size: anchored.size,
                height: anchored.height)
        default:
            throw .error("malformed YAML: unexpected event", at: here)
        }
    }

    private mutating func setKey(_ text: String, at location: SourceLocation) throws(Diagnostic) {
        let top = stack.count - 1
        let count = stack[top].entries.count
        if count < 16 {
            if let first = stack[top].entries.first(where: { $0.key == text }) {
                throw duplicate(text, first: first.keyLocation, again: location)
            }
        } else {
            if stack[top].keySet == nil { stack[top].keySet = Set(stack[top].entries.map(\.key)) }
            if stack[top].keySet?.insert(text).inserted == false {
                let first = stack[top].entries.first { $0.key == text }?.keyLocation ?? location
                throw duplicate(text, first: first, again: location)
            }
        }
        stack[top].pendingKey = (text, location)
    }

    private func duplicate(_ key: String, first: SourceLocation, again: SourceLocation) -> Diagnostic {
        SpecParser.duplicateKey(key, first: first, again: again)
    }

    /// Adds a finished node to the collection being read; returns it when it is the root.
    private mutating func add(_ node: SpecNode, size: Int, height: Int) -> SpecNode? {
        let top = stack.count - 1
        guard top >= 0 else { return node }
        stack[top].size += size
        stack[top].height = max(stack[top].height, height + 1)
        if let key = stack[top].pendingKey {
            stack[top].entries.append(SpecObject.Entry(key: key.text, keyLocation: key.location, value: node))
            stack[top].pendingKey = nil
        } else {
            stack[top].items.append(node)
        }
        return nil
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    /// `!!str 123`: a plain scalar the author tagged as a string.
    private static func isExplicitString(_ tag: UnsafeMutablePointer<yaml_char_t>?) -> Bool {
        guard let tag else { return false }
        return String(cString: tag) == "tag:yaml.org,2002:str"
    }

    private func parserError(_ bytes: UnsafeBufferPointer<UInt8>) -> Diagnostic {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            return .error("out of memory while reading YAML", at: SourceLocation(file: file, line: 1, column: 1))
        case YAML_READER_ERROR:
            // (An encoding problem: only a byte offset is known.)
            let offset = min(parser.problem_offset, bytes.count)
            var line = lineOffset + 1, lineStart = 0
            for i in 0..<offset where bytes[i] == 0x0A {
                line += 1
                lineStart = i + 1
            }
            return .error(
                "cannot read: \(problem)", at: SourceLocation(file: file, line: line, column: offset - lineStart + 1))
        default:
            var message = "malformed YAML: \(problem)"
            if let context = parser.context.map({ String(cString: $0) }) {
                let mark = location(parser.context_mark)
                message += " (\(context) at line \(mark.line), column \(mark.column))"
            }
            return .error(message, at: location(parser.problem_mark))
        }
    }
}

/// What one spec file may expand to while it is read. A few lines of YAML aliases can stand for
/// billions of nodes; every later stage walks the tree, so the reader refuses such files at once.
public struct ReadingLimits: Sendable {
    /// Nodes added by alias uses in all (an alias counts every node of the subtree it names).
    public var maxAliasNodes: Int
    /// Nesting of mappings and sequences, aliases expanded.
    public var maxDepth: Int

    public init(maxAliasNodes: Int = 1_000_000, maxDepth: Int = 512) {
        self.maxAliasNodes = maxAliasNodes
        self.maxDepth = maxDepth
    }

    public static let standard = ReadingLimits()
}
