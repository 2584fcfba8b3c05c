import AccordSpec

/// One difference between two versions of a spec, with both verdicts.
public struct SpecChange: Sendable {
    public init(
        rule: String, kind: ChangeKind, wire: Verdict, source: Verdict, operation: String?, pointer: String,
        message: String, base: SourceLocation?, revision: SourceLocation?
    ) {
        self.rule = rule
        self.kind = kind
        self.wire = wire
        self.source = source
        self.operation = operation
        self.pointer = pointer
        self.message = message
        self.base = base
        self.revision = revision
    }

    /// The rule id (docs/DIFF.md).
    public var rule: String
    public var kind: ChangeKind
    /// Would an app already installed, built from the base, break against a server built from the revision?
    public var wire: Verdict
    /// Would regenerating the client from the revision stop the app's existing code from compiling?
    public var source: Verdict
    /// The operationId (the revision's when it has one); nil for document-wide changes.
    public var operation: String?
    /// `GET /v1/todos/{todo_id}`: the operation's method and path.
    public var endpoint: String?
    /// Other operations that reach the same change through a shared schema.
    public var alsoAffects: [String] = []
    /// A JSON pointer into the spec, at the changed place (the revision's, or the base's when removed).
    public var pointer: String
    public var message: String
    public var base: SourceLocation?
    public var revision: SourceLocation?
    /// Set when `accept:` in accord.yaml accepts this change: the reason given there.
    public var acceptedBecause: String?

    public var isAccepted: Bool { acceptedBecause != nil }
}

/// The outcome of comparing two specs.
public struct DiffResult: Sendable {
    public var changes: [SpecChange]
    public var baseName: String
    public var revisionName: String
    /// `accept:` entries that matched no change (stale, or misspelt).
    public var unusedAcceptances: [Acceptance] = []

    public init(changes: [SpecChange], baseName: String, revisionName: String) {
        self.changes = changes
        self.baseName = baseName
        self.revisionName = revisionName
    }

    /// Breaking changes that are not accepted.
    public var wireBreaking: Bool { changes.contains { $0.wire == .breaking && !$0.isAccepted } }
    public var sourceBreaking: Bool { changes.contains { $0.source == .breaking && !$0.isAccepted } }
}

/// An `accept:` entry of accord.yaml: a deliberate break, reviewed and explained.
public struct Acceptance: Sendable, Equatable {
    public var rule: String
    /// The operationId, or nil for document-wide changes (server URLs, the error catalog).
    public var operation: String?
    public var reason: String
    public var location: SourceLocation?

    public init(rule: String, operation: String?, reason: String, location: SourceLocation?) {
        self.rule = rule
        self.operation = operation
        self.reason = reason
        self.location = location
    }

    func matches(_ change: SpecChange) -> Bool {
        guard change.rule == rule else { return false }
        guard let operation else { return true }
        return change.operation == operation || change.alsoAffects.contains(operation)
    }
}

extension DiffResult {
    /// Marks the changes the acceptances cover; remembers acceptances that cover nothing.
    public mutating func apply(_ acceptances: [Acceptance]) {
        var used = Set<Int>()
        for i in changes.indices {
            if let (n, a) = acceptances.enumerated().first(where: { $0.element.matches(changes[i]) }) {
                changes[i].acceptedBecause = a.reason
                used.insert(n)
            }
        }
        unusedAcceptances = acceptances.enumerated().filter { !used.contains($0.offset) }.map(\.element)
    }
}
