import AccordSpec
import Foundation

/// `accord verify --update`: rewrites the recorded answers of failing steps with what the live
/// server answered, in the scenario file's own text, keeping what people wrote around them
/// (descriptions, matchers, captures, variables, comments outside the rewritten answers) and
/// `${variables}` and per-run values inside them. A live answer that breaks the spec is refused.
public struct ExchangeUpdate {
    public let document: APIDocument
    let index: OperationIndex
    let validator: SchemaValidator

    public init(document: APIDocument) {
        self.document = document
        index = OperationIndex(document: document)
        validator = SchemaValidator(document: document)
    }

    public struct Outcome: Sendable {
        public var text: String
        /// "step 4 (POST /v1/todos → 201): /priority added", one per rewritten step.
        public var changes: [String]
        /// Steps whose live answer breaks the spec, or that cannot be rewritten in place, with why.
        public var refused: [String]
    }

    /// The file's text with every failing step's answer replaced by its live answer.
    public func update(text: String, scenario: Scenario, result: ScenarioResult) -> Outcome {
        var lines = text.components(separatedBy: "\n")
        var changes: [String] = [], refused: [String] = []
        let failing = Set(
            result.steps.compactMap { step -> Int? in
                if case .failed = step.outcome { return step.number }
                return nil
            })
        // Bottom-up, so the line numbers of earlier steps stay right.
        for exchange in result.observed.sorted(by: { $0.number > $1.number }) where failing.contains(exchange.number) {
            guard let recorded = exchange.step.response else { continue }
            let label =
                "step \(exchange.number) (\(exchange.request.method) \(exchange.request.path) → "
                + "\(exchange.response.status))"
            let live = JSON.parse(exchange.response.body)
            if let problem = specProblem(exchange, body: live) {
                refused.append("\(label): the live answer breaks the spec: \(problem)")
                continue
            }
            // Captured values change every run and are compared by type: the recorded ones stay, like matched ones.
            var kept = exchange.step.matchers
            for capture in exchange.step.captures {
                if case .body(let pointer) = capture.source, kept[pointer] == nil { kept[pointer] = .type }
            }
            let merged = live.map { merge(recorded.body, $0, pointer: "", matchers: kept) }
            do {
                try rewrite(&lines, response: recorded, status: exchange.response.status, body: merged)
            } catch {
                refused.append("\(label): \(error)")
                continue
            }
            var said = describe(recorded.body, merged, pointer: "")
            if recorded.status != exchange.response.status {
                said.insert("status \(recorded.status) → \(exchange.response.status)", at: 0)
            }
            changes.append("\(label): " + (said.isEmpty ? "rewritten" : said.joined(separator: "; ")))
        }
        return Outcome(text: lines.joined(separator: "\n"), changes: changes.reversed(), refused: refused.reversed())
    }

    /// What is wrong with a live answer by the spec (an undeclared status, a body its schema refuses).
    private func specProblem(_ exchange: ObservedExchange, body: SpecNode?) -> String? {
        guard let operation = index.operation(method: exchange.request.method, path: exchange.request.target) else {
            return nil  // undeclared routes are recorded as they answer (404/405 problems)
        }
        guard let declared = OperationIndex.response(for: exchange.response.status, in: operation) else {
            return "status \(exchange.response.status) is not declared for \(operation.operationId)"
        }
        if let schema = declared.content?.schema, let body {
            let mismatches = validator.validate(body, against: schema)
            if !mismatches.isEmpty { return mismatches.map(\.description).joined(separator: "; ") }
        }
        return nil
    }

    // MARK: Merging

    /// The live value, keeping the recording's `${variables}`, matched values and per-run values
    /// where the live value has the same type (they are compared by type anyway).
    func merge(
        _ recorded: SpecNode?, _ live: SpecNode, pointer: String, matchers: [String: Scenario.Matcher]
    ) -> SpecNode {
        guard let recorded else { return live }
        let sameType = recorded.typeName == live.typeName
        if matchers[pointer] != nil, sameType || matchers[pointer] == .any { return recorded }
        if let text = recorded.string, sameType, text.contains("${") || Self.isPerRun(text) { return recorded }
        switch (recorded.value, live.value) {
        case (.object(let old), .object(let new)):
            var entries: [SpecObject.Entry] = []
            for entry in old.entries {
                guard let value = new[entry.key] else { continue }
                let merged = merge(
                    entry.value, value, pointer: pointer + "/" + JSON.escape(entry.key), matchers: matchers)
                entries.append(SpecObject.Entry(key: entry.key, keyLocation: entry.keyLocation, value: merged))
            }
            for entry in new.entries where old[entry.key] == nil { entries.append(entry) }
            return SpecNode(.object(SpecObject(entries)), at: recorded.location)
        case (.array(let old), .array(let new)):
            let items = new.enumerated().map { i, item in
                i < old.count ? merge(old[i], item, pointer: pointer + "/\(i)", matchers: matchers) : item
            }
            return SpecNode(.array(items), at: recorded.location)
        default:
            return live
        }
    }

    static func isPerRun(_ text: String) -> Bool {
        (Formats.isValid(text, format: "date-time") && text.count >= 20)
            || (Formats.isValid(text, format: "uuid") && text.count == 36)
    }

    /// Members added, removed and changed, for the summary.
    func describe(_ old: SpecNode?, _ new: SpecNode?, pointer: String) -> [String] {
        switch (old?.value, new?.value) {
        case (nil, nil): return []
        case (nil, _): return ["\(pointer.isEmpty ? "body" : pointer) added"]
        case (_, nil): return ["\(pointer.isEmpty ? "body" : pointer) removed"]
        case (.object(let a)?, .object(let b)?):
            var out: [String] = []
            for entry in a.entries where b[entry.key] == nil {
                out.append("\(pointer)/\(JSON.escape(entry.key)) removed")
            }
            for entry in b.entries {
                let path = pointer + "/" + JSON.escape(entry.key)
                if let was = a[entry.key] {
                    out += describe(was, entry.value, pointer: path)
                } else {
                    out.append("\(path) added")
                }
            }
            return out
        default:
            guard let old, let new, !JSON.equal(old, new) else { return [] }
            return ["\(pointer.isEmpty ? "body" : pointer): \(JSON.describe(old)) → \(JSON.describe(new))"]
        }
    }

    // MARK: Rewriting the text

    struct NotInPlace: Error, CustomStringConvertible {
        var description: String
    }

    private static func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }

    private static func isBlankOrComment(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty || trimmed.hasPrefix("#")
    }

    /// Replaces `status:` and `body:` of the response mapping that starts at `response.location`.
    private func rewrite(
        _ lines: inout [String], response: Scenario.RecordedResponse, status: Int, body: SpecNode?
    ) throws {
        let first = response.location.line - 1
        let indent = response.location.column - 1
        // A block mapping starts with its first key on its own line; a flow one (`{ status: 204 }`) does not.
        guard first >= 0, first < lines.count, Self.indentation(lines[first]) == indent else {
            throw NotInPlace(description: "the recorded response is written in flow style; edit it by hand")
        }
        // The response's own lines: up to the first line indented less (a comment there belongs to the step).
        var end = first + 1
        while end < lines.count,
            lines[end].trimmingCharacters(in: .whitespaces).isEmpty || Self.indentation(lines[end]) >= indent
        {
            end += 1
        }
        while end > first + 1, lines[end - 1].trimmingCharacters(in: .whitespaces).isEmpty { end -= 1 }
        let pad = String(repeating: " ", count: indent)
        func keyLine(_ key: String) -> Int? {
            (first..<end).first { i in
                Self.indentation(lines[i]) == indent && lines[i].dropFirst(indent).hasPrefix(key + ":")
            }
        }
        // The body first (it comes after status), then the status line.
        let bodyLines: [String]? = body.map {
            (pad + "body:" + YAMLText.block($0, indent: indent + 2)).components(separatedBy: "\n")
        }
        if let start = keyLine("body") {
            var stop = start + 1
            while stop < end, Self.isBlankOrComment(lines[stop]) || Self.indentation(lines[stop]) > indent { stop += 1 }
            while stop > start + 1, lines[stop - 1].trimmingCharacters(in: .whitespaces).isEmpty { stop -= 1 }
            lines.replaceSubrange(start..<stop, with: bodyLines ?? [])
        } else if let bodyLines {
            lines.insert(contentsOf: bodyLines, at: end)
        }
        if let line = keyLine("status") {
            lines[line] = pad + "status: \(status)"
        } else {
            throw NotInPlace(description: "no `status:` line in the recorded response")
        }
    }
}
