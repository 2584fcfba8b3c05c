/// `APIError.swift` of the models module: the catalog variant (a code and the problem body) when
/// the spec has an error catalog and a problem type, else a generic status-and-body error.
extension ModelsRenderer {
    func apiError() -> String {
        var w = SwiftWriter()
        w.line("import Foundation")
        w.line("import \(runtimeModule)")
        w.blank()
        if let shape = api.problem, let catalog = api.catalog {
            catalogExtension(catalog, &w)
            w.blank()
            catalogAPIError(shape, catalog, &w)
        } else {
            genericAPIError(&w)
        }
        return w.text
    }

    private func catalogExtension(_ catalog: CatalogDecl, _ w: inout SwiftWriter) {
        func property(
            _ name: String, _ type: String, _ doc: String, _ value: (CatalogDecl.Entry) -> String, _ fallback: String,
            _ w: inout SwiftWriter
        ) {
            w.doc(doc)
            w.scope("public var \(name): \(type)") { w in
                w.switchScope("self") { w in
                    for e in catalog.entries { w.caseLine([".\(e.caseName)"], value(e)) }
                    w.line("case .undocumented: \(fallback)")
                }
            }
        }
        w.scope("extension \(catalog.typeName)") { w in
            property(
                "status", "Int?",
                "The HTTP status that comes with the code (nil for a code this version does not know).",
                { String($0.status) }, "nil", &w)
            w.blank()
            property(
                "title", "String", "Short English title, the same for every occurrence.", { Text.literal($0.title) },
                "\"Error\"", &w)
            w.blank()
            property(
                "userMessage", "String",
                "A message for the app's user, in English. `Localizable.xcstrings` has it under `localizationKey`.",
                { Text.literal($0.message) }, Text.literal("Something went wrong. Please try again."), &w)
            w.blank()
            property(
                "isRetryable", "Bool", "Whether the same request may succeed if sent again later.",
                { $0.isRetryable ? "true" : "false" }, "false", &w)
            w.blank()
            w.line("/// The problem `type` URI of the code.")
            w.scope("public var typeURI: String") { w in
                w.line(
                    Text.literal(catalog.typeBase)
                        + " + rawValue.lowercased().replacingOccurrences(of: \"_\", with: \"-\")")
            }
            w.blank()
            w.line("/// The key of `userMessage` in `Localizable.xcstrings`.")
            w.line("public var localizationKey: String { \"error.\" + rawValue }")
        }
    }

    private func catalogAPIError(_ shape: ProblemDecl, _ catalog: CatalogDecl, _ w: inout SwiftWriter) {
        let code = catalog.typeName, problem = shape.typeName
        w.lines(
            """
            /// An error answer of the API: the catalog code, plus every member of the problem body.
            ///
            /// Clients receive it from every operation; servers throw it from handlers. Switch on
            /// `code`; a code this version does not know arrives as `.undocumented` with its status.
            """)
        w.scope("public struct APIError: Swift.Error, Sendable, Hashable, CustomStringConvertible") { w in
            w.line("/// The HTTP status.")
            w.line("public var status: Int")
            w.line("public var code: \(code)")
            w.line("/// The problem body (nil when the answer was not a problem, such as a proxy's error page).")
            w.line("public var problem: \(problem)?")
            let retryAfterMember = shape.retryAfter.map { ", or `\($0.wireName)`" } ?? ""
            w.line("/// Seconds to wait before retrying (`Retry-After`\(retryAfterMember)).")
            w.line("public var retryAfter: Int?")
            w.blank()
            w.scope("public init(", ["status: Int", "code: \(code)", "problem: \(problem)?", "retryAfter: Int?"], ")") {
                w in
                w.line("self.status = status")
                w.line("self.code = code")
                w.line("self.problem = problem")
                w.line("self.retryAfter = retryAfter")
            }
            if let arguments = shape.serverInitArguments() {
                w.blank()
                w.lines(
                    """
                    /// For servers: an error of the catalog. `update` sets more problem members
                    /// (the request id is filled in when the response is written). `status` is for a code
                    /// the catalog does not hold; a catalog code brings its own.
                    """)
                let parameters = [
                    "_ code: \(code)", "status: Int? = nil", "detail: String", "retryAfter: Int? = nil",
                    "update: (inout \(problem)) -> Void = { _ in }",
                ]
                w.scope("public init(", parameters, ")") { w in
                    w.line("let status = code.status ?? status ?? 500")
                    w.list("var problem = \(problem)(", arguments, ")")
                    w.line("update(&problem)")
                    w.line("self.init(status: status, code: code, problem: problem, retryAfter: retryAfter)")
                }
            }
            w.blank()
            w.line("/// The problem's `detail`, else the catalog title.")
            w.line("public var detail: String { \(shape.detailExpression) }")
            w.blank()
            w.line("public var description: String { \"\\(status) \\(code.rawValue): \\(detail)\" }")
        }
    }

    private func genericAPIError(_ w: inout SwiftWriter) {
        w.lines(
            #"""
            /// An error answer of the API: its status and body.
            public struct APIError: Swift.Error, Sendable, Hashable, CustomStringConvertible {
                /// The HTTP status.
                public var status: Int
                /// The body, when it was JSON (RFC 9457 problems included).
                public var body: JSONValue?
                /// Seconds to wait before retrying (`Retry-After`).
                public var retryAfter: Int?

                public init(status: Int, body: JSONValue? = nil, retryAfter: Int? = nil) {
                    self.status = status
                    self.body = body
                    self.retryAfter = retryAfter
                }

                /// For servers: an RFC 9457 problem with this status and detail.
                public init(status: Int, detail: String, retryAfter: Int? = nil) {
                    self.init(status: status, body: .object([
                        "type": .string("about:blank"), "status": .integer(status), "detail": .string(detail),
                    ]), retryAfter: retryAfter)
                }

                /// The body decoded as one of the spec's error schemas.
                public func decodeBody<T: Decodable>(as type: T.Type = T.self) throws -> T {
                    try (body ?? .null).decode(as: T.self)
                }

                public var detail: String {
                    if case .object(let members)? = body,
                        case .string(let detail)? = members["detail"] ?? members["message"]
                    {
                        return detail
                    }
                    return "HTTP \(status)"
                }

                public var description: String { "\(status): \(detail)" }
            }
            """#)
    }
}
