import AccordSpec
import Foundation

/// Compares one live response with its recording and with the spec, and says each difference.
struct ResponseCheck {
    let operation: AccordSpec.Operation?
    let validator: SchemaValidator
    let catalog: ErrorCatalog?
    let variables: Variables
    let step: Scenario.Step
    let request: Scenario.RecordedRequest
    let recorded: Scenario.RecordedResponse
    /// The request as sent (to tell "answered without a token" apart).
    let sent: WireRequest
    /// accord.yaml's identity rules: headers that never identify a caller, the expected refusal.
    let settings: ContractSettings
    /// Judge as an older client would: what it absorbs (extra members, unknown enum values and
    /// error codes) is no difference.
    var tolerantReader = false

    /// `body`: the actual body parsed as JSON (nil when it is not JSON).
    func differences(_ actual: WireResponse, body: SpecNode?) -> [String] {
        var out: [String] = []
        out += authDifferences(actual)
        if actual.status != recorded.status {
            out.append(
                "expected status \(recorded.status), got "
                    + "\(actual.status)\(body?["code"]?.string.map { " (\($0))" } ?? "")"
            )
        }
        if let operation, OperationIndex.response(for: actual.status, in: operation) == nil {
            out.append("status \(actual.status) is not declared for \(operation.operationId)")
        }
        out += headerDifferences(actual)
        out += bodyDifferences(actual, json: body)
        return out
    }

    /// A protected route must never answer a request that carries no credentials, whatever
    /// header of accord.yaml's `untrustedIdentityHeaders` claims who the caller is.
    private func authDifferences(_ actual: WireResponse) -> [String] {
        guard let operation, OperationIndex.isProtected(operation), (200..<300).contains(actual.status),
            !carriesCredentials(sent, for: operation)
        else { return [] }
        let refusal = settings.expectedRefusal(catalog: catalog)
        if let header = settings.untrustedIdentityHeaders.first(where: { sent.header($0) != nil }) {
            return [
                "a request with only \(header) was accepted (status \(actual.status)); "
                    + "\(header) never identifies a caller, expected \(refusal)"
            ]
        }
        return ["protected route answered \(actual.status) without a token; expected \(refusal)"]
    }

    private func carriesCredentials(_ request: WireRequest, for operation: AccordSpec.Operation) -> Bool {
        let names = operation.security.flatMap { $0 }
        let schemes = names.compactMap { validator.document.securitySchemes[$0] }
        return schemes.contains { scheme in
            switch scheme {
            case .apiKey(let name, .header): return request.header(name) != nil
            case .apiKey(let name, .query): return request.target.contains("\(name)=")
            default: return request.header("Authorization") != nil
            }
        }
    }

    private func headerDifferences(_ actual: WireResponse) -> [String] {
        var out: [String] = []
        let contentType = actual.header("Content-Type").map(MediaType.init)
        if actual.status >= 400, !actual.body.isEmpty || recorded.body != nil, contentType?.isProblemJSON != true {
            out.append("error response is not application/problem+json (Content-Type: \(contentType?.type ?? "none"))")
        }
        for (name, value) in recorded.headers {
            let expected: String
            do { expected = try variables.substitute(value) } catch { out.append("header \(name): \(error)"); continue }
            guard let got = actual.header(name) else {
                if step.matchers["header " + name] != .any {
                    out.append("missing header \(name) (expected \(expected))")
                }
                continue
            }
            if let matcher = step.matchers.first(where: {
                $0.key.caseInsensitiveCompare("header " + name) == .orderedSame
            })?.value {
                if case .pattern(let pattern) = matcher, got.range(of: pattern, options: .regularExpression) == nil {
                    out.append("header \(name): \(got) does not match /\(pattern)/")
                }
                continue
            }
            switch name.lowercased() {
            case "content-type":
                if MediaType(expected).essence != MediaType(got).essence,
                    !(actual.status >= 400 && contentType?.isProblemJSON != true)
                {
                    out.append("header Content-Type: expected \(expected), got \(got)")
                }
            case "location":
                // A server may answer an absolute URL for the same path.
                if got != expected
                    && !(got.contains("://") && got.hasSuffix(expected) && URL(string: got)?.path == expected)
                {
                    out.append("header Location: expected \(expected), got \(got)")
                }
            default:
                if got != expected { out.append("header \(name): expected \(expected), got \(got)") }
            }
        }
        return out
    }

    private func bodyDifferences(_ actual: WireResponse, json parsed: SpecNode?) -> [String] {
        let declared = operation.flatMap { OperationIndex.response(for: actual.status, in: $0) }
        let isJSON = actual.header("Content-Type").map { MediaType($0).isJSON } ?? false
        guard !actual.body.isEmpty else {
            if let body = recorded.body, !body.isNull { return ["expected a body, got none"] }
            if declared?.content?.schema != nil, actual.status == recorded.status {
                return ["expected a body, got none"]
            }
            return []
        }
        guard isJSON || recorded.body != nil else { return [] }
        guard let json = parsed else {
            return ["body is not valid JSON (\(actual.body.count) bytes)"]
        }
        var mismatches: [Mismatch] = []
        if let schema = declared?.content?.schema, declared?.content?.mediaType.isJSON == true {
            mismatches += validator.validate(json, against: schema)
        }
        if actual.status >= 400 {
            mismatches += problemMismatches(json, status: actual.status)
        }
        if let body = recorded.body, actual.status == recorded.status {
            var compare = BodyComparison(
                variables: variables, matchers: step.matchers,
                captured: Set(
                    step.captures.compactMap {
                        if case .body(let pointer) = $0.source { return pointer }
                        return nil
                    }),
                isProblem: actual.status >= 400, problemMembers: catalog?.problemMembers ?? [:])
            compare.compare(body, json, "")
            // One message per place: the spec's wording (with the format) wins.
            for mismatch in compare.mismatches
            where !mismatches.contains(where: {
                mismatch.pointer == $0.pointer || mismatch.pointer.hasPrefix($0.pointer + "/")
            }) {
                mismatches.append(mismatch)
            }
        }
        if tolerantReader { mismatches.removeAll(where: \.isAbsorbedByTolerantReader) }
        return mismatches.map(\.description)
    }

    private func problemMismatches(_ json: SpecNode, status: Int) -> [Mismatch] {
        var out: [Mismatch] = []
        guard let catalog, let code = json[catalog.codeMember ?? "code"]?.string else { return out }
        if let entry = catalog.entry(code) {
            if entry.status != status {
                out.append(Mismatch("/code", "\(code) is a \(entry.status) error, answered with status \(status)"))
            }
            if let listed = operation?.errorCodes, !listed.isEmpty, !listed.contains(where: { $0.code == code }),
                // The server stubs answer these for any route, declared or not.
                entry.role != .notFound, entry.role != .methodNotAllowed
            {
                out.append(
                    Mismatch(
                        "/code", "\(code) is not one of the codes \(operation!.operationId) declares",
                        absorbedByTolerantReader: true))
            }
        } else {
            out.append(
                Mismatch("/code", "unknown error code \"\(code)\" (not in the catalog)", absorbedByTolerantReader: true)
            )
        }
        if let bodyStatus = json["status"]?.int, bodyStatus != status {
            out.append(Mismatch("/status", "problem status \(bodyStatus) differs from the HTTP status \(status)"))
        }
        return out
    }
}

/// Recorded body versus live body: values compared exactly, except what changes per run.
struct BodyComparison {
    let variables: Variables
    let matchers: [String: Scenario.Matcher]
    /// Pointers captured into variables: they change per run, so only their type is compared.
    let captured: Set<String>
    let isProblem: Bool
    /// The catalog's problem members (`x-problem-member`) whose values change every run.
    var problemMembers: [ProblemMemberRole: String] = [:]
    var mismatches: [Mismatch] = []

    mutating func compare(_ recorded: SpecNode, _ actual: SpecNode, _ pointer: String) {
        if let matcher = matchers[pointer] {
            switch matcher {
            case .any: return
            case .type: return compareType(recorded, actual, pointer)
            case .unordered: return compareUnordered(recorded, actual, pointer)
            case .pattern(let pattern):
                // Strings match as they are, numbers and booleans by their JSON text.
                let text: String
                switch actual.value {
                case .string(let s): text = s
                case .int, .double, .bool: text = actual.jsonText
                default:
                    return mismatches.append(Mismatch(pointer, "expected a string or number, got \(actual.typeName)"))
                }
                if text.range(of: pattern, options: .regularExpression) == nil {
                    mismatches.append(Mismatch(pointer, "\(JSON.describe(actual)) does not match /\(pattern)/"))
                }
                return
            }
        }
        if captured.contains(pointer) || isPerRunValue(recorded, pointer) {
            return compareType(recorded, actual, pointer)
        }
        if case .string(let text) = recorded.value, text.contains("${") {
            do {
                let expected = try variables.substitute(recorded)
                if !JSON.equal(expected, actual) {
                    mismatches.append(
                        Mismatch(pointer, "expected \(JSON.describe(expected)) (\(text)), got \(JSON.describe(actual))")
                    )
                }
            } catch {
                mismatches.append(Mismatch(pointer, "\(error)"))
            }
            return
        }
        switch (recorded.value, actual.value) {
        case (.object(let want), .object(let got)):
            for entry in want.entries {
                let path = pointer + "/" + JSON.escape(entry.key)
                guard let value = got[entry.key] else {
                    if matchers[path] != .any {
                        mismatches.append(Mismatch(path, "missing field (the recording has it)"))
                    }
                    continue
                }
                compare(entry.value, value, path)
            }
            for entry in got.entries where want[entry.key] == nil {
                mismatches.append(
                    Mismatch(
                        pointer + "/" + JSON.escape(entry.key), "unexpected field (not in the recording)",
                        absorbedByTolerantReader: true))
            }
        case (.array(let want), .array(let got)):
            if want.count != got.count {
                mismatches.append(Mismatch(pointer, "expected \(want.count) item(s), got \(got.count)"))
            }
            for (index, pair) in zip(want, got).enumerated() { compare(pair.0, pair.1, pointer + "/\(index)") }
        default:
            if recorded.typeName != actual.typeName && !(isNumber(recorded) && isNumber(actual)) {
                mismatches.append(Mismatch(pointer, "expected \(recorded.typeName), got \(actual.typeName)"))
            } else if !JSON.equal(recorded, actual) {
                mismatches.append(
                    Mismatch(pointer, "expected \(JSON.describe(recorded)), got \(JSON.describe(actual))"))
            }
        }
    }

    private func isNumber(_ node: SpecNode) -> Bool { node.typeName == "integer" || node.typeName == "number" }

    /// Each recorded item must match one live item, in any order.
    private mutating func compareUnordered(_ recorded: SpecNode, _ actual: SpecNode, _ pointer: String) {
        guard let want = recorded.array, let got = actual.array else { return compareType(recorded, actual, pointer) }
        if want.count != got.count {
            mismatches.append(Mismatch(pointer, "expected \(want.count) item(s), got \(got.count)"))
        }
        var unmatched = Array(got.indices)
        for (index, item) in want.enumerated() {
            let match = unmatched.first { candidate in
                var attempt = BodyComparison(
                    variables: variables, matchers: [:], captured: [], isProblem: isProblem,
                    problemMembers: problemMembers)
                attempt.compare(item, got[candidate], pointer + "/\(candidate)")
                return attempt.mismatches.isEmpty
            }
            if let match {
                unmatched.removeAll { $0 == match }
            } else {
                mismatches.append(
                    Mismatch(pointer + "/\(index)", "no item matches the recorded \(JSON.describe(item))"))
            }
        }
    }

    private mutating func compareType(_ recorded: SpecNode, _ actual: SpecNode, _ pointer: String) {
        if recorded.typeName != actual.typeName && !(isNumber(recorded) && isNumber(actual)) {
            mismatches.append(Mismatch(pointer, "expected \(recorded.typeName), got \(actual.typeName)"))
        }
    }

    /// Timestamps, UUIDs and a problem's per-occurrence members change every run.
    private func isPerRunValue(_ recorded: SpecNode, _ pointer: String) -> Bool {
        if let text = recorded.string, !text.contains("${"),
            Formats.isValid(text, format: "date-time") && text.count >= 20
                || Formats.isValid(text, format: "uuid") && text.count == 36
        {
            return true
        }
        guard isProblem else { return false }
        if pointer == "/detail" { return true }
        let parts = JSON.tokens(pointer)
        if parts.count == 1, parts[0] == problemMembers[.requestId] { return true }
        return parts.count == 3 && parts[0] == problemMembers[.fieldErrors] && parts[2] == "message"
    }
}
