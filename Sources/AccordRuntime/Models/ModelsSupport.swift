import Foundation

/// Any JSON value: for schemas that allow anything, and for unknown union members.
public enum JSONValue: Codable, Hashable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value converted to another `Decodable` type.
    public func decode<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try JSONCoding.decoder.decode(T.self, from: JSONCoding.encoder.encode(self))
    }

    /// A `Encodable` value as JSON.
    public init(encoding value: some Encodable) throws {
        self = try JSONCoding.decoder.decode(JSONValue.self, from: JSONCoding.encoder.encode(value))
    }
}

/// A member that can be absent, `null` or a value: `Nullable<T>?` is nil when absent.
/// PATCH bodies need all three (`"due_at": null` clears, absent keeps).
public enum Nullable<Wrapped: Sendable & Hashable>: Sendable, Hashable {
    case null
    case value(Wrapped)

    /// The value, or nil for `null`.
    public var wrapped: Wrapped? {
        if case .value(let value) = self { return value }
        return nil
    }

    public init(_ value: Wrapped?) {
        self = value.map(Nullable.value) ?? .null
    }
}

extension Nullable: Codable where Wrapped: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .null : .value(try container.decode(Wrapped.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .value(let value): try container.encode(value)
        }
    }
}

/// Storage for a member whose type contains its owner (a struct cannot contain itself).
public struct Indirect<Value: Sendable & Hashable>: Sendable, Hashable {
    private final class Box: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private let box: Box

    public init(_ value: Value) { box = Box(value) }

    public var value: Value { box.value }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// A string enum that stays open: values this version does not know decode to
/// `undocumented(_:)` instead of failing, so a newer server never breaks an older app.
///
/// Not `RawRepresentable`: its default `==` and `hash(into:)` go through `rawValue`, which looks the
/// case up in `wireValues`, a table keyed by the case: equality would recurse. The enum's own
/// (synthesized) equality and hashing are the ones used.
public protocol OpenEnum: Codable, Hashable, Sendable, CustomStringConvertible, ParameterValue {
    /// The documented cases and their values on the wire.
    static var wireValues: WireValues<Self> { get }
    /// The case for a value this version of the API does not know.
    static func undocumented(_ value: String) -> Self
    /// The value `undocumented(_:)` carries; nil for a documented case.
    var undocumentedValue: String? { get }
}

/// An open enum's documented cases and their wire values, looked up both ways. A table instead of two
/// `switch`es a case: a third of the lines, and quicker to compile.
public struct WireValues<Case: Hashable & Sendable>: Sendable, ExpressibleByDictionaryLiteral {
    private let cases: [String: Case]
    private let values: [Case: String]

    /// The first of two entries for one case or one value wins.
    public init(dictionaryLiteral entries: (Case, String)...) {
        cases = Dictionary(entries.map { ($0.1, $0.0) }, uniquingKeysWith: { first, _ in first })
        values = Dictionary(entries, uniquingKeysWith: { first, _ in first })
    }

    /// The documented case for a wire value.
    public func documentedCase(_ value: String) -> Case? { cases[value] }

    /// The wire value of a documented case.
    public func value(of documented: Case) -> String? { values[documented] }
}

extension OpenEnum {
    /// The documented case for the value, else `undocumented(value)`.
    public init(rawValue: String) {
        self = Self.wireValues.documentedCase(rawValue) ?? .undocumented(rawValue)
    }

    /// The value on the wire.
    public var rawValue: String {
        Self.wireValues.value(of: self) ?? undocumentedValue ?? ""
    }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}

/// A coding key for any member name.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ string: String) { stringValue = string }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { return nil }
}

extension KeyedDecodingContainer {
    /// Absent → nil, `null` → `.null`, value → `.value`.
    public func decodeNullable<T: Codable & Sendable & Hashable>(_ type: T.Type, forKey key: Key) throws -> Nullable<T>?
    {
        contains(key) ? try decode(Nullable<T>.self, forKey: key) : nil
    }

    /// Every member not named in `known`, decoded as `T`.
    public func decodeAdditional<T: Decodable>(_ type: T.Type, known: Set<String>) throws -> [String: T]
    where Key == AnyCodingKey {
        var result: [String: T] = [:]
        for key in allKeys where !known.contains(key.stringValue) {
            result[key.stringValue] = try decode(T.self, forKey: key)
        }
        return result
    }
}

extension KeyedEncodingContainer {
    // UUIDs go on the wire in lower case (Foundation writes them in upper case).
    public mutating func encode(_ value: UUID, forKey key: Key) throws {
        try encode(value.uuidString.lowercased(), forKey: key)
    }

    public mutating func encodeIfPresent(_ value: UUID?, forKey key: Key) throws {
        try encodeIfPresent(value?.uuidString.lowercased(), forKey: key)
    }
}

/// JSON coding as the API writes it: RFC 3339 timestamps (with or without fractional seconds).
public enum JSONCoding {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatTimestamp(date))
        }
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseTimestamp(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not an RFC 3339 timestamp")
            }
            return date
        }
        return decoder
    }

    /// `2026-11-27T15:04:05Z`, with milliseconds only when the date has them.
    public static func formatTimestamp(_ date: Date) -> String {
        // Whole milliseconds, computed as integers: formatting the Double directly can turn
        // .123 into .122, and a value must survive any number of round trips unchanged.
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let fraction = Int(millis - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (year, month, day) = civilDate(fromDays: days)
        guard (0...9999).contains(year) else {
            let text = Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
            return fraction == 0 ? text : String(text.dropLast()) + "." + String(format: "%03d", fraction) + "Z"
        }
        // Written digit by digit: a list of to-dos has several timestamps each, and a date
        // formatter per value costs more than the rest of the encoding.
        let secondOfDay = Int(seconds - days * 86_400)
        var bytes = Array("0000-00-00T00:00:00.000Z".utf8)
        func put(_ value: Int, _ width: Int, at index: Int) {
            var rest = value
            for position in stride(from: index + width - 1, through: index, by: -1) {
                bytes[position] = UInt8(48 + rest % 10)
                rest /= 10
            }
        }
        put(year, 4, at: 0)
        put(month, 2, at: 5)
        put(day, 2, at: 8)
        put(secondOfDay / 3600, 2, at: 11)
        put(secondOfDay / 60 % 60, 2, at: 14)
        put(secondOfDay % 60, 2, at: 17)
        if fraction == 0 {
            bytes.removeSubrange(19..<23)
        } else {
            put(fraction, 3, at: 20)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses RFC 3339 (`Z` or an offset, optional fractional seconds).
    public static func parseTimestamp(_ text: String) -> Date? {
        guard text.utf8.count >= 20, text.utf8.count <= 40 else { return nil }
        // UTC (`Z`) is read here, strictly (Foundation would roll 29 February 2023 into March).
        if text.hasSuffix("Z") || text.hasSuffix("z") { return parseUTC(Array(text.utf8)) }
        let normalized = text.replacingOccurrences(of: "t", with: "T").replacingOccurrences(of: "z", with: "Z")
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(normalized) { return date }
        return try? Date.ISO8601FormatStyle().parse(normalized)
    }

    /// The UTC form, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, read without a formatter; nil when it
    /// is not a real date and time.
    static func parseUTC(_ b: [UInt8]) -> Date? {
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for index in from..<(from + count) {
                guard (48...57).contains(b[index]) else { return nil }
                value = value * 10 + Int(b[index] - 48)
            }
            return value
        }
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 116, b[13] == 58, b[16] == 58,
            b[b.count - 1] == 90 || b[b.count - 1] == 122,
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60,
            second < 60
        else { return nil }
        var fraction = 0.0
        if b.count > 20 {
            let digits = b.count - 21
            guard b[19] == 46, (1...9).contains(digits), let value = number(20, digits) else { return nil }
            var scale = 1.0
            for _ in 0..<digits { scale *= 10 }
            fraction = Double(value) / scale
        }
        let seconds = days(fromCivil: year, month, day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
    static func civilDate(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    /// (year, month, day) → days since 1970-01-01.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shifted = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shifted + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Values that travel in a path, query or header as text.
public protocol ParameterValue: Sendable {
    init?(parameter: String)
    var parameterText: String { get }
}

extension String: ParameterValue {
    public init?(parameter: String) { self = parameter }
    public var parameterText: String { self }
}

extension Int: ParameterValue {
    public init?(parameter: String) { self.init(parameter) }
    public var parameterText: String { String(self) }
}

extension Int32: ParameterValue {
    public init?(parameter: String) { self.init(parameter) }
    public var parameterText: String { String(self) }
}

extension Double: ParameterValue {
    public init?(parameter: String) { self.init(parameter) }
    public var parameterText: String { String(self) }
}

extension Bool: ParameterValue {
    public init?(parameter: String) {
        switch parameter {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }
    public var parameterText: String { self ? "true" : "false" }
}

extension UUID: ParameterValue {
    public init?(parameter: String) { self.init(uuidString: parameter) }
    public var parameterText: String { uuidString.lowercased() }
}

extension Date: ParameterValue {
    public init?(parameter: String) {
        guard let date = JSONCoding.parseTimestamp(parameter) else { return nil }
        self = date
    }
    public var parameterText: String { JSONCoding.formatTimestamp(self) }
}

extension OpenEnum {
    public init?(parameter: String) { self.init(rawValue: parameter) }
    public var parameterText: String { rawValue }
}
