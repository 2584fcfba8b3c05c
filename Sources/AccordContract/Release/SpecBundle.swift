import AccordSpec
import Foundation

/// One file for a spec that spans several: every `$ref` to another file is replaced by what it
/// names (local references inside that file too), so a release keeps the spec as it was.
public enum SpecBundle {
    /// True when the root file refers to no other file (it can be kept byte for byte).
    public static func isSingleFile(_ node: SpecNode) -> Bool {
        switch node.value {
        case .object(let object):
            for entry in object.entries {
                if entry.key == "$ref", let ref = entry.value.string, !ref.hasPrefix("#") { return false }
                if !isSingleFile(entry.value) { return false }
            }
            return true
        case .array(let items): return items.allSatisfy(isSingleFile)
        default: return true
        }
    }

    /// The root document with every reference to another file inlined. A reference cycle across
    /// files cannot be inlined and is a located error.
    public static func bundle(_ docs: SpecDocuments) throws(Diagnostic) -> SpecNode {
        var stack: [RefKey] = []
        return try inline(docs.root, file: docs.rootFile, docs: docs, stack: &stack, inRoot: true)
    }

    private static func inline(
        _ node: SpecNode, file: String, docs: SpecDocuments, stack: inout [RefKey],
        inRoot: Bool
    ) throws(Diagnostic) -> SpecNode {
        switch node.value {
        case .object(let object):
            if let ref = object["$ref"]?.string, !(inRoot && ref.hasPrefix("#")) {
                let key = try docs.key(for: ref, in: file, at: node.location)
                if key.file == docs.rootFile {
                    // Back into the root file: a local reference there stays one.
                    let pointer = key.pointer.map {
                        $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
                    }
                    let local = SpecNode(.string("#/" + pointer.joined(separator: "/")), at: node.location)
                    return SpecNode(
                        .object(SpecObject([SpecObject.Entry(key: "$ref", keyLocation: node.location, value: local)])),
                        at: node.location)
                }
                guard !stack.contains(key) else {
                    throw .error("cannot bundle: $ref cycle across files through '\(key)'", at: node.location)
                }
                stack.append(key)
                defer { stack.removeLast() }
                let target = try docs.node(at: key, referencedAt: node.location)
                return try inline(target, file: key.file, docs: docs, stack: &stack, inRoot: key.file == docs.rootFile)
            }
            var entries: [SpecObject.Entry] = []
            for entry in object.entries {
                entries.append(
                    SpecObject.Entry(
                        key: entry.key, keyLocation: entry.keyLocation,
                        value: try inline(entry.value, file: file, docs: docs, stack: &stack, inRoot: inRoot)))
            }
            return SpecNode(.object(SpecObject(entries)), at: node.location)
        case .array(let items):
            var out: [SpecNode] = []
            for item in items { out.append(try inline(item, file: file, docs: docs, stack: &stack, inRoot: inRoot)) }
            return SpecNode(.array(out), at: node.location)
        default:
            return node
        }
    }

    /// Pretty JSON text of a node, members in written order.
    public static func jsonText(_ node: SpecNode, indent: String = "") -> String {
        let inner = indent + "  "
        switch node.value {
        case .object(let object):
            if object.isEmpty { return "{}" }
            let members = object.entries.map {
                inner + SpecNode(.string($0.key), at: $0.keyLocation).jsonText + ": "
                    + jsonText($0.value, indent: inner)
            }
            return "{\n" + members.joined(separator: ",\n") + "\n" + indent + "}"
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + jsonText($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent
                + "]"
        default:
            return node.jsonText
        }
    }
}
