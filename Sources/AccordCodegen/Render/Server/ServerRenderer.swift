import AccordSpec

/// Stage 4c: renders the server stubs: the framework-free handler protocol with typed inputs and
/// outputs, Hummingbird 2 routes that validate requests against the spec, the spec's validation
/// rules and the API's problem answers, over the server runtime (its own module, `<server>Runtime`).
struct ServerRenderer {
    let api: GeneratedAPI
    let handlerName: String
    let modelsModule: String
    let serverModule: String

    func render() -> [PendingFile] {
        let runtime = GeneratorConfiguration.runtime(of: serverModule)
        let handler = HandlerRenderer(
            api: api, handlerName: handlerName, modelsModule: modelsModule, runtimeModule: runtime)
        let routes = RoutesRenderer(
            api: api, handlerName: handlerName, modelsModule: modelsModule, runtimeModule: runtime)
        let errors = ServerErrorsRenderer(api: api, modelsModule: modelsModule, runtimeModule: runtime)
        let rules = RulesRenderer(api: api, modelsModule: modelsModule, runtimeModule: runtime)
        return [
            PendingFile("\(handlerName).swift", start: .early) { handler.render() },
            PendingFile("Routes.swift", start: .first) { routes.render() },
            PendingFile("ServerErrors.swift") { errors.render() },
            PendingFile("Rules.swift") { rules.render() },
        ]
    }

    /// `head value` on one line, or the value on the next line when that is too long.
    static func assign(_ head: String, _ value: String, _ w: inout SwiftWriter) {
        if head.columns + 1 + value.columns <= w.room {
            w.line(head + " " + value)
        } else {
            w.line(head)
            w.indented { $0.line(value) }
        }
    }

    /// A writer for a file of the server module, its imports written (`exporting` ones re-exported to
    /// the server's users, who then see the runtime through the server module alone).
    static func writer(importing modules: [String], exporting exported: [String] = []) -> SwiftWriter {
        var writer = SwiftWriter()
        for module in modules { writer.line("import \(module)") }
        for module in exported { writer.line("@_exported import \(module)") }
        writer.blank()
        return writer
    }
}

/// What the server parts decide alike.
extension OperationDecl {
    /// The parameters the stubs read (cookies are left to the app).
    var serverParameters: [ParameterDecl] { parameters.filter { $0.location != .cookie } }

    /// Whether the handler method takes an `Input`.
    var hasServerInput: Bool { body != nil || parameters.contains { $0.location != .cookie } }

    /// The handler's principal parameter type, when the operation is secured.
    var principalType: String? {
        switch security {
        case .none: nil
        case .required: "Principal"
        case .optional: "Principal?"
        }
    }
}

extension SwiftType {
    var isArray: Bool { if case .array = self { true } else { false } }
}

extension GeneratedAPI {
    /// Whether the stubs can parse the type from text (`ParameterValue`).
    func serverParsable(_ type: SwiftType) -> Bool {
        switch type {
        case .array(let element): return serverParsable(element)
        case .named(let name):
            if ["String", "Int", "Int32", "Double", "Bool", "UUID", "Date"].contains(name) { return true }
            guard let decl = types.first(where: { $0.name == name }) else { return false }
            switch decl.kind {
            case .openEnum: return true
            case .alias(let target): return serverParsable(target)
            default: return false
            }
        default: return false
        }
    }

    /// The type an input field has: the parameter's when the stubs parse it, else its text.
    func serverInputType(_ parameter: ParameterDecl) -> SwiftType {
        serverParsable(parameter.type) ? parameter.type : (parameter.type.isArray ? .array(.string) : .string)
    }
}
