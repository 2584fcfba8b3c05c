import AccordSpec

/// `ServerErrors`: how the stubs answer the failures they detect, with the catalog's codes and the
/// spec's problem type, and the spec's values the shared server steps use (`contract`).
struct ServerErrorsRenderer {
    let api: GeneratedAPI
    let modelsModule: String
    let runtimeModule: String

    func render() -> String {
        var w = ServerRenderer.writer(
            importing: ["Foundation", "HTTPTypes", "Hummingbird", modelsModule, runtimeModule])
        w.line("/// The steps every route shares, answering failures as `ServerErrors` says.")
        w.line("public typealias ServerCore = ServerRuntime<ServerErrors>")
        w.blank()
        if let problem = api.problem, let catalog = api.catalog {
            w.line("/// Turns every failure into the API's problem answer.")
            w.scope("public enum ServerErrors: ProblemResponder") { w in
                contract(&w)
                CatalogErrors(api: api, problem: problem, catalog: catalog).write(&w)
            }
        } else {
            w.line("/// Turns every failure into an RFC 9457 problem answer.")
            w.scope("public enum ServerErrors: ProblemResponder") { w in
                contract(&w)
                w.lines(Self.genericErrors)
            }
        }
        return w.text
    }

    private func contract(_ w: inout SwiftWriter) {
        var values = [SwiftExpr.atom("requestIdHeader: \(Text.literal(api.requestIdHeader ?? "X-Request-ID"))")]
        if let header = api.appVersionHeader { values.append(.atom("appVersionHeader: \(Text.literal(header))")) }
        values.append(.atom("defaultBodyLimit: \(api.defaultBodyLimit)"))
        w.line("/// The spec's request-id header, app-version header and default body limit.")
        w.expression("public static let contract = ", .call("ServerContract(", values))
        w.blank()
    }

    /// Answers in the generic APIError's RFC 9457 shape, for a spec without a catalog.
    static let genericErrors = """
        public static func apiError(for failure: RequestFailure) -> APIError {
            switch failure {
            case .routeNotFound: return APIError(status: 404, detail: "No route matches this path.")
            case .methodNotAllowed(let allowed):
                return APIError(status: 405, detail: "This path answers only \\(allowed.joined(separator: ", ")).")
            case .malformedBody(let reason):
                return APIError(status: 400, detail: "The request cannot be read: \\(reason).")
            case .unsupportedMediaType(let type):
                return APIError(status: 415, detail: "Unsupported media type \\(type ?? "(none)").")
            case .payloadTooLarge(let limit):
                return APIError(status: 413, detail: "The body is over the limit of \\(limit) bytes.")
            case .invalid(let violations):
                let summary = violations.map { "\\($0.field) \\($0.message)" }.joined(separator: "; ")
                var error = APIError(status: 422, detail: summary)
                if case .object(var members)? = error.body {
                    members["errors"] = .array(
                        violations.map {
                            .object([
                                "field": .string($0.field), "code": .string($0.code), "message": .string($0.message),
                            ])
                        })
                    error.body = .object(members)
                }
                return error
            case .resourceNotFound: return APIError(status: 404, detail: "Nothing has this id.")
            case .appVersionUnsupported(let minimum):
                let detail = "This app version is no longer supported; \\(minimum) or later is."
                return APIError(status: 426, detail: detail)
            }
        }

        public static var internalError: APIError { APIError(status: 500, detail: "Something unexpected went wrong.") }

        public static func response(for error: APIError, requestID: String) -> Response {
            // The request id travels in the header: a spec without a problem schema names no member for it.
            let body = error.body ?? .object(["status": .integer(error.status)])
            let data = (try? JSONCoding.encoder.encode(body)) ?? Data()
            return ServerCore.problemResponse(status: error.status, body: data, retryAfter: error.retryAfter)
        }
        """
}

/// The catalog variant: each failure the stubs detect answers with the code that plays its role.
private struct CatalogErrors {
    let api: GeneratedAPI
    let problem: ProblemDecl
    let catalog: CatalogDecl

    /// The code that plays the role; without one, the role's status with an empty code (the
    /// translator warned).
    private func code(_ role: ErrorRole) -> [SwiftExpr] {
        if let entry = catalog.entry(role: role) { return [.atom(".\(entry.caseName)")] }
        return [.atom(".undocumented(\"\")"), .atom("status: \(role.status)")]
    }

    private func answer(_ role: ErrorRole, _ detail: String, _ w: inout SwiftWriter) {
        w.indented { $0.expression("return ", .call("APIError(", code(role) + [.atom("detail: " + detail)])) }
    }

    func write(_ w: inout SwiftWriter) {
        w.line("/// The catalog error for a failure the stubs detected.")
        w.scope("public static func apiError(for failure: RequestFailure) -> APIError") { w in
            // Case labels sit at the depth of their switch.
            w.line("switch failure {")
            w.line("case .routeNotFound:")
            answer(.notFound, #""No route matches this path.""#, &w)
            w.line("case .methodNotAllowed(let allowed):")
            answer(.methodNotAllowed, #""This path answers only \(allowed.joined(separator: ", ")).""#, &w)
            w.line("case .malformedBody(let reason):")
            answer(.malformedRequest, #""The request cannot be read: \(reason).""#, &w)
            w.line("case .unsupportedMediaType(let type):")
            answer(.unsupportedMediaType, #""The body must be application/json, not \(type ?? "untyped").""#, &w)
            w.line("case .payloadTooLarge(let limit):")
            answer(.payloadTooLarge, #""The body is over the limit of \(limit) bytes.""#, &w)
            w.line("case .invalid(let violations):")
            w.indented { invalid(&$0) }
            w.line("case .resourceNotFound(let notFoundCode):")
            w.indented { w in
                // The operation's own not-found code, else the role's.
                var args = code(.notFound)
                args[0] = .atom("notFoundCode.map(\(catalog.typeName).init(rawValue:)) ?? " + args[0].code)
                w.expression("return ", .call("APIError(", args + [.atom(#"detail: "Nothing has this id.""#)]))
            }
            // The stubs check app versions only when the API has an app-version header.
            if api.appVersionHeader != nil {
                w.line("case .appVersionUnsupported(let minimum):")
                answer(
                    .appVersionUnsupported, #""This app version is no longer supported; \(minimum) or later is.""#,
                    &w)
            } else {
                w.line(
                    "case .appVersionUnsupported: return internalError  // never raised: no app-version header"
                )
            }
            w.line("}")
        }
        w.blank()
        w.line("/// The catalog error for an unexpected failure.")
        w.scope("public static var internalError: APIError") { w in
            let detail = #"detail: "Something unexpected went wrong; quote the request id when reporting it.""#
            w.expression("", .call("APIError(", code(.internalError) + [.atom(detail)]))
        }
        w.blank()
        w.line("/// Writes an error as `application/problem+json`.")
        w.scope("public static func response(for error: APIError, requestID: String) -> Response") { response(&$0) }
    }

    private func invalid(_ w: inout SwiftWriter) {
        w.line(#"let summary = violations.map { "\($0.field) \($0.message)" }.joined(separator: "; ")"#)
        let call = SwiftExpr.call("APIError(", code(.validationFailed) + [.atom("detail: summary")])
        guard let errors = problem.fieldErrors, case .array(.named(let fieldType)) = errors.baseType else {
            w.expression("return ", call, " { _ in }")
            return
        }
        w.expression("return ", call, " {")
        w.indented { w in
            let fields: [SwiftExpr] = [.atom("field: $0.field"), .atom("code: $0.code"), .atom("message: $0.message")]
            w.expression("$0.\(errors.name) = ", .call("violations.map { \(fieldType)(", fields, ") }"))
        }
        w.line("}")
    }

    private func response(_ w: inout SwiftWriter) {
        w.expression("var problem = error.problem ?? ", .call("\(problem.typeName)(", fallbackArguments()))
        if let requestId = problem.requestId { w.line("problem.\(requestId.name) = requestID") }
        let retry = problem.retryAfter
        if let retry {
            w.scope("if let retryAfter = error.retryAfter, problem.\(retry.name) == nil") { w in
                w.line("problem.\(retry.name) = retryAfter")
            }
        }
        w.line("let body = (try? JSONCoding.encoder.encode(problem)) ?? Data()")
        let retryAfter = "retryAfter: error.retryAfter ?? " + (retry.map { "problem.\($0.name)" } ?? "nil")
        w.expression(
            "return ",
            .call(
                "ServerCore.problemResponse(", [.atom("status: error.status"), .atom("body: body"), .atom(retryAfter)]))
    }

    /// A problem for an error that carries none: every member the catalog or the error can fill.
    private func fallbackArguments() -> [SwiftExpr] {
        problem.properties.compactMap { p -> SwiftExpr? in
            let label = Naming.bare(p.name)
            switch p.wireName {
            case "type": return .atom("\(label): error.code.typeURI")
            case "title": return .atom("\(label): error.code.title")
            case "status": return .atom("\(label): error.status")
            case "detail": return .atom("\(label): error.detail")
            case problem.code.wireName: return .atom("\(label): error.code")
            default:
                if p.problemMember == .requestId { return .atom("\(label): \"\"") }
                return p.type.isOptional ? nil : .atom("\(label): .init()")
            }
        }
    }
}
