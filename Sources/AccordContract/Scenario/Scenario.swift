import AccordSpec
import Foundation

/// One recorded conversation with the server: an optional provider state, then steps.
///
/// Loaded from a YAML file in `spec/exchanges/` (format in docs/EXCHANGES.md). Every part keeps
/// the place it was written so lint and verify can point at it.
public struct Scenario: Sendable {
    public var name: String
    public var description: String?
    public var file: String
    /// Values fixed once per run (`$uuid` makes a fresh UUID each run).
    public var variables: [(name: String, value: VariableSource)]
    /// The provider state set before the first step.
    public var state: String?
    public var steps: [Step]
    public var location: SourceLocation

    public enum VariableSource: Sendable {
        case literal(SpecNode)
        case freshUUID
    }

    public struct Step: Sendable {
        public enum Action: Sendable {
            /// `POST /_contract/state {"state": NAME}` (API.md's provider states).
            case providerState(String)
            case exchange(RecordedRequest, RecordedResponse)
        }
        public var name: String?
        public var action: Action
        /// Variable name → where in this step's response its value is.
        public var captures: [Capture]
        /// JSON pointer (or `header Name`) → how the response body (or that header) is compared.
        public var matchers: [String: Matcher]
        public var location: SourceLocation

        public var request: RecordedRequest? {
            if case .exchange(let request, _) = action { return request }
            return nil
        }
        public var response: RecordedResponse? {
            if case .exchange(_, let response) = action { return response }
            return nil
        }
    }

    public struct Capture: Sendable {
        public enum Source: Sendable, Equatable {
            case body(pointer: String)
            case header(String)
        }
        public var variable: String
        public var source: Source
        public var location: SourceLocation
    }

    public enum Matcher: Sendable, Equatable {
        /// Anything, even absent.
        case any
        /// The same JSON type as recorded (its format is still checked against the spec).
        case type
        /// A string matching this regular expression.
        case pattern(String)
        /// An array with the recorded items in any order (the spec fixes no order).
        case unordered
    }

    public struct RecordedRequest: Sendable, HeaderLookup {
        public var method: String
        /// May hold `${variable}` references.
        public var path: String
        public var query: [(name: String, value: String)]
        public var headers: [(name: String, value: String)]
        public var body: Body?
        /// Signed at send time by a signer of accord.yaml (`sign: {signer: NAME}`).
        public var signature: SignDirective?
        public var location: SourceLocation
    }

    public enum Body: Sendable {
        case json(SpecNode)
        /// Sent as written (malformed JSON, a text body).
        case raw(String)
        /// This many bytes of filler (oversize-body checks), sent as JSON.
        case filler(Int)
    }

    /// `sign: {signer: NAME, key: …}`: the request is signed when it is sent, by the signer of
    /// that name in accord.yaml's `signers:`, with its key or the one given here. The older form
    /// `sign: {scheme: NAME, key: KEY}` (released exchanges) reads the same way.
    public struct SignDirective: Sendable {
        public var signer: String
        /// Overrides the signer's key.
        public var key: RequestSigner.KeySource?
        public var location: SourceLocation
        var keyLocation: SourceLocation?

        public init(signer: String, key: RequestSigner.KeySource? = nil, location: SourceLocation) {
            self.signer = signer
            self.key = key
            self.location = location
        }
    }

    public struct RecordedResponse: Sendable, HeaderLookup {
        public var status: Int
        /// Only the headers that matter to clients are compared (`Content-Type`, `Location`, `Retry-After`).
        public var headers: [(name: String, value: String)]
        public var body: SpecNode?
        public var location: SourceLocation
    }

    /// The headers a recorded response compares.
    public static let comparedHeaders = ["Content-Type", "Location", "Retry-After"]
}

/// Reads scenario files into `Scenario`s, reporting every problem with its location.
public enum ScenarioLoader {
    /// Loads every `*.yaml`/`*.yml`/`*.json` file of a folder, sorted by name.
    public static func loadFolder(_ folder: String) -> (scenarios: [Scenario], diagnostics: DiagnosticLog) {
        var log = DiagnosticLog()
        var scenarios: [Scenario] = []
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            log.error("cannot read the exchanges folder '\(folder)'", at: nil)
            return ([], log)
        }
        for name in names.sorted() where [".yaml", ".yml", ".json"].contains(where: name.hasSuffix) {
            let path = folder + "/" + name
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                log.error("cannot read '\(path)'", at: nil)
                continue
            }
            if let scenario = load(text, file: path, into: &log) { scenarios.append(scenario) }
        }
        var seen: [String: SourceLocation] = [:]
        for scenario in scenarios {
            if let first = seen[scenario.name] {
                log.error("scenario name '\(scenario.name)' is also used at \(first)", at: scenario.location)
            }
            seen[scenario.name] = scenario.location
        }
        return (scenarios, log)
    }

    public static func load(_ text: String, file: String, into log: inout DiagnosticLog) -> Scenario? {
        let root: SpecNode
        do {
            root = try SpecParser.parse(text, file: file)
        } catch {
            log.add(error)
            return nil
        }
        var reader = Reader(log: log)
        let scenario = reader.scenario(root, file: file)
        log = reader.log
        return scenario
    }

    struct Reader {
        var log: DiagnosticLog

        mutating func scenario(_ root: SpecNode, file: String) -> Scenario? {
            guard
                let object = mapping(
                    root, "a scenario", known: ["scenario", "description", "state", "variables", "steps"])
            else { return nil }
            guard let name = string(object, "scenario", required: true, at: root.location) else { return nil }
            var variables: [(String, Scenario.VariableSource)] = []
            if let vars = object["variables"] {
                if let map = vars.object {
                    for entry in map.entries {
                        checkVariableName(entry.key, at: entry.keyLocation)
                        variables.append(
                            (entry.key, entry.value.string == "$uuid" ? .freshUUID : .literal(entry.value)))
                    }
                } else {
                    log.error("'variables' must be a mapping of name to value", at: vars.location)
                }
            }
            var steps: [Scenario.Step] = []
            if let state = object["state"], state.string == nil {
                log.error("'state' must be a provider state name", at: state.location)
            }
            guard let list = object["steps"]?.array, !list.isEmpty else {
                log.error("a scenario needs a non-empty 'steps' list", at: object["steps"]?.location ?? root.location)
                return nil
            }
            for node in list {
                if let step = step(node) { steps.append(step) }
            }
            return Scenario(
                name: name, description: object["description"]?.string, file: file, variables: variables,
                state: object["state"]?.string, steps: steps, location: root.location)
        }

        mutating func step(_ node: SpecNode) -> Scenario.Step? {
            guard
                let object = mapping(
                    node, "a step", known: ["name", "state", "request", "response", "capture", "match"])
            else { return nil }
            let name = object["name"]?.string
            if let state = object["state"] {
                if object["request"] != nil || object["response"] != nil {
                    log.error(
                        "a step is either a provider 'state' or a 'request' with its 'response', not both",
                        at: node.location)
                }
                guard let text = state.string else {
                    log.error("'state' must be a provider state name", at: state.location)
                    return nil
                }
                return Scenario.Step(
                    name: name, action: .providerState(text), captures: [], matchers: [:], location: node.location)
            }
            guard let requestNode = object["request"], let responseNode = object["response"] else {
                log.error("a step needs a 'request' and a 'response' (or a provider 'state')", at: node.location)
                return nil
            }
            guard let request = request(requestNode), let response = response(responseNode) else { return nil }
            var captures: [Scenario.Capture] = []
            if let map = object["capture"] {
                for entry in map.object?.entries ?? [] {
                    checkVariableName(entry.key, at: entry.keyLocation)
                    guard let text = entry.value.string, let source = captureSource(text) else {
                        log.error("a capture is 'body /json/pointer' or 'header Name'", at: entry.value.location)
                        continue
                    }
                    captures.append(
                        Scenario.Capture(variable: entry.key, source: source, location: entry.value.location))
                }
                if map.object == nil {
                    log.error("'capture' must map variable names to 'body /pointer' or 'header Name'", at: map.location)
                }
            }
            var matchers: [String: Scenario.Matcher] = [:]
            if let map = object["match"] {
                for entry in map.object?.entries ?? [] {
                    guard entry.key.isEmpty || entry.key.hasPrefix("/") || entry.key.hasPrefix("header ") else {
                        log.error(
                            "a matcher's key is a JSON pointer into the response body ('/items/0/id') or 'header Name'",
                            at: entry.keyLocation)
                        continue
                    }
                    guard let text = entry.value.string, let matcher = matcher(text) else {
                        log.error("a matcher is 'any', 'type' or '/regular expression/'", at: entry.value.location)
                        continue
                    }
                    matchers[entry.key] = matcher
                }
                if map.object == nil { log.error("'match' must map JSON pointers to matchers", at: map.location) }
            }
            return Scenario.Step(
                name: name, action: .exchange(request, response), captures: captures, matchers: matchers,
                location: node.location)
        }

        mutating func request(_ node: SpecNode) -> Scenario.RecordedRequest? {
            guard
                let object = mapping(
                    node, "a request",
                    known: ["method", "path", "query", "headers", "body", "raw_body", "filler_bytes", "sign"])
            else { return nil }
            guard let method = string(object, "method", required: true, at: node.location),
                let path = string(object, "path", required: true, at: node.location)
            else { return nil }
            if HTTPMethod(rawValue: method.lowercased()) == nil {
                log.error("'\(method)' is not an HTTP method", at: object["method"]?.location)
            }
            if !path.hasPrefix("/") { log.error("a request path starts with '/'", at: object["path"]?.location) }
            var query: [(String, String)] = []
            for entry in object["query"]?.object?.entries ?? [] {
                let values = entry.value.array ?? [entry.value]
                for value in values {
                    guard let text = scalarText(value) else {
                        log.error("a query value is a scalar or a list of scalars", at: value.location)
                        continue
                    }
                    query.append((entry.key, text))
                }
            }
            let headers = headerList(object["headers"])
            let bodies = ["body", "raw_body", "filler_bytes"].filter { object[$0] != nil }
            if bodies.count > 1 {
                log.error("a request has one of 'body', 'raw_body' and 'filler_bytes'", at: node.location)
            }
            var body: Scenario.Body?
            if let json = object["body"] { body = .json(json) }
            if let raw = object["raw_body"] {
                if let text = raw.string {
                    body = .raw(text)
                } else {
                    log.error("'raw_body' is the body's text", at: raw.location)
                }
            }
            if let filler = object["filler_bytes"] {
                if let count = filler.int, count > 0 {
                    body = .filler(count)
                } else {
                    log.error("'filler_bytes' is a positive byte count", at: filler.location)
                }
            }
            let signature = object["sign"].flatMap { signDirective($0) }
            return Scenario.RecordedRequest(
                method: method.uppercased(), path: path, query: query, headers: headers, body: body,
                signature: signature, location: node.location)
        }

        /// `{signer: NAME}` or `{signer: NAME, key: KEY | {env: VARIABLE}}`; `scheme` is the older name of `signer`.
        mutating func signDirective(_ node: SpecNode) -> Scenario.SignDirective? {
            let shape = "'sign' is {signer: NAME} or {signer: NAME, key: KEY}, NAME one of accord.yaml's signers"
            guard let object = mapping(node, "'sign'", known: ["signer", "scheme", "key"]) else { return nil }
            if object["signer"] != nil, object["scheme"] != nil {
                log.error("'sign' has 'signer' or its older name 'scheme', not both", at: node.location)
                return nil
            }
            guard let nameNode = object["signer"] ?? object["scheme"], let name = nameNode.string, !name.isEmpty else {
                log.error(shape, at: node.location)
                return nil
            }
            var directive = Scenario.SignDirective(signer: name, location: node.location)
            if let keyNode = object["key"] {
                do {
                    directive.key = try ContractSettings.keySource(keyNode, signer: name)
                    directive.keyLocation = keyNode.location
                } catch {
                    log.add(error)
                    return nil
                }
            }
            return directive
        }

        mutating func response(_ node: SpecNode) -> Scenario.RecordedResponse? {
            guard let object = mapping(node, "a response", known: ["status", "headers", "body"]) else { return nil }
            guard let status = object["status"]?.int, (100...599).contains(status) else {
                log.error(
                    "a response needs a 'status' between 100 and 599", at: object["status"]?.location ?? node.location)
                return nil
            }
            let headers = headerList(object["headers"])
            for header in headers
            where !Scenario.comparedHeaders.contains(where: { $0.caseInsensitiveCompare(header.name) == .orderedSame })
            {
                log.warning(
                    "response header '\(header.name)' is not compared (only "
                        + "\(Scenario.comparedHeaders.joined(separator: ", ")) are)",
                    at: object["headers"]?.location)
            }
            return Scenario.RecordedResponse(
                status: status, headers: headers, body: object["body"], location: node.location)
        }

        func captureSource(_ text: String) -> Scenario.Capture.Source? {
            let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            switch parts[0] {
            case "body" where parts[1].hasPrefix("/"): return .body(pointer: parts[1])
            case "header": return .header(parts[1])
            default: return nil
            }
        }

        func matcher(_ text: String) -> Scenario.Matcher? {
            switch text {
            case "any": return .any
            case "type": return .type
            case "unordered": return .unordered
            default:
                guard text.count >= 2, text.hasPrefix("/"), text.hasSuffix("/") else { return nil }
                let pattern = String(text.dropFirst().dropLast())
                guard (try? NSRegularExpression(pattern: pattern)) != nil else { return nil }
                return .pattern(pattern)
            }
        }

        mutating func headerList(_ node: SpecNode?) -> [(name: String, value: String)] {
            guard let node else { return [] }
            guard let object = node.object else {
                log.error("'headers' must map header names to values", at: node.location)
                return []
            }
            var out: [(String, String)] = []
            for entry in object.entries {
                guard let text = scalarText(entry.value) else {
                    log.error("a header value is a string", at: entry.value.location)
                    continue
                }
                out.append((entry.key, text))
            }
            return out
        }

        func scalarText(_ node: SpecNode) -> String? {
            switch node.value {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .double(let d): return String(d)
            case .bool(let b): return b ? "true" : "false"
            default: return nil
            }
        }

        mutating func checkVariableName(_ name: String, at location: SourceLocation) {
            if name.isEmpty || name.hasPrefix("$")
                || name.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            {
                log.error("variable names are letters, digits, '_' and '-'", at: location)
            }
        }

        mutating func mapping(_ node: SpecNode, _ what: String, known: Set<String>) -> SpecObject? {
            guard let object = node.object else {
                log.error("\(what) must be a mapping", at: node.location)
                return nil
            }
            for entry in object.entries where !known.contains(entry.key) {
                log.error(
                    "unknown key '\(entry.key)' in \(what) (known: \(known.sorted().joined(separator: ", ")))",
                    at: entry.keyLocation)
            }
            return object
        }

        mutating func string(
            _ object: SpecObject, _ key: String, required: Bool, at location: SourceLocation
        ) -> String? {
            guard let node = object[key] else {
                if required { log.error("missing '\(key)'", at: location) }
                return nil
            }
            guard let text = node.string, !text.isEmpty else {
                log.error("'\(key)' must be a non-empty string", at: node.location)
                return nil
            }
            return text
        }
    }
}
