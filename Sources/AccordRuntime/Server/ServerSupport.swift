import HTTPTypes
import AccordRuntimeModels
import Foundation
import Hummingbird

/// What a handler may need to know about the request beyond its typed input.
public struct RequestInfo: Sendable {
    /// The request id, echoed from the request's header or generated.
    public var requestID: String
    public var method: String
    /// The path as received (without the query).
    public var path: String
    /// The route template that matched, such as `/v1/todos/{todo_id}`.
    public var route: String
    /// The spec's operationId.
    public var operationId: String
    public var headers: HTTPFields
    /// The raw body bytes exactly as received (signatures are computed over these).
    public var body: Data
    /// The client's address, when the server knows it.
    public var remoteAddress: String?

    public func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }
}

/// Checks the credentials of a request for the spec's security schemes.
public protocol Authenticator<Principal>: Sendable {
    associatedtype Principal: Sendable
    /// Returns who is calling, or throws the `APIError` to answer (missing or bad credentials).
    /// `schemes` are the names under `components.securitySchemes` the operation accepts. `context` is the
    /// request's Hummingbird context: where a middleware of the app already identified the caller, it is there.
    func authenticate<Context: RequestContext>(
        schemes: [String], request: RequestInfo, context: Context
    ) async throws -> Principal
}

/// One violated constraint, with a JSON pointer to the value.
public struct FieldViolation: Sendable, Hashable {
    public var field: String
    public var code: String
    public var message: String

    public init(field: String, code: String, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}

/// The spec's constraints, as the generated `Rules` declare them (`package`: plumbing of the
/// generated server module, not its API).
package struct StringRule: Sendable {
    package var minLength: Int?
    package var maxLength: Int?
    package var pattern: String?
    package var format: String?
    package var values: [String]?

    package init(
        minLength: Int? = nil, maxLength: Int? = nil, pattern: String? = nil, format: String? = nil,
        values: [String]? = nil
    ) {
        self.minLength = minLength
        self.maxLength = maxLength
        self.pattern = pattern
        self.format = format
        self.values = values
    }
}

package struct NumberRule: Sendable {
    package var minimum: Double?
    package var maximum: Double?
    package var exclusiveMinimum: Double?
    package var exclusiveMaximum: Double?
    package var multipleOf: Double?

    package init(
        minimum: Double? = nil, maximum: Double? = nil, exclusiveMinimum: Double? = nil,
        exclusiveMaximum: Double? = nil, multipleOf: Double? = nil
    ) {
        self.minimum = minimum
        self.maximum = maximum
        self.exclusiveMinimum = exclusiveMinimum
        self.exclusiveMaximum = exclusiveMaximum
        self.multipleOf = multipleOf
    }
}

/// The spec's constraints on a value, checked before a handler runs.
package indirect enum SchemaRule: Sendable {
    case any
    case null
    case boolean
    case string(StringRule)
    case integer(NumberRule)
    case number(NumberRule)
    case array(SchemaRule, minItems: Int? = nil, maxItems: Int? = nil)
    case object(properties: [(String, SchemaRule)], required: [String] = [], additionalProperties: SchemaRule? = nil)
    case nullable(SchemaRule)
    case anyOf([SchemaRule])
    case reference(@Sendable () -> SchemaRule)

    /// Every violation in `value`; `pointer` is where `value` sits.
    package func violations(of value: JSONValue, at pointer: String = "") -> [FieldViolation] {
        var found: [FieldViolation] = []
        check(value, pointer, &found)
        return found
    }

    private func check(_ value: JSONValue, _ pointer: String, _ found: inout [FieldViolation]) {
        func fail(_ code: String, _ message: String) {
            found.append(FieldViolation(field: pointer.isEmpty ? "/" : pointer, code: code, message: message))
        }
        switch (self, value) {
        case (.any, _): return
        case (.reference(let target), _): target().check(value, pointer, &found)
        case (.nullable, .null): return
        case (.nullable(let inner), _): inner.check(value, pointer, &found)
        case (.null, .null): return
        case (.boolean, .bool): return
        case (.string(let rule), .string(let text)):
            let length = text.count
            if let min = rule.minLength, length < min { fail("min_length", "must be at least \(min) characters") }
            if let max = rule.maxLength, length > max { fail("max_length", "must be at most \(max) characters") }
            if let pattern = rule.pattern, let regex = try? Regex(pattern), (try? regex.firstMatch(in: text)) == nil {
                fail("pattern", "must match \(pattern)")
            }
            if let values = rule.values, !values.contains(text) {
                fail("enum", "must be one of: \(values.joined(separator: ", "))")
            }
            switch rule.format {
            case "date-time" where JSONCoding.parseTimestamp(text) == nil:
                fail("format", "must be an RFC 3339 timestamp")
            case "uuid" where UUID(uuidString: text) == nil: fail("format", "must be a UUID")
            case "date" where text.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/) == nil:
                fail("format", "must be a date (YYYY-MM-DD)")
            default: break
            }
        case (.integer(let rule), .integer(let number)): checkNumber(rule, Double(number), fail)
        case (.integer(let rule), .number(let number)) where number.rounded() == number: checkNumber(rule, number, fail)
        case (.number(let rule), .integer(let number)): checkNumber(rule, Double(number), fail)
        case (.number(let rule), .number(let number)): checkNumber(rule, number, fail)
        case (.array(let items, let minItems, let maxItems), .array(let elements)):
            if let min = minItems, elements.count < min { fail("min_items", "must have at least \(min) items") }
            if let max = maxItems, elements.count > max { fail("max_items", "must have at most \(max) items") }
            for (index, element) in elements.enumerated() { items.check(element, "\(pointer)/\(index)", &found) }
        case (.object(let properties, let required, let additional), .object(let members)):
            for name in required where members[name] == nil {
                found.append(
                    FieldViolation(field: "\(pointer)/\(Self.escape(name))", code: "required", message: "is required"))
            }
            for (name, rule) in properties {
                if let member = members[name] { rule.check(member, "\(pointer)/\(Self.escape(name))", &found) }
            }
            if let additional {
                let known = Set(properties.map(\.0))
                for name in members.keys.sorted() where !known.contains(name) {
                    additional.check(members[name]!, "\(pointer)/\(Self.escape(name))", &found)
                }
            }
        case (.anyOf(let rules), _):
            if !rules.contains(where: { $0.violations(of: value, at: pointer).isEmpty }) {
                fail("type", "matches none of the allowed shapes")
            }
        default:
            fail("type", "must be \(expected)")
        }
    }

    private func checkNumber(_ rule: NumberRule, _ number: Double, _ fail: (String, String) -> Void) {
        if let min = rule.minimum, number < min { fail("minimum", "must be at least \(Self.format(min))") }
        if let max = rule.maximum, number > max { fail("maximum", "must be at most \(Self.format(max))") }
        if let min = rule.exclusiveMinimum, number <= min { fail("minimum", "must be more than \(Self.format(min))") }
        if let max = rule.exclusiveMaximum, number >= max { fail("maximum", "must be less than \(Self.format(max))") }
        if let step = rule.multipleOf, step > 0, (number / step).rounded() != number / step {
            fail("multiple_of", "must be a multiple of \(Self.format(step))")
        }
    }

    private var expected: String {
        switch self {
        case .any: "any value"
        case .null: "null"
        case .boolean: "a boolean"
        case .string: "a string"
        case .integer: "an integer"
        case .number: "a number"
        case .array: "an array"
        case .object: "an object"
        case .nullable(let inner): "\(inner.expected) or null"
        case .anyOf: "one of the allowed shapes"
        case .reference(let target): target().expected
        }
    }

    /// Whether a JSON body must be an object (or array) at the top level: a wrong shape there is
    /// a malformed request rather than a validation failure.
    package var topLevelKind: String? {
        switch self {
        case .object: "object"
        case .array: "array"
        case .reference(let target): target().topLevelKind
        default: nil
        }
    }

    /// Builds a JSON value from form fields, typed as the rule says (`limit=5` → 5).
    package func formValue(_ fields: [(String, String)]) -> JSONValue {
        guard case .object(let properties, _, _) = resolved else {
            return .object(
                Dictionary(fields.map { ($0.0, JSONValue.string($0.1)) }, uniquingKeysWith: { _, last in last }))
        }
        var members: [String: JSONValue] = [:]
        for (name, value) in fields {
            let rule = properties.first { $0.0 == name }?.1 ?? .any
            if case .array(let items, _, _) = rule.resolved {
                var list: [JSONValue] = []
                if case .array(let existing)? = members[name] { list = existing }
                members[name] = .array(list + [items.scalar(value)])
            } else {
                members[name] = rule.scalar(value)
            }
        }
        return .object(members)
    }

    /// A query, path or header value typed as the rule says; text that does not parse stays a
    /// string so that validation reports it.
    package func scalar(_ text: String) -> JSONValue {
        switch resolved {
        case .integer: return Int(text).map(JSONValue.integer) ?? .string(text)
        case .number: return Int(text).map(JSONValue.integer) ?? Double(text).map(JSONValue.number) ?? .string(text)
        case .boolean: return text == "true" ? .bool(true) : text == "false" ? .bool(false) : .string(text)
        case .nullable(let inner): return inner.scalar(text)
        case .anyOf(let rules):
            for rule in rules {
                let value = rule.scalar(text)
                if rule.violations(of: value).isEmpty { return value }
            }
            return .string(text)
        default: return .string(text)
        }
    }

    var resolved: SchemaRule {
        if case .reference(let target) = self { return target().resolved }
        return self
    }

    static func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// Failures the stubs detect before a handler runs; `ServerErrors` turns each into a problem.
public enum RequestFailure: Swift.Error, Sendable {
    case routeNotFound
    case methodNotAllowed(allowed: [String])
    case malformedBody(String)
    case unsupportedMediaType(String?)
    case payloadTooLarge(limit: Int)
    case invalid([FieldViolation])
    /// A path parameter that cannot name anything (such as an id that is not a UUID).
    case resourceNotFound(notFoundCode: String?)
    /// The app sent a version below the configured minimum (426).
    case appVersionUnsupported(minimum: String)
}

/// Decoding steps shared by every route.
package enum RequestDecoding {
    /// Parses a JSON body: syntax errors, and a top-level value of the wrong kind, are malformed.
    package static func json(_ body: Data, expecting kind: String?) throws -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: body)
        } catch {
            throw RequestFailure.malformedBody("the body is not valid JSON")
        }
        switch (kind, value) {
        case ("object", .object), ("array", .array), (nil, _): return value
        default: throw RequestFailure.malformedBody("the body must be a JSON \(kind!)")
        }
    }

    /// Decodes a validated JSON value as the typed body.
    package static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        do {
            return try value.decode(as: T.self)
        } catch {
            // Validation passed but the type disagrees: report it as a malformed body.
            throw RequestFailure.malformedBody("the body does not have the expected shape")
        }
    }

    /// Parses `application/x-www-form-urlencoded` fields.
    package static func formFields(_ body: Data) -> [(String, String)] {
        let text = String(decoding: body, as: UTF8.self)
        return text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Whether the request's content type is the expected one (parameters such as charset ignored).
    package static func hasContentType(_ request: RequestInfo, _ expected: String) -> Bool {
        guard let value = request.headers[.contentType] else { return false }
        let essence = value.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return essence == expected
    }

    /// Typed parameter values; violations collect into `violations`.
    package static func parameter<T: ParameterValue>(
        _ text: String?, as type: T.Type, rule: SchemaRule, pointer: String,
        required: Bool, violations: inout [FieldViolation]
    ) -> T? {
        guard let text else {
            if required { violations.append(FieldViolation(field: pointer, code: "required", message: "is required")) }
            return nil
        }
        let found = rule.violations(of: rule.scalar(text), at: pointer)
        if !found.isEmpty {
            violations += found
            return nil
        }
        guard let value = T(parameter: text) else {
            violations.append(FieldViolation(field: pointer, code: "type", message: "has the wrong type"))
            return nil
        }
        return value
    }

    package static func parameters<T: ParameterValue>(
        _ texts: [String], as type: T.Type, rule: SchemaRule, pointer: String,
        required: Bool, violations: inout [FieldViolation]
    ) -> [T]? {
        let values = texts.count == 1 ? texts[0].split(separator: ",").map(String.init) : texts
        if values.isEmpty {
            if required { violations.append(FieldViolation(field: pointer, code: "required", message: "is required")) }
            return nil
        }
        let items: SchemaRule = if case .array(let items, _, _) = rule.resolved { items } else { rule }
        var result: [T] = []
        for (index, text) in values.enumerated() {
            guard
                let value = parameter(
                    text, as: T.self, rule: items, pointer: "\(pointer)/\(index)", required: true,
                    violations: &violations)
            else { continue }
            result.append(value)
        }
        return result.count == values.count ? result : nil
    }
}
