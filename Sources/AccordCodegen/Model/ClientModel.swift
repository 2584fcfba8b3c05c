import AccordSpec

/// One argument of a client method, in the order the method declares them.
struct ClientArgument: Sendable {
    /// `_` for the body.
    var label: String
    var name: String
    /// As declared, optionality included (`Int?` for an optional query parameter).
    var type: SwiftType
    var hasDefault: Bool
    /// The parameter's wire name, or nil for the body.
    var wireName: String?
    var location: Parameter.Location?
    /// For an array in the query: one `name=value` per element, or one comma-separated value.
    var explode = false

    var isBody: Bool { location == nil }

    var declaration: String {
        let head = label == name ? name : "\(label) \(name)"
        return "\(head): \(type.code)\(hasDefault ? " = nil" : "")"
    }
}

/// What a client method gives back for one success answer.
enum ClientPayload: Sendable, Hashable {
    /// The decoded body.
    case body(SwiftType)
    /// `Created<Body>`: the body, and the `Location` the answer declares.
    case created(SwiftType)
    /// `URL?`: an answer without a body that declares a `Location` gives just that.
    case location

    /// As the method's signature spells it.
    var type: SwiftType {
        switch self {
        case .body(let type): type
        case .created(let type): .named("Created<\(type.code)>")
        case .location: .optional(.named("URL"))
        }
    }
}

/// What a client method gives back.
enum ClientReturn: Sendable, Equatable {
    /// Nothing: no success has a body or a `Location`.
    case none
    /// What every success gives back, the same for each.
    case single(SwiftType)
    /// `<Operation>Result`, a case per success, when the successes give back different things.
    case result(typeName: String)

    /// As the method's signature spells it; nil for `Void`.
    var typeCode: String? {
        switch self {
        case .none: nil
        case .single(let type): type.code
        case .result(let name): name
        }
    }
}
