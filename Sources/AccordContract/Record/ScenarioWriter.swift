import AccordSpec
import Foundation

/// Turns captured traffic (from the recording proxy or a HAR file) into a scenario file.
///
/// Values a response hands out and a later request sends back (tokens, ids, cursors) become
/// variables: captured where they first appear, `${name}` wherever they come back. Secrets
/// that are not variables (bearer tokens, refresh tokens, one-time codes) are redacted unless
/// `keepSecrets` is set.
public struct ScenarioWriter: Sendable {
    public struct Options: Sendable {
        public var keepSecrets = false
        /// The route that sets provider states; such requests become `state` steps.
        public var stateRoute = "/_contract/state"
        /// accord.yaml's signers: a request carrying a signer's header that the server accepted
        /// gets a `sign` directive instead of its recorded signature (which goes stale).
        public var signers: [RequestSigner] = []
        /// Values that look secret but are public test fixtures (a demo account's fixed one-time
        /// code): kept, so a captured demo session replays as it was.
        public var publicValues: Set<String> = []
        public init() {}
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    public static let redacted = "<redacted>"
    /// Request headers worth keeping; the rest (Host, User-Agent, Content-Length, …) is transport noise.
    static let droppedRequestHeaders: Set<String> = [
        "host", "user-agent", "accept", "accept-encoding", "accept-language", "connection", "content-length",
        "x-request-id", "cookie", "origin", "referer", "transfer-encoding", "keep-alive", "te", "upgrade",
        "proxy-connection", "cache-control", "pragma", "priority",
    ]
    static let secretKeys: Set<String> = [
        "code", "otp", "password", "secret", "refresh_token", "access_token", "token", "id_token", "api_key",
    ]

    private struct Origin {
        var variable: String
        var step: Int
        var source: Scenario.Capture.Source
    }

    /// One exchange with its bodies parsed (nil: none, or not JSON).
    private typealias Parsed = (request: WireRequest, response: WireResponse, body: SpecNode?, responseBody: SpecNode?)

    public func render(name: String, description: String?, exchanges: [(WireRequest, WireResponse)]) -> String {
        let parsed: [Parsed] = exchanges.map { ($0, $1, $0.body.flatMap(JSON.parse), JSON.parse($1.body)) }
        // The first pass learns which handed-out values come back; the second writes them as variables.
        let firstPass = render(name: name, description: description, exchanges: parsed, captured: nil)
        return render(name: name, description: description, exchanges: parsed, captured: firstPass.captured).text
    }

    private func render(
        name: String, description: String?, exchanges: [Parsed],
        captured: Set<String>?
    ) -> (text: String, captured: Set<String>) {
        // Candidate values: every string a response hands out that is long enough to be an id or a token.
        var origins: [String: Origin] = [:]
        var usedNames: Set<String> = []
        var captures: [Int: [(String, Scenario.Capture.Source)]] = [:]
        var steps: [String] = []
        var stateSteps: Set<Int> = []
        var matchers: [Int: [String]] = [:]

        func variable(for value: String, sendingStep: Int) -> String? {
            guard let origin = origins[value], origin.step < sendingStep else { return nil }
            if !(captures[origin.step]?.contains { $0.0 == origin.variable } ?? false) {
                captures[origin.step, default: []].append((origin.variable, origin.source))
            }
            return origin.variable
        }
        func replaceKnown(_ text: String, step: Int) -> String {
            if let name = variable(for: text, sendingStep: step) { return "${\(name)}" }
            var out = text
            // Longest first so a token is not split by an id inside it.
            for (value, _) in origins.sorted(by: { $0.key.count > $1.key.count })
            where value.count >= 8 && out.contains(value) {
                if let name = variable(for: value, sendingStep: step) {
                    out = out.replacingOccurrences(of: value, with: "${\(name)}")
                }
            }
            return out
        }

        // Values the client sent first (a phone number echoed back) are the client's own, not handed out.
        var sent = Set<String>()
        for (index, (request, response, body, responseBody)) in exchanges.enumerated() {
            sent.formUnion(request.target.split(whereSeparator: { "/?&=".contains($0) }).map(String.init))
            if let body { sent.formUnion(Self.strings(in: body)) }
            let path = request.path
            if request.method == "POST", path == options.stateRoute {
                stateSteps.insert(index)
                continue
            }
            if let responseBody {
                var found: [String: Origin] = [:]
                collect(
                    responseBody, pointer: "", parentKey: nil, resource: Self.resourceName(path), step: index,
                    origins: &found, usedNames: &usedNames)
                for (value, origin) in found where origins[value] == nil && !sent.contains(value) {
                    origins[value] = origin
                }
            }
            if let location = response.header("Location"), let last = location.split(separator: "/").last,
                last.count >= 8,
                origins[String(last)] == nil
            {
                let name = unique(Self.resourceName(path) + "_location", &usedNames)
                origins[location] = Origin(variable: name, step: index, source: .header("Location"))
            }
        }

        for (index, item) in exchanges.enumerated() {
            if stateSteps.contains(index) {
                steps.append("  - state: \(YAMLText.scalar(item.body?["state"]?.string ?? "reset"))")
                continue
            }
            var lines: [String] = []
            let path = replaceKnown(item.request.path, step: index)
            lines.append("  - request:")
            lines.append("      method: \(item.request.method)")
            lines.append("      path: \(YAMLText.scalar(path))")
            let query = item.request.query
            if !query.isEmpty {
                // A repeated parameter (`a=1&a=2`) becomes one key with a list of values.
                var names: [String] = []
                var values: [String: [String]] = [:]
                for (name, value) in query {
                    if values[name] == nil { names.append(name) }
                    values[name, default: []].append(replaceKnown(value, step: index))
                }
                lines.append("      query:")
                for name in names {
                    let list = values[name] ?? []
                    let shown =
                        list.count == 1
                        ? YAMLText.scalar(list[0]) : "[" + list.map(YAMLText.scalar).joined(separator: ", ") + "]"
                    lines.append("        \(YAMLText.key(name)): \(shown)")
                }
            }
            var headers: [(String, String)] = []
            // A signed request the server accepted is signed afresh on replay; a refused one keeps
            // its recorded (bad or stale) signature, so it stays refused.
            let resigner = item.response.status == 401 ? nil : signer(of: item.request)
            for (name, value) in item.request.headers where !Self.droppedRequestHeaders.contains(name.lowercased()) {
                if let resigner, name.caseInsensitiveCompare(resigner.header) == .orderedSame { continue }
                var text = replaceKnown(value, step: index)
                if name.lowercased() == "authorization", !options.keepSecrets, !text.contains("${") {
                    text = (text.split(separator: " ").first.map { $0 + " " } ?? "") + Self.redacted
                }
                headers.append((Self.displayName(name), text))
            }
            if !headers.isEmpty {
                lines.append("      headers:")
                for (name, value) in headers {
                    lines.append("        \(YAMLText.key(name)): \(YAMLText.scalar(value))")
                }
            }
            if let resigner {
                lines.append("      sign: {signer: \(YAMLText.scalar(resigner.name))}")
            }
            if item.response.status == 413, let data = item.request.body {
                // The server refused it for its size alone: the size is what a replay must send.
                lines.append("      filler_bytes: \(data.count)")
            } else if let body = item.body {
                let substituted = mapStrings(body, key: nil) { text, key in
                    let replaced = replaceKnown(text, step: index)
                    if replaced == text, !options.keepSecrets, !options.publicValues.contains(text), let key,
                        Self.secretKeys.contains(key.lowercased())
                    {
                        return Self.redacted
                    }
                    return replaced
                }
                lines.append("      body:" + YAMLText.block(substituted, indent: 8))
            } else if let data = item.request.body, !data.isEmpty {
                lines.append("      raw_body: \(YAMLText.scalar(String(decoding: data, as: UTF8.self)))")
            }
            lines.append("    response:")
            lines.append("      status: \(item.response.status)")
            let kept = Scenario.comparedHeaders.compactMap { name in item.response.header(name).map { (name, $0) } }
            if !kept.isEmpty {
                lines.append("      headers:")
                for (name, value) in kept {
                    var text = value
                    if name == "Location" {
                        // An id the same response hands out is captured, so the Location check follows it.
                        for (candidate, origin) in origins.sorted(by: { $0.key.count > $1.key.count })
                        where origin.step <= index && candidate.count >= 8 && candidate != value
                            && text.contains(candidate)
                        {
                            if let variable = variable(for: candidate, sendingStep: index + 1),
                                captured == nil || captured!.contains(variable)
                            {
                                text = text.replacingOccurrences(of: candidate, with: "${\(variable)}")
                            }
                        }
                    }
                    lines.append("        \(name): \(YAMLText.scalar(text))")
                }
            }
            if let body = item.responseBody {
                let shown = mapStrings(body, key: nil) { text, key in
                    if let origin = origins[text], origin.step < index, captured?.contains(origin.variable) == true {
                        return "${\(origin.variable)}"
                    }
                    if !options.keepSecrets, let key, key.lowercased().hasSuffix("token") { return Self.redacted }
                    return text
                }
                lines.append("      body:" + YAMLText.block(shown, indent: 8))
                // Opaque values made per run (tokens, cursors) that no later request uses: compared by type.
                let capturedHere = Set(
                    origins.values.filter { $0.step == index && captured?.contains($0.variable) == true }
                        .compactMap { origin -> String? in
                            if case .body(let pointer) = origin.source { return pointer }; return nil
                        })
                let loose = Self.generatedValuePointers(shown, pointer: "", key: nil).filter {
                    !capturedHere.contains($0)
                }
                if !loose.isEmpty { matchers[index] = loose }
            }
            steps.append(lines.joined(separator: "\n"))
        }
        // Captures go after each step's response.
        for (index, list) in captures {
            guard !stateSteps.contains(index) else { continue }
            var lines = ["    capture:"]
            for (name, source) in list {
                switch source {
                case .body(let pointer): lines.append("      \(name): body \(pointer)")
                case .header(let header): lines.append("      \(name): header \(header)")
                }
            }
            steps[index] += "\n" + lines.joined(separator: "\n")
        }
        for (index, pointers) in matchers {
            steps[index] += "\n    match:" + pointers.map { "\n      \(YAMLText.key($0)): type" }.joined()
        }
        var out = "scenario: \(YAMLText.scalar(name))\n"
        if let description { out += "description: \(YAMLText.scalar(description))\n" }
        out += "steps:\n" + steps.joined(separator: "\n") + "\n"
        return (out, Set(captures.values.flatMap { $0.map(\.0) }))
    }

    /// The signer whose header the request carries (the first by name when several do).
    private func signer(of request: WireRequest) -> RequestSigner? {
        options.signers.sorted { $0.name < $1.name }.first { request.header($0.header) != nil }
    }

    private func collect(
        _ node: SpecNode, pointer: String, parentKey: String?, resource: String, step: Int,
        origins: inout [String: Origin], usedNames: inout Set<String>
    ) {
        switch node.value {
        case .string(let text) where text.count >= 8 && origins[text] == nil:
            guard let key = parentKey else { return }
            let parent = JSON.tokens(pointer).dropLast().last(where: { Int($0) == nil })
            let base = key == "id" ? (parent.map { Self.singular($0) } ?? resource) + "_id" : key
            origins[text] = Origin(variable: unique(base, &usedNames), step: step, source: .body(pointer: pointer))
        case .array(let items):
            for (i, item) in items.enumerated() {
                collect(
                    item, pointer: pointer + "/\(i)", parentKey: parentKey, resource: resource, step: step,
                    origins: &origins, usedNames: &usedNames)
            }
        case .object(let object):
            for entry in object.entries {
                collect(
                    entry.value, pointer: pointer + "/" + JSON.escape(entry.key), parentKey: entry.key,
                    resource: resource, step: step,
                    origins: &origins, usedNames: &usedNames)
            }
        default: break
        }
    }

    /// Pointers of strings that look machine-made per run: token or cursor members, or long random-looking text.
    static func generatedValuePointers(_ node: SpecNode, pointer: String, key: String?) -> [String] {
        switch node.value {
        case .string(let text):
            if text.contains("${") || Formats.isValid(text, format: "uuid")
                || Formats.isValid(text, format: "date-time")
            {
                return []
            }
            let lowered = key?.lowercased() ?? ""
            let looksRandom =
                text.count >= 16 && !text.contains(" ") && text.contains(where: \.isNumber)
                && text.contains(where: \.isLetter)
            return lowered.hasSuffix("token") || lowered.hasSuffix("cursor") || looksRandom ? [pointer] : []
        case .array(let items):
            return items.enumerated().flatMap { generatedValuePointers($1, pointer: pointer + "/\($0)", key: key) }
        case .object(let object):
            return object.entries.flatMap {
                generatedValuePointers($0.value, pointer: pointer + "/" + JSON.escape($0.key), key: $0.key)
            }
        default: return []
        }
    }

    static func strings(in node: SpecNode) -> [String] {
        switch node.value {
        case .string(let text): return [text]
        case .array(let items): return items.flatMap { strings(in: $0) }
        case .object(let object): return object.entries.flatMap { strings(in: $0.value) }
        default: return []
        }
    }

    private func unique(_ base: String, _ used: inout Set<String>) -> String {
        let clean = String(base.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        var name = clean.isEmpty ? "value" : clean
        var n = 2
        while used.contains(name) {
            name = "\(clean)_\(n)"
            n += 1
        }
        used.insert(name)
        return name
    }

    private func mapStrings(_ node: SpecNode, key: String?, _ transform: (String, String?) -> String) -> SpecNode {
        switch node.value {
        case .string(let text): return SpecNode(.string(transform(text, key)), at: node.location)
        case .array(let items):
            return SpecNode(.array(items.map { mapStrings($0, key: key, transform) }), at: node.location)
        case .object(let object):
            return SpecNode(
                .object(
                    SpecObject(
                        object.entries.map {
                            .init(
                                key: $0.key, keyLocation: $0.keyLocation,
                                value: mapStrings($0.value, key: $0.key, transform))
                        })), at: node.location)
        default: return node
        }
    }

    /// Header names as people write them (`content-type` from HTTP/2 or a proxy → `Content-Type`).
    static func displayName(_ name: String) -> String {
        name.split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined(separator: "-")
    }

    /// `/v1/todos/{id}` → `todo`; `/v1/me` → `me`.
    static func resourceName(_ path: String) -> String {
        let literal = path.split(separator: "/").last { segment in
            !segment.isEmpty && !(segment.count >= 8 && segment.contains { $0.isNumber })
                && segment.first?.isLetter == true
        }
        return singular(literal.map { String($0) } ?? "resource")
    }

    static func singular(_ word: String) -> String {
        let w = word.lowercased().replacingOccurrences(of: "-", with: "_")
        if w.hasSuffix("ies") { return String(w.dropLast(3)) + "y" }
        if w.hasSuffix("s") && !w.hasSuffix("ss") { return String(w.dropLast()) }
        return w
    }
}

/// Minimal YAML text for scenario files: block mappings and lists, JSON-quoted strings when needed.
enum YAMLText {
    static func block(_ node: SpecNode, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        switch node.value {
        case .object(let object) where !object.isEmpty:
            return object.entries.map { entry -> String in
                "\n" + pad + key(entry.key) + ":" + block(entry.value, indent: indent + 2)
            }.joined()
        case .array(let items) where !items.isEmpty:
            return items.map { item -> String in
                let inner = block(item, indent: indent + 2)
                if case .object(let o) = item.value, !o.isEmpty {
                    // "- key: value" with the first member on the dash line.
                    let trimmed = inner.dropFirst(1 + indent + 2)
                    return "\n" + pad + "- " + trimmed
                }
                return "\n" + pad + "-" + inner
            }.joined()
        case .object: return " {}"
        case .array: return " []"
        case .string(let text): return " " + scalar(text)
        default: return " " + node.jsonText
        }
    }

    static func key(_ text: String) -> String {
        text.range(of: "^[A-Za-z_][A-Za-z0-9_-]*$", options: .regularExpression) != nil
            ? text : SpecNode(.string(text), at: JSON.nowhere).jsonText
    }

    /// Plain when it reads back as the same string, else JSON-quoted (valid YAML).
    static func scalar(_ text: String) -> String {
        let plainSafe =
            text.range(of: #"^[A-Za-z_/][A-Za-z0-9_ ./+-]*$"#, options: .regularExpression) != nil
            && !["true", "false", "null", "yes", "no", "on", "off", "~"].contains(text.lowercased())
            && !text.hasSuffix(" ") && !text.contains(" #") && !text.contains(": ")
        return plainSafe ? text : SpecNode(.string(text), at: JSON.nowhere).jsonText
    }
}
