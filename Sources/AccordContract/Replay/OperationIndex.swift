import AccordSpec

/// Finds the spec operation a concrete request (or a recorded path with `${…}` in it) belongs to.
public struct OperationIndex: Sendable {
    public let document: APIDocument
    private let templates: [(segments: [Substring], operation: AccordSpec.Operation)]

    public init(document: APIDocument) {
        self.document = document
        templates = document.operations.map { (Self.segments($0.path), $0) }
    }

    static func segments(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { $0 }
    }

    /// The operation for a method and path; literal segments win over parameters.
    public func operation(method: String, path: String) -> Operation? {
        let wanted = Self.segments(String(path.split(separator: "?", maxSplits: 1).first ?? ""))
        var best: (score: Int, operation: Operation)?
        for (segments, operation) in templates
        where operation.method.rawValue == method.lowercased() && segments.count == wanted.count {
            var score = 0
            var matches = true
            for (template, actual) in zip(segments, wanted) {
                if template.hasPrefix("{") && template.hasSuffix("}") {
                    if actual.isEmpty { matches = false; break }
                } else if template == actual {
                    score += 1
                } else {
                    matches = false
                    break
                }
            }
            if matches, score > (best?.score ?? -1) { best = (score, operation) }
        }
        return best?.operation
    }

    /// Whether any operation has this path (for "method not allowed" versus "no such route").
    public func pathExists(_ path: String) -> Bool {
        HTTPMethod.allCases.contains { operation(method: $0.rawValue, path: path) != nil }
    }

    /// The response the spec declares for a status: the exact code, else its range, else `default`.
    public static func response(for status: Int, in operation: Operation) -> Response? {
        operation.responses.first { $0.status == .code(status) }
            ?? operation.responses.first { $0.status == .range(status / 100) }
            ?? operation.responses.first { $0.status == .default }
    }

    /// Whether the operation needs credentials (no alternative is empty).
    public static func isProtected(_ operation: Operation) -> Bool {
        !operation.security.isEmpty && !operation.security.contains { $0.isEmpty }
    }
}
